//! The recipe: a JSON description of an analysis, and `run`, the one entry
//! that the CLI and the page both call. Inputs are named byte buffers, so the
//! same recipe on the same bytes gives the same report everywhere.

use serde::{Deserialize, Serialize};

use crate::table::{self, ColumnStats, JoinKind, JoinReport, LoadOptions, LoadReport, Table};
use crate::{Error, Progress, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    #[serde(default)]
    pub name: String,
    pub inputs: Vec<InputSpec>,
    #[serde(default)]
    pub join: Option<JoinSpec>,
}

/// One input file and how to read it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// The file's name among the inputs given to `run`.
    pub file: String,
    /// A column-list file (one name per line) for a header-less export.
    #[serde(default)]
    pub columns_file: Option<String>,
    #[serde(default)]
    pub options: LoadOptions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinSpec {
    /// File names of the two inputs.
    pub left: String,
    pub right: String,
    /// Key column in the left table (and in the right, unless `right_on`).
    pub on: String,
    #[serde(default)]
    pub right_on: Option<String>,
    #[serde(default)]
    pub how: JoinKind,
}

/// A named input buffer.
#[derive(Debug, Clone, Copy)]
pub struct InputFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableReport {
    pub load: LoadReport,
    pub columns: Vec<ColumnStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JoinOutcome {
    pub report: JoinReport,
    pub columns: Vec<ColumnStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub recipe: String,
    pub tables: Vec<TableReport>,
    pub join: Option<JoinOutcome>,
}

impl Recipe {
    pub fn from_json(s: &str) -> Result<Recipe> {
        serde_json::from_str(s).map_err(|e| Error::Recipe {
            detail: e.to_string(),
        })
    }
}

fn find<'a>(inputs: &[InputFile<'a>], name: &str) -> Result<InputFile<'a>> {
    let base = |s: &str| s.rsplit(['/', '\\']).next().unwrap_or(s).to_string();
    inputs
        .iter()
        .find(|f| f.name == name)
        .or_else(|| inputs.iter().find(|f| base(f.name) == base(name)))
        .copied()
        .ok_or_else(|| Error::MissingInput { name: name.into() })
}

/// Runs `recipe` over `inputs`, reporting progress by stage.
pub fn run(recipe: &Recipe, inputs: &[InputFile], progress: &mut dyn Progress) -> Result<Report> {
    if recipe.inputs.is_empty() {
        return Err(Error::Recipe {
            detail: "it names no input file".into(),
        });
    }
    let mut tables: Vec<Table> = Vec::new();
    let mut reports = Vec::new();
    for spec in &recipe.inputs {
        let input = find(inputs, &spec.file)?;
        let mut opts = spec.options.clone();
        if let Some(list) = &spec.columns_file {
            let list_input = find(inputs, list)?;
            opts.column_names = Some(table::ingest::read_column_list(
                list_input.bytes,
                list_input.name,
                opts.encoding.as_deref(),
            )?);
            opts.column_names_file = Some(list_input.name.to_string());
        }
        let mut staged = Staged {
            inner: &mut *progress,
            prefix: input.name,
        };
        let (t, load) = table::load(input.bytes, input.name, &opts, &mut staged)?;
        progress.report(&format!("{}: profile", input.name), 0.0);
        reports.push(TableReport {
            load,
            columns: table::profile(&t),
        });
        tables.push(t);
    }
    let join = match &recipe.join {
        None => None,
        Some(j) => {
            progress.report("join", 0.0);
            let by_name = |n: &str| -> Result<&Table> {
                let f = find(inputs, n)?;
                tables
                    .iter()
                    .find(|t| t.name == f.name)
                    .ok_or_else(|| Error::Recipe {
                        detail: format!(
                            "join names '{n}', which is not one of the recipe's inputs"
                        ),
                    })
            };
            let (left, right) = (by_name(&j.left)?, by_name(&j.right)?);
            let right_on = j.right_on.as_deref().unwrap_or(&j.on);
            let (joined, report) = table::join(left, right, &j.on, right_on, j.how)?;
            progress.report("join", 1.0);
            Some(JoinOutcome {
                report,
                columns: table::profile(&joined),
            })
        }
    };
    progress.report("done", 1.0);
    Ok(Report {
        recipe: recipe.name.clone(),
        tables: reports,
        join,
    })
}

/// Prefixes stage names with the file being worked on.
struct Staged<'a, 'p> {
    inner: &'a mut dyn Progress,
    prefix: &'p str,
}

impl Progress for Staged<'_, '_> {
    fn report(&mut self, stage: &str, fraction: f64) {
        self.inner
            .report(&format!("{}: {stage}", self.prefix), fraction)
    }
}
