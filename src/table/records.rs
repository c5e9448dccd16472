//! The data's records, one at a time, as the `csv` crate reads them.
//!
//! Most lines of a customer export hold no quote: such a line is split on
//! the delimiter where it lies in the text (no copy, no UTF-8 check — the
//! text is already `str` and the cuts fall on ASCII bytes). Any other record
//! (a quote, a carriage return inside the line) goes through `csv_core`
//! with the `csv` crate's settings, so the fields are the ones it would
//! give: `tests/csv_suites.rs` holds both paths to the other parsers' cells.

use std::ops::Range;

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

pub(super) struct Records<'a> {
    text: &'a str,
    delimiter: u8,
    /// The next byte to read, and its 1-based line.
    pos: usize,
    line: u64,
    /// No record starts at or past this byte (a piece of the text read
    /// apart); a record that starts before it is read whole, unless it runs
    /// past `reach`: then it is left unread and `cut` set.
    limit: usize,
    reach: usize,
    cut: bool,
    core: Reader,
    /// A record read by `csv_core`: its unquoted bytes and field ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The current record's fields: ranges of `text`, or of `out` when `copied`.
    fields: Vec<Range<usize>>,
    /// Which fields of a line read in place were quoted (empty for a line
    /// without quotes).
    quoted: Vec<bool>,
    copied: bool,
}

/// Where a record lies: its first byte (past skipped blank lines), the byte
/// after it (its line end included), and its first line.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
    pub line: u64,
}

impl<'a> Records<'a> {
    /// Reading `text` from byte `from` (a record's start).
    pub fn new(text: &'a str, delimiter: u8, from: usize) -> Self {
        let before = &text.as_bytes()[..from.min(text.len())];
        let line = 1 + memchr::memchr_iter(b'\n', before).count() as u64;
        Records::at(text, delimiter, from, line)
    }

    /// Reading `text` from byte `from` (a record's start), which is on `line`.
    pub fn at(text: &'a str, delimiter: u8, from: usize, line: u64) -> Self {
        Records {
            text,
            delimiter,
            pos: from,
            line,
            limit: text.len(),
            reach: text.len(),
            cut: false,
            core: ReaderBuilder::new().delimiter(delimiter).build(),
            // Grown at the first quoted record: a piece of a file may have none.
            out: Vec::new(),
            ends: Vec::new(),
            fields: Vec::new(),
            quoted: Vec::new(),
            copied: false,
        }
    }

    /// Moves to the next record; `None` at the end of the text.
    pub fn next_record(&mut self) -> Option<Span> {
        let b = self.text.as_bytes();
        // Blank lines are skipped, as `csv_core` does.
        while let Some(&c) = b.get(self.pos) {
            match c {
                b'\n' => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            self.pos += 1;
        }
        if self.pos >= self.limit.min(b.len()) {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        // The line ends at the first \n, \r\n or lone \r (`csv_core`'s
        // terminators; a search for \n alone crossed the whole rest of a file
        // whose lines end in \r, at every line).
        let end = memchr::memchr2(b'\n', b'\r', &b[start..]).map(|i| start + i);
        let content_end = end.unwrap_or(b.len());
        let content = &b[start..content_end];
        self.fields.clear();
        self.quoted.clear();
        let plain = memchr::memchr(b'"', content).is_none();
        if plain {
            let mut from = start;
            for i in memchr::memchr_iter(self.delimiter, content) {
                self.fields.push(from..start + i);
                from = start + i + 1;
            }
            self.fields.push(from..content_end);
        }
        if plain || self.split_quoted(start, content) {
            self.copied = false;
            self.pos = match end {
                None => b.len(),
                Some(e) if b[e] == b'\r' && b.get(e + 1) == Some(&b'\n') => e + 2,
                Some(e) => e + 1,
            };
            // Lines are counted by \n, as `read_core` counts them.
            self.line += u64::from(self.pos > start && b[self.pos - 1] == b'\n');
        } else if !self.read_core(start) {
            self.cut = true;
            return None;
        }
        Some(Span {
            start,
            end: self.pos,
            line,
        })
    }

    /// A line whose quotes only wrap whole fields (`"R001",30,"女"`, as DB2
    /// and most exports quote text) split where it lies: a quoted field is
    /// the text between its quotes, as `csv_core` reads it. Anything else —
    /// a doubled quote, a quote inside a field or not closed on the line,
    /// text after a closing quote — is left to `csv_core` (false, nothing
    /// kept).
    fn split_quoted(&mut self, start: usize, content: &[u8]) -> bool {
        let d = self.delimiter;
        let mut i = 0;
        let whole = loop {
            let rest = &content[i..];
            if rest.first() == Some(&b'"') {
                let Some(close) = memchr::memchr(b'"', &rest[1..]) else {
                    break false;
                };
                let after = i + 1 + close + 1;
                self.fields.push(start + i + 1..start + after - 1);
                self.quoted.push(true);
                match content.get(after) {
                    None => break true,
                    Some(&c) if c == d => i = after + 1,
                    Some(_) => break false,
                }
            } else {
                let end = memchr::memchr(d, rest).map_or(content.len(), |j| i + j);
                if memchr::memchr(b'"', &content[i..end]).is_some() {
                    break false;
                }
                self.fields.push(start + i..start + end);
                self.quoted.push(false);
                if end == content.len() {
                    break true;
                }
                i = end + 1;
            }
        };
        if !whole {
            self.fields.clear();
            self.quoted.clear();
        }
        whole
    }

    /// One record through `csv_core`, from `start` to its terminator;
    /// false, and nothing read, when it runs past `reach`.
    fn read_core(&mut self, start: usize) -> bool {
        let whole = self.reach >= self.text.len();
        let input = &self.text.as_bytes()[start..self.reach.clamp(start, self.text.len())];
        if self.out.is_empty() {
            self.out.resize(1 << 12, 0);
            self.ends.resize(64, 0);
        }
        self.core.reset();
        let (mut nin, mut nout, mut nend) = (0, 0, 0);
        loop {
            let (res, i, o, e) =
                self.core
                    .read_record(&input[nin..], &mut self.out[nout..], &mut self.ends[nend..]);
            nin += i;
            nout += o;
            nend += e;
            match res {
                // All the rest was given: the next call, with nothing, ends the record.
                ReadRecordResult::InputEmpty if whole => {}
                ReadRecordResult::InputEmpty => {
                    self.fields.clear();
                    return false;
                }
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        let mut from = 0;
        for &end in &self.ends[..nend] {
            self.fields.push(from..end);
            from = end;
        }
        self.copied = true;
        self.line += memchr::memchr_iter(b'\n', &input[..nin]).count() as u64;
        self.pos = start + nin;
        true
    }

    /// Stops before the first record that starts at or past `limit`.
    pub fn until(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// A quoted record may run to this byte at most (a piece's reading
    /// stops there rather than read on into the pieces after it).
    pub fn within(mut self, reach: usize) -> Self {
        self.reach = reach;
        self
    }

    /// Whether the reading stopped at a record that ran past `reach`.
    pub fn cut_short(&self) -> bool {
        self.cut
    }

    /// The next byte to read and its line: where the next record starts
    /// once `next_record` has returned `None`.
    pub fn position(&self) -> (usize, u64) {
        (self.pos, self.line)
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `i`'s bytes (empty past the last field).
    pub fn get(&self, i: usize) -> &[u8] {
        let Some(r) = self.fields.get(i) else {
            return &[];
        };
        let from = if self.copied {
            &self.out
        } else {
            self.text.as_bytes()
        };
        from.get(r.clone()).unwrap_or(&[])
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Whether field `i` of a record read in place was quoted: its text is
    /// what was inside the quotes, whitespace and all.
    pub fn quoted(&self, i: usize) -> bool {
        self.quoted.get(i) == Some(&true)
    }

    /// Field `i` as text where it lies in the text (`None` when the record
    /// was copied out by `csv_core`; `""` past the last field).
    pub fn in_place(&self, i: usize) -> Option<&'a str> {
        if self.copied {
            return None;
        }
        let text: &'a str = self.text;
        Some(
            self.fields
                .get(i)
                .and_then(|r| text.get(r.clone()))
                .unwrap_or(""),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both paths against the `csv` crate, record by record, with positions.
    #[test]
    fn records_are_the_csv_crates() {
        let texts = [
            "a,b,c\n1,2,3\n",
            "a,b\r\n1,2\r\n\r\n\n3,4",
            "x,\"q,uoted\",z\n\"multi\nline\",2,3\n4,5,6\r\n",
            "a;b\n1;\"\"\"\"\n",
            "one\rtwo\rthree\n",
            "a,b\n,\n,,\n  \n\"\"\n",
            "a,\"b\" tail,c\nd,e\"f,g\n",
            "\n\n\na,b",
            "\"unterminated,1\n2,3\n",
            "a,b\rc,d\r\ne,f\r",
            "1,2\r3,4\n5,6\r\r\n7,\"8\r9\"\r10,11",
            // Quotes around whole fields (read in place), and every near miss.
            "\"R1\",30,\"女\",,\"a,b\"\n\"\",1,\" x y \"\n\"a\",\n,\"b\"\r\n\"c\"",
            "\"a\"\"b\",1\n\"a\" ,b\n \"a\",b\na,b\"c,d\n\"a\"b,c\n\"\"\"\",x\n",
            "x,\"open\n1,2\n",
            "\"a\"\r\"b\",\"c\r\nd\",e\n\"f\"",
            "a;\"b;c\";\"\"\n",
        ];
        for text in texts {
            let delimiter = if text.contains(';') { b';' } else { b',' };
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut want = Vec::new();
            let mut rec = csv::ByteRecord::new();
            while rdr.read_byte_record(&mut rec).unwrap() {
                let fields: Vec<Vec<u8>> = rec.iter().map(<[u8]>::to_vec).collect();
                want.push((fields, rdr.position().byte() as usize));
            }
            let mut ours = Records::new(text, delimiter, 0);
            let mut got = Vec::new();
            while let Some(span) = ours.next_record() {
                let fields: Vec<Vec<u8>> = ours.iter().map(<[u8]>::to_vec).collect();
                got.push((fields, span.end));
            }
            // The ends may differ only by terminator bytes (`csv` stops after a `\r`).
            assert_eq!(got.len(), want.len(), "{text:?}");
            for ((f, end), (wf, wend)) in got.iter().zip(&want) {
                assert_eq!(f, wf, "{text:?}");
                assert!(
                    end >= wend && text[*wend..*end].bytes().all(|c| c == b'\r' || c == b'\n'),
                    "{text:?}: {end} / {wend}"
                );
            }
        }
    }

    /// A line whose quotes wrap whole fields is read in place (no copy),
    /// its quoted fields marked; a doubled quote goes to `csv_core`.
    #[test]
    fn whole_field_quotes_are_read_in_place() {
        let text = "\"R1\", 30 ,\" 女 \"\n\"a\"\"b\",1,2\n";
        let mut r = Records::new(text, b',', 0);
        r.next_record();
        let fields: Vec<_> = (0..3).map(|i| (r.in_place(i), r.quoted(i))).collect();
        assert_eq!(
            fields,
            [
                (Some("R1"), true),
                (Some(" 30 "), false),
                (Some(" 女 "), true)
            ]
        );
        r.next_record();
        assert_eq!((r.in_place(0), r.get(0)), (None, &b"a\"b"[..]));
        assert!(!r.quoted(0));
    }

    #[test]
    fn lines_count_from_the_start() {
        let text = "h1,h2\n\n1,2\n\"a\nb\",3\n4,5\n";
        let mut r = Records::new(text, b',', 6);
        let lines: Vec<u64> = std::iter::from_fn(|| r.next_record().map(|s| s.line)).collect();
        assert_eq!(lines, vec![3, 4, 6]);
        // Lines are counted at \n: a lone \r ends a record, not a line.
        let mut r = Records::new("h\r1\n2\r\n3", b',', 0);
        let lines: Vec<u64> = std::iter::from_fn(|| r.next_record().map(|s| s.line)).collect();
        assert_eq!(lines, vec![1, 1, 2, 3]);
    }

    #[test]
    fn a_piece_stops_at_its_limit_and_its_reach() {
        let text = "1,2\n3,\"4\n5\"\n6,7\n8,\"9\n\n\n\n\n10\"\n";
        // Records that start before the limit are read whole, even across it.
        let mut r = Records::at(text, b',', 0, 1).until(6);
        let ends: Vec<usize> = std::iter::from_fn(|| r.next_record().map(|s| s.end)).collect();
        assert_eq!(ends, vec![4, 12]);
        assert_eq!(r.position(), (12, 4));
        assert!(!r.cut_short());
        // A quoted record that runs past the reach is left unread.
        let mut r = Records::at(text, b',', 12, 4).until(17).within(20);
        assert_eq!(r.next_record().map(|s| s.end), Some(16));
        assert_eq!(r.next_record().map(|s| s.end), None);
        assert!(r.cut_short());
        assert_eq!(r.position(), (16, 5));
    }
}
