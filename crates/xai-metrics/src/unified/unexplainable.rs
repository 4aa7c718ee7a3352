//! M_feature: quantification of unexplainable feature components (paper 003, Eqn. 4,
//! section 3.3).

use super::{check_map, l2, mean};
use crate::curve::Better;
use burn::config::Config;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use xai_core::host::{from_vec_f32, to_vec_f32};
use xai_core::{Attribution, Cost, FeatureSpace, Reference, XaiError, seed};

/// Settings of [`UnexplainableComponents`].
#[derive(Config, Debug)]
pub struct UnexplainableComponentsConfig {
    /// What a masked pixel becomes (required; the paper: the average pixel value over the
    /// dataset, [`super::mean_pixel`]).
    pub reference: Reference,
    /// Share of the total |attribution| the masked pixels hold (default 0.1, the paper's 10%).
    #[config(default = 0.1)]
    pub mass: f64,
    /// Largest number of images per call of the feature extractor (default 64).
    #[config(default = 64)]
    pub batch_size: usize,
}

impl UnexplainableComponentsConfig {
    /// Checks the settings: `mass` in `[0, 1]`, a batch size of at least 1, a finite constant
    /// reference.
    pub fn validate(&self) -> xai_core::Result<()> {
        if !(0.0..=1.0).contains(&self.mass) {
            return Err(XaiError::invalid("M_feature mass", self.mass, "a fraction in [0, 1]"));
        }
        if self.batch_size == 0 {
            return Err(XaiError::invalid("M_feature batch size", 0, "at least 1"));
        }
        if let Reference::Constant(v) = self.reference
            && !v.is_finite()
        {
            return Err(XaiError::invalid("reference value", v, "a finite number"));
        }
        Ok(())
    }

    /// The metric with these settings.
    pub fn init(&self) -> xai_core::Result<UnexplainableComponents> {
        UnexplainableComponents::new(self.clone())
    }
}

/// M_feature per image and over the images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnexplainableComponentsReport {
    /// `α ‖f_Ĩ − f_I‖` for each image (their mean is M_feature).
    pub per_image: Vec<f64>,
    /// M_feature = `α E_I ‖f_Ĩ − f_I‖`.
    pub mean: f64,
    /// The share of features masked in each image (the paper: about 30% on average).
    pub masked_fraction: Vec<f64>,
    /// `E_I ‖f_I‖`, the normaliser (`α` is its inverse).
    pub mean_feature_norm: f64,
    /// Feature-extractor evaluations, counted as forward evaluations (2 per image).
    pub cost: Cost,
}

/// Unexplainable feature components M_feature (paper 003, Eqn. 4): the image `Ĩ` keeps the
/// pixels an attribution map explains and replaces the set `S` of lowest-|a_i| pixels, with
/// `Σ_{i∈S} |a_i| = 0.1 Σ_{i∈Ω} |a_i|`, by the reference (the mean pixel); then
///
/// `M_feature = α E_I ‖f_Ĩ − f_I‖`, `α = 1 / E_I ‖f_I‖`,
///
/// with `f` an intermediate feature map (the paper: the last convolutional layer) and L2 norms
/// over all its elements. `S` is the largest set of lowest-|a| pixels (ties by the lower
/// index) whose |a| sums to at most `mass` of the total, to rounding. Lower is better (more of
/// the feature is explained).
///
/// Cost: two feature-extractor evaluations per image (counted as forward evaluations).
#[derive(Debug, Clone)]
pub struct UnexplainableComponents {
    config: UnexplainableComponentsConfig,
}

impl UnexplainableComponents {
    /// Lower values mean fewer unexplained feature components.
    pub const BETTER: Better = Better::Lower;

    /// The metric, after checking the settings.
    pub fn new(config: UnexplainableComponentsConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &UnexplainableComponentsConfig {
        &self.config
    }

    /// The features of `S` masked for one map: `true` = masked.
    pub fn masked_features(&self, attribution: &Attribution) -> Vec<bool> {
        let a = &attribution.scores;
        let total: f64 = a.iter().map(|v| v.abs() as f64).sum();
        let budget = self.config.mass * total + 1e-12 * total;
        let mut order: Vec<usize> = (0..a.len()).collect();
        order.sort_by(|&p, &q| a[p].abs().total_cmp(&a[q].abs()).then(p.cmp(&q)));
        let mut masked = vec![false; a.len()];
        let mut cum = 0.0f64;
        for i in order {
            cum += a[i].abs() as f64;
            if cum > budget {
                break;
            }
            masked[i] = true;
        }
        masked
    }

    /// M_feature of one attribution per image, with `extractor` computing the intermediate
    /// features (e.g. `|x| layered.feature_map(x)`). Random references are drawn from `seed`'s
    /// stream for each image.
    ///
    /// # Shapes
    /// - inputs: `[images, channels, height, width]` (the space's sample shape);
    ///   attributions: one per image
    /// - extractor: `[batch, channels, height, width]` → `[batch, ...]` features
    pub fn evaluate(
        &self,
        extractor: &dyn Fn(Tensor<4>) -> Tensor<4>,
        inputs: Tensor<4>,
        attributions: &[Attribution],
        space: &FeatureSpace,
        seed_: u64,
    ) -> xai_core::Result<UnexplainableComponentsReport> {
        let c = &self.config;
        space.check_input(&inputs.dims())?;
        let n = inputs.dims()[0];
        if n == 0 || attributions.len() != n {
            return Err(XaiError::shape(
                "attributions",
                format!("one per image ({n} images, at least 1)"),
                &[attributions.len()],
            ));
        }
        let device = inputs.device();
        let mut one = inputs.dims();
        one[0] = 1;
        let mut masked = Vec::with_capacity(n);
        let mut masked_fraction = Vec::with_capacity(n);
        for (i, a) in attributions.iter().enumerate() {
            check_map(&format!("attribution of image {i}"), a, space.n_features())?;
            let set = self.masked_features(a);
            masked_fraction.push(set.iter().filter(|m| **m).count() as f64 / set.len() as f64);
            let keep: Vec<f32> = set.iter().map(|&m| if m { 0.0 } else { 1.0 }).collect();
            let keep: Tensor<4> = from_vec_f32(space.expand_host(&keep)?, one, &device)?;
            let x = inputs.clone().narrow(0, i, 1);
            let r = c.reference.materialize(&x, &mut seed::stream_rng(seed_, i as u64))?;
            masked.push(r.clone() + (x - r) * keep);
        }
        let masked = Tensor::cat(masked, 0);
        let mut per_image = Vec::with_capacity(n);
        let mut norms = Vec::with_capacity(n);
        for range in xai_core::batching::batches(n, c.batch_size)? {
            let b = range.len();
            let f = rows(extractor(inputs.clone().narrow(0, range.start, b)), b)?;
            let g = rows(extractor(masked.clone().narrow(0, range.start, b)), b)?;
            for (fi, gi) in f.iter().zip(&g) {
                let d = fi.iter().zip(gi).map(|(p, q)| ((p - q) as f64).powi(2)).sum::<f64>();
                per_image.push(d.sqrt());
                norms.push(l2(fi));
            }
        }
        let mean_feature_norm = mean(&norms);
        if !(mean_feature_norm > 0.0 && mean_feature_norm.is_finite()) {
            return Err(XaiError::invalid(
                "mean feature norm E_I ‖f_I‖",
                mean_feature_norm,
                "a positive finite number (Eqn. 4 divides by it)",
            ));
        }
        per_image.iter_mut().for_each(|d| *d /= mean_feature_norm);
        let cost = Cost { forward: 2 * n as u64, backward: 0 };
        Ok(UnexplainableComponentsReport {
            mean: mean(&per_image),
            per_image,
            masked_fraction,
            mean_feature_norm,
            cost,
        })
    }
}

/// The features of a batch of `b` images as one host vector per image; errors on a wrong
/// batch dimension or non-finite features.
fn rows(features: Tensor<4>, b: usize) -> xai_core::Result<Vec<Vec<f32>>> {
    let dims = features.dims();
    if dims[0] != b {
        return Err(XaiError::shape("extracted features", format!("[{b}, ...]"), &dims));
    }
    let values = to_vec_f32(features)?;
    xai_core::host::check_finite("extracted features", &values)?;
    let per = values.len() / b;
    Ok(values.chunks(per.max(1)).map(<[f32]>::to_vec).collect())
}
