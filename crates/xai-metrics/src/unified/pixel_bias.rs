//! M_pixel: bias of an attribution map at the pixel level against sampled Shapley values
//! (paper 003, Eqn. 3, section 3.2).

use super::{check_map, mean, nonzero_norm};
use crate::curve::Better;
use burn::config::Config;
use serde::{Deserialize, Serialize};
use xai_core::attribution::{fraction_to_k, ranking};
use xai_core::{Attribution, Classifier, Cost, XaiError};
use xai_explain::{ExplainRequest, Explainer, SampledShapley};

/// Settings of [`PixelBias`].
#[derive(Config, Debug)]
pub struct PixelBiasConfig {
    /// Fractions of the pixels sampled from the top and from the bottom of the map (default:
    /// the paper's 10, 30, 50, 70 and 90%, section 4.2).
    #[config(default = "vec![0.1, 0.3, 0.5, 0.7, 0.9]")]
    pub fractions: Vec<f64>,
}

impl PixelBiasConfig {
    /// Checks the settings: at least one fraction, each in `(0, 1]`.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.fractions.is_empty() {
            return Err(XaiError::invalid("M_pixel fractions", "[]", "at least one fraction"));
        }
        if let Some(q) = self.fractions.iter().find(|q| !(**q > 0.0 && **q <= 1.0)) {
            return Err(XaiError::invalid("M_pixel fraction", q, "a fraction in (0, 1]"));
        }
        Ok(())
    }

    /// The metric with these settings.
    pub fn init(&self) -> xai_core::Result<PixelBias> {
        PixelBias::new(self.clone())
    }
}

/// M_pixel for each image and fraction, from the top and from the bottom of the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PixelBiasReport {
    /// The fractions of pixels sampled (`|S| = round(q · n)`, at least 1).
    pub fractions: Vec<f64>,
    /// `top[image][j]`: the bias of the top `fractions[j]` of the map of `image`.
    pub top: Vec<Vec<f64>>,
    /// `bottom[image][j]`: the bias of the bottom `fractions[j]` of the map of `image`.
    pub bottom: Vec<Vec<f64>>,
    /// M_pixel of the top fractions: the mean of `top` over images (the paper's "top-q%" rows).
    pub mean_top: Vec<f64>,
    /// M_pixel of the bottom fractions: the mean of `bottom` over images.
    pub mean_bottom: Vec<f64>,
    /// Model evaluations spent on the sampled Shapley values.
    pub cost: Cost,
}

/// Pixel-level bias M_pixel (paper 003, Eqn. 3): with `a` a method's map, `A^shap` the sampled
/// Shapley values of the same image and class, and `S` the `|S|` pixels with the highest (or
/// the lowest) `a_i`,
///
/// `M_pixel = E_I | Σ_{i∈S} A_i^shap / (|S| ‖A^shap‖) − Σ_{i∈S} a_i / (|S| ‖a‖) |`,
///
/// both maps divided by their L2 norms (which removes the unknown scale λ of Eqn. 2; the L2
/// norm matches the magnitudes of the paper's Tables 4–13). The mean over `S` is a much more
/// accurate estimate than a single pixel's sampled Shapley value (appendix B). Ties in `a` are
/// broken by the lower pixel index. Lower is better.
///
/// Cost: that of the sampled Shapley values ([`PixelBias::evaluate`]); [`PixelBias::score`]
/// makes no model evaluation of its own and reports the cost of the Shapley maps given.
#[derive(Debug, Clone)]
pub struct PixelBias {
    config: PixelBiasConfig,
}

impl PixelBias {
    /// Lower values mean a less biased map.
    pub const BETTER: Better = Better::Lower;

    /// The metric, after checking the settings.
    pub fn new(config: PixelBiasConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &PixelBiasConfig {
        &self.config
    }

    /// Samples Shapley values for every row of `request` with `shapley` (whose reference should
    /// be the dataset's mean pixel, see [`super::mean_pixel`]), then scores `attributions` (one
    /// per row) against them. To compare several methods on the same images, compute the
    /// Shapley values once and call [`PixelBias::score`] per method.
    ///
    /// # Shapes
    /// - request inputs: `[rows, ...sample_shape]`; attributions: one per row
    pub fn evaluate<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
        attributions: &[Attribution],
        shapley: &SampledShapley,
    ) -> xai_core::Result<PixelBiasReport> {
        if attributions.len() != request.rows() {
            return Err(XaiError::shape(
                "attributions",
                format!("one per row ({} rows)", request.rows()),
                &[attributions.len()],
            ));
        }
        let reference = shapley.explain(model, request)?;
        self.score(attributions, &reference)
    }

    /// M_pixel of `attributions` against precomputed Shapley values (`shapley[i]` for the same
    /// image and class as `attributions[i]`). Errors on different counts or feature numbers,
    /// non-finite scores, all-zero maps, or maps of different classes.
    pub fn score(
        &self,
        attributions: &[Attribution],
        shapley: &[Attribution],
    ) -> xai_core::Result<PixelBiasReport> {
        if attributions.is_empty() || attributions.len() != shapley.len() {
            return Err(XaiError::shape(
                "attributions and Shapley values",
                "the same non-zero number of images",
                &[attributions.len(), shapley.len()],
            ));
        }
        let fractions = self.config.fractions.clone();
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for (i, (a, s)) in attributions.iter().zip(shapley).enumerate() {
            let n = s.n_features();
            check_map(&format!("Shapley values of image {i}"), s, n)?;
            check_map(&format!("attribution of image {i}"), a, n)?;
            if (a.target, a.contrast) != (s.target, s.contrast) {
                return Err(XaiError::invalid(
                    format!("class of the attribution of image {i}"),
                    a.target,
                    format!("the class of its Shapley values ({})", s.target),
                ));
            }
            let norm_a = nonzero_norm(&format!("attribution of image {i}"), &a.scores)?;
            let norm_s = nonzero_norm(&format!("Shapley values of image {i}"), &s.scores)?;
            let descending = ranking(&a.scores);
            let mut ascending: Vec<usize> = (0..n).collect();
            ascending.sort_by(|&p, &q| a.scores[p].total_cmp(&a.scores[q]).then(p.cmp(&q)));
            let bias = |set: &[usize]| {
                let k = set.len() as f64;
                let sa: f64 = set.iter().map(|&j| a.scores[j] as f64).sum();
                let ss: f64 = set.iter().map(|&j| s.scores[j] as f64).sum();
                (ss / (k * norm_s) - sa / (k * norm_a)).abs()
            };
            let (mut t, mut b) = (Vec::new(), Vec::new());
            for &q in &fractions {
                let k = fraction_to_k(q, n)?;
                t.push(bias(&descending[..k]));
                b.push(bias(&ascending[..k]));
            }
            top.push(t);
            bottom.push(b);
        }
        let column =
            |rows: &[Vec<f64>], j: usize| mean(&rows.iter().map(|r| r[j]).collect::<Vec<_>>());
        let mean_top = (0..fractions.len()).map(|j| column(&top, j)).collect();
        let mean_bottom = (0..fractions.len()).map(|j| column(&bottom, j)).collect();
        let cost = shapley.iter().map(|s| s.cost).sum();
        Ok(PixelBiasReport { fractions, top, bottom, mean_top, mean_bottom, cost })
    }
}
