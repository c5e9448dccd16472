//! The analysis report: one self-contained HTML page (inline styles and SVG
//! charts, no external resource), printable to PDF from the browser.
//! Chinese by default; a button (or `#en` in the address) switches to
//! English. Sections appear for the steps the run made.

use std::fmt::Write;

use crate::plan::template::{human, percent};
use crate::recipe::{Recipe, Report};

/// Text in both languages; CSS shows one.
fn t(zh: &str, en: &str) -> String {
    format!(
        "<span lang=\"zh\">{}</span><span lang=\"en\">{}</span>",
        esc(zh),
        esc(en)
    )
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn table(head: &[String], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table><thead><tr>");
    for h in head {
        let _ = write!(s, "<th>{h}</th>");
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{c}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// A horizontal bar chart as SVG (values ≥ 0).
fn bars(items: &[(String, f64)], label: impl Fn(f64) -> String) -> String {
    let max = items.iter().map(|i| i.1).fold(0.0, f64::max).max(1e-12);
    let h = 22 * items.len() + 4;
    let mut s = format!("<svg class=\"chart\" viewBox=\"0 0 640 {h}\" role=\"img\">");
    for (k, (name, v)) in items.iter().enumerate() {
        let y = 22 * k + 2;
        let w = (v / max * 380.0).max(1.0);
        let _ = write!(
            s,
            "<text x=\"170\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"176\" y=\"{y}\" width=\"{w:.1}\" height=\"16\" fill=\"#2f6fb3\"/><text x=\"{:.1}\" y=\"{}\">{}</text>",
            y + 13,
            esc(name),
            180.0 + w,
            y + 13,
            esc(&label(*v))
        );
    }
    s.push_str("</svg>");
    s
}

/// The ROC curve with the diagonal, as SVG.
fn roc(points: &[(f64, f64)]) -> String {
    roc_curves(&[(String::new(), points)])
}

/// Colours of the curves, one per model.
const CURVE_COLOURS: [&str; 4] = ["#c0392b", "#2471a3", "#229954", "#7d3c98"];

/// One ROC curve per model on one chart, with a legend when named.
fn roc_curves(curves: &[(String, &[(f64, f64)])]) -> String {
    let mut paths = String::new();
    for (c, (name, points)) in curves.iter().enumerate() {
        let colour = CURVE_COLOURS[c % CURVE_COLOURS.len()];
        let mut path = String::new();
        for (k, (x, y)) in points.iter().enumerate() {
            let _ = write!(
                path,
                "{}{:.1},{:.1} ",
                if k == 0 { "M" } else { "L" },
                30.0 + x * 250.0,
                270.0 - y * 250.0
            );
        }
        let _ = write!(
            paths,
            "<path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>"
        );
        if !name.is_empty() {
            let y = 190.0 + 16.0 * c as f64;
            let _ = write!(
                paths,
                "<line x1=\"170\" y1=\"{y}\" x2=\"185\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"2\"/><text x=\"190\" y=\"{}\" font-size=\"11\">{}</text>",
                y + 4.0,
                esc(name)
            );
        }
    }
    format!(
        "<svg class=\"chart roc\" viewBox=\"0 0 300 300\" role=\"img\"><rect x=\"30\" y=\"20\" width=\"250\" height=\"250\" fill=\"none\" stroke=\"#999\"/><path d=\"M30,270 L280,20\" stroke=\"#bbb\" stroke-dasharray=\"4\"/>{paths}<text x=\"155\" y=\"292\" text-anchor=\"middle\">FPR</text><text x=\"12\" y=\"150\" transform=\"rotate(-90 12 150)\" text-anchor=\"middle\">TPR</text></svg>"
    )
}

/// A model kind as the report names it.
fn model_name(kind: &str) -> String {
    match kind {
        "gbdt" => t("梯度提升树", "Gradient-boosted trees"),
        "tree" => t("决策树", "Decision tree"),
        "scorecard" => t("评分卡", "Scorecard"),
        _ => t("逻辑回归", "Logistic regression"),
    }
}

fn kpi(label: String, value: String) -> String {
    format!("<div class=\"kpi\"><div class=\"v\">{value}</div><div class=\"l\">{label}</div></div>")
}

const STYLE: &str = r#"
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px auto;max-width:980px;color:#222;line-height:1.5}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid #2f6fb3;padding-bottom:3px;margin-top:28px}
h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}th,td{border:1px solid #ccd;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef2f8}.kpis{display:flex;flex-wrap:wrap;gap:10px}.kpi{border:1px solid #ccd;border-radius:6px;padding:8px 14px;min-width:120px}
.kpi .v{font-size:20px;font-weight:bold;color:#2f6fb3}.kpi .l{font-size:12px;color:#555}
.chart{width:100%;max-width:640px;font-size:12px}.roc{max-width:300px}.muted{color:#666;font-size:13px}
.alert{background:#fdecea;border-left:4px solid #c0392b;padding:6px 10px;margin:4px 0}
pre{background:#f6f7f9;padding:10px;font-size:12px;white-space:pre-wrap;word-break:break-all}
#lang{float:right}
html:not(.en) [lang=en]{display:none} html.en [lang=zh]{display:none}
section{page-break-inside:auto} @media print{#lang{display:none} h2{page-break-after:avoid}}
"#;

/// The report for `recipe` and its `report`.
pub fn report(recipe: &Recipe, report: &Report) -> String {
    let mut b = String::new();
    let _ = write!(
        b,
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{} — kequn</title><style>{STYLE}</style></head><body>",
        esc(&recipe.name)
    );
    let _ = write!(
        b,
        "<button id=\"lang\" type=\"button\" onclick=\"document.documentElement.classList.toggle('en')\">中文 / English</button><h1>{}</h1><p class=\"muted\">{} {}</p>",
        esc(&recipe.name),
        esc(&recipe.description),
        t(
            "本报告在本机离线生成，客户数据未离开这台电脑。",
            "Made offline on this computer; no customer data left it."
        )
    );
    data_section(&mut b, report);
    model_section(&mut b, report);
    segment_section(&mut b, report);
    basket_section(&mut b, report);
    plan_section(&mut b, report);
    monitor_section(&mut b, report);
    let _ = write!(
        b,
        "<section id=\"appendix\"><h2>{}</h2><p>{}</p><pre>kequn run recipe.json --out results/</pre><pre>{}</pre></section>",
        t("附录：分析配方与复现方法", "Appendix: the recipe, and how to reproduce this run"),
        t(
            "将下面的配方保存为 recipe.json，与同样的数据文件放在一起，在命令行运行下面的命令（或在页面中“载入配方”后运行），即可得到相同的结果。",
            "Save the recipe below as recipe.json next to the same data files and run the command below (or load the recipe in the page and run it) to get the same results."
        ),
        esc(&serde_json::to_string_pretty(recipe).unwrap_or_default())
    );
    b.push_str("<script>if(location.hash==='#en')document.documentElement.classList.add('en')</script></body></html>");
    b
}

fn data_section(b: &mut String, r: &Report) {
    let _ = write!(b, "<section id=\"data\"><h2>{}</h2>", t("数据概况", "Data"));
    let rows: Vec<Vec<String>> = r
        .tables
        .iter()
        .map(|tb| {
            vec![
                esc(tb.load.file.rsplit(['/', '\\']).next().unwrap_or_default()),
                tb.load.rows.to_string(),
                tb.load.columns.to_string(),
                esc(&tb.load.encoding),
            ]
        })
        .collect();
    b.push_str(&table(
        &[
            t("文件", "File"),
            t("行数", "Rows"),
            t("列数", "Columns"),
            t("编码", "Encoding"),
        ],
        &rows,
    ));
    if let Some(a) = &r.aggregate {
        let _ = write!(
            b,
            "<p>{}</p>",
            t(
                &format!(
                    "按“{}”汇总 {} 行明细为 {} 位客户（每位 {}–{} 期；最近 {} 期对比此前），生成 {} 个特征；{} 位客户匹配到明细。",
                    a.report.by, a.report.rows, a.report.entities, a.report.min_periods,
                    a.report.max_periods, a.report.recent, a.report.features.len(), a.join.matched_left
                ),
                &format!(
                    "{} detail rows aggregated by '{}' into {} customers ({}–{} periods each; last {} vs earlier), {} features; {} customers matched.",
                    a.report.rows, a.report.by, a.report.entities, a.report.min_periods,
                    a.report.max_periods, a.report.recent, a.report.features.len(), a.join.matched_left
                )
            )
        );
    }
    if let Some(j) = &r.join {
        let _ = write!(
            b,
            "<p>{}</p>",
            t(
                &format!(
                    "按“{}”关联：{} 行，左表未匹配 {}，右表未匹配 {}。",
                    j.report.key, j.report.rows, j.report.unmatched_left, j.report.unmatched_right
                ),
                &format!(
                    "Joined on '{}': {} rows; {} left and {} right rows unmatched.",
                    j.report.key, j.report.rows, j.report.unmatched_left, j.report.unmatched_right
                )
            )
        );
    }
    if let Some(o) = &r.overview {
        let mut k = vec![kpi(t("客户数", "Customers"), o.customers.to_string())];
        if let Some(v) = o.total_assets {
            k.push(kpi(t("总资产", "Total assets"), human(v)));
        }
        if let Some(v) = o.mean_assets {
            k.push(kpi(t("户均资产", "Mean assets"), human(v)));
        }
        if let Some(l) = r.label.as_ref().filter(|l| l.rows > 0) {
            let rate = l.positives as f64 / l.rows as f64;
            k.push(kpi(t("标签占比", "Label rate"), percent(rate)));
        }
        let _ = write!(b, "<div class=\"kpis\">{}</div>", k.join(""));
    }
    b.push_str("</section>");
}

fn model_section(b: &mut String, r: &Report) {
    let Some(m) = &r.model else {
        if let Some(l) = &r.label {
            let _ = write!(
                b,
                "<section id=\"label\"><h2>{}</h2><p><code>{}</code>: {} / {}</p></section>",
                t("标签定义", "Label"),
                esc(&l.rule),
                l.positives,
                l.rows
            );
        }
        return;
    };
    let x = &m.metrics;
    let _ = write!(
        b,
        "<section id=\"model\"><h2>{}</h2><p>{} <code>{}</code> — {}</p>",
        t("标签定义与模型效果", "Label and model"),
        t("标签规则", "Label rule"),
        esc(&m.label_rule),
        t(
            &format!(
                "{} 行中 {} 个正例（{}）；训练 {} 行，测试 {} 行。",
                m.rows,
                m.positives,
                percent(m.positives as f64 / m.rows.max(1) as f64),
                m.train_rows,
                m.test_rows
            ),
            &format!(
                "{} positives of {} rows ({}); {} training rows, {} test rows.",
                m.positives,
                m.rows,
                percent(m.positives as f64 / m.rows.max(1) as f64),
                m.train_rows,
                m.test_rows
            )
        )
    );
    let _ = write!(
        b,
        "<div class=\"kpis\">{}{}{}{}{}{}</div>",
        kpi("AUC".into(), format!("{:.3}", x.auc)),
        kpi("KS".into(), format!("{:.3}", x.ks)),
        kpi(t("准确率", "Accuracy"), format!("{:.3}", x.accuracy)),
        kpi(t("召回率", "Recall"), format!("{:.3}", x.recall)),
        kpi("F1".into(), format!("{:.3}", x.f1)),
        kpi(
            t("交叉验证 AUC", "CV AUC"),
            m.cv_auc.map_or("—".into(), |v| format!("{v:.3}"))
        ),
    );
    for w in &m.leak_warnings {
        let _ = write!(
            b,
            "<div class=\"alert\">{}</div>",
            t(&w.message_zh, &w.message)
        );
    }
    if m.comparison.len() > 1 {
        let rows: Vec<Vec<String>> = m
            .comparison
            .iter()
            .map(|r| {
                vec![
                    format!(
                        "{}{}",
                        model_name(&r.kind),
                        if r.chosen { " ★" } else { "" }
                    ),
                    format!("{:.3}", r.test_auc),
                    match (r.cv_auc, r.cv_sd) {
                        (Some(a), Some(s)) => format!("{a:.3} ± {s:.3}"),
                        _ => "—".into(),
                    },
                    format!("{:.3}", r.ks),
                    format!("{:.2}", r.fit_seconds),
                ]
            })
            .collect();
        let curves: Vec<(String, &[(f64, f64)])> = m
            .comparison
            .iter()
            .map(|r| (model_name(&r.kind), r.roc.as_slice()))
            .collect();
        let _ = write!(
            b,
            "<h3>{}</h3>{}{}",
            t(
                "模型对比（同一划分与折；★ 生成名单与保存的模型）",
                "Models compared (same split and folds; ★ gives the list and the saved model)"
            ),
            table(
                &[
                    t("模型", "Model"),
                    t("测试 AUC", "Test AUC"),
                    t("交叉验证 AUC", "CV AUC"),
                    "KS".into(),
                    t("训练秒数", "Fit seconds")
                ],
                &rows
            ),
            roc_curves(&curves)
        );
    }
    let _ = write!(
        b,
        "<h3>{}</h3>{}<h3>{}</h3>{}",
        t("ROC 曲线（测试集）", "ROC curve (test rows)"),
        roc(&x.roc),
        t("各十分位提升度", "Lift by decile"),
        bars(
            &x.deciles
                .iter()
                .enumerate()
                .map(|(k, d)| (format!("{}", k + 1), d.lift))
                .collect::<Vec<_>>(),
            |v| format!("{v:.2}")
        )
    );
    let _ = write!(
        b,
        "<h3>{}</h3>{}",
        t(
            "模型解释：各字段的平均贡献",
            "Explanations: mean contribution by column"
        ),
        bars(
            &m.importance.iter().take(12).cloned().collect::<Vec<_>>(),
            |v| format!("{v:.3}")
        )
    );
    let drivers: Vec<Vec<String>> = m
        .candidates
        .iter()
        .take(5)
        .map(|c| {
            vec![
                esc(&c.id),
                percent(c.probability),
                esc(&c
                    .drivers
                    .iter()
                    .map(crate::export::driver_text)
                    .collect::<Vec<_>>()
                    .join("；")),
            ]
        })
        .collect();
    if !drivers.is_empty() {
        let _ = write!(
            b,
            "<h3>{}</h3><p>{}</p>{}",
            t("名单前列客户的驱动因素", "Drivers of the first customers listed"),
            t(
                &format!("从平均客户的 {:+.3}（对数几率）起，各字段按客户自己的取值加减。", m.base_value),
                &format!("From the average customer's {:+.3} (log-odds), each column adds or takes away by the customer's own value.", m.base_value)
            ),
            table(
                &[t("客户", "Customer"), t("概率", "Probability"), t("驱动因素", "Drivers")],
                &drivers
            )
        );
    }
    if let Some(c) = &m.scorecard {
        scorecard_section(b, c);
    }
    if let Some(tree) = &m.tree {
        let rows: Vec<Vec<String>> = tree
            .rules
            .iter()
            .take(8)
            .map(|r| {
                vec![
                    esc(&r.conditions.join(" 且 ")),
                    r.rows.to_string(),
                    percent(r.positive_rate),
                ]
            })
            .collect();
        let _ = write!(
            b,
            "<h3>{}</h3>{}",
            t("决策树规则", "Decision-tree rules"),
            table(
                &[
                    t("条件", "Conditions"),
                    t("客户数", "Rows"),
                    t("正例率", "Positive rate")
                ],
                &rows
            )
        );
    }
    b.push_str("</section>");
}

/// The scorecard: its figures and scaling, the IV ranking, the points
/// table with each bin's counts, and the test scores by label.
fn scorecard_section(b: &mut String, c: &crate::score::analysis::ScorecardReport) {
    let p = &c.params;
    let _ = write!(
        b,
        "<h3>{}</h3><div class=\"kpis\">{}{}{}</div><p class=\"muted\">{}</p>",
        t("评分卡", "Scorecard"),
        kpi(
            t("评分 AUC（测试集）", "Score AUC (test rows)"),
            format!("{:.3}", c.test_auc)
        ),
        kpi("KS".into(), format!("{:.3}", c.test_ks)),
        kpi("Gini".into(), format!("{:.3}", c.test_gini)),
        t(
            &format!(
                "赔率 1:{} 时 {} 分，每 {} 分赔率翻倍（基础分 {}）。{}",
                p.base_odds, p.base_points, p.pdo, c.base_points, c.woe_convention_zh
            ),
            &format!(
                "{} points at odds 1:{}, {} points to double the odds (base points {}). {}",
                p.base_points, p.base_odds, p.pdo, c.base_points, c.woe_convention
            )
        )
    );
    let _ = write!(
        b,
        "<h3>{}</h3>{}",
        t("IV 排名", "IV ranking"),
        bars(
            &c.characteristics
                .iter()
                .map(|ch| (ch.name.clone(), ch.iv()))
                .collect::<Vec<_>>(),
            |v| format!("{v:.4}")
        )
    );
    let dropped: Vec<Vec<String>> = c
        .characteristics
        .iter()
        .filter(|ch| !ch.selected)
        .map(|ch| {
            vec![
                esc(&ch.name),
                format!("{:.4}", ch.iv()),
                t(
                    ch.reason_zh.as_deref().unwrap_or(""),
                    ch.reason.as_deref().unwrap_or(""),
                ),
            ]
        })
        .collect();
    if !dropped.is_empty() {
        b.push_str(&table(
            &[t("未入选特征", "Left out"), "IV".into(), t("原因", "Why")],
            &dropped,
        ));
    }
    let mut rows = Vec::new();
    for ch in c.characteristics.iter().filter(|ch| ch.selected) {
        let Some(bn) = &ch.binning else { continue };
        for row in c.table.iter().filter(|r| r.characteristic == ch.name) {
            let bin = bn.bins.iter().find(|x| x.label == row.bin);
            rows.push(vec![
                esc(&row.characteristic),
                esc(&row.bin),
                bin.map_or("—".into(), |x| x.count.to_string()),
                bin.map_or("—".into(), |x| percent(x.event_rate)),
                format!("{:+.4}", row.woe),
                row.points.to_string(),
            ]);
        }
    }
    let _ = write!(
        b,
        "<h3>{}</h3>{}",
        t("评分卡分值表", "Points table"),
        table(
            &[
                t("特征", "Characteristic"),
                t("分箱", "Bin"),
                t("人数", "Count"),
                t("事件率", "Event rate"),
                "WOE".into(),
                t("分值", "Points"),
            ],
            &rows
        )
    );
    let bands: Vec<Vec<String>> = c
        .bands
        .iter()
        .map(|x| {
            vec![
                format!("{}–{}", x.low, x.high),
                x.rows.to_string(),
                x.events.to_string(),
                x.non_events.to_string(),
                percent(x.event_rate),
            ]
        })
        .collect();
    let _ = write!(
        b,
        "<h3>{}</h3>{}",
        t("测试集评分分布（按标签）", "Test scores by label"),
        table(
            &[
                t("评分", "Score"),
                t("人数", "Rows"),
                t("事件", "Events"),
                t("非事件", "Non-events"),
                t("事件率", "Event rate"),
            ],
            &bands
        )
    );
}

fn segment_section(b: &mut String, r: &Report) {
    let Some(s) = &r.segment else { return };
    let _ = write!(
        b,
        "<section id=\"segments\"><h2>{}</h2><p>{}</p>",
        t("客户分群", "Segments"),
        t(
            &format!("方法 {}，K = {}，共 {} 位客户。", s.method, s.k, s.rows),
            &format!("Method {}, K = {}, {} customers.", s.method, s.k, s.rows)
        )
    );
    if let Some(sel) = &s.selection {
        let _ = write!(b, "<p>{}</p>", t(&sel.reason_zh, &sel.reason_en));
    }
    let rows: Vec<Vec<String>> = s
        .names
        .iter()
        .zip(&s.profiles)
        .map(|(n, p)| {
            vec![
                esc(&n.name),
                format!("{} ({})", p.size, percent(p.share)),
                esc(&p.distinguishing.join("；")),
                esc(&n.strategy),
            ]
        })
        .collect();
    b.push_str(&table(
        &[
            t("客群", "Segment"),
            t("人数（占比）", "Size (share)"),
            t("特征", "Profile"),
            t("策略", "Strategy"),
        ],
        &rows,
    ));
    if let Some(tree) = &s.surrogate {
        let rows: Vec<Vec<String>> = tree
            .rules
            .iter()
            .take(10)
            .map(|r| {
                vec![
                    esc(&s.names[r.class].name),
                    esc(&r.conditions.join(" 且 ")),
                    r.rows.to_string(),
                    percent(r.purity),
                ]
            })
            .collect();
        let _ = write!(
            b,
            "<h3>{}</h3>{}",
            t(
                &format!(
                    "分群规则（代理决策树，留出集一致率 {}）",
                    percent(tree.accuracy)
                ),
                &format!(
                    "Segment rules (surrogate tree, {} held-out fidelity)",
                    percent(tree.accuracy)
                )
            ),
            table(
                &[
                    t("客群", "Segment"),
                    t("条件", "Conditions"),
                    t("客户数", "Rows"),
                    t("纯度", "Purity")
                ],
                &rows
            )
        );
    }
    b.push_str("</section>");
}

fn basket_section(b: &mut String, r: &Report) {
    let Some(k) = &r.basket else { return };
    let rows: Vec<Vec<String>> = k
        .overall
        .rules
        .iter()
        .take(10)
        .map(|x| {
            vec![
                esc(&crate::basket::recommend::rule_text(x)),
                format!("{:.4}", x.support),
                format!("{:.3}", x.confidence),
                format!("{:.3}", x.lift),
            ]
        })
        .collect();
    let _ = write!(
        b,
        "<section id=\"rules\"><h2>{}</h2><p>{}</p>{}</section>",
        t("关联规则与交叉销售", "Association rules and cross-sell"),
        t(
            &format!(
                "{} 位客户，{} 条规则（支持度 ≥ {}，置信度 ≥ {}）；交叉销售推荐 {} 条，营销冷静期排除 {} 位客户。",
                k.customers,
                k.overall.rules.len(),
                k.params.min_support,
                k.params.min_confidence,
                k.offers_total(),
                k.cool_off_excluded
            ),
            &format!(
                "{} customers, {} rules (support ≥ {}, confidence ≥ {}); {} cross-sell offers, {} customers left out by the cool-off.",
                k.customers,
                k.overall.rules.len(),
                k.params.min_support,
                k.params.min_confidence,
                k.offers_total(),
                k.cool_off_excluded
            )
        ),
        table(
            &[t("规则", "Rule"), t("支持度", "Support"), t("置信度", "Confidence"), t("提升度", "Lift")],
            &rows
        )
    );
}

fn plan_section(b: &mut String, r: &Report) {
    let Some(p) = &r.plan else { return };
    let _ = write!(
        b,
        "<section id=\"plans\"><h2>{}</h2>",
        t("挽留与营销方案", "Retention and marketing plans")
    );
    if !p.customers.is_empty() {
        let total: f64 = p.summary.iter().map(|s| s.expected_retained).sum();
        let value: f64 = p.summary.iter().map(|s| s.expected_value).sum();
        let _ = write!(
            b,
            "<p>{}</p>",
            t(
                &format!(
                    "为流失风险最高的 {} 位客户制定了方案（响应率假设 {}）：预计挽留 {:.1} 位客户、资产 {}；{} 位客户处于营销冷静期。",
                    p.customers.len(),
                    percent(p.response_rate),
                    total,
                    human(value),
                    p.cooling_off
                ),
                &format!(
                    "Plans for the {} highest-risk customers (response rate {}): {:.1} customers and {} of assets expected to be kept; {} customers in the cool-off.",
                    p.customers.len(),
                    percent(p.response_rate),
                    total,
                    human(value),
                    p.cooling_off
                )
            )
        );
        let rows: Vec<Vec<String>> = p
            .summary
            .iter()
            .map(|s| {
                vec![
                    esc(&s.priority),
                    s.customers.to_string(),
                    format!("{:.1}", s.expected_retained),
                    human(s.expected_value),
                ]
            })
            .collect();
        b.push_str(&table(
            &[
                t("优先级", "Priority"),
                t("客户数", "Customers"),
                t("预计挽留", "Expected kept"),
                t("预计挽留资产", "Expected value kept"),
            ],
            &rows,
        ));
        let rows: Vec<Vec<String>> = p
            .customers
            .iter()
            .take(20)
            .map(|c| {
                vec![
                    esc(&c.id),
                    esc(&c.priority),
                    format!("{:.1}%", c.probability * 100.0),
                    esc(&c.channel),
                    esc(&c.timing),
                    esc(&c.drivers.join("；")),
                    esc(&c.talking_points.join(" ")),
                ]
            })
            .collect();
        let _ = write!(
            b,
            "<h3>{}</h3>{}",
            t("前 20 位客户的方案", "Plans of the first 20 customers"),
            table(
                &[
                    t("客户", "Customer"),
                    t("优先级", "Priority"),
                    t("流失概率", "Risk"),
                    t("渠道", "Channel"),
                    t("时机", "Timing"),
                    t("风险原因", "Drivers"),
                    t("话术", "Talking points"),
                ],
                &rows
            )
        );
    }
    if !p.segments.is_empty() {
        let rows: Vec<Vec<String>> = p
            .segments
            .iter()
            .map(|s| {
                vec![
                    esc(&s.name),
                    s.size.to_string(),
                    esc(&s.priority),
                    esc(&s.channel),
                    esc(&s.talking_points.join(" ")),
                ]
            })
            .collect();
        b.push_str(&table(
            &[
                t("客群", "Segment"),
                t("人数", "Size"),
                t("优先级", "Priority"),
                t("渠道", "Channel"),
                t("方案", "Plan"),
            ],
            &rows,
        ));
    }
    if let Some(f) = &p.feedback {
        let rows: Vec<Vec<String>> = f
            .by_channel
            .iter()
            .chain(&f.by_segment)
            .map(|g| {
                vec![
                    esc(&g.group),
                    g.contacted.to_string(),
                    g.converted.to_string(),
                    percent(g.rate),
                ]
            })
            .collect();
        let _ = write!(
            b,
            "<h3>{}</h3>{}",
            t(
                &format!("触达反馈：{} 人次，转化 {}", f.contacted, percent(f.rate)),
                &format!(
                    "Contact feedback: {} contacts, {} converted",
                    f.contacted,
                    percent(f.rate)
                )
            ),
            table(
                &[
                    t("渠道 / 客群", "Channel / group"),
                    t("触达", "Contacted"),
                    t("转化", "Converted"),
                    t("转化率", "Rate")
                ],
                &rows
            )
        );
    }
    b.push_str("</section>");
}

fn monitor_section(b: &mut String, r: &Report) {
    let monitor = r.applied.as_ref().and_then(|a| a.monitor.as_ref());
    if monitor.is_none() && r.alerts.is_empty() {
        return;
    }
    let _ = write!(
        b,
        "<section id=\"monitor\"><h2>{}</h2>",
        t("月度监控与预警", "Monthly monitoring and alerts")
    );
    for a in &r.alerts {
        let _ = write!(
            b,
            "<div class=\"alert\">{}</div>",
            t(&a.message_zh, &a.message)
        );
    }
    if r.alerts.is_empty() {
        let _ = write!(b, "<p>{}</p>", t("无预警。", "No alerts."));
    }
    if let Some(m) = monitor {
        let rows: Vec<Vec<String>> = std::iter::once(&m.score)
            .chain(&m.features)
            .take(15)
            .map(|p| vec![esc(&p.name), format!("{:.4}", p.psi), esc(&p.level)])
            // A scorecard's characteristic stability.
            .chain(m.csi.iter().map(|p| {
                vec![
                    esc(&format!("CSI {}", p.name)),
                    format!("{:.4}", p.psi),
                    esc(&p.level),
                ]
            }))
            .collect();
        b.push_str(&table(
            &[t("指标", "Measure"), "PSI".into(), t("状态", "Level")],
            &rows,
        ));
    }
    b.push_str("</section>");
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::esc("<a href=\"x\">&"),
            "&lt;a href=&quot;x&quot;&gt;&amp;"
        );
    }
}
