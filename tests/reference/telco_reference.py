"""scikit-learn reference for tests/telco_reference.rs.

Run from the repository root (pip install scikit-learn pandas):
    python3 tests/reference/telco_reference.py

Same rows and features as kequn: label Churn == "Yes"; customerID dropped;
the test rows are those listed in tests/reference/telco_split.txt (written by
kequn's seeded stratified split, 30%, seed 42); TotalCharges blanks are
missing and filled with the training median; the four numeric columns are
standardised (StandardScaler), the 15 categorical columns one-hot encoded
(OneHotEncoder, unknown levels ignored); LogisticRegression(C=1.0) with
lbfgs. Prints the test AUC and the 5-fold cross-validated AUC on the
training rows (StratifiedKFold(5, shuffle=True, random_state=42)).
Then the same with class_weight="balanced". Writes the test rows' predicted
probabilities of both fits (in the split file's order) to
tests/reference/telco_proba.txt, which the Rust test compares row by row.
"""
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

df = pd.read_csv("../shared/data/real/telco-customer-churn.csv")
df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].str.strip(), errors="coerce")
y = (df["Churn"] == "Yes").astype(int).to_numpy()
X = df.drop(columns=["customerID", "Churn"])
num = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]
cat = [c for c in X.columns if c not in num]
test = np.zeros(len(df), dtype=bool)
test[np.loadtxt("tests/reference/telco_split.txt", dtype=int)] = True

def model(class_weight=None):
    return make_pipeline(
        ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num),
            ("cat", OneHotEncoder(handle_unknown="ignore"), cat),
        ]),
        LogisticRegression(C=1.0, max_iter=1000, class_weight=class_weight),
    )

m = model().fit(X[~test], y[~test])
print(f"test rows {test.sum()} test AUC {roc_auc_score(y[test], m.predict_proba(X[test])[:, 1]):.6f}")
cv = cross_val_score(model(), X[~test], y[~test], scoring="roc_auc",
                     cv=StratifiedKFold(5, shuffle=True, random_state=42))
print(f"5-fold CV AUC on training rows {cv.mean():.6f}")

b = model("balanced").fit(X[~test], y[~test])
pb = b.predict_proba(X[test])[:, 1]
print(f"balanced test AUC {roc_auc_score(y[test], pb):.6f} mean test probability {pb.mean():.6f}")
order = np.loadtxt("tests/reference/telco_split.txt", dtype=int)
plain = m.predict_proba(X.iloc[order])[:, 1]
balanced = b.predict_proba(X.iloc[order])[:, 1]
np.savetxt("tests/reference/telco_proba.txt", np.column_stack([plain, balanced]), fmt="%.8f")
