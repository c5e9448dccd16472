//! Cell values and column types: what counts as missing, a number or a date,
//! and how a column of raw strings becomes a typed column.

use std::collections::HashMap;

use super::{Column, ColumnData, ColumnKind, StrColumn, MISSING_CODE, MISSING_DATE};

/// Cells that mean "no value" (`is_missing_token`), also listed in the SQL
/// export's `IN (…)`.
pub const MISSING_TOKENS: &[&str] = &[
    "", "-", "--", "NA", "N/A", "n/a", "na", "null", "NULL", "Null", "nan", "NaN", "NAN", "None",
    "#N/A",
];

/// Cells that mean "no value" in bank exports (compared after trimming).
pub fn is_missing_token(s: &str) -> bool {
    // Every token is at most four bytes: most cells are rejected on length.
    s.len() <= 4 && MISSING_TOKENS.contains(&s)
}

/// A plain decimal (`-12`, `3.25`, `+0.5`) whose digits fit a double's
/// mantissa exactly, read in one pass: `m / 10^k` with `m < 2^53` and
/// `k ≤ 22` is one correctly rounded division, so the value is the one
/// `str::parse::<f64>` gives (Clinger's fast path). `None` sends anything
/// else (exponents, long digit strings, grouping) to the full parser.
#[inline]
fn plain_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let mut m: u64 = 0;
    let (mut seen, mut frac, mut dot) = (0usize, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                // 19 digits cannot overflow u64; the 2^53 bound is checked below.
                if seen == 19 {
                    return None;
                }
                m = m * 10 + u64::from(c - b'0');
                seen += 1;
                frac += usize::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    if seen == 0 || m >= 1 << 53 || frac > 22 {
        return None;
    }
    let v = m as f64 / POW10[frac];
    Some(if negative { -v } else { v })
}

/// Parses a number: `-12.5`, `1,234,567.89` (grouped by thousands only), `+3`, `1e5`.
/// Percentages are handled by the caller. `inf`/`nan` words are not numbers here.
pub fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let first = *b.first()?;
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return money(s);
    }
    if let Some(v) = plain_decimal(b) {
        return Some(v);
    }
    if !s.is_ascii() {
        return money(s);
    }
    if b.iter()
        .any(|&c| c.is_ascii_alphabetic() && c != b'e' && c != b'E')
    {
        return None;
    }
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    if s.contains(',') && thousands_grouped(s) {
        return s
            .replace(',', "")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite());
    }
    None
}

/// Amounts as statements write them: `¥1,234.00`, `1,234元`, `(1,234.00)`
/// for a negative, full-width digits and separators (`５６７．８９`, `1，234`).
/// Only reached for cells that are not plain numbers.
fn money(s: &str) -> Option<f64> {
    let mut t = String::with_capacity(s.len());
    for ch in s.trim().chars() {
        t.push(match ch {
            '０'..='９' => char::from(b'0' + (ch as u32 - '０' as u32) as u8),
            '，' => ',',
            '．' => '.',
            '－' | '−' => '-',
            '＋' => '+',
            '（' => '(',
            '）' => ')',
            c => c,
        });
    }
    let mut t = t.as_str().trim();
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.trim_start();
    }
    for sym in ["¥", "￥", "$", "€", "£", "RMB", "CNY"] {
        if let Some(rest) = t.strip_prefix(sym) {
            t = rest.trim_start();
        }
    }
    for sym in ["元", "RMB", "CNY"] {
        if let Some(rest) = t.strip_suffix(sym) {
            t = rest.trim_end();
        }
    }
    let first = *t.as_bytes().first()?;
    if !(first.is_ascii_digit() || first == b'.') || t == s || !t.is_ascii() {
        return None;
    }
    parse_number(t).map(|v| if negative { -v } else { v })
}

/// `1,234` and `-12,345,678.9` but not `1,23` or `12,3456`.
fn thousands_grouped(s: &str) -> bool {
    let s = s.trim_start_matches(['-', '+']);
    let int = s.split('.').next().unwrap_or("");
    let mut groups = int.split(',');
    let head = groups.next().unwrap_or("");
    !head.is_empty()
        && head.len() <= 3
        && head.bytes().all(|c| c.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|c| c.is_ascii_digit()))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146097 + doe - 719468)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses `2024-10-01`, `2024/10/1`, `20241001`, `2024年10月1日`, with an optional
/// time `08:30[:00]` after a space or `T`. Returns (seconds since epoch, has time).
pub fn parse_date(s: &str) -> Option<(i64, bool)> {
    iso_date(s.as_bytes()).or_else(|| any_date(s))
}

/// `parse_date`'s general path: every form it takes.
fn any_date(s: &str) -> Option<(i64, bool)> {
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    let (y, m, d) = if date.len() == 8 && date.bytes().all(|c| c.is_ascii_digit()) {
        (
            date[..4].parse().ok()?,
            date[4..6].parse().ok()?,
            date[6..].parse().ok()?,
        )
    } else {
        let mut parts = date.split(['-', '/', '.', '年', '月', '日']);
        let y: &str = parts.next()?;
        let m: &str = parts.next()?;
        let d: &str = parts.next()?;
        let rest_ok = match parts.next() {
            None => true,
            Some("") => date.ends_with('日') && parts.next().is_none(),
            Some(_) => false,
        };
        if !rest_ok || y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
            return None;
        }
        (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    };
    if !(1900..=2200).contains(&y) {
        return None;
    }
    let days = days_from_civil(y, m, d)?;
    let secs = match time.filter(|t| !t.is_empty()) {
        None => 0,
        Some(t) => {
            let mut p = t.split(':');
            let h: i64 = p.next()?.parse().ok()?;
            let mi: i64 = p.next()?.parse().ok()?;
            let se: f64 = p.next().map_or(Some(0.0), |x| x.parse().ok())?;
            if p.next().is_some()
                || !(0..24).contains(&h)
                || !(0..60).contains(&mi)
                || !(0.0..61.0).contains(&se)
            {
                return None;
            }
            h * 3600 + mi * 60 + se as i64
        }
    };
    Some((days * 86400 + secs, time.is_some_and(|t| !t.is_empty())))
}

/// `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS` (what exports mostly write) read
/// at fixed places, with `parse_date`'s checks; anything else is `None` and
/// takes the general path.
fn iso_date(b: &[u8]) -> Option<(i64, bool)> {
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    if !(b.len() == 10 || b.len() == 19) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1900..=2200).contains(&y) {
        return None;
    }
    let days = days_from_civil(y, m as u32, d as u32)?;
    if b.len() == 10 {
        return Some((days * 86400, false));
    }
    if b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h >= 24 || mi >= 60 || se >= 61 {
        return None;
    }
    Some((days * 86400 + h * 3600 + mi * 60 + se, true))
}

pub fn format_date(secs: i64, has_time: bool) -> String {
    let days = secs.div_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    if has_time {
        let s = secs.rem_euclid(86400);
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    } else {
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// Integers without a trailing `.0`, so numeric keys join with text keys.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Column names that say "this is an identifier".
pub fn looks_like_id_name(name: &str) -> bool {
    let l = name.to_lowercase();
    l == "id"
        || l.ends_with("_id")
        || l.ends_with("id") && name.ends_with("ID")
        || l.ends_with(" id")
        || ["编号", "客户号", "账号", "卡号", "证件号", "代码", "客户id"]
            .iter()
            .any(|k| l.contains(k))
}

/// A categorical column may have this many distinct values at most.
pub const MAX_CATEGORIES: usize = 1000;

/// The raw strings of one column, as read from the file (trimmed; missing tokens
/// already replaced by the empty string), in the parts it was read in: the
/// pieces of a file read on several threads are kept, not copied together
/// (that copy took a third of the parse). Equal and shown by its strings.
#[derive(Clone, Default)]
pub struct RawColumn {
    parts: Vec<RawPart>,
}

/// One part of a raw column: its strings one after another and each one's
/// length in a byte (255 and longer: 255, and the length in `long`, in
/// order). Before typing most cells are a few bytes long, so a byte a cell
/// where a text column keeps a `u32` end: a 1M-row file of 41 short columns
/// holds 41 MB of lengths at the parse's peak instead of 164 MB of ends.
#[derive(Clone, Default)]
struct RawPart {
    data: String,
    lens: Vec<u8>,
    long: Vec<u32>,
}

impl RawPart {
    fn with_capacity(rows: usize, bytes: usize) -> Self {
        RawPart {
            data: String::with_capacity(bytes),
            lens: Vec::with_capacity(rows),
            long: Vec::new(),
        }
    }
    fn push(&mut self, s: &str) {
        self.data.push_str(s);
        match u8::try_from(s.len()) {
            Ok(n) if n < u8::MAX => self.lens.push(n),
            _ => {
                self.lens.push(u8::MAX);
                // No cell of 4 GiB fits wasm32; natively we saturate.
                self.long.push(u32::try_from(s.len()).unwrap_or(u32::MAX));
            }
        }
    }
    fn pop(&mut self) {
        let n = match self.lens.pop() {
            Some(u8::MAX) => self.long.pop().unwrap_or(0) as usize,
            Some(n) => n as usize,
            None => return,
        };
        self.data.truncate(self.data.len().saturating_sub(n));
    }
    fn len(&self) -> usize {
        self.lens.len()
    }
    fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }
    fn shrink_to_fit(&mut self) {
        self.data.shrink_to_fit();
        self.lens.shrink_to_fit();
        self.long.shrink_to_fit();
    }
    fn iter(&self) -> PartIter<'_> {
        PartIter {
            data: &self.data,
            lens: self.lens.iter(),
            long: self.long.iter(),
            at: 0,
        }
    }
    /// The strings after the first `skip`, as a text column: the text moved
    /// (what is skipped cut from its front), the ends made from the lengths.
    fn into_strings(mut self, skip: usize) -> StrColumn {
        let mut it = self.iter();
        it.by_ref().take(skip).for_each(drop);
        let (from, rest) = (it.at, it.len());
        let mut ends = Vec::with_capacity(rest);
        let mut at = 0u32;
        for s in it {
            at = at.saturating_add(u32::try_from(s.len()).unwrap_or(u32::MAX));
            ends.push(at);
        }
        drop((self.lens, self.long));
        self.data.drain(..from.min(self.data.len()));
        StrColumn {
            data: self.data,
            ends,
        }
    }
}

/// A part's strings in order.
#[derive(Clone)]
struct PartIter<'a> {
    data: &'a str,
    lens: std::slice::Iter<'a, u8>,
    long: std::slice::Iter<'a, u32>,
    /// Where the next string starts in `data`.
    at: usize,
}

impl<'a> Iterator for PartIter<'a> {
    type Item = &'a str;
    // Hinted: the typing loops call it once a cell, and the wasm build
    // inlines unhinted functions only when small (.cargo/config.toml).
    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let n = match *self.lens.next()? {
            u8::MAX => self.long.next().copied().unwrap_or(0) as usize,
            n => n as usize,
        };
        let s = self.data.get(self.at..self.at + n).unwrap_or("");
        self.at += n;
        Some(s)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.lens.size_hint()
    }
}

impl ExactSizeIterator for PartIter<'_> {}

impl RawColumn {
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        // Room for a few parts: the part being filled (its string's and
        // lengths' ends move at every cell) then heads a block of 200
        // bytes, off the cache lines of the columns another thread fills
        // (wasm's one allocator hands two threads' small blocks out side
        // by side: the threaded parse's pieces ran 40% slower each).
        let mut parts = Vec::with_capacity(6);
        parts.push(RawPart::with_capacity(rows, bytes));
        RawColumn { parts }
    }
    pub fn push(&mut self, s: &str) {
        match self.parts.last_mut() {
            Some(p) => p.push(s),
            None => {
                let mut p = RawPart::default();
                p.push(s);
                self.parts.push(p);
            }
        }
    }
    /// Removes the last string (a footer line found after the split).
    pub fn pop(&mut self) {
        while let Some(p) = self.parts.last_mut() {
            if !p.is_empty() {
                p.pop();
                return;
            }
            self.parts.pop();
        }
    }
    /// Takes `other`'s strings after these, without copying them.
    pub fn append(&mut self, other: RawColumn) {
        self.parts
            .extend(other.parts.into_iter().filter(|p| !p.is_empty()));
    }
    /// Gives back what a part holds beyond its strings.
    pub fn shrink_to_fit(&mut self) {
        self.parts.iter_mut().for_each(RawPart::shrink_to_fit);
    }
    pub fn len(&self) -> usize {
        self.parts.iter().map(RawPart::len).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.parts.iter().all(RawPart::is_empty)
    }
    /// String `i` ("" past the end); for the first rows (it walks the
    /// strings before it).
    pub fn get(&self, i: usize) -> &str {
        self.iter().nth(i).unwrap_or("")
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone + '_ {
        self.parts.iter().flat_map(RawPart::iter)
    }
    /// The strings after the first `skip`, as one column (the text moved,
    /// not copied, when they are one part).
    fn into_strings(mut self, skip: usize) -> StrColumn {
        if self.parts.len() == 1 {
            return self.parts.pop().unwrap_or_default().into_strings(skip);
        }
        let rows = self.len().saturating_sub(skip);
        let bytes = self.parts.iter().map(|p| p.data.len()).sum();
        let mut out = StrColumn::with_capacity(rows, bytes);
        for s in self.iter().skip(skip) {
            out.push(s);
        }
        out
    }
}

impl PartialEq for RawColumn {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for RawColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The values of a raw column after its first `skip` strings (the
/// header), for the typing loops: `each` walks each part's strings in the
/// part's own loop. (Through `RawColumn::iter`, a chain of iterators, the
/// loops paid its `next` at every cell: 5-7 % of typing in the page; and
/// its length, unknown to the chain, sizes what they fill.)
#[derive(Clone, Copy)]
struct Cells<'a> {
    raw: &'a RawColumn,
    skip: usize,
}

impl<'a> Cells<'a> {
    fn rows(self) -> usize {
        self.raw.len().saturating_sub(self.skip)
    }
    /// Calls `f` with each value in order while it returns true; whether
    /// it always did.
    fn each(self, mut f: impl FnMut(&'a str) -> bool) -> bool {
        let mut skip = self.skip;
        for part in &self.raw.parts {
            for s in part.iter() {
                if skip > 0 {
                    skip -= 1;
                } else if !f(s) {
                    return false;
                }
            }
        }
        true
    }
}

/// Why a value did not fit a type the user forced.
pub struct Misfit {
    pub row: usize,
    pub value: String,
    pub expected: &'static str,
}

type FastMap<'a, V> = HashMap<&'a str, V, rustc_hash::FxBuildHasher>;

/// Types a raw column: the user's `forced` kind, or inference. `skip` leading
/// rows (the header) are not data. Each candidate type is tried in one pass
/// whose result is kept, so no value is parsed twice.
pub fn build_column(
    name: String,
    raw: RawColumn,
    skip: usize,
    forced: Option<ColumnKind>,
) -> Result<Column, Misfit> {
    let cells = Cells { raw: &raw, skip };
    let (kind, data) = match forced {
        Some(ColumnKind::Numeric) => (ColumnKind::Numeric, ColumnData::Numeric(numbers(cells)?)),
        Some(ColumnKind::Date) => (ColumnKind::Date, dates(cells)?),
        Some(ColumnKind::Categorical) => (
            ColumnKind::Categorical,
            categorical(cells, usize::MAX).unwrap_or_else(unreachable_empty),
        ),
        Some(k @ (ColumnKind::Id | ColumnKind::Text)) => (k, ColumnData::Text(text(raw, skip))),
        None => infer(&name, raw, skip),
    };
    Ok(Column { name, kind, data })
}

/// `categorical` with no limit always succeeds; this keeps the types honest without a panic.
fn unreachable_empty() -> ColumnData {
    ColumnData::Categorical {
        codes: Vec::new(),
        dict: Vec::new(),
    }
}

fn text(raw: RawColumn, skip: usize) -> StrColumn {
    raw.into_strings(skip)
}

fn numbers(cells: Cells) -> Result<Vec<f64>, Misfit> {
    let percent = !cells.each(|s| !s.ends_with('%'));
    let mut out = Vec::with_capacity(cells.rows());
    let mut misfit = None;
    cells.each(|s| {
        if s.is_empty() {
            out.push(f64::NAN);
            return true;
        }
        let v = match s.strip_suffix('%') {
            Some(p) if percent => parse_number(p).map(|v| v / 100.0),
            _ if percent => None,
            _ => parse_number(s),
        };
        match v {
            Some(v) => out.push(v),
            None => misfit = Some((out.len(), s)),
        }
        misfit.is_none()
    });
    match misfit {
        None => Ok(out),
        Some((row, s)) => Err(Misfit {
            row,
            value: s.into(),
            expected: "number",
        }),
    }
}

fn dates(cells: Cells) -> Result<ColumnData, Misfit> {
    let mut has_time = false;
    let mut secs = Vec::with_capacity(cells.rows());
    let mut misfit = None;
    cells.each(|s| {
        if s.is_empty() {
            secs.push(MISSING_DATE);
            return true;
        }
        match parse_date(s) {
            Some((v, t)) => {
                has_time |= t;
                secs.push(v);
            }
            None => misfit = Some((secs.len(), s)),
        }
        misfit.is_none()
    });
    match misfit {
        None => Ok(ColumnData::Date { secs, has_time }),
        Some((row, s)) => Err(Misfit {
            row,
            value: s.into(),
            expected: "date",
        }),
    }
}

/// What the type rules ask of a column's strings, read in one pass: every
/// value as a number (`numbers`' rules: `None` once one is not a number,
/// or percentages and plain numbers are mixed), how many are present, and
/// whether a present one has a leading zero or any is not 8 long.
struct NumberScan {
    values: Option<Vec<f64>>,
    present: usize,
    leading_zero: bool,
    all_eight_long: bool,
}

fn scan_numbers(cells: Cells) -> NumberScan {
    let mut out = Vec::with_capacity(cells.rows());
    let (mut ok, mut percent, mut plain) = (true, false, false);
    let mut scan = NumberScan {
        values: None,
        present: 0,
        leading_zero: false,
        all_eight_long: true,
    };
    cells.each(|s| {
        if s.is_empty() {
            out.push(f64::NAN);
            return true;
        }
        scan.present += 1;
        scan.leading_zero |= s.len() > 1 && s.starts_with('0') && !s.starts_with("0.");
        scan.all_eight_long &= s.len() == 8;
        if ok {
            // Most cells are plain decimals: read here, without a call.
            let v = match s.strip_suffix('%') {
                Some(p) => {
                    percent = true;
                    parse_number(p).map(|v| v / 100.0)
                }
                None => {
                    plain = true;
                    plain_decimal(s.as_bytes()).or_else(|| parse_number(s))
                }
            };
            match v {
                Some(v) if !(percent && plain) => out.push(v),
                _ => ok = false,
            }
        }
        true
    });
    scan.values = ok.then_some(out);
    scan
}

/// Dictionary-encodes; `None` once more than `limit` distinct values appear.
fn categorical(cells: Cells, limit: usize) -> Option<ColumnData> {
    // Values of up to 16 bytes (most categories: 已婚, 二线城市, 0-50万)
    // are looked up by `ShortKey`, longer ones by their text. In the page
    // the text's hash and `memcmp` took a fifth of a file's typing.
    let mut short: HashMap<ShortKey, u32, rustc_hash::FxBuildHasher> = HashMap::default();
    let mut long: FastMap<u32> = FastMap::default();
    let mut dict = Vec::new();
    let mut codes = Vec::with_capacity(cells.rows());
    let fits = cells.each(|s| {
        if s.is_empty() {
            codes.push(MISSING_CODE);
            return true;
        }
        let next = dict.len() as u32;
        let code = match ShortKey::of(s) {
            Some(k) => *short.entry(k).or_insert(next),
            None => *long.entry(s).or_insert(next),
        };
        if code == next {
            if dict.len() >= limit {
                return false;
            }
            dict.push(s.to_string());
        }
        codes.push(code);
        true
    });
    fits.then_some(ColumnData::Categorical { codes, dict })
}

/// A string of 1 to 16 bytes as two words and its length: the words hold
/// its first and last 8 bytes (4 when shorter than 8; its first, middle
/// and last byte when shorter than 4), which together are all its bytes,
/// so two strings have the same key exactly when they are equal.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ShortKey(u64, u64, u8);

impl ShortKey {
    #[inline]
    fn of(s: &str) -> Option<ShortKey> {
        let b = s.as_bytes();
        let n = b.len();
        // (The slices have the arrays' lengths: `try_from` cannot fail.)
        let w8 = |r: &[u8]| <[u8; 8]>::try_from(r).map_or(0, u64::from_le_bytes);
        let w4 = |r: &[u8]| <[u8; 4]>::try_from(r).map_or(0, u32::from_le_bytes);
        let (first, last) = match n {
            8..=16 => (w8(&b[..8]), w8(&b[n - 8..])),
            4..=7 => (u64::from(w4(&b[..4])), u64::from(w4(&b[n - 4..]))),
            1..=3 => (
                u64::from(b[0]) | u64::from(b[n / 2]) << 8,
                u64::from(b[n - 1]),
            ),
            _ => return None,
        };
        Some(ShortKey(first, last, n as u8))
    }
}

fn infer(name: &str, raw: RawColumn, skip: usize) -> (ColumnKind, ColumnData) {
    let cells = Cells { raw: &raw, skip };
    let scan = scan_numbers(cells);
    let present = scan.present;
    if present > 0 {
        if let Some(v) = scan.values {
            // Codes such as "00123" lose their zeros as numbers: they stay text.
            if !scan.leading_zero {
                if scan.all_eight_long {
                    if let Ok(d) = dates(cells) {
                        return (ColumnKind::Date, d);
                    }
                }
                if !(looks_like_id_name(name) && all_distinct(cells, present)) {
                    return (ColumnKind::Numeric, ColumnData::Numeric(v));
                }
                return (ColumnKind::Id, ColumnData::Text(text(raw, skip)));
            }
        } else if let Ok(d) = dates(cells) {
            return (ColumnKind::Date, d);
        }
    }
    if let Some(ColumnData::Categorical { codes, dict }) = categorical(cells, MAX_CATEGORIES) {
        let k = dict.len();
        if k <= 50 || (k * 2 <= present) {
            return (
                ColumnKind::Categorical,
                ColumnData::Categorical { codes, dict },
            );
        }
    }
    let id_like = looks_like_id_name(name)
        || cells.each(|s| !s.contains(char::is_whitespace) && s.len() <= 40);
    let kind = if id_like && all_distinct(cells, present) {
        ColumnKind::Id
    } else {
        ColumnKind::Text
    };
    (kind, ColumnData::Text(text(raw, skip)))
}

/// Whether the present values are all different. An id column is often
/// in ascending order: values that each sort after the one before are
/// distinct, found by comparing neighbours; at the first that does not,
/// a hash set takes all the values.
fn all_distinct(cells: Cells, present: usize) -> bool {
    let mut last = "";
    if cells.each(|s| ascends(&mut last, s)) {
        return true;
    }
    let mut seen: FastMap<()> = FastMap::with_capacity_and_hasher(present, Default::default());
    cells.each(|s| s.is_empty() || seen.insert(s, ()).is_none())
}

/// Whether `v` keeps a column's present (non-empty) values ascending, each
/// after the one before; `last` is the last present one (`""` at first).
/// Values so far ascending are distinct (the typing's id test, and the
/// profile of a text column).
pub(super) fn ascends<'a>(last: &mut &'a str, v: &'a str) -> bool {
    if v.is_empty() {
        return true;
    }
    let up = *last < v;
    *last = v;
    up
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(vals: &[&str]) -> RawColumn {
        let mut r = RawColumn::default();
        for v in vals {
            r.push(if is_missing_token(v) { "" } else { v });
        }
        r
    }

    /// A raw column gives back the strings pushed, whatever their length
    /// (a byte's worth, 255, 256 and far longer, Chinese), after pops and
    /// across parts, and as a text column with or without a header skipped.
    #[test]
    fn raw_strings_of_any_length_come_back() {
        let long = "长".repeat(200); // 600 bytes
        let strings: Vec<String> = (0..40)
            .map(|i| match i % 6 {
                0 => String::new(),
                1 => "x".repeat(254),
                2 => "y".repeat(255),
                3 => "z".repeat(256),
                4 => long.clone(),
                _ => format!("{i}"),
            })
            .collect();
        let mut one = RawColumn::default();
        let mut two = RawColumn::default();
        let mut second = RawColumn::default();
        for (i, s) in strings.iter().enumerate() {
            one.push(s);
            if i < 17 {
                two.push(s)
            } else {
                second.push(s)
            }
        }
        two.append(second);
        // A footer taken back: the last strings, long and short.
        let mut popped = one.clone();
        for _ in 0..5 {
            popped.pop();
        }
        assert!(popped.iter().eq(strings[..35].iter().map(String::as_str)));
        popped.push("after");
        assert_eq!(popped.get(35), "after");
        assert_eq!(popped.get(34), strings[34]);
        for column in [one, two] {
            assert!(column.iter().eq(strings.iter().map(String::as_str)));
            assert_eq!(column.len(), 40);
            assert_eq!(column.get(4), long);
            assert_eq!(column.get(40), "");
            for skip in [0, 1, 7] {
                let text = column.clone().into_strings(skip);
                assert!(
                    text.iter().eq(strings[skip..].iter().map(String::as_str)),
                    "skip {skip}"
                );
                assert_eq!(text.get(3), strings[skip + 3]);
            }
        }
    }

    #[test]
    fn short_keys_are_equal_exactly_when_the_strings_are() {
        let words = [
            "a",
            "b",
            "ab",
            "ba",
            "aa",
            "abc",
            "acb",
            "aab",
            "abcd",
            "abce",
            "abcde",
            "abdde",
            "男",
            "女",
            "已婚",
            "未婚",
            "二线城市",
            "三线城市",
            "0-50万",
            "50-200万",
            "abcdefgh",
            "abcdefgi",
            "abcdefghijklmnop",
            "abcdefghXjklmnop",
            "abcdefghijklmno",
            "abcdefghijklmnoq",
        ];
        for x in words {
            for y in words {
                assert_eq!(ShortKey::of(x) == ShortKey::of(y), x == y, "{x} {y}");
            }
        }
        assert!(ShortKey::of("").is_none());
        assert!(ShortKey::of("abcdefghijklmnopq").is_none());
        // Every string of up to 3 bytes over a small alphabet, and every
        // string of 4 to 16 bytes that differs from another in one byte.
        let mut all = vec![];
        for n in 1..=3usize {
            for i in 0..3usize.pow(n as u32) {
                let s: String = (0..n)
                    .map(|k| ['a', 'b', 'c'][i / 3usize.pow(k as u32) % 3])
                    .collect();
                all.push(s);
            }
        }
        for n in 4..=16usize {
            let base = "q".repeat(n);
            all.push(base.clone());
            for k in 0..n {
                let mut v = base.clone().into_bytes();
                v[k] = b'r';
                all.push(String::from_utf8(v).unwrap());
            }
        }
        let keys: std::collections::HashSet<_> = all.iter().map(|s| ShortKey::of(s)).collect();
        assert_eq!(keys.len(), all.len());
        // A column of them is coded as the text map codes it.
        let col = raw(&[
            "二线城市",
            "abcdefghijklmnopqrst",
            "男",
            "",
            "二线城市",
            "abcdefghijklmnopqrst",
            "女",
        ]);
        let Some(ColumnData::Categorical { codes, dict }) =
            categorical(Cells { raw: &col, skip: 0 }, 10)
        else {
            panic!("not categorical");
        };
        assert_eq!(codes, vec![0, 1, 2, MISSING_CODE, 0, 1, 3]);
        assert_eq!(dict, ["二线城市", "abcdefghijklmnopqrst", "男", "女"]);
    }

    #[test]
    fn distinct_in_order_or_not() {
        let cases: [(&[&str], bool); 7] = [
            (&["U01", "U02", "U10"], true),
            (&["U01", "U02", "U02"], false),
            (&["U10", "U02", "U01"], true),
            (&["U02", "U10", "U02"], false),
            (&["b", "c", "a", "d"], true),
            (&["a", "b", "c", "a"], false),
            (&["", "b", "", "a", ""], true),
        ];
        for (values, distinct) in cases {
            let col = raw(values);
            assert_eq!(
                all_distinct(Cells { raw: &col, skip: 0 }, values.len()),
                distinct,
                "{values:?}"
            );
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("1,234,567.5"), Some(1234567.5));
        assert_eq!(parse_number("-12"), Some(-12.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("12,34"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("7590-VHVEG"), None);
        assert_eq!(parse_number("."), None);
        assert_eq!(parse_number("-"), None);
        assert_eq!(parse_number("1.2.3"), None);
        assert_eq!(parse_number("-0"), Some(-0.0));
    }

    /// The fixed-place date reading agrees with the general one.
    #[test]
    fn iso_dates_equal_the_general_path() {
        let mut state = 7u64;
        let mut next = |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        let mut cases = vec![
            "2024-02-29".to_string(),
            "2023-02-29".into(),
            "1899-12-31".into(),
            "2200-12-31 23:59:60".into(),
            "2024-10-18 24:00:00".into(),
            "2024-1a-18".into(),
            "2024-10-18T14:53:00".into(),
        ];
        for _ in 0..50_000 {
            let mut s = format!("{:04}-{:02}-{:02}", 1890 + next(320), next(14), next(33));
            if next(2) == 0 {
                s += &format!(" {:02}:{:02}:{:02}", next(26), next(62), next(63));
            }
            cases.push(s);
        }
        let mut fast = 0;
        for s in &cases {
            if let Some(v) = iso_date(s.as_bytes()) {
                fast += 1;
                assert_eq!(Some(v), any_date(s), "{s}");
            }
        }
        assert!(fast > 10_000, "{fast}");
    }

    /// The fast path gives exactly what the standard parser gives, on the
    /// edges of its domain and on many random decimals.
    #[test]
    fn plain_decimals_equal_std_parse() {
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "+7",
            "0.1",
            "0.3",
            "1.",
            ".5",
            "-.5",
            "123456.789",
            "9007199254740991",
            "9007199254740992",
            "900719925474099.1",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "99999999999999999999",
            "1234567890123456789",
            "3.14159265358979",
            "2.2250738585072014",
            "00012.50",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let int = state % 10u64.pow((state >> 60) as u32 % 12 + 1);
            let frac_digits = (state >> 40) as usize % 9;
            let frac = (state >> 8) % 10u64.pow(frac_digits as u32);
            let sign = if state & 1 == 1 { "-" } else { "" };
            cases.push(if frac_digits == 0 {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac:0width$}", width = frac_digits)
            });
        }
        for s in &cases {
            let fast = plain_decimal(s.as_bytes());
            let std = s.parse::<f64>().ok();
            if let Some(v) = fast {
                assert_eq!(Some(v.to_bits()), std.map(f64::to_bits), "{s}");
            }
            assert_eq!(
                parse_number(s).map(f64::to_bits),
                std.map(f64::to_bits),
                "{s}"
            );
        }
    }

    #[test]
    fn dates_roundtrip() {
        for s in [
            "2024-10-01",
            "2024/10/01",
            "20241001",
            "2024年10月1日",
            "2024/10/1",
        ] {
            let (v, t) = parse_date(s).unwrap();
            assert!(!t);
            assert_eq!(format_date(v, false), "2024-10-01", "{s}");
        }
        let (v, t) = parse_date("2024-10-01 08:30:00").unwrap();
        assert!(t);
        assert_eq!(format_date(v, true), "2024-10-01 08:30:00");
        assert_eq!(parse_date("1970-01-01"), Some((0, false)));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("12345678"), None);
    }

    #[test]
    fn kinds() {
        let k = |name: &str, v: &[&str]| {
            build_column(name.into(), raw(v), 0, None)
                .ok()
                .unwrap()
                .kind
        };
        assert_eq!(k("amount", &["1,200", "3", "NA"]), ColumnKind::Numeric);
        assert_eq!(k("rate", &["12%", "3.5%", ""]), ColumnKind::Numeric);
        assert_eq!(k("code", &["001", "002", "010"]), ColumnKind::Categorical);
        assert_eq!(k("d", &["20240101", "20241231"]), ColumnKind::Date);
        assert_eq!(k("user_id", &["1", "2", "3"]), ColumnKind::Id);
        assert_eq!(
            k("city", &["北京", "上海", "北京"]),
            ColumnKind::Categorical
        );
        let ids: Vec<String> = (0..200).map(|i| format!("C{i:05}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(k("customer", &ids), ColumnKind::Id);
        let text: Vec<String> = (0..200).map(|i| format!("广东省 某路 {i} 号")).collect();
        let text: Vec<&str> = text.iter().map(String::as_str).collect();
        assert_eq!(k("地址", &text), ColumnKind::Text);
    }

    #[test]
    fn percent_column_is_fraction() {
        let c = build_column("r".into(), raw(&["50%", "12.5%"]), 0, None)
            .ok()
            .unwrap();
        assert_eq!(c.data, ColumnData::Numeric(vec![0.5, 0.125]));
    }

    #[test]
    fn forced_numeric_reports_misfit() {
        let e = build_column(
            "age".into(),
            raw(&["1", "三十"]),
            0,
            Some(ColumnKind::Numeric),
        )
        .err()
        .unwrap();
        assert_eq!((e.row, e.value.as_str(), e.expected), (1, "三十", "number"));
    }
}
