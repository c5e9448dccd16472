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

fn create(dir: &Path, name: &str) -> io::Result<(PathBuf, BufWriter<File>)> {
    let path = dir.join(name);
    Ok((path.clone(), BufWriter::new(File::create(path)?)))
}

/// Writes scenario `name` with `rows` customers into `dir`; returns the files.
pub fn write_scenario(name: &str, dir: &Path, rows: u64, seed: u64) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let chunks = (0..rows)
        .step_by(CHUNK as usize)
        .map(|from| (from, (from + CHUNK).min(rows)));
    let mut files = Vec::new();
    match name {
        "wealth" => {
            let (p1, mut a) = create(dir, "user_base.csv")?;
            let (p2, mut b) = create(dir, "user_behavior_assets.csv")?;
            for (from, to) in chunks {
                wealth::write_files(&mut a, &mut b, seed, from, to)?;
            }
            a.flush()?;
            b.flush()?;
            files.extend([p1, p2]);
        }
        "wealth_wide" => {
            let (p, mut a) = create(dir, "customers.csv")?;
            for (from, to) in chunks {
                wealth::write_wide(&mut a, seed, from, to)?;
            }
            a.flush()?;
            files.push(p);
        }
        "corporate_churn" => {
            let (p, mut a) = create(dir, "corporate_churn.csv")?;
            for (from, to) in chunks {
                corporate::write_churn(&mut a, seed, from, to)?;
            }
            a.flush()?;
            let list = dir.join("corporate_churn_columns.txt");
            std::fs::write(&list, corporate::CHURN_COLUMNS.join("\n") + "\n")?;
            files.extend([p, list]);
        }
        "prospects" => {
            let (p1, mut a) = create(dir, "company_info.csv")?;
            let (p2, mut b) = create(dir, "company_transactions.csv")?;
            for (from, to) in chunks {
                corporate::write_prospects(&mut a, &mut b, seed, from, to)?;
            }
            a.flush()?;
            b.flush()?;
            files.extend([p1, p2]);
        }
        "retail" => {
            let (p, mut a) = create(dir, "retail.del")?;
            for (from, to) in chunks {
                retail::write_del(&mut a, seed, from, to)?;
            }
            a.flush()?;
            let list = dir.join("retail_columns.txt");
            std::fs::write(&list, retail::columns().join("\n") + "\n")?;
            files.extend([p, list]);
        }
        "securities" => {
            let (p1, mut a) = create(dir, "securities_customers.csv")?;
            let (p2, mut b) = create(dir, "securities_weekly.csv")?;
            for (from, to) in chunks {
                securities::write_files(&mut a, &mut b, seed, from, to)?;
            }
            a.flush()?;
            b.flush()?;
            files.extend([p1, p2]);
        }
        "logit30" => {
            let (p, mut a) = create(dir, "logit30.csv")?;
            for (from, to) in chunks {
                write_logit(&mut a, seed, 30, from, to)?;
            }
            a.flush()?;
            files.push(p);
        }
        "segmentation" => {
            let (p, mut a) = create(dir, "segmentation_customers.csv")?;
            for (from, to) in chunks {
                segmentation::write_customers(&mut a, seed, from, to)?;
            }
            a.flush()?;
            files.push(p);
        }
        other => {
            let known: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "unknown scenario '{other}'; known: {}, wealth_wide",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(files)
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
