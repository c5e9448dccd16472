//! Retention and marketing plans, made offline from templates
//! (`template.rs`): one plan per top-risk customer (priority from risk and
//! value tiers, offer, channel by rules over the customer's own fields,
//! timing that respects the marketing cool-off, talking points that cite
//! the customer's top risk drivers in words, expected effect), one plan per
//! segment, and conversion figures from a contacted-list feedback file
//! (`feedback.rs`).

pub mod feedback;
pub mod template;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::label::Rule;
use crate::shared::{Candidate, Segments};
use crate::table::{ColumnData, Table};
use crate::{Error, Result};
use template::{fill, human, percent, TemplateSet};

/// The recipe's `plan` section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSpec {
    /// A template set among the inputs (JSON, as data/templates/*.json);
    /// default: the shipped set for the scenario's kind of plan.
    #[serde(default)]
    pub templates: Option<String>,
    /// Plans for this many of the highest-risk candidates (default all).
    #[serde(default)]
    pub top: Option<usize>,
    /// Share of contacted customers expected to respond (default 0.3).
    #[serde(default)]
    pub response_rate: Option<f64>,
    /// A contacted-list file among the inputs (id, contacted date, result).
    #[serde(default)]
    pub feedback: Option<feedback::FeedbackSpec>,
    /// "Today" for the cool-off (default: the latest contact in the feedback).
    #[serde(default)]
    pub reference_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPlan {
    pub rank: usize,
    pub id: String,
    pub probability: f64,
    pub risk_tier: String,
    pub value: f64,
    pub value_tier: String,
    pub priority: String,
    pub offer: String,
    pub channel: String,
    pub channel_en: Option<String>,
    pub timing: String,
    /// Contacted within the cool-off: not before this date.
    pub not_before: Option<String>,
    /// The top risk drivers in words.
    pub drivers: Vec<String>,
    pub talking_points: Vec<String>,
    /// Probability of keeping the customer thanks to the contact:
    /// churn probability × response rate.
    pub expected_retention: f64,
    /// `expected_retention` × the customer's value.
    pub expected_value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentPlan {
    pub segment: usize,
    pub name: String,
    pub size: usize,
    pub share: f64,
    pub value_mean: f64,
    pub value_tier: String,
    pub priority: String,
    pub offer: String,
    pub channel: String,
    /// How many of the segment's customers each channel rule gives.
    pub channel_mix: Vec<(String, usize)>,
    pub timing: String,
    pub talking_points: Vec<String>,
    /// Customers expected to respond: size × response rate.
    pub expected_responders: f64,
}

/// Counts and expected effect per priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrioritySummary {
    pub priority: String,
    pub customers: usize,
    pub expected_retained: f64,
    pub expected_value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanReport {
    pub templates: String,
    pub response_rate: f64,
    pub customers: Vec<CustomerPlan>,
    pub segments: Vec<SegmentPlan>,
    pub summary: Vec<PrioritySummary>,
    /// Customers whose first contact waits for the cool-off to end.
    pub cooling_off: usize,
    pub feedback: Option<feedback::FeedbackReport>,
}

/// What a plan needs from the rest of the run.
pub struct PlanInputs<'a> {
    pub table: &'a Table,
    /// The id column of the candidates.
    pub id: Option<&'a str>,
    pub candidates: &'a [Candidate],
    pub segment: Option<&'a Segments<'a>>,
    /// The aggregate step's recent window, for `{recent}`.
    pub recent: Option<usize>,
    /// The contacted-list file, when the spec names one.
    pub feedback: Option<(&'a str, &'a [u8])>,
    /// Column names as people read them, for the drivers in words.
    pub names: crate::shared::DisplayNames<'a>,
}

/// Makes the plans the run's results call for: customer plans from
/// candidates, segment plans from segments.
pub fn plan(
    spec: &PlanSpec,
    templates: &TemplateSet,
    file: &str,
    inp: &PlanInputs,
) -> Result<PlanReport> {
    let response_rate = spec.response_rate.unwrap_or(0.3);
    if !(0.0..=1.0).contains(&response_rate) {
        return Err(Error::Recipe {
            detail: format!("plan.response_rate is {response_rate}; give a share between 0 and 1"),
        });
    }
    let channels = Channels::new(templates, file, inp.table)?;
    let contacts = match (&spec.feedback, inp.feedback) {
        (Some(fs), Some((name, bytes))) => Some(feedback::read(fs, name, bytes, inp.id)?),
        _ => None,
    };
    let reference = match &spec.reference_date {
        Some(d) => Some(
            crate::table::infer::parse_date(d)
                .map(|p| p.0)
                .ok_or_else(|| Error::Recipe {
                    detail: format!(
                        "plan.reference_date '{d}' is not a date; write it as 2024-10-31"
                    ),
                })?,
        ),
        None => contacts.as_ref().and_then(|c| c.latest),
    };
    let value = numeric(inp.table, &templates.value.column, file)?;

    let mut customers = Vec::new();
    let mut cooling_off = 0;
    if !inp.candidates.is_empty() {
        // By id when the file has one; else the candidates are rows, by number.
        let row_of: Option<HashMap<String, usize>> = match inp.id {
            Some(id) => {
                let ids = inp.table.column(id)?;
                Some((0..inp.table.rows()).map(|i| (ids.text(i), i)).collect())
            }
            None => None,
        };
        let medians = Medians::new(inp.table);
        let top = spec.top.unwrap_or(inp.candidates.len());
        for (rank, c) in inp.candidates.iter().take(top).enumerate() {
            let row = match &row_of {
                Some(rows) => match rows.get(&c.id) {
                    Some(&row) => row,
                    None => continue,
                },
                None if c.row < inp.table.rows() => c.row,
                None => continue,
            };
            let mut p = customer_plan(
                templates,
                file,
                inp,
                &channels,
                &medians,
                value[row],
                row,
                c,
                response_rate,
            )?;
            p.rank = rank + 1;
            if let (Some(days), Some(c), Some(today)) =
                (templates.cool_off_days, &contacts, reference)
            {
                if let Some(&last) = c.last_contact.get(&p.id) {
                    let free = last + days * 86_400;
                    if free > today {
                        cooling_off += 1;
                        let date = crate::table::infer::format_date(free, false);
                        p.timing = format!("冷静期后（{date} 起）");
                        p.not_before = Some(date);
                    }
                }
            }
            customers.push(p);
        }
        customers.sort_by(|a, b| {
            a.priority
                .cmp(&b.priority)
                .then(b.probability.total_cmp(&a.probability))
        });
    }

    let segments = match inp.segment {
        Some(s) => segment_plans(
            templates,
            file,
            inp.table,
            s,
            &channels,
            value,
            response_rate,
        )?,
        None => Vec::new(),
    };

    let mut summary: Vec<PrioritySummary> = Vec::new();
    for p in &customers {
        match summary.iter_mut().find(|s| s.priority == p.priority) {
            Some(s) => {
                s.customers += 1;
                s.expected_retained += p.expected_retention;
                s.expected_value += p.expected_value;
            }
            None => summary.push(PrioritySummary {
                priority: p.priority.clone(),
                customers: 1,
                expected_retained: p.expected_retention,
                expected_value: p.expected_value,
            }),
        }
    }
    let feedback = match contacts {
        Some(c) => Some(feedback::summarise(
            &c,
            &customers,
            inp.segment,
            inp.table,
            inp.id,
        )?),
        None => None,
    };
    Ok(PlanReport {
        templates: file.into(),
        response_rate,
        customers,
        segments,
        summary,
        cooling_off,
        feedback,
    })
}

#[allow(clippy::too_many_arguments)]
fn customer_plan(
    t: &TemplateSet,
    file: &str,
    inp: &PlanInputs,
    channels: &Channels,
    medians: &Medians,
    value: f64,
    row: usize,
    c: &Candidate,
    response_rate: f64,
) -> Result<CustomerPlan> {
    let risk = t.risk_tier(c.probability);
    let vt = t.value_tier(value);
    let priority = t.priority[risk.min(t.priority.len() - 1)][vt].clone();
    let (channel, channel_en) = channels.of(row);
    let recent = inp.recent.unwrap_or(4).to_string();
    let drivers = c
        .reasons
        .iter()
        .map(|(col, _)| driver(t, file, inp, medians, col, row, &recent))
        .collect::<Result<Vec<_>>>()?;
    let mut plan = CustomerPlan {
        rank: 0,
        // Without an id column a customer is their row number (1-based, as listed).
        id: if c.id.is_empty() {
            (c.row + 1).to_string()
        } else {
            c.id.clone()
        },
        probability: c.probability,
        risk_tier: t
            .risk_tiers
            .get(risk)
            .map_or_else(String::new, |r| r.name.clone()),
        value,
        value_tier: t.value.tiers[vt].name.clone(),
        offer: t.offers[&priority].clone(),
        timing: t.timing[&priority].clone(),
        priority,
        channel: channel.to_string(),
        channel_en: channel_en.map(str::to_string),
        not_before: None,
        drivers,
        talking_points: Vec::new(),
        expected_retention: c.probability * response_rate,
        expected_value: c.probability * response_rate * if value.is_nan() { 0.0 } else { value },
    };
    let lookup = |name: &str| -> Option<String> {
        let driver = |k: usize| plan.drivers.get(k).cloned().unwrap_or_default();
        Some(match name {
            "driver_1" => driver(0),
            "driver_2" => driver(1),
            "driver_3" => driver(2),
            "offer" => plan.offer.clone(),
            "channel" => plan.channel.clone(),
            "timing" => plan.timing.clone(),
            "probability" => percent(plan.probability),
            "risk_tier" => plan.risk_tier.clone(),
            "value_tier" => plan.value_tier.clone(),
            "priority" => plan.priority.clone(),
            "greeting" => greeting(inp.table, row),
            _ => cell(inp.table, name, row)?,
        })
    };
    let points = t
        .talking_points
        .iter()
        .enumerate()
        .map(|(k, text)| fill(text, file, &format!("talking_points[{k}]"), &lookup))
        .collect::<Result<Vec<_>>>()?;
    plan.talking_points = points;
    Ok(plan)
}

/// "郭刚，您好" when the table has a name column and the customer's name is
/// there, else "您好" — a customer is never greeted by their id.
fn greeting(table: &Table, row: usize) -> String {
    crate::shared::NameColumns::of(table)
        .name(row)
        .map_or_else(|| "您好".into(), |n| format!("{n}，您好"))
}

/// A customer's value of a column, for people.
fn cell(table: &Table, name: &str, row: usize) -> Option<String> {
    let c = table.column(name).ok()?;
    Some(match &c.data {
        ColumnData::Numeric(v) => human(v[row]),
        _ => c.text(row),
    })
}

/// One risk driver in words: the template's phrase for the column and the
/// direction of the customer's value (the sign for changes and trends,
/// else above or below the median), or the default phrase.
fn driver(
    t: &TemplateSet,
    file: &str,
    inp: &PlanInputs,
    medians: &Medians,
    column: &str,
    row: usize,
    recent: &str,
) -> Result<String> {
    let table = inp.table;
    let shown = inp.names.of(column);
    let c = table.column(column)?;
    let (v, up) = match &c.data {
        ColumnData::Numeric(v) => {
            let x = v[row];
            let signed = column.ends_with("_recent_change") || column.ends_with("_trend");
            let up = if signed {
                x >= 0.0
            } else {
                x >= medians.of(column).unwrap_or(0.0)
            };
            (Some(x), up)
        }
        _ => (None, true),
    };
    let words = t.drivers.get(column).unwrap_or(&t.driver_default);
    let phrase = if up { &words.up } else { &words.down };
    let Some(phrase) = phrase else {
        return Ok(match v {
            Some(x) => format!("{shown}：{}", human(x)),
            None => format!("{shown}为{}", c.text(row)),
        });
    };
    let value = match v {
        Some(x) if column.ends_with("_trend") => human(x.abs()),
        Some(x) => human(x),
        None => c.text(row),
    };
    let pct = v.map_or_else(String::new, |x| percent(x.abs()));
    fill(
        phrase,
        file,
        &format!("drivers.{column}"),
        &|name: &str| match name {
            "value" => Some(value.clone()),
            "pct" => Some(pct.clone()),
            "recent" => Some(recent.to_string()),
            "column" => Some(shown.to_string()),
            _ => None,
        },
    )
}

/// Column medians, computed when first asked for.
struct Medians<'a> {
    table: &'a Table,
    cache: std::cell::RefCell<HashMap<String, f64>>,
}

impl<'a> Medians<'a> {
    fn new(table: &'a Table) -> Self {
        Medians {
            table,
            cache: Default::default(),
        }
    }
    fn of(&self, column: &str) -> Option<f64> {
        if let Some(m) = self.cache.borrow().get(column) {
            return Some(*m);
        }
        let ColumnData::Numeric(v) = &self.table.column(column).ok()?.data else {
            return None;
        };
        let mut s: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        s.sort_by(f64::total_cmp);
        let m = *s.get(s.len() / 2)?;
        self.cache.borrow_mut().insert(column.to_string(), m);
        Some(m)
    }
}

/// The channel rules evaluated over every row once.
struct Channels<'t> {
    rules: &'t [template::ChannelRule],
    truth: Vec<Option<Vec<crate::label::Truth>>>,
}

impl<'t> Channels<'t> {
    fn new(t: &'t TemplateSet, file: &str, table: &Table) -> Result<Self> {
        let truth = t
            .channels
            .iter()
            .enumerate()
            .map(|(k, r)| match &r.when {
                None => Ok(None),
                Some(w) => Rule::new(w, table)
                    .and_then(|rule| rule.eval(table))
                    .map(Some)
                    .map_err(|e| Error::Analysis {
                        detail: format!("plan template {file}, channels[{k}] '{w}': {e}"),
                        detail_zh: format!("方案模板 {file} 的 channels[{k}]“{w}”：{}", e.zh()),
                    }),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Channels {
            rules: &t.channels,
            truth,
        })
    }

    /// The first rule that holds for `row` (the last has no condition).
    fn index(&self, row: usize) -> usize {
        self.truth
            .iter()
            .position(|t| t.as_ref().is_none_or(|t| t[row] == Some(true)))
            .unwrap_or(self.rules.len() - 1)
    }

    fn of(&self, row: usize) -> (&'t str, Option<&'t str>) {
        let r = &self.rules[self.index(row)];
        (&r.channel, r.channel_en.as_deref())
    }
}

fn numeric<'a>(table: &'a Table, column: &str, file: &str) -> Result<&'a [f64]> {
    match &table.column(column)?.data {
        ColumnData::Numeric(v) => Ok(v),
        _ => Err(Error::Analysis {
            detail: format!("plan template {file}: value column '{column}' is not numeric"),
            detail_zh: format!("方案模板 {file}：价值列“{column}”不是数值"),
        }),
    }
}

fn segment_plans(
    t: &TemplateSet,
    file: &str,
    table: &Table,
    s: &Segments,
    channels: &Channels,
    value: &[f64],
    response_rate: f64,
) -> Result<Vec<SegmentPlan>> {
    let mut out = Vec::new();
    for profile in &s.segments {
        let rows: Vec<usize> = (0..s.labels.len())
            .filter(|&i| s.labels[i] as usize == profile.segment)
            .collect();
        let present: Vec<f64> = rows
            .iter()
            .map(|&i| value[i])
            .filter(|v| !v.is_nan())
            .collect();
        let value_mean = present.iter().sum::<f64>() / present.len().max(1) as f64;
        let vt = t.value_tier(value_mean);
        // Segments have no churn probability: the priority table's first row.
        let priority = t.priority[0][vt].clone();
        let mut mix = vec![0usize; t.channels.len()];
        for &i in &rows {
            mix[channels.index(i)] += 1;
        }
        let mut channel_mix: Vec<(String, usize)> = Vec::new();
        for (k, &n) in mix.iter().enumerate() {
            let c = &t.channels[k].channel;
            match channel_mix.iter_mut().find(|(name, _)| name == c) {
                Some(e) => e.1 += n,
                None if n > 0 => channel_mix.push((c.clone(), n)),
                None => {}
            }
        }
        // Most customers first; ties keep the rules' order.
        crate::order::sort_by(&mut channel_mix, |a, b| b.1.cmp(&a.1));
        let channel = channel_mix.first().map_or_else(
            || t.channels[t.channels.len() - 1].channel.clone(),
            |c| c.0.clone(),
        );
        let mut plan = SegmentPlan {
            segment: profile.segment,
            name: profile.name.clone(),
            size: profile.size,
            share: profile.share,
            value_mean,
            value_tier: t.value.tiers[vt].name.clone(),
            offer: t.offers[&priority].clone(),
            timing: t.timing[&priority].clone(),
            priority,
            channel,
            channel_mix,
            talking_points: Vec::new(),
            expected_responders: profile.size as f64 * response_rate,
        };
        // A customer template's own placeholders read for a whole segment:
        // a greeting to no one in particular, the segment's traits as drivers.
        let trait_k = |k: usize| profile.distinguishing.get(k).cloned().unwrap_or_default();
        let lookup = |n: &str| -> Option<String> {
            Some(match n {
                "greeting" => "您好".into(),
                "driver_1" => trait_k(0),
                "driver_2" => trait_k(1),
                "driver_3" => trait_k(2),
                "segment" => plan.name.clone(),
                "size" => plan.size.to_string(),
                "share" => percent(plan.share),
                "strategy" => profile.strategy.clone(),
                "service" => profile.service.clone(),
                "distinguishing" => profile.distinguishing.join("，"),
                "offer" => plan.offer.clone(),
                "channel" => plan.channel.clone(),
                "timing" => plan.timing.clone(),
                "priority" => plan.priority.clone(),
                "value_tier" => plan.value_tier.clone(),
                _ => segment_cell(table, n, &rows)?,
            })
        };
        plan.talking_points = t
            .talking_points
            .iter()
            .enumerate()
            .map(|(k, text)| fill(text, file, &format!("talking_points[{k}]"), &lookup))
            .collect::<Result<Vec<_>>>()?;
        out.push(plan);
    }
    Ok(out)
}

/// A segment's mean (numbers) or most common value (categories) of a column.
fn segment_cell(table: &Table, name: &str, rows: &[usize]) -> Option<String> {
    let c = table.column(name).ok()?;
    Some(match &c.data {
        ColumnData::Numeric(v) => {
            let p: Vec<f64> = rows.iter().map(|&i| v[i]).filter(|x| !x.is_nan()).collect();
            human(p.iter().sum::<f64>() / p.len().max(1) as f64)
        }
        _ => {
            let mut counts: HashMap<String, usize> = HashMap::new();
            for &i in rows.iter().filter(|&&i| !c.is_missing(i)) {
                *counts.entry(c.text(i)).or_default() += 1;
            }
            counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(v, _)| v)
                .unwrap_or_default()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{Column, ColumnKind, StrColumn};

    fn text(name: &str, values: &[&str]) -> Column {
        let mut s = StrColumn::with_capacity(values.len(), 16);
        for v in values {
            s.push(v);
        }
        Column {
            name: name.into(),
            kind: ColumnKind::Text,
            data: ColumnData::Text(s),
        }
    }

    #[test]
    fn customers_are_greeted_by_name_never_by_id() {
        let t = Table::new(
            "t",
            vec![text("客户号", &["S1", "S2"]), text("姓名", &["郭刚", ""])],
        )
        .unwrap();
        assert_eq!(greeting(&t, 0), "郭刚，您好");
        assert_eq!(greeting(&t, 1), "您好");
        let ids_only = Table::new("t", vec![text("客户号", &["S1"])]).unwrap();
        assert_eq!(greeting(&ids_only, 0), "您好");
    }
}
