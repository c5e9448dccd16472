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
