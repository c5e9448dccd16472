//! `model.kind = "scorecard"` as an analyst runs it: a recipe on
//! bank-full (label `y == "yes"`, `duration` dropped) gives the same
//! binnings, selection, points and test AUC as the library on the same
//! split (which tests/scorecard.rs pins to optbinning), every listed
//! customer's score is the sum of their bins' points, and the saved model
//! applied again gives the same scores, reasons, PSI and CSI.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::root;
use kequn::recipe::{self, Recipe, Report};
use kequn::score::analysis::{apply, CandidateSpec, SavedModel};
use kequn::score::scorecard::{
    BinningProcess, CharacteristicKind, ProcessParams, Scorecard, ScorecardParams,
};
use kequn::table::{ColumnData, Table};

/// bank-full with a customer number in front (a candidate list needs an
/// id; the id is never a characteristic). `rows` limits it to a range.
fn bank_bytes(rows: std::ops::Range<usize>) -> Vec<u8> {
    let text = std::fs::read_to_string(root().join("../shared/data/real/bank-full.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(&format!("\"cust_id\";{line}\n"));
        } else if rows.contains(&(i - 1)) {
            out.push_str(&format!("\"C{:06}\";{line}\n", i - 1));
        }
    }
    out.into_bytes()
}

fn load(bytes: &[u8], name: &str) -> Table {
    kequn::table::load(bytes, name, &Default::default(), &mut ())
        .unwrap()
        .0
}

const RECIPE: &str = r#"{
    "inputs": [{ "file": "bank.csv" }],
    "label": { "rule": "y == \"yes\"" },
    "drop": ["duration"],
    "model": { "kind": "scorecard" },
    "candidates": { "id": "cust_id", "top": 2000 }
}"#;

fn run(json: &str, files: &[(&str, Vec<u8>)]) -> kequn::Result<Report> {
    let r = Recipe::from_json(json)?;
    let bytes: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, b)| (n.to_string(), b.clone()))
        .collect();
    recipe::run(&r, &recipe::view(&bytes), &mut ())
}

fn reference() -> serde_json::Value {
    let text =
        std::fs::read_to_string(root().join("tests/reference/scorecard_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The library on the recipe's split: stratified 70 / 30, seed 42.
fn library_card(t: &Table, y: &[bool]) -> (Scorecard, Vec<usize>) {
    let (train, test) = kequn::score::stratified_split(y, 0.3, 42);
    let idx: Vec<Option<usize>> = train.iter().map(|&i| Some(i)).collect();
    let tr = Table::new("train", t.columns.iter().map(|c| c.take(&idx)).collect()).unwrap();
    let ytr: Vec<bool> = train.iter().map(|&i| y[i]).collect();
    let columns: Vec<&str> = t
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| !["cust_id", "y", "duration"].contains(n))
        .collect();
    let p = BinningProcess::fit(&tr, &columns, &ytr, &ProcessParams::default()).unwrap();
    let card = Scorecard::fit(p, &tr, &ytr, &ScorecardParams::default()).unwrap();
    (card, test)
}

/// The bin row `i` of `t` falls in for `b` (None: unseen category).
fn bin_of(b: &kequn::score::scorecard::Binning, t: &Table, i: usize) -> Option<usize> {
    let c = t.column(&b.name).unwrap();
    match (&c.data, b.kind) {
        (ColumnData::Numeric(x), CharacteristicKind::Numeric) => {
            Some(b.bin_of_number(x[i]).unwrap())
        }
        (ColumnData::Categorical { codes, dict }, CharacteristicKind::Categorical) => b
            .bin_of_category(dict.get(codes[i] as usize).map(String::as_str))
            .unwrap(),
        other => panic!("{}: unexpected column {:?}", b.name, other.1),
    }
}

#[test]
fn bank_full_scorecard_recipe_matches_the_library_and_applies_again() {
    let bytes = bank_bytes(0..usize::MAX);
    let report = run(RECIPE, &[("bank.csv", bytes.clone())]).unwrap();
    let m = report.model.as_ref().unwrap();
    assert_eq!(m.kind, "scorecard");
    let s = m.scorecard.as_ref().unwrap();
    assert_eq!(m.model.kind(), "scorecard");

    // The library on the same rows and split.
    let t = load(&bytes, "bank.csv");
    let yc = t.column("y").unwrap();
    let y: Vec<bool> = (0..t.rows()).map(|i| yc.text(i) == "yes").collect();
    let (lib, test) = library_card(&t, &y);
    assert_eq!(m.test_rows, test.len());
    let card = m.model.scorecard.as_ref().unwrap();
    assert_eq!(card.characteristics, lib.characteristics);
    assert_eq!(card.points, lib.points);
    assert_eq!(card.base_points, lib.base_points);
    assert_eq!(s.table, lib.table());

    // The selection is optbinning's (the reference's list, in file order).
    let r = &reference()["bank_full_scorecard"];
    let want: Vec<String> = serde_json::from_value(r["selected"].clone()).unwrap();
    assert_eq!(card.characteristics, want);
    // The IV ranking: every characteristic, highest IV first, each IV the
    // library's, each left out with its reason in both languages.
    assert_eq!(s.characteristics.len(), 15);
    for w in s.characteristics.windows(2) {
        assert!(w[0].iv() >= w[1].iv());
    }
    for c in &s.characteristics {
        let l = lib
            .process
            .characteristics
            .iter()
            .find(|x| x.name == c.name)
            .unwrap();
        assert_eq!(c.iv(), l.iv(), "{}", c.name);
        assert_eq!(c.selected, l.selected);
        if !c.selected {
            println!(
                "left out: {} IV {:.6}: {}",
                c.name,
                c.iv(),
                c.reason.as_deref().unwrap()
            );
            assert!(c.reason.is_some() && c.reason_zh.is_some());
        }
        let b = c.binning.as_ref().unwrap();
        assert_eq!(
            b.bins.iter().map(|x| x.count).sum::<u64>(),
            m.train_rows as u64
        );
    }
    println!(
        "IV ranking: {}",
        s.characteristics
            .iter()
            .map(|c| format!("{} {:.4}", c.name, c.iv()))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // Test AUC: the library's score on the test rows, within 0.01 of
    // optbinning's Scorecard on the same split.
    let te = lib.rows_of(&t, &test).unwrap();
    let yte: Vec<bool> = test.iter().map(|&i| y[i]).collect();
    let lib_scores = lib.score(&te).unwrap();
    let lib_auc = kequn::score::metrics::auc(
        &lib_scores.iter().map(|s| -(*s as f64)).collect::<Vec<_>>(),
        &yte,
    );
    let want_auc = r["test_auc"].as_f64().unwrap();
    println!(
        "recipe test AUC {:.6} KS {:.6} Gini {:.6} (unrounded {:.6}); library {lib_auc:.6}; optbinning {want_auc:.6}; base points {}",
        s.test_auc, s.test_ks, s.test_gini, s.test_auc_woe, s.base_points
    );
    assert!((s.test_auc - lib_auc).abs() < 1e-12);
    assert_eq!(m.metrics.auc, s.test_auc);
    assert!((s.test_auc - want_auc).abs() < 0.01);
    assert!((s.test_auc_woe - want_auc).abs() < 0.01);
    assert!((s.test_gini - (2.0 * s.test_auc - 1.0)).abs() < 1e-12);
    assert_eq!(m.comparison.len(), 1);
    assert_eq!(m.comparison[0].kind, "scorecard");
    // The bands hold every test row; the event rate falls as the score rises
    // from the lowest band to the highest.
    assert_eq!(s.bands.iter().map(|b| b.rows).sum::<usize>(), test.len());
    assert_eq!(
        s.bands.iter().map(|b| b.events).sum::<usize>(),
        yte.iter().filter(|b| **b).count()
    );
    assert!(s.bands[0].event_rate > s.bands.last().unwrap().event_rate);
    assert_eq!(
        (s.params.base_points, s.params.base_odds, s.params.pdo),
        (600.0, 19.0, 50.0)
    );
    assert!(s.woe_convention.contains("ln(non-event% / event%)"));

    // Candidates: ranked by probability, every score the base points plus
    // the points of the customer's bins, reasons the bins that lost the
    // most points against the characteristic's best bin, most first.
    let ids = t.column("cust_id").unwrap();
    let row_of: std::collections::HashMap<String, usize> =
        (0..t.rows()).map(|i| (ids.text(i), i)).collect();
    assert_eq!(m.candidates.len(), 2000);
    let binnings: Vec<_> = card
        .process
        .selected()
        .map(|c| c.binning.as_ref().unwrap())
        .collect();
    for w in m.candidates.windows(2) {
        assert!(w[0].probability >= w[1].probability);
        assert!(w[0].score <= w[1].score);
    }
    for c in &m.candidates {
        let i = row_of[&c.id];
        let mut sum = card.base_points;
        let mut lost = Vec::new();
        for (j, b) in binnings.iter().enumerate() {
            let k = bin_of(b, &t, i);
            let pts = k.map_or(0, |k| card.points[j][k]);
            sum += pts;
            let best = *card.points[j].iter().max().unwrap();
            if best > pts {
                lost.push((b.name.clone(), best - pts));
            }
        }
        assert_eq!(c.score, Some(sum), "{}", c.id);
        assert!((c.probability - card.probability(sum)).abs() < 1e-15);
        assert!(!c.reason_codes.is_empty() && c.reason_codes.len() <= 3);
        for w in c.reason_codes.windows(2) {
            assert!(w[0].points_lost >= w[1].points_lost);
        }
        lost.sort_by_key(|l| std::cmp::Reverse(l.1));
        // The largest loss is the first reason (ties may swap names).
        assert_eq!(c.reason_codes[0].points_lost, lost[0].1);
        for r in &c.reason_codes {
            assert!(lost.contains(&(r.characteristic.clone(), r.points_lost)));
        }
        assert_eq!(
            c.reasons.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            c.reason_codes
                .iter()
                .map(|r| r.characteristic.clone())
                .collect::<Vec<_>>()
        );
    }
    let first = &m.candidates[0];
    println!(
        "first candidate {} score {:?} p {:.4} reasons {}",
        first.id,
        first.score,
        first.probability,
        kequn::export::reason_codes_text(&first.reason_codes)
    );

    // The CLI's text prints the IV ranking, the scorecard and its figures.
    let text = kequn::export::text::report(&report);
    for part in [
        "IV ranking",
        "scorecard table",
        "score by label",
        "poutcome",
        "test AUC",
    ] {
        assert!(text.contains(part), "{part} missing from:\n{text}");
    }

    // The HTML report names the scorecard and shows its tables.
    let html = kequn::export::html::report(&Recipe::from_json(RECIPE).unwrap(), &report);
    for part in [
        "IV ranking",
        "Points table",
        "Test scores by label",
        "评分卡分值表",
    ] {
        assert!(html.contains(part), "{part} missing from the HTML report");
    }
    // The workbook: the binning tables with points, and the IV ranking.
    let sheets = kequn::export::xlsx::sheets(&report);
    let card_sheet = sheets
        .iter()
        .find(|x| x.name == "评分卡 scorecard")
        .unwrap();
    assert_eq!(card_sheet.rows.len(), s.table.len());
    let iv_sheet = sheets
        .iter()
        .find(|x| x.name == "IV 排名 IV ranking")
        .unwrap();
    assert_eq!(iv_sheet.rows.len(), 15);

    // Saved (format 2, with the scorecard), read back, applied to the same
    // file through the recipe: the same list, scores and reasons; PSI and
    // CSI against itself are zero.
    let json = serde_json::to_string(&m.model).unwrap();
    assert!(json.contains("\"format\":\"kequn-model/2\"") && json.contains("\"scorecard\""));
    let saved = SavedModel::from_json(json.as_bytes(), "m.json").unwrap();
    let apply_recipe = r#"{
        "inputs": [{ "file": "bank.csv" }],
        "model": { "kind": "logistic", "apply": "m.json" },
        "candidates": { "id": "cust_id", "top": 2000 }
    }"#;
    let again = run(
        apply_recipe,
        &[
            ("bank.csv", bytes.clone()),
            ("m.json", json.clone().into_bytes()),
        ],
    )
    .unwrap();
    let a = again.applied.as_ref().unwrap();
    assert_eq!(a.kind, "scorecard");
    assert!(a.candidates == m.candidates);
    let mon = a.monitor.as_ref().unwrap();
    assert!(mon.score.psi.abs() < 1e-12);
    assert_eq!(mon.csi.len(), card.characteristics.len());
    assert!(mon.csi.iter().all(|c| c.psi.abs() < 1e-12));
    let rows: Vec<usize> = (0..t.rows()).collect();
    assert_eq!(
        saved.scores(&t, &rows).unwrap().unwrap(),
        card.score(&t).unwrap()
    );

    // Next month: the file's last 10,000 rows (the file runs in time, so
    // they differ). Score PSI and CSI are the library's, per characteristic.
    let next_bytes = bank_bytes(35_211..45_211);
    let next = load(&next_bytes, "next.csv");
    let spec = CandidateSpec {
        id: "cust_id".into(),
        top: Some(50),
        ..Default::default()
    };
    let n = apply(&next, &saved, &spec, false, &Default::default()).unwrap();
    let mon = n.monitor.as_ref().unwrap();
    let want_psi = card.score_psi(&t, &next).unwrap();
    println!(
        "next month: score PSI {:.6} ({}), library {:.6} ({})",
        mon.score.psi, mon.score.level, want_psi.psi, want_psi.band
    );
    assert!((mon.score.psi - want_psi.psi).abs() < 1e-12);
    let want_csi = card.csi(&t, &next).unwrap();
    for (name, st) in &want_csi {
        let got = mon.csi.iter().find(|c| &c.name == name).unwrap();
        println!(
            "  CSI {name:<10} {:.6} {} (library {:.6} {})",
            got.psi, got.level, st.psi, st.band
        );
        assert!((got.psi - st.psi).abs() < 1e-12);
    }
    assert!(mon.csi.windows(2).all(|w| w[0].psi >= w[1].psi));
    // A characteristic past the alert threshold raises an alert by name.
    for c in mon.csi.iter().filter(|c| c.psi > 0.25) {
        assert!(mon
            .alerts
            .iter()
            .any(|a| a.kind == "characteristic_csi" && a.subject == c.name));
    }
    for c in &n.candidates {
        assert!(c.score.is_some() && !c.reason_codes.is_empty());
    }
    // A scorecard reads only its characteristics: next month's file without
    // the columns it does not use (the label's too) scores the same.
    let unused: Vec<String> = next
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|c| c != "cust_id" && !card.characteristics.contains(c))
        .collect();
    assert!(
        unused.len() >= 3 && unused.contains(&"y".to_string()),
        "{unused:?}"
    );
    let slim = Table::new(
        "next.csv",
        next.columns
            .iter()
            .filter(|c| !unused.contains(&c.name))
            .cloned()
            .collect(),
    )
    .unwrap();
    let s = apply(&slim, &saved, &spec, false, &Default::default()).unwrap();
    assert_eq!(
        s.candidates
            .iter()
            .map(|c| (&c.id, c.score))
            .collect::<Vec<_>>(),
        n.candidates
            .iter()
            .map(|c| (&c.id, c.score))
            .collect::<Vec<_>>()
    );
}

#[test]
fn scorecard_recipe_errors_name_the_field_in_both_languages() {
    let bad = [
        (
            r#"{ "kind": "scorecard", "scorecard": { "binning": { "max_n_prebins": 1 } } }"#,
            "model.scorecard.binning.max_n_prebins",
            "不小于 2",
        ),
        (
            r#"{ "kind": "scorecard", "scorecard": { "pdo": 0 } }"#,
            "model.scorecard.pdo",
            "大于 0",
        ),
        (
            r#"{ "kind": "scorecard", "scorecard": { "min_iv": -1 } }"#,
            "model.scorecard.min_iv",
            "不小于 0",
        ),
        (
            r#"{ "kind": "logistic", "scorecard": { "pdo": 20 } }"#,
            "model.scorecard",
            "评分卡",
        ),
        (r#"{ "kind": "scorecards" }"#, "model.kind", "scorecard"),
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
    // Applying a saved model with the training recipe (kequn run --model
    // sets the kind aside): the scorecard section is no error.
    let json = r#"{ "inputs": [{ "file": "a.csv" }], "label": { "rule": "y == 1" },
        "model": { "kind": "logistic", "apply": "m.json", "scorecard": { "pdo": 40 } },
        "candidates": { "id": "id" } }"#;
    Recipe::from_json(json).unwrap().check().unwrap();
    // A per-column setting for a column that is not a characteristic is
    // found when the columns are known: the closest name suggested.
    let json = RECIPE.replace(
        r#""kind": "scorecard""#,
        r#""kind": "scorecard", "scorecard": { "per_column": { "balanse": { "max_n_prebins": 5 } } }"#,
    );
    let e = run(&json, &[("bank.csv", bank_bytes(0..2000))]).unwrap_err();
    println!("{e}\n{}", e.zh());
    assert!(e.to_string().contains("balanse"), "{e}");
    assert!(!e.zh().is_empty());
}

/// Churn_Modelling: the scorecard beside the logistic model on the same
/// split and CV folds, the reference's selection and test AUC; a file
/// without a characteristic is refused by name; export-sql writes it as a
/// query and export-pmml as a PMML Scorecard.
#[test]
fn churn_scorecard_beside_logistic_with_cv_and_its_exports() {
    let file = "Churn_Modelling.csv";
    let bytes = std::fs::read(root().join("../shared/data/real").join(file)).unwrap();
    let json = r#"{
        "inputs": [{ "file": "Churn_Modelling.csv" }],
        "label": { "rule": "Exited == 1" },
        "features": { "exclude": ["RowNumber", "Surname"] },
        "model": { "kind": "scorecard", "also": ["logistic"], "cv_folds": 3, "choose": "scorecard" },
        "candidates": { "id": "CustomerId", "top": 100 }
    }"#;
    let report = run(json, &[(file, bytes.clone())]).unwrap();
    let m = report.model.as_ref().unwrap();
    assert_eq!(m.kind, "scorecard");
    let kinds: Vec<(&str, bool)> = m
        .comparison
        .iter()
        .map(|r| (r.kind.as_str(), r.chosen))
        .collect();
    assert_eq!(kinds, [("scorecard", true), ("logistic", false)]);
    for r in &m.comparison {
        println!(
            "churn {:<9} test AUC {:.6} CV AUC {:.6} ± {:.6} KS {:.6}",
            r.kind,
            r.test_auc,
            r.cv_auc.unwrap(),
            r.cv_sd.unwrap(),
            r.ks
        );
        assert!(r.cv_auc.unwrap() > 0.7 && r.cv_sd.unwrap() > 0.0);
    }
    let s = m.scorecard.as_ref().unwrap();
    let r = &reference()["churn_scorecard"];
    let want: Vec<String> = serde_json::from_value(r["selected"].clone()).unwrap();
    let card = m.model.scorecard.as_ref().unwrap();
    assert_eq!(card.characteristics, want);
    let want_auc = r["test_auc"].as_f64().unwrap();
    println!(
        "churn scorecard test AUC {:.6} (unrounded {:.6}; optbinning {want_auc:.6})",
        s.test_auc, s.test_auc_woe
    );
    assert!((s.test_auc - want_auc).abs() < 0.01);
    // The logistic model's coefficients are still reported beside it.
    assert!(!m.coefficients.is_empty());
    // Surname is a free-text column: listed, never binned.
    assert!(s.characteristics.iter().all(|c| c.name != "Surname"));

    // A month without one of the characteristics is refused by name.
    let saved = m.model.clone();
    let text = String::from_utf8(bytes).unwrap();
    let without_age: String = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let mut kept: Vec<&str> = f[..6].to_vec();
            kept.extend(&f[7..]);
            kept.join(",") + "\n"
        })
        .collect();
    assert!(text.lines().next().unwrap().split(',').nth(6) == Some("Age"));
    let t = load(without_age.as_bytes(), "next.csv");
    let spec = CandidateSpec {
        id: "CustomerId".into(),
        ..Default::default()
    };
    let e = apply(&t, &saved, &spec, false, &Default::default()).unwrap_err();
    println!("{e}\n{}", e.zh());
    assert!(e.to_string().contains("'Age'"), "{e}");
    assert!(e.zh().contains("Age"));

    // SQL: a CASE per characteristic (tests/sql.rs runs it in DuckDB);
    // PMML: the scorecard.
    let opts = kequn::export::sql::SqlOptions {
        dialect: kequn::export::sql::Dialect::parse("duckdb").unwrap(),
        table: "customers".into(),
        id: "CustomerId".into(),
        reasons: 3,
    };
    let sql = kequn::export::sql::model_sql(&saved, &opts).unwrap();
    assert!(sql.starts_with("-- kequn scorecard"));
    assert_eq!(sql.matches(" END AS p").count(), card.characteristics.len());
    // A numeric characteristic the prep does not read (here taken out of
    // it): number or date is unknown, so it is refused by name.
    let mut unread = saved.clone();
    unread.prep.transforms.retain(|t| t.column() != "Age");
    let e = kequn::export::sql::model_sql(&unread, &opts).unwrap_err();
    assert_eq!(e.code(), "export");
    assert!(e.to_string().contains("'Age'"), "{e}");
    assert!(e.zh().contains("“Age”"), "{}", e.zh());
    let pmml = kequn::export::pmml::model_pmml(&saved).unwrap();
    assert!(pmml.contains("<Scorecard"));
    for name in &card.characteristics {
        assert!(pmml.contains(&format!("name=\"{name}\"")), "{name}");
    }
}
