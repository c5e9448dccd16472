//! Native integration tests of ingestion on real public data and on the
//! committed samples, plus a seeded mutation run that must never panic.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use kequn::recipe::{self, Recipe};
use kequn::table::{self, ColumnData, ColumnKind, LoadOptions, Table};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn real(name: &str) -> Vec<u8> {
    let p = root().join("../shared/data/real").join(name);
    std::fs::read(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (shared/ must sit beside the repo)", p.display()))
}

fn load(bytes: &[u8], name: &str) -> kequn::Result<Table> {
    table::load(bytes, name, &LoadOptions::default(), &mut ()).map(|(t, _)| t)
}

#[test]
fn telco_churn_loads_with_the_right_types_and_counts() {
    let (t, r) = table::load(
        &real("telco-customer-churn.csv"),
        "telco.csv",
        &LoadOptions::default(),
        &mut (),
    )
    .unwrap();
    assert_eq!((t.rows(), t.columns.len()), (7043, 21));
    assert_eq!(
        (r.encoding.as_str(), r.delimiter.as_str(), r.header),
        ("UTF-8", ",", true)
    );
    let kind = |n: &str| t.column(n).unwrap().kind;
    assert_eq!(kind("customerID"), ColumnKind::Id);
    assert_eq!(kind("TotalCharges"), ColumnKind::Numeric);
    assert_eq!(kind("tenure"), ColumnKind::Numeric);
    assert_eq!(kind("Churn"), ColumnKind::Categorical);
    let stats = table::profile(&t);
    let get = |n: &str| stats.iter().find(|s| s.name == n).unwrap();
    // Figures checked with Python's csv module on the same file.
    assert_eq!(get("TotalCharges").missing, 11);
    assert_eq!(
        get("Churn").top,
        vec![("No".to_string(), 5174), ("Yes".to_string(), 1869)]
    );
    let m = get("MonthlyCharges");
    assert_eq!(
        (m.min, m.max, m.median),
        (Some(18.25), Some(118.75), Some(70.35))
    );
    assert!((m.mean.unwrap() - 64.76169246059918).abs() < 1e-9);
    assert_eq!(
        get("PaymentMethod").top[0],
        ("Electronic check".to_string(), 2365)
    );
}

#[test]
fn groceries_baskets_are_ragged_and_the_error_names_the_first_lines() {
    let e = load(&real("groceries.csv"), "groceries.csv").unwrap_err();
    assert_eq!(e.code(), "ragged_rows");
    assert_eq!(e.line(), Some(2));
    let msg = e.to_string();
    assert!(msg.starts_with("groceries.csv:"), "{msg}");
    assert!(msg.contains("line 2 has 3"), "{msg}");
    assert!(e.zh().contains("第 2 行有 3 个"), "{}", e.zh());
}

#[test]
fn committed_samples_are_what_the_generator_writes() {
    let dir = std::env::temp_dir().join(format!("kequn-samples-{}", std::process::id()));
    for p in kequn::synth::write_samples(&dir).unwrap() {
        let name = p.file_name().unwrap();
        let committed = std::fs::read(root().join("data/samples").join(name)).unwrap();
        assert!(
            std::fs::read(&p).unwrap() == committed,
            "data/samples/{name:?} is stale: run `kequn synth samples`"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn every_encoding_of_the_sample_gives_the_same_table() {
    let utf8 = std::fs::read(root().join("data/samples/customers.csv")).unwrap();
    let reference = load(&utf8, "x").unwrap();
    let text = String::from_utf8(utf8.clone()).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&utf8);
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    let gbk = std::fs::read(root().join("data/samples/customers_gbk.csv")).unwrap();
    let crlf = text.replace('\n', "\r\n").into_bytes();
    for (what, bytes) in [
        ("bom", bom),
        ("utf16le", le),
        ("utf16be", be),
        ("gbk", gbk),
        ("crlf", crlf),
    ] {
        assert_eq!(load(&bytes, "x").unwrap(), reference, "{what}");
    }
}

#[test]
fn del_export_with_column_list_through_a_recipe() {
    let dir = root().join("data/samples");
    let recipe = Recipe::from_json(
        &std::fs::read_to_string(root().join("data/recipes/profile-samples.json")).unwrap(),
    )
    .unwrap();
    let files: Vec<(String, Vec<u8>)> = ["customers.csv", "corporate.del", "corporate_columns.txt"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
        .collect();
    let inputs = recipe::view(&files);
    let mut stages = Vec::new();
    let report = recipe::run(
        &recipe,
        &inputs,
        &mut kequn::Callback(|s: &str, _| stages.push(s.to_string())),
    )
    .unwrap();
    let del = &report.tables[1];
    assert_eq!(
        (del.load.rows, del.load.columns, del.load.header),
        (200, 19, false)
    );
    let names: Vec<&str> = del.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, kequn::synth::corporate::CHURN_COLUMNS);
    let by_name = |n: &str| del.columns.iter().find(|c| c.name == n).unwrap();
    assert_eq!(by_name("开户日期").kind, "date");
    assert_eq!(by_name("金融资产月日均").kind, "numeric");
    assert_eq!(by_name("信用等级").kind, "categorical");
    // The generator leaves ~3% of loan balances and ~2% of headcounts empty.
    assert_eq!(
        (by_name("贷款余额").missing, by_name("员工人数").missing),
        (6, 4)
    );
    assert!(
        stages.iter().any(|s| s == "corporate.del: parse"),
        "{stages:?}"
    );
    assert_eq!(stages.last().map(String::as_str), Some("done"));
}

#[test]
fn a_gbk_file_read_as_utf8_by_choice_names_the_line() {
    let gbk = std::fs::read(root().join("data/samples/customers_gbk.csv")).unwrap();
    let opts = LoadOptions {
        encoding: Some("utf-8".into()),
        ..Default::default()
    };
    let e = table::load(&gbk, "customers_gbk.csv", &opts, &mut ()).unwrap_err();
    assert_eq!(e.code(), "undecodable");
    assert_eq!(
        e.line(),
        Some(2),
        "the header is ASCII; the first Chinese value is on line 2"
    );
}

/// Seeded mutations of real bytes (flips, cuts, stray quotes, NULs, newlines):
/// every outcome must be a value or a typed error, never a panic.
#[test]
fn mutated_inputs_never_panic() {
    let base = std::fs::read(root().join("data/samples/customers.csv")).unwrap();
    let base = &base[..6000];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let specials = [
        b'"', b'\n', b'\r', 0u8, b',', b';', b'\t', 0xFF, 0xE4, b'%', b'-',
    ];
    let (mut ok, mut err) = (0, 0);
    for _ in 0..1500 {
        let mut bytes = base.to_vec();
        for _ in 0..(1 + next() % 8) {
            let i = (next() as usize) % bytes.len();
            match next() % 4 {
                0 => bytes[i] = specials[(next() as usize) % specials.len()],
                1 => bytes.truncate(i.max(1)),
                2 => bytes.insert(i, specials[(next() as usize) % specials.len()]),
                _ => {
                    bytes.remove(i.min(bytes.len() - 1));
                }
            }
            if bytes.is_empty() {
                bytes.push(b'x');
            }
        }
        match load(&bytes, "m.csv") {
            Ok(t) => {
                ok += 1;
                let _ = table::profile(&t);
            }
            Err(e) => {
                err += 1;
                assert!(!e.to_string().is_empty() && !e.zh().is_empty());
            }
        }
    }
    assert!(
        ok > 0 && err > 0,
        "mutations should produce both outcomes: ok {ok}, err {err}"
    );
}

#[test]
fn numbers_with_separators_and_percent_in_a_semicolon_file() {
    let s = "客户;余额;占比\nA;\"1,234,567.50\";12.5%\nB;200;NA\n";
    let t = load(s.as_bytes(), "s.csv").unwrap();
    assert_eq!(
        t.column("余额").unwrap().data,
        ColumnData::Numeric(vec![1234567.5, 200.0])
    );
    match &t.column("占比").unwrap().data {
        ColumnData::Numeric(v) => assert!(v[0] == 0.125 && v[1].is_nan()),
        other => panic!("{other:?}"),
    }
}

/// Padded exports are trimmed around their cells, but a quoted cell keeps
/// its own spaces (csv-spectrum's `"weird""quotes "`); what follows a
/// closing quote is trimmed like any padding.
#[test]
fn whitespace_inside_quotes_is_kept_and_padding_outside_is_trimmed() {
    let csv = "name,note\n\"  x \",  y  \n\"weird\"\"quotes \",z\n\"q\"  ,  \"w\" \n\"a\nb \",c\n";
    let t = load(csv.as_bytes(), "q.csv").unwrap();
    let cells: Vec<Vec<String>> = (0..t.rows())
        .map(|i| t.columns.iter().map(|c| c.text(i)).collect())
        .collect();
    assert_eq!(
        cells,
        [
            ["  x ", "y"],
            ["weird\"quotes ", "z"],
            ["q", "\"w\""],
            ["a\nb ", "c"],
        ]
    );
}
