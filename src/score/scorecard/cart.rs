//! optbinning's "cart" pre-binning: scikit-learn's `DecisionTreeClassifier(
//! max_leaf_nodes, min_samples_leaf)` fitted on the one column, its
//! thresholds the cut points. Replicated operation for operation so that the
//! cut points are bit for bit scikit-learn's:
//! - the tree reads the column as f32 (scikit-learn's `DTYPE`), and a
//!   threshold is `a/2 + b/2` of two neighbouring f32 values taken as f64;
//! - values within `FEATURE_THRESHOLD` (1e-7) of their neighbour are not
//!   split apart;
//! - splits are scored by gini's proxy `-n_r·gini_r - n_l·gini_l`, the first
//!   best position in increasing order wins;
//! - nodes are expanded best first by the weighted impurity decrease, at
//!   most `max_leaf_nodes - 1` of them (ties: the node queued first — the
//!   one place we do not copy the C++ heap's order; exact ties between
//!   distinct nodes did not occur on the pinned data).

const FEATURE_THRESHOLD: f64 = 1e-7;

/// The column sorted and run-length coded: one entry per distinct (f32)
/// value, so a column of ages or counts is scanned in a few hundred steps.
struct Sorted {
    /// Distinct values as f32 (stored as f64), ascending.
    x: Vec<f64>,
    /// Rows among the first i distinct values.
    rows_before: Vec<u64>,
    /// Events among the first i distinct values.
    events_before: Vec<u64>,
    total: f64,
}

impl Sorted {
    fn rows(&self, start: usize, end: usize) -> f64 {
        (self.rows_before[end] - self.rows_before[start]) as f64
    }

    fn events(&self, start: usize, end: usize) -> f64 {
        (self.events_before[end] - self.events_before[start]) as f64
    }

    /// Radix-sorts (value as f32, label) and codes the runs.
    fn new(x: &[f64], y: &[bool]) -> Sorted {
        let mut keys: Vec<u64> = x
            .iter()
            .zip(y)
            .map(|(&v, &l)| (u64::from(order_key(v as f32)) << 1) | u64::from(l))
            .collect();
        radix_sort(&mut keys, 33);
        let (mut xs, mut rows_before, mut events_before) = (Vec::new(), vec![0], vec![0]);
        let (mut rows, mut events) = (0u64, 0u64);
        let mut last = None;
        for k in keys {
            let v = (k >> 1) as u32;
            if last != Some(v) {
                if last.is_some() {
                    rows_before.push(rows);
                    events_before.push(events);
                }
                xs.push(f64::from(from_order_key(v)));
                last = Some(v);
            }
            rows += 1;
            events += k & 1;
        }
        if last.is_some() {
            rows_before.push(rows);
            events_before.push(events);
        }
        Sorted {
            x: xs,
            rows_before,
            events_before,
            total: x.len() as f64,
        }
    }
}

/// f32 bits mapped so that unsigned order is `total_cmp` order.
fn order_key(v: f32) -> u32 {
    let b = v.to_bits();
    if b >> 31 == 1 {
        !b
    } else {
        b | 0x8000_0000
    }
}

fn from_order_key(k: u32) -> f32 {
    f32::from_bits(if k >> 31 == 1 { k & 0x7fff_ffff } else { !k })
}

/// LSD radix sort of the low `bits` bits, 11 at a time (a pass whose
/// digit is the same for every key is skipped): a million keys in a few
/// milliseconds, where a comparison sort took a tenth of a second.
fn radix_sort(keys: &mut Vec<u64>, bits: u32) {
    const DIGIT: u32 = 11;
    let mut buf = vec![0u64; keys.len()];
    let mut shift = 0;
    while shift < bits {
        let mut count = vec![0usize; 1 << DIGIT];
        let digit = |k: u64| ((k >> shift) & ((1 << DIGIT) - 1)) as usize;
        for &k in keys.iter() {
            count[digit(k)] += 1;
        }
        if !count.contains(&keys.len()) {
            let mut sum = 0;
            for c in count.iter_mut() {
                let t = *c;
                *c = sum;
                sum += t;
            }
            for &k in keys.iter() {
                let d = digit(k);
                buf[count[d]] = k;
                count[d] += 1;
            }
            std::mem::swap(keys, &mut buf);
        }
        shift += DIGIT;
    }
}

/// Gini impurity as scikit-learn's `Gini.node_impurity` writes it.
fn gini(n: f64, events: f64) -> f64 {
    let non = n - events;
    let sq = 0.0 + non * non + events * events;
    1.0 - sq / (n * n)
}

struct Record {
    start: usize,
    end: usize,
    /// Set when the node can be split: (pos, threshold, improvement,
    /// impurity_left, impurity_right).
    split: Option<(usize, f64, f64, f64, f64)>,
}

fn node(s: &Sorted, start: usize, end: usize, impurity: f64, min_leaf: usize) -> Record {
    let n = s.rows(start, end) as usize;
    let is_leaf = n < 2 || n < 2 * min_leaf || impurity <= f64::EPSILON;
    let split = if is_leaf {
        None
    } else {
        best_split(s, start, end, impurity, min_leaf)
    };
    Record { start, end, split }
}

fn best_split(
    s: &Sorted,
    start: usize,
    end: usize,
    impurity: f64,
    min_leaf: usize,
) -> Option<(usize, f64, f64, f64, f64)> {
    let x = &s.x;
    if x[end - 1] <= x[start] + FEATURE_THRESHOLD {
        return None;
    }
    let wn = s.rows(start, end);
    let ev = s.events(start, end);
    let min_leaf = min_leaf as f64;
    let mut best_proxy = f64::NEG_INFINITY;
    let mut best: Option<(usize, f64)> = None;
    let mut p = start;
    while p < end {
        // scikit-learn's `next_p`: skip to the last of a run of (nearly)
        // equal values; `p` becomes the first of the next run.
        while p + 1 < end && x[p + 1] <= x[p] + FEATURE_THRESHOLD {
            p += 1;
        }
        let p_prev = p;
        p += 1;
        if p >= end {
            continue;
        }
        let wl = s.rows(start, p);
        if wl < min_leaf || wn - wl < min_leaf {
            continue;
        }
        let wr = wn - wl;
        let el = s.events(start, p);
        let er = ev - el;
        let proxy = -wr * gini(wr, er) - wl * gini(wl, el);
        if proxy > best_proxy {
            best_proxy = proxy;
            let mut t = x[p_prev] / 2.0 + x[p] / 2.0;
            if t == x[p] || t.is_infinite() {
                t = x[p_prev];
            }
            best = Some((p, t));
        }
    }
    let (pos, threshold) = best?;
    let wl = s.rows(start, pos);
    let wr = wn - wl;
    let el = s.events(start, pos);
    let (il, ir) = (gini(wl, el), gini(wr, ev - el));
    let improvement = (wn / s.total) * (impurity - wr / wn * ir - wl / wn * il);
    // `split.improvement + EPSILON < min_impurity_decrease (0)` makes a leaf.
    if improvement + f64::EPSILON < 0.0 {
        return None;
    }
    Some((pos, threshold, improvement, il, ir))
}

/// The pre-bin cut points, ascending (empty when the tree is one leaf).
/// `x` holds finite values only.
pub(crate) fn cart_splits(
    x: &[f64],
    y: &[bool],
    max_leaf_nodes: usize,
    min_samples_leaf: usize,
) -> Vec<f64> {
    if x.is_empty() {
        return Vec::new();
    }
    let s = Sorted::new(x, y);
    let min_leaf = min_samples_leaf.max(1);
    let n = s.x.len();
    let root_impurity = gini(s.total, s.events(0, n));
    let mut frontier = vec![node(&s, 0, n, root_impurity, min_leaf)];
    let mut budget = max_leaf_nodes.saturating_sub(1);
    let mut thresholds = Vec::new();
    while budget > 0 {
        // The expandable node of largest improvement; leaves never split.
        let Some(best) = frontier
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.split.map(|sp| (i, sp.2)))
            .fold(None::<(usize, f64)>, |acc, (i, imp)| match acc {
                Some((_, b)) if b >= imp => acc,
                _ => Some((i, imp)),
            })
            .map(|(i, _)| i)
        else {
            break;
        };
        let r = frontier.remove(best);
        let Some((pos, threshold, _, il, ir)) = r.split else {
            break;
        };
        budget -= 1;
        thresholds.push(threshold);
        frontier.push(node(&s, r.start, pos, il, min_leaf));
        frontier.push(node(&s, pos, r.end, ir, min_leaf));
    }
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    thresholds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_clean_cut_between_classes() {
        let x: Vec<f64> = (0..20).map(|i| i as f64).collect();
        let y: Vec<bool> = (0..20).map(|i| i >= 10).collect();
        assert_eq!(cart_splits(&x, &y, 20, 1), vec![9.5]);
    }

    #[test]
    fn radix_order_is_total_cmp_order() {
        let v = [
            3.5f32,
            -0.0,
            0.0,
            -7.25,
            f32::MAX,
            f32::MIN,
            1e-30,
            -1e-30,
            2.0,
            2.0,
        ];
        let mut keys: Vec<u64> = (0..3000)
            .map(|i| {
                (u64::from(order_key(v[i * 7 % v.len()] * (i % 13) as f32)) << 1) | (i as u64 & 1)
            })
            .collect();
        let mut expect = keys.clone();
        expect.sort_unstable();
        radix_sort(&mut keys, 33);
        assert_eq!(keys, expect);
        let mut values: Vec<f32> = keys
            .iter()
            .map(|k| from_order_key((k >> 1) as u32))
            .collect();
        let sorted = values.clone();
        values.sort_by(f32::total_cmp);
        assert_eq!(
            values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            sorted.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn constant_or_pure_column_has_no_cut() {
        assert!(cart_splits(&[1.0; 10], &[true, false].repeat(5), 20, 1).is_empty());
        let x: Vec<f64> = (0..10).map(|i| i as f64).collect();
        assert!(cart_splits(&x, &[true; 10], 20, 1).is_empty());
        assert!(cart_splits(&[], &[], 20, 1).is_empty());
    }
}
