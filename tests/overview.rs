//! The overview dashboard's figures for the wealth recipe against pandas
//! (tests/reference/overview_reference.py, output in overview_reference.json).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{root, run_preset};
use kequn::recipe::{self, InputFile, Recipe};

#[test]
fn wealth_overview_matches_pandas() {
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/reference/overview_reference.json")).unwrap(),
    )
    .unwrap();
    let report = run_preset(
        "data/recipes/wealth.json",
        &["user_base.csv", "user_behavior_assets.csv"],
    );
    let o = report.overview.unwrap();
    let close = |a: f64, b: &serde_json::Value| {
        let b = b.as_f64().unwrap();
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    };
    assert_eq!(o.customers as u64, want["customers"].as_u64().unwrap());
    assert!(close(o.total_assets.unwrap(), &want["total_assets"]));
    assert!(close(o.mean_assets.unwrap(), &want["mean_assets"]));
    assert!(close(o.median_assets.unwrap(), &want["median_assets"]));
    let level = &o.distributions[0];
    assert_eq!(level.column, "asset_level");
    for (l, c) in level.levels.iter().zip(&level.counts) {
        assert_eq!(*c as u64, want["asset_level"][l].as_u64().unwrap(), "{l}");
    }
    let age = &o.distributions[1];
    assert_eq!(age.levels, ["<30", "30–40", "40–50", "50–60", "≥60"]);
    let bands: Vec<u64> = want["age_bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(
        age.counts.iter().map(|&c| c as u64).collect::<Vec<_>>(),
        bands
    );
    let funnel = o.funnel.unwrap();
    for (s, c) in funnel.levels.iter().zip(&funnel.counts) {
        assert_eq!(
            *c as u64,
            want["lifecycle_stage"][s].as_u64().unwrap(),
            "{s}"
        );
    }
    assert_eq!(o.correlation_columns.len(), 6);
    for (r, row) in o.correlation.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let w = &want["correlation"][r][c];
            assert!(
                close(v.unwrap(), w),
                "{} × {}: {v:?} vs {w}",
                o.correlation_rows[r],
                o.correlation_columns[c]
            );
        }
    }
}

#[test]
fn a_numeric_distribution_without_bands_is_refused_with_the_fix() {
    let recipe = Recipe::from_json(
        r#"{"name": "o", "inputs": [{"file": "customers.csv"}],
            "overview": {"distributions": ["age"]}}"#,
    )
    .unwrap();
    let bytes = std::fs::read(root().join("data/samples/customers.csv")).unwrap();
    let inputs = [InputFile {
        name: "customers.csv",
        bytes: &bytes,
    }];
    let e = recipe::run(&recipe, &inputs, &mut ())
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"bands\""), "{e}");
}
