//! All results of a run as one XLSX workbook, in the wasm core as natively:
//! a summary sheet, then one sheet per result table — the same tables the
//! CSV downloads are written from. Each sheet's XML is made in pieces of
//! rows, straight into the package (`archive.rs`: deflate level 3, the
//! pieces side by side), strings inline, so a million-row sheet never
//! becomes a map of cells or a shared-string table (rust_xlsxwriter held
//! every cell, 12.9 s and 2.2 GB for the retail run at 1,000,000
//! customers; its constant-memory mode needs a temporary file, which the
//! browser has not).

use std::fmt::Write as _;

use super::archive::{failed, Archive};
use super::{
    alerts_sheet, candidates_sheet, migration_sheet, monitor_sheet, offers_sheet, plans_sheet,
    rules_sheet, segment_plans_sheet, segments_sheet, Cell, Sheet,
};
use crate::recipe::Report;
use crate::Result;

/// Rows a worksheet holds below its header (Excel's limit is 1,048,576).
pub const MAX_ROWS: usize = 1_048_575;

/// Rows of a sheet made and deflated as one piece (a few MB of XML: the
/// pieces are fixed by the rows, not by the threads).
const ROWS_PER_PIECE: usize = 16_384;

fn kv(key: &str, value: impl ToString) -> Vec<Cell<'_>> {
    vec![Cell::Text(key.into()), Cell::Text(value.to_string().into())]
}

fn num(key: &str, value: f64, decimals: usize) -> Vec<Cell<'_>> {
    vec![Cell::Text(key.into()), Cell::Number(value, decimals)]
}

/// The run at a glance: inputs, label, model, segments, rules.
fn summary(report: &Report, truncated: &[String]) -> Sheet<'static> {
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
            b.offers_total() as f64,
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
fn profiles_sheet(s: &crate::segment::report::SegmentReport) -> Sheet<'_> {
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
                    Cell::Text(n.name.clone().into()),
                    Cell::Number(p.size as f64, 0),
                    Cell::Number(p.share, 4),
                    Cell::Text(p.distinguishing.join("; ").into()),
                    Cell::Text(n.strategy.clone().into()),
                    Cell::Text(n.service.clone().into()),
                ]
            })
            .collect(),
    }
}

fn coefficients_sheet(m: &crate::score::analysis::ModelReport) -> Sheet<'_> {
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
                    Cell::Text(c.feature.clone().into()),
                    Cell::Text(c.source.clone().into()),
                    Cell::Number(c.coef, 6),
                    Cell::Number(c.odds_ratio, 6),
                ]
            })
            .collect(),
    }
}

/// Mean |contribution| per source column (log-odds).
fn drivers_sheet(m: &crate::score::analysis::ModelReport) -> Sheet<'_> {
    Sheet {
        name: "驱动因素 drivers".into(),
        head: ["来源列 column", "平均贡献 mean |contribution|"]
            .map(String::from)
            .to_vec(),
        rows: m
            .importance
            .iter()
            .map(|(c, v)| vec![Cell::Text(c.clone().into()), Cell::Number(*v, 6)])
            .collect(),
    }
}

/// The models fitted side by side.
fn comparison_sheet(m: &crate::score::analysis::ModelReport) -> Sheet<'_> {
    let opt = |v: Option<f64>| v.map_or(Cell::Text("".into()), |v| Cell::Number(v, 6));
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
                    Cell::Text(r.kind.clone().into()),
                    Cell::Number(r.test_auc, 6),
                    opt(r.cv_auc),
                    opt(r.cv_sd),
                    Cell::Number(r.ks, 6),
                    Cell::Number(r.fit_seconds, 3),
                    Cell::Text(if r.chosen { "★" } else { "" }.into()),
                ]
            })
            .collect(),
    }
}

/// Every result table of `report`, in the order of the analysis.
pub fn sheets(report: &Report) -> Vec<Sheet<'_>> {
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
            &s.names.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
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
            b.product_targets.iter().flat_map(|t| &t.customers),
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
    let all: Vec<Sheet> = std::iter::once(summary(report, &truncated))
        .chain(tables)
        .collect();
    package(&all)
}

/// The XLSX package of `all`, the first sheet selected.
fn package(all: &[Sheet]) -> Result<Vec<u8>> {
    for s in all {
        check_name(&s.name)?;
    }
    let mut zip = Archive::new();
    let mut part = |name: &str, xml: String| zip.entry(name, 1, |_| Ok(xml.clone()));
    part("[Content_Types].xml", content_types(all.len()))?;
    part("_rels/.rels", ROOT_RELS.into())?;
    part("xl/workbook.xml", workbook_xml(all))?;
    part("xl/_rels/workbook.xml.rels", workbook_rels(all.len()))?;
    part("xl/styles.xml", STYLES.into())?;
    for (i, s) in all.iter().enumerate() {
        let rows = s.rows.len().min(MAX_ROWS);
        let pieces = rows.div_ceil(ROWS_PER_PIECE).max(1);
        zip.entry(&format!("xl/worksheets/sheet{}.xml", i + 1), pieces, |k| {
            let mut x = if k == 0 {
                sheet_head(s, i == 0)
            } else {
                String::new()
            };
            let r = k * ROWS_PER_PIECE..((k + 1) * ROWS_PER_PIECE).min(rows);
            sheet_rows(&mut x, s, r);
            if k + 1 == pieces {
                x.push_str("</sheetData></worksheet>");
            }
            Ok(x)
        })?;
    }
    zip.finish()
}

/// Excel's rules for a sheet name (its own error otherwise, on opening).
fn check_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name.chars().count() > 31
        || name.contains(['[', ']', ':', '*', '?', '/', '\\'])
        || name.starts_with('\'')
        || name.ends_with('\'');
    if bad {
        return Err(failed(format!(
            "sheet name '{name}' is not one Excel accepts (1 to 31 characters, none of []:*?/\\)"
        )));
    }
    Ok(())
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

const ROOT_RELS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>",
    "</Relationships>"
);

/// Cell styles: 0 plain, 1 bold (headers), 2 + d a number shown with d
/// decimals (d = 0: "#,##0", Excel's built-in format 3).
const STYLES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    "<numFmts count=\"6\"><numFmt numFmtId=\"164\" formatCode=\"0.0\"/><numFmt numFmtId=\"165\" formatCode=\"0.00\"/>",
    "<numFmt numFmtId=\"166\" formatCode=\"0.000\"/><numFmt numFmtId=\"167\" formatCode=\"0.0000\"/>",
    "<numFmt numFmtId=\"168\" formatCode=\"0.00000\"/><numFmt numFmtId=\"169\" formatCode=\"0.000000\"/></numFmts>",
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>",
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>",
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>",
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>",
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    "<cellXfs count=\"9\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/>",
    "<xf numFmtId=\"3\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"165\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"166\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"167\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"168\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>",
    "<xf numFmtId=\"169\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>",
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>",
    "</styleSheet>"
);

fn content_types(sheets: usize) -> String {
    let mut x = format!(
        "{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
    );
    for i in 1..=sheets {
        let _ = write!(
            x,
            "<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        );
    }
    x.push_str("</Types>");
    x
}

fn workbook_xml(sheets: &[Sheet]) -> String {
    let mut x = format!("{XML_HEAD}<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheets>");
    for (i, s) in sheets.iter().enumerate() {
        x.push_str("<sheet name=\"");
        escape(&mut x, &s.name);
        let _ = write!(x, "\" sheetId=\"{}\" r:id=\"rId{}\"/>", i + 1, i + 1);
    }
    x.push_str("</sheets></workbook>");
    x
}

fn workbook_rels(sheets: usize) -> String {
    let mut x = format!(
        "{XML_HEAD}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    );
    for i in 1..=sheets {
        let _ = write!(
            x,
            "<Relationship Id=\"rId{i}\" Type=\"{REL_NS}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"
        );
    }
    let _ = write!(
        x,
        "<Relationship Id=\"rId{}\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/></Relationships>",
        sheets + 1
    );
    x
}

/// Text as XML character data: the five escapes, and the control
/// characters XML 1.0 forbids as Excel writes them (`_x0001_`).
fn escape(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "_x{:04X}_", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// Column `c` (0-based) as Excel names it: A … Z, AA …
fn column_name(out: &mut String, c: usize) {
    let mut c = c + 1;
    let mut letters = [0u8; 3];
    let mut n = 0;
    while c > 0 {
        letters[n] = b'A' + ((c - 1) % 26) as u8;
        c = (c - 1) / 26;
        n += 1;
    }
    for &l in letters[..n].iter().rev() {
        out.push(l as char);
    }
}

/// A cell's start: `<c`, its reference only where `placed` is false — a
/// reader puts a cell without one after the row's last (ECMA-376 makes it
/// optional; references were 14% of a segments sheet's XML) — its style.
fn cell_start(out: &mut String, c: usize, r: u32, placed: bool, style: u8) {
    out.push_str("<c");
    if !placed {
        out.push_str(" r=\"");
        column_name(out, c);
        let _ = write!(out, "{r}\"");
    }
    if style != 0 {
        let _ = write!(out, " s=\"{style}\"");
    }
}

fn text_cell(out: &mut String, c: usize, r: u32, placed: bool, style: u8, text: &str) {
    cell_start(out, c, r, placed, style);
    out.push_str(" t=\"inlineStr\"><is><t");
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        out.push_str(" xml:space=\"preserve\"");
    }
    out.push('>');
    escape(out, text);
    out.push_str("</t></is></c>");
}

/// A worksheet's XML up to its rows: frozen header row, column widths
/// from the headers, the header row.
fn sheet_head(s: &Sheet, selected: bool) -> String {
    let mut x = format!(
        "{XML_HEAD}<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheetViews><sheetView{} workbookViewId=\"0\">\
         <pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
         <selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews>\
         <sheetFormatPr defaultRowHeight=\"15\"/>",
        if selected { " tabSelected=\"1\"" } else { "" }
    );
    if !s.head.is_empty() {
        x.push_str("<cols>");
        for (c, h) in s.head.iter().enumerate() {
            let width = (h.chars().count() as f64 * 1.6).clamp(10.0, 48.0);
            let _ = write!(
                x,
                "<col min=\"{0}\" max=\"{0}\" width=\"{1}\" customWidth=\"1\"/>",
                c + 1,
                width + 0.71
            );
        }
        x.push_str("</cols>");
    }
    x.push_str("<sheetData><row r=\"1\">");
    for (c, h) in s.head.iter().enumerate() {
        text_cell(&mut x, c, 1, true, 1, h);
    }
    x.push_str("</row>");
    x
}

/// The XML of the sheet's rows `range` (0-based, below the header).
fn sheet_rows(x: &mut String, s: &Sheet, range: std::ops::Range<usize>) {
    for (i, row) in s.rows[range.clone()].iter().enumerate() {
        let r = (range.start + i + 2) as u32;
        let _ = write!(x, "<row r=\"{r}\">");
        // Whether a reader would put the next cell here unreferenced: at
        // the row's start, or after a cell written.
        let mut placed = true;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(t) if t.is_empty() => {
                    placed = false;
                    continue;
                }
                Cell::Text(t) => text_cell(x, c, r, placed, 0, t),
                // Excel has no NaN or infinity: such a figure is shown as text.
                Cell::Number(v, _) if !v.is_finite() => {
                    text_cell(x, c, r, placed, 0, &v.to_string())
                }
                Cell::Number(v, d) => {
                    cell_start(x, c, r, placed, 2 + (*d).min(6) as u8);
                    // Rust prints the shortest decimal that reads back as the same double.
                    let _ = write!(x, "><v>{v}</v></c>");
                }
            }
            placed = true;
        }
        x.push_str("</row>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn columns_are_named_as_excel_names_them() {
        let name = |c| {
            let mut s = String::new();
            column_name(&mut s, c);
            s
        };
        assert_eq!(
            [0, 25, 26, 51, 701, 702, 16383].map(name),
            ["A", "Z", "AA", "AZ", "ZZ", "AAA", "XFD"]
        );
    }

    #[test]
    fn text_is_escaped_and_control_characters_encoded() {
        let mut s = String::new();
        escape(&mut s, "a<b & \"c\"\u{1}\td");
        assert_eq!(s, "a&lt;b &amp; &quot;c&quot;_x0001_\td");
    }

    #[test]
    fn a_package_reads_back_cell_for_cell() {
        use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
        let sheets = vec![
            Sheet {
                name: "甲 first".into(),
                head: vec!["名 name".into(), "值 value".into(), "x".into()],
                rows: vec![
                    vec![
                        Cell::Text(" a<b> & \"c\" ".into()),
                        Cell::Number(0.1 + 0.2, 3),
                        Cell::Text("".into()),
                    ],
                    vec![
                        Cell::Text("tab\there\u{1}".into()),
                        Cell::Number(f64::NAN, 0),
                        Cell::Number(-1.5e-300, 6),
                    ],
                    // Cells after a gap keep their column.
                    vec![
                        Cell::Text("".into()),
                        Cell::Text("gap".into()),
                        Cell::Number(7.0, 0),
                    ],
                    vec![
                        Cell::Text("x".into()),
                        Cell::Text("".into()),
                        Cell::Number(8.0, 0),
                    ],
                ],
            },
            // Three pieces of rows.
            Sheet {
                name: "乙 second".into(),
                head: vec!["n".into()],
                rows: (0..2 * ROWS_PER_PIECE + 30)
                    .map(|i| vec![Cell::Number(i as f64, 0)])
                    .collect(),
            },
        ];
        let bytes = crate::par::with_threads(1, || package(&sheets).unwrap());
        assert_eq!(
            bytes,
            crate::par::with_threads(3, || package(&sheets).unwrap()),
            "same sheets, same bytes, on one thread and on three"
        );
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["甲 first", "乙 second"]);
        let first = book.worksheet_range("甲 first").unwrap();
        assert_eq!(first.get((0, 1)), Some(&Data::String("值 value".into())));
        assert_eq!(
            first.get((1, 0)),
            Some(&Data::String(" a<b> & \"c\" ".into()))
        );
        assert_eq!(
            first.get((1, 1)),
            Some(&Data::Float(0.1 + 0.2)),
            "the double itself"
        );
        assert_eq!(first.get((1, 2)), Some(&Data::Empty), "empty text, no cell");
        assert_eq!(first.get((2, 1)), Some(&Data::String("NaN".into())));
        assert_eq!(first.get((2, 2)), Some(&Data::Float(-1.5e-300)));
        assert_eq!(first.get((3, 0)), Some(&Data::Empty));
        assert_eq!(first.get((3, 1)), Some(&Data::String("gap".into())));
        assert_eq!(first.get((3, 2)), Some(&Data::Float(7.0)));
        assert_eq!(first.get((4, 1)), Some(&Data::Empty));
        assert_eq!(first.get((4, 2)), Some(&Data::Float(8.0)));
        let second = book.worksheet_range("乙 second").unwrap();
        let n = 2 * ROWS_PER_PIECE + 30;
        assert_eq!(second.height(), n + 1);
        for i in [0, ROWS_PER_PIECE - 1, ROWS_PER_PIECE, n - 1] {
            assert_eq!(second.get((i + 1, 0)), Some(&Data::Float(i as f64)));
        }
    }

    #[test]
    fn bad_sheet_names_are_refused() {
        assert!(check_name("概览 summary").is_ok());
        assert!(check_name("a/b").is_err());
        assert!(check_name(&"x".repeat(32)).is_err());
    }
}
