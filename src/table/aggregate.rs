//! Per-entity features from a long table (e.g. twelve weekly rows per
//! customer): mean, sum, last value, trend (least-squares slope over the
//! time column) and recent change (mean of the last `recent` periods over
//! the earlier mean, minus one). Rows are ordered by time within each
//! entity, so the file's row order does not matter.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::join::JoinReport;
use super::{Column, ColumnData, ColumnKind, StrColumn, Table};
use crate::{Error, Result};

/// Per-entity features from a long table (e.g. 12 weekly rows per customer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateSpec {
    /// The long table's file, its entity key and its time column.
    pub from: String,
    pub by: String,
    pub time: String,
    /// The measures to aggregate.
    pub columns: Vec<String>,
    /// `mean`, `sum`, `last`, `trend` (least-squares slope over time),
    /// `recent_change` (mean of the last `recent` periods over the earlier mean, minus 1).
    pub ops: Vec<String>,
    #[serde(default)]
    pub recent: Option<usize>,
    /// The table the aggregates are joined to (on `by`).
    pub into: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateOutcome {
    pub report: AggregateReport,
    /// The aggregates joined (left) to the `into` table.
    pub join: JoinReport,
}

/// One aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Mean,
    Sum,
    Last,
    Trend,
    RecentChange,
}

impl Op {
    pub fn parse(s: &str) -> Result<Op> {
        Ok(match s {
            "mean" => Op::Mean,
            "sum" => Op::Sum,
            "last" => Op::Last,
            "trend" => Op::Trend,
            "recent_change" => Op::RecentChange,
            other => {
                return Err(Error::Analysis {
                    detail: format!(
                    "aggregate: unknown op '{other}'; use mean, sum, last, trend or recent_change"
                ),
                    detail_zh: format!(
                        "汇总：未知的运算“{other}”；可用 mean、sum、last、trend、recent_change"
                    ),
                })
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Mean => "mean",
            Op::Sum => "sum",
            Op::Last => "last",
            Op::Trend => "trend",
            Op::RecentChange => "recent_change",
        }
    }
}

/// The name of the feature `op` makes from `column` (e.g. `登录次数_recent_change`).
pub fn feature_name(column: &str, op: Op) -> String {
    format!("{column}_{}", op.as_str())
}

/// What the aggregation did, for the analyst to check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateReport {
    pub file: String,
    pub by: String,
    pub time: String,
    pub rows: usize,
    pub entities: usize,
    /// Fewest and most periods seen for one entity.
    pub min_periods: usize,
    pub max_periods: usize,
    /// Rows left out because their key or time was missing.
    pub skipped_rows: usize,
    pub recent: usize,
    pub features: Vec<String>,
}

/// Aggregates `columns` of `long` per value of `by`, ordered by `time`.
/// Entities appear in order of first occurrence.
pub fn aggregate(
    long: &Table,
    by: &str,
    time: &str,
    columns: &[String],
    ops: &[Op],
    recent: usize,
) -> Result<(Table, AggregateReport)> {
    let key = long.column(by)?;
    let when = numeric(long, time)?;
    let measures = columns
        .iter()
        .map(|c| numeric(long, c))
        .collect::<Result<Vec<_>>>()?;
    if ops.contains(&Op::RecentChange) && recent == 0 {
        return Err(Error::Analysis {
            detail: "aggregate: recent_change needs 'recent' ≥ 1 (the number of latest periods)"
                .into(),
            detail_zh: "汇总：recent_change 需要 recent ≥ 1（最近的期数）".into(),
        });
    }

    let mut index: HashMap<String, usize> = HashMap::new();
    let mut keys = StrColumn::default();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut skipped = 0;
    for (i, t) in when.iter().enumerate() {
        if key.is_missing(i) || t.is_nan() {
            skipped += 1;
            continue;
        }
        let k = key.text(i);
        let g = *index.entry(k).or_insert_with_key(|k| {
            keys.push(k);
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    if groups.is_empty() {
        return Err(Error::Analysis {
            detail: format!(
                "{}: no row has both '{by}' and '{time}'; check the aggregate section's column names",
                long.name
            ),
            detail_zh: format!(
                "{}：没有同时有“{by}”和“{time}”的行；请检查汇总配置中的列名",
                long.name
            ),
        });
    }
    for g in &mut groups {
        g.sort_by(|&a, &b| when[a].total_cmp(&when[b]));
    }

    let mut out = vec![Column {
        name: by.to_string(),
        kind: ColumnKind::Id,
        data: ColumnData::Text(keys),
    }];
    let mut features = Vec::new();
    for (name, values) in columns.iter().zip(&measures) {
        for &op in ops {
            let data = groups
                .iter()
                .map(|g| summarise(op, g, values, when, recent))
                .collect();
            let fname = feature_name(name, op);
            features.push(fname.clone());
            out.push(Column {
                name: fname,
                kind: ColumnKind::Numeric,
                data: ColumnData::Numeric(data),
            });
        }
    }
    let report = AggregateReport {
        file: long.name.clone(),
        by: by.into(),
        time: time.into(),
        rows: long.rows(),
        entities: groups.len(),
        min_periods: groups.iter().map(Vec::len).min().unwrap_or(0),
        max_periods: groups.iter().map(Vec::len).max().unwrap_or(0),
        skipped_rows: skipped,
        recent,
        features,
    };
    Ok((
        Table::new(format!("{} (aggregated)", long.name), out)?,
        report,
    ))
}

fn numeric<'a>(t: &'a Table, name: &str) -> Result<&'a [f64]> {
    match &t.column(name)?.data {
        ColumnData::Numeric(v) => Ok(v),
        _ => Err(Error::Analysis {
            detail: format!(
                "{}: column '{name}' is not numeric, so it cannot be aggregated; set its type to numeric or leave it out",
                t.name
            ),
            detail_zh: format!(
                "{}：列“{name}”不是数值，无法汇总；请把它设为数值类型，或从汇总中去掉",
                t.name
            ),
        }),
    }
}

/// One aggregate over the rows `g` (time-ordered); missing values are skipped.
fn summarise(op: Op, g: &[usize], v: &[f64], t: &[f64], recent: usize) -> f64 {
    let present = || g.iter().filter(|&&i| !v[i].is_nan());
    let mean = |rows: &[usize]| {
        let (s, n) = rows
            .iter()
            .filter(|&&i| !v[i].is_nan())
            .fold((0.0, 0usize), |(s, n), &i| (s + v[i], n + 1));
        if n == 0 {
            f64::NAN
        } else {
            s / n as f64
        }
    };
    match op {
        Op::Mean => mean(g),
        Op::Sum => present().map(|&i| v[i]).sum(),
        Op::Last => present().next_back().map_or(f64::NAN, |&i| v[i]),
        Op::Trend => {
            let n = present().count() as f64;
            if n < 2.0 {
                return f64::NAN;
            }
            let mt = present().map(|&i| t[i]).sum::<f64>() / n;
            let mv = present().map(|&i| v[i]).sum::<f64>() / n;
            let (sxy, sxx) = present().fold((0.0, 0.0), |(sxy, sxx), &i| {
                let dt = t[i] - mt;
                (sxy + dt * (v[i] - mv), sxx + dt * dt)
            });
            if sxx == 0.0 {
                f64::NAN
            } else {
                sxy / sxx
            }
        }
        Op::RecentChange => {
            if g.len() <= recent {
                return f64::NAN;
            }
            let (earlier, last) = g.split_at(g.len() - recent);
            let (before, now) = (mean(earlier), mean(last));
            if before == 0.0 {
                // No activity before: no change if none now either; else undefined.
                if now == 0.0 {
                    0.0
                } else {
                    f64::NAN
                }
            } else {
                now / before - 1.0
            }
        }
    }
}

/// The aggregate step: `from` (the long table) aggregated per `spec.by` and
/// left-joined to `into`, whose name the result keeps (it stands in for it).
pub fn step(spec: &AggregateSpec, from: &Table, into: &Table) -> Result<(Table, AggregateOutcome)> {
    let ops = spec
        .ops
        .iter()
        .map(|o| Op::parse(o))
        .collect::<Result<Vec<_>>>()?;
    let (agg, report) = aggregate(
        from,
        &spec.by,
        &spec.time,
        &spec.columns,
        &ops,
        spec.recent.unwrap_or(4),
    )?;
    let (mut t, join) = super::join(into, &agg, &spec.by, &spec.by, super::JoinKind::Left)?;
    if join.matched_left == 0 {
        return Err(Error::Analysis {
            detail: format!(
                "aggregate: no '{}' value of {} occurs in {}; check that both files use the same customer ids",
                spec.by, into.name, from.name
            ),
            detail_zh: format!(
                "汇总：{} 的“{}”在 {} 中一个也找不到；请确认两个文件用的是同一套客户号",
                into.name, spec.by, from.name
            ),
        });
    }
    t.name = into.name.clone();
    Ok((t, AggregateOutcome { report, join }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long() -> Table {
        let mut ids = StrColumn::default();
        for k in ["b", "a", "a", "a", "b", "a"] {
            ids.push(k);
        }
        Table::new(
            "w.csv",
            vec![
                Column {
                    name: "id".into(),
                    kind: ColumnKind::Text,
                    data: ColumnData::Text(ids),
                },
                Column {
                    name: "week".into(),
                    kind: ColumnKind::Numeric,
                    data: ColumnData::Numeric(vec![1.0, 4.0, 1.0, 2.0, 2.0, 3.0]),
                },
                Column {
                    name: "x".into(),
                    kind: ColumnKind::Numeric,
                    data: ColumnData::Numeric(vec![5.0, 2.0, 10.0, 8.0, 5.0, 4.0]),
                },
            ],
        )
        .unwrap()
    }

    #[test]
    fn orders_by_time_within_each_entity() {
        let ops = [Op::Mean, Op::Sum, Op::Last, Op::Trend, Op::RecentChange];
        let (t, r) = aggregate(&long(), "id", "week", &["x".into()], &ops, 2).unwrap();
        assert_eq!(r.entities, 2);
        assert_eq!((r.min_periods, r.max_periods), (2, 4));
        let col = |n: &str| match &t.column(n).unwrap().data {
            ColumnData::Numeric(v) => v.clone(),
            _ => unreachable!(),
        };
        // Entity "b" first (first seen), then "a": weeks 1..4 are 10, 8, 4, 2.
        assert_eq!(col("x_mean"), vec![5.0, 6.0]);
        assert_eq!(col("x_sum"), vec![10.0, 24.0]);
        assert_eq!(col("x_last"), vec![5.0, 2.0]);
        assert_eq!(col("x_trend")[0], 0.0);
        assert!((col("x_trend")[1] - (-2.8)).abs() < 1e-12);
        // a: last two mean 3 over first two mean 9 → −2/3; b has only 2 periods.
        assert!(col("x_recent_change")[0].is_nan());
        assert!((col("x_recent_change")[1] + 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn names_a_text_measure() {
        let err = aggregate(&long(), "id", "week", &["id".into()], &[Op::Mean], 1).unwrap_err();
        assert!(err.to_string().contains("'id' is not numeric"), "{err}");
        assert!(Op::parse("median").is_err());
    }
}
