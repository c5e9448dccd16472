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

fn numbers(table: &Table, name: &str) -> Result<Vec<f64>> {
    let c = table.column(name)?;
    match &c.data {
        ColumnData::Numeric(v) => Ok(v.clone()),
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
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .collect();
    let n = pairs.len() as f64;
    if n < 2.0 {
        return None;
    }
    let (ma, mb) = pairs
        .iter()
        .fold((0.0, 0.0), |s, p| (s.0 + p.0 / n, s.1 + p.1 / n));
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
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

fn distribution(table: &Table, name: &str, bands: Option<&Vec<f64>>) -> Result<Distribution> {
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
            // for each row.
            let mut seen: Vec<(String, usize)> = Vec::new();
            let mut index: rustc_hash::FxHashMap<std::borrow::Cow<str>, usize> =
                rustc_hash::FxHashMap::default();
            for r in 0..n {
                if c.is_missing(r) {
                    missing += 1;
                    continue;
                }
                let v = c.key(r);
                match index.get(v.as_ref()) {
                    Some(&at) => seen[at].1 += 1,
                    None => {
                        seen.push((v.to_string(), 1));
                        index.insert(v, seen.len() - 1);
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
    let amounts: Vec<Vec<f64>> = spec
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
    let distributions = spec
        .distributions
        .iter()
        .map(|d| distribution(table, d, spec.bands.get(d)))
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
    if let Some(t) = total {
        columns.push("总资产 total".into());
        series.push(t);
    }
    let behaviour: Vec<Vec<f64>> = spec
        .behaviour
        .iter()
        .map(|b| numbers(table, b))
        .collect::<Result<_>>()?;
    let correlation = behaviour
        .iter()
        .map(|b| series.iter().map(|a| pearson(b, a)).collect())
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
    fn band_labels() {
        let cuts = [30.0, 40.0];
        let l: Vec<String> = (0..=2).map(|i| band_label(&cuts, i)).collect();
        assert_eq!(l, ["<30", "30–40", "≥40"]);
    }
}
