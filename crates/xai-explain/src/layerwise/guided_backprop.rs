//! Guided Backpropagation (Springenberg et al. 2015, "Striving for Simplicity: The All
//! Convolutional Net", section 3.4 and Figure 1).

use super::engine::{BackwardRule, NodeStep, explain_points, output_selector, propagate};
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::Tensor;
use xai_core::layered::Layer;
use xai_core::{Attribution, Classifier};

/// Settings of [`GuidedBackprop`].
#[derive(Config, Debug)]
pub struct GuidedBackpropConfig {
    /// Score features by `Σ |r_e|` instead of the signed sum `Σ r_e` of the guided
    /// reconstruction `r` (default: signed, as Springenberg et al. visualise it).
    #[config(default = false)]
    pub absolute: bool,
}

/// Guided Backpropagation (Springenberg et al. 2015, section 3.4, Figure 1): the gradient of
/// `f_y` (or `f_y − f_t` with a contrast class) with the backward pass through every ReLU
/// replaced by `R_in = (x > 0) ⊙ (R_out > 0) ⊙ R_out`: only positive signals pass, and only
/// where the unit was active in the forward pass. ReLU6 (`clamp(x, 0, 6)`) passes where
/// `0 < x < 6`. Every other layer (max-pooling included) back-propagates its ordinary
/// vector–Jacobian product, so on a network without ReLUs the map is the plain gradient.
///
/// Needs a layered model (`Classifier::layered`); any other model gets an error containing
/// "needs a layered model".
///
/// Cost per row: 1 forward + 1 backward evaluation.
///
/// # Shapes
/// - request inputs: `[rows, channels, height, width]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct GuidedBackprop {
    config: GuidedBackpropConfig,
}

impl Default for GuidedBackprop {
    fn default() -> Self {
        Self { config: GuidedBackpropConfig::new() }
    }
}

impl GuidedBackprop {
    /// Guided Backpropagation with `config` (it has nothing that can be invalid).
    pub fn new(config: GuidedBackpropConfig) -> xai_core::Result<Self> {
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &GuidedBackpropConfig {
        &self.config
    }
}

/// The guided rule at ReLU / ReLU6; the ordinary VJP elsewhere.
struct GuidedRule;

impl BackwardRule for GuidedRule {
    fn backward(&self, step: &NodeStep<'_>, signal: Tensor<4>) -> Vec<Tensor<4>> {
        let active = match step.layer() {
            Layer::Relu => step.input(0).greater_elem(0.0),
            Layer::Relu6 => {
                let x = step.input(0);
                x.clone().greater_elem(0.0).bool_and(x.lower_elem(6.0))
            }
            _ => return step.vjp(signal),
        };
        vec![signal.clamp_min(0.0) * active.float()]
    }
}

impl Explainer<4> for GuidedBackprop {
    fn name(&self) -> String {
        "guided-backprop".into()
    }

    fn explain<M: Classifier<4>>(
        &self,
        model: &M,
        request: &ExplainRequest<4>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let name = Explainer::<4>::name(self);
        explain_points(&name, model, request, 1, 1, self.config.absolute, |batch| {
            let acts = batch.net.activations(batch.inputs.clone());
            let start = output_selector(
                acts.last().expect("activations include the input"),
                &batch.classes,
                batch.contrast.as_deref(),
            )?;
            Ok(propagate(batch.net, &acts, start, &GuidedRule))
        })
    }
}
