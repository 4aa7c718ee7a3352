//! KernelSHAP (Lundberg & Lee 2017, Theorem 2): Shapley values as a weighted linear
//! regression over coalitions.

use crate::explainer::Explainer;
use crate::loo::{row_setup, validate_reference};
use crate::perturb::MaskedScorer;
use crate::regression::LeastSquares;
use crate::request::ExplainRequest;
use burn::config::Config;
use rand::Rng;
use xai_core::{Attribution, ClassScore, Classifier, Evaluator, Reference, XaiError};

/// Settings of [`KernelShap`].
#[derive(Config, Debug)]
pub struct KernelShapConfig {
    /// Coalitions evaluated per row besides the empty and the full one (default 2048). When
    /// `2^M − 2 ≤ samples` (M features) all coalitions are enumerated instead and the result
    /// is the exact Shapley value.
    #[config(default = 2048)]
    pub samples: usize,
    /// Draw each coalition together with its complement (default true; antithetic pairs
    /// reduce the variance of the estimate).
    #[config(default = true)]
    pub paired: bool,
    /// What an absent feature is replaced with (default: the constant 0).
    #[config(default = "Reference::Constant(0.0)")]
    pub reference: Reference,
    /// The model output explained: the logit (default) or the probability.
    #[config(default = "ClassScore::Logit")]
    pub score: ClassScore,
}

impl KernelShapConfig {
    /// The settings of `preset`: 2048 coalitions (paper), 512 (fast).
    pub fn preset(preset: crate::Preset) -> Self {
        Self::new().with_samples(preset.pick(2048, 512))
    }

    /// Checks the settings: at least 2 samples, a valid reference.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.samples < 2 {
            return Err(XaiError::invalid("KernelSHAP samples", self.samples, "at least 2"));
        }
        validate_reference(&self.reference)
    }

    /// The explainer with these settings.
    pub fn init(&self) -> xai_core::Result<KernelShap> {
        KernelShap::new(self.clone())
    }
}

/// KernelSHAP (Lundberg & Lee 2017, Theorem 2). With `v(z)` the explained score of
/// `x ⊙ z + r ⊙ (1 − z)` for a coalition `z ∈ {0,1}^M` of the request's features, it solves
///
/// `min_φ Σ_z π(z) (v(∅) + Σ_i φ_i z_i − v(z))²`, `π(z) = (M − 1) / (C(M, |z|) |z| (M − |z|))`,
///
/// with the infinite weights of `∅` and the full set imposed exactly as constraints: the
/// intercept is `v(∅) = f(r)` and efficiency `Σ φ_i = f(x) − f(r)` holds to rounding (the last
/// variable is eliminated: `φ_M = f(x) − f(r) − Σ_{i<M} φ_i`).
///
/// When `2^M − 2 ≤ samples` every coalition is enumerated with weight `π(z)` and `φ` is the
/// exact Shapley value. Otherwise coalitions are drawn from the Shapley kernel distribution
/// (size `s ∝ (M − 1) / (s (M − s))`, then a uniform subset of that size; with `paired`, each
/// with its complement) and weighted equally. For a model linear in the mask (e.g. a linear
/// classifier's logit) the regression has zero residual, so any full-rank sample recovers
/// `φ_i = w_i (x_i − r_i)` exactly.
///
/// Cost per row: `min(samples, 2^M − 2) + 2` forward evaluations.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KernelShap {
    config: KernelShapConfig,
}

impl Default for KernelShap {
    fn default() -> Self {
        Self { config: KernelShapConfig::new() }
    }
}

impl KernelShap {
    /// KernelSHAP with `config`, validated.
    pub fn new(config: KernelShapConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &KernelShapConfig {
        &self.config
    }
}

/// Number of coalitions other than `∅` and the full set, when it fits in `u64`.
fn proper_coalitions(m: usize) -> Option<u64> {
    (m < 64).then(|| (1u64 << m) - 2)
}

/// The Shapley kernel weight of a coalition of size `s` out of `m` (`0 < s < m`).
fn shapley_kernel(m: usize, s: usize) -> f64 {
    // ln C(m, s) through a running product keeps large m finite.
    let ln_binom: f64 = (1..=s).map(|k| ((m - s + k) as f64 / k as f64).ln()).sum();
    (m as f64 - 1.0) / (s as f64 * (m - s) as f64) * (-ln_binom).exp()
}

/// All proper coalitions of `m` features as 0/1 masks (row-major) with their kernel weights.
fn enumerate(m: usize) -> (Vec<f32>, Vec<f64>) {
    let count = (1usize << m) - 2;
    let mut masks = vec![0.0f32; count * m];
    let mut weights = Vec::with_capacity(count);
    for (k, mask) in masks.chunks_mut(m).enumerate() {
        let code = k + 1;
        for (i, v) in mask.iter_mut().enumerate() {
            *v = ((code >> i) & 1) as f32;
        }
        weights.push(shapley_kernel(m, code.count_ones() as usize));
    }
    (masks, weights)
}

/// `count` coalitions from the Shapley kernel distribution (size `s ∝ 1 / (s (m − s))`, then
/// a uniform subset), optionally each followed by its complement.
fn sample(m: usize, count: usize, paired: bool, rng: &mut impl Rng) -> Vec<f32> {
    let size_weights: Vec<f64> = (1..m).map(|s| 1.0 / (s * (m - s)) as f64).collect();
    let total: f64 = size_weights.iter().sum();
    let mut order: Vec<usize> = (0..m).collect();
    let mut masks = vec![0.0f32; count * m];
    let mut k = 0;
    while k < count {
        let mut u = rng.random::<f64>() * total;
        let mut s = m - 1;
        for (j, w) in size_weights.iter().enumerate() {
            if u < *w {
                s = j + 1;
                break;
            }
            u -= w;
        }
        // Partial Fisher–Yates: the first `s` entries become a uniform subset of size `s`.
        for i in 0..s {
            let j = rng.random_range(i..m);
            order.swap(i, j);
        }
        let mask = &mut masks[k * m..(k + 1) * m];
        order[..s].iter().for_each(|&i| mask[i] = 1.0);
        k += 1;
        if paired && k < count {
            let (done, next) = masks.split_at_mut(k * m);
            let prev = &done[(k - 1) * m..];
            next[..m].iter_mut().zip(prev).for_each(|(c, p)| *c = 1.0 - p);
            k += 1;
        }
    }
    masks
}

impl<const D: usize> Explainer<D> for KernelShap {
    fn name(&self) -> String {
        "kernel-shap".into()
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
        let exact = proper_coalitions(m).is_some_and(|n| n <= c.samples as u64);
        let mut out = Vec::with_capacity(request.rows());
        for row in 0..request.rows() {
            let (x, r, mut rng) = row_setup(request, row, &c.reference)?;
            let eval = Evaluator::new(model);
            let class = request.classes()[row];
            let contrast = request.contrast_of(row);
            let scorer =
                MaskedScorer::new(&eval, x, r, space, class, c.score, request.batch_size())?;
            let (masks, weights) = if exact {
                let (masks, weights) = enumerate(m);
                (masks, Some(weights))
            } else {
                (sample(m, c.samples, c.paired, &mut rng), None)
            };
            let mut ends = vec![1.0f32; m];
            ends.extend(vec![0.0f32; m]);
            let ends = scorer.contrast_scores(&ends, contrast)?;
            let (fx, fr) = (ends[0] as f64, ends[1] as f64);
            let total = fx - fr;
            let values = scorer.contrast_scores(&masks, contrast)?;
            let scores: Vec<f32> = if m == 1 {
                vec![total as f32]
            } else {
                // v(z) − f(r) − Δ z_M = Σ_{i<M} φ_i (z_i − z_M).
                let k = values.len();
                let mut design = vec![0.0f32; k * (m - 1)];
                let mut y = vec![0.0f32; k];
                for s in 0..k {
                    let z = &masks[s * m..(s + 1) * m];
                    let last = z[m - 1];
                    for i in 0..m - 1 {
                        design[s * (m - 1) + i] = z[i] - last;
                    }
                    y[s] = (values[s] as f64 - fr - total * last as f64) as f32;
                }
                let ls = LeastSquares { intercept: false, ridge: 0.0 };
                let fit = ls.fit(&design, m - 1, &y, weights.as_deref())?;
                let rest: f64 = fit.coefficients.iter().sum();
                let mut phi: Vec<f32> = fit.coefficients.iter().map(|v| *v as f32).collect();
                phi.push((total - rest) as f32);
                phi
            };
            out.push(
                Attribution::new("kernel-shap", class, scores, eval.cost())?
                    .with_contrast(contrast),
            );
        }
        Ok(out)
    }
}
