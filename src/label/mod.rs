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

use crate::table::Table;
use crate::{Error, Result};

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
