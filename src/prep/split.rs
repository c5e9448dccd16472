//! A seeded stratified train/test split.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Splits row indices so each class keeps its share in the test set:
/// for each class (false, then true), its rows are shuffled with the seeded
/// generator and the first `round(n × test_share)` go to test. Both lists
/// come back sorted.
pub fn stratified_split(labels: &[bool], test_share: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for class in [false, true] {
        let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rows.shuffle(&mut rng);
        let k = (rows.len() as f64 * test_share).round() as usize;
        test.extend_from_slice(&rows[..k.min(rows.len())]);
        train.extend_from_slice(&rows[k.min(rows.len())..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_class_shares_and_is_seeded() {
        let labels: Vec<bool> = (0..1000).map(|i| i % 5 == 0).collect();
        let (train, test) = stratified_split(&labels, 0.3, 42);
        assert_eq!((train.len(), test.len()), (700, 300));
        assert_eq!(test.iter().filter(|&&i| labels[i]).count(), 60);
        assert_eq!(
            stratified_split(&labels, 0.3, 42),
            (train.clone(), test.clone())
        );
        assert_ne!(stratified_split(&labels, 0.3, 43).1, test);
        let mut all: Vec<usize> = train.iter().chain(&test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }
}

/// `k` stratified folds of the row indices (each sorted): each class's rows
/// are shuffled with the seeded generator and dealt round-robin.
pub fn stratified_folds(labels: &[bool], k: usize, seed: u64) -> Vec<Vec<usize>> {
    let k = k.max(2);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for class in [false, true] {
        let mut rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rows.shuffle(&mut rng);
        for r in rows {
            folds[next % k].push(r);
            next += 1;
        }
    }
    for f in &mut folds {
        f.sort_unstable();
    }
    folds
}

#[cfg(test)]
mod fold_tests {
    use super::*;

    #[test]
    fn folds_partition_the_rows_and_keep_shares() {
        let labels: Vec<bool> = (0..103).map(|i| i % 4 == 0).collect();
        let folds = stratified_folds(&labels, 5, 1);
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(all, (0..103).collect::<Vec<_>>());
        for f in &folds {
            let pos = f.iter().filter(|&&i| labels[i]).count();
            assert!((5..=6).contains(&pos), "{pos}");
        }
    }
}
