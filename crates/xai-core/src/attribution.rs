//! Attribution maps: one relevance score per feature.

use crate::cost::Cost;
use crate::error::{Result, XaiError};
use crate::mask::FeatureMask;
use serde::{Deserialize, Serialize};

/// An explanation of one input: a score per feature (higher = more relevant), the method that
/// made it, the class it explains, and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// Name of the method (e.g. `"grad"`, `"greedy-as"`).
    pub method: String,
    /// The explained class.
    pub target: usize,
    /// The contrast class of a targeted explanation ("why `target` and not `contrast`").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contrast: Option<usize>,
    /// One score per feature; higher means more relevant.
    pub scores: Vec<f32>,
    /// Model evaluations spent on this explanation.
    pub cost: Cost,
}

impl Attribution {
    /// An attribution; errors if a score is NaN (rankings would be meaningless).
    pub fn new(
        method: impl Into<String>,
        target: usize,
        scores: Vec<f32>,
        cost: Cost,
    ) -> Result<Self> {
        let method = method.into();
        let nan = scores.iter().filter(|s| s.is_nan()).count();
        if nan > 0 {
            return Err(XaiError::NonFinite { what: format!("{method} scores"), count: nan });
        }
        Ok(Self { method, target, contrast: None, scores, cost })
    }

    /// The same attribution marked as targeted against `contrast`.
    pub fn with_contrast(mut self, contrast: Option<usize>) -> Self {
        self.contrast = contrast;
        self
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.scores.len()
    }

    /// Features from most to least relevant. Ties are broken by the lower feature index, so
    /// the order is deterministic.
    pub fn ranking(&self) -> Vec<usize> {
        ranking(&self.scores)
    }

    /// The `k` most relevant features as a mask; `k` must be in `1..=n_features`.
    pub fn top_k(&self, k: usize) -> Result<FeatureMask> {
        let n = self.n_features();
        if k == 0 || k > n {
            return Err(XaiError::invalid("k", k, format!("1..={n} (number of features)")));
        }
        FeatureMask::from_indices(n, &self.ranking()[..k])
    }

    /// The top `fraction` of features (`k = round(fraction * n)`, at least 1).
    pub fn top_fraction(&self, fraction: f64) -> Result<FeatureMask> {
        self.top_k(fraction_to_k(fraction, self.n_features())?)
    }
}

/// Indices sorted by descending score, ties by ascending index. NaN sorts last.
pub fn ranking(scores: &[f32]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| {
        let (sa, sb) = (scores[a], scores[b]);
        match (sa.is_nan(), sb.is_nan()) {
            (true, true) => a.cmp(&b),
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            _ => sb.partial_cmp(&sa).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b)),
        }
    });
    idx
}

/// Number of features in the top `fraction` of `n`: `round(fraction * n)`, at least 1.
pub fn fraction_to_k(fraction: f64, n: usize) -> Result<usize> {
    if !(fraction > 0.0 && fraction <= 1.0) || n == 0 {
        return Err(XaiError::invalid(
            "fraction",
            fraction,
            "a fraction in (0, 1] of a non-empty feature set",
        ));
    }
    Ok(((fraction * n as f64).round() as usize).clamp(1, n))
}
