//! Bytes of a customer export to a typed `Table`: decode, sniff the
//! delimiter and header, split with the `csv` crate straight into one string
//! buffer per column (no heap object per row), then type each column.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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
    /// Share of rows that may be left out because they have values that
    /// cannot be placed (rows that can be repaired are repaired and listed
    /// as warnings). Default 0.05.
    pub ragged_tolerance: Option<f64>,
    /// Lines above the header (titles, account lines); `None` finds them,
    /// `Some(0)` reads the first line as the header.
    pub skip_rows: Option<usize>,
    /// Lines below the data (totals, notes); `None` finds them, `Some(0)`
    /// keeps every line.
    pub footer_rows: Option<usize>,
    /// The sheet of an Excel workbook to read; `None` reads the first
    /// sheet with cells.
    pub sheet: Option<String>,
}

/// What the loader saw and decided, for the page and the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    pub file: String,
    pub encoding: String,
    pub delimiter: String,
    pub header: bool,
    pub rows: usize,
    pub columns: usize,
    pub bytes: usize,
    /// Line of the header (or of the first row when there is none).
    pub header_line: u64,
    pub warnings: Vec<String>,
    /// The same warnings in Chinese.
    pub warnings_zh: Vec<String>,
    /// An Excel workbook's sheet that was read, and all its sheets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<String>,
}

/// Sniffed in this order; ASCII 30 and 31 are the record and unit separators.
const DELIMITERS: [u8; 6] = [b',', b'\t', b';', b'|', 0x1e, 0x1f];
const DEFAULT_RAGGED_TOLERANCE: f64 = 0.05;
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
fn read_raw(
    bytes: &[u8],
    name: &str,
    opts: &LoadOptions,
    keep_tokens: bool,
    progress: &mut dyn Progress,
) -> Result<Raw> {
    progress.report("decode", 0.0);
    // A workbook's sheet becomes CSV text and takes the CSV path from here.
    let sheet = if super::excel::is_workbook(bytes) {
        Some(super::excel::read(bytes, name, opts.sheet.as_deref())?)
    } else if let Some(s) = &opts.sheet {
        return Err(Error::Workbook {
            file: name.into(),
            detail: format!("sheet '{s}' was asked for, but this is not an Excel workbook; remove the sheet setting"),
            detail_zh: format!("指定了工作表“{s}”，但这不是 Excel 工作簿；请删除工作表设置"),
        });
    } else {
        None
    };
    let decoded = match &sheet {
        Some(s) => super::decode::Decoded {
            text: s.csv.as_str().into(),
            encoding: "xlsx",
            warnings: s.notes.clone(),
        },
        None => decode(bytes, name, opts.encoding.as_deref())?,
    };
    let text: &str = &decoded.text;
    let is_del = name.to_lowercase().ends_with(".del");

    let delimiter = match opts.delimiter {
        _ if sheet.is_some() => b',',
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

    let parsed = split_columns(text, delimiter, name, opts, keep_tokens, None, progress)?;
    let SplitColumns {
        mut raw,
        lines,
        joined,
        first_line,
        notes,
    } = parsed;
    let joined_any = joined.is_some();
    let mut warnings = Notes::default();
    for (en, zh) in decoded.warnings {
        warnings.push(en, zh);
    }
    warnings.en.extend(notes.en);
    warnings.zh.extend(notes.zh);

    if raw.first().is_none_or(RawColumn::is_empty) {
        return Err(Error::EmptyFile { file: name.into() });
    }
    // Trailing columns that are empty everywhere come from lines ending in a
    // delimiter (the cells as written keep them).
    while !keep_tokens && raw.len() > 1 && raw.last().is_some_and(|c| c.iter().all(str::is_empty)) {
        raw.pop();
    }

    let header = if opts.column_names.is_some() {
        false
    } else if joined.is_some() && opts.header != Some(false) {
        true
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
    } else if let (true, Some(joined)) = (header, joined) {
        let mut names = joined;
        names.truncate(raw.len());
        names
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
    Ok(Raw {
        raw,
        names,
        header,
        joined: joined_any,
        lines,
        first_line,
        warnings,
        encoding: decoded.encoding,
        delimiter,
        sheet: sheet.map(|s| (s.name, s.sheets)),
    })
}

/// A file split into its columns' strings, with the names decided.
struct Raw {
    /// A workbook's sheet read, and all its sheets.
    sheet: Option<(String, Vec<String>)>,
    raw: Vec<RawColumn>,
    names: Vec<String>,
    header: bool,
    /// The names were joined from two header rows.
    joined: bool,
    lines: Vec<u64>,
    first_line: u64,
    warnings: Notes,
    encoding: &'static str,
    delimiter: u8,
}

/// The cells of one file as the loader sees them — the header row (when
/// there is one) and every data row, as text, before typing. What
/// `kequn cells` prints and the tokenizer suites are compared with.
pub fn cells(bytes: &[u8], name: &str, opts: &LoadOptions) -> Result<Vec<Vec<String>>> {
    let Raw {
        raw,
        names,
        header,
        joined,
        ..
    } = read_raw(bytes, name, opts, true, &mut ())?;
    let rows = raw.first().map_or(0, RawColumn::len);
    let mut out = Vec::with_capacity(rows + 1);
    // The header row as written, unless two rows were joined into names.
    let from = usize::from(header && joined);
    if from == 1 {
        out.push(names);
    }
    let mut columns: Vec<_> = raw.iter().map(|c| c.iter().skip(from)).collect();
    for _ in from..rows {
        out.push(
            columns
                .iter_mut()
                .map(|c| c.next().unwrap_or("").to_string())
                .collect(),
        );
    }
    Ok(out)
}

/// Loads one file. `name` is the file's name (used in messages and as the table name).
pub fn load(
    bytes: &[u8],
    name: &str,
    opts: &LoadOptions,
    progress: &mut dyn Progress,
) -> Result<(Table, LoadReport)> {
    load_cow(Cow::Borrowed(bytes), name, opts, progress)
}

/// [`load`] of a file given up by its caller: its bytes are freed once
/// split into columns, before the columns are typed, so the typed columns
/// take their place (at a million rows the file's size off the load's peak).
pub fn load_owned(
    bytes: Vec<u8>,
    name: &str,
    opts: &LoadOptions,
    progress: &mut dyn Progress,
) -> Result<(Table, LoadReport)> {
    load_cow(Cow::Owned(bytes), name, opts, progress)
}

fn load_cow(
    bytes: Cow<'_, [u8]>,
    name: &str,
    opts: &LoadOptions,
    progress: &mut dyn Progress,
) -> Result<(Table, LoadReport)> {
    let size = bytes.len();
    let Raw {
        raw,
        names,
        header,
        lines,
        first_line,
        warnings,
        encoding,
        delimiter,
        sheet,
        ..
    } = read_raw(&bytes, name, opts, false, progress)?;
    drop(bytes);
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
    // The columns typed on every core, each by the next thread to come free
    // (an id column takes as long as ten numeric ones); the first failure
    // in column order is the one told, as when they were typed one by one.
    progress.report("types", 0.0);
    let total = names.len().max(1) as f64;
    let typed = crate::par::map_reporting(
        names.into_iter().zip(raw).collect(),
        |(col_name, col_raw)| {
            let forced = opts.types.get(&col_name).copied();
            build_column(col_name.clone(), col_raw, skip, forced).map_err(|m| Error::BadValue {
                file: name.into(),
                line: lines.get(m.row + skip).copied().unwrap_or(0),
                column: col_name,
                value: m.value,
                expected: m.expected.into(),
            })
        },
        |ended| progress.report("types", ended as f64 / total),
    );
    let columns = typed.into_iter().collect::<Result<Vec<_>>>()?;
    let table = Table::new(name, columns)?;
    let report = LoadReport {
        file: name.into(),
        encoding: encoding.into(),
        delimiter: match delimiter {
            b'\t' => "\\t".into(),
            d => (d as char).to_string(),
        },
        header,
        rows: table.rows(),
        columns: table.columns.len(),
        bytes: size,
        header_line: first_line,
        warnings: warnings.en,
        warnings_zh: warnings.zh,
        sheets: sheet.as_ref().map(|s| s.1.clone()).unwrap_or_default(),
        sheet: sheet.map(|s| s.0),
    };
    Ok((table, report))
}

#[derive(Debug)]
struct SplitColumns {
    raw: Vec<RawColumn>,
    /// Line number (1-based) where each kept record starts.
    lines: Vec<u64>,
    /// Column names from a header over two rows.
    joined: Option<Vec<String>>,
    /// Line of the table's first row.
    first_line: u64,
    notes: Notes,
}

/// Warnings in both languages, in the order they arose.
#[derive(Debug, Default)]
struct Notes {
    en: Vec<String>,
    zh: Vec<String>,
}

impl Notes {
    fn push(&mut self, en: String, zh: String) {
        self.en.push(en);
        self.zh.push(zh);
    }
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// What was done to a row that did not have the table's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Repair {
    /// Too few fields: padded with missing values.
    Padded,
    /// One field holding the whole row split on another delimiter.
    Split,
    /// A field holding the delimiter: the two pieces joined back.
    Merged,
    /// A stray quote swallowed lines: re-read with the quote kept literally.
    LiteralQuote,
    /// Extra values that could not be placed: the row is left out.
    Dropped,
}

impl Repair {
    fn words(self, n: usize, width: usize) -> (String, String) {
        let rows = if n == 1 {
            "1 row".to_string()
        } else {
            format!("{n} rows")
        };
        match self {
            Repair::Padded => (
                format!("{rows} had fewer than {width} fields: padded with missing values"),
                format!("{n} 行字段少于 {width} 个，已用缺失值补齐"),
            ),
            Repair::Split => (
                format!("{rows} held the whole row in one field with another delimiter: split into {width} fields"),
                format!("{n} 行整行在一个字段里、用了别的分隔符，已拆成 {width} 个字段"),
            ),
            Repair::Merged => (
                format!("{rows} had a value containing the delimiter: its pieces joined back"),
                format!("{n} 行有值内含分隔符，已把拆开的部分合回"),
            ),
            Repair::LiteralQuote => (
                format!("{rows} had a stray quote: kept as a character"),
                format!("{n} 行有孤立的引号，已按普通字符保留"),
            ),
            Repair::Dropped => (
                format!("{rows} had more than {width} fields that could not be placed: left out"),
                format!("{n} 行字段多于 {width} 个且无法确定归属，已略去"),
            ),
        }
    }
}

/// Where a record went, for taking footer lines back out.
#[derive(Debug, Clone, Copy)]
struct Placed {
    start: usize,
    line: u64,
    kept: bool,
    repair: Option<Repair>,
}

/// How many trailing records are examined as a possible footer.
const FOOTER_LINES: usize = 20;
/// Blank lines at which the loader looks for a second table, at most.
const BLANK_CHECKS: usize = 32;
/// Records (blank ones included) a look for a second table reads, at most:
/// a table below more empty rows than this is not looked for there.
const BLANK_ROWS_READ: usize = 2_000;

struct Splitter<'a> {
    width: usize,
    delimiter: u8,
    keep_tokens: bool,
    numeric: &'a [bool],
    raw: Vec<RawColumn>,
    lines: Vec<u64>,
    repairs: BTreeMap<Repair, Vec<u64>>,
    recent: std::collections::VecDeque<Placed>,
}

impl<'a> Splitter<'a> {
    /// Column buffers for the rows `body` likely has (from its first 64 KiB),
    /// not more: in wasm, reserved capacity is real memory.
    fn new(
        width: usize,
        delimiter: u8,
        keep_tokens: bool,
        numeric: &'a [bool],
        body: &[u8],
    ) -> Self {
        let sample = &body[..body.len().min(1 << 16)];
        let sample_lines = sample.iter().filter(|&&b| b == b'\n').count().max(1);
        let scale = body.len() as f64 / sample.len().max(1) as f64;
        let est_rows = (scale * sample_lines as f64 * 1.05) as usize + 16;
        // Each column's share of the sample's bytes (fields cut at every
        // delimiter, quotes or not: an estimate), so that a wide column's
        // buffer is not grown by doubling, each time copied (in the
        // threaded wasm build under the allocator's one lock).
        let mut bytes = vec![0usize; width];
        for line in sample.split(|&b| b == b'\n') {
            for (b, field) in bytes.iter_mut().zip(line.split(|&b| b == delimiter)) {
                *b += field.len();
            }
        }
        let sampled: usize = bytes.iter().sum();
        let column_bytes = |i: usize| {
            if sampled == 0 {
                body.len() / width.max(1)
            } else {
                (bytes[i] as f64 * scale * 1.05) as usize + 64
            }
        };
        Splitter {
            width,
            delimiter,
            keep_tokens,
            numeric,
            raw: (0..width)
                .map(|i| RawColumn::with_capacity(est_rows, column_bytes(i)))
                .collect(),
            lines: Vec::with_capacity(est_rows),
            repairs: BTreeMap::new(),
            recent: Default::default(),
        }
    }

    /// Appends what a piece read, its lines moved by `delta` (a piece counts
    /// its lines from its own start).
    fn append(&mut self, piece: Splitter, delta: u64) {
        for (to, from) in self.raw.iter_mut().zip(piece.raw) {
            to.append(from);
        }
        let moved = |l: u64| l.wrapping_add(delta);
        self.lines.extend(piece.lines.into_iter().map(moved));
        for (repair, lines) in piece.repairs {
            let to = self.repairs.entry(repair).or_default();
            to.extend(lines.into_iter().map(moved));
        }
        for placed in piece.recent {
            self.remember(Placed {
                line: moved(placed.line),
                ..placed
            });
        }
    }

    fn push_cell(&mut self, i: usize, s: &str) {
        let keep = self.keep_tokens;
        self.raw[i].push(if !keep && is_missing_token(s) { "" } else { s });
    }

    fn note(&mut self, start: usize, line: u64, kept: bool, repair: Option<Repair>) {
        if let Some(r) = repair {
            self.repairs.entry(r).or_default().push(line);
        }
        if kept {
            self.lines.push(line);
        }
        self.remember(Placed {
            start,
            line,
            kept,
            repair,
        });
    }

    /// Keeps the last `FOOTER_LINES` records placed, for `take_footer`.
    fn remember(&mut self, placed: Placed) {
        if self.recent.len() == FOOTER_LINES {
            self.recent.pop_front();
        }
        self.recent.push_back(placed);
    }

    /// A record of the wrong width, as owned cells: repaired and placed.
    fn place_odd(
        &mut self,
        mut cells: Vec<String>,
        start: usize,
        line: u64,
        repair: Option<Repair>,
    ) {
        let width = self.width;
        let mut repair = repair;
        while cells.len() > width && cells.last().is_some_and(|c| c.trim().is_empty()) {
            cells.pop();
        }
        if cells.len() == 1 && width > 1 {
            // A row delimited by spaces (or tabs, semicolons) in a comma file.
            let one = cells[0].clone();
            for split in [
                one.split_whitespace().collect::<Vec<_>>(),
                one.split(';').collect(),
                one.split('\t').collect(),
                one.split('|').collect(),
            ] {
                if split.len() == width {
                    cells = split.into_iter().map(str::to_string).collect();
                    repair = repair.or(Some(Repair::Split));
                    break;
                }
            }
        }
        if cells.len() < width {
            repair = repair.or(Some(Repair::Padded));
        }
        if cells.len() > width {
            match self.merge(&cells) {
                Some(m) => {
                    cells = m;
                    repair = repair.or(Some(Repair::Merged));
                }
                None => {
                    self.note(start, line, false, Some(Repair::Dropped));
                    return;
                }
            }
        }
        for i in 0..width {
            let c = cells.get(i).map_or("", |c| c.trim());
            self.push_cell(i, c);
        }
        self.note(start, line, true, repair);
    }

    /// Joins the run of fields that one value was cut into, when exactly one
    /// run gives a row whose every value fits its column (numbers in the
    /// numeric ones).
    fn merge(&self, cells: &[String]) -> Option<Vec<String>> {
        let extra = cells.len() - self.width;
        if extra > 3 {
            return None;
        }
        let d = (self.delimiter as char).to_string();
        let fits = |row: &[String]| {
            row.iter().enumerate().all(|(j, c)| {
                let c = c.trim();
                c.is_empty()
                    || !self.numeric.get(j).copied().unwrap_or(false)
                    || super::frame::typed(c)
            })
        };
        // Where several joins fit, the one that reads as written wins: prose
        // puts a space after the delimiter ("Smith, John"), amounts group
        // thousands ("1,234").
        let natural = |j: usize| {
            let joined = cells[j..=j + extra].join(&d);
            cells[j + 1..=j + extra].iter().all(|c| c.starts_with(' '))
                || super::infer::parse_number(joined.trim()).is_some()
        };
        let fitting: Vec<(usize, Vec<String>)> = (0..self.width)
            .filter_map(|j| {
                let mut row: Vec<String> = cells[..j].to_vec();
                row.push(cells[j..=j + extra].join(&d));
                row.extend_from_slice(&cells[j + extra + 1..]);
                fits(&row).then_some((j, row))
            })
            .collect();
        match fitting.len() {
            0 => None,
            1 => fitting.into_iter().next().map(|(_, r)| r),
            _ => {
                let mut natural: Vec<_> =
                    fitting.into_iter().filter(|(j, _)| natural(*j)).collect();
                (natural.len() == 1).then(|| natural.remove(0).1)
            }
        }
    }
}

/// `pieces`: the bytes of a piece when the body is read in pieces (tests
/// set it to read even a small file so); `None` decides by the threads.
fn split_columns(
    text: &str,
    delimiter: u8,
    file: &str,
    opts: &LoadOptions,
    keep_tokens: bool,
    pieces: Option<usize>,
    progress: &mut dyn Progress,
) -> Result<SplitColumns> {
    let frame = super::frame::find(text, delimiter, opts.skip_rows);
    let mut notes = Notes::default();
    if !frame.skipped.is_empty() {
        let n = frame.skipped.len();
        let shown: Vec<String> = frame
            .skipped
            .iter()
            .take(3)
            .map(|r| format!("«{}»", r.summary()))
            .collect();
        let shown = shown.join(", ");
        let last = frame.first_line - 1 - u64::from(frame.joined.is_some());
        notes.push(
            format!("skipped {n} lines above the header (lines 1–{last}): {shown}; set \"lines above the header\" to change this"),
            format!("跳过表头上方 {n} 行（第 1–{last} 行）：{shown}；可在“表头上方行数”中更改"),
        );
    }
    if let Some(names) = &frame.joined {
        let line = frame.first_line;
        notes.push(
            format!(
                "the header spans lines {} and {line}; column names were joined, e.g. '{}'",
                line - 1,
                names.last().map_or("", String::as_str)
            ),
            format!(
                "表头占第 {} 和 {line} 两行，列名已合并，例如“{}”",
                line - 1,
                names.last().map_or("", String::as_str)
            ),
        );
    }
    let width = frame.width.max(1);
    let body = &text[frame.start..];
    let mut walk = Walk::new(text, delimiter, &frame, false);
    progress.report("parse", 0.0);
    let from = super::records::Records::new(text, delimiter, frame.start).position();
    let piece = pieces.unwrap_or(PIECE_BYTES);
    let in_pieces = pieces.is_some() || body.len() > 2 * piece;
    // In pieces the columns take the pieces' parts: nothing to reserve here.
    let reserve = if in_pieces { &[][..] } else { body.as_bytes() };
    let mut sp = Splitter::new(width, delimiter, keep_tokens, &frame.numeric, reserve);
    if in_pieces {
        read_in_pieces(from, piece, &mut walk, &mut sp, &mut notes, progress);
    } else {
        walk.read(from, text.len(), usize::MAX, &mut sp, &mut notes, progress);
    }
    progress.report("parse", 1.0);
    take_footer(text, delimiter, &frame, opts, &mut sp, &mut notes);

    let dropped = sp.repairs.get(&Repair::Dropped).map_or(0, Vec::len);
    let odd: usize = sp.repairs.values().map(Vec::len).sum();
    let all_rows = sp.lines.len() + dropped;
    let tolerance = opts
        .ragged_tolerance
        .unwrap_or(DEFAULT_RAGGED_TOLERANCE)
        .max(0.0);
    // Refused only when the structure cannot be told: most rows disagree
    // with the table's width, or more rows than the tolerance are lost. A
    // tolerance raised above the share of odd rows accepts even a file
    // where most rows disagree: the analyst has looked and said so.
    let allowed = tolerance * all_rows as f64;
    let most_disagree = odd * 2 > all_rows.max(3) && odd as f64 > allowed;
    if odd > 0 && (dropped as f64 > allowed || most_disagree) {
        let mut bad: Vec<u64> = sp.repairs.values().flatten().copied().collect();
        bad.sort_unstable();
        return Err(Error::RaggedRows {
            file: file.into(),
            expected: width,
            rows: all_rows,
            total_bad: odd,
            bad: bad
                .into_iter()
                .take(SHOWN_BAD_LINES)
                .map(|line| BadLine {
                    line,
                    fields: field_count(text, delimiter, line),
                })
                .collect(),
        });
    }
    for (repair, lines) in &sp.repairs {
        let (en, zh) = repair.words(lines.len(), width);
        let shown: Vec<String> = lines
            .iter()
            .take(SHOWN_BAD_LINES)
            .map(u64::to_string)
            .collect();
        let shown = shown.join(", ");
        let word = if lines.len() == 1 { "line" } else { "lines" };
        notes.push(
            format!("{en} ({word} {shown})"),
            format!("{zh}（第 {shown} 行）"),
        );
    }
    Ok(SplitColumns {
        raw: sp.raw,
        lines: sp.lines,
        joined: frame.joined.clone(),
        first_line: frame.first_line,
        notes,
    })
}

/// Bytes of the body a piece holds at most (about) when a file is read on
/// several threads.
const PIECE_BYTES: usize = 1 << 21;
/// Where the pieces of the text from `from` start, and where the last one
/// ends: pieces of one size (at most `piece_bytes`), each ending after the
/// first line break past its length.
fn piece_cuts(bytes: &[u8], from: usize, piece_bytes: usize) -> Vec<usize> {
    let left = bytes.len().saturating_sub(from);
    let n = left.div_ceil(piece_bytes.max(1)).max(1);
    let step = left.div_ceil(n);
    let mut cuts = vec![from];
    for k in 1..n {
        // After the first line break at or past the k-th step's last byte.
        let target = from + k * step;
        let Some(i) = bytes
            .get(target - 1..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
        else {
            break;
        };
        let cut = target + i;
        if cut > cuts[cuts.len() - 1] && cut < bytes.len() {
            cuts.push(cut);
        }
    }
    if cuts[cuts.len() - 1] < bytes.len() {
        cuts.push(bytes.len());
    }
    cuts
}

/// A piece of the body read apart, as though the reading in order had
/// reached its first record; [`read_in_pieces`] keeps it only where it did.
struct Piece<'a> {
    /// Its first record's start (or where the next one would be, when it
    /// has none) and that record's line by the piece's own count.
    first: (usize, u64),
    /// Where the record after its last one starts, by its count.
    next: (usize, u64),
    /// A record it did not read: after a blank line (what it means depends
    /// on the rows above) or quoted past the next piece (read once, in
    /// order, rather than by every piece it covers); the reading in order
    /// goes on from there.
    stopped: Option<(usize, u64)>,
    limit: usize,
    sp: Splitter<'a>,
}

/// Reads the body from `from` in pieces cut at line breaks, on every
/// thread (each piece taken by the next thread to come free; the progress
/// moves as pieces end), and keeps what the reading in order would have
/// read: a piece whose first record is where the one before it ended is
/// appended; where a record ran across the cut (a quoted line break) or a
/// piece stopped at a blank line, that stretch is read again in order. So
/// the columns, lines, repairs and notes are the ones of one reading from
/// the top.
fn read_in_pieces(
    from: (usize, u64),
    piece_bytes: usize,
    walk: &mut Walk,
    sp: &mut Splitter,
    notes: &mut Notes,
    progress: &mut dyn Progress,
) {
    let (text, delimiter, frame) = (walk.text, walk.delimiter, walk.frame);
    let bytes = text.as_bytes();
    let piece_bytes = piece_bytes.max(1);
    let cuts = piece_cuts(bytes, from.0, piece_bytes);
    let ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    let (width, keep, numeric) = (sp.width, sp.keep_tokens, sp.numeric);
    let (total, done_before) = (ranges.len().max(1) as f64, from.0 as f64 / walk.total);
    let pieces = crate::par::map_reporting(
        ranges,
        |(start, limit)| {
            let mut sp = Splitter::new(width, delimiter, keep, numeric, &bytes[start..limit]);
            let mut walk = Walk::new(text, delimiter, frame, true);
            let next = walk.read(
                (start, 0),
                limit,
                piece_bytes,
                &mut sp,
                &mut Notes::default(),
                &mut (),
            );
            // Kept until typing: what was reserved beyond the strings goes back.
            sp.raw.iter_mut().for_each(RawColumn::shrink_to_fit);
            Piece {
                first: walk.first.unwrap_or(next),
                next,
                stopped: walk.stopped,
                limit,
                sp,
            }
        },
        |ended| {
            let share = done_before + (1.0 - done_before) * ended as f64 / total;
            progress.report("parse", share);
        },
    );
    let mut at = from;
    for piece in pieces {
        if walk.ended {
            break;
        }
        if piece.first.0 == at.0 {
            let delta = at.1.wrapping_sub(piece.first.1);
            sp.append(piece.sp, delta);
            at = (piece.next.0, piece.next.1.wrapping_add(delta));
            if let Some((start, line)) = piece.stopped {
                at = walk.read(
                    (start, line.wrapping_add(delta)),
                    piece.limit,
                    usize::MAX,
                    sp,
                    notes,
                    &mut (),
                );
            }
        } else if at.0 < piece.limit {
            at = walk.read(at, piece.limit, usize::MAX, sp, notes, &mut ());
        }
    }
    // The last piece ends at the text's end; should the reading in order
    // stop short of it, the rest is read in order.
    if at.0 < text.len() && !walk.ended {
        walk.read(at, text.len(), usize::MAX, sp, notes, &mut ());
    }
}

/// Records a call of [`Walk::records`] reads at most.
const RECORDS_A_CALL: usize = 16_384;

/// The record loop's state between calls.
struct Walk<'t> {
    text: &'t str,
    delimiter: u8,
    width: usize,
    frame: &'t super::frame::Frame,
    blank_checks: usize,
    since_report: u32,
    total: f64,
    /// Reading a piece apart: it stops at a record after a blank line
    /// (whether the table goes on there depends on what came before).
    piece: bool,
    /// The first record's start and line, read or not.
    first: Option<(usize, u64)>,
    /// Where a piece stopped: at a record after a blank line, or at a
    /// quoted one that ran on past its reach.
    stopped: Option<(usize, u64)>,
    /// The table has ended above the end of the text (a second table).
    ended: bool,
}

impl<'t> Walk<'t> {
    fn new(text: &'t str, delimiter: u8, frame: &'t super::frame::Frame, piece: bool) -> Self {
        Walk {
            text,
            delimiter,
            width: frame.width.max(1),
            frame,
            blank_checks: 0,
            since_report: 0,
            total: text.len().max(1) as f64,
            piece,
            first: None,
            stopped: None,
            ended: false,
        }
    }

    /// Reads the records that start from `from` (a record's start, with its
    /// line) up to `limit`; where the next record starts.
    /// A piece's record may run on `reach` bytes past its limit.
    fn read(
        &mut self,
        from: (usize, u64),
        limit: usize,
        reach: usize,
        sp: &mut Splitter,
        notes: &mut Notes,
        progress: &mut dyn Progress,
    ) -> (usize, u64) {
        let mut rec = super::records::Records::at(self.text, self.delimiter, from.0, from.1)
            .until(limit)
            .within(limit.saturating_add(reach));
        while self.records(&mut rec, sp, notes, progress, RECORDS_A_CALL) {}
        if rec.cut_short() {
            self.stopped = Some(rec.position());
        }
        rec.position()
    }

    /// Splits up to `n` records into `sp`; false once the table has ended
    /// (the text, or a second table below a blank line). A function of its
    /// own, called again and again: V8 runs a wasm function's optimised
    /// code from its next call on, so one call over a whole file would run
    /// all of it in the baseline compiler's code (twice as slow).
    #[inline(never)]
    fn records(
        &mut self,
        rec: &mut super::records::Records,
        sp: &mut Splitter,
        notes: &mut Notes,
        progress: &mut dyn Progress,
        n: usize,
    ) -> bool {
        let (text, delimiter, width) = (self.text, self.delimiter, self.width);
        let bytes = text.as_bytes();
        for _ in 0..n {
            let Some(span) = rec.next_record() else {
                return false;
            };
            let (start, line) = (span.start, span.line);
            self.first.get_or_insert((start, line));
            // A lone empty field is a blank line (e.g. trailing whitespace lines).
            if rec.len() == 1
                && rec.get(0).iter().all(u8::is_ascii_whitespace)
                && bytes.get(start) != Some(&b'"')
            {
                continue;
            }
            if self.piece && super::frame::after_blank_line(bytes, start) {
                self.stopped = Some((start, line));
                return false;
            }
            if !sp.lines.is_empty()
                && self.blank_checks < BLANK_CHECKS
                && super::frame::after_blank_line(bytes, start)
            {
                self.blank_checks += 1;
                if let Some(note) = second_table(text, delimiter, start, line, self.frame) {
                    notes.push(note.0, note.1);
                    self.ended = true;
                    return false;
                }
            }
            let fields = rec.len();
            let fits = fields == width
                || (fields > width && rec.iter().skip(width).all(|f| trim(f).is_empty()));
            if !fits {
                if rec.iter().any(|f| f.contains(&b'\n') || f.contains(&b'\r')) {
                    // A quote opened a field and swallowed lines: read those lines
                    // again with quotes as plain characters.
                    let end = span.end;
                    let chunk = &text[start..end.min(text.len())];
                    let mut literal = csv::ReaderBuilder::new()
                        .delimiter(delimiter)
                        .has_headers(false)
                        .flexible(true)
                        .quoting(false)
                        .from_reader(chunk.as_bytes());
                    let mut r = csv::ByteRecord::new();
                    let mut within = super::frame::LineCounter::default();
                    while matches!(literal.read_byte_record(&mut r), Ok(true)) {
                        let (_, l) = within.locate(
                            chunk.as_bytes(),
                            r.position().map_or(0, |p| p.byte() as usize),
                        );
                        let l = line + l - 1;
                        if r.len() == 1 && r.get(0).is_some_and(|f| trim(f).is_empty()) {
                            continue;
                        }
                        let quote = r.iter().any(|f| f.contains(&b'"'));
                        sp.place_odd(
                            lossy(r.iter()),
                            start,
                            l,
                            quote.then_some(Repair::LiteralQuote),
                        );
                    }
                } else {
                    sp.place_odd(lossy(rec.iter()), start, line, None);
                }
                continue;
            }
            // Whitespace is trimmed around unquoted cells (padded exports) but
            // kept inside quotes: which cells were quoted is found only for a
            // record with a cell that has any to trim, which is rare.
            let mut quoted: Option<Vec<Option<usize>>> = None;
            for i in 0..width {
                // A field read in place: trimmed, unless it was quoted.
                if let Some(s) = rec.in_place(i) {
                    sp.push_cell(i, if rec.quoted(i) { s } else { s.trim_ascii() });
                    continue;
                }
                // Past the last field `get` gives nothing: a missing value.
                let f = match rec.get(i) {
                    f if trim(f).len() == f.len() => f,
                    f => {
                        let q = quoted.get_or_insert_with(|| {
                            quoted_fields(&bytes[start..], delimiter, width)
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
                };
                sp.push_cell(i, std::str::from_utf8(f).unwrap_or(""));
            }
            sp.note(start, line, true, None);
            self.since_report += 1;
            if self.since_report >= 65_536 {
                self.since_report = 0;
                progress.report("parse", start as f64 / self.total);
            }
        }
        true
    }
}

/// Fields on a line of the file, for an error message.
fn field_count(text: &str, delimiter: u8, line: u64) -> usize {
    text.lines()
        .nth(line.saturating_sub(1) as usize)
        .map_or(0, |l| l.split(delimiter as char).count())
}

/// At a blank line inside the data: a second table (a header over numbers,
/// or rows of another width) or a block of notes ends the table here.
fn second_table(
    text: &str,
    delimiter: u8,
    start: usize,
    line: u64,
    frame: &super::frame::Frame,
) -> Option<(String, String)> {
    // Blank rows read count too: below a run of empty rows (a spreadsheet's
    // formatted cells, saved as delimiters) each of the 32 looks read the
    // rest of the file (1.5 MB of `,,` rows: 0.76 s).
    let (rest, whole) =
        super::frame::records_within(text, delimiter, (start, line), 50, BLANK_ROWS_READ);
    let first = rest.first()?;
    let width = frame.width;
    // Counted only when something is left out (it reads the rest of the file).
    let lines = || {
        text[start..]
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
    };
    let notes = whole && rest.len() < 50 && rest.iter().all(|r| super::frame::is_footer(r, frame));
    if notes && super::frame::footer_words_in(first) {
        let lines = lines();
        return Some((
            format!(
                "left out {lines} lines of notes below the data from line {line}: «{}»",
                first.summary()
            ),
            format!(
                "略去数据下方自第 {line} 行起的 {lines} 行说明：«{}»",
                first.summary()
            ),
        ));
    }
    let other_width = |r: &super::frame::Record| {
        r.cells.len() != width
            && !(r.cells.len() > width && r.cells[width..].iter().all(|c| c.trim().is_empty()))
    };
    let filled: Vec<(usize, &str)> = first
        .cells
        .iter()
        .enumerate()
        .map(|(j, c)| (j, c.trim()))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    let header_like = filled.len() >= 2
        && filled
            .iter()
            .all(|(_, c)| super::infer::parse_number(c).is_none())
        && filled
            .iter()
            .any(|(j, _)| frame.numeric.get(*j).copied().unwrap_or(false));
    let another =
        header_like || (rest.len() >= 2 && other_width(&rest[0]) && other_width(&rest[1]));
    if !another && notes {
        let lines = lines();
        return Some((
            format!(
                "left out {lines} lines of notes below the data from line {line}: «{}»",
                first.summary()
            ),
            format!(
                "略去数据下方自第 {line} 行起的 {lines} 行说明：«{}»",
                first.summary()
            ),
        ));
    }
    another.then(|| {
        let lines = lines();
        (
            format!("line {line}: a second table starts after a blank line («{}»); its {lines} lines were left out — save it as a file of its own to load it", first.summary()),
            format!("第 {line} 行：空行之后是另一张表（«{}»），其 {lines} 行已略去；如需分析请另存为单独的文件", first.summary()),
        )
    })
}

/// Takes totals and notes below the data back out of the columns.
fn take_footer(
    text: &str,
    delimiter: u8,
    frame: &super::frame::Frame,
    opts: &LoadOptions,
    sp: &mut Splitter,
    notes: &mut Notes,
) {
    if opts.footer_rows == Some(0) || sp.recent.is_empty() {
        return;
    }
    let last_line = sp.recent.back().map_or(0, |p| p.line);
    let first_line = sp.recent.front().map_or(0, |p| p.line);
    // The trailing records again, as cells, to judge them.
    let from = sp.recent.front().map_or(0, |p| p.start);
    let tail: Vec<super::frame::Record> =
        super::frame::records(text, delimiter, (from, first_line), FOOTER_LINES + 8)
            .into_iter()
            .filter(|r| r.line >= first_line && r.line <= last_line)
            .collect();
    let mut taken: Vec<super::frame::Record> = Vec::new();
    while let Some(placed) = sp.recent.back().copied() {
        let footer = match opts.footer_rows {
            Some(n) => taken.len() < n,
            None => tail
                .iter()
                .find(|r| r.line == placed.line)
                .is_some_and(|r| super::frame::is_footer(r, frame)),
        };
        // Never take the whole table.
        if !footer || sp.lines.len() <= usize::from(placed.kept) {
            break;
        }
        sp.recent.pop_back();
        if placed.kept {
            for c in &mut sp.raw {
                c.pop();
            }
            sp.lines.pop();
        }
        if let Some(r) = placed.repair {
            if let Some(v) = sp.repairs.get_mut(&r) {
                v.retain(|&l| l != placed.line);
                if v.is_empty() {
                    sp.repairs.remove(&r);
                }
            }
        }
        taken.push(
            tail.iter()
                .find(|r| r.line == placed.line)
                .cloned()
                .unwrap_or(super::frame::Record {
                    start: 0,
                    line: placed.line,
                    cells: Vec::new(),
                }),
        );
    }
    if let Some(first) = taken.last() {
        let n = taken.len();
        let (a, b) = (first.line, taken[0].line);
        let shown: Vec<String> = taken
            .iter()
            .rev()
            .take(3)
            .map(|r| format!("«{}»", r.summary()))
            .collect();
        let shown = shown.join(", ");
        notes.push(
            format!("left out {n} lines below the data (lines {a}–{b}): {shown}; set \"lines below the data\" to change this"),
            format!("略去数据下方 {n} 行（第 {a}–{b} 行）：{shown}；可在“数据下方行数”中更改"),
        );
    }
}

/// A record's fields as text, for the repairs (invalid UTF-8 replaced).
fn lossy<'a>(fields: impl Iterator<Item = &'a [u8]>) -> Vec<String> {
    fields
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
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

    /// Messy tables from a seed: quoted commas and line breaks, blank and
    /// whitespace lines, short, long and split rows, a quote that swallows
    /// lines, CRLF, padding, a second table or notes below a blank line.
    fn messy(seed: u64, rows: usize) -> String {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        let mut t = String::from("id,name,amount,date\n");
        // Every fourth table has a blank line in four: more than the
        // loader's 32 looks for a second table.
        let blank = if seed.is_multiple_of(4) { 4 } else { 40 };
        for i in 0..rows {
            let line = match next(40) {
                _ if next(blank) == 0 => String::new(),
                0 => String::new(),
                1 => "   ".into(),
                2 => format!("{i},\"Li, Wei\",{i}.5,2024-01-02"),
                3 => format!("{i},\"two\nlines\",{i},2024-01-02"),
                4 => format!("{i},short"),
                5 => format!("{i},Wang,1,000.50,2024-01-02"),
                6 => format!("{i} Zhao {i} 2024-01-02"),
                7 => format!("{i},\"open quote,{i},2024-01-02"),
                8 => format!("{i},Chen,{i},2024-01-02\r"),
                9 => format!(" {i} , Sun , {i} ,2024-01-02 "),
                10 => format!("{i},\"a \"\"b\"\" c\",{i},2024-01-02,,"),
                11 if next(3) == 0 => "\nbranch,manager\nBeijing,Wang\nShanghai,Zhao".into(),
                12 if next(3) == 0 => "\nNote: figures are unaudited".into(),
                13 => format!("{i},\"王\n芳\",{i},2024-01-02"),
                _ => format!(
                    "{i},周{},{i}.25,2024-01-0{}",
                    "明".repeat(1 + next(3) as usize),
                    1 + next(9)
                ),
            };
            t.push_str(&line);
            t.push('\n');
        }
        if next(2) == 0 {
            t.push_str("Total,,12345,\n");
        }
        t
    }

    /// A file given up (`load_owned`, freed once split) loads as one lent;
    /// past 4 MiB it is read in pieces on one thread as on two (the pieces'
    /// columns are shrunk as they go, so nothing is reserved for the whole
    /// file at once), the same table either way.
    #[test]
    fn a_file_given_up_loads_as_one_lent_on_any_thread_count() {
        let mut text = String::from("id,name,note,amount,opened\n");
        let mut n = 0u64;
        while text.len() < 9 << 20 {
            n += 1;
            let note = match n % 7 {
                0 => "\"a quoted, note\nover two lines\"".to_string(),
                1 => "客户 备注".to_string(),
                2 => String::new(),
                _ => format!("note {}", n % 113),
            };
            text.push_str(&format!(
                "{n},name{},{note},{}.{:02},2024-{:02}-{:02}\n",
                n % 1000,
                n % 10_000,
                n % 100,
                n % 12 + 1,
                n % 28 + 1
            ));
        }
        let opts = LoadOptions::default();
        let lent = crate::par::with_threads(1, || load(text.as_bytes(), "t.csv", &opts, &mut ()));
        let lent = lent.unwrap();
        assert_eq!(lent.0.rows() as u64, n);
        assert_eq!(lent.1.bytes, text.len());
        for threads in [1, 2] {
            let given = crate::par::with_threads(threads, || {
                load_owned(text.clone().into_bytes(), "t.csv", &opts, &mut ())
            });
            assert_eq!(given.unwrap(), lent, "{threads} thread(s)");
        }
    }

    /// Reading in pieces keeps what reading in order reads, wherever the
    /// cuts fall: seeded messy tables and the other parsers' suites, cut
    /// into pieces of a few bytes (every record crosses a cut somewhere).
    #[test]
    fn pieces_read_what_the_order_reads() {
        let mut texts: Vec<String> = (0..40)
            .map(|seed| messy(seed, 20 + seed as usize * 5))
            .collect();
        let suites =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/csv-suites");
        let mut dirs = vec![suites];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "csv" || e == "tsv") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        texts.push(text);
                    }
                }
            }
        }
        assert!(texts.len() > 300, "the suites are missing: {}", texts.len());
        let opts = LoadOptions::default();
        let mut compared = 0;
        for text in &texts {
            let delimiter = sniff_delimiter(text);
            let read = |pieces| {
                format!(
                    "{:?}",
                    split_columns(text, delimiter, "t.csv", &opts, false, pieces, &mut ())
                )
            };
            let whole = read(None);
            // Big files (1.5 MB in Papa Parse's) in bigger pieces only, to keep it quick.
            let sizes = if text.len() > 100_000 {
                vec![text.len() / 64]
            } else {
                vec![1, 2, 5, 13, 64, 4096]
            };
            for piece in sizes {
                assert_eq!(
                    read(Some(piece)),
                    whole,
                    "pieces of {piece} bytes in {text:?}"
                );
                compared += 1;
            }
        }
        assert!(compared > 1500);
    }

    /// Lines of 2 bytes in pieces of 40 from either start: pieces of 40
    /// bytes exactly, each cut after a line break; longer lines end a piece
    /// after the line its length reaches into; none empty.
    #[test]
    fn pieces_of_one_size() {
        let text = "a\n".repeat(400);
        for from in [0, 400] {
            let cuts = piece_cuts(text.as_bytes(), from, 40);
            assert_eq!((cuts[0], cuts.last()), (from, Some(&800)), "{cuts:?}");
            assert!(cuts.iter().all(|c| c % 2 == 0), "{cuts:?}");
            let lengths: Vec<usize> = cuts.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(lengths.iter().all(|&l| l == 40), "{lengths:?}");
        }
        // Longer lines: a piece ends after the line its length reaches into.
        let cuts = piece_cuts(text.repeat(2).replace("a\na\n", "aaa\n").as_bytes(), 0, 50);
        let lengths: Vec<usize> = cuts.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            lengths.iter().all(|&l| (48..=52).contains(&l)),
            "{lengths:?}"
        );
        // A text ending on a line's end has no empty last piece.
        let lines = "123456789\n".repeat(40);
        let cuts = piece_cuts(lines.as_bytes(), 0, 20);
        assert_eq!(cuts, (0..=400).step_by(20).collect::<Vec<_>>());
        assert_eq!(piece_cuts(lines.as_bytes(), 400, 20), [400]);
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
    fn a_tolerance_above_the_odd_share_accepts_a_mostly_ragged_file() {
        let s = "a,b\n1,2\n3\n4,5,6\n";
        let opts = LoadOptions {
            ragged_tolerance: Some(0.7),
            ..Default::default()
        };
        let (t, r) = load_str(s, &opts).unwrap();
        // The short row padded, the long one (no join of 5,6 fits) left out.
        assert_eq!(t.rows(), 2);
        assert!(t.columns[1].is_missing(1));
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        assert!(
            r.warnings.iter().any(|w| w.contains("line 4")),
            "{:?}",
            r.warnings
        );
        // The records are counted before the header is known (4 here): at
        // 20 % the one row left out is past the tolerance.
        let opts = LoadOptions {
            ragged_tolerance: Some(0.2),
            ..Default::default()
        };
        assert_eq!(load_str(s, &opts).unwrap_err().code(), "ragged_rows");
        assert_eq!(
            load_str(s, &LoadOptions::default()).unwrap_err().code(),
            "ragged_rows"
        );
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

    /// Typing moves the progress bar as each column ends, and the first bad
    /// column in column order is the one told even when a later column
    /// fails too (on a pool of three threads).
    #[test]
    fn types_report_progress_by_column_and_the_first_failure() {
        let width: usize = 20;
        let header: Vec<String> = (0..width).map(|j| format!("c{j}")).collect();
        let row: Vec<String> = (0..width).map(|j| j.to_string()).collect();
        let text = format!(
            "{}\n{}\n{}\n",
            header.join(","),
            row.join(","),
            row.join(",")
        );
        let mut seen = Vec::new();
        // From the test's own thread: the columns go to the global pool and
        // each one's end moves the bar.
        load(
            text.as_bytes(),
            "wide.csv",
            &LoadOptions::default(),
            &mut crate::Callback(|s: &str, f| {
                if s == "types" {
                    seen.push(f)
                }
            }),
        )
        .unwrap();
        let want: Vec<f64> = (0..=width).map(|k| k as f64 / width as f64).collect();
        assert_eq!(seen, want);
        let mut opts = LoadOptions::default();
        opts.types.insert("c2".into(), ColumnKind::Numeric);
        opts.types.insert("c17".into(), ColumnKind::Numeric);
        let bad = text.replace("\n0,1,2,", "\n0,1,x,").replace(",17,", ",y,");
        let e = crate::par::with_threads(3, || load(bad.as_bytes(), "wide.csv", &opts, &mut ()))
            .unwrap_err();
        assert_eq!(e.column(), Some("c2"));
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
