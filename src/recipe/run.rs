//! The runner: the steps in their fixed order over one shared workspace.
//! Each step reads its section of the recipe and what earlier steps left in
//! the workspace, calls its module's code and stores its report. A step
//! whose section is absent does nothing; the recipe was checked before any
//! file was read (`Recipe::check`), so nothing asked for is silently skipped.

use serde::{Deserialize, Serialize};

use super::{AggregateOutcome, JoinOutcome, Recipe};
use crate::label::LabelSummary;
use crate::table::{self, ColumnStats, LoadReport, Table};
use crate::{Error, Progress, Result};

/// A named input buffer.
#[derive(Debug, Clone, Copy)]
pub struct InputFile<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableReport {
    pub load: LoadReport,
    pub columns: Vec<ColumnStats>,
}

/// Everything a run found: one field per step, `None` where the recipe has
/// no section for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The steps whose results were taken over from the previous run (same
    /// bytes, same sections) instead of being computed again.
    #[serde(default)]
    pub reused: Vec<String>,
}

/// A finished run a new one may take results from: its recipe, its report
/// and the fingerprint of the files it read.
pub struct Previous {
    pub recipe: Recipe,
    pub report: Report,
    /// The files' [`fingerprint`]; `None` (a run restored from a file) takes
    /// nothing over.
    pub inputs: Option<u64>,
}

/// The names and bytes of the files the working table and the models are
/// made of (the recipe's `inputs` with their column lists, and a saved
/// model it applies) as one number: results are taken over only from a
/// run over the very same bytes. Other files (a basket file, next month's
/// snapshot, plan templates) may change: the steps that read them run.
pub fn fingerprint(recipe: &Recipe, inputs: &[InputFile]) -> u64 {
    fingerprint_known(recipe, inputs, &[])
}

/// One file's part of the [`fingerprint`]: its name, length and bytes.
pub fn file_hash(name: &str, bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(name.as_bytes());
    h.write_usize(bytes.len());
    h.write(bytes);
    h.finish()
}

/// [`fingerprint`] where the files in `known` (a pool worker read them)
/// come as their [`file_hash`] instead of their bytes.
fn fingerprint_known(recipe: &Recipe, inputs: &[InputFile], known: &[(String, u64)]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    let names = recipe
        .inputs
        .iter()
        .flat_map(|i| std::iter::once(&i.file).chain(&i.columns_file))
        .chain(recipe.model.as_ref().and_then(|m| m.apply.as_ref()));
    for name in names {
        match find(inputs, name) {
            Ok(f) => h.write_u64(match known.iter().find(|(n, _)| n == f.name) {
                Some(&(_, hash)) => hash,
                None => file_hash(f.name, f.bytes),
            }),
            Err(_) => h.write_u8(0xff),
        }
    }
    h.finish()
}

/// What the steps share: the inputs, the parsed tables, which of them is
/// the working table, and the report so far.
struct Workspace<'i, 'a> {
    inputs: &'i [InputFile<'a>],
    tables: Vec<Table>,
    /// Index of the working table in `tables`: the join's result, else the
    /// table the aggregates went into, else the first input.
    work: usize,
    report: Report,
}

impl<'a> Workspace<'_, 'a> {
    fn input(&self, name: &str) -> Result<InputFile<'a>> {
        find(self.inputs, name)
    }

    fn work(&self) -> Result<&Table> {
        self.tables.get(self.work).ok_or_else(|| Error::Recipe {
            detail: "its steps need a table, but it reads none (only a basket file)".into(),
        })
    }

    /// The index of the parsed input named `name` (`section` says who asks).
    fn table_index(&self, name: &str, section: &str) -> Result<usize> {
        let f = self.input(name)?;
        self.tables
            .iter()
            .position(|t| t.name == f.name)
            .ok_or_else(|| Error::Recipe {
                detail: format!(
                    "{section} names '{name}', which is not one of the recipe's inputs"
                ),
            })
    }
}

/// One step: its name (the recipe section it reads) and how it runs.
pub struct Step {
    pub name: &'static str,
    run: fn(&Recipe, &mut Workspace, &mut dyn Progress) -> Result<()>,
    /// For a step whose result a later run may take over: whether two
    /// recipes ask it the same thing, and how its result is taken.
    reuse: Option<Reuse>,
}

struct Reuse {
    /// The two recipes ask this step the same thing.
    same: fn(&Recipe, &Recipe) -> bool,
    /// The previous report has this step's result.
    has: fn(&Report) -> bool,
    take: fn(&Report, &mut Report),
}

/// The steps after loading, in the order they run. The aggregate and the
/// join always run (they make the working table); the overview, the label
/// and the models, the slow part, are taken over from the previous run when
/// it read the same bytes with the same sections; what comes after them
/// (segments, rules, plans) runs again on them.
pub const STEPS: &[Step] = &[
    Step {
        name: "aggregate",
        run: aggregate,
        reuse: None,
    },
    Step {
        name: "join",
        run: join,
        reuse: None,
    },
    Step {
        name: "overview",
        run: overview,
        reuse: Some(Reuse {
            same: |a, b| same_table(a, b) && a.overview == b.overview,
            has: |p| p.overview.is_some(),
            take: |p, r| r.overview = p.overview.clone(),
        }),
    },
    Step {
        name: "label",
        run: label,
        reuse: Some(Reuse {
            same: |a, b| same_table(a, b) && a.label == b.label,
            has: |p| p.label.is_some(),
            take: |p, r| r.label = p.label.clone(),
        }),
    },
    Step {
        name: "model",
        run: model,
        reuse: Some(Reuse {
            same: same_model,
            has: |p| p.model.is_some(),
            take: |p, r| {
                r.model = p.model.clone();
                // The segment step names the listed customers' segments anew.
                for c in r.model.iter_mut().flat_map(|m| &mut m.candidates) {
                    c.segment = None;
                }
            },
        }),
    },
    Step {
        name: "apply",
        run: apply,
        reuse: Some(Reuse {
            same: |a, b| same_model(a, b) && a.monitor == b.monitor,
            has: |p| p.applied.is_some(),
            take: |p, r| {
                r.applied = p.applied.clone();
                for c in r.applied.iter_mut().flat_map(|m| &mut m.candidates) {
                    c.segment = None;
                }
            },
        }),
    },
    Step {
        name: "segment",
        run: segment,
        reuse: None,
    },
    Step {
        name: "basket",
        run: basket,
        reuse: None,
    },
    Step {
        name: "plan",
        run: plan,
        reuse: None,
    },
    Step {
        name: "monitor",
        run: monitor,
        reuse: None,
    },
];

/// The working table is made the same way.
fn same_table(a: &Recipe, b: &Recipe) -> bool {
    a.inputs == b.inputs && a.join == b.join && a.aggregate == b.aggregate
}

/// The models are fitted on the same rows, features and settings, and list
/// the same customers.
fn same_model(a: &Recipe, b: &Recipe) -> bool {
    same_table(a, b)
        && a.label == b.label
        && a.drop == b.drop
        && a.features == b.features
        && a.model == b.model
        && a.candidates == b.candidates
}

pub(super) fn find<'a>(inputs: &[InputFile<'a>], name: &str) -> Result<InputFile<'a>> {
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
    recipe.check()?;
    let (tables, reports) = load_inputs(recipe, inputs, progress)?;
    run_steps(recipe, inputs, tables, reports, None, progress)
}

/// `run` over files it owns: each input table's bytes are freed once it is
/// parsed, unless a later step reads that file too (at a million rows the
/// CSV text is a quarter of the run's memory).
///
/// `previous`: the last run, whose overview, label and models are taken
/// over where it read the same bytes with the same sections (a step run
/// from the page's form does not fit the model again).
pub fn run_owned(
    recipe: &Recipe,
    files: Vec<(String, Vec<u8>)>,
    previous: Option<&Previous>,
    progress: &mut dyn Progress,
) -> Result<Report> {
    run_loaded(recipe, files, Vec::new(), previous, progress).map(|(report, _)| report)
}

/// `run_owned` where some inputs were loaded already (by the page's pool
/// workers, [`super::pool`]): `loaded` holds them by their index in
/// `recipe.inputs`, and their files stand in `files` with no bytes. Also
/// returns the inputs' [`fingerprint`], for the next run's `previous`.
pub fn run_loaded(
    recipe: &Recipe,
    mut files: Vec<(String, Vec<u8>)>,
    mut loaded: Vec<(usize, super::pool::Loaded)>,
    previous: Option<&Previous>,
    progress: &mut dyn Progress,
) -> Result<(Report, u64)> {
    recipe.check()?;
    let known: Vec<(String, u64)> = loaded
        .iter()
        .flat_map(|(_, l)| l.hashes.iter().cloned())
        .collect();
    let print = fingerprint_known(recipe, &view(&files), &known);
    let previous = previous.filter(|p| p.inputs == Some(print));
    let later = recipe.files_read_later();
    let (mut tables, mut reports) = (Vec::new(), Vec::new());
    for (k, spec) in recipe.inputs.iter().enumerate() {
        // Its text is freed as soon as it is split into columns (the typed
        // columns take its place), unless a later input or step reads it.
        let read_after = later.iter().copied().chain(
            recipe.inputs[k + 1..]
                .iter()
                .flat_map(|s| std::iter::once(s.file.as_str()).chain(s.columns_file.as_deref())),
        );
        let given = give_up(&mut files, spec, read_after)?;
        let (t, r) = match loaded.iter().position(|(i, _)| *i == k) {
            Some(at) => {
                let l = loaded.swap_remove(at).1;
                (l.table, l.report)
            }
            None => load_input(spec, &view(&files), given, progress)?,
        };
        tables.push(t);
        reports.push(r);
    }
    let report = run_steps(recipe, &view(&files), tables, reports, previous, progress)?;
    Ok((report, print))
}

/// The bytes of `spec`'s table file, taken out of `files` for the loader to
/// free once split ([`load_input`]'s `given`), unless the input's own column
/// list or a name in `read_after` (files read once it is loaded) is that
/// same file. An error if the recipe names a file `files` does not have.
pub(super) fn give_up<'a>(
    files: &mut [(String, Vec<u8>)],
    spec: &'a super::InputSpec,
    read_after: impl IntoIterator<Item = &'a str>,
) -> Result<Option<Vec<u8>>> {
    let name = {
        let inputs = view(files);
        let name = find(&inputs, &spec.file)?.name.to_string();
        let mut again = spec
            .columns_file
            .iter()
            .map(String::as_str)
            .chain(read_after);
        if again.any(|n| find(&inputs, n).is_ok_and(|f| f.name == name)) {
            return Ok(None);
        }
        name
    };
    Ok(files
        .iter_mut()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| std::mem::take(bytes)))
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
    let mut tables: Vec<Table> = Vec::new();
    let mut reports = Vec::new();
    for spec in &recipe.inputs {
        let (t, r) = load_input(spec, inputs, None, progress)?;
        tables.push(t);
        reports.push(r);
    }
    Ok((tables, reports))
}

/// Parses one input table and profiles it. `given`: the table file's bytes
/// where the caller gives them up (its entry in `inputs` is then empty):
/// they are freed once split, before the columns are typed.
pub(super) fn load_input(
    spec: &super::InputSpec,
    inputs: &[InputFile],
    given: Option<Vec<u8>>,
    progress: &mut dyn Progress,
) -> Result<(Table, TableReport)> {
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
    let (t, load) = match given {
        Some(bytes) => table::load_owned(bytes, input.name, &opts, &mut staged)?,
        None => table::load(input.bytes, input.name, &opts, &mut staged)?,
    };
    progress.report(&format!("{}: profile", input.name), 0.0);
    let report = TableReport {
        load,
        columns: table::profile(&t),
    };
    Ok((t, report))
}

/// The one loop: every step in order over the parsed `tables`.
fn run_steps(
    recipe: &Recipe,
    inputs: &[InputFile],
    tables: Vec<Table>,
    reports: Vec<TableReport>,
    previous: Option<&Previous>,
    progress: &mut dyn Progress,
) -> Result<Report> {
    let mut ws = Workspace {
        inputs,
        tables,
        work: 0,
        report: Report {
            recipe: recipe.name.clone(),
            tables: reports,
            join: None,
            aggregate: None,
            overview: None,
            label: None,
            model: None,
            applied: None,
            segment: None,
            basket: None,
            plan: None,
            alerts: Vec::new(),
            reused: Vec::new(),
        },
    };
    for step in STEPS {
        let taken = step
            .reuse
            .as_ref()
            .zip(previous)
            .filter(|(reuse, p)| (reuse.has)(&p.report) && (reuse.same)(&p.recipe, recipe));
        match taken {
            Some((reuse, p)) => {
                (reuse.take)(&p.report, &mut ws.report);
                ws.report.reused.push(step.name.into());
            }
            None => (step.run)(recipe, &mut ws, progress)?,
        }
    }
    progress.report("done", 1.0);
    Ok(ws.report)
}

fn aggregate(recipe: &Recipe, ws: &mut Workspace, progress: &mut dyn Progress) -> Result<()> {
    let Some(spec) = &recipe.aggregate else {
        return Ok(());
    };
    progress.report("aggregate", 0.0);
    let from = ws.table_index(&spec.from, "aggregate")?;
    let into = ws.table_index(&spec.into, "aggregate")?;
    let (t, outcome) = table::aggregate::step(spec, &ws.tables[from], &ws.tables[into])?;
    ws.tables[into] = t;
    ws.work = into;
    ws.report.aggregate = Some(outcome);
    Ok(())
}

fn join(recipe: &Recipe, ws: &mut Workspace, progress: &mut dyn Progress) -> Result<()> {
    let Some(j) = &recipe.join else {
        return Ok(());
    };
    progress.report("join", 0.0);
    let left = ws.table_index(&j.left, "join")?;
    let right = ws.table_index(&j.right, "join")?;
    let right_on = j.right_on.as_deref().unwrap_or(&j.on);
    // The inputs go into the join, which copies what it keeps of them (or
    // moves their columns, rows paired one to one): after it only the
    // joined table is left for the analysis, whose matrices are the run's
    // peak memory.
    let mut tables = std::mem::take(&mut ws.tables);
    let (t, report, once) = if left == right {
        let (t, r) = table::join(&tables[left], &tables[left], &j.on, right_on, j.how)?;
        (t, r, false)
    } else {
        let r = tables.swap_remove(right.max(left));
        let l = tables.swap_remove(right.min(left));
        let (l, r) = if left < right { (l, r) } else { (r, l) };
        drop(tables);
        table::join_owned(l, r, &j.on, right_on, j.how)?
    };
    progress.report("join", 1.0);
    // Its own stage, as each input's profile is.
    progress.report(&format!("{}: profile", t.name), 0.0);
    // Columns holding the inputs' values, each row once, have the inputs'
    // statistics (unless an aggregate step made one of the inputs anew).
    let taken = if once && recipe.aggregate.is_none() {
        joined_stats(&ws.report.tables, left, right, right_on, &t)
    } else {
        None
    };
    let columns = taken.unwrap_or_else(|| table::profile(&t));
    ws.tables = vec![t];
    ws.work = 0;
    ws.report.join = Some(JoinOutcome { report, columns });
    Ok(())
}

/// The joined table's column statistics from its inputs' (`tables[left]`
/// then `tables[right]` but its key), named as the joined columns are;
/// `None` if they do not line up with its columns.
fn joined_stats(
    tables: &[TableReport],
    left: usize,
    right: usize,
    right_key: &str,
    joined: &Table,
) -> Option<Vec<table::ColumnStats>> {
    let (l, r) = (tables.get(left)?, tables.get(right)?);
    let stats: Vec<_> = l
        .columns
        .iter()
        .chain(r.columns.iter().filter(|c| c.name != right_key))
        .zip(&joined.columns)
        .filter(|(s, c)| c.name.starts_with(&s.name))
        .map(|(s, c)| table::ColumnStats {
            name: c.name.clone(),
            ..s.clone()
        })
        .collect();
    (stats.len() == joined.columns.len()).then_some(stats)
}

fn overview(recipe: &Recipe, ws: &mut Workspace, progress: &mut dyn Progress) -> Result<()> {
    let Some(spec) = &recipe.overview else {
        return Ok(());
    };
    progress.report("overview", 0.0);
    ws.report.overview = Some(crate::overview::overview(ws.work()?, spec)?);
    Ok(())
}

fn label(recipe: &Recipe, ws: &mut Workspace, progress: &mut dyn Progress) -> Result<()> {
    let Some(spec) = &recipe.label else {
        return Ok(());
    };
    progress.report("label", 0.0);
    ws.report.label = Some(crate::label::summarise(spec, ws.work()?)?);
    Ok(())
}

/// Trains: label → leakage guard → split → features → fit → metrics → candidates.
fn model(recipe: &Recipe, ws: &mut Workspace, progress: &mut dyn Progress) -> Result<()> {
    let (Some(label), Some(m)) = (&recipe.label, &recipe.model) else {
        return Ok(());
    };
    if m.apply.is_some() {
        return Ok(());
    }
    ws.report.model = Some(crate::score::analysis::score(
        ws.work()?,
        label,
        &recipe.drop,
        recipe.features.as_ref(),
        m,
        recipe.candidates.as_ref(),
        progress,
    )?);
    Ok(())
}

/// Scores this month's file with a saved model and compares it with the
/// model's training month.
fn apply(recipe: &Recipe, ws: &mut Workspace, progress: &mut dyn Progress) -> Result<()> {
    let Some((file, m)) = recipe
        .model
        .as_ref()
        .and_then(|m| m.apply.as_ref().map(|f| (f, m)))
    else {
        return Ok(());
    };
    // Recipe::check made sure there is a candidates section.
    let Some(candidates) = &recipe.candidates else {
        return Ok(());
    };
    progress.report("apply model", 0.0);
    let input = ws.input(file)?;
    let saved = crate::score::analysis::SavedModel::from_json(input.bytes, input.name)?;
    ws.report.applied = Some(crate::score::analysis::apply(
        ws.work()?,
        &saved,
        candidates,
        m.allow_unseen,
        &recipe.monitor.clone().unwrap_or_default(),
    )?);
    Ok(())
}

fn segment(recipe: &Recipe, ws: &mut Workspace, progress: &mut dyn Progress) -> Result<()> {
    let Some(spec) = &recipe.segment else {
        return Ok(());
    };
    let naming = match (&spec.naming_rules, &spec.naming) {
        (Some(rules), _) => {
            rules.check("segment.naming_rules")?;
            Some(rules.clone())
        }
        (None, Some(name)) => {
            let f = ws.input(name)?;
            Some(crate::segment::names::NamingRules::from_json(
                &String::from_utf8_lossy(f.bytes),
                f.name,
            )?)
        }
        (None, None) => None,
    };
    let next = match &spec.next {
        Some(name) => {
            let f = ws.input(name)?;
            progress.report("load", 0.0);
            Some(table::load(f.bytes, f.name, &table::LoadOptions::default(), progress)?.0)
        }
        None => None,
    };
    ws.report.segment = Some(crate::segment::report::segment(
        ws.work()?,
        spec,
        recipe.features.as_ref(),
        naming.as_ref(),
        next.as_ref(),
        crate::shared::DisplayNames(Some(&recipe.labels)),
        progress,
    )?);
    // The listed customers carry their segment (the every-row export's column).
    let r = &mut ws.report;
    if let Some(s) = &r.segment {
        let name = |row: usize| {
            let label = *s.labels.get(row)? as usize;
            s.names.get(label).map(|n| n.name.clone())
        };
        let model = r.model.as_mut().map(|m| &mut m.candidates);
        let applied = r.applied.as_mut().map(|a| &mut a.candidates);
        for c in model.into_iter().chain(applied).flatten() {
            c.segment = name(c.row);
        }
    }
    Ok(())
}

/// Rules overall and, when the segment step ran, per segment.
fn basket(recipe: &Recipe, ws: &mut Workspace, progress: &mut dyn Progress) -> Result<()> {
    let Some(spec) = &recipe.basket else {
        return Ok(());
    };
    let report = match &spec.file {
        Some(file) => {
            let input = ws.input(file)?;
            crate::basket::report::analyse_lines(input.bytes, input.name, spec, progress)?
        }
        None => {
            let per_row = ws.report.segment.as_ref().map(|s| {
                let a = s.assignment();
                (0..a.labels.len())
                    .map(|i| a.name_of(i).to_string())
                    .collect()
            });
            crate::basket::report::analyse(ws.work()?, spec, per_row, progress)?
        }
    };
    ws.report.basket = Some(report);
    Ok(())
}

/// Plans after everything else: they use the candidates, the segments and
/// the aggregate window.
fn plan(recipe: &Recipe, ws: &mut Workspace, progress: &mut dyn Progress) -> Result<()> {
    let Some(spec) = &recipe.plan else {
        return Ok(());
    };
    progress.report("plan", 0.0);
    let r = &ws.report;
    let candidates = r
        .model
        .as_ref()
        .map(|m| m.candidates.as_slice())
        .or(r.applied.as_ref().map(|a| a.candidates.as_slice()))
        .unwrap_or_default();
    let given = match &spec.templates {
        Some(name) => Some(ws.input(name)?),
        None => None,
    };
    let (templates, file) = crate::plan::template::TemplateSet::chosen(
        given.map(|f| (f.name, f.bytes)),
        candidates.is_empty() && r.segment.is_some(),
    )?;
    let feedback = match &spec.feedback {
        Some(f) => {
            let input = ws.input(&f.file)?;
            Some((input.name, input.bytes))
        }
        None => None,
    };
    let segments = r.segment.as_ref().map(|s| s.assignment());
    let report = crate::plan::plan(
        spec,
        &templates,
        &file,
        &crate::plan::PlanInputs {
            table: ws.work()?,
            id: recipe
                .candidates
                .as_ref()
                .map(|c| c.id.as_str())
                .filter(|id| !id.is_empty()),
            candidates,
            segment: segments.as_ref(),
            recent: r.aggregate.as_ref().map(|a| a.report.recent),
            feedback,
            names: crate::shared::DisplayNames(Some(&recipe.labels)),
        },
    )?;
    ws.report.plan = Some(report);
    Ok(())
}

/// Gathers what crossed a threshold: the applied model's shifts and the
/// contacted list's conversion.
fn monitor(recipe: &Recipe, ws: &mut Workspace, _: &mut dyn Progress) -> Result<()> {
    let r = &ws.report;
    ws.report.alerts = crate::score::monitor::alerts(
        recipe.monitor.as_ref(),
        r.applied.as_ref().and_then(|a| a.monitor.as_ref()),
        r.plan.as_ref().and_then(|p| p.feedback.as_ref()),
    );
    Ok(())
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
