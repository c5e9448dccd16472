//! One characteristic's optimal binning and its table, as optbinning's
//! `OptimalBinning.fit` and `BinningTable.build`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::cart::cart_splits;
use super::optimize::{auto_trend, solve, Constraints};
use super::{out_of_range, BinningParams, MonotonicTrend};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CharacteristicKind {
    Numeric,
    Categorical,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinKind {
    /// `[lo, hi)`; the first bin starts at -∞, the last ends at +∞
    /// (written `"-inf"` / `"inf"` in JSON, which has no infinity).
    Interval {
        #[serde(with = "unbounded")]
        lo: f64,
        #[serde(with = "unbounded")]
        hi: f64,
    },
    /// Categories binned together (in ascending event-rate order).
    Categories(Vec<String>),
    /// Categories rarer than `cat_cutoff`, grouped.
    Others(Vec<String>),
    Special,
    Missing,
}

/// An interval end in JSON: a number, or `"-inf"` / `"inf"` (JSON has no
/// infinity; serde_json would write null and refuse to read it back).
mod unbounded {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum End {
        Number(f64),
        Text(String),
    }

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if *v == f64::INFINITY {
            s.serialize_str("inf")
        } else if *v == f64::NEG_INFINITY {
            s.serialize_str("-inf")
        } else {
            s.serialize_f64(*v)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match End::deserialize(d)? {
            End::Number(v) => Ok(v),
            End::Text(t) if t == "inf" => Ok(f64::INFINITY),
            End::Text(t) if t == "-inf" => Ok(f64::NEG_INFINITY),
            End::Text(t) => Err(serde::de::Error::custom(format!(
                "an interval end is a number, \"inf\" or \"-inf\", not \"{t}\""
            ))),
        }
    }
}

/// One row of the binning table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    pub label: String,
    pub kind: BinKind,
    pub count: u64,
    /// Of all rows.
    pub share: f64,
    pub non_event: u64,
    pub event: u64,
    /// event / count (0 for an empty bin).
    pub event_rate: f64,
    /// ln(non-event share / event share): optbinning's sign (positive =
    /// fewer events than average). 0 when the bin lacks events or
    /// non-events, as optbinning.
    pub woe: f64,
    /// (non-event share - event share)·WOE; 0 where WOE is.
    pub iv: f64,
}

/// A fitted characteristic: its cut points or groups and its table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binning {
    pub name: String,
    pub kind: CharacteristicKind,
    /// Numeric cut points, ascending (bins `[splits[i-1], splits[i])`).
    pub splits: Vec<f64>,
    /// Categorical groups in bin order.
    pub groups: Vec<Vec<String>>,
    /// Categories in the others bin.
    pub others: Vec<String>,
    pub special_codes: Vec<f64>,
    pub special_categories: Vec<String>,
    /// The trend the optimiser held (`auto` resolved); `None` = none.
    pub trend: Option<MonotonicTrend>,
    /// Pre-bins the optimiser merged (after pure pre-bins were removed).
    pub prebins: usize,
    /// False when the constraints could not all hold and one bin was kept
    /// (optbinning's INFEASIBLE fallback).
    pub feasible: bool,
    /// Value bins, then others (categorical, if any), special, missing.
    pub bins: Vec<Bin>,
    pub iv: f64,
    pub gini: f64,
    pub ks: f64,
}

/// Rows in the pre-bins cut at `splits` (numpy's `digitize(right=False)`).
fn counts(x: &[f64], y: &[bool], splits: &[f64]) -> (Vec<u64>, Vec<u64>) {
    let mut ne = vec![0u64; splits.len() + 1];
    let mut e = vec![0u64; splits.len() + 1];
    for (&v, &l) in x.iter().zip(y) {
        let i = splits.partition_point(|s| *s <= v);
        if l {
            e[i] += 1;
        } else {
            ne[i] += 1;
        }
    }
    (ne, e)
}

struct Merged {
    splits: Vec<f64>,
    non_event: Vec<u64>,
    event: Vec<u64>,
    trend: Option<MonotonicTrend>,
    prebins: usize,
    feasible: bool,
}

fn ceil_share(share: f64, n: usize) -> u64 {
    (share * n as f64).ceil() as u64
}

impl BinningParams {
    /// Pre-binning, refinement and optimisation of the clean rows; `n_all`
    /// counts every row (shares are of all rows, as optbinning).
    fn merge(
        &self,
        name: &str,
        x: &[f64],
        y: &[bool],
        n_all: usize,
        categorical: bool,
    ) -> Result<Merged> {
        let (mut splits, mut fixed) = match &self.user_splits {
            Some(s) if !categorical => {
                let mut order: Vec<usize> = (0..s.len()).collect();
                crate::order::sort_by(&mut order, |&a, &b| s[a].total_cmp(&s[b]));
                let fixed = self
                    .user_splits_fixed
                    .as_ref()
                    .map(|f| order.iter().map(|&i| f[i]).collect())
                    .unwrap_or_else(|| vec![false; s.len()]);
                (order.iter().map(|&i| s[i]).collect::<Vec<_>>(), fixed)
            }
            _ => {
                let min_leaf = ceil_share(self.min_prebin_size, n_all) as usize;
                let s = cart_splits(x, y, self.max_n_prebins, min_leaf);
                let f = vec![false; s.len()];
                (s, f)
            }
        };
        // optbinning's refinement: drop the cut to the right of every pure
        // pre-bin (the last pre-bin's cut to its left) until none is pure.
        let (mut ne, mut e) = counts(x, y, &splits);
        while !splits.is_empty() {
            let pure: Vec<bool> = ne.iter().zip(&e).map(|(a, b)| *a == 0 || *b == 0).collect();
            if !pure.iter().any(|p| *p) {
                break;
            }
            let k = splits.len();
            let mut drop: Vec<bool> = pure[..k - 1].to_vec();
            drop.push(pure[k - 1] || pure[k]);
            if let Some(i) = (0..k).find(|&i| drop[i] && fixed[i]) {
                return Err(Error::Analysis {
                    detail: format!(
                        "characteristic '{name}': the fixed cut point {} leaves a bin with only events or only non-events; fix another cut point",
                        splits[i]
                    ),
                    detail_zh: format!(
                        "特征“{name}”：固定切分点 {} 使某一箱只有事件或只有非事件；请换一个固定切分点",
                        splits[i]
                    ),
                });
            }
            fixed = fixed
                .iter()
                .zip(&drop)
                .filter(|(_, d)| !**d)
                .map(|(f, _)| *f)
                .collect();
            splits = splits
                .iter()
                .zip(&drop)
                .filter(|(_, d)| !**d)
                .map(|(s, _)| *s)
                .collect();
            // Dropping cut i joins pre-bins i and i + 1: add, not recount.
            let (mut ne2, mut e2) = (vec![ne[0]], vec![e[0]]);
            for i in 0..k {
                if !drop[i] {
                    ne2.push(0);
                    e2.push(0);
                }
                let last = ne2.len() - 1;
                ne2[last] += ne[i + 1];
                e2[last] += e[i + 1];
            }
            (ne, e) = (ne2, e2);
        }
        let prebins = if splits.is_empty() { 0 } else { ne.len() };
        if prebins <= 1 {
            return Ok(Merged {
                splits,
                non_event: ne,
                event: e,
                trend: None,
                prebins,
                feasible: true,
            });
        }
        let trend = match (self.monotonic_trend, categorical) {
            (None, _) => None,
            // Categories are ordered by event rate: ascending by design.
            (Some(_), true) => Some(MonotonicTrend::Ascending),
            (Some(MonotonicTrend::Auto), false) => Some(auto_trend(&ne, &e, false)),
            (Some(MonotonicTrend::AutoAscDesc), false) => Some(auto_trend(&ne, &e, true)),
            (Some(t), false) => Some(t),
        };
        let c = Constraints {
            min_n_bins: self.min_n_bins,
            max_n_bins: self.max_n_bins,
            min_bin_size: self.min_bin_size.map(|s| ceil_share(s, n_all)),
            max_bin_size: self.max_bin_size.map(|s| ceil_share(s, n_all)),
            min_bin_n_event: self.min_bin_n_event,
            max_bin_n_event: self.max_bin_n_event,
            min_bin_n_nonevent: self.min_bin_n_nonevent,
            max_bin_n_nonevent: self.max_bin_n_nonevent,
            trend,
            min_event_rate_diff: self.min_event_rate_diff,
            fixed,
        };
        let (ends, feasible) = solve(&ne, &e, &c);
        let mut out_s = Vec::new();
        let (mut out_ne, mut out_e) = (Vec::new(), Vec::new());
        let (mut a, mut b) = (0, 0);
        for i in 0..ends.len() {
            a += ne[i];
            b += e[i];
            if ends[i] {
                out_ne.push(a);
                out_e.push(b);
                (a, b) = (0, 0);
                if i < splits.len() {
                    out_s.push(splits[i]);
                }
            }
        }
        Ok(Merged {
            splits: out_s,
            non_event: out_ne,
            event: out_e,
            trend,
            prebins,
            feasible,
        })
    }

    /// Bins a numeric characteristic (NaN = missing; ±∞ is counted as
    /// missing too, as no cut can hold it).
    pub fn fit_numeric(&self, name: &str, x: &[f64], y: &[bool]) -> Result<Binning> {
        self.check()?;
        if self.user_groups.is_some() {
            return Err(out_of_range(
                "binning.user_groups",
                name,
                "categorical characteristics only (give a numeric one user_splits)",
                "仅用于类别特征（数值特征请用 user_splits）",
            ));
        }
        check_rows(name, x.len(), y)?;
        let mut clean = (Vec::new(), Vec::new());
        let (mut special, mut missing) = ([0u64; 2], [0u64; 2]);
        for (&v, &l) in x.iter().zip(y) {
            if !v.is_finite() {
                missing[l as usize] += 1;
            } else if self.special_codes.contains(&v) {
                special[l as usize] += 1;
            } else {
                clean.0.push(v);
                clean.1.push(l);
            }
        }
        let m = self.merge(name, &clean.0, &clean.1, x.len(), false)?;
        let mut rows: Vec<(String, BinKind, u64, u64)> = Vec::new();
        let (ne, e) = if m.prebins == 0 {
            let events = clean.1.iter().filter(|l| **l).count() as u64;
            (vec![clean.1.len() as u64 - events], vec![events])
        } else {
            (m.non_event.clone(), m.event.clone())
        };
        let mut edges = vec![f64::NEG_INFINITY];
        edges.extend(&m.splits);
        edges.push(f64::INFINITY);
        for i in 0..ne.len() {
            let (lo, hi) = (edges[i], edges[i + 1]);
            let label = if lo == f64::NEG_INFINITY {
                format!("(-inf, {})", cut(hi))
            } else {
                format!("[{}, {})", cut(lo), cut(hi))
            };
            rows.push((label, BinKind::Interval { lo, hi }, ne[i], e[i]));
        }
        rows.push(("Special".into(), BinKind::Special, special[0], special[1]));
        rows.push(("Missing".into(), BinKind::Missing, missing[0], missing[1]));
        Ok(table(
            name,
            CharacteristicKind::Numeric,
            self,
            m,
            Vec::new(),
            Vec::new(),
            rows,
        ))
    }

    /// Bins a categorical characteristic (`None` = missing): categories
    /// ordered by event rate, then pre-binned and merged as numbers.
    pub fn fit_categorical(&self, name: &str, x: &[Option<&str>], y: &[bool]) -> Result<Binning> {
        let mut dict: Vec<&str> = Vec::new();
        let mut index: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let codes: Vec<u32> = x
            .iter()
            .map(|v| match v {
                None => crate::table::MISSING_CODE,
                Some(s) => *index.entry(s).or_insert_with(|| {
                    dict.push(s);
                    (dict.len() - 1) as u32
                }),
            })
            .collect();
        self.fit_categorical_codes(name, &codes, &dict, y)
    }

    /// As `fit_categorical`, on dictionary codes (a code outside `dict` is
    /// missing): rows are counted by code, so a million rows cost no
    /// string comparison.
    pub fn fit_categorical_codes<S: AsRef<str>>(
        &self,
        name: &str,
        codes: &[u32],
        dict: &[S],
        y: &[bool],
    ) -> Result<Binning> {
        self.check()?;
        if self.user_splits.is_some() {
            return Err(out_of_range(
                "binning.user_splits",
                name,
                "numeric characteristics only (give a categorical one user_groups)",
                "仅用于数值特征（类别特征请用 user_groups）",
            ));
        }
        check_rows(name, codes.len(), y)?;
        let (mut special, mut missing) = ([0u64; 2], [0u64; 2]);
        let mut by_code = vec![[0u64; 2]; dict.len()];
        for (&c, &l) in codes.iter().zip(y) {
            match by_code.get_mut(c as usize) {
                Some(k) => k[l as usize] += 1,
                None => missing[l as usize] += 1,
            }
        }
        // [non-events, events] per category, in label order (pandas groupby).
        let mut per: BTreeMap<&str, [u64; 2]> = BTreeMap::new();
        for (k, c) in dict.iter().zip(&by_code) {
            let k = k.as_ref();
            if c[0] + c[1] == 0 {
                continue;
            }
            let into = if self.special_categories.iter().any(|s| s == k) {
                &mut special
            } else {
                per.entry(k).or_default()
            };
            into[0] += c[0];
            into[1] += c[1];
        }
        let n_clean: u64 = per.values().map(|c| c[0] + c[1]).sum();
        let mut others: Vec<String> = Vec::new();
        let mut other_counts = [0u64; 2];
        if let Some(cut_share) = self.cat_cutoff {
            let least = ceil_share(cut_share, n_clean as usize);
            per.retain(|k, c| {
                if c[0] + c[1] < least {
                    others.push(k.to_string());
                    other_counts[0] += c[0];
                    other_counts[1] += c[1];
                    false
                } else {
                    true
                }
            });
            if per.is_empty() && n_clean > 0 {
                return Err(Error::Analysis {
                    detail: format!("characteristic '{name}': every category is rarer than cat_cutoff = {cut_share}; lower it"),
                    detail_zh: format!("特征“{name}”：所有类别都少于 cat_cutoff = {cut_share}；请调低该值"),
                });
            }
        }
        if self.user_groups.is_some() {
            return Ok(self.user_grouped(name, &per, others, other_counts, special, missing));
        }
        // Ascending event rate, ties in label order (a stable sort).
        let mut cats: Vec<(&str, f64)> = per
            .iter()
            .map(|(k, c)| (*k, c[1] as f64 / (c[0] + c[1]) as f64))
            .collect();
        crate::order::sort_by(&mut cats, |a, b| a.1.total_cmp(&b.1));
        let code: BTreeMap<&str, f64> = cats
            .iter()
            .enumerate()
            .map(|(i, c)| (c.0, i as f64))
            .collect();
        let code_of: Vec<Option<f64>> =
            dict.iter().map(|k| code.get(k.as_ref()).copied()).collect();
        let (mut xc, mut yc) = (Vec::new(), Vec::new());
        for (&c, &l) in codes.iter().zip(y) {
            if let Some(Some(v)) = code_of.get(c as usize) {
                xc.push(*v);
                yc.push(l);
            }
        }
        let m = self.merge(name, &xc, &yc, codes.len(), true)?;
        let mut edges = vec![f64::NEG_INFINITY];
        edges.extend(&m.splits);
        edges.push(f64::INFINITY);
        let mut groups = Vec::new();
        let mut rows = Vec::new();
        let (ne, e) = if m.prebins == 0 {
            let events = yc.iter().filter(|l| **l).count() as u64;
            (vec![yc.len() as u64 - events], vec![events])
        } else {
            (m.non_event.clone(), m.event.clone())
        };
        for i in 0..ne.len() {
            let g: Vec<String> = cats
                .iter()
                .enumerate()
                .filter(|(c, _)| (*c as f64) >= edges[i] && (*c as f64) < edges[i + 1])
                .map(|(_, c)| c.0.to_string())
                .collect();
            rows.push((g.join(", "), BinKind::Categories(g.clone()), ne[i], e[i]));
            groups.push(g);
        }
        if !others.is_empty() {
            rows.push((
                "Others".into(),
                BinKind::Others(others.clone()),
                other_counts[0],
                other_counts[1],
            ));
        }
        rows.push(("Special".into(), BinKind::Special, special[0], special[1]));
        rows.push(("Missing".into(), BinKind::Missing, missing[0], missing[1]));
        Ok(table(
            name,
            CharacteristicKind::Categorical,
            self,
            m,
            groups,
            others,
            rows,
        ))
    }
}

impl BinningParams {
    /// The analyst's categorical groups, not optimised; categories seen
    /// in no group join the others bin.
    fn user_grouped(
        &self,
        name: &str,
        per: &BTreeMap<&str, [u64; 2]>,
        mut others: Vec<String>,
        mut other_counts: [u64; 2],
        special: [u64; 2],
        missing: [u64; 2],
    ) -> Binning {
        let groups = self.user_groups.clone().unwrap_or_default();
        let mut rows = Vec::new();
        for g in &groups {
            let c = g.iter().fold([0u64; 2], |acc, k| {
                let v = per.get(k.as_str()).copied().unwrap_or_default();
                [acc[0] + v[0], acc[1] + v[1]]
            });
            rows.push((g.join(", "), BinKind::Categories(g.clone()), c[0], c[1]));
        }
        for (k, c) in per {
            if !groups.iter().any(|g| g.iter().any(|x| x == k)) {
                others.push(k.to_string());
                other_counts[0] += c[0];
                other_counts[1] += c[1];
            }
        }
        if !others.is_empty() {
            rows.push((
                "Others".into(),
                BinKind::Others(others.clone()),
                other_counts[0],
                other_counts[1],
            ));
        }
        rows.push(("Special".into(), BinKind::Special, special[0], special[1]));
        rows.push(("Missing".into(), BinKind::Missing, missing[0], missing[1]));
        let m = Merged {
            splits: Vec::new(),
            non_event: Vec::new(),
            event: Vec::new(),
            trend: None,
            prebins: groups.len(),
            feasible: true,
        };
        table(
            name,
            CharacteristicKind::Categorical,
            self,
            m,
            groups,
            others,
            rows,
        )
    }
}

fn check_rows(name: &str, n: usize, y: &[bool]) -> Result<()> {
    if n != y.len() {
        return Err(Error::Analysis {
            detail: format!(
                "characteristic '{name}' has {n} rows but the label has {}",
                y.len()
            ),
            detail_zh: format!("特征“{name}”有 {n} 行，但标签有 {} 行", y.len()),
        });
    }
    let events = y.iter().filter(|l| **l).count();
    if events == 0 || events == n {
        return Err(Error::Analysis {
            detail: format!(
                "binning '{name}' needs both events and non-events in the label ({events} of {n} rows are events)"
            ),
            detail_zh: format!("特征“{name}”分箱需要标签中同时有事件和非事件（{n} 行中有 {events} 行是事件）"),
        });
    }
    Ok(())
}

/// A cut point as the table shows it: at most 4 decimals.
fn cut(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let r = (v * 1e4).round() / 1e4;
    format!("{r}")
}

fn table(
    name: &str,
    kind: CharacteristicKind,
    params: &BinningParams,
    m: Merged,
    groups: Vec<Vec<String>>,
    others: Vec<String>,
    rows: Vec<(String, BinKind, u64, u64)>,
) -> Binning {
    let tne: u64 = rows.iter().map(|r| r.2).sum();
    let te: u64 = rows.iter().map(|r| r.3).sum();
    let total = (tne + te) as f64;
    let constant = (te as f64 / tne as f64).ln();
    let mut bins = Vec::with_capacity(rows.len());
    let (mut iv_sum, mut cum_e, mut cum_ne, mut ks) = (0.0, 0.0, 0.0, 0.0f64);
    for (label, kind, ne, e) in rows {
        let count = ne + e;
        let both = ne > 0 && e > 0;
        let (mut woe, mut iv) = (0.0, 0.0);
        if both {
            let rate = e as f64 / count as f64;
            // optbinning's arithmetic: ln(1/rate - 1) + ln(te/tne).
            woe = (1.0 / rate - 1.0).ln() + constant;
            let (p, q) = (e as f64 / te as f64, ne as f64 / tne as f64);
            iv = if p - q == 0.0 {
                0.0
            } else {
                (p - q) * (p / q).ln()
            };
            cum_e += p;
            cum_ne += q;
            ks = ks.max((cum_e - cum_ne).abs());
        }
        iv_sum += iv;
        bins.push(Bin {
            label,
            kind,
            count,
            share: count as f64 / total,
            non_event: ne,
            event: e,
            event_rate: if count > 0 {
                e as f64 / count as f64
            } else {
                0.0
            },
            woe,
            iv,
        });
    }
    let gini = gini(&bins);
    Binning {
        name: name.to_string(),
        kind,
        splits: if kind == CharacteristicKind::Numeric {
            m.splits
        } else {
            Vec::new()
        },
        groups,
        others,
        special_codes: params.special_codes.clone(),
        special_categories: params.special_categories.clone(),
        trend: m.trend,
        prebins: m.prebins,
        feasible: m.feasible,
        bins,
        iv: iv_sum,
        gini,
        ks,
    }
}

/// optbinning's `gini`: 1 - Σ ev·(ne + 2·non-events before) / (te·tne)
/// over the non-empty bins sorted by non-event rate.
fn gini(bins: &[Bin]) -> f64 {
    let mut b: Vec<(f64, f64)> = bins
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| (b.event as f64, b.non_event as f64))
        .collect();
    if b.len() <= 1 {
        return 0.0;
    }
    let te: f64 = b.iter().map(|x| x.0).sum();
    let tne: f64 = b.iter().map(|x| x.1).sum();
    crate::order::sort_by(&mut b, |x, y| {
        (x.1 / (x.0 + x.1)).total_cmp(&(y.1 / (y.0 + y.1)))
    });
    let (mut before, mut dot) = (0.0, 0.0);
    for (ev, ne) in b {
        dot += ev * (ne + 2.0 * before);
        before += ne;
    }
    1.0 - dot / (te * tne)
}

impl Binning {
    /// The bin a numeric value falls in (NaN / ±∞ → missing).
    pub fn bin_of_number(&self, v: f64) -> Result<usize> {
        if self.kind != CharacteristicKind::Numeric {
            return Err(self.wrong_kind("a number"));
        }
        let values = self.splits.len() + 1;
        Ok(if !v.is_finite() {
            values + 1
        } else if self.special_codes.contains(&v) {
            values
        } else {
            self.splits.partition_point(|s| *s <= v)
        })
    }

    /// The bin a category falls in (`None` → missing); a category never
    /// seen in training has no bin (`None`).
    pub fn bin_of_category(&self, v: Option<&str>) -> Result<Option<usize>> {
        if self.kind != CharacteristicKind::Categorical {
            return Err(self.wrong_kind("a category"));
        }
        let n = self.bins.len();
        let Some(s) = v else {
            return Ok(Some(n - 1));
        };
        if self.special_categories.iter().any(|c| c == s) {
            return Ok(Some(n - 2));
        }
        if let Some(i) = self.groups.iter().position(|g| g.iter().any(|c| c == s)) {
            return Ok(Some(i));
        }
        if self.others.iter().any(|c| c == s) {
            return Ok(Some(self.groups.len()));
        }
        Ok(None)
    }

    /// WOE of each value. Missing and special values take their bin's WOE
    /// (0 if that bin was empty in training; optbinning's `transform`
    /// default puts 0 there always); an unseen category 0, as optbinning.
    pub fn woe_numbers(&self, x: &[f64]) -> Result<Vec<f64>> {
        x.iter()
            .map(|&v| Ok(self.bins[self.bin_of_number(v)?].woe))
            .collect()
    }

    /// WOE of each category (see `woe_numbers`).
    pub fn woe_categories(&self, x: &[Option<&str>]) -> Result<Vec<f64>> {
        x.iter()
            .map(|v| Ok(self.bin_of_category(*v)?.map_or(0.0, |i| self.bins[i].woe)))
            .collect()
    }

    fn wrong_kind(&self, given: &str) -> Error {
        let kind = match self.kind {
            CharacteristicKind::Numeric => "numeric",
            CharacteristicKind::Categorical => "categorical",
        };
        out_of_range(
            &format!("characteristic.{}", self.name),
            given,
            &format!("a value of its {kind} type"),
            &format!(
                "该特征的{}取值",
                if kind == "numeric" {
                    "数值"
                } else {
                    "类别"
                }
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_special_have_their_own_bins() {
        let x: Vec<f64> = (0..200)
            .map(|i| match i % 10 {
                0 => f64::NAN,
                1 => -999.0,
                _ => i as f64,
            })
            .collect();
        let y: Vec<bool> = (0..200).map(|i| (i * 7919) % 13 < 4 || i > 150).collect();
        let p = BinningParams {
            special_codes: vec![-999.0],
            ..Default::default()
        };
        let b = p.fit_numeric("x", &x, &y).unwrap();
        let n = b.bins.len();
        assert_eq!(b.bins[n - 1].kind, BinKind::Missing);
        assert_eq!(b.bins[n - 1].count, 20);
        assert_eq!(b.bins[n - 2].count, 20);
        assert_eq!(b.bins.iter().map(|b| b.count).sum::<u64>(), 200);
        assert_eq!(b.bin_of_number(f64::NAN).unwrap(), n - 1);
        assert_eq!(b.bin_of_number(-999.0).unwrap(), n - 2);
    }

    #[test]
    fn one_class_label_is_an_error_not_a_panic() {
        let p = BinningParams::default();
        assert!(p.fit_numeric("x", &[1.0, 2.0], &[true, true]).is_err());
        assert!(p.fit_numeric("x", &[1.0, 2.0], &[true]).is_err());
        assert!(p
            .fit_categorical("c", &[None, Some("a")], &[true, true])
            .is_err());
    }
}
