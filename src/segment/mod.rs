//! Segmentation: K-Means (linfa-clustering), K-Prototypes (own), choosing K, profiles, names and
//! strategies, and the recipe step that ties them together.
//!
//! Features come from `src/prep/` fitted on all rows (no label): numbers
//! imputed, optionally log1p'd and standardised; ordinals by their order;
//! nominal categories one-hot. Every figure of a segment is reported in the
//! source columns' own units.

pub mod gmm;
pub mod kmeans;
pub mod kprototypes;
pub mod migrate;
pub mod names;
pub mod profile;
pub mod report;
pub mod select;

pub use kmeans::{Clustering, KMeansParams};
pub use kprototypes::{KPrototypes, KPrototypesParams};
pub use select::{KScore, KSelection};

/// A segmentation error in both languages.
pub(crate) fn invalid(detail: String, detail_zh: String) -> crate::Error {
    crate::Error::Analysis { detail, detail_zh }
}
