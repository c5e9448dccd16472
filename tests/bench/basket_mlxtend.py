"""mlxtend's time for the same Apriori work as tests/bench/basket.mjs.
  python3 tests/bench/basket_mlxtend.py groceries FILE SUPPORT CONFIDENCE
  python3 tests/bench/basket_mlxtend.py retail DEL_FILE COLUMNS_FILE SUPPORT CONFIDENCE SEGMENT_COLUMN
Prints one JSON line: seconds for apriori + association_rules (overall, and
per segment for retail), the rule counts, and the encoding time apart.
"""
import json
import sys
import time

import pandas as pd
from mlxtend.frequent_patterns import apriori, association_rules
from mlxtend.preprocessing import TransactionEncoder


def mine(df, support, confidence):
    freq = apriori(df, min_support=support, use_colnames=True)
    if len(freq) == 0:
        return 0
    return len(association_rules(freq, num_itemsets=len(df), metric="confidence", min_threshold=confidence))


kind = sys.argv[1]
out = {}
if kind == "groceries":
    path, support, confidence = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    t = time.perf_counter()
    with open(path, encoding="utf-8") as f:
        baskets = [[i.strip() for i in l.rstrip("\n").split(",") if i.strip()] for l in f]
    baskets = [b for b in baskets if b]
    te = TransactionEncoder()
    df = pd.DataFrame(te.fit(baskets).transform(baskets), columns=te.columns_)
    out["encode_s"] = time.perf_counter() - t
    t = time.perf_counter()
    out["rules"] = mine(df, support, confidence)
    out["mine_s"] = time.perf_counter() - t
else:
    path, cols, support, confidence, by = sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
    names = [l.strip() for l in open(cols, encoding="utf-8") if l.strip()]
    t = time.perf_counter()
    raw = pd.read_csv(path, header=None, names=names)
    products = {
        "存款": ["存款余额"], "保险": ["保险余额"], "理财": ["理财余额"],
        "基金和积利宝": ["基金余额", "积利宝余额"], "积存金": ["积存金余额"], "国债": ["国债余额"],
        "高净值产品": ["高净值产品余额"], "贷款和信用卡": ["贷款余额", "信用卡分期余额"],
    }
    df = pd.DataFrame({p: (raw[c].fillna(0) != 0).any(axis=1) for p, c in products.items()})
    out["load_encode_s"] = time.perf_counter() - t
    t = time.perf_counter()
    out["rules"] = mine(df, support, confidence)
    out["mine_s"] = time.perf_counter() - t
    t = time.perf_counter()
    out["segment_rules"] = [mine(g.reset_index(drop=True), support, confidence)
                            for _, g in df.groupby(raw[by], sort=True)]
    out["segments_s"] = time.perf_counter() - t
print(json.dumps(out))
