//! Leave-one-out and Occlusion (Zeiler & Fergus 2014): the score drop when one feature, or one
//! sliding window of pixels, is replaced by the reference.

use crate::explainer::Explainer;
use crate::perturb::MaskedScorer;
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::Tensor;
use rand::rngs::StdRng;
use xai_core::seed;
use xai_core::{Attribution, ClassScore, Classifier, Evaluator, FeatureSpace, Reference, XaiError};

/// The pieces every perturbation explainer needs for one row: the input `[1, ...]`, its
/// reference (drawn from the row's seeded stream, so [`Reference::Uniform`] is reproducible)
/// and that stream, for any further sampling.
pub(crate) fn row_setup<const D: usize>(
    request: &ExplainRequest<D>,
    row: usize,
    reference: &Reference,
) -> xai_core::Result<(Tensor<D>, Tensor<D>, StdRng)> {
    let mut rng = seed::stream_rng(request.seed(), row as u64);
    let x = request.row(row);
    let r = reference.materialize(&x, &mut rng)?;
    Ok((x, r, rng))
}

/// Scores `count` masks over `n_features` features that `fill(k, mask)` writes one at a time,
/// generating at most `chunk` masks at once (host memory stays `chunk × n_features`).
pub(crate) fn generated_scores<M: Classifier<D> + ?Sized, const D: usize>(
    scorer: &MaskedScorer<'_, '_, M, D>,
    n_features: usize,
    count: usize,
    chunk: usize,
    contrast: Option<usize>,
    mut fill: impl FnMut(usize, &mut [f32]),
) -> xai_core::Result<Vec<f32>> {
    let mut out = Vec::with_capacity(count);
    for range in xai_core::batching::batches(count, chunk)? {
        let mut masks = vec![0.0f32; range.len() * n_features];
        for (k, mask) in range.clone().zip(masks.chunks_mut(n_features)) {
            fill(k, mask);
        }
        out.extend(scorer.contrast_scores(&masks, contrast)?);
    }
    Ok(out)
}

/// Settings of [`Loo`].
#[derive(Config, Debug)]
pub struct LooConfig {
    /// What a removed feature is replaced with (default: the constant 0).
    #[config(default = "Reference::Constant(0.0)")]
    pub reference: Reference,
    /// The model output explained: the logit (default) or the probability.
    #[config(default = "ClassScore::Logit")]
    pub score: ClassScore,
    /// Score a feature by the magnitude `|f(x) − f(x_{i←r})|` instead of the signed drop
    /// (paper 000's reference code ranks every saliency map by `np.abs`).
    #[config(default = false)]
    pub absolute: bool,
}

impl LooConfig {
    /// The settings of `preset`: the signed drop with the reference 0 (standard, fast); for
    /// `paper` the reference code's `|f(x with pixel i set to 0) − f(x)|`.
    pub fn preset(preset: crate::Preset) -> Self {
        Self::new().with_absolute(preset == crate::Preset::Paper)
    }

    /// Checks the settings (a constant reference must be finite).
    pub fn validate(&self) -> xai_core::Result<()> {
        validate_reference(&self.reference)
    }

    /// The explainer with these settings.
    pub fn init(&self) -> xai_core::Result<Loo> {
        Loo::new(self.clone())
    }
}

pub(crate) fn validate_reference(reference: &Reference) -> xai_core::Result<()> {
    match reference {
        Reference::Constant(v) if !v.is_finite() => {
            Err(XaiError::invalid("reference value", v, "a finite number"))
        }
        Reference::Blur { sigma } if !(sigma.is_finite() && *sigma > 0.0) => {
            Err(XaiError::invalid("blur sigma", sigma, "a positive number of pixels"))
        }
        _ => Ok(()),
    }
}

/// Leave-one-out (occlusion of single features; e.g. Zeiler & Fergus 2014, Li et al. 2016):
/// `score_i = f(x) − f(x with feature i replaced by the reference)`, where `f` is the class
/// score (or `f_y − f_t` with a contrast class `t`); its magnitude with `absolute`.
///
/// Cost per row: `n_features + 1` forward evaluations.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Loo {
    config: LooConfig,
}

impl Default for Loo {
    fn default() -> Self {
        Self { config: LooConfig::new() }
    }
}

impl Loo {
    /// LOO with `config`, validated.
    pub fn new(config: LooConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &LooConfig {
        &self.config
    }
}

impl<const D: usize> Explainer<D> for Loo {
    fn name(&self) -> String {
        "loo".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        self.config.validate()?;
        let space = request.space();
        let n = space.n_features();
        let mut out = Vec::with_capacity(request.rows());
        for row in 0..request.rows() {
            let (x, r, _) = row_setup(request, row, &self.config.reference)?;
            let eval = Evaluator::new(model);
            let class = request.classes()[row];
            let contrast = request.contrast_of(row);
            let scorer = MaskedScorer::new(
                &eval,
                x,
                r,
                space,
                class,
                self.config.score,
                request.batch_size(),
            )?;
            // Mask 0 keeps everything; mask k ≥ 1 removes feature k − 1.
            let values =
                generated_scores(&scorer, n, n + 1, request.batch_size(), contrast, |k, m| {
                    m.fill(1.0);
                    if k > 0 {
                        m[k - 1] = 0.0;
                    }
                })?;
            let drop = |v: &f32| values[0] - v;
            let scores = match self.config.absolute {
                true => values[1..].iter().map(|v| drop(v).abs()).collect(),
                false => values[1..].iter().map(drop).collect(),
            };
            out.push(Attribution::new("loo", class, scores, eval.cost())?.with_contrast(contrast));
        }
        Ok(out)
    }
}

/// Settings of [`Occlusion`].
#[derive(Config, Debug)]
pub struct OcclusionConfig {
    /// Side of the square occluding window in pixels (default 8; Captum's examples use 15).
    #[config(default = 8)]
    pub window: usize,
    /// Step between window positions in pixels (default 4); at most `window`, as in Captum,
    /// so that every pixel is occluded by some window.
    #[config(default = 4)]
    pub stride: usize,
    /// What the occluded pixels are replaced with (default: the constant 0).
    #[config(default = "Reference::Constant(0.0)")]
    pub reference: Reference,
    /// The model output explained: the logit (default) or the probability.
    #[config(default = "ClassScore::Logit")]
    pub score: ClassScore,
}

impl OcclusionConfig {
    /// Checks the settings: window and stride at least 1, stride at most the window, a valid
    /// reference.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.window == 0 {
            return Err(XaiError::invalid("occlusion window", 0, "at least 1 pixel"));
        }
        if self.stride == 0 {
            return Err(XaiError::invalid("occlusion stride", 0, "at least 1 pixel"));
        }
        if self.stride > self.window {
            return Err(XaiError::invalid(
                "occlusion stride",
                self.stride,
                format!("at most the window ({}), so every pixel is occluded", self.window),
            ));
        }
        validate_reference(&self.reference)
    }

    /// The explainer with these settings.
    pub fn init(&self) -> xai_core::Result<Occlusion> {
        Occlusion::new(self.clone())
    }
}

/// Occlusion (Zeiler & Fergus 2014, section 4.2; as in Captum's `Occlusion`): a
/// `window`×`window` square slides over the image with step `stride` (in pixel space, the last
/// position of each axis clipped at the border as in Captum, so every pixel is covered); each
/// position replaces the window, all channels, by the reference.
/// A pixel's score is the mean drop `f(x) − f(x with the window occluded)` over the windows
/// covering it; a feature's score is the mean over its pixels (all channels), so pixel,
/// patch, superpixel and element feature spaces are all supported.
///
/// Images only: inputs `[rows, channels, height, width]`; other ranks give an error.
///
/// # Shapes
/// - inputs: `[rows, channels, height, width]`
///
/// Cost per row: `1 + positions` forward evaluations, with
/// `positions = (⌈(H − window) / stride⌉ + 1) × (⌈(W − window) / stride⌉ + 1)`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Occlusion {
    config: OcclusionConfig,
}

impl Default for Occlusion {
    fn default() -> Self {
        Self { config: OcclusionConfig::new() }
    }
}

impl Occlusion {
    /// Occlusion with `config`, validated.
    pub fn new(config: OcclusionConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &OcclusionConfig {
        &self.config
    }
}

/// Start offsets of a window of `window` sliding with `stride` over `len`, the last one
/// clipped at the border: `⌈(len − window) / stride⌉ + 1` positions.
fn starts(len: usize, window: usize, stride: usize) -> Vec<usize> {
    let positions = (len - window).div_ceil(stride) + 1;
    (0..positions).map(|k| k * stride).collect()
}

impl<const D: usize> Explainer<D> for Occlusion {
    fn name(&self) -> String {
        "occlusion".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let c = &self.config;
        c.validate()?;
        let space = request.space();
        let shape = space.sample_shape();
        if D != 4 || shape.len() != 3 {
            return Err(XaiError::shape(
                "occlusion input",
                "images [rows, channels, height, width]",
                &request.inputs().dims(),
            ));
        }
        let (channels, h, w) = (shape[0], shape[1], shape[2]);
        if c.window > h || c.window > w {
            return Err(XaiError::invalid(
                "occlusion window",
                c.window,
                format!("at most the image size {h}×{w}"),
            ));
        }
        let pixels = FeatureSpace::pixels(channels, h, w)?;
        let windows: Vec<(usize, usize)> = starts(h, c.window, c.stride)
            .into_iter()
            .flat_map(|y| starts(w, c.window, c.stride).into_iter().map(move |x| (y, x)))
            .collect();
        // How many windows cover each pixel (the same for every row).
        let mut covered = vec![0u32; h * w];
        for &(y0, x0) in &windows {
            for y in y0..(y0 + c.window).min(h) {
                for x in x0..(x0 + c.window).min(w) {
                    covered[y * w + x] += 1;
                }
            }
        }
        let mut out = Vec::with_capacity(request.rows());
        for row in 0..request.rows() {
            let (x, r, _) = row_setup(request, row, &c.reference)?;
            let eval = Evaluator::new(model);
            let class = request.classes()[row];
            let contrast = request.contrast_of(row);
            let scorer =
                MaskedScorer::new(&eval, x, r, &pixels, class, c.score, request.batch_size())?;
            let fill = |k: usize, m: &mut [f32]| {
                m.fill(1.0);
                if k > 0 {
                    let (y0, x0) = windows[k - 1];
                    for y in y0..(y0 + c.window).min(h) {
                        m[y * w + x0..y * w + (x0 + c.window).min(w)].fill(0.0);
                    }
                }
            };
            let values = generated_scores(
                &scorer,
                h * w,
                windows.len() + 1,
                request.batch_size(),
                contrast,
                fill,
            )?;
            let mut pixel_scores = vec![0.0f32; h * w];
            for (&(y0, x0), v) in windows.iter().zip(&values[1..]) {
                let drop = values[0] - v;
                for y in y0..(y0 + c.window).min(h) {
                    for x in x0..(x0 + c.window).min(w) {
                        pixel_scores[y * w + x] += drop;
                    }
                }
            }
            for (s, &n) in pixel_scores.iter_mut().zip(&covered) {
                *s = if n > 0 { *s / n as f32 } else { 0.0 };
            }
            let scores = mean_per_feature(space, &pixel_scores, h * w)?;
            out.push(
                Attribution::new("occlusion", class, scores, eval.cost())?.with_contrast(contrast),
            );
        }
        Ok(out)
    }
}

/// The mean of per-pixel values over each feature's elements (every channel of a pixel
/// carries the pixel's value).
fn mean_per_feature(
    space: &FeatureSpace,
    pixel_values: &[f32],
    hw: usize,
) -> xai_core::Result<Vec<f32>> {
    let element_values: Vec<f32> = (0..space.n_elements()).map(|e| pixel_values[e % hw]).collect();
    let sums = space.aggregate_sum(&element_values)?;
    let counts = space.aggregate_sum(&vec![1.0; space.n_elements()])?;
    Ok(sums.iter().zip(&counts).map(|(s, n)| s / n).collect())
}
