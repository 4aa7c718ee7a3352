//! Layer-wise Relevance Propagation with the ε-rule (Bach et al. 2015, "On Pixel-Wise
//! Explanations for Non-Linear Classifier Decisions by Layer-Wise Relevance Propagation",
//! Eqn. 58; LRP-ε with ε = 1 in paper 003).

use super::engine::{BackwardRule, NodeStep, explain_points, output_selector, propagate};
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::Tensor;
use xai_core::layered::Layer;
use xai_core::{Attribution, Classifier, XaiError};

/// Settings of [`LrpEpsilon`].
#[derive(Config, Debug)]
pub struct LrpEpsilonConfig {
    /// The stabiliser ε > 0 added to every denominator (`z + ε·sign(z)`); paper 003 uses 1.
    #[config(default = 1.0)]
    pub epsilon: f32,
}

impl LrpEpsilonConfig {
    /// Checks the settings (ε finite and positive).
    pub fn validate(&self) -> xai_core::Result<()> {
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(XaiError::invalid("LRP epsilon", self.epsilon, "a finite number > 0"));
        }
        Ok(())
    }
}

/// LRP-ε (Bach et al. 2015, Eqn. 58; the "ε-rule" of Montavon et al. 2019, section 10.2.2).
/// The relevance starts as `R = f_y` on the explained class's logit (with a contrast class,
/// `R_y = f_y` and `R_t = −f_t`, total `f_y − f_t`) and is redistributed layer by layer,
/// for every layer `z = layer(a)` that is linear or affine in its inputs (convolution, linear,
/// batch norm, input normalisation, average / max / global-average pooling, residual add):
///
/// `R_a = a ⊙ ∂/∂a [ Σ z(a) ⊙ stopgrad(R / (z + ε·sign(z))) ]`, i.e.
/// `R_i = Σ_j a_i w_ij / (z_j + ε·sign(z_j)) · R_j` (`sign(0) = +1`).
///
/// ReLU, ReLU6 and flatten pass relevance through unchanged. With zero biases and ε → 0 the
/// total relevance is conserved (`Σ_i R_i = f_y(x)`); biases and ε absorb part of it. Max
/// pooling sends a window's relevance to its maximum. Signed; a feature's score is the sum of
/// its elements' relevance.
///
/// Needs a layered model (`Classifier::layered`); any other model gets an error containing
/// "needs a layered model".
///
/// Cost per row: 1 forward + 1 backward evaluation.
///
/// # Shapes
/// - request inputs: `[rows, channels, height, width]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct LrpEpsilon {
    config: LrpEpsilonConfig,
}

impl Default for LrpEpsilon {
    fn default() -> Self {
        Self { config: LrpEpsilonConfig::new() }
    }
}

impl LrpEpsilon {
    /// LRP-ε with `config`, validated.
    pub fn new(config: LrpEpsilonConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &LrpEpsilonConfig {
        &self.config
    }
}

/// The ε-rule at linear layers; pass-through at ReLU, ReLU6 and flatten.
struct EpsilonRule {
    epsilon: f32,
}

impl BackwardRule for EpsilonRule {
    fn backward(&self, step: &NodeStep<'_>, relevance: Tensor<4>) -> Vec<Tensor<4>> {
        match step.layer() {
            Layer::Relu | Layer::Relu6 => vec![relevance],
            // A reshape: the VJP of the relevance itself moves it back to the input's shape.
            Layer::Flatten => step.vjp(relevance),
            _ => {
                let z = step.output();
                // sign(z) with sign(0) = +1, so the denominator never vanishes.
                let sign =
                    z.clone().greater_equal_elem(0.0).float().mul_scalar(2.0).sub_scalar(1.0);
                let s = relevance / (z + sign.mul_scalar(self.epsilon));
                let inputs = step.inputs();
                let grads = step.vjp_at(inputs.clone(), s);
                inputs.into_iter().zip(grads).map(|(a, g)| a * g).collect()
            }
        }
    }
}

impl Explainer<4> for LrpEpsilon {
    fn name(&self) -> String {
        "lrp-epsilon".into()
    }

    fn explain<M: Classifier<4>>(
        &self,
        model: &M,
        request: &ExplainRequest<4>,
    ) -> xai_core::Result<Vec<Attribution>> {
        self.config.validate()?;
        let name = Explainer::<4>::name(self);
        let rule = EpsilonRule { epsilon: self.config.epsilon };
        explain_points(&name, model, request, 1, 1, false, |batch| {
            let acts = batch.net.activations(batch.inputs.clone());
            let logits = acts.last().expect("activations include the input").clone();
            let select = output_selector(&logits, &batch.classes, batch.contrast.as_deref())?;
            Ok(propagate(batch.net, &acts, select * logits, &rule))
        })
    }
}
