//! Helpers shared by the native integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use kequn::recipe::{self, Recipe, Report};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Holds our seeded split's test rows to the file under `tests/reference/`
/// that the Python reference read (`KEQUN_WRITE_REFERENCE=1` rewrites it).
pub fn pinned_split(file: &str, test: &[usize]) {
    let split_file = root().join("tests/reference").join(file);
    let text: String = test.iter().map(|i| format!("{i}\n")).collect();
    if std::env::var_os("KEQUN_WRITE_REFERENCE").is_some() {
        std::fs::write(&split_file, &text).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&split_file).unwrap(),
        text,
        "our split changed: rerun the reference"
    );
}

/// Our seeded folds (each row's fold number, a line a row) held to the
/// file under `tests/reference/` that the Python reference read.
pub fn pinned_folds(file: &str, rows: usize, folds: &[Vec<usize>]) {
    let mut fold = vec![0usize; rows];
    for (k, f) in folds.iter().enumerate() {
        for &i in f {
            fold[i] = k;
        }
    }
    let text: String = fold.iter().map(|k| format!("{k}\n")).collect();
    let path = root().join("tests/reference").join(file);
    if std::env::var_os("KEQUN_WRITE_REFERENCE").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        text,
        "our folds changed: rerun the reference"
    );
}

/// One of `../shared/data/real/`'s files as a named input buffer.
pub fn shared_file(name: &str) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(root().join("../shared/data/real").join(name)).unwrap();
    vec![(name.to_string(), bytes)]
}

/// Runs a preset recipe (path from the repository root) on `files` from its
/// `data_dir`.
pub fn run_preset(recipe: &str, files: &[&str]) -> Report {
    let r = Recipe::from_json(&std::fs::read_to_string(root().join(recipe)).unwrap()).unwrap();
    let dir = root()
        .join(recipe)
        .parent()
        .unwrap()
        .join(r.data_dir.clone().unwrap_or_default());
    let bytes: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.to_string(), std::fs::read(dir.join(f)).unwrap()))
        .collect();
    let inputs = recipe::view(&bytes);
    recipe::run(&r, &inputs, &mut ()).unwrap()
}
