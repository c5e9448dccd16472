//! Bins per numeric feature, computed once before boosting, as LightGBM's
//! `BinMapper::FindBin` with its defaults (`min_data_in_bin` 3, zero as a
//! bin of its own, one extra bin for NaN when the feature has any). Cells
//! are stored as `u8`, feature by feature.

use ndarray::ArrayView2;

use super::ZERO_THRESHOLD;

/// LightGBM's default `min_data_in_bin`.
const MIN_DATA_IN_BIN: usize = 3;

/// Bin edges of one feature: value `v` falls in the first bin `b` with
/// `v <= upper[b]` (the last edge is +inf); NaN falls in the missing bin
/// `upper.len()` when the feature had NaN in training, else it counts as 0.
#[derive(Debug, Clone, PartialEq)]
pub struct BinMapper {
    pub upper: Vec<f64>,
    pub has_missing: bool,
    /// LightGBM's `most_freq_bin`: the bin of zero, unless another bin
    /// holds at least 70% of the rows. When it is bin 0 LightGBM keeps no
    /// histogram entry for it and derives it from the leaf's totals, which
    /// changes its estimated row count (see `grow`).
    pub most_freq_bin: usize,
    /// For a categorical feature: the category code of each bin, most
    /// frequent first; one more bin after them takes missing, negative and
    /// unseen values (it always goes right). `upper` is then empty.
    pub categories: Option<Vec<u32>>,
}

/// The smallest double above `x` (LightGBM's `GetDoubleUpperBound`), so that
/// a midpoint threshold never equals a value below it.
fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        return x;
    }
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let b = x.to_bits();
    f64::from_bits(if x > 0.0 { b + 1 } else { b - 1 })
}

/// LightGBM's `GreedyFindBin`: at most `max_bin` bins over sorted distinct
/// values with their counts, about equally full, values with a big count alone.
fn greedy(values: &[f64], counts: &[usize], max_bin: usize, total: usize) -> Vec<f64> {
    let n = values.len();
    let mut upper = Vec::new();
    if n == 0 {
        return vec![f64::INFINITY];
    }
    if n <= max_bin {
        let mut in_bin = 0;
        for i in 0..n - 1 {
            in_bin += counts[i];
            if in_bin >= MIN_DATA_IN_BIN {
                let v = next_up((values[i] + values[i + 1]) / 2.0);
                if upper.last() != Some(&v) {
                    upper.push(v);
                    in_bin = 0;
                }
            }
        }
        upper.push(f64::INFINITY);
        return upper;
    }
    let max_bin = max_bin.min(total / MIN_DATA_IN_BIN).max(1);
    let mut mean = total as f64 / max_bin as f64;
    let mut rest_bins = max_bin as f64;
    let mut rest_rows = total as f64;
    let big: Vec<bool> = counts.iter().map(|&c| c as f64 >= mean).collect();
    for (i, &c) in counts.iter().enumerate() {
        if big[i] {
            rest_bins -= 1.0;
            rest_rows -= c as f64;
        }
    }
    mean = rest_rows / rest_bins;
    let mut uppers = vec![f64::INFINITY; max_bin];
    let mut lowers = vec![f64::INFINITY; max_bin];
    let mut bins = 0;
    lowers[0] = values[0];
    let mut in_bin = 0.0;
    for i in 0..n - 1 {
        if !big[i] {
            rest_rows -= counts[i] as f64;
        }
        in_bin += counts[i] as f64;
        // LightGBM compares with `mean_bin_size * 0.5f`, a float.
        if big[i] || in_bin >= mean || (big[i + 1] && in_bin >= (mean * 0.5).max(1.0)) {
            uppers[bins] = values[i];
            bins += 1;
            lowers[bins] = values[i + 1];
            if bins >= max_bin - 1 {
                break;
            }
            in_bin = 0.0;
            if !big[i] {
                rest_bins -= 1.0;
                mean = rest_rows / rest_bins;
            }
        }
    }
    bins += 1;
    for i in 0..bins - 1 {
        let v = next_up((uppers[i] + lowers[i + 1]) / 2.0);
        if upper.last() != Some(&v) {
            upper.push(v);
        }
    }
    upper.push(f64::INFINITY);
    upper
}

impl BinMapper {
    /// Edges from a feature's training values, as LightGBM's
    /// `FindBinWithZeroAsOneBin`: negatives, then a bin for zero, then positives.
    pub fn fit(values: &[f64], max_bin: usize) -> BinMapper {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        let has_missing = v.len() < values.len();
        let max_bin = if has_missing { max_bin - 1 } else { max_bin };
        // Values equal under total_cmp are the same bits: unstable is exact.
        v.sort_unstable_by(f64::total_cmp);
        let (mut distinct, mut counts): (Vec<f64>, Vec<usize>) = (Vec::new(), Vec::new());
        for &x in &v {
            // Every |x| <= ZERO_THRESHOLD is one value, zero.
            let x = if x.abs() <= ZERO_THRESHOLD { 0.0 } else { x };
            if distinct.last() == Some(&x) {
                *counts.last_mut().unwrap_or(&mut 0) += 1;
            } else {
                distinct.push(x);
                counts.push(1);
            }
        }
        let total = v.len();
        let left_n = distinct.iter().take_while(|&&x| x < 0.0).count();
        let zero_n: usize = distinct
            .iter()
            .zip(&counts)
            .filter(|(&x, _)| x == 0.0)
            .map(|(_, &c)| c)
            .sum();
        let left_rows: usize = counts[..left_n].iter().sum();
        let mut upper = Vec::new();
        if left_n > 0 && max_bin > 1 {
            let share = left_rows as f64 / (total - zero_n) as f64;
            let left_max = ((share * (max_bin - 1) as f64) as usize).max(1);
            upper = greedy(&distinct[..left_n], &counts[..left_n], left_max, left_rows);
            if let Some(last) = upper.last_mut() {
                *last = -ZERO_THRESHOLD;
            }
        }
        let right_start = distinct.iter().position(|&x| x > 0.0);
        let right_max = (max_bin - 1).saturating_sub(upper.len());
        match right_start {
            Some(s) if right_max > 0 => {
                let right_rows = counts[s..].iter().sum();
                let right = greedy(&distinct[s..], &counts[s..], right_max, right_rows);
                upper.push(ZERO_THRESHOLD);
                upper.extend(right);
            }
            _ => upper.push(f64::INFINITY),
        }
        let mut m = BinMapper {
            upper,
            has_missing,
            most_freq_bin: 0,
            categories: None,
        };
        let mut per_bin = vec![0usize; m.n_bins()];
        for (&x, &c) in distinct.iter().zip(&counts) {
            per_bin[m.bin(x) as usize] += c;
        }
        if let Some(b) = m.missing_bin() {
            per_bin[b] = values.len() - total;
        }
        // First of the largest, as LightGBM's ArgMax.
        let most = per_bin
            .iter()
            .enumerate()
            .fold(0, |best, (i, &c)| if c > per_bin[best] { i } else { best });
        let zero_bin = m.bin(0.0) as usize;
        let rate = per_bin[most] as f64 / values.len().max(1) as f64;
        m.most_freq_bin = if most != zero_bin && rate < 0.7 {
            zero_bin
        } else {
            most
        };
        m
    }

    /// A categorical feature's bins: each non-negative code (truncated, as
    /// LightGBM's int cast) its own bin, most frequent first, at most
    /// `max_bin - 1` of them; the rest share the last bin with missing values.
    pub fn fit_categorical(values: &[f64], max_bin: usize) -> BinMapper {
        let mut counts: Vec<(u32, usize)> = Vec::new();
        let mut codes: Vec<u32> = values
            .iter()
            .filter(|v| **v >= 0.0 && **v < u32::MAX as f64)
            .map(|&v| v as u32)
            .collect();
        codes.sort_unstable();
        for c in codes {
            match counts.last_mut() {
                Some((last, n)) if *last == c => *n += 1,
                _ => counts.push((c, 1)),
            }
        }
        // Most frequent first; ties by the smaller code.
        crate::order::sort_by(&mut counts, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        counts.truncate(max_bin.saturating_sub(1));
        BinMapper {
            upper: Vec::new(),
            has_missing: false,
            most_freq_bin: 0,
            categories: Some(counts.into_iter().map(|(c, _)| c).collect()),
        }
    }

    /// Value bins plus the missing bin (for a categorical feature: its
    /// categories plus the "other" bin).
    pub fn n_bins(&self) -> usize {
        match &self.categories {
            Some(c) => c.len() + 1,
            None => self.upper.len() + usize::from(self.has_missing),
        }
    }

    /// The missing bin, if the feature has one.
    pub fn missing_bin(&self) -> Option<usize> {
        self.has_missing.then_some(self.upper.len())
    }

    pub fn bin(&self, v: f64) -> u8 {
        if let Some(cats) = &self.categories {
            let other = cats.len() as u8;
            if !(v >= 0.0 && v < u32::MAX as f64) {
                return other;
            }
            let code = v as u32;
            return cats
                .iter()
                .position(|&c| c == code)
                .map_or(other, |b| b as u8);
        }
        let v = if v.is_nan() {
            if self.has_missing {
                return self.upper.len() as u8;
            }
            0.0
        } else {
            v
        };
        // First edge >= v; the last edge is +inf, so one always exists.
        let b = self.upper.partition_point(|&u| u < v);
        b.min(self.upper.len() - 1) as u8
    }
}

/// The training rows binned once, kept both ways (one byte a cell, so
/// twice rows × features bytes): row by row, `cells[i * n_features + f]`
/// is row `i`'s bin of feature `f` (a row's bins side by side, so that a
/// histogram is built in one pass over the rows, as LightGBM's row-wise
/// learner), and column by column (a split's feature read down the rows
/// it partitions, a byte a row rather than a cache line); `offset[f]` is
/// where feature `f`'s bins start in a histogram.
#[derive(Debug, Clone)]
pub struct Binned {
    pub n_rows: usize,
    pub mappers: Vec<BinMapper>,
    pub cells: Vec<u8>,
    columns: Vec<u8>,
    pub offset: Vec<usize>,
}

impl Binned {
    /// Bins every column; those listed in `categorical` as categories.
    pub fn new(x: ArrayView2<f64>, max_bin: usize, categorical: &[usize]) -> Binned {
        let (n_rows, width) = x.dim();
        // Each column is binned on its own (its mapper sorts its values),
        // so the columns go to the cores; the mappers and bins are the same
        // on any number of threads.
        let mut columns = vec![0u8; n_rows * width];
        // One part a column, empty ones too (no rows still gives a mapper
        // a column, as `chunks_mut` would not).
        let mut parts: Vec<(usize, &mut [u8])> = Vec::with_capacity(width);
        let mut rest = &mut columns[..];
        for f in 0..width {
            let (part, tail) = rest.split_at_mut(n_rows);
            parts.push((f, part));
            rest = tail;
        }
        let mappers = crate::par::each_mut(&mut parts, |(f, out)| {
            let values: Vec<f64> = x.column(*f).iter().copied().collect();
            let m = if categorical.contains(f) {
                BinMapper::fit_categorical(&values, max_bin)
            } else {
                BinMapper::fit(&values, max_bin)
            };
            out.iter_mut()
                .zip(&values)
                .for_each(|(b, &v)| *b = m.bin(v));
            m
        });
        drop(parts);
        let mut offset = vec![0];
        for m in &mappers {
            offset.push(offset.last().copied().unwrap_or(0) + m.n_bins());
        }
        // The row-by-row copy, a block of rows at a time (reads and writes
        // stay in cache: 4,096 rows of 30 features write 120 KiB), blocks
        // on the cores.
        const BLOCK: usize = 4096;
        let mut cells = vec![0u8; n_rows * width];
        crate::par::each_block_mut(&mut cells, BLOCK * width, |k, block| {
            let start = k * BLOCK;
            let end = (start + BLOCK).min(n_rows);
            for f in 0..width {
                let col = &columns[f * n_rows + start..f * n_rows + end];
                for (i, &b) in col.iter().enumerate() {
                    block[i * width + f] = b;
                }
            }
        });
        Binned {
            n_rows,
            mappers,
            cells,
            columns,
            offset,
        }
    }

    /// Row `i`'s bins, one per feature.
    pub fn row(&self, i: usize) -> &[u8] {
        let w = self.mappers.len();
        &self.cells[i * w..(i + 1) * w]
    }

    /// Feature `f`'s bins, one per row.
    pub fn column(&self, f: usize) -> &[u8] {
        &self.columns[f * self.n_rows..(f + 1) * self.n_rows]
    }

    pub fn total_bins(&self) -> usize {
        self.offset.last().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table without rows still has a mapper (and offsets) a column.
    #[test]
    fn no_rows_still_a_mapper_a_column() {
        let x = ndarray::Array2::<f64>::zeros((0, 3));
        let b = Binned::new(x.view(), 255, &[]);
        assert_eq!((b.mappers.len(), b.offset.len(), b.n_rows), (3, 4, 0));
        assert!(b.column(2).is_empty() && b.cells.is_empty());
    }

    #[test]
    fn few_distinct_values_get_a_bin_each_with_zero_alone() {
        let v: Vec<f64> = (0..100).map(|i| (i % 5) as f64).collect();
        let m = BinMapper::fit(&v, 255);
        assert_eq!(m.upper.len(), 5);
        assert_eq!(m.upper[0], ZERO_THRESHOLD);
        assert!((m.upper[1] - 1.5).abs() < 1e-12 && m.upper[1] > 1.5);
        assert_eq!(m.bin(0.0), 0);
        assert_eq!(m.bin(1.0), 1);
        assert_eq!(m.bin(4.0), 4);
        assert_eq!(m.bin(f64::NAN), 0, "no NaN in training: NaN counts as 0");
    }

    #[test]
    fn many_values_fit_in_max_bin_and_nan_gets_its_bin() {
        let mut v: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 5000) as f64 * 0.37 - 300.0)
            .collect();
        v[17] = f64::NAN;
        let m = BinMapper::fit(&v, 63);
        assert!(m.has_missing);
        assert!(m.n_bins() <= 63, "{}", m.n_bins());
        assert_eq!(m.bin(f64::NAN) as usize, m.upper.len());
        assert!(m.upper.windows(2).all(|w| w[0] < w[1]));
        // Bins are about equally full.
        let mut counts = vec![0usize; m.n_bins()];
        v.iter().for_each(|&x| counts[m.bin(x) as usize] += 1);
        let value_bins = &counts[..m.upper.len()];
        assert!(
            value_bins
                .iter()
                .filter(|&&c| c > 0)
                .all(|&c| c < 5000 / 61 * 3),
            "{counts:?}"
        );
    }
}
