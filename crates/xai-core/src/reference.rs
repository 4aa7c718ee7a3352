//! Reference (baseline) values: what a removed feature is replaced with.

use crate::error::{Result, XaiError};
use crate::host::{check_finite, from_vec_f32};
use burn::tensor::module::conv2d;
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Device, Tensor};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The value a feature takes when it is removed from the input: `x ⊙ m + r ⊙ (1 − m)` with `r`
/// given here. Paper 000 (appendix H) compares the references 0, 0.25, 0.5, 0.75, 1 and
/// U(0, 1) noise; blurred inputs are the classic choice of Meaningful Perturbation (BBMP).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reference {
    /// Every element replaced by the same value (e.g. 0 = black).
    Constant(f32),
    /// Independent U(0, 1) noise per element, drawn from the caller's seeded generator.
    Uniform,
    /// A Gaussian blur of the input itself with standard deviation `sigma` pixels (images
    /// `[batch, channels, height, width]` only; borders are renormalised, not darkened).
    Blur {
        /// Standard deviation in pixels.
        sigma: f32,
    },
    /// Explicit values for one sample (row-major, the sample's shape), e.g. a dataset mean.
    Values(Vec<f32>),
}

impl Default for Reference {
    fn default() -> Self {
        Reference::Constant(0.0)
    }
}

impl Reference {
    /// The forms accepted by [`str::parse`].
    pub const FORMS: &'static str = "a number (e.g. 0, 0.5), 'uniform', or 'blur:SIGMA'";

    /// A short name for reports: `"0"`, `"0.25"`, `"uniform"`, `"blur:5"`, `"values"`.
    pub fn name(&self) -> String {
        match self {
            Reference::Constant(v) => format!("{v}"),
            Reference::Uniform => "uniform".into(),
            Reference::Blur { sigma } => format!("blur:{sigma}"),
            Reference::Values(_) => "values".into(),
        }
    }

    /// Whether drawing it consumes randomness (different draws differ).
    pub fn is_random(&self) -> bool {
        matches!(self, Reference::Uniform)
    }

    /// The reference for every row of `inputs` (same shape). `rng` is used by
    /// [`Reference::Uniform`] only.
    ///
    /// # Shapes
    /// `[batch, ...]` → `[batch, ...]`
    pub fn materialize<const D: usize>(
        &self,
        inputs: &Tensor<D>,
        rng: &mut impl Rng,
    ) -> Result<Tensor<D>> {
        let dims = inputs.dims();
        let device = inputs.device();
        match self {
            Reference::Constant(v) => {
                if !v.is_finite() {
                    return Err(XaiError::invalid("reference value", v, "a finite number"));
                }
                Ok(inputs.zeros_like().add_scalar(*v))
            }
            Reference::Uniform => {
                let n: usize = dims.iter().product();
                let values: Vec<f32> = (0..n).map(|_| rng.random::<f32>()).collect();
                from_vec_f32(values, dims, &device)
            }
            Reference::Blur { sigma } => blur(inputs.clone(), *sigma),
            Reference::Values(values) => {
                let per: usize = dims[1..].iter().product();
                if values.len() != per {
                    return Err(XaiError::shape(
                        "reference values",
                        format!("{per} values (one sample of shape {:?})", &dims[1..]),
                        &[values.len()],
                    ));
                }
                check_finite("reference values", values)?;
                let mut one = dims;
                one[0] = 1;
                let row: Tensor<D> = from_vec_f32(values.clone(), one, &device)?;
                Ok(row.expand(dims))
            }
        }
    }
}

impl std::str::FromStr for Reference {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || XaiError::invalid("reference", s, Self::FORMS);
        if s == "uniform" || s == "u(0,1)" {
            return Ok(Reference::Uniform);
        }
        if let Some(sigma) = s.strip_prefix("blur:") {
            let sigma: f32 = sigma.parse().map_err(|_| bad())?;
            if !(sigma.is_finite() && sigma > 0.0) {
                return Err(bad());
            }
            return Ok(Reference::Blur { sigma });
        }
        let v: f32 = s.parse().map_err(|_| bad())?;
        if !v.is_finite() {
            return Err(bad());
        }
        Ok(Reference::Constant(v))
    }
}

/// Separable Gaussian blur of `[batch, channels, height, width]` images; each output is
/// divided by the blur of an all-ones image so borders keep their brightness.
fn blur<const D: usize>(inputs: Tensor<D>, sigma: f32) -> Result<Tensor<D>> {
    let dims = inputs.dims();
    if D != 4 {
        return Err(XaiError::shape("blurred input", "[batch, channels, height, width]", &dims));
    }
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(XaiError::invalid("blur sigma", sigma, "a positive number of pixels"));
    }
    let [n, c, h, w] = [dims[0], dims[1], dims[2], dims[3]];
    let device = inputs.device();
    let radius = ((3.0 * sigma).ceil() as usize).min(h.max(w));
    let taps: Vec<f32> = (0..=2 * radius)
        .map(|i| (-((i as f32 - radius as f32).powi(2)) / (2.0 * sigma * sigma)).exp())
        .collect();
    let x: Tensor<4> = inputs.reshape([n, c, h, w]);
    let ones: Tensor<4> = Tensor::ones([1, c, h, w], &device);
    let blurred = separable(x, &taps, radius, c, &device)?;
    let norm = separable(ones, &taps, radius, c, &device)?;
    Ok((blurred / norm).reshape(dims))
}

fn separable(
    x: Tensor<4>,
    taps: &[f32],
    radius: usize,
    channels: usize,
    device: &Device,
) -> Result<Tensor<4>> {
    let k = taps.len();
    let weights: Vec<f32> = (0..channels).flat_map(|_| taps.iter().copied()).collect();
    let vertical: Tensor<4> = from_vec_f32(weights.clone(), [channels, 1, k, 1], device)?;
    let horizontal: Tensor<4> = from_vec_f32(weights, [channels, 1, 1, k], device)?;
    let x = conv2d(x, vertical, None, ConvOptions::new([1, 1], [radius, 0], [1, 1], channels));
    Ok(conv2d(x, horizontal, None, ConvOptions::new([1, 1], [0, radius], [1, 1], channels)))
}
