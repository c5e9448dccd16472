//! The kequn command line: thin. It reads files, builds a recipe, calls
//! `recipe::run`, and prints the report.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main());
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::path::{Component, Path, PathBuf};
    use std::time::Instant;

    use clap::{Parser, Subcommand, ValueEnum};
    use kequn::recipe::{self, InputSpec, JoinSpec, Recipe, Report};
    use kequn::table::{JoinKind, LoadOptions};
    use kequn::{Callback, Error};

    #[derive(Parser)]
    #[command(
        name = "kequn",
        version,
        about = "客群 customer-analytics workbench (CLI)"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum Header {
        Auto,
        Yes,
        No,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Print the typed column summary of one or more files (joined on --join KEY).
        Profile {
            files: Vec<PathBuf>,
            /// Print the whole report as JSON.
            #[arg(long)]
            json: bool,
            /// Encoding (utf-8, gbk, utf-16le …); detected when absent.
            #[arg(long)]
            encoding: Option<String>,
            /// Field delimiter (, ; | or \t); sniffed when absent.
            #[arg(long)]
            delimiter: Option<String>,
            #[arg(long, value_enum, default_value = "auto")]
            header: Header,
            /// The sheet of an Excel workbook (the first with cells when absent).
            #[arg(long)]
            sheet: Option<String>,
            /// Column-list file for header-less exports (applies to the first file).
            #[arg(long)]
            columns: Option<PathBuf>,
            /// Join the first two files on this key column.
            #[arg(long)]
            join: Option<String>,
            #[arg(long, value_enum, default_value = "inner")]
            how: How,
        },
        /// Print one file's cells as the loader reads them (header row
        /// included when there is one, before typing) as a JSON array of
        /// rows of strings; notes on stderr.
        Cells {
            file: PathBuf,
            /// Encoding (utf-8, gbk, utf-16le …); detected when absent.
            #[arg(long)]
            encoding: Option<String>,
            /// Field delimiter (, ; | or \t); sniffed when absent.
            #[arg(long)]
            delimiter: Option<String>,
            #[arg(long, value_enum, default_value = "auto")]
            header: Header,
            /// Lines above the header (found when absent; 0: none).
            #[arg(long)]
            skip_rows: Option<usize>,
            /// Lines below the data (found when absent; 0: none).
            #[arg(long)]
            footer_rows: Option<usize>,
        },
        /// Run a recipe (JSON); its file names are resolved against --dir (default: the recipe's folder).
        Run {
            recipe: PathBuf,
            #[arg(long)]
            dir: Option<PathBuf>,
            #[arg(long)]
            json: bool,
            /// Write the trained model (JSON) here, to apply it to next month's file.
            #[arg(long)]
            save_model: Option<PathBuf>,
            /// Write the candidate list here (CSV, UTF-8 with BOM).
            #[arg(long)]
            candidates: Option<PathBuf>,
            /// Print how long each stage took (to stderr).
            #[arg(long)]
            timings: bool,
            /// Write every result table here: results.xlsx (all of them, a
            /// sheet each), report.html (the printable report), plans.csv, segments.csv, segment_model.json, migration.csv,
            /// rules.csv, rules_business.json, cross_sell.csv,
            /// product_targets.csv (CSV in UTF-8 with BOM).
            #[arg(long)]
            out: Option<PathBuf>,
            /// A second snapshot (next month's file): apply this run's
            /// segment centres to it and print the migration matrix.
            #[arg(long)]
            next: Option<PathBuf>,
            /// Apply this saved model (from --save-model) instead of
            /// training: next month's lists, and the comparison with the
            /// model's month (PSI per feature and for the score, label
            /// rate) with alerts past the recipe's `monitor` thresholds.
            #[arg(long)]
            model: Option<PathBuf>,
            /// This month's files, in the order of the recipe's inputs
            /// (default: the files the recipe names).
            files: Vec<PathBuf>,
        },
        /// Apply a saved model to new files and rank their customers.
        Score {
            #[arg(long)]
            model: PathBuf,
            /// The id column to list customers by.
            #[arg(long)]
            id: String,
            files: Vec<PathBuf>,
            /// Join the first two files on this key column.
            #[arg(long)]
            join: Option<String>,
            #[arg(long, default_value_t = 100)]
            top: usize,
            /// Leave out customers the label rule already marks positive.
            #[arg(long)]
            exclude_positive: bool,
            /// Score categories the model never saw as "no category" instead of stopping.
            #[arg(long)]
            allow_unseen: bool,
            /// Write the ranked list here (CSV, UTF-8 with BOM); with --all, every row's score.
            #[arg(long)]
            out: Option<PathBuf>,
            #[arg(long)]
            json: bool,
            /// Score every row of one file in chunks, in bounded memory on
            /// every core, writing id, probability and reasons in file order
            /// (to --out, or standard output) instead of ranking.
            #[arg(long)]
            all: bool,
            /// Input bytes per chunk with --all (MiB).
            #[arg(long, default_value_t = 8)]
            chunk_mib: usize,
            /// Worker threads with --all (default: every core).
            #[arg(long)]
            threads: Option<usize>,
            /// Reason columns with --all (logistic regression; 0 for none).
            #[arg(long, default_value_t = 3)]
            reasons: usize,
        },
        /// Write a saved model as one SQL SELECT scoring a warehouse table
        /// (id, probability, decile, reasons), to standard output.
        ExportSql {
            #[arg(long)]
            model: PathBuf,
            /// duckdb, spark or postgres.
            #[arg(long, default_value = "duckdb")]
            dialect: String,
            /// The table (or view) with one row per customer, e.g. dw.customers.
            #[arg(long)]
            table: String,
            /// The id column given back beside each score.
            #[arg(long)]
            id: String,
            /// Reason columns (logistic regression; 0 for none).
            #[arg(long, default_value_t = 3)]
            reasons: usize,
        },
        /// Write a saved logistic model as a PMML 4.4 document (raw columns
        /// in, probability out) for a decision engine, to standard output or
        /// --out.
        ExportPmml {
            #[arg(long)]
            model: PathBuf,
            /// Write the document here instead of standard output.
            #[arg(long)]
            out: Option<PathBuf>,
        },
        /// Write generated sample data.
        Synth {
            #[command(subcommand)]
            what: Synth,
        },
        /// Serve a folder (the page) on 127.0.0.1.
        Serve {
            #[arg(default_value = "www")]
            dir: PathBuf,
            #[arg(long, default_value_t = 8080)]
            port: u16,
        },
        /// Gradient boosting on a float64 matrix (row-major) and u8 labels:
        /// fit and TreeSHAP times as JSON (for `make bench-compare`).
        BenchGbdt {
            #[arg(long)]
            x: PathBuf,
            #[arg(long)]
            y: PathBuf,
            #[arg(long)]
            cols: usize,
            #[arg(long)]
            test_rows: usize,
            /// Time the fit only (no TreeSHAP of every row).
            #[arg(long)]
            no_shap: bool,
        },
        /// Scorecard binning of every column of a float64 matrix (row-major;
        /// `--categorical` columns hold integer codes) against u8 labels:
        /// time and IV per column as JSON (for `make bench-compare`).
        BenchBinning {
            #[arg(long)]
            x: PathBuf,
            #[arg(long)]
            y: PathBuf,
            #[arg(long)]
            cols: usize,
            #[arg(long, value_delimiter = ',')]
            categorical: Vec<usize>,
        },
        /// Time the loader on a generated customer CSV (or --file) and print MB/s.
        BenchParse {
            #[arg(long, default_value_t = 1_000_000)]
            rows: u64,
            /// A file of your own to time instead of the generated one.
            #[arg(long)]
            file: Option<PathBuf>,
            #[arg(long, default_value = "bench-data")]
            dir: PathBuf,
            #[arg(long, default_value_t = 3)]
            repeat: usize,
        },
    }

    #[derive(Clone, Copy, ValueEnum)]
    enum How {
        Inner,
        Left,
    }

    #[derive(Subcommand)]
    enum Synth {
        /// The page's and tests' sample files (UTF-8, GBK, .del with a column list).
        Samples {
            #[arg(long, default_value = "data/samples")]
            out: PathBuf,
        },
        /// A scenario's files (wealth, corporate_churn, prospects, retail, securities,
        /// segmentation, or wealth_wide) with --rows customers.
        Scenario {
            name: String,
            #[arg(long)]
            rows: Option<u64>,
            #[arg(long)]
            seed: Option<u64>,
            #[arg(long)]
            out: PathBuf,
        },
        /// Everything committed under data/: the samples and every scenario at its defaults.
        All {
            #[arg(long, default_value = "data")]
            out: PathBuf,
        },
        /// The wide wealth customer CSV (one file) of --rows rows.
        Customers {
            #[arg(long, default_value_t = 1000)]
            rows: u64,
            #[arg(long, default_value_t = 1)]
            seed: u64,
            #[arg(long)]
            out: PathBuf,
        },
    }

    impl Header {
        fn choice(self) -> Option<bool> {
            match self {
                Header::Auto => None,
                Header::Yes => Some(true),
                Header::No => Some(false),
            }
        }
    }

    /// `--delimiter`: one character, or `\t` / `tab`.
    fn delimiter_arg(d: Option<&str>) -> Option<char> {
        match d {
            None => None,
            Some("\\t") | Some("tab") => Some('\t'),
            Some(d) => d.chars().next(),
        }
    }

    fn read(path: &Path) -> Result<Vec<u8>, Error> {
        std::fs::read(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            detail: format!("cannot read the file ({e})"),
        })
    }

    /// Little-endian float64s (the benchmarks' matrices).
    fn f64s(bytes: &[u8]) -> Vec<f64> {
        bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .collect()
    }

    fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
        std::fs::write(path, bytes).map_err(|e| Error::Io {
            path: path.display().to_string(),
            detail: format!("cannot write the file ({e})"),
        })
    }

    fn show(err: &Error) -> i32 {
        eprintln!("error: {err}\n错误：{}", err.zh());
        2
    }

    pub fn main() -> i32 {
        let cli = Cli::parse();
        match run(cli.command) {
            Ok(()) => 0,
            Err(e) => show(&e),
        }
    }

    fn run(command: Command) -> Result<(), Error> {
        match command {
            Command::Cells {
                file,
                encoding,
                delimiter,
                header,
                skip_rows,
                footer_rows,
            } => {
                let options = LoadOptions {
                    encoding,
                    delimiter: delimiter_arg(delimiter.as_deref()),
                    header: header.choice(),
                    skip_rows,
                    footer_rows,
                    ..Default::default()
                };
                let bytes = read(&file)?;
                let rows =
                    kequn::table::ingest::cells(&bytes, &file.display().to_string(), &options)?;
                println!(
                    "{}",
                    serde_json::to_string(&rows).map_err(|e| Error::Io {
                        path: "stdout".into(),
                        detail: e.to_string(),
                    })?
                );
                Ok(())
            }
            Command::Profile {
                files,
                json,
                encoding,
                delimiter,
                header,
                sheet,
                columns,
                join,
                how,
            } => {
                let options = LoadOptions {
                    encoding,
                    delimiter: delimiter_arg(delimiter.as_deref()),
                    header: header.choice(),
                    sheet,
                    ..Default::default()
                };
                let mut paths = files.clone();
                let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
                let mut recipe = Recipe {
                    name: "profile".into(),
                    inputs: names
                        .iter()
                        .enumerate()
                        .map(|(i, n)| InputSpec {
                            file: n.clone(),
                            columns_file: columns
                                .as_ref()
                                .filter(|_| i == 0)
                                .map(|c| c.display().to_string()),
                            options: options.clone(),
                        })
                        .collect(),
                    ..Default::default()
                };
                if let Some(c) = &columns {
                    paths.push(c.clone());
                }
                if let Some(key) = join {
                    if names.len() < 2 {
                        return Err(Error::Recipe {
                            detail: "--join needs two files".into(),
                        });
                    }
                    recipe.join = Some(JoinSpec {
                        left: names[0].clone(),
                        right: names[1].clone(),
                        on: key,
                        right_on: None,
                        how: match how {
                            How::Inner => JoinKind::Inner,
                            How::Left => JoinKind::Left,
                        },
                    });
                }
                let report = run_recipe(&recipe, &paths)?;
                print_report(&report, json);
                Ok(())
            }
            Command::Run {
                recipe,
                dir,
                json,
                save_model,
                candidates,
                timings,
                out,
                next,
                model,
                files,
            } => {
                let text = String::from_utf8_lossy(&read(&recipe)?).into_owned();
                let mut parsed = Recipe::from_json(&text)?;
                if files.len() > parsed.inputs.len() {
                    return Err(Error::Recipe {
                        detail: format!(
                            "{} files given but the recipe reads {}; give them in the order of its inputs",
                            files.len(),
                            parsed.inputs.len()
                        ),
                    });
                }
                // This month's files stand in for the recipe's, by position;
                // the other sections name inputs by file name, so they follow.
                for (input, path) in parsed.inputs.iter_mut().zip(&files) {
                    let name = path.display().to_string();
                    let old = std::mem::replace(&mut input.file, name.clone());
                    if let Some(j) = parsed.join.as_mut() {
                        for side in [&mut j.left, &mut j.right] {
                            if *side == old {
                                *side = name.clone();
                            }
                        }
                    }
                    if let Some(a) = parsed.aggregate.as_mut() {
                        for side in [&mut a.from, &mut a.into] {
                            if *side == old {
                                *side = name.clone();
                            }
                        }
                    }
                }
                if let Some(path) = &model {
                    let m = parsed.model.get_or_insert_with(Default::default);
                    m.kind = "logistic".into();
                    m.apply = Some(path.display().to_string());
                }
                let recipe_dir = recipe.parent().map(Path::to_path_buf).unwrap_or_default();
                let base = tidy(&dir.unwrap_or_else(|| match &parsed.data_dir {
                    Some(d) => recipe_dir.join(d),
                    None => recipe_dir,
                }));
                let mut paths: Vec<PathBuf> = Vec::new();
                for i in &parsed.inputs {
                    // Absolute or given on the command line: as is.
                    paths.push(if files.iter().any(|f| f.display().to_string() == i.file) {
                        PathBuf::from(&i.file)
                    } else {
                        base.join(&i.file)
                    });
                    if let Some(c) = &i.columns_file {
                        paths.push(base.join(c));
                    }
                }
                if let Some(m) = parsed.model.as_ref().and_then(|m| m.apply.as_ref()) {
                    paths.push(match &model {
                        Some(p) => p.clone(),
                        None => base.join(m),
                    });
                }
                if let Some(p) = &parsed.plan {
                    if let Some(t) = &p.templates {
                        paths.push(base.join(t));
                    }
                    if let Some(f) = &p.feedback {
                        paths.push(base.join(&f.file));
                    }
                }
                if let Some(f) = parsed.basket.as_ref().and_then(|b| b.file.as_ref()) {
                    paths.push(base.join(f));
                }
                if let Some(s) = parsed.segment.as_mut() {
                    if let Some(path) = &next {
                        s.next = Some(path.display().to_string());
                        paths.push(path.clone());
                    } else if let Some(f) = &s.next {
                        paths.push(base.join(f));
                    }
                    if let Some(f) = &s.naming {
                        paths.push(base.join(f));
                    }
                } else if next.is_some() {
                    return Err(kequn::Error::Recipe {
                        detail: "--next needs a recipe with a 'segment' section".into(),
                    });
                }
                // Names in the recipe are relative; match them by file name.
                let started = Instant::now();
                let mut spans: Vec<(String, f64)> = Vec::new();
                let report = run_recipe_with(&parsed, &paths, &mut |stage: &str| {
                    if spans.last().is_none_or(|(s, _)| s != stage) {
                        spans.push((stage.to_string(), started.elapsed().as_secs_f64()));
                    }
                })?;
                print_report(&report, json);
                if timings {
                    let total = started.elapsed().as_secs_f64();
                    for (k, (stage, at)) in spans.iter().enumerate() {
                        let end = spans.get(k + 1).map_or(total, |s| s.1);
                        eprintln!("timing: {stage}: {:.3} s", end - at);
                    }
                }
                if let Some(m) = &report.model {
                    if let Some(path) = save_model {
                        let text = serde_json::to_string_pretty(&m.model).unwrap_or_default();
                        write(&path, text.as_bytes())?;
                        eprintln!("model written to {}", path.display());
                    }
                    if let Some(path) = candidates {
                        write(
                            &path,
                            kequn::export::candidates_csv(&m.candidates).as_bytes(),
                        )?;
                        eprintln!("candidates written to {}", path.display());
                    }
                }
                if let Some(dir) = &out {
                    std::fs::create_dir_all(dir).map_err(|e| kequn::Error::Io {
                        path: dir.display().to_string(),
                        detail: e.to_string(),
                    })?;
                    let t0 = Instant::now();
                    write(
                        &dir.join("results.xlsx"),
                        &kequn::export::xlsx::workbook(&report)?,
                    )?;
                    if timings {
                        eprintln!("timing: export xlsx: {:.3} s", t0.elapsed().as_secs_f64());
                    }
                    write(
                        &dir.join("report.html"),
                        kequn::export::html::report(&parsed, &report).as_bytes(),
                    )?;
                    eprintln!(
                        "all results written to {} (and the report to report.html)",
                        dir.join("results.xlsx").display()
                    );
                    if let Some(p) = &report.plan {
                        if !p.customers.is_empty() {
                            write(
                                &dir.join("plans.csv"),
                                kequn::export::plans_csv(&p.customers).as_bytes(),
                            )?;
                        }
                    }
                }
                // The folder exists: results.xlsx was written there above.
                if let (Some(dir), Some(s)) = (&out, &report.segment) {
                    let model = serde_json::to_string_pretty(&s.model).unwrap_or_default();
                    write(
                        &dir.join("segments.csv"),
                        kequn::export::segments_csv(
                            &s.ids,
                            &s.labels,
                            &s.segment_names(),
                            &s.memberships,
                        )
                        .as_bytes(),
                    )?;
                    write(&dir.join("segment_model.json"), model.as_bytes())?;
                    if let Some(m) = &s.migration {
                        write(
                            &dir.join("migration.csv"),
                            kequn::export::migration_csv(m).as_bytes(),
                        )?;
                    }
                    eprintln!("segments written to {}", dir.display());
                }
                if let (Some(dir), Some(b)) = (&out, &report.basket) {
                    let business = serde_json::to_string_pretty(&b.business).unwrap_or_default();
                    for (name, text) in [
                        ("rules.csv", kequn::export::rules_csv(&b.rule_sets())),
                        ("rules_business.json", business),
                        ("cross_sell.csv", kequn::export::offers_csv(&b.cross_sell)),
                        (
                            "product_targets.csv",
                            kequn::export::offers_csv(&b.target_offers()),
                        ),
                    ] {
                        write(&dir.join(name), text.as_bytes())?;
                    }
                    eprintln!(
                        "rules, cross-sell and product targets written to {}",
                        dir.display()
                    );
                }
                if timings {
                    if let Some(mib) = peak_memory_mib() {
                        eprintln!("peak memory: {mib:.0} MiB");
                    }
                }
                Ok(())
            }
            Command::Score {
                model,
                id,
                files,
                join,
                top,
                exclude_positive,
                allow_unseen,
                out,
                json,
                all,
                chunk_mib,
                threads,
                reasons,
            } => {
                if all {
                    let opts = kequn::score::stream::StreamOptions {
                        id: id.clone(),
                        chunk_bytes: chunk_mib.max(1) << 20,
                        allow_unseen,
                        reasons: reasons.min(3),
                        threads: threads.unwrap_or_else(|| {
                            kequn::score::stream::StreamOptions::default().threads
                        }),
                    };
                    return score_all_rows(&model, &files, join.is_some(), out, &opts);
                }
                let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
                let model_name = model.display().to_string();
                let recipe = Recipe {
                    name: "score".into(),
                    inputs: names
                        .iter()
                        .map(|n| InputSpec {
                            file: n.clone(),
                            ..Default::default()
                        })
                        .collect(),
                    join: match (join, names.len()) {
                        (Some(key), 2..) => Some(JoinSpec {
                            left: names[0].clone(),
                            right: names[1].clone(),
                            on: key,
                            right_on: None,
                            how: JoinKind::Inner,
                        }),
                        _ => None,
                    },
                    model: Some(kequn::recipe::ModelSpec {
                        kind: "logistic".into(),
                        apply: Some(model_name),
                        allow_unseen,
                        ..Default::default()
                    }),
                    candidates: Some(kequn::recipe::CandidateSpec {
                        id,
                        top: Some(top),
                        exclude_positive,
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                let mut paths = files.clone();
                paths.push(model.clone());
                let report = run_recipe(&recipe, &paths)?;
                let applied = report.applied.as_ref().ok_or_else(|| Error::Recipe {
                    detail: "the model was not applied".into(),
                })?;
                if json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(applied).unwrap_or_default()
                    );
                } else {
                    println!(
                        "{} rows scored with the model of rule {}; {} listed",
                        applied.rows,
                        applied.label_rule,
                        applied.candidates.len()
                    );
                    for (i, c) in applied.candidates.iter().enumerate().take(20) {
                        match c.score {
                            // A scorecard: the score and its reason codes.
                            Some(s) => println!(
                                "{:>4}  {:<16} {:>6.1}%  score {s:>5}  {}",
                                i + 1,
                                c.id,
                                c.probability * 100.0,
                                kequn::export::reason_codes_text(&c.reason_codes)
                            ),
                            None => println!(
                                "{:>4}  {:<16} {:>6.1}%",
                                i + 1,
                                c.id,
                                c.probability * 100.0
                            ),
                        }
                    }
                }
                if let Some(path) = out {
                    write(
                        &path,
                        kequn::export::candidates_csv(&applied.candidates).as_bytes(),
                    )?;
                    eprintln!("candidates written to {}", path.display());
                }
                Ok(())
            }
            Command::ExportSql {
                model,
                dialect,
                table,
                id,
                reasons,
            } => {
                let saved = kequn::score::analysis::SavedModel::from_json(
                    &read(&model)?,
                    &model.display().to_string(),
                )?;
                let opts = kequn::export::sql::SqlOptions {
                    dialect: kequn::export::sql::Dialect::parse(&dialect)?,
                    table,
                    id,
                    reasons: reasons.min(3),
                };
                print!("{}", kequn::export::sql::model_sql(&saved, &opts)?);
                Ok(())
            }
            Command::ExportPmml { model, out } => {
                let saved = kequn::score::analysis::SavedModel::from_json(
                    &read(&model)?,
                    &model.display().to_string(),
                )?;
                let doc = kequn::export::pmml::model_pmml(&saved)?;
                match out {
                    Some(path) => {
                        write(&path, doc.as_bytes())?;
                        eprintln!("PMML written to {}", path.display());
                    }
                    None => print!("{doc}"),
                }
                Ok(())
            }
            Command::Synth { what } => {
                match what {
                    Synth::Samples { out } => {
                        let written = kequn::synth::write_samples(&out).map_err(|e| Error::Io {
                            path: out.display().to_string(),
                            detail: e.to_string(),
                        })?;
                        for p in written {
                            println!("wrote {}", p.display());
                        }
                    }
                    Synth::Customers { rows, seed, out } => write_customers(&out, rows, seed)?,
                    Synth::Scenario {
                        name,
                        rows,
                        seed,
                        out,
                    } => {
                        let defaults = kequn::synth::SCENARIOS
                            .iter()
                            .find(|s| s.0 == name)
                            .map_or((1000, 1), |s| (s.1, s.2));
                        let rows = rows.unwrap_or(defaults.0);
                        let t = Instant::now();
                        let files = kequn::synth::write_scenario(
                            &name,
                            &out,
                            rows,
                            seed.unwrap_or(defaults.1),
                        )
                        .map_err(|e| Error::Io {
                            path: out.display().to_string(),
                            detail: e.to_string(),
                        })?;
                        let secs = t.elapsed().as_secs_f64();
                        for p in files {
                            println!("wrote {}", p.display());
                        }
                        println!(
                            "{name}: {rows} customers in {secs:.2} s ({:.0} rows/s)",
                            rows as f64 / secs
                        );
                    }
                    Synth::All { out } => {
                        let files = kequn::synth::write_all(&out).map_err(|e| Error::Io {
                            path: out.display().to_string(),
                            detail: e.to_string(),
                        })?;
                        for p in files {
                            println!("wrote {}", p.display());
                        }
                    }
                }
                Ok(())
            }
            Command::Serve { dir, port } => {
                let listener = kequn::serve::bind(port).map_err(|e| Error::Io {
                    path: format!("127.0.0.1:{port}"),
                    detail: format!("cannot listen ({e}); choose another --port"),
                })?;
                let addr = listener.local_addr().map_err(|e| Error::Io {
                    path: "socket".into(),
                    detail: e.to_string(),
                })?;
                println!("serving {} on http://{addr}/", dir.display());
                kequn::serve::serve(listener, dir.clone()).map_err(|e| Error::Io {
                    path: dir.display().to_string(),
                    detail: e.to_string(),
                })
            }
            Command::BenchParse {
                rows,
                file,
                dir,
                repeat,
            } => bench_parse(rows, file, &dir, repeat),
            Command::BenchGbdt {
                x,
                y,
                cols,
                test_rows,
                no_shap,
            } => {
                let r = kequn::score::gbdt::bench(
                    &f64s(&read(&x)?),
                    &read(&y)?,
                    cols,
                    test_rows,
                    !no_shap,
                )?;
                println!("{}", serde_json::to_string(&r).unwrap_or_default());
                Ok(())
            }
            Command::BenchBinning {
                x,
                y,
                cols,
                categorical,
            } => {
                let r = kequn::score::scorecard::bench(
                    &f64s(&read(&x)?),
                    &read(&y)?,
                    cols,
                    &categorical,
                )?;
                println!("{}", serde_json::to_string(&r).unwrap_or_default());
                Ok(())
            }
        }
    }

    fn write_customers(out: &Path, rows: u64, seed: u64) -> Result<(), Error> {
        let io = |e: std::io::Error| Error::Io {
            path: out.display().to_string(),
            detail: e.to_string(),
        };
        kequn::synth::write_customers_file(out, rows, seed).map_err(io)?;
        println!("wrote {} ({rows} rows)", out.display());
        Ok(())
    }

    fn bench_parse(
        rows: u64,
        file: Option<PathBuf>,
        dir: &Path,
        repeat: usize,
    ) -> Result<(), Error> {
        let path = file.unwrap_or_else(|| dir.join(format!("customers_{rows}.csv")));
        if !path.exists() {
            write_customers(&path, rows, 42)?;
        }
        let bytes = read(&path)?;
        let mb = bytes.len() as f64 / 1e6;
        let (mut best_load, mut best) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..repeat.max(1) {
            let t = Instant::now();
            // Seconds spent in each stage, taken from the progress reports.
            let mut stages: Vec<(String, f64)> = Vec::new();
            let mut progress = Callback(|stage: &str, _| {
                let now = t.elapsed().as_secs_f64();
                if stages.last().is_none_or(|(s, _)| s != stage) {
                    stages.push((stage.to_string(), now));
                }
            });
            let (table, _) =
                kequn::table::load(&bytes, "bench.csv", &LoadOptions::default(), &mut progress)?;
            let load = t.elapsed().as_secs_f64();
            let stats = kequn::table::profile(&table);
            let secs = t.elapsed().as_secs_f64();
            let spans: Vec<String> = stages
                .iter()
                .zip(stages.iter().skip(1).map(|s| s.1).chain([load]))
                .map(|((name, start), end)| format!("{name} {:.2}s", end - start))
                .collect();
            println!("  stages: {}", spans.join(", "));
            best_load = best_load.min(load);
            best = best.min(secs);
            println!(
                "native: {} rows x {} columns, {mb:.1} MB: load {load:.3} s ({:.1} MB/s), load+profile {secs:.3} s ({:.1} MB/s)",
                table.rows(),
                stats.len(),
                mb / load,
                mb / secs
            );
        }
        println!("native load best: {:.1} MB/s", mb / best_load);
        println!(
            "native best (load+profile, as in the browser run): {:.1} MB/s",
            mb / best
        );
        Ok(())
    }

    fn run_recipe(recipe: &Recipe, paths: &[PathBuf]) -> Result<Report, Error> {
        run_recipe_with(recipe, paths, &mut |_| {})
    }

    /// Runs a recipe over files; `on_stage` sees every progress report's stage.
    fn run_recipe_with(
        recipe: &Recipe,
        paths: &[PathBuf],
        on_stage: &mut dyn FnMut(&str),
    ) -> Result<Report, Error> {
        let mut buffers = Vec::new();
        for p in paths {
            buffers.push((p.display().to_string(), read(p)?));
        }
        let mut last = String::new();
        let mut progress = Callback(|stage: &str, _f: f64| {
            on_stage(stage);
            if stage != last && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                eprintln!("… {stage}");
                last = stage.to_string();
            }
        });
        recipe::run_owned(recipe, buffers, None, &mut progress)
    }

    /// The process's peak resident memory (Linux: VmHWM), for benchmarks.
    /// `kequn score --all`: every row of one file, streamed (`score::stream`).
    fn score_all_rows(
        model: &Path,
        files: &[PathBuf],
        join: bool,
        out: Option<PathBuf>,
        opts: &kequn::score::stream::StreamOptions,
    ) -> Result<(), Error> {
        use kequn::score::stream::score_stream;
        let [file] = files else {
            return Err(Error::Recipe {
                detail: "--all scores one file; join the files first (or score without --all)"
                    .into(),
            });
        };
        if join {
            return Err(Error::Recipe {
                detail: "--all scores one file and takes no --join; join the files first".into(),
            });
        }
        let saved = kequn::score::analysis::SavedModel::from_json(
            &read(model)?,
            &model.display().to_string(),
        )?;
        let name = file.display().to_string();
        let input = std::fs::File::open(file).map_err(|e| Error::Io {
            path: name.clone(),
            detail: format!("cannot read the file ({e})"),
        })?;
        let start = Instant::now();
        let mut last = Instant::now();
        let progress = |rows: u64| {
            if last.elapsed().as_secs_f64() >= 5.0 {
                eprintln!("  {rows} rows scored");
                last = Instant::now();
            }
        };
        let summary = match &out {
            Some(path) => {
                let f = std::fs::File::create(path).map_err(|e| Error::Io {
                    path: path.display().to_string(),
                    detail: format!("cannot write the file ({e})"),
                })?;
                score_stream(
                    input,
                    &name,
                    &saved,
                    opts,
                    std::io::BufWriter::new(f),
                    progress,
                )?
            }
            None => score_stream(
                input,
                &name,
                &saved,
                opts,
                std::io::stdout().lock(),
                progress,
            )?,
        };
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "{} rows scored in {:.1} s ({:.0} rows/s) on {} threads, {} chunks{}",
            summary.rows,
            secs,
            summary.rows as f64 / secs.max(1e-9),
            summary.threads,
            summary.chunks,
            peak_memory_mib().map_or(String::new(), |m| format!("; peak memory {m:.0} MiB"))
        );
        Ok(())
    }

    fn peak_memory_mib() -> Option<f64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }

    fn print_report(report: &Report, json: bool) {
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(report).unwrap_or_default()
            );
        } else {
            print!("{}", kequn::export::text::report(report));
        }
    }

    /// `dir/../x` as `x`: file names as the user would write them.
    fn tidy(path: &Path) -> PathBuf {
        let mut out = PathBuf::new();
        for c in path.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir
                    if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
                {
                    out.pop();
                }
                other => out.push(other),
            }
        }
        out
    }
}
