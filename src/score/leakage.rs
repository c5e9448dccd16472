//! The leakage warning: a column that alone separates the classes almost
//! perfectly (univariate AUC ≥ 0.90 on the test rows), that carries more
//! than half of the fitted model's importance, or that alone is strong
//! (AUC ≥ 0.78) and separates at least 1.8 times as well as any other column
//! (Gini = 2·AUC − 1), is most likely recorded after the outcome — a call's
//! `duration` in a marketing export (AUC 0.80, Gini 2.05× the next column on
//! UCI bank-full) — and is named with how to leave it out. A strong column
//! among others as strong (assets for a wealth label) is not flagged.

use std::collections::HashMap;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::metrics::auc;
use crate::prep::Feature;
use crate::table::{Column, ColumnData, Table, MISSING_CODE};

/// A column's AUC alone at or above this is flagged.
pub const LEAK_AUC: f64 = 0.90;
/// A column carrying more than this share of the importance is flagged.
pub const LEAK_SHARE: f64 = 0.5;
/// A column at least this strong alone ...
pub const DOMINANT_AUC: f64 = 0.78;
/// ... whose Gini is this many times the next column's is flagged.
pub const DOMINANT_RATIO: f64 = 1.8;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakWarning {
    pub column: String,
    /// The column's AUC alone on the test rows (orientation-free: ≥ 0.5).
    pub auc: f64,
    /// Its share of the model's mean |contribution|.
    pub importance_share: f64,
    pub message: String,
    pub message_zh: String,
}

/// Each source column's AUC alone on the test rows, orientation-free
/// (max(a, 1 − a)). A one-column feature scores rows by its (monotone)
/// design value; a one-hot column by its level's positive rate on the
/// training rows, so a many-level column is not flagged for memorising.
pub fn univariate_auc(
    table: &Table,
    features: &[Feature],
    xte: &[ArrayView2<f64>],
    yte: &[bool],
    train: &[usize],
    test: &[usize],
    label: &[bool],
) -> Vec<(String, f64)> {
    // Each source column's run of features, then each run on its own core.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut j = 0;
    while j < features.len() {
        let width = features[j..]
            .iter()
            .take_while(|f| f.source == features[j].source)
            .count();
        runs.push((j, width));
        j += width;
    }
    crate::par::map(runs, |(j, width)| {
        let source = &features[j].source;
        let score: Vec<f64> = match (width, table.column(source)) {
            (1, _) | (_, Err(_)) => xte
                .iter()
                .flat_map(|x| x.column(j).into_iter().copied())
                .collect(),
            (_, Ok(col)) => {
                let levels = level_numbers(col, train.iter().chain(test).copied());
                let (train_levels, test_levels) = levels.split_at(train.len());
                let mut counts = vec![(0.0, 0.0); levels.iter().max().map_or(0, |m| m + 1)];
                for (&l, &i) in train_levels.iter().zip(train) {
                    counts[l].0 += f64::from(u8::from(label[i]));
                    counts[l].1 += 1.0;
                }
                let base =
                    train.iter().filter(|&&i| label[i]).count() as f64 / train.len().max(1) as f64;
                test_levels
                    .iter()
                    .map(|&l| match counts[l] {
                        (p, n) if n > 0.0 => p / n,
                        _ => base,
                    })
                    .collect()
            }
        };
        let a = auc(&score, yte);
        (source.clone(), a.max(1.0 - a))
    })
}

/// Each of `rows`' level in `col` as a small number: a categorical's code
/// (missing after the last), any other column's text numbered as first met.
/// The same level, the same number; no text made per row of a categorical.
fn level_numbers(col: &Column, rows: impl Iterator<Item = usize>) -> Vec<usize> {
    match &col.data {
        ColumnData::Categorical { codes, dict } => rows
            .map(|i| match codes[i] {
                MISSING_CODE => dict.len(),
                c => c as usize,
            })
            .collect(),
        _ => {
            let mut seen: HashMap<String, usize> = HashMap::new();
            rows.map(|i| {
                let next = seen.len();
                *seen.entry(col.text(i)).or_insert(next)
            })
            .collect()
        }
    }
}

/// The columns to warn about, strongest first.
pub fn warnings(univariate: &[(String, f64)], importance: &[(String, f64)]) -> Vec<LeakWarning> {
    let total: f64 = importance.iter().map(|(_, v)| v).sum();
    let share = |c: &str| {
        importance
            .iter()
            .find(|(n, _)| n == c)
            .map_or(0.0, |(_, v)| v / total.max(f64::MIN_POSITIVE))
    };
    let gini = |a: f64| 2.0 * a - 1.0;
    // The strongest column against the runner-up.
    let mut by_auc: Vec<f64> = univariate.iter().map(|(_, a)| *a).collect();
    crate::order::sort_by(&mut by_auc, |a, b| b.total_cmp(a));
    let dominant = |a: f64| {
        a >= DOMINANT_AUC
            && a == by_auc[0]
            && by_auc
                .get(1)
                .is_none_or(|&b| gini(a) >= DOMINANT_RATIO * gini(b))
    };
    let mut out: Vec<LeakWarning> = univariate
        .iter()
        .map(|(c, a)| (c, *a, share(c)))
        .filter(|(_, a, s)| *a >= LEAK_AUC || *s > LEAK_SHARE || dominant(*a))
        .map(|(c, a, s)| {
            let next = by_auc.iter().copied().find(|&b| b != a).unwrap_or(0.5);
            (c, a, s, next)
        })
        .map(|(c, a, s, next)| LeakWarning {
            column: c.clone(),
            auc: a,
            importance_share: s,
            message: format!(
                "'{c}' alone predicts the label with AUC {a:.3} (the strongest other column: {next:.3}) and carries {:.0}% of the model's weight: it may be recorded after the outcome. If so, leave it out: press \"Exclude\" beside this warning or set its role to \"Exclude\" in the page's column table, or add \"drop\": [\"{c}\"] to the recipe.",
                s * 100.0
            ),
            message_zh: format!(
                "“{c}”单独预测标签的 AUC 为 {a:.3}（其他列最高 {next:.3}），占模型权重 {:.0}%：可能是结果发生后才记录的字段（标签泄漏）。如是，请排除它：点此警告旁的“排除”，或在页面的列表中把它的用途设为“排除”，或在分析配方中加入 \"drop\": [\"{c}\"]。",
                s * 100.0
            ),
        })
        .collect();
    crate::order::sort_by(&mut out, |a, b| b.auc.total_cmp(&a.auc));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_equal_to_the_label_is_flagged_and_noise_is_not() {
        let uni = vec![("leak".to_string(), 0.99), ("noise".to_string(), 0.52)];
        let imp = vec![("leak".to_string(), 1.0), ("noise".to_string(), 3.0)];
        let w = warnings(&uni, &imp);
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].column, "leak");
        assert!(w[0].message.contains("\"drop\": [\"leak\"]"));
        assert!(w[0].message_zh.contains("标签泄漏"));
        // "noise" is flagged for its weight (75%), not its AUC.
        assert!((w[1].importance_share - 0.75).abs() < 1e-12);
        let even = vec![("leak".to_string(), 1.0), ("noise".to_string(), 1.0)];
        let w = warnings(&uni[1..], &even);
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn a_column_far_stronger_than_the_rest_is_flagged_and_one_among_equals_is_not() {
        let imp = vec![("a".to_string(), 1.0), ("b".to_string(), 1.0)];
        let uni = |a: f64, b: f64| vec![("a".to_string(), a), ("b".to_string(), b)];
        // bank-full: duration 0.802, month 0.647.
        assert_eq!(warnings(&uni(0.802, 0.647), &imp).len(), 1);
        // wealth: the assets are all strong.
        assert!(warnings(&uni(0.884, 0.878), &imp).is_empty());
        // Churn_Modelling: Age 0.743 leads, but is not strong enough alone.
        assert!(warnings(&uni(0.743, 0.6), &imp).is_empty());
    }
}
