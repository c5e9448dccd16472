//! Explanations in log-odds, the same for every model: per source column
//! (a categorical column is one driver, not its one-hot parts), summing with
//! the base value to the model's raw score. Logistic regression: coef · (x −
//! training mean), which is its exact SHAP value under independent
//! features; gradient boosting: exact TreeSHAP (`gbdt::shap`).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::analysis::SavedModel;
pub use crate::shared::Driver;
use crate::table::Table;
use crate::Result;

/// Contributions of `rows`: one column per source column, and the base value.
#[derive(Debug, Clone)]
pub struct Explained {
    pub sources: Vec<String>,
    /// `[row, source]`, log-odds.
    pub contrib: Array2<f64>,
    /// The raw score of the average training customer (SHAP's expected value).
    pub base: f64,
}

impl SavedModel {
    /// Explains the model's raw score on `rows` of `table`.
    pub fn explain(&self, table: &Table, rows: &[usize]) -> Result<Explained> {
        if let Some(card) = &self.scorecard {
            // Each characteristic's points against its training mean, as
            // log-odds: with the base they give the log-odds the score
            // stands for.
            let points = card.row_points(&card.rows_of(table, rows)?)?;
            let mean = |j: usize| self.train_mean.get(j).copied().unwrap_or(0.0);
            let mut contrib = Array2::zeros((rows.len(), points.len()));
            for (j, p) in points.iter().enumerate() {
                for (r, &v) in p.iter().enumerate() {
                    contrib[[r, j]] = card.points_log_odds(v as f64 - mean(j));
                }
            }
            let base = card.log_odds(card.base_points)
                + (0..points.len())
                    .map(|j| card.points_log_odds(mean(j)))
                    .sum::<f64>();
            return Ok(Explained {
                sources: card.characteristics.clone(),
                contrib,
                base,
            });
        }
        if let Some(g) = &self.gbdt {
            let x = self.prep.transform_raw(table, rows)?;
            let phi = g.shap(x.view())?;
            let k = phi.ncols() - 1;
            let sources = self
                .prep
                .raw_features()
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            return Ok(Explained {
                sources,
                contrib: phi.slice(ndarray::s![.., ..k]).to_owned(),
                base: g.expected_value(),
            });
        }
        self.explain_design(&[self.prep.transform(table, rows)?.view()])
    }

    /// The logistic regression's explanation of rows already in its design
    /// matrix (`Prep::transform`), so a caller holding it need not make it again.
    /// `blocks`: the design matrix's rows, in blocks (one contribution row
    /// per design row, in order).
    pub fn explain_design(&self, blocks: &[ndarray::ArrayView2<f64>]) -> Result<Explained> {
        let logistic = self.logistic()?;
        let features = self.prep.features();
        let mut sources: Vec<String> = Vec::new();
        for f in &features {
            if !sources.contains(&f.source) {
                sources.push(f.source.clone());
            }
        }
        // Each feature's coef × (x − training mean), summed into its source
        // column row by row (the features' order within each sum, the
        // exact contributions of a linear model), with no rows × features
        // matrix in between.
        let source_of: Vec<usize> = features
            .iter()
            .map(|f| sources.iter().position(|n| *n == f.source).unwrap_or(0))
            .collect();
        let rows = blocks.iter().map(|x| x.nrows()).sum();
        let mut contrib = Array2::zeros((rows, sources.len()));
        let design_rows = blocks.iter().flat_map(|x| x.rows());
        for (xr, mut cr) in design_rows.zip(contrib.rows_mut()) {
            for (j, &s) in source_of.iter().enumerate() {
                cr[s] += logistic.coef[j] * (xr[j] - self.train_mean[j]);
            }
        }
        let base = logistic.intercept
            + logistic
                .coef
                .iter()
                .zip(&self.train_mean)
                .map(|(c, m)| c * m)
                .sum::<f64>();
        Ok(Explained {
            sources,
            contrib,
            base,
        })
    }
}

impl Explained {
    /// Mean |contribution| per source column, largest first.
    pub fn importance(&self) -> Vec<(String, f64)> {
        ranked(&self.sources, |s| {
            self.contrib.column(s).mapv(f64::abs).mean().unwrap_or(0.0)
        })
    }

    /// Row `k`'s largest contributions either way (at most `n`), with the
    /// customer's own values from row `row` of `table`.
    pub fn drivers(&self, table: &Table, k: usize, row: usize, n: usize) -> Vec<Driver> {
        let mut order: Vec<usize> = (0..self.sources.len()).collect();
        order.sort_by(|&a, &b| {
            self.contrib[[k, b]]
                .abs()
                .total_cmp(&self.contrib[[k, a]].abs())
                .then(a.cmp(&b))
        });
        order
            .into_iter()
            .take(n)
            .map(|s| Driver {
                column: self.sources[s].clone(),
                value: cell_text(table, &self.sources[s], row),
                contribution: self.contrib[[k, s]],
            })
            .collect()
    }

    /// Row `k`'s positive contributions, largest first (at most `n`): the
    /// reasons a customer is on the list.
    pub fn reasons(&self, k: usize, n: usize) -> Vec<(String, f64)> {
        let mut reasons: Vec<(String, f64)> = self
            .sources
            .iter()
            .enumerate()
            .map(|(s, name)| (name.clone(), self.contrib[[k, s]]))
            .filter(|r| r.1 > 0.0)
            .collect();
        reasons.sort_by(|a, b| b.1.total_cmp(&a.1));
        reasons.truncate(n);
        reasons
    }
}

/// Each source with its mean |contribution|, largest first.
fn ranked(sources: &[String], mean_abs: impl Fn(usize) -> f64) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = sources
        .iter()
        .enumerate()
        .map(|(s, name)| (name.clone(), mean_abs(s)))
        .collect();
    crate::order::sort_by(&mut out, |a, b| b.1.total_cmp(&a.1));
    out
}

impl SavedModel {
    /// What `explain_design(blocks)` gives its `importance()` and its rows
    /// `pick` for, without its rows × sources matrix whole: at 7,000,000
    /// customers that one allocation (420 MiB) was more than wasm's memory
    /// had left in one piece. The same figures, to the bit: each source's
    /// |contributions| are gathered in row order and averaged as
    /// `importance` averages its column.
    pub fn explain_design_summary(
        &self,
        blocks: &[ndarray::ArrayView2<f64>],
        pick: &[usize],
    ) -> Result<(Vec<(String, f64)>, Explained)> {
        let rows: usize = blocks.iter().map(|x| x.nrows()).sum();
        let mut abs: Vec<Vec<f64>> = Vec::new();
        let mut picked: Option<Explained> = None;
        let mut start = 0;
        for block in blocks {
            let e = self.explain_design(std::slice::from_ref(block))?;
            if abs.is_empty() {
                abs = (0..e.sources.len())
                    .map(|_| Vec::with_capacity(rows))
                    .collect();
            }
            for (s, col) in abs.iter_mut().enumerate() {
                col.extend(e.contrib.column(s).iter().map(|c| c.abs()));
            }
            let p = picked.get_or_insert_with(|| Explained {
                sources: e.sources.clone(),
                contrib: Array2::zeros((pick.len(), e.sources.len())),
                base: e.base,
            });
            for (i, &k) in pick.iter().enumerate() {
                if (start..start + block.nrows()).contains(&k) {
                    p.contrib.row_mut(i).assign(&e.contrib.row(k - start));
                }
            }
            start += block.nrows();
        }
        // No rows: the sources and base all the same, and no contributions.
        let picked = match picked {
            Some(p) => p,
            None => self.explain_design(&[])?,
        };
        let importance = ranked(&picked.sources, |s| {
            abs.get(s)
                .and_then(|c| ndarray::ArrayView1::from(c.as_slice()).mean())
                .unwrap_or(0.0)
        });
        Ok((importance, picked))
    }
}

fn cell_text(table: &Table, column: &str, row: usize) -> String {
    match table.column(column) {
        Ok(c) if !c.is_missing(row) => c.text(row),
        _ => String::new(),
    }
}

/// What the page's beeswarm and dependence plots draw: a sample of test
/// rows, the most important columns, each cell's value and contribution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShapSample {
    pub base_value: f64,
    /// Most important first.
    pub columns: Vec<String>,
    /// Per column: true when its values are categories (no numeric axis).
    pub categorical: Vec<bool>,
    /// `[row][column]`: the number (None for a category or a missing value).
    pub value: Vec<Vec<Option<f64>>>,
    /// `[row][column]`: the value as the file has it.
    pub text: Vec<Vec<String>>,
    /// `[row][column]`: the contribution in log-odds.
    pub shap: Vec<Vec<f64>>,
}

/// Rows drawn evenly from `rows` (at most `n`, in order): deterministic
/// samples for explanations that would cost too much on every row.
pub fn spread(rows: &[usize], n: usize) -> Vec<usize> {
    if rows.len() <= n {
        return rows.to_vec();
    }
    (0..n).map(|k| rows[k * rows.len() / n]).collect()
}

/// The beeswarm sample of `rows` (already explained in `e`, in that order),
/// for the `top` most important columns.
pub fn sample(
    table: &Table,
    model: &SavedModel,
    e: &Explained,
    rows: &[usize],
    importance: &[(String, f64)],
    top: usize,
) -> Result<ShapSample> {
    let columns: Vec<String> = importance.iter().take(top).map(|c| c.0.clone()).collect();
    let raw_features = model.prep.raw_features();
    let raw = model.prep.transform_raw(table, rows)?;
    // Each column's place in the raw matrix and among the explained sources.
    let in_raw: Vec<Option<usize>> = columns
        .iter()
        .map(|c| raw_features.iter().position(|(n, _)| n == c))
        .collect();
    let categorical: Vec<bool> = in_raw
        .iter()
        .map(|j| j.is_some_and(|j| raw_features[j].1))
        .collect();
    let at: Vec<usize> = columns
        .iter()
        .map(|c| e.sources.iter().position(|s| s == c).unwrap_or(0))
        .collect();
    let mut out = ShapSample {
        base_value: e.base,
        columns: columns.clone(),
        categorical: categorical.clone(),
        ..ShapSample::default()
    };
    for (k, &i) in rows.iter().enumerate() {
        let value = in_raw
            .iter()
            .zip(&categorical)
            .map(|(j, cat)| match j {
                Some(j) if !cat && !raw[[k, *j]].is_nan() => Some(raw[[k, *j]]),
                _ => None,
            })
            .collect();
        out.value.push(value);
        out.text
            .push(columns.iter().map(|c| cell_text(table, c, i)).collect());
        out.shap
            .push(at.iter().map(|&s| e.contrib[[k, s]]).collect());
    }
    Ok(out)
}
