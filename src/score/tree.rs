//! A depth-limited decision tree (linfa-trees, Gini) and its leaves as
//! readable if/then rules in the source columns' own names and units.

use linfa::prelude::*;
use linfa_trees::DecisionTree;
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::prep::{Prep, Transform};
use crate::{Error, Result};

/// One leaf: the conditions leading to it, the training rows it holds and their positive share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeRule {
    pub conditions: Vec<String>,
    pub rows: usize,
    pub positive_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeReport {
    pub max_depth: usize,
    pub leaves: usize,
    /// Test AUC with each row scored by its leaf's training positive rate.
    pub auc: f64,
    /// Leaves, highest positive rate first.
    pub rules: Vec<TreeRule>,
}

/// A split on design-matrix column `j` at `t` (standardised units), as words:
/// (condition when below, condition when at or above).
fn describe(prep: &Prep, j: usize, t: f64) -> (String, String) {
    let mut start = 0;
    for tr in &prep.transforms {
        let width = match tr {
            Transform::OneHot { levels, .. } => levels.len(),
            _ => 1,
        };
        if j < start + width {
            return match tr {
                Transform::OneHot { column, levels, .. } => {
                    let level = &levels[j - start];
                    (format!("{column} ≠ {level}"), format!("{column} = {level}"))
                }
                Transform::Numeric {
                    column,
                    log1p,
                    mean,
                    scale,
                    ..
                } => {
                    let v = t * scale + mean;
                    let v = if *log1p { v.exp_m1() } else { v };
                    (
                        format!("{column} < {}", round(v)),
                        format!("{column} ≥ {}", round(v)),
                    )
                }
                Transform::DateDays {
                    column,
                    mean,
                    scale,
                    ..
                } => {
                    let v = t * scale + mean;
                    (
                        format!("{column}: < {} days ago", round(v)),
                        format!("{column}: ≥ {} days ago", round(v)),
                    )
                }
                Transform::TargetEncode {
                    column,
                    mean,
                    scale,
                    ..
                } => {
                    let v = t * scale + mean;
                    (
                        format!("{column}: rate < {v:.3}"),
                        format!("{column}: rate ≥ {v:.3}"),
                    )
                }
                Transform::Ordinal {
                    column,
                    order,
                    mean,
                    scale,
                    ..
                } => {
                    // Position p is at or above the threshold from level ceil(v).
                    let v = (t * scale + mean).ceil().max(0.0) as usize;
                    let level = order
                        .get(v.min(order.len().saturating_sub(1)))
                        .cloned()
                        .unwrap_or_default();
                    (format!("{column} < {level}"), format!("{column} ≥ {level}"))
                }
            };
        }
        start += width;
    }
    (format!("x{j} < {t:.3}"), format!("x{j} ≥ {t:.3}"))
}

fn round(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{:.2}", v)
    }
}

type Node<L> = linfa_trees::TreeNode<f64, L>;

/// The leaf a row reaches (linfa-trees goes left when x < split value).
fn leaf_path<L: linfa::Label + std::fmt::Debug>(
    node: &Node<L>,
    x: ArrayView1<f64>,
    path: &mut Vec<bool>,
) {
    if node.is_leaf() {
        return;
    }
    let (j, t, _) = node.split();
    let right = x[j] >= t;
    path.push(right);
    if let Some(child) = node.children()[usize::from(right)] {
        leaf_path(child, x, path);
    }
}

/// The conditions of a leaf in words, keeping only the tightest bound per
/// feature and side (`x ≥ 244000 and x ≥ 480147` reads `x ≥ 480147`).
fn words(prep: &Prep, splits: &[(usize, bool, f64)]) -> Vec<String> {
    let mut kept: Vec<(usize, bool, f64)> = Vec::new();
    for &(j, right, t) in splits {
        match kept.iter_mut().find(|(k, r, _)| *k == j && *r == right) {
            Some(k) => k.2 = if right { k.2.max(t) } else { k.2.min(t) },
            None => kept.push((j, right, t)),
        }
    }
    kept.into_iter()
        .map(|(j, right, t)| {
            let (below, above) = describe(prep, j, t);
            if right {
                above
            } else {
                below
            }
        })
        .collect()
}

fn collect<L: linfa::Label + std::fmt::Debug>(
    node: &Node<L>,
    prep: &Prep,
    splits: &mut Vec<(usize, bool, f64)>,
    path: &mut Vec<bool>,
    out: &mut Vec<(Vec<bool>, Vec<String>)>,
) {
    if node.is_leaf() {
        out.push((path.clone(), words(prep, splits)));
        return;
    }
    let (j, t, _) = node.split();
    for side in [false, true] {
        if let Some(child) = node.children()[usize::from(side)] {
            splits.push((j, side, t));
            path.push(side);
            collect(child, prep, splits, path, out);
            path.pop();
            splits.pop();
        }
    }
}

/// Fits a tree of at most `max_depth` levels and describes its leaves;
/// also gives each test row's score (its leaf's training positive rate).
pub fn fit(
    prep: &Prep,
    xtr: ArrayView2<f64>,
    ytr: &[bool],
    xte: ArrayView2<f64>,
    yte: &[bool],
    max_depth: usize,
) -> Result<(TreeReport, Vec<f64>)> {
    let targets: Array1<bool> = ytr.iter().copied().collect();
    let data = Dataset::new(xtr.to_owned(), targets);
    let tree = DecisionTree::params()
        .max_depth(Some(max_depth.clamp(1, 12)))
        .min_weight_leaf(((ytr.len() as f32) * 0.01).max(5.0))
        .fit(&data)
        .map_err(|e| Error::Recipe {
            detail: format!("the decision tree did not fit: {e}"),
        })?;
    let root = tree.root_node();
    let mut leaves = Vec::new();
    collect(root, prep, &mut Vec::new(), &mut Vec::new(), &mut leaves);
    // Route the training rows to count each leaf's rows and positives.
    let mut counts = vec![(0usize, 0usize); leaves.len()];
    let leaf_of = |x: ArrayView1<f64>| {
        let mut path = Vec::new();
        leaf_path(root, x, &mut path);
        leaves.iter().position(|(p, _)| *p == path).unwrap_or(0)
    };
    for (r, &y) in xtr.rows().into_iter().zip(ytr) {
        let k = leaf_of(r);
        counts[k].0 += 1;
        counts[k].1 += usize::from(y);
    }
    let rate = |k: usize| {
        if counts[k].0 == 0 {
            0.0
        } else {
            counts[k].1 as f64 / counts[k].0 as f64
        }
    };
    let scores: Vec<f64> = xte.rows().into_iter().map(|r| rate(leaf_of(r))).collect();
    let mut rules: Vec<TreeRule> = leaves
        .iter()
        .enumerate()
        .map(|(k, (_, conds))| TreeRule {
            conditions: conds.clone(),
            rows: counts[k].0,
            positive_rate: rate(k),
        })
        .collect();
    crate::order::sort_by(&mut rules, |a, b| {
        b.positive_rate
            .total_cmp(&a.positive_rate)
            .then(b.rows.cmp(&a.rows))
    });
    Ok((
        TreeReport {
            max_depth: tree.max_depth(),
            leaves: tree.num_leaves(),
            auc: super::metrics::auc(&scores, yte),
            rules,
        },
        scores,
    ))
}

/// One leaf of a multi-class tree: its conditions, the class most of its
/// training rows have, how many rows and what share of them have it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassRule {
    pub class: usize,
    pub conditions: Vec<String>,
    pub rows: usize,
    pub purity: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassTreeReport {
    pub max_depth: usize,
    pub leaves: usize,
    /// Share of held-out rows whose leaf's majority class is their class.
    pub accuracy: f64,
    /// Leaves, largest first within each class.
    pub rules: Vec<ClassRule>,
}

/// A depth-limited tree predicting one of `classes` classes (e.g. the
/// segment), its held-out accuracy and its leaves as rules.
pub fn fit_classes(
    prep: &Prep,
    xtr: ArrayView2<f64>,
    ytr: &[usize],
    xte: ArrayView2<f64>,
    yte: &[usize],
    classes: usize,
    max_depth: usize,
) -> Result<ClassTreeReport> {
    let targets: Array1<usize> = ytr.iter().copied().collect();
    let data = Dataset::new(xtr.to_owned(), targets);
    let tree = DecisionTree::params()
        .max_depth(Some(max_depth.clamp(1, 12)))
        .min_weight_leaf(((ytr.len() as f32) * 0.005).max(3.0))
        .fit(&data)
        .map_err(|e| Error::Recipe {
            detail: format!("the decision tree did not fit: {e}"),
        })?;
    let root = tree.root_node();
    let mut leaves = Vec::new();
    collect(root, prep, &mut Vec::new(), &mut Vec::new(), &mut leaves);
    let leaf_of = |x: ArrayView1<f64>| {
        let mut path = Vec::new();
        leaf_path(root, x, &mut path);
        leaves.iter().position(|(p, _)| *p == path).unwrap_or(0)
    };
    let mut counts = vec![vec![0usize; classes]; leaves.len()];
    for (r, &y) in xtr.rows().into_iter().zip(ytr) {
        counts[leaf_of(r)][y.min(classes - 1)] += 1;
    }
    let majority = |k: usize| {
        (0..classes)
            .max_by_key(|&c| (counts[k][c], std::cmp::Reverse(c)))
            .unwrap_or(0)
    };
    let right = xte
        .rows()
        .into_iter()
        .zip(yte)
        .filter(|(r, &y)| majority(leaf_of(*r)) == y)
        .count();
    let mut rules: Vec<ClassRule> = leaves
        .iter()
        .enumerate()
        .filter(|(k, _)| counts[*k].iter().sum::<usize>() > 0)
        .map(|(k, (_, conds))| {
            let rows: usize = counts[k].iter().sum();
            let class = majority(k);
            ClassRule {
                class,
                conditions: conds.clone(),
                rows,
                purity: counts[k][class] as f64 / rows as f64,
            }
        })
        .collect();
    crate::order::sort_by(&mut rules, |a, b| {
        a.class.cmp(&b.class).then(b.rows.cmp(&a.rows))
    });
    Ok(ClassTreeReport {
        max_depth: tree.max_depth(),
        leaves: tree.num_leaves(),
        accuracy: right as f64 / yte.len().max(1) as f64,
        rules,
    })
}
