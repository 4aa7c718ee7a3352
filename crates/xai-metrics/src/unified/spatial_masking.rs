//! M_non-robust: robustness of an explanation to spatial masking (paper 003, Eqn. 5,
//! section 3.4).

use super::{check_map, image_shape, mean, nonzero_norm};
use crate::curve::Better;
use burn::config::Config;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use xai_core::host::from_vec_f32;
use xai_core::{Attribution, Classifier, Cost, Reference, XaiError, seed};
use xai_explain::{ExplainRequest, Explainer};

/// Which half of the image is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Half {
    /// Columns `x < width / 2`.
    Left,
    /// Columns `x ≥ width − width / 2`.
    Right,
    /// Rows `y < height / 2`.
    Top,
    /// Rows `y ≥ height − height / 2`.
    Bottom,
}

impl Half {
    /// The four halves of the paper, in its order of mention: right, left, top, bottom.
    pub const ALL: [Half; 4] = [Half::Right, Half::Left, Half::Top, Half::Bottom];

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Half::Left => "left",
            Half::Right => "right",
            Half::Top => "top",
            Half::Bottom => "bottom",
        }
    }

    /// Whether pixel `(y, x)` of a `height × width` image is masked (odd sizes leave the
    /// middle row or column unmasked, so opposite halves have the same size).
    pub fn covers(self, y: usize, x: usize, height: usize, width: usize) -> bool {
        match self {
            Half::Left => x < width / 2,
            Half::Right => x >= width - width / 2,
            Half::Top => y < height / 2,
            Half::Bottom => y >= height - height / 2,
        }
    }
}

/// Settings of [`SpatialMasking`].
#[derive(Config, Debug)]
pub struct SpatialMaskingConfig {
    /// What a masked pixel becomes (required; the paper: the average pixel value over the
    /// dataset, [`super::mean_pixel`]).
    pub reference: Reference,
    /// The masked halves, one masked image each (default: all four, as in the paper).
    #[config(default = "Half::ALL.to_vec()")]
    pub halves: Vec<Half>,
}

impl SpatialMaskingConfig {
    /// Checks the settings: at least one half, a finite constant reference.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.halves.is_empty() {
            return Err(XaiError::invalid("M_non-robust halves", "[]", "at least one half"));
        }
        if let Reference::Constant(v) = self.reference
            && !v.is_finite()
        {
            return Err(XaiError::invalid("reference value", v, "a finite number"));
        }
        Ok(())
    }

    /// The metric with these settings.
    pub fn init(&self) -> xai_core::Result<SpatialMasking> {
        SpatialMasking::new(self.clone())
    }
}

/// M_non-robust per image and half, and over the images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpatialMaskingReport {
    /// The masked halves (the columns of `per_image_half`).
    pub halves: Vec<Half>,
    /// `per_image_half[image][j]`: `‖(â − a)_unmasked‖ / ‖a‖` with `halves[j]` masked.
    pub per_image_half: Vec<Vec<f64>>,
    /// The mean over the halves, per image.
    pub per_image: Vec<f64>,
    /// The mean over images, per half.
    pub mean_per_half: Vec<f64>,
    /// M_non-robust: the mean over images and halves.
    pub mean: f64,
    /// Model evaluations spent on all explanations (the originals and the masked images).
    pub cost: Cost,
}

/// Non-robustness to spatial masking M_non-robust (paper 003, Eqn. 5): each image `I` is
/// explained (`a`), then its left, right, top and bottom half in turn is replaced by the
/// reference (the mean pixel) and the masked image `Ĩ` re-explained by the same method for the
/// same class (`â`); on the pixels the mask leaves intact,
///
/// `M_non-robust = E_I (1 / ‖a‖) ( Σ_{i ∈ I \ I_mask} (â_i − a_i)² )^{1/2}`,
///
/// averaged over images and the four halves, with `‖a‖` the L2 norm of the whole original map
/// (the square root makes the value independent of the map's scale, as the paper's
/// normalisation by `‖a‖` intends). A feature counts as unmasked when none of its pixels is
/// masked. Higher means less robust; lower is better.
///
/// Cost: `1 + halves` explanations per image.
#[derive(Debug, Clone)]
pub struct SpatialMasking {
    config: SpatialMaskingConfig,
}

impl SpatialMasking {
    /// Lower values mean a more robust explanation.
    pub const BETTER: Better = Better::Lower;

    /// The metric, after checking the settings.
    pub fn new(config: SpatialMaskingConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &SpatialMaskingConfig {
        &self.config
    }

    /// Explains every row of `request` with `explainer`, then measures M_non-robust.
    ///
    /// # Shapes
    /// - request inputs: `[images, channels, height, width]`
    pub fn evaluate<M: Classifier<4>, E: Explainer<4>>(
        &self,
        explainer: &E,
        model: &M,
        request: &ExplainRequest<4>,
    ) -> xai_core::Result<SpatialMaskingReport> {
        let originals = explainer.explain(model, request)?;
        self.evaluate_with(explainer, model, request, &originals)
    }

    /// M_non-robust with the original maps already computed (`originals[i]` by `explainer`
    /// for row `i` of `request`). Only the masked images are explained here; the report's
    /// cost includes the originals' costs. Random references are drawn from the request
    /// seed's stream for each image.
    pub fn evaluate_with<M: Classifier<4>, E: Explainer<4>>(
        &self,
        explainer: &E,
        model: &M,
        request: &ExplainRequest<4>,
        originals: &[Attribution],
    ) -> xai_core::Result<SpatialMaskingReport> {
        let c = &self.config;
        let space = request.space();
        let [ch, h, w] = image_shape(space)?;
        if h < 2 || w < 2 {
            return Err(XaiError::shape("image", "height and width of at least 2", &[ch, h, w]));
        }
        let n = request.rows();
        if originals.len() != n {
            let expected = format!("one per row ({n} rows)");
            return Err(XaiError::shape("original attributions", expected, &[originals.len()]));
        }
        let nf = space.n_features();
        let mut norms = Vec::with_capacity(n);
        for (i, a) in originals.iter().enumerate() {
            let what = format!("attribution of image {i}");
            check_map(&what, a, nf)?;
            norms.push(nonzero_norm(&what, &a.scores)?);
        }
        // Per half: the element keep-mask `[1, c, h, w]` and which features stay unmasked.
        let device = request.inputs().device();
        let mut keeps = Vec::with_capacity(c.halves.len());
        let mut unmasked = Vec::with_capacity(c.halves.len());
        for &half in &c.halves {
            let keep: Vec<f32> = (0..ch * h * w)
                .map(|e| {
                    let p = e % (h * w);
                    if half.covers(p / w, p % w, h, w) { 0.0 } else { 1.0 }
                })
                .collect();
            let mut intact = vec![true; nf];
            for (&f, &k) in space.element_features().iter().zip(&keep) {
                intact[f as usize] &= k == 1.0;
            }
            keeps.push(from_vec_f32::<4>(keep, [1, ch, h, w], &device)?);
            unmasked.push(intact);
        }
        let mut masked = Vec::with_capacity(n * c.halves.len());
        for i in 0..n {
            let x = request.row(i);
            let mut rng = seed::stream_rng(request.seed() ^ 0x4D41_534B, i as u64);
            let r = c.reference.materialize(&x, &mut rng)?;
            for keep in &keeps {
                masked.push(r.clone() + (x.clone() - r.clone()) * keep.clone());
            }
        }
        let k = c.halves.len();
        let repeat = |v: &[usize]| v.iter().flat_map(|&cls| std::iter::repeat_n(cls, k)).collect();
        let mut sub =
            ExplainRequest::new(Tensor::cat(masked, 0), repeat(request.classes()), space.clone())?
                .with_seed(request.seed())
                .with_batch_size(request.batch_size())?;
        let (lo, hi) = request.bounds();
        sub = sub.with_bounds(lo, hi)?;
        if let Some(t) = request.contrast() {
            sub = sub.with_contrast(repeat(t))?;
        }
        let remade = explainer.explain(model, &sub)?;
        if remade.len() != n * k {
            let expected = format!("{} maps (one per masked image)", n * k);
            return Err(XaiError::shape("masked-image attributions", expected, &[remade.len()]));
        }
        let mut cost: Cost = originals.iter().map(|a| a.cost).sum();
        let mut per_image_half = Vec::with_capacity(n);
        for (i, a) in originals.iter().enumerate() {
            let mut row = Vec::with_capacity(k);
            for (j, intact) in unmasked.iter().enumerate() {
                let b = &remade[i * k + j];
                check_map(&format!("attribution of masked image {i}, half {j}"), b, nf)?;
                cost += b.cost;
                let d: f64 = (0..nf)
                    .filter(|&f| intact[f])
                    .map(|f| (b.scores[f] as f64 - a.scores[f] as f64).powi(2))
                    .sum();
                row.push(d.sqrt() / norms[i]);
            }
            per_image_half.push(row);
        }
        let per_image: Vec<f64> = per_image_half.iter().map(|r| mean(r)).collect();
        let mean_per_half = (0..k)
            .map(|j| mean(&per_image_half.iter().map(|r| r[j]).collect::<Vec<_>>()))
            .collect();
        Ok(SpatialMaskingReport {
            halves: c.halves.clone(),
            per_image_half,
            mean: mean(&per_image),
            per_image,
            mean_per_half,
            cost,
        })
    }
}
