//! The overview dashboard (分层分析) of a recipe's working table: customer
//! and asset KPIs, distributions (categories as they are, numbers in given
//! bands), a funnel over an ordered stage column, and the correlation of
//! behaviour with assets. Figures only; the page draws them.

use serde::{Deserialize, Serialize};

use crate::table::{ColumnData, Table};
use crate::{Error, Result};

/// What the recipe's `overview` section asks for (every part optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverviewSpec {
    /// Balance columns summed into each customer's total assets.
    #[serde(default)]
    pub amounts: Vec<String>,
    /// Columns to count: categorical by level; numeric ones need `bands`.
    #[serde(default)]
    pub distributions: Vec<String>,
    /// Upper bounds of each band but the last, per numeric column
    /// (`{"age": [30, 40, 50, 60]}` → <30, 30–40, …, ≥60).
    #[serde(default)]
    pub bands: std::collections::BTreeMap<String, Vec<f64>>,
    /// A stage column and its stages in funnel order.
    #[serde(default)]
    pub funnel: Option<FunnelSpec>,
    /// Behaviour columns correlated with the amounts (and the total).
    #[serde(default)]
    pub behaviour: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunnelSpec {
    pub column: String,
    pub stages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub column: String,
    pub levels: Vec<String>,
    pub counts: Vec<usize>,
    pub missing: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub customers: usize,
    /// Sum of the amounts over customers (missing counts as 0).
    pub total_assets: Option<f64>,
    pub mean_assets: Option<f64>,
    pub median_assets: Option<f64>,
    pub distributions: Vec<Distribution>,
    pub funnel: Option<Distribution>,
    /// Pearson correlation: rows are `behaviour`, columns the amounts then
    /// "总资产 total".
    pub correlation_rows: Vec<String>,
    pub correlation_columns: Vec<String>,
    pub correlation: Vec<Vec<Option<f64>>>,
}

fn numbers<'a>(table: &'a Table, name: &str) -> Result<&'a [f64]> {
    let c = table.column(name)?;
    match &c.data {
        ColumnData::Numeric(v) => Ok(v),
        _ => Err(Error::Recipe {
            detail: format!(
                "overview: column '{name}' of '{}' is {:?}, not numeric; list numeric columns under amounts, behaviour and bands",
                table.name, c.kind
            ),
        }),
    }
}

/// Pearson correlation over rows where both are present; None when either
/// is constant there.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    // The pairs are walked three times rather than copied (16 MB a pair of
    // columns at a million rows).
    let pairs = || a.iter().zip(b).filter(|(x, y)| !x.is_nan() && !y.is_nan());
    let n = pairs().count() as f64;
    if n < 2.0 {
        return None;
    }
    let (ma, mb) = pairs().fold((0.0, 0.0), |s, p| (s.0 + p.0 / n, s.1 + p.1 / n));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in pairs() {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

fn band_label(cuts: &[f64], i: usize) -> String {
    let f = |x: f64| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x}")
        }
    };
    match i {
        0 => format!("<{}", f(cuts[0])),
        i if i == cuts.len() => format!("≥{}", f(cuts[i - 1])),
        i => format!("{}–{}", f(cuts[i - 1]), f(cuts[i])),
    }
}

fn distribution<'t>(
    table: &'t Table,
    name: &str,
    bands: Option<&Vec<f64>>,
) -> Result<Distribution> {
    let c = table.column(name)?;
    let n = table.rows();
    let mut missing = 0;
    let (levels, counts) = match (&c.data, bands) {
        (ColumnData::Numeric(v), Some(cuts)) if !cuts.is_empty() => {
            let mut counts = vec![0; cuts.len() + 1];
            for x in v {
                if x.is_nan() {
                    missing += 1;
                } else {
                    counts[cuts.iter().filter(|c| *x >= **c).count()] += 1;
                }
            }
            ((0..=cuts.len()).map(|i| band_label(cuts, i)).collect(), counts)
        }
        (ColumnData::Numeric(_), _) => {
            return Err(Error::Recipe {
                detail: format!(
                    "overview: numeric column '{name}' needs its bands, e.g. \"bands\": {{\"{name}\": [30, 40, 50]}}"
                ),
            })
        }
        _ => {
            // Keys borrowed from the column: a String for each level, not
            // for each row. A dictionary's codes are counted first, so rows
            // are not hashed, only its levels.
            let mut seen: Vec<(String, usize)> = Vec::new();
            let mut index: rustc_hash::FxHashMap<std::borrow::Cow<'t, str>, usize> =
                rustc_hash::FxHashMap::default();
            let mut add = |v: std::borrow::Cow<'t, str>, k: usize| match index.get(v.as_ref()) {
                Some(&at) => seen[at].1 += k,
                None => {
                    seen.push((v.to_string(), k));
                    index.insert(v, seen.len() - 1);
                }
            };
            if let ColumnData::Categorical { codes, dict } = &c.data {
                let mut counts = vec![0usize; dict.len()];
                for &code in codes {
                    match counts.get_mut(code as usize) {
                        Some(k) => *k += 1,
                        None => missing += 1,
                    }
                }
                for (level, &k) in dict.iter().zip(&counts) {
                    if k > 0 {
                        add(std::borrow::Cow::Borrowed(level), k);
                    }
                }
            } else {
                for r in 0..n {
                    if c.is_missing(r) {
                        missing += 1;
                    } else {
                        add(c.key(r), 1);
                    }
                }
            }
            // Largest first, ties by name: stable across runs.
            crate::order::sort_by(&mut seen, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            seen.into_iter().unzip()
        }
    };
    Ok(Distribution {
        column: name.into(),
        levels,
        counts,
        missing,
    })
}

pub fn overview(table: &Table, spec: &OverviewSpec) -> Result<Overview> {
    let n = table.rows();
    let amounts: Vec<&[f64]> = spec
        .amounts
        .iter()
        .map(|a| numbers(table, a))
        .collect::<Result<_>>()?;
    let total: Option<Vec<f64>> = (!amounts.is_empty()).then(|| {
        (0..n)
            .map(|r| {
                amounts
                    .iter()
                    .map(|a| if a[r].is_nan() { 0.0 } else { a[r] })
                    .sum()
            })
            .collect()
    });
    let (total_assets, mean_assets, median_assets) = match &total {
        Some(t) if n > 0 => {
            let sum: f64 = t.iter().sum();
            (
                Some(sum),
                Some(sum / n as f64),
                crate::table::stats::quantile_selected(&mut t.clone(), 0.5),
            )
        }
        _ => (None, None, None),
    };
    let distributions = crate::par::map(spec.distributions.iter().collect(), |d| {
        distribution(table, d, spec.bands.get(d))
    })
    .into_iter()
    .collect::<Result<_>>()?;
    let funnel = match &spec.funnel {
        Some(f) => {
            let d = distribution(table, &f.column, None)?;
            let counts = f
                .stages
                .iter()
                .map(|s| {
                    d.levels
                        .iter()
                        .position(|l| l == s)
                        .map_or(0, |i| d.counts[i])
                })
                .collect();
            Some(Distribution {
                column: f.column.clone(),
                levels: f.stages.clone(),
                counts,
                missing: d.missing,
            })
        }
        None => None,
    };
    let mut columns = spec.amounts.clone();
    let mut series = amounts;
    if let Some(t) = &total {
        columns.push("总资产 total".into());
        series.push(t);
    }
    let behaviour: Vec<&[f64]> = spec
        .behaviour
        .iter()
        .map(|b| numbers(table, b))
        .collect::<Result<_>>()?;
    // Each pair of columns on its own core.
    let width = series.len();
    let flat = crate::par::map_range(behaviour.len() * width, 1, |k| {
        pearson(behaviour[k.start / width], series[k.start % width])
    });
    let correlation = (0..behaviour.len())
        .map(|i| flat[i * width..(i + 1) * width].to_vec())
        .collect();
    Ok(Overview {
        customers: n,
        total_assets,
        mean_assets,
        median_assets,
        distributions,
        funnel,
        correlation_rows: spec.behaviour.clone(),
        correlation_columns: columns,
        correlation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pearson_of_a_line_and_a_constant() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]).unwrap() - 0.99795).abs() < 1e-5);
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]), None);
        assert_eq!(
            pearson(&[1.0, f64::NAN, 3.0, 4.0], &[1.0, 9.0, 3.0, 4.0]).map(|r| (r * 1e9).round()),
            Some(1e9)
        );
    }

    #[test]
    fn a_dictionary_counts_as_its_text_does_unused_levels_left_out() {
        use crate::table::{Column, ColumnKind, StrColumn, MISSING_CODE};
        let dict = ["乙", "甲", "丙"].map(String::from).to_vec();
        let codes = vec![0, 1, MISSING_CODE, 0, 1, 0];
        let mut text = StrColumn::default();
        for &c in &codes {
            text.push(dict.get(c as usize).map_or("", String::as_str));
        }
        let table = Table::new(
            "t",
            vec![
                Column {
                    name: "coded".into(),
                    kind: ColumnKind::Categorical,
                    data: ColumnData::Categorical { codes, dict },
                },
                Column {
                    name: "text".into(),
                    kind: ColumnKind::Text,
                    data: ColumnData::Text(text),
                },
            ],
        )
        .unwrap();
        let coded = distribution(&table, "coded", None).unwrap();
        assert_eq!(coded.levels, ["乙", "甲"]);
        assert_eq!((coded.counts.as_slice(), coded.missing), (&[3, 2][..], 1));
        let text = distribution(&table, "text", None).unwrap();
        assert_eq!(
            (text.levels, text.counts, text.missing),
            (coded.levels, coded.counts, 1)
        );
    }

    #[test]
    fn band_labels() {
        let cuts = [30.0, 40.0];
        let l: Vec<String> = (0..=2).map(|i| band_label(&cuts, i)).collect();
        assert_eq!(l, ["<30", "30–40", "≥40"]);
    }
}
