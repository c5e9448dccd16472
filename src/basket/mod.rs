//! Product holdings as baskets → Apriori frequent itemsets → association
//! rules → cross-sell and product-target lists.
//!
//! A [`Baskets`] is vertical: one bitset of customers per product, so the
//! support of an itemset is the popcount of an AND. It is built from a
//! table's balance columns (non-zero = holds; several columns may make one
//! product), from existing 0/1 flag columns, or from a basket file with one
//! transaction per line (items separated by commas, trimmed).

pub mod apriori;
pub mod recommend;
pub mod report;

pub use apriori::{AprioriParams, AssociationRule, FrequentItemsets};

use crate::table::decode::decode;
use crate::table::{ColumnData, Table};
use crate::{Error, Result};

/// Which customers hold which products.
#[derive(Debug, Clone, PartialEq)]
pub struct Baskets {
    /// Product names, in the order of `bits`.
    pub items: Vec<String>,
    /// Number of baskets (customers).
    pub n: usize,
    /// Per product: bit `r` is set when basket `r` holds it.
    pub bits: Vec<Vec<u64>>,
}

/// A product made of one or more balance columns (held when any is non-zero).
#[derive(Debug, Clone, PartialEq)]
pub struct Product<'a> {
    pub name: &'a str,
    pub columns: &'a [String],
}

pub(crate) fn words(n: usize) -> usize {
    n.div_ceil(64)
}

impl Baskets {
    fn empty(items: Vec<String>, n: usize) -> Baskets {
        let bits = vec![vec![0u64; words(n)]; items.len()];
        Baskets { items, n, bits }
    }

    fn set(&mut self, item: usize, row: usize) {
        self.bits[item][row / 64] |= 1 << (row % 64);
    }

    pub fn holds(&self, row: usize, item: usize) -> bool {
        self.bits[item][row / 64] >> (row % 64) & 1 == 1
    }

    /// Customers holding `item`.
    pub fn count(&self, item: usize) -> usize {
        self.bits[item]
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum()
    }

    /// Reads a basket file: one transaction a line, items separated by
    /// commas. Items are trimmed; blank lines are skipped (and counted).
    pub fn from_lines(bytes: &[u8], file: &str) -> Result<(Baskets, usize)> {
        let text = decode(bytes, file, None)?.text;
        let mut names: rustc_hash::FxHashMap<&str, usize> = Default::default();
        let mut rows: Vec<Vec<usize>> = Vec::new();
        let mut blank = 0;
        for line in text.lines() {
            let mut basket: Vec<usize> = line
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let next = names.len();
                    *names.entry(s).or_insert(next)
                })
                .collect();
            if basket.is_empty() {
                blank += 1;
                continue;
            }
            basket.sort_unstable();
            basket.dedup();
            rows.push(basket);
        }
        if rows.is_empty() {
            return Err(Error::NoDataRows { file: file.into() });
        }
        // Items in name order (as mlxtend's TransactionEncoder).
        let mut order: Vec<(&str, usize)> = names.into_iter().collect();
        crate::order::sort_by(&mut order, |a, b| a.cmp(b));
        let mut rank = vec![0; order.len()];
        for (k, (_, id)) in order.iter().enumerate() {
            rank[*id] = k;
        }
        let mut b = Baskets::empty(
            order.iter().map(|(s, _)| s.to_string()).collect(),
            rows.len(),
        );
        for (r, basket) in rows.iter().enumerate() {
            for &id in basket {
                b.set(rank[id], r);
            }
        }
        Ok((b, blank))
    }

    /// Holdings from a table: each product is held when any of its columns is
    /// a non-zero number; each flag column is held when it reads 1 (or
    /// 是 / Y / yes / true). Missing values count as not held.
    pub fn from_table(table: &Table, products: &[Product], flags: &[String]) -> Result<Baskets> {
        let mut items: Vec<String> = products.iter().map(|p| p.name.to_string()).collect();
        items.extend(flags.iter().cloned());
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = items.iter().find(|i| !seen.insert(i.as_str())) {
            return Err(Error::Recipe {
                detail: format!("basket: the product '{dup}' is named twice"),
            });
        }
        let n = table.rows();
        let mut b = Baskets::empty(items, n);
        for (k, p) in products.iter().enumerate() {
            if p.columns.is_empty() {
                return Err(Error::Recipe {
                    detail: format!("basket: product '{}' names no column", p.name),
                });
            }
            for name in p.columns {
                let c = table.column(name)?;
                let ColumnData::Numeric(v) = &c.data else {
                    return Err(Error::Analysis {
                        detail: format!(
                            "{}: column '{name}' (product '{}') is {}, not a balance; a product is held when its balance is non-zero, so set the column's type to numeric or name a flag column under 'flags'",
                            table.name,
                            p.name,
                            c.kind.as_str()
                        ),
                        detail_zh: format!(
                            "{}：列“{name}”（产品“{}”）不是数值余额。余额非零即视为持有：请把该列类型设为数值，或把它放在 flags（0/1 标志列）中",
                            table.name, p.name
                        ),
                    });
                };
                for (r, x) in v.iter().enumerate() {
                    if *x != 0.0 && !x.is_nan() {
                        b.set(k, r);
                    }
                }
            }
        }
        for (j, name) in flags.iter().enumerate() {
            let k = products.len() + j;
            let c = table.column(name)?;
            for r in 0..n {
                let yes = match &c.data {
                    ColumnData::Numeric(v) => v[r] == 1.0,
                    _ if c.is_missing(r) => false,
                    _ => matches!(
                        c.text(r).trim().to_lowercase().as_str(),
                        "1" | "是" | "y" | "yes" | "true" | "t"
                    ),
                };
                if yes {
                    b.set(k, r);
                }
            }
        }
        Ok(b)
    }

    /// The baskets of `rows` only (e.g. one segment), in that order.
    pub fn subset(&self, rows: &[usize]) -> Baskets {
        let mut b = Baskets::empty(self.items.clone(), rows.len());
        for (k, item) in self.bits.iter().enumerate() {
            for (r, &i) in rows.iter().enumerate() {
                if item[i / 64] >> (i % 64) & 1 == 1 {
                    b.bits[k][r / 64] |= 1 << (r % 64);
                }
            }
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{load, LoadOptions};

    #[test]
    fn basket_lines_are_trimmed_deduplicated_and_sorted_by_name() {
        let (b, blank) =
            Baskets::from_lines(b"milk, bread\n\nbread,eggs ,bread\nmilk\n", "g.csv").unwrap();
        assert_eq!(blank, 1);
        assert_eq!(b.items, ["bread", "eggs", "milk"]);
        assert_eq!(b.n, 3);
        assert_eq!((b.count(0), b.count(1), b.count(2)), (2, 1, 2));
        assert!(b.holds(1, 1) && !b.holds(2, 0));
        let e = Baskets::from_lines(b"\n , \n", "g.csv").unwrap_err();
        assert!(
            matches!(e, Error::EmptyFile { .. } | Error::NoDataRows { .. }),
            "{e}"
        );
    }

    #[test]
    fn balances_merge_into_products_and_flags_read_yes() {
        let csv = "id,loan,card,fund,vip\n1,0,0,5,是\n2,100,,0,否\n3,0,20,0,1\n4,,,0,\n";
        let t = load(csv.as_bytes(), "r.csv", &LoadOptions::default(), &mut ())
            .unwrap()
            .0;
        let lc = ["loan".to_string(), "card".to_string()];
        let fund = ["fund".to_string()];
        let products = [
            Product {
                name: "贷款和信用卡",
                columns: &lc,
            },
            Product {
                name: "基金",
                columns: &fund,
            },
        ];
        let b = Baskets::from_table(&t, &products, &["vip".to_string()]).unwrap();
        assert_eq!(b.items, ["贷款和信用卡", "基金", "vip"]);
        let held: Vec<Vec<bool>> = (0..4)
            .map(|r| (0..3).map(|k| b.holds(r, k)).collect())
            .collect();
        assert_eq!(
            held,
            [
                [false, true, true],
                [true, false, false],
                [true, false, true],
                [false, false, false]
            ]
        );
        let s = b.subset(&[2, 0]);
        assert!(s.holds(0, 0) && s.holds(1, 1) && s.n == 2);
        let id = ["vip".to_string()];
        let e = Baskets::from_table(
            &t,
            &[Product {
                name: "x",
                columns: &id,
            }],
            &[],
        )
        .unwrap_err();
        assert!(e.to_string().contains("not a balance"), "{e}");
    }
}
