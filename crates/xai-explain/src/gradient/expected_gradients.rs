//! Expected Gradients (Erion et al. 2021, "Improving performance of deep learning models with
//! axiomatic attribution priors and expected gradients"; "EG" in Hsieh et al. 2021).

use super::{BatchedGradients, per_row_scale, pick_rows};
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::Tensor;
use rand::Rng;
use xai_core::host::{check_finite, to_vec_f32};
use xai_core::{Attribution, Classifier, XaiError, seed};

/// Settings of [`ExpectedGradients`].
#[derive(Config, Debug)]
pub struct ExpectedGradientsConfig {
    /// Samples `(x', α)` per input (Erion et al. use one or a few hundred).
    #[config(default = 200)]
    pub samples: usize,
}

impl ExpectedGradientsConfig {
    /// The settings of `preset`: 200 baseline samples (paper), 50 (fast).
    pub fn preset(preset: crate::Preset) -> Self {
        Self::new().with_samples(preset.pick(200, 50))
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.samples == 0 {
            return Err(XaiError::invalid("expected-gradients samples", 0, "at least 1"));
        }
        Ok(())
    }
}

/// Expected Gradients (Erion et al. 2021): Integrated Gradients averaged over baselines `x'`
/// drawn from a background distribution `D` (e.g. training samples), estimated by Monte Carlo
/// as `EG_e(x) = (1/n) Σ_s (x_e − x'_s,e) ∂f/∂x_e(x'_s + α_s (x − x'_s))` with `x'_s` uniform
/// over the background rows and `α_s ~ U(0, 1)`; `f = f_y` or `f_y − f_t` for a contrast
/// class. Signed; a feature's score is the signed sum of its elements (see
/// [`crate::gradient`]), so in expectation `Σ_j s_j = f(x) − E[f(x')]`.
///
/// Draws come from `seed::stream_rng(seed, row)`; the sample points of all rows are batched
/// through the model, `batch_size` at a time.
///
/// Cost per row: `samples` forward + `samples` backward evaluations.
///
/// # Shapes
/// - background: `[k, ...sample_shape]`, `k ≥ 1`
/// - request inputs: `[rows, ...sample_shape]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExpectedGradients<const D: usize> {
    config: ExpectedGradientsConfig,
    // The samples themselves are data, not settings (their count is in the config).
    #[serde(skip)]
    background: Tensor<D>,
}

impl<const D: usize> ExpectedGradients<D> {
    /// Expected Gradients over `background` (`[k, ...sample_shape]`); errors on invalid
    /// settings or an empty or non-finite background.
    pub fn new(config: ExpectedGradientsConfig, background: Tensor<D>) -> xai_core::Result<Self> {
        config.validate()?;
        let dims = background.dims();
        if dims.contains(&0) {
            return Err(XaiError::shape(
                "expected-gradients background",
                "[k, ...sample_shape] with at least one sample",
                &dims,
            ));
        }
        check_finite("expected-gradients background", &to_vec_f32(background.clone())?)?;
        Ok(Self { config, background })
    }

    /// The settings.
    pub fn config(&self) -> &ExpectedGradientsConfig {
        &self.config
    }

    /// The background samples.
    ///
    /// # Shapes
    /// `[k, ...sample_shape]`
    pub fn background(&self) -> &Tensor<D> {
        &self.background
    }
}

impl<const D: usize> Explainer<D> for ExpectedGradients<D> {
    fn name(&self) -> String {
        "expected-gradients".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let c = &self.config;
        c.validate()?;
        let space = request.space();
        let bg_dims = self.background.dims();
        if space.check_input(&bg_dims).is_err() {
            return Err(XaiError::shape(
                "expected-gradients background",
                format!("[k, {:?}] (the inputs' sample shape)", space.sample_shape()),
                &bg_dims,
            ));
        }
        let per = space.n_elements();
        let rows = request.rows();
        let inputs = request.inputs().clone();
        let device = inputs.device();
        let background = self.background.clone().to_device(&device);
        // (background index, α) of every sample, row by row.
        let draws: Vec<(usize, f32)> = (0..rows)
            .flat_map(|r| {
                let mut rng = seed::stream_rng(request.seed(), r as u64);
                (0..c.samples)
                    .map(|_| (rng.random_range(0..bg_dims[0]), rng.random::<f32>()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut runner = BatchedGradients::new(model, request, c.samples)?;
        let mut sums = vec![0.0f64; rows * per];
        for range in runner.chunks()? {
            let points_of = runner.rows_of(range.clone());
            let x = pick_rows(&inputs, &points_of);
            let picks: Vec<usize> = range.clone().map(|p| draws[p].0).collect();
            let base = pick_rows(&background, &picks);
            let alphas = range.clone().map(|p| draws[p].1).collect();
            let alpha = per_row_scale(alphas, x.dims(), &device)?;
            let diff = x - base.clone();
            let points = base + diff.clone() * alpha;
            let grad = runner.gradient(range, points)?;
            let product = to_vec_f32(diff * grad)?;
            for (&r, v) in points_of.iter().zip(product.chunks(per)) {
                let acc = &mut sums[r * per..(r + 1) * per];
                acc.iter_mut().zip(v).for_each(|(a, &v)| *a += v as f64);
            }
        }
        let mut out = Vec::with_capacity(rows);
        for row in 0..rows {
            let mean: Vec<f32> = sums[row * per..(row + 1) * per]
                .iter()
                .map(|s| (s / c.samples as f64) as f32)
                .collect();
            let scores = space.aggregate_sum(&mean)?;
            let cost = runner.costs()[row];
            out.push(
                Attribution::new("expected-gradients", request.classes()[row], scores, cost)?
                    .with_contrast(request.contrast_of(row)),
            );
        }
        Ok(out)
    }
}
