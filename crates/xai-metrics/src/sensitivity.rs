//! Explanation sensitivity SENS (Hsieh et al. 2021, appendix J, Eqn. 12; after Yeh et al.
//! 2019).

use burn::config::Config;
use burn::tensor::Tensor;
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use xai_core::host::{from_vec_f32, to_vec_f32};
use xai_core::{Classifier, Cost, XaiError, seed};
use xai_explain::{ExplainRequest, Explainer};

/// Settings of [`Sensitivity`].
#[derive(Config, Debug)]
pub struct SensitivityConfig {
    /// Radius `r` of the L2 neighbourhood (the paper: 0.1).
    #[config(default = 0.1)]
    pub radius: f64,
    /// Size of the relevant set `Φ` as a fraction of the features (the paper: top 20%).
    #[config(default = 0.2)]
    pub fraction: f64,
    /// Neighbours `y` sampled per input.
    #[config(default = 10)]
    pub samples: usize,
}

/// SENS per example and its mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityReport {
    /// SENS of each example, in `[0, 1]` (0 = the set never changes).
    pub per_example: Vec<f64>,
    /// The mean over examples.
    pub mean: f64,
    /// Model evaluations spent (explanations of the inputs and of their neighbours).
    pub cost: Cost,
}

/// SENS(Φ, f, x, r) = max over `‖y − x‖ ≤ r` of `1 − |Φ(f, y) ∩ Φ(f, x)| / |Φ(f, x)|`, with `Φ`
/// the top-`fraction` set of the explainer (Eqn. 12 as the text defines it: 0 when the set
/// is the same in the whole neighbourhood, 1 when some neighbour's set is disjoint). The
/// maximum is estimated over `samples` points drawn uniformly in the L2 ball (then clipped to
/// the input box, which only moves them closer to `x`); every neighbour is explained for the
/// same class as `x`.
///
/// Cost: `samples + 1` explanations per example (the neighbours and `x` itself), all counted
/// in the report.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    config: SensitivityConfig,
}

impl Sensitivity {
    /// The metric, after checking the settings.
    pub fn new(config: SensitivityConfig) -> xai_core::Result<Self> {
        if !(config.radius.is_finite() && config.radius > 0.0) {
            return Err(XaiError::invalid("radius", config.radius, "a positive number"));
        }
        if !(config.fraction > 0.0 && config.fraction <= 1.0) {
            return Err(XaiError::invalid("fraction", config.fraction, "in (0, 1]"));
        }
        if config.samples == 0 {
            return Err(XaiError::invalid("samples", 0, "at least 1"));
        }
        Ok(Self { config })
    }

    /// SENS of `explainer` on every row of `request`.
    pub fn evaluate<M: Classifier<D>, X: Explainer<D>, const D: usize>(
        &self,
        explainer: &X,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<SensitivityReport> {
        let c = &self.config;
        let originals = explainer.explain(model, request)?;
        let (lo, hi) = request.bounds();
        let mut per_example = Vec::with_capacity(request.rows());
        let mut cost: Cost = originals.iter().map(|a| a.cost).sum();
        for (row, original) in originals.iter().enumerate() {
            let base = original.top_fraction(c.fraction)?;
            let x = request.row(row);
            let dims = x.dims();
            let host = to_vec_f32(x.clone())?;
            let mut rng = seed::stream_rng(request.seed() ^ 0x5E45, row as u64);
            let mut neighbours = Vec::with_capacity(c.samples * host.len());
            for _ in 0..c.samples {
                neighbours.extend(sample_in_ball(&host, c.radius, lo, hi, &mut rng));
            }
            let mut shape = dims;
            shape[0] = c.samples;
            let ys: Tensor<D> = from_vec_f32(neighbours, shape, &x.device())?;
            let mut sub = ExplainRequest::new(
                ys,
                vec![request.classes()[row]; c.samples],
                request.space().clone(),
            )?
            .with_seed(request.seed())
            .with_batch_size(request.batch_size())?
            .with_bounds(lo, hi)?;
            if let Some(t) = request.contrast_of(row) {
                sub = sub.with_contrast(vec![t; c.samples])?;
            }
            let mut worst: f64 = 0.0;
            for a in explainer.explain(model, &sub)? {
                cost += a.cost;
                let set = a.top_fraction(c.fraction)?;
                let common = base.bits().iter().zip(set.bits()).filter(|(p, q)| **p && **q).count();
                worst = worst.max(1.0 - common as f64 / base.count() as f64);
            }
            per_example.push(worst);
        }
        let mean = per_example.iter().sum::<f64>() / per_example.len() as f64;
        Ok(SensitivityReport { per_example, mean, cost })
    }
}

/// A point drawn uniformly in the L2 ball of `radius` around `x`, clipped to `[lo, hi]`.
fn sample_in_ball(x: &[f32], radius: f64, lo: f32, hi: f32, rng: &mut impl Rng) -> Vec<f32> {
    let dir: Vec<f64> = x.iter().map(|_| rng.sample::<f64, _>(StandardNormal)).collect();
    let norm = dir.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-12);
    let scale = radius * rng.random::<f64>().powf(1.0 / x.len() as f64) / norm;
    x.iter().zip(dir).map(|(v, d)| (v + (d * scale) as f32).clamp(lo, hi)).collect()
}
