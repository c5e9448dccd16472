//! A saved model as one SQL `SELECT` for the warehouse: the whole pipeline
//! from the raw columns (missing values, log1p, standardisation, one-hot,
//! ordinal and target encodings, dates as days before the reference) and
//! then the model — logistic regression as its linear predictor, gradient
//! boosting as a sum of one `CASE` per tree, a scorecard as one `CASE`
//! per characteristic over its bins (points), summed. Every number is written with
//! the shortest digits that read back to the same `f64`, and every step
//! repeats the Rust arithmetic in the same order, so an engine's doubles
//! give the same probabilities (tests/sql.rs holds DuckDB to 1e-9).
//!
//! Output: the id, `probability`, `decile` (1 = the highest tenth) and, for
//! logistic regression, `reason_1..3`: the columns that raise the
//! customer's log-odds most, as `kequn score` lists them; for a scorecard,
//! `reason_1..3` are its reason codes (the characteristics losing the most
//! points below their best bin) and `score` comes last.

use crate::prep::Transform;
use crate::score::analysis::SavedModel;
use crate::score::gbdt::{GbdtModel, Missing, Node, SplitRule, Tree};
use crate::score::scorecard::{Binning, CharacteristicKind, Scorecard};
use crate::table::infer::MISSING_TOKENS;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    DuckDb,
    Spark,
    Postgres,
}

pub const DIALECTS: &[&str] = &["duckdb", "spark", "postgres"];

/// Levels past which a `CASE` is no longer a sensible thing to send an
/// engine (a lookup table is); such a column is refused by name.
pub const MAX_CASE_LEVELS: usize = 5_000;

/// What the generated query reads and gives.
#[derive(Debug, Clone)]
pub struct SqlOptions {
    pub dialect: Dialect,
    /// The table (or view) holding one row per customer, e.g. `dw.customers`.
    pub table: String,
    /// The id column, given back beside each score.
    pub id: String,
    /// Reason columns (logistic regression only).
    pub reasons: usize,
}

impl Dialect {
    pub fn parse(s: &str) -> Result<Dialect> {
        match s.trim().to_ascii_lowercase().as_str() {
            "duckdb" => Ok(Dialect::DuckDb),
            "spark" | "sparksql" | "spark-sql" | "hive" => Ok(Dialect::Spark),
            "postgres" | "postgresql" => Ok(Dialect::Postgres),
            other => Err(Error::unknown("--dialect", other, DIALECTS)),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Spark => "spark",
            Dialect::Postgres => "postgres",
        }
    }

    /// A quoted identifier.
    fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A table name, each dot-separated part quoted.
    fn table(self, name: &str) -> String {
        name.split('.')
            .map(|p| self.ident(p.trim()))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A string literal (Spark reads backslash escapes inside quotes).
    fn text(self, s: &str) -> String {
        let s = s.replace('\'', "''");
        match self {
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\")),
            _ => format!("'{s}'"),
        }
    }

    /// A double literal that reads back to exactly `v`: the shortest
    /// round-trip digits with an exponent, which DuckDB and Spark read as
    /// DOUBLE (not DECIMAL); PostgreSQL gets an explicit cast.
    fn num(self, v: f64) -> String {
        let s = format!("{v:e}");
        match self {
            Dialect::Postgres => format!("CAST({s} AS DOUBLE PRECISION)"),
            _ if v < 0.0 => format!("({s})"),
            _ => s,
        }
    }

    fn text_type(self) -> &'static str {
        match self {
            Dialect::DuckDb => "VARCHAR",
            Dialect::Spark => "STRING",
            Dialect::Postgres => "TEXT",
        }
    }

    /// A column read as a number, NULL where it holds none (text columns
    /// of numbers included, as the loader reads them).
    fn number(self, c: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Spark => {
                format!("NULLIF(TRY_CAST({c} AS DOUBLE), CAST('NaN' AS DOUBLE))")
            }
            Dialect::Postgres => format!(
                "CASE WHEN TRIM(CAST({c} AS TEXT)) ~ '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$' THEN CAST(TRIM(CAST({c} AS TEXT)) AS DOUBLE PRECISION) END"
            ),
        }
    }

    /// Seconds since 1970-01-01 of a date or date-time column read as
    /// local time (the loader's reading), NULL where it holds none.
    fn epoch(self, c: &str) -> String {
        match self {
            Dialect::DuckDb => format!(
                "epoch(COALESCE(TRY_CAST({c} AS TIMESTAMP), TRY_STRPTIME(CAST({c} AS VARCHAR), ['%Y/%m/%d', '%Y%m%d', '%Y年%m月%d日', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M'])))"
            ),
            // The session time zone must be UTC (spark.sql.session.timeZone).
            Dialect::Spark => format!(
                "CAST(unix_timestamp(COALESCE(to_timestamp(CAST({c} AS STRING)), to_timestamp(CAST({c} AS STRING), 'yyyy/M/d'), to_timestamp(CAST({c} AS STRING), 'yyyyMMdd'), to_timestamp(CAST({c} AS STRING), 'yyyy/M/d H:mm:ss'))) AS DOUBLE)"
            ),
            Dialect::Postgres => {
                format!("EXTRACT(EPOCH FROM CAST(NULLIF(TRIM(CAST({c} AS TEXT)), '') AS TIMESTAMP))::float8")
            }
        }
    }

    /// A column read as a category: trimmed text, NULL for the cells the
    /// loader counts as missing (`table::infer::is_missing_token`). When the
    /// model's levels are a yes/no pair, a BOOLEAN column (which DuckDB's
    /// `read_csv` and warehouses make of such a column) reads as those words.
    fn level(self, c: &str, levels: &[String]) -> String {
        let t = format!("TRIM(CAST({c} AS {}))", self.text_type());
        let t = match boolean_words(levels) {
            Some((yes, no)) => format!(
                "CASE {t} WHEN 'true' THEN {} WHEN 'false' THEN {} ELSE {t} END",
                self.text(yes),
                self.text(no)
            ),
            None => t,
        };
        let tokens: Vec<String> = MISSING_TOKENS.iter().map(|s| self.text(s)).collect();
        format!(
            "CASE WHEN {t} IN ({}) THEN NULL ELSE {t} END",
            tokens.join(", ")
        )
    }

    /// Identifiers the engine treats as the same column.
    fn same_ident(self, a: &str, b: &str) -> bool {
        match self {
            // DuckDB and Spark fold case even for quoted names.
            Dialect::DuckDb | Dialect::Spark => a.to_lowercase() == b.to_lowercase(),
            // PostgreSQL keeps the first 63 bytes of a name.
            Dialect::Postgres => truncate_bytes(a, 63) == truncate_bytes(b, 63),
        }
    }
}

/// The (true, false) words of a two-level column an engine reads as BOOLEAN.
fn boolean_words(levels: &[String]) -> Option<(&str, &str)> {
    const PAIRS: &[(&str, &str)] = &[("yes", "no"), ("y", "n"), ("true", "false"), ("t", "f")];
    let [a, b] = levels else { return None };
    PAIRS.iter().find_map(|(yes, no)| {
        if a.eq_ignore_ascii_case(yes) && b.eq_ignore_ascii_case(no) {
            Some((a.as_str(), b.as_str()))
        } else if b.eq_ignore_ascii_case(yes) && a.eq_ignore_ascii_case(no) {
            Some((b.as_str(), a.as_str()))
        } else {
            None
        }
    })
}

fn truncate_bytes(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn refuse(dialect: Dialect, detail: String, detail_zh: String) -> Error {
    Error::Export {
        target: format!("SQL ({})", dialect.name()),
        detail,
        detail_zh,
    }
}

/// The query scoring every row of `opts.table` with `model`.
pub fn model_sql(model: &SavedModel, opts: &SqlOptions) -> Result<String> {
    let d = opts.dialect;
    if let Some(card) = &model.scorecard {
        return scorecard_sql(model, card, opts);
    }
    check_names(model, opts)?;
    let transforms = &model.prep.transforms;
    for t in transforms {
        check_step(t, d)?;
    }
    let mut sql = String::new();
    let rule = model.label_rule.replace(['\n', '\r'], " ");
    sql.push_str(&format!(
        "-- kequn {} model of rule {rule}, for {} (kequn {}).\n-- Reads {} from {}; gives {}, probability, decile (1 = highest tenth){}.\n",
        model.kind(),
        d.name(),
        env!("CARGO_PKG_VERSION"),
        transforms
            .iter()
            .map(|t| t.column())
            .collect::<Vec<_>>()
            .join(", "),
        opts.table,
        opts.id,
        if model.gbdt.is_none() && opts.reasons > 0 {
            format!(" and reason_1..{} (the columns raising the score most)", opts.reasons)
        } else {
            String::new()
        }
    ));
    if d == Dialect::Spark
        && transforms
            .iter()
            .any(|t| matches!(t, Transform::DateDays { .. }))
    {
        sql.push_str("-- Dates are read in the session time zone: SET spark.sql.session.timeZone = UTC first.\n");
    }
    // `src`: each source column read once, as a number or a category.
    let mut cols = vec![format!("{} AS k_id", d.ident(&opts.id))];
    for (i, t) in transforms.iter().enumerate() {
        let c = d.ident(t.column());
        let v = match t {
            Transform::Numeric { .. } => d.number(&c),
            Transform::DateDays { reference, .. } => format!(
                "({} - {}) / {}",
                d.num(*reference as f64),
                d.epoch(&c),
                d.num(86400.0)
            ),
            Transform::OneHot { levels, .. } | Transform::TargetEncode { levels, .. } => {
                d.level(&c, levels)
            }
            Transform::Ordinal { order, .. } => d.level(&c, order),
        };
        cols.push(format!("{v} AS v{i}"));
    }
    sql.push_str(&format!(
        "WITH src AS (\n  SELECT\n    {}\n  FROM {}\n),\n",
        cols.join(",\n    "),
        d.table(&opts.table)
    ));
    match (&model.gbdt, &model.logistic) {
        (Some(g), _) => gbdt_sql(&mut sql, model, g, d, &opts.id)?,
        (None, Some(_)) => logistic_sql(&mut sql, model, d, &opts.id, opts.reasons)?,
        (None, None) => {
            return Err(refuse(
                d,
                "the saved model has no fitted model in it; save the model again".into(),
                "保存的模型中没有已拟合的模型，请重新保存模型".into(),
            ))
        }
    }
    Ok(sql)
}

/// The output and source names must stay distinct once the engine reads them.
fn check_names(model: &SavedModel, opts: &SqlOptions) -> Result<()> {
    let d = opts.dialect;
    let mut names: Vec<(&str, &str)> = vec![(opts.id.as_str(), "the id column")];
    for fixed in ["probability", "decile", "reason_1", "reason_2", "reason_3"] {
        names.push((fixed, "an output column"));
    }
    let sources: Vec<&str> = model.prep.transforms.iter().map(|t| t.column()).collect();
    for s in &sources {
        if s.is_empty() || s.contains('\0') {
            return Err(refuse(
                d,
                format!("column '{s}' has a name no engine can quote; rename it"),
                format!("列“{s}”的名字无法在 SQL 中引用，请重命名"),
            ));
        }
    }
    if opts.table.trim().is_empty() {
        return Err(refuse(
            d,
            "no table named (--table)".into(),
            "没有指定表名（--table）".into(),
        ));
    }
    // Output names among themselves.
    for (a, (x, what_x)) in names.iter().enumerate() {
        for (y, what_y) in &names[a + 1..] {
            if d.same_ident(x, y) {
                return Err(refuse(
                    d,
                    format!("{what_x} '{x}' and {what_y} '{y}' would be the same column in {}; rename one", d.name()),
                    format!("{x}与{y}在 {} 中会成为同一列，请重命名其一", d.name()),
                ));
            }
        }
    }
    // Source columns among themselves (the id may also be a source).
    for (a, x) in sources.iter().enumerate() {
        for y in &sources[a + 1..] {
            if d.same_ident(x, y) {
                return Err(refuse(
                    d,
                    format!("columns '{x}' and '{y}' are one column to {} (names there ignore case{}); rename one in the file and train again", d.name(), if d == Dialect::Postgres { " past 63 bytes" } else { "" }),
                    format!("列“{x}”和“{y}”在 {} 中是同一列（不区分大小写或超过 63 字节），请在文件中重命名其一并重新训练", d.name()),
                ));
            }
        }
    }
    Ok(())
}

/// A step the dialect cannot carry is refused by name.
fn check_step(t: &Transform, d: Dialect) -> Result<()> {
    let levels = match t {
        Transform::OneHot { levels, .. } | Transform::TargetEncode { levels, .. } => levels.len(),
        Transform::Ordinal { order, .. } => order.len(),
        _ => 0,
    };
    let step = match t {
        Transform::OneHot { .. } => "one-hot encoding",
        Transform::TargetEncode { .. } => "target encoding",
        _ => "ordinal encoding",
    };
    if levels > MAX_CASE_LEVELS {
        return Err(refuse(
            d,
            format!(
                "the {step} of column '{}' has {levels} levels, past the {MAX_CASE_LEVELS} a CASE expression carries; exclude the column or group its levels and train again",
                t.column()
            ),
            format!(
                "列“{}”的编码步骤有 {levels} 个取值，超过 CASE 表达式可承载的 {MAX_CASE_LEVELS} 个；请排除该列或合并取值后重新训练",
                t.column()
            ),
        ));
    }
    let finite = t.is_finite();
    if !finite {
        return Err(refuse(
            d,
            format!(
                "the step on column '{}' holds a value that is not a finite number; train again",
                t.column()
            ),
            format!("列“{}”的处理步骤含有非有限数值，请重新训练", t.column()),
        ));
    }
    Ok(())
}

/// `CASE v WHEN 'a' THEN x … ELSE other END`.
fn case_of(d: Dialect, v: &str, pairs: &[(String, String)], other: &str) -> String {
    if pairs.is_empty() {
        return other.to_string();
    }
    let arms: Vec<String> = pairs
        .iter()
        .map(|(k, x)| format!("WHEN {} THEN {x}", d.text(k)))
        .collect();
    format!("CASE {v} {} ELSE {other} END", arms.join(" "))
}

/// Linear predictor, probability, and each source column's contribution.
fn logistic_sql(
    sql: &mut String,
    model: &SavedModel,
    d: Dialect,
    id: &str,
    reasons: usize,
) -> Result<()> {
    let logistic = model.logistic()?;
    let features = model.prep.features();
    if logistic.coef.len() != features.len() || model.train_mean.len() != features.len() {
        return Err(refuse(
            d,
            "the saved model's coefficients do not match its features; save the model again".into(),
            "保存的模型系数与特征不符，请重新保存模型".into(),
        ));
    }
    // `feat`: the design matrix, column by column as `Prep::transform`.
    let mut x = Vec::new();
    for (i, t) in model.prep.transforms.iter().enumerate() {
        let v = format!("v{i}");
        let standard = |raw: String, fill: f64, mean: f64, scale: f64, log: bool| {
            let filled = format!("COALESCE({raw}, {})", d.num(fill));
            let filled = if log {
                format!("LN(1 + GREATEST({filled}, {}))", d.num(0.0))
            } else {
                filled
            };
            format!("({filled} - {}) / {}", d.num(mean), d.num(scale))
        };
        match t {
            Transform::Numeric {
                log1p,
                fill,
                mean,
                scale,
                ..
            } => x.push(standard(v, *fill, *mean, *scale, *log1p)),
            Transform::DateDays {
                fill, mean, scale, ..
            } => x.push(standard(v, *fill, *mean, *scale, false)),
            Transform::Ordinal {
                order,
                fill,
                mean,
                scale,
                ..
            } => {
                let pairs: Vec<(String, String)> = order
                    .iter()
                    .enumerate()
                    .map(|(k, o)| (o.clone(), d.num(k as f64)))
                    .collect();
                x.push(standard(
                    case_of(d, &v, &pairs, "NULL"),
                    *fill,
                    *mean,
                    *scale,
                    false,
                ))
            }
            Transform::TargetEncode {
                levels,
                values,
                prior,
                mean,
                scale,
                ..
            } => {
                let pairs: Vec<(String, String)> = levels
                    .iter()
                    .zip(values)
                    .map(|(l, r)| (l.clone(), d.num(*r)))
                    .collect();
                let rate = case_of(d, &v, &pairs, &d.num(*prior));
                x.push(format!("({rate} - {}) / {}", d.num(*mean), d.num(*scale)));
            }
            Transform::OneHot { levels, fill, .. } => {
                let v = match fill {
                    Some(m) => format!("COALESCE({v}, {})", d.text(m)),
                    None => v,
                };
                for l in levels {
                    x.push(format!(
                        "CASE WHEN {v} = {} THEN {} ELSE {} END",
                        d.text(l),
                        d.num(1.0),
                        d.num(0.0)
                    ));
                }
            }
        }
    }
    let cols: Vec<String> = x
        .iter()
        .enumerate()
        .map(|(j, e)| format!("{e} AS x{j}"))
        .collect();
    sql.push_str(&format!(
        "feat AS (\n  SELECT\n    k_id,\n    {}\n  FROM src\n),\n",
        cols.join(",\n    ")
    ));
    // The linear predictor in `LogisticModel::decision`'s order.
    let mut z = String::new();
    for (j, c) in logistic.coef.iter().enumerate() {
        if j > 0 {
            z.push_str(" + ");
        }
        z.push_str(&format!("x{j} * {}", d.num(*c)));
    }
    if z.is_empty() {
        z.push_str(&d.num(0.0));
    }
    let z = format!("({z}) + {}", d.num(logistic.intercept));
    // Contributions per source column, as `SavedModel::explain_design`.
    let mut sources: Vec<String> = Vec::new();
    for f in &features {
        if !sources.contains(&f.source) {
            sources.push(f.source.clone());
        }
    }
    let contrib: Vec<String> = sources
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let parts: Vec<String> = features
                .iter()
                .enumerate()
                .filter(|(_, f)| f.source == *name)
                .map(|(j, _)| {
                    format!(
                        "{} * (x{j} - {})",
                        d.num(logistic.coef[j]),
                        d.num(model.train_mean[j])
                    )
                })
                .collect();
            format!("{} AS c{s}", parts.join(" + "))
        })
        .collect();
    let reasons = reasons.min(sources.len());
    let p = format!("{} / ({} + EXP(-({z})))", d.num(1.0), d.num(1.0));
    if reasons == 0 {
        sql.push_str(&format!(
            "scored AS (\n  SELECT k_id, {p} AS probability FROM feat\n)\n"
        ));
        sql.push_str(&final_select(d, id, None, false));
        return Ok(());
    }
    sql.push_str(&format!(
        "scored AS (\n  SELECT\n    k_id,\n    {p} AS probability,\n    {}\n  FROM feat\n),\n",
        contrib.join(",\n    ")
    ));
    // Unpivot the positive contributions, rank them per customer (ties by
    // column order, as the sort in `Explained::reasons` keeps them).
    let arms: Vec<String> = sources
        .iter()
        .enumerate()
        .map(|(s, name)| {
            format!(
                "  SELECT k_id, {s} AS k_ord, {} AS reason, c{s} AS value FROM scored WHERE c{s} > 0",
                d.text(name)
            )
        })
        .collect();
    sql.push_str(&format!("pos AS (\n{}\n),\n", arms.join("\n  UNION ALL\n")));
    sql.push_str(
        "ranked AS (\n  SELECT k_id, reason, ROW_NUMBER() OVER (PARTITION BY k_id ORDER BY value DESC, k_ord) AS k_rank FROM pos\n)\n",
    );
    sql.push_str(&final_select(d, id, Some(reasons), false));
    Ok(())
}

/// A scorecard: each characteristic's points by a `CASE` over its bins
/// (`Binning::bin_of_number` / `bin_of_category`: missing, special, the
/// cut points or groups, others; an unseen category 0 points), the score
/// as their sum plus the base points, the probability the score stands
/// for (`Scorecard::probability`), and the reason codes (points lost below
/// each characteristic's best bin, ties in the card's order).
fn scorecard_sql(model: &SavedModel, card: &Scorecard, opts: &SqlOptions) -> Result<String> {
    let d = opts.dialect;
    let binnings: Vec<&Binning> = card
        .process
        .selected()
        .filter_map(|c| c.binning.as_ref())
        .collect();
    if binnings.len() != card.points.len()
        || binnings
            .iter()
            .zip(&card.points)
            .any(|(b, p)| b.bins.len() != p.len())
    {
        return Err(refuse(
            d,
            "the scorecard's points do not match its bins; save the model again".into(),
            "评分卡的分值与分箱不符，请重新保存模型".into(),
        ));
    }
    for name in
        std::iter::once(opts.id.as_str()).chain(card.characteristics.iter().map(String::as_str))
    {
        if name.is_empty() || name.contains('\0') {
            return Err(refuse(
                d,
                format!("column '{name}' has a name no engine can quote; rename it"),
                format!("列“{name}”的名字无法在 SQL 中引用，请重命名"),
            ));
        }
    }
    if opts.table.trim().is_empty() {
        return Err(refuse(
            d,
            "no table named (--table)".into(),
            "没有指定表名（--table）".into(),
        ));
    }
    // How a numeric characteristic's column is read: as the prep reads it
    // (a number, or a date as seconds); one the prep does not read is
    // refused, for its type is not in the model.
    let reading = |name: &str| {
        model.prep.transforms.iter().find_map(|t| match t {
            Transform::Numeric { column, .. } if column == name => Some(false),
            Transform::DateDays { column, .. } if column == name => Some(true),
            _ => None,
        })
    };
    let dates: Vec<&str> = binnings
        .iter()
        .filter(|b| b.kind == CharacteristicKind::Numeric)
        .map(|b| match reading(&b.name) {
            Some(true) => Ok(Some(b.name.as_str())),
            Some(false) => Ok(None),
            None => Err(refuse(
                d,
                format!("characteristic '{}' is not among the model's prepared columns, so whether it holds numbers or dates is not known; export the scorecard with export-pmml, or score with kequn score", b.name),
                format!("特征“{}”不在模型的预处理列中，无法确定它是数值还是日期；请用 export-pmml 导出评分卡，或用 kequn score 打分", b.name),
            )),
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let reasons = opts.reasons.min(binnings.len());
    let rule = model.label_rule.replace(['\n', '\r'], " ");
    let mut sql = format!(
        "-- kequn scorecard of rule {rule}, for {} (kequn {}).\n-- Reads {} from {}; gives {}, probability, decile (1 = highest tenth), score{}.\n",
        d.name(),
        env!("CARGO_PKG_VERSION"),
        card.characteristics.join(", "),
        opts.table,
        opts.id,
        if reasons > 0 {
            format!(" and reason_1..{reasons} (the characteristics losing the most points)")
        } else {
            String::new()
        }
    );
    if d == Dialect::Spark && !dates.is_empty() {
        sql.push_str("-- Dates are read in the session time zone: SET spark.sql.session.timeZone = UTC first.\n");
    }
    let mut cols = vec![format!("{} AS k_id", d.ident(&opts.id))];
    let mut points = Vec::new();
    for (j, b) in binnings.iter().enumerate() {
        let c = d.ident(&b.name);
        let pts = &card.points[j];
        let n = b.bins.len();
        let v = format!("v{j}");
        let num = |p: i64| d.num(p as f64);
        let arms = match b.kind {
            CharacteristicKind::Numeric => {
                let read = if dates.contains(&b.name.as_str()) {
                    d.epoch(&c)
                } else {
                    d.number(&c)
                };
                cols.push(format!("{read} AS {v}"));
                // Bins: the values' bins, then special, then missing.
                let values = b.splits.len() + 1;
                let mut arms = vec![format!("WHEN {v} IS NULL THEN {}", num(pts[values + 1]))];
                if !b.special_codes.is_empty() {
                    let codes: Vec<String> = b.special_codes.iter().map(|x| d.num(*x)).collect();
                    arms.push(format!(
                        "WHEN {v} IN ({}) THEN {}",
                        codes.join(", "),
                        num(pts[values])
                    ));
                }
                for (k, s) in b.splits.iter().enumerate() {
                    arms.push(format!("WHEN {v} < {} THEN {}", d.num(*s), num(pts[k])));
                }
                arms.push(format!("ELSE {}", num(pts[values - 1])));
                arms
            }
            CharacteristicKind::Categorical => {
                let levels: Vec<String> = b
                    .groups
                    .iter()
                    .flatten()
                    .chain(&b.others)
                    .chain(&b.special_categories)
                    .cloned()
                    .collect();
                cols.push(format!("{} AS {v}", d.level(&c, &levels)));
                let list =
                    |l: &[String]| l.iter().map(|x| d.text(x)).collect::<Vec<_>>().join(", ");
                let mut arms = vec![format!("WHEN {v} IS NULL THEN {}", num(pts[n - 1]))];
                if !b.special_categories.is_empty() {
                    arms.push(format!(
                        "WHEN {v} IN ({}) THEN {}",
                        list(&b.special_categories),
                        num(pts[n - 2])
                    ));
                }
                for (k, g) in b.groups.iter().enumerate() {
                    arms.push(format!("WHEN {v} IN ({}) THEN {}", list(g), num(pts[k])));
                }
                if !b.others.is_empty() {
                    arms.push(format!(
                        "WHEN {v} IN ({}) THEN {}",
                        list(&b.others),
                        num(pts[b.groups.len()])
                    ));
                }
                // A category never seen in training: no points.
                arms.push(format!("ELSE {}", d.num(0.0)));
                arms
            }
        };
        points.push(format!("CASE {} END AS p{j}", arms.join(" ")));
    }
    sql.push_str(&format!(
        "WITH src AS (\n  SELECT\n    {}\n  FROM {}\n),\n",
        cols.join(",\n    "),
        d.table(&opts.table)
    ));
    sql.push_str(&format!(
        "pts AS (\n  SELECT\n    k_id,\n    {}\n  FROM src\n),\n",
        points.join(",\n    ")
    ));
    let mut score = d.num(card.base_points as f64);
    for j in 0..binnings.len() {
        score.push_str(&format!(" + p{j}"));
    }
    // Scorecard::probability: 1 / (1 + exp(-((A − score) / B))).
    let (a, b) = card.params.scale();
    let p = format!(
        "{} / ({} + EXP(-(({} - score) / {})))",
        d.num(1.0),
        d.num(1.0),
        d.num(a),
        d.num(b)
    );
    let lost: Vec<String> = (0..binnings.len())
        .map(|j| {
            let best = card.points[j].iter().max().copied().unwrap_or(0);
            format!("{} - p{j} AS c{j}", d.num(best as f64))
        })
        .collect();
    sql.push_str(&format!(
        "summed AS (\n  SELECT\n    k_id,\n    {score} AS score,\n    {}\n  FROM pts\n),\n",
        lost.join(",\n    ")
    ));
    let carry: String = (0..binnings.len()).map(|j| format!(", c{j}")).collect();
    if reasons == 0 {
        sql.push_str(&format!(
            "scored AS (\n  SELECT k_id, score, {p} AS probability FROM summed\n)\n"
        ));
        sql.push_str(&final_select(d, &opts.id, None, true));
        return Ok(sql);
    }
    sql.push_str(&format!(
        "scored AS (\n  SELECT k_id, score, {p} AS probability{carry} FROM summed\n),\n"
    ));
    let arms: Vec<String> = binnings
        .iter()
        .enumerate()
        .map(|(j, b)| {
            format!(
                "  SELECT k_id, {j} AS k_ord, {} AS reason, c{j} AS value FROM scored WHERE c{j} > 0",
                d.text(&b.name)
            )
        })
        .collect();
    sql.push_str(&format!("pos AS (\n{}\n),\n", arms.join("\n  UNION ALL\n")));
    sql.push_str(
        "ranked AS (\n  SELECT k_id, reason, ROW_NUMBER() OVER (PARTITION BY k_id ORDER BY value DESC, k_ord) AS k_rank FROM pos\n)\n",
    );
    sql.push_str(&final_select(d, &opts.id, Some(reasons), true));
    Ok(sql)
}

/// The id under its own name, probability, decile and (when given) the reasons.
/// A scorecard's score comes last (after the reasons).
fn final_select(d: Dialect, id: &str, reasons: Option<usize>, score: bool) -> String {
    let head = format!(
        "SELECT s.k_id AS {}, s.probability, NTILE(10) OVER (ORDER BY s.probability DESC) AS decile",
        d.ident(id)
    );
    let (score_col, score_group) = if score {
        (", s.score", ", s.score")
    } else {
        ("", "")
    };
    match reasons {
        None => format!("{head}{score_col}\nFROM scored s\n"),
        Some(n) => {
            let cols: Vec<String> = (1..=n)
                .map(|k| format!("MAX(CASE WHEN r.k_rank = {k} THEN r.reason END) AS reason_{k}"))
                .collect();
            format!(
                "{head},\n  {}{score_col}\nFROM scored s LEFT JOIN ranked r ON r.k_id = s.k_id AND r.k_rank <= {n}\nGROUP BY s.k_id, s.probability{score_group}\n",
                cols.join(",\n  ")
            )
        }
    }
}

/// Raw features as `Prep::transform_raw`, then one `CASE` per tree.
fn gbdt_sql(
    sql: &mut String,
    model: &SavedModel,
    g: &GbdtModel,
    d: Dialect,
    id: &str,
) -> Result<()> {
    let raw = model.prep.raw_features();
    if raw.len() != g.n_features {
        return Err(refuse(
            d,
            "the saved trees do not match the model's columns; save the model again".into(),
            "保存的树与模型的列不符，请重新保存模型".into(),
        ));
    }
    // `feat`: numbers as they are; ordinal columns as positions; other
    // categories stay text and their splits test the level names.
    let mut cols = Vec::new();
    for (i, t) in model.prep.transforms.iter().enumerate() {
        let v = format!("v{i}");
        let e = match t {
            Transform::Ordinal { order, .. } => {
                let pairs: Vec<(String, String)> = order
                    .iter()
                    .enumerate()
                    .map(|(k, o)| (o.clone(), d.num(k as f64)))
                    .collect();
                case_of(d, &v, &pairs, "NULL")
            }
            _ => v,
        };
        cols.push(format!("{e} AS r{i}"));
    }
    sql.push_str(&format!(
        "feat AS (\n  SELECT\n    k_id,\n    {}\n  FROM src\n),\n",
        cols.join(",\n    ")
    ));
    // The trees summed pairwise, not as one chain a hundred deep: Spark's
    // planner takes time growing with the square of the chain's depth
    // (telco, 200 rows: 20 trees 10 s, 60 trees 95 s, 100 trees > 5 min).
    // The order of the additions moves the sum by an ulp or so.
    let mut terms: Vec<String> = std::iter::once(d.num(g.init_score))
        .chain(g.trees.iter().map(|t| tree_sql(t, model, d, 0)))
        .collect();
    while terms.len() > 1 {
        terms = terms
            .chunks(2)
            .map(|p| match p {
                [a] => a.clone(),
                _ => format!("({})", p.join(" + ")),
            })
            .collect();
    }
    let score = terms.pop().unwrap_or_default();
    sql.push_str(&format!(
        "scored AS (\n  SELECT k_id, {} / ({} + EXP(-{score})) AS probability FROM feat\n)\n",
        d.num(1.0),
        d.num(1.0)
    ));
    sql.push_str(&final_select(d, id, None, false));
    Ok(())
}

/// The value of `tree` from node `at`, as nested `CASE`.
fn tree_sql(tree: &Tree, model: &SavedModel, d: Dialect, at: usize) -> String {
    match &tree.nodes()[at] {
        Node::Leaf { value, .. } => d.num(*value),
        Node::Split {
            feature,
            rule,
            left,
            right,
            ..
        } => {
            let r = format!("r{feature}");
            let cond = match rule {
                SplitRule::Numeric {
                    threshold,
                    missing,
                    default_left,
                } => {
                    let thr = d.num(*threshold);
                    match (missing, default_left) {
                        (Missing::None, _) => format!("COALESCE({r}, {}) <= {thr}", d.num(0.0)),
                        (Missing::NaN, true) => format!("({r} IS NULL OR {r} <= {thr})"),
                        (Missing::NaN, false) => format!("({r} IS NOT NULL AND {r} <= {thr})"),
                        (Missing::Zero, left) => {
                            let v = format!("COALESCE({r}, {})", d.num(0.0));
                            let zero = format!(
                                "ABS({v}) <= {}",
                                d.num(crate::score::gbdt::ZERO_THRESHOLD)
                            );
                            if *left {
                                format!("({zero} OR {v} <= {thr})")
                            } else {
                                format!("(NOT ({zero}) AND {v} <= {thr})")
                            }
                        }
                    }
                }
                SplitRule::Categorical { bitset } => {
                    let levels = match &model.prep.transforms[*feature] {
                        Transform::OneHot { levels, .. }
                        | Transform::TargetEncode { levels, .. } => levels.as_slice(),
                        _ => &[],
                    };
                    let chosen: Vec<String> = levels
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| {
                            let word = k / 32;
                            word < bitset.len() && (bitset[word] >> (k % 32)) & 1 == 1
                        })
                        .map(|(_, l)| d.text(l))
                        .collect();
                    if chosen.is_empty() {
                        "1 = 0".to_string()
                    } else {
                        format!("{r} IN ({})", chosen.join(", "))
                    }
                }
            };
            format!(
                "CASE WHEN {cond} THEN {} ELSE {} END",
                tree_sql(tree, model, d, *left),
                tree_sql(tree, model, d, *right)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_exactly_and_names_are_quoted() {
        for v in [
            0.1,
            -3.25e-7,
            1.0 / 3.0,
            600.0,
            f64::MIN_POSITIVE,
            123456789.123,
        ] {
            let s = Dialect::DuckDb.num(v);
            let s = s.trim_matches(['(', ')']);
            assert_eq!(s.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{s}");
        }
        assert_eq!(Dialect::DuckDb.ident("年龄\"x"), "\"年龄\"\"x\"");
        assert_eq!(Dialect::Spark.ident("a`b"), "`a``b`");
        assert_eq!(Dialect::Spark.text("a\\'b"), "'a\\\\''b'");
        assert_eq!(Dialect::Postgres.table("dw.客户"), "\"dw\".\"客户\"");
        assert!(Dialect::DuckDb.same_ident("Age", "age"));
        assert!(!Dialect::Postgres.same_ident("Age", "age"));
        let long = "客".repeat(22);
        assert!(Dialect::Postgres.same_ident(&format!("{long}一"), &format!("{long}二")));
        assert!(Dialect::parse("oracle").is_err());
    }
}
