//! The K scan on a seeded sample (`segment.scan_rows`, issue 22): on each
//! scenario that scans K, the sampled scan suggests the K of the scan over
//! every row, and the chosen K fitted on every row afterwards is as good a
//! partition as the full scan's (inertia within 0.5%).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use kequn::recipe::{self, Recipe};
use kequn::synth;

fn preset(path: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(common::root().join(path)).unwrap()).unwrap()
}

/// The scenario's preset recipe (or the benchmark's K scan on the wealth
/// profile) on `rows` generated customers, scanning with `scan_rows`.
fn scan(scenario: &str, rows: u64, scan_rows: usize) -> (usize, usize, f64, usize) {
    let dir = std::env::temp_dir().join(format!("kequn-kscan-{scenario}-{}", std::process::id()));
    let files = synth::write_scenario(scenario, &dir, rows, 3).unwrap();
    let bytes: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(p).unwrap())
        })
        .collect();
    std::fs::remove_dir_all(&dir).ok();
    let mut r: serde_json::Value = match scenario {
        "wealth" => serde_json::json!({
            "inputs": [{ "file": "user_base.csv" }, { "file": "user_behavior_assets.csv" }],
            "join": { "left": "user_base.csv", "right": "user_behavior_assets.csv", "on": "user_id", "how": "inner" },
            "features": { "include": ["age", "monthly_trade_amount", "stock_value", "cash_value",
                "fixed_income_value", "equity_value", "alternative_value", "product_count",
                "trade_count_30d", "app_login_30d", "financial_news_views_30d"], "missing": "median" },
            "segment": { "method": "kmeans", "k_range": [2, 8], "n_init": 3, "seed": 1, "id": "user_id" }
        }),
        "retail" => preset("data/recipes/retail_cross_sell.json"),
        _ => preset("data/recipes/segmentation.json"),
    };
    // The segment step alone: the scan is what is compared.
    let keep = ["inputs", "join", "features", "segment"];
    r.as_object_mut()
        .unwrap()
        .retain(|k, _| keep.contains(&k.as_str()));
    r["segment"]["scan_rows"] = serde_json::json!(scan_rows);
    let recipe = Recipe::from_json(&r.to_string()).unwrap();
    let report = recipe::run(&recipe, &recipe::view(&bytes), &mut ()).unwrap();
    // `kequn run`'s text says when the scan ran on a sample, and only then.
    let text = kequn::export::text::report(&report);
    let seg = report.segment.unwrap();
    let sel = seg.selection.unwrap();
    let said = format!(
        "each K fitted and measured on a seeded sample of {} customers; K = {} then fitted on all {}",
        sel.scan_rows, seg.k, seg.rows
    );
    assert_eq!(text.contains(&said), sel.scan_rows < seg.rows, "{text}");
    (sel.suggested, sel.scan_rows, seg.inertia, seg.labels.len())
}

#[test]
fn a_sampled_scan_suggests_the_full_scans_k_on_every_scenario() {
    for (scenario, rows) in [
        ("wealth", 20_000),
        ("retail", 20_000),
        ("segmentation", 8_000),
    ] {
        let (full_k, full_rows, full_inertia, n) = scan(scenario, rows, usize::MAX);
        assert_eq!(full_rows, n, "{scenario}: the full scan used every row");
        let (k, scan_rows, inertia, n2) = scan(scenario, rows, n / 4);
        assert_eq!(scan_rows, n / 4, "{scenario}: the scan ran on the sample");
        assert_eq!(n2, n, "{scenario}: every customer has a segment");
        assert_eq!(k, full_k, "{scenario}: the sample suggests another K");
        assert!(
            (inertia - full_inertia).abs() <= 0.005 * full_inertia,
            "{scenario}: K = {k} on every row after the sampled scan: inertia {inertia}, the full scan's {full_inertia}"
        );
        eprintln!("{scenario}: K {k}, inertia {inertia:.1} vs {full_inertia:.1}");
    }
}

#[test]
fn a_scan_sample_too_small_is_a_recipe_error_naming_the_field() {
    let r = preset("data/recipes/retail_cross_sell.json");
    let mut r = r.as_object().unwrap().clone();
    r.insert(
        "segment".into(),
        serde_json::json!({ "method": "kmeans", "k_range": [2, 8], "scan_rows": 10 }),
    );
    let err = Recipe::from_json(&serde_json::Value::Object(r).to_string())
        .and_then(|r| r.check())
        .unwrap_err();
    let text = format!("{err}");
    assert!(
        text.contains("segment.scan_rows") && text.contains("1000"),
        "{text}"
    );
}
