//! Fitted models as PMML 4.4 for decision engines: the logistic regression
//! of a saved model (`RegressionModel` with its whole preparation as
//! `LocalTransformations`) and the scorecard (`Scorecard` with its bins as
//! attributes and reason codes).
//!
//! The documents read the raw columns as `kequn score` and the SQL export
//! do (`export::sql`): numbers as doubles, anything that is not a number
//! (the loader's missing words, a blank, `1,234`) as missing, filled with
//! the training median, then log1p and standardisation; categories trimmed,
//! the loader's missing words (`table::infer::MISSING_TOKENS`) as missing,
//! `true` / `false` read as the model's yes / no words, missing given the
//! training mode and an unseen level all zeros (one-hot), the prior (target
//! encoding) or the fill (ordinal). Every number is written with the
//! shortest digits that read back to the same `f64` and the arithmetic is in
//! the Rust order, so an evaluator's doubles give the same probability
//! (tests/pmml.rs holds jpmml-evaluator to 1e-9 and validates against the
//! PMML 4.4 schema with xmllint).
//!
//! Not expressed (refused by name, in both languages): gradient-boosted
//! trees (`export-sql` carries them) and dates as days before the reference
//! date.

use crate::prep::Transform;
use crate::score::analysis::SavedModel;
use crate::score::scorecard::{BinKind, CharacteristicKind, Scorecard};
use crate::table::infer::MISSING_TOKENS;
use crate::{Error, Result};

const NAMESPACE: &str = "http://www.dmg.org/PMML-4_4";

fn refuse(detail: String, detail_zh: String) -> Error {
    Error::Export {
        target: "PMML 4.4".into(),
        detail,
        detail_zh,
    }
}

/// A number that reads back to exactly `v` (xs:double lexical form).
fn num(v: f64) -> String {
    format!("{v:?}")
}

/// `s` as attribute or element text: the five markup characters escaped,
/// and tabs and line ends as character references so an attribute keeps
/// them.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Characters XML 1.0 cannot carry at all (most control characters).
fn xml_legal(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{D7FF}').contains(&c)
            || ('\u{E000}'..='\u{FFFD}').contains(&c)
            || c >= '\u{10000}'
    })
}

fn check_text(what: &str, what_zh: &str, s: &str) -> Result<()> {
    if xml_legal(s) {
        Ok(())
    } else {
        Err(refuse(
            format!(
                "{what} '{}' holds a control character XML cannot carry; rename it and train again",
                s.escape_debug()
            ),
            format!(
                "{what_zh}“{}”含有 XML 无法表示的控制字符，请重命名后重新训练",
                s.escape_debug()
            ),
        ))
    }
}

/// A small indenting XML writer.
struct Xml {
    out: String,
    depth: usize,
}

type Attrs<'a> = &'a [(&'a str, String)];

impl Xml {
    fn new() -> Xml {
        Xml {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    fn tag(&mut self, name: &str, attrs: Attrs) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push_str(&format!(" {k}=\"{}\"", escape(v)));
        }
    }

    fn open(&mut self, name: &str, attrs: Attrs) {
        self.tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn empty(&mut self, name: &str, attrs: Attrs) {
        self.tag(name, attrs);
        self.out.push_str("/>\n");
    }

    fn text(&mut self, name: &str, attrs: Attrs, text: &str) {
        self.tag(name, attrs);
        self.out.push_str(&format!(">{}</{name}>\n", escape(text)));
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push_str(&format!("</{name}>\n"));
    }

    fn comment(&mut self, text: &str) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out
            .push_str(&format!("<!-- {} -->\n", text.replace("--", "- -")));
    }
}

fn a(k: &'static str, v: impl Into<String>) -> (&'static str, String) {
    (k, v.into())
}

fn head(x: &mut Xml, description: &str) {
    x.open("PMML", &[a("xmlns", NAMESPACE), a("version", "4.4")]);
    x.open("Header", &[a("description", description)]);
    x.empty(
        "Application",
        &[a("name", "kequn"), a("version", env!("CARGO_PKG_VERSION"))],
    );
    x.close("Header");
}

/// The names a document gives, checked distinct: `taken` are the source
/// columns; `fresh` picks a name not among them for a field of our own.
struct Names {
    taken: Vec<String>,
}

impl Names {
    fn new() -> Names {
        Names { taken: Vec::new() }
    }

    fn source(&mut self, name: &str) -> Result<()> {
        if name.is_empty() {
            return Err(refuse(
                "a column has an empty name, which PMML cannot refer to; name it and train again"
                    .into(),
                "有一列没有名字，PMML 无法引用；请命名后重新训练".into(),
            ));
        }
        check_text("column", "列", name)?;
        if self.taken.iter().any(|t| t == name) {
            return Err(refuse(
                format!("column '{name}' appears twice in the model; save the model again"),
                format!("列“{name}”在模型中出现了两次，请重新保存模型"),
            ));
        }
        self.taken.push(name.to_string());
        Ok(())
    }

    /// `want`, or `want` with `_` added until no other field has the name.
    fn fresh(&mut self, want: String) -> String {
        let mut name = want;
        while self.taken.contains(&name) {
            name.push('_');
        }
        self.taken.push(name.clone());
        name
    }
}

/// The (true, false) words of a two-level column an engine may hand over as
/// a boolean (as `export::sql`).
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

/// A categorical data field: its levels as valid values and the loader's
/// missing words as missing values.
fn category_field(x: &mut Xml, name: &str, levels: &[&str]) {
    x.open(
        "DataField",
        &[
            a("name", name),
            a("optype", "categorical"),
            a("dataType", "string"),
        ],
    );
    for l in levels {
        x.empty("Value", &[a("value", *l)]);
    }
    for t in MISSING_TOKENS.iter().filter(|t| !t.is_empty()) {
        x.empty("Value", &[a("value", *t), a("property", "missing")]);
    }
    x.close("DataField");
}

fn number_field(x: &mut Xml, name: &str) {
    x.empty(
        "DataField",
        &[
            a("name", name),
            a("optype", "continuous"),
            a("dataType", "double"),
        ],
    );
}

fn field_ref(x: &mut Xml, name: &str) {
    x.empty("FieldRef", &[a("field", name)]);
}

fn trimmed(x: &mut Xml, source: &str) {
    x.open("Apply", &[a("function", "trimBlanks")]);
    field_ref(x, source);
    x.close("Apply");
}

fn constant(x: &mut Xml, v: &str, ty: &str) {
    x.text("Constant", &[a("dataType", ty)], v);
}

/// `level(c)`: the trimmed text of `source`, missing where it is missing or
/// one of the loader's missing words, `true` / `false` read as the yes / no
/// levels. (`if` without an else gives a missing value; its branches are
/// only evaluated when taken, so `trimBlanks` never sees a missing one.)
fn level_field(x: &mut Xml, name: &str, source: &str, levels: &[String]) {
    x.open(
        "DerivedField",
        &[
            a("name", name),
            a("optype", "categorical"),
            a("dataType", "string"),
        ],
    );
    x.open("Apply", &[a("function", "if")]);
    x.open("Apply", &[a("function", "isNotMissing")]);
    field_ref(x, source);
    x.close("Apply");
    x.open("Apply", &[a("function", "if")]);
    x.open("Apply", &[a("function", "isNotIn")]);
    trimmed(x, source);
    for t in MISSING_TOKENS {
        constant(x, t, "string");
    }
    x.close("Apply");
    match boolean_words(levels) {
        Some((yes, no)) => {
            for (word, level) in [("true", yes), ("false", no)] {
                x.open("Apply", &[a("function", "if")]);
                x.open("Apply", &[a("function", "equal")]);
                trimmed(x, source);
                constant(x, word, "string");
                x.close("Apply");
                constant(x, level, "string");
            }
            trimmed(x, source);
            x.close("Apply");
            x.close("Apply");
        }
        None => trimmed(x, source),
    }
    x.close("Apply");
    x.close("Apply");
    x.close("DerivedField");
}

/// `MapValues` of `field`'s levels to numbers, `other` for missing and unseen.
fn map_values(x: &mut Xml, field: &str, pairs: &[(&str, f64)], other: f64) {
    x.open(
        "MapValues",
        &[
            a("outputColumn", "out"),
            a("dataType", "double"),
            a("mapMissingTo", num(other)),
            a("defaultValue", num(other)),
        ],
    );
    x.empty("FieldColumnPair", &[a("field", field), a("column", "in")]);
    x.open("InlineTable", &[]);
    for (k, v) in pairs {
        x.open("row", &[]);
        x.text("in", &[], k);
        x.text("out", &[], &num(*v));
        x.close("row");
    }
    x.close("InlineTable");
    x.close("MapValues");
}

/// `(inner - mean) / scale`, with `inner` written by `f`.
fn standardised(x: &mut Xml, mean: f64, scale: f64, f: impl FnOnce(&mut Xml)) {
    x.open("Apply", &[a("function", "/")]);
    x.open("Apply", &[a("function", "-")]);
    f(x);
    constant(x, &num(mean), "double");
    x.close("Apply");
    constant(x, &num(scale), "double");
    x.close("Apply");
}

fn continuous_field(x: &mut Xml, name: &str, f: impl FnOnce(&mut Xml)) {
    x.open(
        "DerivedField",
        &[
            a("name", name),
            a("optype", "continuous"),
            a("dataType", "double"),
        ],
    );
    f(x);
    x.close("DerivedField");
}

fn check_finite(t: &Transform) -> Result<()> {
    let ok = t.is_finite();
    if ok {
        Ok(())
    } else {
        Err(refuse(
            format!(
                "the step on column '{}' holds a value that is not a finite number; train again",
                t.column()
            ),
            format!("列“{}”的处理步骤含有非有限数值，请重新训练", t.column()),
        ))
    }
}

/// The saved model's logistic regression as a PMML 4.4 document: the raw
/// columns in, `probability` (of the label rule holding) out; a saved
/// scorecard as its `Scorecard` (`score` and reason codes out).
pub fn model_pmml(model: &SavedModel) -> Result<String> {
    if let Some(card) = &model.scorecard {
        return scorecard(card, crate::score::analysis::REASON_CODES);
    }
    if model.gbdt.is_some() {
        return Err(refuse(
            "gradient-boosted trees are not written as PMML yet; export them with export-sql, or train a logistic model".into(),
            "梯度提升树暂不能导出为 PMML；请用 export-sql 导出，或训练逻辑回归模型".into(),
        ));
    }
    let Some(logistic) = &model.logistic else {
        return Err(refuse(
            "the saved model has no fitted model in it; save the model again".into(),
            "保存的模型中没有已拟合的模型，请重新保存模型".into(),
        ));
    };
    let transforms = &model.prep.transforms;
    let features = model.prep.features();
    if logistic.coef.len() != features.len() {
        return Err(refuse(
            "the saved model's coefficients do not match its features; save the model again".into(),
            "保存的模型系数与特征不符，请重新保存模型".into(),
        ));
    }
    let mut names = Names::new();
    for t in transforms {
        names.source(t.column())?;
        check_finite(t)?;
        if let Transform::DateDays { column, .. } = t {
            return Err(refuse(
                format!("the days-before-the-reference step of date column '{column}' is not written as PMML yet; exclude the column (features.exclude) or leave dates out (features.dates), or export with export-sql"),
                format!("日期列“{column}”的“距参考日天数”步骤暂不能导出为 PMML；请排除该列（features.exclude）或不使用日期特征，或用 export-sql 导出"),
            ));
        }
        let levels: &[String] = match t {
            Transform::OneHot { levels, .. } | Transform::TargetEncode { levels, .. } => levels,
            Transform::Ordinal { order, .. } => order,
            _ => &[],
        };
        for l in levels {
            check_text("the level of column", "列的取值", l)?;
        }
    }
    check_text("the label rule", "标签规则", &model.label_rule)?;
    if !logistic.intercept.is_finite() || logistic.coef.iter().any(|c| !c.is_finite()) {
        return Err(refuse(
            "the saved model holds a coefficient that is not a finite number; train again".into(),
            "保存的模型含有非有限的系数，请重新训练".into(),
        ));
    }
    let target = names.fresh("label".into());
    let probability = names.fresh("probability".into());
    let levels: Vec<Option<String>> = transforms
        .iter()
        .map(|t| match t {
            Transform::Numeric { .. } | Transform::DateDays { .. } => None,
            _ => Some(names.fresh(format!("level({})", t.column()))),
        })
        .collect();
    let xs: Vec<String> = features
        .iter()
        .map(|f| names.fresh(format!("x({})", f.name)))
        .collect();

    let mut x = Xml::new();
    head(
        &mut x,
        &format!(
            "kequn logistic regression of the rule {}: the probability that it holds",
            model.label_rule
        ),
    );
    x.open(
        "DataDictionary",
        &[a("numberOfFields", (transforms.len() + 1).to_string())],
    );
    for t in transforms {
        match t {
            Transform::Numeric { column, .. } => number_field(&mut x, column),
            Transform::OneHot { column, levels, .. }
            | Transform::TargetEncode { column, levels, .. } => {
                let l: Vec<&str> = levels.iter().map(String::as_str).collect();
                category_field(&mut x, column, &l)
            }
            Transform::Ordinal { column, order, .. } => {
                let l: Vec<&str> = order.iter().map(String::as_str).collect();
                category_field(&mut x, column, &l)
            }
            Transform::DateDays { .. } => unreachable!("refused above"),
        }
    }
    x.open(
        "DataField",
        &[
            a("name", target.as_str()),
            a("optype", "categorical"),
            a("dataType", "string"),
            a("displayName", model.label_rule.as_str()),
        ],
    );
    x.empty("Value", &[a("value", "false")]);
    x.empty("Value", &[a("value", "true")]);
    x.close("DataField");
    x.close("DataDictionary");

    x.open(
        "RegressionModel",
        &[
            a("modelName", format!("kequn: {}", model.label_rule)),
            a("functionName", "classification"),
            a("algorithmName", "logisticRegression"),
            a("normalizationMethod", "logit"),
        ],
    );
    x.open("MiningSchema", &[]);
    x.empty(
        "MiningField",
        &[a("name", target.as_str()), a("usageType", "target")],
    );
    for t in transforms {
        match t {
            Transform::Numeric { column, fill, .. } => x.empty(
                "MiningField",
                &[
                    a("name", column.as_str()),
                    a("missingValueReplacement", num(*fill)),
                    a("missingValueTreatment", "asMedian"),
                    a("invalidValueTreatment", "asMissing"),
                ],
            ),
            // Unseen levels go on as they are: all zeros, the prior or the
            // fill, as the model scores them.
            other => x.empty(
                "MiningField",
                &[
                    a("name", other.column()),
                    a("invalidValueTreatment", "asIs"),
                ],
            ),
        }
    }
    x.close("MiningSchema");
    x.open("Output", &[]);
    x.empty(
        "OutputField",
        &[
            a("name", probability.as_str()),
            a("optype", "continuous"),
            a("dataType", "double"),
            a("feature", "probability"),
            a("value", "true"),
        ],
    );
    x.close("Output");

    x.open("LocalTransformations", &[]);
    for (t, level) in transforms.iter().zip(&levels) {
        if let Some(level) = level {
            let words: &[String] = match t {
                Transform::OneHot { levels, .. } => levels,
                _ => &[],
            };
            level_field(&mut x, level, t.column(), words);
        }
    }
    let mut j = 0;
    for (t, level) in transforms.iter().zip(&levels) {
        match t {
            Transform::Numeric {
                column,
                log1p,
                mean,
                scale,
                ..
            } => {
                continuous_field(&mut x, &xs[j], |x| {
                    standardised(x, *mean, *scale, |x| {
                        if *log1p {
                            x.open("Apply", &[a("function", "ln1p")]);
                            x.open("Apply", &[a("function", "max")]);
                            field_ref(x, column);
                            constant(x, &num(0.0), "double");
                            x.close("Apply");
                            x.close("Apply");
                        } else {
                            field_ref(x, column);
                        }
                    })
                });
                j += 1;
            }
            Transform::OneHot {
                levels: ls, fill, ..
            } => {
                let level = level.as_deref().unwrap_or_default();
                for l in ls {
                    let when_missing = if fill.as_deref() == Some(l.as_str()) {
                        "1"
                    } else {
                        "0"
                    };
                    x.open(
                        "DerivedField",
                        &[
                            a("name", xs[j].as_str()),
                            a("optype", "continuous"),
                            a("dataType", "double"),
                        ],
                    );
                    x.empty(
                        "NormDiscrete",
                        &[
                            a("field", level),
                            a("value", l.as_str()),
                            a("mapMissingTo", when_missing),
                        ],
                    );
                    x.close("DerivedField");
                    j += 1;
                }
            }
            Transform::Ordinal {
                order,
                fill,
                mean,
                scale,
                ..
            } => {
                let level = level.as_deref().unwrap_or_default();
                let pairs: Vec<(&str, f64)> = order
                    .iter()
                    .enumerate()
                    .map(|(k, o)| (o.as_str(), k as f64))
                    .collect();
                continuous_field(&mut x, &xs[j], |x| {
                    standardised(x, *mean, *scale, |x| map_values(x, level, &pairs, *fill))
                });
                j += 1;
            }
            Transform::TargetEncode {
                levels: ls,
                values,
                prior,
                mean,
                scale,
                ..
            } => {
                let level = level.as_deref().unwrap_or_default();
                let pairs: Vec<(&str, f64)> = ls
                    .iter()
                    .map(String::as_str)
                    .zip(values.iter().copied())
                    .collect();
                continuous_field(&mut x, &xs[j], |x| {
                    standardised(x, *mean, *scale, |x| map_values(x, level, &pairs, *prior))
                });
                j += 1;
            }
            Transform::DateDays { .. } => unreachable!("refused above"),
        }
    }
    x.close("LocalTransformations");

    x.open(
        "RegressionTable",
        &[
            a("intercept", num(logistic.intercept)),
            a("targetCategory", "true"),
        ],
    );
    for (name, c) in xs.iter().zip(&logistic.coef) {
        x.empty(
            "NumericPredictor",
            &[a("name", name.as_str()), a("coefficient", num(*c))],
        );
    }
    x.close("RegressionTable");
    x.empty(
        "RegressionTable",
        &[a("intercept", num(0.0)), a("targetCategory", "false")],
    );
    x.close("RegressionModel");
    x.close("PMML");
    Ok(x.out)
}

/// `field` in one of `values`: a set predicate, or (for words an array
/// cannot quote plainly) an `or` of equalities.
fn one_of(x: &mut Xml, field: &str, values: &[String]) {
    if values.len() == 1 {
        x.empty(
            "SimplePredicate",
            &[
                a("field", field),
                a("operator", "equal"),
                a("value", values[0].as_str()),
            ],
        );
        return;
    }
    if values.iter().any(|v| v.contains(['"', '\\'])) {
        x.open("CompoundPredicate", &[a("booleanOperator", "or")]);
        for v in values {
            x.empty(
                "SimplePredicate",
                &[
                    a("field", field),
                    a("operator", "equal"),
                    a("value", v.as_str()),
                ],
            );
        }
        x.close("CompoundPredicate");
        return;
    }
    x.open(
        "SimpleSetPredicate",
        &[a("field", field), a("booleanOperator", "isIn")],
    );
    let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    x.text(
        "Array",
        &[a("n", values.len().to_string()), a("type", "string")],
        &quoted.join(" "),
    );
    x.close("SimpleSetPredicate");
}

/// The scorecard as a PMML 4.4 `Scorecard`: the score (`score`, base
/// points plus each characteristic's bin points) and the `reasons`
/// characteristics that cost the most points below their best bin
/// (`reason_1`…, as `Scorecard::reasons` names them: reason codes are the
/// characteristic names, ranked by points below the best bin, ties in the
/// card's order, none for a characteristic in its best bin). Numeric characteristics read their column as a
/// double (a date characteristic: seconds since 1970-01-01).
pub fn scorecard(card: &Scorecard, reasons: usize) -> Result<String> {
    let binnings: Vec<_> = card
        .process
        .selected()
        .filter_map(|c| c.binning.as_ref())
        .collect();
    if binnings.len() != card.points.len() || binnings.is_empty() {
        return Err(refuse(
            "the scorecard's points do not match its characteristics; fit it again".into(),
            "评分卡的分值与特征不符，请重新拟合".into(),
        ));
    }
    let mut names = Names::new();
    for (b, pts) in binnings.iter().zip(&card.points) {
        names.source(&b.name)?;
        if pts.len() != b.bins.len() {
            return Err(refuse(
                format!(
                    "characteristic '{}' has {} bins but {} points; fit the scorecard again",
                    b.name,
                    b.bins.len(),
                    pts.len()
                ),
                format!(
                    "特征“{}”有 {} 个分箱，却有 {} 个分值，请重新拟合评分卡",
                    b.name,
                    b.bins.len(),
                    pts.len()
                ),
            ));
        }
        for c in b
            .groups
            .iter()
            .flatten()
            .chain(&b.others)
            .chain(&b.special_categories)
        {
            check_text("the category of characteristic", "特征的类别", c)?;
        }
        if b.splits
            .iter()
            .chain(&b.special_codes)
            .any(|v| !v.is_finite())
        {
            return Err(refuse(
                format!("characteristic '{}' has a cut point that is not a finite number; fit the scorecard again", b.name),
                format!("特征“{}”的切分点不是有限的数，请重新拟合评分卡", b.name),
            ));
        }
    }
    let score = names.fresh("score".into());
    let outputs: Vec<String> = (1..=reasons)
        .map(|k| names.fresh(format!("reason_{k}")))
        .collect();
    let levels: Vec<Option<String>> = binnings
        .iter()
        .map(|b| {
            (b.kind == CharacteristicKind::Categorical)
                .then(|| names.fresh(format!("level({})", b.name)))
        })
        .collect();

    let mut x = Xml::new();
    head(
        &mut x,
        "kequn scorecard: base points plus the points of each characteristic's bin (higher = lower risk)",
    );
    x.open(
        "DataDictionary",
        &[a("numberOfFields", binnings.len().to_string())],
    );
    for b in &binnings {
        match b.kind {
            CharacteristicKind::Numeric => number_field(&mut x, &b.name),
            CharacteristicKind::Categorical => {
                let l: Vec<&str> = b
                    .groups
                    .iter()
                    .flatten()
                    .chain(&b.others)
                    .chain(&b.special_categories)
                    .map(String::as_str)
                    .collect();
                category_field(&mut x, &b.name, &l)
            }
        }
    }
    x.close("DataDictionary");

    x.open(
        "Scorecard",
        &[
            a("modelName", "kequn scorecard"),
            a("functionName", "regression"),
            a("initialScore", card.base_points.to_string()),
            a("useReasonCodes", "true"),
            a("reasonCodeAlgorithm", "pointsBelow"),
            a("baselineMethod", "other"),
        ],
    );
    x.open("MiningSchema", &[]);
    for b in &binnings {
        let invalid = match b.kind {
            CharacteristicKind::Numeric => "asMissing",
            CharacteristicKind::Categorical => "asIs",
        };
        x.empty(
            "MiningField",
            &[
                a("name", b.name.as_str()),
                a("invalidValueTreatment", invalid),
            ],
        );
    }
    x.close("MiningSchema");
    x.open("Output", &[]);
    x.empty(
        "OutputField",
        &[
            a("name", score.as_str()),
            a("optype", "continuous"),
            a("dataType", "double"),
            a("feature", "predictedValue"),
        ],
    );
    for (k, name) in outputs.iter().enumerate() {
        x.empty(
            "OutputField",
            &[
                a("name", name.as_str()),
                a("optype", "categorical"),
                a("dataType", "string"),
                a("feature", "reasonCode"),
                a("rank", (k + 1).to_string()),
            ],
        );
    }
    x.close("Output");
    if levels.iter().any(Option::is_some) {
        x.open("LocalTransformations", &[]);
        for (b, level) in binnings.iter().zip(&levels) {
            if let Some(level) = level {
                let all: Vec<String> = b
                    .groups
                    .iter()
                    .flatten()
                    .chain(&b.others)
                    .cloned()
                    .collect();
                level_field(&mut x, level, &b.name, &all);
            }
        }
        x.close("LocalTransformations");
    }

    x.open("Characteristics", &[]);
    for ((b, pts), level) in binnings.iter().zip(&card.points).zip(&levels) {
        // The baseline is half a point under the best bin: a characteristic
        // in its best bin then has a negative difference, which evaluators
        // leave out of the ranking (kequn lists only characteristics that
        // lost points); the others keep their order, as all move alike.
        let best = pts.iter().copied().max().unwrap_or(0);
        x.comment(&format!(
            "{}: best bin {best} points; a reason when the row's bin is below it",
            b.name
        ));
        x.open(
            "Characteristic",
            &[
                a("name", format!("{} points", b.name)),
                a("reasonCode", b.name.as_str()),
                a("baselineScore", num(best as f64 - 0.5)),
            ],
        );
        let attribute = |x: &mut Xml, k: usize, f: &dyn Fn(&mut Xml)| {
            x.comment(&format!("bin {}", b.bins[k].label));
            x.open("Attribute", &[a("partialScore", pts[k].to_string())]);
            f(x);
            x.close("Attribute");
        };
        let n = b.bins.len();
        let field = level.as_deref().unwrap_or(&b.name);
        // As `Binning::bin_of_number` / `bin_of_category`: missing, special,
        // then the values.
        attribute(&mut x, n - 1, &|x| {
            x.empty(
                "SimplePredicate",
                &[a("field", field), a("operator", "isMissing")],
            )
        });
        match b.kind {
            CharacteristicKind::Numeric => {
                if !b.special_codes.is_empty() {
                    attribute(&mut x, n - 2, &|x| {
                        x.open(
                            "SimpleSetPredicate",
                            &[a("field", field), a("booleanOperator", "isIn")],
                        );
                        let codes: Vec<String> = b.special_codes.iter().map(|v| num(*v)).collect();
                        x.text(
                            "Array",
                            &[a("n", codes.len().to_string()), a("type", "real")],
                            &codes.join(" "),
                        );
                        x.close("SimpleSetPredicate");
                    });
                }
                let s = &b.splits;
                for k in 0..=s.len() {
                    let cmp = |x: &mut Xml, op: &str, v: f64| {
                        x.empty(
                            "SimplePredicate",
                            &[a("field", field), a("operator", op), a("value", num(v))],
                        )
                    };
                    attribute(
                        &mut x,
                        k,
                        &|x| match (k.checked_sub(1).map(|i| s[i]), s.get(k)) {
                            (None, None) => x.empty("True", &[]),
                            (None, Some(&hi)) => cmp(x, "lessThan", hi),
                            (Some(lo), None) => cmp(x, "greaterOrEqual", lo),
                            (Some(lo), Some(&hi)) => {
                                x.open("CompoundPredicate", &[a("booleanOperator", "and")]);
                                cmp(x, "greaterOrEqual", lo);
                                cmp(x, "lessThan", hi);
                                x.close("CompoundPredicate");
                            }
                        },
                    );
                }
            }
            CharacteristicKind::Categorical => {
                if !b.special_categories.is_empty() {
                    attribute(&mut x, n - 2, &|x| one_of(x, field, &b.special_categories));
                }
                for (k, g) in b.groups.iter().enumerate() {
                    if !g.is_empty() {
                        attribute(&mut x, k, &|x| one_of(x, field, g));
                    }
                }
                if !b.others.is_empty() {
                    let k = b.groups.len();
                    if matches!(b.bins[k].kind, BinKind::Others(_)) {
                        attribute(&mut x, k, &|x| one_of(x, field, &b.others));
                    }
                }
                // A category never seen in training scores 0 points.
                x.comment("a category never seen in training");
                x.open("Attribute", &[a("partialScore", "0")]);
                x.empty("True", &[]);
                x.close("Attribute");
            }
        }
        x.close("Characteristic");
    }
    x.close("Characteristics");
    x.close("Scorecard");
    x.close("PMML");
    Ok(x.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_numbers_read_back() {
        assert_eq!(
            escape("a<b & \"c\" 'd'\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&#10;"
        );
        assert_eq!(escape("年龄"), "年龄");
        for v in [0.1, -3.25e-7, 1.0 / 3.0, 600.0, f64::MIN_POSITIVE, 1e300] {
            assert_eq!(num(v).parse::<f64>().unwrap().to_bits(), v.to_bits());
        }
        assert!(!xml_legal("a\u{1}b"));
        assert!(xml_legal("客户\t号"));
        let mut n = Names::new();
        n.source("label").unwrap();
        assert_eq!(n.fresh("label".into()), "label_");
        assert!(n.source("label").is_err());
    }
}
