//! The basket step of a recipe: holdings → rules overall and per segment →
//! cross-sell offers and product target lists, in one report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::recommend::{cross_sell, product_targets, Offer};
use super::{AprioriParams, AssociationRule, Baskets, Product};
use crate::table::{ColumnData, Table, MISSING_DATE};
use crate::{Error, Progress, Result};

/// A product made of one or more balance columns (non-zero = holds).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductSpec {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasketSpec {
    #[serde(default)]
    pub products: Vec<ProductSpec>,
    /// Existing 0/1 holding columns.
    #[serde(default)]
    pub flags: Vec<String>,
    pub min_support: f64,
    pub min_confidence: f64,
    #[serde(default)]
    pub min_lift: Option<f64>,
    #[serde(default)]
    pub max_len: Option<usize>,
    #[serde(default)]
    pub per_segment: bool,
    #[serde(default)]
    pub id: Option<String>,
    /// Marketing cool-off in days: with `last_contact`, customers contacted
    /// fewer days ago are left out of the lists; alone, a positive value
    /// means days of cool-off left.
    #[serde(default)]
    pub cool_off: Option<String>,
    #[serde(default)]
    pub last_contact: Option<String>,
    /// "Today" for the cool-off (default: the latest last contact).
    #[serde(default)]
    pub reference_date: Option<String>,
    #[serde(default)]
    pub top_per_customer: Option<usize>,
    #[serde(default)]
    pub targets_per_product: Option<usize>,
    /// Mine each value of this column (a segment) separately, as well as overall.
    #[serde(default)]
    pub by: Option<String>,
    /// A basket file (one transaction a line, items separated by commas)
    /// among the given files, instead of holdings from the table.
    #[serde(default)]
    pub file: Option<String>,
}

/// Rules of one group of customers (all of them, or one segment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    /// None for the overall rules.
    pub segment: Option<String>,
    pub customers: usize,
    pub frequent_itemsets: usize,
    pub rules: Vec<AssociationRule>,
    /// Indices into `rules` of those not found among the overall rules.
    pub specific: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductShare {
    pub product: String,
    pub holders: usize,
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductTargets {
    pub product: String,
    pub customers: Vec<Offer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasketReport {
    pub customers: usize,
    pub products: Vec<ProductShare>,
    pub params: AprioriParams,
    pub overall: RuleSet,
    pub segments: Vec<RuleSet>,
    /// The scenario's format: `{"['存款', '国债']": [['保险'], support,
    /// confidence, lift, leverage, conviction]}` — one entry per antecedent,
    /// its strongest rule (the tidy `rules` hold every rule).
    pub business: BTreeMap<String, serde_json::Value>,
    pub cross_sell: Vec<Offer>,
    /// Offers the run made. `cross_sell` holds them all, except in the
    /// page's copy of a big run, which holds the first few (the worker keeps
    /// every one for the downloads). 0 in reports saved before it existed.
    #[serde(default)]
    pub cross_sell_total: usize,
    pub product_targets: Vec<ProductTargets>,
    /// Customers left out of the lists by the marketing cool-off.
    pub cool_off_excluded: usize,
}

impl BasketReport {
    /// How many cross-sell offers the run made.
    pub fn offers_total(&self) -> usize {
        self.cross_sell_total.max(self.cross_sell.len())
    }

    /// Whether `cross_sell` holds every offer the run made.
    pub fn offers_whole(&self) -> bool {
        self.cross_sell.len() >= self.cross_sell_total
    }

    /// Keeps the first `keep` offers in `cross_sell` and returns the rest,
    /// which `cross_sell.extend` puts back (the allocation stays).
    pub fn cut_offers(&mut self, keep: usize) -> Vec<Offer> {
        if self.cross_sell.len() <= keep {
            return Vec::new();
        }
        self.cross_sell.split_off(keep)
    }

    /// The overall rule set, then each segment's.
    pub fn rule_sets(&self) -> Vec<RuleSet> {
        std::iter::once(&self.overall)
            .chain(&self.segments)
            .cloned()
            .collect()
    }

    /// Every product's target customers, product by product.
    pub fn target_offers(&self) -> Vec<Offer> {
        self.product_targets
            .iter()
            .flat_map(|t| t.customers.iter().cloned())
            .collect()
    }
}

/// Python's repr of a list of strings, as the scenario's document writes keys.
fn py_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

fn business(rules: &[AssociationRule]) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    // Rules come strongest first: the first rule of an antecedent is kept.
    for r in rules {
        out.entry(py_list(&r.antecedent)).or_insert_with(|| {
            serde_json::json!([
                r.consequent,
                r.support,
                r.confidence,
                r.lift,
                r.leverage,
                if r.conviction.is_finite() {
                    serde_json::json!(r.conviction)
                } else {
                    serde_json::json!("inf")
                }
            ])
        });
    }
    out
}

fn no_rules(p: &AprioriParams, b: &Baskets) -> Error {
    let held = (0..b.items.len()).filter(|&k| b.count(k) > 0).count();
    if held < 2 {
        return Error::Analysis {
            detail: format!(
                "association rules need at least two products that customers hold; {held} of {} products is held by anyone — check the product columns",
                b.items.len()
            ),
            detail_zh: format!(
                "关联规则至少需要两个有人持有的产品；{} 个产品中只有 {held} 个有人持有。请检查产品列",
                b.items.len()
            ),
        };
    }
    Error::Analysis {
        detail: format!(
            "no association rule reaches support {} and confidence {}{} over {} customers; lower min_support (e.g. to {}) or min_confidence",
            p.min_support,
            p.min_confidence,
            p.min_lift.map(|l| format!(" and lift {l}")).unwrap_or_default(),
            b.n,
            p.min_support / 2.0
        ),
        detail_zh: format!(
            "在 {} 名客户中，没有规则同时达到支持度 {}、置信度 {}{}。请降低最小支持度（例如 {}）或最小置信度",
            b.n,
            p.min_support,
            p.min_confidence,
            p.min_lift.map(|l| format!("、提升度 {l}")).unwrap_or_default(),
            p.min_support / 2.0
        ),
    }
}

fn mine(
    b: &Baskets,
    p: &AprioriParams,
    segment: Option<String>,
    progress: &mut dyn Progress,
) -> Result<RuleSet> {
    let f = p.fit(b, progress)?;
    Ok(RuleSet {
        segment,
        customers: b.n,
        frequent_itemsets: f.sets.len(),
        rules: p.rules(&f, &b.items),
        specific: Vec::new(),
    })
}

/// Mines a basket file (one transaction a line): rules only.
pub fn analyse_lines(
    bytes: &[u8],
    file: &str,
    spec: &BasketSpec,
    progress: &mut dyn Progress,
) -> Result<BasketReport> {
    let (b, _) = Baskets::from_lines(bytes, file)?;
    let ids: Vec<String> = (1..=b.n).map(|i| i.to_string()).collect();
    finish(&b, &ids, None, vec![true; b.n], spec, progress)
}

/// Mines the holdings of `table` as the spec says; `segments` (each row's
/// segment name, from the segment step) is used when `per_segment` is set
/// and no `by` column is named.
pub fn analyse(
    table: &Table,
    spec: &BasketSpec,
    segments: Option<Vec<String>>,
    progress: &mut dyn Progress,
) -> Result<BasketReport> {
    let products: Vec<Product> = spec
        .products
        .iter()
        .map(|p| Product {
            name: &p.name,
            columns: &p.columns,
        })
        .collect();
    let b = Baskets::from_table(table, &products, &spec.flags)?;
    let ids: Vec<String> = match &spec.id {
        Some(id) => {
            let c = table.column(id)?;
            (0..table.rows()).map(|r| c.text(r)).collect()
        }
        None => (1..=table.rows()).map(|i| i.to_string()).collect(),
    };
    let groups = match &spec.by {
        Some(col) => {
            let c = table.column(col)?;
            Some(
                (0..table.rows())
                    .map(|r| (!c.is_missing(r)).then(|| c.text(r)))
                    .collect(),
            )
        }
        None if spec.per_segment => segments.map(|s| s.into_iter().map(Some).collect()),
        None => None,
    };
    let eligible = eligibility(table, spec)?;
    finish(&b, &ids, groups, eligible, spec, progress)
}

/// Who may be contacted. With `last_contact`, the cool-off column is the
/// cool-off length in days: a customer contacted fewer days before the
/// reference date (default: the latest contact) is not eligible. Without it,
/// a positive value means days of cool-off left (or a 0/1 flag).
fn eligibility(table: &Table, spec: &BasketSpec) -> Result<Vec<bool>> {
    let Some(col) = &spec.cool_off else {
        return Ok(vec![true; table.rows()]);
    };
    let c = table.column(col)?;
    let ColumnData::Numeric(days) = &c.data else {
        return Err(Error::Analysis {
            detail: format!(
                "{}: the cool-off column '{col}' must be a number of days (0 or empty = may be contacted)",
                table.name
            ),
            detail_zh: format!(
                "{}：营销冷静期列“{col}”须为天数（0 或空 = 可联系）",
                table.name
            ),
        });
    };
    let Some(last) = &spec.last_contact else {
        return Ok(days.iter().map(|d| d.is_nan() || *d <= 0.0).collect());
    };
    let lc = table.column(last)?;
    let ColumnData::Date { secs, .. } = &lc.data else {
        return Err(Error::Analysis {
            detail: format!(
                "{}: the last-contact column '{last}' must be a date",
                table.name
            ),
            detail_zh: format!("{}：最近联系时间列“{last}”须为日期", table.name),
        });
    };
    let reference = match &spec.reference_date {
        Some(d) => crate::table::infer::parse_date(d)
            .map(|(s, _)| s)
            .ok_or_else(|| Error::Recipe {
                detail: format!("basket.reference_date '{d}' is not a date (use 2024-10-31)"),
            })?,
        None => secs
            .iter()
            .copied()
            .filter(|s| *s != MISSING_DATE)
            .max()
            .unwrap_or(0),
    };
    Ok(secs
        .iter()
        .zip(days)
        .map(|(&s, &d)| s == MISSING_DATE || d.is_nan() || (reference - s) as f64 >= d * 86_400.0)
        .collect())
}

fn finish(
    b: &Baskets,
    ids: &[String],
    groups: Option<Vec<Option<String>>>,
    eligible: Vec<bool>,
    spec: &BasketSpec,
    progress: &mut dyn Progress,
) -> Result<BasketReport> {
    let params = AprioriParams {
        min_support: spec.min_support,
        min_confidence: spec.min_confidence,
        min_lift: spec.min_lift,
        max_len: spec.max_len,
        ..AprioriParams::default()
    };
    let overall = mine(b, &params, None, progress)?;
    if overall.rules.is_empty() {
        return Err(no_rules(&params, b));
    }
    let key = |r: &AssociationRule| (r.antecedent.clone(), r.consequent.clone());
    let known: std::collections::HashSet<_> = overall.rules.iter().map(key).collect();
    let mut segments = Vec::new();
    let mut segment_of: Vec<Option<usize>> = vec![None; b.n];
    if let Some(groups) = &groups {
        let mut names: Vec<&String> = groups.iter().flatten().collect();
        crate::order::sort_by(&mut names, |a, b| a.cmp(b));
        names.dedup();
        for (s, name) in names.into_iter().enumerate() {
            let rows: Vec<usize> = (0..b.n)
                .filter(|&r| groups[r].as_ref() == Some(name))
                .collect();
            for &r in &rows {
                segment_of[r] = Some(s);
            }
            progress.report(&format!("rules: {name}"), 0.0);
            let mut set = mine(&b.subset(&rows), &params, Some(name.clone()), &mut ())?;
            // Item indices are shared, so the subset's rules apply to the full baskets.
            set.specific = (0..set.rules.len())
                .filter(|&k| !known.contains(&key(&set.rules[k])))
                .collect();
            segments.push(set);
        }
    }
    let rules_of = |row: usize| match segment_of[row] {
        Some(s) => (segments[s].rules.as_slice(), segments[s].segment.as_deref()),
        None => (overall.rules.as_slice(), None),
    };
    progress.report("cross-sell", 0.0);
    let top = spec.top_per_customer.unwrap_or(3);
    let cross = cross_sell(b, ids, &eligible, top, rules_of);
    let targets = (0..b.items.len() as u32)
        .map(|p| ProductTargets {
            product: b.items[p as usize].clone(),
            customers: product_targets(
                b,
                p,
                ids,
                &eligible,
                spec.targets_per_product.unwrap_or(100),
                rules_of,
            ),
        })
        .collect();
    Ok(BasketReport {
        customers: b.n,
        products: (0..b.items.len())
            .map(|k| ProductShare {
                product: b.items[k].clone(),
                holders: b.count(k),
                share: b.count(k) as f64 / b.n.max(1) as f64,
            })
            .collect(),
        params,
        business: business(&overall.rules),
        overall,
        segments,
        cross_sell_total: cross.len(),
        cross_sell: cross,
        product_targets: targets,
        cool_off_excluded: eligible.iter().filter(|e| !**e).count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_keys_are_python_list_reprs() {
        assert_eq!(
            py_list(&["存款".into(), "国债".into(), "保险".into()]),
            "['存款', '国债', '保险']"
        );
        assert_eq!(py_list(&["it's".into()]), "['it\\'s']");
    }
}
