//! The result of a curve metric over a set of examples.

use crate::auc::trapezoid;
use serde::{Deserialize, Serialize};
use xai_core::{Cost, Result};

/// Which direction is better for a metric's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Better {
    /// Larger values mean a better explanation.
    Higher,
    /// Smaller values mean a better explanation.
    Lower,
}

/// A metric's curve for each example, their mean, and the areas under them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveReport {
    /// The metric's name (e.g. `"robustness-sr-bar"`, `"insertion"`).
    pub metric: String,
    /// Which direction is better.
    pub better: Better,
    /// The x values in percent of features.
    pub x_percent: Vec<f64>,
    /// One curve per example (`y[example][point]`).
    pub per_example: Vec<Vec<f64>>,
    /// The mean curve over examples.
    pub mean: Vec<f64>,
    /// The trapezoid AUC of each example's curve (x in percent).
    pub auc_per_example: Vec<f64>,
    /// The mean of the per-example AUCs (equals the AUC of the mean curve).
    pub auc: f64,
    /// Points whose value is a fallback rather than a measurement (e.g. robustness where no
    /// attack succeeded), per example; empty where the metric has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallback: Vec<Vec<bool>>,
    /// Model evaluations spent.
    pub cost: Cost,
}

impl CurveReport {
    /// Assembles a report from per-example curves.
    pub fn new(
        metric: impl Into<String>,
        better: Better,
        fractions: &[f64],
        per_example: Vec<Vec<f64>>,
        cost: Cost,
    ) -> Result<Self> {
        let x_percent: Vec<f64> = fractions.iter().map(|f| f * 100.0).collect();
        let auc_per_example =
            per_example.iter().map(|y| trapezoid(&x_percent, y)).collect::<Result<Vec<_>>>()?;
        let n = per_example.len().max(1) as f64;
        let mean = (0..x_percent.len())
            .map(|j| per_example.iter().map(|y| y[j]).sum::<f64>() / n)
            .collect();
        let auc = auc_per_example.iter().sum::<f64>() / n;
        Ok(Self {
            metric: metric.into(),
            better,
            x_percent,
            per_example,
            mean,
            auc_per_example,
            auc,
            fallback: Vec::new(),
            cost,
        })
    }
}
