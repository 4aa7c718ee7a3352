//! SmoothGrad (Smilkov et al. 2017, "SmoothGrad: removing noise by adding noise", section 3).

use super::{BatchedGradients, aggregate};
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use rand::Rng;
use rand_distr::StandardNormal;
use xai_core::host::{from_vec_f32, to_vec_f32};
use xai_core::{Attribution, Classifier, XaiError, seed};

/// Settings of [`SmoothGrad`].
#[derive(Config, Debug)]
pub struct SmoothGradConfig {
    /// Noise level `σ / (x_max − x_min)` (the paper: 10–20% works best).
    #[config(default = 0.15)]
    pub noise_level: f64,
    /// Noisy samples `n` per input (the paper: about 50).
    #[config(default = 50)]
    pub samples: usize,
    /// SmoothGrad-squared: average the squared gradients (Hooker et al. 2019) instead of the
    /// gradients.
    #[config(default = false)]
    pub squared: bool,
    /// Score features by `Σ |mean gradient|` over their elements (the paper's visualisations
    /// take absolute values) instead of the signed sum. Ignored when `squared`.
    #[config(default = true)]
    pub absolute: bool,
}

impl SmoothGradConfig {
    /// The settings of `preset`: 50 noisy samples (paper), 16 (fast).
    pub fn preset(preset: crate::Preset) -> Self {
        Self::new().with_samples(preset.pick(50, 16))
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.samples == 0 {
            return Err(XaiError::invalid("smoothgrad samples", 0, "at least 1"));
        }
        if !(self.noise_level.is_finite() && self.noise_level >= 0.0) {
            return Err(XaiError::invalid("noise level", self.noise_level, "finite and >= 0"));
        }
        Ok(())
    }
}

/// SmoothGrad (Smilkov et al. 2017, section 3): `M̂(x) = (1/n) Σ_s ∇f(x + ε_s)` with
/// `ε_s ~ N(0, σ²)`, `σ = noise_level × (max(x) − min(x))` per input, and `f = f_y` or
/// `f_y − f_t` for a contrast class; SmoothGrad-squared averages `(∇f)²` instead. A feature's
/// score is the sum over its elements of `|M̂_e|` (absolute, default), of `M̂_e` (signed) or of
/// the squared mean (see [`crate::gradient`]).
///
/// The noise is drawn on the host from `seed::stream_rng(seed, row)` (`StandardNormal`), so
/// the same seed gives the same map whatever the batch size; noisy inputs are not clipped to
/// the request's bounds (as in the paper).
///
/// Cost per row: `samples` forward + `samples` backward evaluations.
///
/// # Shapes
/// - request inputs: `[rows, ...sample_shape]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct SmoothGrad {
    config: SmoothGradConfig,
}

impl Default for SmoothGrad {
    fn default() -> Self {
        Self { config: SmoothGradConfig::new() }
    }
}

impl SmoothGrad {
    /// SmoothGrad with `config`; errors on invalid settings.
    pub fn new(config: SmoothGradConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &SmoothGradConfig {
        &self.config
    }
}

impl<const D: usize> Explainer<D> for SmoothGrad {
    fn name(&self) -> String {
        "smoothgrad".into()
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
        let rows = request.rows();
        let x = to_vec_f32(request.inputs().clone())?;
        let sigma: Vec<f32> = x
            .chunks(per)
            .map(|row| {
                let (lo, hi) = row
                    .iter()
                    .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
                (c.noise_level * (hi - lo) as f64) as f32
            })
            .collect();
        let mut rngs: Vec<_> =
            (0..rows).map(|r| seed::stream_rng(request.seed(), r as u64)).collect();
        let mut runner = BatchedGradients::new(model, request, c.samples)?;
        let mut sums = vec![0.0f64; rows * per];
        let device = request.inputs().device();
        for range in runner.chunks()? {
            let points_of = runner.rows_of(range.clone());
            let mut noisy = Vec::with_capacity(range.len() * per);
            for &r in &points_of {
                let rng = &mut rngs[r];
                noisy.extend(x[r * per..(r + 1) * per].iter().map(|&v| {
                    let e: f32 = rng.sample(StandardNormal);
                    v + sigma[r] * e
                }));
            }
            let mut shape = request.inputs().dims();
            shape[0] = range.len();
            let inputs = from_vec_f32(noisy, shape, &device)?;
            let grad = to_vec_f32(runner.gradient(range, inputs)?)?;
            for (&r, g) in points_of.iter().zip(grad.chunks(per)) {
                let acc = &mut sums[r * per..(r + 1) * per];
                for (a, &g) in acc.iter_mut().zip(g) {
                    *a += if c.squared { (g as f64).powi(2) } else { g as f64 };
                }
            }
        }
        let mut out = Vec::with_capacity(rows);
        for row in 0..rows {
            let mean: Vec<f32> = sums[row * per..(row + 1) * per]
                .iter()
                .map(|s| (s / c.samples as f64) as f32)
                .collect();
            let scores = aggregate(space, &mean, c.absolute && !c.squared)?;
            out.push(
                Attribution::new(
                    "smoothgrad",
                    request.classes()[row],
                    scores,
                    runner.costs()[row],
                )?
                .with_contrast(request.contrast_of(row)),
            );
        }
        Ok(out)
    }
}
