"""scikit-learn reference for the workbench e2e test (tests/e2e/workbench.test.mjs):
bank-full.csv, label y == "yes", duration left out (it leaks), logistic
regression as kequn fits it — numbers standardised, text one-hot, L2 with
C = 1 — on kequn's rows: the test part tests/reference/bank_split.txt and
the 5 CV folds of the training part tests/reference/bank_folds.txt (seed 42).

Run from the repository root (pip install scikit-learn pandas):
    python3 tests/reference/bank_logistic_reference.py > tests/reference/bank_logistic_reference.txt

It also prints the CV over every row (kequn's `model.cv_rows = "all"`) on
kequn's folds of all rows, tests/reference/bank_folds_all.txt, and, for
comparison, scikit-learn's own shuffled StratifiedKFold over all rows.
"""
import pandas as pd, numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler, OneHotEncoder
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.metrics import roc_auc_score
df = pd.read_csv('../shared/data/real/bank-full.csv', sep=';')
y = (df.pop('y') == 'yes').to_numpy(); df = df.drop(columns=['duration'])
cat = list(df.select_dtypes(exclude='number').columns); num = [c for c in df if c not in cat]
test = np.loadtxt('tests/reference/bank_split.txt', dtype=int)
is_test = np.zeros(len(df), bool); is_test[test] = True
train = np.flatnonzero(~is_test); folds = np.loadtxt('tests/reference/bank_folds.txt', dtype=int)
def auc(fit, valid):
    pipe = make_pipeline(ColumnTransformer([('n', StandardScaler(), num), ('c', OneHotEncoder(handle_unknown='ignore'), cat)]), LogisticRegression(max_iter=5000))
    pipe.fit(df.iloc[fit], y[fit]); return roc_auc_score(y[valid], pipe.predict_proba(df.iloc[valid])[:, 1])
cv = [auc(train[folds != k], train[folds == k]) for k in range(5)]
print(f"kequn rows: test_auc {auc(train, test):.4f} cv_auc {np.mean(cv):.4f} cv_sd {np.std(cv):.4f}")
every = np.loadtxt('tests/reference/bank_folds_all.txt', dtype=int); rows = np.arange(len(df))
cv = [auc(rows[every != k], rows[every == k]) for k in range(5)]
print(f"kequn folds of all rows: cv_auc {np.mean(cv):.4f} cv_sd {np.std(cv):.4f}")
from sklearn.model_selection import StratifiedKFold, cross_val_score
pipe = make_pipeline(ColumnTransformer([('n', StandardScaler(), num), ('c', OneHotEncoder(handle_unknown='ignore'), cat)]), LogisticRegression(max_iter=5000))
s = cross_val_score(pipe, df, y, cv=StratifiedKFold(5, shuffle=True, random_state=42), scoring='roc_auc')
print(f"all rows, StratifiedKFold(5, shuffle, 42): cv_auc {s.mean():.4f} cv_sd {s.std():.4f}")
