//! Sampled Shapley values (Castro, Gómez & Tejada 2009): the mean marginal contribution of each
//! feature along random permutations, the estimator paper 003 (Eqn. 1, section 4.2) measures
//! pixel-level bias against.

use crate::explainer::Explainer;
use crate::loo::{generated_scores, row_setup, validate_reference};
use crate::perturb::MaskedScorer;
use crate::request::ExplainRequest;
use burn::config::Config;
use rand::seq::SliceRandom;
use xai_core::{Attribution, ClassScore, Classifier, Evaluator, Reference, XaiError};

/// Settings of [`SampledShapley`].
#[derive(Config, Debug)]
pub struct SampledShapleyConfig {
    /// Permutations sampled per row (default 100; paper 003, section 4.2: 1000 for 32×32
    /// CIFAR-10 images, 100 for the larger Pascal VOC crops).
    #[config(default = 100)]
    pub permutations: usize,
    /// What an absent feature is replaced with (default: the constant 0; paper 003 uses the
    /// mean pixel value over the dataset, e.g. `xai_metrics::unified::mean_pixel`).
    #[config(default = "Reference::Constant(0.0)")]
    pub reference: Reference,
    /// The model output explained: the logit (default) or the probability.
    #[config(default = "ClassScore::Logit")]
    pub score: ClassScore,
    /// Draw permutations in antithetic pairs `(π, reversed π)` (default false: the plain
    /// estimator of Castro et al.). Pairs lower the variance; the estimate stays unbiased.
    #[config(default = false)]
    pub antithetic: bool,
}

impl SampledShapleyConfig {
    /// The settings of `preset`: 100 permutations (paper), 10 (fast).
    pub fn preset(preset: crate::Preset) -> Self {
        Self::new().with_permutations(preset.pick(100, 10))
    }

    /// Checks the settings: at least one permutation, a valid reference.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.permutations == 0 {
            return Err(XaiError::invalid("sampled Shapley permutations", 0, "at least 1"));
        }
        validate_reference(&self.reference)
    }

    /// The explainer with these settings.
    pub fn init(&self) -> xai_core::Result<SampledShapley> {
        SampledShapley::new(self.clone())
    }
}

/// Shapley values estimated by permutation sampling (Castro et al. 2009): for each of
/// `permutations` uniformly random orders `π` of the request's features, features are switched
/// from the reference to the input one at a time and each gets the change of the explained
/// score, `v(P ∪ {i}) − v(P)` with `v(P)` the score of `x` on `P` and `r` elsewhere; the
/// estimate `A_i^shap` is the mean over permutations. It is unbiased for the Shapley value of
/// Eqn. 1 of paper 003, whose variance falls as `σ²/m` with `m` permutations (appendix B).
///
/// Every permutation telescopes to `f(x) − f(r)`, so efficiency `Σ_i A_i^shap = f(x) − f(r)`
/// holds to rounding for any number of permutations; for a model linear in the input, every
/// marginal contribution is `Σ_{e ∈ i} w_e (x_e − r_e)`, so one permutation already gives the
/// exact value. With a contrast class `t` the explained score is `f_y − f_t`.
///
/// The inputs along each permutation are batched (at most `batch_size` per model call); `f(x)`
/// and `f(r)` are evaluated once per row. Cost per row: `2 + permutations × (n_features − 1)`
/// forward evaluations.
///
/// # Shapes
/// - request inputs: `[rows, ...sample_shape]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct SampledShapley {
    config: SampledShapleyConfig,
}

impl Default for SampledShapley {
    fn default() -> Self {
        Self { config: SampledShapleyConfig::new() }
    }
}

impl SampledShapley {
    /// Sampled Shapley with `config`, validated.
    pub fn new(config: SampledShapleyConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &SampledShapleyConfig {
        &self.config
    }
}

impl<const D: usize> Explainer<D> for SampledShapley {
    fn name(&self) -> String {
        "sampled-shapley".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let c = &self.config;
        c.validate()?;
        let space = request.space();
        let n = space.n_features();
        let mut out = Vec::with_capacity(request.rows());
        for row in 0..request.rows() {
            let (x, r, mut rng) = row_setup(request, row, &c.reference)?;
            let eval = Evaluator::new(model);
            let class = request.classes()[row];
            let contrast = request.contrast_of(row);
            let scorer =
                MaskedScorer::new(&eval, x, r, space, class, c.score, request.batch_size())?;
            let mut ends = vec![1.0f32; n];
            ends.extend(vec![0.0f32; n]);
            let ends = scorer.contrast_scores(&ends, contrast)?;
            let (fx, fr) = (ends[0] as f64, ends[1] as f64);
            // The permutations, row-major `[permutations, n]`.
            let mut orders: Vec<u32> = Vec::with_capacity(c.permutations * n);
            let mut order: Vec<u32> = (0..n as u32).collect();
            for p in 0..c.permutations {
                if c.antithetic && p % 2 == 1 {
                    let prev = orders[(p - 1) * n..p * n].to_vec();
                    orders.extend(prev.iter().rev());
                } else {
                    order.shuffle(&mut rng);
                    orders.extend_from_slice(&order);
                }
            }
            // Intermediate coalitions: the first `j` features of permutation `p`, j = 1..n−1.
            let steps = n - 1;
            let values = generated_scores(
                &scorer,
                n,
                c.permutations * steps,
                request.batch_size(),
                contrast,
                |k, mask| {
                    let (p, j) = (k / steps, k % steps + 1);
                    orders[p * n..p * n + j].iter().for_each(|&i| mask[i as usize] = 1.0);
                },
            )?;
            let mut sums = vec![0.0f64; n];
            for p in 0..c.permutations {
                let mut prev = fr;
                for j in 0..n {
                    let next = if j + 1 < n { values[p * steps + j] as f64 } else { fx };
                    sums[orders[p * n + j] as usize] += next - prev;
                    prev = next;
                }
            }
            let m = c.permutations as f64;
            let scores = sums.iter().map(|s| (s / m) as f32).collect();
            out.push(
                Attribution::new("sampled-shapley", class, scores, eval.cost())?
                    .with_contrast(contrast),
            );
        }
        Ok(out)
    }
}
