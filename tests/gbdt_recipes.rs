//! `model.kind = "gbdt"` as an analyst runs it: a recipe on the real files,
//! compared with the logistic model on the same split and folds, and
//! pinned to LightGBM on the same rows (tests/reference/
//! gbdt_recipe_reference.py and its output gbdt_recipe_reference.txt).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::root;
use kequn::recipe::{self, Recipe, Report};
use kequn::score::{stratified_folds, stratified_split};

/// LightGBM's test and 5-fold CV AUC for `name`, from the kept output.
fn lightgbm(name: &str) -> (f64, f64) {
    let text =
        std::fs::read_to_string(root().join("tests/reference/gbdt_recipe_reference.txt")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap();
    let field = |k: &str| -> f64 {
        let w: Vec<&str> = line.split_whitespace().collect();
        let i = w.iter().position(|x| *x == k).unwrap();
        w[i + 1].parse().unwrap()
    };
    (field("test_auc"), field("cv_auc"))
}

fn run(file: &str, model: &str, label: &str, exclude: &[&str]) -> Report {
    let exclude: Vec<String> = exclude.iter().map(|c| format!("\"{c}\"")).collect();
    let json = format!(
        r#"{{ "inputs": [{{ "file": "{file}" }}],
              "label": {{ "rule": {label:?} }},
              "features": {{ "exclude": [{}] }},
              "model": {model} }}"#,
        exclude.join(", ")
    );
    run_json(&json, file).unwrap()
}

/// Runs a recipe's JSON on one of the shared real files.
fn run_json(json: &str, file: &str) -> kequn::Result<Report> {
    let r = Recipe::from_json(json)?;
    let bytes = vec![(
        file.to_string(),
        std::fs::read(root().join("../shared/data/real").join(file)).unwrap(),
    )];
    recipe::run(&r, &recipe::view(&bytes), &mut ())
}

/// Holds our split and folds to the files the reference read.
fn pin_rows(name: &str, y: &[bool]) {
    let (train, test) = stratified_split(y, 0.3, 42);
    common::pinned_split(&format!("{name}_split.txt"), &test);
    let ytr: Vec<bool> = train.iter().map(|&i| y[i]).collect();
    common::pinned_folds(
        &format!("{name}_folds.txt"),
        train.len(),
        &stratified_folds(&ytr, 5, 42),
    );
}

/// The file as the loader reads it.
fn table(file: &str) -> kequn::table::Table {
    let bytes = std::fs::read(root().join("../shared/data/real").join(file)).unwrap();
    kequn::table::load(&bytes, file, &Default::default(), &mut ())
        .unwrap()
        .0
}

/// The label rule's value on every row (all are decided in these files).
fn labels(t: &kequn::table::Table, rule: &str) -> Vec<bool> {
    let r = kequn::label::Rule::new(rule, t).unwrap();
    r.eval(t).unwrap().into_iter().map(|v| v.unwrap()).collect()
}

const COMPARE: &str = r#"{ "kind": "gbdt", "also": ["logistic"], "cv_folds": 5, "seed": 42 }"#;

fn check(name: &str, report: &Report) {
    let m = report.model.as_ref().unwrap();
    let gbdt = m.comparison.iter().find(|r| r.kind == "gbdt").unwrap();
    let (test_auc, cv_auc) = lightgbm(name);
    let ours_cv = gbdt.cv_auc.unwrap();
    println!(
        "{name}: ours test {:.6} cv {:.6}; LightGBM test {test_auc:.6} cv {cv_auc:.6}",
        gbdt.test_auc, ours_cv
    );
    assert!(
        (gbdt.test_auc - test_auc).abs() < 0.005,
        "{name} test AUC {} vs {test_auc}",
        gbdt.test_auc
    );
    assert!(
        (ours_cv - cv_auc).abs() < 0.005,
        "{name} CV AUC {ours_cv} vs {cv_auc}"
    );
    // Compared side by side on the same rows; the best CV AUC was chosen.
    let logistic = m.comparison.iter().find(|r| r.kind == "logistic").unwrap();
    let best = if logistic.cv_auc.unwrap() > ours_cv {
        "logistic"
    } else {
        "gbdt"
    };
    assert_eq!(m.kind, best);
    assert_eq!(m.comparison.iter().filter(|r| r.chosen).count(), 1);
    assert_eq!(m.model.kind(), best);
}

#[test]
fn churn_modelling_gbdt_matches_lightgbm_and_is_compared_with_logistic() {
    let (file, rule) = ("Churn_Modelling.csv", "Exited == 1");
    let t = table(file);
    pin_rows("churn", &labels(&t, rule));
    let report = run(file, COMPARE, rule, &["RowNumber", "CustomerId", "Surname"]);
    check("churn", &report);
    let m = report.model.as_ref().unwrap();
    // Geography and Gender are split as categories, one feature each.
    let g = m.gbdt.as_ref().unwrap();
    assert_eq!(g.categorical, ["Geography", "Gender"]);
    assert_eq!(g.trees, 100);
    // TreeSHAP by source column sums with the base value to the raw score.
    let rows: Vec<usize> = (0..t.rows()).step_by(7).collect();
    let e = m.model.explain(&t, &rows).unwrap();
    let p = m.model.predict(&t, &rows).unwrap();
    for (k, p) in p.iter().enumerate() {
        let raw = e.base + e.contrib.row(k).sum();
        assert!(
            (raw - (p / (1.0 - p)).ln()).abs() < 1e-9,
            "row {}: {raw} vs {p}",
            rows[k]
        );
    }
    // The beeswarm sample: the most important columns first, a value and
    // a contribution per cell.
    let s = m.shap.as_ref().unwrap();
    assert_eq!(s.columns[0], m.importance[0].0);
    assert_eq!(s.shap.len(), s.text.len());
    assert!(s.columns.iter().any(|c| c == "Age"));
    assert_eq!(m.importance_rows, 2000);
}

#[test]
fn bank_full_gbdt_matches_lightgbm_with_duration_left_out() {
    let (file, rule) = ("bank-full.csv", "y == \"yes\"");
    let t = table(file);
    pin_rows("bank", &labels(&t, rule));
    let report = run(file, COMPARE, rule, &["duration"]);
    check("bank", &report);
}

#[test]
fn telco_gbdt_matches_lightgbm() {
    let (file, rule) = ("telco-customer-churn.csv", "Churn == \"Yes\"");
    let t = table(file);
    pin_rows("telco", &labels(&t, rule));
    let report = run(file, COMPARE, rule, &["customerID"]);
    check("telco", &report);
}

#[test]
fn a_saved_gbdt_applies_again_and_format_1_files_still_load() {
    use kequn::score::analysis::{apply, CandidateSpec, SavedModel};
    let (file, rule) = ("Churn_Modelling.csv", "Exited == 1");
    let model = r#"{ "kind": "gbdt", "seed": 42, "gbdt": { "n_estimators": 30 } }"#;
    let json = format!(
        r#"{{ "inputs": [{{ "file": "{file}" }}],
              "label": {{ "rule": "{rule}" }},
              "features": {{ "exclude": ["RowNumber", "Surname"] }},
              "model": {model},
              "candidates": {{ "id": "CustomerId", "top": 50 }} }}"#
    );
    let report = run_json(&json, file).unwrap();
    let m = report.model.unwrap();
    assert_eq!(
        (m.kind.as_str(), m.gbdt.as_ref().unwrap().trees),
        ("gbdt", 30)
    );
    assert!(m.coefficients.is_empty());
    // Drivers carry the customer's own value and add up the waterfall.
    let first = &m.candidates[0];
    assert_eq!(first.drivers.len(), 6);
    let t = table(file);
    let row = (0..t.rows())
        .find(|&i| t.column("CustomerId").unwrap().text(i) == first.id)
        .unwrap();
    for d in &first.drivers {
        assert_eq!(d.value, t.column(&d.column).unwrap().text(row));
    }
    // Saved as JSON (format 2, with the trees), read back, applied to the
    // same file: the same list with the same probabilities and reasons.
    let text = serde_json::to_string(&m.model).unwrap();
    assert!(text.contains("\"format\":\"kequn-model/2\"") && text.contains("\"gbdt\""));
    let saved = SavedModel::from_json(text.as_bytes(), "model.json").unwrap();
    let spec = CandidateSpec {
        id: "CustomerId".into(),
        top: Some(50),
        ..Default::default()
    };
    let again = apply(&t, &saved, &spec, false, &Default::default()).unwrap();
    assert_eq!(again.kind, "gbdt");
    assert!(
        again.candidates == m.candidates,
        "the applied list differs, first at {:?}",
        again
            .candidates
            .iter()
            .zip(&m.candidates)
            .find(|(a, b)| a != b)
            .map(|(a, b)| (&a.id, a.probability, &b.id, b.probability))
    );
    assert!(again.monitor.unwrap().score.psi < 1e-9);

    // A logistic model written as format 1 (before trees existed) loads
    // and scores as before.
    let logistic = run(
        file,
        r#"{ "kind": "logistic" }"#,
        rule,
        &["RowNumber", "CustomerId", "Surname"],
    );
    let lm = logistic.model.unwrap().model;
    let v1 = serde_json::to_string(&lm)
        .unwrap()
        .replace("kequn-model/2", "kequn-model/1");
    let old = SavedModel::from_json(v1.as_bytes(), "old.json").unwrap();
    assert_eq!(old.kind(), "logistic");
    let rows: Vec<usize> = (0..t.rows()).collect();
    assert_eq!(
        old.predict(&t, &rows).unwrap(),
        lm.predict(&t, &rows).unwrap()
    );
    // A file with neither model is refused with what to do.
    let empty = v1.replace("\"logistic\":", "\"unused\":");
    assert!(SavedModel::from_json(empty.as_bytes(), "x.json").is_err());
}

#[test]
fn gbdt_recipe_errors_name_the_field_in_both_languages() {
    let bad = [
        (
            r#"{ "kind": "gbdt", "gbdt": { "num_leaves": 1 } }"#,
            "model.gbdt.num_leaves",
            "2 到 131072",
        ),
        (
            r#"{ "kind": "gbdt", "monotone": { "Age": 2 } }"#,
            "model.monotone.Age",
            "只下降",
        ),
        (
            r#"{ "kind": "gbdt", "choose": "tree", "also": ["tree"] }"#,
            "model.choose",
            "best",
        ),
    ];
    for (model, field, zh) in bad {
        let json = format!(
            r#"{{ "inputs": [{{ "file": "a.csv" }}], "label": {{ "rule": "y == 1" }}, "model": {model} }}"#
        );
        let e = Recipe::from_json(&json)
            .and_then(|r| r.check().map(|_| r))
            .unwrap_err();
        assert!(e.to_string().contains(field), "{e}");
        assert!(e.zh().contains(zh), "{}", e.zh());
    }
    // A monotone constraint on a category is refused by name.
    let e = {
        let file = "Churn_Modelling.csv";
        let json = format!(
            r#"{{ "inputs": [{{ "file": "{file}" }}], "label": {{ "rule": "Exited == 1" }},
                 "model": {{ "kind": "gbdt", "monotone": {{ "Geography": 1 }} }} }}"#
        );
        run_json(&json, file).unwrap_err()
    };
    assert!(
        e.to_string()
            .contains("'Geography' is a categorical column"),
        "{e}"
    );
    assert!(e.zh().contains("类别列"), "{}", e.zh());
}

#[test]
fn a_monotone_constraint_holds_on_every_row() {
    // Raising Balance alone never lowers a customer's score.
    let (file, rule) = ("Churn_Modelling.csv", "Exited == 1");
    let model =
        r#"{ "kind": "gbdt", "monotone": { "Balance": 1 }, "gbdt": { "n_estimators": 40 } }"#;
    let report = run(file, model, rule, &["RowNumber", "CustomerId", "Surname"]);
    let m = report.model.unwrap().model;
    let t = table(file);
    let raw = m.prep.raw_features();
    let j = raw.iter().position(|(n, _)| n == "Balance").unwrap();
    let rows: Vec<usize> = (0..t.rows()).step_by(11).collect();
    let x = m.prep.transform_raw(&t, &rows).unwrap();
    let g = m.gbdt.as_ref().unwrap();
    for (r, &table_row) in rows.iter().enumerate() {
        let mut row = x.row(r).to_vec();
        let mut last = f64::NEG_INFINITY;
        for step in 0..20 {
            row[j] = step as f64 * 12_500.0;
            let s = g.raw_score_row(&row);
            assert!(s >= last - 1e-12, "row {table_row}: {s} after {last}");
            last = s;
        }
    }
}

/// The recipe of the wasm equality pin (tests/web.rs runs the same file).
const PIN_RECIPE: &str = include_str!("reference/gbdt_wasm_pin_recipe.json");

/// Native figures the wasm build must give to 1e-9 (tests/web.rs reads
/// tests/reference/gbdt_wasm_pin.json; `KEQUN_WRITE_REFERENCE=1` rewrites it).
#[test]
fn the_wasm_pin_holds_natively() {
    let r = Recipe::from_json(PIN_RECIPE).unwrap();
    let bytes = vec![(
        "customers.csv".to_string(),
        kequn::synth::customers_csv(3000, 7),
    )];
    let m = recipe::run(&r, &recipe::view(&bytes), &mut ())
        .unwrap()
        .model
        .unwrap();
    let pin = serde_json::json!({
        "test_auc": m.metrics.auc,
        "base_value": m.base_value,
        "importance": m.importance,
        "candidates": m.candidates.iter().map(|c| serde_json::json!({
            "id": c.id,
            "probability": c.probability,
            "drivers": c.drivers.iter().map(|d| d.contribution).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let path = root().join("tests/reference/gbdt_wasm_pin.json");
    if std::env::var_os("KEQUN_WRITE_REFERENCE").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&pin).unwrap()).unwrap();
    }
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        kept, pin,
        "native figures changed: rerun with KEQUN_WRITE_REFERENCE=1"
    );
    assert_eq!(m.kind, "gbdt");
    assert_eq!(m.candidates.len(), 30);
}
