//! The CLI as a user runs it: exit codes, JSON output, bilingual errors.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kequn");

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn profile_json_of_the_real_telco_file() {
    let out = Command::new(BIN)
        .args(["profile", "--json"])
        .arg(root().join("../shared/data/real/telco-customer-churn.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tables"][0]["load"]["rows"], 7043);
    let total = v["tables"][0]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "TotalCharges")
        .unwrap();
    assert_eq!(
        (total["kind"].as_str(), total["missing"].as_u64()),
        (Some("numeric"), Some(11))
    );
}

#[test]
fn profile_text_with_join_and_column_list() {
    let s = root().join("data/samples");
    let out = Command::new(BIN)
        .arg("profile")
        .arg(s.join("corporate.del"))
        .arg("--columns")
        .arg(s.join("corporate_columns.txt"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("200 rows x 19 columns"), "{text}");
    assert!(text.contains("金融资产月日均"), "{text}");
}

#[test]
fn run_recipe_from_data_recipes() {
    let out = Command::new(BIN)
        .args(["run", "--json", "--dir"])
        .arg(root().join("data/samples"))
        .arg(root().join("data/recipes/profile-samples.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tables"].as_array().unwrap().len(), 2);
    assert_eq!(v["tables"][1]["columns"][0]["name"], "客户号");
}

#[test]
fn bad_input_exits_2_with_english_and_chinese() {
    let dir = std::env::temp_dir().join(format!("kequn-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("dup.csv");
    std::fs::write(&bad, "id,id\n1,2\n").unwrap();
    let out = Command::new(BIN).arg("profile").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("names column 'id' twice"), "{err}");
    assert!(err.contains("“id”出现了两次"), "{err}");
    let out = Command::new(BIN)
        .arg("profile")
        .arg(dir.join("nope.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the file"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_saved_model_scores_next_months_files_and_refuses_what_it_cannot() {
    let dir = std::env::temp_dir().join(format!("kequn-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("m.json");
    let out = Command::new(BIN)
        .arg("run")
        .arg(root().join("data/recipes/wealth.json"))
        .arg("--save-model")
        .arg(&model)
        .arg("--candidates")
        .arg(dir.join("c.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = std::fs::read_to_string(dir.join("c.csv")).unwrap();
    assert!(list.starts_with("\u{feff}排名 rank,客户 id"), "{list}");
    assert_eq!(list.lines().count(), 101);

    // "Next month": same shape, another seed.
    let month = dir.join("next");
    kequn::synth::write_scenario("wealth", &month, 500, 99).unwrap();
    let score = |base: &std::path::Path, extra: &[&str]| {
        Command::new(BIN)
            .args(["score", "--model"])
            .arg(&model)
            .args(["--id", "user_id", "--join", "user_id", "--json"])
            .args(extra)
            .arg(base)
            .arg(month.join("user_behavior_assets.csv"))
            .output()
            .unwrap()
    };
    let out = score(
        &month.join("user_base.csv"),
        &["--exclude-positive", "--top", "10"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["candidates"].as_array().unwrap().len(), 10);
    assert!(v["candidates_excluded"].as_u64().unwrap() > 0);

    let base = std::fs::read_to_string(month.join("user_base.csv")).unwrap();
    let renamed = dir.join("renamed.csv");
    std::fs::write(&renamed, base.replacen("branch_name", "branch", 1)).unwrap();
    let out = score(&renamed, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no column named 'branch_name' (did you mean 'branch'?)"));

    let new_branch = dir.join("new_branch.csv");
    std::fs::write(&new_branch, base.replace("北京分行", "雄安分行")).unwrap();
    let out = score(&new_branch, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("column 'branch_name'") && err.contains("雄安分行"),
        "{err}"
    );
    assert!(score(&new_branch, &["--allow-unseen"]).status.success());
    std::fs::remove_dir_all(dir).ok();
}

/// Runs `kequn run RECIPE` from the project folder as the README says, once
/// as text and once as JSON; the text must carry the JSON's key figures.
fn run_text_and_json(recipe: &str, extra: &[&str]) -> (String, serde_json::Value) {
    let run = |json: bool| {
        let mut c = Command::new(BIN);
        c.current_dir(root()).args(["run", recipe]).args(extra);
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{recipe}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let text = String::from_utf8(run(false)).unwrap();
    let v = serde_json::from_slice(&run(true)).unwrap();
    (text, v)
}

fn has(text: &str, want: &str, recipe: &str) {
    assert!(text.contains(want), "{recipe}: no '{want}' in\n{text}");
}

/// The display column (a CJK character is two wide) where `word` starts on `line`.
fn column_of(line: &str, word: &str) -> usize {
    let at = line.find(word).unwrap();
    unicode_width::UnicodeWidthStr::width(&line[..at])
}

#[test]
fn run_prints_every_step_of_each_preset() {
    let presets = [
        "data/recipes/wealth.json",
        "data/recipes/corporate_churn.json",
        "data/recipes/prospects.json",
        "data/recipes/retail_cross_sell.json",
        "data/recipes/securities_retention.json",
        "data/recipes/segmentation.json",
    ];
    for recipe in presets {
        let (text, v) = run_text_and_json(recipe, &[]);
        // File names as the user would write them, no `dir/../`.
        assert!(!text.contains("/../"), "{recipe}: {text}");
        for t in v["tables"].as_array().unwrap() {
            let file = t["load"]["file"].as_str().unwrap();
            has(
                &text,
                &format!("{file}: {} rows", t["load"]["rows"]),
                recipe,
            );
            // The column table's "type" column lines up under Chinese names.
            let lines: Vec<&str> = text
                .lines()
                .skip_while(|l| !l.starts_with(file))
                .skip(1)
                .take_while(|l| l.starts_with("  "))
                .collect();
            let at = column_of(lines[0], "type");
            for (line, c) in lines[1..].iter().zip(t["columns"].as_array().unwrap()) {
                let kind = c["kind"].as_str().unwrap();
                let name = c["name"].as_str().unwrap();
                let after = &line[line.find(name).unwrap() + name.len()..];
                let kind_at = column_of(line, name)
                    + unicode_width::UnicodeWidthStr::width(name)
                    + after.find(kind).unwrap();
                assert_eq!(kind_at, at, "{recipe}: misaligned\n{}", lines.join("\n"));
            }
        }
        if !v["join"].is_null() {
            has(&text, "(inner join)", recipe);
        }
        if let Some(m) = v["model"].as_object() {
            let auc = m["metrics"]["auc"].as_f64().unwrap();
            has(&text, &format!("test AUC {auc:.3}"), recipe);
            if let Some(cv) = m["cv_auc"].as_f64() {
                has(&text, &format!("CV AUC {cv:.3}"), recipe);
            }
            has(
                &text,
                &format!("KS {:.3}", m["metrics"]["ks"].as_f64().unwrap()),
                recipe,
            );
            for c in m["leakage_removed"].as_array().unwrap() {
                has(&text, c.as_str().unwrap(), recipe);
            }
            let cands = m["candidates"].as_array().unwrap();
            for c in cands.iter().take(10) {
                has(&text, c["id"].as_str().unwrap(), recipe);
            }
            has(
                &text,
                &format!("candidates: {} listed", cands.len()),
                recipe,
            );
            if let Some(t) = m["tree"].as_object() {
                has(
                    &text,
                    &format!("test AUC {:.3}", t["auc"].as_f64().unwrap()),
                    recipe,
                );
                let first = t["rules"][0]["conditions"].as_array().unwrap();
                has(&text, first[0].as_str().unwrap(), recipe);
            }
        }
        if let Some(o) = v["overview"].as_object() {
            has(
                &text,
                &format!("overview: {} customers", o["customers"]),
                recipe,
            );
        }
        if let Some(a) = v["aggregate"].as_object() {
            let r = &a["report"];
            has(
                &text,
                &format!("{} rows → {} entities", r["rows"], r["entities"]),
                recipe,
            );
        }
        if let Some(s) = v["segment"].as_object() {
            has(
                &text,
                &format!("K = {} over {} customers", s["k"], s["rows"]),
                recipe,
            );
            for n in s["names"].as_array().unwrap() {
                has(&text, n["name"].as_str().unwrap(), recipe);
            }
        }
        if let Some(b) = v["basket"].as_object() {
            let n = b["overall"]["rules"].as_array().unwrap().len();
            has(&text, &format!("{n} rules"), recipe);
        }
        if let Some(p) = v["plan"].as_object() {
            let customers = p["customers"].as_array().unwrap();
            has(
                &text,
                &format!("{} customer plans", customers.len()),
                recipe,
            );
            has(
                &text,
                &format!("{} segment plans", p["segments"].as_array().unwrap().len()),
                recipe,
            );
            for s in p["summary"].as_array().unwrap() {
                let line = text
                    .lines()
                    .find(|l| l.trim_start().starts_with(s["priority"].as_str().unwrap()))
                    .unwrap();
                assert!(
                    line.contains(&s["customers"].to_string()),
                    "{recipe}: {line}"
                );
            }
            for c in customers.iter().take(5) {
                has(&text, c["id"].as_str().unwrap(), recipe);
            }
        }
    }
}

/// Next month with a saved model: the applied list, the monitoring and its
/// alerts are printed too.
#[test]
fn run_with_a_saved_model_prints_monitoring() {
    let dir = std::env::temp_dir().join(format!("kequn-monitor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("m.json");
    let out = Command::new(BIN)
        .current_dir(root())
        .args(["run", "data/recipes/wealth.json", "--save-model"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Next month drifts: another seed and a different size.
    let month = dir.join("next");
    kequn::synth::write_scenario("wealth", &month, 800, 5).unwrap();
    let (base, assets) = (
        month.join("user_base.csv"),
        month.join("user_behavior_assets.csv"),
    );
    // ... and its customers are 30 years older: the age column shifts.
    let mut r = csv::Reader::from_path(&base).unwrap();
    let header = r.headers().unwrap().clone();
    let age = header.iter().position(|h| h == "age").unwrap();
    let mut w = csv::Writer::from_path(dir.join("base.csv")).unwrap();
    w.write_record(&header).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let row: Vec<String> = rec
            .iter()
            .enumerate()
            .map(|(i, v)| match (i == age, v.parse::<f64>()) {
                (true, Ok(x)) => (x + 30.0).to_string(),
                _ => v.to_string(),
            })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    let base = dir.join("base.csv");
    let model_arg = model.display().to_string();
    let files = [
        "--model",
        &model_arg,
        base.to_str().unwrap(),
        assets.to_str().unwrap(),
    ];
    let (text, v) = run_text_and_json("data/recipes/wealth.json", &files);
    let a = &v["applied"];
    has(&text, &format!("{} rows scored", a["rows"]), "apply");
    let m = &a["monitor"];
    has(
        &text,
        &format!("score PSI {:.3}", m["score"]["psi"].as_f64().unwrap()),
        "apply",
    );
    let shifted = m["features"].as_array().unwrap();
    assert_eq!(shifted[0]["name"], "age", "{shifted:?}");
    assert!(!v["alerts"].as_array().unwrap().is_empty());
    for f in shifted {
        if f["level"] != "stable" {
            has(
                &text,
                &format!("{:.3}", f["psi"].as_f64().unwrap()),
                "apply",
            );
        }
    }
    for al in v["alerts"].as_array().unwrap() {
        has(&text, al["message"].as_str().unwrap(), "apply");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A file without an id column, every row listed: `kequn run` prints the
/// row numbers, deciles and segments in its text, and the CSV has them all.
#[test]
fn run_text_lists_rows_by_number_with_decile_and_segment() {
    let dir = std::env::temp_dir().join(format!("kequn-every-row-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let recipe = dir.join("r.json");
    std::fs::write(
        &recipe,
        format!(
            r#"{{ "name": "every row", "data_dir": "{}",
            "inputs": [{{ "file": "telco-customer-churn.csv" }}],
            "label": {{ "rule": "Churn == \"Yes\"" }}, "drop": ["customerID"],
            "model": {{ "kind": "logistic", "test_share": 0.3, "seed": 42 }},
            "candidates": {{ "all": true }},
            "segment": {{ "method": "kmeans", "k": 3, "columns": ["tenure", "MonthlyCharges"], "seed": 42 }} }}"#,
            root().join("../shared/data/real").display()
        ),
    )
    .unwrap();
    let out = Command::new(BIN)
        .arg("run")
        .arg(&recipe)
        .arg("--candidates")
        .arg(dir.join("c.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("candidates: 7043 listed"), "{text}");
    let head = text
        .lines()
        .find(|l| l.trim_start().starts_with("#   row"))
        .unwrap_or_else(|| panic!("no row-number header in:\n{text}"));
    assert!(
        head.contains("decile") && head.contains("segment"),
        "{head}"
    );
    let list = std::fs::read_to_string(dir.join("c.csv")).unwrap();
    assert!(
        list.starts_with("\u{feff}排名 rank,行号 row,概率 probability,十分位 decile,分群 segment")
    );
    assert_eq!(list.lines().count(), 7044);
    std::fs::remove_dir_all(dir).ok();
}
