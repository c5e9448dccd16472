//! The PMML export proved on a real evaluator: a logistic model trained
//! and saved with the CLI, its document from `kequn export-pmml`, and a
//! scorecard fitted with the library and written by `pmml::scorecard`,
//! each validated against the PMML 4.4 schema (tests/pmml/pmml-4-4.xsd,
//! `xmllint --schema`) and scored by jpmml-evaluator (PyPI, Java; in the
//! virtual environment `scripts/venv-sql.sh pmml` makes) over the raw CSV
//! cells: every row's probability held to `kequn score` to 1e-9, and the
//! scorecard's points to `Scorecard::score` and its reason codes to
//! `Scorecard::reasons`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::root;
use kequn::score::analysis::AppliedReport;

const BIN: &str = env!("CARGO_BIN_EXE_kequn");

/// The venv's python with jpmml-evaluator, Java and xmllint, installed once
/// per test run by scripts/venv-sql.sh pmml when one is missing.
fn python() -> PathBuf {
    static READY: OnceLock<PathBuf> = OnceLock::new();
    READY
        .get_or_init(|| {
            let py = root().join("target/venv-sql/bin/python");
            let ready = py.exists()
                && Command::new(&py)
                    .args(["-c", "import jpmml_evaluator"])
                    .status()
                    .is_ok_and(|s| s.success())
                && Command::new("java").arg("-version").output().is_ok()
                && Command::new("xmllint").arg("--version").output().is_ok();
            if !ready {
                let ok = Command::new("bash")
                    .arg(root().join("scripts/venv-sql.sh"))
                    .arg("pmml")
                    .status()
                    .unwrap();
                assert!(ok.success(), "scripts/venv-sql.sh pmml failed");
            }
            py
        })
        .clone()
}

fn kequn(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "kequn {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kequn-pmml-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn real(file: &str) -> PathBuf {
    root().join("../shared/data/real").join(file)
}

/// `xmllint --schema` against the vendored PMML 4.4 schema.
fn assert_valid(doc: &Path) {
    python();
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(root().join("tests/pmml/pmml-4-4.xsd"))
        .arg(doc)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: not valid PMML 4.4: {}",
        doc.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// jpmml-evaluator's output columns and rows (id first) for `csv`.
fn jpmml(doc: &Path, csv: &Path, id: &str) -> (Vec<String>, Vec<Vec<serde_json::Value>>) {
    let out = Command::new(python())
        .arg(root().join("tests/pmml/jpmml_run.py"))
        .arg(doc)
        .arg(csv)
        .arg(id)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "jpmml on {}: {}",
        csv.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let head: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let columns = serde_json::from_value(head["columns"].clone()).unwrap();
    let rows = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    (columns, rows)
}

fn id_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Trains a logistic model on `file` with the recipe `sections`, exports
/// it, validates it, scores `file` in jpmml and with `kequn score`, and
/// returns the largest |Δp|.
fn logistic(name: &str, file: &Path, id: &str, sections: &str) -> f64 {
    logistic_on(name, file, file, id, sections, &[])
}

/// As `logistic`, scoring `score` (with `kequn score` flags `flags`).
fn logistic_on(
    name: &str,
    file: &Path,
    score: &Path,
    id: &str,
    sections: &str,
    flags: &[&str],
) -> f64 {
    let dir = scratch(name);
    let recipe = format!(
        r#"{{ "name": "pmml {name}", "data_dir": {:?}, "inputs": [{{ "file": {:?} }}], {sections},
             "model": {{ "kind": "logistic", "test_share": 0.3, "seed": 42 }} }}"#,
        file.parent().unwrap().display().to_string(),
        file.file_name().unwrap().to_string_lossy()
    );
    let recipe_path = dir.join("recipe.json");
    std::fs::write(&recipe_path, recipe).unwrap();
    let model = dir.join("model.json");
    kequn(&[
        "run",
        recipe_path.to_str().unwrap(),
        "--save-model",
        model.to_str().unwrap(),
    ]);
    let doc = dir.join("model.pmml");
    kequn(&[
        "export-pmml",
        "--model",
        model.to_str().unwrap(),
        "--out",
        doc.to_str().unwrap(),
    ]);
    // Standard output carries the same document.
    let printed = kequn(&["export-pmml", "--model", model.to_str().unwrap()]);
    assert_eq!(printed, std::fs::read_to_string(&doc).unwrap());
    assert_valid(&doc);

    let mut args = vec![
        "score",
        "--model",
        model.to_str().unwrap(),
        "--id",
        id,
        "--top",
        "100000000",
        "--json",
    ];
    args.extend(flags);
    args.push(score.to_str().unwrap());
    let scored: AppliedReport = serde_json::from_str(&kequn(&args)).unwrap();
    assert_eq!(scored.kind, "logistic");
    let (columns, rows) = jpmml(&doc, score, id);
    assert_eq!(columns, [id, "probability"], "{name}");
    let theirs: HashMap<String, f64> = rows
        .iter()
        .map(|r| (id_text(&r[0]), r[1].as_f64().unwrap()))
        .collect();
    assert_eq!(theirs.len(), scored.candidates.len(), "{name}: rows");
    let mut worst: f64 = 0.0;
    for c in &scored.candidates {
        let p = theirs[&c.id];
        let d = (p - c.probability).abs();
        worst = worst.max(d);
        assert!(
            d <= 1e-9,
            "{name}: {}: jpmml {p} vs kequn {}",
            c.id,
            c.probability
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    worst
}

#[test]
fn telco_logistic_scores_the_same_in_jpmml() {
    let worst = logistic(
        "telco",
        &real("telco-customer-churn.csv"),
        "customerID",
        r#""label": { "rule": "Churn == \"Yes\"" }, "features": { "exclude": ["customerID"] }"#,
    );
    eprintln!("jpmml: telco logistic: 7043 rows, max |Δp| = {worst:e}");
}

/// Telco scored after its cells were spoilt the ways exports spoil them:
/// blanks and missing words in categories and numbers, padded levels and
/// numbers, an unseen level (`--allow-unseen`: all zeros in both).
#[test]
fn spoilt_cells_score_the_same_in_jpmml() {
    let dir = scratch("telco-spoilt");
    let text = std::fs::read_to_string(real("telco-customer-churn.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let spoil: [(&str, &str); 10] = [
        ("gender", ""),
        ("Partner", "NA"),
        ("Dependents", "  Yes "),
        ("PaymentMethod", "Bitcoin"),
        ("tenure", ""),
        ("MonthlyCharges", "null"),
        ("MonthlyCharges", " 42.5 "),
        ("Contract", "N/A"),
        ("SeniorCitizen", "-"),
        ("InternetService", " #N/A"),
    ];
    let mut out = format!("{}\n", head.join(","));
    for (i, line) in lines.enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        assert_eq!(cells.len(), head.len(), "telco has no quoted commas");
        if let Some((c, v)) = spoil.get(i % 25) {
            cells[col(c)] = v.to_string();
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let spoilt = dir.join("telco-spoilt.csv");
    std::fs::write(&spoilt, out).unwrap();
    let worst = logistic_on(
        "telco-spoilt",
        &real("telco-customer-churn.csv"),
        &spoilt,
        "customerID",
        r#""label": { "rule": "Churn == \"Yes\"" }, "features": { "exclude": ["customerID"] }"#,
        &["--allow-unseen"],
    );
    eprintln!("jpmml: telco with spoilt cells: 7043 rows, max |Δp| = {worst:e}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `file` with a first column `row_id` (1, 2, …): bank-full has no id.
fn with_row_id(file: &Path, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str("\"row_id\";");
        } else {
            out.push_str(&format!("{i};"));
        }
        out.push_str(line);
        out.push('\n');
    }
    let path = dir.join(file.file_name().unwrap());
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn bank_full_logistic_scores_the_same_in_jpmml() {
    let dir = scratch("bank-data");
    let file = with_row_id(&real("bank-full.csv"), &dir);
    let worst = logistic(
        "bank-full",
        &file,
        "row_id",
        r#""label": { "rule": "y == \"yes\"" }, "drop": ["duration"],
           "features": { "exclude": ["row_id"], "log1p": ["campaign"] }"#,
    );
    eprintln!("jpmml: bank-full logistic: 45211 rows, max |Δp| = {worst:e}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The wealth scenario's customer file with Chinese column names (one with
/// XML's markup characters in it), blank cells in a category, an ordinal
/// and a target-encoded column, log1p.
#[test]
fn chinese_columns_ordinal_and_target_encoding_score_the_same_in_jpmml() {
    let dir = scratch("wealth-data");
    kequn::synth::write_scenario("wealth", &dir, 3000, 7).unwrap();
    let rename: &[(&str, &str)] = &[
        ("user_id", "客户号"),
        ("age", "年龄"),
        ("gender", "性别"),
        ("occupation_type", "职业类型"),
        ("monthly_trade_amount", "\"月交易额<元>&\"\"净\"\"\""),
        ("city_level", "城市等级"),
        ("marriage_status", "婚姻状况"),
        ("branch_name", "分行"),
    ];
    let text = std::fs::read_to_string(dir.join("user_base.csv")).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    let head: Vec<String> = head
        .split(',')
        .map(|h| {
            rename
                .iter()
                .find(|(en, _)| *en == h)
                .map_or(h.to_string(), |(_, zh)| zh.to_string())
        })
        .collect();
    let file = dir.join("中文客户.csv");
    std::fs::write(&file, format!("{}\n{body}", head.join(","))).unwrap();
    let worst = logistic(
        "wealth-zh",
        &file,
        "客户号",
        r#""label": { "rule": "职业类型 == \"专业人士\"" },
           "features": { "exclude": ["客户号", "name", "occupation"], "dates": "drop",
             "log1p": ["月交易额<元>&\"净\""],
             "ordinal": { "城市等级": ["三线城市", "二线城市", "新一线城市", "一线城市"] },
             "target_encode": ["分行"] }"#,
    );
    eprintln!("jpmml: wealth (Chinese columns) logistic: 3000 rows, max |Δp| = {worst:e}");
    std::fs::remove_dir_all(&dir).ok();
}

fn load(file: &Path) -> kequn::table::Table {
    let bytes = std::fs::read(file).unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    kequn::table::load(&bytes, &name, &Default::default(), &mut ())
        .unwrap()
        .0
}

/// The Churn scorecard (fitted on the whole file) written by
/// `pmml::scorecard`, validated, and `score` scored in jpmml against
/// `Scorecard::score` and `Scorecard::reasons`.
fn churn_scorecard(name: &str, score: &Path) {
    use kequn::score::scorecard::{BinningProcess, ProcessParams, Scorecard, ScorecardParams};
    let t = load(&real("Churn_Modelling.csv"));
    let y: Vec<bool> = match &t.column("Exited").unwrap().data {
        kequn::table::ColumnData::Numeric(v) => v.iter().map(|v| *v == 1.0).collect(),
        other => panic!("Exited is not numeric: {other:?}"),
    };
    let columns: Vec<&str> = t
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| !["RowNumber", "CustomerId", "Surname", "Exited"].contains(n))
        .collect();
    let p = BinningProcess::fit(&t, &columns, &y, &ProcessParams::default()).unwrap();
    let card = Scorecard::fit(p, &t, &y, &ScorecardParams::default()).unwrap();
    let s = load(score);
    let points = card.score(&s).unwrap();
    let reasons = card.reasons(&s, 3).unwrap();

    let dir = scratch(name);
    let doc = dir.join("scorecard.pmml");
    std::fs::write(&doc, kequn::export::pmml::scorecard(&card, 3).unwrap()).unwrap();
    assert_valid(&doc);
    let (columns, rows) = jpmml(&doc, score, "CustomerId");
    assert_eq!(
        columns,
        ["CustomerId", "score", "reason_1", "reason_2", "reason_3"]
    );
    assert_eq!(rows.len(), s.rows());
    let ids = s.column("CustomerId").unwrap();
    let (mut worst, mut ties) = (0.0f64, 0);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(id_text(&row[0]), ids.text(i), "row order");
        let v = row[1].as_f64().unwrap();
        let d = (v - points[i] as f64).abs();
        worst = worst.max(d);
        assert!(
            d <= 1e-9,
            "{name} row {i}: jpmml {v} vs kequn {}",
            points[i]
        );
        let theirs: Vec<&str> = row[2..].iter().filter_map(|v| v.as_str()).collect();
        let ours: Vec<&str> = reasons[i]
            .iter()
            .map(|r| r.characteristic.as_str())
            .collect();
        // Equal points lost rank in the card's order in both.
        ties += reasons[i]
            .windows(2)
            .any(|w| w[0].points_lost == w[1].points_lost) as usize;
        assert_eq!(theirs, ours, "{name} row {i}: reasons");
    }
    eprintln!(
        "jpmml: {name} ({} characteristics): {} rows, max |Δpoints| = {worst:e}, reason codes equal ({ties} rows with tied points lost)",
        card.characteristics.len(),
        rows.len()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn churn_scorecard_scores_and_reasons_the_same_in_jpmml() {
    churn_scorecard("Churn scorecard", &real("Churn_Modelling.csv"));
}

/// Missing, padded and unseen cells land in the same bins.
#[test]
fn churn_scorecard_with_spoilt_cells_scores_the_same_in_jpmml() {
    let dir = scratch("churn-spoilt");
    let text = std::fs::read_to_string(real("Churn_Modelling.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let spoil: [(&str, &str); 9] = [
        ("Geography", ""),
        ("Geography", "NA"),
        ("Geography", " France "),
        ("Geography", "Atlantis"),
        ("Age", ""),
        ("Age", "null"),
        ("Balance", " 1000.5 "),
        ("NumOfProducts", "-"),
        ("IsActiveMember", "NaN"),
    ];
    let mut out = format!("{}\n", head.join(","));
    for (i, line) in lines.enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if let Some((c, v)) = spoil.get(i % 20) {
            cells[col(c)] = v.to_string();
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let spoilt = dir.join("churn-spoilt.csv");
    std::fs::write(&spoilt, out).unwrap();
    churn_scorecard("Churn scorecard, spoilt cells", &spoilt);
    std::fs::remove_dir_all(&dir).ok();
}

/// Special codes and categories, an others bin, groups of several
/// categories (set predicates, one with a space, one with a quote: an `or`
/// of equalities) and Chinese names, on made-up data.
#[test]
fn scorecard_special_bins_and_awkward_categories_score_the_same_in_jpmml() {
    use kequn::score::scorecard::{
        BinningParams, BinningProcess, ProcessParams, Scorecard, ScorecardParams,
    };
    let dir = scratch("scorecard-special");
    let cats = [
        "甲", "乙", "b c", "q\"uote", "丙", "丁", "稀有1", "稀有2", "ZZ",
    ];
    let mut csv = String::from("编号,余额,类别,y\n");
    let mut h: u64 = 7;
    for i in 0..4000usize {
        h = h
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = (h >> 33) % 1000;
        let x = match i % 23 {
            0 => "-999".to_string(),
            1 => String::new(),
            _ => format!("{}", (r as usize * 7 + i % 13) as f64 / 4.0),
        };
        let k = match i % 97 {
            0 => 6,
            1 => 7,
            2 => 8,
            _ => (r as usize + i) % 6,
        };
        let c = if i % 31 == 0 {
            String::new()
        } else {
            format!("\"{}\"", cats[k].replace('"', "\"\""))
        };
        let event = (r as f64 / 1000.0) < 0.1 + 0.05 * (k % 3) as f64 + (x.len() % 3) as f64 * 0.05;
        csv.push_str(&format!("id{i},{x},{c},{}\n", event as u8));
    }
    let file = dir.join("特殊.csv");
    std::fs::write(&file, csv).unwrap();
    let t = load(&file);
    let y: Vec<bool> = match &t.column("y").unwrap().data {
        kequn::table::ColumnData::Numeric(v) => v.iter().map(|v| *v == 1.0).collect(),
        other => panic!("y is not numeric: {other:?}"),
    };
    let params = ProcessParams {
        binning: BinningParams {
            special_codes: vec![-999.0],
            special_categories: vec!["ZZ".into()],
            cat_cutoff: Some(0.01),
            monotonic_trend: None,
            ..Default::default()
        },
        per_column: [(
            "类别".to_string(),
            BinningParams {
                special_categories: vec!["ZZ".into()],
                user_groups: Some(vec![
                    vec!["甲".into(), "b c".into()],
                    vec!["乙".into(), "q\"uote".into()],
                    vec!["丙".into(), "丁".into()],
                ]),
                monotonic_trend: None,
                ..Default::default()
            },
        )]
        .into(),
        min_iv: 0.0,
    };
    let p = BinningProcess::fit(&t, &["余额", "类别"], &y, &params).unwrap();
    let card = Scorecard::fit(p, &t, &y, &ScorecardParams::default()).unwrap();
    assert_eq!(card.characteristics, ["余额", "类别"]);
    let points = card.score(&t).unwrap();
    let reasons = card.reasons(&t, 2).unwrap();
    let doc = dir.join("card.pmml");
    let text = kequn::export::pmml::scorecard(&card, 2).unwrap();
    assert!(
        text.contains("type=\"real\">-999.0</Array>"),
        "special codes"
    );
    assert!(
        text.contains("booleanOperator=\"or\""),
        "the quoted category"
    );
    assert!(text.contains("SimpleSetPredicate"));
    std::fs::write(&doc, &text).unwrap();
    assert_valid(&doc);
    let (columns, rows) = jpmml(&doc, &file, "编号");
    assert_eq!(columns, ["编号", "score", "reason_1", "reason_2"]);
    for (i, row) in rows.iter().enumerate() {
        let v = row[1].as_f64().unwrap();
        assert!(
            (v - points[i] as f64).abs() <= 1e-9,
            "row {i}: {v} vs {}",
            points[i]
        );
        let theirs: Vec<&str> = row[2..].iter().filter_map(|v| v.as_str()).collect();
        let ours: Vec<&str> = reasons[i]
            .iter()
            .map(|r| r.characteristic.as_str())
            .collect();
        assert_eq!(theirs, ours, "row {i}");
    }
    eprintln!(
        "jpmml: scorecard with special bins and awkward categories: {} rows, bins {:?}",
        rows.len(),
        card.table()
            .iter()
            .map(|r| format!("{}:{}", r.bin, r.points))
            .collect::<Vec<_>>()
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A scorecard trained by a recipe and saved with the CLI: `kequn
/// export-pmml` writes its `Scorecard`, valid PMML 4.4, whose score and
/// reason codes in jpmml are `kequn score`'s for every customer.
#[test]
fn a_saved_scorecard_exports_and_scores_the_same_in_jpmml() {
    let dir = scratch("saved-scorecard");
    let file = real("Churn_Modelling.csv");
    let recipe = dir.join("r.json");
    std::fs::write(
        &recipe,
        format!(
            r#"{{ "data_dir": {:?}, "inputs": [{{ "file": "Churn_Modelling.csv" }}],
                 "label": {{ "rule": "Exited == 1" }},
                 "features": {{ "exclude": ["RowNumber", "Surname"] }},
                 "model": {{ "kind": "scorecard" }} }}"#,
            file.parent().unwrap().display().to_string()
        ),
    )
    .unwrap();
    let model = dir.join("m.json");
    kequn(&[
        "run",
        recipe.to_str().unwrap(),
        "--save-model",
        model.to_str().unwrap(),
    ]);
    let doc = dir.join("m.pmml");
    kequn(&[
        "export-pmml",
        "--model",
        model.to_str().unwrap(),
        "--out",
        doc.to_str().unwrap(),
    ]);
    assert_valid(&doc);
    let scored: AppliedReport = serde_json::from_str(&kequn(&[
        "score",
        "--model",
        model.to_str().unwrap(),
        "--id",
        "CustomerId",
        "--top",
        "100000000",
        "--json",
        file.to_str().unwrap(),
    ]))
    .unwrap();
    assert_eq!(scored.kind, "scorecard");
    let ours: std::collections::HashMap<String, _> = scored
        .candidates
        .iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let (columns, rows) = jpmml(&doc, &file, "CustomerId");
    assert_eq!(
        columns,
        ["CustomerId", "score", "reason_1", "reason_2", "reason_3"]
    );
    assert_eq!(rows.len(), ours.len());
    for row in &rows {
        let c = ours[&id_text(&row[0])];
        assert_eq!(row[1].as_f64().unwrap(), c.score.unwrap() as f64);
        let theirs: Vec<&str> = row[2..].iter().filter_map(|v| v.as_str()).collect();
        let codes: Vec<&str> = c
            .reason_codes
            .iter()
            .map(|r| r.characteristic.as_str())
            .collect();
        assert_eq!(theirs, codes, "{}", c.id);
    }
    eprintln!(
        "jpmml: saved Churn scorecard from a recipe: {} rows, scores and reason codes equal",
        rows.len()
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Without Java: what cannot be written is refused by name in both
/// languages, and the documents are well-formed PMML 4.4.
#[test]
fn the_export_refuses_trees_and_dates_by_name() {
    let dir = scratch("refuse");
    let csv: String = std::iter::once("id,开户日期,amount,seg,y\n".to_string())
        .chain((0..200).map(|i| {
            format!(
                "c{i},2024-{:02}-{:02},{},{},{}\n",
                i % 12 + 1,
                i % 28 + 1,
                (i * 37) % 101,
                ["a&b", "<c>", "e'f"][i % 3],
                i % 3 == 0 || i % 7 == 0
            )
        }))
        .collect();
    std::fs::write(dir.join("d.csv"), csv).unwrap();
    let train = |kind: &str, dates: &str| {
        let r = dir.join(format!("r-{kind}-{dates}.json"));
        std::fs::write(
            &r,
            format!(
                r#"{{ "data_dir": {:?}, "inputs": [{{ "file": "d.csv" }}],
                     "label": {{ "rule": "y == \"true\"" }},
                     "features": {{ "exclude": ["id"], "dates": {dates:?}, "reference_date": "2024-12-31" }},
                     "model": {{ "kind": {kind:?} }} }}"#,
                dir.display().to_string()
            ),
        )
        .unwrap();
        let m = dir.join(format!("m-{kind}-{dates}.json"));
        kequn(&[
            "run",
            r.to_str().unwrap(),
            "--save-model",
            m.to_str().unwrap(),
        ]);
        m
    };
    let export = |m: &Path| {
        Command::new(BIN)
            .args(["export-pmml", "--model", m.to_str().unwrap()])
            .output()
            .unwrap()
    };
    let out = export(&train("gbdt", "drop"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot export the model as PMML 4.4")
            && err.contains("gradient-boosted trees")
            && err.contains("梯度提升树"),
        "{err}"
    );
    let out = export(&train("logistic", "days_before"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("date column '开户日期'") && err.contains("日期列“开户日期”"),
        "{err}"
    );
    // Levels with markup characters come out escaped and the document valid.
    let m = train("logistic", "drop");
    let doc = dir.join("m.pmml");
    kequn(&[
        "export-pmml",
        "--model",
        m.to_str().unwrap(),
        "--out",
        doc.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&doc).unwrap();
    assert!(text.contains("<Value value=\"a&amp;b\"/>"), "{text}");
    assert!(text.contains("value=\"&lt;c&gt;\""));
    assert!(text.contains("value=\"e&apos;f\""));
    assert_valid(&doc);
    std::fs::remove_dir_all(&dir).ok();
}
