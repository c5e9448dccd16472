//! Month-on-month monitoring: the training month's distributions are kept
//! in the saved model (`Baseline`), and applying the model to a new month
//! compares them — population stability index (PSI) for the score and for
//! every feature column, the label rate — and raises alerts past the
//! recipe's thresholds.

use serde::{Deserialize, Serialize};

use crate::prep::Prep;
use crate::shared::{Conversion, FeedbackReport};
use crate::table::{secs_as_f64, ColumnData, Table, MISSING_CODE};

/// A distribution as bins: numeric by the baseline's deciles (plus a
/// missing bin), categorical by level (plus a bin for missing/unseen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Bins {
    Numeric {
        edges: Vec<f64>,
        shares: Vec<f64>,
    },
    Categorical {
        levels: Vec<String>,
        shares: Vec<f64>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub rows: usize,
    /// Share of rows the label rule marks true (of those it decides).
    pub label_rate: Option<f64>,
    /// The score's deciles: the probability's, or a scorecard's points.
    pub score: Bins,
    pub features: Vec<(String, Bins)>,
    /// A scorecard's characteristics: each one's share of rows per bin
    /// (the unseen share last), for the CSI.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub characteristics: Vec<(String, Vec<f64>)>,
}

/// The recipe's `monitor` section: alert thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorSpec {
    /// PSI above this alerts (default 0.25); above `psi_watch` is noted.
    #[serde(default = "psi_alert")]
    pub psi_alert: f64,
    #[serde(default = "psi_watch")]
    pub psi_watch: f64,
    /// Absolute change of the label rate that alerts (default 0.05).
    #[serde(default = "label_rate_change")]
    pub label_rate_change: f64,
    /// Conversion rate of the contacted list below this alerts.
    #[serde(default)]
    pub conversion_target: Option<f64>,
}

fn psi_alert() -> f64 {
    0.25
}
fn psi_watch() -> f64 {
    0.1
}
fn label_rate_change() -> f64 {
    0.05
}

impl Default for MonitorSpec {
    fn default() -> Self {
        MonitorSpec {
            psi_alert: psi_alert(),
            psi_watch: psi_watch(),
            label_rate_change: label_rate_change(),
            conversion_target: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Psi {
    pub name: String,
    pub psi: f64,
    /// `stable`, `watch` or `alert`.
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// `score_psi`, `feature_psi`, `label_rate`, `conversion`.
    pub kind: String,
    pub subject: String,
    pub value: f64,
    pub threshold: f64,
    pub message: String,
    pub message_zh: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorReport {
    pub rows_before: usize,
    pub rows_now: usize,
    pub label_rate_before: Option<f64>,
    pub label_rate_now: Option<f64>,
    pub score: Psi,
    /// Score shares per baseline decile bin, before and now.
    pub score_shares_before: Vec<f64>,
    pub score_shares_now: Vec<f64>,
    /// Highest PSI first.
    pub features: Vec<Psi>,
    /// A scorecard's characteristic stability index (PSI of its bin
    /// shares), highest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub csi: Vec<Psi>,
    pub alerts: Vec<Alert>,
}

/// Bins a numeric sample at its deciles (distinct edges only).
pub fn numeric_bins(values: &[f64]) -> Bins {
    let mut s: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let mut edges: Vec<f64> = Vec::new();
    if !s.is_empty() {
        // The nine decile order statistics by selection, highest first,
        // each within the part below the one before (no sort of every value).
        let n = s.len();
        let mut deciles = [0.0; 9];
        let mut below = n;
        for q in (1..10).rev() {
            let at = (q * n / 10).min(n - 1);
            if at < below {
                s[..below].select_nth_unstable_by(at, f64::total_cmp);
                below = at;
            }
            deciles[q - 1] = s[at];
        }
        let min = s[..below.max(1)]
            .iter()
            .copied()
            .min_by(f64::total_cmp)
            .unwrap_or(f64::NAN);
        for e in deciles {
            if edges.last().is_none_or(|l| e > *l) && e > min {
                edges.push(e);
            }
        }
    }
    let shares = numeric_shares(&edges, values);
    Bins::Numeric { edges, shares }
}

/// Shares per bin `[.., e0), [e0, e1), …, [e_last, ..)` and missing last.
fn numeric_shares(edges: &[f64], values: &[f64]) -> Vec<f64> {
    let mut counts = vec![0usize; edges.len() + 2];
    for &v in values {
        let b = if v.is_nan() {
            edges.len() + 1
        } else {
            edges.partition_point(|e| *e <= v)
        };
        counts[b] += 1;
    }
    shares(&counts)
}

fn shares(counts: &[usize]) -> Vec<f64> {
    let n = counts.iter().sum::<usize>().max(1) as f64;
    counts.iter().map(|&c| c as f64 / n).collect()
}

/// The shares of `table`'s column in the bins of `like`.
fn shares_like(like: &Bins, table: &Table, column: &str) -> Option<Vec<f64>> {
    let c = table.column(column).ok()?;
    match (like, &c.data) {
        (Bins::Numeric { edges, .. }, ColumnData::Numeric(v)) => Some(numeric_shares(edges, v)),
        (Bins::Numeric { edges, .. }, ColumnData::Date { secs, .. }) => {
            Some(numeric_shares(edges, &secs_as_f64(secs)))
        }
        (Bins::Categorical { levels, .. }, _) => {
            let mut counts = vec![0usize; levels.len() + 1];
            for i in 0..c.len() {
                let k = if c.is_missing(i) {
                    levels.len()
                } else {
                    let t = c.text(i);
                    levels.iter().position(|l| *l == t).unwrap_or(levels.len())
                };
                counts[k] += 1;
            }
            Some(shares(&counts))
        }
        _ => None,
    }
}

/// Bins for one of the model's input columns.
fn column_bins(table: &Table, column: &str) -> Option<Bins> {
    let c = table.column(column).ok()?;
    Some(match &c.data {
        ColumnData::Numeric(v) => numeric_bins(v),
        ColumnData::Date { secs, .. } => numeric_bins(&secs_as_f64(secs)),
        ColumnData::Categorical { codes, dict } => {
            let mut counts = vec![0usize; dict.len() + 1];
            for &k in codes {
                counts[if k == MISSING_CODE {
                    dict.len()
                } else {
                    k as usize
                }] += 1;
            }
            Bins::Categorical {
                levels: dict.clone(),
                shares: shares(&counts),
            }
        }
        ColumnData::Text(_) => return None,
    })
}

/// The training month's distributions: scores `p` of every row, each input column.
pub fn baseline(table: &Table, prep: &Prep, p: &[f64], label_rate: Option<f64>) -> Baseline {
    let mut names: Vec<&str> = Vec::new();
    for t in &prep.transforms {
        if !names.contains(&t.column()) {
            names.push(t.column());
        }
    }
    // Each column's bins on its own core.
    let features = crate::par::map(names, |name| {
        column_bins(table, name).map(|b| (name.to_string(), b))
    })
    .into_iter()
    .flatten()
    .collect();
    Baseline {
        rows: table.rows(),
        label_rate,
        score: numeric_bins(p),
        features,
        characteristics: Vec::new(),
    }
}

/// PSI = Σ (now − before) · ln(now / before), empty bins floored at 1e-4.
pub fn psi(before: &[f64], now: &[f64]) -> f64 {
    before
        .iter()
        .zip(now)
        .map(|(&b, &a)| {
            let (b, a) = (b.max(1e-4), a.max(1e-4));
            (a - b) * (a / b).ln()
        })
        .sum()
}

fn level(psi: f64, spec: &MonitorSpec) -> String {
    if psi > spec.psi_alert {
        "alert"
    } else if psi > spec.psi_watch {
        "watch"
    } else {
        "stable"
    }
    .into()
}

fn bin_shares(b: &Bins) -> &[f64] {
    match b {
        Bins::Numeric { shares, .. } | Bins::Categorical { shares, .. } => shares,
    }
}

/// Compares this month (`table`, scores `p`, label rate) with the baseline.
pub fn compare(
    base: &Baseline,
    table: &Table,
    p: &[f64],
    label_rate: Option<f64>,
    spec: &MonitorSpec,
) -> MonitorReport {
    let Bins::Numeric { edges, .. } = &base.score else {
        unreachable!("scores are binned as numbers")
    };
    let before = bin_shares(&base.score).to_vec();
    let now = numeric_shares(edges, p);
    let score_psi = psi(&before, &now);
    let mut features: Vec<Psi> = base
        .features
        .iter()
        .filter_map(|(name, b)| {
            let now = shares_like(b, table, name)?;
            let v = psi(bin_shares(b), &now);
            Some(Psi {
                name: name.clone(),
                psi: v,
                level: level(v, spec),
            })
        })
        .collect();
    crate::order::sort_by(&mut features, |a, b| b.psi.total_cmp(&a.psi));

    let mut alerts = Vec::new();
    if score_psi > spec.psi_alert {
        alerts.push(Alert {
            kind: "score_psi".into(),
            subject: "score".into(),
            value: score_psi,
            threshold: spec.psi_alert,
            message: format!(
                "The score distribution shifted (PSI {score_psi:.3} > {}): retrain the model or check this month's export",
                spec.psi_alert
            ),
            message_zh: format!(
                "评分分布发生偏移（PSI {score_psi:.3} > {}）：请重新训练模型或检查本月导出",
                spec.psi_alert
            ),
        });
    }
    for f in features.iter().filter(|f| f.psi > spec.psi_alert) {
        alerts.push(Alert {
            kind: "feature_psi".into(),
            subject: f.name.clone(),
            value: f.psi,
            threshold: spec.psi_alert,
            message: format!(
                "Column '{}' shifted (PSI {:.3} > {}): check how it was exported, or retrain",
                f.name, f.psi, spec.psi_alert
            ),
            message_zh: format!(
                "列“{}”分布发生偏移（PSI {:.3} > {}）：请检查导出口径，或重新训练",
                f.name, f.psi, spec.psi_alert
            ),
        });
    }
    if let (Some(b), Some(n)) = (base.label_rate, label_rate) {
        if (n - b).abs() > spec.label_rate_change {
            alerts.push(Alert {
                kind: "label_rate".into(),
                subject: "label".into(),
                value: n - b,
                threshold: spec.label_rate_change,
                message: format!(
                    "The label rate moved from {:.1}% to {:.1}% (more than {:.1} points)",
                    b * 100.0,
                    n * 100.0,
                    spec.label_rate_change * 100.0
                ),
                message_zh: format!(
                    "标签占比从 {:.1}% 变为 {:.1}%（变化超过 {:.1} 个百分点）",
                    b * 100.0,
                    n * 100.0,
                    spec.label_rate_change * 100.0
                ),
            });
        }
    }
    MonitorReport {
        rows_before: base.rows,
        rows_now: table.rows(),
        label_rate_before: base.label_rate,
        label_rate_now: label_rate,
        score: Psi {
            name: "score".into(),
            psi: score_psi,
            level: level(score_psi, spec),
        },
        score_shares_before: before,
        score_shares_now: now,
        features,
        csi: Vec::new(),
        alerts,
    }
}

/// Adds a scorecard's CSI per characteristic to `report`: this month's bin
/// shares `now` (in the baseline's order) against the training month's,
/// with an alert past `psi_alert`.
pub fn add_csi(report: &mut MonitorReport, base: &Baseline, now: &[Vec<f64>], spec: &MonitorSpec) {
    let mut csi: Vec<Psi> = base
        .characteristics
        .iter()
        .zip(now)
        .map(|((name, before), now)| {
            let v = psi(before, now);
            Psi {
                name: name.clone(),
                psi: v,
                level: level(v, spec),
            }
        })
        .collect();
    crate::order::sort_by(&mut csi, |a, b| b.psi.total_cmp(&a.psi));
    for c in csi.iter().filter(|c| c.psi > spec.psi_alert) {
        report.alerts.push(Alert {
            kind: "characteristic_csi".into(),
            subject: c.name.clone(),
            value: c.psi,
            threshold: spec.psi_alert,
            message: format!(
                "Characteristic '{}' moved between its bins (CSI {:.3} > {}): check how it was exported, or refit the scorecard",
                c.name, c.psi, spec.psi_alert
            ),
            message_zh: format!(
                "特征“{}”各分箱占比发生偏移（CSI {:.3} > {}）：请检查导出口径，或重新拟合评分卡",
                c.name, c.psi, spec.psi_alert
            ),
        });
    }
    report.csi = csi;
}

/// The label rate among rows where the rule decides.
pub fn label_rate(truth: &[Option<bool>]) -> Option<f64> {
    let known = truth.iter().filter(|t| t.is_some()).count();
    (known > 0).then(|| truth.iter().filter(|t| **t == Some(true)).count() as f64 / known as f64)
}

/// The monitor step: the applied model's alerts (PSI, label rate) and the
/// contacted list's conversion below the recipe's target.
pub fn alerts(
    spec: Option<&MonitorSpec>,
    applied: Option<&MonitorReport>,
    feedback: Option<&FeedbackReport>,
) -> Vec<Alert> {
    let mut out: Vec<Alert> = applied.map(|m| m.alerts.clone()).unwrap_or_default();
    if let (Some(f), Some(target)) = (feedback, spec.and_then(|m| m.conversion_target)) {
        out.extend(conversion_alerts(f, target));
    }
    out
}

/// Conversion of the contacted list below target, overall and per group.
pub fn conversion_alerts(f: &FeedbackReport, target: f64) -> Vec<Alert> {
    let overall = Conversion {
        group: "全部 all".into(),
        contacted: f.contacted,
        converted: f.converted,
        rate: f.rate,
    };
    std::iter::once(&overall)
        .chain(&f.by_channel)
        .chain(&f.by_segment)
        .filter(|g| g.contacted > 0 && g.rate < target)
        .map(|g| Alert {
            kind: "conversion".into(),
            subject: g.group.clone(),
            value: g.rate,
            threshold: target,
            message: format!(
                "Conversion of '{}' is {:.1}% ({} of {}), below the target {:.1}%",
                g.group,
                g.rate * 100.0,
                g.converted,
                g.contacted,
                target * 100.0
            ),
            message_zh: format!(
                "“{}”转化率 {:.1}%（{}/{}），低于目标 {:.1}%",
                g.group,
                g.rate * 100.0,
                g.converted,
                g.contacted,
                target * 100.0
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decile edges by selection are those read off the sorted values.
    #[test]
    fn decile_edges_equal_the_sorted_ones() {
        let mut state = 5u64;
        for n in [1usize, 2, 3, 9, 10, 11, 29, 1000, 5001] {
            let values: Vec<f64> = (0..n)
                .map(|i| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                    match (state >> 60) % 4 {
                        0 => f64::NAN,
                        1 => ((state >> 33) % 5) as f64,
                        _ => (state >> 20) as f64 / (i + 1) as f64,
                    }
                })
                .collect();
            let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            sorted.sort_by(f64::total_cmp);
            let mut want: Vec<f64> = Vec::new();
            for q in 1..10 {
                if sorted.is_empty() {
                    break;
                }
                let e = sorted[(q * sorted.len() / 10).min(sorted.len() - 1)];
                if want.last().is_none_or(|l| e > *l) && e > sorted[0] {
                    want.push(e);
                }
            }
            let Bins::Numeric { edges, .. } = numeric_bins(&values) else {
                panic!("numeric bins expected");
            };
            assert_eq!(edges, want, "n {n}");
        }
    }

    #[test]
    fn psi_of_equal_shares_is_zero_and_grows_with_shift() {
        let v: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let Bins::Numeric { edges, shares } = numeric_bins(&v) else {
            unreachable!()
        };
        assert_eq!(edges.len(), 9);
        assert!(shares[..10].iter().all(|s| (s - 0.1).abs() < 1e-12));
        assert_eq!(psi(&shares, &numeric_shares(&edges, &v)), 0.0);
        let shifted: Vec<f64> = v.iter().map(|x| x + 300.0).collect();
        let p = psi(&shares, &numeric_shares(&edges, &shifted));
        // Three deciles emptied, three more mass in the top bin: a big shift.
        assert!(p > 1.0, "{p}");
        let slight: Vec<f64> = v.iter().map(|x| x + 10.0).collect();
        assert!(psi(&shares, &numeric_shares(&edges, &slight)) < 0.01);
    }

    #[test]
    fn psi_matches_the_textbook_formula() {
        // Two bins 50/50 → 70/30: 0.2·ln(7/5) + (−0.2)·ln(3/5).
        let want = 0.2 * (0.7f64 / 0.5).ln() - 0.2 * (0.3f64 / 0.5).ln();
        assert!((psi(&[0.5, 0.5], &[0.7, 0.3]) - want).abs() < 1e-15);
    }
}
