//! Exact TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2), path-dependent:
//! the cover of a node is its training row count, as LightGBM's
//! `pred_contrib`. Step for step LightGBM's `Tree::TreeSHAP`, so that the
//! figures agree to rounding.

use ndarray::{Array2, ArrayView2};

use super::{GbdtModel, Node, Tree};

#[derive(Debug, Clone, Copy, Default)]
struct PathElement {
    /// -1 for the root's placeholder.
    feature: i64,
    zero_fraction: f64,
    one_fraction: f64,
    pweight: f64,
}

fn extend(path: &mut [PathElement], depth: usize, zero: f64, one: f64, feature: i64) {
    path[depth] = PathElement {
        feature,
        zero_fraction: zero,
        one_fraction: one,
        pweight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let d1 = (depth + 1) as f64;
    for i in (0..depth).rev() {
        path[i + 1].pweight += one * path[i].pweight * (i + 1) as f64 / d1;
        path[i].pweight = zero * path[i].pweight * (depth - i) as f64 / d1;
    }
}

fn unwind(path: &mut [PathElement], depth: usize, index: usize) {
    let one = path[index].one_fraction;
    let zero = path[index].zero_fraction;
    let mut next_one = path[depth].pweight;
    let d1 = (depth + 1) as f64;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let tmp = path[i].pweight;
            path[i].pweight = next_one * d1 / ((i + 1) as f64 * one);
            next_one = tmp - path[i].pweight * zero * (depth - i) as f64 / d1;
        } else {
            path[i].pweight = path[i].pweight * d1 / (zero * (depth - i) as f64);
        }
    }
    for i in index..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

fn unwound_sum(path: &[PathElement], depth: usize, index: usize) -> f64 {
    let one = path[index].one_fraction;
    let zero = path[index].zero_fraction;
    let mut next_one = path[depth].pweight;
    let d1 = (depth + 1) as f64;
    let mut total = 0.0;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let tmp = next_one * d1 / ((i + 1) as f64 * one);
            total += tmp;
            next_one = path[i].pweight - tmp * zero * ((depth - i) as f64 / d1);
        } else if zero != 0.0 {
            total += (path[i].pweight / zero) / ((depth - i) as f64 / d1);
        }
    }
    total
}

struct Walk<'a> {
    tree: &'a Tree,
    row: &'a [f64],
    phi: &'a mut [f64],
    /// The paths of every recursion level, one after the other (LightGBM's layout).
    buf: Vec<PathElement>,
}

impl Walk<'_> {
    /// `start` is where the parent's path begins in `buf`; this node's path
    /// begins `depth` after it.
    #[allow(clippy::too_many_arguments)]
    fn recurse(
        &mut self,
        node: usize,
        start: usize,
        mut depth: usize,
        zero: f64,
        one: f64,
        feature: i64,
    ) {
        let here = start + depth;
        if depth > 0 {
            self.buf.copy_within(start..start + depth, here);
        }
        extend(&mut self.buf[here..], depth, zero, one, feature);
        match &self.tree.nodes[node] {
            Node::Leaf { value, .. } => {
                let path = &self.buf[here..];
                for i in 1..=depth {
                    let w = unwound_sum(path, depth, i);
                    let el = path[i];
                    if let Some(p) = self.phi.get_mut(el.feature as usize) {
                        *p += w * (el.one_fraction - el.zero_fraction) * value;
                    }
                }
            }
            Node::Split {
                feature: f,
                rule,
                left,
                right,
                count,
            } => {
                let v = self.row.get(*f).copied().unwrap_or(f64::NAN);
                let (hot, cold) = if rule.goes_left(v) {
                    (*left, *right)
                } else {
                    (*right, *left)
                };
                let hot_zero = self.tree.nodes[hot].count() / count;
                let cold_zero = self.tree.nodes[cold].count() / count;
                let (mut in_zero, mut in_one) = (1.0, 1.0);
                let f = *f as i64;
                // Already split on this feature above: undo that and redo it here.
                if let Some(k) = (0..=depth).find(|&k| self.buf[here + k].feature == f) {
                    in_zero = self.buf[here + k].zero_fraction;
                    in_one = self.buf[here + k].one_fraction;
                    unwind(&mut self.buf[here..], depth, k);
                    depth -= 1;
                }
                self.recurse(hot, here, depth + 1, hot_zero * in_zero, in_one, f);
                self.recurse(cold, here, depth + 1, cold_zero * in_zero, 0.0, f);
            }
        }
    }
}

/// Adds one tree's contributions for `row` to `phi` (one per feature).
pub fn tree_shap(tree: &Tree, row: &[f64], phi: &mut [f64]) {
    let mut buf = Vec::new();
    tree_shap_with(tree, tree.depth(), row, phi, &mut buf);
}

/// As `tree_shap`, reusing `buf` for the paths (`depth` = `tree.depth()`).
fn tree_shap_with(
    tree: &Tree,
    depth: usize,
    row: &[f64],
    phi: &mut [f64],
    buf: &mut Vec<PathElement>,
) {
    if tree.nodes.len() < 2 {
        return;
    }
    // Every level's path, one after the other: (D+1)(D+2)/2 elements, and a margin.
    let d = depth + 1;
    buf.clear();
    buf.resize(d * (d + 1) / 2 + d + 1, PathElement::default());
    let mut walk = Walk {
        tree,
        row,
        phi,
        buf: std::mem::take(buf),
    };
    walk.recurse(0, 0, 0, 1.0, 1.0, -1);
    *buf = walk.buf;
}

/// Rows a block of [`contributions`] holds: each row's values are its own,
/// so the blocks run on every core and give the same bits on one.
const SHAP_BLOCK: usize = 4096;

/// Per row: the contribution of each feature, then the expected value.
pub(super) fn contributions(model: &GbdtModel, x: ArrayView2<f64>) -> Array2<f64> {
    let nf = model.n_features;
    let mut out = Array2::zeros((x.nrows(), nf + 1));
    let expected = model.expected_value();
    let depths: Vec<usize> = model.trees.iter().map(Tree::depth).collect();
    let width = nf + 1;
    let Some(flat) = out.as_slice_mut() else {
        return out;
    };
    crate::par::each_block_mut(flat, SHAP_BLOCK * width, |k, block| {
        let mut row = vec![0.0; nf];
        let mut buf = Vec::new();
        for (i, o) in block.chunks_mut(width).enumerate() {
            let r = x.row(k * SHAP_BLOCK + i);
            row.iter_mut().zip(r.iter()).for_each(|(a, b)| *a = *b);
            let phi = &mut o[..nf];
            for (t, &d) in model.trees.iter().zip(&depths) {
                tree_shap_with(t, d, &row, phi, &mut buf);
            }
            o[nf] = expected;
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Missing, SplitRule};
    use super::*;

    fn split(feature: usize, threshold: f64, left: usize, right: usize, count: f64) -> Node {
        Node::Split {
            feature,
            rule: SplitRule::Numeric {
                threshold,
                missing: Missing::None,
                default_left: false,
            },
            left,
            right,
            count,
        }
    }

    /// Brute force: Shapley values of the path-dependent expectation
    /// E[f | x_S] over all subsets S.
    fn brute(tree: &Tree, row: &[f64], nf: usize) -> Vec<f64> {
        fn cond(tree: &Tree, i: usize, row: &[f64], s: u32) -> f64 {
            match &tree.nodes[i] {
                Node::Leaf { value, .. } => *value,
                Node::Split {
                    feature,
                    rule,
                    left,
                    right,
                    count,
                } => {
                    if s >> feature & 1 == 1 {
                        let next = if rule.goes_left(row[*feature]) {
                            *left
                        } else {
                            *right
                        };
                        cond(tree, next, row, s)
                    } else {
                        let (l, r) = (tree.nodes[*left].count(), tree.nodes[*right].count());
                        (l * cond(tree, *left, row, s) + r * cond(tree, *right, row, s)) / count
                    }
                }
            }
        }
        let fact = |k: usize| (1..=k).map(|v| v as f64).product::<f64>();
        let mut phi = vec![0.0; nf];
        for (j, p) in phi.iter_mut().enumerate() {
            for s in 0u32..(1 << nf) {
                if s >> j & 1 == 1 {
                    continue;
                }
                let k = s.count_ones() as usize;
                let weight = fact(k) * fact(nf - k - 1) / fact(nf);
                *p += weight * (cond(tree, 0, row, s | 1 << j) - cond(tree, 0, row, s));
            }
        }
        phi
    }

    #[test]
    fn matches_brute_force_shapley_values_with_a_repeated_feature() {
        // x0 split twice on one path, x1 and x2 once.
        let nodes = vec![
            split(0, 0.5, 1, 2, 100.0),
            split(1, 2.0, 3, 4, 60.0),
            split(2, 1.0, 5, 6, 40.0),
            split(0, 0.2, 7, 8, 35.0),
            Node::Leaf {
                value: 0.3,
                count: 25.0,
            },
            Node::Leaf {
                value: -0.4,
                count: 10.0,
            },
            Node::Leaf {
                value: 0.9,
                count: 30.0,
            },
            Node::Leaf {
                value: -1.1,
                count: 15.0,
            },
            Node::Leaf {
                value: 0.25,
                count: 20.0,
            },
        ];
        let tree = Tree::new(nodes, 3, "test").unwrap();
        for row in [
            [0.1, 1.0, 0.0],
            [0.3, 1.0, 5.0],
            [0.9, 3.0, 0.5],
            [0.9, 1.0, 2.0],
        ] {
            let mut phi = vec![0.0; 3];
            tree_shap(&tree, &row, &mut phi);
            let want = brute(&tree, &row, 3);
            for (a, b) in phi.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "{phi:?} vs {want:?}");
            }
            let total: f64 = phi.iter().sum::<f64>() + tree.expected_value();
            assert!((total - tree.predict(&row)).abs() < 1e-12);
        }
    }
}
