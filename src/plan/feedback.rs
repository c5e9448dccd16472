//! The contacted-list feedback file (customer id, contacted date, result):
//! last contact per customer for the cool-off, and conversion rates per
//! channel and per segment for the scenario's 转化率监控与预警.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::CustomerPlan;
use crate::shared::Segments;
pub use crate::shared::{Conversion, FeedbackReport};
use crate::table::{ColumnData, LoadOptions, Table};
use crate::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackSpec {
    /// The file among the inputs.
    pub file: String,
    /// Its columns: customer id, contacted date, result. Left out, they are
    /// found by name (id: the candidates' id column, else a column named
    /// like 客户号/id; date: the first date column; result: 结果/result/
    /// outcome/是否成功…), and an error names what is missing.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub result: Option<String>,
    /// The channel used, when the file records it (else the plan's); found
    /// by name (渠道/channel) when left out.
    #[serde(default)]
    pub channel: Option<String>,
    /// Result values that count as converted / retained (default: 成功,
    /// 是, 已挽留, 转化, 1, yes, y, true, success, converted, retained).
    #[serde(default)]
    pub success: Vec<String>,
}

pub struct Contact {
    pub id: String,
    pub converted: bool,
    pub channel: Option<String>,
}

pub struct Contacts {
    pub file: String,
    pub rows: Vec<Contact>,
    /// Latest contact per customer (seconds since 1970).
    pub last_contact: HashMap<String, i64>,
    pub latest: Option<i64>,
}

const SUCCESS: [&str; 11] = [
    "成功",
    "是",
    "已挽留",
    "转化",
    "1",
    "yes",
    "y",
    "true",
    "success",
    "converted",
    "retained",
];

/// The column `given`, else the first whose name contains one of `words`
/// (case-insensitive) and passes `ok`.
fn pick<'t>(
    t: &'t Table,
    given: Option<&str>,
    words: &[&str],
    ok: impl Fn(&crate::table::Column) -> bool,
    what: (&str, &str),
) -> Result<&'t crate::table::Column> {
    if let Some(g) = given {
        return t.column(g);
    }
    t.columns
        .iter()
        .find(|c| {
            let n = c.name.to_lowercase();
            words.iter().any(|w| n.contains(w)) && ok(c)
        })
        .ok_or_else(|| Error::Analysis {
            detail: format!(
                "{}: no column looks like the {} ({}); name it in plan.feedback.{}",
                t.name,
                what.0,
                words.join(", "),
                what.0
            ),
            detail_zh: format!(
                "{}：找不到{}列（{}）；请在 plan.feedback.{} 中指定",
                t.name,
                what.1,
                words.join("、"),
                what.0
            ),
        })
}

/// `id_hint`: the candidates' id column, tried first for the id.
pub fn read(
    spec: &FeedbackSpec,
    name: &str,
    bytes: &[u8],
    id_hint: Option<&str>,
) -> Result<Contacts> {
    let (t, _) = crate::table::load(bytes, name, &LoadOptions::default(), &mut ())?;
    let id_given = spec
        .id
        .as_deref()
        .or(id_hint.filter(|h| t.columns.iter().any(|c| c.name == *h)));
    let id = pick(
        &t,
        id_given,
        &["客户号", "客户编号", "编号", "id"],
        |_| true,
        ("id", "客户号"),
    )?;
    let result = pick(
        &t,
        spec.result.as_deref(),
        &["结果", "是否", "result", "outcome", "converted", "retained"],
        |_| true,
        ("result", "结果"),
    )?;
    let channel = match &spec.channel {
        Some(c) => Some(t.column(c)?),
        None => t.columns.iter().find(|c| {
            let n = c.name.to_lowercase();
            n.contains("渠道") || n.contains("channel")
        }),
    };
    let date_name = pick(
        &t,
        spec.date.as_deref(),
        &["日期", "时间", "date", "day", "contacted"],
        |c| matches!(c.data, ColumnData::Date { .. }),
        ("date", "联系日期"),
    )?
    .name
    .clone();
    let dates = dates(&t, &date_name)?;
    let success: Vec<String> = if spec.success.is_empty() {
        SUCCESS.iter().map(|s| s.to_string()).collect()
    } else {
        spec.success.iter().map(|s| s.to_lowercase()).collect()
    };
    let mut rows = Vec::new();
    let mut last_contact: HashMap<String, i64> = HashMap::new();
    for (i, date) in dates.iter().enumerate() {
        if id.is_missing(i) {
            continue;
        }
        let key = id.text(i);
        if let Some(d) = *date {
            let e = last_contact.entry(key.clone()).or_insert(d);
            *e = (*e).max(d);
        }
        rows.push(Contact {
            id: key,
            converted: success.contains(&result.text(i).trim().to_lowercase()),
            channel: channel.filter(|c| !c.is_missing(i)).map(|c| c.text(i)),
        });
    }
    Ok(Contacts {
        file: name.into(),
        latest: last_contact.values().copied().max(),
        rows,
        last_contact,
    })
}

fn dates(t: &Table, name: &str) -> Result<Vec<Option<i64>>> {
    let c = t.column(name)?;
    match &c.data {
        ColumnData::Date { secs, .. } => Ok(secs
            .iter()
            .map(|&s| (s != crate::table::MISSING_DATE).then_some(s))
            .collect()),
        _ => Err(Error::Analysis {
            detail: format!(
                "{}: column '{name}' should hold the contact dates (e.g. 2024-10-31) but is {}; fix the dates or name the right column in plan.feedback.date",
                t.name,
                c.kind.as_str()
            ),
            detail_zh: format!(
                "{}：列“{name}”应为联系日期（如 2024-10-31），实际是 {}；请修正日期或在 plan.feedback.date 中指定正确的列",
                t.name,
                c.kind.as_str()
            ),
        }),
    }
}

/// Conversion overall, per channel and per segment (the segment report's
/// name by id, else the customer plan's priority).
pub fn summarise(
    c: &Contacts,
    plans: &[CustomerPlan],
    segment: Option<&Segments>,
    table: &Table,
    id: Option<&str>,
) -> Result<FeedbackReport> {
    let plan_of: HashMap<&str, &CustomerPlan> = plans.iter().map(|p| (p.id.as_str(), p)).collect();
    let segment_of: HashMap<&str, &str> = match segment {
        Some(s) => s
            .ids
            .iter()
            .zip(s.labels.iter())
            .map(|(i, &l)| (i.as_str(), s.segments[l as usize].name.as_str()))
            .collect(),
        None => HashMap::new(),
    };
    let known: Option<std::collections::HashSet<String>> = match id {
        Some(id) => {
            let col = table.column(id)?;
            Some((0..table.rows()).map(|i| col.text(i)).collect())
        }
        None => None,
    };
    let mut by_channel: Vec<Conversion> = Vec::new();
    let mut by_segment: Vec<Conversion> = Vec::new();
    let add = |groups: &mut Vec<Conversion>, g: &str, ok: bool| {
        let e = match groups.iter().position(|c| c.group == g) {
            Some(k) => &mut groups[k],
            None => {
                groups.push(Conversion {
                    group: g.into(),
                    contacted: 0,
                    converted: 0,
                    rate: 0.0,
                });
                groups.last_mut().expect("just pushed")
            }
        };
        e.contacted += 1;
        e.converted += usize::from(ok);
    };
    let mut unknown_ids = 0;
    for r in &c.rows {
        if known.as_ref().is_some_and(|k| !k.contains(&r.id)) {
            unknown_ids += 1;
        }
        let plan = plan_of.get(r.id.as_str());
        let channel = r
            .channel
            .clone()
            .or_else(|| plan.map(|p| p.channel.clone()))
            .unwrap_or_else(|| "未知".into());
        let group = segment_of
            .get(r.id.as_str())
            .map(|s| s.to_string())
            .or_else(|| plan.map(|p| p.priority.clone()))
            .unwrap_or_else(|| "未知".into());
        add(&mut by_channel, &channel, r.converted);
        add(&mut by_segment, &group, r.converted);
    }
    for g in by_channel.iter_mut().chain(by_segment.iter_mut()) {
        g.rate = g.converted as f64 / g.contacted as f64;
    }
    crate::order::sort_by(&mut by_channel, |a, b| {
        b.contacted.cmp(&a.contacted).then(a.group.cmp(&b.group))
    });
    crate::order::sort_by(&mut by_segment, |a, b| a.group.cmp(&b.group));
    let converted = c.rows.iter().filter(|r| r.converted).count();
    Ok(FeedbackReport {
        file: c.file.clone(),
        contacted: c.rows.len(),
        converted,
        rate: converted as f64 / c.rows.len().max(1) as f64,
        by_channel,
        by_segment,
        unknown_ids,
    })
}
