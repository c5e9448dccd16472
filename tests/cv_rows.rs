//! `model.cv_rows`: the CV folds cut the training part (default) or every
//! usable row, as scikit-learn's `cross_val_score` over the whole file.
//! Pinned on bank-full (duration left out) to scikit-learn on the same
//! folds: tests/reference/bank_logistic_reference.py.
#![cfg(not(target_arch = "wasm32"))]

use kequn::recipe::{self, Recipe};
use kequn::score::stratified_folds;

mod common;
use common::root;

fn bank() -> Vec<(String, Vec<u8>)> {
    common::shared_file("bank-full.csv")
}

fn recipe(cv_rows: &str) -> Recipe {
    Recipe::from_json(&format!(
        r#"{{ "inputs": [{{ "file": "bank-full.csv" }}], "label": {{ "rule": "y == \"yes\"" }},
        "drop": ["duration"],
        "model": {{ "kind": "logistic", "test_share": 0.3, "seed": 42, "cv_folds": 5, "cv_rows": {cv_rows} }} }}"#
    ))
    .unwrap()
}

/// The figures scikit-learn printed: (test AUC, CV AUC, CV sd) per protocol.
fn reference(prefix: &str) -> (f64, f64) {
    let text = std::fs::read_to_string(root().join("tests/reference/bank_logistic_reference.txt"))
        .unwrap();
    let line = text.lines().find(|l| l.starts_with(prefix)).unwrap();
    let num = |key: &str| -> f64 {
        let at = line.find(key).unwrap() + key.len();
        line[at..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (num("cv_auc "), num("cv_sd "))
}

#[test]
fn cv_over_every_row_is_scikit_learns_on_the_same_folds() {
    // Our folds of every row, as the reference read them.
    let bytes = bank();
    let t = kequn::table::load(&bytes[0].1, "bank-full.csv", &Default::default(), &mut ())
        .unwrap()
        .0;
    let rule = kequn::label::Rule::new("y == \"yes\"", &t).unwrap();
    let y: Vec<bool> = rule
        .eval(&t)
        .unwrap()
        .into_iter()
        .map(|v| v.unwrap())
        .collect();
    common::pinned_folds("bank_folds_all.txt", y.len(), &stratified_folds(&y, 5, 42));

    let all = recipe::run_owned(&recipe(r#""all""#), bank(), None, &mut ()).unwrap();
    // `kequn run`'s text says which rows the folds cut.
    let text = kequn::export::text::report(&all);
    assert!(text.contains("(folds over every row)"), "{text}");
    let m = all.model.unwrap();
    let (cv, sd) = reference("kequn folds of all rows");
    println!(
        "cv_rows all: {:.4} ± {:.4} (scikit-learn {cv} ± {sd})",
        m.cv_auc.unwrap(),
        m.cv_sd.unwrap()
    );
    assert!((m.cv_auc.unwrap() - cv).abs() < 5e-4);
    assert!((m.cv_sd.unwrap() - sd).abs() < 5e-4);

    // The default cuts the training part only: the figure of the other line.
    let train = recipe::run_owned(&recipe(r#""train""#), bank(), None, &mut ()).unwrap();
    assert!(!kequn::export::text::report(&train).contains("every row"));
    let (cv_train, _) = reference("kequn rows:");
    assert!((train.model.unwrap().cv_auc.unwrap() - cv_train).abs() < 5e-4);
}

#[test]
fn an_unknown_cv_rows_names_the_choices() {
    let err = recipe::run_owned(&recipe(r#""everything""#), bank(), None, &mut ()).unwrap_err();
    assert_eq!(err.code(), "unknown_value");
    let text = err.to_string();
    assert!(
        text.contains("model.cv_rows") && text.contains("train, all"),
        "{text}"
    );
    assert!(err.zh().contains("model.cv_rows"), "{}", err.zh());
}
