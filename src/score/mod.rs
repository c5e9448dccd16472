//! Scoring: stratified splits, logistic regression (own L-BFGS), metrics,
//! explanations, and month-on-month monitoring (`monitor`).

pub mod analysis;
pub mod lbfgs;
pub mod logistic;
pub mod metrics;
pub mod monitor;
pub mod split;
pub mod tree;

pub use logistic::{ClassWeight, LogisticModel, LogisticParams};
pub use metrics::Metrics;
pub use split::{stratified_folds, stratified_split};
