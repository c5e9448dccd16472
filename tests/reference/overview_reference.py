"""pandas reference for the wealth recipe's overview (tests/overview.rs).

Run from the repository root (pip install pandas):
    python3 tests/reference/overview_reference.py > tests/reference/overview_reference.json

user_base.csv inner-joined with user_behavior_assets.csv on user_id; total
assets = the five balance columns summed with missing as 0; asset_level
counts; age in bands [<30, 30-40, 40-50, 50-60, >=60); lifecycle_stage
counts; Pearson correlation (pandas .corr, pairwise complete) of each
behaviour column with each balance column and the total.
"""
import json

import numpy as np
import pandas as pd

b = pd.read_csv("data/scenarios/wealth/user_base.csv")
a = pd.read_csv("data/scenarios/wealth/user_behavior_assets.csv")
d = b.merge(a, on="user_id", how="inner")
amounts = ["stock_value", "cash_value", "fixed_income_value", "equity_value", "alternative_value"]
behaviour = ["monthly_trade_amount", "trade_count_30d", "app_login_30d", "financial_news_views_30d", "product_count"]
total = d[amounts].fillna(0).sum(axis=1)
cols = {**{c: d[c] for c in amounts}, "total": total}
out = {
    "customers": len(d),
    "total_assets": float(total.sum()),
    "mean_assets": float(total.mean()),
    "median_assets": float(total.median()),
    "asset_level": {k: int(v) for k, v in d["asset_level"].value_counts().items()},
    "age_bands": [int(v) for v in pd.cut(d["age"], [-np.inf, 30, 40, 50, 60, np.inf], right=False).value_counts(sort=False)],
    "lifecycle_stage": {k: int(v) for k, v in d["lifecycle_stage"].value_counts().items()},
    "correlation": [[float(d[r].corr(cols[c])) for c in cols] for r in behaviour],
}
print(json.dumps(out, ensure_ascii=False, indent=1))
