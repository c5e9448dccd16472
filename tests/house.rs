//! The house rules of ARCHITECTURE.md, checked on the source: no import
//! circle among the crate's top modules, and no step refers to the recipe
//! (the runner composes the steps; the steps do not know it).
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The step modules: they may not use `crate::recipe`.
const STEPS: &[&str] = &[
    "table", "label", "prep", "score", "segment", "basket", "plan", "overview", "shared",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Top module → the top modules its code (not its unit tests) names as `crate::X`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        // Unit tests may use anything: a file of tests, or what follows `#[cfg(test)]`.
        if rel.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let deps = g.entry(module.clone()).or_default();
        for line in code.lines() {
            let line = line.split("//").next().unwrap();
            for (i, _) in line.match_indices("crate::") {
                let name: String = line[i + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // `crate::Error`, `crate::Result`, `crate::Progress`: the crate root.
                if name.starts_with(char::is_lowercase) && name != module {
                    deps.insert(name);
                }
            }
        }
    }
    g
}

#[test]
fn no_step_refers_to_the_recipe() {
    let g = graph();
    for step in STEPS {
        let deps = g.get(*step).unwrap_or_else(|| panic!("no module {step}"));
        assert!(!deps.contains("recipe"), "{step} uses crate::recipe");
    }
    // The graph is read for real: the runner does use the steps.
    assert!(g["recipe"].contains("score") && g["recipe"].contains("segment"));
}

#[test]
fn the_top_modules_form_no_circle() {
    let g = graph();
    // Depth-first search; a module met again on the current path closes a circle.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(at) = path.iter().position(|p| p == m) {
            panic!("import circle: {} → {m}", path[at..].join(" → "));
        }
        path.push(m.to_string());
        for d in g.get(m).into_iter().flatten() {
            visit(d, g, path, done);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let mut done = BTreeSet::new();
    for m in g.keys() {
        visit(m, &g, &mut Vec::new(), &mut done);
    }
    assert!(done.len() >= 12, "{done:?}");
}

/// Every progress stage the core reports by name has words in the page
/// (`stage_<name>` in www/i18n.js), or the progress bar shows a raw key.
#[test]
fn every_progress_stage_is_translated() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let i18n = std::fs::read_to_string(root.join("www/i18n.js")).unwrap();
    let mut stages = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (at, _) in text.match_indices(".report(") {
            let rest = text[at + ".report(".len()..].trim_start();
            if let Some(lit) = rest.strip_prefix('"') {
                let name = &lit[..lit.find('"').unwrap()];
                stages.insert(name.to_string());
            }
        }
    }
    assert!(stages.contains("decode") && stages.len() > 20, "{stages:?}");
    let missing: Vec<&String> = stages
        .iter()
        .filter(|s| {
            !i18n.contains(&format!("stage_{s}:")) && !i18n.contains(&format!("'stage_{s}':"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "stages without words in www/i18n.js: {missing:?}"
    );
}
