//! Tokens and the recursive-descent parser of the rule language.
//! Positions are counted in characters, so messages can point under Chinese text.

use super::rule_error;
use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Num(f64),
    Str(String),
    Col(String),
    Neg(Box<Expr>),
    /// `+ - * /`
    Arith(char, Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Contains(Box<Expr>, Box<Expr>),
    Missing {
        expr: Box<Expr>,
        negated: bool,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

/// A node and the characters `at..at+len` of the rule it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub node: Node,
    pub at: usize,
    pub len: usize,
}

impl Expr {
    /// Column names used, in order of first use.
    pub fn columns(&self, out: &mut Vec<String>) {
        let mut visit = |e: &Expr| e.columns(out);
        match &self.node {
            Node::Col(c) => {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
            Node::Num(_) | Node::Str(_) => {}
            Node::Neg(e) | Node::Not(e) | Node::Missing { expr: e, .. } => visit(e),
            Node::Arith(_, a, b)
            | Node::Cmp(_, a, b)
            | Node::Contains(a, b)
            | Node::And(a, b)
            | Node::Or(a, b) => {
                visit(a);
                visit(b);
            }
            Node::In { expr, list, .. } => {
                visit(expr);
                list.iter().for_each(visit);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    /// A column name written in backticks: never a keyword.
    Quoted(String),
    Sym(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    at: usize,
    len: usize,
}

const SYMBOLS: [&str; 16] = [
    "==", "!=", "<>", "<=", ">=", "&&", "||", "=", "<", ">", "+", "-", "*", "/", "(", ")",
];

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

fn lex(rule: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = rule.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == ',' || c == '，' || c == '!' && chars.get(i + 1) != Some(&'=') {
            out.push(Token {
                tok: Tok::Sym(if c == '!' { "!" } else { "," }),
                at: i,
                len: 1,
            });
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' || c == '“' || c == '`' {
            let close = match c {
                '“' => '”',
                other => other,
            };
            let end = chars[i + 1..].iter().position(|&d| d == close);
            let Some(end) = end else {
                return Err(rule_error(
                    rule,
                    i,
                    chars.len() - i,
                    format!("the text starting here has no closing {close}"),
                    format!("从这里开始的文本缺少结尾的 {close}"),
                ));
            };
            let s: String = chars[i + 1..i + 1 + end].iter().collect();
            out.push(Token {
                tok: if c == '`' {
                    Tok::Quoted(s)
                } else {
                    Tok::Str(s)
                },
                at: i,
                len: end + 2,
            });
            i += end + 2;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_')
            {
                i += 1;
            }
            let digits: String = chars[start..i].iter().filter(|&&d| d != '_').collect();
            let mut v: f64 = digits.parse().map_err(|_| {
                rule_error(
                    rule,
                    start,
                    i - start,
                    format!("'{digits}' is not a number"),
                    format!("“{digits}”不是数字"),
                )
            })?;
            match chars.get(i) {
                Some('万') => v *= 1e4,
                Some('亿') => v *= 1e8,
                Some('%') => v /= 100.0,
                _ => i -= 1,
            }
            i += 1;
            if chars
                .get(i)
                .is_some_and(|&d| is_ident_char(d) && !d.is_ascii_digit())
            {
                let end = (i..chars.len())
                    .find(|&j| !is_ident_char(chars[j]))
                    .unwrap_or(chars.len());
                let word: String = chars[start..end].iter().collect();
                return Err(rule_error(
                    rule,
                    start,
                    end - start,
                    format!("'{word}' is neither a number nor a name; write a column whose name starts with a digit in backticks: `{word}`"),
                    format!("“{word}”既不是数字也不是列名；以数字开头的列名请用反引号括起来：`{word}`"),
                ));
            }
            out.push(Token {
                tok: Tok::Num(v),
                at: start,
                len: i - start,
            });
            continue;
        }
        if let Some(sym) = SYMBOLS.iter().find(|s| {
            s.chars()
                .enumerate()
                .all(|(k, sc)| chars.get(i + k) == Some(&sc))
        }) {
            let n = sym.chars().count();
            out.push(Token {
                tok: Tok::Sym(sym),
                at: i,
                len: n,
            });
            i += n;
            continue;
        }
        if is_ident_char(c) {
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(chars[start..i].iter().collect()),
                at: start,
                len: i - start,
            });
            continue;
        }
        return Err(rule_error(
            rule,
            i,
            1,
            format!("unexpected character '{c}'"),
            format!("无法识别的字符“{c}”"),
        ));
    }
    Ok(out)
}

struct Parser<'a> {
    rule: &'a str,
    toks: Vec<Token>,
    pos: usize,
    end: usize,
}

/// Parses a rule; errors point at the offending characters.
pub fn parse(rule: &str) -> Result<Expr> {
    let toks = lex(rule)?;
    let end = rule.chars().count();
    if toks.is_empty() {
        return Err(rule_error(
            rule,
            0,
            1,
            "the rule is empty; write e.g. asset_level == \"100万+\"".into(),
            "规则为空；例如：asset_level == \"100万+\"".into(),
        ));
    }
    let mut p = Parser {
        rule,
        toks,
        pos: 0,
        end,
    };
    let e = p.or()?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(rule_error(
            rule,
            t.at,
            t.len,
            "unexpected text after a complete rule; join conditions with and / or".into(),
            "完整规则之后还有多余内容；多个条件请用 and / or 连接".into(),
        ));
    }
    Ok(e)
}

fn keyword(t: &Tok) -> Option<String> {
    match t {
        Tok::Ident(s) => Some(s.to_lowercase()),
        Tok::Sym(s) => Some(s.to_string()),
        _ => None,
    }
}

impl Parser<'_> {
    fn peek_kw(&self) -> Option<String> {
        self.toks.get(self.pos).and_then(|t| keyword(&t.tok))
    }

    fn eat(&mut self, words: &[&str]) -> Option<Token> {
        let k = self.peek_kw()?;
        if words.contains(&k.as_str()) {
            self.pos += 1;
            Some(self.toks[self.pos - 1].clone())
        } else {
            None
        }
    }

    fn span(a: &Expr, b: &Expr) -> (usize, usize) {
        (a.at, (b.at + b.len).saturating_sub(a.at))
    }

    fn binary(node: fn(Box<Expr>, Box<Expr>) -> Node, a: Expr, b: Expr) -> Expr {
        let (at, len) = Self::span(&a, &b);
        Expr {
            node: node(Box::new(a), Box::new(b)),
            at,
            len,
        }
    }

    fn or(&mut self) -> Result<Expr> {
        let mut e = self.and()?;
        while self.eat(&["or", "||", "或"]).is_some() {
            let r = self.and()?;
            e = Self::binary(Node::Or, e, r);
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr> {
        let mut e = self.not()?;
        while self.eat(&["and", "&&", "且"]).is_some() {
            let r = self.not()?;
            e = Self::binary(Node::And, e, r);
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr> {
        if let Some(t) = self.eat(&["not", "!", "非"]) {
            let e = self.not()?;
            let len = e.at + e.len - t.at;
            return Ok(Expr {
                node: Node::Not(Box::new(e)),
                at: t.at,
                len,
            });
        }
        self.test()
    }

    fn test(&mut self) -> Result<Expr> {
        let left = self.sum()?;
        let op = match self.peek_kw().as_deref() {
            Some("==") | Some("=") => Some(CmpOp::Eq),
            Some("!=") | Some("<>") => Some(CmpOp::Ne),
            Some("<") => Some(CmpOp::Lt),
            Some("<=") => Some(CmpOp::Le),
            Some(">") => Some(CmpOp::Gt),
            Some(">=") => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.pos += 1;
            let right = self.sum()?;
            let (at, len) = Self::span(&left, &right);
            return Ok(Expr {
                node: Node::Cmp(op, Box::new(left), Box::new(right)),
                at,
                len,
            });
        }
        if self.eat(&["contains", "包含"]).is_some() {
            let right = self.sum()?;
            return Ok(Self::binary(Node::Contains, left, right));
        }
        if self.eat(&["is"]).is_some() {
            let negated = self.eat(&["not"]).is_some();
            let t = self.expect(&["missing", "null"], "missing")?;
            let len = t.at + t.len - left.at;
            let at = left.at;
            return Ok(Expr {
                node: Node::Missing {
                    expr: Box::new(left),
                    negated,
                },
                at,
                len,
            });
        }
        let save = self.pos;
        let negated = self.eat(&["not"]).is_some();
        if self.eat(&["in"]).is_some() {
            self.expect(&["("], "(")?;
            let mut list = vec![self.sum()?];
            while self.eat(&[","]).is_some() {
                list.push(self.sum()?);
            }
            let close = self.expect(&[")"], ")")?;
            let at = left.at;
            return Ok(Expr {
                node: Node::In {
                    expr: Box::new(left),
                    list,
                    negated,
                },
                at,
                len: close.at + 1 - at,
            });
        }
        self.pos = save;
        Ok(left)
    }

    fn expect(&mut self, words: &[&str], shown: &str) -> Result<Token> {
        if let Some(t) = self.eat(words) {
            return Ok(t);
        }
        let (at, len) = self
            .toks
            .get(self.pos)
            .map_or((self.end, 1), |t| (t.at, t.len));
        Err(rule_error(
            self.rule,
            at,
            len,
            format!("expected '{shown}' here"),
            format!("此处应为“{shown}”"),
        ))
    }

    /// A left-associative chain of `ops` over operands parsed by `next`.
    fn arith(&mut self, ops: &[&str], next: fn(&mut Self) -> Result<Expr>) -> Result<Expr> {
        let mut e = next(self)?;
        while let Some(t) = self.eat(ops) {
            let r = next(self)?;
            let op = match t.tok {
                Tok::Sym(s) => s.chars().next().unwrap_or('+'),
                _ => '+',
            };
            let (at, len) = Self::span(&e, &r);
            e = Expr {
                node: Node::Arith(op, Box::new(e), Box::new(r)),
                at,
                len,
            };
        }
        Ok(e)
    }

    fn sum(&mut self) -> Result<Expr> {
        self.arith(&["+", "-"], Self::product)
    }

    fn product(&mut self) -> Result<Expr> {
        self.arith(&["*", "/"], Self::unary)
    }

    fn unary(&mut self) -> Result<Expr> {
        if let Some(t) = self.eat(&["-"]) {
            let e = self.unary()?;
            let len = e.at + e.len - t.at;
            return Ok(Expr {
                node: Node::Neg(Box::new(e)),
                at: t.at,
                len,
            });
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr> {
        let Some(t) = self.toks.get(self.pos).cloned() else {
            return Err(rule_error(
                self.rule,
                self.end,
                1,
                "the rule ends too early: a value or column is missing".into(),
                "规则不完整：缺少一个值或列名".into(),
            ));
        };
        self.pos += 1;
        let node = match t.tok {
            Tok::Num(v) => Node::Num(v),
            Tok::Str(s) => Node::Str(s),
            Tok::Quoted(s) => Node::Col(s),
            Tok::Sym("(") => {
                let e = self.or()?;
                let close = self.expect(&[")"], ")")?;
                return Ok(Expr {
                    at: t.at,
                    len: close.at + 1 - t.at,
                    ..e
                });
            }
            Tok::Ident(s) if is_reserved(&s) => {
                return Err(rule_error(
                    self.rule,
                    t.at,
                    t.len,
                    format!("'{s}' is a keyword, not a value; a column with this name must be written `{s}`"),
                    format!("“{s}”是关键字而不是值；同名的列请写成 `{s}`"),
                ))
            }
            Tok::Ident(s) => Node::Col(s),
            Tok::Sym(s) => {
                return Err(rule_error(
                    self.rule,
                    t.at,
                    t.len,
                    format!("expected a value or a column, found '{s}'"),
                    format!("此处应为值或列名，却是“{s}”"),
                ))
            }
        };
        Ok(Expr {
            node,
            at: t.at,
            len: t.len,
        })
    }
}

fn is_reserved(s: &str) -> bool {
    matches!(
        s.to_lowercase().as_str(),
        "and"
            | "or"
            | "not"
            | "in"
            | "contains"
            | "is"
            | "missing"
            | "null"
            | "且"
            | "或"
            | "非"
            | "包含"
    )
}
