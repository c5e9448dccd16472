//! Gradient-boosted trees for binary log-loss, in the shape of LightGBM:
//! checked parameters with LightGBM's names and defaults (`GbdtParams`),
//! quantile bins computed once (`bins`), leaf-wise histogram growth
//! (`grow`), exact TreeSHAP (`shap`) and a loader of LightGBM's text model
//! (`lightgbm`) that pins our prediction and SHAP to LightGBM's own.
//!
//! No threads, no clock: the same code runs in wasm32 and gives the same
//! trees for the same seed.

pub mod bins;
mod grow;
pub mod lightgbm;
pub mod shap;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// LightGBM's `kZeroThreshold` (a float constant widened to double): values
/// within it count as zero.
pub const ZERO_THRESHOLD: f64 = 1e-35_f32 as f64;

/// Hyper-parameters, named and defaulted as LightGBM's (aliases as LightGBM
/// or its scikit-learn wrapper spell them). `check` before fitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GbdtParams {
    /// Most leaves per tree.
    pub num_leaves: usize,
    /// Deepest leaf; -1 = no limit (leaf-wise growth is bounded by `num_leaves`).
    pub max_depth: i32,
    /// Fewest training rows in a leaf (LightGBM `min_data_in_leaf`).
    #[serde(alias = "min_data_in_leaf")]
    pub min_child_samples: usize,
    /// Smallest hessian sum in a leaf (LightGBM `min_sum_hessian_in_leaf`, `min_child_weight`).
    #[serde(alias = "min_child_weight")]
    pub min_sum_hessian_in_leaf: f64,
    #[serde(alias = "eta", alias = "shrinkage_rate")]
    pub learning_rate: f64,
    /// Boosting rounds (LightGBM `num_iterations`).
    #[serde(alias = "num_iterations", alias = "num_boost_round")]
    pub n_estimators: usize,
    /// L2 penalty on leaf values (`reg_lambda`).
    #[serde(alias = "reg_lambda", alias = "lambda")]
    pub lambda_l2: f64,
    /// Smallest gain for a split (`min_gain_to_split`).
    #[serde(alias = "min_gain_to_split")]
    pub min_split_gain: f64,
    /// Most bins per numeric feature (plus one bin for missing values).
    pub max_bin: usize,
    /// Share of rows drawn for each bag (`subsample`); 1 = all rows.
    #[serde(alias = "subsample")]
    pub bagging_fraction: f64,
    /// Draw a new bag every this many rounds (`subsample_freq`); 0 = no bagging.
    #[serde(alias = "subsample_freq")]
    pub bagging_freq: usize,
    /// Share of features each tree may use (`colsample_bytree`).
    #[serde(alias = "colsample_bytree")]
    pub feature_fraction: f64,
    #[serde(alias = "random_state")]
    pub seed: u64,
    /// Stop when the validation log-loss has not improved for this many
    /// rounds and keep the best round's trees; 0 = off. Needs a validation set.
    pub early_stopping_rounds: usize,
    /// Per feature: 1 = the score may only rise with it, -1 = only fall,
    /// 0 = free; empty = none. LightGBM's "basic" method: a split on such
    /// a feature must order its children's outputs, and every leaf below is
    /// bounded by the midpoint between them.
    pub monotone_constraints: Vec<i8>,
    /// Columns whose values are category codes (non-negative integers),
    /// split natively: one category against the rest when it has at most
    /// `max_cat_to_onehot` categories, else LightGBM's many-vs-many split
    /// over categories sorted by gradient / (hessian + `cat_smooth`).
    pub categorical_feature: Vec<usize>,
    pub max_cat_to_onehot: usize,
    /// Most categories on the left of a many-vs-many split.
    pub max_cat_threshold: usize,
    /// Extra L2 penalty in many-vs-many splits.
    pub cat_l2: f64,
    /// Smoothing of each category's gradient ratio; categories with fewer
    /// (estimated) rows than this are left out of the sort.
    pub cat_smooth: f64,
    /// Fewest rows on each side of a many-vs-many split.
    pub min_data_per_group: usize,
}

impl Default for GbdtParams {
    fn default() -> Self {
        GbdtParams {
            num_leaves: 31,
            max_depth: -1,
            min_child_samples: 20,
            min_sum_hessian_in_leaf: 1e-3,
            learning_rate: 0.1,
            n_estimators: 100,
            lambda_l2: 0.0,
            min_split_gain: 0.0,
            max_bin: 255,
            bagging_fraction: 1.0,
            bagging_freq: 0,
            feature_fraction: 1.0,
            seed: 0,
            early_stopping_rounds: 0,
            monotone_constraints: Vec::new(),
            categorical_feature: Vec::new(),
            max_cat_to_onehot: 4,
            max_cat_threshold: 32,
            cat_l2: 10.0,
            cat_smooth: 10.0,
            min_data_per_group: 100,
        }
    }
}

fn out_of_range(field: &str, value: impl std::fmt::Display, allowed: &str) -> Error {
    let allowed_zh = match allowed {
        "a number >= 0" => "不小于 0 的数".to_string(),
        "a number > 0" => "大于 0 的数".to_string(),
        "at least 1" => "至少为 1".to_string(),
        "greater than 0 and at most 1" => "大于 0 且不超过 1".to_string(),
        "-1 (no limit) or at least 1" => "-1（不限）或至少为 1".to_string(),
        "-1, 0 or 1 for each feature" => "每个特征取 -1、0 或 1".to_string(),
        other => other.replace(" to ", " 到 "),
    };
    Error::OutOfRange {
        field: format!("model.gbdt.{field}"),
        value: value.to_string(),
        allowed: allowed.to_string(),
        allowed_zh,
    }
}

impl GbdtParams {
    /// Every field within LightGBM's allowed range, or an error naming the
    /// field, its value and the range.
    pub fn check(&self) -> Result<()> {
        let finite_nonneg = |v: f64| v.is_finite() && v >= 0.0;
        if !(2..=131_072).contains(&self.num_leaves) {
            return Err(out_of_range("num_leaves", self.num_leaves, "2 to 131072"));
        }
        if self.max_depth == 0 || self.max_depth < -1 {
            return Err(out_of_range(
                "max_depth",
                self.max_depth,
                "-1 (no limit) or at least 1",
            ));
        }
        if !finite_nonneg(self.min_sum_hessian_in_leaf) {
            return Err(out_of_range(
                "min_sum_hessian_in_leaf",
                self.min_sum_hessian_in_leaf,
                "a number >= 0",
            ));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(out_of_range(
                "learning_rate",
                self.learning_rate,
                "a number > 0",
            ));
        }
        if self.n_estimators == 0 {
            return Err(out_of_range("n_estimators", 0, "at least 1"));
        }
        if !finite_nonneg(self.lambda_l2) {
            return Err(out_of_range("lambda_l2", self.lambda_l2, "a number >= 0"));
        }
        if !finite_nonneg(self.min_split_gain) {
            return Err(out_of_range(
                "min_split_gain",
                self.min_split_gain,
                "a number >= 0",
            ));
        }
        // Cells are stored as u8: 255 value bins + the missing bin.
        if !(2..=255).contains(&self.max_bin) {
            return Err(out_of_range("max_bin", self.max_bin, "2 to 255"));
        }
        if !(self.bagging_fraction > 0.0 && self.bagging_fraction <= 1.0) {
            return Err(out_of_range(
                "bagging_fraction",
                self.bagging_fraction,
                "greater than 0 and at most 1",
            ));
        }
        if !(self.feature_fraction > 0.0 && self.feature_fraction <= 1.0) {
            return Err(out_of_range(
                "feature_fraction",
                self.feature_fraction,
                "greater than 0 and at most 1",
            ));
        }
        if self.max_cat_to_onehot == 0 {
            return Err(out_of_range("max_cat_to_onehot", 0, "at least 1"));
        }
        if self.max_cat_threshold == 0 {
            return Err(out_of_range("max_cat_threshold", 0, "at least 1"));
        }
        if !finite_nonneg(self.cat_l2) {
            return Err(out_of_range("cat_l2", self.cat_l2, "a number >= 0"));
        }
        if !finite_nonneg(self.cat_smooth) {
            return Err(out_of_range("cat_smooth", self.cat_smooth, "a number >= 0"));
        }
        if let Some(v) = self.monotone_constraints.iter().find(|v| v.abs() > 1) {
            return Err(out_of_range(
                "monotone_constraints",
                v,
                "-1, 0 or 1 for each feature",
            ));
        }
        Ok(())
    }

    /// Fit on rows `x` (NaN = missing) with labels `y` and optional sample weights.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        y: &[bool],
        weights: Option<&[f64]>,
    ) -> Result<GbdtModel> {
        self.fit_with_validation(x, y, weights, None)
    }

    /// As `fit`, with a validation set for early stopping.
    pub fn fit_with_validation(
        &self,
        x: ArrayView2<f64>,
        y: &[bool],
        weights: Option<&[f64]>,
        valid: Option<Validation<'_>>,
    ) -> Result<GbdtModel> {
        self.check()?;
        grow::fit(self, x, y, weights, valid)
    }
}

/// Held-out rows whose log-loss decides early stopping.
#[derive(Debug, Clone, Copy)]
pub struct Validation<'a> {
    pub x: ArrayView2<'a, f64>,
    pub y: &'a [bool],
    pub weights: Option<&'a [f64]>,
}

/// How a numeric split treats missing values (LightGBM's `missing_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Missing {
    /// NaN is read as 0 and compared with the threshold.
    None,
    /// 0 and NaN take the default direction.
    Zero,
    /// NaN takes the default direction.
    NaN,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SplitRule {
    /// `value <= threshold` goes left; missing values as `missing` and `default_left` say.
    Numeric {
        threshold: f64,
        missing: Missing,
        default_left: bool,
    },
    /// Category codes whose bit is set go left (LightGBM's bitset of u32
    /// words); other codes, negatives and NaN go right.
    Categorical { bitset: Vec<u32> },
}

impl SplitRule {
    /// Whether `value` goes to the left child, exactly as LightGBM decides.
    pub fn goes_left(&self, value: f64) -> bool {
        match self {
            SplitRule::Numeric {
                threshold,
                missing,
                default_left,
            } => {
                let mut v = value;
                if v.is_nan() && *missing != Missing::NaN {
                    v = 0.0;
                }
                let is_missing = match missing {
                    Missing::None => false,
                    Missing::Zero => (-ZERO_THRESHOLD..=ZERO_THRESHOLD).contains(&v),
                    Missing::NaN => v.is_nan(),
                };
                if is_missing {
                    *default_left
                } else {
                    v <= *threshold
                }
            }
            SplitRule::Categorical { bitset } => {
                if value.is_nan() || value < 0.0 {
                    return false;
                }
                // C's truncating cast; beyond the bitset is "not in the set".
                let code = value as u64;
                let word = (code / 32) as usize;
                word < bitset.len() && (bitset[word] >> (code % 32)) & 1 == 1
            }
        }
    }
}

/// A tree node. `count` is the number of training rows that reached it
/// (LightGBM's `internal_count` / `leaf_count`): TreeSHAP's cover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Node {
    Split {
        feature: usize,
        rule: SplitRule,
        left: usize,
        right: usize,
        count: f64,
    },
    Leaf {
        value: f64,
        count: f64,
    },
}

impl Node {
    pub fn count(&self) -> f64 {
        match self {
            Node::Split { count, .. } | Node::Leaf { count, .. } => *count,
        }
    }
}

/// One tree, root at `nodes[0]`; children always come after their parent
/// and every node but the root has one parent (checked by `Tree::new`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SavedTree")]
pub struct Tree {
    nodes: Vec<Node>,
}

/// A tree as a saved model holds it, checked by `Tree::new` on reading: a
/// child before its parent would make a cycle, which scoring and the SQL
/// export would follow for ever (found by `fuzz/` model). Features are
/// checked against the model's width where it is known.
#[derive(Deserialize)]
struct SavedTree {
    nodes: Vec<Node>,
}

impl TryFrom<SavedTree> for Tree {
    type Error = Error;
    fn try_from(t: SavedTree) -> Result<Tree> {
        Tree::new(t.nodes, usize::MAX, "saved model")
    }
}

impl Tree {
    /// A tree from its nodes, checked: children after parents, each node
    /// reached once, features below `n_features`. `what` names the source in errors.
    pub fn new(nodes: Vec<Node>, n_features: usize, what: &str) -> Result<Tree> {
        let bad = |detail: String| Error::Analysis {
            detail: format!("{what}: {detail}"),
            detail_zh: format!("{what}：树的结构无效（{detail}）"),
        };
        if nodes.is_empty() {
            return Err(bad("a tree has no nodes".into()));
        }
        let mut parents = vec![0usize; nodes.len()];
        for (i, node) in nodes.iter().enumerate() {
            if let Node::Split {
                feature,
                left,
                right,
                ..
            } = node
            {
                if *feature >= n_features {
                    return Err(bad(format!(
                        "node {i} splits on feature {feature} of {n_features}"
                    )));
                }
                for &c in [left, right] {
                    if c <= i || c >= nodes.len() {
                        return Err(bad(format!("node {i} has child {c}")));
                    }
                    parents[c] += 1;
                }
            }
        }
        if parents[1..].iter().any(|&p| p != 1) {
            return Err(bad("a node is not reached exactly once".into()));
        }
        Ok(Tree { nodes })
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Index of the leaf `row` falls into.
    pub fn leaf(&self, row: &[f64]) -> usize {
        let mut i = 0;
        while let Node::Split {
            feature,
            rule,
            left,
            right,
            ..
        } = &self.nodes[i]
        {
            let v = row.get(*feature).copied().unwrap_or(f64::NAN);
            i = if rule.goes_left(v) { *left } else { *right };
        }
        i
    }

    pub fn predict(&self, row: &[f64]) -> f64 {
        match &self.nodes[self.leaf(row)] {
            Node::Leaf { value, .. } => *value,
            Node::Split { .. } => 0.0,
        }
    }

    /// Edges from the root to the deepest leaf.
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        let mut deepest = 0;
        for (i, node) in self.nodes.iter().enumerate() {
            if let Node::Split { left, right, .. } = node {
                depth[*left] = depth[i] + 1;
                depth[*right] = depth[i] + 1;
                deepest = deepest.max(depth[i] + 1);
            }
        }
        deepest
    }

    /// Mean leaf value weighted by the leaves' training rows (LightGBM's `ExpectedValue`).
    pub fn expected_value(&self) -> f64 {
        let total = self.nodes[0].count();
        if self.nodes.len() == 1 {
            return match &self.nodes[0] {
                Node::Leaf { value, .. } => *value,
                Node::Split { .. } => 0.0,
            };
        }
        self.nodes
            .iter()
            .map(|n| match n {
                Node::Leaf { value, count } => count / total * value,
                Node::Split { .. } => 0.0,
            })
            .sum()
    }
}

/// A fitted model: raw score (log-odds) = `init_score` + the trees' leaf values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GbdtModel {
    pub n_features: usize,
    /// Names when the model came with them (a LightGBM file), else empty.
    pub feature_names: Vec<String>,
    /// Log-odds of the weighted base rate (LightGBM folds it into the first
    /// tree; a loaded LightGBM model has 0 here).
    pub init_score: f64,
    pub trees: Vec<Tree>,
    /// Validation log-loss after each kept round, when a validation set was given.
    pub valid_loss: Vec<f64>,
}

impl GbdtModel {
    fn check_width(&self, x: &ArrayView2<f64>) -> Result<()> {
        if x.ncols() != self.n_features {
            return Err(Error::Analysis {
                detail: format!(
                    "the model takes {} features but the rows have {}",
                    self.n_features,
                    x.ncols()
                ),
                detail_zh: format!(
                    "模型需要 {} 个特征，但数据有 {} 个",
                    self.n_features,
                    x.ncols()
                ),
            });
        }
        Ok(())
    }

    /// Raw score (log-odds) of one row; trees summed in order, as LightGBM.
    pub fn raw_score_row(&self, row: &[f64]) -> f64 {
        let mut s = self.init_score;
        for t in &self.trees {
            s += t.predict(row);
        }
        s
    }

    /// Raw scores (log-odds) of every row.
    pub fn predict_raw(&self, x: ArrayView2<f64>) -> Result<Vec<f64>> {
        self.check_width(&x)?;
        // Blocks of rows on every core: a row's score is its own.
        let blocks = crate::par::map_range(x.nrows(), 16_384, |rows| {
            let mut row = vec![0.0; self.n_features];
            rows.map(|i| {
                row.iter_mut()
                    .zip(x.row(i).iter())
                    .for_each(|(a, b)| *a = *b);
                self.raw_score_row(&row)
            })
            .collect::<Vec<f64>>()
        });
        Ok(blocks.concat())
    }

    /// Probabilities of the positive class.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Vec<f64>> {
        Ok(self
            .predict_raw(x)?
            .into_iter()
            .map(|s| 1.0 / (1.0 + (-s).exp()))
            .collect())
    }

    /// Expected raw score over the training rows (SHAP's base value).
    pub fn expected_value(&self) -> f64 {
        self.init_score + self.trees.iter().map(Tree::expected_value).sum::<f64>()
    }

    /// Exact TreeSHAP contributions: `n_features + 1` values per row, the
    /// last being the expected value; each row sums to its raw score.
    pub fn shap(&self, x: ArrayView2<f64>) -> Result<ndarray::Array2<f64>> {
        self.check_width(&x)?;
        Ok(shap::contributions(self, x))
    }
}

/// What `bench` measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    pub train_rows: usize,
    pub test_rows: usize,
    pub features: usize,
    pub trees: usize,
    /// Threads the fit and TreeSHAP had (`par::threads()`).
    pub threads: usize,
    pub fit_ms: f64,
    pub test_auc: f64,
    /// TreeSHAP of every row (train and test).
    pub shap_ms: f64,
    pub shap_rows: usize,
    /// Largest |Σ contributions − raw score| over the rows explained.
    pub shap_sum_error: f64,
    /// Bytes the fit added at its peak over the data already in memory
    /// (the wasm build counts its allocations; natively `None`).
    pub fit_peak_added: Option<usize>,
    /// The same for TreeSHAP of every row (its output, rows × features
    /// f64, included).
    pub shap_peak_added: Option<usize>,
}

/// The benchmark of `make bench-compare` (natively and in the page's
/// worker): default parameters on `x` (row-major, `cols` wide) with labels
/// `y`, the last `test_rows` rows held out; then TreeSHAP of every row.
pub fn bench(
    x: &[f64],
    y: &[u8],
    cols: usize,
    test_rows: usize,
    shap: bool,
) -> Result<BenchResult> {
    let rows = y.len();
    if cols == 0 || x.len() != rows * cols || test_rows >= rows {
        return Err(Error::Analysis {
            detail: format!("bench: {} values are not {rows} rows of {cols}", x.len()),
            detail_zh: format!("基准：{} 个数值不是 {rows} 行 × {cols} 列", x.len()),
        });
    }
    let all = ArrayView2::from_shape((rows, cols), x).map_err(|e| Error::Analysis {
        detail: format!("bench: {e}"),
        detail_zh: format!("基准：{e}"),
    })?;
    let n = rows - test_rows;
    let labels: Vec<bool> = y.iter().map(|&v| v != 0).collect();
    let t0 = crate::clock::now_ms();
    let (model, fit_peak_added) = crate::peak_added(|| {
        GbdtParams::default().fit(all.slice(ndarray::s![..n, ..]), &labels[..n], None)
    });
    let model = model?;
    let fit_ms = crate::clock::now_ms() - t0;
    let p = model.predict_proba(all.slice(ndarray::s![n.., ..]))?;
    let test_auc = crate::score::metrics::auc(&p, &labels[n..]);
    // TreeSHAP of every row, unless the run times the fit only.
    let (shap_ms, shap_rows, shap_sum_error, shap_peak_added) = if shap {
        let t1 = crate::clock::now_ms();
        let (phi, peak) = crate::peak_added(|| model.shap(all));
        let phi = phi?;
        let ms = crate::clock::now_ms() - t1;
        // A check that the work was done (and right): each row sums to its raw score.
        let raw = model.predict_raw(all)?;
        let err = phi
            .rows()
            .into_iter()
            .zip(&raw)
            .map(|(r, s)| (r.sum() - s).abs())
            .fold(0.0, f64::max);
        (ms, rows, err, peak)
    } else {
        (0.0, 0, 0.0, None)
    };
    Ok(BenchResult {
        train_rows: n,
        test_rows,
        features: cols,
        trees: model.trees.len(),
        threads: crate::par::threads(),
        fit_ms,
        test_auc,
        shap_ms,
        shap_rows,
        shap_sum_error,
        fit_peak_added,
        shap_peak_added,
    })
}
