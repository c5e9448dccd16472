//! The share of a run that the page's pool workers take: each loads one
//! input table (parse, types, profile) in a wasm instance of its own, at
//! the same time as the others, and sends it to the worker that runs the
//! recipe as bytes ([`Loaded::encode`]). The tables and reports are the
//! ones `run` would make (the same code over the same bytes); only where
//! the work is done differs.
//!
//! Invariant: `run_loaded` with any subset of the inputs loaded this way
//! gives the report `run_owned` gives.

use super::run::{file_hash, find, give_up, load_input, view, InputFile, TableReport};
use super::Recipe;
use crate::table::{codec, Table};
use crate::{Error, Progress, Result};

/// An input table loaded apart, with its profile and its files' hashes.
#[derive(Debug)]
pub struct Loaded {
    pub table: Table,
    pub report: TableReport,
    /// The files it read (the table's, its column list's) and their
    /// [`file_hash`]es: the run's fingerprint without their bytes.
    pub hashes: Vec<(String, u64)>,
}

/// One input for a pool worker: its index in `recipe.inputs` and the files
/// (as named among the run's files) the worker needs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Job {
    pub input: usize,
    pub files: Vec<String>,
}

/// The inputs worth loading in pool workers, largest first: at least two
/// (one alone would leave the recipe's worker waiting, not working beside
/// it), each of at least `min_bytes`, read by no other input and by no
/// later step (those need their bytes in the recipe's worker anyway).
/// `files`: the run's files, names and sizes.
pub fn plan(recipe: &Recipe, files: &[(String, u64)], min_bytes: u64) -> Vec<Job> {
    let inputs: Vec<InputFile> = files
        .iter()
        .map(|(n, _)| InputFile {
            name: n,
            bytes: &[],
        })
        .collect();
    let size = |name: &str| files.iter().find(|(n, _)| n == name).map_or(0, |f| f.1);
    let resolved = |name: &str| find(&inputs, name).ok().map(|f| f.name);
    let later: Vec<&str> = recipe
        .files_read_later()
        .into_iter()
        .filter_map(resolved)
        .collect();
    let read_by = |name: &str| {
        recipe
            .inputs
            .iter()
            .flat_map(|s| std::iter::once(&s.file).chain(&s.columns_file))
            .filter(|n| resolved(n) == Some(name))
            .count()
    };
    let mut jobs: Vec<(u64, Job)> = Vec::new();
    for (k, spec) in recipe.inputs.iter().enumerate() {
        let Some(file) = resolved(&spec.file) else {
            continue;
        };
        if size(file) < min_bytes || later.contains(&file) || read_by(file) != 1 {
            continue;
        }
        let mut needs = vec![file.to_string()];
        match spec.columns_file.as_deref().map(resolved) {
            Some(Some(list)) => needs.push(list.to_string()),
            Some(None) => continue, // the recipe's worker says it is missing
            None => {}
        }
        jobs.push((
            size(file),
            Job {
                input: k,
                files: needs,
            },
        ));
    }
    if jobs.len() < 2 {
        return Vec::new();
    }
    crate::order::sort_by(&mut jobs, |a, b| b.0.cmp(&a.0));
    jobs.into_iter().map(|(_, j)| j).collect()
}

/// Loads `recipe.inputs[input]` from `files` (a pool worker's part of the
/// run), which it takes: the table file is freed once split into columns.
/// Errors are the ones `run` would give for that input.
pub fn load_one(
    recipe: &Recipe,
    input: usize,
    mut files: Vec<(String, Vec<u8>)>,
    progress: &mut dyn Progress,
) -> Result<Loaded> {
    recipe.check()?;
    let spec = recipe.inputs.get(input).ok_or_else(|| Error::Recipe {
        detail: format!("the recipe has no input number {}", input + 1),
    })?;
    let hashes = {
        let inputs = view(&files);
        std::iter::once(&spec.file)
            .chain(&spec.columns_file)
            .filter_map(|n| find(&inputs, n).ok())
            .map(|f| (f.name.to_string(), file_hash(f.name, f.bytes)))
            .collect()
    };
    // The plan gives a pool worker only inputs nothing else reads.
    let given = give_up(&mut files, spec, [])?;
    let (table, report) = load_input(spec, &view(&files), given, progress)?;
    Ok(Loaded {
        table,
        report,
        hashes,
    })
}

/// The next length-prefixed JSON part after the table, read from text as
/// everywhere in the core (one deserialiser compiled per type).
fn json_part<T: serde::de::DeserializeOwned, S: codec::Source + ?Sized>(
    r: &mut codec::Reader<S>,
) -> Result<T> {
    let n = r.len()?;
    let text = std::str::from_utf8(r.take(n)?).map_err(|_| codec::broken())?;
    serde_json::from_str(text).map_err(|_| codec::broken())
}

impl Loaded {
    pub fn encode(&self) -> Vec<u8> {
        let mut size = codec::Count::default();
        self.encode_to(&mut size);
        let mut out = Vec::with_capacity(size.0);
        self.encode_to(&mut out);
        out
    }

    /// `encode` into any `Sink` (in the page, straight into a JS array).
    pub fn encode_to<S: codec::Sink + ?Sized>(&self, out: &mut S) {
        codec::encode(&self.table, out);
        let report = serde_json::to_vec(&self.report).unwrap_or_default();
        let hashes = serde_json::to_vec(&self.hashes).unwrap_or_default();
        for part in [report, hashes] {
            codec::put_u64(out, part.len() as u64);
            out.put(&part);
        }
    }

    pub fn decode(bytes: &[u8]) -> Result<Loaded> {
        Self::decode_from(bytes)
    }

    /// `decode` from a `Source` (in the page, the JS array the bytes came
    /// in, read a column at a time rather than copied whole first).
    pub fn decode_from<S: codec::Source + ?Sized>(src: &S) -> Result<Loaded> {
        let (table, at) = codec::decode_from(src, 0)?;
        let mut r = codec::Reader::new(src, at);
        Ok(Loaded {
            table,
            report: json_part(&mut r)?,
            hashes: json_part(&mut r)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(json: &str) -> Recipe {
        Recipe::from_json(json).unwrap()
    }

    #[test]
    fn plans_two_or_more_inputs_that_nothing_else_reads() {
        let r = recipe(
            r#"{ "inputs": [ { "file": "a.csv" }, { "file": "dir/b.csv" }, { "file": "c.del", "columns_file": "c.txt" } ] }"#,
        );
        let files = |sizes: [u64; 4]| {
            ["a.csv", "b.csv", "c.del", "c.txt"]
                .iter()
                .zip(sizes)
                .map(|(n, s)| (n.to_string(), s))
                .collect::<Vec<_>>()
        };
        let jobs = plan(&r, &files([10, 30, 20, 1]), 5);
        assert_eq!(
            jobs,
            [
                Job {
                    input: 1,
                    files: vec!["b.csv".into()]
                },
                Job {
                    input: 2,
                    files: vec!["c.del".into(), "c.txt".into()]
                },
                Job {
                    input: 0,
                    files: vec!["a.csv".into()]
                },
            ]
        );
        // Below the size, fewer than two left: none.
        assert!(plan(&r, &files([1, 30, 2, 1]), 5).is_empty());
        // A file a later step reads again stays with the recipe's worker.
        let later = recipe(
            r#"{ "inputs": [ { "file": "a.csv" }, { "file": "b.csv" }, { "file": "c.csv" } ], "basket": { "file": "a.csv", "min_support": 0.1, "min_confidence": 0.5 } }"#,
        );
        let jobs = plan(
            &later,
            &files([10, 30, 20, 1])
                .into_iter()
                .map(|(n, s)| (n.replace(".del", ".csv"), s))
                .collect::<Vec<_>>(),
            5,
        );
        assert_eq!(jobs.iter().map(|j| j.input).collect::<Vec<_>>(), [1, 2]);
    }
}
