//! Feature specs → design matrix. Every transform is fitted on the training
//! rows only and kept (serialisable) so that next month's file is turned
//! into the same columns.
//!
//! Defaults: id and free-text columns are dropped; dates become days before
//! a reference date (or are dropped); numbers are imputed with the training
//! median, optionally log1p'd, and standardised (population std, as
//! scikit-learn's StandardScaler); nominal categories are one-hot encoded
//! over the levels seen in training (sorted, as scikit-learn's
//! OneHotEncoder; a missing value takes the training mode, an unseen level
//! is all zeros); ordinal
//! categories map to their position in a given order, then are treated as
//! numbers; categories with more than `MAX_LEVELS` levels (or listed in
//! `target_encode`) become their smoothed positive rate, out of fold on the
//! training rows. Columns missing in more than `max_missing_share` of
//! training rows and constant columns are dropped, each with its reason.

pub mod split;

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};

use crate::table::stats::quantile_selected;
use crate::table::{Column, ColumnData, ColumnKind, Table, MISSING_CODE, MISSING_DATE};
use crate::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureSpec {
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Restrict to these columns (profile fields), when given.
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub log1p: Vec<String>,
    /// Ordinal encodings: column → values from lowest to highest.
    #[serde(default)]
    pub ordinal: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub target_encode: Vec<String>,
    /// `days_before` a `reference_date`, or `drop`.
    #[serde(default)]
    pub dates: Option<String>,
    #[serde(default)]
    pub reference_date: Option<String>,
    /// `median` (default) or `drop_rows`.
    #[serde(default)]
    pub missing: Option<String>,
    /// Columns missing more than this share are dropped.
    #[serde(default)]
    pub max_missing_share: Option<f64>,
}

impl FeatureSpec {
    /// The feature pipeline's spec, with `exclude` (which already holds this
    /// spec's excludes and whatever the step adds) left out.
    pub fn prep_spec(&self, exclude: Vec<String>) -> Result<crate::prep::PrepSpec> {
        let reference =
            match &self.reference_date {
                Some(d) => Some(crate::table::infer::parse_date(d).map(|p| p.0).ok_or_else(
                    || Error::Recipe {
                        detail: format!(
                            "reference_date '{d}' is not a date; write it as 2024-10-31"
                        ),
                    },
                )?),
                None => None,
            };
        Ok(crate::prep::PrepSpec {
            exclude,
            include: self.include.clone(),
            log1p: self.log1p.clone(),
            ordinal: self.ordinal.clone(),
            target_encode: self.target_encode.clone(),
            date_days: self.dates.as_deref() != Some("drop"),
            reference,
            max_missing_share: self.max_missing_share,
        })
    }
}

/// One-hot encoding is not used above this many levels: such columns are
/// target-encoded when there is a label, else dropped.
pub const MAX_LEVELS: usize = 50;
/// Smoothing of target encoding: a level's rate is shrunk toward the prior as
/// if it had this many more rows at the prior rate.
pub const TARGET_SMOOTHING: f64 = 10.0;
/// Folds of the out-of-fold target encoding of training rows.
pub const TARGET_FOLDS: usize = 5;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrepSpec {
    /// Never features (ids, the label's source columns, explicit excludes).
    pub exclude: Vec<String>,
    /// When non-empty, only these columns.
    pub include: Vec<String>,
    pub log1p: Vec<String>,
    pub ordinal: BTreeMap<String, Vec<String>>,
    /// Categorical columns to target-encode whatever their number of levels.
    pub target_encode: Vec<String>,
    /// Dates: `true` turns them into days before `reference` (seconds since
    /// epoch; default: the latest date in training), `false` drops them.
    pub date_days: bool,
    pub reference: Option<i64>,
    /// Default 0.5.
    pub max_missing_share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Transform {
    Numeric {
        column: String,
        log1p: bool,
        fill: f64,
        mean: f64,
        scale: f64,
    },
    DateDays {
        column: String,
        reference: i64,
        fill: f64,
        mean: f64,
        scale: f64,
    },
    Ordinal {
        column: String,
        order: Vec<String>,
        fill: f64,
        mean: f64,
        scale: f64,
    },
    OneHot {
        column: String,
        levels: Vec<String>,
        /// The training mode, given to missing values (models saved before
        /// it existed leave missing values as all zeros).
        #[serde(default)]
        fill: Option<String>,
    },
    /// Smoothed positive rate of the level (sorted `levels`, matching
    /// `values`); unseen or missing levels get `prior`. Training rows are
    /// encoded out of fold (see `Prep::transform_train`).
    TargetEncode {
        column: String,
        levels: Vec<String>,
        values: Vec<f64>,
        prior: f64,
        mean: f64,
        scale: f64,
    },
}

impl Transform {
    pub fn column(&self) -> &str {
        match self {
            Transform::Numeric { column, .. }
            | Transform::DateDays { column, .. }
            | Transform::Ordinal { column, .. }
            | Transform::OneHot { column, .. }
            | Transform::TargetEncode { column, .. } => column,
        }
    }
    fn width(&self) -> usize {
        match self {
            Transform::OneHot { levels, .. } => levels.len(),
            _ => 1,
        }
    }
    /// Every number the step holds is finite (what an export can write).
    pub fn is_finite(&self) -> bool {
        match self {
            Transform::Numeric {
                fill, mean, scale, ..
            }
            | Transform::DateDays {
                fill, mean, scale, ..
            }
            | Transform::Ordinal {
                fill, mean, scale, ..
            } => [*fill, *mean, *scale].iter().all(|v| v.is_finite()),
            Transform::TargetEncode {
                values,
                prior,
                mean,
                scale,
                ..
            } => values
                .iter()
                .chain([prior, mean, scale])
                .all(|v| v.is_finite()),
            Transform::OneHot { .. } => true,
        }
    }
}

/// A column left out, and why (shown to the analyst).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropped {
    pub column: String,
    pub reason: String,
}

/// One column of the design matrix and the source column it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prep {
    pub transforms: Vec<Transform>,
    pub dropped: Vec<Dropped>,
}

/// Raw numeric view of a column for numeric-like transforms (NaN = missing).
pub(crate) fn raw_numbers(c: &Column, t: &Transform) -> Vec<f64> {
    match &c.data {
        ColumnData::Numeric(v) => v.clone(),
        _ => raw_numbers_at(c, t, &(0..c.len()).collect::<Vec<_>>()),
    }
}

/// Where `v` stands in an ordinal `order`.
fn ordinal_position(order: &[String], v: &str) -> Option<u32> {
    order.iter().position(|o| o == v).map(|p| p as u32)
}

/// A column's transform, or why it is left out.
type Fitted = std::result::Result<Transform, String>;

/// `raw_numbers` of `rows` only (scoring reads a block at a time).
pub(crate) fn raw_numbers_at(c: &Column, t: &Transform, rows: &[usize]) -> Vec<f64> {
    match (&c.data, t) {
        (ColumnData::Numeric(v), _) => rows.iter().map(|&i| v[i]).collect(),
        (ColumnData::Date { secs, .. }, Transform::DateDays { reference, .. }) => rows
            .iter()
            .map(|&i| {
                let s = secs[i];
                if s == MISSING_DATE {
                    f64::NAN
                } else {
                    (reference - s) as f64 / 86400.0
                }
            })
            .collect(),
        (
            _,
            Transform::TargetEncode {
                levels,
                values,
                prior,
                ..
            },
        ) => c
            .positions_in(levels, rows)
            .into_iter()
            .map(|k| k.map_or(*prior, |k| values[k as usize]))
            .collect(),
        (_, Transform::Ordinal { order, .. }) => c
            .positions_by(rows, |v| ordinal_position(order, v))
            .into_iter()
            .map(|p| p.map_or(f64::NAN, f64::from))
            .collect(),
        _ => vec![f64::NAN; rows.len()],
    }
}

fn moments(xs: &[f64]) -> (f64, f64) {
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

impl Prep {
    /// Fits the transforms on `rows` of `table` (no label: no target encoding).
    pub fn fit(table: &Table, rows: &[usize], spec: &PrepSpec) -> Result<Prep> {
        Self::fit_labelled(table, rows, None, spec)
    }

    /// Fits with the label (one value per table row; only `rows` are read),
    /// which target encoding needs.
    pub fn fit_labelled(
        table: &Table,
        rows: &[usize],
        label: Option<&[bool]>,
        spec: &PrepSpec,
    ) -> Result<Prep> {
        let max_missing = spec.max_missing_share.unwrap_or(0.5);
        let mut transforms = Vec::new();
        let mut dropped = Vec::new();
        let mut drop = |column: &str, reason: String| {
            dropped.push(Dropped {
                column: column.to_string(),
                reason,
            })
        };
        for name in spec.ordinal.keys().chain(&spec.log1p).chain(&spec.include) {
            table.column(name)?;
        }
        let chosen: Vec<&Column> = table
            .columns
            .iter()
            .filter(|c| !spec.exclude.contains(&c.name))
            .filter(|c| spec.include.is_empty() || spec.include.contains(&c.name))
            .collect();
        // Each column's transform, or why it is left out; the columns on
        // every core, the outcomes (and the first error) in their order.
        let outcomes = crate::par::map(chosen, |c| -> Result<(&Column, Fitted)> {
            let missing = rows.iter().filter(|&&i| c.is_missing(i)).count();
            let share = missing as f64 / rows.len().max(1) as f64;
            if share > max_missing {
                return Ok((c, Err(format!("missing in {:.0}% of rows", share * 100.0))));
            }
            let t = match (c.kind, spec.ordinal.get(&c.name)) {
                (ColumnKind::Id, _) => {
                    return Ok((c, Err("an id".into())));
                }
                (ColumnKind::Text, None) => {
                    return Ok((c, Err("free text".into())));
                }
                (ColumnKind::Date, _) if !spec.date_days => {
                    return Ok((c, Err("a date".into())));
                }
                (ColumnKind::Date, _) => {
                    let reference = spec.reference.unwrap_or_else(|| match &c.data {
                        ColumnData::Date { secs, .. } => rows
                            .iter()
                            .map(|&i| secs[i])
                            .filter(|&s| s != MISSING_DATE)
                            .max()
                            .unwrap_or(0),
                        _ => 0,
                    });
                    Transform::DateDays {
                        column: c.name.clone(),
                        reference,
                        fill: 0.0,
                        mean: 0.0,
                        scale: 1.0,
                    }
                }
                (_, Some(order)) => {
                    let at = c.positions_by(rows, |v| ordinal_position(order, v));
                    for (&i, p) in rows.iter().zip(at) {
                        if p.is_none() && !c.is_missing(i) {
                            return Err(Error::Recipe {
                                detail: format!(
                                    "column '{}' has the value '{}', which its ordinal order ({}) does not list; add it to the order",
                                    c.name,
                                    c.text(i),
                                    order.join(" < ")
                                ),
                            });
                        }
                    }
                    Transform::Ordinal {
                        column: c.name.clone(),
                        order: order.clone(),
                        fill: 0.0,
                        mean: 0.0,
                        scale: 1.0,
                    }
                }
                (ColumnKind::Numeric, None) => Transform::Numeric {
                    column: c.name.clone(),
                    log1p: spec.log1p.contains(&c.name),
                    fill: 0.0,
                    mean: 0.0,
                    scale: 1.0,
                },
                (ColumnKind::Categorical, None) => {
                    let mut mode = None;
                    let mut levels: Vec<String> = match &c.data {
                        ColumnData::Categorical { codes, dict } => {
                            let mut seen = vec![0usize; dict.len()];
                            for &i in rows {
                                if codes[i] != MISSING_CODE {
                                    seen[codes[i] as usize] += 1;
                                }
                            }
                            // The most frequent training level; ties go to the
                            // smallest, as scikit-learn's SimpleImputer.
                            mode = dict
                                .iter()
                                .zip(&seen)
                                .filter(|(_, n)| **n > 0)
                                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                                .map(|(d, _)| d.clone());
                            dict.iter()
                                .zip(seen)
                                .filter(|(_, s)| *s > 0)
                                .map(|(d, _)| d.clone())
                                .collect()
                        }
                        _ => Vec::new(),
                    };
                    if levels.len() < 2 {
                        return Ok((c, Err("constant".into())));
                    }
                    if levels.len() > MAX_LEVELS || spec.target_encode.contains(&c.name) {
                        let Some(label) = label else {
                            let n = levels.len();
                            let why = format!(
                                "{n} categories (more than {MAX_LEVELS}); target encoding needs a label"
                            );
                            return Ok((c, Err(why)));
                        };
                        levels.sort();
                        let (values, prior) = level_rates(c, rows, label, &levels);
                        let oof = out_of_fold(c, rows, label);
                        let (mean, scale) = moments(&oof);
                        if scale < 1e-12 {
                            return Ok((c, Err("constant".into())));
                        }
                        return Ok((
                            c,
                            Ok(Transform::TargetEncode {
                                column: c.name.clone(),
                                levels,
                                values,
                                prior,
                                mean,
                                scale,
                            }),
                        ));
                    }
                    levels.sort();
                    return Ok((
                        c,
                        Ok(Transform::OneHot {
                            column: c.name.clone(),
                            levels,
                            fill: mode,
                        }),
                    ));
                }
            };
            // Numeric-like: fill with the training median, then standardise.
            let all = raw_numbers(c, &t);
            let log = matches!(t, Transform::Numeric { log1p: true, .. });
            let f = |x: f64| if log { x.max(0.0).ln_1p() } else { x };
            let mut present: Vec<f64> = rows
                .iter()
                .map(|&i| all[i])
                .filter(|x| !x.is_nan())
                .collect();
            let fill = quantile_selected(&mut present, 0.5).unwrap_or(0.0);
            let filled: Vec<f64> = rows
                .iter()
                .map(|&i| f(if all[i].is_nan() { fill } else { all[i] }))
                .collect();
            let (mean, std) = moments(&filled);
            if std < 1e-12 {
                return Ok((c, Err("constant".into())));
            }
            Ok((
                c,
                Ok(match t {
                    Transform::Numeric { column, log1p, .. } => Transform::Numeric {
                        column,
                        log1p,
                        fill,
                        mean,
                        scale: std,
                    },
                    Transform::DateDays {
                        column, reference, ..
                    } => Transform::DateDays {
                        column,
                        reference,
                        fill,
                        mean,
                        scale: std,
                    },
                    Transform::Ordinal { column, order, .. } => Transform::Ordinal {
                        column,
                        order,
                        fill,
                        mean,
                        scale: std,
                    },
                    other => other,
                }),
            ))
        });
        for outcome in outcomes {
            match outcome? {
                (_, Ok(t)) => transforms.push(t),
                (c, Err(reason)) => drop(&c.name, reason),
            }
        }
        if transforms.is_empty() {
            return Err(Error::Recipe {
                detail: format!(
                    "no feature is left to model with (left out: {}); include more columns",
                    dropped
                        .iter()
                        .map(|d| format!("{} ({})", d.column, d.reason))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        Ok(Prep {
            transforms,
            dropped,
        })
    }

    /// Each transform with its source column in `table`.
    pub fn sources<'t>(&self, table: &'t Table) -> Result<Vec<(&Transform, &'t Column)>> {
        self.transforms
            .iter()
            .map(|t| Ok((t, table.column(t.column())?)))
            .collect()
    }

    pub fn width(&self) -> usize {
        self.transforms.iter().map(Transform::width).sum()
    }

    pub fn features(&self) -> Vec<Feature> {
        let mut out = Vec::new();
        for t in &self.transforms {
            match t {
                Transform::OneHot { column, levels, .. } => {
                    out.extend(levels.iter().map(|l| Feature {
                        name: format!("{column}={l}"),
                        source: column.clone(),
                    }))
                }
                other => out.push(Feature {
                    name: other.column().to_string(),
                    source: other.column().to_string(),
                }),
            }
        }
        out
    }

    /// The design matrix of `rows` of `table`, which must have every source column.
    pub fn transform(&self, table: &Table, rows: &[usize]) -> Result<Array2<f64>> {
        // Where each transform's columns start.
        let starts: Vec<usize> = self
            .transforms
            .iter()
            .scan(0, |at, t| {
                let start = *at;
                *at += t.width();
                Some(start)
            })
            .collect();
        self.by_blocks(table, rows, self.width(), |k, t, c, block, x| {
            let j = starts[k];
            match t {
                Transform::OneHot { levels, fill, .. } => {
                    let fill = fill.as_ref().and_then(|m| levels.binary_search(m).ok());
                    let at = c.positions_in(levels, block);
                    for (r, (&i, k)) in block.iter().zip(at).enumerate() {
                        let k = if c.is_missing(i) {
                            fill
                        } else {
                            k.map(|k| k as usize)
                        };
                        if let Some(k) = k {
                            x[[r, j + k]] = 1.0;
                        }
                    }
                }
                Transform::Numeric {
                    fill, mean, scale, ..
                }
                | Transform::DateDays {
                    fill, mean, scale, ..
                }
                | Transform::Ordinal {
                    fill, mean, scale, ..
                }
                | Transform::TargetEncode {
                    prior: fill,
                    mean,
                    scale,
                    ..
                } => {
                    let log = matches!(t, Transform::Numeric { log1p: true, .. });
                    let all = raw_numbers_at(c, t, block);
                    for (r, &a) in all.iter().enumerate() {
                        let v = if a.is_nan() { *fill } else { a };
                        let v = if log { v.max(0.0).ln_1p() } else { v };
                        x[[r, j]] = (v - mean) / scale;
                    }
                }
            }
        })
    }

    /// A `rows.len()` × `width` matrix filled by blocks of 1,024 rows: a
    /// block of the row-major matrix stays in cache while every transform
    /// writes its part (column by column over all rows, each write landed on
    /// a line the previous column had evicted). `fill(k, transform, column,
    /// block, x)` writes transform `k`'s part of the block's rows of `x`.
    /// The blocks run on every core; each writes only its own rows.
    fn by_blocks(
        &self,
        table: &Table,
        rows: &[usize],
        width: usize,
        fill: impl Fn(usize, &Transform, &Column, &[usize], &mut ArrayViewMut2<f64>) + Sync + Send,
    ) -> Result<Array2<f64>> {
        const BLOCK: usize = 1024;
        let mut x = Array2::zeros((rows.len(), width));
        let sources = self.sources(table)?;
        let mut blocks: Vec<_> = x
            .axis_chunks_iter_mut(ndarray::Axis(0), BLOCK)
            .zip(rows.chunks(BLOCK))
            .collect();
        crate::par::each_mut(&mut blocks, |(x, block)| {
            for (k, &(t, c)) in sources.iter().enumerate() {
                fill(k, t, c, block, x);
            }
        });
        Ok(x)
    }
}

impl Prep {
    /// One column per source column for tree models, which need neither
    /// scaling nor filling nor one-hot parts: numbers, days and ordinal
    /// positions as they are (NaN = missing, which the trees route), a
    /// categorical column as the index of its level among the training
    /// levels (NaN = missing or unseen). Returns each column's name and
    /// whether it is categorical.
    pub fn raw_features(&self) -> Vec<(String, bool)> {
        self.transforms
            .iter()
            .map(|t| {
                let categorical =
                    matches!(t, Transform::OneHot { .. } | Transform::TargetEncode { .. });
                (t.column().to_string(), categorical)
            })
            .collect()
    }

    /// The tree models' matrix of `rows` (see `raw_features`).
    pub fn transform_raw(&self, table: &Table, rows: &[usize]) -> Result<Array2<f64>> {
        self.by_blocks(
            table,
            rows,
            self.transforms.len(),
            |j, t, c, block, x| match t {
                Transform::OneHot { levels, .. } | Transform::TargetEncode { levels, .. } => {
                    for (r, k) in c.positions_in(levels, block).into_iter().enumerate() {
                        x[[r, j]] = k.map_or(f64::NAN, f64::from);
                    }
                }
                _ => {
                    for (r, a) in raw_numbers_at(c, t, block).into_iter().enumerate() {
                        x[[r, j]] = a;
                    }
                }
            },
        )
    }
}

impl Prep {
    /// The design matrix of training `rows`: as `transform`, except that
    /// target-encoded columns use out-of-fold rates, so no row's own label
    /// reaches its features.
    pub fn transform_train(
        &self,
        table: &Table,
        rows: &[usize],
        label: &[bool],
    ) -> Result<Array2<f64>> {
        let mut x = self.transform(table, rows)?;
        let oof = self.out_of_fold_columns(table, rows, label)?;
        put_out_of_fold(&mut x, &oof, 0);
        Ok(x)
    }

    /// `transform_train` of `rows`, the same values handed to `each` up to
    /// `chunk` rows at a time: a consumer that keeps the matrix in a form
    /// of its own (the logistic fit's packed one) never holds it whole.
    pub fn transform_train_chunks(
        &self,
        table: &Table,
        rows: &[usize],
        label: &[bool],
        chunk: usize,
        each: &mut dyn FnMut(ArrayView2<f64>),
    ) -> Result<()> {
        let chunk = chunk.max(1);
        let oof = self.out_of_fold_columns(table, rows, label)?;
        for (c, part) in rows.chunks(chunk).enumerate() {
            let mut x = self.transform(table, part)?;
            put_out_of_fold(&mut x, &oof, c * chunk);
            each(x.view());
        }
        Ok(())
    }

    /// The design columns of target-encoded transforms over training
    /// `rows`, out of fold: (design column, values).
    fn out_of_fold_columns(
        &self,
        table: &Table,
        rows: &[usize],
        label: &[bool],
    ) -> Result<Vec<(usize, Vec<f64>)>> {
        let mut out = Vec::new();
        let mut j = 0;
        for t in &self.transforms {
            if let Transform::TargetEncode {
                column,
                mean,
                scale,
                ..
            } = t
            {
                let oof = out_of_fold(table.column(column)?, rows, label);
                out.push((j, oof.iter().map(|v| (v - mean) / scale).collect()));
            }
            j += t.width();
        }
        Ok(out)
    }

    /// Which design columns are one-hot levels (hold only 0 and 1).
    pub fn one_hot_columns(&self) -> Vec<bool> {
        self.transforms
            .iter()
            .flat_map(|t| std::iter::repeat_n(matches!(t, Transform::OneHot { .. }), t.width()))
            .collect()
    }
}

/// Writes the out-of-fold columns' values for the rows from `first` on
/// into `x`, whose rows they are.
fn put_out_of_fold(x: &mut Array2<f64>, oof: &[(usize, Vec<f64>)], first: usize) {
    for (j, values) in oof {
        for (r, v) in values[first..][..x.nrows()].iter().enumerate() {
            x[[r, *j]] = *v;
        }
    }
}

/// Smoothed positive rate per level (sorted `levels`) over `rows`, and the prior.
fn level_rates(c: &Column, rows: &[usize], label: &[bool], levels: &[String]) -> (Vec<f64>, f64) {
    let prior = rows.iter().filter(|&&i| label[i]).count() as f64 / rows.len().max(1) as f64;
    let mut n = vec![0.0; levels.len()];
    let mut pos = vec![0.0; levels.len()];
    for &i in rows {
        if c.is_missing(i) {
            continue;
        }
        if let Ok(k) = levels.binary_search(&c.text(i)) {
            n[k] += 1.0;
            pos[k] += f64::from(u8::from(label[i]));
        }
    }
    let values = n
        .iter()
        .zip(&pos)
        .map(|(n, p)| (p + TARGET_SMOOTHING * prior) / (n + TARGET_SMOOTHING))
        .collect();
    (values, prior)
}

/// Each row's level rate computed without its own fold (seeded, stratified folds).
fn out_of_fold(c: &Column, rows: &[usize], label: &[bool]) -> Vec<f64> {
    let y: Vec<bool> = rows.iter().map(|&i| label[i]).collect();
    let folds = split::stratified_folds(&y, TARGET_FOLDS, 0);
    let mut levels: Vec<String> = rows
        .iter()
        .filter(|&&i| !c.is_missing(i))
        .map(|&i| c.text(i))
        .collect();
    levels.sort();
    levels.dedup();
    let mut out = vec![0.0; rows.len()];
    for (f, fold) in folds.iter().enumerate() {
        let others: Vec<usize> = folds
            .iter()
            .enumerate()
            .filter(|(g, _)| *g != f)
            .flat_map(|(_, g)| g.iter().map(|&p| rows[p]))
            .collect();
        let (values, prior) = level_rates(c, &others, label, &levels);
        for &p in fold {
            let i = rows[p];
            out[p] = if c.is_missing(i) {
                prior
            } else {
                levels
                    .binary_search(&c.text(i))
                    .map_or(prior, |k| values[k])
            };
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{load, LoadOptions};

    fn table() -> Table {
        let mut csv = String::from("id,const,empty,amount,city,level,when\n");
        for i in 0..60 {
            let city = ["北京", "上海", "深圳"][i % 3];
            let level = ["低", "中", "高"][i % 3];
            let amount = if i == 5 {
                String::new()
            } else {
                format!("{}", i * 10)
            };
            csv.push_str(&format!(
                "C{i:03},1,,{amount},{city},{level},2024-01-{:02}\n",
                i % 28 + 1
            ));
        }
        load(csv.as_bytes(), "t.csv", &LoadOptions::default(), &mut ())
            .unwrap()
            .0
    }

    #[test]
    fn drops_ids_constants_and_empty_columns_with_reasons() {
        let t = table();
        let rows: Vec<usize> = (0..60).collect();
        let mut spec = PrepSpec {
            date_days: true,
            ..Default::default()
        };
        spec.ordinal
            .insert("level".into(), vec!["低".into(), "中".into(), "高".into()]);
        let p = Prep::fit(&t, &rows, &spec).unwrap();
        let reasons: Vec<(&str, &str)> = p
            .dropped
            .iter()
            .map(|d| (d.column.as_str(), d.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("id", "an id"),
                ("const", "constant"),
                ("empty", "missing in 100% of rows")
            ]
        );
        let names: Vec<String> = p.features().into_iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "amount",
                "city=上海",
                "city=北京",
                "city=深圳",
                "level",
                "when"
            ]
        );
        let x = p.transform(&t, &rows).unwrap();
        // Standardised columns have mean 0 and (population) std 1 on the fitting rows.
        for j in [0, 4, 5] {
            let col = x.column(j);
            let mean = col.mean().unwrap();
            let std = col.mapv(|v| (v - mean).powi(2)).mean().unwrap().sqrt();
            assert!(
                mean.abs() < 1e-9 && (std - 1.0).abs() < 1e-9,
                "{j}: {mean} {std}"
            );
        }
        // The missing amount (row 5) was filled with the median before scaling.
        let Transform::Numeric { fill, .. } = &p.transforms[0] else {
            panic!()
        };
        assert_eq!(*fill, 300.0);
    }

    #[test]
    fn the_same_fit_and_matrix_on_one_thread_and_several() {
        // Columns fitted side by side and rows over several blocks: the
        // same transforms in the same order, the same drops, the same cells.
        let mut csv = String::from("id,amount,city,level,empty\n");
        for i in 0..5000 {
            let amount = if i % 17 == 0 {
                String::new()
            } else {
                format!("{}", (i * 37) % 1000)
            };
            let city = ["北京", "上海", "深圳", ""][i % 4];
            let level = ["低", "中", "高"][i % 3];
            csv.push_str(&format!("C{i:05},{amount},{city},{level},\n"));
        }
        let t = load(csv.as_bytes(), "t.csv", &LoadOptions::default(), &mut ())
            .unwrap()
            .0;
        let rows: Vec<usize> = (0..5000).collect();
        let mut spec = PrepSpec::default();
        spec.ordinal
            .insert("level".into(), vec!["低".into(), "中".into(), "高".into()]);
        let run = |threads| {
            crate::par::with_threads(threads, || {
                let p = Prep::fit(&t, &rows, &spec).unwrap();
                let x = p.transform(&t, &rows).unwrap();
                (format!("{:?} {:?}", p.transforms, p.dropped), x)
            })
        };
        let (one, x1) = run(1);
        let (three, x3) = run(3);
        assert_eq!(one, three);
        assert_eq!(x1.dim(), (5000, 5));
        assert!(x1.iter().zip(&x3).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn unknown_ordinal_values_and_unseen_levels() {
        let t = table();
        let rows: Vec<usize> = (0..60).collect();
        let mut spec = PrepSpec::default();
        spec.ordinal
            .insert("level".into(), vec!["低".into(), "高".into()]);
        let e = Prep::fit(&t, &rows, &spec).unwrap_err();
        assert!(e.to_string().contains("'中'"), "{e}");
        // Each value stands at its place in the order, not the dictionary's.
        let order = Transform::Ordinal {
            column: "level".into(),
            order: vec!["高".into(), "低".into(), "中".into()],
            fill: 0.0,
            mean: 0.0,
            scale: 1.0,
        };
        let level = t.column("level").unwrap();
        let at = raw_numbers_at(level, &order, &[0, 1, 2, 3, 59]);
        assert_eq!(at, [1.0, 2.0, 0.0, 1.0, 0.0]);
        // Levels seen only outside the fitting rows encode as all zeros.
        let spec = PrepSpec::default();
        let p = Prep::fit(&t, &[0, 1, 3, 4], &spec).unwrap();
        let x = p.transform(&t, &[2]).unwrap();
        let names: Vec<String> = p.features().into_iter().map(|f| f.name).collect();
        let k = names.iter().position(|n| n == "city=上海").unwrap();
        assert_eq!(x[[0, k]] + x[[0, k + 1]], 0.0, "{names:?}");
    }

    #[test]
    fn missing_categories_take_the_training_mode() {
        let csv = "city,n\n北京,1\n上海,2\n北京,3\n,4\n深圳,5\n北京,6\n上海,7\n";
        let t = load(csv.as_bytes(), "m.csv", &LoadOptions::default(), &mut ())
            .unwrap()
            .0;
        let rows: Vec<usize> = (0..7).collect();
        let p = Prep::fit(&t, &rows, &PrepSpec::default()).unwrap();
        let Transform::OneHot { fill, .. } = &p.transforms[0] else {
            panic!("{:?}", p.transforms)
        };
        assert_eq!(fill.as_deref(), Some("北京"));
        let names: Vec<String> = p.features().into_iter().map(|f| f.name).collect();
        let x = p.transform(&t, &[3]).unwrap();
        let k = names.iter().position(|n| n == "city=北京").unwrap();
        assert_eq!(x.row(0).iter().take(3).sum::<f64>(), 1.0, "{names:?}");
        assert_eq!(x[[0, k]], 1.0, "{names:?}");
        // The three city levels are one-hot columns, n is not.
        assert_eq!(p.one_hot_columns(), [true, true, true, false]);
    }

    /// 300 branches, each with its own churn rate: too many for one-hot.
    fn branches() -> (Table, Vec<bool>) {
        let mut csv = String::from("branch,noise\n");
        let mut label = Vec::new();
        let mut state = 7u64;
        for i in 0..6000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let b = i % 300;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            label.push(u < b as f64 / 300.0);
            csv.push_str(&format!("B{b:03},{}\n", (state >> 20) % 100));
        }
        (
            load(csv.as_bytes(), "b.csv", &LoadOptions::default(), &mut ())
                .unwrap()
                .0,
            label,
        )
    }

    #[test]
    fn high_cardinality_is_target_encoded_out_of_fold() {
        let (t, label) = branches();
        let rows: Vec<usize> = (0..4000).collect();
        let spec = PrepSpec::default();
        // Without a label the column cannot be encoded, and says why.
        let p = Prep::fit(&t, &rows, &spec).unwrap();
        assert!(
            p.dropped[0]
                .reason
                .contains("target encoding needs a label"),
            "{:?}",
            p.dropped
        );
        let p = Prep::fit_labelled(&t, &rows, Some(&label), &spec).unwrap();
        let Transform::TargetEncode {
            levels,
            values,
            prior,
            ..
        } = &p.transforms[0]
        else {
            panic!("{:?}", p.transforms[0]);
        };
        assert_eq!(levels.len(), 300);
        // Smoothed toward the prior: B000 (rate 0) sits above 0, B299 below 1.
        assert!(values[0] > 0.0 && values[0] < *prior && values[299] < 1.0 && values[299] > *prior);
        // Training rows see out-of-fold rates, other rows the full-data rates.
        let train = p.transform_train(&t, &rows, &label).unwrap();
        let full = p.transform(&t, &rows).unwrap();
        // In chunks (one shorter than the rest), the same values.
        let mut chunked = Vec::new();
        p.transform_train_chunks(&t, &rows, &label, 1500, &mut |x| {
            chunked.extend(x.iter().copied())
        })
        .unwrap();
        assert_eq!(chunked, train.iter().copied().collect::<Vec<_>>());
        assert_eq!(p.one_hot_columns(), vec![false; train.ncols()]);
        assert!((0..rows.len()).any(|r| (train[[r, 0]] - full[[r, 0]]).abs() > 1e-6));
        // The encoding carries the signal to held-out rows.
        let test: Vec<usize> = (4000..6000).collect();
        let x = p.transform(&t, &test).unwrap();
        let y: Vec<bool> = test.iter().map(|&i| label[i]).collect();
        let auc = crate::score::metrics::auc(&x.column(0).to_vec(), &y);
        assert!(auc > 0.75, "{auc}");
    }
}
