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
    core: Reader,
    /// A record read by `csv_core`: its unquoted bytes and field ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The current record's fields: ranges of `text`, or of `out` when `copied`.
    fields: Vec<Range<usize>>,
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
        Records {
            text,
            delimiter,
            pos: from,
            line: 1 + memchr::memchr_iter(b'\n', before).count() as u64,
            core: ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 1 << 12],
            ends: vec![0; 64],
            fields: Vec::new(),
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
        if self.pos >= b.len() {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        let newline = memchr::memchr(b'\n', &b[start..]).map(|i| start + i);
        let line_end = newline.unwrap_or(b.len());
        let content_end = if b[line_end - 1] == b'\r' {
            line_end - 1
        } else {
            line_end
        };
        let content = &b[start..content_end];
        self.fields.clear();
        if memchr::memchr2(b'"', b'\r', content).is_none() {
            let mut from = start;
            for i in memchr::memchr_iter(self.delimiter, content) {
                self.fields.push(from..start + i);
                from = start + i + 1;
            }
            self.fields.push(from..content_end);
            self.copied = false;
            self.pos = newline.map_or(b.len(), |n| n + 1);
            self.line += u64::from(newline.is_some());
        } else {
            self.read_core(start);
        }
        Some(Span {
            start,
            end: self.pos,
            line,
        })
    }

    /// One record through `csv_core`, from `start` to its terminator.
    fn read_core(&mut self, start: usize) {
        let input = &self.text.as_bytes()[start..];
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
                ReadRecordResult::InputEmpty => {}
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

    #[test]
    fn lines_count_from_the_start() {
        let text = "h1,h2\n\n1,2\n\"a\nb\",3\n4,5\n";
        let mut r = Records::new(text, b',', 6);
        let lines: Vec<u64> = std::iter::from_fn(|| r.next_record().map(|s| s.line)).collect();
        assert_eq!(lines, vec![3, 4, 6]);
    }
}
