"""pandas reference for the securities recipe's aggregate step (tests/plan.rs).

Run from the repository root (pip install pandas numpy):
    python3 tests/reference/aggregate_reference.py > tests/reference/aggregate_reference.json

Per customer (客户号), rows ordered by 周序号: mean; trend = numpy.polyfit
slope of the value on the week number; recent_change = mean of the last 4
weeks / mean of the earlier weeks - 1 (0 when both are 0, missing when only
the earlier mean is 0). Written out: every feature of the first 20
customers, and each feature's sum and count over all customers.
"""
import json

import numpy as np
import pandas as pd

w = pd.read_csv("data/scenarios/securities/securities_weekly.csv").sort_values(["客户号", "周序号"])
cols = ["登录次数", "交易笔数", "交易金额", "总资产", "资金转出", "投诉次数", "咨询次数", "持仓数量"]


def recent_change(v):
    before, now = v.iloc[:-4].mean(), v.iloc[-4:].mean()
    if before == 0:
        return 0.0 if now == 0 else np.nan
    return now / before - 1


rows = {}
for cid, g in w.groupby("客户号", sort=False):
    f = {}
    for c in cols:
        f[f"{c}_mean"] = g[c].mean()
        f[f"{c}_trend"] = np.polyfit(g["周序号"], g[c], 1)[0]
        f[f"{c}_recent_change"] = recent_change(g[c])
    rows[cid] = f
d = pd.DataFrame.from_dict(rows, orient="index")
first = d.sort_index().head(20)
out = {
    "customers": len(d),
    "first": {cid: {k: (None if pd.isna(v) else float(v)) for k, v in r.items()} for cid, r in first.iterrows()},
    "sums": {c: float(d[c].sum()) for c in d.columns},
    "counts": {c: int(d[c].count()) for c in d.columns},
}
print(json.dumps(out, ensure_ascii=False, indent=1))
