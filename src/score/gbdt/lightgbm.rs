//! A LightGBM text model (`model.txt`, as `Booster.save_model` writes it)
//! read into our trees, so that our prediction and TreeSHAP can be held to
//! LightGBM's own on the same trees. Binary models with numeric and
//! categorical splits; linear trees are refused.
//!
//! Each `Tree=` block lists internal nodes `0..num_leaves-1` and leaves;
//! a child `c < 0` is leaf `!c`. `decision_type` bits: 1 categorical,
//! 2 default left, bits 2–3 the missing type (0 none, 1 zero, 2 NaN).
//! Leaf values already include the shrinkage and, in the first tree, the
//! initial score.

use super::{GbdtModel, Missing, Node, SplitRule, Tree};
use crate::error::{Error, Result};

fn bad(name: &str, line: usize, detail: impl std::fmt::Display) -> Error {
    Error::Io {
        path: name.into(),
        detail: format!("line {line}: {detail}; this is not a LightGBM model file it can read"),
    }
}

/// One `Tree=` block: its `key=value` lines and where it began.
struct Block<'a> {
    line: usize,
    fields: Vec<(&'a str, &'a str)>,
}

impl<'a> Block<'a> {
    fn get(&self, key: &str) -> Option<&'a str> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    fn list<T: std::str::FromStr>(&self, key: &str, len: usize, name: &str) -> Result<Vec<T>> {
        let text = self
            .get(key)
            .ok_or_else(|| bad(name, self.line, format!("the tree has no {key}")))?;
        let v: Vec<T> = text
            .split_whitespace()
            .map(|t| t.parse::<T>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| {
                bad(
                    name,
                    self.line,
                    format!("{key} has a value that is not a number"),
                )
            })?;
        if v.len() != len {
            return Err(bad(
                name,
                self.line,
                format!("{key} has {} values, expected {len}", v.len()),
            ));
        }
        Ok(v)
    }
}

/// Reads a LightGBM model from its text; `name` names it in errors.
pub fn load(text: &str, name: &str) -> Result<GbdtModel> {
    let mut header: Vec<(&str, &str)> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line == "end of trees" {
            break;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k == "Tree" {
            blocks.push(Block {
                line: i + 1,
                fields: Vec::new(),
            });
        } else if let Some(b) = blocks.last_mut() {
            b.fields.push((k, v));
        } else {
            header.push((k, v));
        }
    }
    let head = |k: &str| header.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let max_feature = head("max_feature_idx")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .ok_or_else(|| bad(name, 1, "no max_feature_idx in the header"))?;
    let n_features = max_feature + 1;
    if head("num_class").is_some_and(|v| v.trim() != "1") {
        return Err(bad(name, 1, "only one-class (binary) models are read"));
    }
    let feature_names = head("feature_names")
        .map(|v| v.split_whitespace().map(String::from).collect())
        .unwrap_or_default();
    let trees = blocks
        .iter()
        .map(|b| tree(b, n_features, name))
        .collect::<Result<Vec<_>>>()?;
    if trees.is_empty() {
        return Err(bad(name, 1, "no Tree= blocks"));
    }
    Ok(GbdtModel {
        n_features,
        feature_names,
        init_score: 0.0,
        trees,
        valid_loss: Vec::new(),
    })
}

fn tree(b: &Block, n_features: usize, name: &str) -> Result<Tree> {
    let leaves: usize = b
        .get("num_leaves")
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n| n >= 1)
        .ok_or_else(|| bad(name, b.line, "the tree has no num_leaves"))?;
    if b.get("is_linear").is_some_and(|v| v.trim() != "0") {
        return Err(bad(name, b.line, "linear trees are not supported"));
    }
    let values: Vec<f64> = b.list("leaf_value", leaves, name)?;
    if leaves == 1 {
        // A constant tree; LightGBM writes no counts for it.
        let count = b
            .get("leaf_count")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(1.0);
        return Tree::new(
            vec![Node::Leaf {
                value: values[0],
                count,
            }],
            n_features,
            name,
        );
    }
    let inner = leaves - 1;
    let feature: Vec<usize> = b.list("split_feature", inner, name)?;
    let threshold: Vec<f64> = b.list("threshold", inner, name)?;
    let decision: Vec<u8> = b.list("decision_type", inner, name)?;
    let left: Vec<i64> = b.list("left_child", inner, name)?;
    let right: Vec<i64> = b.list("right_child", inner, name)?;
    let leaf_count: Vec<f64> = b.list("leaf_count", leaves, name)?;
    let internal_count: Vec<f64> = b.list("internal_count", inner, name)?;
    let num_cat: usize = b
        .get("num_cat")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let (bounds, bits): (Vec<usize>, Vec<u32>) = if num_cat > 0 {
        let bounds: Vec<usize> = b.list("cat_boundaries", num_cat + 1, name)?;
        let n_bits = bounds.last().copied().unwrap_or(0);
        (bounds, b.list("cat_threshold", n_bits, name)?)
    } else {
        (Vec::new(), Vec::new())
    };
    let child = |c: i64| -> Result<usize> {
        let idx = if c < 0 { inner as i64 + !c } else { c };
        if idx < 0 || idx as usize >= inner + leaves {
            return Err(bad(name, b.line, format!("child {c} does not exist")));
        }
        Ok(idx as usize)
    };
    let mut nodes = Vec::with_capacity(inner + leaves);
    for k in 0..inner {
        let d = decision[k];
        let rule = if d & 1 == 1 {
            let cat = threshold[k] as usize;
            let (lo, hi) = match (bounds.get(cat), bounds.get(cat + 1)) {
                (Some(&lo), Some(&hi)) if lo <= hi && hi <= bits.len() => (lo, hi),
                _ => {
                    return Err(bad(
                        name,
                        b.line,
                        format!("node {k} names category set {cat}"),
                    ))
                }
            };
            SplitRule::Categorical {
                bitset: bits[lo..hi].to_vec(),
            }
        } else {
            SplitRule::Numeric {
                threshold: threshold[k],
                missing: match (d >> 2) & 3 {
                    0 => Missing::None,
                    1 => Missing::Zero,
                    2 => Missing::NaN,
                    m => return Err(bad(name, b.line, format!("node {k} has missing type {m}"))),
                },
                default_left: d & 2 == 2,
            }
        };
        nodes.push(Node::Split {
            feature: feature[k],
            rule,
            left: child(left[k])?,
            right: child(right[k])?,
            count: internal_count[k],
        });
    }
    nodes.extend(
        values
            .iter()
            .zip(&leaf_count)
            .map(|(&value, &count)| Node::Leaf { value, count }),
    );
    Tree::new(nodes, n_features, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_TREES: &str =
        "tree\nversion=v4\nnum_class=1\nmax_feature_idx=1\nfeature_names=a b\n\n\
Tree=0\nnum_leaves=3\nnum_cat=1\nsplit_feature=0 1\nthreshold=1.5 0\ndecision_type=10 1\n\
left_child=-1 -2\nright_child=1 -3\nleaf_value=0.5 -0.25 0.125\nleaf_count=10 20 30\n\
internal_count=60 50\ncat_boundaries=0 1\ncat_threshold=5\nis_linear=0\nshrinkage=1\n\n\
Tree=1\nnum_leaves=1\nnum_cat=0\nleaf_value=0.01\n\nend of trees\n";

    #[test]
    fn reads_numeric_categorical_and_constant_trees() {
        let m = load(TWO_TREES, "m.txt").unwrap();
        assert_eq!(m.n_features, 2);
        assert_eq!(m.feature_names, ["a", "b"]);
        assert_eq!(m.trees.len(), 2);
        // a <= 1.5 or missing (NaN, default left) → leaf 0.
        assert_eq!(m.raw_score_row(&[1.0, 0.0]), 0.5 + 0.01);
        assert_eq!(m.raw_score_row(&[f64::NAN, 0.0]), 0.5 + 0.01);
        // Category bitset 5 = {0, 2}: b = 2 left, b = 1 right.
        assert_eq!(m.raw_score_row(&[2.0, 2.0]), -0.25 + 0.01);
        assert_eq!(m.raw_score_row(&[2.0, 1.0]), 0.125 + 0.01);
        assert_eq!(m.raw_score_row(&[2.0, f64::NAN]), 0.125 + 0.01);
    }

    #[test]
    fn broken_files_are_errors_naming_the_line() {
        let e = load(
            &TWO_TREES.replace("left_child=-1 -2", "left_child=-1"),
            "m.txt",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("line 7") && e.to_string().contains("left_child"),
            "{e}"
        );
        let e = load(
            &TWO_TREES.replace("right_child=1 -3", "right_child=0 -3"),
            "m.txt",
        )
        .unwrap_err();
        assert!(e.to_string().contains("m.txt"), "{e}");
        assert!(load("nothing here", "m.txt").is_err());
    }
}
