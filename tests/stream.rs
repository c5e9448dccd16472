//! `kequn score --all`: every row of a file scored in chunks on every core,
//! written in file order — the same figures as the in-memory scoring, chunk
//! boundaries wherever they fall (quoted line breaks included), and errors
//! that name the file's own line and column.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kequn::score::analysis::AppliedReport;

const BIN: &str = env!("CARGO_BIN_EXE_kequn");

fn kequn(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = kequn(args);
    assert!(
        out.status.success(),
        "kequn {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A wealth customer file of `rows` rows and a model trained on it.
fn setup(name: &str, rows: u64, kind: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("kequn-stream-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("customers.csv");
    ok(&[
        "synth",
        "customers",
        "--rows",
        &rows.to_string(),
        "--seed",
        "11",
        "--out",
        data.to_str().unwrap(),
    ]);
    let recipe = format!(
        r#"{{ "data_dir": {:?}, "inputs": [{{ "file": "customers.csv" }}],
             "label": {{ "rule": "asset_level == \"100万+\"" }}, "drop": ["stat_month"],
             "features": {{ "exclude": ["user_id", "name"], "log1p": ["stock_value", "cash_value"],
                           "dates": "days_before", "reference_date": "2024-10-31" }},
             "model": {{ "kind": "{kind}", "test_share": 0.3, "seed": 42 }} }}"#,
        dir.display().to_string()
    );
    std::fs::write(dir.join("r.json"), recipe).unwrap();
    let model = dir.join("m.json");
    ok(&[
        "run",
        dir.join("r.json").to_str().unwrap(),
        "--save-model",
        model.to_str().unwrap(),
    ]);
    (dir, data, model)
}

/// The in-memory scoring of every row: id → (probability, reasons).
fn ranked(model: &Path, data: &Path) -> HashMap<String, (f64, Vec<String>)> {
    let json = ok(&[
        "score",
        "--model",
        model.to_str().unwrap(),
        "--id",
        "user_id",
        "--top",
        "100000000",
        "--json",
        data.to_str().unwrap(),
    ]);
    let applied: AppliedReport = serde_json::from_str(&json).unwrap();
    applied
        .candidates
        .into_iter()
        .map(|c| {
            let reasons = c.reasons.into_iter().map(|r| r.0).collect();
            (c.id, (c.probability, reasons))
        })
        .collect()
}

fn stream(model: &Path, data: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "score",
        "--model",
        model.to_str().unwrap(),
        "--id",
        "user_id",
        "--all",
        "--chunk-mib",
        "1",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    args.push(data.to_str().unwrap());
    kequn(&args)
}

fn ids_of(data: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(data).unwrap();
    r.records().map(|x| x.unwrap()[0].to_string()).collect()
}

/// `reasons`: the file has reason columns (logistic, scorecard); `card`:
/// a score column after the probability (scorecard).
fn check_same(model: &Path, data: &Path, out: &Path, with_reasons: bool, card: bool) {
    let o = stream(model, data, out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("chunks"));
    let want = ranked(model, data);
    let mut r = csv::Reader::from_path(out).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert!(std::fs::read(out)
        .unwrap()
        .starts_with("\u{feff}user_id,".as_bytes()));
    let mut expected = vec!["user_id".to_string(), "probability".into()];
    if card {
        expected.push("score".into());
    }
    if with_reasons {
        expected.extend(["reason_1".into(), "reason_2".into(), "reason_3".into()]);
    }
    let first_reason = if card { 3 } else { 2 };
    assert_eq!(head, expected);
    let mut got_ids = Vec::new();
    let mut scores: Vec<(i64, f64)> = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let (p, reasons) = &want[&rec[0]];
        // The same f64, written in its shortest round-trip form.
        assert_eq!(
            rec[1].parse::<f64>().unwrap().to_bits(),
            p.to_bits(),
            "{}",
            &rec[0]
        );
        if card {
            // The score is the one the probability stands for: a higher
            // score, a lower probability (checked across rows below).
            scores.push((rec[2].parse::<i64>().unwrap(), *p));
        }
        if with_reasons {
            let names: Vec<&str> = (first_reason..first_reason + 3)
                .map(|k| &rec[k])
                .filter(|s| !s.is_empty())
                .collect();
            assert_eq!(names, *reasons, "{}", &rec[0]);
        }
        got_ids.push(rec[0].to_string());
    }
    assert_eq!(got_ids, ids_of(data), "every row once, in file order");
    scores.sort_by_key(|s| s.0);
    for w in scores.windows(2) {
        assert!(
            w[0].1 >= w[1].1,
            "score {} p {} vs {} p {}",
            w[0].0,
            w[0].1,
            w[1].0,
            w[1].1
        );
    }
}

#[test]
fn streamed_scores_equal_the_in_memory_scores_in_file_order() {
    for kind in ["logistic", "gbdt", "scorecard"] {
        let (dir, data, model) = setup(kind, 12_000, kind);
        check_same(
            &model,
            &data,
            &dir.join("scores.csv"),
            kind != "gbdt",
            kind == "scorecard",
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn quoted_line_breaks_and_one_thread_change_nothing() {
    let (dir, data, model) = setup("quoted", 8_000, "logistic");
    // Names with a line break, a comma and a quote, every 7th row.
    let text = std::fs::read_to_string(&data).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 && i % 7 == 0 {
            let mut fields: Vec<&str> = line.splitn(3, ',').collect();
            let name = format!("\"{},\n\"\"二\"\"\"", fields[1]);
            fields[1] = &name;
            out.push_str(&fields.join(","));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    std::fs::write(&data, out).unwrap();
    check_same(&model, &data, &dir.join("scores.csv"), true, false);
    let one = dir.join("one.csv");
    let o = stream(&model, &data, &one, &["--threads", "1"]);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read(&one).unwrap(),
        std::fs::read(dir.join("scores.csv")).unwrap()
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn errors_name_the_files_line_and_column() {
    let (dir, data, model) = setup("errors", 12_000, "logistic");
    let text = std::fs::read_to_string(&data).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let age = header.iter().position(|h| *h == "age").unwrap();
    // Row 10,500 (file line 10,502: past the first chunks) has text for a number.
    let bad = dir.join("bad.csv");
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 10_501 {
                let mut f: Vec<&str> = l.split(',').collect();
                f[age] = "四十";
                f.join(",")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let o = stream(&model, &bad, &dir.join("s.csv"), &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("line 10502") && err.contains("'age'") && err.contains("四十"),
        "{err}"
    );
    assert!(err.contains("错误"), "{err}");
    // A column the model needs is not in the file.
    let gone = dir.join("gone.csv");
    let cut: Vec<String> = text
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(age);
            f.join(",")
        })
        .collect();
    std::fs::write(&gone, cut.join("\n")).unwrap();
    let o = stream(&model, &gone, &dir.join("s.csv"), &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("'age'"), "{err}");
    // Header only.
    std::fs::write(&gone, format!("{}\n", header.join(","))).unwrap();
    let o = stream(&model, &gone, &dir.join("s.csv"), &[]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}
