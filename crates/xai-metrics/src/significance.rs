//! Paired Student's t-test between two methods' per-example scores (Hsieh et al. 2021,
//! appendix G).

use crate::curve::Better;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};
use xai_core::{Result, XaiError};

/// The outcome of comparing method A with method B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// A is significantly better.
    Win,
    /// No significant difference.
    Draw,
    /// A is significantly worse.
    Loss,
}

/// A paired t-test result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedTTest {
    /// Mean of the differences `a_i − b_i`.
    pub mean_difference: f64,
    /// The t statistic (`±∞` when all differences are equal and non-zero).
    pub t: f64,
    /// Degrees of freedom `n − 1`.
    pub degrees_of_freedom: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Win / draw / loss for A at the chosen level, in the metric's direction.
    pub outcome: Outcome,
}

/// Paired two-sided t-test of `a` against `b` (same examples, same order) at significance
/// `alpha` (the paper: 0.05); `better` says which direction is a win.
pub fn paired_t_test(a: &[f64], b: &[f64], better: Better, alpha: f64) -> Result<PairedTTest> {
    if a.len() != b.len() || a.len() < 2 {
        return Err(XaiError::shape(
            "paired samples",
            "two samples of equal length >= 2",
            &[a.len(), b.len()],
        ));
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(XaiError::invalid("significance level", alpha, "in (0, 1)"));
    }
    if a.iter().chain(b).any(|v| !v.is_finite()) {
        let count = a.iter().chain(b).filter(|v| !v.is_finite()).count();
        return Err(XaiError::NonFinite { what: "paired samples".into(), count });
    }
    let n = a.len() as f64;
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let df = n - 1.0;
    let (t, p) = if var == 0.0 {
        if mean == 0.0 { (0.0, 1.0) } else { (mean.signum() * f64::INFINITY, 0.0) }
    } else {
        let t = mean / (var / n).sqrt();
        let dist = StudentsT::new(0.0, 1.0, df)
            .map_err(|e| XaiError::invalid("t distribution", df, e.to_string()))?;
        (t, 2.0 * (1.0 - dist.cdf(t.abs())))
    };
    let a_better = match better {
        Better::Higher => mean > 0.0,
        Better::Lower => mean < 0.0,
    };
    let outcome = if p >= alpha || mean == 0.0 {
        Outcome::Draw
    } else if a_better {
        Outcome::Win
    } else {
        Outcome::Loss
    };
    Ok(PairedTTest { mean_difference: mean, t, degrees_of_freedom: df, p_value: p, outcome })
}
