//! The securities scenario end to end: weekly rows aggregated per customer
//! (pinned to pandas, tests/reference/aggregate_reference.py), retention
//! plans from the shipped templates, segment plans, the contacted-list
//! feedback, and next month's re-run with the PSI alerts.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{root, run_preset};
use kequn::recipe::{self, InputFile, Recipe, Report};
use kequn::table::ColumnData;

const FILES: [&str; 2] = ["securities_customers.csv", "securities_weekly.csv"];

fn recipe() -> Recipe {
    Recipe::from_json(
        &std::fs::read_to_string(root().join("data/recipes/securities_retention.json")).unwrap(),
    )
    .unwrap()
}

fn run(r: &Recipe, files: &[(&str, &[u8])]) -> kequn::Result<Report> {
    let inputs: Vec<InputFile> = files
        .iter()
        .map(|(n, b)| InputFile { name: n, bytes: b })
        .collect();
    recipe::run(r, &inputs, &mut ())
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(root().join("data/scenarios/securities").join(name)).unwrap()
}

#[test]
fn weekly_aggregates_match_pandas() {
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/reference/aggregate_reference.json")).unwrap(),
    )
    .unwrap();
    let weekly = kequn::table::load(
        &sample("securities_weekly.csv"),
        "w.csv",
        &Default::default(),
        &mut (),
    )
    .unwrap()
    .0;
    let spec = recipe().aggregate.unwrap();
    let ops: Vec<_> = spec
        .ops
        .iter()
        .map(|o| kequn::table::aggregate::Op::parse(o).unwrap())
        .collect();
    let (t, report) =
        kequn::table::aggregate(&weekly, &spec.by, &spec.time, &spec.columns, &ops, 4).unwrap();
    assert_eq!(report.entities as u64, want["customers"].as_u64().unwrap());
    assert_eq!(report.features.len(), 24);
    let ids = t.column("客户号").unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    let mut checked = 0;
    for name in &report.features {
        let ColumnData::Numeric(v) = &t.column(name).unwrap().data else {
            panic!("{name} is not numeric")
        };
        let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        assert_eq!(
            present.len() as u64,
            want["counts"][name].as_u64().unwrap(),
            "{name}: count"
        );
        let sum: f64 = present.iter().sum();
        assert!(
            close(sum, want["sums"][name].as_f64().unwrap()),
            "{name}: sum {sum}"
        );
        for (id, row) in want["first"].as_object().unwrap() {
            let i = (0..t.rows()).find(|&i| ids.text(i) == *id).unwrap();
            match row[name].as_f64() {
                Some(w) => assert!(close(v[i], w), "{id} {name}: {} vs {w}", v[i]),
                None => assert!(v[i].is_nan(), "{id} {name}: {} should be missing", v[i]),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 24 * 20);
}

#[test]
fn retention_plans_cite_each_customers_drivers() {
    let report = run_preset("data/recipes/securities_retention.json", &FILES);
    // Every section of the preset gave its report.
    assert!(report.aggregate.is_some() && report.label.is_some() && report.plan.is_some());
    let agg = report.aggregate.as_ref().unwrap();
    assert_eq!(agg.join.matched_left, 1500);
    let m = report.model.as_ref().unwrap();
    // Strong but not perfect: the synthetic churners do not all fade.
    assert!(
        m.metrics.auc > 0.8 && m.metrics.auc < 0.97,
        "{}",
        m.metrics.auc
    );
    let plan = report.plan.as_ref().unwrap();
    assert_eq!(plan.customers.len(), 50);
    let by_id: std::collections::HashMap<&str, &kequn::score::analysis::Candidate> =
        m.candidates.iter().map(|c| (c.id.as_str(), c)).collect();
    for p in &plan.customers {
        let c = by_id[p.id.as_str()];
        assert_eq!(p.probability, c.probability);
        assert!((p.expected_retention - 0.3 * p.probability).abs() < 1e-12);
        assert!(["P1", "P2", "P3"].contains(&p.priority.as_str()));
        assert_eq!(p.drivers.len(), c.reasons.len());
        assert_eq!(p.talking_points.len(), 3);
        for t in &p.talking_points {
            assert!(!t.contains('{') && !t.contains('}'), "unfilled: {t}");
        }
        // The first talking point greets the customer (this file has no name
        // column: never by the id) and names the top driver.
        assert!(
            p.talking_points[0].starts_with("您好！"),
            "{}",
            p.talking_points[0]
        );
        assert!(!p.talking_points[0].contains(&p.id));
        assert!(p.talking_points[0].contains(&p.drivers[0]));
        assert!(!p.channel.is_empty());
    }
    // High-risk customers with ≥ 100万 average assets go to their manager.
    let big = plan
        .customers
        .iter()
        .find(|p| p.value >= 1e6)
        .expect("a high-value customer among the top 50");
    assert_eq!(big.channel, "网点/客户经理");
    assert_eq!(big.priority, "P1");
    // A fall in a recent window is said in words with its size.
    let fall = plan
        .customers
        .iter()
        .flat_map(|p| &p.drivers)
        .find(|d| d.starts_with("近4周总资产下降"))
        .expect("a customer whose assets fell");
    assert!(fall.ends_with('%'), "{fall}");
    // Priorities come ordered, and the summary adds up.
    let order: Vec<&str> = plan.customers.iter().map(|p| p.priority.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    let total: usize = plan.summary.iter().map(|s| s.customers).sum();
    assert_eq!(total, 50);
}

#[test]
fn a_template_placeholder_that_is_no_field_is_named() {
    let mut r = recipe();
    r.plan.as_mut().unwrap().templates = Some("mine.json".into());
    let t = kequn::plan::template::RETENTION.replace("{营业部}", "{客户经理}");
    let (c, w) = (sample(FILES[0]), sample(FILES[1]));
    let err = run(
        &r,
        &[(FILES[0], &c), (FILES[1], &w), ("mine.json", t.as_bytes())],
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("mine.json, talking_points[0]"), "{msg}");
    assert!(msg.contains("{客户经理}"), "{msg}");
    assert!(err.zh().contains("占位符 {客户经理}"), "{}", err.zh());
}

/// Contacts for the top customers: two converted by phone, one not, one
/// contacted yesterday (so its plan waits for the cool-off).
#[test]
fn feedback_gives_conversion_and_the_cool_off() {
    let first = run_preset("data/recipes/securities_retention.json", &FILES);
    let plans = &first.plan.as_ref().unwrap().customers;
    let ids: Vec<&str> = plans.iter().map(|p| p.id.as_str()).collect();
    let feedback = format!(
        "客户号,联系日期,结果,渠道\n{},2024-09-20,成功,电话外呼\n{},2024-09-25,成功,电话外呼\n{},2024-09-28,失败,电话外呼\n{},2024-10-30,失败,短信\nS99999999,2024-10-05,失败,短信\n",
        ids[1], ids[2], ids[3], ids[0]
    );
    let mut r = recipe();
    let mut json = serde_json::to_value(&r).unwrap();
    // Only the file: its id, date, result and channel columns are found by name.
    json["plan"]["feedback"] = serde_json::json!({ "file": "contacted.csv" });
    json["plan"]["reference_date"] = serde_json::json!("2024-10-31");
    json["monitor"] = serde_json::json!({ "conversion_target": 0.5 });
    r = serde_json::from_value(json).unwrap();
    let (c, w) = (sample(FILES[0]), sample(FILES[1]));
    let report = run(
        &r,
        &[
            (FILES[0], &c),
            (FILES[1], &w),
            ("contacted.csv", feedback.as_bytes()),
        ],
    )
    .unwrap();
    let plan = report.plan.unwrap();
    let f = plan.feedback.unwrap();
    assert_eq!((f.contacted, f.converted, f.unknown_ids), (5, 2, 1));
    let phone = f.by_channel.iter().find(|g| g.group == "电话外呼").unwrap();
    assert_eq!((phone.contacted, phone.converted), (3, 2));
    assert!((phone.rate - 2.0 / 3.0).abs() < 1e-12);
    let sms = f.by_channel.iter().find(|g| g.group == "短信").unwrap();
    assert_eq!((sms.contacted, sms.converted), (2, 0));
    // Contacted on 10-30, 30 days of cool-off: not before 11-29.
    assert_eq!(plan.cooling_off, 1);
    let waiting = plan.customers.iter().find(|p| p.id == ids[0]).unwrap();
    assert_eq!(waiting.not_before.as_deref(), Some("2024-11-29"));
    assert!(waiting.timing.contains("2024-11-29"));
    // Overall 40% and SMS 0% are below the 50% target; phone is not.
    let low: Vec<&str> = report
        .alerts
        .iter()
        .filter(|a| a.kind == "conversion")
        .map(|a| a.subject.as_str())
        .collect();
    assert!(low.contains(&"短信"), "{low:?}");
    assert!(low.contains(&"全部 all"), "{low:?}");
    assert!(!low.contains(&"电话外呼"), "{low:?}");

    // A file without a date column: the error says which column to name.
    let undated = "客户号,结果\nS00000001,成功\n";
    let err = run(
        &r,
        &[
            (FILES[0], &c),
            (FILES[1], &w),
            ("contacted.csv", undated.as_bytes()),
        ],
    )
    .unwrap_err();
    assert!(err.to_string().contains("plan.feedback.date"), "{err}");
    assert!(err.zh().contains("联系日期"), "{}", err.zh());
}

/// Next month from the same generator (another seed) does not alert; the
/// same month with every weekly login count halved does, on the login
/// features and nothing else.
#[test]
fn next_month_psi_catches_an_injected_shift_only() {
    let trained = run_preset("data/recipes/securities_retention.json", &FILES);
    let model = serde_json::to_vec(&trained.model.as_ref().unwrap().model).unwrap();
    let (mut c, mut w) = (Vec::new(), Vec::new());
    kequn::synth::securities::write_files(&mut c, &mut w, 99, 0, 1500).unwrap();
    let halved: String = {
        let text = String::from_utf8(w.clone()).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let k = header.split(',').position(|h| h == "登录次数").unwrap();
        let mut out = format!("{header}\n");
        for l in lines {
            let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
            let v: f64 = cells[k].parse().unwrap();
            cells[k] = (v * 0.5).round().to_string();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    };
    let mut r = recipe();
    let m = r.model.as_mut().unwrap();
    m.apply = Some("model.json".into());
    let month = |weekly: &[u8]| {
        run(
            &r,
            &[(FILES[0], &c), (FILES[1], weekly), ("model.json", &model)],
        )
        .unwrap()
    };
    let same = month(&w);
    let mon = same.applied.as_ref().unwrap().monitor.as_ref().unwrap();
    assert!(same.alerts.is_empty(), "{:?}", same.alerts);
    assert!(mon.score.psi < 0.1, "{}", mon.score.psi);
    assert!(
        mon.features.iter().all(|f| f.psi < 0.1),
        "{:?}",
        mon.features
    );
    assert_eq!(same.plan.as_ref().unwrap().customers.len(), 50);

    let shifted = month(halved.as_bytes());
    let subjects: Vec<&str> = shifted.alerts.iter().map(|a| a.subject.as_str()).collect();
    assert!(subjects.contains(&"登录次数_mean"), "{subjects:?}");
    assert!(
        subjects.iter().all(|s| s.starts_with("登录次数")),
        "{subjects:?}"
    );
    let mon = shifted.applied.as_ref().unwrap().monitor.as_ref().unwrap();
    assert_eq!(mon.features[0].name, "登录次数_mean");
    assert!(mon.features[0].psi > 1.0, "{}", mon.features[0].psi);
    assert_eq!(mon.features[0].level, "alert");
}

#[test]
fn segment_plans_for_the_segmentation_scenario() {
    let path = root().join("data/recipes/segmentation.json");
    let mut r = Recipe::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    r.plan = Some(Default::default());
    r.segment.as_mut().unwrap().k = Some(3);
    let data = std::fs::read(root().join("data/scenarios/segmentation/segmentation_customers.csv"))
        .unwrap();
    let report = run(&r, &[("segmentation_customers.csv", &data)]).unwrap();
    let seg = report.segment.as_ref().unwrap();
    let plan = report.plan.unwrap();
    assert_eq!(plan.templates, "segment_plans.json");
    assert_eq!(plan.segments.len(), 3);
    assert!(plan.customers.is_empty());
    for (p, n) in plan.segments.iter().zip(&seg.names) {
        assert_eq!(p.name, n.name);
        assert_eq!(p.channel_mix.iter().map(|c| c.1).sum::<usize>(), p.size);
        assert_eq!(p.channel, p.channel_mix[0].0);
        assert!(p.talking_points[0].starts_with(&n.name));
        assert!(p.talking_points[1].contains(&n.strategy));
        for t in &p.talking_points {
            assert!(!t.contains('{'), "unfilled: {t}");
        }
    }
    let sizes: usize = plan.segments.iter().map(|p| p.size).sum();
    assert_eq!(sizes, seg.rows);
}

/// A file without an id column (bank-full): the customer plans are for the
/// listed rows, by row number (and the segments get theirs from the same
/// customer templates), with the templates' columns edited to the
/// file's own (value `balance`, channel rules on balance and campaign).
#[test]
fn plans_for_a_file_without_an_id_list_rows_by_number() {
    let mut t: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("data/templates/retention.json")).unwrap(),
    )
    .unwrap();
    t["value"]["column"] = "balance".into();
    t["value"]["tiers"] = serde_json::json!([
        { "name": "高价值", "min": 10000 }, { "name": "中价值", "min": 1000 }, { "name": "一般价值", "min": -1e12 }
    ]);
    t["channels"] = serde_json::json!([
        { "when": "balance >= 10000", "channel": "网点/客户经理" },
        { "when": "campaign >= 3", "channel": "电话外呼" },
        { "channel": "短信" }
    ]);
    let points: Vec<String> = t["talking_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().replace("在{营业部}的", ""))
        .collect();
    t["talking_points"] = points.into();
    let r = Recipe::from_json(
        r#"{ "inputs": [{ "file": "bank-full.csv" }], "label": { "rule": "y == \"yes\"" }, "drop": ["duration"],
        "model": { "kind": "logistic", "test_share": 0.3, "seed": 42 },
        "candidates": { "id": "", "top": 50, "exclude_positive": true },
        "segment": { "method": "kmeans", "k": 3, "columns": ["age", "balance", "campaign"], "seed": 42 },
        "plan": { "templates": "t.json" } }"#,
    )
    .unwrap();
    let bank = std::fs::read(root().join("../shared/data/real/bank-full.csv")).unwrap();
    let templates = t.to_string().into_bytes();
    let report = run(&r, &[("bank-full.csv", &bank), ("t.json", &templates)]).unwrap();
    let listed = &report.model.as_ref().unwrap().candidates;
    let plans = &report.plan.as_ref().unwrap().customers;
    assert_eq!(plans.len(), 50);
    // The same customer templates give each segment its plan: greeted in
    // general, the segment's traits where a customer's drivers would be.
    let segments = &report.plan.as_ref().unwrap().segments;
    assert_eq!(segments.len(), 3);
    for s in segments {
        assert!(
            s.talking_points[0].starts_with("您好！"),
            "{}",
            s.talking_points[0]
        );
        assert!(
            !s.talking_points[0].contains('{'),
            "{}",
            s.talking_points[0]
        );
    }
    let table = kequn::table::load(&bank, "bank-full.csv", &Default::default(), &mut ())
        .unwrap()
        .0;
    let ColumnData::Numeric(balance) = &table.column("balance").unwrap().data else {
        panic!("balance is numeric")
    };
    for p in plans {
        let c = listed
            .iter()
            .find(|c| (c.row + 1).to_string() == p.id)
            .unwrap();
        assert_eq!(p.value, balance[c.row], "row {}", p.id);
        let expect = if balance[c.row] >= 10000.0 {
            "网点/客户经理"
        } else {
            &p.channel
        };
        assert_eq!(p.channel, expect);
    }
}
