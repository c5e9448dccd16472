//! K-Means: greedy k-means++ starts (scikit-learn's), Lloyd's iterations
//! (linfa-clustering's algorithm, which tests/segment.rs checks this
//! against: its own loop spent most of a K scan in ndarray zips, about
//! twice our time), `n_init` seeded runs, the best inertia kept. Inertia here is scikit-learn's: the
//! sum of squared distances to the nearest centre (linfa reports the mean).

use ndarray::{Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256Plus;
use serde::{Deserialize, Serialize};

use super::invalid;
use crate::Result;

/// Checked hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeansParams {
    pub k: usize,
    pub n_init: usize,
    pub seed: u64,
    pub max_iterations: u64,
    /// Stop a run when the centres' summed squared movement falls to this
    /// share of the mean feature variance (scikit-learn's `tol`).
    pub tolerance: f64,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams {
            k: 4,
            n_init: 10,
            seed: 7,
            max_iterations: 300,
            tolerance: 1e-4,
        }
    }
}

/// Centres, each row's segment, and the fit's inertia.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    pub centres: Array2<f64>,
    pub labels: Vec<usize>,
    pub inertia: f64,
    pub sizes: Vec<usize>,
}

/// How many distinct rows `x` has, counting no further than `limit`.
pub fn distinct_rows(x: ArrayView2<f64>, limit: usize) -> usize {
    let mut seen = rustc_hash::FxHashSet::default();
    for row in x.rows() {
        seen.insert(row.iter().map(|v| v.to_bits()).collect::<Vec<u64>>());
        if seen.len() >= limit {
            break;
        }
    }
    seen.len()
}

impl KMeansParams {
    pub fn check(&self, x: ArrayView2<f64>) -> Result<()> {
        if self.k < 1
            || self.n_init < 1
            || self.max_iterations < 1
            || self.tolerance.is_nan()
            || self.tolerance <= 0.0
        {
            return Err(invalid(
                format!(
                    "K-Means needs k ≥ 1, n_init ≥ 1, max_iterations ≥ 1 and tolerance > 0 (got k {}, n_init {}, max_iterations {}, tolerance {})",
                    self.k, self.n_init, self.max_iterations, self.tolerance
                ),
                format!("K-Means 参数无效：k {}、n_init {}", self.k, self.n_init),
            ));
        }
        if x.ncols() == 0 {
            return Err(invalid(
                "K-Means has no feature to cluster on; include numeric or categorical columns"
                    .into(),
                "K-Means 没有可用于聚类的特征；请加入数值或分类列".into(),
            ));
        }
        let distinct = distinct_rows(x, self.k);
        if distinct < self.k {
            return Err(invalid(
                format!(
                    "K-Means cannot make {} segments from {distinct} distinct customers (rows); choose k ≤ {distinct}",
                    self.k
                ),
                format!(
                    "只有 {distinct} 个互不相同的客户（行），无法分成 {} 群；请把 k 设为不超过 {distinct}",
                    self.k
                ),
            ));
        }
        Ok(())
    }

    pub fn fit(&self, x: ArrayView2<f64>) -> Result<Clustering> {
        self.check(x)?;
        let x = x.as_standard_layout();
        let mut rng = Xoshiro256Plus::seed_from_u64(self.seed);
        let mut best: Option<Clustering> = None;
        for _ in 0..self.n_init {
            let start = greedy_kmeans_plusplus(x.view(), self.k, &mut rng);
            let centres = self.lloyd(x.view(), start);
            let (labels, inertia) = assign(x.view(), centres.view());
            if best.as_ref().is_none_or(|b| inertia < b.inertia) {
                best = Some(Clustering {
                    centres,
                    sizes: sizes(&labels, self.k),
                    labels,
                    inertia,
                });
            }
        }
        best.ok_or_else(|| invalid("K-Means made no run".into(), "K-Means 未运行".into()))
    }

    /// Lloyd's iterations from `centres`: assign each row to its nearest
    /// centre, move each centre to its rows' mean; stop when the centres'
    /// summed squared movement is at most `tolerance` × the mean feature
    /// variance (as scikit-learn), when no row changes segment, or after
    /// `max_iterations`. A centre left without rows stays where it was.
    pub fn lloyd(&self, x: ArrayView2<f64>, mut centres: Array2<f64>) -> Array2<f64> {
        let (n, d) = x.dim();
        let variance = x.var_axis(ndarray::Axis(0), 0.0).mean().unwrap_or(0.0);
        let tolerance = self.tolerance * variance;
        let k = centres.nrows();
        let xs = x.as_slice().expect("standard layout");
        let mut labels = vec![usize::MAX; n];
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0usize; k];
        for _ in 0..self.max_iterations {
            let c = centres.as_slice().expect("standard layout").to_vec();
            sums.iter_mut().for_each(|v| *v = 0.0);
            counts.iter_mut().for_each(|v| *v = 0);
            let mut changed = 0usize;
            for (r, row) in xs.chunks_exact(d).enumerate() {
                let mut best = 0;
                let mut best_d = f64::INFINITY;
                for (j, cen) in c.chunks_exact(d).enumerate() {
                    let dist = sq_dist(row, cen);
                    if dist < best_d {
                        best_d = dist;
                        best = j;
                    }
                }
                changed += usize::from(labels[r] != best);
                labels[r] = best;
                counts[best] += 1;
                for (s, v) in sums[best * d..(best + 1) * d].iter_mut().zip(row) {
                    *s += v;
                }
            }
            let mut shift = 0.0;
            for j in 0..k {
                if counts[j] == 0 {
                    continue;
                }
                for f in 0..d {
                    let v = sums[j * d + f] / counts[j] as f64;
                    shift += (v - centres[[j, f]]) * (v - centres[[j, f]]);
                    centres[[j, f]] = v;
                }
            }
            if changed == 0 || shift <= tolerance {
                break;
            }
        }
        centres
    }
}

/// Squared Euclidean distance in four independent lanes: the additions do
/// not wait on each other, and LLVM turns the lanes into SIMD (wasm simd128,
/// SSE2) where a single running sum must stay sequential.
#[inline]
fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    let (a4, ar) = a.as_chunks::<4>();
    let (b4, br) = b.as_chunks::<4>();
    let mut lane = [0.0f64; 4];
    for (x, y) in a4.iter().zip(b4) {
        for l in 0..4 {
            let t = x[l] - y[l];
            lane[l] += t * t;
        }
    }
    let mut rest = 0.0;
    for (x, y) in ar.iter().zip(br) {
        rest += (x - y) * (x - y);
    }
    (lane[0] + lane[1]) + (lane[2] + lane[3]) + rest
}

/// The rows of a standard-layout matrix as slices.
fn rows_of(x: ArrayView2<'_, f64>) -> std::slice::ChunksExact<'_, f64> {
    let d = x.ncols().max(1);
    x.to_slice().expect("standard layout").chunks_exact(d)
}

/// scikit-learn's k-means++ start: each next centre is the best (lowest
/// potential) of 2 + ln k candidates drawn in proportion to the squared
/// distance to the nearest centre so far. linfa's k-means++ draws one
/// candidate, which left its best of three starts 2–4% above
/// scikit-learn's inertia on overlapping blobs.
pub fn greedy_kmeans_plusplus(x: ArrayView2<f64>, k: usize, rng: &mut impl Rng) -> Array2<f64> {
    let x = x.as_standard_layout();
    let x = x.view();
    let (n, d) = x.dim();
    let row = |i: usize| &x.as_slice().expect("standard layout")[i * d..(i + 1) * d];
    let trials = 2 + (k as f64).ln() as usize;
    let mut centres = Array2::zeros((k, x.ncols()));
    let first = rng.gen_range(0..n);
    centres.row_mut(0).assign(&x.row(first));
    let mut closest: Vec<f64> = rows_of(x).map(|r| sq_dist(r, row(first))).collect();
    let mut potential: f64 = closest.iter().sum();
    for c in 1..k {
        let mut cumulative = Vec::with_capacity(n);
        let mut acc = 0.0;
        for d in &closest {
            acc += d;
            cumulative.push(acc);
        }
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for _ in 0..trials {
            let target = rng.gen::<f64>() * potential;
            let id = cumulative.partition_point(|v| *v < target).min(n - 1);
            let cand = row(id);
            let dist: Vec<f64> = rows_of(x)
                .zip(&closest)
                .map(|(r, &old)| sq_dist(r, cand).min(old))
                .collect();
            let pot: f64 = dist.iter().sum();
            if best.as_ref().is_none_or(|b| pot < b.0) {
                best = Some((pot, id, dist));
            }
        }
        if let Some((pot, id, dist)) = best {
            centres.row_mut(c).assign(&x.row(id));
            potential = pot;
            closest = dist;
        }
    }
    centres
}

/// Each row's nearest centre and the sum of squared distances.
pub fn assign(x: ArrayView2<f64>, centres: ArrayView2<f64>) -> (Vec<usize>, f64) {
    let (x, centres) = (x.as_standard_layout(), centres.as_standard_layout());
    let (x, centres) = (x.view(), centres.view());
    let mut labels = Vec::with_capacity(x.nrows());
    let mut total = 0.0;
    for row in rows_of(x) {
        let (best, d) = rows_of(centres).map(|c| sq_dist(row, c)).enumerate().fold(
            (0, f64::INFINITY),
            |m, (j, d)| if d < m.1 { (j, d) } else { m },
        );
        labels.push(best);
        total += d;
    }
    (labels, total)
}

/// Sum of the rows' squared distances to their given segments' centres.
pub fn inertia_to(x: ArrayView2<f64>, centres: ArrayView2<f64>, labels: &[usize]) -> f64 {
    let (x, centres) = (x.as_standard_layout(), centres.as_standard_layout());
    let (x, centres) = (x.view(), centres.view());
    let c: Vec<&[f64]> = rows_of(centres).collect();
    rows_of(x)
        .zip(labels)
        .map(|(row, &l)| sq_dist(row, c[l]))
        .sum()
}

/// How many rows each of `k` segments has.
pub fn sizes(labels: &[usize], k: usize) -> Vec<usize> {
    let mut sizes = vec![0; k];
    for &l in labels {
        sizes[l] += 1;
    }
    sizes
}
