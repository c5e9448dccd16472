//! Bytes to text: BOM sniffing, detection (UTF-8, else chardetng, which tells
//! GBK from Big5 and the single-byte code pages), and an explicit choice that
//! always wins over detection (with a warning when they disagree).

use std::borrow::Cow;

use encoding_rs::{DecoderResult, Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::{Error, Result};

#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: &'static str,
    /// (English, Chinese)
    pub warnings: Vec<(String, String)>,
}

/// How many leading bytes the detector and the binary check look at.
const SNIFF_BYTES: usize = 1 << 18;

pub fn decode<'a>(bytes: &'a [u8], file: &str, requested: Option<&str>) -> Result<Decoded<'a>> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::EmptyFile { file: file.into() });
    }
    let bom = Encoding::for_bom(bytes);
    let mut warnings = Vec::new();
    let requested =
        match requested
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != "auto")
        {
            Some(label) => Some(Encoding::for_label(label.as_bytes()).ok_or_else(|| {
                Error::UnknownEncoding {
                    label: label.into(),
                }
            })?),
            None => None,
        };
    let (encoding, body) = match (requested, bom) {
        (Some(enc), Some((bom_enc, len))) => {
            if enc != bom_enc {
                warnings.push((
                    format!(
                        "the file starts with a {} byte-order mark but {} was chosen; decoding as {}",
                        bom_enc.name(),
                        enc.name(),
                        enc.name()
                    ),
                    format!(
                        "文件以 {} 字节序标记开头，但选择了 {}；按 {} 解码",
                        bom_enc.name(),
                        enc.name(),
                        enc.name()
                    ),
                ));
                (enc, bytes)
            } else {
                (enc, &bytes[len..])
            }
        }
        (Some(enc), None) => (enc, bytes),
        (None, Some((enc, len))) => (enc, &bytes[len..]),
        (None, None) => {
            check_binary(bytes, file)?;
            if let Some(text) = utf8_in_calls(bytes) {
                // The common case: no copy, validated once (with SIMD; the
                // standard check reads four bytes at a time in wasm32).
                return Ok(Decoded {
                    text: Cow::Borrowed(text),
                    encoding: UTF_8.name(),
                    warnings,
                });
            }
            (detect(bytes), bytes)
        }
    };
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::EmptyFile { file: file.into() });
    }
    let text = decode_strict(body, encoding, file)?;
    Ok(Decoded {
        text,
        encoding: encoding.name(),
        warnings,
    })
}

fn check_binary(bytes: &[u8], file: &str) -> Result<()> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let hint = if head.starts_with(b"PK\x03\x04") {
        " (it looks like an Excel .xlsx workbook or a zip archive)"
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        " (it looks like an old Excel .xls workbook)"
    } else if head.starts_with(b"%PDF") {
        " (it looks like a PDF)"
    } else if head.contains(&0) {
        ""
    } else {
        return Ok(());
    };
    Err(Error::BinaryFile {
        file: file.into(),
        hint: hint.into(),
    })
}

/// Guesses the encoding of bytes that are not valid UTF-8.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(
        &bytes[..bytes.len().min(SNIFF_BYTES)],
        bytes.len() <= SNIFF_BYTES,
    );
    match det.guess(None, chardetng::Utf8Detection::Deny) {
        // UTF-16 without BOM is not guessed by chardetng; UTF-8 was ruled out above.
        e if e == UTF_8 || e == UTF_16LE || e == UTF_16BE => encoding_rs::GB18030,
        e => e,
    }
}

/// `bytes` as UTF-8 text when they are, checked with SIMD a MiB a call
/// (on every core):
/// V8 runs a wasm function's optimised code from its next call on, so one
/// call over a whole file would run in the baseline compiler's code, at
/// half the speed.
fn utf8_in_calls(bytes: &[u8]) -> Option<&str> {
    const CALL: usize = 1 << 20;
    // Blocks of a MiB on every core, each moved on to the character that
    // starts at or after its edge (past at most three continuation bytes:
    // more are not UTF-8, and the block that starts with them says so). In
    // valid UTF-8 such an edge is a character's start, so the text is valid
    // exactly when every block is.
    let edge = |at: usize| {
        (at..bytes.len().min(at + 3))
            .find(|&i| bytes[i] & 0xC0 != 0x80)
            .unwrap_or(bytes.len().min(at + 3))
    };
    let valid = crate::par::map_range(bytes.len(), CALL, |r| {
        let end = if r.end == bytes.len() {
            r.end
        } else {
            edge(r.end)
        };
        let start = if r.start == 0 { 0 } else { edge(r.start) };
        valid_utf8(&bytes[start..end]).is_ok()
    });
    if !valid.into_iter().all(|ok| ok) {
        return None;
    }
    // SAFETY: the blocks cover every byte, one after another, and each was
    // checked as valid UTF-8, so their concatenation is valid UTF-8.
    Some(unsafe { std::str::from_utf8_unchecked(bytes) })
}

#[inline(never)]
fn valid_utf8(bytes: &[u8]) -> Result<(), simdutf8::compat::Utf8Error> {
    simdutf8::compat::from_utf8(bytes).map(|_| ())
}

fn decode_strict<'a>(bytes: &'a [u8], enc: &'static Encoding, file: &str) -> Result<Cow<'a, str>> {
    if enc == UTF_8 {
        return match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(e) => Err(undecodable(bytes, e.valid_up_to(), enc, file)),
        };
    }
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut out = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        DecoderResult::InputEmpty => Ok(Cow::Owned(out)),
        DecoderResult::Malformed(bad, _) => Err(undecodable(
            bytes,
            read.saturating_sub(bad as usize),
            enc,
            file,
        )),
        DecoderResult::OutputFull => Err(Error::Io {
            path: file.into(),
            detail: "internal: decode buffer too small".into(),
        }),
    }
}

fn undecodable(bytes: &[u8], at: usize, enc: &'static Encoding, file: &str) -> Error {
    let line = bytes[..at.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1;
    Error::Undecodable {
        file: file.into(),
        encoding: enc.name().into(),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check a MiB a call says what `std` says of the whole, with
    /// characters cut at every offset around the calls' ends.
    #[test]
    fn utf8_in_calls_is_std_from_utf8() {
        for pad in 0..4 {
            let mut text = "a".repeat(pad);
            while text.len() < (3 << 20) + 7 {
                text.push_str("客户€é");
            }
            let good = text.as_bytes();
            assert_eq!(utf8_in_calls(good), std::str::from_utf8(good).ok());
            for at in [
                (1 << 20) - 1,
                1 << 20,
                (1 << 20) + 1,
                (2 << 20) + 2,
                good.len() - 1,
            ] {
                let mut bad = good.to_vec();
                bad[at] = 0xff;
                assert_eq!(utf8_in_calls(&bad), None, "0xff at {at}");
                // Four continuation bytes across a block's edge: no
                // character holds them.
                let mut bad = good.to_vec();
                let from = at.saturating_sub(2).min(good.len() - 4);
                bad[from..from + 4].fill(0x80);
                assert_eq!(utf8_in_calls(&bad), None, "0x80 x 4 at {from}");
                // Cut short inside a character: not UTF-8 either.
                let cut = &good[..at];
                assert_eq!(
                    utf8_in_calls(cut).is_some(),
                    std::str::from_utf8(cut).is_ok(),
                    "cut at {at}"
                );
            }
        }
    }

    #[test]
    fn utf8_starting_inside_a_character_is_not_utf8() {
        assert_eq!(utf8_in_calls(b"\x80a,b\n"), None);
        assert_eq!(utf8_in_calls("é,b\n".as_bytes()).map(str::len), Some(5));
    }

    #[test]
    fn utf8_is_borrowed_and_bom_stripped() {
        let d = decode("a,b\n1,2\n".as_bytes(), "f", None).unwrap();
        assert!(matches!(d.text, Cow::Borrowed(_)));
        let d = decode(b"\xEF\xBB\xBFa,b\n", "f", None).unwrap();
        assert_eq!(d.text, "a,b\n");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn gbk_is_detected() {
        let (bytes, _, _) = encoding_rs::GBK.encode("客户号,姓名,城市\n1,张三,北京\n2,李四,上海\n");
        let d = decode(&bytes, "f", None).unwrap();
        assert_eq!(d.encoding, "GBK");
        assert!(d.text.starts_with("客户号,姓名"));
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "名,值\n甲,1\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&bytes, "f", None).unwrap();
        assert_eq!(d.encoding, "UTF-16LE");
        assert_eq!(d.text, "名,值\n甲,1\n");
    }

    #[test]
    fn explicit_choice_wins_over_bom_with_warning() {
        let d = decode(b"\xEF\xBB\xBFa,b\n", "f", Some("gbk")).unwrap();
        assert_eq!(d.encoding, "GBK");
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn invalid_utf8_names_line() {
        let err = decode(b"a,b\n1,2\n3,\xFF\xFF\n", "x.csv", Some("utf-8")).unwrap_err();
        assert_eq!(
            err,
            Error::Undecodable {
                file: "x.csv".into(),
                encoding: "UTF-8".into(),
                line: 3
            }
        );
    }

    #[test]
    fn empty_binary_and_xlsx() {
        assert_eq!(
            decode(b" \n\r\n", "e", None).unwrap_err().code(),
            "empty_file"
        );
        assert_eq!(
            decode(b"a\0b", "b", None).unwrap_err().code(),
            "binary_file"
        );
        let e = decode(b"PK\x03\x04rest", "x.xlsx", None).unwrap_err();
        assert!(e.to_string().contains("Excel"), "{e}");
        assert_eq!(
            decode(b"a", "f", Some("klingon")).unwrap_err().code(),
            "unknown_encoding"
        );
    }
}
