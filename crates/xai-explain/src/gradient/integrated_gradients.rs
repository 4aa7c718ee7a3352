//! Integrated Gradients (Sundararajan et al. 2017, "Axiomatic Attribution for Deep Networks",
//! Eqn. 1 and its Riemann approximation Eqn. 3).

use super::{BatchedGradients, per_row_scale, pick_rows};
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::Tensor;
use xai_core::host::to_vec_f32;
use xai_core::{Attribution, Classifier, Reference, XaiError, seed};

/// The quadrature rule approximating the path integral `∫₀¹ ∂f/∂x_e(x' + α(x − x')) dα` with
/// `m` steps.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum IntegrationRule {
    /// Left Riemann sum: `α = k/m`, `k = 0..m−1`, weight `1/m` (m gradient points).
    RiemannLeft,
    /// Right Riemann sum: `α = k/m`, `k = 1..m`, weight `1/m` (m points; the paper's Eqn. 3).
    RiemannRight,
    /// Midpoint sum: `α = (k + ½)/m`, `k = 0..m−1`, weight `1/m` (m points).
    RiemannMiddle,
    /// Trapezoid rule: `α = k/m`, `k = 0..m`, weights `1/m` inside and `1/(2m)` at both ends
    /// (m + 1 points).
    Trapezoid,
}

impl IntegrationRule {
    /// The nodes `α` and weights of the rule with `steps` intervals (weights sum to 1).
    pub fn nodes(self, steps: usize) -> Vec<(f64, f64)> {
        let m = steps as f64;
        match self {
            IntegrationRule::RiemannLeft => (0..steps).map(|k| (k as f64 / m, 1.0 / m)).collect(),
            IntegrationRule::RiemannRight => (1..=steps).map(|k| (k as f64 / m, 1.0 / m)).collect(),
            IntegrationRule::RiemannMiddle => {
                (0..steps).map(|k| ((k as f64 + 0.5) / m, 1.0 / m)).collect()
            }
            IntegrationRule::Trapezoid => (0..=steps)
                .map(|k| {
                    let w = if k == 0 || k == steps { 0.5 / m } else { 1.0 / m };
                    (k as f64 / m, w)
                })
                .collect(),
        }
    }

    /// Gradient points per row: `steps` for the Riemann sums, `steps + 1` for the trapezoid.
    pub fn points(self, steps: usize) -> usize {
        match self {
            IntegrationRule::Trapezoid => steps + 1,
            _ => steps,
        }
    }
}

/// Settings of [`IntegratedGradients`].
#[derive(Config, Debug)]
pub struct IntegratedGradientsConfig {
    /// The baseline `x'` (the paper: black image, i.e. all zeros). [`Reference::Uniform`]
    /// draws one noise baseline per row from the request's seed.
    #[config(default = "Reference::Constant(0.0)")]
    pub baseline: Reference,
    /// Steps `m` of the quadrature (the paper: 20 to 300 suffice).
    #[config(default = 64)]
    pub steps: usize,
    /// The quadrature rule (default: the trapezoid rule, second-order accurate; the paper's
    /// Eqn. 3 is [`IntegrationRule::RiemannRight`]).
    #[config(default = "IntegrationRule::Trapezoid")]
    pub rule: IntegrationRule,
    /// Multiply the path integral by `x − x'` (Eqn. 1, the default). Without it a score is the
    /// path-averaged gradient `∫₀¹ ∂f/∂x_e dα` alone: paper 000's reference code
    /// (`expl_utils.get_explanation_pdt`, `exp == 'IG'`) computes that.
    #[config(default = true)]
    pub multiply_by_input: bool,
    /// Score a feature by `Σ |a_e|` over its elements' attributions instead of the signed sum
    /// (paper 000's reference code ranks every saliency map by its magnitude, `np.abs`).
    #[config(default = false)]
    pub absolute: bool,
}

impl IntegratedGradientsConfig {
    /// The settings of `preset`: Eqn. 1 with 64 trapezoid steps (standard), 32 (fast); for
    /// `paper` the reference code's variant: `|Σ_{i=0}^{9} ∇f(x·i/10) / 10|`, i.e. 10
    /// left-Riemann steps from a black image, not multiplied by the input, by magnitude.
    pub fn preset(preset: crate::Preset) -> Self {
        match preset {
            crate::Preset::Paper => Self::new()
                .with_steps(10)
                .with_rule(IntegrationRule::RiemannLeft)
                .with_multiply_by_input(false)
                .with_absolute(true),
            _ => Self::new().with_steps(preset.pick(64, 32)),
        }
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.steps == 0 {
            return Err(XaiError::invalid("integrated-gradients steps", 0, "at least 1"));
        }
        if let Reference::Constant(v) = self.baseline
            && !v.is_finite()
        {
            return Err(XaiError::invalid("baseline value", v, "a finite number"));
        }
        Ok(())
    }
}

/// Integrated Gradients (Sundararajan et al. 2017, Eqn. 1):
/// `IG_e(x) = (x_e − x'_e) ∫₀¹ ∂f/∂x_e(x' + α(x − x')) dα`, approximated by the chosen
/// [`IntegrationRule`] with `steps` intervals (Eqn. 3 is the right Riemann sum), with
/// `f = f_y` or `f_y − f_t` for a contrast class. A feature's score is the signed sum of its
/// elements' attributions, so completeness `Σ_j s_j ≈ f(x) − f(x')` holds on the scores
/// (the default; `multiply_by_input = false` or `absolute = true` give paper 000's reference
/// variant instead, see [`IntegratedGradientsConfig::preset`]).
///
/// The path points of all rows are batched through the model, `batch_size` at a time.
///
/// Cost per row: `steps` forward + `steps` backward evaluations for the Riemann rules,
/// `steps + 1` of each for the trapezoid rule (the default: 65 + 65 at 64 steps).
///
/// # Shapes
/// - request inputs: `[rows, ...sample_shape]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct IntegratedGradients {
    config: IntegratedGradientsConfig,
}

impl Default for IntegratedGradients {
    fn default() -> Self {
        Self { config: IntegratedGradientsConfig::new() }
    }
}

impl IntegratedGradients {
    /// Integrated Gradients with `config`; errors on invalid settings.
    pub fn new(config: IntegratedGradientsConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &IntegratedGradientsConfig {
        &self.config
    }
}

impl<const D: usize> Explainer<D> for IntegratedGradients {
    fn name(&self) -> String {
        "integrated-gradients".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let c = &self.config;
        c.validate()?;
        let space = request.space();
        let per = space.n_elements();
        let nodes = c.rule.nodes(c.steps);
        let inputs = request.inputs().clone();
        let baselines = (0..request.rows())
            .map(|r| {
                let mut rng = seed::stream_rng(request.seed(), r as u64);
                c.baseline.materialize(&request.row(r), &mut rng)
            })
            .collect::<xai_core::Result<Vec<_>>>()?;
        let baselines: Tensor<D> = Tensor::cat(baselines, 0);
        let mut runner = BatchedGradients::new(model, request, nodes.len())?;
        // Σ_k w_k ∇f(x' + α_k (x − x')) per row and element.
        let mut integral = vec![0.0f64; request.rows() * per];
        for range in runner.chunks()? {
            let rows = runner.rows_of(range.clone());
            let x = pick_rows(&inputs, &rows);
            let base = pick_rows(&baselines, &rows);
            let alphas = range.clone().map(|p| nodes[p % nodes.len()].0 as f32).collect();
            let alpha = per_row_scale(alphas, x.dims(), &x.device())?;
            let points = base.clone() + (x - base) * alpha;
            let grad = to_vec_f32(runner.gradient(range.clone(), points)?)?;
            for (p, g) in range.zip(grad.chunks(per)) {
                let (row, w) = (p / nodes.len(), nodes[p % nodes.len()].1);
                let acc = &mut integral[row * per..(row + 1) * per];
                acc.iter_mut().zip(g).for_each(|(a, &g)| *a += w * g as f64);
            }
        }
        let x = to_vec_f32(inputs)?;
        let base = to_vec_f32(baselines)?;
        let mut out = Vec::with_capacity(request.rows());
        for row in 0..request.rows() {
            let span = row * per..(row + 1) * per;
            let element: Vec<f32> = integral[span.clone()]
                .iter()
                .zip(&x[span.clone()])
                .zip(&base[span])
                .map(|((i, x), b)| if c.multiply_by_input { (*x - *b) as f64 * i } else { *i })
                .map(|a| a as f32)
                .collect();
            let scores = super::aggregate(space, &element, c.absolute)?;
            let cost = runner.costs()[row];
            out.push(
                Attribution::new("integrated-gradients", request.classes()[row], scores, cost)?
                    .with_contrast(request.contrast_of(row)),
            );
        }
        Ok(out)
    }
}
