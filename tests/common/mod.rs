//! Helpers shared by the native integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use kequn::recipe::{self, Recipe, Report};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
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
