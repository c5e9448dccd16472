//! Every characteristic of a table binned and selected by IV (optbinning's
//! `BinningProcess` with a `min_iv` selection).

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::binning::{Binning, CharacteristicKind};
use super::{out_of_range, BinningParams};
use crate::table::{secs_as_f64, Column, ColumnData, ColumnKind, Table};
use crate::{Error, Result};

/// The binning of all characteristics and the selection rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProcessParams {
    /// Settings for every characteristic …
    pub binning: BinningParams,
    /// … except those named here (e.g. an analyst's own cut points).
    pub per_column: BTreeMap<String, BinningParams>,
    /// Keep characteristics with IV at least this. Default 0.02 (the
    /// usual "weak" boundary).
    pub min_iv: f64,
}

impl Default for ProcessParams {
    fn default() -> Self {
        ProcessParams {
            binning: BinningParams::default(),
            per_column: BTreeMap::new(),
            min_iv: 0.02,
        }
    }
}

impl ProcessParams {
    pub fn check(&self) -> Result<()> {
        self.binning.check()?;
        for p in self.per_column.values() {
            p.check()?;
        }
        if !(self.min_iv.is_finite() && self.min_iv >= 0.0) {
            return Err(out_of_range(
                "min_iv",
                self.min_iv,
                "a number >= 0",
                "不小于 0 的数",
            ));
        }
        Ok(())
    }
}

/// One characteristic: its binning (when it could be binned), whether it is
/// kept, and why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Characteristic {
    pub name: String,
    pub binning: Option<Binning>,
    pub selected: bool,
    pub reason: Option<String>,
    pub reason_zh: Option<String>,
}

impl Characteristic {
    pub fn iv(&self) -> f64 {
        self.binning.as_ref().map_or(0.0, |b| b.iv)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinningProcess {
    pub min_iv: f64,
    /// In the order the columns were given.
    pub characteristics: Vec<Characteristic>,
}

/// A column's values for binning: numbers (dates as seconds) or
/// dictionary codes.
enum Values<'a> {
    Numbers(std::borrow::Cow<'a, [f64]>),
    Categories(&'a [u32], &'a [String]),
}

fn values(c: &Column) -> Option<Values<'_>> {
    match (&c.kind, &c.data) {
        (_, ColumnData::Numeric(v)) => Some(Values::Numbers(v.as_slice().into())),
        (_, ColumnData::Date { secs, .. }) => Some(Values::Numbers(secs_as_f64(secs).into())),
        (ColumnKind::Categorical, ColumnData::Categorical { codes, dict }) => {
            Some(Values::Categories(codes, dict))
        }
        _ => None,
    }
}

impl BinningProcess {
    /// Bins `columns` of `table` against `y` (one label per row) and keeps
    /// those with IV ≥ `min_iv`. Id and free-text columns are listed as
    /// dropped, never binned.
    pub fn fit(
        table: &Table,
        columns: &[&str],
        y: &[bool],
        params: &ProcessParams,
    ) -> Result<BinningProcess> {
        params.check()?;
        if y.len() != table.rows() {
            return Err(Error::Analysis {
                detail: format!(
                    "the label has {} rows but '{}' has {}",
                    y.len(),
                    table.name,
                    table.rows()
                ),
                detail_zh: format!(
                    "标签有 {} 行，但“{}”有 {} 行",
                    y.len(),
                    table.name,
                    table.rows()
                ),
            });
        }
        // A per-column setting for a column not binned is a typo, not a no-op.
        for name in params.per_column.keys() {
            if !columns.contains(&name.as_str()) {
                table.column(name)?;
                return Err(out_of_range(
                    &format!("per_column.{name}"),
                    name,
                    "a column among the characteristics being binned",
                    "正在分箱的特征之一",
                ));
            }
        }
        let mut out = Vec::with_capacity(columns.len());
        for &name in columns {
            let col = table.column(name)?;
            let p = params.per_column.get(name).unwrap_or(&params.binning);
            let binning = match values(col) {
                Some(Values::Numbers(x)) => Some(p.fit_numeric(name, &x, y)?),
                Some(Values::Categories(codes, dict)) => {
                    Some(p.fit_categorical_codes(name, codes, dict, y)?)
                }
                None => None,
            };
            let (selected, reason, reason_zh) = match &binning {
                None => (
                    false,
                    Some(format!(
                        "{} is not a characteristic (one value per customer says nothing about the next one)",
                        match col.kind {
                            ColumnKind::Id => "an id column",
                            _ => "a free-text column",
                        }
                    )),
                    Some(format!("{}列不是特征（每位客户各一个取值，无法推广到其他客户）", match col.kind {
                        ColumnKind::Id => "编号",
                        _ => "文本",
                    })),
                ),
                Some(b) if b.iv < params.min_iv => (
                    false,
                    Some(format!(
                        "IV {:.4} is below the minimum {} (too weak to score)",
                        b.iv, params.min_iv
                    )),
                    Some(format!(
                        "IV {:.4} 低于下限 {}（区分能力太弱）",
                        b.iv, params.min_iv
                    )),
                ),
                Some(_) => (true, None, None),
            };
            out.push(Characteristic {
                name: name.to_string(),
                binning,
                selected,
                reason,
                reason_zh,
            });
        }
        Ok(BinningProcess {
            min_iv: params.min_iv,
            characteristics: out,
        })
    }

    pub fn selected(&self) -> impl Iterator<Item = &Characteristic> + '_ {
        self.characteristics.iter().filter(|c| c.selected)
    }

    /// The WOE of every row (rows × selected characteristics, in order).
    /// The columns must be of the kind they were binned as.
    pub fn transform(&self, table: &Table) -> Result<Array2<f64>> {
        let kept: Vec<&Binning> = self.selected().filter_map(|c| c.binning.as_ref()).collect();
        let mut out = Array2::zeros((table.rows(), kept.len()));
        for (j, b) in kept.iter().enumerate() {
            let col = table.column(&b.name)?;
            let woe = match (values(col), b.kind) {
                (Some(Values::Numbers(x)), CharacteristicKind::Numeric) => b.woe_numbers(&x)?,
                (Some(Values::Categories(codes, dict)), CharacteristicKind::Categorical) => {
                    let x: Vec<Option<&str>> = codes
                        .iter()
                        .map(|&k| dict.get(k as usize).map(String::as_str))
                        .collect();
                    b.woe_categories(&x)?
                }
                _ => {
                    return Err(Error::Analysis {
                        detail: format!(
                            "{}, column '{}': it is {} now but was binned as {:?}; give it the type it had in training",
                            table.name,
                            b.name,
                            col.kind.as_str(),
                            b.kind
                        ),
                        detail_zh: format!(
                            "{}，列“{}”：现在是 {}，训练时按 {:?} 分箱；请使用训练时的类型",
                            table.name,
                            b.name,
                            col.kind.as_str(),
                            b.kind
                        ),
                    })
                }
            };
            for (i, w) in woe.into_iter().enumerate() {
                out[[i, j]] = w;
            }
        }
        Ok(out)
    }
}

/// What `bench` measured: the binning time and every characteristic's IV
/// (for the agreement with optbinning in `make bench-compare`).
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    pub rows: usize,
    pub characteristics: usize,
    pub fit_ms: f64,
    /// (name, IV, bins without special and missing), in column order.
    pub iv: Vec<(String, f64, usize)>,
    pub selected: Vec<String>,
}

/// The binning benchmark (`make bench-compare`, CLI `bench-binning` and the
/// page's worker): `x` row-major `cols` wide (NaN missing), labels `y`;
/// the columns in `categorical` hold integer codes, read as categories
/// "c0", "c1", …. Columns are named x0, x1, …; default settings, as
/// optbinning's `BinningProcess` with `min_iv` 0.02.
pub fn bench(x: &[f64], y: &[u8], cols: usize, categorical: &[usize]) -> Result<BenchResult> {
    let rows = y.len();
    if cols == 0 || x.len() != rows * cols || categorical.iter().any(|&c| c >= cols) {
        return Err(Error::Analysis {
            detail: format!("bench: {} values are not {rows} rows of {cols}", x.len()),
            detail_zh: format!("基准：{} 个数值不是 {rows} 行 × {cols} 列", x.len()),
        });
    }
    let columns: Vec<Column> = (0..cols)
        .map(|j| {
            let v = x.iter().skip(j).step_by(cols);
            let data = if categorical.contains(&j) {
                let levels = v
                    .clone()
                    .filter(|c| c.is_finite())
                    .fold(0.0, |a, &c| f64::max(a, c)) as usize
                    + 1;
                ColumnData::Categorical {
                    codes: v
                        .map(|c| {
                            if c.is_finite() {
                                *c as u32
                            } else {
                                crate::table::MISSING_CODE
                            }
                        })
                        .collect(),
                    dict: (0..levels).map(|k| format!("c{k}")).collect(),
                }
            } else {
                ColumnData::Numeric(v.copied().collect())
            };
            let kind = match data {
                ColumnData::Categorical { .. } => ColumnKind::Categorical,
                _ => ColumnKind::Numeric,
            };
            Column {
                name: format!("x{j}"),
                kind,
                data,
            }
        })
        .collect();
    let table = Table::new("bench", columns)?;
    let names: Vec<String> = (0..cols).map(|j| format!("x{j}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let labels: Vec<bool> = y.iter().map(|&v| v != 0).collect();
    let t0 = crate::clock::now_ms();
    let process = BinningProcess::fit(&table, &names, &labels, &ProcessParams::default())?;
    let fit_ms = crate::clock::now_ms() - t0;
    Ok(BenchResult {
        rows,
        characteristics: cols,
        fit_ms,
        iv: process
            .characteristics
            .iter()
            .map(|c| {
                let bins = c.binning.as_ref().map_or(0, |b| {
                    b.bins
                        .iter()
                        .filter(|b| {
                            matches!(
                                b.kind,
                                super::BinKind::Interval { .. } | super::BinKind::Categories(_)
                            )
                        })
                        .count()
                });
                (c.name.clone(), c.iv(), bins)
            })
            .collect(),
        selected: process.selected().map(|c| c.name.clone()).collect(),
    })
}
