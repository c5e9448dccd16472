//! Credit-style scorecards: optimal WOE binning per characteristic, the
//! IV selection, and points (issue 20).
//!
//! The binning is optbinning's `OptimalBinning` step for step, so that the
//! same data gives the same bins (pinned in `tests/scorecard.rs`):
//! - `cart.rs`: the pre-binning, scikit-learn's `DecisionTreeClassifier`
//!   (gini, best-first with `max_leaf_nodes = max_n_prebins`,
//!   `min_samples_leaf = ceil(min_prebin_size · n)`, values as f32) on the
//!   one column; its thresholds are the pre-bin cut points.
//! - `optimize.rs`: optbinning's CP model solved exactly by a dynamic
//!   program over the pre-bin boundaries (maximise IV under the bin-size,
//!   bin-count, event-count, monotonic-trend and event-rate-difference
//!   constraints, with optbinning's integer scaling and presolve), and its
//!   "auto" trend classifier.
//! - `binning.rs`: numeric and categorical binning, the per-bin table
//!   (WOE = ln(non-event% / event%), optbinning's sign), IV, Gini, KS, and
//!   the WOE transform.
//! - `process.rs`: every characteristic of a table binned, kept at IV ≥
//!   `min_iv`, each drop with its reason in both languages.
//! - `card.rs`: points per bin from a logistic fit on the WOE values,
//!   reason codes, PSI / CSI.

mod binning;
mod card;
mod cart;
mod optimize;
mod process;

pub use binning::{Bin, BinKind, Binning, CharacteristicKind};
pub use card::{psi, stability_band, CardRow, ReasonCode, Scorecard, ScorecardParams, Stability};
pub use process::{bench, BenchResult, BinningProcess, Characteristic, ProcessParams};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The event rate's required shape across the bins (optbinning's
/// `monotonic_trend`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonotonicTrend {
    /// Chosen from the pre-bins by optbinning's decision tree (ascending,
    /// descending, peak or valley).
    Auto,
    /// As `Auto`, but only ascending or descending.
    AutoAscDesc,
    Ascending,
    Descending,
    /// Rising then falling.
    Peak,
    /// Falling then rising.
    Valley,
}

impl MonotonicTrend {
    pub const NAMES: [&'static str; 7] = [
        "auto",
        "auto_asc_desc",
        "ascending",
        "descending",
        "peak",
        "valley",
        "none",
    ];

    /// Reads a recipe's `monotonic_trend` (`"none"` = no constraint).
    pub fn parse(s: &str) -> Result<Option<MonotonicTrend>> {
        Ok(Some(match s.trim() {
            "auto" => MonotonicTrend::Auto,
            "auto_asc_desc" => MonotonicTrend::AutoAscDesc,
            "ascending" => MonotonicTrend::Ascending,
            "descending" => MonotonicTrend::Descending,
            "peak" => MonotonicTrend::Peak,
            "valley" => MonotonicTrend::Valley,
            "none" | "" => return Ok(None),
            other => {
                return Err(Error::unknown(
                    "model.scorecard.binning.monotonic_trend",
                    other,
                    &Self::NAMES,
                ))
            }
        }))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MonotonicTrend::Auto => "auto",
            MonotonicTrend::AutoAscDesc => "auto_asc_desc",
            MonotonicTrend::Ascending => "ascending",
            MonotonicTrend::Descending => "descending",
            MonotonicTrend::Peak => "peak",
            MonotonicTrend::Valley => "valley",
        }
    }
}

/// `monotonic_trend` as a recipe writes it: a trend's name, or `"none"`
/// (or null) for no constraint, as `MonotonicTrend::parse` reads it.
mod trend_field {
    use super::MonotonicTrend;
    use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<MonotonicTrend>, s: S) -> Result<S::Ok, S::Error> {
        v.map(MonotonicTrend::as_str).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<MonotonicTrend>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(t) => MonotonicTrend::parse(&t)
                .map_err(|_| D::Error::unknown_variant(&t, &MonotonicTrend::NAMES)),
        }
    }
}

/// One characteristic's binning settings: optbinning's `OptimalBinning`
/// names and defaults. Shares (`min_prebin_size`, `min_bin_size`,
/// `max_bin_size`, `cat_cutoff`) are fractions of all rows, as there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BinningParams {
    /// Leaves of the pre-binning tree. Default 20.
    pub max_n_prebins: usize,
    /// Smallest pre-bin, as a share of the rows. Default 0.05.
    pub min_prebin_size: f64,
    pub min_n_bins: Option<usize>,
    pub max_n_bins: Option<usize>,
    /// Smallest bin, as a share of the rows (in (0, 0.5]).
    pub min_bin_size: Option<f64>,
    /// Largest bin, as a share of the rows (in (0, 1]).
    pub max_bin_size: Option<f64>,
    pub min_bin_n_nonevent: Option<u64>,
    pub max_bin_n_nonevent: Option<u64>,
    pub min_bin_n_event: Option<u64>,
    pub max_bin_n_event: Option<u64>,
    /// `None` = no trend constraint. Default `Auto`. Categorical
    /// characteristics are always ascending in their event-rate order
    /// (optbinning does the same) unless this is `None`.
    #[serde(with = "trend_field")]
    pub monotonic_trend: Option<MonotonicTrend>,
    /// Least event-rate difference between neighbouring bins, in [0, 1].
    pub min_event_rate_diff: f64,
    /// Numeric values binned apart from the rest (e.g. -999 for "not asked").
    pub special_codes: Vec<f64>,
    /// Category labels binned apart from the rest.
    pub special_categories: Vec<String>,
    /// Categories rarer than this share of the clean rows go to one
    /// "others" bin (optbinning's `cat_cutoff`; `None` = none grouped ahead,
    /// the pre-binning still merges rare levels with their neighbours).
    pub cat_cutoff: Option<f64>,
    /// Pre-bin cut points given by the analyst instead of the tree.
    pub user_splits: Option<Vec<f64>>,
    /// Which `user_splits` must stay (same length); the optimiser may
    /// remove the others.
    pub user_splits_fixed: Option<Vec<bool>>,
    /// Categorical bins as the analyst gives them (e.g. two bins merged),
    /// kept as they are; categories in no group go to the others bin.
    pub user_groups: Option<Vec<Vec<String>>>,
}

impl Default for BinningParams {
    fn default() -> Self {
        BinningParams {
            max_n_prebins: 20,
            min_prebin_size: 0.05,
            min_n_bins: None,
            max_n_bins: None,
            min_bin_size: None,
            max_bin_size: None,
            min_bin_n_nonevent: None,
            max_bin_n_nonevent: None,
            min_bin_n_event: None,
            max_bin_n_event: None,
            monotonic_trend: Some(MonotonicTrend::Auto),
            min_event_rate_diff: 0.0,
            special_codes: Vec::new(),
            special_categories: Vec::new(),
            cat_cutoff: None,
            user_splits: None,
            user_splits_fixed: None,
            user_groups: None,
        }
    }
}

/// The recipe's `model.scorecard` section: the binning process's and the
/// scorecard's settings under their own names (`binning`, `per_column`,
/// `min_iv`; `base_points`, `base_odds`, `pdo`), with their defaults. The
/// logistic regression on the WOE takes `model.class_weight`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScorecardSpec {
    pub binning: BinningParams,
    pub per_column: std::collections::BTreeMap<String, BinningParams>,
    /// Keep characteristics with IV at least this. Default 0.02.
    pub min_iv: f64,
    /// Points at the base odds. Default 600.
    pub base_points: f64,
    /// The base odds are 1 : `base_odds` (event : non-event). Default 19.
    pub base_odds: f64,
    /// Points to double the odds of a non-event. Default 50.
    pub pdo: f64,
}

impl Default for ScorecardSpec {
    fn default() -> Self {
        let (p, c) = (ProcessParams::default(), ScorecardParams::default());
        ScorecardSpec {
            binning: p.binning,
            per_column: p.per_column,
            min_iv: p.min_iv,
            base_points: c.base_points,
            base_odds: c.base_odds,
            pdo: c.pdo,
        }
    }
}

impl ScorecardSpec {
    /// Every setting in its range, or an error naming it in both languages.
    pub fn check(&self) -> Result<()> {
        self.process().check()?;
        self.card(Default::default()).check()
    }

    pub fn process(&self) -> ProcessParams {
        ProcessParams {
            binning: self.binning.clone(),
            per_column: self.per_column.clone(),
            min_iv: self.min_iv,
        }
    }

    pub fn card(&self, logistic: crate::score::LogisticParams) -> ScorecardParams {
        ScorecardParams {
            base_points: self.base_points,
            base_odds: self.base_odds,
            pdo: self.pdo,
            logistic,
        }
    }
}

/// An `OutOfRange` error for `model.scorecard.<field>` (the recipe section); `allowed` and
/// `allowed_zh` say the same range.
pub(crate) fn out_of_range(
    field: &str,
    value: impl std::fmt::Display,
    allowed: &str,
    allowed_zh: &str,
) -> Error {
    Error::OutOfRange {
        field: format!("model.scorecard.{field}"),
        value: value.to_string(),
        allowed: allowed.to_string(),
        allowed_zh: allowed_zh.to_string(),
    }
}

fn share_in(field: &str, v: f64, hi: f64) -> Result<()> {
    if v > 0.0 && v <= hi {
        Ok(())
    } else {
        Err(out_of_range(
            field,
            v,
            &format!("a share greater than 0 and at most {hi}"),
            &format!("大于 0 且不超过 {hi} 的比例"),
        ))
    }
}

fn ordered<T: PartialOrd + std::fmt::Display + Copy>(
    lo_name: &str,
    lo: Option<T>,
    hi_name: &str,
    hi: Option<T>,
) -> Result<()> {
    if let (Some(a), Some(b)) = (lo, hi) {
        if a > b {
            return Err(out_of_range(
                &format!("binning.{lo_name}"),
                a,
                &format!("at most binning.{hi_name} ({b})"),
                &format!("不超过 binning.{hi_name}（{b}）"),
            ));
        }
    }
    Ok(())
}

impl BinningParams {
    /// Every field within optbinning's allowed range, or an error naming
    /// the field, its value and the range in both languages.
    pub fn check(&self) -> Result<()> {
        if self.max_n_prebins < 2 {
            return Err(out_of_range(
                "binning.max_n_prebins",
                self.max_n_prebins,
                "an integer of at least 2",
                "不小于 2 的整数",
            ));
        }
        share_in("binning.min_prebin_size", self.min_prebin_size, 0.5)?;
        for (name, v) in [
            ("min_n_bins", self.min_n_bins),
            ("max_n_bins", self.max_n_bins),
        ] {
            if v == Some(0) {
                return Err(out_of_range(
                    &format!("binning.{name}"),
                    0,
                    "a positive integer",
                    "正整数",
                ));
            }
        }
        ordered("min_n_bins", self.min_n_bins, "max_n_bins", self.max_n_bins)?;
        if let Some(v) = self.min_bin_size {
            share_in("binning.min_bin_size", v, 0.5)?;
        }
        if let Some(v) = self.max_bin_size {
            share_in("binning.max_bin_size", v, 1.0)?;
        }
        ordered(
            "min_bin_size",
            self.min_bin_size,
            "max_bin_size",
            self.max_bin_size,
        )?;
        for (name, v) in [
            ("min_bin_n_nonevent", self.min_bin_n_nonevent),
            ("max_bin_n_nonevent", self.max_bin_n_nonevent),
            ("min_bin_n_event", self.min_bin_n_event),
            ("max_bin_n_event", self.max_bin_n_event),
        ] {
            if v == Some(0) {
                return Err(out_of_range(
                    &format!("binning.{name}"),
                    0,
                    "a positive integer",
                    "正整数",
                ));
            }
        }
        ordered(
            "min_bin_n_nonevent",
            self.min_bin_n_nonevent,
            "max_bin_n_nonevent",
            self.max_bin_n_nonevent,
        )?;
        ordered(
            "min_bin_n_event",
            self.min_bin_n_event,
            "max_bin_n_event",
            self.max_bin_n_event,
        )?;
        if !(0.0..=1.0).contains(&self.min_event_rate_diff) {
            return Err(out_of_range(
                "binning.min_event_rate_diff",
                self.min_event_rate_diff,
                "a number from 0 to 1",
                "0 到 1 之间的数",
            ));
        }
        if let Some(c) = self.cat_cutoff {
            share_in("binning.cat_cutoff", c, 1.0)?;
        }
        if let Some(v) = self.special_codes.iter().find(|v| !v.is_finite()) {
            return Err(out_of_range(
                "binning.special_codes",
                v,
                "finite numbers (a missing value has its own bin already)",
                "有限的数（缺失值已单独成箱）",
            ));
        }
        if let Some(s) = &self.user_splits {
            if let Some(v) = s.iter().find(|v| !v.is_finite()) {
                return Err(out_of_range(
                    "binning.user_splits",
                    v,
                    "finite numbers",
                    "有限的数",
                ));
            }
            let mut sorted = s.clone();
            sorted.sort_by(f64::total_cmp);
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(out_of_range(
                    "binning.user_splits",
                    w[0],
                    "distinct cut points (this one is given twice)",
                    "互不相同的切分点（此值重复）",
                ));
            }
        }
        if let Some(groups) = &self.user_groups {
            let mut seen = std::collections::BTreeSet::new();
            for g in groups {
                if g.is_empty() {
                    return Err(out_of_range(
                        "binning.user_groups",
                        "[]",
                        "groups of at least one category",
                        "每组至少一个类别",
                    ));
                }
                if let Some(c) = g.iter().find(|c| !seen.insert(c.as_str())) {
                    return Err(out_of_range(
                        "binning.user_groups",
                        c,
                        "each category in one group only",
                        "每个类别只能属于一组",
                    ));
                }
            }
        }
        match (&self.user_splits, &self.user_splits_fixed) {
            (Some(s), Some(f)) if s.len() != f.len() => {
                return Err(out_of_range(
                    "binning.user_splits_fixed",
                    format!("{} flags", f.len()),
                    &format!("one flag per user split ({})", s.len()),
                    &format!("每个用户切分点一个标记（{} 个）", s.len()),
                ))
            }
            (None, Some(_)) => {
                return Err(out_of_range(
                    "binning.user_splits_fixed",
                    "given",
                    "only together with binning.user_splits",
                    "只能与 binning.user_splits 一起使用",
                ))
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_optbinnings_and_pass() {
        let p = BinningParams::default();
        assert_eq!((p.max_n_prebins, p.min_prebin_size), (20, 0.05));
        assert_eq!(p.monotonic_trend, Some(MonotonicTrend::Auto));
        p.check().unwrap();
        ProcessParams::default().check().unwrap();
        ScorecardParams::default().check().unwrap();
    }

    #[test]
    fn bad_values_name_field_and_range_in_both_languages() {
        let e = BinningParams {
            max_n_prebins: 1,
            ..Default::default()
        }
        .check()
        .unwrap_err();
        assert_eq!(e.code(), "out_of_range");
        assert!(e
            .to_string()
            .contains("scorecard.binning.max_n_prebins = 1"));
        assert!(e.to_string().contains("at least 2"));
        assert!(e.zh().contains("不小于 2"));
        for p in [
            BinningParams {
                min_prebin_size: 0.6,
                ..Default::default()
            },
            BinningParams {
                min_n_bins: Some(5),
                max_n_bins: Some(3),
                ..Default::default()
            },
            BinningParams {
                min_event_rate_diff: -0.1,
                ..Default::default()
            },
            BinningParams {
                user_splits: Some(vec![1.0, 1.0]),
                ..Default::default()
            },
            BinningParams {
                user_splits: Some(vec![1.0]),
                user_splits_fixed: Some(vec![true, false]),
                ..Default::default()
            },
            BinningParams {
                special_codes: vec![f64::NAN],
                ..Default::default()
            },
            BinningParams {
                user_groups: Some(vec![vec!["a".into()], vec!["b".into(), "a".into()]]),
                ..Default::default()
            },
        ] {
            let e = p.check().unwrap_err();
            assert_eq!(e.code(), "out_of_range", "{p:?}");
            assert!(!e.zh().is_empty());
        }
        assert_eq!(
            MonotonicTrend::parse("sideways").unwrap_err().code(),
            "unknown_value"
        );
        assert_eq!(MonotonicTrend::parse("none").unwrap(), None);
        let e = ScorecardParams {
            pdo: 0.0,
            ..Default::default()
        }
        .check()
        .unwrap_err();
        assert!(e.to_string().contains("scorecard.pdo"));
    }

    #[test]
    fn fixed_user_splits_stay() {
        let x: Vec<f64> = (0..400).map(|i| (i % 100) as f64).collect();
        let y: Vec<bool> = (0..400)
            .map(|i| (i * 37) % 11 < 3 + (i % 100) / 30)
            .collect();
        let p = BinningParams {
            user_splits: Some(vec![75.0, 25.0, 50.0]),
            user_splits_fixed: Some(vec![true, true, true]),
            monotonic_trend: None,
            ..Default::default()
        };
        let b = p.fit_numeric("x", &x, &y).unwrap();
        assert_eq!(b.splits, vec![25.0, 50.0, 75.0]);
        assert_eq!(b.bins[0].count, 100);
    }

    #[test]
    fn rare_categories_go_to_others_and_unseen_ones_score_zero() {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..1000 {
            let c = match i % 20 {
                0 => "c",
                1 => "d",
                k if k < 11 => "a",
                _ => "b",
            };
            x.push(Some(c));
            y.push((i * 31) % 7 < if c == "a" { 1 } else { 3 });
        }
        x.push(None);
        y.push(true);
        let p = BinningParams {
            cat_cutoff: Some(0.1),
            ..Default::default()
        };
        let b = p.fit_categorical("c", &x, &y).unwrap();
        assert_eq!(b.others, vec!["c".to_string(), "d".to_string()]);
        assert_eq!(b.groups, vec![vec!["a".to_string()], vec!["b".to_string()]]);
        let n = b.bins.len();
        assert_eq!(b.bins[n - 3].kind, BinKind::Others(b.others.clone()));
        assert_eq!(b.bins[n - 3].count, 100);
        assert_eq!(b.bins[n - 1].count, 1);
        let w = b
            .woe_categories(&[Some("a"), Some("zzz"), Some("c")])
            .unwrap();
        assert_eq!(w[0], b.bins[0].woe);
        assert_eq!(w[1], 0.0);
        assert_eq!(w[2], b.bins[n - 3].woe);
        assert!(b.woe_numbers(&[1.0]).is_err());

        // The analyst's groups stay as given; "d" is in none, so others.
        let p = BinningParams {
            user_groups: Some(vec![vec!["b".into(), "c".into()], vec!["a".into()]]),
            ..Default::default()
        };
        let b = p.fit_categorical("c", &x, &y).unwrap();
        assert_eq!(
            b.groups,
            vec![
                vec!["b".to_string(), "c".to_string()],
                vec!["a".to_string()]
            ]
        );
        assert_eq!(b.others, vec!["d".to_string()]);
        assert_eq!(b.bins[0].count, 500);
        assert_eq!(b.bins[2].count, 50);
        assert_eq!(b.bins.iter().map(|b| b.count).sum::<u64>(), 1001);
    }
}
