"""mlxtend reference for tests/basket.rs (pip install mlxtend pandas).

Run from the repository root:
    python3 tests/reference/groceries_rules.py

Reads ../shared/data/real/groceries.csv (one basket a line, items separated
by commas; items are trimmed of surrounding spaces, as kequn does: one item
is written "cream cheese " in the file), one-hot encodes the baskets with
mlxtend's TransactionEncoder, runs apriori(min_support, use_colnames=True)
and association_rules(metric="confidence", min_threshold) at the three
settings of issue 6, and writes each rule set to
tests/reference/groceries_rules_<support>_<confidence>.tsv, one rule a line:
antecedent items (sorted, joined by "|"), consequent items, then antecedent
support, consequent support, support, confidence, lift, leverage,
conviction (inf when confidence is 1) with 12 significant digits.
Prints the counts of frequent itemsets and rules, and the time taken.
"""
import time

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import apriori, association_rules
from mlxtend.preprocessing import TransactionEncoder

with open("../shared/data/real/groceries.csv", encoding="utf-8") as f:
    baskets = [[i.strip() for i in line.rstrip("\n").split(",") if i.strip()] for line in f]
baskets = [b for b in baskets if b]
te = TransactionEncoder()
df = pd.DataFrame(te.fit(baskets).transform(baskets), columns=te.columns_)
print(f"baskets {len(df)} items {df.shape[1]}")

for support, confidence in [(0.001, 0.8), (0.001, 0.5), (0.01, 0.5)]:
    t0 = time.perf_counter()
    freq = apriori(df, min_support=support, use_colnames=True)
    rules = association_rules(freq, num_itemsets=len(df), metric="confidence", min_threshold=confidence)
    took = time.perf_counter() - t0
    print(f"support {support} confidence {confidence}: {len(freq)} frequent itemsets, "
          f"{len(rules)} rules, longest itemset {freq['itemsets'].map(len).max()}, {took:.2f} s")
    key = lambda s: "|".join(sorted(s))
    out = pd.DataFrame({
        "antecedents": rules["antecedents"].map(key),
        "consequents": rules["consequents"].map(key),
    })
    cols = ["antecedent support", "consequent support", "support", "confidence",
            "lift", "leverage", "conviction"]
    lines = []
    for (a, c), vals in zip(out.itertuples(index=False), rules[cols].itertuples(index=False)):
        lines.append("\t".join([a, c] + [format(float(v), ".12g") if np.isfinite(v) else "inf" for v in vals]))
    lines.sort()
    with open(f"tests/reference/groceries_rules_{support}_{confidence}.tsv", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
