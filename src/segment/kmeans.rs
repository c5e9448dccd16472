//! K-Means through linfa-clustering (k-means++ initialisation, `n_init`
//! seeded runs, the best inertia kept). Inertia here is scikit-learn's: the
//! sum of squared distances to the nearest centre (linfa reports the mean).

use linfa::prelude::*;
use linfa_clustering::KMeans;
use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Checked hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeansParams {
    pub k: usize,
    pub n_init: usize,
    pub seed: u64,
    pub max_iterations: u64,
    /// Stop a run when no centre moves more than this (standardised units).
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

fn invalid(detail: String, detail_zh: String) -> Error {
    Error::Analysis { detail, detail_zh }
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
        let data = DatasetBase::from(x.to_owned());
        let model = KMeans::params_with_rng(self.k, Xoshiro256Plus::seed_from_u64(self.seed))
            .n_runs(self.n_init)
            .max_n_iterations(self.max_iterations)
            .tolerance(self.tolerance)
            .fit(&data)
            .map_err(|e| {
                invalid(
                    format!("K-Means did not fit: {e}"),
                    format!("K-Means 拟合失败：{e}"),
                )
            })?;
        let centres = model.centroids().to_owned();
        let (labels, inertia) = assign(x, centres.view());
        let mut sizes = vec![0; self.k];
        for &l in &labels {
            sizes[l] += 1;
        }
        Ok(Clustering {
            centres,
            labels,
            inertia,
            sizes,
        })
    }
}

/// Each row's nearest centre and the sum of squared distances.
pub fn assign(x: ArrayView2<f64>, centres: ArrayView2<f64>) -> (Vec<usize>, f64) {
    let mut labels = Vec::with_capacity(x.nrows());
    let mut total = 0.0;
    for row in x.rows() {
        let (best, d) = centres
            .rows()
            .into_iter()
            .map(|c| {
                row.iter()
                    .zip(c)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
            })
            .enumerate()
            .fold(
                (0, f64::INFINITY),
                |m, (j, d)| if d < m.1 { (j, d) } else { m },
            );
        labels.push(best);
        total += d;
    }
    (labels, total)
}

/// Rows' squared distances to given segments' centres, and their sum.
pub fn assign_to(
    x: ArrayView2<f64>,
    centres: ArrayView2<f64>,
    labels: &[usize],
) -> (Vec<f64>, f64) {
    let d: Vec<f64> = x
        .rows()
        .into_iter()
        .zip(labels)
        .map(|(row, &l)| {
            row.iter()
                .zip(centres.row(l))
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
        })
        .collect();
    let total = d.iter().sum();
    (d, total)
}
