//! Classification metrics computed from probabilities and labels.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub rows: usize,
    pub positives: usize,
    pub auc: f64,
    pub ks: f64,
    pub threshold: f64,
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// [[true negatives, false positives], [false negatives, true positives]]
    pub confusion: [[usize; 2]; 2],
    /// (false positive rate, true positive rate), from (0,0) to (1,1), at
    /// the distinct scores `curve_points` keeps (all of them up to 2,002).
    pub roc: Vec<(f64, f64)>,
    /// The score at each ROC point (a row is positive when its score ≥ it);
    /// the first point, (0,0), has +∞ written as a number above every score.
    pub roc_thresholds: Vec<f64>,
    /// (recall, precision) at the same scores (the ROC's points but the first).
    pub pr: Vec<(f64, f64)>,
    /// Per decile of score (highest first): rows, positives, lift, cumulative gain.
    pub deciles: Vec<Decile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decile {
    pub rows: usize,
    pub positives: usize,
    pub lift: f64,
    pub cumulative_gain: f64,
}

/// Area under the ROC curve (Mann–Whitney, ties counted half), as scikit-learn's roc_auc_score.
pub fn auc(score: &[f64], label: &[bool]) -> f64 {
    let pos = label.iter().filter(|l| **l).count() as f64;
    let neg = label.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return f64::NAN;
    }
    if score.iter().any(|s| s.is_nan()) {
        return auc_by_ranks(score, label, pos, neg);
    }
    // Mann–Whitney U from the two classes' scores sorted apart and walked
    // together: each positive counts the negatives below it and half those
    // equal. Whole and half counts are exact in f64, so this is the rank
    // formula's value, without an index sort that jumps about memory.
    let (mut p, mut n): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    for (&s, &l) in score.iter().zip(label) {
        if l { &mut p } else { &mut n }.push(order_key(s));
    }
    p.sort_unstable();
    n.sort_unstable();
    let (mut u, mut below, mut i) = (0.0, 0usize, 0usize);
    while i < p.len() {
        let v = p[i];
        let same_p = p[i..].iter().take_while(|&&k| k == v).count();
        while below < n.len() && n[below] < v {
            below += 1;
        }
        let same_n = n[below..].iter().take_while(|&&k| k == v).count();
        u += same_p as f64 * (below as f64 + same_n as f64 / 2.0);
        i += same_p;
    }
    u / (pos * neg)
}

/// A score as a key whose integer order is the numeric order (−0 = +0; no NaN).
fn order_key(s: f64) -> u64 {
    total_key(s + 0.0)
}

/// `f64::total_cmp`'s order as integers: all bits of a negative flipped,
/// the sign bit of the rest.
fn total_key(s: f64) -> u64 {
    let b = s.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

/// Row positions by score, highest first in `total_cmp`'s order, ties in
/// row order — what a stable index sort gives, from one sort of packed
/// (key, row) integers instead of comparisons that jump about memory.
pub fn best_first(score: &[f64]) -> Vec<usize> {
    let mut keyed: Vec<u128> = score
        .iter()
        .enumerate()
        .map(|(i, &s)| u128::from(!total_key(s)) << 64 | i as u128)
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|k| k as u64 as usize).collect()
}

/// The rank-sum AUC, for scores with NaN (each NaN its own rank, as
/// `total_cmp` places them).
fn auc_by_ranks(score: &[f64], label: &[bool], pos: f64, neg: f64) -> f64 {
    let mut idx: Vec<usize> = (0..score.len()).collect();
    idx.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && score[idx[j + 1]] == score[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += (i..=j).filter(|&k| label[idx[k]]).count() as f64 * avg;
        i = j + 1;
    }
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Score cuts the report keeps a curve point for (the page's threshold
/// slider moves by 0.01, a tenth of these steps apart).
const CURVE_CUTS: usize = 1000;

/// Which points of a curve with these (decreasing) thresholds the report
/// keeps: both ends, every `len / 1000`-th point (the curve's shape), and
/// for each cut m / 1000 the last point whose threshold is at or above it
/// (the one a slider at that cut reads). A test set of 300,000 rows has as
/// many distinct scores: the whole curves made the report 30 MB.
fn curve_points(thresholds: &[f64]) -> Vec<usize> {
    let n = thresholds.len();
    if n <= 2 * CURVE_CUTS + 2 {
        return (0..n).collect();
    }
    let mut keep = vec![false; n];
    keep[n - 1] = true;
    for i in (0..n).step_by(n.div_ceil(CURVE_CUTS)) {
        keep[i] = true;
    }
    let mut i = 0;
    for m in (0..=CURVE_CUTS).rev() {
        let cut = m as f64 / CURVE_CUTS as f64;
        while i + 1 < n && thresholds[i + 1] >= cut {
            i += 1;
        }
        keep[i] = true;
    }
    (0..n).filter(|&i| keep[i]).collect()
}

impl Metrics {
    pub fn compute(score: &[f64], label: &[bool], threshold: f64) -> Metrics {
        let n = score.len();
        let positives = label.iter().filter(|l| **l).count();
        let negatives = n - positives;
        let mut confusion = [[0usize; 2]; 2];
        for (s, &l) in score.iter().zip(label) {
            confusion[usize::from(l)][usize::from(*s >= threshold)] += 1;
        }
        let (tn, fp, fneg, tp) = (
            confusion[0][0],
            confusion[0][1],
            confusion[1][0],
            confusion[1][1],
        );
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fneg);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        // ROC and PR: walk thresholds from the highest score down.
        let idx = best_first(score);
        let (mut roc, mut pr) = (vec![(0.0, 0.0)], Vec::new());
        let mut roc_thresholds = vec![score.iter().copied().fold(1.0, f64::max) + 1.0];
        let (mut tps, mut fps, mut ks) = (0usize, 0usize, 0.0f64);
        let mut k = 0;
        while k < n {
            let s = score[idx[k]];
            while k < n && score[idx[k]] == s {
                if label[idx[k]] {
                    tps += 1;
                } else {
                    fps += 1;
                }
                k += 1;
            }
            let (fpr, tpr) = (ratio(fps, negatives), ratio(tps, positives));
            ks = ks.max(tpr - fpr);
            roc.push((fpr, tpr));
            roc_thresholds.push(s);
            pr.push((tpr, ratio(tps, tps + fps)));
        }
        let keep = curve_points(&roc_thresholds);
        let roc = keep.iter().map(|&i| roc[i]).collect();
        let pr = keep
            .iter()
            .filter(|&&i| i > 0)
            .map(|&i| pr[i - 1])
            .collect();
        let roc_thresholds = keep.iter().map(|&i| roc_thresholds[i]).collect();
        let base = ratio(positives, n);
        let mut deciles = Vec::new();
        let mut cum = 0;
        for d in 0..10 {
            let (lo, hi) = (n * d / 10, n * (d + 1) / 10);
            let p = idx[lo..hi].iter().filter(|&&i| label[i]).count();
            cum += p;
            deciles.push(Decile {
                rows: hi - lo,
                positives: p,
                lift: if base > 0.0 {
                    ratio(p, hi - lo) / base
                } else {
                    0.0
                },
                cumulative_gain: ratio(cum, positives),
            });
        }
        Metrics {
            rows: n,
            positives,
            auc: auc(score, label),
            ks,
            threshold,
            accuracy: ratio(tp + tn, n),
            precision,
            recall,
            f1,
            confusion,
            roc,
            roc_thresholds,
            pr,
            deciles,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's slider (www/ui/model.js) reads the same point, at every
    /// cut it offers, from the kept points as from the whole curve.
    #[test]
    fn kept_curve_points_answer_the_slider_as_the_whole_curve() {
        let mut state = 3u64;
        let mut score: Vec<f64> = (0..300_000)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                ((state >> 11) as f64 / (1u64 << 53) as f64).powi(3)
            })
            .collect();
        score.sort_by(|a, b| b.total_cmp(a));
        score.dedup();
        let mut thresholds = vec![2.0];
        thresholds.extend(&score);
        let keep = curve_points(&thresholds);
        assert!(keep.len() <= 2 * CURVE_CUTS + 2, "{}", keep.len());
        assert_eq!((keep[0], *keep.last().unwrap()), (0, thresholds.len() - 1));
        let slider = |points: &[usize], cut: f64| {
            let mut k = 0;
            while k + 1 < points.len() && thresholds[points[k + 1]] >= cut {
                k += 1;
            }
            points[k]
        };
        let all: Vec<usize> = (0..thresholds.len()).collect();
        for step in 1..100 {
            let cut: f64 = format!("0.{step:02}").parse().unwrap();
            assert_eq!(slider(&keep, cut), slider(&all, cut), "cut {cut}");
        }
        // Small curves are kept whole.
        assert_eq!(curve_points(&thresholds[..50]), (0..50).collect::<Vec<_>>());
    }

    /// The merge of the classes' sorted scores gives the rank formula's
    /// value to the bit: ties (few distinct values, as a one-hot level's
    /// rate), −0 beside +0, negative scores, and a score with NaN (ranks).
    #[test]
    fn class_merge_equals_the_rank_sum_to_the_bit() {
        let mut state = 11u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            state >> 11
        };
        for levels in [2u64, 7, 1 << 40] {
            let score: Vec<f64> = (0..50_000)
                .map(|_| match next() % levels {
                    0 => -0.0,
                    1 => 0.0,
                    v => (v as f64 - levels as f64 / 3.0) / 17.0,
                })
                .collect();
            let label: Vec<bool> = (0..50_000).map(|_| next() % 3 == 0).collect();
            let pos = label.iter().filter(|l| **l).count() as f64;
            let neg = label.len() as f64 - pos;
            let merged = auc(&score, &label);
            assert_eq!(
                merged.to_bits(),
                auc_by_ranks(&score, &label, pos, neg).to_bits()
            );
            assert!(merged > 0.4 && merged < 0.6, "{merged}");
        }
        let with_nan = [0.2, f64::NAN, 0.4, 0.1];
        assert!(auc(&with_nan, &[false, true, true, false]).is_finite());
    }

    /// Packed keys give the stable index sort's order, NaN, ±0 and ties included.
    #[test]
    fn best_first_is_the_stable_descending_index_sort() {
        let mut state = 5u64;
        let score: Vec<f64> = (0..20_000)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                match (state >> 33) % 9 {
                    0 => -0.0,
                    1 => 0.0,
                    2 => f64::NAN,
                    3 => -f64::NAN,
                    4 => f64::INFINITY,
                    v => (v as f64 - 6.0) / 3.0 + ((state >> 40) % 3) as f64,
                }
            })
            .collect();
        let mut stable: Vec<usize> = (0..score.len()).collect();
        stable.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
        assert_eq!(best_first(&score), stable);
    }

    #[test]
    fn matches_hand_computed_figures() {
        // sklearn.metrics.roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) == 0.75
        assert_eq!(
            auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            0.75
        );
        // Ties count half: roc_auc_score([0,1],[0.5,0.5]) == 0.5
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), 0.5);
        let m = Metrics::compute(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true], 0.5);
        assert_eq!(m.confusion, [[2, 0], [1, 1]]);
        assert_eq!((m.accuracy, m.precision, m.recall), (0.75, 1.0, 0.5));
        assert!((m.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(m.ks, 0.5);
        assert_eq!(m.roc.first(), Some(&(0.0, 0.0)));
        assert_eq!(m.roc.last(), Some(&(1.0, 1.0)));
        assert_eq!(m.roc_thresholds[1..], [0.8, 0.4, 0.35, 0.1]);
        assert_eq!(m.roc.len(), m.roc_thresholds.len());
        assert_eq!(m.deciles.iter().map(|d| d.rows).sum::<usize>(), 4);
        assert_eq!(m.deciles.last().unwrap().cumulative_gain, 1.0);
    }
}
