//! Scoring: stratified splits, logistic regression (linfa-logistic),
//! metrics and explanations.

pub mod analysis;
pub mod lbfgs;
pub mod logistic;
pub mod metrics;
pub mod split;
pub mod tree;

pub use logistic::{ClassWeight, LogisticModel, LogisticParams};
pub use metrics::Metrics;
pub use split::{stratified_folds, stratified_split};
