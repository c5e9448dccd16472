//! The XLSX workbook of a run, read back with calamine: a summary sheet and
//! one sheet per result table, numbers as numbers, the same figures as the
//! report.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::run_preset as run;
use kequn::recipe::Report;

fn open(report: &Report) -> Xlsx<Cursor<Vec<u8>>> {
    let bytes = kequn::export::xlsx::workbook(report).unwrap();
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

#[test]
fn the_wealth_run_writes_summary_candidates_and_coefficients() {
    let report = run(
        "data/recipes/wealth.json",
        &["user_base.csv", "user_behavior_assets.csv"],
    );
    let m = report.model.as_ref().unwrap();
    let mut book = open(&report);
    assert_eq!(
        book.sheet_names(),
        [
            "概览 summary",
            "候选客户 candidates",
            "系数 coefficients",
            "驱动因素 drivers",
            "模型对比 models"
        ]
    );
    let summary = book.worksheet_range("概览 summary").unwrap();
    let auc = summary
        .rows()
        .find(|r| r[0] == Data::String("AUC".into()))
        .map(|r| r[1].clone())
        .unwrap();
    assert_eq!(auc, Data::Float(m.metrics.auc));
    let cand = book.worksheet_range("候选客户 candidates").unwrap();
    assert_eq!(cand.height(), m.candidates.len() + 1);
    assert_eq!(
        cand.get((1, 1)),
        Some(&Data::String(m.candidates[0].id.clone()))
    );
    assert_eq!(
        cand.get((1, 2)),
        Some(&Data::Float(m.candidates[0].probability))
    );
    let coef = book.worksheet_range("系数 coefficients").unwrap();
    assert_eq!(coef.height(), m.coefficients.len() + 1);
}

#[test]
fn the_retail_run_writes_segments_rules_and_offers() {
    let report = run(
        "data/recipes/retail_cross_sell.json",
        &["retail.del", "retail_columns.txt"],
    );
    let s = report.segment.as_ref().unwrap();
    let b = report.basket.as_ref().unwrap();
    let mut book = open(&report);
    assert_eq!(
        book.sheet_names(),
        [
            "概览 summary",
            "分群画像 profiles",
            "客户分群 segments",
            "关联规则 rules",
            "交叉销售 cross-sell",
            "产品目标客户 product targets"
        ]
    );
    let seg = book.worksheet_range("客户分群 segments").unwrap();
    assert_eq!(seg.height(), s.labels.len() + 1);
    assert_eq!(seg.get((1, 0)), Some(&Data::String(s.ids[0].clone())));
    assert_eq!(seg.get((1, 1)), Some(&Data::Float(f64::from(s.labels[0]))));
    let profiles = book.worksheet_range("分群画像 profiles").unwrap();
    assert_eq!(profiles.height(), s.k + 1);
    assert_eq!(
        profiles.get((1, 1)),
        Some(&Data::String(s.names[0].name.clone()))
    );
    let rules = book.worksheet_range("关联规则 rules").unwrap();
    let total: usize =
        b.overall.rules.len() + b.segments.iter().map(|x| x.rules.len()).sum::<usize>();
    assert_eq!(rules.height(), total + 1);
    assert_eq!(
        rules.get((1, 4)),
        Some(&Data::Float(b.overall.rules[0].confidence))
    );
    let offers = book.worksheet_range("交叉销售 cross-sell").unwrap();
    assert_eq!(offers.height(), b.cross_sell.len() + 1);
}

#[test]
fn the_securities_run_writes_a_row_per_plan() {
    let report = run(
        "data/recipes/securities_retention.json",
        &["securities_customers.csv", "securities_weekly.csv"],
    );
    let plans = &report.plan.as_ref().unwrap().customers;
    let mut book = open(&report);
    assert!(book.sheet_names().contains(&"挽留方案 plans".to_string()));
    let sheet = book.worksheet_range("挽留方案 plans").unwrap();
    assert_eq!(sheet.height(), plans.len() + 1);
    let first = sheet.rows().nth(1).unwrap();
    assert_eq!(first[1], Data::String(plans[0].id.clone()));
    assert_eq!(first[3], Data::Float(plans[0].probability));
    assert_eq!(first[11], Data::String(plans[0].talking_points.join("\n")));
}

#[test]
fn the_segmentation_run_writes_its_segment_plans() {
    let report = run(
        "data/recipes/segmentation.json",
        &["segmentation_customers.csv"],
    );
    let plans = &report.plan.as_ref().unwrap().segments;
    let mut book = open(&report);
    let sheet = book.worksheet_range("分群策略 segment plans").unwrap();
    assert_eq!(sheet.height(), plans.len() + 1);
    let names: Vec<Data> = sheet.rows().skip(1).map(|r| r[0].clone()).collect();
    let want: Vec<Data> = plans.iter().map(|p| Data::String(p.name.clone())).collect();
    assert_eq!(names, want);
}
