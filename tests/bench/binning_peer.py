"""The optbinning peer of tests/bench/binning.mjs (a benchmark, not a test).

    python binning_peer.py DIR ROWS

Writes DIR/x.f64 (row-major float64, 30 columns) and DIR/y.u8 when
missing: 25 numeric characteristics (normal, skewed amounts, small counts,
bounded shares, some with missing values, some pure noise) and 5
categorical ones (integer codes, 3 to 40 levels, one with missing values),
a label from a logistic score of a dozen of them (seeded, about 12 %
events). Fits optbinning's BinningProcess with its defaults and
selection_criteria iv >= 0.02 (kequn's min_iv), categories as the labels
"c0", "c1", … kequn gives them; times the fit; prints JSON with each
characteristic's IV and bin count.
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import optbinning
from optbinning import BinningProcess

COLS = 30
CATEGORICAL = [25, 26, 27, 28, 29]
LEVELS = [3, 6, 12, 25, 40]

out, rows = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
xp, yp = os.path.join(out, "x.f64"), os.path.join(out, "y.u8")
if not (os.path.exists(xp) and os.path.exists(yp)):
    rng = np.random.default_rng(11)
    x = np.empty((rows, COLS))
    for j in range(25):
        kind = j % 5
        if kind == 0:
            x[:, j] = rng.normal(size=rows)
        elif kind == 1:
            x[:, j] = np.round(rng.lognormal(8, 1.5, size=rows), 2)     # amounts
        elif kind == 2:
            x[:, j] = rng.poisson(2 + j % 4, size=rows)                 # counts
        elif kind == 3:
            x[:, j] = np.round(rng.beta(2, 5, size=rows), 4)            # shares
        else:
            x[:, j] = np.round(rng.uniform(18, 80, size=rows))          # ages
        if j % 7 == 3:
            x[rng.random(rows) < 0.08, j] = np.nan
    for j, k in zip(CATEGORICAL, LEVELS):
        p = rng.dirichlet(np.ones(k) * 2)
        x[:, j] = rng.choice(k, size=rows, p=p)
    x[rng.random(rows) < 0.03, 27] = np.nan
    cat_effect = {j: rng.normal(0, 0.5, size=k) for j, k in zip(CATEGORICAL, LEVELS)}
    z = -2.4 + 0.6 * x[:, 0] - 0.3 * np.log(x[:, 1]) + 0.15 * x[:, 2] - 1.5 * np.nan_to_num(x[:, 3], nan=0.5) \
        + 0.02 * (x[:, 4] - 50) + 0.3 * np.sin(2 * x[:, 5]) + 0.1 * np.log(x[:, 6]) - 0.05 * x[:, 7] \
        + 0.02 * ((x[:, 9] - 45) ** 2) / 10 + 0.2 * x[:, 10]
    for j in (25, 26, 28, 29):
        z += cat_effect[j][x[:, j].astype(int)]
    z += np.where(np.isnan(x[:, 27]), 0.8, cat_effect[27][np.nan_to_num(x[:, 27], nan=0).astype(int)])
    y = (rng.random(rows) < 1 / (1 + np.exp(-z))).astype(np.uint8)
    x.astype("<f8").tofile(xp)
    y.tofile(yp)

x = np.fromfile(xp, dtype="<f8").reshape(-1, COLS)
y = np.fromfile(yp, dtype=np.uint8)
names = [f"x{j}" for j in range(COLS)]
df = pd.DataFrame(x, columns=names)
for j in CATEGORICAL:
    c = df[names[j]]
    df[names[j]] = np.where(c.isna(), None, "c" + c.fillna(0).astype(int).astype(str)).astype(object)
cats = [names[j] for j in CATEGORICAL]
bp = BinningProcess(names, categorical_variables=cats, selection_criteria={"iv": {"min": 0.02}})
t0 = time.perf_counter()
bp.fit(df, y)
fit = time.perf_counter() - t0
s = bp.summary().set_index("name")
print(json.dumps({
    "fit_ms": fit * 1000,
    "rows": int(len(y)),
    "events": int(y.sum()),
    "iv": [[n, float(s.loc[n, "iv"]), int(s.loc[n, "n_bins"])] for n in names],
    "selected": [n for n in names if bool(s.loc[n, "selected"])],
    "optbinning": optbinning.__version__,
}))
