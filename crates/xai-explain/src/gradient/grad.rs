//! Vanilla gradient (saliency) maps (Simonyan et al. 2014, section 3.1).

use super::{BatchedGradients, aggregate};
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use xai_core::host::to_vec_f32;
use xai_core::{Attribution, Classifier};

/// Settings of [`Grad`].
#[derive(Config, Debug)]
pub struct GradConfig {
    /// Score features by `Σ |∂f/∂x_e|` (Simonyan et al.'s saliency, the default) instead of
    /// the signed sum `Σ ∂f/∂x_e`.
    #[config(default = true)]
    pub absolute: bool,
}

/// The vanilla gradient `∇ₓ f_y(x)` (Simonyan et al. 2014, "Deep Inside Convolutional
/// Networks", section 3.1: `w = ∂S_c/∂I` at the input), or `∇ₓ (f_y − f_t)(x)` with a contrast
/// class. A feature's score is the sum over its elements of `|∂f/∂x_e|` (absolute, default) or
/// of `∂f/∂x_e` (signed); see [`crate::gradient`] for the aggregation.
///
/// Rows are batched: one gradient call per `batch_size` rows.
///
/// Cost per row: 1 forward + 1 backward evaluation.
///
/// # Shapes
/// - request inputs: `[rows, ...sample_shape]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct Grad {
    config: GradConfig,
}

impl Default for Grad {
    fn default() -> Self {
        Self { config: GradConfig::new() }
    }
}

impl Grad {
    /// Vanilla gradient with `config` (it has nothing that can be invalid).
    pub fn new(config: GradConfig) -> xai_core::Result<Self> {
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &GradConfig {
        &self.config
    }
}

impl<const D: usize> Explainer<D> for Grad {
    fn name(&self) -> String {
        "grad".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let space = request.space();
        let per = space.n_elements();
        let mut runner = BatchedGradients::new(model, request, 1)?;
        let mut scores = Vec::with_capacity(request.rows());
        for range in runner.chunks()? {
            let inputs = request.inputs().clone().narrow(0, range.start, range.len());
            let grad = to_vec_f32(runner.gradient(range, inputs)?)?;
            for g in grad.chunks(per) {
                scores.push(aggregate(space, g, self.config.absolute)?);
            }
        }
        scores
            .into_iter()
            .enumerate()
            .map(|(row, s)| {
                Ok(Attribution::new("grad", request.classes()[row], s, runner.costs()[row])?
                    .with_contrast(request.contrast_of(row)))
            })
            .collect()
    }
}
