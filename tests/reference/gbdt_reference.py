"""LightGBM reference for tests/gbdt.rs.

Run from the repository root (pip install lightgbm numpy pandas scikit-learn):
    python3 tests/reference/gbdt_reference.py

(a) TreeSHAP / loader pin. The first 800 rows of
../shared/data/real/Churn_Modelling.csv; RowNumber, CustomerId and Surname
dropped, label Exited. Geography and Gender become the index of their
level in sorted order (France 0, Germany 1, Spain 2; Female 0, Male 1);
Geography is a LightGBM categorical feature, Gender numeric.
EstimatedSalary is set missing (NaN) on every row whose 0-based index
i % 17 == 5, so that the trees carry learned missing directions.
10 trees, 15 leaves, otherwise defaults. Writes
  tests/reference/gbdt_model.txt    the model as LightGBM saves it
  tests/reference/gbdt_raw.txt      predict(raw_score=True), one row a line
  tests/reference/gbdt_contrib.txt  predict(pred_contrib=True): 10 features + expected value
(all with 17 significant digits). The Rust test rebuilds the rows the same way.

(b) AUC pin. All 10000 rows, the same columns with Geography and Gender as
integer codes treated as NUMERIC (ours has no categorical splits yet), no
values set missing. Test rows: tests/reference/churn_split.txt (written by
kequn's seeded stratified split, 30%, seed 42). LightGBM defaults
(100 trees, 31 leaves, learning rate 0.1, min_child_samples 20),
deterministic, one thread, seed 42. Writes the test rows' raw scores (in
the split file's order, 12 significant digits) to
tests/reference/churn_lightgbm_raw.txt: our trainer grows the same trees. Then the same on the telco file
(customerID dropped, label Churn == "Yes", every text column as the
sorted-level code, TotalCharges blanks missing) on tests/reference/telco_split.txt.
Prints the test AUCs; tests/gbdt.rs keeps them as constants.

(c) The same two fits with the coded columns as LightGBM categorical
features (Geography and Gender; every text column of telco), against
our native categorical splits.
"""
import numpy as np
import pandas as pd
import lightgbm as lgb
from sklearn.metrics import roc_auc_score

DATA = "../shared/data/real/"


def coded(df, cols):
    for c in cols:
        levels = sorted(df[c].dropna().unique())
        df[c] = pd.Categorical(df[c], categories=levels).codes.astype(float)
    return df


def churn():
    df = pd.read_csv(DATA + "Churn_Modelling.csv")
    y = df["Exited"].to_numpy()
    X = coded(df.drop(columns=["RowNumber", "CustomerId", "Surname", "Exited"]), ["Geography", "Gender"])
    return X.astype(float), y


# (a)
X, y = churn()
X, y = X.iloc[:800].copy(), y[:800]
X.loc[np.arange(len(X)) % 17 == 5, "EstimatedSalary"] = np.nan
params = dict(objective="binary", num_leaves=15, learning_rate=0.1, deterministic=True,
              num_threads=1, seed=42, verbose=-1)
ds = lgb.Dataset(X, y, categorical_feature=["Geography"], free_raw_data=False)
booster = lgb.train(params, ds, num_boost_round=10)
booster.save_model("tests/reference/gbdt_model.txt")
raw = booster.predict(X, raw_score=True)
contrib = booster.predict(X, pred_contrib=True)
np.savetxt("tests/reference/gbdt_raw.txt", raw, fmt="%.17g")
np.savetxt("tests/reference/gbdt_contrib.txt", contrib, fmt="%.17g")
print(f"(a) {len(X)} rows, {booster.num_trees()} trees, max |sum(contrib) - raw| "
      f"{np.abs(contrib.sum(axis=1) - raw).max():.3e}")

# (b)
defaults = dict(objective="binary", n_estimators=100, num_leaves=31, learning_rate=0.1,
                min_child_samples=20, deterministic=True, num_threads=1, random_state=42,
                verbose=-1)
X, y = churn()
test = np.zeros(len(X), dtype=bool)
test[np.loadtxt("tests/reference/churn_split.txt", dtype=int)] = True
m = lgb.LGBMClassifier(**defaults).fit(X[~test], y[~test])
mc = lgb.LGBMClassifier(**defaults).fit(X[~test], y[~test], categorical_feature=["Geography", "Gender"])
print(f"(c) Churn_Modelling categorical test AUC {roc_auc_score(y[test], mc.predict_proba(X[test])[:, 1]):.6f}")
order = np.loadtxt("tests/reference/churn_split.txt", dtype=int)
np.savetxt("tests/reference/churn_lightgbm_raw.txt", m.predict(X.iloc[order], raw_score=True), fmt="%.12g")
print(f"(b) Churn_Modelling test rows {test.sum()} LightGBM {lgb.__version__} test AUC "
      f"{roc_auc_score(y[test], m.predict_proba(X[test])[:, 1]):.6f}")

df = pd.read_csv(DATA + "telco-customer-churn.csv")
df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].str.strip(), errors="coerce")
y = (df["Churn"] == "Yes").astype(int).to_numpy()
X = df.drop(columns=["customerID", "Churn"])
X = coded(X, [c for c in X.columns if X[c].dtype == object or str(X[c].dtype).startswith("str")]).astype(float)
test = np.zeros(len(X), dtype=bool)
test[np.loadtxt("tests/reference/telco_split.txt", dtype=int)] = True
text_cols = [c for c in X.columns if c not in ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]]
mc = lgb.LGBMClassifier(**defaults).fit(X[~test], y[~test], categorical_feature=text_cols)
print(f"(c) telco categorical test AUC {roc_auc_score(y[test], mc.predict_proba(X[test])[:, 1]):.6f}")
m = lgb.LGBMClassifier(**defaults).fit(X[~test], y[~test])
print(f"(b) telco test rows {test.sum()} test AUC "
      f"{roc_auc_score(y[test], m.predict_proba(X[test])[:, 1]):.6f} columns {list(X.columns)}")
