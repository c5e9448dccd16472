//! All results of a run as one XLSX workbook (rust_xlsxwriter, in the wasm
//! core as natively): a summary sheet, then one sheet per result table —
//! the same tables the CSV downloads are written from.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::{
    alerts_sheet, candidates_sheet, migration_sheet, monitor_sheet, offers_sheet, plans_sheet,
    rules_sheet, segment_plans_sheet, segments_sheet, Cell, Sheet,
};
use crate::recipe::Report;
use crate::{Error, Result};

/// Rows a worksheet holds below its header (Excel's limit is 1,048,576).
pub const MAX_ROWS: usize = 1_048_575;

fn failed(e: XlsxError) -> Error {
    Error::Analysis {
        detail: format!("the workbook could not be written: {e}"),
        detail_zh: format!("无法生成 Excel 工作簿：{e}"),
    }
}

fn kv(key: &str, value: impl ToString) -> Vec<Cell> {
    vec![Cell::Text(key.into()), Cell::Text(value.to_string())]
}

fn num(key: &str, value: f64, decimals: usize) -> Vec<Cell> {
    vec![Cell::Text(key.into()), Cell::Number(value, decimals)]
}

/// The run at a glance: inputs, label, model, segments, rules.
fn summary(report: &Report, truncated: &[String]) -> Sheet {
    let mut rows = vec![kv("配方 recipe", &report.recipe)];
    for t in &report.tables {
        rows.push(kv(
            "文件 file",
            format!(
                "{}: {} 行 rows × {} 列 columns, {}",
                t.load.file, t.load.rows, t.load.columns, t.load.encoding
            ),
        ));
    }
    if let Some(l) = &report.label {
        rows.push(kv("标签规则 label rule", &l.rule));
        rows.push(num("正例 positives", l.positives as f64, 0));
        rows.push(num("行数 rows", l.rows as f64, 0));
    }
    if let Some(m) = &report.model {
        rows.push(kv("模型 model", &m.kind));
        rows.push(num("AUC", m.metrics.auc, 6));
        rows.push(num("KS", m.metrics.ks, 6));
        rows.push(num("准确率 accuracy", m.metrics.accuracy, 6));
        rows.push(num("精确率 precision", m.metrics.precision, 6));
        rows.push(num("召回率 recall", m.metrics.recall, 6));
        rows.push(num("F1", m.metrics.f1, 6));
        if let Some(cv) = m.cv_auc {
            rows.push(num("交叉验证 AUC cross-validated", cv, 6));
        }
        if !m.leakage_removed.is_empty() {
            rows.push(kv(
                "防泄漏移除 leakage guard removed",
                m.leakage_removed.join(", "),
            ));
        }
    }
    if let Some(s) = &report.segment {
        rows.push(kv("分群方法 segmentation", &s.method));
        rows.push(num("分群数 K", s.k as f64, 0));
        if let Some(sel) = &s.selection {
            rows.push(kv("K 的依据 why this K", &sel.reason_zh));
        }
        if let Some(m) = &s.migration {
            rows.push(kv("迁移 migration", &m.file));
            rows.push(num("留存 stayed", m.stayed, 4));
        }
    }
    if let Some(b) = &report.basket {
        rows.push(num("关联规则 rules", b.overall.rules.len() as f64, 0));
        rows.push(num(
            "交叉销售 cross-sell offers",
            b.cross_sell.len() as f64,
            0,
        ));
    }
    for t in truncated {
        rows.push(kv(
            "已截断 truncated",
            format!("{t}: 仅前 {MAX_ROWS} 行，完整数据请下载 CSV (first {MAX_ROWS} rows; the CSV has all)"),
        ));
    }
    Sheet {
        name: "概览 summary".into(),
        head: vec!["项目 item".into(), "值 value".into()],
        rows,
    }
}

/// Segment profiles: name, size, strategy, service, what sets it apart.
fn profiles_sheet(s: &crate::segment::report::SegmentReport) -> Sheet {
    Sheet {
        name: "分群画像 profiles".into(),
        head: [
            "分群 segment",
            "名称 name",
            "人数 size",
            "占比 share",
            "显著特征 distinguishing",
            "营销策略 strategy",
            "服务重点 service",
        ]
        .map(String::from)
        .to_vec(),
        rows: s
            .profiles
            .iter()
            .zip(&s.names)
            .map(|(p, n)| {
                vec![
                    Cell::Number(p.segment as f64, 0),
                    Cell::Text(n.name.clone()),
                    Cell::Number(p.size as f64, 0),
                    Cell::Number(p.share, 4),
                    Cell::Text(p.distinguishing.join("; ")),
                    Cell::Text(n.strategy.clone()),
                    Cell::Text(n.service.clone()),
                ]
            })
            .collect(),
    }
}

fn coefficients_sheet(m: &crate::score::analysis::ModelReport) -> Sheet {
    Sheet {
        name: "系数 coefficients".into(),
        head: [
            "特征 feature",
            "来源列 source",
            "系数 coef",
            "优势比 odds ratio",
        ]
        .map(String::from)
        .to_vec(),
        rows: m
            .coefficients
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.feature.clone()),
                    Cell::Text(c.source.clone()),
                    Cell::Number(c.coef, 6),
                    Cell::Number(c.odds_ratio, 6),
                ]
            })
            .collect(),
    }
}

/// Mean |contribution| per source column (log-odds).
fn drivers_sheet(m: &crate::score::analysis::ModelReport) -> Sheet {
    Sheet {
        name: "驱动因素 drivers".into(),
        head: ["来源列 column", "平均贡献 mean |contribution|"]
            .map(String::from)
            .to_vec(),
        rows: m
            .importance
            .iter()
            .map(|(c, v)| vec![Cell::Text(c.clone()), Cell::Number(*v, 6)])
            .collect(),
    }
}

/// The models fitted side by side.
fn comparison_sheet(m: &crate::score::analysis::ModelReport) -> Sheet {
    let opt = |v: Option<f64>| v.map_or(Cell::Text(String::new()), |v| Cell::Number(v, 6));
    Sheet {
        name: "模型对比 models".into(),
        head: [
            "模型 model",
            "测试 AUC test AUC",
            "交叉验证 AUC CV AUC",
            "标准差 CV sd",
            "KS",
            "训练秒数 fit seconds",
            "选用 chosen",
        ]
        .map(String::from)
        .to_vec(),
        rows: m
            .comparison
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.kind.clone()),
                    Cell::Number(r.test_auc, 6),
                    opt(r.cv_auc),
                    opt(r.cv_sd),
                    Cell::Number(r.ks, 6),
                    Cell::Number(r.fit_seconds, 3),
                    Cell::Text(if r.chosen {
                        "★".into()
                    } else {
                        String::new()
                    }),
                ]
            })
            .collect(),
    }
}

/// Every result table of `report`, in the order of the analysis.
pub fn sheets(report: &Report) -> Vec<Sheet> {
    let mut out = Vec::new();
    if let Some(m) = &report.model {
        out.push(candidates_sheet(&m.candidates));
        if !m.coefficients.is_empty() {
            out.push(coefficients_sheet(m));
        }
        out.push(drivers_sheet(m));
        if m.comparison.len() > 1 {
            out.push(comparison_sheet(m));
        }
        if let Some(s) = &m.scorecard {
            out.push(crate::export::scorecard_sheet(s));
            out.push(crate::export::iv_sheet(s));
        }
    }
    if let Some(a) = &report.applied {
        let mut s = candidates_sheet(&a.candidates);
        s.name = "模型打分 applied".into();
        out.push(s);
        if let Some(m) = &a.monitor {
            out.push(monitor_sheet(m));
        }
    }
    if let Some(s) = &report.segment {
        out.push(profiles_sheet(s));
        out.push(segments_sheet(
            &s.ids,
            &s.labels,
            &s.segment_names(),
            &s.memberships,
        ));
        if let Some(m) = &s.migration {
            out.push(migration_sheet(m));
        }
    }
    if let Some(b) = &report.basket {
        out.push(rules_sheet(&b.rule_sets()));
        out.push(offers_sheet("交叉销售 cross-sell", &b.cross_sell));
        out.push(offers_sheet(
            "产品目标客户 product targets",
            &b.target_offers(),
        ));
    }
    if let Some(p) = &report.plan {
        if !p.customers.is_empty() {
            out.push(plans_sheet(&p.customers));
        }
        if !p.segments.is_empty() {
            out.push(segment_plans_sheet(&p.segments));
        }
    }
    if !report.alerts.is_empty() {
        out.push(alerts_sheet(&report.alerts));
    }
    out
}

/// The workbook's bytes: the summary, then every result table of `report`.
pub fn workbook(report: &Report) -> Result<Vec<u8>> {
    let tables = sheets(report);
    let truncated: Vec<String> = tables
        .iter()
        .filter(|s| s.rows.len() > MAX_ROWS)
        .map(|s| s.name.clone())
        .collect();
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let formats: Vec<Format> = (0..=6)
        .map(|d| {
            Format::new().set_num_format(if d == 0 {
                "#,##0".to_string()
            } else {
                format!("0.{}", "0".repeat(d))
            })
        })
        .collect();
    for s in std::iter::once(summary(report, &truncated)).chain(tables) {
        let ws = book.add_worksheet();
        ws.set_name(&s.name).map_err(failed)?;
        for (c, h) in s.head.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(failed)?;
            ws.set_column_width(c as u16, (h.chars().count() as f64 * 1.6).clamp(10.0, 48.0))
                .map_err(failed)?;
        }
        ws.set_freeze_panes(1, 0).map_err(failed)?;
        for (r, row) in s.rows.iter().take(MAX_ROWS).enumerate() {
            let r = (r + 1) as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) if t.is_empty() => {}
                    Cell::Text(t) => {
                        ws.write_string(r, c, t).map_err(failed)?;
                    }
                    Cell::Number(x, d) => {
                        ws.write_number_with_format(r, c, *x, &formats[(*d).min(6)])
                            .map_err(failed)?;
                    }
                }
            }
        }
    }
    book.save_to_buffer().map_err(failed)
}
