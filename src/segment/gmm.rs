//! Gaussian mixture (full covariances) by EM, giving each customer a
//! membership probability per segment. Written after scikit-learn's
//! `GaussianMixture`: K-Means labels as the start, `reg_covar` added to the
//! diagonal, convergence when the mean log-likelihood changes by less than
//! `tolerance`, the best of `n_init` starts. linfa-clustering's GMM is not
//! used: its `n_runs` continue one start instead of drawing new ones, and
//! its log-sum-exp underflows to −∞ for customers far from every centre.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use super::invalid;
use super::kmeans::KMeansParams;
use crate::Result;

/// Checked hyper-parameters, in the shape of linfa's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GmmParams {
    pub k: usize,
    pub n_init: usize,
    pub seed: u64,
    pub max_iterations: usize,
    /// Stop when the mean log-likelihood changes by less than this.
    pub tolerance: f64,
    /// Added to each covariance's diagonal (keeps it invertible).
    pub reg_covariance: f64,
}

impl Default for GmmParams {
    fn default() -> Self {
        GmmParams {
            k: 4,
            n_init: 3,
            seed: 7,
            max_iterations: 100,
            tolerance: 1e-3,
            reg_covariance: 1e-6,
        }
    }
}

/// A fitted mixture: enough to compute memberships of new customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mixture {
    pub weights: Vec<f64>,
    /// k × features.
    pub means: Vec<Vec<f64>>,
    /// Per component, the lower Cholesky factor of its covariance (row-major d × d).
    pub cholesky: Vec<Vec<f64>>,
}

/// The fit: the mixture, each row's most likely component and its
/// probability, every membership, the mean log-likelihood.
#[derive(Debug, Clone, PartialEq)]
pub struct GmmFit {
    pub mixture: Mixture,
    pub labels: Vec<usize>,
    /// n × k membership probabilities.
    pub memberships: Array2<f64>,
    pub log_likelihood: f64,
    pub converged: bool,
    pub iterations: usize,
}

/// Lower Cholesky factor of a symmetric positive definite d × d matrix.
fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for m in 0..j {
                s -= l[i * d + m] * l[j * d + m];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

impl Mixture {
    fn d(&self) -> usize {
        self.means.first().map_or(0, Vec::len)
    }

    /// log(weight_j) + log N(x | mean_j, cov_j) for each component j.
    fn weighted_log_prob(&self, x: ArrayView1<f64>, out: &mut [f64], y: &mut [f64]) {
        let d = self.d();
        let log2pi = (2.0 * std::f64::consts::PI).ln();
        for (j, o) in out.iter_mut().enumerate() {
            let l = &self.cholesky[j];
            let mean = &self.means[j];
            // Solve L y = x − mean; the Mahalanobis distance is |y|².
            let mut maha = 0.0;
            let mut log_det = 0.0;
            for i in 0..d {
                let mut s = x[i] - mean[i];
                for m in 0..i {
                    s -= l[i * d + m] * y[m];
                }
                y[i] = s / l[i * d + i];
                maha += y[i] * y[i];
                log_det += l[i * d + i].ln();
            }
            *o = self.weights[j].ln() - 0.5 * (d as f64 * log2pi + maha) - log_det;
        }
    }

    /// Memberships (n × k) and the mean log-likelihood, by a stable log-sum-exp.
    /// Each row's are its own: blocks of rows go to the cores, and the
    /// log-likelihood is summed in row order as on one thread.
    pub fn memberships(&self, x: ArrayView2<f64>) -> (Array2<f64>, f64) {
        const BLOCK: usize = 4096;
        let (n, k) = (x.nrows(), self.weights.len());
        let mut resp = Array2::zeros((n, k));
        let mut norms = vec![0.0; n];
        let mut blocks: Vec<(usize, ndarray::ArrayViewMut2<f64>, &mut [f64])> = resp
            .axis_chunks_iter_mut(Axis(0), BLOCK)
            .zip(norms.chunks_mut(BLOCK))
            .enumerate()
            .map(|(b, (r, m))| (b * BLOCK, r, m))
            .collect();
        crate::par::each_mut(&mut blocks, |(start, resp, norms)| {
            let mut lp = vec![0.0; k];
            let mut y = vec![0.0; self.d()];
            for (i, out) in norms.iter_mut().enumerate() {
                self.weighted_log_prob(x.row(*start + i), &mut lp, &mut y);
                let top = lp.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let norm = top + lp.iter().map(|v| (v - top).exp()).sum::<f64>().ln();
                *out = norm;
                for j in 0..k {
                    resp[[i, j]] = (lp[j] - norm).exp();
                }
            }
        });
        drop(blocks);
        let total = norms.iter().fold(0.0, |a, b| a + b);
        (resp, total / n.max(1) as f64)
    }
}

/// Each row's most likely component.
pub fn most_likely(memberships: &Array2<f64>) -> Vec<usize> {
    memberships.axis_iter(Axis(0)).map(argmax).collect()
}

fn argmax(row: ArrayView1<f64>) -> usize {
    row.iter()
        .enumerate()
        .fold(
            (0, f64::NEG_INFINITY),
            |m, (j, &v)| if v > m.1 { (j, v) } else { m },
        )
        .0
}

impl GmmParams {
    pub fn check(&self, x: ArrayView2<f64>) -> Result<()> {
        let bad = self.k < 1
            || self.n_init < 1
            || self.max_iterations < 1
            || self.tolerance.is_nan()
            || self.tolerance <= 0.0
            || self.reg_covariance.is_nan()
            || self.reg_covariance < 0.0;
        if bad {
            return Err(invalid(
                format!(
                    "the Gaussian mixture needs k ≥ 1, n_init ≥ 1, max_iterations ≥ 1, tolerance > 0 and reg_covariance ≥ 0 (got k {}, n_init {}, tolerance {}, reg_covariance {})",
                    self.k, self.n_init, self.tolerance, self.reg_covariance
                ),
                format!("高斯混合模型参数无效：k {}、n_init {}", self.k, self.n_init),
            ));
        }
        KMeansParams {
            k: self.k,
            ..KMeansParams::default()
        }
        .check(x)
    }

    /// Means, weights and covariances from memberships (the M step).
    fn m_step(&self, x: ArrayView2<f64>, resp: &Array2<f64>) -> Result<Mixture> {
        let (n, d) = x.dim();
        let k = self.k;
        let nk: Vec<f64> = (0..k)
            .map(|j| resp.column(j).sum() + 10.0 * f64::EPSILON)
            .collect();
        let means = resp.t().dot(&x);
        let mut mixture = Mixture {
            weights: nk.iter().map(|v| v / n as f64).collect(),
            means: (0..k)
                .map(|j| means.row(j).iter().map(|v| v / nk[j]).collect())
                .collect(),
            cholesky: Vec::with_capacity(k),
        };
        // Each component's covariance is summed over the rows in order on
        // its own: the components go to the cores.
        let covs = crate::par::map((0..k).collect(), |j| {
            let mut cov = vec![0.0; d * d];
            let mut diff = vec![0.0; d];
            let mean = &mixture.means[j];
            for (r, row) in x.rows().into_iter().enumerate() {
                let w = resp[[r, j]];
                if w == 0.0 {
                    continue;
                }
                for i in 0..d {
                    diff[i] = row[i] - mean[i];
                }
                for a in 0..d {
                    let wa = w * diff[a];
                    for b in 0..=a {
                        cov[a * d + b] += wa * diff[b];
                    }
                }
            }
            cov
        });
        for (j, mut cov) in covs.into_iter().enumerate() {
            for a in 0..d {
                for b in 0..=a {
                    cov[a * d + b] /= nk[j];
                    cov[b * d + a] = cov[a * d + b];
                }
                cov[a * d + a] += self.reg_covariance;
            }
            let l = cholesky(&cov, d).ok_or_else(|| {
                invalid(
                    format!(
                        "the Gaussian mixture's component {} collapsed (its covariance is not invertible); choose a smaller k or leave out constant or duplicated features",
                        j + 1
                    ),
                    format!(
                        "高斯混合模型的第 {} 个成分退化（协方差不可逆）；请减小 k，或去掉取值不变或重复的特征",
                        j + 1
                    ),
                )
            })?;
            mixture.cholesky.push(l);
        }
        Ok(mixture)
    }

    pub fn fit(&self, x: ArrayView2<f64>) -> Result<GmmFit> {
        self.check(x)?;
        let n = x.nrows();
        let mut best: Option<GmmFit> = None;
        for run in 0..self.n_init {
            // Start from one K-Means fit's labels, as scikit-learn does.
            let start = KMeansParams {
                k: self.k,
                n_init: 1,
                seed: self.seed.wrapping_add(run as u64),
                ..KMeansParams::default()
            }
            .fit(x)?;
            let mut resp = Array2::zeros((n, self.k));
            for (r, &l) in start.labels.iter().enumerate() {
                resp[[r, l]] = 1.0;
            }
            let mut mixture = self.m_step(x, &resp)?;
            let mut lower = f64::NEG_INFINITY;
            let mut converged = false;
            let mut iterations = 0;
            for it in 1..=self.max_iterations {
                iterations = it;
                let (r, ll) = mixture.memberships(x);
                mixture = self.m_step(x, &r)?;
                let change = ll - lower;
                lower = ll;
                if change.abs() < self.tolerance {
                    converged = true;
                    break;
                }
            }
            // Memberships consistent with the final parameters.
            let (memberships, log_likelihood) = mixture.memberships(x);
            if best
                .as_ref()
                .is_none_or(|b| log_likelihood > b.log_likelihood)
            {
                let labels = most_likely(&memberships);
                best = Some(GmmFit {
                    mixture,
                    labels,
                    memberships,
                    log_likelihood,
                    converged,
                    iterations,
                });
            }
        }
        best.ok_or_else(|| {
            invalid(
                "the Gaussian mixture made no run".into(),
                "高斯混合模型未运行".into(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_reproduces_the_matrix() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let l = cholesky(&a, 3).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|m| l[i * 3 + m] * l[j * 3 + m]).sum();
                assert!((v - a[i * 3 + j]).abs() < 1e-12);
            }
        }
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }

    #[test]
    fn two_separated_blobs_get_confident_memberships() {
        let x = Array2::from_shape_fn((60, 2), |(r, j)| {
            let base = if r < 30 { -5.0 } else { 5.0 };
            base + (((r * 13 + j * 7) % 11) as f64 - 5.0) * 0.2
        });
        let fit = GmmParams {
            k: 2,
            ..Default::default()
        }
        .fit(x.view())
        .unwrap();
        assert!(fit.converged);
        let first = fit.labels[0];
        assert!(fit.labels[..30].iter().all(|&l| l == first));
        assert!(fit.labels[30..].iter().all(|&l| l != first));
        for row in fit.memberships.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-9);
            assert!(row.iter().copied().fold(0.0, f64::max) > 0.999);
        }
        // Far from both centres the memberships stay finite (stable log-sum-exp).
        let far = ndarray::array![[1e4, -1e4]];
        let (m, ll) = fit.mixture.memberships(far.view());
        assert!(m.iter().all(|v| v.is_finite()) && ll.is_finite());
        assert!((m.row(0).sum() - 1.0).abs() < 1e-9);
    }

    /// Rows' memberships in blocks on the cores and components'
    /// covariances side by side leave the fit the same bit for bit.
    #[test]
    fn same_fit_on_one_thread_and_three() {
        let x = Array2::from_shape_fn((12_000, 3), |(r, j)| {
            let base = (r % 3) as f64 * 4.0;
            base + (((r * 31 + j * 17) % 23) as f64 - 11.0) * 0.15 + j as f64
        });
        let p = GmmParams {
            k: 3,
            n_init: 2,
            ..Default::default()
        };
        let one = crate::par::with_threads(1, || p.fit(x.view()).unwrap());
        let three = crate::par::with_threads(3, || p.fit(x.view()).unwrap());
        assert_eq!(one.labels, three.labels);
        assert_eq!(one.memberships, three.memberships);
        assert_eq!(one.log_likelihood.to_bits(), three.log_likelihood.to_bits());
        assert_eq!(one.mixture.means, three.mixture.means);
        assert_eq!(one.mixture.cholesky, three.mixture.cholesky);
        assert_eq!(one.iterations, three.iterations);
    }
}
