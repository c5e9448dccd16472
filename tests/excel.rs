//! Excel input: a workbook reads as its CSV does. The wealth scenario's two
//! files are written as .xlsx the way an analyst's copy looks (a merged
//! title row above the header, numbers as numbers, dates as Excel dates
//! with a date format, ids as text, a notes sheet beside the data) and the
//! scenario's recipe is run on them: the same columns, types and values,
//! and the same model, figures and candidates as on the CSV.

mod common;

use common::root;
use kequn::recipe::{self, Recipe};
use kequn::table::{load, LoadOptions};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// The CSV as an Excel user's workbook: sheet "数据" with a title row, and
/// a second sheet "说明".
fn workbook(csv: &str, title: &str) -> Vec<u8> {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let sheet = book.add_worksheet().set_name("数据").unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    sheet
        .merge_range(0, 0, 0, header.len() as u16 - 1, title, &Format::new())
        .unwrap();
    for (j, h) in header.iter().enumerate() {
        sheet.write_string(1, j as u16, h).unwrap();
    }
    for (i, rec) in reader.records().enumerate() {
        let row = i as u32 + 2;
        for (j, v) in rec.unwrap().iter().enumerate() {
            let col = j as u16;
            let is_date = v.len() >= 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-';
            if v.is_empty() {
                continue;
            } else if is_date {
                let d = ExcelDateTime::parse_from_str(v).unwrap();
                let f = if v.len() > 10 { &stamp } else { &date };
                sheet.write_datetime_with_format(row, col, &d, f).unwrap();
            } else if let (Ok(n), false) = (
                v.parse::<f64>(),
                v.starts_with('0') && v.len() > 1 && !v.contains('.'),
            ) {
                sheet.write_number(row, col, n).unwrap();
            } else {
                sheet.write_string(row, col, v).unwrap();
            }
        }
    }
    let notes = book.add_worksheet().set_name("说明").unwrap();
    notes
        .write_string(0, 0, "导出自核心系统，金额单位：元")
        .unwrap();
    book.save_to_buffer().unwrap()
}

fn scenario(file: &str) -> String {
    std::fs::read_to_string(root().join("data/scenarios/wealth").join(file)).unwrap()
}

#[test]
fn a_workbook_reads_as_its_csv() {
    for file in ["user_base.csv", "user_behavior_assets.csv"] {
        let text = scenario(file);
        let xlsx = workbook(&text, "客户明细（2024年10月）");
        let (want, _) = load(text.as_bytes(), file, &LoadOptions::default(), &mut ()).unwrap();
        let (got, report) = load(&xlsx, "book.xlsx", &LoadOptions::default(), &mut ()).unwrap();
        assert_eq!(report.sheet.as_deref(), Some("数据"));
        assert_eq!(report.sheets, ["数据", "说明"]);
        assert_eq!(report.encoding, "xlsx");
        assert_eq!(
            report.header_line, 2,
            "the title row above the header is skipped"
        );
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("数据") && w.contains("说明"))
                && report.warnings_zh.iter().any(|w| w.contains("工作表")),
            "{:?}",
            report.warnings
        );
        assert_eq!(got.rows(), want.rows(), "{file}");
        assert_eq!(got.columns.len(), want.columns.len());
        for (g, w) in got.columns.iter().zip(&want.columns) {
            assert_eq!((&g.name, g.kind), (&w.name, w.kind), "{file}");
            assert!(g.data == w.data, "{file}: column {} differs", g.name);
        }
        // The other sheet on request; a sheet it does not have is named.
        let notes = LoadOptions {
            sheet: Some("说明".into()),
            ..Default::default()
        };
        let e = load(&xlsx, "book.xlsx", &notes, &mut ()).unwrap_err();
        assert_eq!(e.code(), "no_data_rows", "{e}");
        let missing = LoadOptions {
            sheet: Some("Sheet1".into()),
            ..Default::default()
        };
        let e = load(&xlsx, "book.xlsx", &missing, &mut ()).unwrap_err();
        assert_eq!(e.code(), "workbook");
        assert!(
            e.to_string().contains("Sheet1") && e.to_string().contains("数据, 说明"),
            "{e}"
        );
        assert!(e.zh().contains("没有名为“Sheet1”的工作表"), "{}", e.zh());
    }
}

#[test]
fn the_wealth_recipe_on_workbooks_gives_the_csv_results() {
    let path = root().join("data/recipes/wealth.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let csv_files: Vec<(String, Vec<u8>)> = ["user_base.csv", "user_behavior_assets.csv"]
        .iter()
        .map(|f| (f.to_string(), scenario(f).into_bytes()))
        .collect();
    let want = recipe::run(
        &Recipe::from_json(&text).unwrap(),
        &recipe::view(&csv_files),
        &mut (),
    )
    .unwrap();
    let xlsx_text = text.replace(".csv", ".xlsx");
    let xlsx_files: Vec<(String, Vec<u8>)> = csv_files
        .iter()
        .map(|(n, b)| {
            (
                n.replace(".csv", ".xlsx"),
                workbook(std::str::from_utf8(b).unwrap(), "明细"),
            )
        })
        .collect();
    let got = recipe::run(
        &Recipe::from_json(&xlsx_text).unwrap(),
        &recipe::view(&xlsx_files),
        &mut (),
    )
    .unwrap();
    let (g, w) = (got.model.as_ref().unwrap(), want.model.as_ref().unwrap());
    assert_eq!(g.metrics.auc, w.metrics.auc);
    assert_eq!(g.cv_auc, w.cv_auc);
    assert!(!w.candidates.is_empty());
    assert_eq!(g.candidates, w.candidates);
    assert_eq!(g.coefficients, w.coefficients);
    // `kequn run` says which sheet it read.
    let text = kequn::export::text::report(&got);
    assert!(
        text.contains("user_base.xlsx: ")
            && text.contains("encoding xlsx, delimiter ',', header yes, sheet '数据'"),
        "{}",
        &text[..text.len().min(400)]
    );
}

#[test]
fn a_broken_workbook_says_what_to_do_in_both_languages() {
    let mut bytes = workbook("a,b\n1,2\n", "t");
    bytes.truncate(bytes.len() / 2);
    let e = load(&bytes, "cut.xlsx", &LoadOptions::default(), &mut ()).unwrap_err();
    assert_eq!(e.code(), "workbook");
    assert_eq!(e.file(), Some("cut.xlsx"));
    assert!(e.to_string().contains("save it again"), "{e}");
    assert!(e.zh().contains("另存为"), "{}", e.zh());
    // A sheet asked of a CSV is an error, not ignored.
    let opts = LoadOptions {
        sheet: Some("数据".into()),
        ..Default::default()
    };
    let e = load(b"a,b\n1,2\n", "a.csv", &opts, &mut ()).unwrap_err();
    assert_eq!(e.code(), "workbook");
}
