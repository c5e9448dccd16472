//! The run as plain text for the terminal (`kequn run`, `kequn profile`):
//! a short summary of every step that ran, tables aligned by display width
//! (a CJK character takes two columns), in the order the steps ran.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::recipe::Report;
use crate::table::{ColumnStats, JoinKind};

/// Rows of text cells printed in columns; `right` marks right-aligned columns.
struct Grid {
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Grid {
    fn new(header: &[&str], right: &[bool]) -> Grid {
        Grid {
            right: right.to_vec(),
            rows: vec![header.iter().map(|s| s.to_string()).collect()],
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Each row indented by `indent` spaces, columns two spaces apart.
    fn render(&self, out: &mut String, indent: usize) {
        let cols = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..cols)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|s| s.width())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for r in &self.rows {
            let mut line = " ".repeat(indent);
            for (c, cell) in r.iter().enumerate() {
                let pad = " ".repeat(widths[c] - cell.width());
                let last = c + 1 == r.len();
                if self.right.get(c).copied().unwrap_or(false) {
                    line.push_str(&pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if !last {
                        line.push_str(&pad);
                    }
                }
                if !last {
                    line.push_str("  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
}

fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.abs() >= 1e4 => format!("{x:.0}"),
        Some(x) => format!("{}", (x * 100.0).round() / 100.0),
        None => "-".into(),
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The column table of a loaded or joined table.
pub fn columns(out: &mut String, cols: &[ColumnStats]) {
    let mut g = Grid::new(
        &["column", "type", "missing", "distinct", "summary"],
        &[false, false, true, true, false],
    );
    for c in cols {
        let summary = match (c.min_text.as_ref(), c.median, c.top.first()) {
            (Some(lo), _, _) => format!("{lo} .. {}", c.max_text.clone().unwrap_or_default()),
            (None, Some(m), _) => format!(
                "min {} · median {} · max {}",
                num(c.min),
                num(Some(m)),
                num(c.max)
            ),
            (None, None, Some(_)) => c
                .top
                .iter()
                .take(3)
                .map(|(k, n)| format!("{k} ({n})"))
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        g.row(vec![
            c.name.clone(),
            c.kind.to_string(),
            pct(c.missing_share),
            c.distinct.to_string(),
            summary,
        ]);
    }
    g.render(out, 2);
}

/// Every step's summary, in run order.
pub fn report(report: &Report) -> String {
    let mut out = String::new();
    let o = &mut out;
    for t in &report.tables {
        let l = &t.load;
        let _ = writeln!(
            o,
            "{}: {} rows x {} columns, encoding {}, delimiter '{}', header {}{}",
            l.file,
            l.rows,
            l.columns,
            l.encoding,
            l.delimiter,
            if l.header { "yes" } else { "no" },
            l.sheet
                .as_ref()
                .map(|s| format!(", sheet '{s}'"))
                .unwrap_or_default()
        );
        for w in &l.warnings {
            let _ = writeln!(o, "  warning: {w}");
        }
        columns(o, &t.columns);
    }
    aggregate(o, report);
    join(o, report);
    overview(o, report);
    label(o, report);
    model(o, report);
    applied(o, report);
    segment(o, report);
    basket(o, report);
    plan(o, report);
    alerts(o, report);
    out
}

fn aggregate(o: &mut String, report: &Report) {
    let Some(a) = &report.aggregate else { return };
    let r = &a.report;
    let _ = writeln!(
        o,
        "\naggregate {} by {} over {}: {} rows → {} entities ({}–{} periods each; {} rows skipped), recent window {} periods",
        r.file, r.by, r.time, r.rows, r.entities, r.min_periods, r.max_periods, r.skipped_rows, r.recent
    );
    let _ = writeln!(
        o,
        "  {} features: {}",
        r.features.len(),
        r.features.join(", ")
    );
    let _ = writeln!(
        o,
        "  joined to {}: {} of {} rows matched",
        a.join.left, a.join.matched_left, a.join.left_rows
    );
}

fn join(o: &mut String, report: &Report) {
    let Some(j) = &report.join else { return };
    let r = &j.report;
    let kind = match r.kind {
        JoinKind::Inner => "inner",
        JoinKind::Left => "left",
    };
    let _ = writeln!(
        o,
        "\njoin {} + {} on {} ({kind} join): {} rows; left matched {} / unmatched {}; right unmatched {}; duplicate keys left {} right {}",
        r.left, r.right, r.key, r.rows, r.matched_left, r.unmatched_left,
        r.unmatched_right, r.duplicate_keys_left, r.duplicate_keys_right
    );
    for w in &r.warnings {
        let _ = writeln!(o, "  warning: {w}");
    }
}

fn overview(o: &mut String, report: &Report) {
    let Some(v) = &report.overview else { return };
    let _ = writeln!(o, "\noverview: {} customers", v.customers);
    if let Some(t) = v.total_assets {
        let _ = writeln!(
            o,
            "  assets: total {}  mean {}  median {}",
            num(Some(t)),
            num(v.mean_assets),
            num(v.median_assets)
        );
    }
    for d in v.distributions.iter().chain(&v.funnel) {
        let total: usize = d.counts.iter().sum::<usize>() + d.missing;
        let parts: Vec<String> = d
            .levels
            .iter()
            .zip(&d.counts)
            .map(|(l, n)| format!("{l} {}", pct(*n as f64 / total.max(1) as f64)))
            .collect();
        let _ = writeln!(o, "  {}: {}", d.column, parts.join(" · "));
    }
}

fn label(o: &mut String, report: &Report) {
    let Some(l) = &report.label else { return };
    let _ = writeln!(
        o,
        "\nlabel {}: {} of {} rows positive ({}); {} unknown",
        l.rule,
        l.positives,
        l.rows,
        pct(l.positives as f64 / l.rows.max(1) as f64),
        l.unknown
    );
}

/// CV AUC as "0.861 ± 0.012", or "—".
fn cv(mean: Option<f64>, sd: Option<f64>) -> String {
    match (mean, sd) {
        (Some(m), Some(s)) => format!("{m:.3} ± {s:.3}"),
        (Some(m), None) => format!("{m:.3}"),
        _ => "-".into(),
    }
}

fn model(o: &mut String, report: &Report) {
    let Some(m) = &report.model else { return };
    let x = &m.metrics;
    let what = match &m.gbdt {
        Some(g) if m.kind == "gbdt" => format!(
            "gradient-boosted trees ({} trees, at most {} leaves, learning rate {})",
            g.trees, g.params.num_leaves, g.params.learning_rate
        ),
        _ if m.kind == "scorecard" => {
            "scorecard (WOE binning, logistic regression, points)".to_string()
        }
        _ => "logistic regression".to_string(),
    };
    // Trees take each source column whole; the logistic model its one-hot
    // parts; a scorecard its selected characteristics.
    let n_features = match (m.kind.as_str(), &m.model.scorecard) {
        ("gbdt", _) => m.model.prep.transforms.len(),
        ("scorecard", Some(c)) => c.characteristics.len(),
        _ => m.features.len(),
    };
    let _ = writeln!(
        o,
        "\nmodel: {what} on {} features; {} training and {} test rows; {} of {} rows positive ({}), class weight {}",
        n_features,
        m.train_rows,
        m.test_rows,
        m.positives,
        m.rows,
        pct(m.positives as f64 / m.rows.max(1) as f64),
        format!("{:?}", m.class_weight).to_lowercase()
    );
    let _ = writeln!(
        o,
        "  test AUC {:.3}  KS {:.3}  CV AUC {}{}  accuracy {}  precision {}  recall {}",
        x.auc,
        x.ks,
        cv(m.cv_auc, m.cv_sd),
        // Which rows the folds cut, when not the default training part.
        if m.cv_all_rows {
            " (folds over every row)"
        } else {
            ""
        },
        pct(x.accuracy),
        pct(x.precision),
        pct(x.recall)
    );
    if !m.leakage_removed.is_empty() {
        let _ = writeln!(
            o,
            "  leakage guard: the label rule's columns are left out of the features: {}",
            m.leakage_removed.join(", ")
        );
    }
    for w in &m.leak_warnings {
        let _ = writeln!(o, "  warning, probable leak: {}", w.message);
    }
    if m.unknown_label_rows + m.dropped_rows > 0 {
        let _ = writeln!(
            o,
            "  {} rows with an undecided label and {} with a missing feature left out",
            m.unknown_label_rows, m.dropped_rows
        );
    }
    if !m.dropped_columns.is_empty() {
        let d: Vec<String> = m
            .dropped_columns
            .iter()
            .map(|d| format!("{} ({})", d.column, d.reason))
            .collect();
        let _ = writeln!(o, "  columns not used: {}", d.join("; "));
    }
    if m.comparison.len() > 1 {
        let _ = writeln!(
            o,
            "  models compared on the same split and folds (* gives the candidates):"
        );
        let mut g = Grid::new(
            &["model", "test AUC", "CV AUC", "KS", "fit s"],
            &[false, true, true, true, true],
        );
        for r in &m.comparison {
            g.row(vec![
                format!("{}{}", if r.chosen { "* " } else { "  " }, r.kind),
                format!("{:.3}", r.test_auc),
                cv(r.cv_auc, r.cv_sd),
                format!("{:.3}", r.ks),
                format!("{:.2}", r.fit_seconds),
            ]);
        }
        g.render(o, 4);
    }
    if let Some(g) = &m.gbdt {
        if !g.categorical.is_empty() {
            let _ = writeln!(o, "  split as categories: {}", g.categorical.join(", "));
        }
        if !g.monotone.is_empty() {
            let c: Vec<String> = g
                .monotone
                .iter()
                .map(|(c, d)| format!("{c} {}", if *d > 0 { "↑" } else { "↓" }))
                .collect();
            let _ = writeln!(o, "  monotone: {}", c.join(", "));
        }
    }
    let _ = writeln!(
        o,
        "  drivers (mean |contribution| in log-odds on {} test rows; base value {:+.3}):",
        m.importance_rows, m.base_value
    );
    let mut g = Grid::new(&["column", "mean |contribution|"], &[false, true]);
    for (c, v) in m.importance.iter().take(10) {
        g.row(vec![c.clone(), format!("{v:.3}")]);
    }
    g.render(o, 4);
    if !m.coefficients.is_empty() {
        let mut top: Vec<_> = m.coefficients.iter().collect();
        top.sort_by(|a, b| b.coef.abs().total_cmp(&a.coef.abs()));
        let _ = writeln!(o, "  top coefficients (standardised):");
        let mut g = Grid::new(&["feature", "coef", "odds ratio"], &[false, true, true]);
        for c in top.iter().take(10) {
            g.row(vec![
                c.feature.clone(),
                format!("{:+.3}", c.coef),
                format!("{:.3}", c.odds_ratio),
            ]);
        }
        g.render(o, 4);
    }
    if let Some(c) = &m.scorecard {
        scorecard(o, c);
    }
    if let Some(t) = &m.tree {
        let _ = writeln!(
            o,
            "  decision tree (depth {}, {} leaves): test AUC {:.3}; leaves with the highest rate:",
            t.max_depth, t.leaves, t.auc
        );
        for r in t.rules.iter().take(5) {
            let _ = writeln!(
                o,
                "    {}: {} rows, {} positive",
                r.conditions.join(" and "),
                r.rows,
                pct(r.positive_rate)
            );
        }
    }
    candidates(o, &m.candidates, m.candidates_excluded);
}

fn scorecard(o: &mut String, c: &crate::score::analysis::ScorecardReport) {
    let _ = writeln!(
        o,
        "  scorecard: test AUC {:.3}  KS {:.3}  Gini {:.3} of the score (unrounded fit on the WOE: AUC {:.3})",
        c.test_auc, c.test_ks, c.test_gini, c.test_auc_woe
    );
    let _ = writeln!(
        o,
        "  points: {} at odds 1:{}, {} points to double the odds (base points {}); {}",
        c.params.base_points, c.params.base_odds, c.params.pdo, c.base_points, c.woe_convention
    );
    let _ = writeln!(o, "  IV ranking (kept at IV ≥ the minimum):");
    let mut g = Grid::new(
        &["characteristic", "IV", "bins", "kept", "why not"],
        &[false, true, true, false, false],
    );
    for ch in &c.characteristics {
        g.row(vec![
            ch.name.clone(),
            format!("{:.4}", ch.iv()),
            ch.binning
                .as_ref()
                .map_or("-".into(), |b| b.bins.len().to_string()),
            if ch.selected { "yes" } else { "no" }.into(),
            ch.reason.clone().unwrap_or_default(),
        ]);
    }
    g.render(o, 4);
    let _ = writeln!(o, "  scorecard table:");
    let mut g = Grid::new(
        &[
            "characteristic",
            "bin",
            "count",
            "event rate",
            "WOE",
            "points",
        ],
        &[false, false, true, true, true, true],
    );
    for ch in c.characteristics.iter().filter(|ch| ch.selected) {
        let Some(b) = &ch.binning else { continue };
        for row in c.table.iter().filter(|r| r.characteristic == ch.name) {
            let bin = b.bins.iter().find(|x| x.label == row.bin);
            g.row(vec![
                row.characteristic.clone(),
                row.bin.clone(),
                bin.map_or("-".into(), |x| x.count.to_string()),
                bin.map_or("-".into(), |x| pct(x.event_rate)),
                format!("{:+.4}", row.woe),
                row.points.to_string(),
            ]);
        }
    }
    g.render(o, 4);
    let _ = writeln!(o, "  score by label on the test rows:");
    let mut g = Grid::new(
        &["score", "rows", "events", "non-events", "event rate"],
        &[false, true, true, true, true],
    );
    for b in &c.bands {
        g.row(vec![
            format!("{}–{}", b.low, b.high),
            b.rows.to_string(),
            b.events.to_string(),
            b.non_events.to_string(),
            pct(b.event_rate),
        ]);
    }
    g.render(o, 4);
}

fn candidates(o: &mut String, list: &[crate::shared::Candidate], excluded: usize) {
    let _ = writeln!(
        o,
        "  candidates: {} listed ({} left out by the filter or threshold); the first 10:",
        list.len(),
        excluded
    );
    // Who, how likely, which tenth, which segment: the columns both lists
    // share. Without an id column a customer is their row number.
    let by_row = !list.is_empty() && list.iter().all(|c| c.id.is_empty());
    let segments = list.iter().any(|c| c.segment.is_some());
    let mut head = vec![
        "#",
        if by_row { "row" } else { "id" },
        "probability",
        "decile",
    ];
    let mut right = vec![true, by_row, true, true];
    if segments {
        head.push("segment");
        right.push(false);
    }
    let lead = |i: usize, c: &crate::shared::Candidate| {
        let mut cells = vec![
            (i + 1).to_string(),
            if by_row {
                (c.row + 1).to_string()
            } else {
                c.id.clone()
            },
            pct(c.probability),
            c.decile.to_string(),
        ];
        if segments {
            cells.push(c.segment.clone().unwrap_or_default());
        }
        cells
    };
    if list.iter().any(|c| c.score.is_some()) {
        head.extend(["score", "reason codes (bin, points lost)"]);
        right.extend([true, false]);
        let mut g = Grid::new(&head, &right);
        for (i, c) in list.iter().enumerate().take(10) {
            let mut cells = lead(i, c);
            cells.push(c.score.map_or("-".into(), |s| s.to_string()));
            cells.push(crate::export::reason_codes_text(&c.reason_codes));
            g.row(cells);
        }
        g.render(o, 4);
        return;
    }
    head.push("drivers (own value → log-odds)");
    right.push(false);
    let mut g = Grid::new(&head, &right);
    for (i, c) in list.iter().enumerate().take(10) {
        let reasons: Vec<String> = if c.drivers.is_empty() {
            c.reasons
                .iter()
                .map(|(s, v)| format!("{s} {v:+.2}"))
                .collect()
        } else {
            c.drivers
                .iter()
                .take(3)
                .map(crate::export::driver_text)
                .collect()
        };
        let mut cells = lead(i, c);
        cells.push(reasons.join(", "));
        g.row(cells);
    }
    g.render(o, 4);
}

fn applied(o: &mut String, report: &Report) {
    let Some(a) = &report.applied else { return };
    let _ = writeln!(
        o,
        "\nsaved model applied (label {}): {} rows scored",
        a.label_rule, a.rows
    );
    candidates(o, &a.candidates, a.candidates_excluded);
    if let Some(m) = &a.monitor {
        let _ = writeln!(
            o,
            "  monitoring: {} rows then, {} now; label rate {} → {}; score PSI {:.3} ({})",
            m.rows_before,
            m.rows_now,
            m.label_rate_before.map_or("-".into(), pct),
            m.label_rate_now.map_or("-".into(), pct),
            m.score.psi,
            m.score.level
        );
        let shifted: Vec<_> = m.features.iter().filter(|f| f.level != "stable").collect();
        if shifted.is_empty() {
            let _ = writeln!(o, "    every column stable (PSI below the watch threshold)");
        } else {
            let mut g = Grid::new(&["column", "PSI", "level"], &[false, true, false]);
            for f in shifted {
                g.row(vec![
                    f.name.clone(),
                    format!("{:.3}", f.psi),
                    f.level.clone(),
                ]);
            }
            g.render(o, 4);
        }
        if !m.csi.is_empty() {
            let _ = writeln!(
                o,
                "    characteristic stability (CSI against the training month):"
            );
            let mut g = Grid::new(&["characteristic", "CSI", "level"], &[false, true, false]);
            for f in &m.csi {
                g.row(vec![
                    f.name.clone(),
                    format!("{:.3}", f.psi),
                    f.level.clone(),
                ]);
            }
            g.render(o, 4);
        }
    }
}

fn segment(o: &mut String, report: &Report) {
    let Some(s) = &report.segment else { return };
    let _ = writeln!(
        o,
        "\nsegments ({}): K = {} over {} customers",
        s.method, s.k, s.rows
    );
    if let Some(sel) = &s.selection {
        let _ = writeln!(o, "  {}", sel.reason_en);
        if sel.scan_rows > 0 && sel.scan_rows < s.rows {
            let _ = writeln!(
                o,
                "  each K fitted and measured on a seeded sample of {} customers; K = {} then fitted on all {}",
                sel.scan_rows, s.k, s.rows
            );
        }
        let mut g = Grid::new(
            &["k", "WCSS", "silhouette", "CH", "DB", "gap"],
            &[true, true, true, true, true, true],
        );
        for k in &sel.scores {
            g.row(vec![
                k.k.to_string(),
                format!("{:.1}", k.inertia),
                format!("{:.3}", k.silhouette),
                format!("{:.1}", k.calinski_harabasz),
                format!("{:.3}", k.davies_bouldin),
                format!("{:.3}", k.gap),
            ]);
        }
        g.render(o, 2);
    }
    let mut g = Grid::new(
        &["segment", "customers", "share", "what sets it apart"],
        &[false, true, true, false],
    );
    for (n, p) in s.names.iter().zip(&s.profiles) {
        g.row(vec![
            n.name.clone(),
            p.size.to_string(),
            pct(p.share),
            p.distinguishing.join("; "),
        ]);
    }
    g.render(o, 2);
    if let Some(t) = &s.surrogate {
        let _ = writeln!(
            o,
            "  surrogate tree: {} of held-out customers placed in their segment",
            pct(t.accuracy)
        );
    }
    if let Some(m) = &s.migration {
        let _ = writeln!(
            o,
            "  migration to {}: {} customers in both ({} stayed), {} only before, {} only after",
            m.file,
            m.matched,
            pct(m.stayed),
            m.only_before,
            m.only_after
        );
        let mut header: Vec<&str> = vec!["from \\ to"];
        header.extend(m.names.iter().map(String::as_str));
        let mut right = vec![false];
        right.extend(m.names.iter().map(|_| true));
        let mut g = Grid::new(&header, &right);
        for (name, row) in m.names.iter().zip(&m.matrix) {
            let mut cells = vec![name.clone()];
            cells.extend(row.iter().map(|c| c.to_string()));
            g.row(cells);
        }
        g.render(o, 4);
    }
}

fn basket(o: &mut String, report: &Report) {
    let Some(b) = &report.basket else { return };
    let _ = writeln!(
        o,
        "\nassociation rules over {} customers (support >= {}, confidence >= {}): {} frequent itemsets, {} rules",
        b.customers,
        b.params.min_support,
        b.params.min_confidence,
        b.overall.frequent_itemsets,
        b.overall.rules.len()
    );
    let mut g = Grid::new(
        &["rule", "support", "confidence", "lift"],
        &[false, true, true, true],
    );
    for r in b.overall.rules.iter().take(10) {
        g.row(vec![
            crate::basket::recommend::rule_text(r),
            format!("{:.4}", r.support),
            format!("{:.3}", r.confidence),
            format!("{:.3}", r.lift),
        ]);
    }
    g.render(o, 2);
    for s in &b.segments {
        let _ = writeln!(
            o,
            "  segment {}: {} customers, {} rules ({} not among the overall rules)",
            s.segment.as_deref().unwrap_or("-"),
            s.customers,
            s.rules.len(),
            s.specific.len()
        );
    }
    let _ = writeln!(
        o,
        "  {} cross-sell offers; {} customers left out by the marketing cool-off",
        b.offers_total(),
        b.cool_off_excluded
    );
}

fn plan(o: &mut String, report: &Report) {
    let Some(p) = &report.plan else { return };
    let _ = writeln!(
        o,
        "\nplans from {}: {} customer plans, {} segment plans; response rate {}; {} customers wait for the cool-off",
        p.templates,
        p.customers.len(),
        p.segments.len(),
        pct(p.response_rate),
        p.cooling_off
    );
    if !p.summary.is_empty() {
        let mut g = Grid::new(
            &[
                "priority",
                "customers",
                "expected retained",
                "expected value",
            ],
            &[false, true, true, true],
        );
        for s in &p.summary {
            g.row(vec![
                s.priority.clone(),
                s.customers.to_string(),
                format!("{:.1}", s.expected_retained),
                num(Some(s.expected_value)),
            ]);
        }
        g.render(o, 2);
    }
    if !p.customers.is_empty() {
        let mut by_channel: Vec<(&str, usize)> = Vec::new();
        for c in &p.customers {
            match by_channel.iter_mut().find(|(ch, _)| *ch == c.channel) {
                Some(e) => e.1 += 1,
                None => by_channel.push((&c.channel, 1)),
            }
        }
        by_channel.sort_by_key(|c| std::cmp::Reverse(c.1));
        let parts: Vec<String> = by_channel.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let _ = writeln!(o, "  by channel: {}", parts.join(" · "));
        let _ = writeln!(o, "  the first 5:");
        let mut g = Grid::new(
            &["#", "id", "risk", "priority", "channel", "offer", "timing"],
            &[true, false, true, false, false, false, false],
        );
        for c in p.customers.iter().take(5) {
            g.row(vec![
                c.rank.to_string(),
                c.id.clone(),
                pct(c.probability),
                c.priority.clone(),
                c.channel.clone(),
                c.offer.clone(),
                c.not_before.as_ref().map_or_else(
                    || c.timing.clone(),
                    |d| format!("{} (not before {d})", c.timing),
                ),
            ]);
        }
        g.render(o, 4);
    }
    if !p.segments.is_empty() {
        let mut g = Grid::new(
            &["segment", "customers", "priority", "channel", "offer"],
            &[false, true, false, false, false],
        );
        for s in &p.segments {
            g.row(vec![
                s.name.clone(),
                s.size.to_string(),
                s.priority.clone(),
                s.channel.clone(),
                s.offer.clone(),
            ]);
        }
        g.render(o, 2);
    }
    if let Some(f) = &p.feedback {
        let _ = writeln!(
            o,
            "  feedback {}: {} contacted, {} converted ({}); {} ids not in the table",
            f.file,
            f.contacted,
            f.converted,
            pct(f.rate),
            f.unknown_ids
        );
        for c in f.by_channel.iter().chain(&f.by_segment) {
            let _ = writeln!(
                o,
                "    {}: {} of {} ({})",
                c.group,
                c.converted,
                c.contacted,
                pct(c.rate)
            );
        }
    }
}

fn alerts(o: &mut String, report: &Report) {
    if report.alerts.is_empty() {
        return;
    }
    let _ = writeln!(o, "\nalerts: {}", report.alerts.len());
    for a in &report.alerts {
        let _ = writeln!(o, "  {} ({}: {})", a.message, a.kind, a.subject);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_display_width() {
        let mut g = Grid::new(&["名称", "n"], &[false, true]);
        g.row(vec!["客户号".into(), "1".into()]);
        g.row(vec!["age".into(), "100".into()]);
        let mut out = String::new();
        g.render(&mut out, 0);
        let lines: Vec<&str> = out.lines().collect();
        // The second column ends at the same display column on every line.
        let ends: Vec<usize> = lines.iter().map(|l| l.width()).collect();
        assert_eq!(ends, vec![11, 11, 11], "{out}");
        assert_eq!(lines[1], "客户号    1");
    }
}
