//! L-BFGS with a strong-Wolfe line search (Nocedal & Wright, algorithms
//! 7.4, 3.5 and 3.6), for smooth convex objectives such as the weighted
//! logistic loss. It is ours because linfa-logistic (argmin underneath) takes
//! no sample weights and evaluates loss and gradient in separate passes; the
//! stopping rules are scipy's L-BFGS-B ones, which scikit-learn uses.

/// Checked settings of the minimiser.
#[derive(Debug, Clone, PartialEq)]
pub struct Lbfgs {
    /// Correction pairs kept (scipy's `maxcor`, 10).
    pub memory: usize,
    pub max_iterations: usize,
    /// Stop when max |∂f/∂xᵢ| ≤ this (already in the objective's scale).
    pub gradient_tolerance: f64,
    /// Stop when the relative decrease of f is below this (scipy's `ftol`).
    pub f_tolerance: f64,
}

/// Where the minimiser stopped, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub f: f64,
    pub iterations: usize,
    pub evaluations: usize,
    pub converged: bool,
}

impl Default for Lbfgs {
    fn default() -> Self {
        Lbfgs {
            memory: 10,
            max_iterations: 500,
            gradient_tolerance: 1e-5,
            f_tolerance: 64.0 * f64::EPSILON,
        }
    }
}

const C1: f64 = 1e-4;
const C2: f64 = 0.9;
const MAX_LINE_EVALS: usize = 30;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// One accepted point of the line search.
struct Point {
    alpha: f64,
    f: f64,
    g: Vec<f64>,
    slope: f64,
}

impl Lbfgs {
    /// Minimises `objective`, which returns f(x) and writes ∇f(x) into its
    /// second argument, starting from `x0`.
    pub fn minimise<F>(&self, x0: Vec<f64>, mut objective: F) -> Minimum
    where
        F: FnMut(&[f64], &mut [f64]) -> f64,
    {
        let n = x0.len();
        let mut x = x0;
        let mut g = vec![0.0; n];
        let mut f = objective(&x, &mut g);
        let mut evaluations = 1;
        let mut pairs: std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)> =
            std::collections::VecDeque::new();
        let done = |iterations, evaluations, x, f, converged| Minimum {
            x,
            f,
            iterations,
            evaluations,
            converged,
        };
        if max_abs(&g) <= self.gradient_tolerance {
            return done(0, evaluations, x, f, true);
        }
        for iteration in 1..=self.max_iterations {
            let mut d = self.direction(&g, &pairs);
            let mut slope = dot(&d, &g);
            if slope >= 0.0 || !slope.is_finite() {
                pairs.clear();
                d = g.iter().map(|v| -v).collect();
                slope = -dot(&g, &g);
            }
            // The first step has no curvature estimate: move one unit of x.
            let first = if pairs.is_empty() {
                (1.0 / dot(&d, &d).sqrt()).min(1.0)
            } else {
                1.0
            };
            let mut eval = |alpha: f64| {
                let xa: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + alpha * b).collect();
                let mut ga = vec![0.0; n];
                let fa = objective(&xa, &mut ga);
                let slope = dot(&ga, &d);
                Point {
                    alpha,
                    f: fa,
                    g: ga,
                    slope,
                }
            };
            let (point, used) = line_search(f, slope, first, &mut eval);
            evaluations += used;
            let Some(p) = point else {
                if pairs.is_empty() {
                    // Even steepest descent found no decrease: x is as good as
                    // floating point allows.
                    let converged = max_abs(&g) <= self.gradient_tolerance * 1e3;
                    return done(iteration, evaluations, x, f, converged);
                }
                pairs.clear();
                continue;
            };
            let s: Vec<f64> = d.iter().map(|v| v * p.alpha).collect();
            let y: Vec<f64> = p.g.iter().zip(&g).map(|(a, b)| a - b).collect();
            let sy = dot(&s, &y);
            for (xi, si) in x.iter_mut().zip(&s) {
                *xi += si;
            }
            let f_old = f;
            f = p.f;
            g = p.g;
            if sy > 1e-12 * dot(&y, &y) {
                if pairs.len() == self.memory {
                    pairs.pop_front();
                }
                pairs.push_back((s, y, 1.0 / sy));
            }
            if max_abs(&g) <= self.gradient_tolerance {
                return done(iteration, evaluations, x, f, true);
            }
            if (f_old - f) / f_old.abs().max(f.abs()).max(1.0) <= self.f_tolerance {
                return done(iteration, evaluations, x, f, true);
            }
        }
        done(self.max_iterations, evaluations, x, f, false)
    }

    /// −H·g by the two-loop recursion.
    fn direction(
        &self,
        g: &[f64],
        pairs: &std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)>,
    ) -> Vec<f64> {
        let mut q: Vec<f64> = g.to_vec();
        let mut alphas = Vec::with_capacity(pairs.len());
        for (s, y, rho) in pairs.iter().rev() {
            let a = rho * dot(s, &q);
            for (qi, yi) in q.iter_mut().zip(y) {
                *qi -= a * yi;
            }
            alphas.push(a);
        }
        if let Some((s, y, _)) = pairs.back() {
            let gamma = dot(s, y) / dot(y, y);
            q.iter_mut().for_each(|v| *v *= gamma);
        }
        for ((s, y, rho), a) in pairs.iter().zip(alphas.iter().rev()) {
            let b = rho * dot(y, &q);
            for (qi, si) in q.iter_mut().zip(s) {
                *qi += (a - b) * si;
            }
        }
        q.iter_mut().for_each(|v| *v = -*v);
        q
    }
}

/// Strong-Wolfe line search along a descent direction with slope `slope0`
/// at f = `f0`. Returns the accepted point (if any) and the evaluations used.
fn line_search(
    f0: f64,
    slope0: f64,
    first: f64,
    eval: &mut impl FnMut(f64) -> Point,
) -> (Option<Point>, usize) {
    let mut used = 0;
    let mut prev = Point {
        alpha: 0.0,
        f: f0,
        g: Vec::new(),
        slope: slope0,
    };
    let mut alpha = first;
    while used < MAX_LINE_EVALS {
        let p = eval(alpha);
        used += 1;
        if !p.f.is_finite() {
            // Overshot into overflow: come back towards the last point.
            alpha = 0.5 * (prev.alpha + alpha);
            continue;
        }
        if p.f > f0 + C1 * p.alpha * slope0 || (used > 1 && p.f >= prev.f) {
            return zoom(f0, slope0, prev, p, eval, used);
        }
        if p.slope.abs() <= -C2 * slope0 {
            return (Some(p), used);
        }
        if p.slope >= 0.0 {
            return zoom(f0, slope0, p, prev, eval, used);
        }
        alpha = p.alpha * 2.0;
        prev = p;
    }
    (None, used)
}

/// Narrows [lo, hi] (lo satisfies sufficient decrease) until a point meets
/// both Wolfe conditions; falls back to lo when it decreased f.
fn zoom(
    f0: f64,
    slope0: f64,
    mut lo: Point,
    mut hi: Point,
    eval: &mut impl FnMut(f64) -> Point,
    mut used: usize,
) -> (Option<Point>, usize) {
    while used < MAX_LINE_EVALS {
        let (a, b) = (lo.alpha.min(hi.alpha), lo.alpha.max(hi.alpha));
        let width = b - a;
        if width <= 1e-14 * b.max(1e-300) {
            break;
        }
        let mut alpha = cubic_min(&lo, &hi);
        if !(alpha > a + 0.1 * width && alpha < b - 0.1 * width) {
            alpha = 0.5 * (a + b);
        }
        let p = eval(alpha);
        used += 1;
        if !p.f.is_finite() || p.f > f0 + C1 * alpha * slope0 || p.f >= lo.f {
            hi = p;
        } else {
            if p.slope.abs() <= -C2 * slope0 {
                return (Some(p), used);
            }
            if p.slope * (hi.alpha - lo.alpha) >= 0.0 {
                hi = std::mem::replace(&mut lo, p);
            } else {
                lo = p;
            }
        }
    }
    let decreased = lo.alpha > 0.0 && lo.f < f0;
    (decreased.then_some(lo), used)
}

/// Minimiser of the cubic through two points with their slopes (NaN if none).
fn cubic_min(p: &Point, q: &Point) -> f64 {
    let d1 = p.slope + q.slope - 3.0 * (p.f - q.f) / (p.alpha - q.alpha);
    let disc = d1 * d1 - p.slope * q.slope;
    if disc < 0.0 {
        return f64::NAN;
    }
    let d2 = (q.alpha - p.alpha).signum() * disc.sqrt();
    q.alpha - (q.alpha - p.alpha) * (q.slope + d2 - d1) / (q.slope - p.slope + 2.0 * d2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_the_rosenbrock_valley() {
        let rosen = |x: &[f64], g: &mut [f64]| {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        };
        let m = Lbfgs {
            gradient_tolerance: 1e-8,
            f_tolerance: 0.0,
            ..Default::default()
        }
        .minimise(vec![-1.2, 1.0], rosen);
        assert!(m.converged, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-6 && (m.x[1] - 1.0).abs() < 1e-6,
            "{m:?}"
        );
        assert!(m.iterations < 100, "{m:?}");
    }

    #[test]
    fn solves_a_badly_scaled_quadratic_exactly() {
        // f = Σ cᵢ (xᵢ − i)², condition number 1e6.
        let c = [1e-3, 1.0, 10.0, 1e3];
        let m = Lbfgs {
            gradient_tolerance: 1e-10,
            f_tolerance: 0.0,
            ..Default::default()
        }
        .minimise(vec![0.0; 4], |x, g| {
            let mut f = 0.0;
            for i in 0..4 {
                let r = x[i] - i as f64;
                f += c[i] * r * r;
                g[i] = 2.0 * c[i] * r;
            }
            f
        });
        assert!(m.converged, "{m:?}");
        for (i, v) in m.x.iter().enumerate() {
            assert!((v - i as f64).abs() < 1e-6, "{m:?}");
        }
    }
}
