//! Result tables as files people open: CSV in UTF-8 with a byte-order mark,
//! so Excel on Chinese Windows shows the Chinese text correctly.

pub mod archive;
pub mod html;
pub mod pmml;
pub mod sql;
pub mod text;
pub mod xlsx;

use std::borrow::Cow;

use crate::basket::recommend::Offer;
use crate::basket::report::RuleSet;
use crate::score::analysis::Candidate;

pub(crate) use crate::table::csv_field as field;

/// A CSV document (BOM, CRLF line ends as Excel writes them).
pub fn csv(headers: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(
        &headers
            .iter()
            .map(|h| field(h))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|v| field(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// One cell of a result table: text, or a number with the decimals CSV shows
/// (the workbook keeps the full value).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// Borrowed from the report where it holds the text as it is (a
    /// million ids are not copied to be written once).
    Text(Cow<'a, str>),
    Number(f64, usize),
}

impl Cell<'_> {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.to_string(),
            Cell::Number(x, d) => format!("{x:.*}", *d),
        }
    }
}

fn text<'a>(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell::Text(s.into())
}

/// A number with `d` decimals; infinite values (a rule's conviction) as "inf".
fn number(x: f64, d: usize) -> Cell<'static> {
    if x.is_finite() {
        Cell::Number(x, d)
    } else {
        text("inf")
    }
}

/// A result table: what a CSV file and a workbook sheet are written from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet<'a> {
    /// The sheet's name in a workbook (≤ 31 characters).
    pub name: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell<'a>>>,
}

impl Sheet<'_> {
    pub fn csv(&self) -> String {
        let head: Vec<&str> = self.head.iter().map(String::as_str).collect();
        csv(
            &head,
            self.rows.iter().map(|r| r.iter().map(Cell::text).collect()),
        )
    }
}

fn sheet<'a>(name: &str, head: &[&str], rows: Vec<Vec<Cell<'a>>>) -> Sheet<'a> {
    Sheet {
        name: name.into(),
        head: head.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

/// The candidate list: rank, id, probability, top reasons.
pub fn candidates_sheet(candidates: &[Candidate]) -> Sheet<'_> {
    // A scorecard's candidates carry their score and reason codes.
    let card = candidates.iter().any(|c| c.score.is_some());
    // Without an id column the customers are their row numbers (1-based).
    let by_row = !candidates.is_empty() && candidates.iter().all(|c| c.id.is_empty());
    let deciles = candidates.iter().any(|c| c.decile > 0);
    let segments = candidates.iter().any(|c| c.segment.is_some());
    let mut header = vec![
        "排名 rank",
        if by_row { "行号 row" } else { "客户 id" },
        "概率 probability",
    ];
    if deciles {
        header.push("十分位 decile");
    }
    if segments {
        header.push("分群 segment");
    }
    if card {
        header.extend(["评分 score", "原因码 reason codes"]);
    }
    header.extend(["主要原因 reasons", "驱动因素 drivers"]);
    sheet(
        "候选客户 candidates",
        &header,
        candidates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut row = vec![
                    Cell::Number((i + 1) as f64, 0),
                    if by_row {
                        Cell::Number((c.row + 1) as f64, 0)
                    } else {
                        text(&c.id)
                    },
                    number(c.probability, 6),
                ];
                if deciles {
                    row.push(Cell::Number(f64::from(c.decile), 0));
                }
                if segments {
                    row.push(text(c.segment.as_deref().unwrap_or_default()));
                }
                if card {
                    row.push(
                        c.score
                            .map_or(text(String::new()), |s| Cell::Number(s as f64, 0)),
                    );
                    row.push(text(reason_codes_text(&c.reason_codes)));
                }
                row.push(text(
                    c.reasons
                        .iter()
                        .map(|(s, v)| format!("{s} (+{v:.3})"))
                        .collect::<Vec<_>>()
                        .join("; "),
                ));
                row.push(text(
                    c.drivers
                        .iter()
                        .map(driver_text)
                        .collect::<Vec<_>>()
                        .join("; "),
                ));
                row
            })
            .collect(),
    )
}

/// Reason codes as people read them: "age in [25, 30) −34; balance …".
pub fn reason_codes_text(codes: &[crate::shared::ReasonCode]) -> String {
    codes
        .iter()
        .map(|r| format!("{} {} −{}", r.characteristic, r.bin, r.points_lost))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A driver as people read it: "余额 = 2,143 → +0.51" (log-odds).
pub fn driver_text(d: &crate::shared::Driver) -> String {
    let value = if d.value.is_empty() {
        "(missing)".to_string()
    } else {
        grouped(&d.value)
    };
    format!("{} = {value} → {:+.2}", d.column, d.contribution)
}

/// A plain number with thousands separators (2143.5 → 2,143.5); any
/// other text as it is.
pub fn grouped(s: &str) -> String {
    let t = s.trim();
    let (sign, body) = t.strip_prefix('-').map_or(("", t), |b| ("-", b));
    let (int, frac) = body
        .split_once('.')
        .map_or((body, None), |(a, b)| (a, Some(b)));
    if int.is_empty()
        || int.len() <= 3
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return s.to_string();
    }
    let mut out = String::from(sign);
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

pub fn candidates_csv(candidates: &[Candidate]) -> String {
    candidates_sheet(candidates).csv()
}

/// Association rules of one or more rule sets (overall, per segment).
pub fn rules_sheet(sets: &[RuleSet]) -> Sheet<'static> {
    sheet(
        "关联规则 rules",
        &[
            "分群 segment",
            "前项 antecedent",
            "后项 consequent",
            "支持度 support",
            "置信度 confidence",
            "提升度 lift",
            "杠杆率 leverage",
            "确信度 conviction",
            "前项支持度 antecedent support",
            "后项支持度 consequent support",
            "分群特有 specific",
        ],
        sets.iter()
            .flat_map(|set| {
                set.rules.iter().enumerate().map(move |(k, r)| {
                    vec![
                        text(set.segment.clone().unwrap_or_else(|| "全部 all".into())),
                        text(r.antecedent.join(" + ")),
                        text(r.consequent.join(" + ")),
                        number(r.support, 6),
                        number(r.confidence, 6),
                        number(r.lift, 6),
                        number(r.leverage, 6),
                        number(r.conviction, 6),
                        number(r.antecedent_support, 6),
                        number(r.consequent_support, 6),
                        text(if set.specific.contains(&k) {
                            "是 yes"
                        } else {
                            ""
                        }),
                    ]
                })
            })
            .collect(),
    )
}

pub fn rules_csv(sets: &[RuleSet]) -> String {
    rules_sheet(sets).csv()
}

/// Cross-sell offers or a product's target list.
pub fn offers_sheet<'a>(name: &str, offers: impl IntoIterator<Item = &'a Offer>) -> Sheet<'a> {
    sheet(
        name,
        &[
            "客户 id",
            "推荐产品 product",
            "置信度 confidence",
            "提升度 lift",
            "依据规则 rule",
            "分群 segment",
        ],
        offers
            .into_iter()
            .map(|o| {
                vec![
                    text(&o.id),
                    text(&o.product),
                    number(o.confidence, 6),
                    number(o.lift, 6),
                    text(&o.rule),
                    text(o.segment.as_deref().unwrap_or_default()),
                ]
            })
            .collect(),
    )
}

pub fn offers_csv(offers: &[Offer]) -> String {
    offers_sheet("交叉销售 cross-sell", offers).csv()
}

/// Customer → segment (number and name); rows without an id are numbered.
/// With a Gaussian mixture's `memberships` (rows × segments, flat), each
/// segment's membership probability follows.
pub fn segments_sheet<'a>(
    ids: &'a [String],
    labels: &[u32],
    names: &[&'a str],
    memberships: &[f32],
) -> Sheet<'a> {
    let k = names.len();
    let soft = k > 0 && memberships.len() == labels.len() * k;
    let mut head: Vec<String> = vec![
        "客户 id".into(),
        "分群 segment".into(),
        "分群名称 name".into(),
    ];
    if soft {
        head.extend(names.iter().map(|n| format!("概率 P({n})")));
    }
    Sheet {
        name: "客户分群 segments".into(),
        head,
        rows: labels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let mut row = vec![
                    ids.get(i).map_or_else(|| text((i + 1).to_string()), text),
                    Cell::Number(f64::from(l), 0),
                    text(names.get(l as usize).copied().unwrap_or_default()),
                ];
                if soft {
                    row.extend(
                        memberships[i * k..(i + 1) * k]
                            .iter()
                            .map(|p| number(f64::from(*p), 4)),
                    );
                }
                row
            })
            .collect(),
    }
}

pub fn segments_csv(
    ids: &[String],
    labels: &[u32],
    names: &[String],
    memberships: &[f32],
) -> String {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    segments_sheet(ids, labels, &names, memberships).csv()
}

/// The migration matrix: one row per from-segment, counts per to-segment,
/// then the row's total and the share that stayed.
pub fn migration_sheet(m: &crate::segment::migrate::Migration) -> Sheet<'_> {
    let mut head: Vec<String> = vec!["上月分群 from \\ 本月分群 to".into()];
    head.extend(m.names.iter().cloned());
    head.push("合计 total".into());
    head.push("留存 stayed".into());
    Sheet {
        name: "分群迁移 migration".into(),
        head,
        rows: m
            .matrix
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let total: usize = row.iter().sum();
                let mut out = vec![text(m.names.get(i).cloned().unwrap_or_default())];
                out.extend(row.iter().map(|&c| Cell::Number(c as f64, 0)));
                out.push(Cell::Number(total as f64, 0));
                out.push(if total > 0 {
                    number(row[i] as f64 / total as f64, 4)
                } else {
                    text("")
                });
                out
            })
            .collect(),
    }
}

pub fn migration_csv(m: &crate::segment::migrate::Migration) -> String {
    migration_sheet(m).csv()
}

/// One row per customer plan.
pub fn plans_sheet(plans: &[crate::plan::CustomerPlan]) -> Sheet<'_> {
    sheet(
        "挽留方案 plans",
        &[
            "排名 rank",
            "客户 id",
            "优先级 priority",
            "流失概率 probability",
            "风险 risk",
            "价值 value",
            "价值层 value tier",
            "渠道 channel",
            "时机 timing",
            "优惠 offer",
            "风险原因 drivers",
            "话术 talking points",
            "预计挽留 expected retention",
            "预计挽留资产 expected value",
        ],
        plans
            .iter()
            .map(|p| {
                vec![
                    Cell::Number(p.rank as f64, 0),
                    text(&p.id),
                    text(&p.priority),
                    number(p.probability, 4),
                    text(&p.risk_tier),
                    number(p.value, 2),
                    text(&p.value_tier),
                    text(&p.channel),
                    text(&p.timing),
                    text(&p.offer),
                    text(p.drivers.join("；")),
                    text(p.talking_points.join("\n")),
                    number(p.expected_retention, 4),
                    number(p.expected_value, 2),
                ]
            })
            .collect(),
    )
}

pub fn plans_csv(plans: &[crate::plan::CustomerPlan]) -> String {
    plans_sheet(plans).csv()
}

/// One row per segment strategy.
pub fn segment_plans_sheet(plans: &[crate::plan::SegmentPlan]) -> Sheet<'_> {
    sheet(
        "分群策略 segment plans",
        &[
            "客群 segment",
            "人数 size",
            "占比 share",
            "价值均值 mean value",
            "优先级 priority",
            "渠道 channel",
            "渠道分布 channel mix",
            "时机 timing",
            "优惠 offer",
            "方案 plan",
            "预计响应人数 expected responders",
        ],
        plans
            .iter()
            .map(|p| {
                vec![
                    text(p.name.clone()),
                    Cell::Number(p.size as f64, 0),
                    number(p.share, 4),
                    number(p.value_mean, 2),
                    text(&p.priority),
                    text(&p.channel),
                    text(
                        p.channel_mix
                            .iter()
                            .map(|(c, n)| format!("{c} {n}"))
                            .collect::<Vec<_>>()
                            .join("；"),
                    ),
                    text(&p.timing),
                    text(&p.offer),
                    text(p.talking_points.join("\n")),
                    number(p.expected_responders, 1),
                ]
            })
            .collect(),
    )
}

/// A scorecard's kept characteristics bin by bin: the binning table and
/// each bin's points.
pub fn scorecard_sheet(s: &crate::score::analysis::ScorecardReport) -> Sheet<'_> {
    let mut rows = Vec::new();
    for c in s.characteristics.iter().filter(|c| c.selected) {
        let Some(b) = &c.binning else { continue };
        for bin in &b.bins {
            let points = s
                .table
                .iter()
                .find(|r| r.characteristic == c.name && r.bin == bin.label)
                .map_or(text(String::new()), |r| Cell::Number(r.points as f64, 0));
            rows.push(vec![
                text(c.name.clone()),
                text(bin.label.clone()),
                Cell::Number(bin.count as f64, 0),
                number(bin.share, 4),
                Cell::Number(bin.non_event as f64, 0),
                Cell::Number(bin.event as f64, 0),
                number(bin.event_rate, 4),
                number(bin.woe, 6),
                number(bin.iv, 6),
                points,
            ]);
        }
    }
    sheet(
        "评分卡 scorecard",
        &[
            "特征 characteristic",
            "分箱 bin",
            "人数 count",
            "占比 share",
            "非事件 non-events",
            "事件 events",
            "事件率 event rate",
            "WOE",
            "IV",
            "分值 points",
        ],
        rows,
    )
}

/// Every characteristic by IV, whether it is kept and why not.
pub fn iv_sheet(s: &crate::score::analysis::ScorecardReport) -> Sheet<'_> {
    sheet(
        "IV 排名 IV ranking",
        &[
            "特征 characteristic",
            "IV",
            "分箱数 bins",
            "入选 kept",
            "原因 reason",
            "原因（中文）",
        ],
        s.characteristics
            .iter()
            .map(|c| {
                vec![
                    text(c.name.clone()),
                    number(c.iv(), 6),
                    c.binning.as_ref().map_or(text(String::new()), |b| {
                        Cell::Number(b.bins.len() as f64, 0)
                    }),
                    text(if c.selected { "是 yes" } else { "否 no" }),
                    text(c.reason.clone().unwrap_or_default()),
                    text(c.reason_zh.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    )
}

/// This month against the model's month: PSI of the score and each column.
pub fn monitor_sheet(m: &crate::score::monitor::MonitorReport) -> Sheet<'_> {
    sheet(
        "分布监控 monitoring",
        &["指标 measure", "PSI", "状态 level"],
        std::iter::once(&m.score)
            .chain(&m.features)
            .map(|p| {
                vec![
                    text(p.name.clone()),
                    number(p.psi, 4),
                    text(p.level.clone()),
                ]
            })
            // A scorecard's characteristic stability, named as such.
            .chain(m.csi.iter().map(|p| {
                vec![
                    text(format!("CSI {}", p.name)),
                    number(p.psi, 4),
                    text(p.level.clone()),
                ]
            }))
            .collect(),
    )
}

pub fn alerts_sheet(alerts: &[crate::score::monitor::Alert]) -> Sheet<'_> {
    sheet(
        "预警 alerts",
        &[
            "类型 kind",
            "对象 subject",
            "值 value",
            "阈值 threshold",
            "说明",
            "message",
        ],
        alerts
            .iter()
            .map(|a| {
                vec![
                    text(a.kind.clone()),
                    text(a.subject.clone()),
                    number(a.value, 4),
                    number(a.threshold, 4),
                    text(a.message_zh.clone()),
                    text(a.message.clone()),
                ]
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_defused_and_numbers_are_not() {
        let doc = csv(
            &["name", "x"],
            [
                vec![r#"=HYPERLINK("http://x","y")"#.to_string(), "-1.5".into()],
                vec!["+86 138".into(), "@SUM(A1)".into()],
                vec!["\tcmd".into(), "-".into()],
            ],
        );
        let lines: Vec<&str> = doc.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[1], r#""'=HYPERLINK(""http://x"",""y"")",-1.5"#);
        assert_eq!(lines[2], "'+86 138,'@SUM(A1)");
        assert_eq!(lines[3], "'\tcmd,'-");
    }

    #[test]
    fn bom_quoting_and_crlf() {
        let s = csv(
            &["a", "b"],
            [vec!["x,y".to_string(), "say \"hi\"".to_string()]],
        );
        assert_eq!(s, "\u{feff}a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n");
        // What we write, our loader reads back.
        let (t, r) =
            crate::table::load(s.as_bytes(), "x.csv", &Default::default(), &mut ()).unwrap();
        assert_eq!(
            (r.encoding.as_str(), t.columns[1].text(0).as_str()),
            ("UTF-8", "say \"hi\"")
        );
    }
}
