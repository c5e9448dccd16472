//! Plan templates: words, thresholds and channel rules as data
//! (`data/templates/*.json`), with `{placeholder}` filling that names the
//! template and placeholder when a field is missing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The shipped templates, used when a recipe names none among its inputs.
pub const RETENTION: &str = include_str!("../../data/templates/retention.json");
pub const SEGMENT_PLANS: &str = include_str!("../../data/templates/segment_plans.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    /// Risk tiers: the lowest probability in the tier.
    #[serde(default)]
    pub min_probability: Option<f64>,
    /// Value tiers: the lowest value in the tier.
    #[serde(default)]
    pub min: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    pub column: String,
    pub tiers: Vec<Tier>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelRule {
    /// A condition in the label language; none = the fallback.
    #[serde(default)]
    pub when: Option<String>,
    pub channel: String,
    #[serde(default)]
    pub channel_en: Option<String>,
}

/// Words for a driver, by the direction of the customer's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriverWords {
    #[serde(default)]
    pub up: Option<String>,
    #[serde(default)]
    pub down: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSet {
    #[serde(default)]
    pub about: String,
    /// Highest first; a customer gets the first tier whose minimum it meets.
    #[serde(default)]
    pub risk_tiers: Vec<Tier>,
    pub value: ValueSpec,
    /// Priority by risk tier (rows) and value tier (columns).
    pub priority: Vec<Vec<String>>,
    pub offers: BTreeMap<String, String>,
    pub timing: BTreeMap<String, String>,
    #[serde(default)]
    pub cool_off_days: Option<i64>,
    pub channels: Vec<ChannelRule>,
    #[serde(default)]
    pub drivers: BTreeMap<String, DriverWords>,
    #[serde(default)]
    pub driver_default: DriverWords,
    pub talking_points: Vec<String>,
}

impl TemplateSet {
    /// The recipe's own template file when it names one, else the shipped
    /// retention templates (or, with segments and no scored customers, the
    /// segment plans); with the file name errors should carry.
    pub fn chosen(
        given: Option<(&str, &[u8])>,
        segments_only: bool,
    ) -> Result<(TemplateSet, String)> {
        let (text, file) = match given {
            Some((name, bytes)) => (
                String::from_utf8_lossy(bytes).into_owned(),
                name.to_string(),
            ),
            None if segments_only => (SEGMENT_PLANS.to_string(), "segment_plans.json".to_string()),
            None => (RETENTION.to_string(), "retention.json".to_string()),
        };
        Ok((TemplateSet::from_json(&text, &file)?, file))
    }

    /// Reads and checks a template set: tiers in order, a priority for every
    /// risk × value pair, an offer and a timing for every priority, a
    /// fallback channel last.
    pub fn from_json(text: &str, file: &str) -> Result<TemplateSet> {
        let t: TemplateSet = serde_json::from_str(text).map_err(|e| bad(file, &e.to_string()))?;
        let rows = t.risk_tiers.len().max(1);
        if t.priority.len() != rows || t.priority.iter().any(|r| r.len() != t.value.tiers.len()) {
            return Err(bad(
                file,
                &format!(
                    "'priority' must have {rows} row(s) (one per risk tier) of {} entries (one per value tier)",
                    t.value.tiers.len()
                ),
            ));
        }
        for p in t.priority.iter().flatten() {
            for (what, map) in [("offers", &t.offers), ("timing", &t.timing)] {
                if !map.contains_key(p) {
                    return Err(bad(
                        file,
                        &format!("'{what}' has no entry for priority '{p}'"),
                    ));
                }
            }
        }
        if t.channels.last().is_none_or(|c| c.when.is_some()) {
            return Err(bad(
                file,
                "the last channel rule must have no 'when', so every customer gets a channel",
            ));
        }
        if t.value.tiers.is_empty() {
            return Err(bad(file, "'value.tiers' is empty"));
        }
        Ok(t)
    }

    /// The risk tier of a probability (index into `risk_tiers`).
    pub fn risk_tier(&self, p: f64) -> usize {
        self.risk_tiers
            .iter()
            .position(|t| p >= t.min_probability.unwrap_or(0.0))
            .unwrap_or(self.risk_tiers.len().saturating_sub(1))
    }

    /// The value tier of a value (missing = the lowest tier).
    pub fn value_tier(&self, v: f64) -> usize {
        let last = self.value.tiers.len() - 1;
        if v.is_nan() {
            return last;
        }
        self.value
            .tiers
            .iter()
            .position(|t| v >= t.min.unwrap_or(f64::NEG_INFINITY))
            .unwrap_or(last)
    }
}

fn bad(file: &str, detail: &str) -> Error {
    Error::Analysis {
        detail: format!("plan template {file}: {detail}"),
        detail_zh: format!("方案模板 {file}：{detail}"),
    }
}

/// Fills `{name}` placeholders from `lookup`; a name it does not know is an
/// error naming the template (`file`, `which`) and the placeholder.
pub fn fill(
    text: &str,
    file: &str,
    which: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String> {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| Error::Analysis {
            detail: format!("plan template {file}, {which}: a '{{' is never closed in \"{text}\""),
            detail_zh: format!("方案模板 {file} 的 {which}：\"{text}\" 中的“{{”没有闭合"),
        })?;
        let name = &after[..close];
        let value = lookup(name).ok_or_else(|| Error::Analysis {
            detail: format!(
                "plan template {file}, {which}: placeholder {{{name}}} is neither a column of the data nor a plan field; fix the template or add the column"
            ),
            detail_zh: format!(
                "方案模板 {file} 的 {which}：占位符 {{{name}}} 既不是数据中的列，也不是方案字段；请修改模板或补充该列"
            ),
        })?;
        out.push_str(&value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

pub use crate::shared::{human, percent};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_templates_are_valid() {
        let r = TemplateSet::from_json(RETENTION, "retention.json").unwrap();
        assert_eq!(r.risk_tier(0.95), 0);
        assert_eq!(r.risk_tier(0.5), 1);
        assert_eq!(r.risk_tier(0.1), 2);
        assert_eq!(r.value_tier(2e6), 0);
        assert_eq!(r.value_tier(f64::NAN), 2);
        TemplateSet::from_json(SEGMENT_PLANS, "segment_plans.json").unwrap();
    }

    #[test]
    fn fill_names_the_missing_placeholder() {
        let look = |n: &str| (n == "a").then(|| "1".to_string());
        assert_eq!(fill("x{a}y{a}", "t.json", "p", &look).unwrap(), "x1y1");
        let e = fill("hi {客户名}", "t.json", "talking_points[0]", &look).unwrap_err();
        assert!(e.to_string().contains("t.json, talking_points[0]"), "{e}");
        assert!(e.to_string().contains("{客户名}"), "{e}");
        assert!(e.zh().contains("占位符 {客户名}"));
        assert!(fill("open {a", "t.json", "p", &look).is_err());
    }

    #[test]
    fn checks_priorities_have_offers() {
        let broken = RETENTION.replace("\"P3\": \"投教课程", "\"P9\": \"投教课程");
        let e = TemplateSet::from_json(&broken, "r.json").unwrap_err();
        assert!(e.to_string().contains("no entry for priority 'P3'"), "{e}");
    }

    #[test]
    fn human_numbers() {
        assert_eq!(human(123456789.0), "1.23亿");
        assert_eq!(human(356000.0), "35.6万");
        assert_eq!(human(12.0), "12");
        assert_eq!(human(0.126), "0.13");
        assert_eq!(percent(-0.6), "-60%");
        assert_eq!(percent(0.051), "5.1%");
    }
}
