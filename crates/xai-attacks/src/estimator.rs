//! The interface every minimum-norm robustness estimator implements, and the shared driver that
//! skips empty masks, verifies every claimed example and applies the fallback.

use crate::batch::AttackBatch;
use crate::geometry::scatter_rows;
use crate::goal::AttackGoal;
use crate::query::RobustnessQuery;
use crate::verify::{VerifyFailure, verify_rows};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use xai_core::{Classifier, Cost, Evaluator, FeatureMask, FeatureSpace, Norm, Result, XaiError};

/// The estimate for one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowEstimate {
    /// The estimated minimum norm (an upper bound on Robustness-S, Eqn. 1 / 2 of Hsieh et al.
    /// 2021) when found; the query's [`crate::Fallback`] otherwise.
    pub estimate: f32,
    /// Whether a verified adversarial example backs the estimate.
    pub found: bool,
    /// Forward and backward sample-evaluations spent on this row (attack and verification).
    pub cost: Cost,
    /// Why the estimator's candidate was rejected by verification, if it was.
    pub rejected: Option<VerifyFailure>,
}

/// The estimates for a batch.
#[derive(Debug, Clone)]
pub struct RobustnessBatch<const D: usize> {
    /// One estimate per row.
    pub rows: Vec<RowEstimate>,
    /// The adversarial examples; rows that were not found hold the clean input.
    ///
    /// # Shapes
    /// `[rows, ...]` like the query's inputs
    pub adversarial: Tensor<D>,
    /// Total evaluations counted on the model (the sum of the rows' costs for this crate's
    /// estimators).
    pub cost: Cost,
}

impl<const D: usize> RobustnessBatch<D> {
    /// The estimates, in row order.
    pub fn estimates(&self) -> Vec<f32> {
        self.rows.iter().map(|r| r.estimate).collect()
    }

    /// Which rows were found, in row order.
    pub fn found(&self) -> Vec<bool> {
        self.rows.iter().map(|r| r.found).collect()
    }
}

/// A minimum-norm robustness estimator (Robustness-Sr / S̄r of Hsieh et al. 2021, Definition
/// 3.1/3.2): for each row, an upper bound on the smallest perturbation restricted to the row's
/// free set that meets its goal, backed by a verified adversarial example.
pub trait RobustnessEstimator<const D: usize> {
    /// A short name for reports, e.g. `"bisection-pgd"`, `"fmn"`.
    fn name(&self) -> String;

    /// The norm the estimates are measured in.
    fn norm(&self) -> Norm;

    /// Estimates every row of `query`. Rows with an empty free set are never attacked (not
    /// found, zero cost); every claimed example is verified ([`crate::verify_rows`]) and a row
    /// failing verification is reported as not found.
    ///
    /// # Shapes
    /// `query` of `rows` rows → `rows` estimates and `[rows, ...]` adversarial examples
    fn estimate<M: Classifier<D>>(
        &self,
        model: &M,
        query: &RobustnessQuery<D>,
    ) -> Result<RobustnessBatch<D>>;

    /// [`RobustnessEstimator::estimate`] from feature masks (`true` = free), one per row.
    ///
    /// # Shapes
    /// - inputs: `[rows, ...space.sample_shape()]`; labels, masks: `rows` each
    fn estimate_masks<M: Classifier<D>>(
        &self,
        model: &M,
        inputs: Tensor<D>,
        labels: Vec<usize>,
        goal: AttackGoal,
        masks: &[FeatureMask],
        space: &FeatureSpace,
    ) -> Result<RobustnessBatch<D>> {
        let query = RobustnessQuery::from_masks(inputs, labels, masks, space)?.with_goal(goal)?;
        self.estimate(model, &query)
    }

    /// [`RobustnessEstimator::estimate`] over chunks of at most `chunk` rows (bounds memory on
    /// large inputs); results are concatenated in row order.
    fn estimate_chunked<M: Classifier<D>>(
        &self,
        model: &M,
        query: &RobustnessQuery<D>,
        chunk: usize,
    ) -> Result<RobustnessBatch<D>> {
        let mut parts = Vec::new();
        for range in xai_core::batching::batches(query.rows(), chunk)? {
            parts.push(self.estimate(model, &query.slice(range)?)?);
        }
        let cost = parts.iter().map(|p| p.cost).sum();
        let rows = parts.iter().flat_map(|p| p.rows.clone()).collect();
        let adversarial = Tensor::cat(parts.into_iter().map(|p| p.adversarial).collect(), 0);
        Ok(RobustnessBatch { rows, adversarial, cost })
    }
}

/// How an estimator's claimed values relate to its examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// The claimed value is a budget the example's norm is below (bisection reports `ε_hi`).
    Budget,
    /// The claimed value is the example's own norm: report the verified measurement.
    Norm,
}

/// What an estimator's search returns for the rows it attacked.
pub(crate) struct Candidates {
    /// Claimed values (`None` = nothing found).
    pub claimed: Vec<Option<f32>>,
    /// The candidate examples, flat (`[rows, elements]`).
    pub adversarial: Tensor<2>,
    /// How to read `claimed`.
    pub claim: Claim,
}

/// The shared driver: attacks the rows with a non-empty free set through `search` (which
/// charges its per-row costs), verifies, applies the fallback and assembles the batch.
pub(crate) fn run_estimator<M, const D: usize>(
    model: &M,
    query: &RobustnessQuery<D>,
    norm: Norm,
    search: impl FnOnce(&Evaluator<'_, M, D>, &AttackBatch<D>, &mut [Cost]) -> Result<Candidates>,
) -> Result<RobustnessBatch<D>>
where
    M: Classifier<D>,
{
    let eval = Evaluator::new(model);
    let full = query.batch()?;
    let n = query.rows();
    let active: Vec<usize> =
        query.free_counts().iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, _)| i).collect();
    let mut rows: Vec<RowEstimate> = (0..n)
        .map(|i| RowEstimate {
            estimate: query.fallback_value(i, norm),
            found: false,
            cost: Cost::default(),
            rejected: None,
        })
        .collect();
    let mut adversarial = full.inputs();
    if !active.is_empty() {
        let batch = if active.len() == n { full.clone() } else { full.select(&active) };
        let mut costs = vec![Cost::default(); active.len()];
        let found = search(&eval, &batch, &mut costs)?;
        if found.claimed.len() != active.len() || found.adversarial.dims()[0] != active.len() {
            return Err(XaiError::shape(
                "search result",
                format!("{} rows", active.len()),
                &found.adversarial.dims(),
            ));
        }
        let checks = verify_rows(&eval, &batch, found.adversarial.clone(), &found.claimed, norm)?;
        let mut accepted = Vec::new();
        for (k, &row) in active.iter().enumerate() {
            let out = &mut rows[row];
            out.cost = costs[k];
            let (Some(claimed), Some(check)) = (found.claimed[k], &checks[k]) else { continue };
            out.cost.forward += 1;
            if check.passed {
                out.found = true;
                out.estimate = match found.claim {
                    Claim::Budget => claimed,
                    Claim::Norm => check.norm,
                };
                accepted.push(k);
            } else {
                out.rejected = check.failure.clone();
            }
        }
        if !accepted.is_empty() {
            let idx = crate::batch::index_tensor(&accepted, &adversarial.device());
            let rows_full: Vec<usize> = accepted.iter().map(|&k| active[k]).collect();
            adversarial = scatter_rows(adversarial, &rows_full, found.adversarial.select(0, idx));
        }
    }
    Ok(RobustnessBatch { rows, adversarial: full.to_model(adversarial), cost: eval.cost() })
}
