//! The robustness numbers of a batch for hand-written loops: mean minimum adversarial norm,
//! found fraction and cost.

use crate::input::RobustnessInput;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use xai_attacks::{RobustnessEstimator, RobustnessQuery};
use xai_core::{Classifier, Cost, Norm};

/// The robustness of a batch: the mean estimated minimum adversarial norm (Robustness-S,
/// Eqn. 1 of Hsieh et al. 2021, all features free) over the rows backed by a verified
/// adversarial example, how many rows that is, and what the estimate cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobustnessSummary {
    /// The mean norm over the found rows; `None` when no row was found (not-found rows are
    /// excluded, as in [`crate::RobustnessMetric`]).
    pub mean_norm: Option<f64>,
    /// The fraction of rows found, in `[0, 1]`.
    pub found_fraction: f64,
    /// Number of rows measured.
    pub rows: usize,
    /// Number of rows found.
    pub found: usize,
    /// The norm the estimates are measured in.
    pub norm: Norm,
    /// Forward and backward sample-evaluations the estimator spent.
    pub cost: Cost,
}

impl RobustnessSummary {
    /// The summary of per-row estimates measured in `norm` at `cost`.
    pub fn from_input(input: &RobustnessInput, norm: Norm, cost: Cost) -> Self {
        let rows = input.rows();
        let found = input.found_count();
        let found_fraction = if rows > 0 { found as f64 / rows as f64 } else { 0.0 };
        Self { mean_norm: input.mean_found_norm(), found_fraction, rows, found, norm, cost }
    }
}

/// The untargeted robustness of `model` on a batch: estimates each row's minimum adversarial
/// norm with `estimator` (all input elements free, box `[0, 1]`) and summarises. For another
/// box, goal or masks, build a [`RobustnessQuery`] and call [`summarize`].
///
/// Cost: the estimator's (reported in [`RobustnessSummary::cost`]).
///
/// # Shapes
/// - inputs: `[rows, ...]`; labels: `rows` values
pub fn mean_min_adversarial_norm<M, E, const D: usize>(
    model: &M,
    inputs: Tensor<D>,
    labels: &[usize],
    estimator: &E,
) -> xai_core::Result<RobustnessSummary>
where
    M: Classifier<D>,
    E: RobustnessEstimator<D>,
{
    let free = inputs.ones_like();
    let query = RobustnessQuery::new(inputs, labels.to_vec(), free)?;
    summarize(model, &query, estimator)
}

/// [`mean_min_adversarial_norm`] for any [`RobustnessQuery`] (box, goal, masks, fallback).
///
/// # Shapes
/// `query` of `rows` rows → a summary over `rows` estimates
pub fn summarize<M, E, const D: usize>(
    model: &M,
    query: &RobustnessQuery<D>,
    estimator: &E,
) -> xai_core::Result<RobustnessSummary>
where
    M: Classifier<D>,
    E: RobustnessEstimator<D>,
{
    let batch = estimator.estimate(model, query)?;
    Ok(RobustnessSummary::from_input(
        &RobustnessInput::from_batch(&batch),
        estimator.norm(),
        batch.cost,
    ))
}
