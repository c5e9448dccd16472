//! Result tables as files people open: CSV in UTF-8 with a byte-order mark,
//! so Excel on Chinese Windows shows the Chinese text correctly.

use crate::basket::recommend::Offer;
use crate::basket::report::RuleSet;
use crate::score::analysis::Candidate;

/// One CSV field, quoted when it holds a delimiter, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

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

/// The candidate list: rank, id, probability, top reasons.
pub fn candidates_csv(candidates: &[Candidate]) -> String {
    csv(
        &[
            "排名 rank",
            "客户 id",
            "概率 probability",
            "主要原因 reasons",
        ],
        candidates.iter().enumerate().map(|(i, c)| {
            vec![
                (i + 1).to_string(),
                c.id.clone(),
                format!("{:.6}", c.probability),
                c.reasons
                    .iter()
                    .map(|(s, v)| format!("{s} (+{v:.3})"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        }),
    )
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.6}")
    } else {
        "inf".into()
    }
}

/// Association rules of one or more rule sets (overall, per segment).
pub fn rules_csv(sets: &[RuleSet]) -> String {
    csv(
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
        sets.iter().flat_map(|set| {
            set.rules.iter().enumerate().map(move |(k, r)| {
                vec![
                    set.segment.clone().unwrap_or_else(|| "全部 all".into()),
                    r.antecedent.join(" + "),
                    r.consequent.join(" + "),
                    num(r.support),
                    num(r.confidence),
                    num(r.lift),
                    num(r.leverage),
                    num(r.conviction),
                    num(r.antecedent_support),
                    num(r.consequent_support),
                    if set.specific.contains(&k) {
                        "是 yes"
                    } else {
                        ""
                    }
                    .into(),
                ]
            })
        }),
    )
}

/// Cross-sell offers or a product's target list.
pub fn offers_csv(offers: &[Offer]) -> String {
    csv(
        &[
            "客户 id",
            "推荐产品 product",
            "置信度 confidence",
            "提升度 lift",
            "依据规则 rule",
            "分群 segment",
        ],
        offers.iter().map(|o| {
            vec![
                o.id.clone(),
                o.product.clone(),
                num(o.confidence),
                num(o.lift),
                o.rule.clone(),
                o.segment.clone().unwrap_or_default(),
            ]
        }),
    )
}

/// Customer → segment (number and name); rows without an id are numbered.
/// With a Gaussian mixture's `memberships` (rows × segments, flat), each
/// segment's membership probability follows.
pub fn segments_csv(
    ids: &[String],
    labels: &[u32],
    names: &[String],
    memberships: &[f32],
) -> String {
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
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    csv(
        &head,
        labels.iter().enumerate().map(|(i, &l)| {
            let mut row = vec![
                ids.get(i).cloned().unwrap_or_else(|| (i + 1).to_string()),
                l.to_string(),
                names.get(l as usize).cloned().unwrap_or_default(),
            ];
            if soft {
                row.extend(
                    memberships[i * k..(i + 1) * k]
                        .iter()
                        .map(|p| format!("{p:.4}")),
                );
            }
            row
        }),
    )
}

/// The migration matrix: one row per from-segment, counts per to-segment,
/// then the row's total and the share that stayed.
pub fn migration_csv(m: &crate::segment::migrate::Migration) -> String {
    let mut head: Vec<String> = vec!["上月分群 from \\ 本月分群 to".into()];
    head.extend(m.names.iter().cloned());
    head.push("合计 total".into());
    head.push("留存 stayed".into());
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    csv(
        &head,
        m.matrix.iter().enumerate().map(|(i, row)| {
            let total: usize = row.iter().sum();
            let mut out = vec![m.names.get(i).cloned().unwrap_or_default()];
            out.extend(row.iter().map(usize::to_string));
            out.push(total.to_string());
            out.push(if total > 0 {
                format!("{:.4}", row[i] as f64 / total as f64)
            } else {
                String::new()
            });
            out
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
