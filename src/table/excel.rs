//! Excel workbooks (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`) and OpenDocument
//! sheets read with calamine into the loader's text: one sheet's cells as
//! CSV, so that finding the header, skipping title and total rows,
//! repairing and typing are exactly the CSV path's. Cells become text as
//! pandas' `read_excel` gives them: integers without ".0", other numbers
//! in their shortest exact form, dates from Excel serials as
//! `YYYY-MM-DD` (with ` HH:MM:SS` when there is a time), booleans
//! `TRUE`/`FALSE`, error cells empty (and counted in a note).

#[cfg(feature = "office")]
use std::io::Cursor;

#[cfg(feature = "office")]
use calamine::{Data, ExcelDateTime, ExcelDateTimeType, Reader};

use crate::{Error, Result};

/// Whether the bytes are a workbook (a zip: xlsx / xlsm / xlsb / ods; or
/// an OLE compound file: xls) rather than text.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// One sheet of a workbook as CSV text.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub csv: String,
    /// The sheet read.
    pub name: String,
    /// Every sheet of the workbook, in order (for the page's picker).
    pub sheets: Vec<String>,
    /// (English, Chinese)
    pub notes: Vec<(String, String)>,
}

fn workbook_error(file: &str, detail: String, detail_zh: String) -> Error {
    Error::Workbook {
        file: file.into(),
        detail,
        detail_zh,
    }
}

/// The page's core builds (without the `office` feature) have no
/// workbook reader: its worker runs a recipe with a workbook among its
/// files in the office build, so this is only reached by a caller that
/// did not.
#[cfg(not(feature = "office"))]
pub fn read(_bytes: &[u8], file: &str, _sheet: Option<&str>) -> Result<Sheet> {
    Err(workbook_error(
        file,
        "this build of kequn reads no Excel workbooks; reload the page (its office module reads them), use the kequn command line, or save the sheet as CSV".into(),
        "此版本的 kequn 不读取 Excel 工作簿；请刷新页面（由其办公模块读取）、使用 kequn 命令行，或将该表另存为 CSV".into(),
    ))
}

/// The named sheet (or, without a name, the first sheet with cells) as
/// CSV.
#[cfg(feature = "office")]
pub fn read(bytes: &[u8], file: &str, sheet: Option<&str>) -> Result<Sheet> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        workbook_error(
            file,
            format!("this workbook cannot be read ({e}). Open it in Excel, save it again as .xlsx (or as CSV) and load that."),
            format!("无法读取此工作簿（{e}）。请在 Excel 中打开并另存为 .xlsx（或 CSV）后再加载。"),
        )
    })?;
    let sheets = book.sheet_names();
    let read_sheet = |book: &mut calamine::Sheets<_>, name: &str| {
        book.worksheet_range(name).map_err(|e| {
            workbook_error(
                file,
                format!("sheet '{name}' cannot be read ({e}). Save the workbook again, or that sheet as CSV."),
                format!("工作表“{name}”无法读取（{e}）。请重新保存工作簿，或将该表另存为 CSV。"),
            )
        })
    };
    let (name, range) = match sheet {
        Some(want) => {
            let Some(name) = sheets.iter().find(|s| s.as_str() == want) else {
                return Err(workbook_error(
                    file,
                    format!(
                        "it has no sheet named '{want}'; its sheets are: {}",
                        sheets.join(", ")
                    ),
                    format!(
                        "没有名为“{want}”的工作表；现有工作表：{}",
                        sheets.join("、")
                    ),
                ));
            };
            (name.clone(), read_sheet(&mut book, name)?)
        }
        None => {
            let mut found = None;
            for name in &sheets {
                let range = read_sheet(&mut book, name)?;
                if range.used_cells().next().is_some() {
                    found = Some((name.clone(), range));
                    break;
                }
            }
            found.ok_or_else(|| Error::EmptyFile { file: file.into() })?
        }
    };
    let mut csv = String::with_capacity(range.get_size().0 * range.get_size().1 * 8);
    let mut errors = 0usize;
    let mut cell = String::new();
    for row in range.rows() {
        for (j, c) in row.iter().enumerate() {
            if j > 0 {
                csv.push(',');
            }
            cell.clear();
            if !text_of(c, &mut cell) {
                errors += 1;
            }
            if cell.contains([',', '"', '\n', '\r']) {
                csv.push('"');
                csv.push_str(&cell.replace('"', "\"\""));
                csv.push('"');
            } else {
                csv.push_str(&cell);
            }
        }
        csv.push('\n');
    }
    let mut notes = Vec::new();
    if sheets.len() > 1 {
        notes.push((
            format!(
                "read sheet '{name}' of {} ({}); choose another in the sheet box",
                sheets.len(),
                sheets.join(", ")
            ),
            format!(
                "读取了 {} 个工作表中的“{name}”（{}）；可在“工作表”中选择其他表",
                sheets.len(),
                sheets.join("、")
            ),
        ));
    }
    if errors > 0 {
        notes.push((
            format!("{errors} cells hold an Excel error (#N/A, #DIV/0! …) and are read as missing"),
            format!("{errors} 个单元格是 Excel 错误值（#N/A、#DIV/0! 等），按缺失读取"),
        ));
    }
    Ok(Sheet {
        csv,
        name,
        sheets,
        notes,
    })
}

/// A cell's text; false for an error cell (read as empty).
#[cfg(feature = "office")]
fn text_of(c: &Data, out: &mut String) -> bool {
    use std::fmt::Write;
    match c {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) => number(*f, out),
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::DateTime(d) if d.is_datetime() => {
            // To the nearest second: the serial's float error would make
            // 14:53:00 read 14:52:59.999 (calamine truncates). The epoch
            // (1900 or 1904) is kept by comparing with a 1900 reading.
            let v = d.as_f64();
            let plain = ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false);
            let is_1904 = plain.to_ymd_hms_milli() != d.to_ymd_hms_milli();
            let (y, mo, da, h, mi, s, _) =
                ExcelDateTime::new(v + 0.5 / 86_400.0, ExcelDateTimeType::DateTime, is_1904)
                    .to_ymd_hms_milli();
            let _ = write!(out, "{y:04}-{mo:02}-{da:02}");
            if (h, mi, s) != (0, 0, 0) {
                let _ = write!(out, " {h:02}:{mi:02}:{s:02}");
            }
        }
        // A duration (a time of day without a date): its serial as a number.
        Data::DateTime(d) => number(d.as_f64(), out),
        Data::Error(_) => return false,
    }
    true
}

/// Integers without a fraction ("12", not "12.0"), the rest in Rust's
/// shortest form that reads back to the same f64.
#[cfg(feature = "office")]
fn number(f: f64, out: &mut String) {
    use std::fmt::Write;
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
    } else {
        let _ = write!(out, "{f}");
    }
}
