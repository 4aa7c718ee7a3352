//! Data corruption of paper 002 ("Feature Attribution As Feature Selection", Definition 2.1):
//! `x_{S,r}` replaces the features in `S` by a noise `r ~ p(r)`, and the output change `g`
//! (section 4: `g_label`, `g_intensity`) that EFS/IFS curves and the greedy/gradient EFS/IFS
//! explainers measure on corrupted inputs.

use crate::classifier::{Classifier, Evaluator};
use crate::error::{Result, XaiError};
use crate::feature_space::FeatureSpace;
use crate::host::{check_finite, from_vec_f32, to_vec_f32};
use crate::score::ClassScore;
use burn::tensor::{Int, Tensor, TensorData};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The noise distribution `p(r)` that corrupted features are overlaid with (paper 002,
/// section 5.1 and appendix C): uniform noise, a constant (gray), a random real image, or the
/// data-dependent noise `r_x = x + u`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub enum Corruption {
    /// Independent `r_i ~ U(0, 1)` per element (the paper's "uniform noise", Table 1/2).
    #[default]
    Uniform,
    /// Every element replaced by the same value, e.g. `0.5` gray (`p(r) = δ(r = gray)`, the
    /// noise of Greedy-EFS/IFS in appendix C).
    Constant(f32),
    /// A real image drawn uniformly at random from this set, independently per row (the
    /// paper's "random images", Table 3). Each entry is one full sample in row-major order.
    Images(Vec<Vec<f32>>),
    /// Data-dependent noise `r = x + u`, `u ~ U(−scale, scale)` per element, clipped to the
    /// valid box (supplement, "Preliminaries"; `scale = 1` in Grad-EFS/IFS).
    Shifted {
        /// Half-width of the uniform shift.
        scale: f32,
    },
}

impl Corruption {
    /// The forms accepted by [`str::parse`] (`Images` is built in code from a data set).
    pub const FORMS: &'static str =
        "'uniform', a number (e.g. 0.5 = gray), 'gray', or 'shifted:SCALE'";

    /// A short name for reports: `"uniform"`, `"0.5"`, `"images(100)"`, `"shifted:1"`.
    pub fn name(&self) -> String {
        match self {
            Corruption::Uniform => "uniform".into(),
            Corruption::Constant(v) => format!("{v}"),
            Corruption::Images(images) => format!("images({})", images.len()),
            Corruption::Shifted { scale } => format!("shifted:{scale}"),
        }
    }

    /// Whether different draws differ (everything but [`Corruption::Constant`], and an image
    /// set of one).
    pub fn is_random(&self) -> bool {
        match self {
            Corruption::Constant(_) => false,
            Corruption::Images(images) => images.len() > 1,
            _ => true,
        }
    }

    /// Checks the parameters without drawing: a finite constant, a non-empty image set of
    /// finite values with `per_sample` elements each (when given), a positive finite scale.
    pub fn validate(&self, per_sample: Option<usize>) -> Result<()> {
        match self {
            Corruption::Uniform => Ok(()),
            Corruption::Constant(v) => {
                if v.is_finite() {
                    Ok(())
                } else {
                    Err(XaiError::invalid("corruption constant", v, "a finite number"))
                }
            }
            Corruption::Images(images) => {
                if images.is_empty() {
                    return Err(XaiError::invalid(
                        "corruption images",
                        0,
                        "at least one noise image",
                    ));
                }
                for (i, img) in images.iter().enumerate() {
                    if let Some(per) = per_sample
                        && img.len() != per
                    {
                        return Err(XaiError::shape(
                            format!("corruption image {i}"),
                            format!("{per} values (one full sample)"),
                            &[img.len()],
                        ));
                    }
                    check_finite(&format!("corruption image {i}"), img)?;
                }
                Ok(())
            }
            Corruption::Shifted { scale } => {
                if scale.is_finite() && *scale > 0.0 {
                    Ok(())
                } else {
                    Err(XaiError::invalid("corruption shift scale", scale, "a positive number"))
                }
            }
        }
    }

    /// One draw of the noise `r` for every row of `inputs` (same shape); `bounds` is the valid
    /// input box `[lo, hi]` ([`Corruption::Shifted`] is clipped to it). Randomness comes from
    /// the caller's seeded `rng` only, so equal seeds give equal draws.
    ///
    /// # Shapes
    /// `[batch, ...]` → `[batch, ...]`
    pub fn draw<const D: usize>(
        &self,
        inputs: &Tensor<D>,
        bounds: (f32, f32),
        rng: &mut impl Rng,
    ) -> Result<Tensor<D>> {
        let (lo, hi) = bounds;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(XaiError::invalid(
                "input bounds",
                format!("({lo}, {hi})"),
                "finite lo < hi",
            ));
        }
        let dims = inputs.dims();
        let device = inputs.device();
        let batch = dims[0];
        let per: usize = dims[1..].iter().product();
        self.validate(Some(per))?;
        match self {
            Corruption::Uniform => {
                let values: Vec<f32> = (0..batch * per).map(|_| rng.random::<f32>()).collect();
                from_vec_f32(values, dims, &device)
            }
            Corruption::Constant(v) => Ok(inputs.zeros_like().add_scalar(*v)),
            Corruption::Images(images) => {
                let mut values = Vec::with_capacity(batch * per);
                for _ in 0..batch {
                    let k = rng.random_range(0..images.len());
                    values.extend_from_slice(&images[k]);
                }
                from_vec_f32(values, dims, &device)
            }
            Corruption::Shifted { scale } => {
                let x = to_vec_f32(inputs.clone())?;
                check_finite("corrupted input", &x)?;
                let values: Vec<f32> = x
                    .iter()
                    .map(|&xi| (xi + rng.random_range(-*scale..=*scale)).clamp(lo, hi))
                    .collect();
                from_vec_f32(values, dims, &device)
            }
        }
    }
}

impl std::str::FromStr for Corruption {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || XaiError::invalid("corruption", s, Self::FORMS);
        match s {
            "uniform" | "u(0,1)" => return Ok(Corruption::Uniform),
            "gray" | "grey" => return Ok(Corruption::Constant(0.5)),
            _ => {}
        }
        if let Some(scale) = s.strip_prefix("shifted:") {
            let scale: f32 = scale.parse().map_err(|_| bad())?;
            let c = Corruption::Shifted { scale };
            c.validate(None).map_err(|_| bad())?;
            return Ok(c);
        }
        let v: f32 = s.parse().map_err(|_| bad())?;
        if !v.is_finite() {
            return Err(bad());
        }
        Ok(Corruption::Constant(v))
    }
}

/// The corruption of Definition 2.1 (and its continuous form, Eqn. 3.1, for `m ∈ [0, 1]`):
/// `x_{S,r} = x ⊙ (1 − m) + r ⊙ m`, with `m = 1` on the corrupted elements.
///
/// # Shapes
/// `x`, `r`, `m`: `[batch, ...]` (or broadcastable) → `[batch, ...]`
pub fn corrupt<const D: usize>(x: Tensor<D>, r: Tensor<D>, m: Tensor<D>) -> Tensor<D> {
    x.clone() + (r - x) * m
}

/// Exclusive or Inclusive Feature Selection (paper 002, Definitions 2.2 and 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SelectionMode {
    /// EFS: corrupt the most relevant features; a good attribution changes the decision
    /// quickly (curve `g(S_q)` over the ratio `q` of corrupted relevant features; AUEC, higher
    /// is better).
    #[default]
    Exclusive,
    /// IFS: keep the most relevant features and corrupt the rest; a good attribution keeps
    /// the decision (curve `g([d] \ S_{1−p})` over the ratio `p` of corrupted irrelevant
    /// features; AOIC, higher is better).
    Inclusive,
}

impl SelectionMode {
    /// All names accepted by [`str::parse`].
    pub const NAMES: &'static str = "efs, ifs";

    /// `"efs"` or `"ifs"`.
    pub fn name(self) -> &'static str {
        match self {
            SelectionMode::Exclusive => "efs",
            SelectionMode::Inclusive => "ifs",
        }
    }
}

impl std::str::FromStr for SelectionMode {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "efs" | "exclusive" => Ok(SelectionMode::Exclusive),
            "ifs" | "inclusive" => Ok(SelectionMode::Inclusive),
            _ => Err(XaiError::UnknownName {
                kind: "feature selection mode".into(),
                name: s.into(),
                known: Self::NAMES.into(),
            }),
        }
    }
}

/// The output change `g` of paper 002, section 4, measured on one corrupted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum OutputChange {
    /// `g_label = E_r[I(c ≠ argmax_j f_j(x_{S,r}))]`: the probability that the label changes
    /// (the measure of the paper's tables and curves; default).
    #[default]
    Label,
    /// `g_intensity = E_r[f_c(x) − f_c(x_{S,r})]`: the expected drop of the class score
    /// (logit or probability, see [`ClassScore`]).
    Intensity,
}

impl OutputChange {
    /// All names accepted by [`str::parse`].
    pub const NAMES: &'static str = "label, intensity";

    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            OutputChange::Label => "label",
            OutputChange::Intensity => "intensity",
        }
    }

    /// The change of each logits row against class `label`: `I(argmax ≠ label)` or
    /// `base − score_label(row)` with `base = score_label(x)` of the uncorrupted input
    /// ([`class_score_of_row`]). Averaging it over noise draws gives `g`.
    ///
    /// # Shapes
    /// `logits`: host values of `[rows, classes]` → `[rows]`
    pub fn of_rows(
        self,
        scale: ClassScore,
        logits: &[f32],
        classes: usize,
        label: usize,
        base: f32,
    ) -> Result<Vec<f32>> {
        if classes == 0 || logits.len() % classes != 0 || label >= classes {
            return Err(XaiError::shape(
                "logits",
                format!("rows of {classes} classes containing label {label}"),
                &[logits.len()],
            ));
        }
        Ok(logits
            .chunks(classes)
            .map(|row| match self {
                OutputChange::Label => {
                    if argmax(row) == label {
                        0.0
                    } else {
                        1.0
                    }
                }
                OutputChange::Intensity => base - class_score_of_row(scale, row, label),
            })
            .collect())
    }
}

impl std::str::FromStr for OutputChange {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "label" => Ok(OutputChange::Label),
            "intensity" => Ok(OutputChange::Intensity),
            _ => Err(XaiError::UnknownName {
                kind: "output change".into(),
                name: s.into(),
                known: Self::NAMES.into(),
            }),
        }
    }
}

/// `f_c` of one host logits row: the logit, or the softmax probability (computed stably).
pub fn class_score_of_row(scale: ClassScore, row: &[f32], class: usize) -> f32 {
    match scale {
        ClassScore::Logit => row[class],
        ClassScore::Probability => {
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = row.iter().map(|v| (v - max).exp()).sum();
            (row[class] - max).exp() / sum
        }
    }
}

/// Index of the largest value; the first one on ties (as `xai_core::classifier::argmax_rows`).
fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (j, v) in row.iter().enumerate() {
        if *v > row[best] {
            best = j;
        }
    }
    best
}

/// Evaluates the expected output change `g` (paper 002, section 4) of one input under many
/// corruption masks, in batches: for a mask `m` (one value in `[0, 1]` per feature of `space`,
/// 1 = corrupted), `g(m) = (1/draws) Σ_j change(f(x ⊙ (1 − m) + r_j ⊙ m))` with noise draws
/// `r_1..r_draws` of the [`Corruption`]. The same draws are shared by all masks of one call
/// (common random numbers, so masks are compared on equal noise); a deterministic corruption
/// uses a single draw.
///
/// Shared by the EFS/IFS curves (`xai_metrics`) and Greedy-EFS/IFS (`xai_explain`); every
/// model call goes through the [`Evaluator`], so the cost is counted there.
///
/// # Shapes
/// - `x`: `[1, ...space.sample_shape()]`
pub struct CorruptionScorer<'a, 'm, M: ?Sized, const D: usize> {
    eval: &'a Evaluator<'m, M, D>,
    x: Tensor<D>,
    space: &'a FeatureSpace,
    corruption: &'a Corruption,
    bounds: (f32, f32),
    class: usize,
    change: OutputChange,
    scale: ClassScore,
    draws: usize,
    batch_size: usize,
    base_logits: Vec<f32>,
}

impl<'a, 'm, M: Classifier<D> + ?Sized, const D: usize> CorruptionScorer<'a, 'm, M, D> {
    /// A scorer for input `x` (`[1, ...]`) explained for `class`. Runs the model once on `x`
    /// (counted) to read `f_c(x)` and the number of classes. `draws` is the number of noise
    /// draws averaged (ignored, i.e. 1, for a deterministic corruption).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        eval: &'a Evaluator<'m, M, D>,
        x: Tensor<D>,
        space: &'a FeatureSpace,
        corruption: &'a Corruption,
        bounds: (f32, f32),
        class: usize,
        change: OutputChange,
        scale: ClassScore,
        draws: usize,
        batch_size: usize,
    ) -> Result<Self> {
        space.check_input(&x.dims())?;
        if x.dims()[0] != 1 {
            return Err(XaiError::shape("corrupted input", "one row [1, ...]", &x.dims()));
        }
        if draws == 0 {
            return Err(XaiError::invalid("noise draws", 0, "at least 1"));
        }
        if batch_size == 0 {
            return Err(XaiError::invalid("batch size", 0, "at least 1"));
        }
        corruption.validate(Some(space.n_elements()))?;
        let base_logits = to_vec_f32(eval.logits(x.clone()))?;
        check_finite("logits of the input", &base_logits)?;
        if class >= base_logits.len() {
            return Err(XaiError::invalid(
                "class",
                class,
                format!("0..{} (model classes)", base_logits.len()),
            ));
        }
        let draws = if corruption.is_random() { draws } else { 1 };
        Ok(Self {
            eval,
            x,
            space,
            corruption,
            bounds,
            class,
            change,
            scale,
            draws,
            batch_size,
            base_logits,
        })
    }

    /// The logits of the uncorrupted input.
    pub fn base_logits(&self) -> &[f32] {
        &self.base_logits
    }

    /// `f_c(x)` of the uncorrupted input on the configured scale.
    pub fn base_score(&self) -> f32 {
        class_score_of_row(self.scale, &self.base_logits, self.class)
    }

    /// The number of noise draws actually averaged (1 for a deterministic corruption).
    pub fn draws(&self) -> usize {
        self.draws
    }

    /// The expected change `g` for each mask; `masks` holds `k × n_features` values in
    /// `[0, 1]`, row-major, 1 = corrupted. Draws `draws` noise samples from `rng` once for the
    /// whole call. Cost: `k × draws` forward evaluations.
    pub fn expected_change(&self, masks: &[f32], rng: &mut impl Rng) -> Result<Vec<f32>> {
        let nf = self.space.n_features();
        if masks.len() % nf != 0 {
            return Err(XaiError::shape(
                "masks",
                format!("a multiple of {nf} values (masks × features)"),
                &[masks.len()],
            ));
        }
        let k = masks.len() / nf;
        if k == 0 {
            return Ok(Vec::new());
        }
        let device = self.x.device();
        let mut many = self.x.dims();
        many[0] = self.draws;
        let noise = self.corruption.draw(&self.x.clone().expand(many), self.bounds, rng)?;
        let classes = self.base_logits.len();
        let base = self.base_score();
        let mut sums = vec![0.0f64; k];
        // Pair p = mask p / draws, draw p % draws.
        for range in crate::batching::batches(k * self.draws, self.batch_size)? {
            let b = range.len();
            let mut chunk = Vec::with_capacity(b * nf);
            let mut which = Vec::with_capacity(b);
            for p in range.clone() {
                let mask = p / self.draws;
                chunk.extend_from_slice(&masks[mask * nf..(mask + 1) * nf]);
                which.push((p % self.draws) as i64);
            }
            let m: Tensor<2> = from_vec_f32(chunk, [b, nf], &device)?;
            let m: Tensor<D> = self.space.expand(m)?;
            let idx = Tensor::<1, Int>::from_data(TensorData::new(which, [b]), &device);
            let r = noise.clone().select(0, idx);
            let mut shape = self.x.dims();
            shape[0] = b;
            let x = self.x.clone().expand(shape);
            let logits = to_vec_f32(self.eval.logits(corrupt(x, r, m)))?;
            let changes = self.change.of_rows(self.scale, &logits, classes, self.class, base)?;
            for (p, v) in range.zip(changes) {
                sums[p / self.draws] += v as f64;
            }
        }
        Ok(sums.into_iter().map(|s| (s / self.draws as f64) as f32).collect())
    }
}
