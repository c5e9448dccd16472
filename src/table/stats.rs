//! Column statistics for profiling: counts, quantiles, top categories and
//! histogram bins, computed in one place for the CLI, the page and reports.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::infer::{ascends, format_date};
use super::{Column, ColumnData, Table, MISSING_CODE, MISSING_DATE};

/// Bins of a numeric or date histogram.
pub const HISTOGRAM_BINS: usize = 20;
/// Categories listed by name; the rest are summed as "other".
pub const TOP_CATEGORIES: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    pub name: String,
    pub kind: String,
    pub count: usize,
    pub missing: usize,
    pub missing_share: f64,
    pub distinct: usize,
    /// Numbers and dates (dates as text in `min_text` / `max_text`).
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub std: Option<f64>,
    pub median: Option<f64>,
    pub q25: Option<f64>,
    pub q75: Option<f64>,
    pub min_text: Option<String>,
    pub max_text: Option<String>,
    /// Most frequent values with their counts (categorical, id, text).
    pub top: Vec<(String, usize)>,
    /// Count of the values outside `top`.
    pub other: usize,
    /// Equal-width bins: `edges.len() == counts.len() + 1`.
    pub histogram: Option<Histogram>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<usize>,
}

/// Statistics of every column of `table` (the columns on every core).
pub fn profile(table: &Table) -> Vec<ColumnStats> {
    crate::par::map(table.columns.iter().collect(), column_stats)
}

pub fn column_stats(c: &Column) -> ColumnStats {
    let count = c.len();
    let mut s = ColumnStats {
        name: c.name.clone(),
        kind: c.kind.as_str().to_string(),
        count,
        missing: 0,
        missing_share: 0.0,
        distinct: 0,
        min: None,
        max: None,
        mean: None,
        std: None,
        median: None,
        q25: None,
        q75: None,
        min_text: None,
        max_text: None,
        top: Vec::new(),
        other: 0,
        histogram: None,
    };
    match &c.data {
        ColumnData::Numeric(v) => {
            let mut xs: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            s.missing = count - xs.len();
            numeric_summary(&mut s, &mut xs);
        }
        ColumnData::Date { secs, has_time } => {
            let mut xs: Vec<f64> = secs
                .iter()
                .filter(|&&x| x != MISSING_DATE)
                .map(|&x| x as f64)
                .collect();
            s.missing = count - xs.len();
            numeric_summary(&mut s, &mut xs);
            s.min_text = s.min.map(|x| format_date(x as i64, *has_time));
            s.max_text = s.max.map(|x| format_date(x as i64, *has_time));
        }
        ColumnData::Categorical { codes, dict } => {
            let mut counts = vec![0usize; dict.len()];
            for &code in codes {
                if code == MISSING_CODE {
                    s.missing += 1;
                } else {
                    counts[code as usize] += 1;
                }
            }
            s.distinct = counts.iter().filter(|&&n| n > 0).count();
            let pairs = dict.iter().map(String::as_str).zip(counts.iter().copied());
            top_values(&mut s, pairs.collect());
        }
        ColumnData::Text(strs) if ascending(strs.iter()) => {
            // Each value once (an id column in its order): the top values
            // are the first ones, with no map of a million keys.
            let present = strs.iter().filter(|v| !v.is_empty());
            s.distinct = present.clone().count();
            s.missing = count - s.distinct;
            top_values(
                &mut s,
                present.take(TOP_CATEGORIES).map(|v| (v, 1)).collect(),
            );
            s.other = s.distinct - s.top.len();
        }
        ColumnData::Text(strs) => {
            // An id column's map holds a key a row: sized for them at once
            // when the first rows are nearly all distinct, not regrown
            // (each growth rehashes every key) to twice what it needs.
            let head: rustc_hash::FxHashSet<&str> = strs.iter().take(1024).collect();
            let capacity = if head.len() * 10 >= strs.len().min(1024) * 9 {
                strs.len()
            } else {
                0
            };
            let mut counts: HashMap<&str, usize, rustc_hash::FxBuildHasher> =
                HashMap::with_capacity_and_hasher(capacity, Default::default());
            for v in strs.iter() {
                if v.is_empty() {
                    s.missing += 1;
                } else {
                    *counts.entry(v).or_default() += 1;
                }
            }
            s.distinct = counts.len();
            top_values(&mut s, counts.into_iter().collect());
        }
    }
    s.missing_share = if count == 0 {
        0.0
    } else {
        s.missing as f64 / count as f64
    };
    s
}

/// Whether the present (non-empty) values each sort after the one before.
fn ascending<'a>(mut values: impl Iterator<Item = &'a str>) -> bool {
    let mut last = "";
    values.all(|v| ascends(&mut last, v))
}

/// The values with their counts (a count of 0 is left out).
fn top_values(s: &mut ColumnStats, mut all: Vec<(&str, usize)>) {
    all.retain(|p| p.1 > 0);
    let total: usize = all.iter().map(|p| p.1).sum();
    // Count descending, then name, so the order is the same on every run.
    let order = |a: &(&str, usize), b: &(&str, usize)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
    if all.len() > TOP_CATEGORIES {
        // Ids have a million distinct values: select the top ones, do not sort them all.
        all.select_nth_unstable_by(TOP_CATEGORIES, order);
        all.truncate(TOP_CATEGORIES);
    }
    all.sort_by(order);
    s.other = total - all.iter().map(|p| p.1).sum::<usize>();
    s.top = all.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
}

/// Where quantile `q` of `n` values falls: the order statistic below, and
/// the weight of the one above (numpy's default linear interpolation).
fn quantile_position(n: usize, q: f64) -> (usize, f64) {
    let pos = q * (n - 1) as f64;
    let lo = pos.floor() as usize;
    (lo, pos - lo as f64)
}

/// Quantile by linear interpolation between order statistics (numpy's default).
pub fn quantile_sorted(xs: &[f64], q: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let (lo, w) = quantile_position(xs.len(), q);
    let hi = if w > 0.0 { lo + 1 } else { lo };
    Some(xs[lo] + (xs[hi] - xs[lo]) * w)
}

/// `quantile_sorted` of `xs` once sorted, by selecting the two order
/// statistics it interpolates between instead of sorting (`xs` is
/// reordered): linear time for a million values.
pub fn quantile_selected(xs: &mut [f64], q: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let (lo, w) = quantile_position(xs.len(), q);
    let (_, &mut at_lo, above) = xs.select_nth_unstable_by(lo, f64::total_cmp);
    let at_hi = if w > 0.0 {
        above.iter().copied().fold(f64::INFINITY, f64::min)
    } else {
        at_lo
    };
    Some(at_lo + (at_hi - at_lo) * w)
}

/// Whole numbers from 0 to this (flags, counts, ages) are counted, not sorted.
const COUNTED_BELOW: f64 = 65_536.0;

fn numeric_summary(s: &mut ColumnStats, xs: &mut [f64]) {
    if xs.is_empty() {
        return;
    }
    match small_counts(xs) {
        Some(counts) => counted_summary(s, &counts, xs.len()),
        None => sorted_summary(s, xs),
    }
}

fn sorted_summary(s: &mut ColumnStats, xs: &mut [f64]) {
    // The order of `f64::total_cmp` (no NaN is left here), by radix.
    radsort::sort(xs);
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    s.distinct = 1 + xs.windows(2).filter(|w| w[0] != w[1]).count();
    s.q25 = quantile_sorted(xs, 0.25);
    s.median = quantile_sorted(xs, 0.5);
    s.q75 = quantile_sorted(xs, 0.75);
    let (min, max) = (xs[0], xs[xs.len() - 1]);
    let (edges, bin_of) = histogram_bins(min, max);
    let mut counts = vec![0usize; edges.len() - 1];
    for &x in xs.iter() {
        counts[bin_of(x)] += 1;
    }
    finish(s, min, max, mean, var, Histogram { edges, counts });
}

/// How many times each whole number from 0 occurs, when every value is
/// one below `COUNTED_BELOW` (`-0.0` is not: it sorts apart from `0.0`).
fn small_counts(xs: &[f64]) -> Option<Vec<usize>> {
    let small =
        |x: f64| (0.0..COUNTED_BELOW).contains(&x) && x.fract() == 0.0 && x.is_sign_positive();
    let top = xs
        .iter()
        .try_fold(0.0f64, |m, &x| small(x).then(|| m.max(x)))?;
    let mut counts = vec![0usize; top as usize + 1];
    for &x in xs {
        counts[x as usize] += 1;
    }
    Some(counts)
}

/// `numeric_summary` of `n` whole numbers from their counts, with the same
/// figures, bit for bit, as sorting them gives: the sum is exact either
/// way (whole numbers and every partial sum below 2^53), the squares are
/// summed in the sorted order, and quantiles take the same order statistics.
fn counted_summary(s: &mut ColumnStats, counts: &[usize], n: usize) {
    // The values present, ascending, and how often each occurs.
    let present: Vec<(f64, usize)> = (0..counts.len())
        .filter(|&v| counts[v] > 0)
        .map(|v| (v as f64, counts[v]))
        .collect();
    let sum: f64 = present.iter().map(|&(v, c)| v * c as f64).sum();
    let mean = sum / n as f64;
    let var = if n > 1 {
        present
            .iter()
            .flat_map(|&(v, c)| std::iter::repeat_n((v - mean).powi(2), c))
            .sum::<f64>()
            / (n as f64 - 1.0)
    } else {
        0.0
    };
    s.distinct = present.len();
    // The `i`th value in sorted order.
    let at = |i: usize| {
        let mut below = 0;
        present
            .iter()
            .find(|&&(_, c)| {
                below += c;
                below > i
            })
            .map_or(0.0, |p| p.0)
    };
    let quantile = |q: f64| {
        let (lo, w) = quantile_position(n, q);
        let hi = if w > 0.0 { lo + 1 } else { lo };
        Some(at(lo) + (at(hi) - at(lo)) * w)
    };
    s.q25 = quantile(0.25);
    s.median = quantile(0.5);
    s.q75 = quantile(0.75);
    let min = present.first().map_or(0.0, |p| p.0);
    let max = (counts.len() - 1) as f64;
    let (edges, bin_of) = histogram_bins(min, max);
    let mut bins = vec![0usize; edges.len() - 1];
    for &(v, c) in &present {
        bins[bin_of(v)] += c;
    }
    finish(
        s,
        min,
        max,
        mean,
        var,
        Histogram {
            edges,
            counts: bins,
        },
    );
}

/// The histogram's edges from `min` to `max`, and the bin of a value.
fn histogram_bins(min: f64, max: f64) -> (Vec<f64>, impl Fn(f64) -> usize) {
    let bins = if min == max { 1 } else { HISTOGRAM_BINS };
    let width = (max - min) / bins as f64;
    let edges = (0..=bins).map(|i| min + width * i as f64).collect();
    let bin_of = move |x: f64| {
        if width > 0.0 {
            (((x - min) / width) as usize).min(bins - 1)
        } else {
            0
        }
    };
    (edges, bin_of)
}

fn finish(s: &mut ColumnStats, min: f64, max: f64, mean: f64, var: f64, histogram: Histogram) {
    s.min = Some(min);
    s.max = Some(max);
    s.mean = Some(mean);
    s.std = Some(var.sqrt());
    s.histogram = Some(histogram);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{load, LoadOptions, StrColumn};

    #[test]
    fn the_radix_sort_orders_as_total_cmp() {
        // Signed zeros, infinities, subnormals, ties and a spread of
        // magnitudes: the profile's sums and quantiles follow this order.
        let mut state = 99u64;
        let mut xs = vec![
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            5e-324,
            -5e-324,
            1.0,
            1.0,
        ];
        for _ in 0..5000 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            xs.push(f64::from_bits(state >> 2) * if state & 1 == 0 { 1.0 } else { -1.0 });
            xs.push(((state >> 40) % 100) as f64 - 50.0);
        }
        let mut by_cmp = xs.clone();
        by_cmp.sort_by(f64::total_cmp);
        radsort::sort(&mut xs);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&xs), bits(&by_cmp));
    }

    /// The counted path gives what sorting gives, bit for bit (as printed).
    #[test]
    fn counted_summaries_are_the_sorted_ones() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(99);
        let mut next = |m: u64| rng.gen_range(0..m);
        let mut columns: Vec<Vec<f64>> = vec![
            vec![0.0],
            vec![7.0],
            vec![0.0, 0.0, 0.0],
            vec![1.0, 0.0],
            vec![65_535.0, 0.0, 3.0],
            vec![3.0, 3.0, 4.0, 900.0],
        ];
        for n in [2usize, 5, 64, 1000, 20_000] {
            for m in [2u64, 31, 120, 65_536] {
                columns.push((0..n).map(|_| next(m) as f64).collect());
            }
        }
        for xs in columns {
            let blank = || {
                column_stats(&Column {
                    name: "x".into(),
                    kind: crate::table::ColumnKind::Numeric,
                    data: ColumnData::Numeric(vec![]),
                })
            };
            let counts = small_counts(&xs).expect("whole numbers below 65,536 are counted");
            let mut counted = blank();
            counted_summary(&mut counted, &counts, xs.len());
            let mut sorted = blank();
            sorted_summary(&mut sorted, &mut xs.clone());
            assert_eq!(format!("{counted:?}"), format!("{sorted:?}"), "{xs:?}");
            assert!(counted.histogram.is_some() && counted.median.is_some());
        }
        for not_counted in [
            vec![1.0, 65_536.0],
            vec![-0.0, 1.0],
            vec![0.5],
            vec![-1.0, 2.0],
        ] {
            assert!(small_counts(&not_counted).is_none(), "{not_counted:?}");
        }
    }

    /// An ascending text column's stats are the ones its map gives.
    #[test]
    fn ascending_ids_have_the_stats_of_any_order() {
        for n in [0usize, 1, 3, 10, 11, 500] {
            let mut ids: Vec<String> = (0..n)
                .map(|i| {
                    if i % 7 == 3 {
                        String::new()
                    } else {
                        format!("U{i:05}")
                    }
                })
                .collect();
            let stats = |ids: &[String]| {
                let mut strs = StrColumn::with_capacity(ids.len(), 0);
                ids.iter().for_each(|v| strs.push(v));
                column_stats(&Column {
                    name: "id".into(),
                    kind: crate::table::ColumnKind::Id,
                    data: ColumnData::Text(strs),
                })
            };
            assert!(ascending(ids.iter().map(String::as_str)));
            let in_order = stats(&ids);
            ids.reverse();
            if n > 2 {
                assert!(!ascending(ids.iter().map(String::as_str)));
            }
            assert_eq!(format!("{in_order:?}"), format!("{:?}", stats(&ids)), "{n}");
        }
        assert!(!ascending(["a", "b", "b"].into_iter()));
        assert!(ascending(["", "a", "", "b"].into_iter()));
    }

    #[test]
    fn numeric_and_categorical_stats() {
        let csv = "x,c\n1,a\n2,b\n3,a\n4,\nNA,a\n";
        let (t, _) = load(csv.as_bytes(), "t", &LoadOptions::default(), &mut ()).unwrap();
        let p = profile(&t);
        let x = &p[0];
        assert_eq!((x.count, x.missing, x.distinct), (5, 1, 4));
        assert_eq!(
            (x.min, x.max, x.mean, x.median),
            (Some(1.0), Some(4.0), Some(2.5), Some(2.5))
        );
        assert!((x.std.unwrap() - 1.2909944487358056).abs() < 1e-12);
        let h = x.histogram.as_ref().unwrap();
        assert_eq!(h.counts.iter().sum::<usize>(), 4);
        assert_eq!(h.edges.len(), h.counts.len() + 1);
        let c = &p[1];
        assert_eq!((c.missing, c.distinct), (1, 2));
        assert_eq!(c.top, vec![("a".to_string(), 3), ("b".to_string(), 1)]);
    }

    #[test]
    fn selected_quantiles_equal_sorted_ones() {
        let mut state = 12345u64;
        for n in [1usize, 2, 3, 7, 100, 1001] {
            let xs: Vec<f64> = (0..n)
                .map(|_| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                    ((state >> 33) % 50) as f64 / 7.0
                })
                .collect();
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 1.0 / 3.0, 0.5, 2.0 / 3.0, 1.0] {
                let mut work = xs.clone();
                assert_eq!(
                    quantile_selected(&mut work, q),
                    quantile_sorted(&sorted, q),
                    "n {n} q {q}"
                );
            }
        }
        assert_eq!(quantile_selected(&mut [], 0.5), None);
    }

    #[test]
    fn quantiles_match_numpy() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.25, 0.5, 0.75]) == [2, 3, 4]
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile_sorted(&xs, 0.25), Some(2.0));
        assert_eq!(quantile_sorted(&xs, 0.5), Some(3.0));
        assert_eq!(quantile_sorted(&xs, 0.75), Some(4.0));
        // numpy.quantile([1, 2], 0.25) == 1.25
        assert_eq!(quantile_sorted(&[1.0, 2.0], 0.25), Some(1.25));
    }
}
