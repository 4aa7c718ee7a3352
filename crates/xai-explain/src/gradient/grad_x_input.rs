//! Gradient ⊙ input (Shrikumar et al. 2016, "Not just a black box", section 2.1).

use super::{BatchedGradients, aggregate};
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use xai_core::host::to_vec_f32;
use xai_core::{Attribution, Classifier, Result};

/// Gradient ⊙ input: `a_e = x_e · ∂f_y/∂x_e(x)` (Shrikumar et al. 2016; equal to Integrated
/// Gradients with a zero baseline for a linear model, Ancona et al. 2018, section 3), or with
/// `f_y − f_t` for a contrast class. Signed; a feature's score is the signed sum over its
/// elements (see [`crate::gradient`]).
///
/// Rows are batched: one gradient call per `batch_size` rows.
///
/// Cost per row: 1 forward + 1 backward evaluation.
///
/// # Shapes
/// - request inputs: `[rows, ...sample_shape]` → one score per feature per row
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct GradXInput;

impl GradXInput {
    /// Gradient ⊙ input (it has no settings).
    pub fn new() -> Self {
        Self
    }
}

impl<const D: usize> Explainer<D> for GradXInput {
    fn name(&self) -> String {
        "grad-x-input".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> Result<Vec<Attribution>> {
        let space = request.space();
        let per = space.n_elements();
        let mut runner = BatchedGradients::new(model, request, 1)?;
        let mut scores = Vec::with_capacity(request.rows());
        for range in runner.chunks()? {
            let inputs = request.inputs().clone().narrow(0, range.start, range.len());
            let x = to_vec_f32(inputs.clone())?;
            let grad = to_vec_f32(runner.gradient(range, inputs)?)?;
            for (g, x) in grad.chunks(per).zip(x.chunks(per)) {
                let product: Vec<f32> = g.iter().zip(x).map(|(g, x)| g * x).collect();
                scores.push(aggregate(space, &product, false)?);
            }
        }
        scores
            .into_iter()
            .enumerate()
            .map(|(row, s)| {
                let cost = runner.costs()[row];
                Ok(Attribution::new("grad-x-input", request.classes()[row], s, cost)?
                    .with_contrast(request.contrast_of(row)))
            })
            .collect()
    }
}
