//! K-Means and the K-selection metrics against scikit-learn
//! (tests/reference/kmeans_reference.py, output in kmeans_reference.json).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use kequn::prep::{Prep, PrepSpec};
use kequn::segment::select::{calinski_harabasz, davies_bouldin, silhouette};
use kequn::segment::KMeansParams;
use kequn::table::{self, join, JoinKind, LoadOptions, Table};
use ndarray::Array2;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: PathBuf) -> Table {
    let bytes = std::fs::read(&path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    table::load(&bytes, &name, &LoadOptions::default(), &mut ())
        .unwrap()
        .0
}

fn reference() -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/reference/kmeans_reference.json")).unwrap(),
    )
    .unwrap()
}

/// The standardised design matrix of `include` (with `log1p`) over all rows.
fn design(t: &Table, include: &[&str], log1p: &[&str]) -> Array2<f64> {
    let spec = PrepSpec {
        include: include.iter().map(|s| s.to_string()).collect(),
        log1p: log1p.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let rows: Vec<usize> = (0..t.rows()).collect();
    let p = Prep::fit(t, &rows, &spec).unwrap();
    assert_eq!(p.width(), include.len(), "{:?}", p.dropped);
    p.transform(t, &rows).unwrap()
}

fn telco() -> Array2<f64> {
    let t = load(root().join("../shared/data/real/telco-customer-churn.csv"));
    design(
        &t,
        &["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"],
        &[],
    )
}

fn check_inertia(x: &Array2<f64>, want: &serde_json::Value, what: &str) {
    for k in 2..=8 {
        let sk = want[k.to_string()].as_f64().unwrap();
        let fit = KMeansParams {
            k,
            n_init: 10,
            seed: 1,
            ..Default::default()
        }
        .fit(x.view())
        .unwrap();
        let rel = (fit.inertia - sk) / sk;
        println!(
            "{what} k={k}: kequn {:.1} scikit-learn {sk:.1} ({:+.3}%)",
            fit.inertia,
            rel * 100.0
        );
        assert!(rel.abs() < 0.01, "{what} k={k}: {} vs {sk}", fit.inertia);
        assert_eq!(fit.sizes.iter().sum::<usize>(), x.nrows());
    }
}

#[test]
fn kmeans_inertia_within_one_percent_of_scikit_learn_on_telco() {
    check_inertia(&telco(), &reference()["telco_inertia"], "telco");
}

fn wealth() -> Array2<f64> {
    let d = root().join("data/scenarios/wealth");
    let base = load(d.join("user_base.csv"));
    let beh = load(d.join("user_behavior_assets.csv"));
    let (t, _) = join(&base, &beh, "user_id", "user_id", JoinKind::Inner).unwrap();
    let amounts = [
        "monthly_trade_amount",
        "stock_value",
        "cash_value",
        "fixed_income_value",
        "equity_value",
        "alternative_value",
    ];
    let mut include = vec!["age"];
    include.extend(amounts);
    include.extend(["trade_count_30d", "app_login_30d"]);
    let x = design(&t, &include, &amounts);
    assert_eq!(
        x.nrows() as u64,
        reference()["wealth_rows"].as_u64().unwrap()
    );
    x
}

#[test]
fn kmeans_inertia_within_one_percent_of_scikit_learn_on_the_wealth_scenario() {
    check_inertia(&wealth(), &reference()["wealth_inertia"], "wealth");
}

/// scikit-learn GaussianMixture (tests/reference/gmm_reference.py).
fn check_gmm(x: &Array2<f64>, want: &serde_json::Value, what: &str) {
    use kequn::segment::gmm::GmmParams;
    for k in 2..=6 {
        let sk = &want[k.to_string()];
        let fit = GmmParams {
            k,
            n_init: 3,
            seed: 1,
            ..Default::default()
        }
        .fit(x.view())
        .unwrap();
        let theirs = sk["score"].as_f64().unwrap();
        let confident = fit
            .memberships
            .rows()
            .into_iter()
            .filter(|r| r.iter().copied().fold(0.0, f64::max) > 0.9)
            .count() as f64
            / x.nrows() as f64;
        println!(
            "{what} k={k}: mean log-likelihood kequn {:.4} scikit-learn {theirs:.4}; confident {confident:.3} vs {:.3}",
            fit.log_likelihood,
            sk["confident"].as_f64().unwrap()
        );
        assert!(fit.converged, "{what} k={k}");
        // EM finds local optima from different K-Means starts: ours is at
        // most 0.05 nats per customer below scikit-learn's (or above it).
        assert!(
            fit.log_likelihood > theirs - 0.05,
            "{what} k={k}: {} vs {theirs}",
            fit.log_likelihood
        );
        for row in fit.memberships.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-9);
        }
    }
}

#[test]
fn gmm_log_likelihood_matches_scikit_learn_on_wealth_and_telco() {
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/reference/gmm_reference.json")).unwrap(),
    )
    .unwrap();
    check_gmm(&wealth(), &want["wealth"], "wealth");
    let t = load(root().join("../shared/data/real/telco-customer-churn.csv"));
    let x = design(&t, &["tenure", "MonthlyCharges", "TotalCharges"], &[]);
    check_gmm(&x, &want["telco"], "telco");
}

#[test]
fn selection_metrics_equal_scikit_learn_on_its_own_labels() {
    let x = telco();
    let labels: Vec<usize> =
        std::fs::read_to_string(root().join("tests/reference/telco_kmeans4_labels.txt"))
            .unwrap()
            .lines()
            .map(|l| l.parse().unwrap())
            .collect();
    let want = &reference()["telco_k4"];
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
    let s = silhouette(x.view(), &labels, 4, None);
    assert!(close(s, want["silhouette"].as_f64().unwrap()), "{s}");
    let ch = calinski_harabasz(x.view(), &labels, 4);
    assert!(
        close(ch, want["calinski_harabasz"].as_f64().unwrap()),
        "{ch}"
    );
    let db = davies_bouldin(x.view(), &labels, 4);
    assert!(close(db, want["davies_bouldin"].as_f64().unwrap()), "{db}");
}

#[test]
fn k_larger_than_the_distinct_rows_is_refused() {
    let x = ndarray::array![[0.0, 1.0], [0.0, 1.0], [2.0, 3.0], [2.0, 3.0]];
    let e = KMeansParams {
        k: 3,
        ..Default::default()
    }
    .fit(x.view())
    .unwrap_err();
    assert!(e.to_string().contains("2 distinct customers"), "{e}");
    assert!(e.zh().contains("2 个互不相同"), "{}", e.zh());
    let fit = KMeansParams {
        k: 2,
        ..Default::default()
    }
    .fit(x.view())
    .unwrap();
    assert_eq!(fit.inertia, 0.0);
    assert_eq!(fit.labels[0], fit.labels[1]);
    assert_ne!(fit.labels[0], fit.labels[2]);
}

/// The retail preset: K chosen over 2..8, every segment profiled and named
/// (uniquely), a faithful surrogate tree, the picture, and rules mined per
/// segment by the basket step.
#[test]
fn the_retail_recipe_segments_names_explains_and_mines_per_segment() {
    use kequn::recipe::{self, Recipe};
    let text = std::fs::read_to_string(root().join("data/recipes/retail_cross_sell.json")).unwrap();
    let recipe = Recipe::from_json(&text).unwrap();
    let dir = root().join("data/scenarios/retail");
    let files: Vec<(String, Vec<u8>)> = ["retail.del", "retail_columns.txt"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
        .collect();
    let inputs = recipe::view(&files);
    let report = recipe::run(&recipe, &inputs, &mut ()).unwrap();
    // The rules were mined per segment, since the segment step ran.
    assert!(!report.basket.as_ref().unwrap().segments.is_empty());
    let s = report.segment.unwrap();
    let sel = s.selection.as_ref().unwrap();
    assert_eq!(
        sel.scores.iter().map(|x| x.k).collect::<Vec<_>>(),
        (2..=8).collect::<Vec<_>>()
    );
    assert_eq!(s.k, sel.suggested);
    assert!(
        sel.reason_zh.contains(&format!("K = {}", s.k)),
        "{}",
        sel.reason_zh
    );
    // WCSS falls as K grows.
    assert!(sel.scores.windows(2).all(|w| w[1].inertia < w[0].inertia));
    assert_eq!(s.labels.len(), 3000);
    assert_eq!(s.ids.len(), 3000);
    assert_eq!(s.profiles.iter().map(|p| p.size).sum::<usize>(), 3000);
    let mut names: Vec<&str> = s.names.iter().map(|n| n.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), s.k);
    assert!(s
        .names
        .iter()
        .all(|n| !n.strategy.is_empty() && !n.reason.is_empty()));
    let tree = s.surrogate.as_ref().unwrap();
    assert!(tree.accuracy > 0.8, "surrogate fidelity {}", tree.accuracy);
    assert!(tree.rules.iter().all(|r| !r.conditions.is_empty()));
    assert!(s.scatter.points.len() <= 2000 && s.scatter.points.len() > 100);
    assert!(s.scatter.explained.0 >= s.scatter.explained.1 && s.scatter.explained.0 > 0.0);
    // The saved centres put each customer back in the same segment.
    let t = kequn::table::load(
        &files[0].1,
        "retail.del",
        &LoadOptions {
            header: Some(false),
            column_names: Some(
                kequn::table::ingest::read_column_list(&files[1].1, "retail_columns.txt", None)
                    .unwrap(),
            ),
            ..Default::default()
        },
        &mut (),
    )
    .unwrap()
    .0;
    let again = s.model.apply(&t).unwrap();
    assert_eq!(
        again.iter().map(|&l| l as u32).collect::<Vec<_>>(),
        s.labels
    );
    // Rules per segment, named as the segments.
    let b = report.basket.unwrap();
    let mut seg_names: Vec<&str> = b
        .segments
        .iter()
        .filter_map(|x| x.segment.as_deref())
        .collect();
    seg_names.sort();
    assert_eq!(seg_names, names);
    assert!(b.cross_sell.iter().all(|o| o.segment.is_some()));
}

/// The segmentation scenario prepared by its recipe's feature spec, split
/// into K-Prototypes' numeric fields and categorical codes.
fn segmentation_mixed() -> (kequn::segment::kprototypes::Mixed, Vec<String>) {
    use kequn::recipe::Recipe;
    use kequn::segment::kprototypes::Layout;
    let recipe = Recipe::from_json(
        &std::fs::read_to_string(root().join("data/recipes/segmentation.json")).unwrap(),
    )
    .unwrap();
    let t = load(root().join("data/scenarios/segmentation/segmentation_customers.csv"));
    let f = recipe.features.unwrap();
    let mut exclude = f.exclude.clone();
    exclude.push("客户号".into());
    let spec = f.prep_spec(exclude).unwrap();
    let rows: Vec<usize> = (0..t.rows()).collect();
    let prep = Prep::fit(&t, &rows, &spec).unwrap();
    let x = prep.transform(&t, &rows).unwrap();
    let names = prep
        .transforms
        .iter()
        .map(|t| t.column().to_string())
        .collect();
    (Layout::of(&prep).split(x.view()), names)
}

#[test]
fn kprototypes_cost_within_a_tenth_of_a_percent_of_kmodes_on_the_segmentation_scenario() {
    use kequn::segment::kprototypes::default_gamma;
    use kequn::segment::KPrototypesParams;
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/reference/kprototypes_reference.json"))
            .unwrap(),
    )
    .unwrap();
    let (data, names) = segmentation_mixed();
    // The script's columns: eight numerics, three categoricals.
    assert_eq!(data.numeric.ncols(), 8, "{names:?}");
    assert_eq!(data.codes.ncols(), 3, "{names:?}");
    assert_eq!(
        data.numeric.nrows(),
        want["rows"].as_u64().unwrap() as usize
    );
    let gamma = default_gamma(data.numeric.view());
    assert!(
        (gamma - want["gamma"].as_f64().unwrap()).abs() < 1e-9,
        "gamma {gamma}"
    );
    for k in 2..=6 {
        let theirs = want["cost"][k.to_string()].as_f64().unwrap();
        let fit = KPrototypesParams {
            k,
            n_init: 10,
            seed: 1,
            ..Default::default()
        }
        .fit(&data)
        .unwrap();
        let ratio = fit.cost / theirs;
        eprintln!(
            "k {k}: ours {:.3} kmodes {theirs:.3} ratio {ratio:.5}",
            fit.cost
        );
        // Both are best-of-ten local optima from different random numbers
        // (measured: equal to 1e-9 at k 2–4, within 0.0002% at 5–6); ours
        // may be lower, and is at most 0.1% higher.
        assert!(ratio <= 1.001 && ratio > 0.99, "k {k}: ratio {ratio}");
        assert_eq!(fit.sizes.iter().sum::<usize>(), data.numeric.nrows());
        assert!(fit.sizes.iter().all(|&s| s > 0));
    }
}

#[test]
fn the_segmentation_recipe_runs_kprototypes_and_its_saved_centres_reassign_the_same_rows() {
    use kequn::recipe::{self, InputFile, Recipe};
    let text = std::fs::read_to_string(root().join("data/recipes/segmentation.json")).unwrap();
    let recipe = Recipe::from_json(&text).unwrap();
    let path = root().join("data/scenarios/segmentation/segmentation_customers.csv");
    let bytes = std::fs::read(&path).unwrap();
    let inputs = [InputFile {
        name: "segmentation_customers.csv",
        bytes: &bytes,
    }];
    let report = recipe::run(&recipe, &inputs, &mut ()).unwrap();
    let s = report.segment.unwrap();
    assert_eq!(s.method, "kprototypes");
    let gamma = s.gamma.unwrap();
    assert!(
        (gamma - 0.5).abs() < 1e-9,
        "standardised numerics: half of 1, got {gamma}"
    );
    assert_eq!(s.scatter.projection, "FAMD");
    let sel = s.selection.as_ref().unwrap();
    // The WCSS column is K-Prototypes' cost, equal to kmodes' at K = 2..4.
    let want: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/reference/kprototypes_reference.json"))
            .unwrap(),
    )
    .unwrap();
    for k in 2..=4 {
        let ours = sel.scores.iter().find(|x| x.k == k).unwrap().inertia;
        let theirs = want["cost"][k.to_string()].as_f64().unwrap();
        assert!(
            (ours / theirs - 1.0).abs() < 1e-3,
            "k {k}: {ours} vs {theirs}"
        );
    }
    assert_eq!(s.k, sel.suggested);
    // Four of five criteria agree on 3 (the gap statistic says 4); tests/web.rs pins the same.
    assert_eq!(s.k, 3, "{}", sel.reason_en);
    assert_eq!(s.profiles.len(), s.k);
    let mut names: Vec<&str> = s.names.iter().map(|n| n.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), s.k, "two segments never share a name");
    // Categorical profiles come through K-Prototypes' modes.
    assert!(s.profiles.iter().any(|p| !p.categorical.is_empty()));
    assert_eq!(s.ids.len(), 3000);
    // The saved centres (with K-Prototypes' scale) put every customer back.
    let json = serde_json::to_string(&s.model).unwrap();
    let model: kequn::segment::report::SegmentModel = serde_json::from_str(&json).unwrap();
    assert_eq!(model.method, "kprototypes");
    let t = load(path);
    let again = model.apply(&t).unwrap();
    let same = again
        .iter()
        .zip(&s.labels)
        .filter(|(a, b)| **a as u32 == **b)
        .count();
    assert_eq!(same, 3000);
    assert!(s.surrogate.as_ref().unwrap().accuracy > 0.7);
}

/// Next month's snapshot: the first 300 customers ten times richer, the
/// last 100 gone, 50 new ones (copies of early rows under new ids).
fn next_month(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let head: Vec<&str> = lines[0].split(',').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (spend, deposit) = (col("年消费金额"), col("存款余额"));
    let mut out = vec![lines[0].to_string()];
    for (i, line) in lines[1..lines.len() - 100].iter().enumerate() {
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        if i < 300 {
            for c in [spend, deposit] {
                f[c] = format!("{:.2}", f[c].parse::<f64>().unwrap() * 10.0);
            }
        }
        out.push(f.join(","));
    }
    for (i, line) in lines[1..51].iter().enumerate() {
        let mut f: Vec<String> = line.split(',').map(str::to_string).collect();
        f[0] = format!("N{:08}", i + 1);
        out.push(f.join(","));
    }
    out.join("\n") + "\n"
}

#[test]
fn saved_centres_on_next_months_snapshot_give_the_migration_matrix() {
    use kequn::recipe::{self, InputFile, Recipe};
    let text = std::fs::read_to_string(root().join("data/recipes/segmentation.json")).unwrap();
    let mut recipe = Recipe::from_json(&text).unwrap();
    recipe.segment.as_mut().unwrap().next = Some("next.csv".into());
    let bytes =
        std::fs::read(root().join("data/scenarios/segmentation/segmentation_customers.csv"))
            .unwrap();
    let next = next_month(std::str::from_utf8(&bytes).unwrap());
    let inputs = [
        InputFile {
            name: "segmentation_customers.csv",
            bytes: &bytes,
        },
        InputFile {
            name: "next.csv",
            bytes: next.as_bytes(),
        },
    ];
    let report = recipe::run(&recipe, &inputs, &mut ()).unwrap();
    let s = report.segment.unwrap();
    let m = s.migration.as_ref().unwrap();
    assert_eq!(m.file, "next.csv");
    assert_eq!((m.matched, m.only_before, m.only_after), (2900, 100, 50));
    assert_eq!(m.matrix.len(), s.k);
    assert_eq!(m.matrix.iter().flatten().sum::<usize>(), 2900);
    // The 2600 unchanged customers keep their segment; of the 300 made
    // richer some move (none can move without a change).
    let diagonal: usize = (0..s.k).map(|i| m.matrix[i][i]).sum();
    assert!((2600..2900).contains(&diagonal), "{:?}", m.matrix);
    assert!((m.stayed - diagonal as f64 / 2900.0).abs() < 1e-12);
    assert_eq!(m.after_sizes.iter().sum::<usize>(), 2950);
    // Moving rows, each from-segment row sums to its customers in both.
    for (i, row) in m.matrix.iter().enumerate() {
        let before_in_both = s
            .labels
            .iter()
            .take(2900)
            .filter(|&&l| l as usize == i)
            .count();
        assert_eq!(row.iter().sum::<usize>(), before_in_both, "segment {i}");
    }
    let csv = kequn::export::migration_csv(m);
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.trim_end().split("\r\n").count(), s.k + 1);
}

#[test]
fn a_second_snapshot_with_no_common_id_is_refused_with_both_files_named() {
    use kequn::recipe::{self, InputFile, Recipe};
    let text = std::fs::read_to_string(root().join("data/recipes/segmentation.json")).unwrap();
    let mut recipe = Recipe::from_json(&text).unwrap();
    recipe.segment.as_mut().unwrap().next = Some("other.csv".into());
    recipe.segment.as_mut().unwrap().k = Some(3);
    let bytes =
        std::fs::read(root().join("data/scenarios/segmentation/segmentation_customers.csv"))
            .unwrap();
    let other = std::str::from_utf8(&bytes).unwrap().replace("\nK", "\nX");
    let inputs = [
        InputFile {
            name: "segmentation_customers.csv",
            bytes: &bytes,
        },
        InputFile {
            name: "other.csv",
            bytes: other.as_bytes(),
        },
    ];
    let e = recipe::run(&recipe, &inputs, &mut ())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("segmentation_customers.csv") && e.contains("other.csv") && e.contains("客户号"),
        "{e}"
    );
}

#[test]
fn the_gaussian_mixture_reports_memberships_and_its_saved_model_reassigns_the_rows() {
    use kequn::recipe::{self, InputFile, Recipe};
    let text = std::fs::read_to_string(root().join("data/recipes/segmentation.json")).unwrap();
    let mut recipe = Recipe::from_json(&text).unwrap();
    let seg = recipe.segment.as_mut().unwrap();
    seg.method = "gmm".into();
    seg.k = Some(3);
    seg.columns = ["年龄", "年消费金额", "存款余额", "月均交易笔数", "客户年限"]
        .map(String::from)
        .to_vec();
    let path = root().join("data/scenarios/segmentation/segmentation_customers.csv");
    let bytes = std::fs::read(&path).unwrap();
    let inputs = [InputFile {
        name: "segmentation_customers.csv",
        bytes: &bytes,
    }];
    let s = recipe::run(&recipe, &inputs, &mut ())
        .unwrap()
        .segment
        .unwrap();
    assert_eq!((s.method.as_str(), s.k), ("gmm", 3));
    assert_eq!(s.memberships.len(), 3000 * 3);
    for (r, row) in s.memberships.chunks(3).enumerate() {
        let sum: f32 = row.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "row {r}: {row:?}");
        // The segment is the most likely component.
        let best = (0..3).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap();
        assert_eq!(best as u32, s.labels[r], "row {r}");
    }
    let soft = s.soft.as_ref().unwrap();
    assert!(soft.confident + soft.uncertain <= 3000);
    assert!((soft.soft_sizes.iter().sum::<f64>() - 3000.0).abs() < 1e-6);
    assert!(soft
        .mean_membership
        .iter()
        .all(|&m| m > 1.0 / 3.0 && m <= 1.0));
    let names = s.segment_names();
    let csv = kequn::export::segments_csv(&s.ids, &s.labels, &names, &s.memberships);
    let head = csv.lines().next().unwrap();
    assert_eq!(head.matches("概率 P(").count(), 3, "{head}");
    let model: kequn::segment::report::SegmentModel =
        serde_json::from_str(&serde_json::to_string(&s.model).unwrap()).unwrap();
    assert!(model.mixture.is_some());
    let again = model.apply(&load(path)).unwrap();
    assert!(again.iter().zip(&s.labels).all(|(a, b)| *a as u32 == *b));
}

#[test]
fn our_lloyd_iterations_reach_linfa_clusterings_centres_from_the_same_start() {
    use kequn::segment::kmeans::greedy_kmeans_plusplus;
    use linfa::prelude::*;
    use linfa_clustering::{KMeans, KMeansInit};
    use rand::SeedableRng;
    let x = telco();
    for k in [3, 5] {
        let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(k as u64);
        let start = greedy_kmeans_plusplus(x.view(), k, &mut rng);
        let ours = KMeansParams {
            k,
            max_iterations: 1000,
            tolerance: 1e-12,
            ..Default::default()
        }
        .lloyd(x.view(), start.clone());
        // linfa's update counts the old centre as one more point: the same
        // fixed point once converged.
        let theirs = KMeans::params_with_rng(k, rng)
            .init_method(KMeansInit::Precomputed(start))
            .n_runs(1)
            .max_n_iterations(1000)
            .tolerance(1e-12)
            .fit(&DatasetBase::from(x.clone()))
            .unwrap();
        let (_, a) = kequn::segment::kmeans::assign(x.view(), ours.view());
        let (_, b) = kequn::segment::kmeans::assign(x.view(), theirs.centroids().view());
        assert!((a - b).abs() <= 1e-6 * b, "k {k}: ours {a} linfa {b}");
        for (p, q) in ours.iter().zip(theirs.centroids()) {
            assert!((p - q).abs() < 1e-4, "k {k}: centre {p} vs {q}");
        }
    }
}
