//! Areas under evaluation curves.

use xai_core::{Result, XaiError};

/// The area under the piecewise-linear curve through `(x_i, y_i)` by the trapezoid rule,
/// `Σ_i (x_{i+1} − x_i)(y_i + y_{i+1}) / 2`. Paper 000 reports AUCs with `x` in percent of
/// features (5, 10, …, 45), so the area spans 40 units.
pub fn trapezoid(x: &[f64], y: &[f64]) -> Result<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return Err(XaiError::shape(
            "curve",
            "x and y of equal length, at least 2 points",
            &[x.len(), y.len()],
        ));
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        let count = x.iter().chain(y).filter(|v| !v.is_finite()).count();
        return Err(XaiError::NonFinite { what: "curve points".into(), count });
    }
    if x.windows(2).any(|w| w[1] <= w[0]) {
        return Err(XaiError::invalid("curve x", format!("{x:?}"), "strictly increasing"));
    }
    Ok(x.windows(2).zip(y.windows(2)).map(|(xs, ys)| (xs[1] - xs[0]) * (ys[0] + ys[1]) / 2.0).sum())
}

/// The paper's default grid: 5%, 10%, …, 45% of the features.
pub fn paper_fractions() -> Vec<f64> {
    (1..=9).map(|i| i as f64 * 0.05).collect()
}

/// Checks a grid of feature fractions: non-empty, strictly increasing, each in (0, 1].
pub fn check_fractions(fractions: &[f64]) -> Result<()> {
    if fractions.len() < 2 {
        return Err(XaiError::invalid("fractions", format!("{fractions:?}"), "at least 2 points"));
    }
    if fractions.iter().any(|f| !(*f > 0.0 && *f <= 1.0))
        || fractions.windows(2).any(|w| w[1] <= w[0])
    {
        return Err(XaiError::invalid(
            "fractions",
            format!("{fractions:?}"),
            "strictly increasing values in (0, 1]",
        ));
    }
    Ok(())
}
