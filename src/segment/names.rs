//! Segment names, strategies and service focus from the profiles, by
//! transparent rules that are data (`data/templates/segment_naming.json`,
//! editable; a recipe may name its own file). Never a fixed label per
//! cluster index, and no two segments share a name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::profile::SegmentProfile;
use crate::{Error, Result};

pub const DEFAULT_RULES: &str = include_str!("../../data/templates/segment_naming.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub group: String,
    /// "high" or "low".
    pub direction: String,
    pub min_z: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameRule {
    pub name: String,
    #[serde(default)]
    pub name_en: Option<String>,
    pub when: Vec<Condition>,
    pub strategy: String,
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fallback {
    pub strategy: String,
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamingRules {
    #[serde(default)]
    pub about: String,
    pub groups: BTreeMap<String, Vec<String>>,
    pub rules: Vec<NameRule>,
    pub fallback: Fallback,
}

/// A segment's name and what to do with it, with the reason in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentName {
    pub segment: usize,
    pub name: String,
    pub name_en: Option<String>,
    /// Why: the rule's conditions and the figures that met them.
    pub reason: String,
    pub strategy: String,
    pub service: String,
}

impl NamingRules {
    pub fn from_json(text: &str, file: &str) -> Result<NamingRules> {
        let rules: NamingRules = serde_json::from_str(text).map_err(|e| Error::Analysis {
            detail: format!("{file} is not a segment-naming rule set ({e})"),
            detail_zh: format!("{file} 不是有效的分群命名规则（{e}）"),
        })?;
        rules.check(file)?;
        Ok(rules)
    }

    /// Every condition names a group and a direction that exist (`file`:
    /// where the rules came from, for the message).
    pub fn check(&self, file: &str) -> Result<()> {
        for r in &self.rules {
            for c in &r.when {
                if !self.groups.contains_key(&c.group)
                    || !matches!(c.direction.as_str(), "high" | "low")
                {
                    return Err(Error::Analysis {
                        detail: format!(
                            "{file}: rule '{}' uses group '{}' / direction '{}'; groups are {:?}, directions high or low",
                            r.name,
                            c.group,
                            c.direction,
                            self.groups.keys().collect::<Vec<_>>()
                        ),
                        detail_zh: format!("{file}：规则“{}”的特征组“{}”或方向“{}”无效", r.name, c.group, c.direction),
                    });
                }
            }
        }
        Ok(())
    }

    pub fn default_rules() -> NamingRules {
        Self::from_json(DEFAULT_RULES, "segment_naming.json")
            .expect("the shipped rules parse (tested)")
    }

    /// Mean z of the segment's numeric columns in `group` (None: no such column).
    fn group_z(&self, p: &SegmentProfile, group: &str) -> Option<(f64, Vec<String>)> {
        let words = self.groups.get(group)?;
        let hits: Vec<(f64, String)> = p
            .numeric
            .iter()
            .filter(|n| {
                // A word starting with "!" rules a column out (贷款余额 is not an asset).
                let c = n.column.to_lowercase();
                let (not, yes): (Vec<&String>, Vec<&String>) =
                    words.iter().partition(|w| w.starts_with('!'));
                yes.iter().any(|w| c.contains(&w.to_lowercase()))
                    && !not.iter().any(|w| c.contains(&w[1..].to_lowercase()))
            })
            .map(|n| (n.z, n.column.clone()))
            .collect();
        if hits.is_empty() {
            return None;
        }
        let z = hits.iter().map(|h| h.0).sum::<f64>() / hits.len() as f64;
        Some((z, hits.into_iter().map(|h| h.1).collect()))
    }

    /// How strongly `p` meets `rule` (None: it does not), with the reason.
    fn fit(&self, p: &SegmentProfile, rule: &NameRule) -> Option<(f64, String)> {
        let mut score = 0.0;
        let mut why = Vec::new();
        for c in &rule.when {
            let (z, cols) = self.group_z(p, &c.group)?;
            let ok = if c.direction == "high" {
                z >= c.min_z
            } else {
                z <= -c.min_z
            };
            if !ok {
                return None;
            }
            score += z.abs();
            why.push(format!(
                "{}（{}）平均 z {:+.2} {} {}",
                c.group,
                cols.join("、"),
                z,
                if c.direction == "high" { "≥" } else { "≤" },
                if c.direction == "high" {
                    c.min_z
                } else {
                    -c.min_z
                }
            ));
        }
        Some((score, why.join("；")))
    }

    /// Names every segment.
    pub fn name(
        &self,
        profiles: &[SegmentProfile],
        names: crate::shared::DisplayNames,
    ) -> Vec<SegmentName> {
        let mut out: Vec<Option<SegmentName>> = vec![None; profiles.len()];
        for rule in &self.rules {
            let best = profiles
                .iter()
                .filter(|p| out[p.segment].is_none())
                .filter_map(|p| self.fit(p, rule).map(|(s, why)| (p.segment, s, why)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((s, _, why)) = best {
                out[s] = Some(SegmentName {
                    segment: s,
                    name: rule.name.clone(),
                    name_en: rule.name_en.clone(),
                    reason: format!("规则“{}”：{why}", rule.name),
                    strategy: rule.strategy.clone(),
                    service: rule.service.clone(),
                });
            }
        }
        let mut used: Vec<String> = out.iter().flatten().map(|n| n.name.clone()).collect();
        profiles
            .iter()
            .map(|p| {
                out[p.segment].clone().unwrap_or_else(|| {
                    // No rule fits: name it by its most distinguishing feature.
                    let top = p
                        .numeric
                        .iter()
                        .max_by(|a, b| a.z.abs().total_cmp(&b.z.abs()))
                        .filter(|n| n.large);
                    let base = match top {
                        Some(n) => format!(
                            "{}{}客户群",
                            names.of(&n.column),
                            if n.z > 0.0 { "偏高" } else { "偏低" }
                        ),
                        None => "均衡客户群".to_string(),
                    };
                    let mut name = base.clone();
                    let mut i = 2;
                    while used.contains(&name) {
                        name = format!("{base}（{i}）");
                        i += 1;
                    }
                    used.push(name.clone());
                    let features = if p.distinguishing.is_empty() {
                        "无明显差异".to_string()
                    } else {
                        p.distinguishing.join("；")
                    };
                    SegmentName {
                        segment: p.segment,
                        name,
                        name_en: None,
                        reason: format!("无规则匹配，按最突出的特征命名：{features}"),
                        strategy: self.fallback.strategy.replace("{features}", &features),
                        service: self.fallback.service.clone(),
                    }
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::profile::NumericProfile;

    fn seg(s: usize, zs: &[(&str, f64)]) -> SegmentProfile {
        SegmentProfile {
            segment: s,
            size: 10,
            share: 0.25,
            numeric: zs
                .iter()
                .map(|(c, z)| NumericProfile {
                    column: c.to_string(),
                    mean: 0.0,
                    median: 0.0,
                    overall_mean: 0.0,
                    overall_median: 0.0,
                    ratio: None,
                    z: *z,
                    large: z.abs() >= 0.5,
                })
                .collect(),
            categorical: Vec::new(),
            distinguishing: Vec::new(),
        }
    }

    #[test]
    fn names_follow_the_profile_not_the_index_and_never_repeat() {
        let rules = NamingRules::default_rules();
        let a = seg(
            0,
            &[("存款余额", 1.5), ("手机银行登录次数", 0.2), ("年龄", 0.3)],
        );
        let b = seg(
            1,
            &[
                ("存款余额", -0.6),
                ("手机银行登录次数", -0.7),
                ("年龄", 0.1),
            ],
        );
        let c = seg(
            2,
            &[
                ("存款余额", -0.1),
                ("手机银行登录次数", 0.9),
                ("年龄", -0.2),
            ],
        );
        let d = seg(
            3,
            &[("存款余额", 0.0), ("手机银行登录次数", 0.0), ("年龄", 0.0)],
        );
        let e = seg(
            4,
            &[
                ("存款余额", 0.05),
                ("手机银行登录次数", 0.1),
                ("年龄", 0.02),
            ],
        );
        let names = rules.name(&[a.clone(), b.clone(), c.clone(), d, e], Default::default());
        let n: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(
            &n[..3],
            ["高净值客户群", "低价值流失风险群", "基础活跃客户群"]
        );
        assert!(names[0].reason.contains("存款余额"), "{}", names[0].reason);
        let mut unique = n.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 5, "{n:?}");
        // The same profiles in another order get the same names.
        let again = rules.name(
            &[
                seg(
                    0,
                    &c.numeric
                        .iter()
                        .map(|x| (x.column.as_str(), x.z))
                        .collect::<Vec<_>>(),
                ),
                seg(
                    1,
                    &[("存款余额", 1.5), ("手机银行登录次数", 0.2), ("年龄", 0.3)],
                ),
            ],
            Default::default(),
        );
        assert_eq!(again[0].name, "基础活跃客户群");
        assert_eq!(again[1].name, "高净值客户群");
        let e = NamingRules::from_json(r#"{"groups": {}, "rules": [{"name": "x", "when": [{"group": "nope", "direction": "high", "min_z": 1}], "strategy": "", "service": ""}], "fallback": {"strategy": "", "service": ""}}"#, "n.json").unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
    }
}
