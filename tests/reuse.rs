//! A run takes the overview, the label and the models over from the
//! previous run when it read the same bytes with the same sections (the
//! page's segment and rule forms do not fit the model again), and gives
//! exactly what a run from scratch gives.
#![cfg(not(target_arch = "wasm32"))]

use kequn::recipe::{fingerprint, run_owned, view, Previous, Recipe, Report};

mod common;

fn telco() -> Vec<(String, Vec<u8>)> {
    common::shared_file("telco-customer-churn.csv")
}

fn recipe(model: &str, k: usize) -> Recipe {
    Recipe::from_json(&format!(
        r#"{{ "name": "reuse", "inputs": [{{ "file": "telco-customer-churn.csv" }}],
        "overview": {{}},
        "label": {{ "rule": "Churn == \"Yes\"" }}, "drop": ["customerID"],
        "model": {model},
        "candidates": {{ "id": "customerID", "top": 50 }},
        "segment": {{ "method": "kmeans", "k": {k}, "columns": ["tenure", "MonthlyCharges"], "seed": 42 }},
        "basket": {{ "flags": ["PhoneService", "PaperlessBilling", "Partner", "Dependents"], "min_support": 0.1, "min_confidence": 0.5 }} }}"#
    ))
    .unwrap()
}

const LOGISTIC: &str = r#"{ "kind": "logistic", "test_share": 0.3, "seed": 42, "cv_folds": 3 }"#;

/// The previous run as the worker keeps it.
fn previous(recipe: Recipe, report: Report, files: &[(String, Vec<u8>)]) -> Previous {
    Previous {
        inputs: Some(fingerprint(&recipe, &view(files))),
        recipe,
        report,
    }
}

/// The same report but for the list of what was taken over and the fit
/// times, which are the clock's (section by section first, so that a
/// difference names its section).
fn assert_same(mut a: Report, b: &Report) {
    let mut b = b.clone();
    for r in [&mut a, &mut b] {
        for row in r.model.iter_mut().flat_map(|m| &mut m.comparison) {
            row.fit_seconds = 0.0;
        }
    }
    let b = &b;
    assert_eq!(a.tables, b.tables, "tables");
    assert_eq!(a.overview, b.overview, "overview");
    assert_eq!(a.label, b.label, "label");
    assert_eq!(a.model, b.model, "model");
    assert_eq!(a.segment, b.segment, "segment");
    assert_eq!(a.basket, b.basket, "basket");
    assert_eq!(a.plan, b.plan, "plan");
    a.reused.clear();
    assert_eq!(&a, b);
}

#[test]
fn a_new_segmentation_takes_the_model_over_and_gives_the_same_report() {
    let first = recipe(LOGISTIC, 3);
    let a = run_owned(&first, telco(), None, &mut ()).unwrap();
    assert!(a.reused.is_empty());
    let before = previous(first, a.clone(), &telco());

    let second = recipe(LOGISTIC, 4);
    let b = run_owned(&second, telco(), Some(&before), &mut ()).unwrap();
    assert_eq!(b.reused, ["overview", "label", "model"]);
    // The model is the previous one; segments, rules and plans are new.
    assert_eq!(
        b.model.as_ref().unwrap().rows,
        a.model.as_ref().unwrap().rows
    );
    assert_eq!(b.segment.as_ref().unwrap().names.len(), 4);
    assert_ne!(b.basket, None);
    // The listed customers carry the new segments.
    let named: Vec<_> = b
        .segment
        .as_ref()
        .unwrap()
        .names
        .iter()
        .map(|n| n.name.clone())
        .collect();
    assert!(b
        .model
        .as_ref()
        .unwrap()
        .candidates
        .iter()
        .all(|c| named.contains(c.segment.as_ref().unwrap())));
    // Everything equals a run of the second recipe from scratch.
    let scratch = run_owned(&second, telco(), None, &mut ()).unwrap();
    assert_same(b, &scratch);
}

#[test]
fn another_model_setting_or_other_bytes_fit_again() {
    let first = recipe(LOGISTIC, 3);
    let a = run_owned(&first, telco(), None, &mut ()).unwrap();
    let before = previous(first.clone(), a, &telco());

    // Another seed: the overview and the label are the same, the model is fitted again.
    let other = recipe(&LOGISTIC.replace("42", "7"), 3);
    let b = run_owned(&other, telco(), Some(&before), &mut ()).unwrap();
    assert_eq!(b.reused, ["overview", "label"]);
    assert_same(b, &run_owned(&other, telco(), None, &mut ()).unwrap());

    // An excluded column changes the model's features.
    let mut dropped = first.clone();
    dropped.drop.push("tenure".into());
    let c = run_owned(&dropped, telco(), Some(&before), &mut ()).unwrap();
    assert_eq!(c.reused, ["overview", "label"]);

    // One byte changed in the file: nothing is taken over.
    let mut edited = telco();
    let bytes = &mut edited[0].1;
    let at = (bytes.len() / 2..)
        .find(|&i| bytes[i].is_ascii_digit())
        .unwrap();
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    let d = run_owned(&first, edited, Some(&before), &mut ()).unwrap();
    assert!(d.reused.is_empty());

    // Another file beside the table's (a basket file): the model is taken over.
    let mut with_basket = first.clone();
    with_basket.basket = Some(kequn::recipe::BasketSpec {
        file: Some("baskets.txt".into()),
        min_support: 0.5,
        min_confidence: 0.9,
        ..Default::default()
    });
    let mut files = telco();
    files.push((
        "baskets.txt".into(),
        b"milk,bread\nmilk,bread\neggs\n".to_vec(),
    ));
    let f = run_owned(&with_basket, files, Some(&before), &mut ()).unwrap();
    assert_eq!(f.reused, ["overview", "label", "model"]);
    assert_eq!(f.basket.unwrap().overall.rules.len(), 2);

    // A restored run (no fingerprint) lends nothing.
    let restored = Previous {
        inputs: None,
        ..before
    };
    let e = run_owned(&first, telco(), Some(&restored), &mut ()).unwrap();
    assert!(e.reused.is_empty());
}
