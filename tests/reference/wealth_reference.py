"""Reference figures for the wealth scenario, computed with scikit-learn.

Run from the repository root (needs: pip install scikit-learn pandas):
    python3 tests/reference/wealth_reference.py [data/scenarios/wealth]

It joins user_base.csv and user_behavior_assets.csv on user_id (inner),
labels asset_level == "100万+", drops asset_level (the label's source),
ids, names and the constant stat_month, turns the three date columns into
days before 2024-10-31, one-hot encodes the categoricals, standardises the
numerics (fitted on the training rows), splits 70/30 stratified with
random_state=42, fits LogisticRegression(max_iter=1000) and prints the
test AUC. It also fits KMeans(n_init=10, random_state=0) for k = 2..8 on
the standardised profile fields (age, amounts log1p first, activity) and prints inertia and silhouette.
The figures printed are pinned in tests/scenarios.rs.
"""
import sys

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, silhouette_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

d = sys.argv[1] if len(sys.argv) > 1 else "data/scenarios/wealth"
base = pd.read_csv(f"{d}/user_base.csv")
beh = pd.read_csv(f"{d}/user_behavior_assets.csv")
df = base.merge(beh, on="user_id", how="inner")
y = (df["asset_level"] == "100万+").astype(int)
ref = pd.Timestamp("2024-10-31")
for c in ["open_account_date", "last_login_time", "last_contact_time"]:
    df[c + "_days"] = (ref - pd.to_datetime(df[c])).dt.days
X = df.drop(columns=["user_id", "name", "asset_level", "stat_month",
                     "open_account_date", "last_login_time", "last_contact_time"])
cat = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
num = [c for c in X.columns if c not in cat]
X[num] = X[num].fillna(X[num].median())
X[cat] = X[cat].fillna("missing")
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, stratify=y, random_state=42)
model = make_pipeline(
    ColumnTransformer([("num", StandardScaler(), num),
                       ("cat", OneHotEncoder(handle_unknown="ignore"), cat)]),
    LogisticRegression(max_iter=1000),
)
model.fit(Xtr, ytr)
auc = roc_auc_score(yte, model.predict_proba(Xte)[:, 1])
print(f"rows {len(df)} positive rate {y.mean():.4f}")
print(f"logistic regression test AUC {auc:.4f}")

# K-Means on the profile fields (age, amounts with log1p, activity), standardised.
profile = ["age", "monthly_trade_amount", "stock_value", "cash_value", "fixed_income_value",
           "equity_value", "alternative_value", "trade_count_30d", "app_login_30d"]
Xp = df[profile].astype(float).copy()
Xp[profile[1:7]] = np.log1p(Xp[profile[1:7]])
Z = StandardScaler().fit_transform(Xp)
for k in range(2, 9):
    km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(Z)
    print(f"kmeans k={k} inertia {km.inertia_:.1f} silhouette {silhouette_score(Z, km.labels_):.4f}")
