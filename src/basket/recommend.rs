//! Rules → what to offer whom. A rule applies to a customer when they hold
//! its whole antecedent and none of its consequent; each product of the
//! consequent is then a candidate offer, scored by the rule's confidence
//! (ties: lift). Customers in a marketing cool-off are left out and counted.

use serde::{Deserialize, Serialize};

use super::{AssociationRule, Baskets};

/// One offer to one customer, with the rule that suggests it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub id: String,
    pub product: String,
    pub confidence: f64,
    pub lift: f64,
    /// "存款 + 国债 → 基金和积利宝".
    pub rule: String,
    /// The segment whose rules were used (None: overall rules).
    pub segment: Option<String>,
}

pub fn rule_text(r: &AssociationRule) -> String {
    format!(
        "{} → {}",
        r.antecedent.join(" + "),
        r.consequent.join(" + ")
    )
}

fn applies(b: &Baskets, row: usize, r: &AssociationRule) -> bool {
    r.antecedent_items.iter().all(|&k| b.holds(row, k as usize))
        && r.consequent_items
            .iter()
            .all(|&k| !b.holds(row, k as usize))
}

/// The best offer of each product `row` lacks, strongest first: the first
/// applicable rule (rules come strongest first) naming the product wins.
pub fn offers_for<'r>(
    b: &Baskets,
    row: usize,
    rules: &'r [AssociationRule],
) -> Vec<(u32, &'r AssociationRule)> {
    let mut best: Vec<(u32, &AssociationRule)> = Vec::new();
    for r in rules {
        if !applies(b, row, r) {
            continue;
        }
        for &p in &r.consequent_items {
            if !best.iter().any(|(q, _)| *q == p) {
                best.push((p, r));
            }
        }
        if best.len() == b.items.len() {
            break;
        }
    }
    crate::order::sort_by(&mut best, |x, y| {
        y.1.confidence
            .total_cmp(&x.1.confidence)
            .then(y.1.lift.total_cmp(&x.1.lift))
    });
    best
}

/// Each row's holdings as a bit mask, when there are at most 64 products:
/// customers with the same holdings (and segment) get the same offers, so
/// offers are worked out once per distinct mask.
fn masks(b: &Baskets) -> Option<Vec<u64>> {
    if b.items.len() > 64 {
        return None;
    }
    let mut m = vec![0u64; b.n];
    for (k, bits) in b.bits.iter().enumerate() {
        for (r, m) in m.iter_mut().enumerate() {
            *m |= (bits[r / 64] >> (r % 64) & 1) << k;
        }
    }
    Some(m)
}

/// Up to `top` offers per eligible customer. `rules_of(row)` gives the rules
/// of the customer's segment and its name.
pub fn cross_sell<'r>(
    b: &Baskets,
    ids: &[String],
    eligible: &[bool],
    top: usize,
    rules_of: impl Fn(usize) -> (&'r [AssociationRule], Option<&'r str>),
) -> Vec<Offer> {
    let mut out = Vec::new();
    let masks = masks(b);
    let mut cache: rustc_hash::FxHashMap<(usize, u64), Vec<(u32, &AssociationRule)>> =
        Default::default();
    for row in 0..b.n {
        if !eligible[row] {
            continue;
        }
        let (rules, segment) = rules_of(row);
        let offers = match &masks {
            Some(m) => cache
                .entry((rules.as_ptr() as usize, m[row]))
                .or_insert_with(|| offers_for(b, row, rules))
                .clone(),
            None => offers_for(b, row, rules),
        };
        for (p, r) in offers.into_iter().take(top) {
            out.push(Offer {
                id: ids[row].clone(),
                product: b.items[p as usize].clone(),
                confidence: r.confidence,
                lift: r.lift,
                rule: rule_text(r),
                segment: segment.map(str::to_string),
            });
        }
    }
    out
}

/// For one product: the eligible customers who lack it, ranked by the best
/// applicable rule that offers it.
pub fn product_targets<'r>(
    b: &Baskets,
    product: u32,
    ids: &[String],
    eligible: &[bool],
    top: usize,
    rules_of: impl Fn(usize) -> (&'r [AssociationRule], Option<&'r str>),
) -> Vec<Offer> {
    // (row, rule, segment) first; Offers (with their strings) for the top only.
    let mut found: Vec<(usize, &AssociationRule, Option<&str>)> = Vec::new();
    let masks = masks(b);
    let mut cache: rustc_hash::FxHashMap<(usize, u64), Option<&AssociationRule>> =
        Default::default();
    let mut by_set: rustc_hash::FxHashMap<usize, Vec<&AssociationRule>> = Default::default();
    for row in 0..b.n {
        if !eligible[row] || b.holds(row, product as usize) {
            continue;
        }
        let (rules, segment) = rules_of(row);
        // Only the rules offering this product, per rule set, once.
        let offering = by_set.entry(rules.as_ptr() as usize).or_insert_with(|| {
            rules
                .iter()
                .filter(|r| r.consequent_items.contains(&product))
                .collect()
        });
        let find = || offering.iter().copied().find(|r| applies(b, row, r));
        let best = match &masks {
            Some(m) => *cache
                .entry((rules.as_ptr() as usize, m[row]))
                .or_insert_with(find),
            None => find(),
        };
        if let Some(r) = best {
            found.push((row, r, segment));
        }
    }
    // Stable: equal rules keep file order.
    found.sort_by(|x, y| {
        y.1.confidence
            .total_cmp(&x.1.confidence)
            .then(y.1.lift.total_cmp(&x.1.lift))
    });
    found
        .into_iter()
        .take(top)
        .map(|(row, r, segment)| Offer {
            id: ids[row].clone(),
            product: b.items[product as usize].clone(),
            confidence: r.confidence,
            lift: r.lift,
            rule: rule_text(r),
            segment: segment.map(str::to_string),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basket::AprioriParams;

    #[test]
    fn offers_respect_holdings_eligibility_and_rule_strength() {
        // 存款 holders mostly also hold 理财; 存款 + 国债 holders hold 保险.
        let mut text = String::new();
        text.push_str(&"存款,理财\n".repeat(8));
        text.push_str(&"存款,国债,保险\n".repeat(4));
        text.push_str(&"存款\n".repeat(2));
        text.push_str("存款,国债\n"); // row 14: lacks 保险 and 理财
        text.push_str("国债\n"); // row 15
        let (b, _) = Baskets::from_lines(text.as_bytes(), "t.csv").unwrap();
        let params = AprioriParams {
            min_support: 0.05,
            min_confidence: 0.3,
            ..Default::default()
        };
        let f = params.fit(&b, &mut ()).unwrap();
        let rules = params.rules(&f, &b.items);
        let ids: Vec<String> = (0..b.n).map(|i| format!("C{i}")).collect();
        let mut eligible = vec![true; b.n];
        let offers = cross_sell(&b, &ids, &eligible, 2, |_| (&rules, None));
        let for14: Vec<&Offer> = offers.iter().filter(|o| o.id == "C14").collect();
        // 存款 + 国债 → 保险 (4 of 5) is stronger than 存款 → 理财 (8 of 15).
        assert_eq!(for14[0].product, "保险");
        assert_eq!(for14[0].rule, "国债 + 存款 → 保险");
        assert!((for14[0].confidence - 0.8).abs() < 1e-12);
        assert_eq!(for14[1].product, "理财");
        // Nobody is offered what they hold.
        for o in &offers {
            let row: usize = o.id[1..].parse().unwrap();
            let k = b.items.iter().position(|i| *i == o.product).unwrap();
            assert!(!b.holds(row, k), "{o:?}");
        }
        let bao = b.items.iter().position(|i| i == "保险").unwrap() as u32;
        let targets = product_targets(&b, bao, &ids, &eligible, 10, |_| (&rules, None));
        assert_eq!(targets[0].id, "C14");
        eligible[14] = false;
        let targets = product_targets(&b, bao, &ids, &eligible, 10, |_| (&rules, None));
        assert!(targets.iter().all(|t| t.id != "C14"));
    }
}
