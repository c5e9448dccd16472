//! Scoring a file larger than memory: the input is cut into chunks at
//! record boundaries (newlines outside quotes), each chunk read by the
//! table loader with the model's column types fixed, scored on a worker
//! thread, and written in file order as soon as it is its turn. Memory is
//! bounded by a few chunks per thread, whatever the file's size.
//!
//! Native only: the page scores the file it holds (`analysis::apply`).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use super::analysis::SavedModel;
use crate::prep::Transform;
use crate::table::{load, ColumnKind, LoadOptions};
use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// The id column written beside each score.
    pub id: String,
    /// Bytes of input per chunk (default 8 MiB).
    pub chunk_bytes: usize,
    /// Worker threads (default: every core).
    pub threads: usize,
    /// Reason columns for logistic regression (0 = none; gradient boosting
    /// gives none here: TreeSHAP of every row would cost more than the rest).
    pub reasons: usize,
    /// Score categories the model never saw as no category.
    pub allow_unseen: bool,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            id: String::new(),
            chunk_bytes: 8 << 20,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            reasons: 3,
            allow_unseen: false,
        }
    }
}

/// What a streamed scoring did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSummary {
    pub rows: u64,
    pub chunks: u64,
    pub threads: usize,
}

/// A piece of the file: whole records, and the file line its first one starts on.
struct Chunk {
    seq: u64,
    first_line: u64,
    bytes: Vec<u8>,
}

/// The ends (after the newline) of the records in `buf`, read from a record
/// boundary: newlines outside double quotes. UTF-8, GBK and GB18030 never
/// have the bytes `"` or `\n` inside a multi-byte character.
fn record_ends(buf: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut quoted = false;
    buf.iter().enumerate().filter_map(move |(i, &b)| {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return Some(i + 1),
            _ => {}
        }
        None
    })
}

fn last_boundary(buf: &[u8]) -> Option<usize> {
    record_ends(buf).last()
}

fn first_boundary(buf: &[u8]) -> Option<usize> {
    record_ends(buf).next()
}

fn io_error(name: &str, e: std::io::Error) -> Error {
    Error::Io {
        path: name.to_string(),
        detail: format!("cannot read or write ({e})"),
    }
}

/// Error lines of a chunk (header = line 1) as lines of the file.
fn in_file(e: Error, first_line: u64) -> Error {
    let shift = |line: u64| line + first_line - 2;
    match e {
        Error::BadValue {
            file,
            line,
            column,
            value,
            expected,
        } => Error::BadValue {
            file,
            line: shift(line),
            column,
            value,
            expected,
        },
        Error::RaggedRows {
            file,
            expected,
            rows,
            total_bad,
            mut bad,
        } => {
            for b in &mut bad {
                b.line = shift(b.line);
            }
            Error::RaggedRows {
                file,
                expected,
                rows,
                total_bad,
                bad,
            }
        }
        Error::UnseenCategory {
            file,
            column,
            values,
            rows,
        } => Error::UnseenCategory {
            file: format!("{file} (the chunk from line {first_line})"),
            column,
            values,
            rows,
        },
        other => other,
    }
}

/// The types the model read its columns as, fixed for every chunk so that a
/// chunk cannot read a column differently from the next.
fn fixed_types(model: &SavedModel, id: &str) -> BTreeMap<String, ColumnKind> {
    let mut types = BTreeMap::new();
    for t in &model.prep.transforms {
        let kind = match t {
            Transform::Numeric { .. } => ColumnKind::Numeric,
            Transform::DateDays { .. } => ColumnKind::Date,
            _ => ColumnKind::Categorical,
        };
        types.insert(t.column().to_string(), kind);
    }
    // A scorecard's categorical characteristics the prep does not read.
    if let Some(card) = &model.scorecard {
        for b in card.process.selected().filter_map(|c| c.binning.as_ref()) {
            if b.kind == crate::score::scorecard::CharacteristicKind::Categorical {
                types
                    .entry(b.name.clone())
                    .or_insert(ColumnKind::Categorical);
            }
        }
    }
    // Ids as written: leading zeros kept.
    types.insert(id.to_string(), ColumnKind::Text);
    types
}

/// Scores every record of `input` (`name` in messages) with `model` and
/// writes `id,probability[,reason_1..]` lines to `out` in file order.
pub fn score_stream(
    input: impl Read + Send,
    name: &str,
    model: &SavedModel,
    opts: &StreamOptions,
    mut out: impl Write,
    mut progress: impl FnMut(u64),
) -> Result<StreamSummary> {
    let reasons = if model.gbdt.is_some() {
        0
    } else {
        opts.reasons
    };
    let threads = opts.threads.max(1);
    let mut header = String::from("\u{feff}");
    header.push_str(&crate::table::csv_field(&opts.id));
    header.push_str(",probability");
    if model.scorecard.is_some() {
        header.push_str(",score");
    }
    for k in 1..=reasons {
        header.push_str(&format!(",reason_{k}"));
    }
    header.push_str("\r\n");
    out.write_all(header.as_bytes())
        .map_err(|e| io_error("output", e))?;

    let types = fixed_types(model, &opts.id);
    let (work_tx, work_rx) = sync_channel::<Chunk>(threads);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<(u64, Result<(u64, String)>)>(threads);
    // The header line and the load options, known once the first chunk is read.
    let (head_tx, head_rx) = sync_channel::<Result<(Vec<u8>, LoadOptions)>>(1);
    // Chunks read but not yet written are at most `tokens`: the reader takes
    // one per chunk and the writer gives it back, so a slow chunk cannot let
    // the finished ones after it pile up.
    let tokens = 2 * threads + 1;
    let (token_tx, token_rx) = sync_channel::<()>(tokens);
    for _ in 0..tokens {
        let _ = token_tx.send(());
    }

    // `move`: on an error the channels close as this closure returns, so the
    // threads the scope then waits for see them closed and stop.
    std::thread::scope(move |scope| -> Result<StreamSummary> {
        let reader = scope.spawn(move || {
            read_chunks(
                input,
                name,
                types,
                opts.chunk_bytes,
                work_tx,
                head_tx,
                token_rx,
            )
        });
        let head = match head_rx.recv() {
            Ok(Ok(h)) => Arc::new(h),
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                return reader
                    .join()
                    .unwrap_or_else(|_| Err(internal("the reader stopped")))
                    .map(|_| StreamSummary {
                        rows: 0,
                        chunks: 0,
                        threads,
                    })
            }
        };
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let head = Arc::clone(&head);
            scope.spawn(move || worker(&work_rx, &done_tx, &head, name, model, opts, reasons));
        }
        drop(done_tx);
        // Write the chunks in order as they come back.
        let mut waiting: BTreeMap<u64, (u64, String)> = BTreeMap::new();
        let (mut next, mut rows) = (0u64, 0u64);
        for (seq, result) in done_rx.iter() {
            waiting.insert(seq, result?);
            while let Some((n, text)) = waiting.remove(&next) {
                out.write_all(text.as_bytes())
                    .map_err(|e| io_error("output", e))?;
                rows += n;
                next += 1;
                let _ = token_tx.send(());
                progress(rows);
            }
        }
        let chunks = reader
            .join()
            .unwrap_or_else(|_| Err(internal("the reader stopped")))?;
        if next != chunks {
            return Err(internal("a chunk was not scored"));
        }
        out.flush().map_err(|e| io_error("output", e))?;
        Ok(StreamSummary {
            rows,
            chunks,
            threads,
        })
    })
}

fn internal(what: &str) -> Error {
    Error::Analysis {
        detail: format!("streamed scoring: {what}; run it again"),
        detail_zh: format!("分块打分：{what}，请重新运行"),
    }
}

/// Cuts `input` into chunks of whole records; returns how many it sent.
fn read_chunks(
    mut input: impl Read,
    name: &str,
    types: BTreeMap<String, ColumnKind>,
    chunk_bytes: usize,
    work: std::sync::mpsc::SyncSender<Chunk>,
    head_tx: std::sync::mpsc::SyncSender<Result<(Vec<u8>, LoadOptions)>>,
    tokens: Receiver<()>,
) -> Result<u64> {
    // Any error before the header is settled goes to the waiting caller too.
    let fail = |e: Error| {
        let _ = head_tx.send(Err(e.clone()));
        Err(e)
    };
    let mut buf: Vec<u8> = Vec::with_capacity(chunk_bytes + (1 << 16));
    let mut block = vec![0u8; 1 << 16];
    let mut target = chunk_bytes.max(1);
    let mut have_head = false;
    let (mut seq, mut line) = (0u64, 1u64);
    let mut eof = false;
    loop {
        while !eof && buf.len() < target {
            let n = match input.read(&mut block) {
                Ok(n) => n,
                Err(e) => return fail(io_error(name, e)),
            };
            eof = n == 0;
            buf.extend_from_slice(&block[..n]);
        }
        if !have_head {
            let end = match first_boundary(&buf) {
                Some(end) => end,
                None if eof && !buf.is_empty() => buf.len(),
                None if eof => return fail(Error::EmptyFile { file: name.into() }),
                None => {
                    target = buf.len() + chunk_bytes; // a header longer than a chunk
                    continue;
                }
            };
            if buf.starts_with(&[0xFF, 0xFE]) || buf.starts_with(&[0xFE, 0xFF]) {
                return fail(Error::Analysis {
                    detail: format!("{name}: a UTF-16 file cannot be scored in chunks; save it as UTF-8 or GBK, or score it without --all"),
                    detail_zh: format!("{name}：UTF-16 文件无法分块打分；请另存为 UTF-8 或 GBK，或不加 --all 打分"),
                });
            }
            // The first chunk settles the encoding and the delimiter for all.
            let sample_end = last_boundary(&buf).unwrap_or(buf.len());
            let opts = LoadOptions {
                header: Some(true),
                types: types.clone(),
                ..LoadOptions::default()
            };
            let report = match load(&buf[..sample_end], name, &opts, &mut ()) {
                Ok((_, r)) => r,
                Err(Error::NoDataRows { .. }) => {
                    return fail(Error::NoDataRows { file: name.into() })
                }
                Err(e) => return fail(e),
            };
            let delimiter = if report.delimiter == "\\t" {
                '\t'
            } else {
                report.delimiter.chars().next().unwrap_or(',')
            };
            let opts = LoadOptions {
                encoding: Some(report.encoding.clone()),
                delimiter: Some(delimiter),
                ..opts
            };
            let head: Vec<u8> = buf.drain(..end).collect();
            line += 1;
            have_head = true;
            if head_tx.send(Ok((head, opts))).is_err() {
                return Ok(seq);
            }
        }
        let cut = if eof {
            buf.len()
        } else {
            match last_boundary(&buf) {
                Some(c) => c,
                None => {
                    target = buf.len() + chunk_bytes; // one record longer than a chunk
                    continue;
                }
            }
        };
        target = chunk_bytes.max(1);
        if cut > 0 {
            let rest = buf.split_off(cut);
            let bytes = std::mem::replace(&mut buf, rest);
            let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            let chunk = Chunk {
                seq,
                first_line: line,
                bytes,
            };
            if tokens.recv().is_err() || work.send(chunk).is_err() {
                return Ok(seq);
            }
            seq += 1;
            line += lines;
        }
        if eof {
            return Ok(seq);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn worker(
    work: &Mutex<Receiver<Chunk>>,
    done: &std::sync::mpsc::SyncSender<(u64, Result<(u64, String)>)>,
    head: &(Vec<u8>, LoadOptions),
    name: &str,
    model: &SavedModel,
    opts: &StreamOptions,
    reasons: usize,
) {
    loop {
        let chunk = match work.lock() {
            Ok(rx) => match rx.recv() {
                Ok(c) => c,
                Err(_) => return,
            },
            Err(_) => return,
        };
        let result = score_chunk(&chunk, head, name, model, opts, reasons)
            .map_err(|e| in_file(e, chunk.first_line));
        if done.send((chunk.seq, result)).is_err() {
            return;
        }
    }
}

fn score_chunk(
    chunk: &Chunk,
    (head, load_opts): &(Vec<u8>, LoadOptions),
    name: &str,
    model: &SavedModel,
    opts: &StreamOptions,
    reasons: usize,
) -> Result<(u64, String)> {
    let mut bytes = Vec::with_capacity(head.len() + chunk.bytes.len());
    bytes.extend_from_slice(head);
    bytes.extend_from_slice(&chunk.bytes);
    if chunk.bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok((0, String::new()));
    }
    let (table, _) = load(&bytes, name, load_opts, &mut ())?;
    drop(bytes);
    model.check(&table, opts.allow_unseen)?;
    let rows: Vec<usize> = (0..table.rows()).collect();
    // A scorecard: the score, the probability it stands for, and the
    // reason codes as reasons.
    let (card_scores, codes) = match &model.scorecard {
        Some(card) => {
            let listed = card.rows_of(&table, &rows)?;
            let codes = match reasons {
                0 => None,
                _ => Some(card.reasons(&listed, reasons)?),
            };
            (Some(card.score(&listed)?), codes)
        }
        None => (None, None),
    };
    // Logistic regression: one design matrix gives the score and the reasons.
    let (p, explained) = match (&model.gbdt, reasons, &card_scores, &model.scorecard) {
        (_, _, Some(s), Some(card)) => (s.iter().map(|&x| card.probability(x)).collect(), None),
        (None, 1.., _, _) if model.logistic.is_some() => {
            let x = model.prep.transform(&table, &rows)?;
            let p = model.logistic()?.predict_proba(x.view());
            (p, Some(model.explain_design(&[x.view()])?))
        }
        _ => (model.predict(&table, &rows)?, None),
    };
    let id = table.column(&opts.id)?;
    let mut text = String::with_capacity(rows.len() * 48);
    for (k, &i) in rows.iter().enumerate() {
        text.push_str(&crate::table::csv_field(&id.text(i)));
        text.push(',');
        text.push_str(&p[i].to_string());
        if let Some(s) = &card_scores {
            text.push(',');
            text.push_str(&s[k].to_string());
        }
        if let Some(e) = &explained {
            let r = e.reasons(k, reasons);
            for j in 0..reasons {
                text.push(',');
                if let Some((name, _)) = r.get(j) {
                    text.push_str(&crate::table::csv_field(name));
                }
            }
        }
        if let Some(c) = &codes {
            for j in 0..reasons {
                text.push(',');
                if let Some(r) = c[k].get(j) {
                    text.push_str(&crate::table::csv_field(&r.characteristic));
                }
            }
        }
        text.push_str("\r\n");
    }
    Ok((rows.len() as u64, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_newlines_outside_quotes() {
        assert_eq!(last_boundary(b"a,b\n1,\"x\ny\"\n2,z"), Some(12));
        assert_eq!(last_boundary(b"1,\"open\nstill open"), None);
        assert_eq!(last_boundary(b"no newline"), None);
        assert_eq!(first_boundary(b"\"a\nb\",c\n1,2\n"), Some(8));
    }
}
