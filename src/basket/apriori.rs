//! Apriori over vertical bitsets, and association rules with mlxtend's
//! metrics. No well-kept Rust crate does this; tests/basket.rs pins the rule
//! sets on Groceries to mlxtend's at three thresholds.
//!
//! Thresholds are compared with a relative tolerance of 1e-12, so a rule
//! exactly at the typed threshold (8 of 10 baskets at confidence 0.8) is
//! kept whatever the rounding of 0.8 in binary. Confidence is the ratio of
//! counts. This is the convention of mlxtend 0.25 on Groceries (413 rules at
//! 0.001 / 0.8, 39 of them exactly at 0.8); computing s(AC)/s(A) from
//! rounded supports instead drops four of those (409), and R arules reports
//! 410 — the difference is only in rules sitting on the boundary.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Baskets;
use crate::{Error, Progress, Result};

const TOLERANCE: f64 = 1e-12;

/// Checked hyper-parameters (see `check`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AprioriParams {
    /// Share of baskets an itemset must appear in, 0 < s ≤ 1.
    pub min_support: f64,
    /// Minimum confidence of a rule, 0 ≤ c ≤ 1.
    pub min_confidence: f64,
    pub min_lift: Option<f64>,
    /// Longest itemset (antecedent + consequent) mined.
    pub max_len: Option<usize>,
    /// Stop with a clear error rather than exhaust memory beyond this many
    /// frequent itemsets.
    pub max_itemsets: usize,
}

impl Default for AprioriParams {
    fn default() -> Self {
        AprioriParams {
            min_support: 0.01,
            min_confidence: 0.5,
            min_lift: None,
            max_len: None,
            max_itemsets: 2_000_000,
        }
    }
}

/// Frequent itemsets (sorted item indices) with their basket counts.
#[derive(Debug, Clone, PartialEq)]
pub struct FrequentItemsets {
    pub n: usize,
    pub sets: Vec<Vec<u32>>,
    pub counts: Vec<u64>,
    index: FxHashMap<Vec<u32>, usize>,
}

impl FrequentItemsets {
    pub fn count(&self, set: &[u32]) -> Option<u64> {
        self.index.get(set).map(|&k| self.counts[k])
    }
    pub fn longest(&self) -> usize {
        self.sets.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// One rule A → C with mlxtend's metrics (supports are shares of baskets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssociationRule {
    pub antecedent: Vec<String>,
    pub consequent: Vec<String>,
    #[serde(skip)]
    pub antecedent_items: Vec<u32>,
    #[serde(skip)]
    pub consequent_items: Vec<u32>,
    /// Baskets holding A ∪ C.
    pub count: u64,
    pub antecedent_support: f64,
    pub consequent_support: f64,
    pub support: f64,
    pub confidence: f64,
    pub lift: f64,
    pub leverage: f64,
    /// (1 − s(C)) / (1 − confidence); infinite ("inf" in JSON) when confidence is 1.
    #[serde(with = "inf_as_text")]
    pub conviction: f64,
    pub zhangs_metric: f64,
    pub jaccard: f64,
    pub certainty: f64,
    pub kulczynski: f64,
}

impl AprioriParams {
    pub fn check(&self) -> Result<()> {
        let bad = |what: &str, zh: &str| {
            Err(Error::Analysis {
                detail: format!("association rules: {what}"),
                detail_zh: format!("关联规则：{zh}"),
            })
        };
        if !(self.min_support > 0.0 && self.min_support <= 1.0) {
            return bad(
                &format!("min_support must be in (0, 1], got {}", self.min_support),
                &format!("最小支持度须在 (0, 1] 之间，当前为 {}", self.min_support),
            );
        }
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return bad(
                &format!(
                    "min_confidence must be in [0, 1], got {}",
                    self.min_confidence
                ),
                &format!("最小置信度须在 [0, 1] 之间，当前为 {}", self.min_confidence),
            );
        }
        if self.min_lift.is_some_and(|l| l.is_nan() || l < 0.0) {
            return bad("min_lift must be ≥ 0", "最小提升度须 ≥ 0");
        }
        if self.max_len == Some(0) {
            return bad("max_len must be ≥ 1", "最大项集长度须 ≥ 1");
        }
        Ok(())
    }

    fn frequent(&self, count: u64, n: usize) -> bool {
        count as f64 >= self.min_support * n as f64 * (1.0 - TOLERANCE)
    }

    /// Frequent itemsets of `b`, level by level; a candidate's count is the
    /// popcount of (its prefix's bitset AND its last item's bitset).
    pub fn fit(&self, b: &Baskets, progress: &mut dyn Progress) -> Result<FrequentItemsets> {
        self.check()?;
        let n = b.n;
        let words = super::words(n);
        let max_len = self.max_len.unwrap_or(usize::MAX);
        let mut sets: Vec<Vec<u32>> = Vec::new();
        let mut counts: Vec<u64> = Vec::new();
        // The current level: itemsets (sorted, lexicographic order) and their bitsets.
        let mut level: Vec<(Vec<u32>, Vec<u64>)> = Vec::new();
        for (k, bits) in b.bits.iter().enumerate() {
            let c = popcount(bits);
            if self.frequent(c, n) {
                sets.push(vec![k as u32]);
                counts.push(c);
                level.push((vec![k as u32], bits.clone()));
            }
        }
        let mut size = 1;
        while level.len() > 1 && size < max_len {
            progress.report("apriori", (size as f64 / (size as f64 + 2.0)).min(0.95));
            let previous: rustc_hash::FxHashSet<&[u32]> =
                level.iter().map(|(s, _)| s.as_slice()).collect();
            let mut next: Vec<(Vec<u32>, Vec<u64>)> = Vec::new();
            let mut start = 0;
            while start < level.len() {
                // Itemsets sharing all but their last item are consecutive.
                let prefix = &level[start].0[..size - 1];
                let mut end = start + 1;
                while end < level.len() && &level[end].0[..size - 1] == prefix {
                    end += 1;
                }
                for i in start..end {
                    for j in i + 1..end {
                        let last = *level[j].0.last().expect("itemsets are not empty");
                        let mut cand = level[i].0.clone();
                        cand.push(last);
                        // Every subset one item shorter must be frequent
                        // (the two without the last and second-last are i and j).
                        let mut sub = Vec::with_capacity(size);
                        let pruned = (0..size - 1).any(|drop| {
                            sub.clear();
                            sub.extend(
                                cand.iter()
                                    .enumerate()
                                    .filter(|(p, _)| *p != drop)
                                    .map(|(_, v)| *v),
                            );
                            !previous.contains(sub.as_slice())
                        });
                        if pruned {
                            continue;
                        }
                        let item = &b.bits[last as usize];
                        let c = and_count(&level[i].1, item);
                        if !self.frequent(c, n) {
                            continue;
                        }
                        if sets.len() + next.len() + 1 > self.max_itemsets
                            || (next.len() + 1).saturating_mul(words) > MAX_LEVEL_WORDS
                        {
                            return Err(self.too_many(sets.len() + next.len() + 1, size + 1));
                        }
                        let bits: Vec<u64> =
                            level[i].1.iter().zip(item).map(|(a, b)| a & b).collect();
                        next.push((cand, bits));
                        counts.push(c);
                    }
                }
                start = end;
            }
            sets.extend(next.iter().map(|(s, _)| s.clone()));
            level = next;
            size += 1;
        }
        progress.report("apriori", 1.0);
        let index = sets
            .iter()
            .enumerate()
            .map(|(k, s)| (s.clone(), k))
            .collect();
        Ok(FrequentItemsets {
            n,
            sets,
            counts,
            index,
        })
    }

    fn too_many(&self, found: usize, size: usize) -> Error {
        Error::Analysis {
            detail: format!(
                "association rules: more than {found} frequent itemsets already (at length {size}) with min_support {}; raise min_support or set max_len so that mining fits in memory",
                self.min_support
            ),
            detail_zh: format!(
                "关联规则：在最小支持度 {} 下，频繁项集已超过 {found} 个（长度 {size}），内存将不足。请提高最小支持度，或设置最大项集长度（max_len）",
                self.min_support
            ),
        }
    }

    /// Every rule A → C (A, C non-empty, A ∪ C frequent) meeting the
    /// confidence and lift thresholds, strongest first.
    pub fn rules(&self, f: &FrequentItemsets, items: &[String]) -> Vec<AssociationRule> {
        let n = f.n as f64;
        let keep = |x: f64, min: f64| x >= min * (1.0 - TOLERANCE);
        let mut out = Vec::new();
        for (set, &c_ac) in f.sets.iter().zip(&f.counts) {
            let len = set.len();
            if len < 2 {
                continue;
            }
            for mask in 1..(1u32 << len) - 1 {
                let (mut a, mut c) = (Vec::new(), Vec::new());
                for (p, &item) in set.iter().enumerate() {
                    if mask >> p & 1 == 1 {
                        a.push(item);
                    } else {
                        c.push(item);
                    }
                }
                let (Some(c_a), Some(c_c)) = (f.count(&a), f.count(&c)) else {
                    continue; // cannot happen: subsets of frequent sets are frequent
                };
                let confidence = c_ac as f64 / c_a as f64;
                if !keep(confidence, self.min_confidence) {
                    continue;
                }
                let (s_ac, s_a, s_c) = (c_ac as f64 / n, c_a as f64 / n, c_c as f64 / n);
                let lift = confidence / s_c;
                if self.min_lift.is_some_and(|m| !keep(lift, m)) {
                    continue;
                }
                let leverage = s_ac - s_a * s_c;
                let zhang_den = (s_ac * (1.0 - s_a)).max(s_a * (s_c - s_ac));
                let name = |v: &[u32]| v.iter().map(|&i| items[i as usize].clone()).collect();
                out.push(AssociationRule {
                    antecedent: name(&a),
                    consequent: name(&c),
                    antecedent_items: a,
                    consequent_items: c,
                    count: c_ac,
                    antecedent_support: s_a,
                    consequent_support: s_c,
                    support: s_ac,
                    confidence,
                    lift,
                    leverage,
                    conviction: if confidence < 1.0 {
                        (1.0 - s_c) / (1.0 - confidence)
                    } else {
                        f64::INFINITY
                    },
                    zhangs_metric: if zhang_den == 0.0 {
                        0.0
                    } else {
                        leverage / zhang_den
                    },
                    jaccard: s_ac / (s_a + s_c - s_ac),
                    certainty: if s_c < 1.0 {
                        (confidence - s_c) / (1.0 - s_c)
                    } else {
                        0.0
                    },
                    kulczynski: (confidence + c_ac as f64 / c_c as f64) / 2.0,
                });
            }
        }
        crate::order::sort_by(&mut out, |x, y| {
            y.confidence
                .total_cmp(&x.confidence)
                .then(y.lift.total_cmp(&x.lift))
                .then(y.count.cmp(&x.count))
                .then_with(|| x.antecedent.cmp(&y.antecedent))
                .then_with(|| x.consequent.cmp(&y.consequent))
        });
        out
    }
}

/// JSON has no infinity: write it as the text "inf", read it back.
mod inf_as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_str("inf")
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        Number(f64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        match Num::deserialize(d)? {
            Num::Number(x) => Ok(x),
            Num::Text(t) if t == "inf" => Ok(f64::INFINITY),
            Num::Text(t) => Err(serde::de::Error::custom(format!("not a number: {t}"))),
        }
    }
}

/// One level's bitsets may not exceed this many 64-bit words (2 GiB).
const MAX_LEVEL_WORDS: usize = 1 << 28;

fn popcount(bits: &[u64]) -> u64 {
    bits.iter().map(|w| w.count_ones() as u64).sum()
}

fn and_count(a: &[u64], b: &[u64]) -> u64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x & y).count_ones() as u64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every itemset's count by brute force over the baskets.
    fn brute(b: &Baskets, min_count: u64) -> Vec<(Vec<u32>, u64)> {
        let m = b.items.len();
        let mut out = Vec::new();
        for mask in 1u32..(1 << m) {
            let set: Vec<u32> = (0..m as u32).filter(|k| mask >> k & 1 == 1).collect();
            let c = (0..b.n)
                .filter(|&r| set.iter().all(|&k| b.holds(r, k as usize)))
                .count() as u64;
            if c >= min_count {
                out.push((set, c));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn itemsets_match_brute_force_on_random_baskets() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let mut text = String::new();
        for _ in 0..300 {
            let basket: Vec<String> = (0..8)
                .filter(|k| rng.gen::<f64>() < 0.15 + 0.08 * *k as f64)
                .map(|k| format!("p{k}"))
                .collect();
            text.push_str(
                &(if basket.is_empty() {
                    "p0".into()
                } else {
                    basket.join(",")
                }),
            );
            text.push('\n');
        }
        let (b, _) = Baskets::from_lines(text.as_bytes(), "r.csv").unwrap();
        let params = AprioriParams {
            min_support: 0.05,
            ..Default::default()
        };
        let f = params.fit(&b, &mut ()).unwrap();
        let mut ours: Vec<(Vec<u32>, u64)> = f.sets.iter().cloned().zip(f.counts.clone()).collect();
        ours.sort();
        assert_eq!(ours, brute(&b, 15));
        assert!(f.longest() >= 3, "{}", f.longest());
        // Rules: confidence is the count ratio and every kept rule passes.
        let rules = params.rules(&f, &b.items);
        assert!(!rules.is_empty());
        for r in &rules {
            assert!(r.confidence >= 0.5);
            let ca = f.count(&r.antecedent_items).unwrap() as f64;
            assert!((r.confidence - r.count as f64 / ca).abs() < 1e-15);
            assert!((r.lift - r.confidence / r.consequent_support).abs() < 1e-12);
        }
    }

    #[test]
    fn max_len_and_the_itemset_cap() {
        let text = "a,b,c,d\n".repeat(10);
        let (b, _) = Baskets::from_lines(text.as_bytes(), "r.csv").unwrap();
        let two = AprioriParams {
            min_support: 0.5,
            max_len: Some(2),
            ..Default::default()
        }
        .fit(&b, &mut ())
        .unwrap();
        assert_eq!(two.sets.len(), 4 + 6);
        let e = AprioriParams {
            min_support: 0.5,
            max_itemsets: 8,
            ..Default::default()
        }
        .fit(&b, &mut ())
        .unwrap_err();
        assert!(e.to_string().contains("raise min_support"), "{e}");
        assert!(e.zh().contains("提高最小支持度"), "{}", e.zh());
        let bad = AprioriParams {
            min_support: 0.0,
            ..Default::default()
        };
        assert!(bad.fit(&b, &mut ()).is_err());
        // Everyone holds everything: every rule has confidence 1, lift 1 and
        // infinite conviction.
        let all = AprioriParams {
            min_support: 0.5,
            ..Default::default()
        };
        let f = all.fit(&b, &mut ()).unwrap();
        let rules = all.rules(&f, &b.items);
        assert_eq!(rules.len(), 50); // Σ over itemsets of size k of (2^k − 2)
        assert!(rules
            .iter()
            .all(|r| r.confidence == 1.0 && r.lift == 1.0 && r.conviction.is_infinite()));
        let json = serde_json::to_string(&rules[0]).unwrap();
        assert!(json.contains("\"conviction\":\"inf\""), "{json}");
        let back: AssociationRule = serde_json::from_str(&json).unwrap();
        assert!(back.conviction.is_infinite() && back.antecedent == rules[0].antecedent);
    }
}
