//! Stable sorts of short lists — a report's rows, ranked columns, rules —
//! compiled once. `slice::sort_by` compiles a whole driftsort for each
//! element type and comparator, 4–7 KB of wasm each; these lists sort a
//! permutation of their indices with a `dyn` comparator instead, one sort
//! for all. The order is `sort_by`'s (a stable sort's result is fixed by
//! a comparator that is a total order, as all of these are). Not for the
//! sorts over rows, which keep their own.

use std::cmp::Ordering;

/// `v.sort_by(cmp)`, through the one compiled sort.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = indices(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = std::mem::take(v).into_iter().map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

#[inline(never)]
fn indices(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    /// The order `sort_by` gives, ties in their first order, on lists with
    /// many ties and of every small length.
    #[test]
    fn the_order_sort_by_gives() {
        let mut seed = 7u64;
        for n in 0..200 {
            let v: Vec<(u8, usize)> = (0..n)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 60) as u8, i)
                })
                .collect();
            let mut want = v.clone();
            want.sort_by_key(|x| std::cmp::Reverse(x.0));
            let mut got = v;
            super::sort_by(&mut got, |a, b| b.0.cmp(&a.0));
            assert_eq!(got, want, "{n}");
        }
    }
}
