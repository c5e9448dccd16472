//! The recipe: a JSON description of an analysis. Each section is the spec
//! of one step and is defined beside the code that runs it; this module only
//! composes them, checks them up front, and hands them to the runner
//! ([`run`]), the one entry that the CLI and the page both call.

pub mod pool;
mod run;

use serde::{Deserialize, Serialize};

pub use crate::basket::report::{BasketSpec, ProductSpec};
pub use crate::label::{LabelSpec, LabelSummary};
pub use crate::overview::OverviewSpec;
pub use crate::plan::PlanSpec;
pub use crate::prep::FeatureSpec;
pub use crate::score::analysis::{CandidateSpec, ModelSpec};
pub use crate::score::monitor::MonitorSpec;
pub use crate::segment::report::SegmentSpec;
pub use crate::table::aggregate::{AggregateOutcome, AggregateSpec};
pub use crate::table::join::{JoinOutcome, JoinSpec};
use crate::table::LoadOptions;
use crate::{Error, Result};
pub use run::{
    file_hash, fingerprint, run, run_loaded, run_owned, view, InputFile, Previous, Report,
    TableReport, STEPS,
};

/// An analysis: the inputs, then one optional section per step, in the
/// order the steps run (see [`STEPS`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// For the CLI: where the input files are, relative to the recipe file.
    #[serde(default)]
    pub data_dir: Option<String>,
    pub inputs: Vec<InputSpec>,
    #[serde(default)]
    pub join: Option<JoinSpec>,
    #[serde(default)]
    pub aggregate: Option<AggregateSpec>,
    /// The overview dashboard's figures (KPIs, distributions, funnel,
    /// behaviour-vs-assets correlation).
    #[serde(default)]
    pub overview: Option<OverviewSpec>,
    #[serde(default)]
    pub label: Option<LabelSpec>,
    /// Columns removed before modelling (besides those the label rule used).
    #[serde(default)]
    pub drop: Vec<String>,
    /// Display names (column → name people use) for plans and segment
    /// descriptions, e.g. `"总资产_mean": "近期平均总资产"`.
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub features: Option<FeatureSpec>,
    #[serde(default)]
    pub model: Option<ModelSpec>,
    #[serde(default)]
    pub candidates: Option<CandidateSpec>,
    #[serde(default)]
    pub segment: Option<SegmentSpec>,
    #[serde(default)]
    pub basket: Option<BasketSpec>,
    #[serde(default)]
    pub plan: Option<PlanSpec>,
    /// Thresholds for next month's comparison (PSI, label rate, conversion).
    #[serde(default)]
    pub monitor: Option<MonitorSpec>,
    /// Result tables to export, by name (one of [`OUTPUTS`]).
    #[serde(default)]
    pub outputs: Vec<String>,
}

/// The result tables a recipe's `outputs` may name.
pub const OUTPUTS: &[&str] = &[
    "profile",
    "overview",
    "aggregates",
    "metrics",
    "roc",
    "coefficients",
    "contributions",
    "tree_rules",
    "candidates",
    "segments",
    "profiles",
    "k_selection",
    "migration",
    "rules",
    "rules_business",
    "cross_sell",
    "product_targets",
    "plans",
    "monitor",
    "alerts",
];

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

impl Recipe {
    pub fn from_json(s: &str) -> Result<Recipe> {
        serde_json::from_str(s).map_err(|e| {
            let path = match e.classify() {
                // The text ends inside what is still open.
                serde_json::error::Category::Eof => json_path(s, s.len(), true),
                _ => {
                    // The line's start, then its column: the 1-based one
                    // of the last byte read, or of the one looked at (a
                    // `}` that closes an object with a field missing),
                    // both still inside the value at fault.
                    let start = match e.line() {
                        0 | 1 => 0,
                        n => s
                            .match_indices('\n')
                            .nth(n - 2)
                            .map_or(s.len(), |(i, _)| i + 1),
                    };
                    let missing = e.to_string().starts_with("missing field");
                    json_path(s, start + e.column().saturating_sub(1), missing)
                }
            };
            syntax_error(&path, &e)
        })
    }

    /// Checks every section and what each needs of the others, before any
    /// file is read: a name this version does not know is an error that
    /// lists the known ones.
    pub fn check(&self) -> Result<()> {
        let basket_file = self.basket.as_ref().and_then(|b| b.file.as_deref());
        if self.inputs.is_empty() && basket_file.is_none() {
            return Err(Error::Recipe {
                detail: "it names no input file".into(),
            });
        }
        if let Some(m) = &self.model {
            m.check()?;
            if m.apply.is_none() && self.label.is_none() {
                return Err(Error::MissingSection {
                    section: "model".into(),
                    needs: "label".into(),
                    why: "training needs a label rule saying which customers are positive; or set model.apply to a saved model".into(),
                    why_zh: "训练需要标签规则说明哪些客户为正例；或用 model.apply 指定已保存的模型".into(),
                });
            }
            if m.apply.is_some() && self.candidates.is_none() {
                return Err(Error::MissingSection {
                    section: "model.apply".into(),
                    needs: "candidates".into(),
                    why: "applying a model needs a 'candidates' section naming the id column"
                        .into(),
                    why_zh: "应用模型需要 candidates 部分指定客户号列".into(),
                });
            }
        }
        if let Some(s) = &self.segment {
            s.check()?;
        }
        if let Some(b) = &self.basket {
            if b.per_segment && b.by.is_none() && b.file.is_none() && self.segment.is_none() {
                return Err(Error::MissingSection {
                    section: "basket.per_segment".into(),
                    needs: "segment".into(),
                    why: "mining per segment needs the segment step's segments; add a 'segment' section or name a column in basket.by".into(),
                    why_zh: "按客群挖掘需要先分群；请添加 segment 部分，或在 basket.by 中指定分组列".into(),
                });
            }
        }
        for o in &self.outputs {
            if !OUTPUTS.contains(&o.as_str()) {
                return Err(Error::unknown("outputs", o, OUTPUTS));
            }
        }
        Ok(())
    }

    /// The files steps after loading read (a model to apply, naming rules,
    /// next month's table, a basket file, plan templates, feedback).
    pub fn files_read_later(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if let Some(m) = &self.model {
            out.extend(m.apply.as_deref());
        }
        if let Some(s) = &self.segment {
            out.extend(s.naming.as_deref());
            out.extend(s.next.as_deref());
        }
        if let Some(b) = &self.basket {
            out.extend(b.file.as_deref());
        }
        if let Some(p) = &self.plan {
            out.extend(p.templates.as_deref());
            out.extend(p.feedback.as_ref().map(|f| f.file.as_str()));
        }
        out
    }
}

/// The path (`inputs[0].options.skip_rows`) of the value serde_json
/// stopped at, `end` bytes into the text: the text read up to there,
/// scanned for the objects and arrays still open. With `whole`
/// (a missing field, the end of the text) the error is the innermost
/// object's, not its last key's. Reading the text again
/// on an error costs nothing the rest of the time, where a tracking
/// deserializer (serde_path_to_error) compiled a second copy of every
/// recipe type's reader into the wasm.
fn json_path(text: &str, end: usize, whole: bool) -> String {
    enum Open {
        Object(Option<String>),
        Array(usize),
    }
    let read = &text.as_bytes()[..end.min(text.len())];
    let mut open: Vec<Open> = Vec::new();
    let mut i = 0;
    while i < read.len() {
        match read[i] {
            b'{' => open.push(Open::Object(None)),
            b'[' => open.push(Open::Array(0)),
            b'}' | b']' => {
                open.pop();
            }
            b',' => match open.last_mut() {
                Some(Open::Object(key)) => *key = None,
                Some(Open::Array(n)) => *n += 1,
                None => {}
            },
            b'"' => {
                let from = i + 1;
                i = from;
                while i < read.len() && read[i] != b'"' {
                    i += if read[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Open::Object(key @ None)) = open.last_mut() {
                    // (Bytes: the end may cut a character of a bad token.)
                    let raw =
                        String::from_utf8_lossy(&read[from.min(read.len())..i.min(read.len())]);
                    *key = Some(
                        serde_json::from_str(&format!("\"{raw}\""))
                            .unwrap_or_else(|_| raw.into_owned()),
                    );
                }
            }
            _ => {}
        }
        i += 1;
    }
    if whole {
        if let Some(Open::Object(key)) = open.last_mut() {
            *key = None;
        }
    }
    let mut path = String::new();
    for o in &open {
        match o {
            Open::Object(Some(k)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Open::Object(None) => {}
            Open::Array(n) => path.push_str(&format!("[{n}]")),
        }
    }
    path
}

/// A recipe that does not read, said with where: a misspelt name (a
/// field's or a value's) becomes `UnknownValue` at its path, in both
/// languages with the names that exist; the rest names the path.
fn syntax_error(path: &str, e: &serde_json::Error) -> Error {
    let msg = e.to_string();
    let quoted = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    for (prefix, what) in [("unknown variant `", ""), ("unknown field `", " (field)")] {
        if msg.starts_with(prefix) {
            let names = quoted(msg.split(" at line ").next().unwrap_or(&msg));
            if let Some((value, allowed)) = names.split_first() {
                let field = match what {
                    // The path of an unknown field ends with the field itself.
                    "" => path.to_string(),
                    _ => format!(
                        "{}{what}",
                        path.rsplit_once('.')
                            .map_or("the recipe", |(parent, _)| parent)
                    ),
                };
                let allowed: Vec<&str> = allowed.iter().map(String::as_str).collect();
                return Error::unknown(&field, value, &allowed);
            }
        }
    }
    Error::Recipe {
        detail: if path.is_empty() || path == "." {
            msg
        } else {
            format!("{path}: {msg}")
        },
    }
}
