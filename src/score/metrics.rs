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
    /// (false positive rate, true positive rate), from (0,0) to (1,1).
    pub roc: Vec<(f64, f64)>,
    /// The score at each ROC point (a row is positive when its score ≥ it);
    /// the first point, (0,0), has +∞ written as a number above every score.
    pub roc_thresholds: Vec<f64>,
    /// (recall, precision) at each distinct score.
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
    let pos = label.iter().filter(|l| **l).count() as f64;
    let neg = label.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return f64::NAN;
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
        let mut idx: Vec<usize> = (0..n).collect();
        idx.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
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
