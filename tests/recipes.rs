//! Every preset recipe under data/recipes/ parses, runs through the CLI on
//! its scenario data, and names only columns that the data has.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use kequn::recipe::Recipe;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn recipes() -> Vec<(String, Recipe)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("data/recipes")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let recipe = Recipe::from_json(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                recipe,
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn one_recipe_per_scenario() {
    let names: Vec<String> = recipes().into_iter().map(|r| r.0).collect();
    for want in [
        "wealth.json",
        "corporate_churn.json",
        "prospects.json",
        "retail_cross_sell.json",
        "securities_retention.json",
        "segmentation.json",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
}

/// Column names a recipe refers to outside its label rule.
fn named_columns(r: &Recipe) -> Vec<String> {
    let mut names: Vec<String> = r.drop.clone();
    if let Some(j) = &r.join {
        names.push(j.on.clone());
    }
    if let Some(f) = &r.features {
        names.extend(
            f.exclude
                .iter()
                .chain(&f.include)
                .chain(&f.log1p)
                .chain(&f.target_encode)
                .cloned(),
        );
        names.extend(f.ordinal.keys().cloned());
    }
    if let Some(a) = &r.aggregate {
        names.extend(a.columns.iter().cloned());
        names.push(a.by.clone());
        names.push(a.time.clone());
    }
    if let Some(c) = &r.candidates {
        names.push(c.id.clone());
    }
    if let Some(s) = &r.segment {
        names.extend(s.columns.iter().chain(&s.id).cloned());
    }
    if let Some(b) = &r.basket {
        names.extend(b.products.iter().flat_map(|p| p.columns.clone()));
        names.extend(b.flags.iter().chain(&b.id).chain(&b.cool_off).cloned());
    }
    names
}

#[test]
fn each_recipe_runs_on_its_data_and_names_real_columns() {
    for (file, recipe) in recipes() {
        let out = Command::new(env!("CARGO_BIN_EXE_kequn"))
            .args(["run", "--json"])
            .arg(root().join("data/recipes").join(&file))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let tables = report["tables"].as_array().unwrap();
        assert_eq!(tables.len(), recipe.inputs.len(), "{file}");
        let mut columns = BTreeSet::new();
        let mut values: Vec<(String, Vec<String>)> = Vec::new();
        for t in tables {
            assert!(
                t["load"]["rows"].as_u64().unwrap() > 100,
                "{file}: {}",
                t["load"]["file"]
            );
            for c in t["columns"].as_array().unwrap() {
                let name = c["name"].as_str().unwrap().to_string();
                let top = c["top"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p[0].as_str().unwrap().to_string())
                    .collect();
                columns.insert(name.clone());
                values.push((name, top));
            }
        }
        // The aggregate step's features are columns of the working table too.
        for f in report["aggregate"]["report"]["features"]
            .as_array()
            .into_iter()
            .flatten()
        {
            columns.insert(f.as_str().unwrap().to_string());
        }
        for name in named_columns(&recipe) {
            assert!(
                columns.contains(&name),
                "{file} names column '{name}', which the data does not have"
            );
        }
        // Every value of an ordinal column has a place in the given order.
        for (col, order) in recipe.features.iter().flat_map(|f| f.ordinal.iter()) {
            let (_, seen) = values.iter().find(|(n, _)| n == col).unwrap();
            for v in seen {
                assert!(
                    order.contains(v),
                    "{file}: value '{v}' of '{col}' is not in its ordinal order"
                );
            }
        }
        if let Some(j) = &recipe.join {
            let r = &report["join"]["report"];
            assert!(r["matched_left"].as_u64().unwrap() > 0, "{file}: {j:?}");
        }
        // Every section the recipe has gave its report.
        let asked = [
            ("aggregate", recipe.aggregate.is_some()),
            ("overview", recipe.overview.is_some()),
            ("label", recipe.label.is_some()),
            (
                "model",
                recipe.model.as_ref().is_some_and(|m| m.apply.is_none()),
            ),
            (
                "applied",
                recipe.model.as_ref().is_some_and(|m| m.apply.is_some()),
            ),
            ("segment", recipe.segment.is_some()),
            ("basket", recipe.basket.is_some()),
            ("plan", recipe.plan.is_some()),
        ];
        for (step, present) in asked {
            assert_eq!(!report[step].is_null(), present, "{file}: {step}");
        }
        if !report["basket"].is_null() {
            let rules = report["basket"]["overall"]["rules"].as_array().unwrap();
            assert!(!rules.is_empty(), "{file}: no rules");
        }
        if !report["model"].is_null() {
            assert!(
                report["model"]["metrics"]["auc"].as_f64().unwrap() > 0.5,
                "{file}"
            );
        }
    }
}

#[test]
fn unknown_recipe_fields_are_refused_with_the_field_named() {
    let err = Recipe::from_json(r#"{"inputs": [], "lable": {"rule": "x"}}"#).unwrap_err();
    assert_eq!(err.code(), "unknown_value");
    assert!(err.to_string().contains("'lable'"), "{err}");
    // … with the names that exist, in both languages.
    for msg in [err.to_string(), err.zh()] {
        assert!(
            msg.contains("the recipe (field)") && msg.contains("label"),
            "{msg}"
        );
    }
}

/// `run_owned` frees each input table's bytes once parsed, except a file a
/// later step reads again: here next month's table is the same file, so the
/// migration must still find it, and both runs must give the same report.
#[test]
fn owned_run_frees_parsed_inputs_but_keeps_files_read_later() {
    let path = root().join("data/recipes/segmentation.json");
    let mut recipe = Recipe::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let file = recipe.inputs[0].file.clone();
    recipe.segment.as_mut().unwrap().next = Some(file.clone());
    assert_eq!(recipe.files_read_later(), vec![file.as_str()]);
    let dir = root()
        .join("data/recipes")
        .join(recipe.data_dir.clone().unwrap_or_default());
    let files = vec![(file.clone(), std::fs::read(dir.join(&file)).unwrap())];
    let borrowed = kequn::recipe::run(&recipe, &kequn::recipe::view(&files), &mut ()).unwrap();
    let owned = kequn::recipe::run_owned(&recipe, files, None, &mut ()).unwrap();
    let migration = owned.segment.as_ref().unwrap().migration.as_ref().unwrap();
    assert!(migration.matched > 0, "{migration:?}");
    assert_eq!(
        serde_json::to_value(&owned).unwrap(),
        serde_json::to_value(&borrowed).unwrap()
    );
}

/// A name this version does not know is an error that lists the known ones,
/// in both languages, before any file is read (the inputs here are absent).
/// A name this version does not know, said in both languages with the
/// field, the value and what exists.
fn assert_unknown(err: &kequn::Error, field: &str, value: &str, allowed: &str) {
    assert_eq!(err.code(), "unknown_value", "{err}");
    let (en, zh) = (err.to_string(), err.zh());
    for msg in [&en, &zh] {
        assert!(
            msg.contains(field) && msg.contains(value) && msg.contains(allowed),
            "{msg}"
        );
    }
    assert!(!en.contains("配方") && zh.contains("可用"), "{en} / {zh}");
}

#[test]
fn unknown_kinds_methods_and_outputs_are_errors_naming_the_allowed_ones() {
    let cases = [
        (
            r#""label": {"rule": "x > 1"}, "model": {"kind": "gbm"}"#,
            "model.kind",
            "gbm",
            "logistic",
        ),
        (
            r#""label": {"rule": "x > 1"}, "model": {"kind": "logistic", "also": ["forest"]}"#,
            "model.also",
            "forest",
            "tree",
        ),
        (
            r#""segment": {"method": "dbscan"}"#,
            "segment.method",
            "dbscan",
            "kprototypes",
        ),
        (
            r#""outputs": ["candidats"]"#,
            "outputs",
            "candidats",
            "candidates",
        ),
    ];
    for (section, field, value, allowed) in cases {
        let text = format!(r#"{{"inputs": [{{"file": "absent.csv"}}], {section}}}"#);
        let recipe = Recipe::from_json(&text).unwrap();
        let err = kequn::recipe::run(&recipe, &[], &mut ()).unwrap_err();
        assert_unknown(&err, field, value, allowed);
    }
    // A misspelt name that does not even read (a fixed set of values, or a
    // field) says where it is and what exists, in both languages.
    let cases = [
        (
            r#""model": {"kind": "scorecard", "scorecard": {"binning": {"monotonic_trend": "sideways"}}}"#,
            "model.scorecard.binning.monotonic_trend",
            "sideways",
            "valley",
        ),
        (
            r#""model": {"kind": "scorecard", "scorecard": {"binning": {"max_n_bin": 5}}}"#,
            "model.scorecard.binning (field)",
            "max_n_bin",
            "max_n_bins",
        ),
    ];
    for (section, field, value, allowed) in cases {
        let text = format!(r#"{{"inputs": [{{"file": "absent.csv"}}], {section}}}"#);
        let err = Recipe::from_json(&text).unwrap_err();
        assert_unknown(&err, field, value, allowed);
    }
    // "none" (or null) is no trend constraint.
    for t in [r#""none""#, "null"] {
        let text = format!(
            r#"{{"inputs": [{{"file": "a.csv"}}], "model": {{"kind": "scorecard", "scorecard": {{"binning": {{"monotonic_trend": {t}}}}}}}}}"#
        );
        let r = Recipe::from_json(&text).unwrap();
        let m = r.model.unwrap();
        assert_eq!(m.scorecard.unwrap().binning.monotonic_trend, None, "{t}");
    }
    // A section that needs another one says which.
    let recipe =
        Recipe::from_json(r#"{"inputs": [{"file": "a.csv"}], "model": {"kind": "logistic"}}"#)
            .unwrap();
    let err = kequn::recipe::run(&recipe, &[], &mut ()).unwrap_err();
    assert_eq!(err.code(), "missing_section", "{err}");
    assert!(
        err.to_string().contains("label") && err.zh().contains("标签"),
        "{err}"
    );
}

/// The page's pool: every preset recipe whose inputs the pool would take
/// (all of them, size aside) gives the same report, and the same
/// fingerprint, when those inputs are loaded apart, sent as bytes and
/// taken over by the recipe's worker, as when it reads them itself.
#[test]
fn inputs_loaded_in_pool_workers_give_the_same_report() {
    use kequn::recipe::pool::{self, Loaded};
    let mut pooled = 0;
    for (name, recipe) in recipes() {
        let dir = root()
            .join("data/recipes")
            .join(recipe.data_dir.clone().unwrap_or_default());
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            files.push((file, std::fs::read(&path).unwrap()));
        }
        let sizes: Vec<(String, u64)> = files
            .iter()
            .map(|(n, b)| (n.clone(), b.len() as u64))
            .collect();
        let jobs = pool::plan(&recipe, &sizes, 0);
        if jobs.is_empty() {
            continue;
        }
        pooled += 1;
        let whole = kequn::recipe::run_owned(&recipe, files.clone(), None, &mut ()).unwrap();
        let print = kequn::recipe::fingerprint(&recipe, &kequn::recipe::view(&files));
        let mut loaded = Vec::new();
        for job in &jobs {
            let one = pool::load_one(&recipe, job.input, files.clone(), &mut ()).unwrap();
            loaded.push((job.input, Loaded::decode(&one.encode()).unwrap()));
        }
        // The recipe's worker has the pooled files by name only.
        let taken: Vec<&String> = jobs.iter().flat_map(|j| &j.files).collect();
        let rest = files
            .iter()
            .map(|(n, b)| {
                (
                    n.clone(),
                    if taken.contains(&n) {
                        Vec::new()
                    } else {
                        b.clone()
                    },
                )
            })
            .collect();
        let (apart, apart_print) =
            kequn::recipe::run_loaded(&recipe, rest, loaded, None, &mut ()).unwrap();
        assert_eq!(apart_print, print, "{name}");
        let (mut apart, mut whole) = (apart, whole);
        for r in [&mut apart, &mut whole] {
            // The one figure that is a stopwatch's, not the data's.
            for row in r.model.iter_mut().flat_map(|m| &mut m.comparison) {
                row.fit_seconds = 0.0;
            }
        }
        let (a, w) = (
            serde_json::to_value(&apart).unwrap(),
            serde_json::to_value(&whole).unwrap(),
        );
        assert_eq!(first_difference(&a, &w, ""), None, "{name}");
    }
    // wealth, prospects and securities read two inputs each.
    assert!(pooled >= 3, "{pooled}");
}

/// Where two JSON values first differ: the path and both sides.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.keys()
                .chain(y.keys())
                .find_map(|k| match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => first_difference(p, q, &format!("{at}.{k}")),
                    _ => Some(format!("{at}.{k}: present on one side only")),
                })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!(
            "{at}: {} vs {}",
            a.to_string().chars().take(200).collect::<String>(),
            b.to_string().chars().take(200).collect::<String>()
        )),
    }
}

type Joined = (kequn::table::Table, kequn::table::JoinReport);

/// The recipe's report on `files` (two files joined on `id`), and the two
/// files loaded apart and joined on `id` both ways: copied (`join`) and
/// taken (`join_owned`, with whether each row was kept once).
fn run_and_join(
    recipe: &Recipe,
    files: &[(String, Vec<u8>)],
    kind: kequn::table::JoinKind,
) -> (
    kequn::recipe::Report,
    Joined,
    (kequn::table::Table, kequn::table::JoinReport, bool),
) {
    let report = kequn::recipe::run(recipe, &kequn::recipe::view(files), &mut ()).unwrap();
    let load = |k: usize| {
        kequn::table::load(&files[k].1, &files[k].0, &Default::default(), &mut ())
            .unwrap()
            .0
    };
    let (l, r) = (load(0), load(1));
    let copied = kequn::table::join(&l, &r, "id", "id", kind).unwrap();
    let taken = kequn::table::join_owned(l, r, "id", "id", kind).unwrap();
    (report, copied, taken)
}

/// Two files with the same sorted customer numbers: the join moves their
/// columns and takes their column statistics over; both are what copying
/// the rows and profiling the joined table give.
#[test]
fn a_one_to_one_join_of_sorted_files_reports_what_a_copying_join_reports() {
    let mut left = String::from("id,amount,city\n");
    let mut right = String::from("id,amount,level\n");
    for i in 0..500 {
        left.push_str(&format!(
            "C{i:05},{}.5,{}\n",
            i * 37 % 1000,
            ["北京", "上海", ""][i % 3]
        ));
        let amount = if i % 11 == 0 {
            String::new()
        } else {
            format!("{}", i % 7)
        };
        right.push_str(&format!("C{i:05},{amount},{}\n", ["A", "B"][i % 2]));
    }
    let files = vec![
        ("left.csv".to_string(), left.into_bytes()),
        ("right.csv".to_string(), right.into_bytes()),
    ];
    let recipe = Recipe::from_json(
        r#"{"inputs": [{"file": "left.csv"}, {"file": "right.csv"}],
            "join": {"left": "left.csv", "right": "right.csv", "on": "id"}}"#,
    )
    .unwrap();
    let (report, (copied, copied_report), (moved, moved_report, one_to_one)) =
        run_and_join(&recipe, &files, kequn::table::JoinKind::Inner);
    assert!(one_to_one);
    // Bit for bit (missing numbers are NaN, which `==` never equals).
    let bytes = |t: &kequn::table::Table| {
        let mut b = Vec::new();
        kequn::table::codec::encode(t, &mut b);
        b
    };
    assert!(
        bytes(&moved) == bytes(&copied),
        "moved and copied tables differ"
    );
    assert_eq!(moved_report, copied_report);
    let join = report.join.as_ref().unwrap();
    assert_eq!(join.report, copied_report);
    assert_eq!(join.columns, kequn::table::profile(&copied));
    let names: Vec<&str> = join.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "amount", "city", "amount_right.csv", "level"]);
}

/// The same files with the right one in another order, then with one row
/// more: the first join copies every row once and still takes the inputs'
/// statistics over (no order changes them), the second profiles its
/// table; both equal the joined table's own profile.
#[test]
fn a_join_of_every_row_once_in_another_order_keeps_the_inputs_statistics() {
    let mut left = String::from("id,amount,city,when\n");
    let mut rows = Vec::new();
    for i in 0..400 {
        left.push_str(&format!(
            "C{i:05},{}.25,{},2024-0{}-1{}\n",
            i * 37 % 1000,
            ["北京", "上海", ""][i % 3],
            1 + i % 9,
            i % 10
        ));
        let amount = if i % 11 == 0 {
            String::new()
        } else {
            format!("{}", (i % 7) as f64 * 0.1)
        };
        rows.push(format!(
            "C{i:05},{amount},{},T{}\n",
            ["A", "B"][i % 2],
            i % 13
        ));
    }
    // Every third row first, then the rest backwards.
    let mut order: Vec<usize> = (0..rows.len()).filter(|i| i % 3 == 0).collect();
    order.extend((0..rows.len()).rev().filter(|i| i % 3 != 0));
    let right: String = std::iter::once("id,amount,level,tag\n".to_string())
        .chain(order.iter().map(|&i| rows[i].clone()))
        .collect();
    let recipe = Recipe::from_json(
        r#"{"inputs": [{"file": "left.csv"}, {"file": "right.csv"}],
            "join": {"left": "left.csv", "right": "right.csv", "on": "id", "how": "left"}}"#,
    )
    .unwrap();
    for (extra, once) in [("", true), ("C99999,1,A,T1\n", false)] {
        let files = vec![
            ("left.csv".to_string(), left.clone().into_bytes()),
            (
                "right.csv".to_string(),
                format!("{right}{extra}").into_bytes(),
            ),
        ];
        let (report, (copied, _), (_, _, each_row_once)) =
            run_and_join(&recipe, &files, kequn::table::JoinKind::Left);
        assert_eq!(each_row_once, once, "extra row {extra:?}");
        let join = report.join.as_ref().unwrap();
        assert_eq!(
            join.columns,
            kequn::table::profile(&copied),
            "extra row {extra:?}"
        );
    }
}

/// A recipe that does not read says where: the path of the value at fault
/// (as serde_path_to_error gave it, which the core no longer compiles in),
/// on any line of the text.
#[test]
fn recipe_errors_name_the_path_of_the_value_at_fault() {
    let cases = [
        (
            r#"{"inputs": [{"file": "a.csv", "options": {"skip_rows": "yes"}}]}"#,
            "inputs[0].options.skip_rows: invalid type",
        ),
        (
            r#"{"inputs": [{"file": "a.csv"}, {"fil": "b.csv"}]}"#,
            "inputs[1] (field) 'fil' is not known",
        ),
        (
            r#"{"inputs": [{"options": {}}]}"#,
            "inputs[0]: missing field `file`",
        ),
        (
            r#"{"inputs": [{"file": "a.csv", "options": {"types": {"age": "numbr"}}}]}"#,
            "inputs[0].options.types.age 'numbr' is not known",
        ),
        (
            r#"{"inputs": [{"file": "a.csv",}]}"#,
            "inputs[0]: trailing comma",
        ),
        (
            r#"{"inputs": [{"file": "a.csv"}], "model": {"kind": "logistic", "also": ["tree", 7]}}"#,
            "model.also[1]: invalid type",
        ),
        (
            r#"{"inputs": [{"file": "a.csv"}], "model": {"kind": "logistic"}, "label": {}}"#,
            "label: missing field `rule`",
        ),
        (
            "{\n  \"inputs\": [{\"file\": \"a\\\"b.csv\"}],\n  \"segment\": {\"method\": \"kmeans\",\n    \"k\": -1}\n}",
            "segment.k: invalid value: integer `-1`",
        ),
        (
            r#"{"inputs": [{"file": "a.csv"}], "label": {"rule": "x"}"#,
            "the recipe is not valid: EOF while parsing an object",
        ),
        (
            r#"{"inputs": [{"file": "a.csv", "options": {"types": {"年龄": "数字"}}}]}"#,
            "inputs[0].options.types.年龄 '数字' is not known",
        ),
        (r#"{"inputs": [{"file": 中}]}"#, "inputs[0].file: expected value"),
    ];
    for (text, said) in cases {
        let err = Recipe::from_json(text).unwrap_err().to_string();
        assert!(err.contains(said), "{text}\n  {err}");
    }
}
