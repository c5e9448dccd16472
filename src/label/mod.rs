//! The label-rule language: what an analyst types to define a label or a
//! filter, checked against a Table and evaluated to one value per row.
//!
//! ```text
//! rule    := or
//! or      := and (("or" | "||" | "或") and)*
//! and     := not (("and" | "&&" | "且") not)*
//! not     := ("not" | "!") not | test
//! test    := sum [ cmp sum | ["not"] "in" "(" literal ("," literal)* ")"
//!                | ("contains" | "包含") sum | "is" ["not"] "missing" ]
//! cmp     := "==" | "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/") unary)*
//! unary   := "-" unary | atom
//! atom    := number ["万" | "亿" | "%"] | "text" | 'text' | column | `any column` | "(" rule ")"
//! ```
//!
//! Values are numbers, text, dates or booleans. A comparison with a missing
//! value is unknown; `and`, `or` and `not` follow three-valued logic; rows
//! whose label is unknown are counted and left out of training.

mod eval;
mod parse;

pub use eval::{evaluate, Truth};
pub use parse::{parse, Expr, Node};

use serde::{Deserialize, Serialize};

use crate::table::Table;
use crate::{Error, Result};

/// A boolean label from a rule in the label language, e.g. `asset_level == "100万+"`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    pub rule: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Keep the columns the rule used as features (default: drop them).
    #[serde(default)]
    pub keep_rule_columns: bool,
}

/// What a label rule gives over the working table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelSummary {
    pub rule: String,
    pub rows: usize,
    pub positives: usize,
    /// Rows where the rule is unknown (a column it reads is missing).
    pub unknown: usize,
    /// The columns the rule reads (left out of the features).
    pub columns: Vec<String>,
}

/// A rule checked against a table: its parsed form and the columns it uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub text: String,
    pub expr: Expr,
    pub columns: Vec<String>,
}

impl Rule {
    /// Parses `text` and checks it against `table` (column names and types).
    pub fn new(text: &str, table: &Table) -> Result<Rule> {
        let expr = parse(text)?;
        eval::check(&expr, text, table)?;
        let mut columns = Vec::new();
        expr.columns(&mut columns);
        Ok(Rule {
            text: text.to_string(),
            expr,
            columns,
        })
    }

    /// One truth value per row of `table` (which must have the rule's columns).
    pub fn eval(&self, table: &Table) -> Result<Vec<Truth>> {
        evaluate(&self.expr, &self.text, table)
    }
}

/// The label step: the rule over the working table, counted (what the page
/// checks as the analyst types).
pub fn summarise(spec: &LabelSpec, table: &Table) -> Result<LabelSummary> {
    let rule = Rule::new(&spec.rule, table)?;
    let truth = rule.eval(table)?;
    Ok(LabelSummary {
        rule: rule.text.clone(),
        rows: truth.len(),
        positives: truth.iter().filter(|t| **t == Some(true)).count(),
        unknown: truth.iter().filter(|t| t.is_none()).count(),
        columns: rule.columns.clone(),
    })
}

/// An error at a place in a rule: chars `at..at+len` of `rule`.
pub(crate) fn rule_error(rule: &str, at: usize, len: usize, en: String, zh: String) -> Error {
    Error::Rule {
        rule: rule.to_string(),
        at,
        len: len.max(1),
        detail: en,
        detail_zh: zh,
    }
}

#[cfg(test)]
mod tests;
