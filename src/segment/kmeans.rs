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
            let (centres, labels, inertia) = self.hamerly(x.view(), start);
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

    /// One run from `centres` (e.g. a K scan's fit on a sample), on every
    /// row of `x`: the chosen K fitted on all rows at the cost of one start.
    pub fn fit_from(&self, x: ArrayView2<f64>, centres: Array2<f64>) -> Result<Clustering> {
        self.check(x)?;
        if centres.nrows() != self.k || centres.ncols() != x.ncols() {
            return Err(invalid(
                format!(
                    "K-Means: {} starting centres of {} features for k {} on {} features",
                    centres.nrows(),
                    centres.ncols(),
                    self.k,
                    x.ncols()
                ),
                format!("K-Means：起始中心与 k 或特征数不符（k {}）", self.k),
            ));
        }
        let (centres, labels, inertia) = self.hamerly(x.as_standard_layout().view(), centres);
        Ok(Clustering {
            sizes: sizes(&labels, self.k),
            centres,
            labels,
            inertia,
        })
    }

    /// Lloyd's iterations from `centres`: assign each row to its nearest
    /// centre, move each centre to its rows' mean; stop when the centres'
    /// summed squared movement is at most `tolerance` × the mean feature
    /// variance (as scikit-learn), when no row changes segment, or after
    /// `max_iterations`. A centre left without rows stays where it was.
    pub fn lloyd(&self, x: ArrayView2<f64>, centres: Array2<f64>) -> Array2<f64> {
        self.hamerly(x.as_standard_layout().view(), centres).0
    }

    /// Lloyd's iterations with Hamerly's bounds (2010): each row keeps an
    /// upper bound on its distance to its own centre and a lower bound on
    /// the distance to any other; a row whose upper bound is below both the
    /// lower bound and half the gap from its centre to the nearest other
    /// centre cannot change segment, so its k distances are skipped. The
    /// assignments, and so the centres, are Lloyd's (a small slack sends
    /// near ties to the full comparison, where the lowest index wins as in
    /// `assign`); after the first iterations most rows are skipped. Returns
    /// the centres, each row's nearest centre and the inertia.
    fn hamerly(
        &self,
        x: ArrayView2<f64>,
        mut centres: Array2<f64>,
    ) -> (Array2<f64>, Vec<usize>, f64) {
        let (n, d) = x.dim();
        let tolerance = self.tolerance * mean_variance(x);
        let k = centres.nrows();
        let xs = x.as_slice().expect("standard layout");
        let mut bounds = Bounds::new(xs, centres.as_slice().expect("standard layout"), d);
        let mut moves = vec![0.0; k];
        let mut iteration = 0;
        // The first assignment changed every row (Lloyd starts unassigned).
        let mut changed = n;
        loop {
            iteration += 1;
            let mut shift = 0.0;
            for j in 0..k {
                moves[j] = 0.0;
                let count = bounds.counts[j];
                if count == 0 {
                    continue;
                }
                let mut moved = 0.0;
                for f in 0..d {
                    let v = bounds.sums[j * d + f] / count as f64;
                    moved += (v - centres[[j, f]]) * (v - centres[[j, f]]);
                    centres[[j, f]] = v;
                }
                shift += moved;
                moves[j] = moved.sqrt();
            }
            let c = centres.as_slice().expect("standard layout");
            if changed == 0 || shift <= tolerance || iteration >= self.max_iterations {
                // Rows are reassigned to the final centres (as `assign`).
                bounds.step(xs, c, d, &moves);
                let inertia = bounds.inertia(xs, c, d);
                return (centres, bounds.labels(), inertia);
            }
            changed = bounds.step(xs, c, d, &moves);
        }
    }
}

/// The mean over columns of each column's population variance: a pass
/// for the means and one for the squares, each in blocks of rows on every
/// core, the blocks' sums added in order (ndarray's column-wise `var_axis`
/// took five times as long in the browser).
fn mean_variance(x: ArrayView2<f64>) -> f64 {
    let (n, d) = x.dim();
    if n == 0 || d == 0 {
        return 0.0;
    }
    let xs = x.as_slice().expect("standard layout");
    let mean: Vec<f64> = column_sums(xs, d, |_, v| v)
        .iter()
        .map(|s| s / n as f64)
        .collect();
    let sq = column_sums(xs, d, |j, v| (v - mean[j]) * (v - mean[j]));
    sq.iter().sum::<f64>() / (n * d) as f64
}

/// Each column's sum of `f(column, value)` over the rows of `xs` (`d` a
/// row), in blocks of rows on every core, the blocks added in order.
fn column_sums(xs: &[f64], d: usize, f: impl Fn(usize, f64) -> f64 + Sync + Send) -> Vec<f64> {
    let blocks = crate::par::map_range(xs.len() / d, BLOCK, |rows| {
        let mut s = crate::par::Padded::<f64>::zeros(d);
        for row in xs[rows.start * d..rows.end * d].chunks_exact(d) {
            for (j, (s, &v)) in s.iter_mut().zip(row).enumerate() {
                *s += f(j, v);
            }
        }
        s
    });
    let mut total = vec![0.0; d];
    for b in &blocks {
        total.iter_mut().zip(b.iter()).for_each(|(t, v)| *t += v);
    }
    total
}

/// Rows a block of the assignment takes: blocks go to the cores, each
/// keeps its own sums, and the totals add them in block order (the same
/// centres with 1 thread or 8).
const BLOCK: usize = 16_384;

/// Hamerly's bounds for every row, in blocks, and each segment's count
/// and feature sums over all of them.
struct Bounds {
    blocks: Vec<Block>,
    sums: Vec<f64>,
    counts: Vec<usize>,
}

impl Bounds {
    /// Every row's nearest and second-nearest centre, computed in full.
    fn new(xs: &[f64], c: &[f64], d: usize) -> Bounds {
        let n = xs.len() / d.max(1);
        let blocks = crate::par::map_range(n, BLOCK, |rows| {
            Block::new(rows.start, &xs[rows.start * d..rows.end * d], c, d)
        });
        let mut b = Bounds {
            blocks,
            sums: Vec::new(),
            counts: Vec::new(),
        };
        b.total(c.len() / d.max(1), d);
        b
    }

    /// The segments' counts and sums: the blocks' added in their order.
    fn total(&mut self, k: usize, d: usize) {
        self.sums = vec![0.0; k * d];
        self.counts = vec![0; k];
        for b in &self.blocks {
            for (s, v) in self.sums.iter_mut().zip(b.sums.iter()) {
                *s += v;
            }
            for (s, v) in self.counts.iter_mut().zip(b.counts.iter()) {
                *s += v;
            }
        }
    }

    /// One assignment pass after the centres moved by `moves` (distances):
    /// each row's bounds are loosened by its own centre's move and the
    /// largest other move, then checked. Returns how many rows changed
    /// segment.
    fn step(&mut self, xs: &[f64], c: &[f64], d: usize, moves: &[f64]) -> usize {
        let k = c.len() / d.max(1);
        let (mut top, mut top_j, mut next) = (0.0, usize::MAX, 0.0);
        for (j, &m) in moves.iter().enumerate() {
            if m > top {
                next = top;
                top = m;
                top_j = j;
            } else if m > next {
                next = m;
            }
        }
        // Half the distance from each centre to its nearest other centre.
        let half: Vec<f64> = (0..k)
            .map(|j| {
                (0..k)
                    .filter(|&o| o != j)
                    .map(|o| sq_dist(&c[j * d..(j + 1) * d], &c[o * d..(o + 1) * d]))
                    .fold(f64::INFINITY, f64::min)
                    .sqrt()
                    / 2.0
            })
            .collect();
        let moved = Moved {
            moves,
            top,
            top_j,
            next,
            half: &half,
        };
        let changed = crate::par::each_mut(&mut self.blocks, |b| {
            let rows = &xs[b.start * d..(b.start + b.labels.len()) * d];
            b.step(rows, c, d, &moved)
        });
        self.total(k, d);
        changed.into_iter().sum()
    }

    /// Sum of squared distances to the assigned centres.
    fn inertia(&self, xs: &[f64], c: &[f64], d: usize) -> f64 {
        let parts = crate::par::map(self.blocks.iter().collect(), |b: &Block| {
            xs[b.start * d..]
                .chunks_exact(d)
                .zip(&b.labels)
                .map(|(row, &l)| sq_dist(row, &c[l * d..(l + 1) * d]))
                .sum::<f64>()
        });
        parts.into_iter().sum()
    }

    fn labels(self) -> Vec<usize> {
        self.blocks.into_iter().flat_map(|b| b.labels).collect()
    }
}

/// What a step of the centres tells each row's bounds.
struct Moved<'a> {
    /// Each centre's move (a distance).
    moves: &'a [f64],
    /// The largest move and its centre, and the second largest.
    top: f64,
    top_j: usize,
    next: f64,
    /// Half the distance from each centre to its nearest other centre.
    half: &'a [f64],
}

/// Hamerly's per-row bounds (distances, not squared) and labels for a
/// block of rows from `start`, and the block's count and feature sums per
/// segment, kept up to date as rows move (a full pass over the rows for
/// the means would cost more than the skipped distances save).
struct Block {
    start: usize,
    labels: Vec<usize>,
    upper: Vec<f64>,
    lower: Vec<f64>,
    sums: crate::par::Padded<f64>,
    counts: crate::par::Padded<usize>,
}

/// Relative slack on a skip: rounding in the running bounds must not hide
/// a change of segment.
const SLACK: f64 = 1.0 - 1e-9;

impl Block {
    fn new(start: usize, xs: &[f64], c: &[f64], d: usize) -> Block {
        let n = xs.len() / d.max(1);
        let k = c.len() / d.max(1);
        let mut b = Block {
            start,
            labels: vec![0; n],
            upper: vec![0.0; n],
            lower: vec![0.0; n],
            sums: crate::par::Padded::zeros(k * d),
            counts: crate::par::Padded::zeros(k),
        };
        for (r, row) in xs.chunks_exact(d).enumerate() {
            b.full(r, row, c, d);
            let l = b.labels[r];
            b.counts[l] += 1;
            for (s, v) in b.sums[l * d..(l + 1) * d].iter_mut().zip(row) {
                *s += v;
            }
        }
        b
    }

    #[inline]
    fn full(&mut self, r: usize, row: &[f64], c: &[f64], d: usize) {
        let (mut best, mut best_d, mut second_d) = (0, f64::INFINITY, f64::INFINITY);
        for (j, cen) in c.chunks_exact(d).enumerate() {
            let dist = sq_dist(row, cen);
            if dist < best_d {
                second_d = best_d;
                best_d = dist;
                best = j;
            } else if dist < second_d {
                second_d = dist;
            }
        }
        self.labels[r] = best;
        self.upper[r] = best_d.sqrt();
        self.lower[r] = second_d.sqrt();
    }

    /// `Bounds::step` for this block's rows `xs`.
    fn step(&mut self, xs: &[f64], c: &[f64], d: usize, m: &Moved) -> usize {
        let mut changed = 0;
        for (r, row) in xs.chunks_exact(d).enumerate() {
            let l = self.labels[r];
            self.upper[r] += m.moves[l];
            self.lower[r] -= if l == m.top_j { m.next } else { m.top };
            let bound = m.half[l].max(self.lower[r]) * SLACK;
            if self.upper[r] <= bound {
                continue;
            }
            self.upper[r] = sq_dist(row, &c[l * d..(l + 1) * d]).sqrt();
            if self.upper[r] <= bound {
                continue;
            }
            self.full(r, row, c, d);
            let now = self.labels[r];
            if now != l {
                changed += 1;
                self.counts[l] -= 1;
                self.counts[now] += 1;
                for (f, v) in row.iter().enumerate() {
                    self.sums[l * d + f] -= v;
                    self.sums[now * d + f] += v;
                }
            }
        }
        changed
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
/// scikit-learn's inertia on overlapping blobs. The candidates are drawn
/// together (as scikit-learn) and weighed in one pass over the rows, in
/// blocks on every core; the draws read the running sum per block (see
/// `drawn`), so they are the same on one thread or eight.
pub fn greedy_kmeans_plusplus(x: ArrayView2<f64>, k: usize, rng: &mut impl Rng) -> Array2<f64> {
    let x = x.as_standard_layout();
    let x = x.view();
    let (n, d) = x.dim();
    let xs = x.as_slice().expect("standard layout");
    let row = |i: usize| &xs[i * d..(i + 1) * d];
    let trials = 2 + (k as f64).ln() as usize;
    let mut centres = Array2::zeros((k, x.ncols()));
    let first = rng.gen_range(0..n);
    centres.row_mut(0).assign(&x.row(first));
    // Each row's squared distance to its nearest centre so far, and
    // their sums per block.
    let mut closest = vec![0.0; n];
    let mut sums = nearer(&mut closest, xs, row(first), true);
    for c in 1..k {
        let total: f64 = sums.iter().fold(0.0, |a, s| a + s);
        let ids: Vec<usize> = (0..trials)
            .map(|_| drawn(&closest, &sums, rng.gen::<f64>() * total))
            .collect();
        // Each candidate's potential: the rows' distances were it added.
        let blocks = crate::par::map_range(n, BLOCK, |rows| {
            let mut pot = crate::par::Padded::<f64>::zeros(trials);
            for (r, near) in xs[rows.start * d..rows.end * d]
                .chunks_exact(d)
                .zip(&closest[rows])
            {
                for (p, &id) in pot.iter_mut().zip(&ids) {
                    *p += sq_dist(r, row(id)).min(*near);
                }
            }
            pot
        });
        let mut best: Option<(f64, usize)> = None;
        for (t, &id) in ids.iter().enumerate() {
            let pot: f64 = blocks.iter().map(|b| b[t]).sum();
            if best.is_none_or(|b| pot < b.0) {
                best = Some((pot, id));
            }
        }
        if let Some((_, id)) = best {
            centres.row_mut(c).assign(&x.row(id));
            sums = nearer(&mut closest, xs, row(id), false);
        }
    }
    centres
}

/// Lowers each row's `closest` squared distance to its distance to
/// `centre` (or sets it, `first`), in blocks on every core; returns each
/// block's sum of the new distances, added in row order.
fn nearer(closest: &mut [f64], xs: &[f64], centre: &[f64], first: bool) -> Vec<f64> {
    let d = centre.len().max(1);
    crate::par::each_block_mut(closest, BLOCK, |b, near| {
        let rows = xs[b * BLOCK * d..].chunks_exact(d);
        let mut sum = 0.0;
        for (c, r) in near.iter_mut().zip(rows) {
            let t = sq_dist(r, centre);
            *c = if first { t } else { t.min(*c) };
            sum += *c;
        }
        sum
    })
}

/// The row a draw of `target` lands on: the first whose running sum of
/// `closest` reaches it. The sum runs through the blocks' `sums` in order,
/// then within the one block it falls in, so a draw reads one block, not
/// a running sum over every row on one thread per centre, and is the same
/// on any number of threads.
fn drawn(closest: &[f64], sums: &[f64], target: f64) -> usize {
    let mut before = 0.0;
    for (b, s) in sums.iter().enumerate() {
        if before + s >= target {
            let block = &closest[b * BLOCK..((b + 1) * BLOCK).min(closest.len())];
            let mut within = 0.0;
            for (i, v) in block.iter().enumerate() {
                within += v;
                if before + within >= target {
                    return b * BLOCK + i;
                }
            }
        }
        before += s;
    }
    closest.len().saturating_sub(1)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain Lloyd: every distance every iteration, means from a full pass.
    fn plain_lloyd(p: &KMeansParams, x: ArrayView2<f64>, mut c: Array2<f64>) -> Array2<f64> {
        let tolerance = p.tolerance * x.var_axis(ndarray::Axis(0), 0.0).mean().unwrap();
        let mut labels = vec![usize::MAX; x.nrows()];
        for _ in 0..p.max_iterations {
            let (now, _) = assign(x, c.view());
            let changed = now.iter().zip(&labels).filter(|(a, b)| a != b).count();
            labels = now;
            let mut shift = 0.0;
            for j in 0..c.nrows() {
                let rows: Vec<usize> = (0..x.nrows()).filter(|&r| labels[r] == j).collect();
                if rows.is_empty() {
                    continue;
                }
                let mean = x
                    .select(ndarray::Axis(0), &rows)
                    .mean_axis(ndarray::Axis(0))
                    .unwrap();
                shift += (&mean - &c.row(j)).mapv(|v| v * v).sum();
                c.row_mut(j).assign(&mean);
            }
            if changed == 0 || shift <= tolerance {
                break;
            }
        }
        c
    }

    #[test]
    fn hamerlys_bounds_give_lloyds_assignments_and_centres() {
        // Overlapping blobs, so that many rows sit near a boundary.
        let mut rng = Xoshiro256Plus::seed_from_u64(3);
        let x = Array2::from_shape_fn((3000, 5), |(r, j)| {
            ((r % 7) as f64 * 0.6 + j as f64 * 0.1) + rng.gen::<f64>() * 2.0
        });
        for k in [2, 4, 7] {
            let p = KMeansParams {
                k,
                tolerance: 1e-9,
                ..KMeansParams::default()
            };
            let start = greedy_kmeans_plusplus(x.view(), k, &mut rng);
            let (centres, labels, inertia) = p.hamerly(x.view(), start.clone());
            let plain = plain_lloyd(&p, x.view(), start);
            let (plain_labels, plain_inertia) = assign(x.view(), plain.view());
            assert_eq!(labels, plain_labels, "k {k}");
            assert!(
                (inertia - plain_inertia).abs() <= 1e-9 * plain_inertia,
                "k {k}"
            );
            for (a, b) in centres.iter().zip(&plain) {
                assert!((a - b).abs() < 1e-9, "k {k}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn a_draw_lands_where_the_running_sum_over_every_row_does() {
        // Whole numbers add exactly, so the sum per block and the running
        // sum over every row agree, also on a target that hits a row's
        // sum exactly; rows at zero (centres already) are never drawn.
        let n = 2 * BLOCK + 77;
        let closest: Vec<f64> = (0..n).map(|r| ((r * 7919) % 5) as f64).collect();
        let sums: Vec<f64> = closest.chunks(BLOCK).map(|b| b.iter().sum()).collect();
        let mut running = Vec::with_capacity(n);
        let mut acc = 0.0;
        for v in &closest {
            acc += v;
            running.push(acc);
        }
        let mut rng = Xoshiro256Plus::seed_from_u64(11);
        let mut targets: Vec<f64> = (0..500).map(|_| rng.gen::<f64>() * acc).collect();
        targets.extend((1..200).map(|t| (t * 397) as f64));
        targets.extend([sums[0], sums[0] + 0.5, sums[0] + sums[1], acc - 0.5, acc]);
        for target in targets {
            let want = running.partition_point(|v| *v < target).min(n - 1);
            let got = drawn(&closest, &sums, target);
            assert_eq!(got, want, "target {target}");
            assert!(closest[got] > 0.0, "target {target}");
        }
    }

    #[test]
    fn a_fit_is_the_same_on_one_thread_and_several() {
        // Rows over several blocks, so that the start's candidates, the
        // variances and the bounds are summed in parts on each thread.
        let mut rng = Xoshiro256Plus::seed_from_u64(5);
        let x = Array2::from_shape_fn((3 * BLOCK + 123, 4), |(r, j)| {
            ((r % 5) as f64 + j as f64 * 0.3) + rng.gen::<f64>() * 3.0
        });
        let p = KMeansParams {
            k: 6,
            n_init: 2,
            ..KMeansParams::default()
        };
        let start = |t| {
            crate::par::with_threads(t, || {
                greedy_kmeans_plusplus(x.view(), 6, &mut Xoshiro256Plus::seed_from_u64(9))
            })
        };
        let one = start(1);
        assert_eq!(one, start(3));
        // Six distinct rows of x.
        assert_eq!(distinct_rows(one.view(), 6), 6);
        let fit = |t| crate::par::with_threads(t, || p.fit(x.view()).unwrap());
        let (a, b) = (fit(1), fit(3));
        assert_eq!(a, b);
        assert_eq!(a.sizes.iter().sum::<usize>(), x.nrows());
    }
}
