"""scikit-learn reference for the Gaussian mixture in tests/segment.rs
(pip install scikit-learn pandas).

Run from the repository root:
    python3 tests/reference/gmm_reference.py

The same standardised data as kmeans_reference.py: (1) the wealth scenario's
profile fields (log1p on the amounts), (2) telco's tenure, MonthlyCharges and
TotalCharges (blanks filled with the median). GaussianMixture(n_components=k,
covariance_type="full", n_init=3, random_state=0) for k = 2..6: the mean
log-likelihood per customer (`score`), and the share of customers whose most
likely component has probability above 0.9. Prints JSON (kept in
gmm_reference.json).
"""
import json

import numpy as np
import pandas as pd
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

out = {}
base = pd.read_csv("data/scenarios/wealth/user_base.csv")
beh = pd.read_csv("data/scenarios/wealth/user_behavior_assets.csv")
df = base.merge(beh, on="user_id", how="inner")
profile = ["age", "monthly_trade_amount", "stock_value", "cash_value", "fixed_income_value",
           "equity_value", "alternative_value", "trade_count_30d", "app_login_30d"]
X = df[profile].astype(float).copy()
X[profile[1:7]] = np.log1p(X[profile[1:7]])
Zw = StandardScaler().fit_transform(X)

t = pd.read_csv("../shared/data/real/telco-customer-churn.csv")
t["TotalCharges"] = pd.to_numeric(t["TotalCharges"].str.strip(), errors="coerce")
num = ["tenure", "MonthlyCharges", "TotalCharges"]
T = t[num].astype(float)
T = T.fillna(T.median())
Zt = StandardScaler().fit_transform(T)

for name, Z in [("wealth", Zw), ("telco", Zt)]:
    out[name] = {}
    for k in range(2, 7):
        g = GaussianMixture(n_components=k, covariance_type="full", n_init=3, random_state=0).fit(Z)
        p = g.predict_proba(Z).max(axis=1)
        out[name][k] = {"score": g.score(Z), "confident": float((p > 0.9).mean()), "converged": bool(g.converged_)}
print(json.dumps(out, indent=1))
