//! Scoring: logistic regression (own L-BFGS), metrics,
//! explanations, and month-on-month monitoring (`monitor`).

pub mod analysis;
pub mod explain;
pub mod gbdt;
pub mod lbfgs;
pub mod leakage;
pub mod logistic;
pub mod metrics;
pub mod monitor;
pub mod scorecard;
#[cfg(not(target_arch = "wasm32"))]
pub mod stream;

pub mod tree;

pub use crate::prep::split::{stratified_folds, stratified_split};
pub use logistic::{ClassWeight, LogisticModel, LogisticParams};
pub use metrics::Metrics;
