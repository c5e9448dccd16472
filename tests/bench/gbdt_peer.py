"""The LightGBM peer of tests/bench/gbdt.mjs (a benchmark, not a test).

    python gbdt_peer.py DIR ROWS COLS TEST_ROWS [noshap]

Writes DIR/x.f64 (row-major float64) and DIR/y.u8 when missing: COLS
features, some with missing values, a label from a non-linear score plus
noise (seeded). Fits LightGBM with its defaults (100 trees, 31 leaves,
255 bins), one thread, on all but the last TEST_ROWS rows; times the fit
and predict(pred_contrib=True) over every row (not with "noshap"); prints
JSON.
"""
import json
import os
import sys
import time

import numpy as np
import lightgbm as lgb
from sklearn.metrics import roc_auc_score

out, rows, cols, test_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with_shap = sys.argv[5:] != ["noshap"]
os.makedirs(out, exist_ok=True)
xp, yp = os.path.join(out, "x.f64"), os.path.join(out, "y.u8")
if not (os.path.exists(xp) and os.path.exists(yp)):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(rows, cols))
    x[:, 1] = np.round(np.abs(x[:, 1]) * 3)            # small counts
    x[:, 2] = np.exp(x[:, 2])                          # skewed amounts
    x[rng.random(rows) < 0.05, 3] = np.nan             # missing values
    z = x[:, 0] + 0.5 * np.sin(3 * x[:, 4]) + 0.3 * x[:, 1] - 0.2 * np.log(x[:, 2]) + np.where(np.isnan(x[:, 3]), 0.5, x[:, 3] * x[:, 5])
    y = (z + rng.logistic(size=rows) > 1.0).astype(np.uint8)
    x.astype("<f8").tofile(xp)
    y.tofile(yp)
x = np.fromfile(xp, dtype="<f8").reshape(rows, cols)
y = np.fromfile(yp, dtype=np.uint8)
n = rows - test_rows
params = dict(objective="binary", n_estimators=100, num_leaves=31, learning_rate=0.1, max_bin=255,
              deterministic=True, num_threads=1, random_state=42, verbose=-1)
t0 = time.perf_counter()
m = lgb.LGBMClassifier(**params).fit(x[:n], y[:n])
fit = time.perf_counter() - t0
auc = roc_auc_score(y[n:], m.predict_proba(x[n:])[:, 1])
shap = 0.0
if with_shap:
    t1 = time.perf_counter()
    contrib = m.booster_.predict(x, pred_contrib=True, num_threads=1)
    shap = time.perf_counter() - t1
print(json.dumps({"fit_ms": fit * 1000, "test_auc": auc, "shap_ms": shap * 1000, "shap_rows": rows if with_shap else 0,
                  "lightgbm": lgb.__version__}))
