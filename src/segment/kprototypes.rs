//! K-Prototypes (Huang 1997) for customers with numeric and categorical
//! fields; no well-kept crate has it. It follows the Python `kmodes`
//! package step for step, so the two can be compared: Cao initialisation of
//! the modes, numeric centres drawn as mean + N(0, 1) × std, points moved
//! one at a time with the centres and modes updated as they move, a run
//! stopping when no point moves or the cost stops falling, `n_init` seeded
//! runs with the lowest cost kept. Cost = squared Euclidean distance on the
//! numeric fields + γ × the number of mismatched categorical fields.
//!
//! Differences from `kmodes`, on purpose: the random numbers are ours (so
//! single runs differ; the test compares the best cost of ten), and a
//! cluster emptied during iteration is re-seeded from the largest cluster
//! with both its mean and its mode recomputed (`kmodes` leaves the mean at
//! zero until the next move); how many re-seeds happened is reported.

use ndarray::{Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use super::invalid;
use crate::prep::{Prep, Transform};
use crate::Result;

/// Initial clusters that stay empty are redrawn this many times.
const INIT_TRIES: usize = 20;

/// Checked hyper-parameters, in the shape of linfa's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KPrototypesParams {
    pub k: usize,
    pub n_init: usize,
    pub seed: u64,
    pub max_iterations: usize,
    /// Weight of one categorical mismatch; None = half the mean standard
    /// deviation of the numeric fields (the `kmodes` default).
    pub gamma: Option<f64>,
}

impl Default for KPrototypesParams {
    fn default() -> Self {
        KPrototypesParams {
            k: 4,
            n_init: 10,
            seed: 7,
            max_iterations: 100,
            gamma: None,
        }
    }
}

/// Customers as numeric fields and categorical codes (`levels[j]` codes in
/// column j, 0-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Mixed {
    pub numeric: Array2<f64>,
    pub codes: Array2<u32>,
    pub levels: Vec<usize>,
}

/// The fitted model: numeric centres, modes, and each row's cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct KPrototypes {
    pub centres: Array2<f64>,
    pub modes: Array2<u32>,
    pub gamma: f64,
    pub labels: Vec<usize>,
    pub cost: f64,
    pub sizes: Vec<usize>,
    /// Clusters emptied during the kept run and re-seeded.
    pub reseeded: usize,
}

/// Where the numeric and categorical fields sit in a prepared design
/// matrix: categorical columns are one-hot groups there.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    pub numeric: Vec<usize>,
    pub groups: Vec<Vec<usize>>,
}

impl Layout {
    pub fn of(prep: &Prep) -> Layout {
        let mut layout = Layout::default();
        let mut at = 0;
        for t in &prep.transforms {
            match t {
                Transform::OneHot { levels, .. } => {
                    layout.groups.push((at..at + levels.len()).collect());
                    at += levels.len();
                }
                _ => {
                    layout.numeric.push(at);
                    at += 1;
                }
            }
        }
        layout
    }

    /// Splits a design matrix (possibly scaled) into numeric fields and
    /// codes: the largest column of each group (a row with none set, an
    /// unseen category, gets a level of its own).
    pub fn split(&self, x: ArrayView2<f64>) -> Mixed {
        let n = x.nrows();
        let numeric =
            Array2::from_shape_fn((n, self.numeric.len()), |(r, j)| x[[r, self.numeric[j]]]);
        let codes = Array2::from_shape_fn((n, self.groups.len()), |(r, g)| {
            let cols = &self.groups[g];
            let (best, v) = cols
                .iter()
                .enumerate()
                .fold((cols.len(), 0.0), |m, (i, &c)| {
                    if x[[r, c]] > m.1 {
                        (i, x[[r, c]])
                    } else {
                        m
                    }
                });
            if v > 0.0 {
                best as u32
            } else {
                cols.len() as u32
            }
        });
        Mixed {
            numeric,
            codes,
            levels: self.groups.iter().map(|g| g.len() + 1).collect(),
        }
    }

    /// Per design column, the factor that makes squared Euclidean distance
    /// the K-Prototypes cost: 1 on numerics, √(γ/2) on one-hot columns
    /// (two one-hot rows that differ differ in two columns).
    pub fn scale(&self, gamma: f64) -> Vec<f64> {
        let width = self.numeric.len() + self.groups.iter().map(Vec::len).sum::<usize>();
        let mut s = vec![1.0; width];
        for g in &self.groups {
            for &c in g {
                s[c] = (gamma / 2.0).sqrt();
            }
        }
        s
    }

    /// Centres back in the design space: means, and modes as one-hot rows.
    pub fn join(&self, fit: &KPrototypes, scale: &[f64]) -> Array2<f64> {
        let mut c = Array2::zeros((fit.centres.nrows(), scale.len()));
        for l in 0..c.nrows() {
            for (j, &col) in self.numeric.iter().enumerate() {
                c[[l, col]] = fit.centres[[l, j]];
            }
            for (g, cols) in self.groups.iter().enumerate() {
                if let Some(&col) = cols.get(fit.modes[[l, g]] as usize) {
                    c[[l, col]] = scale[col];
                }
            }
        }
        c
    }
}

/// Half the mean (population) standard deviation of the numeric fields.
pub fn default_gamma(numeric: ArrayView2<f64>) -> f64 {
    let n = numeric.nrows().max(1) as f64;
    let p = numeric.ncols();
    if p == 0 {
        return 1.0;
    }
    let total: f64 = numeric
        .columns()
        .into_iter()
        .map(|c| {
            let mean = c.sum() / n;
            (c.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
        })
        .sum();
    0.5 * total / p as f64
}

/// Cao et al. (2009): the densest row first, then each next the row with
/// the largest density × distance to its nearest chosen mode.
fn init_cao(codes: ArrayView2<u32>, levels: &[usize], k: usize) -> Array2<u32> {
    let (n, q) = codes.dim();
    let mut dens = vec![0.0; n];
    for j in 0..q {
        let mut freq = vec![0usize; levels[j]];
        for r in 0..n {
            freq[codes[[r, j]] as usize] += 1;
        }
        for (r, d) in dens.iter_mut().enumerate() {
            *d += freq[codes[[r, j]] as usize] as f64 / n as f64 / q as f64;
        }
    }
    let argmax = |v: &[f64]| {
        v.iter()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |m, (i, &x)| if x > m.1 { (i, x) } else { m },
            )
            .0
    };
    let mut modes = Array2::zeros((k, q));
    modes.row_mut(0).assign(&codes.row(argmax(&dens)));
    let mut nearest = vec![f64::INFINITY; n];
    for l in 1..k {
        for r in 0..n {
            let d = mismatches(codes.row(r).as_slice(), modes.row(l - 1).as_slice()) as f64;
            nearest[r] = nearest[r].min(d * dens[r]);
        }
        let pick = argmax(&nearest);
        modes.row_mut(l).assign(&codes.row(pick));
    }
    modes
}

fn mismatches(a: Option<&[u32]>, b: Option<&[u32]>) -> usize {
    match (a, b) {
        (Some(a), Some(b)) => a.iter().zip(b).filter(|(x, y)| x != y).count(),
        _ => 0,
    }
}

fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    // Box-Muller.
    let u: f64 = 1.0 - rng.gen::<f64>();
    let v: f64 = rng.gen();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// The state of one run: sums and level counts per cluster.
struct Run<'a> {
    x: &'a [f64],
    c: &'a [u32],
    p: usize,
    q: usize,
    gamma: f64,
    centres: Vec<f64>,
    modes: Vec<u32>,
    sums: Vec<f64>,
    members: Vec<usize>,
    /// counts[(l * q + j)][level]
    counts: Vec<Vec<usize>>,
    labels: Vec<usize>,
}

impl Run<'_> {
    fn cost_to(&self, r: usize, l: usize) -> f64 {
        let (p, q) = (self.p, self.q);
        let row = &self.x[r * p..(r + 1) * p];
        let cen = &self.centres[l * p..(l + 1) * p];
        let num: f64 = row.iter().zip(cen).map(|(a, b)| (a - b) * (a - b)).sum();
        let cats = &self.c[r * q..(r + 1) * q];
        let mode = &self.modes[l * q..(l + 1) * q];
        num + self.gamma * cats.iter().zip(mode).filter(|(a, b)| a != b).count() as f64
    }

    fn nearest(&self, r: usize, k: usize) -> (usize, f64) {
        (0..k)
            .map(|l| (l, self.cost_to(r, l)))
            .fold(
                (0, f64::INFINITY),
                |m, (l, d)| if d < m.1 { (l, d) } else { m },
            )
    }

    /// Most frequent level (ties: the smallest code, as `kmodes`).
    fn mode_of(counts: &[usize]) -> u32 {
        counts
            .iter()
            .enumerate()
            .fold((0, 0), |m, (i, &c)| if c > m.1 { (i, c) } else { m })
            .0 as u32
    }

    fn add(&mut self, r: usize, l: usize) {
        let (p, q) = (self.p, self.q);
        for j in 0..p {
            self.sums[l * p + j] += self.x[r * p + j];
        }
        self.members[l] += 1;
        for j in 0..q {
            self.counts[l * q + j][self.c[r * q + j] as usize] += 1;
        }
        self.labels[r] = l;
    }

    fn refresh(&mut self, l: usize) {
        let (p, q) = (self.p, self.q);
        for j in 0..p {
            self.centres[l * p + j] = if self.members[l] > 0 {
                self.sums[l * p + j] / self.members[l] as f64
            } else {
                0.0
            };
        }
        for j in 0..q {
            self.modes[l * q + j] = Self::mode_of(&self.counts[l * q + j]);
        }
    }

    /// Moves row r from its cluster to `to`, updating both clusters.
    fn shift(&mut self, r: usize, to: usize) {
        let (p, q) = (self.p, self.q);
        let from = self.labels[r];
        for j in 0..p {
            self.sums[from * p + j] -= self.x[r * p + j];
        }
        self.members[from] -= 1;
        for j in 0..q {
            self.counts[from * q + j][self.c[r * q + j] as usize] -= 1;
        }
        self.add(r, to);
        self.refresh(from);
        self.refresh(to);
    }

    fn cost(&self, k: usize) -> (Vec<usize>, f64) {
        let n = self.labels.len();
        let mut labels = Vec::with_capacity(n);
        let mut total = 0.0;
        for r in 0..n {
            let (l, d) = self.nearest(r, k);
            labels.push(l);
            total += d;
        }
        (labels, total)
    }
}

impl KPrototypesParams {
    pub fn check(&self, data: &Mixed) -> Result<()> {
        if self.k < 1 || self.n_init < 1 || self.max_iterations < 1 {
            return Err(invalid(
                format!(
                    "K-Prototypes needs k ≥ 1, n_init ≥ 1 and max_iterations ≥ 1 (got k {}, n_init {}, max_iterations {})",
                    self.k, self.n_init, self.max_iterations
                ),
                format!("K-Prototypes 参数无效：k {}、n_init {}", self.k, self.n_init),
            ));
        }
        if let Some(g) = self.gamma {
            if !(g.is_finite() && g >= 0.0) {
                return Err(invalid(
                    format!("K-Prototypes gamma must be a number ≥ 0 (got {g})"),
                    format!("K-Prototypes 的 gamma 必须是不小于 0 的数（当前 {g}）"),
                ));
            }
        }
        if data.codes.ncols() == 0 {
            return Err(invalid(
                "K-Prototypes needs at least one categorical column and this data has none; use segment.method \"kmeans\" for numeric-only data".into(),
                "K-Prototypes 至少需要一个分类列，此数据没有；纯数值数据请用 segment.method \"kmeans\"".into(),
            ));
        }
        if data.numeric.ncols() == 0 {
            return Err(invalid(
                "K-Prototypes needs at least one numeric column and this data has none; use segment.method \"kmeans\" (it clusters the one-hot columns) or add a numeric column".into(),
                "K-Prototypes 至少需要一个数值列，此数据没有；请改用 segment.method \"kmeans\"（对独热列聚类）或加入数值列".into(),
            ));
        }
        let distinct = {
            let mut seen = rustc_hash::FxHashSet::default();
            for (a, b) in data.numeric.rows().into_iter().zip(data.codes.rows()) {
                let key: (Vec<u64>, Vec<u32>) =
                    (a.iter().map(|v| v.to_bits()).collect(), b.to_vec());
                seen.insert(key);
                if seen.len() >= self.k {
                    break;
                }
            }
            seen.len()
        };
        if distinct < self.k {
            return Err(invalid(
                format!(
                    "K-Prototypes cannot make {} segments from {distinct} distinct customers (rows); choose k ≤ {distinct}",
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

    pub fn fit(&self, data: &Mixed) -> Result<KPrototypes> {
        self.check(data)?;
        let gamma = self
            .gamma
            .unwrap_or_else(|| default_gamma(data.numeric.view()));
        let x = data.numeric.as_standard_layout().to_owned();
        let c = data.codes.as_standard_layout().to_owned();
        let modes = init_cao(c.view(), &data.levels, self.k);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.seed);
        let seeds: Vec<u64> = (0..self.n_init).map(|_| rng.gen::<u64>()).collect();
        let mut best: Option<KPrototypes> = None;
        // Each restart is a run of its own from its own seed: the restarts
        // go to the cores a round at a time (as many as there are threads,
        // so no more runs' labels are held at once), and the best is kept in
        // seed order as on one thread.
        for round in seeds.chunks(crate::par::threads()) {
            let fits = crate::par::map(round.to_vec(), |seed| {
                self.single(&x, &c, &data.levels, &modes, gamma, seed)
            });
            for fit in fits {
                if best.as_ref().is_none_or(|b| fit.cost < b.cost) {
                    best = Some(fit);
                }
            }
        }
        best.ok_or_else(|| {
            invalid(
                "K-Prototypes made no run".into(),
                "K-Prototypes 未运行".into(),
            )
        })
    }

    fn single(
        &self,
        x: &Array2<f64>,
        c: &Array2<u32>,
        levels: &[usize],
        cao: &Array2<u32>,
        gamma: f64,
        seed: u64,
    ) -> KPrototypes {
        let (n, p) = x.dim();
        let q = c.ncols();
        let k = self.k;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mean: Vec<f64> = (0..p).map(|j| x.column(j).sum() / n as f64).collect();
        let std: Vec<f64> = (0..p)
            .map(|j| {
                (x.column(j)
                    .iter()
                    .map(|v| (v - mean[j]) * (v - mean[j]))
                    .sum::<f64>()
                    / n as f64)
                    .sqrt()
            })
            .collect();
        let xs = x.as_slice().expect("standard layout");
        let cs = c.as_slice().expect("standard layout");
        let empty_run = |modes: Vec<u32>, centres: Vec<f64>| Run {
            x: xs,
            c: cs,
            p,
            q,
            gamma,
            centres,
            modes,
            sums: vec![0.0; k * p],
            members: vec![0; k],
            counts: (0..k * q).map(|i| vec![0; levels[i % q]]).collect(),
            labels: vec![0; n],
        };
        // Initial assignment; numeric centres that leave a cluster empty are
        // redrawn, and after INIT_TRIES the modes come from random rows.
        let mut run = None;
        for attempt in 0..=INIT_TRIES * 2 {
            let modes: Vec<u32> = if attempt < INIT_TRIES {
                cao.iter().copied().collect()
            } else {
                (0..k)
                    .flat_map(|_| c.row(rng.gen_range(0..n)).to_vec())
                    .collect()
            };
            let centres: Vec<f64> = (0..k * p)
                .map(|i| mean[i % p] + normal(&mut rng) * std[i % p])
                .collect();
            let mut r = empty_run(modes, centres);
            for i in 0..n {
                let (l, _) = r.nearest(i, k);
                r.add(i, l);
            }
            let ok = r.members.iter().all(|&m| m > 0);
            run = Some(r);
            if ok {
                break;
            }
        }
        let mut run = run.expect("at least one attempt");
        for l in 0..k {
            run.refresh(l);
        }
        let mut cost = run.cost(k).1;
        let mut reseeded = 0;
        for _ in 0..self.max_iterations {
            let mut moves = 0;
            for i in 0..n {
                let (to, _) = run.nearest(i, k);
                let from = run.labels[i];
                if to == from {
                    continue;
                }
                moves += 1;
                run.shift(i, to);
                if run.members[from] == 0 {
                    // Re-seed the emptied cluster with a random row of the largest.
                    let largest = (0..k).max_by_key(|&l| run.members[l]).unwrap_or(0);
                    let choices: Vec<usize> =
                        (0..n).filter(|&r| run.labels[r] == largest).collect();
                    let pick = choices[rng.gen_range(0..choices.len())];
                    run.shift(pick, from);
                    reseeded += 1;
                }
            }
            let next = run.cost(k).1;
            let converged = moves == 0 || next >= cost;
            cost = next;
            if converged {
                break;
            }
        }
        let (labels, cost) = run.cost(k);
        let sizes = super::kmeans::sizes(&labels, k);
        KPrototypes {
            centres: Array2::from_shape_vec((k, p), run.centres).expect("k × p"),
            modes: Array2::from_shape_vec((k, q), run.modes).expect("k × q"),
            gamma,
            labels,
            cost,
            sizes,
            reseeded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Mixed {
        // Two obvious groups: low numbers with level 0, high with level 1.
        let numeric = Array2::from_shape_fn((40, 2), |(r, j)| {
            let base = if r < 20 { 0.0 } else { 10.0 };
            base + ((r * 7 + j * 3) % 5) as f64 * 0.1
        });
        let codes = Array2::from_shape_fn((40, 1), |(r, _)| u32::from(r >= 20));
        Mixed {
            numeric,
            codes,
            levels: vec![2],
        }
    }

    #[test]
    fn separates_two_obvious_groups() {
        let fit = KPrototypesParams {
            k: 2,
            ..Default::default()
        }
        .fit(&toy())
        .unwrap();
        assert_eq!(fit.sizes.len(), 2);
        assert!(fit.sizes.iter().all(|&s| s == 20), "{:?}", fit.sizes);
        let first = fit.labels[0];
        assert!(fit.labels[..20].iter().all(|&l| l == first));
        assert!(fit.labels[20..].iter().all(|&l| l != first));
        assert_eq!(fit.modes[[first, 0]], 0);
        assert_eq!(fit.modes[[1 - first, 0]], 1);
    }

    #[test]
    fn cost_is_what_the_labels_say() {
        let data = toy();
        let fit = KPrototypesParams {
            k: 3,
            gamma: Some(0.7),
            ..Default::default()
        }
        .fit(&data)
        .unwrap();
        let mut total = 0.0;
        for (r, &l) in fit.labels.iter().enumerate() {
            let num: f64 = (0..2)
                .map(|j| (data.numeric[[r, j]] - fit.centres[[l, j]]).powi(2))
                .sum();
            let cat = f64::from(u8::from(data.codes[[r, 0]] != fit.modes[[l, 0]]));
            total += num + 0.7 * cat;
        }
        assert!((total - fit.cost).abs() < 1e-9, "{total} vs {}", fit.cost);
    }

    #[test]
    fn degenerate_inputs_are_refused_with_advice() {
        let data = toy();
        let numeric_only = Mixed {
            codes: Array2::zeros((40, 0)),
            levels: vec![],
            ..data.clone()
        };
        let e = KPrototypesParams::default()
            .fit(&numeric_only)
            .unwrap_err()
            .to_string();
        assert!(e.contains("kmeans"), "{e}");
        let cat_only = Mixed {
            numeric: Array2::zeros((40, 0)),
            ..data.clone()
        };
        let e = KPrototypesParams::default()
            .fit(&cat_only)
            .unwrap_err()
            .to_string();
        assert!(e.contains("numeric"), "{e}");
        let few = Mixed {
            numeric: Array2::zeros((5, 1)),
            codes: Array2::zeros((5, 1)),
            levels: vec![1],
        };
        let e = KPrototypesParams {
            k: 2,
            ..Default::default()
        }
        .fit(&few)
        .unwrap_err()
        .to_string();
        assert!(e.contains("k ≤ 1"), "{e}");
    }

    #[test]
    fn layout_round_trips_codes_and_scales_to_the_cost() {
        // Columns: num, cat(a,b,c), num.
        let layout = Layout {
            numeric: vec![0, 4],
            groups: vec![vec![1, 2, 3]],
        };
        let x = ndarray::array![[0.5, 0.0, 1.0, 0.0, 2.0], [1.0, 0.0, 0.0, 0.0, 3.0]];
        let m = layout.split(x.view());
        assert_eq!(m.codes[[0, 0]], 1);
        assert_eq!(m.codes[[1, 0]], 3, "no level set: a level of its own");
        assert_eq!(m.levels, vec![4]);
        let s = layout.scale(0.8);
        assert!((s[2] * s[2] * 2.0 - 0.8).abs() < 1e-12);
        assert_eq!(s[0], 1.0);
    }

    /// Restarts on the cores, a round at a time, keep the best run of the
    /// seeds in order: the same fit bit for bit on one thread and three.
    #[test]
    fn same_fit_on_one_thread_and_three() {
        let numeric = Array2::from_shape_fn((3_000, 2), |(r, j)| {
            ((r * 37 + j * 11) % 101) as f64 / 10.0 + (r % 3) as f64
        });
        let codes = Array2::from_shape_fn((3_000, 2), |(r, j)| ((r * (j + 3)) % 4) as u32);
        let data = Mixed {
            numeric,
            codes,
            levels: vec![4, 4],
        };
        let p = KPrototypesParams {
            k: 3,
            n_init: 5,
            ..Default::default()
        };
        let one = crate::par::with_threads(1, || p.fit(&data).unwrap());
        let three = crate::par::with_threads(3, || p.fit(&data).unwrap());
        assert_eq!(one.labels, three.labels);
        assert_eq!(one.cost.to_bits(), three.cost.to_bits());
        assert_eq!(one.centres, three.centres);
        assert_eq!(one.modes, three.modes);
        assert_eq!(one.reseeded, three.reseeded);
    }
}
