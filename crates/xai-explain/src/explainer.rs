//! The interface every explainer implements.

use crate::request::ExplainRequest;
use xai_core::{Attribution, Classifier, Result};

/// An explanation method: one [`Attribution`] (a score per feature, higher = more relevant)
/// per row of the request, each with the model evaluations it cost.
pub trait Explainer<const D: usize> {
    /// The method's kebab-case name as used in the CLI and JSON (e.g. `"greedy-as"`).
    fn name(&self) -> String;

    /// Explains every row of `request`.
    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> Result<Vec<Attribution>>;
}
