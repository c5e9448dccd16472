//! Boosting and leaf-wise tree growth on binned data, as LightGBM's serial
//! tree learner: gradient/hessian histograms per leaf (the smaller child
//! built, its sibling by subtraction from the parent), the leaf with the
//! best split gain split next, gain G²/(H+λ) of both sides minus the
//! parent's, missing values tried on both sides.

use ndarray::ArrayView2;
use rand::seq::index::sample;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::bins::Binned;
use super::{GbdtModel, GbdtParams, Missing, Node, SplitRule, Tree, Validation};
use crate::error::{Error, Result};

/// One histogram bin: gradient sum, hessian sum, rows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Bin {
    pub g: f64,
    pub h: f64,
    pub n: f64,
}

/// Histogram of `rows` over every bin of every feature (direct build), in
/// one pass over the rows: a row's gradient and hessian (side by side in
/// `gh`, one cache line) are read once and added to each feature's bin.
/// Each bin still sums its rows in row order, so the sums are those of a
/// feature-by-feature build. On more than one thread the features are cut
/// in runs, one a thread, each over all the rows: every bin is still summed
/// by one thread in row order, so the histogram is the same bit for bit on
/// any number of threads (a cut by rows would add partial sums, and change
/// the last bits against LightGBM's trees).
pub(crate) fn build_histogram(data: &Binned, rows: &[u32], gh: &[[f64; 2]]) -> Vec<Bin> {
    let mut hist = vec![Bin::default(); data.total_bins()];
    let width = data.mappers.len();
    let runs = crate::par::threads().min(width);
    if runs < 2 || rows.len() * width < PAR_CELLS {
        add_rows(data, rows, gh, 0..width, &mut hist);
        return hist;
    }
    let mut parts = Vec::with_capacity(runs);
    let mut rest = &mut hist[..];
    for k in 0..runs {
        let features = k * width / runs..(k + 1) * width / runs;
        let bins = data.offset[features.end] - data.offset[features.start];
        let (part, tail) = rest.split_at_mut(bins);
        parts.push((features, part));
        rest = tail;
    }
    crate::par::map(parts, |(features, part)| {
        add_rows(data, rows, gh, features, part)
    });
    hist
}

/// Below this many cells (rows × features) a histogram is built on one
/// thread: the hand-off would cost more than the sums.
const PAR_CELLS: usize = 1 << 16;

/// Adds `rows` to the bins of `features`; `hist` holds exactly those
/// features' bins.
fn add_rows(
    data: &Binned,
    rows: &[u32],
    gh: &[[f64; 2]],
    features: std::ops::Range<usize>,
    hist: &mut [Bin],
) {
    let base = data.offset[features.start];
    let offset = &data.offset[features.clone()];
    for (k, &r) in rows.iter().enumerate() {
        // A leaf's rows are scattered over the table: ask for a later row's
        // bins and gradients while this one is summed (LightGBM prefetches too).
        #[cfg(target_arch = "x86_64")]
        if let Some(&ahead) = rows.get(k + PREFETCH) {
            prefetch(data.row(ahead as usize)[features.start..].as_ptr());
            prefetch(gh[ahead as usize].as_ptr().cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = k;
        let r = r as usize;
        let [gr, hr] = gh[r];
        for (&o, &b) in offset.iter().zip(&data.row(r)[features.clone()]) {
            let bin = &mut hist[o - base + b as usize];
            bin.g += gr;
            bin.h += hr;
            bin.n += 1.0;
        }
    }
}

/// How many rows ahead `build_histogram` asks for.
#[cfg(target_arch = "x86_64")]
const PREFETCH: usize = 16;

#[cfg(target_arch = "x86_64")]
fn prefetch(p: *const u8) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    // SAFETY: a prefetch is a hint: it never faults, whatever the address.
    unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) }
}

/// `parent - child`, bin by bin, in the parent's buffer: the sibling's
/// histogram without touching its rows (and without a new allocation).
pub(crate) fn subtract(mut parent: Vec<Bin>, child: &[Bin]) -> Vec<Bin> {
    for (p, c) in parent.iter_mut().zip(child) {
        p.g -= c.g;
        p.h -= c.h;
        p.n -= c.n;
    }
    parent
}

/// A split found for a leaf: rows with bin `<= bin` go left, the missing
/// bin goes left when `missing_left`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    gain: f64,
    feature: usize,
    bin: usize,
    missing_left: bool,
    /// For a categorical split: the bins that go left (a bitset over bins).
    cats: Option<[u64; 4]>,
    /// The children's gradient and hessian sums and leaf outputs (before
    /// the learning rate) as the scan left them: LightGBM carries these
    /// rather than summing the children's rows again, and so do we.
    left: Side,
    right: Side,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Side {
    g: f64,
    h: f64,
    output: f64,
}

struct Leaf {
    /// Its rows are `rows[begin..end]`.
    begin: usize,
    end: usize,
    depth: usize,
    sums: Side,
    hist: Vec<Bin>,
    best: Option<Candidate>,
    /// Its node in the tree being grown.
    node: usize,
    /// Bounds on its output from monotone splits above it.
    bounds: Bounds,
}

/// The interval a leaf's output must stay in (monotone constraints).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bounds {
    min: f64,
    max: f64,
}

const FREE: Bounds = Bounds {
    min: f64::NEG_INFINITY,
    max: f64::INFINITY,
};

struct Grower<'a> {
    p: &'a GbdtParams,
    data: &'a Binned,
    gh: &'a [[f64; 2]],
    /// Features this tree may split on.
    features: &'a [usize],
}

/// Gain of a leaf whose output is `o` rather than its optimum (LightGBM's
/// `GetLeafGainGivenOutput`).
fn gain_given_output(g: f64, h: f64, l2: f64, o: f64) -> f64 {
    -(2.0 * g * o + (h + l2) * o * o)
}

/// LightGBM's `kEpsilon`, the start of each side's hessian sum in a scan.
const K_EPSILON: f64 = 1e-15;

fn leaf_gain(g: f64, h: f64, l2: f64) -> f64 {
    g * g / (h + l2)
}

/// One scan's best threshold: the children's summed gain, the bin, the
/// left side's gradient and hessian sums (hessian with its epsilon).
type ScanBest = Option<(f64, usize, f64, f64)>;

impl Grower<'_> {
    /// As LightGBM's `FixHistogram`: the most frequent bin (when not bin 0)
    /// is the leaf's totals minus every other bin.
    fn fix(&self, hist: &mut [Bin], g: f64, h: f64) {
        for (f, m) in self.data.mappers.iter().enumerate() {
            if m.most_freq_bin == 0 {
                continue;
            }
            let bins = &mut hist[self.data.offset[f]..self.data.offset[f + 1]];
            let (mut fg, mut fh) = (g, h);
            for (i, b) in bins.iter().enumerate() {
                if i != m.most_freq_bin {
                    fg -= b.g;
                    fh -= b.h;
                }
            }
            bins[m.most_freq_bin].g = fg;
            bins[m.most_freq_bin].h = fh;
        }
    }

    /// The best categorical split of feature `f`, as LightGBM's
    /// `FindBestThresholdCategoricalInner`: one category against the rest
    /// for few categories, else categories sorted by g / (h + cat_smooth)
    /// and the best prefix from either end (at most `max_cat_threshold`).
    /// The "other" bin (missing, unseen) always goes right.
    fn categorical_split(
        &self,
        f: usize,
        bins: &[Bin],
        g: f64,
        h: f64,
        n: f64,
        bounds: Bounds,
    ) -> Option<Candidate> {
        let p = self.p;
        let min_n = p.min_child_samples as f64;
        let min_h = p.min_sum_hessian_in_leaf;
        let cats = bins.len() - 1;
        let cnt_factor = n / h;
        let est = |b: &Bin| (b.h * cnt_factor + 0.5).floor();
        let clamp = |o: f64| o.clamp(bounds.min, bounds.max);
        let one_hot = cats <= p.max_cat_to_onehot;
        let l2 = if one_hot {
            p.lambda_l2
        } else {
            p.lambda_l2 + p.cat_l2
        };
        let gain_of = |lg: f64, lh: f64| {
            let (rg, rh) = (g - lg, h - lh);
            if p.monotone_constraints.is_empty() {
                leaf_gain(lg, lh, l2) + leaf_gain(rg, rh, l2)
            } else {
                gain_given_output(lg, lh, l2, clamp(-lg / (lh + l2)))
                    + gain_given_output(rg, rh, l2, clamp(-rg / (rh + l2)))
            }
        };
        let shift = if p.monotone_constraints.is_empty() {
            leaf_gain(g, h, p.lambda_l2)
        } else {
            gain_given_output(g, h, p.lambda_l2, clamp(-g / (h + p.lambda_l2)))
        } + p.min_split_gain;
        // (gain sum, left bins, left g, left h incl. epsilon)
        let mut best: Option<(f64, Vec<usize>, f64, f64)> = None;
        if one_hot {
            for (t, b) in bins.iter().enumerate().take(cats) {
                let (c, lh) = (est(b), b.h + K_EPSILON);
                if c < min_n || lh < min_h || b.n == 0.0 {
                    continue;
                }
                if n - c < min_n || h - lh < min_h || n - b.n == 0.0 {
                    continue;
                }
                let cur = gain_of(b.g, lh);
                if cur > shift && best.as_ref().is_none_or(|(bg, ..)| cur > *bg) {
                    best = Some((cur, vec![t], b.g, lh));
                }
            }
        } else {
            let mut used: Vec<usize> = (0..cats)
                .filter(|&t| est(&bins[t]) >= p.cat_smooth && bins[t].n > 0.0)
                .collect();
            let ctr = |t: usize| bins[t].g / (bins[t].h + p.cat_smooth);
            used.sort_by(|&a, &b| ctr(a).total_cmp(&ctr(b)));
            let max_cats = p.max_cat_threshold.min(used.len().div_ceil(2));
            let min_group = p.min_data_per_group as f64;
            for forward in [true, false] {
                let (mut lg, mut lh, mut lc, mut ln) = (0.0, K_EPSILON, 0.0, 0.0);
                let mut left = Vec::new();
                for i in 0..used.len().min(max_cats) {
                    let t = if forward {
                        used[i]
                    } else {
                        used[used.len() - 1 - i]
                    };
                    let b = &bins[t];
                    lg += b.g;
                    lh += b.h;
                    lc += est(b);
                    ln += b.n;
                    left.push(t);
                    if lc < min_n || lc < min_group || lh < min_h {
                        continue;
                    }
                    let rc = n - lc;
                    if rc < min_n || rc < min_group || h - lh < min_h || n - ln == 0.0 {
                        break;
                    }
                    let cur = gain_of(lg, lh);
                    if cur > shift && best.as_ref().is_none_or(|(bg, ..)| cur > *bg) {
                        best = Some((cur, left.clone(), lg, lh));
                    }
                }
            }
        }
        let (cur, left, lg, lh) = best?;
        let mut set = [0u64; 4];
        for t in left {
            set[t / 64] |= 1 << (t % 64);
        }
        Some(Candidate {
            gain: cur - shift,
            feature: f,
            bin: 0,
            missing_left: false,
            cats: Some(set),
            left: Side {
                g: lg,
                h: lh - K_EPSILON,
                output: clamp(-lg / (lh + l2)),
            },
            right: Side {
                g: g - lg,
                h: h - lh - K_EPSILON,
                output: clamp(-(g - lg) / ((h - lh) + l2)),
            },
        })
    }

    /// The best split of a leaf over its histogram, or None.
    fn best_split(
        &self,
        hist: &[Bin],
        g: f64,
        h: f64,
        n: f64,
        depth: usize,
        bounds: Bounds,
    ) -> Option<Candidate> {
        let p = self.p;
        let min_n = p.min_child_samples as f64;
        if n < 2.0 * min_n.max(1.0)
            || h < 2.0 * p.min_sum_hessian_in_leaf
            || (p.max_depth > 0 && depth >= p.max_depth as usize)
        {
            return None;
        }
        let l2 = p.lambda_l2;
        let constrained = !p.monotone_constraints.is_empty();
        let clamp = |o: f64| o.clamp(bounds.min, bounds.max);
        // As LightGBM: a split must beat the parent's gain plus min_split_gain.
        // Under monotone constraints outputs are clamped to the leaf's
        // bounds and gains follow the clamped outputs.
        let shift = if constrained {
            gain_given_output(g, h, l2, clamp(-g / (h + l2)))
        } else {
            leaf_gain(g, h, l2)
        } + p.min_split_gain;
        // LightGBM's histograms carry no counts: a side's rows are estimated
        // from its hessian (round(h_bin * n / h) summed over bins), and
        // min_child_samples is held against that estimate. We do the same so
        // that the trees are LightGBM's; true counts keep sides non-empty.
        let cnt_factor = n / h;
        let est = |b: &Bin| (b.h * cnt_factor + 0.5).floor();
        let mut best: Option<Candidate> = None;
        for &f in self.features {
            let m = &self.data.mappers[f];
            let bins = &hist[self.data.offset[f]..self.data.offset[f + 1]];
            if m.categories.is_some() {
                if let Some(o) = self.categorical_split(f, bins, g, h, n, bounds) {
                    if best.is_none_or(|b| o.gain > b.gain) {
                        best = Some(o);
                    }
                }
                continue;
            }
            let values = m.upper.len();
            if values < 2 {
                continue;
            }
            // Each scan keeps its best by the children's summed gain; the
            // feature's result is that minus `shift` (LightGBM's
            // `SplitInfo::gain`), and a later scan replaces it only when its
            // sum beats gain + shift: ties then fall as LightGBM's do.
            let mut out: Option<Candidate> = None;
            // Each side's sums as the scan has them (the accumulated side
            // directly, the other by difference), as LightGBM's gain.
            let mono = p.monotone_constraints.get(f).copied().unwrap_or(0);
            let consider = |scan: &mut ScanBest, lg: f64, lh: f64, rg: f64, rh: f64, bin: usize| {
                let current = if constrained {
                    let (lo, ro) = (clamp(-lg / (lh + l2)), clamp(-rg / (rh + l2)));
                    if (mono > 0 && lo > ro) || (mono < 0 && lo < ro) {
                        return;
                    }
                    gain_given_output(lg, lh, l2, lo) + gain_given_output(rg, rh, l2, ro)
                } else {
                    leaf_gain(lg, lh, l2) + leaf_gain(rg, rh, l2)
                };
                if current > shift && scan.is_none_or(|(c, ..)| current > c) {
                    *scan = Some((current, bin, lg, lh));
                }
            };
            let mut settle = |scan: ScanBest, missing_left: bool| {
                if let Some((current, bin, lg, lh)) = scan {
                    if out.is_none_or(|o| current > o.gain + shift) {
                        out = Some(Candidate {
                            gain: current - shift,
                            feature: f,
                            bin,
                            missing_left,
                            cats: None,
                            left: Side {
                                g: lg,
                                h: lh - K_EPSILON,
                                output: clamp(-lg / (lh + l2)),
                            },
                            right: Side {
                                g: g - lg,
                                h: h - lh - K_EPSILON,
                                output: clamp(-(g - lg) / ((h - lh) + l2)),
                            },
                        });
                    }
                }
            };
            // Missing values (if any) on the left: scanned from the top
            // threshold down, accumulating the right side, as LightGBM's
            // reverse scan (the only one for a feature without missing values).
            let mut scan: ScanBest = None;
            let (mut rg, mut rh, mut rc, mut rn) = (0.0, K_EPSILON, 0.0, 0.0);
            for t in (1..values).rev() {
                let b = &bins[t];
                rg += b.g;
                rh += b.h;
                rc += est(b);
                rn += b.n;
                if rc < min_n || rh < p.min_sum_hessian_in_leaf || rn == 0.0 {
                    continue;
                }
                if n - rc < min_n || h - rh < p.min_sum_hessian_in_leaf {
                    break;
                }
                if n - rn > 0.0 {
                    consider(&mut scan, g - rg, h - rh, rg, rh, t - 1);
                }
            }
            settle(scan, true);
            // Missing values on the right: the forward scan, up to "every
            // value left, only the missing right".
            if m.has_missing {
                let mut scan: ScanBest = None;
                let (mut lg, mut lh, mut lc, mut ln) = (0.0, K_EPSILON, 0.0, 0.0);
                for (t, b) in bins.iter().enumerate().take(values) {
                    if t == 0 && m.most_freq_bin == 0 {
                        // LightGBM keeps no entry for this bin: it is the
                        // leaf's totals minus every other bin, rows included.
                        lg = g;
                        lh = h - K_EPSILON;
                        lc = n;
                        for o in &bins[1..] {
                            lg -= o.g;
                            lh -= o.h;
                            lc -= est(o);
                        }
                    } else {
                        lg += b.g;
                        lh += b.h;
                        lc += est(b);
                    }
                    ln += b.n;
                    if lc < min_n || lh < p.min_sum_hessian_in_leaf || ln == 0.0 {
                        continue;
                    }
                    if n - lc < min_n || h - lh < p.min_sum_hessian_in_leaf {
                        break;
                    }
                    if n - ln > 0.0 {
                        consider(&mut scan, lg, lh, g - lg, h - lh, t);
                    }
                }
                settle(scan, false);
            }
            if let Some(o) = out {
                if best.is_none_or(|b| o.gain > b.gain) {
                    best = Some(o);
                }
            }
        }
        best
    }
}

/// A split in bins: what routes training rows.
#[derive(Debug, Clone, Copy, PartialEq)]
struct BinSplit {
    feature: usize,
    bin: usize,
    missing_bin: Option<usize>,
    missing_left: bool,
    cats: Option<[u64; 4]>,
}

impl BinSplit {
    fn of(c: &Candidate, data: &Binned) -> BinSplit {
        BinSplit {
            feature: c.feature,
            bin: c.bin,
            missing_bin: data.mappers[c.feature].missing_bin(),
            missing_left: c.missing_left,
            cats: c.cats,
        }
    }

    /// Whether binned cell `b` goes left.
    fn goes_left(&self, b: u8) -> bool {
        if let Some(set) = &self.cats {
            return set[b as usize / 64] >> (b % 64) & 1 == 1;
        }
        if Some(b as usize) == self.missing_bin {
            self.missing_left
        } else {
            b as usize <= self.bin
        }
    }
}

/// A grown tree, with the binned form of each split for routing training rows.
struct Grown {
    tree: Tree,
    /// Per node: (feature, bin, missing_left) for splits.
    binned: Vec<Option<BinSplit>>,
    /// Each leaf's rows (a range of the partitioned rows the tree was grown
    /// on) and its value: the training scores move without walking the tree.
    leaves: Vec<(usize, usize, f64)>,
}

impl Grown {
    fn leaf_value(&self, data: &Binned, row: usize) -> f64 {
        let mut i = 0;
        loop {
            match (&self.tree.nodes[i], self.binned[i]) {
                (Node::Split { left, right, .. }, Some(split)) => {
                    let b = data.column(split.feature)[row];
                    i = if split.goes_left(b) { *left } else { *right };
                }
                (Node::Leaf { value, .. }, _) => return *value,
                _ => return 0.0,
            }
        }
    }
}

fn grow_tree(gr: &Grower<'_>, rows: &mut [u32]) -> Option<Grown> {
    let p = gr.p;
    let data = gr.data;
    let (g, h): (f64, f64) = rows.iter().fold((0.0, 0.0), |(a, b), &r| {
        let [gi, hi] = gr.gh[r as usize];
        (a + gi, b + hi)
    });
    let mut hist = build_histogram(data, rows, gr.gh);
    gr.fix(&mut hist, g, h);
    let n = rows.len() as f64;
    let best = gr.best_split(&hist, g, h, n, 0, FREE);
    best?;
    let mut nodes = vec![Node::Leaf {
        value: 0.0,
        count: n,
    }];
    let mut binned = vec![None];
    let mut leaves = vec![Leaf {
        begin: 0,
        end: rows.len(),
        depth: 0,
        sums: Side {
            g,
            h,
            output: -g / (h + p.lambda_l2),
        },
        hist,
        best,
        node: 0,
        bounds: FREE,
    }];
    let mut scratch: Vec<u32> = Vec::with_capacity(rows.len());
    while leaves.len() < p.num_leaves {
        // Best-first; ties go to the lower leaf index, as LightGBM's ArgMax.
        let mut pick: Option<(usize, f64)> = None;
        for (i, l) in leaves.iter().enumerate() {
            if let Some(c) = l.best {
                if pick.is_none_or(|(_, g)| c.gain > g) {
                    pick = Some((i, c.gain));
                }
            }
        }
        let Some((li, _)) = pick else { break };
        let Some(c) = leaves[li].best else { break };
        let split = BinSplit::of(&c, data);
        let col = data.column(c.feature);
        // Stable partition of the leaf's rows, left first, without a branch
        // on the side (it is a coin toss for the predictor): each row is
        // written to both places and only its side's cursor moves.
        let left_of: [bool; 256] = std::array::from_fn(|b| split.goes_left(b as u8));
        let (begin, end) = (leaves[li].begin, leaves[li].end);
        scratch.clear();
        scratch.resize(end - begin, 0);
        let (mut w, mut s) = (begin, 0);
        for k in begin..end {
            let r = rows[k];
            let left = left_of[col[r as usize] as usize];
            rows[w] = r;
            scratch[s] = r;
            w += usize::from(left);
            s += usize::from(!left);
        }
        rows[w..end].copy_from_slice(&scratch[..s]);
        let mid = w;
        let (left_rows, right_rows) = (&rows[begin..mid], &rows[mid..end]);
        let parent_hist = std::mem::take(&mut leaves[li].hist);
        // The smaller child is built from its rows, the other by subtraction
        // (on a tie the right one is built, as LightGBM).
        let (left_hist, right_hist) = if left_rows.len() < right_rows.len() {
            let mut small = build_histogram(data, left_rows, gr.gh);
            gr.fix(&mut small, c.left.g, c.left.h);
            let large = subtract(parent_hist, &small);
            (small, large)
        } else {
            let mut small = build_histogram(data, right_rows, gr.gh);
            gr.fix(&mut small, c.right.g, c.right.h);
            let large = subtract(parent_hist, &small);
            (large, small)
        };
        let depth = leaves[li].depth + 1;
        let node = leaves[li].node;
        let m = &data.mappers[c.feature];
        let (ln, rn) = ((mid - begin) as f64, (end - mid) as f64);
        let (left_node, right_node) = (nodes.len(), nodes.len() + 1);
        nodes[node] = Node::Split {
            feature: c.feature,
            rule: match (&c.cats, &m.categories) {
                (Some(set), Some(codes)) => {
                    // The left bins' category codes as LightGBM's bitset of u32 words.
                    let left: Vec<u32> = (0..codes.len())
                        .filter(|&b| set[b / 64] >> (b % 64) & 1 == 1)
                        .map(|b| codes[b])
                        .collect();
                    let words = left.iter().max().map_or(0, |&c| c as usize / 32 + 1);
                    let mut bitset = vec![0u32; words];
                    for c in left {
                        bitset[c as usize / 32] |= 1 << (c % 32);
                    }
                    SplitRule::Categorical { bitset }
                }
                _ => SplitRule::Numeric {
                    threshold: m.upper[c.bin],
                    missing: if m.has_missing {
                        Missing::NaN
                    } else {
                        Missing::None
                    },
                    default_left: c.missing_left,
                },
            },
            left: left_node,
            right: right_node,
            count: ln + rn,
        };
        binned[node] = Some(split);
        nodes.push(Node::Leaf {
            value: 0.0,
            count: ln,
        });
        nodes.push(Node::Leaf {
            value: 0.0,
            count: rn,
        });
        binned.extend([None, None]);
        // A monotone split bounds everything below it by the midpoint of its
        // children's outputs (LightGBM's basic method).
        let parent_bounds = leaves[li].bounds;
        let (mut lb, mut rb) = (parent_bounds, parent_bounds);
        let mono = p.monotone_constraints.get(c.feature).copied().unwrap_or(0);
        // Categories have no order: a constraint on one is ignored.
        if mono != 0 && c.cats.is_none() {
            let mid = (c.left.output + c.right.output) / 2.0;
            if mono > 0 {
                lb.max = lb.max.min(mid);
                rb.min = rb.min.max(mid);
            } else {
                lb.min = lb.min.max(mid);
                rb.max = rb.max.min(mid);
            }
        }
        // The children's searches are apart: side by side.
        let (left_best, right_best) = crate::par::join(
            || gr.best_split(&left_hist, c.left.g, c.left.h, ln, depth, lb),
            || gr.best_split(&right_hist, c.right.g, c.right.h, rn, depth, rb),
        );
        leaves[li] = Leaf {
            begin,
            end: mid,
            depth,
            sums: c.left,
            hist: left_hist,
            best: left_best,
            node: left_node,
            bounds: lb,
        };
        leaves.push(Leaf {
            begin: mid,
            end,
            depth,
            sums: c.right,
            hist: right_hist,
            best: right_best,
            node: right_node,
            bounds: rb,
        });
    }
    // Each leaf's value goes into the tree and, with its rows, to the
    // training scores.
    let leaves = leaves
        .iter()
        .map(|l| {
            let value = l.sums.output * p.learning_rate;
            nodes[l.node] = Node::Leaf {
                value,
                count: (l.end - l.begin) as f64,
            };
            (l.begin, l.end, value)
        })
        .collect();
    let n_features = data.mappers.len();
    // Built parent-before-children above, so this check cannot fail.
    let tree = Tree::new(nodes, n_features, "gbdt").ok()?;
    Some(Grown {
        tree,
        binned,
        leaves,
    })
}

fn data_error(detail: String, detail_zh: String) -> Error {
    Error::Analysis { detail, detail_zh }
}

fn check_rows(x: &ArrayView2<f64>, y: &[bool], w: Option<&[f64]>, what: &str) -> Result<()> {
    if x.nrows() != y.len() {
        return Err(data_error(
            format!("gbdt: {what} has {} rows but {} labels", x.nrows(), y.len()),
            format!("gbdt：{what}有 {} 行，但标签有 {} 个", x.nrows(), y.len()),
        ));
    }
    if let Some(w) = w {
        if w.len() != y.len() {
            return Err(data_error(
                format!("gbdt: {what} has {} rows but {} weights", y.len(), w.len()),
                format!("gbdt：{what}有 {} 行，但权重有 {} 个", y.len(), w.len()),
            ));
        }
        if let Some(i) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(data_error(
                format!(
                    "gbdt: {what} row {i} has weight {}; weights must be finite and >= 0",
                    w[i]
                ),
                format!("gbdt：{what}第 {i} 行的权重为 {}；权重须为非负有限数", w[i]),
            ));
        }
    }
    Ok(())
}

/// Weighted mean log-loss of raw scores.
fn log_loss(raw: &[f64], y: &[bool], w: Option<&[f64]>) -> f64 {
    let (mut loss, mut total) = (0.0, 0.0);
    for (i, (&s, &yi)) in raw.iter().zip(y).enumerate() {
        let wi = w.map_or(1.0, |w| w[i]);
        // log(1 + e^-s) for a positive, log(1 + e^s) for a negative, computed stably.
        let z = if yi { -s } else { s };
        loss += wi * (z.max(0.0) + (-z.abs()).exp().ln_1p());
        total += wi;
    }
    loss / total
}

/// Rows a thread takes at a time where each row's work is its own
/// (gradients, validation scores).
const ROW_BLOCK: usize = 16_384;

pub(super) fn fit(
    p: &GbdtParams,
    x: ArrayView2<f64>,
    y: &[bool],
    weights: Option<&[f64]>,
    valid: Option<Validation<'_>>,
) -> Result<GbdtModel> {
    check_rows(&x, y, weights, "the training data")?;
    if let Some(v) = &valid {
        check_rows(&v.x, v.y, v.weights, "the validation data")?;
        if v.x.ncols() != x.ncols() {
            return Err(data_error(
                format!(
                    "gbdt: the validation data has {} features, the training data {}",
                    v.x.ncols(),
                    x.ncols()
                ),
                format!(
                    "gbdt：验证数据有 {} 个特征，训练数据有 {} 个",
                    v.x.ncols(),
                    x.ncols()
                ),
            ));
        }
    } else if p.early_stopping_rounds > 0 {
        return Err(Error::Recipe {
            detail: "gbdt early_stopping_rounds needs a validation set (hold out part of the training rows), or set it to 0".into(),
        });
    }
    if !p.monotone_constraints.is_empty() && p.monotone_constraints.len() != x.ncols() {
        return Err(Error::Recipe {
            detail: format!(
                "gbdt monotone_constraints has {} values but there are {} features; give one per feature (-1, 0 or 1) or none",
                p.monotone_constraints.len(),
                x.ncols()
            ),
        });
    }
    let n = y.len();
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let total_w: f64 = (0..n).map(w).sum();
    let pos_w: f64 = (0..n).filter(|&i| y[i]).map(w).sum();
    if n == 0 || total_w <= 0.0 || pos_w <= 0.0 || pos_w >= total_w {
        return Err(data_error(
            "gbdt: the training rows need both classes (with weight above zero)".into(),
            "gbdt：训练数据必须同时包含正负两类（且权重大于零）".into(),
        ));
    }
    // LightGBM's boost_from_average for binary log-loss.
    let rate = (pos_w / total_w).clamp(1e-15, 1.0 - 1e-15);
    let init_score = (rate / (1.0 - rate)).ln();

    if let Some(&f) = p.categorical_feature.iter().find(|&&f| f >= x.ncols()) {
        return Err(Error::Recipe {
            detail: format!(
                "gbdt categorical_feature names column {f}, but there are {} features (0 to {})",
                x.ncols(),
                x.ncols().saturating_sub(1)
            ),
        });
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed);
    let data = Binned::new(x, p.max_bin, &p.categorical_feature);
    let n_features = x.ncols();
    let mut score = vec![init_score; n];
    let mut gh = vec![[0.0; 2]; n];
    let mut valid_score = valid.as_ref().map(|v| vec![init_score; v.y.len()]);
    let mut valid_loss = Vec::new();
    let (mut best_loss, mut best_round) = (f64::INFINITY, 0usize);
    let bagging = p.bagging_freq > 0 && p.bagging_fraction < 1.0;
    let mut bag: Vec<u32> = (0..n as u32).collect();
    let mut rows: Vec<u32> = Vec::with_capacity(n);
    let mut trees = Vec::new();
    let all_features: Vec<usize> = (0..n_features).collect();
    for round in 0..p.n_estimators {
        // Each row's gradient is its own: blocks of rows on the cores.
        crate::par::each_block_mut(&mut gh, ROW_BLOCK, |k, block| {
            for (j, out) in block.iter_mut().enumerate() {
                let i = k * ROW_BLOCK + j;
                // LightGBM's binary objective with labels ±1, and its gradients
                // kept as f32 (`score_t`): the trees then come out as LightGBM's.
                let label = if y[i] { 1.0 } else { -1.0 };
                let response = -label / (1.0 + (label * score[i]).exp());
                let abs = response.abs();
                let wi = w(i);
                *out = [
                    (response * wi) as f32 as f64,
                    (abs * (1.0 - abs) * wi) as f32 as f64,
                ];
            }
        });
        if bagging && round % p.bagging_freq == 0 {
            let k = ((n as f64 * p.bagging_fraction) as usize).clamp(1, n);
            bag = sample(&mut rng, n, k)
                .into_iter()
                .map(|i| i as u32)
                .collect();
            bag.sort_unstable();
        }
        let features: Vec<usize> = if p.feature_fraction < 1.0 && n_features > 0 {
            let k = ((n_features as f64 * p.feature_fraction + 0.5) as usize).clamp(1, n_features);
            let mut f = sample(&mut rng, n_features, k).into_vec();
            f.sort_unstable();
            f
        } else {
            all_features.clone()
        };
        rows.clear();
        rows.extend_from_slice(&bag);
        let gr = Grower {
            p,
            data: &data,
            gh: &gh,
            features: &features,
        };
        // No split left anywhere: LightGBM stops boosting here too.
        let Some(grown) = grow_tree(&gr, &mut rows) else {
            break;
        };
        if bagging {
            // Rows out of the bag were not partitioned: walk the tree.
            for (i, s) in score.iter_mut().enumerate() {
                *s += grown.leaf_value(&data, i);
            }
        } else {
            // Every row is in exactly one leaf's range of the partition.
            for &(begin, end, value) in &grown.leaves {
                for &r in &rows[begin..end] {
                    score[r as usize] += value;
                }
            }
        }
        if let (Some(v), Some(vs)) = (&valid, valid_score.as_mut()) {
            crate::par::each_block_mut(vs, ROW_BLOCK, |k, block| {
                let mut row = vec![0.0; n_features];
                let rows = v.x.slice(ndarray::s![k * ROW_BLOCK.., ..]);
                for (s, r) in block.iter_mut().zip(rows.rows()) {
                    row.iter_mut().zip(r.iter()).for_each(|(a, b)| *a = *b);
                    *s += grown.tree.predict(&row);
                }
            });
            let loss = log_loss(vs, v.y, v.weights);
            valid_loss.push(loss);
            if loss < best_loss {
                best_loss = loss;
                best_round = round;
            }
        }
        trees.push(grown.tree);
        if p.early_stopping_rounds > 0 && round - best_round >= p.early_stopping_rounds {
            break;
        }
    }
    // As LightGBM's best_iteration: the rounds after the best one are dropped.
    if p.early_stopping_rounds > 0 && !valid_loss.is_empty() {
        trees.truncate(best_round + 1);
        valid_loss.truncate(best_round + 1);
    }
    Ok(GbdtModel {
        n_features,
        feature_names: Vec::new(),
        init_score,
        trees,
        valid_loss,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::gbdt::GbdtModel;
    use ndarray::Array2;

    /// Rows where x0 drives the label, x1 is noise, x2 is missing for a third of rows.
    fn toy(n: usize) -> (Array2<f64>, Vec<bool>) {
        let mut x = Array2::zeros((n, 3));
        let mut y = Vec::with_capacity(n);
        for i in 0..n {
            let a = ((i * 37) % 101) as f64 / 100.0;
            let b = ((i * 53) % 97) as f64;
            x[[i, 0]] = a;
            x[[i, 1]] = b;
            x[[i, 2]] = if i % 3 == 0 { f64::NAN } else { (i % 7) as f64 };
            y.push((a + 0.3 * ((i % 5) as f64 / 5.0)) > 0.6);
        }
        (x, y)
    }

    #[test]
    fn subtraction_equals_a_direct_build() {
        let (x, y) = toy(600);
        let data = Binned::new(x.view(), 255, &[]);
        let gh: Vec<[f64; 2]> = (0..600)
            .map(|i| [if y[i] { -0.7 } else { 0.3 }, 0.1 + (i % 11) as f64 * 0.01])
            .collect();
        let all: Vec<u32> = (0..600).collect();
        let (left, right): (Vec<u32>, Vec<u32>) =
            all.iter().partition(|&&r| x[[r as usize, 1]] < 40.0);
        let parent = build_histogram(&data, &all, &gh);
        let small = build_histogram(&data, &left, &gh);
        let direct = build_histogram(&data, &right, &gh);
        let by_subtraction = subtract(parent, &small);
        assert_eq!(direct.len(), by_subtraction.len());
        for (a, b) in direct.iter().zip(&by_subtraction) {
            assert_eq!(a.n, b.n);
            assert!(
                (a.g - b.g).abs() < 1e-9 && (a.h - b.h).abs() < 1e-9,
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn missing_values_take_the_learned_direction() {
        // The label is true exactly where x0 is missing or large: the split
        // on x0 must send missing values to the large side.
        let n = 400;
        let mut x = Array2::zeros((n, 1));
        let mut y = Vec::new();
        for i in 0..n {
            let v = (i % 100) as f64;
            let missing = i % 4 == 0;
            x[[i, 0]] = if missing { f64::NAN } else { v };
            y.push(missing || v >= 70.0);
        }
        let p = GbdtParams {
            n_estimators: 1,
            num_leaves: 2,
            ..Default::default()
        };
        let model = p.fit(x.view(), &y, None).unwrap();
        let Node::Split { rule, .. } = &model.trees[0].nodes()[0] else {
            panic!("no split")
        };
        let SplitRule::Numeric {
            missing,
            default_left,
            threshold,
        } = rule
        else {
            panic!("not numeric")
        };
        assert_eq!(*missing, Missing::NaN);
        assert!(
            !default_left,
            "missing must go right, with the large values"
        );
        assert!(*threshold > 60.0 && *threshold < 70.0, "{threshold}");
        let p_nan = model.raw_score_row(&[f64::NAN]);
        assert_eq!(p_nan, model.raw_score_row(&[99.0]));
        assert!(p_nan > model.raw_score_row(&[10.0]));
    }

    #[test]
    fn same_seed_same_model_with_bagging_and_feature_subsampling() {
        let (x, y) = toy(500);
        let p = GbdtParams {
            n_estimators: 20,
            num_leaves: 7,
            bagging_fraction: 0.7,
            bagging_freq: 1,
            feature_fraction: 0.67,
            seed: 7,
            ..Default::default()
        };
        let a = p.fit(x.view(), &y, None).unwrap();
        let b = p.fit(x.view(), &y, None).unwrap();
        assert_eq!(a, b);
        let c = GbdtParams { seed: 8, ..p }.fit(x.view(), &y, None).unwrap();
        assert_ne!(a, c);
    }

    /// The fit's threads (histograms by runs of features, gradients and
    /// validation scores by blocks of rows, the children's searches side by
    /// side) leave the model the same bit for bit: one thread against four,
    /// with a table large enough that the histograms are split.
    #[test]
    fn same_model_on_one_thread_and_four() {
        let (x, y) = toy(40_000);
        assert!(x.len() >= PAR_CELLS);
        let w: Vec<f64> = (0..y.len()).map(|i| 0.5 + (i % 4) as f64 / 4.0).collect();
        let (vx, vy) = toy(20_000);
        let p = GbdtParams {
            n_estimators: 15,
            bagging_fraction: 0.8,
            bagging_freq: 1,
            feature_fraction: 0.67,
            early_stopping_rounds: 5,
            ..Default::default()
        };
        let fit_on = |threads: usize| {
            crate::par::with_threads(threads, || {
                assert_eq!(crate::par::threads(), threads);
                let valid = Validation {
                    x: vx.view(),
                    y: &vy,
                    weights: None,
                };
                p.fit_with_validation(x.view(), &y, Some(&w), Some(valid))
                    .unwrap()
            })
        };
        let one = fit_on(1);
        let four = fit_on(4);
        assert!(one.trees.len() > 1);
        assert_eq!(one, four);
        let data = Binned::new(x.view(), 255, &[]);
        let all: Vec<u32> = (0..x.nrows() as u32).collect();
        let gh: Vec<[f64; 2]> = (0..x.nrows())
            .map(|i| [i as f64 * 0.25 - 7.0, 1.0 + (i % 3) as f64])
            .collect();
        let hist = |threads: usize| {
            crate::par::with_threads(threads, || build_histogram(&data, &all, &gh))
        };
        assert_eq!(hist(1), hist(3));
    }

    #[test]
    fn leaves_respect_min_child_samples_and_num_leaves() {
        let (x, y) = toy(500);
        let p = GbdtParams {
            n_estimators: 5,
            num_leaves: 9,
            min_child_samples: 40,
            ..Default::default()
        };
        let m = p.fit(x.view(), &y, None).unwrap();
        for t in &m.trees {
            let leaves: Vec<f64> = t
                .nodes()
                .iter()
                .filter_map(|n| match n {
                    Node::Leaf { count, .. } => Some(*count),
                    _ => None,
                })
                .collect();
            assert!(leaves.len() <= 9);
            // As LightGBM, min_child_samples is held against counts
            // estimated from hessians, so a leaf may be a row or two short.
            assert!(leaves.iter().all(|&c| c >= 38.0), "{leaves:?}");
            assert_eq!(leaves.iter().sum::<f64>(), 500.0);
        }
    }

    #[test]
    fn early_stopping_keeps_the_best_round() {
        let (x, y) = toy(600);
        let (xt, yt) = (x.slice(ndarray::s![..400, ..]), &y[..400]);
        let (xv, yv) = (x.slice(ndarray::s![400.., ..]), &y[400..]);
        let p = GbdtParams {
            n_estimators: 300,
            learning_rate: 0.5,
            early_stopping_rounds: 5,
            ..Default::default()
        };
        let valid = Validation {
            x: xv,
            y: yv,
            weights: None,
        };
        let m = p.fit_with_validation(xt, yt, None, Some(valid)).unwrap();
        assert!(m.trees.len() < 300);
        let best = m.valid_loss.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(m.valid_loss[m.trees.len() - 1], best);
        assert!(
            p.fit(xt, yt, None).is_err(),
            "early stopping without a validation set"
        );
    }

    #[test]
    fn weights_move_the_init_score_and_bad_data_is_an_error() {
        let (x, y) = toy(300);
        let pos = y.iter().filter(|&&l| l).count() as f64;
        let neg = 300.0 - pos;
        let w: Vec<f64> = y
            .iter()
            .map(|&l| if l { 150.0 / pos } else { 150.0 / neg })
            .collect();
        let m = GbdtParams::default().fit(x.view(), &y, Some(&w)).unwrap();
        assert!(
            m.init_score.abs() < 1e-12,
            "balanced weights: base rate 1/2"
        );
        let p = GbdtParams::default();
        assert!(p.fit(x.view(), &y[..10], None).is_err());
        assert!(p.fit(x.view(), &vec![true; 300], None).is_err());
        let mut bad = w.clone();
        bad[3] = -1.0;
        assert!(p.fit(x.view(), &y, Some(&bad)).is_err());
    }

    #[test]
    fn monotone_constraints_hold_along_the_feature() {
        // The label rises with x0 overall but falls inside (0.3, 0.5): free
        // trees follow the dip, constrained ones may not.
        let n = 800;
        let mut x = Array2::zeros((n, 2));
        let mut y = Vec::new();
        for i in 0..n {
            let a = ((i * 37) % 401) as f64 / 400.0;
            let b = ((i * 53) % 97) as f64;
            x[[i, 0]] = a;
            x[[i, 1]] = b;
            let dip = a > 0.3 && a < 0.5;
            y.push(if dip {
                i % 5 == 0
            } else {
                a + (i % 7) as f64 / 14.0 > 0.6
            });
        }
        let grid: Vec<f64> = (0..=100).map(|k| k as f64 / 100.0).collect();
        let rises = |m: &GbdtModel, b: f64| {
            grid.windows(2)
                .all(|w| m.raw_score_row(&[w[0], b]) <= m.raw_score_row(&[w[1], b]) + 1e-12)
        };
        let free = GbdtParams::default().fit(x.view(), &y, None).unwrap();
        assert!(!rises(&free, 10.0), "the data should tempt a free model");
        let p = GbdtParams {
            monotone_constraints: vec![1, 0],
            ..Default::default()
        };
        let m = p.fit(x.view(), &y, None).unwrap();
        for b in [0.0, 10.0, 50.0, 96.0] {
            assert!(rises(&m, b), "score falls with x0 at x1 = {b}");
        }
        let down = GbdtParams {
            monotone_constraints: vec![-1, 0],
            ..Default::default()
        }
        .fit(x.view(), &y, None)
        .unwrap();
        let falls = grid
            .windows(2)
            .all(|w| down.raw_score_row(&[w[0], 5.0]) >= down.raw_score_row(&[w[1], 5.0]) - 1e-12);
        assert!(falls);
        let wrong = GbdtParams {
            monotone_constraints: vec![1],
            ..Default::default()
        };
        let e = wrong.fit(x.view(), &y, None).unwrap_err();
        assert!(e.to_string().contains("monotone_constraints"), "{e}");
    }

    #[test]
    fn awkward_data_fits_without_panicking() {
        // Constant, all-missing, infinite, huge and negative columns; tiny max_bin.
        let n = 300;
        let mut x = Array2::zeros((n, 6));
        let mut y = Vec::new();
        for i in 0..n {
            x[[i, 0]] = 1.0;
            x[[i, 1]] = f64::NAN;
            x[[i, 2]] = if i % 10 == 0 {
                f64::INFINITY
            } else {
                -(i as f64)
            };
            x[[i, 3]] = if i % 7 == 0 {
                f64::NEG_INFINITY
            } else {
                1e300 * (i % 3) as f64
            };
            x[[i, 4]] = (i % 4) as f64 - 1.5;
            x[[i, 5]] = if i % 2 == 0 { f64::NAN } else { 0.0 };
            y.push(i % 3 == 0);
        }
        for max_bin in [2, 3, 255] {
            let p = GbdtParams {
                max_bin,
                n_estimators: 5,
                min_child_samples: 0,
                min_sum_hessian_in_leaf: 0.0,
                ..Default::default()
            };
            let m = p.fit(x.view(), &y, None).unwrap();
            let raw = m.predict_raw(x.view()).unwrap();
            assert!(raw.iter().all(|v| v.is_finite()));
            let shap = m.shap(x.view()).unwrap();
            for (i, r) in raw.iter().enumerate() {
                assert!((shap.row(i).sum() - r).abs() < 1e-9);
            }
        }
        let no_features = Array2::<f64>::zeros((10, 0));
        let y10: Vec<bool> = (0..10).map(|i| i % 2 == 0).collect();
        let m = GbdtParams::default()
            .fit(no_features.view(), &y10, None)
            .unwrap();
        assert!(m.trees.is_empty());
        assert!(m.predict_raw(x.view()).is_err(), "wrong width is an error");
    }

    #[test]
    fn categories_split_natively_by_their_gradient_ratio() {
        // 12 categories; the odd ones have a high positive rate. One split
        // must send exactly the odd categories one way (many-vs-many).
        let n = 2400;
        let mut x = Array2::zeros((n, 2));
        let mut y = Vec::new();
        for i in 0..n {
            let c = (i * 7) % 12;
            x[[i, 0]] = c as f64;
            x[[i, 1]] = (i % 13) as f64;
            let r = (i / 12) % 10;
            y.push(if c % 2 == 1 { r < 8 } else { r < 2 });
        }
        let p = GbdtParams {
            n_estimators: 1,
            num_leaves: 2,
            categorical_feature: vec![0],
            ..Default::default()
        };
        let m = p.fit(x.view(), &y, None).unwrap();
        let Node::Split { feature, rule, .. } = &m.trees[0].nodes()[0] else {
            panic!("no split")
        };
        assert_eq!(*feature, 0);
        assert!(matches!(rule, SplitRule::Categorical { .. }));
        let score = |c: f64| m.raw_score_row(&[c, 0.0]);
        for c in 0..12 {
            let same = |d: usize| (score(c as f64) - score(d as f64)).abs() < 1e-12;
            assert_eq!(same(1), c % 2 == 1, "category {c}");
        }
        assert!(score(1.0) > score(0.0));
        // Unseen, negative and missing codes go right, as LightGBM's.
        let right = |v: f64| m.raw_score_row(&[v, 0.0]);
        assert_eq!(right(99.0), right(f64::NAN));
        assert_eq!(right(-1.0), right(f64::NAN));
        // Few categories: one against the rest.
        let mut x3 = x.clone();
        // Odd categories become 1 (the high rate), the others 0 or 2.
        x3.column_mut(0).mapv_inplace(|c| match c as usize % 4 {
            1 | 3 => 1.0,
            0 => 0.0,
            _ => 2.0,
        });
        let m3 = p.fit(x3.view(), &y, None).unwrap();
        let Node::Split {
            rule: SplitRule::Categorical { bitset },
            ..
        } = &m3.trees[0].nodes()[0]
        else {
            panic!("not categorical")
        };
        assert_eq!(bitset.iter().map(|w| w.count_ones()).sum::<u32>(), 1);
        let bad = GbdtParams {
            categorical_feature: vec![5],
            ..Default::default()
        };
        assert!(bad.fit(x.view(), &y, None).is_err());
    }
}
