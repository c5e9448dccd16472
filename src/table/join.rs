//! Joining two tables on a key, with the counts an analyst checks before
//! trusting the result (unmatched on each side, duplicate keys).

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::{Column, ColumnStats, Table};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinSpec {
    /// File names of the two inputs.
    pub left: String,
    pub right: String,
    /// Key column in the left table (and in the right, unless `right_on`).
    pub on: String,
    #[serde(default)]
    pub right_on: Option<String>,
    #[serde(default)]
    pub how: JoinKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinOutcome {
    pub report: JoinReport,
    pub columns: Vec<ColumnStats>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JoinKind {
    #[default]
    Inner,
    Left,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinReport {
    pub left: String,
    pub right: String,
    pub key: String,
    pub kind: JoinKind,
    pub left_rows: usize,
    pub right_rows: usize,
    /// Left rows with at least one partner.
    pub matched_left: usize,
    pub unmatched_left: usize,
    /// Right rows that no left row points at.
    pub unmatched_right: usize,
    /// Keys that occur more than once on each side.
    pub duplicate_keys_left: usize,
    pub duplicate_keys_right: usize,
    /// Left rows whose key is missing (never matched).
    pub missing_keys_left: usize,
    pub rows: usize,
    pub warnings: Vec<String>,
}

/// Joins `left` and `right` where `left[left_key] == right[right_key]`
/// (compared as text, so `1001` matches `"1001"`). Right columns whose
/// names clash get the right table's name as a suffix.
pub fn join(
    left: &Table,
    right: &Table,
    left_key: &str,
    right_key: &str,
    kind: JoinKind,
) -> Result<(Table, JoinReport)> {
    let lk = left.column(left_key)?;
    let rk = right.column(right_key)?;

    // Right rows by key: the first row of each key, and a chain to the next
    // row with the same key (no vector per key). Keys are borrowed where the
    // column holds text, so a million keys cost no allocation each.
    // Each entry also counts the left rows with its key, so that duplicate
    // left keys need no second map of every left key.
    const END: u32 = u32::MAX;
    let mut first: FxHashMap<Cow<str>, (u32, u32, u32)> =
        FxHashMap::with_capacity_and_hasher(right.rows(), Default::default());
    let mut next = vec![END; right.rows()];
    for i in (0..right.rows()).rev() {
        if rk.is_missing(i) {
            continue;
        }
        let e = first.entry(rk.key(i)).or_insert((END, 0, 0));
        next[i] = e.0;
        *e = (i as u32, e.1 + 1, 0);
    }
    let duplicate_keys_right = first.values().filter(|v| v.1 > 1).count();

    // Left keys with no right partner, counted apart.
    let mut unmatched_counts: FxHashMap<Cow<str>, u32> = FxHashMap::default();
    let mut left_idx = Vec::with_capacity(left.rows());
    let mut right_idx = Vec::with_capacity(left.rows());
    let mut right_used = vec![false; right.rows()];
    let (mut matched_left, mut missing_keys_left) = (0, 0);
    for i in 0..left.rows() {
        let head = if lk.is_missing(i) {
            missing_keys_left += 1;
            None
        } else {
            let key = lk.key(i);
            match first.get_mut(&key) {
                Some(e) => {
                    e.2 += 1;
                    Some(e.0)
                }
                None => {
                    *unmatched_counts.entry(key).or_default() += 1;
                    None
                }
            }
        };
        match head {
            Some(mut r) => {
                matched_left += 1;
                while r != END {
                    right_used[r as usize] = true;
                    left_idx.push(Some(i));
                    right_idx.push(Some(r as usize));
                    r = next[r as usize];
                }
            }
            None if kind == JoinKind::Left => {
                left_idx.push(Some(i));
                right_idx.push(None);
            }
            None => {}
        }
    }
    if matched_left == 0 {
        let example = |c: &Column, n: usize| {
            (0..n)
                .find(|&i| !c.is_missing(i))
                .map(|i| c.text(i))
                .unwrap_or_default()
        };
        return Err(Error::JoinNoMatch {
            left: left.name.clone(),
            right: right.name.clone(),
            key: left_key.into(),
            left_example: example(lk, left.rows()),
            right_example: example(rk, right.rows()),
        });
    }

    let mut warnings = Vec::new();
    if duplicate_keys_right > 0 {
        warnings.push(format!(
            "{duplicate_keys_right} keys occur more than once in '{}': their left rows are repeated once per match",
            right.name
        ));
    }
    let mut columns: Vec<Column> = left.columns.iter().map(|c| c.take(&left_idx)).collect();
    for c in &right.columns {
        if c.name == right_key {
            continue;
        }
        let mut col = c.take(&right_idx);
        if columns.iter().any(|l| l.name == col.name) {
            col.name = format!("{}_{}", col.name, right.name);
        }
        columns.push(col);
    }
    let table = Table::new(format!("{}+{}", left.name, right.name), columns)?;
    let report = JoinReport {
        left: left.name.clone(),
        right: right.name.clone(),
        key: if left_key == right_key {
            left_key.into()
        } else {
            format!("{left_key} = {right_key}")
        },
        kind,
        left_rows: left.rows(),
        right_rows: right.rows(),
        matched_left,
        unmatched_left: left.rows() - matched_left,
        unmatched_right: right_used.iter().filter(|u| !**u).count(),
        duplicate_keys_left: first.values().filter(|v| v.2 > 1).count()
            + unmatched_counts.values().filter(|&&n| n > 1).count(),
        duplicate_keys_right,
        missing_keys_left,
        rows: table.rows(),
        warnings,
    };
    Ok((table, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{load, LoadOptions};

    fn t(name: &str, s: &str) -> Table {
        load(s.as_bytes(), name, &LoadOptions::default(), &mut ())
            .unwrap()
            .0
    }

    #[test]
    fn inner_and_left_counts() {
        let a = t("a", "user_id,age\n1,30\n2,40\n3,50\n,60\n");
        let b = t("b", "user_id,level,age\n2,x,41\n3,y,51\n3,z,52\n9,w,1\n");
        let (j, r) = join(&a, &b, "user_id", "user_id", JoinKind::Inner).unwrap();
        assert_eq!(
            (r.matched_left, r.unmatched_left, r.unmatched_right),
            (2, 2, 1)
        );
        assert_eq!(
            (r.duplicate_keys_right, r.missing_keys_left, r.rows),
            (1, 1, 3)
        );
        assert_eq!(j.rows(), 3);
        let names: Vec<&str> = j.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["user_id", "age", "level", "age_b"]);
        assert_eq!(j.column("level").unwrap().text(2), "z");
        let (j, r) = join(&a, &b, "user_id", "user_id", JoinKind::Left).unwrap();
        assert_eq!((j.rows(), r.rows), (5, 5));
        assert!(j.column("level").unwrap().is_missing(0));
        // Left keys repeated: 2 (matched) and 7 (unmatched) count, 1 does not.
        let a = t("a", "user_id,age\n2,1\n2,2\n7,3\n7,4\n1,5\n");
        let (_, r) = join(&a, &b, "user_id", "user_id", JoinKind::Left).unwrap();
        assert_eq!((r.duplicate_keys_left, r.matched_left, r.rows), (2, 2, 5));
    }

    #[test]
    fn numeric_key_matches_text_key_and_errors_are_clear() {
        let a = t("a", "k,v\n1001,1\n1002,2\n");
        let b = t("b", "code,w\nA,1\nB,2\n");
        let e = join(&a, &b, "k", "code", JoinKind::Inner).unwrap_err();
        assert_eq!(e.code(), "join_no_match");
        assert!(e.to_string().contains("'1001' vs 'A'"), "{e}");
        let e = join(&a, &b, "kk", "code", JoinKind::Inner).unwrap_err();
        assert_eq!(e.code(), "column_not_found");
    }
}
