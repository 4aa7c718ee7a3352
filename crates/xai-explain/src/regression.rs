//! Weighted least squares with a stable solver: the regression behind Greedy-AS and one-step
//! Banzhaf (Eqn. 6 of Hsieh et al. 2021), KernelSHAP and LIME.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use xai_core::{Result, XaiError};

/// Settings of a least-squares fit `min_{w,c} Σ_s π_s (wᵀ z_s + c − y_s)² + λ‖w‖²`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeastSquares {
    /// Fit the intercept `c` (not penalised).
    pub intercept: bool,
    /// Ridge penalty `λ ≥ 0` on the coefficients (0 = ordinary least squares).
    pub ridge: f64,
}

impl Default for LeastSquares {
    fn default() -> Self {
        Self { intercept: true, ridge: 0.0 }
    }
}

/// The result of a fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// One coefficient per column of the design.
    pub coefficients: Vec<f64>,
    /// The intercept (0 when not fitted).
    pub intercept: f64,
    /// Numerical rank of the normal equations (columns + intercept when full).
    pub rank: usize,
    /// Whether the design was rank-deficient (fewer useful samples than unknowns, a column that
    /// never or always varies): the minimum-norm solution was returned instead.
    pub degenerate: bool,
}

impl LeastSquares {
    /// Fits `y` on the rows of `design` (`rows × columns`, row-major) with optional sample
    /// weights. Solves the normal equations by Cholesky and falls back to the pseudo-inverse
    /// (symmetric eigendecomposition, relative cut-off 1e-10) when they are singular.
    ///
    /// The Gram matrix skips zero entries, so sparse 0/1 designs cost `Σ nnz²`.
    pub fn fit(
        &self,
        design: &[f32],
        columns: usize,
        y: &[f32],
        weights: Option<&[f64]>,
    ) -> Result<Fit> {
        let rows = y.len();
        if columns == 0 || design.len() != rows * columns {
            return Err(XaiError::shape(
                "regression design",
                format!("{rows} rows × {columns} columns (one row per target value)"),
                &[design.len()],
            ));
        }
        if rows == 0 {
            return Err(XaiError::invalid("regression samples", 0, "at least one sample"));
        }
        if let Some(w) = weights {
            if w.len() != rows {
                return Err(XaiError::shape("regression weights", format!("{rows}"), &[w.len()]));
            }
            if let Some(bad) = w.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return Err(XaiError::invalid("regression weight", bad, "finite and >= 0"));
            }
        }
        if !(self.ridge.is_finite() && self.ridge >= 0.0) {
            return Err(XaiError::invalid("ridge penalty", self.ridge, "finite and >= 0"));
        }
        let bad_y = y.iter().filter(|v| !v.is_finite()).count();
        let bad_x = design.iter().filter(|v| !v.is_finite()).count();
        if bad_y + bad_x > 0 {
            return Err(XaiError::NonFinite {
                what: "regression data".into(),
                count: bad_x + bad_y,
            });
        }
        let p = columns + usize::from(self.intercept);
        let mut gram = vec![0.0f64; p * p];
        let mut rhs = vec![0.0f64; p];
        let mut nz: Vec<(usize, f64)> = Vec::with_capacity(p);
        for s in 0..rows {
            let w = weights.map_or(1.0, |w| w[s]);
            if w == 0.0 {
                continue;
            }
            nz.clear();
            let row = &design[s * columns..(s + 1) * columns];
            nz.extend(
                row.iter().enumerate().filter(|(_, v)| **v != 0.0).map(|(j, v)| (j, *v as f64)),
            );
            if self.intercept {
                nz.push((columns, 1.0));
            }
            let ys = y[s] as f64 * w;
            for (a, &(i, vi)) in nz.iter().enumerate() {
                rhs[i] += vi * ys;
                let wi = vi * w;
                let line = &mut gram[i * p..(i + 1) * p];
                for &(j, vj) in &nz[a..] {
                    line[j] += wi * vj;
                }
            }
        }
        // Mirror the upper triangle (accumulated with i < j in column order).
        for i in 0..p {
            for j in (i + 1)..p {
                let v = gram[i * p + j] + gram[j * p + i];
                gram[i * p + j] = v;
                gram[j * p + i] = v;
            }
        }
        for j in 0..columns {
            gram[j * p + j] += self.ridge;
        }
        let a = DMatrix::from_row_slice(p, p, &gram);
        let b = DVector::from_vec(rhs);
        let (solution, rank) = solve_symmetric(a, b);
        let coefficients = solution.iter().take(columns).copied().collect();
        let intercept = if self.intercept { solution[columns] } else { 0.0 };
        Ok(Fit { coefficients, intercept, rank, degenerate: rank < p })
    }
}

/// Solves `A x = b` for symmetric positive semi-definite `A`: Cholesky when `A` is well
/// conditioned, otherwise the minimum-norm solution through the pseudo-inverse. Returns the
/// solution and the numerical rank.
fn solve_symmetric(a: DMatrix<f64>, b: DVector<f64>) -> (DVector<f64>, usize) {
    let p = a.nrows();
    let max_diag = (0..p).map(|i| a[(i, i)]).fold(0.0f64, f64::max);
    if let Some(chol) = a.clone().cholesky() {
        let l = chol.l_dirty();
        let min_pivot = (0..p).map(|i| l[(i, i)] * l[(i, i)]).fold(f64::INFINITY, f64::min);
        if min_pivot > 1e-10 * max_diag {
            return (chol.solve(&b), p);
        }
    }
    let eig = a.symmetric_eigen();
    let cutoff = 1e-10 * eig.eigenvalues.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let mut x = DVector::zeros(p);
    let mut rank = 0;
    for k in 0..p {
        let lambda = eig.eigenvalues[k];
        if lambda.abs() > cutoff && lambda.abs() > 0.0 {
            let v = eig.eigenvectors.column(k);
            x += v * (v.dot(&b) / lambda);
            rank += 1;
        }
    }
    (x, rank)
}
