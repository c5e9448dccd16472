"""kmodes reference for tests/segment.rs (pip install kmodes pandas).

Run from the repository root:
    python3 tests/reference/kprototypes_reference.py

The segmentation scenario (data/scenarios/segmentation/segmentation_customers.csv)
prepared as the segmentation recipe does: 客户号 and 开户网点 left out,
企业年金余额 dropped (93% missing, above the recipe's 90%), log1p on 年消费金额
and 存款余额, 学历 and 收入等级 as positions in their orders; these eight
numeric columns standardised (population std); 性别, 婚姻状况, 常用渠道
categorical. KPrototypes(n_clusters=k, init="Cao", n_init=10, random_state=0,
gamma=None → 0.5 × the mean numeric standard deviation) for k = 2..6.
Prints JSON with gamma and the cost per k (kept in kprototypes_reference.json).
"""
import json

import numpy as np
import pandas as pd
from kmodes.kprototypes import KPrototypes

df = pd.read_csv("data/scenarios/segmentation/segmentation_customers.csv")
edu = ["初中及以下", "高中", "大专", "本科", "硕士及以上"]
inc = ["低", "中低", "中", "中高", "高"]
num = pd.DataFrame({
    "年龄": df["年龄"].astype(float),
    "学历": df["学历"].map(edu.index).astype(float),
    "收入等级": df["收入等级"].map(inc.index).astype(float),
    "年消费金额": np.log1p(df["年消费金额"].astype(float)),
    "月均交易笔数": df["月均交易笔数"].astype(float),
    "存款余额": np.log1p(df["存款余额"].astype(float)),
    "客户年限": df["客户年限"].astype(float),
    "信用卡数量": df["信用卡数量"].astype(float),
})
assert not num.isna().any().any()
z = (num - num.mean()) / num.std(ddof=0)
cat = df[["性别", "婚姻状况", "常用渠道"]].astype(str)
X = np.concatenate([z.to_numpy(), cat.to_numpy()], axis=1).astype(object)
categorical = [8, 9, 10]
out = {"rows": len(df), "cost": {}}
for k in range(2, 7):
    kp = KPrototypes(n_clusters=k, init="Cao", n_init=10, random_state=0).fit(X, categorical=categorical)
    out["gamma"] = float(kp.gamma)
    out["cost"][k] = float(kp.cost_)
print(json.dumps(out, indent=1, ensure_ascii=False))
