"""LightGBM reference for tests/gbdt_recipes.rs: `model.kind = "gbdt"` run
as a recipe on the three real files, against LightGBM 4.x on the same rows.

Run from the repository root (pip install lightgbm pandas scikit-learn):
    python3 tests/reference/gbdt_recipe_reference.py > tests/reference/gbdt_recipe_reference.txt

The rows are kequn's: the test part is tests/reference/<name>_split.txt and
the 5 CV folds of the training part tests/reference/<name>_folds.txt (one
fold number per training row, training rows in table order), both written
by kequn's seeded stratified split (seed 42) and held to it by the Rust
test. Columns as kequn's feature pipeline gives them to the trees: numbers
as they are (blank = missing), each text column as the index of its level
among the sorted levels seen in the fitting rows, a LightGBM categorical
feature. LightGBM defaults (100 trees, 31 leaves, learning rate 0.1,
min_child_samples 20), deterministic, one thread.

  Churn_Modelling.csv  label Exited == 1; RowNumber, CustomerId, Surname left out
  bank-full.csv        label y == "yes"; duration left out (it leaks)
  telco-customer-churn.csv  label Churn == "Yes"; customerID left out
"""
import numpy as np
import pandas as pd
import lightgbm as lgb
from sklearn.metrics import roc_auc_score

DATA = "../shared/data/real/"
PARAMS = dict(objective="binary", n_estimators=100, num_leaves=31, learning_rate=0.1,
              min_child_samples=20, deterministic=True, num_threads=1, random_state=42,
              verbose=-1)


def load(name):
    if name == "churn":
        df = pd.read_csv(DATA + "Churn_Modelling.csv")
        return df.drop(columns=["RowNumber", "CustomerId", "Surname", "Exited"]), (df["Exited"] == 1).to_numpy()
    if name == "bank":
        df = pd.read_csv(DATA + "bank-full.csv", sep=";")
        return df.drop(columns=["duration", "y"]), (df["y"] == "yes").to_numpy()
    df = pd.read_csv(DATA + "telco-customer-churn.csv")
    df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].str.strip(), errors="coerce")
    return df.drop(columns=["customerID", "Churn"]), (df["Churn"] == "Yes").to_numpy()


def text_columns(X):
    return [c for c in X.columns if X[c].dtype == object or str(X[c].dtype).startswith("str")]


def fit_auc(X, y, fit, valid):
    """Codes text columns by the fitting rows' sorted levels, fits, returns the valid AUC."""
    X = X.copy()
    cats = text_columns(X)
    for c in cats:
        levels = sorted(X[c].iloc[fit].dropna().unique())
        X[c] = pd.Categorical(X[c], categories=levels).codes.astype(float)
        X.loc[X[c] < 0, c] = np.nan
    X = X.astype(float)
    m = lgb.LGBMClassifier(**PARAMS).fit(X.iloc[fit], y[fit], categorical_feature=cats)
    return roc_auc_score(y[valid], m.predict_proba(X.iloc[valid])[:, 1])


for name in ["churn", "bank", "telco"]:
    X, y = load(name)
    test = np.loadtxt(f"tests/reference/{name}_split.txt", dtype=int)
    is_test = np.zeros(len(X), dtype=bool)
    is_test[test] = True
    train = np.flatnonzero(~is_test)
    folds = np.loadtxt(f"tests/reference/{name}_folds.txt", dtype=int)
    assert len(folds) == len(train)
    test_auc = fit_auc(X, y, train, test)
    cv = [fit_auc(X, y, train[folds != k], train[folds == k]) for k in range(5)]
    print(f"{name} test_auc {test_auc:.6f} cv_auc {np.mean(cv):.6f} cv_sd {np.std(cv):.6f} "
          f"rows {len(X)} test {len(test)} lightgbm {lgb.__version__}")
