//! Types that several steps hand to each other, below all of them: a
//! scored candidate (score → plan, export), a segment assignment (segment →
//! basket, plan) and conversion figures (plan's feedback → monitor). No step
//! module is imported here, so steps depend on this and not on each other.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub probability: f64,
    /// Source columns pushing this customer's score up the most, with their contribution (log-odds).
    pub reasons: Vec<(String, f64)>,
    /// The largest contributions either way, with the customer's own value
    /// (a waterfall: the model's base value plus these and the rest give
    /// the score). Empty in reports saved before drivers existed.
    #[serde(default)]
    pub drivers: Vec<Driver>,
    /// A scorecard's score (base points plus the points of the customer's
    /// bins); absent for the other models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i64>,
    /// A scorecard's reason codes: the characteristics that cost the
    /// customer the most points below their best bin, most first (the same
    /// order as `reasons`, which give them in log-odds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reason_codes: Vec<ReasonCode>,
    /// The customer's row in the scored table (0-based): the number a file
    /// without an id column is listed by (shown 1-based), and the key to
    /// other per-row results.
    #[serde(default)]
    pub row: usize,
    /// Decile of the probability among every scored row (1 = the highest
    /// tenth); 0 in reports saved before deciles existed.
    #[serde(default)]
    pub decile: u8,
    /// The customer's segment, when the same run segmented the customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The customer's name, when the table has a name column (for the
    /// page's lookup; see `NameColumns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Columns that hold a customer's name, by the names exports give them.
pub const NAME_COLUMNS: [&str; 7] = [
    "姓名",
    "客户姓名",
    "客户名称",
    "name",
    "customer_name",
    "Name",
    "Surname",
];

/// The table's name columns (of `NAME_COLUMNS`, in that order), looked up
/// once: per row a lookup by name would build a "no such column" error,
/// with its spelling suggestion, for every absent one.
pub struct NameColumns<'t>(Vec<&'t crate::table::Column>);

impl<'t> NameColumns<'t> {
    pub fn of(table: &'t crate::table::Table) -> Self {
        NameColumns(
            NAME_COLUMNS
                .iter()
                .filter_map(|n| table.columns.iter().find(|c| c.name == *n))
                .collect(),
        )
    }

    /// The customer's name in `row` from the first name column whose cell
    /// is not blank (None when there is none).
    pub fn name(&self, row: usize) -> Option<String> {
        self.0.iter().find_map(|c| {
            let name = c.text(row);
            let name = name.trim();
            (!name.is_empty()).then(|| name.to_string())
        })
    }
}

/// Why a scorecard customer lost points: the characteristic, their bin,
/// and points below the characteristic's best bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonCode {
    pub characteristic: String,
    pub bin: String,
    pub points_lost: i64,
}

/// One source column's part in a customer's score (log-odds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    pub column: String,
    /// The customer's value as the file has it ("" when missing).
    pub value: String,
    pub contribution: f64,
}

/// Each row's segment, as the steps after segmentation see it.
#[derive(Debug, Clone)]
pub struct Segments<'a> {
    /// Customer ids by row (empty when the table has no id column).
    pub ids: &'a [String],
    /// Segment index by row.
    pub labels: &'a [u32],
    pub segments: Vec<SegmentInfo>,
}

/// One segment's name, strategy and size, by segment index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentInfo {
    pub segment: usize,
    pub name: String,
    pub strategy: String,
    pub service: String,
    pub size: usize,
    pub share: f64,
    /// What sets the segment apart, in words.
    pub distinguishing: Vec<String>,
}

impl Segments<'_> {
    /// The name of row `i`'s segment.
    pub fn name_of(&self, i: usize) -> &str {
        &self.segments[self.labels[i] as usize].name
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    pub group: String,
    pub contacted: usize,
    pub converted: usize,
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackReport {
    pub file: String,
    pub contacted: usize,
    pub converted: usize,
    pub rate: f64,
    pub by_channel: Vec<Conversion>,
    pub by_segment: Vec<Conversion>,
    /// Contacts whose id is not in the analysed table.
    pub unknown_ids: usize,
}

/// A number for people: 万/亿 for large amounts, else up to two decimals.
pub fn human(v: f64) -> String {
    if v.is_nan() {
        return "—".into();
    }
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if a >= 1e8 {
        format!("{}亿", trim(format!("{:.2}", v / 1e8)))
    } else if a >= 1e4 {
        format!("{}万", trim(format!("{:.1}", v / 1e4)))
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        trim(format!("{v:.2}"))
    }
}

/// A share as a whole percentage ("60%"), or one decimal below 10%.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p.abs() >= 10.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// Column names as people read them: the recipe's `labels` map (column →
/// display name), else the column's own name. Plans and segment
/// descriptions write with it, so no internal name (`总资产_mean`) reaches
/// a talking point.
#[derive(Debug, Clone, Copy, Default)]
pub struct DisplayNames<'a>(pub Option<&'a std::collections::BTreeMap<String, String>>);

impl<'a> DisplayNames<'a> {
    pub fn of<'b>(&self, column: &'b str) -> &'b str
    where
        'a: 'b,
    {
        self.0
            .and_then(|m| m.get(column))
            .map_or(column, String::as_str)
    }
}
