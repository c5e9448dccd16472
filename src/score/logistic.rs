//! Logistic regression with L2 penalty, fitted by linfa-logistic (L-BFGS).
//! The objective is Σ log-loss + α/2·‖w‖² with an unpenalised intercept, the
//! same as scikit-learn's `LogisticRegression(C = 1/α)`.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Checked hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    /// L2 strength α (= 1/C in scikit-learn). Default 1.
    pub alpha: f64,
    pub max_iterations: u64,
    /// Stop when the gradient of the *mean* log-loss is this small (the loss
    /// linfa minimises is a sum, so this is scaled by the row count; 1e-4 is
    /// scikit-learn's default `tol`).
    pub gradient_tolerance: f64,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            alpha: 1.0,
            max_iterations: 500,
            gradient_tolerance: 1e-4,
        }
    }
}

/// P(label) = σ(x·coef + intercept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    pub coef: Vec<f64>,
    pub intercept: f64,
}

impl LogisticParams {
    pub fn check(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha.is_finite()) {
            return Err(Error::Recipe {
                detail: format!("logistic regression needs alpha > 0 (got {})", self.alpha),
            });
        }
        Ok(())
    }

    /// Fits on `x` (rows × features, no NaN) and boolean labels with both classes.
    pub fn fit(&self, x: ArrayView2<f64>, y: &[bool]) -> Result<LogisticModel> {
        self.check()?;
        let positives = y.iter().filter(|b| **b).count();
        if positives == 0 || positives == y.len() {
            return Err(Error::Recipe {
                detail: format!(
                    "the label has one class only ({} of {} rows are positive); a model needs both",
                    positives,
                    y.len()
                ),
            });
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::Recipe {
                detail: "the design matrix has a value that is not a finite number".into(),
            });
        }
        let targets: Array1<bool> = y.iter().copied().collect();
        let data = Dataset::new(x.to_owned(), targets);
        let fitted = LogisticRegression::default()
            .alpha(self.alpha)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(self.gradient_tolerance * y.len() as f64)
            .fit(&data)
            .map_err(|e| Error::Recipe {
                detail: format!("logistic regression did not fit: {e}"),
            })?;
        // linfa models the probability of the larger class; we want P(true).
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        Ok(LogisticModel {
            coef: fitted.params().iter().map(|w| w * sign).collect(),
            intercept: fitted.intercept() * sign,
        })
    }
}

impl LogisticModel {
    pub fn decision(&self, x: ArrayView2<f64>) -> Array1<f64> {
        x.dot(&Array1::from(self.coef.clone())) + self.intercept
    }

    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Vec<f64> {
        self.decision(x)
            .iter()
            .map(|z| 1.0 / (1.0 + (-z).exp()))
            .collect()
    }

    /// Exact contributions of a linear model in its feature space:
    /// coef × (x − mean of training x) per feature, per row.
    pub fn contributions(&self, x: ArrayView2<f64>, train_mean: &[f64]) -> Array2<f64> {
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = self.coef[j] * (*v - train_mean[j]);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn learns_the_direction_and_refuses_one_class() {
        let x = array![[-2.0], [-1.0], [-0.5], [0.2], [0.4], [1.0], [2.0], [-0.1]];
        let y = [false, false, false, true, false, true, true, true];
        let m = LogisticParams::default().fit(x.view(), &y).unwrap();
        assert!(m.coef[0] > 0.0, "{m:?}");
        let p = m.predict_proba(x.view());
        assert!(p[6] > 0.7 && p[0] < 0.3, "{p:?}");
        let e = LogisticParams::default()
            .fit(x.view(), &[true; 8])
            .unwrap_err();
        assert!(e.to_string().contains("one class"), "{e}");
        let bad = LogisticParams {
            alpha: 0.0,
            ..Default::default()
        };
        assert!(bad.fit(x.view(), &y).is_err());
    }

    #[test]
    fn separable_data_converges_under_l2() {
        let x = array![[-3.0], [-2.0], [-1.0], [1.0], [2.0], [3.0]];
        let y = [false, false, false, true, true, true];
        let m = LogisticParams::default().fit(x.view(), &y).unwrap();
        assert!(m.coef[0].is_finite() && m.coef[0] > 0.5, "{m:?}");
    }
}
