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
    /// `logistic` or `tree`.
    pub kind: String,
    #[serde(default)]
    pub also: Vec<String>,
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
    pub id: String,
    #[serde(default)]
    pub top: Option<usize>,
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
    pub logistic: LogisticModel,
    /// Mean of each design-matrix column on the training rows (for contributions).
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
    pub rows: usize,
    pub candidates: Vec<Candidate>,
    pub candidates_excluded: usize,
    /// This month against the model's training month.
    pub monitor: Option<super::monitor::MonitorReport>,
}

/// The model kinds this version trains.
pub const MODEL_KINDS: &[&str] = &["logistic"];
/// The models that can be fitted beside the main one (`model.also`).
pub const ALSO_KINDS: &[&str] = &["tree"];

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
        super::ClassWeight::parse(self.class_weight.as_deref())?;
        Ok(())
    }
}

pub const MODEL_FORMAT: &str = "kequn-model/1";

impl SavedModel {
    /// Reads a model file written by `kequn run --save-model` (or the page).
    pub fn from_json(bytes: &[u8], file: &str) -> Result<SavedModel> {
        let m: SavedModel = serde_json::from_slice(bytes).map_err(|e| Error::Recipe {
            detail: format!("{file} is not a kequn model ({e})"),
        })?;
        if m.format != MODEL_FORMAT {
            return Err(Error::Recipe {
                detail: format!(
                    "{file} is a model of format '{}', this version reads '{MODEL_FORMAT}'",
                    m.format
                ),
            });
        }
        Ok(m)
    }

    /// Checks that `table` has every column the model needs, of the same
    /// type, and (unless `allow_unseen`) no category it never saw.
    pub fn check(&self, table: &Table, allow_unseen: bool) -> Result<()> {
        use crate::prep::Transform;
        use crate::table::ColumnKind;
        for t in &self.prep.transforms {
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
            for i in 0..table.rows() {
                if c.is_missing(i) {
                    continue;
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
    let p = score_all(table, model)?;
    let (candidates, candidates_excluded) = rank(table, model, candidates, &truth, &p)?;
    let monitor = model.baseline.as_ref().map(|b| {
        super::monitor::compare(b, table, &p, super::monitor::label_rate(&truth), monitor)
    });
    Ok(AppliedReport {
        label_rule: model.label_rule.clone(),
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelReport {
    pub label_rule: String,
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
    /// How the classes were weighted in the fit.
    #[serde(default)]
    pub class_weight: super::ClassWeight,
    /// The decision tree, when the recipe asks for one (`also: ["tree"]`).
    pub tree: Option<super::tree::TreeReport>,
    pub coefficients: Vec<Coefficient>,
    /// Mean |contribution| per source column on the test rows, largest first.
    pub importance: Vec<(String, f64)>,
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

fn contributions_by_source(
    model: &SavedModel,
    x: ndarray::ArrayView2<f64>,
) -> (Vec<String>, ndarray::Array2<f64>) {
    let features = model.prep.features();
    let mut sources: Vec<String> = Vec::new();
    for f in &features {
        if !sources.contains(&f.source) {
            sources.push(f.source.clone());
        }
    }
    let per_feature = model.logistic.contributions(x, &model.train_mean);
    let mut out = ndarray::Array2::zeros((x.nrows(), sources.len()));
    for (j, f) in features.iter().enumerate() {
        let s = sources.iter().position(|n| *n == f.source).unwrap_or(0);
        for r in 0..x.nrows() {
            out[[r, s]] += per_feature[[r, j]];
        }
    }
    (sources, out)
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
        return Err(Error::Recipe {
            detail: format!(
                "the label '{}' is {} for all {} usable rows; a model needs both classes — check the rule",
                label.rule,
                if positives == 0 { "false" } else { "true" },
                rows.len()
            ),
        });
    }

    progress.report("features", 0.0);
    let (train_pos, test_pos) = stratified_split(
        &y_all,
        model.test_share.unwrap_or(0.3),
        model.seed.unwrap_or(42),
    );
    let train: Vec<usize> = train_pos.iter().map(|&k| rows[k]).collect();
    let test: Vec<usize> = test_pos.iter().map(|&k| rows[k]).collect();
    let ytr: Vec<bool> = train_pos.iter().map(|&k| y_all[k]).collect();
    let yte: Vec<bool> = test_pos.iter().map(|&k| y_all[k]).collect();
    let label_all: Vec<bool> = truth.iter().map(|t| *t == Some(true)).collect();
    let prep = Prep::fit_labelled(table, &train, Some(&label_all), &spec)?;
    let xtr = prep.transform_train(table, &train, &label_all)?;

    progress.report("model", 0.0);
    let params = LogisticParams {
        class_weight: super::ClassWeight::parse(model.class_weight.as_deref())?,
        ..LogisticParams::default()
    };
    let logistic = params.fit(xtr.view(), &ytr)?;
    let train_mean: Vec<f64> = xtr
        .mean_axis(ndarray::Axis(0))
        .map(|m| m.to_vec())
        .unwrap_or_default();
    // The training matrix is the largest: gone before the test matrix is
    // made, unless the tree needs it.
    let xtr = model.also.iter().any(|a| a == "tree").then_some(xtr);
    let xte = prep.transform(table, &test)?;
    let p_test = logistic.predict_proba(xte.view());
    let metrics = Metrics::compute(&p_test, &yte, 0.5);

    let cv_auc = match model.cv_folds {
        Some(k) if k >= 2 => {
            let folds = stratified_folds(&ytr, k, model.seed.unwrap_or(42));
            let mut sum = 0.0;
            for (j, fold) in folds.iter().enumerate() {
                progress.report("cross-validation", j as f64 / k as f64);
                let valid: Vec<usize> = fold.iter().map(|&i| train[i]).collect();
                let fit_rows: Vec<usize> = folds
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| *o != j)
                    .flat_map(|(_, f)| f.iter().map(|&i| train[i]))
                    .collect();
                let fp = Prep::fit_labelled(table, &fit_rows, Some(&label_all), &spec)?;
                let yf: Vec<bool> = fit_rows.iter().map(|&i| label_all[i]).collect();
                let m = params.fit(
                    fp.transform_train(table, &fit_rows, &label_all)?.view(),
                    &yf,
                )?;
                let yv: Vec<bool> = valid.iter().map(|&i| truth[i] == Some(true)).collect();
                sum += auc(&m.predict_proba(fp.transform(table, &valid)?.view()), &yv);
            }
            Some(sum / k as f64)
        }
        _ => None,
    };

    let tree = if let Some(xtr) = xtr {
        progress.report("tree", 0.0);
        Some(super::tree::fit(
            &prep,
            xtr.view(),
            &ytr,
            xte.view(),
            &yte,
            model.max_depth.unwrap_or(4),
        )?)
    } else {
        None
    };

    let mut saved = SavedModel {
        format: MODEL_FORMAT.into(),
        label_rule: label.rule.clone(),
        prep,
        logistic,
        train_mean,
        baseline: None,
    };
    // Every row scored once: the candidates and next month's baseline.
    progress.report("scoring", 0.0);
    let p_all = score_all(table, &saved)?;
    progress.report("baseline", 0.0);
    saved.baseline = Some(super::monitor::baseline(
        table,
        &saved.prep,
        &p_all,
        super::monitor::label_rate(&truth),
    ));
    let features = saved.prep.features();
    let mut coefficients: Vec<Coefficient> = features
        .iter()
        .zip(&saved.logistic.coef)
        .map(|(f, &c)| Coefficient {
            feature: f.name.clone(),
            source: f.source.clone(),
            coef: c,
            odds_ratio: c.exp(),
        })
        .collect();
    coefficients.sort_by(|a, b| b.coef.abs().total_cmp(&a.coef.abs()));
    let (sources, contrib) = contributions_by_source(&saved, xte.view());
    let mut importance: Vec<(String, f64)> = sources
        .iter()
        .enumerate()
        .map(|(s, name)| {
            (
                name.clone(),
                contrib.column(s).mapv(f64::abs).mean().unwrap_or(0.0),
            )
        })
        .collect();
    importance.sort_by(|a, b| b.1.total_cmp(&a.1));
    let univariate = super::leakage::univariate_auc(
        table,
        &features,
        xte.view(),
        &yte,
        &train,
        &test,
        &label_all,
    );
    let leak_warnings = super::leakage::warnings(&univariate, &importance);
    let mut univariate_auc = univariate;
    univariate_auc.sort_by(|a, b| b.1.total_cmp(&a.1));

    progress.report("candidates", 0.0);
    let (candidates, candidates_excluded) = match candidates {
        None => (Vec::new(), 0),
        Some(c) => rank(table, &saved, c, &truth, &p_all)?,
    };
    Ok(ModelReport {
        label_rule: label.rule.clone(),
        rows: rows.len(),
        positives,
        unknown_label_rows,
        dropped_rows,
        leakage_removed,
        dropped_columns: saved.prep.dropped.clone(),
        features,
        train_rows: train.len(),
        test_rows: test.len(),
        metrics,
        cv_auc,
        class_weight: params.class_weight,
        tree,
        coefficients,
        importance,
        leak_warnings,
        univariate_auc,
        candidates,
        candidates_excluded,
        model: saved,
    })
}

/// The model's probability for every row, transformed a block of rows at a
/// time so the whole design matrix never exists at once.
fn score_all(table: &Table, model: &SavedModel) -> Result<Vec<f64>> {
    const BLOCK: usize = 1 << 16;
    let mut p = Vec::with_capacity(table.rows());
    let mut start = 0;
    while start < table.rows() {
        let rows: Vec<usize> = (start..(start + BLOCK).min(table.rows())).collect();
        let x = model.prep.transform(table, &rows)?;
        p.extend(model.logistic.predict_proba(x.view()));
        start += BLOCK;
    }
    Ok(p)
}

/// Scores every row and keeps the ones the candidate spec asks for, best first.
fn rank(
    table: &Table,
    model: &SavedModel,
    spec: &CandidateSpec,
    truth: &[Option<bool>],
    p: &[f64],
) -> Result<(Vec<Candidate>, usize)> {
    let id = table.column(&spec.id)?;
    let all: Vec<usize> = (0..table.rows()).collect();
    let keep_filter = match &spec.filter {
        Some(rule) => Some(Rule::new(rule, table)?.eval(table)?),
        None => None,
    };
    let mut rows: Vec<usize> = all
        .into_iter()
        .filter(|&i| !(spec.exclude_positive && truth[i] == Some(true)))
        .filter(|&i| spec.threshold.is_none_or(|t| p[i] >= t))
        .filter(|&i| keep_filter.as_ref().is_none_or(|f| f[i] == Some(true)))
        .collect();
    let excluded = table.rows() - rows.len();
    rows.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
    rows.truncate(spec.top.unwrap_or(100));
    // Reasons for the listed rows only.
    let x = model.prep.transform(table, &rows)?;
    let (sources, contrib) = contributions_by_source(model, x.view());
    let out = rows
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let mut reasons: Vec<(String, f64)> = sources
                .iter()
                .enumerate()
                .map(|(s, n)| (n.clone(), contrib[[k, s]]))
                .filter(|r| r.1 > 0.0)
                .collect();
            reasons.sort_by(|a, b| b.1.total_cmp(&a.1));
            reasons.truncate(3);
            Candidate {
                id: id.text(i),
                probability: p[i],
                reasons,
            }
        })
        .collect();
    Ok((out, excluded))
}
