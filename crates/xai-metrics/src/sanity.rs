//! The sanity check of Adebayo et al. (2018) as used by Hsieh et al. 2021 (appendix I): an
//! explanation of a randomised model should differ from that of the trained model.

use crate::rank_correlation::spearman;
use serde::{Deserialize, Serialize};
use xai_core::{Attribution, Classifier, Cost, XaiError};
use xai_explain::{ExplainRequest, Explainer};

/// Rank correlations between explanations of the original and the randomised model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SanityReport {
    /// Spearman's ρ per example (lower = more sensitive to the parameters = passes).
    pub per_example: Vec<f64>,
    /// The mean ρ (the paper's Table 7 figure).
    pub mean: f64,
    /// Model evaluations spent on both sets of explanations.
    pub cost: Cost,
}

/// Spearman's ρ between paired attributions (same examples, same order).
pub fn sanity_from_attributions(
    original: &[Attribution],
    randomized: &[Attribution],
) -> xai_core::Result<SanityReport> {
    if original.len() != randomized.len() || original.is_empty() {
        return Err(XaiError::shape(
            "attributions",
            "the same non-zero number for both models",
            &[original.len(), randomized.len()],
        ));
    }
    let per_example = original
        .iter()
        .zip(randomized)
        .map(|(a, b)| spearman(&a.scores, &b.scores))
        .collect::<xai_core::Result<Vec<_>>>()?;
    let mean = per_example.iter().sum::<f64>() / per_example.len() as f64;
    let cost = original.iter().chain(randomized).map(|a| a.cost).sum();
    Ok(SanityReport { per_example, mean, cost })
}

/// Explains `request` on both models with `explainer` and correlates the maps. The
/// randomised model is the caller's (e.g. the zoo's `mnist-cnn` with its last layer
/// re-initialised: `xai_zoo::ZooModel::randomized`); both explain the same classes.
pub fn sanity_check<M: Classifier<D>, R: Classifier<D>, X: Explainer<D>, const D: usize>(
    explainer: &X,
    original: &M,
    randomized: &R,
    request: &ExplainRequest<D>,
) -> xai_core::Result<SanityReport> {
    let a = explainer.explain(original, request)?;
    let b = explainer.explain(randomized, request)?;
    sanity_from_attributions(&a, &b)
}
