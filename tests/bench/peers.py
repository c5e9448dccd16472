"""The Python peer of the benchmark harness (tests/bench/harness.mjs): what an
analyst would otherwise run — pandas, scikit-learn, mlxtend, XlsxWriter — on
the same files, step by step, with the same settings as the kequn recipes.

    python peers.py WEALTH_DIR RETAIL_DIR SEGMENTS_CSV OUT_DIR

WEALTH_DIR holds user_base.csv and user_behavior_assets.csv; RETAIL_DIR
retail.del and retail_columns.txt; SEGMENTS_CSV is kequn's customer → segment
list for the retail run (so Apriori mines the same groups). Writes to OUT_DIR
the design matrices the browser peers use (logit_train.f64, logit_test.f64,
kmeans.f64) and prints one JSON object: seconds per step, peak memory, and
the quality figures (AUC, inertia, rule counts).

Steps, as the recipes define them:
- load: pandas.read_csv of each file (the .del with its column list, no header);
- join: inner merge on user_id; label: asset_level == "100万+";
- features: the wealth recipe's columns (ids, name, stat_month and the label
  column out; log1p on the amounts; dates as days before 2024-10-31; numeric
  median-filled and standardised, categories one-hot), fitted on a stratified
  70 % (seed 42);
- logistic: LogisticRegression() fit (lbfgs, C = 1), AUC on the 30 %;
- kmeans: KMeans(6, n_init=1, random_state=0) on the K-Means recipe's
  standardised numeric columns (population std, as kequn);
- kscan: k = 2..8, KMeans(n_init=3), silhouette on a seeded 5,000 sample,
  Calinski-Harabasz, Davies-Bouldin (kequn also computes the gap statistic);
- apriori: mlxtend apriori + association_rules (support 0.05, confidence
  0.5, lift ≥ 1) overall and per segment, on the retail holdings (a product
  is held when any of its balance columns is non-zero);
- cross_sell: per customer the first rule of its segment (by confidence,
  then lift) whose antecedent it holds and consequent it lacks;
- xlsx: the retail results (customer → segment, cross-sell offers) with
  pandas.to_excel(engine="xlsxwriter").
"""
import json
import os
import resource
import sys
import time

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import apriori, association_rules
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (calinski_harabasz_score, davies_bouldin_score,
                             roc_auc_score, silhouette_score)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

wealth_dir, retail_dir, segments_csv, out_dir = sys.argv[1:5]
times = {}


def timed(name):
    class T:
        def __enter__(self):
            self.t = time.perf_counter()

        def __exit__(self, *a):
            times[name] = times.get(name, 0.0) + time.perf_counter() - self.t
    return T()


with timed("load"):
    base = pd.read_csv(os.path.join(wealth_dir, "user_base.csv"))
    beh = pd.read_csv(os.path.join(wealth_dir, "user_behavior_assets.csv"))
with timed("join"):
    d = base.merge(beh, on="user_id", how="inner")
with timed("label"):
    y = (d["asset_level"] == "100万+").to_numpy()

amounts = ["monthly_trade_amount", "stock_value", "cash_value", "fixed_income_value", "equity_value", "alternative_value"]
with timed("features"):
    x = d.drop(columns=["user_id", "name", "stat_month", "asset_level"])
    ref = pd.Timestamp("2024-10-31")
    for c in ["open_account_date", "last_login_time", "last_contact_time"]:
        x[c] = (ref - pd.to_datetime(x[c], errors="coerce")).dt.days
    for c in amounts:
        x[c] = np.log1p(x[c])
    cats = [c for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
    nums = [c for c in x.columns if c not in cats]
    idx = np.arange(len(x))
    tr, te = train_test_split(idx, test_size=0.3, stratify=y, random_state=42)
    pre = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), nums),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore", sparse_output=False)), cats),
    ])
    xtr = pre.fit_transform(x.iloc[tr])
    xte = pre.transform(x.iloc[te])
with timed("logistic"):
    model = LogisticRegression(max_iter=1000).fit(xtr, y[tr])
auc = float(roc_auc_score(y[te], model.predict_proba(xte)[:, 1]))


def dump(path, m, label=None):
    m = np.asarray(m, dtype="<f8")
    if label is not None:
        m = np.column_stack([m, label.astype("<f8")])
    m.tofile(path)


dump(os.path.join(out_dir, "logit_train.f64"), xtr, y[tr])
dump(os.path.join(out_dir, "logit_test.f64"), xte, y[te])

# The K-Means recipe's columns, standardised with the population std.
km_cols = ["age", "monthly_trade_amount", "stock_value", "cash_value", "fixed_income_value", "equity_value",
           "alternative_value", "product_count", "trade_count_30d", "app_login_30d", "financial_news_views_30d"]
k = d[km_cols].astype(float)
k = k.fillna(k.median())
k = ((k - k.mean()) / k.std(ddof=0)).to_numpy()
dump(os.path.join(out_dir, "kmeans.f64"), k)
with timed("kmeans"):
    km = KMeans(n_clusters=6, n_init=1, random_state=0).fit(k)
inertia = float(km.inertia_)
scan = []
with timed("kscan"):
    for kk in range(2, 9):
        m = KMeans(n_clusters=kk, n_init=3, random_state=0).fit(k)
        scan.append(float(m.inertia_))
        silhouette_score(k, m.labels_, sample_size=min(5000, len(k)), random_state=0)
        calinski_harabasz_score(k, m.labels_)
        davies_bouldin_score(k, m.labels_)

with timed("load_retail"):
    names = [l.strip() for l in open(os.path.join(retail_dir, "retail_columns.txt"), encoding="utf-8") if l.strip()]
    r = pd.read_csv(os.path.join(retail_dir, "retail.del"), header=None, names=names)
products = {"存款": ["存款余额"], "保险": ["保险余额"], "理财": ["理财余额"], "基金和积利宝": ["基金余额", "积利宝余额"],
            "积存金": ["积存金余额"], "国债": ["国债余额"], "高净值产品": ["高净值产品余额"], "贷款和信用卡": ["贷款余额", "信用卡分期余额"]}
seg = pd.read_csv(segments_csv, encoding="utf-8-sig")
seg_col = [c for c in seg.columns if "分群" in c or "segment" in c.lower()][-1]
with timed("apriori"):
    held = pd.DataFrame({p: (r[cs].fillna(0) != 0).any(axis=1) for p, cs in products.items()})
    groups = {"all": np.ones(len(held), dtype=bool)}
    labels = seg[seg_col].to_numpy()
    for s in sorted(set(labels)):
        groups[s] = labels == s
    rules = {}
    for g, mask in groups.items():
        fi = apriori(held[mask], min_support=0.05, use_colnames=True)
        rr = association_rules(fi, metric="confidence", min_threshold=0.5) if len(fi) else pd.DataFrame()
        rules[g] = rr[rr["lift"] >= 1.0] if len(rr) else rr
rule_counts = {g: int(len(v)) for g, v in rules.items()}
with timed("cross_sell"):
    h = held.to_numpy()
    cols = {p: i for i, p in enumerate(held.columns)}
    offer = np.full(len(h), -1)
    offer_rule = [None] * 0
    picked = []
    for g, mask in groups.items():
        if g == "all":
            continue
        rr = rules[g]
        if not len(rr):
            continue
        rr = rr.sort_values(["confidence", "lift"], ascending=False)
        free = mask & (offer < 0)
        for _, row in rr.iterrows():
            a = np.all(h[:, [cols[i] for i in row["antecedents"]]], axis=1)
            c = ~np.any(h[:, [cols[i] for i in row["consequents"]]], axis=1)
            hit = free & a & c
            offer[hit] = len(picked)
            picked.append(", ".join(sorted(row["consequents"])))
            free &= ~hit
    offers = pd.DataFrame({"客户号": r["客户号"][offer >= 0].to_numpy(),
                           "推荐产品": [picked[i] for i in offer[offer >= 0]]})
with timed("xlsx"):
    with pd.ExcelWriter(os.path.join(out_dir, "peers.xlsx"), engine="xlsxwriter") as w:
        seg.to_excel(w, sheet_name="segments", index=False)
        offers.to_excel(w, sheet_name="cross_sell", index=False)

print(json.dumps({
    "seconds": times,
    "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "auc": auc,
    "train_rows": int(len(tr)),
    "design_columns": int(xtr.shape[1]),
    "kmeans_inertia": inertia,
    "kmeans_rows": int(len(k)),
    "kmeans_columns": len(km_cols),
    "scan_inertia": scan,
    "rules": rule_counts,
    "offers": int(len(offers)),
}, ensure_ascii=False))
