//! The recipe: a JSON description of an analysis, and `run`, the one entry
//! that the CLI and the page both call. Inputs are named byte buffers, so the
//! same recipe on the same bytes gives the same report everywhere.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::table::{self, ColumnStats, JoinKind, JoinReport, LoadOptions, LoadReport, Table};
use crate::{Error, Progress, Result};

/// An analysis. Sections after `join` describe the scenario's later steps;
/// `run` executes the steps this build has and lists the others in
/// `Report::pending`, so a recipe written today keeps working as steps land.
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
    pub overview: Option<crate::overview::OverviewSpec>,
    #[serde(default)]
    pub label: Option<LabelSpec>,
    /// Columns removed before modelling (besides those the label rule used).
    #[serde(default)]
    pub drop: Vec<String>,
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
    pub monitor: Option<crate::score::monitor::MonitorSpec>,
    /// Result tables to export, by name (e.g. `candidates`, `rules`, `segments`).
    #[serde(default)]
    pub outputs: Vec<String>,
}

/// Per-entity features from a long table (e.g. 12 weekly rows per customer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateSpec {
    /// The long table's file, its entity key and its time column.
    pub from: String,
    pub by: String,
    pub time: String,
    /// The measures to aggregate.
    pub columns: Vec<String>,
    /// `mean`, `sum`, `last`, `trend` (least-squares slope over time),
    /// `recent_change` (mean of the last `recent` periods over the earlier mean, minus 1).
    pub ops: Vec<String>,
    #[serde(default)]
    pub recent: Option<usize>,
    /// The table the aggregates are joined to (on `by`).
    pub into: String,
}

/// A boolean label from a rule in the label language, e.g. `asset_level == "100万+"`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    pub rule: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Keep the columns the rule used as features (default: drop them).
    #[serde(default)]
    pub keep_rule_columns: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureSpec {
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Restrict to these columns (profile fields), when given.
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub log1p: Vec<String>,
    /// Ordinal encodings: column → values from lowest to highest.
    #[serde(default)]
    pub ordinal: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub target_encode: Vec<String>,
    /// `days_before` a `reference_date`, or `drop`.
    #[serde(default)]
    pub dates: Option<String>,
    #[serde(default)]
    pub reference_date: Option<String>,
    /// `median` (default) or `drop_rows`.
    #[serde(default)]
    pub missing: Option<String>,
    /// Columns missing more than this share are dropped.
    #[serde(default)]
    pub max_missing_share: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// `logistic` or `tree`.
    pub kind: String,
    #[serde(default)]
    pub also: Vec<String>,
    #[serde(default)]
    pub test_share: Option<f64>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub class_weight: Option<String>,
    #[serde(default)]
    pub max_depth: Option<usize>,
    #[serde(default)]
    pub cv_folds: Option<usize>,
    /// Apply a saved model (the name of a JSON input) instead of training.
    #[serde(default)]
    pub apply: Option<String>,
    /// When applying: score categories the model never saw as "no category".
    #[serde(default)]
    pub allow_unseen: bool,
}

/// Customers to act on: scored, optionally filtered, ranked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateSpec {
    pub id: String,
    #[serde(default)]
    pub top: Option<usize>,
    /// Leave out customers already labelled positive.
    #[serde(default)]
    pub exclude_positive: bool,
    /// Only predicted positives (probability ≥ threshold).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// A row filter in the label language, e.g. `注册地址 contains "广东"`.
    #[serde(default)]
    pub filter: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    /// `kmeans`, `kprototypes` or `gmm`.
    pub method: String,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub k: Option<usize>,
    #[serde(default)]
    pub k_range: Option<(usize, usize)>,
    #[serde(default)]
    pub n_init: Option<usize>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub id: Option<String>,
    /// A naming-rule file (JSON, as data/templates/segment_naming.json)
    /// among the inputs; default: the shipped rules.
    #[serde(default)]
    pub naming: Option<String>,
    /// K-Prototypes' weight of a categorical mismatch; default half the
    /// mean standard deviation of the numeric features.
    #[serde(default)]
    pub gamma: Option<f64>,
    /// A second snapshot (next month's export) among the inputs: the
    /// centres are applied to it and the migration matrix reported for the
    /// customers (by `id`) present in both.
    #[serde(default)]
    pub next: Option<String>,
    /// K-Means: at most this many iterations per start (default 300).
    #[serde(default)]
    pub max_iterations: Option<u64>,
    /// K-Means: a start stops when the centres' summed squared movement is
    /// at most this share of the mean feature variance (default 1e-4, as
    /// scikit-learn's `tol`).
    #[serde(default)]
    pub tolerance: Option<f64>,
}

/// A product made of one or more balance columns (non-zero = holds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductSpec {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasketSpec {
    #[serde(default)]
    pub products: Vec<ProductSpec>,
    /// Existing 0/1 holding columns.
    #[serde(default)]
    pub flags: Vec<String>,
    pub min_support: f64,
    pub min_confidence: f64,
    #[serde(default)]
    pub min_lift: Option<f64>,
    #[serde(default)]
    pub max_len: Option<usize>,
    #[serde(default)]
    pub per_segment: bool,
    #[serde(default)]
    pub id: Option<String>,
    /// Marketing cool-off in days: with `last_contact`, customers contacted
    /// fewer days ago are left out of the lists; alone, a positive value
    /// means days of cool-off left.
    #[serde(default)]
    pub cool_off: Option<String>,
    #[serde(default)]
    pub last_contact: Option<String>,
    /// "Today" for the cool-off (default: the latest last contact).
    #[serde(default)]
    pub reference_date: Option<String>,
    #[serde(default)]
    pub top_per_customer: Option<usize>,
    #[serde(default)]
    pub targets_per_product: Option<usize>,
    /// Mine each value of this column (a segment) separately, as well as overall.
    #[serde(default)]
    pub by: Option<String>,
    /// A basket file (one transaction a line, items separated by commas)
    /// among the given files, instead of holdings from the table.
    #[serde(default)]
    pub file: Option<String>,
}

pub use crate::plan::PlanSpec;

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
pub struct AggregateOutcome {
    pub report: table::AggregateReport,
    /// The aggregates joined (left) to the `into` table.
    pub join: JoinReport,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub recipe: String,
    pub tables: Vec<TableReport>,
    pub join: Option<JoinOutcome>,
    /// The long table aggregated per entity and joined to its `into` table.
    pub aggregate: Option<AggregateOutcome>,
    /// The overview dashboard's figures.
    pub overview: Option<crate::overview::Overview>,
    /// The label rule evaluated over the working table.
    pub label: Option<LabelSummary>,
    /// Label, model, metrics, explanations and candidates, when the recipe asks for them.
    pub model: Option<crate::score::analysis::ModelReport>,
    /// Candidates from a saved model applied to these files.
    pub applied: Option<crate::score::analysis::AppliedReport>,
    /// Segments: K selection, profiles, names, strategies, surrogate rules.
    pub segment: Option<crate::segment::report::SegmentReport>,
    /// Holdings, association rules, cross-sell offers and product targets.
    pub basket: Option<crate::basket::report::BasketReport>,
    /// Retention plans per customer, marketing plans per segment, feedback.
    pub plan: Option<crate::plan::PlanReport>,
    /// Figures past the monitor's thresholds: distribution shift (PSI),
    /// label rate change, conversion below target.
    pub alerts: Vec<crate::score::monitor::Alert>,
    /// Steps the recipe asks for that this build does not run yet.
    pub pending: Vec<String>,
}

impl FeatureSpec {
    /// The feature pipeline's spec, with `exclude` (which already holds this
    /// spec's excludes and whatever the step adds) left out.
    pub fn prep_spec(&self, exclude: Vec<String>) -> Result<crate::prep::PrepSpec> {
        let reference =
            match &self.reference_date {
                Some(d) => Some(crate::table::infer::parse_date(d).map(|p| p.0).ok_or_else(
                    || Error::Recipe {
                        detail: format!(
                            "reference_date '{d}' is not a date; write it as 2024-10-31"
                        ),
                    },
                )?),
                None => None,
            };
        Ok(crate::prep::PrepSpec {
            exclude,
            include: self.include.clone(),
            log1p: self.log1p.clone(),
            ordinal: self.ordinal.clone(),
            target_encode: self.target_encode.clone(),
            date_days: self.dates.as_deref() != Some("drop"),
            reference,
            max_missing_share: self.max_missing_share,
        })
    }
}

/// What a label rule gives over the working table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelSummary {
    pub rule: String,
    pub rows: usize,
    pub positives: usize,
    /// Rows where the rule is unknown (a column it reads is missing).
    pub unknown: usize,
    /// The columns the rule reads (left out of the features).
    pub columns: Vec<String>,
}

impl Recipe {
    pub fn from_json(s: &str) -> Result<Recipe> {
        serde_json::from_str(s).map_err(|e| Error::Recipe {
            detail: e.to_string(),
        })
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

    /// The recipe's steps that `run` does not execute yet, in pipeline order.
    pub fn pending_steps(&self) -> Vec<String> {
        [
            ("aggregate", self.aggregate.is_some()),
            ("overview", self.overview.is_some()),
            ("label", self.label.is_some()),
            ("features", self.features.is_some()),
            ("model", self.model.is_some()),
            ("candidates", self.candidates.is_some()),
            ("segment", self.segment.is_some()),
            ("basket", self.basket.is_some()),
            ("plan", self.plan.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| *present)
        .map(|(name, _)| name.to_string())
        .collect()
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
    let (tables, reports) = load_inputs(recipe, inputs, progress)?;
    analyse(recipe, inputs, tables, reports, progress)
}

/// `run` over files it owns: each input table's bytes are freed once it is
/// parsed, unless a later step reads that file too (at a million rows the
/// CSV text is a quarter of the run's memory).
pub fn run_owned(
    recipe: &Recipe,
    mut files: Vec<(String, Vec<u8>)>,
    progress: &mut dyn Progress,
) -> Result<Report> {
    let (tables, reports, spent) = {
        let inputs = view(&files);
        let (tables, reports) = load_inputs(recipe, &inputs, progress)?;
        let later: Vec<&str> = recipe
            .files_read_later()
            .into_iter()
            .filter_map(|n| find(&inputs, n).ok().map(|f| f.name))
            .collect();
        let spent: Vec<String> = recipe
            .inputs
            .iter()
            .filter_map(|i| find(&inputs, &i.file).ok().map(|f| f.name))
            .filter(|n| !later.contains(n))
            .map(str::to_string)
            .collect();
        (tables, reports, spent)
    };
    for (name, bytes) in &mut files {
        if spent.contains(name) {
            *bytes = Vec::new();
        }
    }
    analyse(recipe, &view(&files), tables, reports, progress)
}

/// Borrowed views of owned files.
pub fn view(files: &[(String, Vec<u8>)]) -> Vec<InputFile<'_>> {
    files
        .iter()
        .map(|(n, b)| InputFile { name: n, bytes: b })
        .collect()
}

/// Parses the recipe's input tables.
fn load_inputs(
    recipe: &Recipe,
    inputs: &[InputFile],
    progress: &mut dyn Progress,
) -> Result<(Vec<Table>, Vec<TableReport>)> {
    let basket_file = recipe.basket.as_ref().and_then(|b| b.file.as_deref());
    if recipe.inputs.is_empty() && basket_file.is_none() {
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
    Ok((tables, reports))
}

/// Every step after loading, over the parsed `tables`.
fn analyse(
    recipe: &Recipe,
    inputs: &[InputFile],
    mut tables: Vec<Table>,
    reports: Vec<TableReport>,
    progress: &mut dyn Progress,
) -> Result<Report> {
    let mut enriched: Option<usize> = None;
    let aggregate = match &recipe.aggregate {
        None => None,
        Some(a) => {
            progress.report("aggregate", 0.0);
            let (outcome, at) = aggregate_step(a, inputs, &mut tables)?;
            enriched = Some(at);
            Some(outcome)
        }
    };
    let mut joined: Option<Table> = None;
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
            let (t, report) = table::join(left, right, &j.on, right_on, j.how)?;
            progress.report("join", 1.0);
            // Its own stage, as each input's profile is.
            progress.report(&format!("{}: profile", t.name), 0.0);
            let columns = table::profile(&t);
            joined = Some(t);
            Some(JoinOutcome { report, columns })
        }
    };
    // The join copied what it kept of the inputs: free them before the
    // analysis, whose matrices are the run's peak memory.
    if joined.is_some() {
        tables = Vec::new();
    }
    // The table the analysis works on: the join's result, else the table the
    // aggregates went into, else the first input.
    let work = joined
        .as_ref()
        .or_else(|| enriched.map(|i| &tables[i]))
        .or_else(|| tables.first());

    let mut pending = recipe.pending_steps();
    if aggregate.is_some() {
        pending.retain(|p| p != "aggregate");
    }
    let overview = match (&recipe.overview, work) {
        (Some(spec), Some(work)) => {
            progress.report("overview", 0.0);
            pending.retain(|p| p != "overview");
            Some(crate::overview::overview(work, spec)?)
        }
        _ => None,
    };
    // The label alone (what the page checks as the analyst types).
    let label = match (&recipe.label, work) {
        (Some(spec), Some(work)) => {
            progress.report("label", 0.0);
            let rule = crate::label::Rule::new(&spec.rule, work)?;
            let truth = rule.eval(work)?;
            pending.retain(|p| p != "label");
            Some(LabelSummary {
                rule: rule.text.clone(),
                rows: truth.len(),
                positives: truth.iter().filter(|t| **t == Some(true)).count(),
                unknown: truth.iter().filter(|t| t.is_none()).count(),
                columns: rule.columns.clone(),
            })
        }
        _ => None,
    };
    let model = match (&recipe.label, &recipe.model, work) {
        (Some(label), Some(m), Some(work)) if m.kind == "logistic" && m.apply.is_none() => {
            let report = crate::score::analysis::score(
                work,
                label,
                &recipe.drop,
                recipe.features.as_ref(),
                m,
                recipe.candidates.as_ref(),
                progress,
            )?;
            pending
                .retain(|p| !matches!(p.as_str(), "label" | "features" | "model" | "candidates"));
            Some(report)
        }
        _ => None,
    };
    let applied = match (&recipe.model, work) {
        (
            Some(ModelSpec {
                apply: Some(file),
                allow_unseen,
                ..
            }),
            Some(work),
        ) => {
            progress.report("apply model", 0.0);
            let input = find(inputs, file)?;
            let saved = crate::score::analysis::SavedModel::from_json(input.bytes, input.name)?;
            let spec = recipe.candidates.clone().ok_or_else(|| Error::Recipe {
                detail: "applying a model needs a 'candidates' section naming the id column".into(),
            })?;
            let report = crate::score::analysis::apply(
                work,
                &saved,
                &spec,
                *allow_unseen,
                &recipe.monitor.clone().unwrap_or_default(),
            )?;
            pending.retain(|p| !matches!(p.as_str(), "model" | "candidates"));
            Some(report)
        }
        _ => None,
    };
    let segment = match (&recipe.segment, work) {
        (Some(spec), Some(work)) => {
            let naming = match &spec.naming {
                Some(name) => {
                    let f = find(inputs, name)?;
                    Some(crate::segment::names::NamingRules::from_json(
                        &String::from_utf8_lossy(f.bytes),
                        f.name,
                    )?)
                }
                None => None,
            };
            let next = match &spec.next {
                Some(name) => {
                    let f = find(inputs, name)?;
                    progress.report("load", 0.0);
                    Some(
                        crate::table::load(
                            f.bytes,
                            f.name,
                            &crate::table::LoadOptions::default(),
                            progress,
                        )?
                        .0,
                    )
                }
                None => None,
            };
            pending.retain(|p| !matches!(p.as_str(), "segment" | "features"));
            Some(crate::segment::report::segment(
                work,
                spec,
                recipe.features.as_ref(),
                naming.as_ref(),
                next.as_ref(),
                progress,
            )?)
        }
        _ => None,
    };
    let basket = match (&recipe.basket, work) {
        (Some(spec), _) if spec.file.is_some() => {
            let input = find(inputs, spec.file.as_deref().unwrap_or_default())?;
            pending.retain(|p| p != "basket");
            Some(crate::basket::report::analyse_lines(
                input.bytes,
                input.name,
                spec,
                progress,
            )?)
        }
        (Some(spec), Some(work)) => {
            pending.retain(|p| p != "basket");
            let per_row = segment.as_ref().map(|s| {
                s.labels
                    .iter()
                    .map(|&l| s.names[l as usize].name.clone())
                    .collect()
            });
            if spec.per_segment && spec.by.is_none() && per_row.is_none() {
                // Mining per cluster needs the segmentation step's clusters.
                pending.push("basket.per_segment".into());
            }
            Some(crate::basket::report::analyse(
                work, spec, per_row, progress,
            )?)
        }
        _ => None,
    };
    let plan = match (&recipe.plan, work) {
        (Some(spec), Some(work)) => {
            progress.report("plan", 0.0);
            pending.retain(|p| p != "plan");
            let candidates = model
                .as_ref()
                .map(|m| m.candidates.as_slice())
                .or(applied.as_ref().map(|a| a.candidates.as_slice()))
                .unwrap_or_default();
            let (text, file) = match &spec.templates {
                Some(name) => {
                    let f = find(inputs, name)?;
                    (
                        String::from_utf8_lossy(f.bytes).into_owned(),
                        f.name.to_string(),
                    )
                }
                None if candidates.is_empty() && segment.is_some() => (
                    crate::plan::template::SEGMENT_PLANS.to_string(),
                    "segment_plans.json".to_string(),
                ),
                None => (
                    crate::plan::template::RETENTION.to_string(),
                    "retention.json".to_string(),
                ),
            };
            let templates = crate::plan::template::TemplateSet::from_json(&text, &file)?;
            let feedback = match &spec.feedback {
                Some(f) => {
                    let input = find(inputs, &f.file)?;
                    Some((input.name, input.bytes))
                }
                None => None,
            };
            Some(crate::plan::plan(
                spec,
                &templates,
                &file,
                &crate::plan::PlanInputs {
                    table: work,
                    id: recipe.candidates.as_ref().map(|c| c.id.as_str()),
                    candidates,
                    segment: segment.as_ref(),
                    recent: aggregate.as_ref().map(|a| a.report.recent),
                    feedback,
                },
            )?)
        }
        _ => None,
    };
    let mut alerts: Vec<crate::score::monitor::Alert> = applied
        .as_ref()
        .and_then(|a| a.monitor.as_ref())
        .map(|m| m.alerts.clone())
        .unwrap_or_default();
    if let (Some(f), Some(target)) = (
        plan.as_ref().and_then(|p| p.feedback.as_ref()),
        recipe.monitor.as_ref().and_then(|m| m.conversion_target),
    ) {
        alerts.extend(crate::score::monitor::conversion_alerts(f, target));
    }
    progress.report("done", 1.0);
    Ok(Report {
        recipe: recipe.name.clone(),
        tables: reports,
        join,
        aggregate,
        overview,
        label,
        model,
        applied,
        segment,
        basket,
        plan,
        alerts,
        pending,
    })
}

/// Aggregates the long table and left-joins the result to the `into` table,
/// which it replaces in `tables`; returns that table's index.
fn aggregate_step(
    spec: &AggregateSpec,
    inputs: &[InputFile],
    tables: &mut [Table],
) -> Result<(AggregateOutcome, usize)> {
    let index = |n: &str| -> Result<usize> {
        let f = find(inputs, n)?;
        tables
            .iter()
            .position(|t| t.name == f.name)
            .ok_or_else(|| Error::Recipe {
                detail: format!("aggregate names '{n}', which is not one of the recipe's inputs"),
            })
    };
    let (from, into) = (index(&spec.from)?, index(&spec.into)?);
    let ops = spec
        .ops
        .iter()
        .map(|o| table::aggregate::Op::parse(o))
        .collect::<Result<Vec<_>>>()?;
    let (agg, report) = table::aggregate(
        &tables[from],
        &spec.by,
        &spec.time,
        &spec.columns,
        &ops,
        spec.recent.unwrap_or(4),
    )?;
    let (mut t, join) = table::join(&tables[into], &agg, &spec.by, &spec.by, JoinKind::Left)?;
    if join.matched_left == 0 {
        return Err(Error::Analysis {
            detail: format!(
                "aggregate: no '{}' value of {} occurs in {}; check that both files use the same customer ids",
                spec.by, tables[into].name, tables[from].name
            ),
            detail_zh: format!(
                "汇总：{} 的“{}”在 {} 中一个也找不到；请确认两个文件用的是同一套客户号",
                tables[into].name, spec.by, tables[from].name
            ),
        });
    }
    t.name = tables[into].name.clone();
    tables[into] = t;
    Ok((AggregateOutcome { report, join }, into))
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
