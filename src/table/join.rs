//! Joining two tables on a key, with the counts an analyst checks before
//! trusting the result (unmatched on each side, duplicate keys).

use std::borrow::Cow;

#[cfg(test)]
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
    let pairs = pair(left, right, left_key, right_key, kind)?;
    copied(left, right, (left_key, right_key), kind, pairs)
}

/// The joined table with the paired rows copied out of the inputs.
fn copied(
    left: &Table,
    right: &Table,
    keys: (&str, &str),
    kind: JoinKind,
    pairs: Pairs,
) -> Result<(Table, JoinReport)> {
    // Column by column on every core (a million rows of 26 columns: most
    // of the step).
    let l = crate::par::map(left.columns.iter().collect(), |c| c.take(&pairs.left_idx));
    let r = crate::par::map(
        right.columns.iter().filter(|c| c.name != keys.1).collect(),
        |c| c.take(&pairs.right_idx),
    );
    assemble(left, right, keys, kind, pairs, l, r)
}

/// `join` of tables the caller is done with. When every row pairs with
/// the row of the same number on the other side (both exported sorted by
/// the same keys, none unmatched) the columns move into the result rather
/// than being copied. `true` says each row of either input is in the result
/// once (so moved, or copied in another order): each column then holds
/// its input's values, and its statistics, which no order changes, are
/// the input's.
pub fn join_owned(
    mut left: Table,
    mut right: Table,
    left_key: &str,
    right_key: &str,
    kind: JoinKind,
) -> Result<(Table, JoinReport, bool)> {
    let pairs = pair(&left, &right, left_key, right_key, kind)?;
    let same_rows = left.rows() == right.rows()
        && pairs.left_idx.len() == left.rows()
        && pairs
            .left_idx
            .iter()
            .enumerate()
            .all(|(i, &l)| l == Some(i))
        && pairs
            .right_idx
            .iter()
            .enumerate()
            .all(|(i, &r)| r == Some(i));
    if !same_rows {
        let once = left.rows() == right.rows()
            && each_once(&pairs.left_idx, left.rows())
            && each_once(&pairs.right_idx, right.rows());
        let (t, r) = copied(&left, &right, (left_key, right_key), kind, pairs)?;
        return Ok((t, r, once));
    }
    // The inputs keep their names and row counts for the report.
    let l = std::mem::take(&mut left.columns);
    let r = std::mem::take(&mut right.columns)
        .into_iter()
        .filter(|c| c.name != right_key)
        .collect();
    let (t, report) = assemble(&left, &right, (left_key, right_key), kind, pairs, l, r)?;
    Ok((t, report, true))
}

/// Whether `idx` names each of `rows` rows once.
fn each_once(idx: &[Option<usize>], rows: usize) -> bool {
    let mut seen = vec![false; rows];
    idx.len() == rows
        && idx.iter().all(|i| match i {
            Some(i) if *i < rows && !seen[*i] => {
                seen[*i] = true;
                true
            }
            _ => false,
        })
}

/// The rows `left` and `right` pair into, or the error that none do.
fn pair(
    left: &Table,
    right: &Table,
    left_key: &str,
    right_key: &str,
    kind: JoinKind,
) -> Result<Pairs> {
    let lk = left.column(left_key)?;
    let rk = right.column(right_key)?;
    let pairs = by_merge(lk, rk, left.rows(), right.rows(), kind)
        .unwrap_or_else(|| by_hash(lk, rk, left.rows(), right.rows(), kind));
    if pairs.matched_left == 0 {
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
    Ok(pairs)
}

/// The joined table from its columns (the right key's left out; right
/// names that clash get the right table's name) and the join's report.
/// `left` and `right` give names and row counts.
fn assemble(
    left: &Table,
    right: &Table,
    (left_key, right_key): (&str, &str),
    kind: JoinKind,
    pairs: Pairs,
    mut columns: Vec<Column>,
    right_columns: Vec<Column>,
) -> Result<(Table, JoinReport)> {
    let mut warnings = Vec::new();
    if pairs.duplicate_keys_right > 0 {
        warnings.push(format!(
            "{} keys occur more than once in '{}': their left rows are repeated once per match",
            pairs.duplicate_keys_right, right.name
        ));
    }
    for mut col in right_columns {
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
        matched_left: pairs.matched_left,
        unmatched_left: left.rows() - pairs.matched_left,
        unmatched_right: pairs.unmatched_right,
        duplicate_keys_left: pairs.duplicate_keys_left,
        duplicate_keys_right: pairs.duplicate_keys_right,
        missing_keys_left: pairs.missing_keys_left,
        rows: table.rows(),
        warnings,
    };
    Ok((table, report))
}

/// The rows a join pairs (left row, right row or none) and its counts.
#[derive(Debug, PartialEq)]
struct Pairs {
    left_idx: Vec<Option<usize>>,
    right_idx: Vec<Option<usize>>,
    matched_left: usize,
    missing_keys_left: usize,
    duplicate_keys_left: usize,
    duplicate_keys_right: usize,
    unmatched_right: usize,
}

/// Both keys held as text, on every row, and strictly ascending on each
/// side (so each key once): the rows pair in one pass with no map, in the
/// order the map gives. Exports of one system often come sorted by
/// customer number, and at 5,000,000 customers the map took 2.6 s natively
/// (5.1 s in wasm): its entries no longer fit any cache. `None` when the
/// keys are not so (found at the first pair out of order, mostly at once).
fn by_merge(lk: &Column, rk: &Column, nl: usize, nr: usize, kind: JoinKind) -> Option<Pairs> {
    use super::ColumnData;
    let text = |c: &Column| matches!(c.data, ColumnData::Text(_) | ColumnData::Categorical { .. });
    if !text(lk) || !text(rk) {
        return None;
    }
    // In blocks on every core; each block stops at its first row out of
    // order, so keys that are not sorted are still found at once.
    let ascending = |c: &Column, n: usize| {
        crate::par::map_range(n, 1 << 16, |r| {
            r.clone().all(|i| !c.is_missing(i))
                && (r.start.max(1)..r.end).all(|i| c.key(i - 1) < c.key(i))
        })
        .into_iter()
        .all(|ok| ok)
    };
    if !ascending(lk, nl) || !ascending(rk, nr) {
        return None;
    }
    let mut left_idx = Vec::with_capacity(nl);
    let mut right_idx = Vec::with_capacity(nl);
    let (mut j, mut matched) = (0, 0);
    for i in 0..nl {
        let key = lk.key(i);
        while j < nr && rk.key(j) < key {
            j += 1;
        }
        if j < nr && rk.key(j) == key {
            matched += 1;
            left_idx.push(Some(i));
            right_idx.push(Some(j));
            j += 1;
        } else if kind == JoinKind::Left {
            left_idx.push(Some(i));
            right_idx.push(None);
        }
    }
    Some(Pairs {
        left_idx,
        right_idx,
        matched_left: matched,
        missing_keys_left: 0,
        duplicate_keys_left: 0,
        duplicate_keys_right: 0,
        unmatched_right: nr - matched,
    })
}

/// A column's keys as text: borrowed where it holds text, else made once.
enum Keys<'a> {
    Held(&'a Column),
    Made(Vec<String>),
}

impl<'a> Keys<'a> {
    fn of(c: &'a Column) -> Keys<'a> {
        use super::ColumnData;
        match c.data {
            ColumnData::Text(_) | ColumnData::Categorical { .. } => Keys::Held(c),
            _ => Keys::Made(
                crate::par::map_range(c.len(), 1 << 16, |r| {
                    r.map(|i| c.key(i).into_owned()).collect::<Vec<_>>()
                })
                .concat(),
            ),
        }
    }
    /// Row `i`'s key; "" when missing (as `Column::key`).
    fn get(&self, i: usize) -> &str {
        match self {
            Keys::Held(c) => match c.key(i) {
                Cow::Borrowed(k) => k,
                Cow::Owned(_) => "",
            },
            Keys::Made(v) => &v[i],
        }
    }
}

/// Partitions of a hash join: fixed (never the thread count), so the
/// pairs are the same on any number of cores; each one's tables stay in
/// cache (a few thousand keys at a million rows).
const PARTITIONS: usize = 256;

fn key_hash(k: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(k.as_bytes());
    h.finish()
}

/// Rows of `0..n` with a key, by partition (ascending within each), with
/// their keys' hashes: (start of each partition in `rows`, rows, hashes by row).
fn partition(c: &Column, keys: &Keys, n: usize) -> (Vec<usize>, Vec<u32>, Vec<u64>) {
    let hashes: Vec<u64> = crate::par::map_range(n, 1 << 16, |r| {
        r.map(|i| key_hash(keys.get(i))).collect::<Vec<_>>()
    })
    .concat();
    let part = |h: u64| (h >> 32) as usize % PARTITIONS;
    let mut start = vec![0usize; PARTITIONS + 1];
    for (i, &h) in hashes.iter().enumerate() {
        if !c.is_missing(i) {
            start[part(h) + 1] += 1;
        }
    }
    for p in 0..PARTITIONS {
        start[p + 1] += start[p];
    }
    let mut at = start.clone();
    let mut rows = vec![0u32; start[PARTITIONS]];
    for (i, &h) in hashes.iter().enumerate() {
        if !c.is_missing(i) {
            rows[at[part(h)]] = i as u32;
            at[part(h)] += 1;
        }
    }
    (start, rows, hashes)
}

/// Any keys: a hash join in partitions, on every core. The pairs and
/// counts are the ones a single map of every right key gives (`by_map`,
/// kept in the tests to say so): each left row's right rows in their
/// order. Over a million text keys not in order, one map took 1.7-1.9 s
/// natively, its entries and their keys far apart in memory.
fn by_hash(lk: &Column, rk: &Column, nl: usize, nr: usize, kind: JoinKind) -> Pairs {
    const END: u32 = u32::MAX;
    let (lkeys, rkeys) = crate::par::join(|| Keys::of(lk), || Keys::of(rk));
    let ((ls, lrows, lh), (rs, rrows, rh)) =
        crate::par::join(|| partition(lk, &lkeys, nl), || partition(rk, &rkeys, nr));
    // Each partition: its right keys' first rows (and the chain on to
    // their next rows), then each of its left rows' first right row.
    struct Part {
        heads: Vec<u32>,
        next: Vec<(u32, u32)>,
        duplicate_right: usize,
        duplicate_left: usize,
    }
    #[derive(Clone, Copy)]
    struct Entry {
        hash: u64,
        row: u32,
        right: u32,
        left: u32,
    }
    let parts = crate::par::map_range(PARTITIONS, 1, |p| {
        let p = p.start;
        let (right, left) = (&rrows[rs[p]..rs[p + 1]], &lrows[ls[p]..ls[p + 1]]);
        let mut table: hashbrown::HashTable<Entry> =
            hashbrown::HashTable::with_capacity(right.len());
        let mut next = Vec::new();
        for &j in right.iter().rev() {
            let (h, key) = (rh[j as usize], rkeys.get(j as usize));
            match table.entry(
                h,
                |e| e.hash == h && rkeys.get(e.row as usize) == key,
                |e| e.hash,
            ) {
                hashbrown::hash_table::Entry::Occupied(mut o) => {
                    let e = o.get_mut();
                    next.push((j, e.row));
                    e.row = j;
                    e.right += 1;
                }
                hashbrown::hash_table::Entry::Vacant(v) => {
                    v.insert(Entry {
                        hash: h,
                        row: j,
                        right: 1,
                        left: 0,
                    });
                }
            }
        }
        // Left keys with no right partner, counted apart.
        let mut unmatched: hashbrown::HashTable<Entry> = hashbrown::HashTable::new();
        let heads = left
            .iter()
            .map(|&i| {
                let (h, key) = (lh[i as usize], lkeys.get(i as usize));
                if let Some(e) =
                    table.find_mut(h, |e| e.hash == h && rkeys.get(e.row as usize) == key)
                {
                    e.left += 1;
                    return e.row;
                }
                match unmatched.entry(
                    h,
                    |e| e.hash == h && lkeys.get(e.row as usize) == key,
                    |e| e.hash,
                ) {
                    hashbrown::hash_table::Entry::Occupied(mut o) => o.get_mut().left += 1,
                    hashbrown::hash_table::Entry::Vacant(v) => {
                        v.insert(Entry {
                            hash: h,
                            row: i,
                            right: 0,
                            left: 1,
                        });
                    }
                }
                END
            })
            .collect();
        Part {
            heads,
            next,
            duplicate_right: table.iter().filter(|e| e.right > 1).count(),
            duplicate_left: table
                .iter()
                .chain(unmatched.iter())
                .filter(|e| e.left > 1)
                .count(),
        }
    });
    let mut head = vec![END; nl];
    let mut next = vec![END; nr];
    let (mut duplicate_keys_right, mut duplicate_keys_left) = (0, 0);
    for (p, part) in parts.into_iter().enumerate() {
        for (&i, h) in lrows[ls[p]..ls[p + 1]].iter().zip(part.heads) {
            head[i as usize] = h;
        }
        for (j, n) in part.next {
            next[j as usize] = n;
        }
        duplicate_keys_right += part.duplicate_right;
        duplicate_keys_left += part.duplicate_left;
    }
    let mut left_idx = Vec::with_capacity(nl);
    let mut right_idx = Vec::with_capacity(nl);
    let mut right_used = vec![false; nr];
    let (mut matched_left, mut missing_keys_left) = (0, 0);
    for (i, &h) in head.iter().enumerate() {
        if h != END {
            matched_left += 1;
            let mut r = h;
            while r != END {
                right_used[r as usize] = true;
                left_idx.push(Some(i));
                right_idx.push(Some(r as usize));
                r = next[r as usize];
            }
        } else {
            missing_keys_left += usize::from(lk.is_missing(i));
            if kind == JoinKind::Left {
                left_idx.push(Some(i));
                right_idx.push(None);
            }
        }
    }
    Pairs {
        left_idx,
        right_idx,
        matched_left,
        missing_keys_left,
        duplicate_keys_left,
        duplicate_keys_right,
        unmatched_right: right_used.iter().filter(|u| !**u).count(),
    }
}

/// Any keys: right rows by key in one map (what `by_hash` gives, kept to
/// test it by).
#[cfg(test)]
fn by_map(lk: &Column, rk: &Column, nl: usize, nr: usize, kind: JoinKind) -> Pairs {
    // Right rows by key: the first row of each key, and a chain to the next
    // row with the same key (no vector per key). Keys are borrowed where the
    // column holds text, so a million keys cost no allocation each.
    // Each entry also counts the left rows with its key, so that duplicate
    // left keys need no second map of every left key.
    const END: u32 = u32::MAX;
    let mut first: FxHashMap<Cow<str>, (u32, u32, u32)> =
        FxHashMap::with_capacity_and_hasher(nr, Default::default());
    let mut next = vec![END; nr];
    for i in (0..nr).rev() {
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
    let mut left_idx = Vec::with_capacity(nl);
    let mut right_idx = Vec::with_capacity(nl);
    let mut right_used = vec![false; nr];
    let (mut matched_left, mut missing_keys_left) = (0, 0);
    for i in 0..nl {
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
    Pairs {
        left_idx,
        right_idx,
        matched_left,
        missing_keys_left,
        duplicate_keys_left: first.values().filter(|v| v.2 > 1).count()
            + unmatched_counts.values().filter(|&&n| n > 1).count(),
        duplicate_keys_right,
        unmatched_right: right_used.iter().filter(|u| !**u).count(),
    }
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

    /// The hash join in partitions pairs every row as one map of the right
    /// keys does, with the same counts: keys repeated on either side, in
    /// no order, missing, unmatched on either side, numbers and dates
    /// matched as text; on one thread and on three.
    #[test]
    fn the_partitioned_hash_join_pairs_as_one_map_does() {
        let mut rng = 11u64;
        let mut draw = |n: u64| {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (rng >> 33) % n
        };
        let mut files: Vec<(String, String)> = Vec::new();
        for (rows, keys, gaps) in [(3000, 2500, 50), (2000, 400, 10), (40, 5000, 5)] {
            let mut file = |rows: u64| {
                let mut s = String::from("id,n,day,v\n");
                for r in 0..rows {
                    let k = draw(keys);
                    let id = if draw(gaps) == 0 {
                        String::new()
                    } else {
                        format!("C{k}")
                    };
                    let day = format!("2024-01-{:02}", 1 + k % 28);
                    s.push_str(&format!("{id},{},{day},{r}\n", k % 700));
                }
                s
            };
            files.push((file(rows), file(rows + 500)));
        }
        for (l, r) in &files {
            let (a, b) = (t("a", l), t("b", r));
            for name in ["id", "n", "day"] {
                let (lk, rk) = (a.column(name).unwrap(), b.column(name).unwrap());
                for kind in [JoinKind::Inner, JoinKind::Left] {
                    let want = by_map(lk, rk, a.rows(), b.rows(), kind);
                    assert!(
                        want.matched_left > 0 && want.duplicate_keys_right > 0,
                        "{name}"
                    );
                    for threads in [1, 3] {
                        let got = crate::par::with_threads(threads, || {
                            by_hash(lk, rk, a.rows(), b.rows(), kind)
                        });
                        assert_eq!(got, want, "{name} {kind:?} {threads} threads");
                    }
                }
            }
        }
    }

    /// Keys sorted on both sides pair by the merge exactly as by the map;
    /// any other keys are left to the map.
    #[test]
    fn sorted_keys_merge_as_the_map_joins_them() {
        let key = |ids: &[u32]| {
            let mut s = String::from("id\n");
            ids.iter().for_each(|i| s.push_str(&format!("U{i:06}\n")));
            t("k", &s)
        };
        let mut rng = 7u64;
        let mut draw = |n: usize, keep: u64| {
            (0..n as u32)
                .filter(|_| {
                    rng = rng
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (rng >> 33) % 100 < keep
                })
                .collect::<Vec<u32>>()
        };
        for (l, r) in [
            (draw(500, 80), draw(500, 60)),
            (draw(300, 100), draw(300, 100)),
            (draw(50, 10), draw(400, 90)),
        ] {
            let (a, b) = (key(&l), key(&r));
            let (lk, rk) = (a.column("id").unwrap(), b.column("id").unwrap());
            for kind in [JoinKind::Inner, JoinKind::Left] {
                let merged = by_merge(lk, rk, a.rows(), b.rows(), kind).expect("sorted keys merge");
                assert_eq!(merged, by_map(lk, rk, a.rows(), b.rows(), kind));
            }
        }
        // Out of order, repeated, missing or numeric keys: the map.
        for (l, r) in [
            ("id\nb\na\n", "id\na\nb\n"),
            ("id\na\na\n", "id\na\n"),
            ("id,v\na,1\n,2\nb,3\n", "id\na\nb\n"),
            ("amount\n1\n2\n", "amount\n1\n2\n"),
        ] {
            let (a, b) = (t("a", l), t("b", r));
            let name = &a.columns[0].name;
            let (lk, rk) = (a.column(name).unwrap(), b.column(name).unwrap());
            assert_eq!(
                by_merge(lk, rk, a.rows(), b.rows(), JoinKind::Inner),
                None,
                "{l:?}"
            );
            assert_eq!(
                by_merge(rk, lk, b.rows(), a.rows(), JoinKind::Inner),
                None,
                "{r:?}"
            );
        }
        // The order is checked in blocks of 65,536 rows: a pair out of order
        // or a missing key across a block's edge is still found, on one
        // thread and on several.
        let ids: Vec<u32> = (0..70_000).collect();
        let sorted = key(&ids);
        let mut swapped = ids.clone();
        swapped.swap(65_535, 65_536);
        let mut gap = String::from("id,v\n");
        for i in &ids {
            if *i != 65_536 {
                gap.push_str(&format!("U{i:06}"));
            }
            gap.push_str(",1\n");
        }
        for other in [key(&swapped), t("k", &gap)] {
            for threads in [1, 3] {
                let (a, b) = (sorted.column("id").unwrap(), other.column("id").unwrap());
                let n = ids.len();
                let got = crate::par::with_threads(threads, || {
                    (
                        by_merge(a, b, n, other.rows(), JoinKind::Inner).is_none(),
                        by_merge(a, a, n, n, JoinKind::Inner).is_some(),
                    )
                });
                assert_eq!(got, (true, true), "{threads} threads");
            }
        }
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
