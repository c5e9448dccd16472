//! Type-checking a rule against a table, and evaluating it column-wise.

use super::parse::{CmpOp, Expr, Node};
use super::rule_error;
use crate::table::infer::parse_date;
use crate::table::{Column, ColumnData, ColumnKind, Table, MISSING_CODE};
use crate::{Error, Result};

/// True, false, or unknown (a missing value took part).
pub type Truth = Option<bool>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Num,
    Text,
    Date,
    Bool,
}

impl Ty {
    fn en(self) -> &'static str {
        match self {
            Ty::Num => "a number",
            Ty::Text => "text",
            Ty::Date => "a date",
            Ty::Bool => "a condition",
        }
    }
    fn zh(self) -> &'static str {
        match self {
            Ty::Num => "数字",
            Ty::Text => "文本",
            Ty::Date => "日期",
            Ty::Bool => "条件",
        }
    }
}

fn column<'t>(table: &'t Table, name: &str, e: &Expr, rule: &str) -> Result<&'t Column> {
    table.column(name).map_err(|err| {
        let hint = match &err {
            Error::ColumnNotFound {
                suggestion: Some(s),
                ..
            } => (
                format!(" (did you mean '{s}'?)"),
                format!("（是否是“{s}”？）"),
            ),
            _ => (String::new(), String::new()),
        };
        rule_error(
            rule,
            e.at,
            e.len,
            format!("'{}' has no column '{name}'{}", table.name, hint.0),
            format!("“{}”中没有“{name}”列{}", table.name, hint.1),
        )
    })
}

fn kind_ty(c: &Column) -> Ty {
    match c.kind {
        ColumnKind::Numeric => Ty::Num,
        ColumnKind::Date => Ty::Date,
        _ => Ty::Text,
    }
}

fn mismatch(rule: &str, e: &Expr, want: &str, want_zh: &str, got: Ty) -> Error {
    rule_error(
        rule,
        e.at,
        e.len,
        format!("this is {}, but {want} is needed here", got.en()),
        format!("这里是{}，但此处需要{want_zh}", got.zh()),
    )
}

/// Checks names and types; the whole rule must be a condition.
pub fn check(e: &Expr, rule: &str, table: &Table) -> Result<()> {
    let ty = type_of(e, rule, table)?;
    if ty != Ty::Bool {
        return Err(rule_error(
            rule,
            e.at,
            e.len,
            format!(
                "the rule is {}, not a condition; compare it, e.g. … > 3 or … == \"是\"",
                ty.en()
            ),
            format!(
                "规则的结果是{}而不是条件；请加上比较，例如 … > 3 或 … == \"是\"",
                ty.zh()
            ),
        ));
    }
    Ok(())
}

fn date_literal(e: &Expr, rule: &str) -> Result<Option<f64>> {
    match &e.node {
        Node::Str(s) => match parse_date(s) {
            Some((secs, _)) => Ok(Some(secs as f64)),
            None => Err(rule_error(
                rule,
                e.at,
                e.len,
                format!("'{s}' is not a date; write dates as \"2024-10-01\""),
                format!("“{s}”不是日期；日期请写成 \"2024-10-01\""),
            )),
        },
        _ => Ok(None),
    }
}

fn type_of(e: &Expr, rule: &str, table: &Table) -> Result<Ty> {
    let ty = |x: &Expr| type_of(x, rule, table);
    Ok(match &e.node {
        Node::Num(_) => Ty::Num,
        Node::Str(_) => Ty::Text,
        Node::Col(name) => kind_ty(column(table, name, e, rule)?),
        Node::Neg(x) => match ty(x)? {
            Ty::Num => Ty::Num,
            other => return Err(mismatch(rule, x, "a number", "数字", other)),
        },
        Node::Arith(_, a, b) => {
            for x in [a, b] {
                let t = ty(x)?;
                if t != Ty::Num {
                    return Err(mismatch(
                        rule,
                        x,
                        "a number (for + - * /)",
                        "数字（用于 + - * /）",
                        t,
                    ));
                }
            }
            Ty::Num
        }
        Node::Cmp(op, a, b) => {
            let (ta, tb) = (ty(a)?, ty(b)?);
            match (ta, tb) {
                (Ty::Num, Ty::Num) => {}
                (Ty::Text, Ty::Text) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {}
                (Ty::Text, Ty::Text) => {
                    return Err(rule_error(
                        rule,
                        e.at,
                        e.len,
                        "text can only be compared with == or != (use contains for parts)".into(),
                        "文本只能用 == 或 != 比较（部分匹配请用 contains）".into(),
                    ))
                }
                (Ty::Date, Ty::Date) => {}
                (Ty::Date, Ty::Text) => {
                    date_literal(b, rule)?;
                    if !matches!(b.node, Node::Str(_)) {
                        return Err(mismatch(rule, b, "a date", "日期", tb));
                    }
                }
                (Ty::Text, Ty::Date) => {
                    date_literal(a, rule)?;
                    if !matches!(a.node, Node::Str(_)) {
                        return Err(mismatch(rule, a, "a date", "日期", ta));
                    }
                }
                (Ty::Num, other) => {
                    let hint = if matches!(b.node, Node::Str(_)) {
                        " (remove the quotes)"
                    } else {
                        ""
                    };
                    return Err(rule_error(
                        rule,
                        b.at,
                        b.len,
                        format!(
                            "'{}' is a number but this is {}{hint}",
                            snippet(rule, a),
                            other.en()
                        ),
                        format!("“{}”是数字，这里却是{}", snippet(rule, a), other.zh()),
                    ));
                }
                (Ty::Text, Ty::Num) => {
                    return Err(rule_error(
                        rule,
                        b.at,
                        b.len,
                        format!(
                            "'{}' is text; put the value in quotes, e.g. \"{}\"",
                            snippet(rule, a),
                            snippet(rule, b)
                        ),
                        format!(
                            "“{}”是文本；请给值加引号，例如 \"{}\"",
                            snippet(rule, a),
                            snippet(rule, b)
                        ),
                    ))
                }
                (x, y) => {
                    let bad = if x == Ty::Bool { a } else { b };
                    return Err(mismatch(
                        rule,
                        bad,
                        &format!(
                            "something comparable with {}",
                            if x == Ty::Bool { y.en() } else { x.en() }
                        ),
                        "可比较的值",
                        if x == Ty::Bool { x } else { y },
                    ));
                }
            }
            Ty::Bool
        }
        Node::In { expr, list, .. } => {
            let t = ty(expr)?;
            if !matches!(t, Ty::Num | Ty::Text) {
                return Err(mismatch(rule, expr, "a number or text", "数字或文本", t));
            }
            for x in list {
                let lt = ty(x)?;
                if lt != t || !matches!(x.node, Node::Num(_) | Node::Str(_)) {
                    return Err(mismatch(
                        rule,
                        x,
                        &format!("a literal {}", t.en()),
                        &format!("{}常量", t.zh()),
                        lt,
                    ));
                }
            }
            Ty::Bool
        }
        Node::Contains(a, b) => {
            for x in [a, b] {
                let t = ty(x)?;
                if t != Ty::Text {
                    return Err(mismatch(
                        rule,
                        x,
                        "text (for contains)",
                        "文本（用于 contains）",
                        t,
                    ));
                }
            }
            Ty::Bool
        }
        Node::Missing { expr, .. } => {
            ty(expr)?;
            Ty::Bool
        }
        Node::And(a, b) | Node::Or(a, b) => {
            for x in [a, b] {
                let t = ty(x)?;
                if t != Ty::Bool {
                    return Err(mismatch(
                        rule,
                        x,
                        "a condition (for and / or)",
                        "条件（用于 and / or）",
                        t,
                    ));
                }
            }
            Ty::Bool
        }
        Node::Not(x) => {
            let t = ty(x)?;
            if t != Ty::Bool {
                return Err(mismatch(
                    rule,
                    x,
                    "a condition (for not)",
                    "条件（用于 not）",
                    t,
                ));
            }
            Ty::Bool
        }
    })
}

fn snippet(rule: &str, e: &Expr) -> String {
    rule.chars().skip(e.at).take(e.len).collect()
}

/// Values during evaluation; numbers and dates as f64 with NaN for missing.
enum Val<'t> {
    Num(Vec<f64>),
    Text(Text<'t>),
    Bool(Vec<Truth>),
}

enum Text<'t> {
    Col(&'t Column),
    Lit(String),
}

impl Text<'_> {
    fn at(&self, i: usize) -> Option<&str> {
        match self {
            Text::Lit(s) => Some(s),
            Text::Col(c) => match &c.data {
                ColumnData::Categorical { codes, dict } => {
                    (codes[i] != MISSING_CODE).then(|| dict[codes[i] as usize].as_str())
                }
                ColumnData::Text(s) => Some(s.get(i)).filter(|s| !s.is_empty()),
                _ => None,
            },
        }
    }
}

/// Evaluates a checked rule to one truth value per row.
pub fn evaluate(e: &Expr, rule: &str, table: &Table) -> Result<Vec<Truth>> {
    check(e, rule, table)?;
    match eval(e, rule, table)? {
        Val::Bool(v) => Ok(v),
        _ => Err(rule_error(
            rule,
            e.at,
            e.len,
            "not a condition".into(),
            "不是条件".into(),
        )),
    }
}

fn eval<'t>(e: &Expr, rule: &str, table: &'t Table) -> Result<Val<'t>> {
    let n = table.rows();
    let num = |x: &Expr| -> Result<Vec<f64>> {
        match eval(x, rule, table)? {
            Val::Num(v) => Ok(v),
            // Type-checked: only a date literal reaches here as text.
            Val::Text(Text::Lit(s)) => Ok(vec![parse_date(&s).map_or(f64::NAN, |d| d.0 as f64); n]),
            _ => Ok(vec![f64::NAN; n]),
        }
    };
    let truth = |x: &Expr| -> Result<Vec<Truth>> {
        match eval(x, rule, table)? {
            Val::Bool(v) => Ok(v),
            _ => Ok(vec![None; n]),
        }
    };
    Ok(match &e.node {
        Node::Num(v) => Val::Num(vec![*v; n]),
        Node::Str(s) => Val::Text(Text::Lit(s.clone())),
        Node::Col(name) => {
            let c = column(table, name, e, rule)?;
            match &c.data {
                ColumnData::Numeric(v) => Val::Num(v.clone()),
                ColumnData::Date { secs, .. } => Val::Num(crate::table::secs_as_f64(secs)),
                _ => Val::Text(Text::Col(c)),
            }
        }
        Node::Neg(x) => Val::Num(num(x)?.into_iter().map(|v| -v).collect()),
        Node::Arith(op, a, b) => {
            let (a, b) = (num(a)?, num(b)?);
            Val::Num(
                a.iter()
                    .zip(&b)
                    .map(|(x, y)| match op {
                        '+' => x + y,
                        '-' => x - y,
                        '*' => x * y,
                        // Division by zero is unknown, not infinity.
                        _ => {
                            if *y == 0.0 {
                                f64::NAN
                            } else {
                                x / y
                            }
                        }
                    })
                    .collect(),
            )
        }
        Node::Cmp(op, a, b) => match (eval(a, rule, table)?, eval(b, rule, table)?) {
            (Val::Text(x), Val::Text(y)) => Val::Bool(
                (0..n)
                    .map(|i| match (x.at(i), y.at(i)) {
                        (Some(p), Some(q)) => Some((p == q) == (*op == CmpOp::Eq)),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => {
                let (x, y) = (num(a)?, num(b)?);
                Val::Bool(
                    x.iter()
                        .zip(&y)
                        .map(|(p, q)| {
                            if p.is_nan() || q.is_nan() {
                                return None;
                            }
                            Some(match op {
                                CmpOp::Eq => p == q,
                                CmpOp::Ne => p != q,
                                CmpOp::Lt => p < q,
                                CmpOp::Le => p <= q,
                                CmpOp::Gt => p > q,
                                CmpOp::Ge => p >= q,
                            })
                        })
                        .collect(),
                )
            }
        },
        Node::In {
            expr,
            list,
            negated,
        } => {
            let out: Vec<Truth> = match eval(expr, rule, table)? {
                Val::Num(v) => {
                    let set: Vec<f64> = list
                        .iter()
                        .filter_map(|x| match x.node {
                            Node::Num(f) => Some(f),
                            _ => None,
                        })
                        .collect();
                    v.iter()
                        .map(|x| (!x.is_nan()).then(|| set.contains(x) != *negated))
                        .collect()
                }
                Val::Text(t) => {
                    let set: Vec<&str> = list
                        .iter()
                        .filter_map(|x| match &x.node {
                            Node::Str(s) => Some(s.as_str()),
                            _ => None,
                        })
                        .collect();
                    (0..n)
                        .map(|i| t.at(i).map(|s| set.contains(&s) != *negated))
                        .collect()
                }
                Val::Bool(_) => vec![None; n],
            };
            Val::Bool(out)
        }
        Node::Contains(a, b) => match (eval(a, rule, table)?, eval(b, rule, table)?) {
            (Val::Text(x), Val::Text(y)) => Val::Bool(
                (0..n)
                    .map(|i| match (x.at(i), y.at(i)) {
                        (Some(p), Some(q)) => Some(p.contains(q)),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => Val::Bool(vec![None; n]),
        },
        Node::Missing { expr, negated } => {
            let missing: Vec<bool> = match eval(expr, rule, table)? {
                Val::Num(v) => v.iter().map(|x| x.is_nan()).collect(),
                Val::Text(t) => (0..n).map(|i| t.at(i).is_none()).collect(),
                Val::Bool(v) => v.iter().map(Option::is_none).collect(),
            };
            Val::Bool(missing.into_iter().map(|m| Some(m != *negated)).collect())
        }
        Node::And(a, b) => {
            let (x, y) = (truth(a)?, truth(b)?);
            Val::Bool(
                x.iter()
                    .zip(&y)
                    .map(|(p, q)| match (p, q) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    })
                    .collect(),
            )
        }
        Node::Or(a, b) => {
            let (x, y) = (truth(a)?, truth(b)?);
            Val::Bool(
                x.iter()
                    .zip(&y)
                    .map(|(p, q)| match (p, q) {
                        (Some(true), _) | (_, Some(true)) => Some(true),
                        (Some(false), Some(false)) => Some(false),
                        _ => None,
                    })
                    .collect(),
            )
        }
        Node::Not(x) => Val::Bool(truth(x)?.into_iter().map(|t| t.map(|b| !b)).collect()),
    })
}
