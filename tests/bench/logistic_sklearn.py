"""scikit-learn's time to fit LogisticRegression(C=1, lbfgs) on the benchmark
matrix (bench-data/logit30.csv: 1,000,000 x 30 + y), on a 70% stratified
training part, standardised as kequn does. Prints seconds and the test AUC.
Usage: python3 tests/bench/logistic_sklearn.py [bench-data/logit30.csv]
"""
import sys
import time

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

df = pd.read_csv(sys.argv[1] if len(sys.argv) > 1 else "bench-data/logit30.csv")
y = df.pop("y").to_numpy()
Xtr, Xte, ytr, yte = train_test_split(df.to_numpy(), y, test_size=0.3, stratify=y, random_state=1)
sc = StandardScaler().fit(Xtr)
Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
t = time.perf_counter()
m = LogisticRegression(C=1.0, max_iter=1000).fit(Xtr, ytr)
fit = time.perf_counter() - t
print(f"scikit-learn fit {len(ytr)} x {Xtr.shape[1]}: {fit:.3f} s, {m.n_iter_[0]} iterations, "
      f"test AUC {roc_auc_score(yte, m.predict_proba(Xte)[:, 1]):.6f}")
