//! The columnar `Table` and everything that makes one from bytes.
//!
//! Invariants: every column has exactly `Table::rows()` values; missing is
//! `NaN` for numbers, `MISSING_CODE` for categorical codes, `i64::MIN` for
//! dates and the empty string for text. Column names are unique.

pub mod aggregate;
pub mod codec;
pub mod decode;
pub mod excel;
mod frame;
pub mod infer;
pub mod ingest;
pub mod join;
mod records;
pub mod stats;

use serde::{Deserialize, Serialize};

pub use aggregate::{aggregate, AggregateReport};
pub use ingest::{load, load_owned, LoadOptions, LoadReport};
pub use join::{join, join_owned, JoinKind, JoinReport};
pub use stats::{profile, ColumnStats};

/// Code of a missing categorical value.
pub const MISSING_CODE: u32 = u32::MAX;
/// Value of a missing date.
pub const MISSING_DATE: i64 = i64::MIN;

/// What a column holds, as inferred or set by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Numeric,
    Categorical,
    Date,
    /// Unique per row (customer ids, account numbers): never a feature.
    Id,
    /// Free text (names, addresses).
    Text,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Date => "date",
            ColumnKind::Id => "id",
            ColumnKind::Text => "text",
        }
    }
}

/// Dates as numbers (seconds), missing as `NaN`: how rules and monitoring
/// compare and bin them.
pub fn secs_as_f64(secs: &[i64]) -> Vec<f64> {
    secs.iter()
        .map(|&s| {
            if s == MISSING_DATE {
                f64::NAN
            } else {
                s as f64
            }
        })
        .collect()
}

/// Many strings in one buffer: no heap object per row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrColumn {
    data: String,
    ends: Vec<u32>,
}

impl StrColumn {
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        StrColumn {
            data: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
        }
    }
    pub fn push(&mut self, s: &str) {
        self.data.push_str(s);
        // A single column above 4 GiB cannot exist in wasm32; natively we saturate rather than wrap.
        self.ends
            .push(u32::try_from(self.data.len()).unwrap_or(u32::MAX));
    }
    /// The bytes of all its strings.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }
    pub fn shrink_to_fit(&mut self) {
        self.data.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
    /// Removes the last string (a footer line found after the split).
    pub fn pop(&mut self) {
        self.ends.pop();
        self.data
            .truncate(self.ends.last().map_or(0, |&e| e as usize));
    }
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends[i] as usize;
        self.data.get(start..end).unwrap_or("")
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone + '_ {
        // Each string from the end of the one before: one read of `ends` a row.
        std::iter::once(&0)
            .chain(&self.ends)
            .zip(&self.ends)
            .map(move |(&a, &b)| self.data.get(a as usize..b as usize).unwrap_or(""))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// `NaN` is missing.
    Numeric(Vec<f64>),
    /// Dictionary-encoded; `MISSING_CODE` is missing.
    Categorical { codes: Vec<u32>, dict: Vec<String> },
    /// Seconds since 1970-01-01 (UTC, naive); `MISSING_DATE` is missing.
    Date { secs: Vec<i64>, has_time: bool },
    /// Id and free text; the empty string is missing.
    Text(StrColumn),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    pub data: ColumnData,
}

impl Column {
    pub fn len(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Categorical { codes, .. } => codes.len(),
            ColumnData::Date { secs, .. } => secs.len(),
            ColumnData::Text(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_missing(&self, i: usize) -> bool {
        match &self.data {
            ColumnData::Numeric(v) => v[i].is_nan(),
            ColumnData::Categorical { codes, .. } => codes[i] == MISSING_CODE,
            ColumnData::Date { secs, .. } => secs[i] == MISSING_DATE,
            ColumnData::Text(s) => s.get(i).is_empty(),
        }
    }

    /// The position of each of `rows` in the sorted `levels` (None: missing
    /// or not among them).
    pub fn positions_in(&self, levels: &[String], rows: &[usize]) -> Vec<Option<u32>> {
        self.positions_by(rows, |v| {
            levels
                .binary_search_by(|l| l.as_str().cmp(v))
                .ok()
                .map(|k| k as u32)
        })
    }

    /// The position `find` gives each of `rows`' values as text (None:
    /// missing or not found). A dictionary column looks each entry up
    /// once, not each row's text.
    pub fn positions_by(
        &self,
        rows: &[usize],
        find: impl Fn(&str) -> Option<u32>,
    ) -> Vec<Option<u32>> {
        match &self.data {
            ColumnData::Categorical { codes, dict } => {
                let map: Vec<Option<u32>> = dict.iter().map(|d| find(d)).collect();
                rows.iter()
                    .map(|&i| {
                        let c = codes[i];
                        if c == MISSING_CODE {
                            None
                        } else {
                            map.get(c as usize).copied().flatten()
                        }
                    })
                    .collect()
            }
            _ => rows
                .iter()
                .map(|&i| {
                    if self.is_missing(i) {
                        None
                    } else {
                        find(&self.text(i))
                    }
                })
                .collect(),
        }
    }

    /// The value of row `i` as text (empty when missing); used for join keys and display.
    pub fn text(&self, i: usize) -> String {
        if self.is_missing(i) {
            return String::new();
        }
        match &self.data {
            ColumnData::Numeric(v) => infer::format_number(v[i]),
            ColumnData::Categorical { codes, dict } => dict[codes[i] as usize].clone(),
            ColumnData::Date { secs, has_time } => infer::format_date(secs[i], *has_time),
            ColumnData::Text(s) => s.get(i).to_string(),
        }
    }

    /// The value of row `i` as a key (as `text`, borrowed where the column
    /// holds text): join keys compare as text, so `1001` matches `"1001"`.
    pub fn key(&self, i: usize) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        if self.is_missing(i) {
            return Cow::Borrowed("");
        }
        match &self.data {
            ColumnData::Categorical { codes, dict } => Cow::Borrowed(&dict[codes[i] as usize]),
            ColumnData::Text(s) => Cow::Borrowed(s.get(i)),
            _ => Cow::Owned(self.text(i)),
        }
    }

    /// A new column with the rows at `idx` (`None` gives a missing value).
    pub fn take(&self, idx: &[Option<usize>]) -> Column {
        let data = match &self.data {
            ColumnData::Numeric(v) => {
                ColumnData::Numeric(idx.iter().map(|i| i.map_or(f64::NAN, |i| v[i])).collect())
            }
            ColumnData::Categorical { codes, dict } => ColumnData::Categorical {
                codes: idx
                    .iter()
                    .map(|i| i.map_or(MISSING_CODE, |i| codes[i]))
                    .collect(),
                dict: dict.clone(),
            },
            ColumnData::Date { secs, has_time } => ColumnData::Date {
                secs: idx
                    .iter()
                    .map(|i| i.map_or(MISSING_DATE, |i| secs[i]))
                    .collect(),
                has_time: *has_time,
            },
            ColumnData::Text(s) => {
                let mut out = StrColumn::with_capacity(idx.len(), s.data.len());
                for i in idx {
                    out.push(i.map_or("", |i| s.get(i)));
                }
                ColumnData::Text(out)
            }
        };
        Column {
            name: self.name.clone(),
            kind: self.kind,
            data,
        }
    }
}

/// A named table of equally long columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    rows: usize,
}

impl Table {
    /// Checks the invariants: equal lengths, unique names.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> crate::Result<Table> {
        let name = name.into();
        let rows = columns.first().map_or(0, Column::len);
        for (i, c) in columns.iter().enumerate() {
            if c.len() != rows {
                return Err(crate::Error::Recipe {
                    detail: format!(
                        "table '{name}': column '{}' has {} rows, expected {rows}",
                        c.name,
                        c.len()
                    ),
                });
            }
            if let Some(j) = columns[..i].iter().position(|o| o.name == c.name) {
                return Err(crate::Error::DuplicateHeader {
                    file: name.clone(),
                    name: c.name.clone(),
                    first: j + 1,
                    second: i + 1,
                });
            }
        }
        Ok(Table {
            name,
            columns,
            rows,
        })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn column(&self, name: &str) -> crate::Result<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| crate::Error::ColumnNotFound {
                file: self.name.clone(),
                column: name.to_string(),
                suggestion: crate::error::closest(
                    name,
                    self.columns.iter().map(|c| c.name.as_str()),
                ),
            })
    }
}

/// One CSV field as kequn writes it (here, below both the exports and the
/// streaming scorer, so neither imports the other), quoted when it holds a delimiter, quote or line break.
/// Text that a spreadsheet would run as a formula (a leading `=`, `+`, `-`,
/// `@`, tab or carriage return, as OWASP's CSV-injection guidance lists) gets
/// a leading `'`; numbers such as `-1.5` stay as they are.
pub(crate) fn csv_field(s: &str) -> String {
    let guarded;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.trim().parse::<f64>().is_err() {
        guarded = format!("'{s}");
        guarded.as_str()
    } else {
        s
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
