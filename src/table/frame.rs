//! Where the table sits in a file as bank staff receive it: title and
//! account lines above the header, a header over two rows, totals and notes
//! below the data. Decided from the first records (and, for footers, the
//! last ones) so that the split itself stays one pass.

use super::infer::parse_number;

/// One record as read for framing: where it starts and its cells.
#[derive(Debug, Clone)]
pub(super) struct Record {
    /// Byte offset of its first byte in the decoded text.
    pub start: usize,
    /// 1-based line it starts on.
    pub line: u64,
    pub cells: Vec<String>,
}

impl Record {
    fn width(&self) -> usize {
        self.cells.len()
    }
    fn filled(&self) -> usize {
        self.cells.iter().filter(|c| !c.trim().is_empty()).count()
    }
    /// The record as one line of text for a report: its filled cells.
    pub fn summary(&self) -> String {
        let s: Vec<&str> = self
            .cells
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        let s = s.join(" ");
        match s.char_indices().nth(40) {
            Some((i, _)) => format!("{}…", &s[..i]),
            None => s,
        }
    }
    fn blank(&self) -> bool {
        self.filled() == 0
    }
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Line numbers from byte offsets, counted forward (the `csv` crate's own
/// positions point at the blank lines it skipped, not at the record).
#[derive(Debug, Default)]
pub(super) struct LineCounter {
    at: usize,
    newlines: u64,
}

impl LineCounter {
    /// Counting from byte `at`, which starts line `line` (1-based): the
    /// bytes before it need not be read again.
    pub fn from(at: usize, line: u64) -> Self {
        LineCounter {
            at,
            newlines: line.saturating_sub(1),
        }
    }

    /// The record found at `at` (which may point at skipped blank lines):
    /// its real first byte and its 1-based line.
    pub fn locate(&mut self, text: &[u8], mut at: usize) -> (usize, u64) {
        while matches!(text.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        if at >= self.at {
            self.newlines += text[self.at..at].iter().filter(|&&b| b == b'\n').count() as u64;
        } else {
            self.newlines = text[..at].iter().filter(|&&b| b == b'\n').count() as u64;
        }
        self.at = at;
        (at, self.newlines + 1)
    }
}

/// Up to `limit` records from byte `from` on, which starts line `line`
/// (blank lines left out).
pub(super) fn records(
    text: &str,
    delimiter: u8,
    (from, line): (usize, u64),
    limit: usize,
) -> Vec<Record> {
    records_within(text, delimiter, (from, line), limit, usize::MAX).0
}

/// `records`, reading at most `most` records, blank ones included; and
/// whether it read on to `limit` records or the end of the text (false
/// when it stopped at `most`).
pub(super) fn records_within(
    text: &str,
    delimiter: u8,
    (from, line): (usize, u64),
    limit: usize,
    most: usize,
) -> (Vec<Record>, bool) {
    let Some(rest) = text.get(from..) else {
        return (Vec::new(), true);
    };
    let mut lines = LineCounter::from(from, line);
    let mut rdr = reader(rest, delimiter);
    let mut rec = csv::StringRecord::new();
    let mut out = Vec::new();
    let mut read = 0;
    while out.len() < limit {
        if read == most {
            return (out, false);
        }
        read += 1;
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            _ => break,
        }
        let at = from + rec.position().map_or(0, |p| p.byte() as usize);
        let (start, line) = lines.locate(text.as_bytes(), at);
        let r = Record {
            start,
            line,
            cells: rec.iter().map(str::to_string).collect(),
        };
        if !r.blank() {
            out.push(r);
        }
    }
    (out, true)
}

/// Whether the record at `start` follows a blank line.
pub(super) fn after_blank_line(text: &[u8], start: usize) -> bool {
    let mut i = start;
    match text.get(i.wrapping_sub(1)) {
        Some(b'\n') => {
            i -= 1;
            if text.get(i.wrapping_sub(1)) == Some(&b'\r') {
                i -= 1;
            }
        }
        Some(b'\r') => i -= 1,
        _ => return false,
    }
    while i > 0 && matches!(text[i - 1], b' ' | b'\t' | b',' | b';' | b'\r') {
        i -= 1;
    }
    i > 0 && text[i - 1] == b'\n'
}

/// What framing decided.
#[derive(Debug, Clone, Default)]
pub(super) struct Frame {
    /// Byte offset and line of the table's first row (its header, or the
    /// second header row when two were joined).
    pub start: usize,
    pub first_line: u64,
    /// Fields per row of the table.
    pub width: usize,
    /// Records above the table, left out.
    pub skipped: Vec<Record>,
    /// Column names joined from a header over two rows.
    pub joined: Option<Vec<String>>,
    /// Per column: every filled value of the sampled data rows is a number
    /// or a date.
    pub numeric: Vec<bool>,
    /// Filled cells of a typical data row.
    pub typical_filled: usize,
}

const SAMPLE: usize = 400;

/// Finds the table. `skip_lines`: the user's count of lines above the header
/// (0 turns the search off).
pub(super) fn find(text: &str, delimiter: u8, skip_lines: Option<usize>) -> Frame {
    let recs = records(text, delimiter, (0, 1), SAMPLE);
    let Some(width) = modal(recs.iter().map(Record::width).filter(|&w| w > 1)) else {
        let width = recs.first().map_or(0, Record::width);
        return Frame {
            width,
            typical_filled: 1,
            numeric: vec![false; width],
            ..Frame::default()
        };
    };
    let typical = modal(
        recs.iter()
            .filter(|r| r.width() == width)
            .map(Record::filled),
    )
    .unwrap_or(width);
    let table_like = |r: &Record| {
        r.width() + 1 >= width
            && r.filled() >= 2
            && r.filled() * 2 >= typical
            // "账号：6222…" lines: every cell a key and its value.
            && !r.cells.iter().filter(|c| !c.trim().is_empty()).all(|c| {
                c.trim().trim_end_matches([':', '：']).contains([':', '：'])
            })
    };
    let h = match skip_lines {
        Some(n) => recs
            .iter()
            .position(|r| r.line > n as u64)
            .unwrap_or(recs.len()),
        // The search stops at the first row of numbers: titles are words.
        None => (0..recs.len())
            .find(|&i| {
                all_numbers(&recs[i])
                    || table_like(&recs[i])
                        && recs.get(i + 1).is_none_or(|r| r.width() + 1 >= width)
            })
            .unwrap_or(0),
    };
    let Some(head) = recs.get(h) else {
        return Frame {
            width,
            typical_filled: typical,
            numeric: vec![false; width],
            ..Frame::default()
        };
    };
    let numeric_from = |from: usize| -> Vec<bool> {
        (0..width)
            .map(|j| {
                let mut any = false;
                let all = recs[from.min(recs.len())..]
                    .iter()
                    .filter(|r| r.width() == width)
                    .take(200)
                    .filter_map(|r| r.cells.get(j).map(|c| c.trim()))
                    .filter(|c| !c.is_empty())
                    .all(|c| {
                        any = true;
                        typed(c)
                    });
                all && any
            })
            .collect()
    };
    let mut frame = Frame {
        start: head.start,
        first_line: head.line,
        width: width.max(trimmed(head)),
        skipped: recs[..h].to_vec(),
        joined: None,
        numeric: numeric_from(h + 1),
        typical_filled: typical,
    };
    // A header over two rows: the upper one spans cells (empty ones between
    // names, as merged cells export), the lower names every column, and some
    // column is numbers or dates below it. The upper row may have been taken
    // for a title line (it is sparse), or be the row found.
    let join = |upper: &Record, lower: &Record, below: usize| -> Option<Vec<String>> {
        // One label in the first cell over every column is a title (an
        // Excel title merged across the sheet), not a group of columns.
        let title =
            upper.filled() == 1 && upper.cells.first().is_some_and(|c| !c.trim().is_empty());
        let spans = upper.filled() >= 1
            && !title
            && upper.width() <= width
            && upper.width() + 1 >= width
            && (0..width).any(|j| upper.cells.get(j).is_none_or(|c| c.trim().is_empty()));
        let names_all = lower.width() >= width
            && lower.cells[..width]
                .iter()
                .all(|c| !c.trim().is_empty() && !typed(c.trim()));
        let typed_below = numeric_from(below);
        if !(spans && names_all && typed_below.iter().any(|&t| t)) {
            return None;
        }
        let mut top = String::new();
        Some(
            (0..width)
                .map(|j| {
                    let up = upper.cells.get(j).map_or("", |c| c.trim());
                    if !up.is_empty() {
                        top = up.to_string();
                    }
                    let low = lower.cells[j].trim();
                    if top.is_empty() || top == low {
                        low.to_string()
                    } else {
                        format!("{top}_{low}")
                    }
                })
                .collect(),
        )
    };
    let pair = if h > 0 && skip_lines.is_none() {
        join(&recs[h - 1], head, h + 1).map(|names| (names, h - 1, head))
    } else {
        None
    }
    .or_else(|| {
        let lower = recs.get(h + 1)?;
        join(head, lower, h + 2).map(|names| (names, h, lower))
    });
    if let Some((names, upper, lower)) = pair {
        frame.joined = Some(names);
        frame.skipped.truncate(upper);
        frame.start = lower.start;
        frame.first_line = lower.line;
        frame.numeric = numeric_from(h + 2);
        if upper < h {
            frame.numeric = numeric_from(h + 1);
        }
    }
    frame.numeric.resize(frame.width, false);
    frame
}

/// A number or a date: what a data cell is and a header name is not.
pub(super) fn typed(c: &str) -> bool {
    parse_number(c).is_some() || super::infer::parse_date(c).is_some()
}

fn all_numbers(r: &Record) -> bool {
    r.filled() > 0
        && r.cells
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .all(|c| parse_number(c).is_some())
}

fn trimmed(r: &Record) -> usize {
    r.cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1)
}

/// The most frequent value (the larger one on a tie).
fn modal(values: impl Iterator<Item = usize>) -> Option<usize> {
    let mut counts = std::collections::BTreeMap::<usize, usize>::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(v, n)| (n, v))
        .map(|(v, _)| v)
}

fn first_filled(r: &Record) -> Vec<&str> {
    r.cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .take(2)
        .collect()
}

/// The record starts with a footer's words (合计, 共 N 笔, Total: …).
pub(super) fn footer_words_in(r: &Record) -> bool {
    first_filled(r).iter().any(|c| footer_words(c))
}

/// A line below the data: totals, counts, notes, export stamps.
pub(super) fn is_footer(r: &Record, frame: &Frame) -> bool {
    let first = first_filled(r);
    if first.iter().any(|c| footer_words(c)) {
        return true;
    }
    // A short line far narrower than the table ("第1页 共3页", a signature).
    let short = r.width() * 2 < frame.width && r.filled() * 2 < frame.typical_filled.max(2);
    let rule = first.iter().all(|c| {
        c.chars()
            .all(|ch| matches!(ch, '-' | '=' | '*' | '_' | ' '))
    });
    short || (!first.is_empty() && rule)
}

fn footer_words(cell: &str) -> bool {
    const ZH: [&str; 18] = [
        "合计",
        "总计",
        "小计",
        "合計",
        "總計",
        "共计",
        "汇总",
        "总笔数",
        "总金额",
        "备注",
        "注：",
        "注:",
        "说明",
        "数据来源",
        "导出时间",
        "打印时间",
        "制表",
        "本页",
    ];
    const EN: [&str; 7] = [
        "total",
        "totals",
        "grand total",
        "subtotal",
        "sum",
        "count",
        "note",
    ];
    let c = cell.trim_start_matches(['*', '#', '-', '=', ' ', '【', '[', '(']);
    if ZH.iter().any(|w| c.starts_with(w)) {
        return true;
    }
    // 共 12 笔 / 共12条记录
    if let Some(rest) = c.strip_prefix('共') {
        let rest = rest.trim_start();
        let digits = rest.chars().take_while(|ch| ch.is_ascii_digit()).count();
        if digits > 0 {
            let unit = rest[digits..].trim_start();
            return ["笔", "条", "项", "行", "户", "人", "个", "页"]
                .iter()
                .any(|u| unit.starts_with(u));
        }
    }
    let lower = c.to_lowercase();
    EN.iter().any(|w| {
        // "Total: 3", "total 1,200" — not "Total Care" or "Count Basie".
        lower.strip_prefix(w).is_some_and(|rest| {
            let next = rest.trim_start().chars().next();
            next.is_none_or(|ch| ch.is_ascii_digit() || matches!(ch, ':' | '：' | '(' | '（'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_header_below_a_title_and_account_lines() {
        let s = "中国某银行 账户交易明细\n账号：6222000011112222\n起止日期：2024-01-01 至 2024-03-31\n\n交易日期,摘要,金额,余额\n2024-01-02,工资,8000.00,9000.00\n2024-01-05,消费,-120.50,8879.50\n";
        let f = find(s, b',', None);
        assert_eq!(f.skipped.len(), 3);
        assert_eq!(f.first_line, 5);
        assert_eq!(f.width, 4);
        assert_eq!(f.numeric, vec![true, false, true, true]);
    }

    #[test]
    fn excel_padded_preamble_and_two_row_header() {
        let s = "客户资产报表,,,\n,基本信息,资产,\n客户号,姓名,存款,理财\n1,张三,100,200\n2,李四,300,400\n";
        let f = find(s, b',', None);
        assert_eq!(f.skipped.len(), 1);
        assert_eq!(
            f.joined.unwrap(),
            vec!["客户号", "基本信息_姓名", "资产_存款", "资产_理财"]
        );
        assert_eq!(f.first_line, 3);
    }

    #[test]
    fn plain_files_are_left_alone() {
        let f = find("a,b,c\n1,2,3\n4,5,6\n", b',', None);
        assert_eq!((f.start, f.skipped.len(), f.width), (0, 0, 3));
        assert!(f.joined.is_none());
        let f = find("x\n1\n2\n", b',', None);
        assert_eq!((f.start, f.width), (0, 1));
    }

    #[test]
    fn footer_lines() {
        let f = find("a,b,c\n1,2,3\n", b',', None);
        let rec = |s: &str| Record {
            start: 0,
            line: 1,
            cells: s.split(',').map(str::to_string).collect(),
        };
        for s in [
            "合计,,300.00",
            "共 12 笔",
            "Total: 3",
            "第1页",
            "------,,",
            "导出时间：2024-04-01",
        ] {
            assert!(is_footer(&rec(s), &f), "{s}");
        }
        for s in ["1,2,3", "共同基金,2,3", "totally,2,3", "7,,"] {
            assert!(!is_footer(&rec(s), &f), "{s}");
        }
    }

    #[test]
    fn blank_line_before() {
        let s = b"a,b\n1,2\n\nc,d\n";
        assert!(after_blank_line(s, 9));
        assert!(!after_blank_line(s, 4));
        assert!(!after_blank_line(s, 0));
    }
}
