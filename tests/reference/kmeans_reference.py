"""scikit-learn reference for tests/segment.rs (pip install scikit-learn pandas).

Run from the repository root:
    python3 tests/reference/kmeans_reference.py

1. Wealth scenario (data/scenarios/wealth, base inner-joined with behaviour on
   user_id): the profile fields age, monthly_trade_amount, the five asset
   values (log1p), trade_count_30d, app_login_30d, standardised
   (StandardScaler); KMeans(n_clusters=k, n_init=10, random_state=0) for
   k = 2..8: inertia.
2. Telco churn (../shared/data/real/telco-customer-churn.csv): the numeric
   columns SeniorCitizen, tenure, MonthlyCharges, TotalCharges (blanks filled
   with the median), standardised; the same KMeans for k = 2..8: inertia.
3. On telco, k = 4: silhouette_score, calinski_harabasz_score and
   davies_bouldin_score of scikit-learn's labels, which are written to
   tests/reference/telco_kmeans4_labels.txt for the Rust metrics to use.
Prints JSON (kept in tests/reference/kmeans_reference.json).
"""
import json

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.preprocessing import StandardScaler

out = {}
base = pd.read_csv("data/scenarios/wealth/user_base.csv")
beh = pd.read_csv("data/scenarios/wealth/user_behavior_assets.csv")
df = base.merge(beh, on="user_id", how="inner")
profile = ["age", "monthly_trade_amount", "stock_value", "cash_value", "fixed_income_value",
           "equity_value", "alternative_value", "trade_count_30d", "app_login_30d"]
X = df[profile].astype(float).copy()
X[profile[1:7]] = np.log1p(X[profile[1:7]])
assert not X.isna().any().any()
Z = StandardScaler().fit_transform(X)
out["wealth_rows"] = len(Z)
out["wealth_inertia"] = {k: KMeans(n_clusters=k, n_init=10, random_state=0).fit(Z).inertia_ for k in range(2, 9)}

t = pd.read_csv("../shared/data/real/telco-customer-churn.csv")
t["TotalCharges"] = pd.to_numeric(t["TotalCharges"].str.strip(), errors="coerce")
num = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]
T = t[num].astype(float)
T = T.fillna(T.median())
Zt = StandardScaler().fit_transform(T)
out["telco_inertia"] = {k: KMeans(n_clusters=k, n_init=10, random_state=0).fit(Zt).inertia_ for k in range(2, 9)}
km = KMeans(n_clusters=4, n_init=10, random_state=0).fit(Zt)
np.savetxt("tests/reference/telco_kmeans4_labels.txt", km.labels_, fmt="%d")
out["telco_k4"] = {
    "silhouette": silhouette_score(Zt, km.labels_),
    "calinski_harabasz": calinski_harabasz_score(Zt, km.labels_),
    "davies_bouldin": davies_bouldin_score(Zt, km.labels_),
}
print(json.dumps(out, indent=1))
