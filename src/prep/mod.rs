//! Feature specs → design matrix. Every transform is fitted on the training
//! rows only and kept (serialisable) so that next month's file is turned
//! into the same columns.
//!
//! Defaults: id and free-text columns are dropped; dates become days before
//! a reference date (or are dropped); numbers are imputed with the training
//! median, optionally log1p'd, and standardised (population std, as
//! scikit-learn's StandardScaler); nominal categories are one-hot encoded
//! over the levels seen in training (sorted, as scikit-learn's
//! OneHotEncoder; a missing or unseen level is all zeros); ordinal
//! categories map to their position in a given order, then are treated as
//! numbers. Columns missing in more than `max_missing_share` of training
//! rows, constant columns and categories with more than `MAX_LEVELS` levels
//! are dropped, each with its reason.

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::table::stats::quantile_sorted;
use crate::table::{Column, ColumnData, ColumnKind, Table, MISSING_CODE, MISSING_DATE};
use crate::{Error, Result};

/// One-hot encoding is not used above this many levels.
pub const MAX_LEVELS: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrepSpec {
    /// Never features (ids, the label's source columns, explicit excludes).
    pub exclude: Vec<String>,
    /// When non-empty, only these columns.
    pub include: Vec<String>,
    pub log1p: Vec<String>,
    pub ordinal: BTreeMap<String, Vec<String>>,
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
    },
}

impl Transform {
    pub fn column(&self) -> &str {
        match self {
            Transform::Numeric { column, .. }
            | Transform::DateDays { column, .. }
            | Transform::Ordinal { column, .. }
            | Transform::OneHot { column, .. } => column,
        }
    }
    fn width(&self) -> usize {
        match self {
            Transform::OneHot { levels, .. } => levels.len(),
            _ => 1,
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
fn raw_numbers(c: &Column, t: &Transform) -> Vec<f64> {
    match (&c.data, t) {
        (ColumnData::Numeric(v), _) => v.clone(),
        (ColumnData::Date { secs, .. }, Transform::DateDays { reference, .. }) => secs
            .iter()
            .map(|&s| {
                if s == MISSING_DATE {
                    f64::NAN
                } else {
                    (reference - s) as f64 / 86400.0
                }
            })
            .collect(),
        (_, Transform::Ordinal { order, .. }) => (0..c.len())
            .map(|i| {
                if c.is_missing(i) {
                    f64::NAN
                } else {
                    let v = c.text(i);
                    order
                        .iter()
                        .position(|o| *o == v)
                        .map_or(f64::NAN, |p| p as f64)
                }
            })
            .collect(),
        _ => vec![f64::NAN; c.len()],
    }
}

fn moments(xs: &[f64]) -> (f64, f64) {
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

impl Prep {
    /// Fits the transforms on `rows` of `table`.
    pub fn fit(table: &Table, rows: &[usize], spec: &PrepSpec) -> Result<Prep> {
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
        for c in &table.columns {
            if spec.exclude.contains(&c.name) {
                continue;
            }
            if !spec.include.is_empty() && !spec.include.contains(&c.name) {
                continue;
            }
            let missing = rows.iter().filter(|&&i| c.is_missing(i)).count();
            let share = missing as f64 / rows.len().max(1) as f64;
            if share > max_missing {
                drop(&c.name, format!("missing in {:.0}% of rows", share * 100.0));
                continue;
            }
            let t = match (c.kind, spec.ordinal.get(&c.name)) {
                (ColumnKind::Id, _) => {
                    drop(&c.name, "an id".into());
                    continue;
                }
                (ColumnKind::Text, None) => {
                    drop(&c.name, "free text".into());
                    continue;
                }
                (ColumnKind::Date, _) if !spec.date_days => {
                    drop(&c.name, "a date".into());
                    continue;
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
                    for &i in rows {
                        if !c.is_missing(i) && !order.contains(&c.text(i)) {
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
                    let mut levels: Vec<String> = match &c.data {
                        ColumnData::Categorical { codes, dict } => {
                            let mut seen = vec![false; dict.len()];
                            for &i in rows {
                                if codes[i] != MISSING_CODE {
                                    seen[codes[i] as usize] = true;
                                }
                            }
                            dict.iter()
                                .zip(seen)
                                .filter(|(_, s)| *s)
                                .map(|(d, _)| d.clone())
                                .collect()
                        }
                        _ => Vec::new(),
                    };
                    if levels.len() < 2 {
                        drop(&c.name, "constant".into());
                        continue;
                    }
                    if levels.len() > MAX_LEVELS {
                        drop(
                            &c.name,
                            format!("{} categories (more than {MAX_LEVELS})", levels.len()),
                        );
                        continue;
                    }
                    levels.sort();
                    transforms.push(Transform::OneHot {
                        column: c.name.clone(),
                        levels,
                    });
                    continue;
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
            present.sort_unstable_by(f64::total_cmp);
            let fill = quantile_sorted(&present, 0.5).unwrap_or(0.0);
            let filled: Vec<f64> = rows
                .iter()
                .map(|&i| f(if all[i].is_nan() { fill } else { all[i] }))
                .collect();
            let (mean, std) = moments(&filled);
            if std < 1e-12 {
                drop(&c.name, "constant".into());
                continue;
            }
            transforms.push(match t {
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
            });
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

    pub fn width(&self) -> usize {
        self.transforms.iter().map(Transform::width).sum()
    }

    pub fn features(&self) -> Vec<Feature> {
        let mut out = Vec::new();
        for t in &self.transforms {
            match t {
                Transform::OneHot { column, levels } => {
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
        let mut x = Array2::zeros((rows.len(), self.width()));
        let mut j = 0;
        for t in &self.transforms {
            let c = table.column(t.column())?;
            match t {
                Transform::OneHot { levels, .. } => {
                    for (r, &i) in rows.iter().enumerate() {
                        if !c.is_missing(i) {
                            let v = c.text(i);
                            if let Ok(k) = levels.binary_search(&v) {
                                x[[r, j + k]] = 1.0;
                            }
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
                } => {
                    let log = matches!(t, Transform::Numeric { log1p: true, .. });
                    let all = raw_numbers(c, t);
                    for (r, &i) in rows.iter().enumerate() {
                        let v = if all[i].is_nan() { *fill } else { all[i] };
                        let v = if log { v.max(0.0).ln_1p() } else { v };
                        x[[r, j]] = (v - mean) / scale;
                    }
                }
            }
            j += t.width();
        }
        Ok(x)
    }
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
    fn unknown_ordinal_values_and_unseen_levels() {
        let t = table();
        let rows: Vec<usize> = (0..60).collect();
        let mut spec = PrepSpec::default();
        spec.ordinal
            .insert("level".into(), vec!["低".into(), "高".into()]);
        let e = Prep::fit(&t, &rows, &spec).unwrap_err();
        assert!(e.to_string().contains("'中'"), "{e}");
        // Levels seen only outside the fitting rows encode as all zeros.
        let spec = PrepSpec::default();
        let p = Prep::fit(&t, &[0, 1, 3, 4], &spec).unwrap();
        let x = p.transform(&t, &[2]).unwrap();
        let names: Vec<String> = p.features().into_iter().map(|f| f.name).collect();
        let k = names.iter().position(|n| n == "city=上海").unwrap();
        assert_eq!(x[[0, k]] + x[[0, k + 1]], 0.0, "{names:?}");
    }
}
