//! Logistic regression with L2 penalty and optional class weights, fitted by
//! our L-BFGS (`lbfgs.rs`). The objective is Σ wᵢ·log-loss + α/2·‖coef‖² with
//! an unpenalised intercept — scikit-learn's `LogisticRegression(C = 1/α,
//! class_weight=…)`. Tests pin it to linfa-logistic (unweighted) and to
//! scikit-learn (weighted).

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::lbfgs::Lbfgs;
use crate::{Error, Result};

/// How rows are weighted in the loss.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeight {
    /// Every row counts once.
    #[default]
    None,
    /// Each class weighs n / (2 · n_class), as scikit-learn's `"balanced"`:
    /// a rare positive class counts as much as the common one.
    Balanced,
}

impl ClassWeight {
    /// Reads a recipe's `model.class_weight`.
    pub fn parse(s: Option<&str>) -> Result<ClassWeight> {
        match s.map(str::trim) {
            None | Some("") | Some("none") => Ok(ClassWeight::None),
            Some("balanced") => Ok(ClassWeight::Balanced),
            Some(other) => Err(Error::unknown(
                "model.class_weight",
                other,
                &["none", "balanced"],
            )),
        }
    }
}

/// Checked hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    /// L2 strength α (= 1/C in scikit-learn). Default 1.
    pub alpha: f64,
    pub max_iterations: u64,
    /// Stop when the largest gradient component of the *mean* weighted
    /// log-loss is this small (scikit-learn's default `tol`, 1e-4).
    pub gradient_tolerance: f64,
    #[serde(default)]
    pub class_weight: ClassWeight,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            alpha: 1.0,
            max_iterations: 500,
            gradient_tolerance: 1e-4,
            class_weight: ClassWeight::None,
        }
    }
}

/// P(label) = σ(x·coef + intercept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    pub coef: Vec<f64>,
    pub intercept: f64,
}

impl LogisticParams {
    pub fn check(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha.is_finite()) {
            return Err(Error::Recipe {
                detail: format!("logistic regression needs alpha > 0 (got {})", self.alpha),
            });
        }
        Ok(())
    }

    /// Fits on `x` (rows × features, no NaN) and boolean labels with both classes.
    pub fn fit(&self, x: ArrayView2<f64>, y: &[bool]) -> Result<LogisticModel> {
        self.check_data(x, y)?;
        let x = x.as_standard_layout();
        let d = x.ncols();
        self.fit_packed(
            Packed::new(x.as_slice().expect("standard layout is contiguous"), d),
            y,
        )
    }

    /// As `fit`, on a matrix handed over in chunks (`chunks` calls its
    /// argument with each, in row order) and packed as it comes, `binary`
    /// marking the columns that hold only 0 and 1 (one-hot levels): the
    /// dense matrix of a million rows is never whole in memory.
    pub fn fit_chunks(
        &self,
        binary: &[bool],
        y: &[bool],
        chunks: impl FnOnce(&mut dyn FnMut(ArrayView2<f64>)) -> Result<()>,
    ) -> Result<LogisticModel> {
        self.check_labels(y)?;
        let mut packed = Packed::with_kinds(binary, y.len());
        let mut finite = true;
        chunks(&mut |x| {
            finite &= x.iter().all(|v| v.is_finite());
            packed.push_rows(x);
        })?;
        if !finite {
            return Err(not_finite());
        }
        self.fit_packed(packed, y)
    }

    fn check_data(&self, x: ArrayView2<f64>, y: &[bool]) -> Result<()> {
        self.check_labels(y)?;
        if x.iter().any(|v| !v.is_finite()) {
            return Err(not_finite());
        }
        Ok(())
    }

    fn check_labels(&self, y: &[bool]) -> Result<()> {
        self.check()?;
        let positives = y.iter().filter(|b| **b).count();
        if positives == 0 || positives == y.len() {
            return Err(Error::Recipe {
                detail: format!(
                    "the label has one class only ({} of {} rows are positive); a model needs both",
                    positives,
                    y.len()
                ),
            });
        }
        Ok(())
    }

    fn fit_packed(&self, packed: Packed, y: &[bool]) -> Result<LogisticModel> {
        let positives = y.iter().filter(|b| **b).count();
        let n = y.len() as f64;
        let (w_pos, w_neg) = match self.class_weight {
            ClassWeight::None => (1.0, 1.0),
            ClassWeight::Balanced => (
                n / (2.0 * positives as f64),
                n / (2.0 * (y.len() - positives) as f64),
            ),
        };
        let weight_sum = w_pos * positives as f64 + w_neg * (y.len() - positives) as f64;
        let d = packed.dense_cols.len() + packed.binary_cols.len();
        let nd = packed.dense_cols.len();
        let alpha = self.alpha;
        // The coefficients in the packed order: dense columns, then binary ones.
        let mut w_dense = vec![0.0; nd];
        let mut w_ones = vec![0.0; d - nd];
        let mut g_dense = vec![0.0; nd];
        let mut g_ones = vec![0.0; d - nd];
        let objective = |theta: &[f64], grad: &mut [f64]| {
            let (coef, b) = (&theta[..d], theta[d]);
            for (w, &j) in w_dense.iter_mut().zip(&packed.dense_cols) {
                *w = coef[j];
            }
            for (w, &j) in w_ones.iter_mut().zip(&packed.binary_cols) {
                *w = coef[j];
            }
            // Blocks of rows summed apart (on every core there is) and
            // added in their order: the same sums with 1 thread or 8.
            let (w_dense, w_ones, packed) = (&w_dense, &w_ones, &packed);
            let parts: Vec<Part> = crate::par::map_range(y.len(), LOSS_BLOCK, |rows| {
                let mut part = Part::new(nd, d - nd);
                part.add_rows(rows, packed, y, w_dense, w_ones, b, (w_pos, w_neg));
                part
            });
            g_dense.iter_mut().for_each(|g| *g = 0.0);
            g_ones.iter_mut().for_each(|g| *g = 0.0);
            let (mut loss, mut grad_b) = (0.0, 0.0);
            for part in &parts {
                loss += part.loss + w_neg * part.logs[0] + w_pos * part.logs[1];
                grad_b += part.grad_b;
                for (g, p) in g_dense.iter_mut().zip(part.g_dense.iter()) {
                    *g += p;
                }
                for (g, p) in g_ones.iter_mut().zip(part.g_ones.iter()) {
                    *g += p;
                }
            }
            for (g, &j) in g_dense.iter().zip(&packed.dense_cols) {
                grad[j] = *g;
            }
            for (g, &j) in g_ones.iter().zip(&packed.binary_cols) {
                grad[j] = *g;
            }
            let mut penalty = 0.0;
            for (g, c) in grad[..d].iter_mut().zip(coef) {
                *g += alpha * c;
                penalty += c * c;
            }
            grad[d] = grad_b;
            loss + 0.5 * alpha * penalty
        };
        let solver = Lbfgs {
            max_iterations: self.max_iterations as usize,
            gradient_tolerance: self.gradient_tolerance * weight_sum,
            ..Lbfgs::default()
        };
        let m = solver.minimise(vec![0.0; d + 1], objective);
        if !m.converged || m.x.iter().any(|v| !v.is_finite()) {
            return Err(Error::Recipe {
                detail: format!(
                    "logistic regression did not converge in {} iterations; the data may be perfectly separable or badly scaled — check for a feature that restates the label, or raise alpha",
                    m.iterations
                ),
            });
        }
        Ok(LogisticModel {
            coef: m.x[..d].to_vec(),
            intercept: m.x[d],
        })
    }
}

fn not_finite() -> Error {
    Error::Recipe {
        detail: "the design matrix has a value that is not a finite number".into(),
    }
}

/// Rows a block of the loss takes (a multiple of the 512 the logs are
/// gathered by): 256 blocks at 8M rows, few enough to add up in order.
const LOSS_BLOCK: usize = 32_768;

/// One block's share of the loss and gradient.
struct Part {
    loss: f64,
    /// Σ ln(1 + e) per class (negatives, positives), unweighted.
    logs: [f64; 2],
    grad_b: f64,
    g_dense: crate::par::Padded<f64>,
    g_ones: crate::par::Padded<f64>,
}

impl Part {
    fn new(dense: usize, ones: usize) -> Part {
        Part {
            loss: 0.0,
            logs: [0.0; 2],
            grad_b: 0.0,
            g_dense: crate::par::Padded::zeros(dense),
            g_ones: crate::par::Padded::zeros(ones),
        }
    }

    /// Adds rows `rows` at coefficients (`w_dense`, `w_ones`, `b`) with
    /// class weights (`w_pos`, `w_neg`).
    #[allow(clippy::too_many_arguments)]
    fn add_rows(
        &mut self,
        rows: std::ops::Range<usize>,
        packed: &Packed,
        y: &[bool],
        w_dense: &[f64],
        w_ones: &[f64],
        b: f64,
        (w_pos, w_neg): (f64, f64),
    ) {
        // Σ ln(1 + e) per class as the log of a running product, one
        // ln per 512 rows instead of one a row (ln is software in wasm):
        // each factor is in (1, 2], so 512 of them stay below 2^512, and
        // the product's rounding (≤ 512 ulps) is below the sum's own.
        let (mut product, mut factors) = ([1.0f64; 2], 0);
        for i in rows {
            let yi = y[i];
            let row = packed.dense_row(i);
            let ones = packed.ones(i);
            let z =
                row_dot(row, w_dense) + ones.iter().map(|&k| w_ones[k as usize]).sum::<f64>() + b;
            let w = if yi { w_pos } else { w_neg };
            // log(1 + e^z) − y·z and the sigmoid, stably, from one
            // exponential (e^−|z| ≤ 1): log(1 + e^z) = max(z, 0) + ln(1 + e).
            let e = (-z.abs()).exp();
            let one_e = 1.0 + e;
            product[usize::from(yi)] *= one_e;
            factors += 1;
            if factors == 512 {
                self.logs[0] += product[0].ln();
                self.logs[1] += product[1].ln();
                (product, factors) = ([1.0; 2], 0);
            }
            self.loss += w * (z.max(0.0) - if yi { z } else { 0.0 });
            let p = if z >= 0.0 { 1.0 / one_e } else { e / one_e };
            let r = w * (p - if yi { 1.0 } else { 0.0 });
            self.grad_b += r;
            for (g, v) in self.g_dense.iter_mut().zip(row) {
                *g += r * v;
            }
            for &k in ones {
                self.g_ones[k as usize] += r;
            }
        }
        self.logs[0] += product[0].ln();
        self.logs[1] += product[1].ln();
    }
}

/// The training rows as the loss reads them, once per evaluation: the
/// columns holding only 0 and 1 (one-hot dummies, most of a typical design)
/// as the list of each row's ones, the rest packed densely. The wealth
/// design (63 columns, 44 of them dummies) shrinks to a third of its bytes,
/// and the fit, which streams it some 50 times, is bound by those bytes.
/// The sums are the dense ones without their zero terms.
struct Packed<'a> {
    dense_cols: Vec<usize>,
    binary_cols: Vec<usize>,
    /// Rows × dense columns (borrowed when no column is binary).
    dense: std::borrow::Cow<'a, [f64]>,
    /// Row i's ones are `ones[starts[i]..starts[i + 1]]`, as positions in `binary_cols`.
    starts: Vec<usize>,
    ones: Vec<u32>,
}

impl<'a> Packed<'a> {
    /// `rows`: row-major, `d` values a row; the binary columns found in them.
    fn new(rows: &'a [f64], d: usize) -> Packed<'a> {
        let n = rows.len().checked_div(d).unwrap_or(0);
        let mut binary = vec![true; d];
        for row in rows.chunks_exact(d.max(1)) {
            for (b, &v) in binary.iter_mut().zip(row) {
                *b &= v == 0.0 || v == 1.0;
            }
        }
        if binary.contains(&true) {
            let mut packed = Packed::with_kinds(&binary, n);
            packed.push_rows(ArrayView2::from_shape((n, d), rows).expect("n rows of d values"));
            return packed;
        }
        Packed {
            dense_cols: (0..d).collect(),
            binary_cols: Vec::new(),
            dense: rows.into(),
            starts: vec![0; n + 1],
            ones: Vec::new(),
        }
    }

    /// An empty packing of `rows` rows whose binary columns are given,
    /// for `push_rows` (reserved whole: in wasm, a doubling vector of
    /// 100 MB leaves holes the size of its old copies).
    fn with_kinds(binary: &[bool], rows: usize) -> Packed<'static> {
        let (dense_cols, binary_cols): (Vec<usize>, Vec<usize>) =
            (0..binary.len()).partition(|&j| !binary[j]);
        let mut starts = Vec::with_capacity(rows + 1);
        starts.push(0);
        Packed {
            dense: Vec::with_capacity(rows * dense_cols.len()).into(),
            dense_cols,
            binary_cols,
            starts,
            ones: Vec::new(),
        }
    }

    /// Appends rows; a binary column's nonzero value counts as a one.
    fn push_rows(&mut self, x: ArrayView2<f64>) {
        let first = self.starts.len() == 1;
        let dense = self.dense.to_mut();
        for row in x.rows() {
            dense.extend(self.dense_cols.iter().map(|&j| row[j]));
            self.ones.extend(
                self.binary_cols
                    .iter()
                    .enumerate()
                    .filter(|(_, &j)| row[j] != 0.0)
                    .map(|(k, _)| k as u32),
            );
            self.starts.push(self.ones.len());
        }
        // The ones of the rows to come, reckoned from the first chunk's.
        if first && x.nrows() > 0 {
            let to_come = self.starts.capacity().saturating_sub(self.starts.len());
            let per_row = self.ones.len() as f64 / x.nrows() as f64;
            self.ones
                .reserve((to_come as f64 * per_row * 1.02) as usize + 64);
        }
    }

    fn dense_row(&self, i: usize) -> &[f64] {
        let nd = self.dense_cols.len();
        &self.dense[i * nd..(i + 1) * nd]
    }

    fn ones(&self, i: usize) -> &[u32] {
        &self.ones[self.starts[i]..self.starts[i + 1]]
    }
}

/// x·w with four running sums, so the compiler can use vector registers.
fn row_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    acc[0] + acc[1] + acc[2] + acc[3] + tail
}

impl LogisticModel {
    pub fn decision(&self, x: ArrayView2<f64>) -> Array1<f64> {
        x.dot(&Array1::from(self.coef.clone())) + self.intercept
    }

    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Vec<f64> {
        self.decision(x)
            .iter()
            .map(|z| 1.0 / (1.0 + (-z).exp()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn learns_the_direction_and_refuses_one_class() {
        let x = array![[-2.0], [-1.0], [-0.5], [0.2], [0.4], [1.0], [2.0], [-0.1]];
        let y = [false, false, false, true, false, true, true, true];
        let m = LogisticParams::default().fit(x.view(), &y).unwrap();
        assert!(m.coef[0] > 0.0, "{m:?}");
        let p = m.predict_proba(x.view());
        assert!(p[6] > 0.7 && p[0] < 0.3, "{p:?}");
        let e = LogisticParams::default()
            .fit(x.view(), &[true; 8])
            .unwrap_err();
        assert!(e.to_string().contains("one class"), "{e}");
        let bad = LogisticParams {
            alpha: 0.0,
            ..Default::default()
        };
        assert!(bad.fit(x.view(), &y).is_err());
    }

    /// Seeded data with a known linear signal, some noise and a nuisance column.
    fn seeded(n: usize) -> (Array2<f64>, Vec<bool>) {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        let mut x = Array2::zeros((n, 5));
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            for j in 0..5 {
                x[[i, j]] = rng.gen::<f64>() * 4.0 - 2.0;
            }
            let z = 1.5 * x[[i, 0]] - 0.8 * x[[i, 1]] + 0.3 * x[[i, 2]] - 1.0;
            y.push(rng.gen::<f64>() < 1.0 / (1.0 + (-z).exp()));
        }
        (x, y)
    }

    /// Stopped far past the default tolerance, to compare with linfa's optimum.
    #[cfg(not(target_arch = "wasm32"))]
    fn tight() -> LogisticParams {
        LogisticParams {
            gradient_tolerance: 1e-10,
            ..Default::default()
        }
    }

    /// linfa-logistic's fit of the same objective (α = 1, unweighted) on
    /// `x`, `y` has `ours`'s coefficients and intercept (its sign follows
    /// which class linfa takes as positive).
    #[cfg(not(target_arch = "wasm32"))]
    fn assert_matches_linfa(ours: &LogisticModel, x: &Array2<f64>, y: &[bool]) {
        use linfa::prelude::*;
        let data = Dataset::new(x.clone(), y.iter().copied().collect::<Array1<bool>>());
        let theirs = linfa_logistic::LogisticRegression::default()
            .alpha(1.0)
            .gradient_tolerance(1e-8)
            .max_iterations(1000)
            .fit(&data)
            .unwrap();
        let sign = if theirs.labels().pos.class { 1.0 } else { -1.0 };
        for (a, b) in ours.coef.iter().zip(theirs.params()) {
            assert!(
                (a - sign * b).abs() < 1e-6,
                "{ours:?} vs {:?}",
                theirs.params()
            );
        }
        assert!((ours.intercept - sign * theirs.intercept()).abs() < 1e-6);
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn matches_linfa_logistic_on_the_same_objective() {
        let (x, y) = seeded(2000);
        let ours = tight().fit(x.view(), &y).unwrap();
        assert_matches_linfa(&ours, &x, &y);
    }

    /// The packed path (binary columns as lists of ones) against linfa's
    /// dense one, on a design that mixes numbers, one-hot dummies, a
    /// constant-one and an all-zero column.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn one_hot_columns_fit_as_linfa_fits_them_densely() {
        let (base, _) = seeded(3000);
        let mut x = Array2::zeros((3000, 7));
        let mut y = Vec::with_capacity(3000);
        for i in 0..3000 {
            let level = (base[[i, 3]] + 2.0) as usize % 3;
            x[[i, 0]] = base[[i, 0]];
            x[[i, 1]] = base[[i, 1]];
            x[[i, 2 + level]] = 1.0;
            x[[i, 5]] = 1.0;
            let z = 1.2 * base[[i, 0]] - 0.7 * base[[i, 1]] + [0.8, -0.5, 0.0][level];
            y.push(base[[i, 4]] < 4.0 / (1.0 + (-z).exp()) - 2.0);
        }
        let packed = Packed::new(x.as_slice().unwrap(), 7);
        assert_eq!(packed.dense_cols, vec![0, 1]);
        assert_eq!(packed.binary_cols, vec![2, 3, 4, 5, 6]);
        let ours = tight().fit(x.view(), &y).unwrap();
        assert_matches_linfa(&ours, &x, &y);
        assert!(ours.coef[2] > ours.coef[3], "{ours:?}");
        // Packed as chunks come, the binary columns given: the same fit.
        let mut binary = vec![true; 7];
        binary[..2].fill(false);
        let chunked = tight()
            .fit_chunks(&binary, &y, |each| {
                for part in x.axis_chunks_iter(ndarray::Axis(0), 700) {
                    each(part);
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(chunked, ours);
    }

    #[test]
    fn balanced_weights_shift_the_intercept_towards_the_rare_class() {
        let (x, y) = seeded(3000);
        let plain = LogisticParams::default().fit(x.view(), &y).unwrap();
        let balanced = LogisticParams {
            class_weight: ClassWeight::Balanced,
            ..Default::default()
        }
        .fit(x.view(), &y)
        .unwrap();
        // About a quarter of rows are positive: weighting them up raises the
        // intercept, while the slopes keep their signs and rough size.
        let share = y.iter().filter(|b| **b).count() as f64 / y.len() as f64;
        assert!(share < 0.4, "{share}");
        assert!(
            balanced.intercept > plain.intercept + 0.3,
            "{plain:?} {balanced:?}"
        );
        assert!(
            balanced.coef[0] > 1.0 && balanced.coef[1] < -0.5,
            "{balanced:?}"
        );
        let mean_p = |m: &LogisticModel| m.predict_proba(x.view()).iter().sum::<f64>() / 3000.0;
        assert!((mean_p(&plain) - share).abs() < 0.01);
        assert!(
            mean_p(&balanced) > share + 0.05 && mean_p(&balanced) < 0.55,
            "{share} {}",
            mean_p(&balanced)
        );
        assert!(ClassWeight::parse(Some("balanced")).unwrap() == ClassWeight::Balanced);
        let e = ClassWeight::parse(Some("auto")).unwrap_err().to_string();
        assert!(e.contains("balanced"), "{e}");
    }

    #[test]
    fn separable_data_converges_under_l2() {
        let x = array![[-3.0], [-2.0], [-1.0], [1.0], [2.0], [3.0]];
        let y = [false, false, false, true, true, true];
        let m = LogisticParams::default().fit(x.view(), &y).unwrap();
        assert!(m.coef[0].is_finite() && m.coef[0] > 0.5, "{m:?}");
    }
}
