//! Bytes of a customer export to a typed `Table`: decode, sniff the
//! delimiter and header, split with the `csv` crate straight into one string
//! buffer per column (no heap object per row), then type each column.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::decode::decode;
use super::infer::{build_column, is_missing_token, RawColumn};
use super::{ColumnKind, Table};
use crate::error::BadLine;
use crate::{Error, Progress, Result};

/// How to read one file. Every field has an automatic default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// Encoding label (`utf-8`, `gbk`, `utf-16le` …); `None` or `auto` detects.
    pub encoding: Option<String>,
    /// One of `,` `;` `\t` `|` (or any single character); `None` sniffs.
    pub delimiter: Option<char>,
    /// Whether the first row names the columns; `None` guesses (`.del` files: no).
    pub header: Option<bool>,
    /// Column names for a header-less file, e.g. read from a column-list file.
    pub column_names: Option<Vec<String>>,
    /// Where `column_names` came from, for messages.
    pub column_names_file: Option<String>,
    /// Per-column type overrides by name.
    pub types: BTreeMap<String, ColumnKind>,
    /// Share of rows allowed to have the wrong number of fields (kept padded
    /// when short, dropped when long, and listed as warnings). Default 0.001.
    pub ragged_tolerance: Option<f64>,
}

/// What the loader saw and decided, for the page and the CLI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    pub file: String,
    pub encoding: String,
    pub delimiter: String,
    pub header: bool,
    pub rows: usize,
    pub columns: usize,
    pub bytes: usize,
    pub warnings: Vec<String>,
}

const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];
const DEFAULT_RAGGED_TOLERANCE: f64 = 0.001;
const SHOWN_BAD_LINES: usize = 5;

/// Reads a column-list file: one name per line (or one comma-separated line).
pub fn read_column_list(bytes: &[u8], file: &str, encoding: Option<&str>) -> Result<Vec<String>> {
    let decoded = decode(bytes, file, encoding)?;
    let lines: Vec<&str> = decoded
        .text
        .lines()
        .map(|l| l.trim().trim_matches('"').trim())
        .filter(|l| !l.is_empty())
        .collect();
    let names: Vec<String> = if lines.len() == 1 {
        lines[0]
            .split([',', '\t', ';', '|'])
            .map(|s| s.trim().trim_matches('"').to_string())
            .collect()
    } else {
        // A one-column CSV may quote or carry a trailing delimiter; keep its first field.
        lines
            .iter()
            .map(|l| {
                l.split([',', '\t'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
            .collect()
    };
    if names.is_empty() {
        return Err(Error::EmptyFile { file: file.into() });
    }
    Ok(names)
}

/// Loads one file. `name` is the file's name (used in messages and as the table name).
pub fn load(
    bytes: &[u8],
    name: &str,
    opts: &LoadOptions,
    progress: &mut dyn Progress,
) -> Result<(Table, LoadReport)> {
    progress.report("decode", 0.0);
    let decoded = decode(bytes, name, opts.encoding.as_deref())?;
    let mut warnings = decoded.warnings;
    let text: &str = &decoded.text;
    let is_del = name.to_lowercase().ends_with(".del");

    let delimiter = match opts.delimiter {
        Some(c) if c.is_ascii() => c as u8,
        Some(c) => {
            return Err(Error::Recipe {
                detail: format!(
                    "delimiter '{c}' must be a single ASCII character such as , ; | or tab"
                ),
            })
        }
        None if is_del => b',',
        None => sniff_delimiter(text),
    };

    let parsed = split_columns(text, delimiter, name, opts, progress)?;
    let SplitColumns {
        mut raw,
        lines,
        ragged_warning,
    } = parsed;
    warnings.extend(ragged_warning);

    // Trailing columns that are empty everywhere come from lines ending in a delimiter.
    while raw.len() > 1 && raw.last().is_some_and(|c| c.iter().all(str::is_empty)) {
        raw.pop();
    }

    let header = if opts.column_names.is_some() {
        false
    } else {
        opts.header.unwrap_or_else(|| !is_del && guess_header(&raw))
    };

    let names: Vec<String> = if let Some(list) = &opts.column_names {
        if list.len() != raw.len() {
            return Err(Error::ColumnListMismatch {
                file: name.into(),
                list_file: opts
                    .column_names_file
                    .clone()
                    .unwrap_or_else(|| "column list".into()),
                names: list.len(),
                fields: raw.len(),
            });
        }
        list.clone()
    } else if header {
        raw.iter()
            .enumerate()
            .map(
                |(i, c)| match c.get(0).trim_start_matches('\u{feff}').trim() {
                    "" => format!("column_{}", i + 1),
                    s => s.to_string(),
                },
            )
            .collect()
    } else {
        (1..=raw.len()).map(|i| format!("column_{i}")).collect()
    };
    for (i, n) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|o| o == n) {
            return Err(Error::DuplicateHeader {
                file: name.into(),
                name: n.clone(),
                first: j + 1,
                second: i + 1,
            });
        }
    }
    for forced in opts.types.keys() {
        if !names.contains(forced) {
            return Err(Error::ColumnNotFound {
                file: name.into(),
                column: forced.clone(),
                suggestion: crate::error::closest(forced, names.iter().map(String::as_str)),
            });
        }
    }

    let skip = usize::from(header);
    let data_rows = raw.first().map_or(0, |c| c.len().saturating_sub(skip));
    if data_rows == 0 {
        return Err(Error::NoDataRows { file: name.into() });
    }
    let mut columns = Vec::with_capacity(raw.len());
    let ncols = raw.len();
    for (i, (col_name, col_raw)) in names.into_iter().zip(raw).enumerate() {
        progress.report("types", i as f64 / ncols as f64);
        let forced = opts.types.get(&col_name).copied();
        let column =
            build_column(col_name.clone(), col_raw, skip, forced).map_err(|m| Error::BadValue {
                file: name.into(),
                line: lines.get(m.row + skip).copied().unwrap_or(0),
                column: col_name,
                value: m.value,
                expected: m.expected.into(),
            })?;
        columns.push(column);
    }
    progress.report("types", 1.0);
    let table = Table::new(name, columns)?;
    let report = LoadReport {
        file: name.into(),
        encoding: decoded.encoding.into(),
        delimiter: match delimiter {
            b'\t' => "\\t".into(),
            d => (d as char).to_string(),
        },
        header,
        rows: table.rows(),
        columns: table.columns.len(),
        bytes: bytes.len(),
        warnings,
    };
    Ok((table, report))
}

struct SplitColumns {
    raw: Vec<RawColumn>,
    /// Line number (1-based) where each kept record starts.
    lines: Vec<u64>,
    ragged_warning: Option<String>,
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

fn split_columns(
    text: &str,
    delimiter: u8,
    file: &str,
    opts: &LoadOptions,
    progress: &mut dyn Progress,
) -> Result<SplitColumns> {
    let mut rdr = reader(text, delimiter);
    let mut rec = csv::ByteRecord::new();
    let mut raw: Vec<RawColumn> = Vec::new();
    let mut lines = Vec::new();
    let mut bad: Vec<BadLine> = Vec::new();
    let mut total_bad = 0usize;
    let mut dropped = 0usize;
    let mut width = 0usize;
    let total = text.len().max(1) as f64;
    let mut since_report = 0u32;
    // Reserve for the rows the file likely has (from the first 64 KiB), not more:
    // in wasm, reserved capacity is real memory.
    let sample = &text.as_bytes()[..text.len().min(1 << 16)];
    let sample_lines = sample.iter().filter(|&&b| b == b'\n').count().max(1);
    let est_rows =
        (text.len() as f64 / sample.len().max(1) as f64 * sample_lines as f64 * 1.05) as usize + 16;
    progress.report("parse", 0.0);
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(Error::Io {
                    path: file.into(),
                    detail: format!("could not split the file: {e}"),
                })
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        // A lone empty field is a blank line (e.g. trailing whitespace lines).
        if rec.len() == 1
            && rec
                .get(0)
                .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        if raw.is_empty() {
            width = rec.len();
            raw = (0..width)
                .map(|_| RawColumn::with_capacity(est_rows, text.len() / width.max(1)))
                .collect();
        }
        let fields = rec.len();
        let extra_nonempty = rec.iter().skip(width).any(|f| !trim(f).is_empty());
        if fields != width && (fields < width || extra_nonempty) {
            total_bad += 1;
            if bad.len() < SHOWN_BAD_LINES {
                bad.push(BadLine { line, fields });
            }
            if extra_nonempty {
                dropped += 1;
                continue; // cannot place the extra values: the row is dropped and reported
            }
        }
        // Whitespace is trimmed around unquoted cells (padded exports) but
        // kept inside quotes: which cells were quoted is found only for a
        // record with a cell that has any to trim, which is rare.
        let mut quoted: Option<Vec<Option<usize>>> = None;
        for (i, col) in raw.iter_mut().enumerate() {
            let f = match rec.get(i) {
                Some(f) if trim(f).len() == f.len() => f,
                Some(f) => {
                    let q = quoted.get_or_insert_with(|| {
                        let start = rec.position().map_or(0, |p| p.byte() as usize);
                        quoted_fields(&text.as_bytes()[start..], delimiter, width)
                    });
                    match q.get(i).copied().flatten() {
                        // Quoted: the text inside as is, what followed the closing quote trimmed.
                        Some(after) => {
                            let (inner, tail) = f.split_at(f.len().saturating_sub(after));
                            if trim(tail).is_empty() {
                                inner
                            } else {
                                f
                            }
                        }
                        None => trim(f),
                    }
                }
                None => &[],
            };
            let s = std::str::from_utf8(f).unwrap_or("");
            col.push(if is_missing_token(s) { "" } else { s });
        }
        lines.push(line);
        since_report += 1;
        if since_report >= 65_536 {
            since_report = 0;
            progress.report(
                "parse",
                rec.position().map_or(0.0, |p| p.byte() as f64 / total),
            );
        }
    }
    progress.report("parse", 1.0);
    let rows = lines.len() + dropped;
    let tolerance = opts
        .ragged_tolerance
        .unwrap_or(DEFAULT_RAGGED_TOLERANCE)
        .max(0.0);
    let ragged_warning = if total_bad == 0 {
        None
    } else if (total_bad as f64) > tolerance * rows as f64 {
        return Err(Error::RaggedRows {
            file: file.into(),
            expected: width,
            rows,
            total_bad,
            bad,
        });
    } else {
        let first: Vec<String> = bad
            .iter()
            .map(|b| format!("line {} ({} fields)", b.line, b.fields))
            .collect();
        Some(format!(
            "{total_bad} rows did not have {width} fields: short rows were padded with missing values, long rows were dropped; first: {}",
            first.join(", ")
        ))
    };
    Ok(SplitColumns {
        raw,
        lines,
        ragged_warning,
    })
}

fn trim(f: &[u8]) -> &[u8] {
    f.trim_ascii()
}

/// For each of the first `n` fields of the record at the start of `raw`:
/// `Some(bytes after the closing quote)` when it opens with a quote (the csv
/// crate's rule: a quote counts only as a field's first byte; `""` inside a
/// quoted field is a quote), else `None`.
fn quoted_fields(raw: &[u8], delimiter: u8, n: usize) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while out.len() < n && i <= raw.len() {
        let quoted = raw.get(i) == Some(&b'"');
        let mut close = None;
        if quoted {
            i += 1;
            while i < raw.len() {
                if raw[i] == b'"' {
                    if raw.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    close = Some(i);
                    break;
                }
                i += 1;
            }
        }
        while i < raw.len() && raw[i] != delimiter && raw[i] != b'\n' && raw[i] != b'\r' {
            i += 1;
        }
        out.push(close.map(|c| i - c - 1));
        if i >= raw.len() || raw[i] != delimiter {
            break;
        }
        i += 1;
    }
    out
}

/// The candidate giving the most rows with the same field count (> 1) in the first records.
fn sniff_delimiter(text: &str) -> u8 {
    let cut = text.len().min(1 << 16);
    let sample = &text[..text.floor_char_boundary_compat(cut)];
    let mut best = (b',', 0usize, 0usize);
    for &d in &DELIMITERS {
        let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
        let mut rdr = reader(sample, d);
        let mut rec = csv::ByteRecord::new();
        let mut n = 0;
        while n < 100 && matches!(rdr.read_byte_record(&mut rec), Ok(true)) {
            *counts.entry(rec.len()).or_default() += 1;
            n += 1;
        }
        if let Some((&fields, &rows)) = counts.iter().max_by_key(|(f, r)| (**r, **f)) {
            if fields > 1 && (rows, fields) > (best.1, best.2) {
                best = (d, rows, fields);
            }
        }
    }
    best.0
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, i: usize) -> usize;
}
impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut i: usize) -> usize {
        while i > 0 && !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// A first row is a header when, in some column, it is text while the rest is
/// numbers or dates; or when every cell of it is distinct, non-empty, not a
/// number, and appears nowhere else in its column's first rows.
fn guess_header(raw: &[RawColumn]) -> bool {
    let rows = raw.first().map_or(0, RawColumn::len);
    if rows < 2 {
        return true;
    }
    let first: Vec<&str> = raw.iter().map(|c| c.get(0)).collect();
    let sample = rows.min(200);
    let typed = |s: &str| {
        super::infer::parse_number(s.trim_end_matches('%')).is_some()
            || super::infer::parse_date(s).is_some()
    };
    let text_over_typed = raw.iter().any(|c| {
        let head = c.get(0);
        let mut present = (1..sample)
            .map(|i| c.get(i))
            .filter(|s| !s.is_empty())
            .peekable();
        !head.is_empty() && !typed(head) && present.peek().is_some() && present.all(typed)
    });
    if text_over_typed {
        return true;
    }
    let mut seen = std::collections::HashSet::new();
    first
        .iter()
        .all(|s| !s.is_empty() && !typed(s) && seen.insert(*s))
        && raw
            .iter()
            .all(|c| (1..sample).all(|i| c.get(i) != c.get(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{ColumnData, ColumnKind};

    fn load_str(s: &str, opts: &LoadOptions) -> Result<(Table, LoadReport)> {
        load(s.as_bytes(), "t.csv", opts, &mut ())
    }

    #[test]
    fn sniffs_delimiters() {
        for d in [",", ";", "\t", "|"] {
            let s = format!("a{d}b{d}c\n1{d}2{d}x\n3{d}4{d}y\n");
            let (t, r) = load_str(&s, &LoadOptions::default()).unwrap();
            assert_eq!(t.columns.len(), 3, "{d:?}");
            assert!(r.header);
            assert_eq!(t.columns[0].data, ColumnData::Numeric(vec![1.0, 3.0]));
        }
    }

    #[test]
    fn quotes_newlines_crlf_and_trailing_delimiter() {
        let s = "id,note,amt,\r\n1,\"a, \"\"quoted\"\"\r\nline\",\"1,200\",\r\n2,plain,3,\r\n";
        let (t, r) = load_str(s, &LoadOptions::default()).unwrap();
        assert_eq!(r.columns, 3);
        assert_eq!(t.rows(), 2);
        assert_eq!(t.columns[1].text(0), "a, \"quoted\"\r\nline");
        assert_eq!(t.columns[2].data, ColumnData::Numeric(vec![1200.0, 3.0]));
    }

    #[test]
    fn headerless_with_column_list() {
        let opts = LoadOptions {
            column_names: Some(vec!["客户号".into(), "金额".into()]),
            ..Default::default()
        };
        let (t, r) = load_str("1,2.5\n2,3.5\n", &opts).unwrap();
        assert!(!r.header);
        assert_eq!(t.columns[1].name, "金额");
        let opts = LoadOptions {
            column_names: Some(vec!["a".into()]),
            column_names_file: Some("cols.txt".into()),
            ..Default::default()
        };
        let e = load_str("1,2\n", &opts).unwrap_err();
        assert_eq!(e.code(), "column_list_mismatch");
        assert!(e.to_string().contains("cols.txt"));
    }

    #[test]
    fn guesses_header_absent_on_numbers() {
        let (t, r) = load_str("1,2\n3,4\n", &LoadOptions::default()).unwrap();
        assert!(!r.header);
        assert_eq!(t.rows(), 2);
        assert_eq!(t.columns[0].name, "column_1");
    }

    #[test]
    fn ragged_rows_beyond_tolerance_name_lines() {
        let e = load_str("a,b\n1,2\n3\n4,5,6\n", &LoadOptions::default()).unwrap_err();
        match &e {
            Error::RaggedRows {
                total_bad,
                bad,
                expected,
                ..
            } => {
                assert_eq!((*total_bad, *expected), (2, 2));
                assert_eq!(bad[0], BadLine { line: 3, fields: 1 });
                assert_eq!(bad[1], BadLine { line: 4, fields: 3 });
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.line(), Some(3));
    }

    #[test]
    fn ragged_rows_within_tolerance_warn() {
        let opts = LoadOptions {
            ragged_tolerance: Some(0.5),
            ..Default::default()
        };
        let (t, r) = load_str("a,b\n1,2\n3\n5,6\n", &opts).unwrap();
        assert_eq!(t.rows(), 3);
        assert!(t.columns[1].is_missing(1));
        assert!(r.warnings[0].contains("line 3"), "{:?}", r.warnings);
    }

    #[test]
    fn duplicate_header_and_no_rows() {
        let e = load_str("a,b,a\n1,2,3\n", &LoadOptions::default()).unwrap_err();
        assert_eq!(e.code(), "duplicate_header");
        assert!(e.to_string().contains("columns 1 and 3"), "{e}");
        let opts = LoadOptions {
            header: Some(true),
            ..Default::default()
        };
        assert_eq!(load_str("a,b\n", &opts).unwrap_err().code(), "no_data_rows");
    }

    #[test]
    fn forced_type_error_names_line_and_column() {
        let mut opts = LoadOptions::default();
        opts.types.insert("age".into(), ColumnKind::Numeric);
        let e = load_str("name,age\nx,30\ny,三十\n", &opts).unwrap_err();
        assert_eq!(e.line(), Some(3));
        assert_eq!(e.column(), Some("age"));
        opts.types.clear();
        opts.types.insert("agee".into(), ColumnKind::Numeric);
        let e = load_str("name,age\nx,30\n", &opts).unwrap_err();
        assert!(e.to_string().contains("did you mean 'age'"), "{e}");
    }

    #[test]
    fn del_files_have_no_header() {
        let s = "\"A001\",\"张三\",100.50,\"20240101\"\n\"A002\",\"李四\",20,\"20240315\"\n";
        let (t, r) = load(s.as_bytes(), "export.del", &LoadOptions::default(), &mut ()).unwrap();
        assert!(!r.header);
        assert_eq!(t.rows(), 2);
        assert_eq!(t.columns[3].kind, ColumnKind::Date);
    }
}
