//! The one error type of the library. Every variant carries what a person
//! needs to fix the input (file, line, column, value) and says what to do.
//! `Display` is English; [`Error::zh`] gives the same message in Chinese.
//! Only the outer layers (CLI, wasm bindings) choose how to show them.

use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A line of a file with the number of fields it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    pub line: u64,
    pub fields: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{file}: the file is empty. Choose the export that holds the data, or re-export it.")]
    EmptyFile { file: String },

    #[error("{file}: the file has a header but no data rows. Check that the export finished.")]
    NoDataRows { file: String },

    #[error(
        "{file}: this is not a text (CSV) file{hint}. Save it as CSV (UTF-8 or GBK) and load that."
    )]
    BinaryFile { file: String, hint: String },

    #[error("{file}: bytes on line {line} are not valid {encoding}. Choose the file's real encoding (for Excel on Chinese Windows it is usually GBK) in the encoding box.")]
    Undecodable {
        file: String,
        encoding: String,
        line: u64,
    },

    #[error(
        "unknown encoding '{label}'. Use one of: UTF-8, GBK, GB18030, UTF-16LE, UTF-16BE, Big5."
    )]
    UnknownEncoding { label: String },

    #[error("{file}: {total_bad} of {rows} rows do not have {expected} fields (first: {}). Check the delimiter and quoting, or raise the ragged-row tolerance (the page's \"Ragged-row tolerance (%)\"; a recipe's options.ragged_tolerance).", first_lines(.bad))]
    RaggedRows {
        file: String,
        expected: usize,
        rows: usize,
        total_bad: usize,
        bad: Vec<BadLine>,
    },

    #[error("{file}: the header names column '{name}' twice (columns {first} and {second}). Rename one of them in the file or in a column-list file.")]
    DuplicateHeader {
        file: String,
        name: String,
        first: usize,
        second: usize,
    },

    #[error("{file}: the column list '{list_file}' names {names} columns but the data has {fields} fields per row. Make the list match the export, one name per line.")]
    ColumnListMismatch {
        file: String,
        list_file: String,
        names: usize,
        fields: usize,
    },

    #[error("{file}: no column named '{column}'{}. Check the spelling or the header row.", suggestion_en(.suggestion))]
    ColumnNotFound {
        file: String,
        column: String,
        suggestion: Option<String>,
    },

    #[error("{file}, line {line}, column '{column}': '{value}' is not a {expected}. Fix the value or set the column's type to categorical.")]
    BadValue {
        file: String,
        line: u64,
        column: String,
        value: String,
        expected: String,
    },

    #[error("join of '{left}' and '{right}' on '{key}': no key matches (e.g. '{left_example}' vs '{right_example}'). Check that both files use the same key format (leading zeros, spaces, text vs number).")]
    JoinNoMatch {
        left: String,
        right: String,
        key: String,
        left_example: String,
        right_example: String,
    },

    #[error("rule: {detail}\n  {rule}\n  {}", caret(.rule, *.at, *.len))]
    Rule {
        rule: String,
        /// Characters `at..at+len` of the rule are at fault.
        at: usize,
        len: usize,
        detail: String,
        detail_zh: String,
    },

    #[error("{file}, column '{column}': {rows} rows have values the model never saw in training ({}). Score them anyway with --allow-unseen (they count as no category), or retrain.", .values.join(", "))]
    UnseenCategory {
        file: String,
        column: String,
        values: Vec<String>,
        rows: usize,
    },

    #[error("the recipe is not valid: {detail}")]
    Recipe { detail: String },

    /// A recipe field names something this version does not have.
    #[error("the recipe is not valid: {field} '{value}' is not known; use one of: {}", .allowed.join(", "))]
    UnknownValue {
        field: String,
        value: String,
        allowed: Vec<String>,
    },

    /// A recipe number outside what the model allows.
    #[error("the recipe is not valid: {field} = {value} is out of range; allowed: {allowed}")]
    OutOfRange {
        field: String,
        value: String,
        allowed: String,
        allowed_zh: String,
    },

    /// A recipe section needs another section that is missing.
    #[error("the recipe is not valid: {section} needs {needs} ({why})")]
    MissingSection {
        section: String,
        needs: String,
        why: String,
        why_zh: String,
    },

    /// An analysis step cannot give a result on this data; says what to change.
    #[error("{detail}")]
    Analysis { detail: String, detail_zh: String },

    #[error("the recipe needs a file named '{name}' but it was not given. Add that file.")]
    MissingInput { name: String },

    #[error("{path}: {detail}")]
    Io { path: String, detail: String },

    /// An Excel workbook that cannot be read, or a sheet it does not have.
    #[error("{file}: {detail}")]
    Workbook {
        file: String,
        detail: String,
        detail_zh: String,
    },

    /// A saved model cannot be written for another engine (SQL, PMML).
    #[error("cannot export the model as {target}: {detail}")]
    Export {
        target: String,
        detail: String,
        detail_zh: String,
    },
}

/// `^^^` under characters `at..at+len` of `rule`; CJK characters are two columns wide.
pub fn caret(rule: &str, at: usize, len: usize) -> String {
    let width = |c: char| if c.is_ascii() { 1 } else { 2 };
    let pad: usize = rule.chars().take(at).map(width).sum();
    let marks: usize = rule
        .chars()
        .skip(at)
        .take(len)
        .map(width)
        .sum::<usize>()
        .max(1);
    format!("{}{}", " ".repeat(pad), "^".repeat(marks))
}

fn first_lines(bad: &[BadLine]) -> String {
    bad.iter()
        .map(|b| format!("line {} has {}", b.line, b.fields))
        .collect::<Vec<_>>()
        .join(", ")
}

fn suggestion_en(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean '{s}'?)"))
        .unwrap_or_default()
}

impl Error {
    /// `field` has `value`, which is none of `allowed`.
    pub fn unknown(field: &str, value: &str, allowed: &[&str]) -> Error {
        Error::UnknownValue {
            field: field.into(),
            value: value.into(),
            allowed: allowed.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// A short stable code for the page and tests, e.g. `ragged_rows`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::EmptyFile { .. } => "empty_file",
            Error::NoDataRows { .. } => "no_data_rows",
            Error::BinaryFile { .. } => "binary_file",
            Error::Workbook { .. } => "workbook",
            Error::Undecodable { .. } => "undecodable",
            Error::UnknownEncoding { .. } => "unknown_encoding",
            Error::RaggedRows { .. } => "ragged_rows",
            Error::DuplicateHeader { .. } => "duplicate_header",
            Error::ColumnListMismatch { .. } => "column_list_mismatch",
            Error::ColumnNotFound { .. } => "column_not_found",
            Error::BadValue { .. } => "bad_value",
            Error::JoinNoMatch { .. } => "join_no_match",
            Error::Rule { .. } => "rule",
            Error::UnseenCategory { .. } => "unseen_category",
            Error::Recipe { .. } => "recipe",
            Error::UnknownValue { .. } => "unknown_value",
            Error::MissingSection { .. } => "missing_section",
            Error::OutOfRange { .. } => "out_of_range",
            Error::Analysis { .. } => "analysis",
            Error::MissingInput { .. } => "missing_input",
            Error::Io { .. } => "io",
            Error::Export { .. } => "export",
        }
    }

    /// The file the error is about, if any.
    pub fn file(&self) -> Option<&str> {
        match self {
            Error::EmptyFile { file }
            | Error::NoDataRows { file }
            | Error::BinaryFile { file, .. }
            | Error::Undecodable { file, .. }
            | Error::RaggedRows { file, .. }
            | Error::DuplicateHeader { file, .. }
            | Error::ColumnListMismatch { file, .. }
            | Error::ColumnNotFound { file, .. }
            | Error::BadValue { file, .. }
            | Error::UnseenCategory { file, .. }
            | Error::Workbook { file, .. } => Some(file),
            Error::Io { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The first line of the file the error points at, if any.
    pub fn line(&self) -> Option<u64> {
        match self {
            Error::Undecodable { line, .. } | Error::BadValue { line, .. } => Some(*line),
            Error::RaggedRows { bad, .. } => bad.first().map(|b| b.line),
            _ => None,
        }
    }

    /// The column the error points at, if any.
    pub fn column(&self) -> Option<&str> {
        match self {
            Error::ColumnNotFound { column, .. }
            | Error::BadValue { column, .. }
            | Error::UnseenCategory { column, .. } => Some(column),
            Error::DuplicateHeader { name, .. } => Some(name),
            Error::JoinNoMatch { key, .. } => Some(key),
            _ => None,
        }
    }

    /// The same message in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Error::EmptyFile { file } => format!("{file}：文件是空的。请选择包含数据的导出文件，或重新导出。"),
            Error::NoDataRows { file } => format!("{file}：文件只有表头，没有数据行。请确认导出已完成。"),
            Error::BinaryFile { file, hint } => {
                let hint = if hint.contains("Excel") { "（看起来是 Excel 工作簿）" } else { "" };
                format!("{file}：这不是文本（CSV）文件{hint}。请另存为 CSV（UTF-8 或 GBK）后再加载。")
            }
            Error::Undecodable { file, encoding, line } => format!(
                "{file}：第 {line} 行的字节不是有效的 {encoding} 编码。请在“编码”中选择文件的实际编码（中文 Windows 的 Excel 通常为 GBK）。"
            ),
            Error::UnknownEncoding { label } => format!(
                "未知编码“{label}”。可用：UTF-8、GBK、GB18030、UTF-16LE、UTF-16BE、Big5。"
            ),
            Error::RaggedRows { file, expected, rows, total_bad, bad } => {
                let first = bad
                    .iter()
                    .map(|b| format!("第 {} 行有 {} 个", b.line, b.fields))
                    .collect::<Vec<_>>()
                    .join("，");
                format!(
                    "{file}：{rows} 行中有 {total_bad} 行的字段数不是 {expected}（{first}）。请检查分隔符和引号，或放宽不齐行容忍度（页面中的“不齐行容忍度（%）”；配方中的 options.ragged_tolerance）。"
                )
            }
            Error::DuplicateHeader { file, name, first, second } => format!(
                "{file}：表头中“{name}”出现了两次（第 {first} 列和第 {second} 列）。请在文件或列名文件中重命名其中一个。"
            ),
            Error::ColumnListMismatch { file, list_file, names, fields } => format!(
                "{file}：列名文件“{list_file}”有 {names} 个列名，但数据每行有 {fields} 个字段。请让列名文件与导出一致，每行一个列名。"
            ),
            Error::ColumnNotFound { file, column, suggestion } => {
                let s = suggestion
                    .as_ref()
                    .map(|s| format!("（是否是“{s}”？）"))
                    .unwrap_or_default();
                format!("{file}：没有名为“{column}”的列{s}。请检查拼写或表头行。")
            }
            Error::BadValue { file, line, column, value, expected } => {
                let expected = match expected.as_str() {
                    "number" => "数字",
                    "date" => "日期",
                    other => other,
                };
                format!(
                    "{file}，第 {line} 行，列“{column}”：“{value}”不是{expected}。请修正该值，或把该列类型设为分类。"
                )
            }
            Error::JoinNoMatch { left, right, key, left_example, right_example } => format!(
                "按“{key}”关联“{left}”与“{right}”：没有任何键能匹配（例如“{left_example}”与“{right_example}”）。请确认两个文件的键格式一致（前导零、空格、文本或数字）。"
            ),
            Error::Rule { rule, at, len, detail_zh, .. } => {
                format!("规则：{detail_zh}\n  {rule}\n  {}", caret(rule, *at, *len))
            }
            Error::UnseenCategory { file, column, values, rows } => format!(
                "{file}，列“{column}”：{rows} 行的取值在训练时没有出现过（{}）。可用 --allow-unseen 照常评分（视为无类别），或重新训练模型。",
                values.join("、")
            ),
            Error::Recipe { detail } => format!("分析配方无效：{detail}"),
            Error::UnknownValue { field, value, allowed } => format!(
                "分析配方无效：{field} 的取值“{value}”不存在；可用的有：{}",
                allowed.join("、")
            ),
            Error::OutOfRange { field, value, allowed_zh, .. } => {
                format!("分析配方无效：{field} = {value} 超出范围；允许：{allowed_zh}")
            }
            Error::MissingSection { section, needs, why_zh, .. } => {
                format!("分析配方无效：{section} 需要 {needs}（{why_zh}）")
            }
            Error::Analysis { detail_zh, .. } => detail_zh.clone(),
            Error::Workbook { file, detail_zh, .. } => format!("{file}：{detail_zh}"),
            Error::MissingInput { name } => format!("分析配方需要文件“{name}”，但没有提供。请添加该文件。"),
            Error::Io { path, detail } => format!("{path}：无法读写该文件（{detail}）。请检查路径和权限。"),
            Error::Export { target, detail_zh, .. } => format!("无法把模型导出为 {target}：{detail_zh}"),
        }
    }
}

/// The closest name to `wanted` among `names`, for "did you mean" hints.
pub fn closest<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let wanted_l = wanted.to_lowercase();
    names
        .into_iter()
        .map(|n| {
            (
                strsim::normalized_levenshtein(&wanted_l, &n.to_lowercase()),
                n,
            )
        })
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n.to_string())
}
