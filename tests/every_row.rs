//! The every-row score export: `candidates.all` lists every scored row,
//! by row number when the file has no id column, with its decile and (when
//! the run segmented) its segment; the CSV says which.
#![cfg(not(target_arch = "wasm32"))]

use kequn::recipe::{run_owned, Recipe};

mod common;

fn telco() -> Vec<(String, Vec<u8>)> {
    common::shared_file("telco-customer-churn.csv")
}

fn recipe(candidates: &str) -> Recipe {
    Recipe::from_json(&format!(
        r#"{{ "name": "every row", "inputs": [{{ "file": "telco-customer-churn.csv" }}],
        "label": {{ "rule": "Churn == \"Yes\"" }}, "drop": ["customerID"],
        "model": {{ "kind": "logistic", "test_share": 0.3, "seed": 42 }},
        "candidates": {candidates},
        "segment": {{ "method": "kmeans", "k": 3, "columns": ["tenure", "MonthlyCharges"], "seed": 42 }} }}"#
    ))
    .unwrap()
}

#[test]
fn every_row_by_row_number_with_decile_and_segment() {
    let report = run_owned(&recipe(r#"{ "all": true }"#), telco(), None, &mut ()).unwrap();
    let m = report.model.as_ref().unwrap();
    let seg = report.segment.as_ref().unwrap();
    assert_eq!(m.candidates.len(), 7043);
    // Every row once, best first; no id column: the ids are blank and the rows are the key.
    let mut rows: Vec<usize> = m.candidates.iter().map(|c| c.row).collect();
    rows.sort_unstable();
    assert_eq!(rows, (0..7043).collect::<Vec<_>>());
    assert!(m.candidates.iter().all(|c| c.id.is_empty()));
    assert!(m
        .candidates
        .windows(2)
        .all(|w| w[0].probability >= w[1].probability));
    // Deciles: equal-count tenths down the ranking (704 or 705 each).
    let mut counts = [0usize; 11];
    for c in &m.candidates {
        counts[c.decile as usize] += 1;
    }
    assert_eq!(counts[0], 0);
    assert!(
        counts[1..].iter().all(|&n| n == 704 || n == 705),
        "{counts:?}"
    );
    assert!(m.candidates.windows(2).all(|w| w[0].decile <= w[1].decile));
    assert_eq!(m.candidates[0].decile, 1);
    assert_eq!(m.candidates[7042].decile, 10);
    // Each row's segment is the segment step's label for that row.
    for c in &m.candidates {
        let want = &seg.names[seg.labels[c.row] as usize].name;
        assert_eq!(c.segment.as_ref(), Some(want), "row {}", c.row);
    }
    // The CSV names the row-number column, and has the decile and segment.
    let csv = kequn::export::candidates_csv(&m.candidates);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}排名 rank,行号 row,概率 probability,十分位 decile,分群 segment,主要原因 reasons,驱动因素 drivers"
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c = &m.candidates[0];
    assert_eq!(first[1], (c.row + 1).to_string());
    assert_eq!(first[3], "1");
    assert_eq!(first[4], c.segment.as_deref().unwrap());
    assert_eq!(csv.lines().count(), 7044);
}

#[test]
fn an_id_column_and_the_top_still_work_as_before() {
    let report = run_owned(
        &recipe(r#"{ "id": "customerID", "top": 50, "exclude_positive": true }"#),
        telco(),
        None,
        &mut (),
    )
    .unwrap();
    let m = report.model.as_ref().unwrap();
    assert_eq!(m.candidates.len(), 50);
    assert!(m.candidates.iter().all(|c| !c.id.is_empty()));
    let csv = kequn::export::candidates_csv(&m.candidates);
    assert!(
        csv.starts_with("\u{feff}排名 rank,客户 id,概率 probability,十分位 decile,分群 segment")
    );
    // The top 50 of 7043 are all in the first decile.
    assert!(m.candidates.iter().all(|c| c.decile == 1));
}

/// A report written as JSON (what the page keeps in a session file) reads
/// back as the same report: the worker restores it for the downloads.
#[test]
fn a_report_reads_back_from_its_json() {
    let report = run_owned(&recipe(r#"{ "top": 20 }"#), telco(), None, &mut ()).unwrap();
    let json = serde_json::to_string(&report).unwrap();
    let back: kequn::recipe::Report = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

/// Every preset scenario's report (overview, aggregates, joins, models,
/// segments, rules, plans) reads back from its JSON the same.
#[test]
fn every_scenario_report_reads_back() {
    for name in [
        "wealth",
        "corporate_churn",
        "prospects",
        "retail_cross_sell",
        "securities_retention",
        "segmentation",
    ] {
        let path = format!("data/recipes/{name}.json");
        let r = Recipe::from_json(&std::fs::read_to_string(common::root().join(&path)).unwrap())
            .unwrap();
        let files: Vec<String> = r
            .inputs
            .iter()
            .flat_map(|i| std::iter::once(i.file.clone()).chain(i.columns_file.clone()))
            .collect();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let report = common::run_preset(&path, &files);
        let json = serde_json::to_string(&report).unwrap();
        let back: kequn::recipe::Report =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(serde_json::to_string(&back).unwrap(), json, "{name}");
    }
}

/// The recipe's `labels` give the names people use: segment descriptions
/// and names speak of "在网月数", not the column `tenure`.
#[test]
fn display_names_reach_segment_words() {
    let mut r = recipe(r#"{ "top": 10 }"#);
    r.labels = [("tenure", "在网月数"), ("MonthlyCharges", "月费")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let report = run_owned(&r, telco(), None, &mut ()).unwrap();
    let seg = report.segment.as_ref().unwrap();
    let words: Vec<String> = seg
        .names
        .iter()
        .map(|n| n.name.clone())
        .chain(seg.profiles.iter().flat_map(|p| p.distinguishing.clone()))
        .collect();
    assert!(words.iter().any(|w| w.contains("在网月数")), "{words:?}");
    assert!(words.iter().any(|w| w.contains("月费")), "{words:?}");
    assert!(
        words
            .iter()
            .all(|w| !w.contains("tenure") && !w.contains("MonthlyCharges")),
        "{words:?}"
    );
    // The numbers behind the words keep the column's own name.
    assert!(seg.profiles[0].numeric.iter().any(|n| n.column == "tenure"));
}
