//! The four metrics of "Towards a Unified Evaluation of Explanation Methods without Ground
//! Truth" (paper 003, ICLR 2020 submission), none of which needs ground-truth explanations:
//!
//! - [`PixelBias`]: M_pixel, the bias of the top / bottom 10–90% of an attribution map against
//!   sampled Shapley values (Eqn. 3, section 3.2), with [`xai_explain::SampledShapley`].
//! - [`UnexplainableComponents`]: M_feature, how far intermediate features move when the pixels
//!   holding the lowest 10% of |attribution| are replaced by the mean pixel (Eqn. 4, section
//!   3.3).
//! - [`SpatialMasking`]: M_non-robust, how much the attributions of unmasked pixels change when
//!   the left / right / top / bottom half of the image is masked and the image re-explained
//!   (Eqn. 5, section 3.4).
//! - [`mutual_verification`]: M_mutual, the mean L2 distance between L2-normalised maps of
//!   every pair of methods (Eqn. 6, section 3.5).
//!
//! Lower is better for all four. "Pixels" are the features of the [`xai_core::FeatureSpace`]
//! the attributions were made in (one per pixel for the paper's maps). The paper's reference
//! for absent pixels is the average pixel value over the dataset: [`mean_pixel`].

pub mod mutual;
pub mod pixel_bias;
pub mod spatial_masking;
pub mod unexplainable;

pub use mutual::{MutualVerificationReport, mutual_verification};
pub use pixel_bias::{PixelBias, PixelBiasConfig, PixelBiasReport};
pub use spatial_masking::{Half, SpatialMasking, SpatialMaskingConfig, SpatialMaskingReport};
pub use unexplainable::{
    UnexplainableComponents, UnexplainableComponentsConfig, UnexplainableComponentsReport,
};

use burn::tensor::Tensor;
use xai_core::host::{check_finite, to_vec_f32};
use xai_core::{Attribution, FeatureSpace, Reference, Result, XaiError};

/// The paper's reference image: every pixel set to the average pixel value (per channel) over
/// `images` (appendix A: "all pixels in I_∅ equal to the average value over all images"), as
/// [`Reference::Values`] of one sample's shape.
///
/// # Shapes
/// - images: `[n, channels, height, width]` → values of `[channels, height, width]`
pub fn mean_pixel(images: &Tensor<4>) -> Result<Reference> {
    let [n, c, h, w] = images.dims();
    if n * c * h * w == 0 {
        return Err(XaiError::shape(
            "images",
            "[n, channels, height, width], all > 0",
            &[n, c, h, w],
        ));
    }
    let values = to_vec_f32(images.clone())?;
    check_finite("images", &values)?;
    let mut sums = vec![0.0f64; c];
    for (k, v) in values.iter().enumerate() {
        sums[(k / (h * w)) % c] += *v as f64;
    }
    let per = (n * h * w) as f64;
    Ok(Reference::Values(
        sums.iter().flat_map(|s| std::iter::repeat_n((s / per) as f32, h * w)).collect(),
    ))
}

/// The L2 norm of a map, in `f64`.
pub(crate) fn l2(values: &[f32]) -> f64 {
    values.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt()
}

/// Checks one map: finite scores, `n` of them.
pub(crate) fn check_map(what: &str, a: &Attribution, n: usize) -> Result<()> {
    if a.n_features() != n {
        return Err(XaiError::shape(what, format!("{n} features"), &[a.n_features()]));
    }
    check_finite(what, &a.scores)
}

/// The L2 norm of a map that a metric divides by; errors when it is zero.
pub(crate) fn nonzero_norm(what: &str, values: &[f32]) -> Result<f64> {
    let norm = l2(values);
    if norm == 0.0 {
        return Err(XaiError::invalid(
            what,
            "an all-zero map",
            "a map with a non-zero score (the metric divides by its L2 norm)",
        ));
    }
    Ok(norm)
}

/// The `[channels, height, width]` of an image feature space.
pub(crate) fn image_shape(space: &FeatureSpace) -> Result<[usize; 3]> {
    match space.sample_shape() {
        &[c, h, w] => Ok([c, h, w]),
        other => Err(XaiError::shape("feature space sample", "[channels, height, width]", other)),
    }
}

/// The mean of a non-empty slice.
pub(crate) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}
