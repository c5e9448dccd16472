//! Deterministic generators of each scenario's data (same seed, same bytes,
//! whatever the chunking: every row has its own seeded stream). Values depend
//! on each other through hidden archetypes so that later analyses have
//! structure to find. Writers stream, so millions of rows need little memory.

pub mod corporate;
pub mod retail;
pub mod securities;
pub mod segmentation;
pub mod wealth;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The random stream of row `i` of generator `stream` under `seed`.
pub(crate) fn row_rng(seed: u64, stream: u64, i: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(
        seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream.rotate_left(40) ^ i,
    )
}

pub(crate) fn pick<'a, R: Rng>(rng: &mut R, xs: &[&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

/// A right-skewed amount: exp of an approximately normal draw (Irwin–Hall).
pub(crate) fn lognormal<R: Rng>(rng: &mut R, mu: f64, sigma: f64) -> f64 {
    let z: f64 = (0..6).map(|_| rng.gen::<f64>()).sum::<f64>() - 3.0;
    (mu + sigma * z * std::f64::consts::SQRT_2).exp()
}

pub(crate) fn day(y: i64, m: u32, d: u32) -> i64 {
    crate::table::infer::days_from_civil(y, m, d).unwrap_or(0)
}

pub(crate) fn date(days_since_epoch: i64) -> String {
    crate::table::infer::format_date(days_since_epoch * 86400, false)
}

pub(crate) fn datetime(days_since_epoch: i64, hour: i64, minute: i64) -> String {
    crate::table::infer::format_date(days_since_epoch * 86400 + hour * 3600 + minute * 60, true)
}

/// The wide wealth export (base and behaviour side by side) as bytes.
pub fn customers_csv(rows: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = wealth::write_wide(&mut out, seed, 0, rows);
    out
}

/// Rows of the header-less corporate churn export in `.del` style, and its column list.
pub fn corporate_del(rows: u64, seed: u64) -> (Vec<u8>, String) {
    let mut out = Vec::new();
    let _ = corporate::write_churn(&mut out, seed, 0, rows);
    (out, corporate::CHURN_COLUMNS.join("\n") + "\n")
}

/// The scenarios `kequn synth scenario NAME` knows, with their default rows and seed.
pub const SCENARIOS: [(&str, u64, u64); 6] = [
    ("wealth", 3000, 1),
    ("corporate_churn", 2000, 2),
    ("prospects", 2000, 3),
    ("retail", 3000, 4),
    ("securities", 1500, 5),
    ("segmentation", 3000, 6),
];

/// Rows are written in chunks of this size; the bytes do not depend on it.
pub const CHUNK: u64 = 50_000;

type Out = BufWriter<File>;

/// Creates `names` in `dir` and streams rows `0..rows` into them in chunks of
/// `CHUNK` (the one place chunking happens; the bytes do not depend on it).
fn stream(
    dir: &Path,
    names: &[&str],
    rows: u64,
    mut write: impl FnMut(&mut [Out], u64, u64) -> io::Result<()>,
) -> io::Result<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    let mut outs = paths
        .iter()
        .map(|p| File::create(p).map(BufWriter::new))
        .collect::<io::Result<Vec<Out>>>()?;
    let mut from = 0;
    while from < rows {
        let to = (from + CHUNK).min(rows);
        write(&mut outs, from, to)?;
        from = to;
    }
    for o in &mut outs {
        o.flush()?;
    }
    Ok(paths)
}

/// Two writers of one `stream` call, for generators that write a pair of files.
fn pair(outs: &mut [Out]) -> (&mut Out, &mut Out) {
    let (a, b) = outs.split_at_mut(1);
    (&mut a[0], &mut b[0])
}

/// A column-list file: one name per line.
fn column_list(dir: &Path, name: &str, columns: &[&str]) -> io::Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, columns.join("\n") + "\n")?;
    Ok(path)
}

/// Writes scenario `name` with `rows` customers into `dir`; returns the files.
pub fn write_scenario(name: &str, dir: &Path, rows: u64, seed: u64) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = match name {
        "wealth" => stream(
            dir,
            &["user_base.csv", "user_behavior_assets.csv"],
            rows,
            |o, f, t| {
                let (a, b) = pair(o);
                wealth::write_files(a, b, seed, f, t)
            },
        )?,
        "wealth_wide" => stream(dir, &["customers.csv"], rows, |o, f, t| {
            wealth::write_wide(&mut o[0], seed, f, t)
        })?,
        "corporate_churn" => {
            let mut files = stream(dir, &["corporate_churn.csv"], rows, |o, f, t| {
                corporate::write_churn(&mut o[0], seed, f, t)
            })?;
            files.push(column_list(
                dir,
                "corporate_churn_columns.txt",
                &corporate::CHURN_COLUMNS,
            )?);
            files
        }
        "prospects" => stream(
            dir,
            &["company_info.csv", "company_transactions.csv"],
            rows,
            |o, f, t| {
                let (a, b) = pair(o);
                corporate::write_prospects(a, b, seed, f, t)
            },
        )?,
        "retail" => {
            let mut files = stream(dir, &["retail.del"], rows, |o, f, t| {
                retail::write_del(&mut o[0], seed, f, t)
            })?;
            files.push(column_list(dir, "retail_columns.txt", &retail::columns())?);
            files
        }
        "securities" => stream(
            dir,
            &["securities_customers.csv", "securities_weekly.csv"],
            rows,
            |o, f, t| {
                let (a, b) = pair(o);
                securities::write_files(a, b, seed, f, t)
            },
        )?,
        "logit30" => stream(dir, &["logit30.csv"], rows, |o, f, t| {
            write_logit(&mut o[0], seed, 30, f, t)
        })?,
        "segmentation" => stream(dir, &["segmentation_customers.csv"], rows, |o, f, t| {
            segmentation::write_customers(&mut o[0], seed, f, t)
        })?,
        other => {
            let known: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "unknown scenario '{other}'; known: {}, wealth_wide, logit30",
                    known.join(", ")
                ),
            ));
        }
    };
    Ok(files)
}

/// The wide wealth export of `rows` customers at any `path` (for benchmarks).
pub fn write_customers_file(path: &Path, rows: u64, seed: u64) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("customers.csv");
    stream(dir, &[name], rows, |o, f, t| {
        wealth::write_wide(&mut o[0], seed, f, t)
    })?;
    Ok(())
}

/// Writes the page's and tests' small sample files into `dir`.
pub fn write_samples(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let customers = customers_csv(300, 7);
    let text = String::from_utf8_lossy(&customers);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let (del, cols) = corporate_del(200, 11);
    let files = [
        ("customers.csv", customers.clone()),
        ("customers_gbk.csv", gbk.into_owned()),
        ("corporate.del", del),
        ("corporate_columns.txt", cols.into_bytes()),
    ];
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Everything committed under `data/`: samples and every scenario at its defaults.
pub fn write_all(data_dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files = write_samples(&data_dir.join("samples"))?;
    for (name, rows, seed) in SCENARIOS {
        files.extend(write_scenario(
            name,
            &data_dir.join("scenarios").join(name),
            rows,
            seed,
        )?);
    }
    Ok(files)
}

/// A numeric benchmark table: `cols` standard-normal-ish features `x1..`, and a
/// label `y` drawn from a logistic model with fixed weights (for timing model fits).
pub fn write_logit<W: Write>(
    out: &mut W,
    seed: u64,
    cols: usize,
    from: u64,
    to: u64,
) -> io::Result<()> {
    if from == 0 {
        let names: Vec<String> = (1..=cols).map(|j| format!("x{j}")).collect();
        writeln!(out, "{},y", names.join(","))?;
    }
    for i in from..to {
        let mut r = row_rng(seed, 7, i);
        let mut z = -1.0;
        let mut line = String::with_capacity(cols * 8);
        for j in 0..cols {
            let x = (0..4).map(|_| r.gen::<f64>()).sum::<f64>() * 1.732 - 3.464;
            z += x * if j % 3 == 0 { 0.8 } else { -0.3 } / (1.0 + j as f64 / 10.0);
            line.push_str(&format!("{x:.4},"));
        }
        let y = u8::from(r.gen::<f64>() < 1.0 / (1.0 + (-z).exp()));
        writeln!(out, "{line}{y}")?;
    }
    Ok(())
}
