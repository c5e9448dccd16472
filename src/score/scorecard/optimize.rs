//! The merge of pre-bins into bins: optbinning's CP model (`BinningCP`)
//! solved exactly by a dynamic program instead of OR-Tools.
//!
//! A solution is a set of bins, each a run of neighbouring pre-bins. As in
//! optbinning the objective is Σ ⌊10⁶·IV(bin)⌋ and event rates are compared
//! as ⌊10⁶·rate⌋ (its `model_data` with `M = 1e6`), so that ties and
//! near-ties resolve to the same optimum; the ascending / descending
//! presolve that optbinning adds when `min_event_rate_diff = 0` (it forbids
//! some cuts up front, and so can exclude the unconstrained optimum) is
//! copied too. The program's state is (last pre-bin of the last bin, its
//! first pre-bin, bins so far, phase of a peak / valley); O(n³·k) for n
//! pre-bins and k bins.

use super::MonotonicTrend;

const M: f64 = 1e6;

/// The constraints of one characteristic, in rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Constraints {
    pub min_n_bins: Option<usize>,
    pub max_n_bins: Option<usize>,
    pub min_bin_size: Option<u64>,
    pub max_bin_size: Option<u64>,
    pub min_bin_n_event: Option<u64>,
    pub max_bin_n_event: Option<u64>,
    pub min_bin_n_nonevent: Option<u64>,
    pub max_bin_n_nonevent: Option<u64>,
    /// `None` = no trend; `Auto*` must be resolved before.
    pub trend: Option<MonotonicTrend>,
    pub min_event_rate_diff: f64,
    /// A cut after pre-bin i that must stay (length n - 1).
    pub fixed: Vec<bool>,
}

/// `ends[i]` = a bin ends at pre-bin i (the last is always true), and
/// whether the problem was feasible (optbinning falls back to one bin
/// when not, and so do we).
pub(crate) fn solve(non_event: &[u64], event: &[u64], c: &Constraints) -> (Vec<bool>, bool) {
    let n = non_event.len();
    let one_bin = || {
        let mut v = vec![false; n];
        if let Some(l) = v.last_mut() {
            *l = true;
        }
        v
    };
    if n <= 1 {
        return (one_bin(), true);
    }
    let te: f64 = event.iter().sum::<u64>() as f64;
    let tne: f64 = non_event.iter().sum::<u64>() as f64;
    // d[s][e], v[s][e]: scaled rate and IV of pre-bins s..=e.
    let mut d = vec![vec![0i64; n]; n];
    let mut v = vec![vec![0i64; n]; n];
    let mut exact = vec![vec![0f64; n]; n];
    let mut ok = vec![vec![false; n]; n];
    // Fixed cuts after pre-bins 0..i, so a bin s..=e crosses one when
    // fixed_before[e] > fixed_before[s].
    let mut fixed_before = vec![0usize; n + 1];
    for i in 0..n {
        fixed_before[i + 1] = fixed_before[i] + c.fixed.get(i).copied().unwrap_or(false) as usize;
    }
    for s in 0..n {
        let (mut se, mut sne) = (0u64, 0u64);
        for e in s..n {
            se += event[e];
            sne += non_event[e];
            let (fe, fne) = (se as f64, sne as f64);
            d[s][e] = (fe / (fne + fe) * M) as i64;
            let p = fe / te;
            let q = fne / tne;
            let iv = if p - q == 0.0 {
                0.0
            } else {
                (p - q) * (p / q).ln()
            };
            v[s][e] = (iv * M) as i64;
            exact[s][e] = iv;
            let size = se + sne;
            let within = |x: u64, lo: Option<u64>, hi: Option<u64>| {
                lo.is_none_or(|l| x >= l) && hi.is_none_or(|h| x <= h)
            };
            let crosses_fixed = fixed_before[e] > fixed_before[s];
            ok[s][e] = !crosses_fixed
                && within(size, c.min_bin_size, c.max_bin_size)
                && within(se, c.min_bin_n_event, c.max_bin_n_event)
                && within(sne, c.min_bin_n_nonevent, c.max_bin_n_nonevent);
        }
    }
    // optbinning's presolve for a monotone trend without a least difference.
    let mut cut_allowed = vec![true; n];
    if c.min_event_rate_diff == 0.0 {
        let sign = match c.trend {
            Some(MonotonicTrend::Ascending) => 1,
            Some(MonotonicTrend::Descending) => -1,
            _ => 0,
        };
        if sign != 0 {
            for i in 0..n - 1 {
                if (d[i][i + 1] - d[i + 1][i + 1]) * sign > 0 {
                    cut_allowed[i] = false;
                    for j in 0..n - i - 1 {
                        if (d[i][i + 1 + j] - d[i + 1 + j][i + 1 + j]) * sign > 0 {
                            cut_allowed[i + j] = false;
                        }
                    }
                }
            }
        }
    }
    let min_diff = (c.min_event_rate_diff * M) as i64;
    if c.min_n_bins.is_some_and(|m| m > n) {
        return (one_bin(), false);
    }
    // Bins are counted only as far as a constraint needs: up to max_n_bins,
    // else saturating at min_n_bins, else not at all (so that many
    // pre-bins do not cost n⁴ memory).
    let kdim = match (c.max_n_bins, c.min_n_bins) {
        (Some(m), _) => m.min(n).max(1),
        (None, Some(m)) => m.min(n).max(1),
        (None, None) => 1,
    };
    let saturate = c.max_n_bins.is_none();
    let phases = match c.trend {
        Some(MonotonicTrend::Peak | MonotonicTrend::Valley) => 2,
        _ => 1,
    };
    // best[e][s][k][ph]: objective of the best partition of 0..=e whose last
    // bin is s..=e, with k + 1 bins, in phase ph; back[...] the previous bin.
    // Values are (scaled objective, exact IV): CP-SAT's optimum is the
    // scaled one; among its ties (a cut worth < 1e-6 of IV) we take the
    // larger exact IV. CP-SAT follows no such rule (its search decides):
    // it did the same on Churn's EstimatedSalary and bank-full's campaign,
    // and kept the other solution on Churn's Balance made ascending.
    const NONE: (i64, f64) = (i64::MIN, f64::NEG_INFINITY);
    let better = |a: (i64, f64), b: (i64, f64)| a.0 > b.0 || (a.0 == b.0 && a.1 > b.1);
    let idx = |e: usize, s: usize, k: usize, ph: usize| ((e * n + s) * kdim + k) * phases + ph;
    let mut best = vec![NONE; n * n * kdim * phases];
    let mut back: Vec<Option<(usize, usize, usize, usize)>> = vec![None; best.len()];
    for e in 0..n {
        if ok[0][e] {
            best[idx(e, 0, 0, 0)] = (v[0][e], exact[0][e]);
        }
    }
    // The phases bin b may continue in after bin a (rates ra, rb) in phase
    // ph; none when b may not follow a.
    let follow = |ra: i64, rb: i64, ph: usize| -> [Option<usize>; 2] {
        const NO: [Option<usize>; 2] = [None, None];
        if min_diff > 0 && (ra - rb).abs() < min_diff {
            return NO;
        }
        let when = |cond: bool, phase: usize| if cond { Some(phase) } else { None };
        match (c.trend, ph) {
            (Some(MonotonicTrend::Ascending), _) => [when(ra <= rb, 0), None],
            (Some(MonotonicTrend::Descending), _) => [when(ra >= rb, 0), None],
            // Peak: rising bins, then falling ones; no constraint across
            // the change (optbinning's y / t formulation).
            (Some(MonotonicTrend::Peak), 0) => [when(ra <= rb, 0), Some(1)],
            (Some(MonotonicTrend::Peak), _) => [when(ra >= rb, 1), None],
            (Some(MonotonicTrend::Valley), 0) => [when(ra >= rb, 0), Some(1)],
            (Some(MonotonicTrend::Valley), _) => [when(ra <= rb, 1), None],
            // No trend (`Auto*` is resolved before the solve).
            _ => [Some(0), None],
        }
    };
    for e in 0..n - 1 {
        if !cut_allowed[e] {
            continue;
        }
        for s in 0..=e {
            for k in 0..kdim {
                for ph in 0..phases {
                    let cur = best[idx(e, s, k, ph)];
                    if cur == NONE || (!saturate && k + 1 >= kdim) {
                        continue;
                    }
                    let k2 = (k + 1).min(kdim - 1);
                    for e2 in e + 1..n {
                        if !ok[e + 1][e2] {
                            continue;
                        }
                        for ph2 in follow(d[s][e], d[e + 1][e2], ph).into_iter().flatten() {
                            let val = (cur.0 + v[e + 1][e2], cur.1 + exact[e + 1][e2]);
                            let at = idx(e2, e + 1, k2, ph2);
                            if better(val, best[at]) {
                                best[at] = val;
                                back[at] = Some((e, s, k, ph));
                            }
                        }
                    }
                }
            }
        }
    }
    let min_k = c.min_n_bins.unwrap_or(1).max(1);
    let mut end: Option<((i64, f64), usize)> = None;
    for s in 0..n {
        for k in (min_k - 1)..kdim {
            for ph in 0..phases {
                let at = idx(n - 1, s, k, ph);
                if best[at] != NONE && end.is_none_or(|(b, _)| better(best[at], b)) {
                    end = Some((best[at], at));
                }
            }
        }
    }
    let Some((_, mut at)) = end else {
        return (one_bin(), false);
    };
    let mut ends = vec![false; n];
    ends[n - 1] = true;
    while let Some((e, s, k, ph)) = back[at] {
        ends[e] = true;
        at = idx(e, s, k, ph);
    }
    (ends, true)
}

/// optbinning's `auto_monotonic`: a fixed decision tree over features of
/// the pre-bins' event-rate curve. `asc_desc` = its "auto_asc_desc" mode.
pub(crate) fn auto_trend(non_event: &[u64], event: &[u64], asc_desc: bool) -> MonotonicTrend {
    let n = non_event.len();
    let records: Vec<f64> = non_event
        .iter()
        .zip(event)
        .map(|(a, b)| (a + b) as f64)
        .collect();
    let rate: Vec<f64> = event
        .iter()
        .zip(&records)
        .map(|(&e, &r)| e as f64 / r)
        .collect();
    // Sign changes of successive differences (np.sign, zero its own sign).
    let signs: Vec<f64> = rate.windows(2).map(|w| sign(w[1] - w[0])).collect();
    let changes = signs.windows(2).filter(|w| w[1] != w[0]).count();
    let p_trend_changes = changes as f64 / n as f64;
    let lr_sense = slope(&rate) > 0.0;
    // np.argmin / np.argmax: the first extreme.
    let pos_min = (0..n).fold(0, |b, i| if rate[i] < rate[b] { i } else { b });
    let pos_max = (0..n).fold(0, |b, i| if rate[i] > rate[b] { i } else { b });
    let total: f64 = records.iter().sum();
    let share = |r: std::ops::Range<usize>| records[r].iter().sum::<f64>() / total;
    let p_records_min_left = share(0..pos_min);
    let p_records_min_right = share(pos_min + 1..n);
    let p_records_max_left = share(0..pos_max);
    let p_records_max_right = share(pos_max + 1..n);
    let (ymin, ymax) = (rate[pos_min], rate[pos_max]);
    let p_area = if n > 2 {
        let tri = |a: (f64, f64), b: (f64, f64), c: (f64, f64)| {
            0.5 * (a.0 * (b.1 - c.1) - b.0 * (a.1 - c.1) + c.0 * (a.1 - b.1)).abs()
        };
        let (xmin, xmax) = (pos_min as f64, pos_max as f64);
        let a1 = tri((0.0, rate[0]), (xmin, ymin), (xmax, ymax));
        let a2 = tri((xmin, ymin), (xmax, ymax), (n as f64, rate[n - 1]));
        (a1 + a2) / ((ymax - ymin) * n as f64)
    } else {
        0.0
    };
    let p_convex_hull = if n > 2 {
        let pts: Vec<(f64, f64)> = rate
            .iter()
            .enumerate()
            .map(|(i, &r)| (i as f64, r))
            .collect();
        hull_area(&pts) / ((ymax - ymin) * n as f64)
    } else {
        0.0
    };
    let p_convex_hull = if p_convex_hull.is_finite() {
        p_convex_hull
    } else {
        0.0
    };
    if asc_desc {
        return asc_desc_decision(
            p_trend_changes,
            lr_sense,
            p_records_min_left,
            p_records_max_left,
            p_records_max_right,
            p_area,
            p_convex_hull,
        );
    }
    use MonotonicTrend::*;
    if p_area <= 0.22145836800336838 {
        if !lr_sense {
            if p_convex_hull <= 0.48331470787525177 {
                if p_records_min_right <= 0.010740397498011589 {
                    Descending
                } else if p_records_min_right <= 0.022145185619592667 {
                    Valley
                } else {
                    Descending
                }
            } else if p_records_max_right <= 0.6426683664321899 {
                Valley
            } else {
                Descending
            }
        } else {
            Ascending
        }
    } else if p_records_min_right <= 0.06137961149215698 {
        if p_convex_hull <= 0.23837491869926453 {
            Descending
        } else if p_records_max_left <= 0.10170064494013786 {
            if p_records_max_left <= 0.01817034650593996 {
                Valley
            } else {
                Descending
            }
        } else {
            Peak
        }
    } else if p_records_min_left <= 0.05336669087409973 {
        // optbinning's tree, its identical leaves joined.
        if p_records_max_right <= 0.0695494469255209 || p_records_max_left <= 0.14705360680818558 {
            Ascending
        } else {
            Peak
        }
    } else if p_records_min_left <= 0.8308950066566467 || p_records_max_right <= 0.1587613895535469
    {
        Valley
    } else {
        Peak
    }
}

fn asc_desc_decision(
    p_trend_changes: f64,
    lr_sense: bool,
    p_records_min_left: f64,
    p_records_max_left: f64,
    p_records_max_right: f64,
    p_area: f64,
    p_convex_hull: f64,
) -> MonotonicTrend {
    use MonotonicTrend::*;
    if !lr_sense {
        if p_area <= 0.4890555590391159 {
            if p_records_max_right <= 0.029244758188724518 {
                Ascending
            } else {
                Descending
            }
        } else if p_convex_hull <= 0.5553120970726013 {
            Ascending
        } else {
            Descending
        }
    } else if p_records_max_left <= 0.03698493912816048 {
        Descending
    } else if p_records_min_left <= 0.7991077601909637 {
        if p_area <= 0.48206718266010284 || p_records_max_left <= 0.8631451725959778 {
            Ascending
        } else {
            Descending
        }
    } else if p_trend_changes <= 0.5277777910232544 {
        if p_records_min_left <= 0.8155287206172943 {
            Descending
        } else {
            Ascending
        }
    } else {
        Descending
    }
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Least-squares slope of y on 0..n (only its sign is used).
fn slope(y: &[f64]) -> f64 {
    let n = y.len() as f64;
    let mx = (n - 1.0) / 2.0;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (v - my);
        sxx += dx * dx;
    }
    if sxx == 0.0 {
        0.0
    } else {
        sxy / sxx
    }
}

/// Area of the convex hull (Andrew's monotone chain; points sorted by x).
fn hull_area(pts: &[(f64, f64)]) -> f64 {
    let cross = |o: (f64, f64), a: (f64, f64), b: (f64, f64)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut p = pts.to_vec();
    crate::order::sort_by(&mut p, |a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut hull: Vec<(f64, f64)> = Vec::new();
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(f64, f64)>> = if pass == 0 {
            Box::new(p.iter())
        } else {
            Box::new(p.iter().rev())
        };
        for &q in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0
            {
                hull.pop();
            }
            hull.push(q);
        }
        hull.pop();
    }
    let m = hull.len();
    if m < 3 {
        return 0.0;
    }
    let mut a = 0.0;
    for i in 0..m {
        let (p1, p2) = (hull[i], hull[(i + 1) % m]);
        a += p1.0 * p2.1 - p2.0 * p1.1;
    }
    a.abs() / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every partition, to hold the program to brute force.
    fn brute(ne: &[u64], e: &[u64], c: &Constraints) -> i64 {
        let n = ne.len();
        let te: f64 = e.iter().sum::<u64>() as f64;
        let tne: f64 = ne.iter().sum::<u64>() as f64;
        let mut best = i64::MIN;
        for mask in 0u32..(1 << (n - 1)) {
            let mut bins = Vec::new();
            let mut s = 0;
            for i in 0..n {
                if i == n - 1 || mask & (1 << i) != 0 {
                    bins.push((s, i));
                    s = i + 1;
                }
            }
            let stats: Vec<(i64, i64)> = bins
                .iter()
                .map(|&(a, b)| {
                    let se: u64 = e[a..=b].iter().sum();
                    let sn: u64 = ne[a..=b].iter().sum();
                    let (p, q) = (se as f64 / te, sn as f64 / tne);
                    let iv = if p - q == 0.0 {
                        0.0
                    } else {
                        (p - q) * (p / q).ln()
                    };
                    (
                        ((se as f64) / ((sn + se) as f64) * M) as i64,
                        (iv * M) as i64,
                    )
                })
                .collect();
            let ascending = stats.windows(2).all(|w| w[0].0 <= w[1].0);
            let ok = match c.trend {
                Some(MonotonicTrend::Ascending) => ascending,
                Some(MonotonicTrend::Peak) => (0..stats.len()).any(|t| {
                    stats[..=t].windows(2).all(|w| w[0].0 <= w[1].0)
                        && stats[t + 1..].windows(2).all(|w| w[0].0 >= w[1].0)
                }),
                _ => true,
            };
            if ok
                && c.max_n_bins.is_none_or(|m| bins.len() <= m)
                && c.min_n_bins.is_none_or(|m| bins.len() >= m)
            {
                best = best.max(stats.iter().map(|s| s.1).sum());
            }
        }
        best
    }

    fn objective(ne: &[u64], e: &[u64], ends: &[bool]) -> i64 {
        let te: f64 = e.iter().sum::<u64>() as f64;
        let tne: f64 = ne.iter().sum::<u64>() as f64;
        let (mut s, mut total) = (0, 0);
        for i in 0..ends.len() {
            if ends[i] {
                let se: u64 = e[s..=i].iter().sum();
                let sn: u64 = ne[s..=i].iter().sum();
                let (p, q) = (se as f64 / te, sn as f64 / tne);
                total += (((p - q) * (p / q).ln()) * M) as i64;
                s = i + 1;
            }
        }
        total
    }

    #[test]
    fn program_finds_the_brute_force_optimum() {
        let ne = [30, 25, 40, 12, 50, 33, 20, 41];
        let e = [5, 9, 4, 10, 6, 12, 15, 3];
        for c in [
            Constraints::default(),
            Constraints {
                trend: Some(MonotonicTrend::Peak),
                ..Default::default()
            },
            Constraints {
                max_n_bins: Some(3),
                ..Default::default()
            },
            Constraints {
                min_n_bins: Some(7),
                ..Default::default()
            },
            Constraints {
                min_n_bins: Some(2),
                max_n_bins: Some(4),
                trend: Some(MonotonicTrend::Peak),
                ..Default::default()
            },
        ] {
            let (ends, feasible) = solve(&ne, &e, &c);
            assert!(feasible);
            assert_eq!(objective(&ne, &e, &ends), brute(&ne, &e, &c), "{c:?}");
        }
    }

    #[test]
    fn many_prebins_stay_cheap() {
        // 400 pre-bins without a bin-count constraint: no n⁴ table.
        let ne: Vec<u64> = (0..400).map(|i| 50 + (i * 7919) % 31).collect();
        let e: Vec<u64> = (0..400).map(|i| 5 + (i * 104729) % 13).collect();
        for trend in [None, Some(MonotonicTrend::Peak)] {
            let c = Constraints {
                trend,
                ..Default::default()
            };
            let (ends, feasible) = solve(&ne, &e, &c);
            assert!(feasible && ends[399]);
        }
    }

    #[test]
    fn a_fixed_cut_stays() {
        let ne = [30, 25, 40, 12, 50, 33, 20, 41];
        let e = [5, 9, 4, 10, 6, 12, 15, 3];
        let mut fixed = vec![false; 7];
        fixed[2] = true;
        let c = Constraints {
            max_n_bins: Some(2),
            fixed,
            ..Default::default()
        };
        let (ends, _) = solve(&ne, &e, &c);
        assert_eq!(ends, [false, false, true, false, false, false, false, true]);
    }

    #[test]
    fn infeasible_falls_back_to_one_bin() {
        let c = Constraints {
            min_bin_size: Some(1000),
            ..Default::default()
        };
        assert_eq!(solve(&[5, 5], &[1, 2], &c), (vec![false, true], false));
        let c = Constraints {
            min_n_bins: Some(3),
            ..Default::default()
        };
        assert_eq!(solve(&[5, 5], &[1, 2], &c), (vec![false, true], false));
    }
}
