//! DeepLIFT with the rescale rule (Shrikumar et al. 2017, "Learning Important Features Through
//! Propagating Activation Differences", sections 3.3–3.5) and DeepSHAP (Lundberg & Lee 2017,
//! "A Unified Approach to Interpreting Model Predictions", section 4.2): DeepLIFT averaged
//! over a background set of references.

use super::engine::{BackwardRule, NodeStep, explain_points, output_selector, propagate};
use crate::explainer::Explainer;
use crate::loo::validate_reference;
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::Tensor;
use rand::Rng;
use rand::rngs::StdRng;
use xai_core::layered::{Layer, LayeredNet};
use xai_core::{Attribution, Classifier, Reference, XaiError, seed};

/// Below this `|Δx|` a nonlinearity's multiplier falls back to its gradient at `x`
/// (Shrikumar et al. 2017, section 3.5.1: the rescale rule's limit `Δx → 0`).
pub const DELTA_EPS: f32 = 1e-6;

/// DeepLIFT's multipliers `m = ∂^Δ f / ∂^Δ x` of one batch, `x` against `x_ref`: the
/// element attributions `(x − x_ref) ⊙ m` of `f_y` (or `f_y − f_t`), which sum to
/// `f(x) − f(x_ref)` per row (summation-to-delta, Eqn. 1 of Shrikumar et al. 2017).
///
/// # Shapes
/// - x, x_ref: `[b, ...]`; classes, contrast: `b` each → `[b, ...]`
pub fn deeplift_attribution(
    net: &LayeredNet,
    x: Tensor<4>,
    x_ref: Tensor<4>,
    classes: &[usize],
    contrast: Option<&[usize]>,
) -> xai_core::Result<Tensor<4>> {
    let (x, x_ref) = (x.without_autodiff(), x_ref.without_autodiff());
    if x.dims() != x_ref.dims() {
        return Err(XaiError::shape(
            "DeepLIFT reference",
            format!("{:?} (the input's shape)", x.dims()),
            &x_ref.dims(),
        ));
    }
    let acts = net.activations(x.clone());
    let reference = net.activations(x_ref.clone());
    let start =
        output_selector(acts.last().expect("activations include the input"), classes, contrast)?;
    let m = propagate(net, &acts, start, &RescaleRule { reference: &reference });
    Ok((x - x_ref) * m)
}

/// The rescale rule at ReLU / ReLU6, the Captum-style max-pool rule, the ordinary VJP at
/// affine layers (whose multipliers are their Jacobians).
struct RescaleRule<'r> {
    reference: &'r [Tensor<4>],
}

impl BackwardRule for RescaleRule<'_> {
    fn backward(&self, step: &NodeStep<'_>, m: Tensor<4>) -> Vec<Tensor<4>> {
        let nonlinear = matches!(step.layer(), Layer::Relu | Layer::Relu6 | Layer::MaxPool2d(_));
        if !nonlinear {
            return step.vjp(m);
        }
        let x = step.input(0);
        let x_ref = step.inputs_in(self.reference).remove(0);
        let y = step.output();
        let y_ref = step.output_in(self.reference);
        let dx = x.clone() - x_ref.clone();
        let small = dx.clone().abs().lower_elem(DELTA_EPS);
        let safe_dx = dx.mask_fill(small.clone(), 1.0);
        let gradient = step.vjp(m.clone()).remove(0);
        let contribution = match step.layer() {
            // Δy ⊙ m, to be divided by Δx: m_in = m · Δy/Δx elementwise.
            Layer::Relu | Layer::Relu6 => m * (y - y_ref),
            // Captum's rule: with y⁺ = max(y, y_ref), the part y⁺ − y_ref of Δy goes to the
            // window's maximum in x, the part y − y⁺ to its maximum in x_ref; every input's
            // share divided by its Δx. Summation-to-delta holds exactly.
            _ => {
                let upper = y.clone().max_pair(y_ref.clone());
                let via_x = step.vjp_at(vec![x], m.clone() * (upper.clone() - y_ref)).remove(0);
                let via_ref = step.vjp_at(vec![x_ref], m * (y - upper)).remove(0);
                via_x + via_ref
            }
        };
        vec![(contribution / safe_dx).mask_where(small, gradient)]
    }
}

/// Settings of [`DeepLift`].
#[derive(Config, Debug)]
pub struct DeepLiftConfig {
    /// The reference input `x_ref` (default: all zeros, as in Shrikumar et al.'s MNIST
    /// experiments). [`Reference::Uniform`] draws one reference per row from the request's seed.
    #[config(default = "Reference::Constant(0.0)")]
    pub reference: Reference,
}

impl DeepLiftConfig {
    /// Checks the settings (a constant reference must be finite).
    pub fn validate(&self) -> xai_core::Result<()> {
        validate_reference(&self.reference)
    }
}

/// DeepLIFT with the rescale rule (Shrikumar et al. 2017, sections 3.3–3.5): multipliers
/// `m = Δy/Δx` at each ReLU / ReLU6 (its gradient where `|Δx| <` [`DELTA_EPS`]), the Jacobian
/// at affine layers (convolution, linear, batch norm, normalisation, average pooling, flatten,
/// residual add), chained backwards from the explained logit (`f_y`, or `f_y − f_t` with a
/// contrast class). Max pooling uses Captum's rule (the rise of each window's output goes to
/// its maximum in `x`, the fall to its maximum in `x_ref`), which keeps completeness exact.
/// Element attribution: `(x − x_ref) ⊙ m`; signed, features sum their elements, so per row
/// `Σ_j s_j = f(x) − f(x_ref)` (summation-to-delta, Eqn. 1).
///
/// Needs a layered model (`Classifier::layered`); any other model gets an error containing
/// "needs a layered model".
///
/// Cost per row: 2 forward (input and reference) + 1 backward evaluation.
///
/// # Shapes
/// - request inputs: `[rows, channels, height, width]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeepLift {
    config: DeepLiftConfig,
}

impl Default for DeepLift {
    fn default() -> Self {
        Self { config: DeepLiftConfig::new() }
    }
}

impl DeepLift {
    /// DeepLIFT with `config`, validated.
    pub fn new(config: DeepLiftConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &DeepLiftConfig {
        &self.config
    }
}

impl Explainer<4> for DeepLift {
    fn name(&self) -> String {
        "deeplift".into()
    }

    fn explain<M: Classifier<4>>(
        &self,
        model: &M,
        request: &ExplainRequest<4>,
    ) -> xai_core::Result<Vec<Attribution>> {
        self.config.validate()?;
        let name = Explainer::<4>::name(self);
        explain_points(&name, model, request, 1, 2, false, |batch| {
            let refs = batch
                .rows
                .iter()
                .map(|&r| {
                    let mut rng = seed::stream_rng(request.seed(), r as u64);
                    self.config.reference.materialize(&request.row(r), &mut rng)
                })
                .collect::<xai_core::Result<Vec<_>>>()?;
            let x_ref = Tensor::cat(refs, 0);
            deeplift_attribution(
                batch.net,
                batch.inputs.clone(),
                x_ref,
                &batch.classes,
                batch.contrast.as_deref(),
            )
        })
    }
}

/// Settings of [`DeepShap`].
#[derive(Config, Debug)]
pub struct DeepShapConfig {
    /// How many background references each row uses, drawn without replacement from the
    /// row's seeded stream (default: `None`, every background reference).
    #[config(default = "None")]
    pub samples: Option<usize>,
}

impl DeepShapConfig {
    /// The settings of `preset` over `available` background samples: all of them (paper), at
    /// most 8 (fast).
    pub fn preset(preset: crate::Preset, available: usize) -> Self {
        Self::new().with_samples(Some(preset.pick(available, available.min(8))))
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.samples == Some(0) {
            return Err(XaiError::invalid("DeepSHAP background samples", 0, "at least 1"));
        }
        Ok(())
    }
}

/// DeepSHAP (Lundberg & Lee 2017, section 4.2 "Deep SHAP"; the `shap.DeepExplainer` of
/// their code): DeepLIFT's rescale-rule attributions ([`DeepLift`]) averaged over a
/// background set of references, `φ(x) = (1/k) Σ_j (x − r_j) ⊙ m(x, r_j)`, approximating the
/// SHAP values with the background as the distribution of missing features. Signed; per row
/// `Σ_j s_j = f(x) − (1/k) Σ_j f(r_j)` (completeness against the mean reference output).
///
/// The background is a list of [`Reference`]s (e.g. [`Reference::Values`] of training
/// images, see [`DeepShap::from_samples`]); with `samples = Some(k)` each row uses `k` of them
/// drawn from `seed::stream_rng(seed, row)`. With a single background reference DeepSHAP
/// equals [`DeepLift`] with that reference.
///
/// Needs a layered model (`Classifier::layered`); any other model gets an error containing
/// "needs a layered model".
///
/// Cost per row: `2k` forward + `k` backward evaluations (`k` references used).
///
/// # Shapes
/// - request inputs: `[rows, channels, height, width]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeepShap {
    config: DeepShapConfig,
    // The samples themselves are data, not settings.
    #[serde(skip)]
    background: Vec<Reference>,
}

impl DeepShap {
    /// DeepSHAP over `background` (at least one reference), validated.
    pub fn new(config: DeepShapConfig, background: Vec<Reference>) -> xai_core::Result<Self> {
        config.validate()?;
        if background.is_empty() {
            return Err(XaiError::invalid(
                "DeepSHAP background",
                "empty",
                "at least one reference",
            ));
        }
        for r in &background {
            validate_reference(r)?;
        }
        if let Some(k) = config.samples
            && k > background.len()
        {
            return Err(XaiError::invalid(
                "DeepSHAP background samples",
                k,
                format!("at most the background size {}", background.len()),
            ));
        }
        Ok(Self { config, background })
    }

    /// DeepSHAP over background samples, each one input (row-major, the sample shape).
    pub fn from_samples(config: DeepShapConfig, samples: Vec<Vec<f32>>) -> xai_core::Result<Self> {
        Self::new(config, samples.into_iter().map(Reference::Values).collect())
    }

    /// The settings.
    pub fn config(&self) -> &DeepShapConfig {
        &self.config
    }

    /// The background references.
    pub fn background(&self) -> &[Reference] {
        &self.background
    }

    /// References used per row.
    fn per_row(&self) -> usize {
        self.config.samples.unwrap_or(self.background.len())
    }

    /// The background indices row `row` uses, and its stream for further draws.
    fn draw(&self, request_seed: u64, row: usize) -> (Vec<usize>, StdRng) {
        let mut rng = seed::stream_rng(request_seed, row as u64);
        let n = self.background.len();
        let k = self.per_row();
        if k == n {
            return ((0..n).collect(), rng);
        }
        // Partial Fisher–Yates: the first k of a random permutation.
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = rng.random_range(i..n);
            all.swap(i, j);
        }
        all.truncate(k);
        (all, rng)
    }
}

impl Explainer<4> for DeepShap {
    fn name(&self) -> String {
        "deepshap".into()
    }

    fn explain<M: Classifier<4>>(
        &self,
        model: &M,
        request: &ExplainRequest<4>,
    ) -> xai_core::Result<Vec<Attribution>> {
        self.config.validate()?;
        let name = Explainer::<4>::name(self);
        let k = self.per_row();
        // Each row's references and stream; points are visited in order, so every row's
        // stream draws its references in the same order whatever the batch size.
        let mut draws: Vec<(Vec<usize>, StdRng)> =
            (0..request.rows()).map(|r| self.draw(request.seed(), r)).collect();
        explain_points(&name, model, request, k, 2, false, |batch| {
            let refs = batch
                .points
                .clone()
                .map(|p| {
                    let (row, j) = (p / k, p % k);
                    let (picks, rng) = &mut draws[row];
                    self.background[picks[j]].materialize(&request.row(row), rng)
                })
                .collect::<xai_core::Result<Vec<_>>>()?;
            let x_ref = Tensor::cat(refs, 0);
            deeplift_attribution(
                batch.net,
                batch.inputs.clone(),
                x_ref,
                &batch.classes,
                batch.contrast.as_deref(),
            )
        })
    }
}
