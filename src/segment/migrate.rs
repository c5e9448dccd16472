//! Migration between two snapshots: this run's segments against the same
//! centres applied to a second file (next month's export), matched by
//! customer id.

use serde::{Deserialize, Serialize};

use super::report::SegmentModel;
use crate::table::Table;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    /// The second snapshot's name.
    pub file: String,
    pub names: Vec<String>,
    /// from-segment (this run) × to-segment (second snapshot) counts.
    pub matrix: Vec<Vec<usize>>,
    /// Customers present in both snapshots.
    pub matched: usize,
    /// Share of the matched customers who stayed in their segment.
    pub stayed: f64,
    pub only_before: usize,
    pub only_after: usize,
    /// Ids seen more than once in a snapshot (the first row counts).
    pub duplicate_ids: usize,
    /// Segment sizes in the second snapshot (all its rows).
    pub after_sizes: Vec<usize>,
}

/// First row of each id; how many repeats were skipped.
fn index(table: &Table, id: &str) -> Result<(rustc_hash::FxHashMap<String, usize>, usize)> {
    let c = table.column(id)?;
    let mut map = rustc_hash::FxHashMap::default();
    let mut dup = 0;
    for r in 0..table.rows() {
        let key = c.text(r);
        if key.is_empty() {
            continue;
        }
        match map.entry(key) {
            std::collections::hash_map::Entry::Occupied(_) => dup += 1,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(r);
            }
        }
    }
    Ok((map, dup))
}

/// `before` is this run's table with its `labels`; `after` the second
/// snapshot, segmented by `model`'s centres.
pub fn migrate(
    model: &SegmentModel,
    before: &Table,
    labels: &[u32],
    after: &Table,
    id: &str,
) -> Result<Migration> {
    let k = model.centres.len();
    let after_labels = model.apply(after)?;
    let (b, dup_b) = index(before, id)?;
    let (a, dup_a) = index(after, id)?;
    let mut matrix = vec![vec![0usize; k]; k];
    let mut matched = 0;
    for (key, &rb) in &b {
        if let Some(&ra) = a.get(key) {
            matrix[labels[rb] as usize][after_labels[ra]] += 1;
            matched += 1;
        }
    }
    if matched == 0 {
        let sample = |t: &Table| t.column(id).map(|c| c.text(0)).unwrap_or_default();
        return Err(Error::Analysis {
            detail: format!(
                "no customer id of '{}' (column '{id}', e.g. '{}') appears in '{}' (e.g. '{}'); check that both files are snapshots of the same customers and that '{id}' is their id column",
                before.name,
                sample(before),
                after.name,
                sample(after)
            ),
            detail_zh: format!(
                "'{}' 的客户号（列 '{id}'，如 '{}'）在 '{}' 中一个也找不到（如 '{}'）；请确认两份文件是同一批客户的快照，且 '{id}' 是客户号列",
                before.name,
                sample(before),
                after.name,
                sample(after)
            ),
        });
    }
    let stayed = (0..k).map(|i| matrix[i][i]).sum::<usize>() as f64 / matched as f64;
    let after_sizes = super::kmeans::sizes(&after_labels, k);
    Ok(Migration {
        file: after.name.clone(),
        names: model.names.clone(),
        matrix,
        matched,
        stayed,
        only_before: b.len() - matched,
        only_after: a.len() - matched,
        duplicate_ids: dup_a + dup_b,
        after_sizes,
    })
}
