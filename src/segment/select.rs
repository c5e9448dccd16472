//! Choosing K: for each K of a range, WCSS (inertia, for the elbow),
//! silhouette, Calinski-Harabasz, Davies-Bouldin (scikit-learn's
//! definitions, tested on its labels) and the gap statistic (Tibshirani et
//! al.: reference data drawn uniformly from the data's bounding box); then a
//! suggested K with the reason in words.

use ndarray::{Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use super::kmeans::Clustering;
use crate::{Progress, Result};

/// Silhouette is exact up to this many rows, else on a seeded sample of
/// `SILHOUETTE_SAMPLE` rows (the report says which).
pub const SILHOUETTE_EXACT_MAX: usize = 10_000;
pub const SILHOUETTE_SAMPLE: usize = 5_000;
/// Reference datasets of the gap statistic, and the rows each has at most.
pub const GAP_REFERENCES: usize = 5;
pub const GAP_ROWS_MAX: usize = 5_000;
/// Above this many rows the K scan fits each K on a seeded sample of them
/// (`segment.scan_rows`); the chosen K is then fitted on every row.
pub const SCAN_ROWS: usize = 100_000;

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Mean silhouette over `rows` (all rows when None); a point alone in its
/// cluster scores 0, as in scikit-learn.
pub fn silhouette(x: ArrayView2<f64>, labels: &[usize], k: usize, rows: Option<&[usize]>) -> f64 {
    let all: Vec<usize>;
    let rows = match rows {
        Some(r) => r,
        None => {
            all = (0..x.nrows()).collect();
            &all
        }
    };
    let d = x.ncols();
    let m = rows.len();
    let data: Vec<f64> = rows.iter().flat_map(|&i| x.row(i).to_vec()).collect();
    let lab: Vec<usize> = rows.iter().map(|&i| labels[i]).collect();
    let mut count = vec![0usize; k];
    for &l in &lab {
        count[l] += 1;
    }
    // sums[i * k + c]: row i's summed distance to the rows of cluster c;
    // each pair computed once.
    let mut sums = vec![0.0; m * k];
    for i in 0..m {
        let a = &data[i * d..(i + 1) * d];
        for j in i + 1..m {
            let b = &data[j * d..(j + 1) * d];
            let dist = a
                .iter()
                .zip(b)
                .map(|(p, q)| (p - q) * (p - q))
                .sum::<f64>()
                .sqrt();
            sums[i * k + lab[j]] += dist;
            sums[j * k + lab[i]] += dist;
        }
    }
    let mut total = 0.0;
    for i in 0..m {
        let own = lab[i];
        if count[own] <= 1 {
            continue;
        }
        let s = &sums[i * k..(i + 1) * k];
        let a = s[own] / (count[own] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != own && count[c] > 0)
            .map(|c| s[c] / count[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() {
            total += (b - a) / a.max(b);
        }
    }
    total / m as f64
}

/// Cluster means from the labels (rows × k).
fn centroids(x: ArrayView2<f64>, labels: &[usize], k: usize) -> (Array2<f64>, Vec<usize>) {
    let mut c = Array2::zeros((k, x.ncols()));
    let mut n = vec![0usize; k];
    for (r, &l) in labels.iter().enumerate() {
        n[l] += 1;
        let mut cr = c.row_mut(l);
        cr += &x.row(r);
    }
    for (l, &m) in n.iter().enumerate() {
        if m > 0 {
            c.row_mut(l).mapv_inplace(|v| v / m as f64);
        }
    }
    (c, n)
}

/// Between-cluster over within-cluster dispersion, each per degree of freedom.
pub fn calinski_harabasz(x: ArrayView2<f64>, labels: &[usize], k: usize) -> f64 {
    let (c, n) = centroids(x, labels, k);
    let mean = x.mean_axis(ndarray::Axis(0)).expect("rows > 0");
    let between: f64 = (0..k)
        .map(|l| {
            n[l] as f64
                * c.row(l)
                    .iter()
                    .zip(&mean)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
        })
        .sum();
    let within: f64 = labels
        .iter()
        .enumerate()
        .map(|(r, &l)| {
            x.row(r)
                .iter()
                .zip(c.row(l))
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
        })
        .sum();
    let rows = x.nrows() as f64;
    if within == 0.0 {
        return 1.0;
    }
    between * (rows - k as f64) / (within * (k as f64 - 1.0))
}

/// Mean over clusters of the worst (sᵢ + sⱼ) / d(cᵢ, cⱼ); lower is better.
pub fn davies_bouldin(x: ArrayView2<f64>, labels: &[usize], k: usize) -> f64 {
    let (c, n) = centroids(x, labels, k);
    let mut spread = vec![0.0; k];
    for (r, &l) in labels.iter().enumerate() {
        spread[l] += dist(&x.row(r).to_vec(), &c.row(l).to_vec());
    }
    for l in 0..k {
        if n[l] > 0 {
            spread[l] /= n[l] as f64;
        }
    }
    let mut total = 0.0;
    for i in 0..k {
        let worst = (0..k)
            .filter(|&j| j != i)
            .map(|j| {
                let d = dist(&c.row(i).to_vec(), &c.row(j).to_vec());
                if d == 0.0 {
                    0.0
                } else {
                    (spread[i] + spread[j]) / d
                }
            })
            .fold(0.0, f64::max);
        total += worst;
    }
    total / k as f64
}

/// One K of the scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KScore {
    pub k: usize,
    pub inertia: f64,
    pub silhouette: f64,
    pub calinski_harabasz: f64,
    pub davies_bouldin: f64,
    pub gap: f64,
    pub gap_sd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KSelection {
    pub scores: Vec<KScore>,
    pub suggested: usize,
    pub reason_en: String,
    pub reason_zh: String,
    /// Rows the silhouette was computed on (all, or a seeded sample).
    pub silhouette_rows: usize,
    pub gap_rows: usize,
    /// Rows each K was fitted and measured on: all, or a seeded sample
    /// (0 in reports written before the scan could sample: all).
    #[serde(default)]
    pub scan_rows: usize,
}

/// `size` distinct row indices out of `n`, seeded, in order.
pub(crate) fn seeded_sample(n: usize, size: usize, seed: u64) -> Vec<usize> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut idx: Vec<usize> = (0..n).collect();
    for i in 0..size.min(n) {
        let j = rng.gen_range(i..n);
        idx.swap(i, j);
    }
    idx.truncate(size.min(n));
    idx.sort_unstable();
    idx
}

/// What a K scan tries: K over `range` (inclusive), `n_init` restarts each,
/// the seed of its samples, and the rows above which it samples.
#[derive(Debug, Clone, Copy)]
pub struct ScanSettings {
    pub range: (usize, usize),
    pub n_init: usize,
    pub seed: u64,
    pub scan_rows: usize,
}

/// Fits `k` clusters with `n_init` restarts to rows of the clustering space.
pub type Fitter<'a> = &'a dyn Fn(ArrayView2<f64>, usize, usize) -> Result<Clustering>;

/// Scans K over `range` (inclusive) with `fit` (`n_init` restarts); the gap
/// statistic clusters the data and its references with `gap_fit` (fewer
/// restarts). `x` is the space the method's cost is squared Euclidean
/// distance in (for K-Prototypes, one-hot columns scaled by √(γ/2)), where
/// the metrics are computed too. Above `scan_rows` rows every K is fitted
/// and measured on a seeded sample of that many (the criteria read the
/// same from a large sample, at a fraction of the cost); the fits returned
/// are then the sample's, for the caller to fit the chosen K on every row.
pub fn scan(
    x: ArrayView2<f64>,
    settings: &ScanSettings,
    fit: Fitter,
    gap_fit: Fitter,
    progress: &mut dyn Progress,
) -> Result<(KSelection, Vec<Clustering>)> {
    let ScanSettings {
        range,
        n_init,
        seed,
        scan_rows,
    } = *settings;
    let drawn = (x.nrows() > scan_rows).then(|| {
        x.select(
            ndarray::Axis(0),
            &seeded_sample(x.nrows(), scan_rows, seed ^ 0x5ca9),
        )
    });
    let x = match &drawn {
        Some(d) => d.view(),
        None => x.view(),
    };
    let (lo, hi) = (range.0.max(2), range.1.max(range.0.max(2)));
    let n = x.nrows();
    let sample = (n > SILHOUETTE_EXACT_MAX).then(|| seeded_sample(n, SILHOUETTE_SAMPLE, seed));
    // Gap statistic: the data (sampled if large) against uniform references
    // in its bounding box, each clustered the same way (fewer restarts).
    let gap_rows = seeded_sample(n, GAP_ROWS_MAX, seed ^ 0x9e37);
    let gx = x.select(ndarray::Axis(0), &gap_rows);
    let (mins, maxs): (Vec<f64>, Vec<f64>) = gx
        .columns()
        .into_iter()
        .map(|c| {
            c.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(*v), b.max(*v))
                })
        })
        .unzip();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5eed);
    let references: Vec<Array2<f64>> = (0..GAP_REFERENCES)
        .map(|_| {
            Array2::from_shape_fn(gx.dim(), |(_, j)| {
                mins[j] + rng.gen::<f64>() * (maxs[j] - mins[j])
            })
        })
        .collect();
    let mut scores = Vec::new();
    let mut fits = Vec::new();
    for k in lo..=hi {
        progress.report("k scan", (k - lo) as f64 / (hi - lo + 1) as f64);
        let quick = n_init.min(3);
        let own = gap_fit(gx.view(), k, quick)?
            .inertia
            .max(f64::MIN_POSITIVE)
            .ln();
        let logs: Vec<f64> = references
            .iter()
            .map(|r| gap_fit(r.view(), k, quick).map(|f| f.inertia.max(f64::MIN_POSITIVE).ln()))
            .collect::<Result<_>>()?;
        let fit = fit(x, k, n_init)?;
        let mean = logs.iter().sum::<f64>() / logs.len() as f64;
        let sd = (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / logs.len() as f64).sqrt();
        scores.push(KScore {
            k,
            inertia: fit.inertia,
            silhouette: silhouette(x, &fit.labels, k, sample.as_deref()),
            calinski_harabasz: calinski_harabasz(x, &fit.labels, k),
            davies_bouldin: davies_bouldin(x, &fit.labels, k),
            gap: mean - own,
            gap_sd: sd * (1.0 + 1.0 / GAP_REFERENCES as f64).sqrt(),
        });
        fits.push(fit);
    }
    progress.report("k scan", 1.0);
    let (suggested, reason_en, reason_zh) = suggest(&scores);
    Ok((
        KSelection {
            scores,
            suggested,
            reason_en,
            reason_zh,
            silhouette_rows: sample.as_ref().map_or(n, Vec::len),
            gap_rows: gap_rows.len(),
            scan_rows: n,
        },
        fits,
    ))
}

/// Each criterion's pick; the K most criteria agree on (ties: silhouette's).
fn suggest(scores: &[KScore]) -> (usize, String, String) {
    let best = |f: &dyn Fn(&KScore) -> f64| {
        scores
            .iter()
            .max_by(|a, b| f(a).total_cmp(&f(b)))
            .map_or(0, |s| s.k)
    };
    let sil = best(&|s| s.silhouette);
    let ch = best(&|s| s.calinski_harabasz);
    let db = best(&|s| -s.davies_bouldin);
    // Gap: the smallest k with gap(k) ≥ gap(k+1) − s(k+1).
    let gap = scores
        .windows(2)
        .find(|w| w[0].gap >= w[1].gap - w[1].gap_sd)
        .map_or(scores.last().map_or(0, |s| s.k), |w| w[0].k);
    // Elbow: the largest bend (second difference) of the WCSS curve.
    let elbow = scores
        .windows(3)
        .max_by(|a, b| {
            let bend = |w: &[KScore]| (w[0].inertia - w[1].inertia) - (w[1].inertia - w[2].inertia);
            bend(a).total_cmp(&bend(b))
        })
        .map_or(sil, |w| w[1].k);
    let picks = [
        ("silhouette", "轮廓系数", sil),
        ("gap statistic", "间隙统计量", gap),
        ("elbow of the WCSS", "WCSS 肘部", elbow),
        ("Calinski-Harabasz", "CH 指数", ch),
        ("Davies-Bouldin", "DB 指数", db),
    ];
    let votes = |k: usize| picks.iter().filter(|p| p.2 == k).count();
    // Ties go to the K with the higher silhouette.
    let sil_of = |k: usize| {
        scores
            .iter()
            .find(|s| s.k == k)
            .map_or(f64::MIN, |s| s.silhouette)
    };
    let chosen = picks
        .iter()
        .map(|p| p.2)
        .max_by(|a, b| {
            votes(*a)
                .cmp(&votes(*b))
                .then(sil_of(*a).total_cmp(&sil_of(*b)))
        })
        .unwrap_or(sil);
    let agree: Vec<&(&str, &str, usize)> = picks.iter().filter(|p| p.2 == chosen).collect();
    let others: Vec<String> = picks
        .iter()
        .filter(|p| p.2 != chosen)
        .map(|p| format!("{} {}", p.0, p.2))
        .collect();
    let others_zh: Vec<String> = picks
        .iter()
        .filter(|p| p.2 != chosen)
        .map(|p| format!("{} {}", p.1, p.2))
        .collect();
    let s = scores.iter().find(|s| s.k == chosen);
    let sil_at = s.map_or(0.0, |s| s.silhouette);
    let en = format!(
        "K = {chosen}: chosen by {} of 5 criteria ({}); silhouette there {:.3}{}",
        agree.len(),
        agree.iter().map(|p| p.0).collect::<Vec<_>>().join(", "),
        sil_at,
        if others.is_empty() {
            String::new()
        } else {
            format!("; the others point to {}", others.join(", "))
        }
    );
    let zh = format!(
        "建议 K = {chosen}：5 项指标中有 {} 项支持（{}）；该 K 的轮廓系数 {:.3}{}",
        agree.len(),
        agree.iter().map(|p| p.1).collect::<Vec<_>>().join("、"),
        sil_at,
        if others_zh.is_empty() {
            String::new()
        } else {
            format!("；其余指标：{}", others_zh.join("、"))
        }
    );
    (chosen, en, zh)
}
