//! The segment step of a recipe: features → K-Means over a K range (or a
//! given K) → profiles, names and strategies → binned view and a surrogate
//! tree that explains the segments in business terms → a 2-D picture.

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use super::gmm::{most_likely, GmmParams, Mixture};
use super::kmeans::{assign, inertia_to, sizes, Clustering, KMeansParams};
use super::kprototypes::{default_gamma, KPrototypesParams, Layout};
use super::migrate::{migrate, Migration};
use super::names::{NamingRules, SegmentName};
use super::profile::{profiles, SegmentProfile};
use super::select::{scan, Fitter, KSelection, ScanSettings, SCAN_ROWS};
use crate::prep::FeatureSpec;
use crate::prep::{Dropped, Feature, Prep, Transform};
use crate::score::tree::{fit_classes, ClassTreeReport};
use crate::shared::{SegmentInfo, Segments};
use crate::table::{Column, ColumnData, ColumnKind, Table};
use crate::{Error, Progress, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    /// `kmeans`, `kprototypes` or `gmm`.
    pub method: String,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub k: Option<usize>,
    #[serde(default)]
    pub k_range: Option<(usize, usize)>,
    #[serde(default)]
    pub n_init: Option<usize>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub id: Option<String>,
    /// A naming-rule file (JSON, as data/templates/segment_naming.json)
    /// among the inputs; default: the shipped rules.
    #[serde(default)]
    pub naming: Option<String>,
    /// The naming rules written into the recipe (the page's form); they
    /// take the place of `naming`'s file and of the shipped rules.
    #[serde(default)]
    pub naming_rules: Option<super::names::NamingRules>,
    /// K-Prototypes' weight of a categorical mismatch; default half the
    /// mean standard deviation of the numeric features.
    #[serde(default)]
    pub gamma: Option<f64>,
    /// A second snapshot (next month's export) among the inputs: the
    /// centres are applied to it and the migration matrix reported for the
    /// customers (by `id`) present in both.
    #[serde(default)]
    pub next: Option<String>,
    /// K-Means: at most this many iterations per start (default 300).
    #[serde(default)]
    pub max_iterations: Option<u64>,
    /// K-Means: a start stops when the centres' summed squared movement is
    /// at most this share of the mean feature variance (default 1e-4, as
    /// scikit-learn's `tol`).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// A K scan on more rows than this fits and measures each K on a
    /// seeded sample of this many, then the chosen K on every row
    /// (default `select::SCAN_ROWS`, 100,000).
    #[serde(default)]
    pub scan_rows: Option<usize>,
}

/// The segment methods: K-Means (numeric and one-hot features),
/// K-Prototypes (numeric and categorical), a Gaussian mixture (with
/// membership probabilities).
pub const METHODS: &[&str] = &["kmeans", "kprototypes", "gmm"];

impl SegmentSpec {
    /// Checks the section before any file is read.
    pub fn check(&self) -> Result<()> {
        if !METHODS.contains(&self.method.as_str()) {
            return Err(self.unknown_method());
        }
        // A sample smaller than this says little about K.
        if let Some(rows) = self.scan_rows.filter(|&r| r < MIN_SCAN_ROWS) {
            return Err(Error::OutOfRange {
                field: "segment.scan_rows".into(),
                value: rows.to_string(),
                allowed: format!("at least {MIN_SCAN_ROWS}"),
                allowed_zh: format!("至少为 {MIN_SCAN_ROWS}"),
            });
        }
        Ok(())
    }

    fn unknown_method(&self) -> Error {
        Error::unknown("segment.method", &self.method, METHODS)
    }
}

/// The smallest `segment.scan_rows` a recipe may ask for.
pub const MIN_SCAN_ROWS: usize = 1_000;

/// Rows drawn (seeded) for the 2-D picture.
pub const SCATTER_ROWS: usize = 2_000;
/// Rows (seeded sample) the surrogate tree is trained and checked on.
pub const SURROGATE_ROWS: usize = 100_000;

/// Centres and the fitted features: apply them to next month's file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentModel {
    pub format: String,
    pub prep: Prep,
    /// k × features, in the standardised feature space.
    pub centres: Vec<Vec<f64>>,
    pub names: Vec<String>,
    /// `kmeans` or `kprototypes` (older files: kmeans).
    #[serde(default = "kmeans_name")]
    pub method: String,
    /// Per feature, the factor applied before the nearest centre is taken
    /// (K-Prototypes: √(γ/2) on one-hot columns); empty = all 1.
    #[serde(default)]
    pub scale: Vec<f64>,
    /// A Gaussian mixture's components: customers go to the most likely.
    #[serde(default)]
    pub mixture: Option<Mixture>,
}

fn kmeans_name() -> String {
    "kmeans".into()
}

/// A key amount cut into tiers for the binned view (feature set B).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binned {
    pub column: String,
    pub tiers: Vec<String>,
    /// Upper bounds of all tiers but the last, in the column's units.
    pub cuts: Vec<f64>,
}

/// The segments drawn on two principal components of a sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scatter {
    pub points: Vec<(f32, f32, u32)>,
    /// Share of the variance the two components explain.
    pub explained: (f64, f64),
    /// `PCA` (numeric features), or `FAMD` for K-Prototypes' mixed data.
    pub projection: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentReport {
    pub method: String,
    pub rows: usize,
    pub features: Vec<Feature>,
    pub dropped_columns: Vec<Dropped>,
    pub selection: Option<KSelection>,
    pub k: usize,
    /// Sum of squared distances to the centres; for K-Prototypes its cost
    /// (squared distances on numerics + γ × categorical mismatches).
    pub inertia: f64,
    /// K-Prototypes' weight of a categorical mismatch.
    pub gamma: Option<f64>,
    /// A Gaussian mixture's soft assignment, summarised.
    pub soft: Option<SoftSummary>,
    /// A Gaussian mixture's membership probabilities, rows × K (flat, in
    /// table order); empty for the other methods.
    pub memberships: Vec<f32>,
    /// Clusters emptied during iteration and re-seeded from the largest,
    /// over every fit of the step.
    pub reseeded: usize,
    pub profiles: Vec<SegmentProfile>,
    pub names: Vec<SegmentName>,
    pub binned: Vec<Binned>,
    pub surrogate: Option<ClassTreeReport>,
    pub scatter: Scatter,
    /// Each row's segment, in table order.
    pub labels: Vec<u32>,
    /// The id column's values (when the recipe names one), in table order.
    pub ids: Vec<String>,
    pub model: SegmentModel,
    /// Against a second snapshot, when the recipe names one.
    pub migration: Option<Migration>,
}

/// How sure the mixture is of its segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoftSummary {
    /// Customers whose most likely segment has probability ≥ 0.9.
    pub confident: usize,
    /// Customers whose most likely segment has probability < 0.6.
    pub uncertain: usize,
    /// Per segment, the mean membership of its customers.
    pub mean_membership: Vec<f64>,
    /// Per segment, the sum of all customers' memberships (its soft size).
    pub soft_sizes: Vec<f64>,
}

fn soft_summary(m: &Array2<f64>, labels: &[usize], k: usize) -> SoftSummary {
    let mut confident = 0;
    let mut uncertain = 0;
    let mut own = vec![0.0; k];
    let mut count = vec![0usize; k];
    for (r, &l) in labels.iter().enumerate() {
        let p = m[[r, l]];
        confident += usize::from(p >= 0.9);
        uncertain += usize::from(p < 0.6);
        own[l] += p;
        count[l] += 1;
    }
    SoftSummary {
        confident,
        uncertain,
        mean_membership: own
            .iter()
            .zip(&count)
            .map(|(s, &c)| s / c.max(1) as f64)
            .collect(),
        soft_sizes: m.sum_axis(Axis(0)).to_vec(),
    }
}

pub const SEGMENT_FORMAT: &str = "kequn-segments/1";

/// Runs the segment step on `table`.
pub fn segment(
    table: &Table,
    spec: &SegmentSpec,
    features: Option<&FeatureSpec>,
    naming: Option<&NamingRules>,
    next: Option<&Table>,
    names: crate::shared::DisplayNames,
    progress: &mut dyn Progress,
) -> Result<SegmentReport> {
    let (kprototypes, gmm) = match spec.method.as_str() {
        "kmeans" => (false, false),
        "kprototypes" => (true, false),
        "gmm" => (false, true),
        _ => return Err(spec.unknown_method()),
    };
    progress.report("segment features", 0.0);
    let f = features.cloned().unwrap_or_default();
    let mut exclude = f.exclude.clone();
    exclude.extend(spec.id.iter().cloned());
    let mut prep_spec = f.prep_spec(exclude)?;
    if !spec.columns.is_empty() {
        prep_spec.include = spec.columns.clone();
    }
    let rows: Vec<usize> = (0..table.rows()).collect();
    let prep = Prep::fit(table, &rows, &prep_spec)?;
    let mut x = prep.transform(table, &rows)?;
    let seed = spec.seed.unwrap_or(7);
    let n_init = spec.n_init.unwrap_or(10);
    // K-Prototypes: categorical columns stay one-hot in the design matrix,
    // scaled so that squared Euclidean distance there is its cost.
    let layout = Layout::of(&prep);
    let (gamma, scale) = if kprototypes {
        let gamma = match spec.gamma {
            Some(g) => g,
            None => default_gamma(layout.split(x.view()).numeric.view()),
        };
        let scale = layout.scale(gamma);
        scale_columns(&mut x, &scale);
        (Some(gamma), scale)
    } else {
        (None, Vec::new())
    };
    let reseeded = std::cell::Cell::new(0usize);
    // The mixtures the fitter made, by K: the chosen one gives the memberships.
    let mixtures: std::cell::RefCell<Vec<(usize, Mixture)>> = Default::default();
    let kmeans_params = |k: usize, n_init: usize| {
        let d = KMeansParams::default();
        KMeansParams {
            k,
            n_init,
            seed,
            max_iterations: spec.max_iterations.unwrap_or(d.max_iterations),
            tolerance: spec.tolerance.unwrap_or(d.tolerance),
        }
    };
    let kmeans = |xv: ArrayView2<f64>, k: usize, n_init: usize| kmeans_params(k, n_init).fit(xv);
    let fitter = |xv: ArrayView2<f64>, k: usize, n_init: usize| -> Result<Clustering> {
        if let Some(gamma) = gamma {
            let fit = KPrototypesParams {
                k,
                n_init,
                seed,
                gamma: Some(gamma),
                ..KPrototypesParams::default()
            }
            .fit(&layout.split(xv))?;
            reseeded.set(reseeded.get() + fit.reseeded);
            Ok(Clustering {
                centres: layout.join(&fit, &scale),
                labels: fit.labels,
                inertia: fit.cost,
                sizes: fit.sizes,
            })
        } else if gmm {
            let fit = GmmParams {
                k,
                n_init: n_init.min(3),
                seed,
                ..GmmParams::default()
            }
            .fit(xv)?;
            let centres = Array2::from_shape_fn((k, xv.ncols()), |(l, j)| fit.mixture.means[l][j]);
            mixtures.borrow_mut().push((k, fit.mixture));
            Ok(Clustering {
                inertia: inertia_to(xv, centres.view(), &fit.labels),
                sizes: sizes(&fit.labels, k),
                centres,
                labels: fit.labels,
            })
        } else {
            kmeans(xv, k, n_init)
        }
    };
    let (selection, fit) = match (spec.k, spec.k_range) {
        (Some(k), _) => {
            progress.report(&spec.method, 0.0);
            (None, fitter(x.view(), k, n_init)?)
        }
        (None, range) => {
            let range = range.unwrap_or((2, 8));
            let distinct = super::kmeans::distinct_rows(x.view(), range.1);
            let range = (range.0.min(distinct), range.1.min(distinct));
            if range.1 < 2 {
                return Err(Error::Analysis {
                    detail: format!("segmentation needs at least two distinct customers; this table has {distinct}"),
                    detail_zh: format!("分群至少需要两个互不相同的客户；此表只有 {distinct} 个"),
                });
            }
            // The mixture's gap statistic uses K-Means partitions (EM on the
            // uniform references would take most of the scan's time).
            let gap_fit: Fitter = if gmm { &kmeans } else { &fitter };
            let settings = ScanSettings {
                range,
                n_init,
                seed,
                scan_rows: spec.scan_rows.unwrap_or(SCAN_ROWS),
            };
            let (sel, fits) = scan(x.view(), &settings, &fitter, gap_fit, progress)?;
            let k = sel.suggested;
            let fit = fits
                .into_iter()
                .find(|c| c.centres.nrows() == k)
                .ok_or_else(|| Error::Recipe {
                    detail: "the suggested K was not fitted".into(),
                })?;
            // Scanned on a sample: the chosen K again on every row (K-Means
            // going on from the sample's centres, the others afresh).
            let fit = if sel.scan_rows == x.nrows() {
                fit
            } else {
                progress.report(&spec.method, 0.0);
                if kprototypes || gmm {
                    fitter(x.view(), k, n_init)?
                } else {
                    kmeans_params(k, n_init).fit_from(x.view(), fit.centres)?
                }
            };
            (Some(sel), fit)
        }
    };
    let k = fit.centres.nrows();
    // The mixture fitted at the chosen K, and its memberships (the fit's
    // labels are their most likely components).
    let mixture = mixtures
        .into_inner()
        .into_iter()
        .rev()
        .find(|(mk, _)| *mk == k)
        .map(|(_, m)| {
            progress.report("memberships", 0.0);
            let memberships = m.memberships(x.view()).0;
            (m, memberships)
        });
    progress.report("profiles", 0.0);
    let profiles = profiles(table, &rows, &fit.labels, k, &prep, names)?;
    let default_rules;
    let naming = match naming {
        Some(n) => n,
        None => {
            default_rules = NamingRules::default_rules();
            &default_rules
        }
    };
    let names = naming.name(&profiles, names);
    progress.report("surrogate tree", 0.0);
    // Rules from a seeded sample read the same as from every row, and the
    // tree's cost grows with rows (7 s on 1,000,000): the binned view is
    // built for the sampled rows only (its tier cuts from every row).
    let sample = super::select::seeded_sample(table.rows(), SURROGATE_ROWS, seed);
    let (binned, btable) = binned_view(table, &prep, &sample)?;
    let sampled_labels: Vec<usize> = sample.iter().map(|&i| fit.labels[i]).collect();
    let surrogate = surrogate(&btable, &binned, &prep, &sampled_labels, k, seed)?;
    let scatter = if kprototypes {
        pca_scatter(famd(&x, &layout).view(), &fit.labels, seed, "FAMD")
    } else {
        pca_scatter(x.view(), &fit.labels, seed, "PCA")
    };
    let ids = match &spec.id {
        Some(id) => {
            let c = table.column(id)?;
            (0..table.rows()).map(|r| c.text(r)).collect()
        }
        None => Vec::new(),
    };
    let mut report = SegmentReport {
        method: spec.method.clone(),
        rows: table.rows(),
        features: prep.features(),
        dropped_columns: prep.dropped.clone(),
        selection,
        k,
        inertia: fit.inertia,
        gamma,
        soft: mixture
            .as_ref()
            .map(|(_, m)| soft_summary(m, &fit.labels, k)),
        memberships: mixture
            .as_ref()
            .map(|(_, m)| m.iter().map(|&p| p as f32).collect())
            .unwrap_or_default(),
        reseeded: reseeded.get(),
        profiles,
        binned,
        surrogate,
        scatter,
        labels: fit.labels.iter().map(|&l| l as u32).collect(),
        ids,
        model: SegmentModel {
            format: SEGMENT_FORMAT.into(),
            prep,
            centres: fit.centres.rows().into_iter().map(|r| r.to_vec()).collect(),
            names: names.iter().map(|n| n.name.clone()).collect(),
            method: spec.method.clone(),
            scale,
            mixture: mixture.map(|(m, _)| m),
        },
        names,
        migration: None,
    };
    if let Some(next) = next {
        let id = spec.id.as_deref().ok_or_else(|| Error::Recipe {
            detail: "segment.next needs segment.id, the customer id column both snapshots share"
                .into(),
        })?;
        progress.report("migration", 0.0);
        report.migration = Some(migrate(&report.model, table, &report.labels, next, id)?);
    }
    Ok(report)
}

impl SegmentReport {
    /// The segments' names, by segment number.
    pub fn segment_names(&self) -> Vec<String> {
        self.names.iter().map(|n| n.name.clone()).collect()
    }

    /// Each row's segment with names and sizes, for the steps after this one.
    pub fn assignment(&self) -> Segments<'_> {
        Segments {
            ids: &self.ids,
            labels: &self.labels,
            segments: self
                .names
                .iter()
                .zip(&self.profiles)
                .map(|(n, p)| SegmentInfo {
                    segment: p.segment,
                    name: n.name.clone(),
                    strategy: n.strategy.clone(),
                    service: n.service.clone(),
                    size: p.size,
                    share: p.share,
                    distinguishing: p.distinguishing.clone(),
                })
                .collect(),
        }
    }
}

/// Multiplies each column of `x` by its factor.
fn scale_columns(x: &mut Array2<f64>, scale: &[f64]) {
    for mut row in x.rows_mut() {
        row.iter_mut().zip(scale).for_each(|(v, s)| *v *= s);
    }
}

impl SegmentModel {
    /// Segments of `table`'s rows by the saved centres (nearest centre).
    pub fn apply(&self, table: &Table) -> Result<Vec<usize>> {
        let rows: Vec<usize> = (0..table.rows()).collect();
        let mut x = self.prep.transform(table, &rows)?;
        if !self.scale.is_empty() {
            if self.scale.len() != x.ncols() {
                return Err(Error::Recipe {
                    detail: format!(
                        "the segment model scales {} features but its transforms make {}; the file is damaged",
                        self.scale.len(),
                        x.ncols()
                    ),
                });
            }
            scale_columns(&mut x, &self.scale);
        }
        let c = Array2::from_shape_vec(
            (self.centres.len(), x.ncols()),
            self.centres.iter().flatten().copied().collect(),
        )
        .map_err(|e| Error::Recipe {
            detail: format!("the segment centres do not fit the features: {e}"),
        })?;
        if let Some(m) = &self.mixture {
            return Ok(most_likely(&m.memberships(x.view()).0));
        }
        Ok(assign(x.view(), c.view()).0)
    }
}

/// Key amounts in terciles (低/中/高), dates as recency (活跃期 ≤ 30 days,
/// 沉默期 ≤ 90, else 流失期); ordinal and nominal columns as they are.
fn binned_view(table: &Table, prep: &Prep, rows: &[usize]) -> Result<(Vec<Binned>, Table)> {
    let picked: Vec<Option<usize>> = rows.iter().map(|&i| Some(i)).collect();
    let sources = prep.sources(table)?;
    // The columns on every core (each cut reads every row), kept in order.
    let parts = crate::par::map(sources, |(t, c)| {
        if !matches!(t, Transform::Numeric { .. } | Transform::DateDays { .. }) {
            return (c.take(&picked), None);
        }
        let raw = crate::prep::raw_numbers(c, t);
        let (tiers, cuts): (Vec<&str>, Vec<f64>) = match t {
            Transform::Numeric { .. } => {
                let mut v: Vec<f64> = raw.iter().copied().filter(|x| !x.is_nan()).collect();
                let mut q = |p| crate::table::stats::quantile_selected(&mut v, p).unwrap_or(0.0);
                (vec!["低", "中", "高"], vec![q(1.0 / 3.0), q(2.0 / 3.0)])
            }
            _ => (vec!["活跃期", "沉默期", "流失期"], vec![30.0, 90.0]),
        };
        let codes: Vec<u32> = rows
            .iter()
            .map(|&i| {
                let x = raw[i];
                if x.is_nan() {
                    crate::table::MISSING_CODE
                } else {
                    cuts.iter().filter(|cut| x > **cut).count() as u32
                }
            })
            .collect();
        let name = format!("{}档位", c.name);
        let column = Column {
            name: name.clone(),
            kind: ColumnKind::Categorical,
            data: ColumnData::Categorical {
                codes,
                dict: tiers.iter().map(|s| s.to_string()).collect(),
            },
        };
        let binned = Binned {
            column: name,
            tiers: tiers.iter().map(|s| s.to_string()).collect(),
            cuts,
        };
        (column, Some(binned))
    });
    let (columns, binned): (Vec<Column>, Vec<Option<Binned>>) = parts.into_iter().unzip();
    Ok((
        binned.into_iter().flatten().collect(),
        Table::new(format!("{}（分档）", table.name), columns)?,
    ))
}

/// A depth-4 tree on the binned view predicting the segment; its held-out
/// accuracy is how faithfully the rules describe the segments.
fn surrogate(
    btable: &Table,
    binned: &[Binned],
    prep: &Prep,
    labels: &[usize],
    k: usize,
    seed: u64,
) -> Result<Option<ClassTreeReport>> {
    let mut spec = crate::prep::PrepSpec {
        max_missing_share: Some(1.0),
        ..Default::default()
    };
    for b in binned {
        spec.ordinal.insert(b.column.clone(), b.tiers.clone());
    }
    for t in &prep.transforms {
        if let Transform::Ordinal { column, order, .. } = t {
            spec.ordinal.insert(column.clone(), order.clone());
        }
    }
    // `btable` holds the sampled rows already.
    let rows: Vec<usize> = (0..btable.rows()).collect();
    let Ok(bprep) = Prep::fit(btable, &rows, &spec) else {
        return Ok(None);
    };
    // Held-out rows: a seeded 30% of them.
    let (train, test) = crate::score::stratified_split(&vec![false; rows.len()], 0.3, seed);
    if test.is_empty() || train.is_empty() {
        return Ok(None);
    }
    let train: Vec<usize> = train.iter().map(|&i| rows[i]).collect();
    let test: Vec<usize> = test.iter().map(|&i| rows[i]).collect();
    let xtr = bprep.transform(btable, &train)?;
    let xte = bprep.transform(btable, &test)?;
    let ytr: Vec<usize> = train.iter().map(|&i| labels[i]).collect();
    let yte: Vec<usize> = test.iter().map(|&i| labels[i]).collect();
    Ok(Some(fit_classes(
        &bprep,
        xtr.view(),
        &ytr,
        xte.view(),
        &yte,
        k,
        4,
    )?))
}

/// FAMD's space for mixed data: standardised numerics as they are, each
/// one-hot column divided by the square root of its share (PCA then
/// centres it), so that rare and common categories weigh alike.
fn famd(x: &Array2<f64>, layout: &Layout) -> Array2<f64> {
    let mut out = x.clone();
    for &c in layout.groups.iter().flatten() {
        let col = x.column(c);
        let top = col.iter().fold(0.0f64, |m, v| m.max(*v));
        let share = col.iter().filter(|v| **v > 0.0).count() as f64 / x.nrows().max(1) as f64;
        // The column may carry K-Prototypes' scale: back to 0/1 first.
        let unit = if top > 0.0 { top } else { 1.0 };
        out.column_mut(c)
            .mapv_inplace(|v| v / unit / share.max(f64::MIN_POSITIVE).sqrt());
    }
    out
}

/// Two principal components of a seeded sample (power iteration on the
/// covariance; the features are standardised already).
fn pca_scatter(x: ArrayView2<f64>, labels: &[usize], seed: u64, projection: &str) -> Scatter {
    let n = x.nrows();
    let sample = super::select::seeded_sample(n, SCATTER_ROWS, seed);
    let xs = x.select(Axis(0), &sample);
    let mean = xs
        .mean_axis(Axis(0))
        .unwrap_or_else(|| ndarray::Array1::zeros(x.ncols()));
    let centred = &xs - &mean;
    let cov = centred.t().dot(&centred) / (xs.nrows().max(2) - 1) as f64;
    let total: f64 = cov.diag().sum();
    let d = cov.nrows();
    let mut comps: Vec<ndarray::Array1<f64>> = Vec::new();
    let mut vals = Vec::new();
    let mut m = cov.clone();
    for c in 0..2.min(d) {
        let mut v = ndarray::Array1::from_shape_fn(d, |i| 1.0 + (i + c) as f64 * 0.01);
        let mut lambda = 0.0;
        for _ in 0..200 {
            let w = m.dot(&v);
            let norm = w.dot(&w).sqrt();
            if norm == 0.0 {
                break;
            }
            v = w / norm;
            lambda = v.dot(&m.dot(&v));
        }
        // Deflate so the next component is orthogonal.
        let outer = v
            .view()
            .insert_axis(Axis(1))
            .dot(&v.view().insert_axis(Axis(0)));
        m = m - outer * lambda;
        comps.push(v);
        vals.push(lambda);
    }
    let proj = |r: usize, c: usize| comps.get(c).map_or(0.0, |v| centred.row(r).dot(v));
    Scatter {
        points: (0..xs.nrows())
            .map(|r| {
                (
                    proj(r, 0) as f32,
                    proj(r, 1) as f32,
                    labels[sample[r]] as u32,
                )
            })
            .collect(),
        explained: (
            vals.first()
                .map_or(0.0, |v| v / total.max(f64::MIN_POSITIVE)),
            vals.get(1)
                .map_or(0.0, |v| v / total.max(f64::MIN_POSITIVE)),
        ),
        projection: projection.into(),
    }
}
