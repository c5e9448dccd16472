//! A table as bytes and back, exactly: how a table parsed in one of the
//! page's pool workers crosses to the worker that runs the recipe. Columns
//! are written whole as little-endian arrays (a copy, no per-value work
//! beyond the byte order), so a million-row table crosses in tens of ms.
//!
//! Invariant: `decode(&encode(t)) == t` for every table, bit for bit (NaN
//! payloads included), and `decode` of any other bytes is an error, never a
//! panic.

use super::{Column, ColumnData, ColumnKind, StrColumn, Table};
use crate::{Error, Result};

const MAGIC: &[u8; 4] = b"KQT1";

/// Where `encode` writes: a `Vec`, a `Count` of the bytes, or (in the page)
/// a JS array filled through a small buffer, so that the table's bytes are
/// never held whole in wasm memory beside the table.
pub trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// The number of bytes `encode` writes.
#[derive(Default)]
pub struct Count(pub usize);

impl Sink for Count {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

/// Appends `t` to `out`.
pub fn encode<S: Sink + ?Sized>(t: &Table, out: &mut S) {
    out.put(MAGIC);
    put_str(out, &t.name);
    put_u64(out, t.rows as u64);
    put_u64(out, t.columns.len() as u64);
    for c in &t.columns {
        put_str(out, &c.name);
        out.put(&[c.kind as u8]);
        match &c.data {
            ColumnData::Numeric(v) => {
                out.put(&[0]);
                v.iter().for_each(|x| out.put(&x.to_bits().to_le_bytes()));
            }
            ColumnData::Categorical { codes, dict } => {
                out.put(&[1]);
                put_u64(out, dict.len() as u64);
                dict.iter().for_each(|s| put_str(out, s));
                codes.iter().for_each(|x| out.put(&x.to_le_bytes()));
            }
            ColumnData::Date { secs, has_time } => {
                out.put(&[2, u8::from(*has_time)]);
                secs.iter().for_each(|x| out.put(&x.to_le_bytes()));
            }
            ColumnData::Text(s) => {
                out.put(&[3]);
                put_str(out, &s.data);
                s.ends.iter().for_each(|x| out.put(&x.to_le_bytes()));
            }
        }
    }
}

/// Where `decode` reads from: bytes in hand, or (in the page) a JS array
/// the table arrived in, copied a column at a time so that the whole
/// message is never held twice in wasm memory.
pub trait Source {
    fn size(&self) -> usize;
    /// Fills `dst` from offset `at` (`at + dst.len() <= size()`).
    fn copy_to(&self, at: usize, dst: &mut [u8]);
}

impl Source for [u8] {
    fn size(&self) -> usize {
        self.len()
    }
    fn copy_to(&self, at: usize, dst: &mut [u8]) {
        dst.copy_from_slice(&self[at..at + dst.len()]);
    }
}

/// Reads a table `encode` wrote at the start of `bytes`; returns it and the bytes after it.
pub fn decode(bytes: &[u8]) -> Result<(Table, &[u8])> {
    decode_from(bytes, 0).map(|(table, at)| (table, &bytes[at..]))
}

/// `decode` from a `Source` at `at`; returns the table and the offset after it.
pub fn decode_from<S: Source + ?Sized>(src: &S, at: usize) -> Result<(Table, usize)> {
    let mut r = Reader::new(src, at);
    let table = r.table()?;
    Ok((table, r.at))
}

pub(crate) fn broken() -> Error {
    Error::Analysis {
        detail: "a table sent between the page's workers arrived damaged; run the analysis again"
            .into(),
        detail_zh: "页面后台线程之间传递的数据表已损坏；请重新运行分析".into(),
    }
}

pub(crate) fn put_u64<S: Sink + ?Sized>(out: &mut S, n: u64) {
    out.put(&n.to_le_bytes());
}

fn put_str<S: Sink + ?Sized>(out: &mut S, s: &str) {
    put_u64(out, s.len() as u64);
    out.put(s.as_bytes());
}

/// Reads through `buf`, which holds the last piece taken (at most a column).
pub(crate) struct Reader<'a, S: Source + ?Sized> {
    src: &'a S,
    pub(crate) at: usize,
    buf: Vec<u8>,
}

impl<'a, S: Source + ?Sized> Reader<'a, S> {
    pub(crate) fn new(src: &'a S, at: usize) -> Self {
        Reader {
            src,
            at,
            buf: Vec::new(),
        }
    }
    pub(crate) fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.at.checked_add(n).ok_or_else(broken)?;
        if end > self.src.size() {
            return Err(broken());
        }
        self.buf.clear();
        self.buf.resize(n, 0);
        self.src.copy_to(self.at, &mut self.buf);
        self.at = end;
        Ok(&self.buf)
    }
    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn len(&mut self) -> Result<usize> {
        let b = self.take(8)?;
        let n = u64::from_le_bytes(b.try_into().map_err(|_| broken())?);
        usize::try_from(n).map_err(|_| broken())
    }
    fn str(&mut self) -> Result<String> {
        let n = self.len()?;
        let b = self.take(n)?;
        std::str::from_utf8(b)
            .map(str::to_string)
            .map_err(|_| broken())
    }
    /// `rows` fixed-width little-endian values.
    fn words<const W: usize, T>(
        &mut self,
        rows: usize,
        f: impl Fn([u8; W]) -> T,
    ) -> Result<Vec<T>> {
        let b = self.take(rows.checked_mul(W).ok_or_else(broken)?)?;
        Ok(b.chunks_exact(W)
            .map(|c| f(c.try_into().unwrap_or([0; W])))
            .collect())
    }

    fn table(&mut self) -> Result<Table> {
        if self.take(4)? != MAGIC {
            return Err(broken());
        }
        let name = self.str()?;
        let rows = self.len()?;
        let ncols = self.len()?;
        let mut columns = Vec::with_capacity(ncols.min(1 << 16));
        for _ in 0..ncols {
            let name = self.str()?;
            let kind = match self.byte()? {
                0 => ColumnKind::Numeric,
                1 => ColumnKind::Categorical,
                2 => ColumnKind::Date,
                3 => ColumnKind::Id,
                4 => ColumnKind::Text,
                _ => return Err(broken()),
            };
            let data = match self.byte()? {
                0 => ColumnData::Numeric(
                    self.words(rows, |b| f64::from_bits(u64::from_le_bytes(b)))?,
                ),
                1 => {
                    let n = self.len()?;
                    let dict = (0..n).map(|_| self.str()).collect::<Result<Vec<_>>>()?;
                    ColumnData::Categorical {
                        codes: self.words(rows, u32::from_le_bytes)?,
                        dict,
                    }
                }
                2 => ColumnData::Date {
                    has_time: self.byte()? != 0,
                    secs: self.words(rows, i64::from_le_bytes)?,
                },
                3 => {
                    let data = self.str()?;
                    let ends = self.words(rows, u32::from_le_bytes)?;
                    if ends.windows(2).any(|w| w[0] > w[1])
                        || ends.last().is_some_and(|&e| e as usize > data.len())
                    {
                        return Err(broken());
                    }
                    ColumnData::Text(StrColumn { data, ends })
                }
                _ => return Err(broken()),
            };
            columns.push(Column { name, kind, data });
        }
        // The piece buffer goes before the table is built.
        self.buf = Vec::new();
        let mut table = Table::new(name, columns)?;
        table.rows = rows;
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_column_crosses_bit_for_bit() {
        let nan = f64::from_bits(0x7ff8_0000_dead_beef);
        let mut text = StrColumn::default();
        for s in ["", "张三", "a,b"] {
            text.push(s);
        }
        let mut id = StrColumn::default();
        for s in ["u1", "u2", "u3"] {
            id.push(s);
        }
        let t = Table::new(
            "客户.csv",
            vec![
                Column {
                    name: "x".into(),
                    kind: ColumnKind::Numeric,
                    data: ColumnData::Numeric(vec![1.5, nan, -0.0]),
                },
                Column {
                    name: "城市".into(),
                    kind: ColumnKind::Categorical,
                    data: ColumnData::Categorical {
                        codes: vec![0, super::super::MISSING_CODE, 1],
                        dict: vec!["北京".into(), "上海".into()],
                    },
                },
                Column {
                    name: "d".into(),
                    kind: ColumnKind::Date,
                    data: ColumnData::Date {
                        secs: vec![0, super::super::MISSING_DATE, 86_400],
                        has_time: true,
                    },
                },
                Column {
                    name: "id".into(),
                    kind: ColumnKind::Id,
                    data: ColumnData::Text(id),
                },
                Column {
                    name: "note".into(),
                    kind: ColumnKind::Text,
                    data: ColumnData::Text(text),
                },
            ],
        )
        .unwrap();
        let mut bytes = b"before".to_vec();
        let at = bytes.len();
        encode(&t, &mut bytes);
        bytes.extend_from_slice(b"after");
        let (back, rest) = decode(&bytes[at..]).unwrap();
        assert_eq!(rest, b"after");
        assert_eq!(back.rows(), 3);
        let ColumnData::Numeric(v) = &back.columns[0].data else {
            panic!("numeric expected")
        };
        assert_eq!(
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            [1.5f64.to_bits(), nan.to_bits(), (-0.0f64).to_bits()]
        );
        // NaN != NaN: the other columns compare whole.
        assert_eq!(back.columns[1..], t.columns[1..]);
        assert_eq!(back.name, t.name);
        // Every cut of the bytes is an error, not a panic.
        let whole = &bytes[at..bytes.len() - 5];
        for cut in 0..whole.len() {
            assert!(decode(&whole[..cut]).is_err(), "cut at {cut}");
        }
    }
}
