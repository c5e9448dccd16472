//! What each segment is like, in the source columns' own units: size and
//! share; for numbers the mean and median beside the overall ones (ratio,
//! standardised difference, a flag when large); for categories the levels
//! over-represented against the overall distribution; and the features that
//! set the segment apart most.

use serde::{Deserialize, Serialize};

use crate::prep::{raw_numbers, Prep, Transform};
use crate::table::stats::quantile_selected;
use crate::table::{Column, ColumnData, Table, MISSING_CODE};
use crate::Result;

/// Each of `rows`' values as an index into the values returned (missing
/// as "(缺失)"). A dictionary column's codes are that already, so no
/// row's text is made (it made a String per row and column).
fn value_index(c: &Column, rows: &[usize]) -> (Vec<u32>, Vec<String>) {
    const MISSING: &str = "(缺失)";
    match &c.data {
        ColumnData::Categorical { codes, dict } => {
            let missing = dict.len() as u32;
            let index = rows
                .iter()
                .map(|&r| {
                    if codes[r] == MISSING_CODE {
                        missing
                    } else {
                        codes[r]
                    }
                })
                .collect();
            let values = dict.iter().cloned().chain([MISSING.to_string()]).collect();
            (index, values)
        }
        _ => {
            let mut seen = std::collections::HashMap::<String, u32>::new();
            let mut values = Vec::new();
            let index = rows
                .iter()
                .map(|&r| {
                    let v = if c.is_missing(r) {
                        MISSING.to_string()
                    } else {
                        c.text(r)
                    };
                    *seen.entry(v).or_insert_with_key(|v| {
                        values.push(v.clone());
                        (values.len() - 1) as u32
                    })
                })
                .collect();
            (index, values)
        }
    }
}

/// A difference counts as large from half an overall standard deviation.
pub const LARGE_Z: f64 = 0.5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericProfile {
    pub column: String,
    pub mean: f64,
    pub median: f64,
    pub overall_mean: f64,
    pub overall_median: f64,
    /// mean / overall mean (None when the overall mean is 0).
    pub ratio: Option<f64>,
    /// (mean − overall mean) / overall standard deviation.
    pub z: f64,
    pub large: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelShare {
    pub level: String,
    pub share: f64,
    pub overall_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalProfile {
    pub column: String,
    /// Levels by segment share, at most 5.
    pub levels: Vec<LevelShare>,
    pub large: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentProfile {
    pub segment: usize,
    pub size: usize,
    pub share: f64,
    pub numeric: Vec<NumericProfile>,
    pub categorical: Vec<CategoricalProfile>,
    /// The most distinguishing features, in words ("存款余额偏高（本群平均
    /// 12.3万，整体 5.6万）"), strongest (largest |z|) first.
    pub distinguishing: Vec<String>,
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    (
        m,
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n).sqrt(),
    )
}

/// The median by selection, not a sort per column and segment (retail
/// 1M: the step 0.50 -> 0.39 s natively).
fn median(mut v: Vec<f64>) -> f64 {
    quantile_selected(&mut v, 0.5).unwrap_or(f64::NAN)
}

/// Profiles of `k` segments (`labels[i]` for row `rows[i]` of `table`) over
/// the source columns of `prep`.
pub fn profiles(
    table: &Table,
    rows: &[usize],
    labels: &[usize],
    k: usize,
    prep: &Prep,
    names: crate::shared::DisplayNames,
) -> Result<Vec<SegmentProfile>> {
    let n = rows.len().max(1) as f64;
    let mut out: Vec<SegmentProfile> = (0..k)
        .map(|s| {
            let size = labels.iter().filter(|&&l| l == s).count();
            SegmentProfile {
                segment: s,
                size,
                share: size as f64 / n,
                numeric: Vec::new(),
                categorical: Vec::new(),
                distinguishing: Vec::new(),
            }
        })
        .collect();
    let sizes: Vec<usize> = out.iter().map(|p| p.size).collect();
    // Each source column's profiles on every core: per segment, its
    // (score, words) candidates for the distinguishing list and its parts.
    let columns = prep.sources(table)?;
    let per_column = crate::par::map(columns, |(t, c)| {
        let mut notes: Vec<Vec<(f64, String)>> = vec![Vec::new(); k];
        let mut numeric: Vec<Option<NumericProfile>> = vec![None; k];
        let mut categorical: Vec<Option<CategoricalProfile>> = vec![None; k];
        match t {
            Transform::OneHot { column, .. } => {
                let (index, values) = value_index(c, rows);
                let mut counts = vec![vec![0usize; values.len()]; k];
                for (&v, &l) in index.iter().zip(labels) {
                    counts[l][v as usize] += 1;
                }
                // Levels by name (as text, so a value that reads "(缺失)"
                // is one level with the missing ones).
                let tally = |count: &[usize]| {
                    let mut m = std::collections::BTreeMap::<String, usize>::new();
                    for (v, &n) in values.iter().zip(count).filter(|(_, &n)| n > 0) {
                        *m.entry(v.clone()).or_default() += n;
                    }
                    m
                };
                let per: Vec<_> = counts.iter().map(|c| tally(c)).collect();
                let all: Vec<usize> = (0..values.len())
                    .map(|v| counts.iter().map(|c| c[v]).sum())
                    .collect();
                let overall = tally(&all);
                for s in 0..k {
                    let size = sizes[s].max(1) as f64;
                    let mut levels: Vec<LevelShare> = per[s]
                        .iter()
                        .map(|(l, m)| LevelShare {
                            level: l.clone(),
                            share: *m as f64 / size,
                            overall_share: overall[l] as f64 / n,
                        })
                        .collect();
                    crate::order::sort_by(&mut levels, |a, b| b.share.total_cmp(&a.share));
                    // Over-representation of the segment's top level, in shares.
                    let top = levels.first().cloned();
                    let large = top
                        .as_ref()
                        .is_some_and(|l| l.share - l.overall_share >= 0.2);
                    if let Some(l) = top.filter(|_| large) {
                        notes[s].push((
                            (l.share - l.overall_share) * 2.5,
                            format!(
                                "{} = {}（{:.0}%，整体 {:.0}%）",
                                names.of(column),
                                l.level,
                                l.share * 100.0,
                                l.overall_share * 100.0
                            ),
                        ));
                    }
                    levels.truncate(5);
                    categorical[s] = Some(CategoricalProfile {
                        column: column.clone(),
                        levels,
                        large,
                    });
                }
            }
            _ => {
                let all = raw_numbers(c, t);
                let values: Vec<f64> = rows.iter().map(|&r| all[r]).collect();
                let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
                let (om, osd) = mean_sd(&present);
                let omed = median(present);
                let mut by_segment: Vec<Vec<f64>> =
                    sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
                for (&v, &l) in values.iter().zip(labels) {
                    if !v.is_nan() {
                        by_segment[l].push(v);
                    }
                }
                for (s, seg) in by_segment.into_iter().enumerate() {
                    let (m, _) = mean_sd(&seg);
                    let z = if osd > 0.0 { (m - om) / osd } else { 0.0 };
                    let large = z.abs() >= LARGE_Z;
                    if large {
                        notes[s].push((
                            z.abs(),
                            // In the business's words: the segment's mean
                            // beside everyone's (no z-scores in a plan).
                            format!(
                                "{}{}（本群平均 {}，整体 {}）",
                                names.of(t.column()),
                                if z > 0.0 { "偏高" } else { "偏低" },
                                crate::shared::human(m),
                                crate::shared::human(om)
                            ),
                        ));
                    }
                    numeric[s] = Some(NumericProfile {
                        column: t.column().to_string(),
                        mean: m,
                        median: median(seg),
                        overall_mean: om,
                        overall_median: omed,
                        ratio: (om != 0.0).then(|| m / om),
                        z,
                        large,
                    });
                }
            }
        }
        (notes, numeric, categorical)
    });
    // (segment, score, words) candidates for the distinguishing list.
    let mut notes: Vec<Vec<(f64, String)>> = vec![Vec::new(); k];
    for (column_notes, numeric, categorical) in per_column {
        for (s, (list, (num, cat))) in column_notes
            .into_iter()
            .zip(numeric.into_iter().zip(categorical))
            .enumerate()
        {
            notes[s].extend(list);
            out[s].numeric.extend(num);
            out[s].categorical.extend(cat);
        }
    }
    for (s, mut list) in notes.into_iter().enumerate() {
        crate::order::sort_by(&mut list, |a, b| b.0.total_cmp(&a.0));
        out[s].distinguishing = list.into_iter().take(5).map(|(_, w)| w).collect();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prep::PrepSpec;
    use crate::table::{load, LoadOptions};

    #[test]
    fn levels_and_medians_per_segment() {
        // A dictionary column with missing cells, and a number.
        let csv = "city,n\n北京,1\n上海,2\n北京,3\n,4\n北京,5\n上海,6\n,7\n北京,9\n";
        let t = load(csv.as_bytes(), "p.csv", &LoadOptions::default(), &mut ())
            .unwrap()
            .0;
        let rows: Vec<usize> = (0..8).collect();
        let prep = Prep::fit(&t, &rows, &PrepSpec::default()).unwrap();
        let labels = [0, 0, 0, 1, 1, 1, 1, 1];
        let p = profiles(&t, &rows, &labels, 2, &prep, Default::default()).unwrap();
        let city = |s: usize| -> Vec<(String, f64, f64)> {
            let c = &p[s].categorical[0];
            assert_eq!(c.column, "city");
            c.levels
                .iter()
                .map(|l| (l.level.clone(), l.share, l.overall_share))
                .collect()
        };
        let l = |v: &str, share: f64, overall: f64| (v.to_string(), share, overall);
        assert_eq!(
            city(0),
            [l("北京", 2.0 / 3.0, 0.5), l("上海", 1.0 / 3.0, 0.25)]
        );
        // Ties keep the levels' order by name.
        assert_eq!(
            city(1),
            [
                l("(缺失)", 0.4, 0.25),
                l("北京", 0.4, 0.5),
                l("上海", 0.2, 0.25)
            ]
        );
        let n = |s: usize| (p[s].numeric[0].median, p[s].numeric[0].overall_median);
        assert_eq!(n(0), (2.0, 4.5));
        assert_eq!(n(1), (6.0, 4.5));
    }
}
