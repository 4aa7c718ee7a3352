//! Greedy-EFS and Greedy-IFS (paper 002, "Feature Attribution As Feature Selection",
//! appendix C): greedy selection of sliding windows that solves EFS (Eqn. 2.2) or IFS
//! (Eqn. 2.3) approximately.

use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use xai_core::corruption::{CorruptionScorer, OutputChange, SelectionMode};
use xai_core::{
    Attribution, ClassScore, Classifier, Corruption, Evaluator, FeatureSpace, XaiError, seed,
};

/// Settings of [`GreedyFeatureSelection`].
#[derive(Config, Debug)]
pub struct GreedyFeatureSelectionConfig {
    /// Greedy-EFS (corrupt windows that most reduce `f_c`) or Greedy-IFS (restore windows that
    /// most keep `f_c`).
    pub mode: SelectionMode,
    /// Side of the square window in pixels. Default: the paper's 64 on 224 scaled to the
    /// image, `round(64 · min(H, W) / 224)` (8 on 28×28 MNIST, 64 on 224×224).
    #[config(default = "None")]
    pub window: Option<usize>,
    /// Step between window positions in pixels. Default: the paper's 16 on 224 scaled,
    /// `round(16 · min(H, W) / 224)` (2 on 28×28, 16 on 224×224), at least 1.
    #[config(default = "None")]
    pub stride: Option<usize>,
    /// Greedy steps, i.e. windows selected (the paper: ten). Capped at the number of windows.
    #[config(default = 10)]
    pub steps: usize,
    /// The noise `r`: the paper's gray background `δ(r = gray)` (the constant 0.5) by default.
    #[config(default = "Corruption::Constant(0.5)")]
    pub corruption: Corruption,
    /// The objective: `g_intensity` (the paper's `E_r[f_c(x_{S,r})]`, default) or `g_label`.
    #[config(default = "OutputChange::Intensity")]
    pub change: OutputChange,
    /// The scale of `f_c`: the logit (default) or the probability.
    #[config(default = "ClassScore::Logit")]
    pub score: ClassScore,
    /// Noise draws per evaluated window (the expectation `E_r`; 1 for a constant corruption).
    #[config(default = 8)]
    pub draws: usize,
}

impl GreedyFeatureSelectionConfig {
    /// Checks the settings: window, stride, steps and draws at least 1, stride at most the
    /// window (so every pixel is in some window), a valid corruption.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.window == Some(0) {
            return Err(XaiError::invalid("window", 0, "at least 1 pixel"));
        }
        if self.stride == Some(0) {
            return Err(XaiError::invalid("stride", 0, "at least 1 pixel"));
        }
        if let (Some(w), Some(s)) = (self.window, self.stride)
            && s > w
        {
            return Err(XaiError::invalid(
                "stride",
                s,
                format!("at most the window ({w}), so every pixel is in a window"),
            ));
        }
        if self.steps == 0 {
            return Err(XaiError::invalid("greedy steps", 0, "at least 1"));
        }
        if self.draws == 0 {
            return Err(XaiError::invalid("draws", 0, "at least 1"));
        }
        self.corruption.validate(None)
    }

    /// The window and stride used on an `h`×`w` image (defaults scaled from 64/16 on 224).
    pub fn geometry(&self, h: usize, w: usize) -> xai_core::Result<(usize, usize)> {
        let side = h.min(w);
        let scaled = |v: f64| ((v * side as f64 / 224.0).round() as usize).max(1);
        let window = self.window.unwrap_or_else(|| scaled(64.0)).min(side);
        let stride = self.stride.unwrap_or_else(|| scaled(16.0)).min(window);
        if self.window.is_some_and(|wd| wd > side) {
            return Err(XaiError::invalid(
                "window",
                self.window.unwrap_or(0),
                format!("at most the image size {h}×{w}"),
            ));
        }
        Ok((window, stride))
    }

    /// The explainer with these settings.
    pub fn init(&self) -> xai_core::Result<GreedyFeatureSelection> {
        GreedyFeatureSelection::new(self.clone())
    }
}

/// Greedy-EFS / Greedy-IFS (paper 002, appendix C). The candidate subsets `S_m` are square
/// windows sliding over the image (the last position of each axis clipped at the border, so
/// every pixel is covered). Greedy-EFS starts from `S = ∅` and at each step adds the window
/// `argmin_m E_r[f_c(x_{S ∪ S_m, r})]` (largest expected change `g`); Greedy-IFS starts from
/// `S = [d]` (everything corrupted) and removes the window `argmax_m E_r[f_c(x_{S \ S_m, r})]`
/// (smallest `g`: the window whose keeping best preserves the decision). Each candidate's `g`
/// is averaged over `draws` noise draws shared by all candidates of a step.
///
/// Scores: a pixel's score is `1 + steps − t` for the step `t` (0-based) whose window first
/// covered it, so earlier = more relevant; pixels no selected window covers score in `[0, 1]`
/// by the value of their best window at the last step. A feature's score is the mean over its
/// pixels (all channels of a pixel share the pixel's score).
///
/// Images only (`[rows, channels, height, width]`); contrast classes are not supported.
///
/// Cost per row: `1 + Σ_{t < steps} (M − t) × draws` forward evaluations for `M` windows
/// (`draws` = 1 for a constant corruption).
///
/// # Shapes
/// - request inputs: `[rows, channels, height, width]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct GreedyFeatureSelection {
    config: GreedyFeatureSelectionConfig,
}

impl GreedyFeatureSelection {
    /// The explainer, after checking the settings.
    pub fn new(config: GreedyFeatureSelectionConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// Greedy-EFS with the paper's settings (gray corruption, ten steps, scaled windows).
    pub fn efs() -> Self {
        Self { config: GreedyFeatureSelectionConfig::new(SelectionMode::Exclusive) }
    }

    /// Greedy-IFS with the paper's settings (gray corruption, ten steps, scaled windows).
    pub fn ifs() -> Self {
        Self { config: GreedyFeatureSelectionConfig::new(SelectionMode::Inclusive) }
    }

    /// The settings.
    pub fn config(&self) -> &GreedyFeatureSelectionConfig {
        &self.config
    }
}

/// Pixel indices of each window position, row-major positions.
fn windows(h: usize, w: usize, window: usize, stride: usize) -> Vec<Vec<usize>> {
    let starts = |len: usize| {
        let positions = (len - window.min(len)).div_ceil(stride) + 1;
        (0..positions).map(move |k| k * stride)
    };
    let mut out = Vec::new();
    for y0 in starts(h) {
        for x0 in starts(w) {
            let mut pixels = Vec::with_capacity(window * window);
            for y in y0..(y0 + window).min(h) {
                for x in x0..(x0 + window).min(w) {
                    pixels.push(y * w + x);
                }
            }
            out.push(pixels);
        }
    }
    out
}

impl<const D: usize> Explainer<D> for GreedyFeatureSelection {
    fn name(&self) -> String {
        format!("greedy-{}", self.config.mode.name())
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let c = &self.config;
        c.validate()?;
        let name = <Self as Explainer<D>>::name(self);
        let space = request.space();
        let shape = space.sample_shape();
        if D != 4 || shape.len() != 3 {
            return Err(XaiError::shape(
                format!("{name} input"),
                "images [rows, channels, height, width]",
                &request.inputs().dims(),
            ));
        }
        if request.contrast().is_some() {
            return Err(XaiError::Unsupported {
                method: name,
                requirement: "no contrast class (EFS/IFS explain a single class)".into(),
            });
        }
        let (channels, h, w) = (shape[0], shape[1], shape[2]);
        let (window, stride) = c.geometry(h, w)?;
        let pixels = FeatureSpace::pixels(channels, h, w)?;
        let all = windows(h, w, window, stride);
        let steps = c.steps.min(all.len());
        let hw = h * w;
        let mut out = Vec::with_capacity(request.rows());
        for row in 0..request.rows() {
            let eval = Evaluator::new(model);
            let class = request.classes()[row];
            let mut rng = seed::stream_rng(request.seed(), row as u64);
            let scorer = CorruptionScorer::new(
                &eval,
                request.row(row),
                &pixels,
                &c.corruption,
                request.bounds(),
                class,
                c.change,
                c.score,
                c.draws,
                request.batch_size(),
            )?;
            let exclusive = c.mode == SelectionMode::Exclusive;
            // 1 = corrupted.
            let mut state = vec![if exclusive { 0.0f32 } else { 1.0 }; hw];
            let mut remaining: Vec<usize> = (0..all.len()).collect();
            let mut pixel_scores = vec![f32::NAN; hw];
            let mut last: Vec<(usize, f32)> = Vec::new();
            for t in 0..steps {
                request.report(row, "greedy-fs", t, steps);
                let mut masks = Vec::with_capacity(remaining.len() * hw);
                for &m in &remaining {
                    let start = masks.len();
                    masks.extend_from_slice(&state);
                    for &p in &all[m] {
                        masks[start + p] = if exclusive { 1.0 } else { 0.0 };
                    }
                }
                let g = scorer.expected_change(&masks, &mut rng)?;
                // Goodness: EFS wants the largest change, IFS the smallest.
                let good: Vec<f32> = g.iter().map(|&v| if exclusive { v } else { -v }).collect();
                let mut best = 0;
                for (i, v) in good.iter().enumerate() {
                    if *v > good[best] {
                        best = i;
                    }
                }
                let chosen = remaining.remove(best);
                for &p in &all[chosen] {
                    state[p] = if exclusive { 1.0 } else { 0.0 };
                    if pixel_scores[p].is_nan() {
                        pixel_scores[p] = (1 + steps - t) as f32;
                    }
                }
                last = remaining
                    .iter()
                    .zip(good.iter().enumerate().filter(|(i, _)| *i != best).map(|(_, v)| *v))
                    .map(|(&m, v)| (m, v))
                    .collect();
            }
            request.report(row, "greedy-fs", steps, steps);
            fill_unselected(&mut pixel_scores, &all, &last);
            let element_values: Vec<f32> =
                (0..space.n_elements()).map(|e| pixel_scores[e % hw]).collect();
            let sums = space.aggregate_sum(&element_values)?;
            let counts = space.aggregate_sum(&vec![1.0; space.n_elements()])?;
            let scores = sums.iter().zip(&counts).map(|(s, n)| s / n).collect();
            out.push(Attribution::new(name.clone(), class, scores, eval.cost())?);
        }
        Ok(out)
    }
}

/// Pixels no selected window covered: the normalised goodness (in `[0, 1]`) of their best
/// remaining window at the last step; 0 where none covers them.
fn fill_unselected(pixel_scores: &mut [f32], all: &[Vec<usize>], last: &[(usize, f32)]) {
    let finite = last.iter().map(|(_, v)| *v).filter(|v| v.is_finite());
    let (lo, hi) =
        finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let mut best = vec![f32::NAN; pixel_scores.len()];
    for &(m, v) in last {
        let v = if !v.is_finite() {
            0.0
        } else if hi > lo {
            (v - lo) / (hi - lo)
        } else {
            0.5
        };
        for &p in &all[m] {
            if best[p].is_nan() || v > best[p] {
                best[p] = v;
            }
        }
    }
    for (s, b) in pixel_scores.iter_mut().zip(best) {
        if s.is_nan() {
            *s = if b.is_nan() { 0.0 } else { b };
        }
    }
}
