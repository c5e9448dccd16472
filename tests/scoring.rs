//! Scoring through recipe::run on the scenario data: label, leakage guard,
//! metrics, explanations, candidates, and the errors an analyst can hit.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use kequn::recipe::{self, Recipe, Report};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `recipe` (JSON) over files read from `dir`.
fn run_in(dir: &str, recipe: &str) -> kequn::Result<Report> {
    let recipe = Recipe::from_json(recipe)?;
    let mut names: Vec<String> = Vec::new();
    for i in &recipe.inputs {
        names.push(i.file.clone());
        names.extend(i.columns_file.clone());
    }
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| (n.clone(), std::fs::read(root().join(dir).join(n)).unwrap()))
        .collect();
    let inputs = recipe::view(&files);
    recipe::run(&recipe, &inputs, &mut ())
}

fn preset(name: &str) -> (String, String) {
    let text =
        std::fs::read_to_string(root().join("data/recipes").join(format!("{name}.json"))).unwrap();
    let r = Recipe::from_json(&text).unwrap();
    let dir = format!("data/recipes/{}", r.data_dir.unwrap());
    (dir, text)
}

#[test]
fn wealth_model_reaches_auc_085_and_lists_100_not_yet_high_value() {
    let (dir, text) = preset("wealth");
    let report = run_in(&dir, &text).unwrap();
    let m = report.model.as_ref().unwrap();
    assert!(m.metrics.auc >= 0.85, "AUC {}", m.metrics.auc);
    // Pinned: the browser test (tests/web.rs) checks it gets the same figure.
    assert!(
        (m.metrics.auc - 0.905908).abs() < 1e-5,
        "AUC {}",
        m.metrics.auc
    );
    assert!(m.cv_auc.unwrap() >= 0.85, "CV AUC {:?}", m.cv_auc);
    assert_eq!(m.leakage_removed, ["asset_level"]);
    assert!(m
        .features
        .iter()
        .all(|f| f.source != "asset_level" && f.source != "user_id" && f.source != "name"));
    assert_eq!((m.train_rows + m.test_rows, m.rows), (2917, 2917));
    assert_eq!(m.candidates.len(), 100);
    assert!(m
        .candidates
        .windows(2)
        .all(|w| w[0].probability >= w[1].probability));
    // Nobody already 100万+ is a candidate.
    let beh =
        std::fs::read_to_string(root().join("data/scenarios/wealth/user_behavior_assets.csv"))
            .unwrap();
    let high: Vec<&str> = beh
        .lines()
        .filter(|l| l.contains(",100万+,"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert!(m.candidates.iter().all(|c| !high.contains(&c.id.as_str())));
    assert_eq!(m.candidates_excluded, m.positives);
    // Explanations use source column names, largest first.
    assert!(m
        .coefficients
        .windows(2)
        .all(|w| w[0].coef.abs() >= w[1].coef.abs()));
    assert!(m
        .candidates
        .iter()
        .all(|c| !c.reasons.is_empty() && c.reasons.iter().all(|r| r.1 > 0.0)));
    assert!(m.importance.windows(2).all(|w| w[0].1 >= w[1].1));
    // The decision tree (depth 4): its leaves partition the training rows.
    let tree = m.tree.as_ref().unwrap();
    assert!(
        tree.leaves <= 16 && tree.rules.len() == tree.leaves,
        "{tree:?}"
    );
    assert_eq!(
        tree.rules.iter().map(|r| r.rows).sum::<usize>(),
        m.train_rows
    );
    assert!(tree
        .rules
        .iter()
        .all(|r| !r.conditions.is_empty() && r.conditions.len() <= 4));
    assert!(tree
        .rules
        .windows(2)
        .all(|w| w[0].positive_rate >= w[1].positive_rate));
    assert!(tree.auc > 0.75, "tree AUC {}", tree.auc);
    // One bound per column and direction: redundant splits are merged.
    for r in &tree.rules {
        let mut seen: Vec<(String, bool)> = Vec::new();
        for c in &r.conditions {
            if let Some((col, _)) = c.split_once(" ≥ ").or_else(|| c.split_once(" < ")) {
                let key = (col.to_string(), c.contains(" ≥ "));
                assert!(!seen.contains(&key), "{:?}", r.conditions);
                seen.push(key);
            }
        }
    }
}

#[test]
fn corporate_churn_drops_the_rule_columns_dates_and_rows_with_missing_values() {
    let (dir, text) = preset("corporate_churn");
    let m = run_in(&dir, &text).unwrap().model.unwrap();
    assert_eq!(
        m.leakage_removed,
        ["金融资产月日均", "近三个月金融资产月日均"]
    );
    let dates: Vec<&str> = m
        .dropped_columns
        .iter()
        .filter(|d| d.reason == "a date")
        .map(|d| d.column.as_str())
        .collect();
    assert_eq!(dates, ["成立日期", "开户日期", "最近交易日期"]);
    assert!(
        m.dropped_rows > 0 && m.rows + m.dropped_rows == 2000,
        "{} + {}",
        m.rows,
        m.dropped_rows
    );
    let share = m.positives as f64 / m.rows as f64;
    assert!((0.10..0.20).contains(&share), "{share}");
    assert!(m.metrics.auc > 0.8, "{}", m.metrics.auc);
    // Threshold 0.5: every candidate is predicted to churn.
    assert!(m.candidates.iter().all(|c| c.probability >= 0.5));
}

#[test]
fn prospects_are_filtered_to_guangdong_after_scoring() {
    let (dir, text) = preset("prospects");
    let m = run_in(&dir, &text).unwrap().model.unwrap();
    let info = std::fs::read_to_string(root().join(&dir).join("company_info.csv")).unwrap();
    assert!(!m.candidates.is_empty());
    for c in &m.candidates {
        let line = info
            .lines()
            .find(|l| l.starts_with(&format!("{},", c.id)))
            .unwrap();
        assert!(line.contains("广东"), "{line}");
    }
    assert!(m.candidates.iter().all(|c| c.probability >= 0.5));
}

const WEALTH_ONE_FILE: &str = r#"{"inputs": [{"file": "customers.csv"}], "label": {"rule": RULE},
  "features": {"exclude": ["user_id", "name"]}, "model": {"kind": "logistic"}}"#;

fn one_file(rule: &str, extra: &str) -> kequn::Result<Report> {
    let text = WEALTH_ONE_FILE
        .replace("RULE", &serde_json::to_string(rule).unwrap())
        .replace(
            r#""features": {"exclude": ["user_id", "name"]}"#,
            &format!(r#""features": {{"exclude": ["user_id", "name"{extra}]}}"#),
        );
    run_in("data/samples", &text)
}

#[test]
fn analyst_errors_are_clear() {
    let e = one_file("age > 200", "").unwrap_err();
    assert!(
        e.to_string().contains("is false for all 300 usable rows"),
        "{e}"
    );
    let e = one_file("asset_levl == \"100万+\"", "").unwrap_err();
    assert!(e.to_string().contains("did you mean 'asset_level'"), "{e}");
    // Everything else excluded: the leakage guard leaves nothing to model with.
    let all: Vec<String> = kequn::synth::wealth::BASE_COLUMNS
        .iter()
        .chain(&kequn::synth::wealth::BEHAVIOR_COLUMNS)
        .filter(|c| !["user_id", "name", "age"].contains(c))
        .map(|c| format!(", \"{c}\""))
        .collect();
    let e = one_file("age > 50", &all.concat()).unwrap_err();
    assert!(e.to_string().contains("no feature is left"), "{e}");
}

#[test]
fn constant_columns_are_dropped_with_reasons() {
    let report = one_file("asset_level == \"100万+\"", "").unwrap();
    let m = report.model.unwrap();
    let reason = |c: &str| {
        m.dropped_columns
            .iter()
            .find(|d| d.column == c)
            .map(|d| d.reason.clone())
    };
    assert_eq!(reason("stat_month").as_deref(), Some("constant"));
    assert!(m.features.iter().all(|f| f.source != "stat_month"));
}

#[test]
fn tree_rules_read_in_the_columns_own_terms_on_real_data() {
    let recipe = r#"{"inputs": [{"file": "telco-customer-churn.csv"}],
        "label": {"rule": "Churn == \"Yes\""},
        "features": {"exclude": ["customerID"]},
        "model": {"kind": "logistic", "also": ["tree"], "max_depth": 3}}"#;
    let m = run_in("../shared/data/real", recipe)
        .unwrap()
        .model
        .unwrap();
    let tree = m.tree.unwrap();
    let all: Vec<&String> = tree.rules.iter().flat_map(|r| &r.conditions).collect();
    // The first split of the classic churn tree is on the contract type.
    assert!(
        all.iter()
            .any(|c| c.starts_with("Contract = ") || c.starts_with("Contract ≠ ")),
        "{all:?}"
    );
    // Numeric thresholds are back in the column's own units (months of tenure, not z-scores).
    let tenure: Vec<f64> = all
        .iter()
        .filter_map(|c| {
            c.strip_prefix("tenure ≥ ")
                .or_else(|| c.strip_prefix("tenure < "))
        })
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(
        !tenure.is_empty() && tenure.iter().all(|t| (0.0..=72.0).contains(t)),
        "{all:?}"
    );
    assert!(tree.auc > 0.75, "{}", tree.auc);
}

/// A recipe with only a label (what the page checks while the analyst types)
/// reports the positive count and the columns the rule reads.
#[test]
fn a_label_alone_is_evaluated_and_summarised() {
    let recipe = r#"{"name": "check", "inputs": [{"file": "customers.csv"}],
        "label": {"rule": "asset_level == \"100万+\" and age >= 40"}}"#;
    let r = run_in("data/samples", recipe).unwrap();
    let l = r.label.unwrap();
    assert_eq!(l.rows, 300);
    assert_eq!(l.columns, ["asset_level", "age"]);
    assert!(r.model.is_none());
    // The same count, computed here from the file without the rule engine.
    let bytes = std::fs::read(root().join("data/samples/customers.csv")).unwrap();
    let (t, _) = kequn::table::load(&bytes, "c.csv", &Default::default(), &mut ()).unwrap();
    let (lvl, age) = (t.column("asset_level").unwrap(), t.column("age").unwrap());
    let want = (0..t.rows())
        .filter(|&i| !lvl.is_missing(i) && lvl.text(i) == "100万+")
        .filter(|&i| age.text(i).parse::<f64>().is_ok_and(|a| a >= 40.0))
        .count();
    assert!(want > 10, "{want}");
    assert_eq!(l.positives, want);
    let bad = r#"{"name": "check", "inputs": [{"file": "customers.csv"}],
        "label": {"rule": "asset_levl == \"x\""}}"#;
    let e = run_in("data/samples", bad).unwrap_err().to_string();
    assert!(e.contains("asset_level"), "{e}");
}

/// UCI bank-full: the call's `duration` is known only after the call, and
/// the leakage warning names it (and how to drop it); once dropped, nothing
/// is flagged. The telco file has no such column.
#[test]
fn a_column_recorded_after_the_outcome_is_flagged_as_a_probable_leak() {
    let real = root().join("../shared/data/real");
    let run = |file: &str, extra: &str| {
        let text = format!(
            r#"{{"inputs": [{{"file": "{file}"}}], "label": {{"rule": "{}"}}, {extra} "model": {{"kind": "logistic"}}}}"#,
            if file.starts_with("bank") {
                r#"y == \"yes\""#
            } else {
                r#"Churn == \"Yes\""#
            }
        );
        let recipe = kequn::recipe::Recipe::from_json(&text).unwrap();
        let bytes = std::fs::read(real.join(file)).unwrap();
        let inputs = [kequn::recipe::InputFile {
            name: file,
            bytes: &bytes,
        }];
        kequn::recipe::run(&recipe, &inputs, &mut ())
            .unwrap()
            .model
            .unwrap()
    };
    let m = run("bank-full.csv", "");
    let flagged: Vec<&str> = m.leak_warnings.iter().map(|w| w.column.as_str()).collect();
    assert_eq!(flagged, ["duration"], "{:?}", m.univariate_auc);
    let w = &m.leak_warnings[0];
    assert!(
        w.auc > 0.78 && w.message.contains(r#""drop": ["duration"]"#),
        "{w:?}"
    );
    assert!(w.message_zh.contains("标签泄漏"));
    // The univariate AUCs are reported for every source column, highest first.
    assert_eq!(m.univariate_auc[0].0, "duration");
    assert_eq!(m.univariate_auc.len(), 16);
    assert!(m.univariate_auc.windows(2).all(|p| p[0].1 >= p[1].1));
    let m = run("bank-full.csv", r#""drop": ["duration"],"#);
    assert!(m.leak_warnings.is_empty(), "{:?}", m.leak_warnings);
    let m = run("telco-customer-churn.csv", "");
    assert!(m.leak_warnings.is_empty(), "{:?}", m.leak_warnings);
}

/// The report's explanations of a logistic model come from the test rows'
/// design matrix in blocks (`explain_design_summary`): the importance and
/// the picked rows equal, to the bit, what the whole matrix gives.
#[test]
fn explanations_in_blocks_equal_the_whole_design_matrix() {
    let report = one_file("asset_level == \"100万+\"", "").unwrap();
    let model = &report.model.as_ref().unwrap().model;
    let bytes = std::fs::read(root().join("data/samples/customers.csv")).unwrap();
    let t = kequn::table::load(&bytes, "customers.csv", &Default::default(), &mut ())
        .unwrap()
        .0;
    let rows: Vec<usize> = (0..t.rows()).collect();
    let whole = model
        .explain_design(&[model.prep.transform(&t, &rows).unwrap().view()])
        .unwrap();
    let pick = [0, 1, 63, 64, 65, 200, t.rows() - 1];
    for size in [1, 7, 64, t.rows()] {
        let blocks: Vec<_> = rows
            .chunks(size)
            .map(|r| model.prep.transform(&t, r).unwrap())
            .collect();
        let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
        let (importance, picked) = model.explain_design_summary(&views, &pick).unwrap();
        assert_eq!(importance, whole.importance(), "blocks of {size}");
        assert_eq!(picked.sources, whole.sources);
        assert_eq!(picked.base.to_bits(), whole.base.to_bits());
        for (i, &k) in pick.iter().enumerate() {
            assert_eq!(
                picked.contrib.row(i),
                whole.contrib.row(k),
                "row {k}, blocks of {size}"
            );
        }
    }
    // No rows: no contributions, the same sources and base.
    let (importance, picked) = model.explain_design_summary(&[], &[]).unwrap();
    assert_eq!(picked.contrib.nrows(), 0);
    assert_eq!(picked.sources, whole.sources);
    assert!(importance.iter().all(|(_, v)| *v == 0.0));
}
