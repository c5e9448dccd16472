"""scikit-learn peer for tests/bench/kmeans.mjs (pip install scikit-learn numpy).

    python3 tests/bench/kmeans_sklearn.py DATA.f64 ROWS COLS ITERATIONS

DATA.f64 is the benchmark's data as little-endian float64, row-major. It is
standardised (population std, as kequn does) outside the timings, then:
1. fit: KMeans(n_clusters=6, n_init=1, max_iter=ITERATIONS, tol=0,
   random_state=0) — k-means++ start and at most ITERATIONS Lloyd steps;
2. scan: for k = 2..8, KMeans(n_init=3, random_state=0) (max_iter 300,
   tol 1e-4), silhouette_score on a seeded sample of 5,000 rows,
   calinski_harabasz_score and davies_bouldin_score.
Prints one JSON line with the times (s), iterations and inertias.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

path, rows, cols, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(path, dtype="<f8").reshape(rows, cols)
x = (x - x.mean(axis=0)) / x.std(axis=0)

t0 = time.perf_counter()
km = KMeans(n_clusters=6, n_init=1, max_iter=iterations, tol=0, random_state=0).fit(x)
fit_s = time.perf_counter() - t0

t0 = time.perf_counter()
scan = []
for k in range(2, 9):
    m = KMeans(n_clusters=k, n_init=3, random_state=0).fit(x)
    scan.append({
        "k": k,
        "inertia": float(m.inertia_),
        "silhouette": float(silhouette_score(x, m.labels_, sample_size=5000, random_state=0)),
        "calinski_harabasz": float(calinski_harabasz_score(x, m.labels_)),
        "davies_bouldin": float(davies_bouldin_score(x, m.labels_)),
    })
scan_s = time.perf_counter() - t0
print(json.dumps({"fit_s": fit_s, "n_iter": int(km.n_iter_), "inertia": float(km.inertia_),
                  "scan_s": scan_s, "scan": scan}))
