//! LIME (Ribeiro et al. 2016): a locally weighted linear surrogate over binary feature
//! perturbations.

use crate::explainer::Explainer;
use crate::loo::{row_setup, validate_reference};
use crate::perturb::MaskedScorer;
use crate::regression::LeastSquares;
use crate::request::ExplainRequest;
use burn::config::Config;
use rand::Rng;
use xai_core::{Attribution, ClassScore, Classifier, Evaluator, Reference, XaiError};

/// Settings of [`Lime`]; the defaults follow the `lime` package's image explainer.
#[derive(Config, Debug)]
pub struct LimeConfig {
    /// Perturbed samples per row, the unperturbed input included (default 1000, as
    /// `lime_image`).
    #[config(default = 1000)]
    pub samples: usize,
    /// Probability that a feature is kept in a perturbed sample (default 0.5, as `lime`).
    #[config(default = 0.5)]
    pub keep_prob: f64,
    /// Width `σ` of the exponential kernel `exp(−d² / σ²)` on the cosine distance (default
    /// 0.25, as `lime_image`).
    #[config(default = 0.25)]
    pub kernel_width: f64,
    /// Ridge penalty `α` of the weighted regression (default 1.0, as `sklearn.linear_model.Ridge`
    /// in `lime`); the intercept is not penalised.
    #[config(default = 1.0)]
    pub ridge: f64,
    /// What a removed feature is replaced with (default: the constant 0).
    #[config(default = "Reference::Constant(0.0)")]
    pub reference: Reference,
    /// The model output explained: the logit (default) or the probability.
    #[config(default = "ClassScore::Logit")]
    pub score: ClassScore,
}

impl LimeConfig {
    /// The settings of `preset`: 1000 samples (paper), 250 (fast).
    pub fn preset(preset: crate::Preset) -> Self {
        Self::new().with_samples(preset.pick(1000, 250))
    }

    /// Checks the settings: at least 2 samples, `keep_prob` in (0, 1), a positive finite
    /// kernel width, a finite non-negative ridge, a valid reference.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.samples < 2 {
            return Err(XaiError::invalid("LIME samples", self.samples, "at least 2"));
        }
        if !(self.keep_prob > 0.0 && self.keep_prob < 1.0) {
            return Err(XaiError::invalid("LIME keep probability", self.keep_prob, "in (0, 1)"));
        }
        if !(self.kernel_width.is_finite() && self.kernel_width > 0.0) {
            return Err(XaiError::invalid(
                "LIME kernel width",
                self.kernel_width,
                "finite and > 0",
            ));
        }
        if !(self.ridge.is_finite() && self.ridge >= 0.0) {
            return Err(XaiError::invalid("LIME ridge", self.ridge, "finite and >= 0"));
        }
        validate_reference(&self.reference)
    }

    /// The explainer with these settings.
    pub fn init(&self) -> xai_core::Result<Lime> {
        Lime::new(self.clone())
    }
}

/// LIME (Ribeiro et al. 2016, Eqn. 1 with the locally weighted square loss of Eqn. 2,
/// section 3.4; as `lime_image`) on the request's features (pixels, patches or superpixel
/// groups): draw binary masks `z` (the first is all ones, the others keep each feature with
/// probability `keep_prob`), evaluate the explained score of `x ⊙ z + r ⊙ (1 − z)`, weight
/// each sample by
/// `π(z) = exp(−d(z)² / σ²)` with `d(z) = 1 − cos(z, 1) = 1 − √(|z| / M)` (1 for the empty
/// mask), fit `v ≈ wᵀ z + c` by ridge regression (penalty `α` on `w` only) and score each
/// feature by `w_i`.
///
/// The kernel is the paper's `exp(−D² / σ²)`; the `lime` package's image explainer takes its
/// square root, which equals this kernel with `σ` multiplied by `√2`.
///
/// Cost per row: `samples` forward evaluations.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Lime {
    config: LimeConfig,
}

impl Default for Lime {
    fn default() -> Self {
        Self { config: LimeConfig::new() }
    }
}

impl Lime {
    /// LIME with `config`, validated.
    pub fn new(config: LimeConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &LimeConfig {
        &self.config
    }
}

impl<const D: usize> Explainer<D> for Lime {
    fn name(&self) -> String {
        "lime".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let c = &self.config;
        c.validate()?;
        let space = request.space();
        let m = space.n_features();
        let ls = LeastSquares { intercept: true, ridge: c.ridge };
        let mut out = Vec::with_capacity(request.rows());
        for row in 0..request.rows() {
            let (x, r, mut rng) = row_setup(request, row, &c.reference)?;
            let eval = Evaluator::new(model);
            let class = request.classes()[row];
            let contrast = request.contrast_of(row);
            let scorer =
                MaskedScorer::new(&eval, x, r, space, class, c.score, request.batch_size())?;
            let mut masks = vec![1.0f32; c.samples * m];
            let mut weights = Vec::with_capacity(c.samples);
            for (s, mask) in masks.chunks_mut(m).enumerate() {
                if s > 0 {
                    mask.iter_mut().for_each(|v| *v = f32::from(rng.random_bool(c.keep_prob)));
                }
                let kept = mask.iter().filter(|v| **v > 0.0).count();
                let d = 1.0 - (kept as f64 / m as f64).sqrt();
                weights.push((-(d * d) / (c.kernel_width * c.kernel_width)).exp());
            }
            let values = scorer.contrast_scores(&masks, contrast)?;
            let fit = ls.fit(&masks, m, &values, Some(&weights))?;
            let scores = fit.coefficients.iter().map(|w| *w as f32).collect();
            out.push(Attribution::new("lime", class, scores, eval.cost())?.with_contrast(contrast));
        }
        Ok(out)
    }
}
