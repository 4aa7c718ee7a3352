//! BBMP: black-box meaningful perturbation (Fong & Vedaldi 2017), one of the baselines of
//! Hsieh et al. 2021 (section 5 and appendix C).

use crate::adam::Adam;
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::{IndexingUpdateOp, Tensor};
use xai_core::batching::batches;
use xai_core::host::{classes_tensor, to_vec_f32};
use xai_core::{
    Attribution, ClassScore, Classifier, Cost, Evaluator, FeatureLayout, FeatureSpace, Reference,
    XaiError, seed,
};

/// Settings of [`Bbmp`]. The penalties are *means* over the mask (not sums as in Fong &
/// Vedaldi's Eqn. 3), so the same `l1` and `tv` fit any number of features. The defaults suit
/// the probability score, whose gradient per feature is `O(1/F)`; with [`ClassScore::Logit`]
/// the model's pull per feature is larger and the weights need scaling up accordingly.
#[derive(Config, Debug)]
pub struct BbmpConfig {
    /// Adam steps (Fong & Vedaldi: 300). Each costs one forward and one backward pass per row.
    #[config(default = 300)]
    pub steps: usize,
    /// Adam learning rate (Fong & Vedaldi: 0.1).
    #[config(default = 0.1)]
    pub lr: f64,
    /// Weight `λ1` of the deletion area `mean(1 − m)`.
    #[config(default = 0.05)]
    pub l1: f64,
    /// Weight `λ2` of the total variation `mean over cells of Σ |∇m|^β`; used only when the
    /// feature space is a 2D grid (see [`mask_grid`]).
    #[config(default = 0.2)]
    pub tv: f64,
    /// Exponent `β ≥ 1` of the total variation (Fong & Vedaldi: 3).
    #[config(default = 3.0)]
    pub tv_beta: f64,
    /// What deleted features become; `None` = a Gaussian blur with `σ = 10` pixels for
    /// `[batch, channels, height, width]` inputs (Fong & Vedaldi) and the constant 0 otherwise.
    pub reference: Option<Reference>,
    /// The class score `f_c` in the objective (default: the softmax probability, as Fong &
    /// Vedaldi). Bounded, so once the class is gone the area term wins and the deletion stays
    /// small; a log-probability saturates at a confident start just like `p_c` and, unbounded
    /// below, keeps deleting (on mnist-cnn: mean deletion ~0.6, half the top-20% logit drop).
    #[config(default = "ClassScore::Probability")]
    pub score: ClassScore,
    /// Initial value of every mask entry, in `[0, 1]` (default 0: start from the fully
    /// deleted input; the area term then restores what the class does not need). From 1
    /// (nothing deleted) a confident classifier's softmax is saturated, `∂p_c/∂z ≈ 0`, and the
    /// map stays all zero: on mnist-cnn for 8 of 12 test digits from 1, 5 of 12 from 0.5,
    /// none from 0. The objective (Eqn. 3) is the same; only the descent's start differs.
    #[config(default = 0.0)]
    pub init: f64,
}

impl BbmpConfig {
    /// The settings of `preset`: 300 Adam steps (paper), 100 (fast).
    pub fn preset(preset: crate::Preset) -> Self {
        Self::new().with_steps(preset.pick(300, 100))
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.steps == 0 {
            return Err(XaiError::invalid("steps", 0, "at least 1"));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(XaiError::invalid("learning rate", self.lr, "finite and > 0"));
        }
        for (what, v) in [("l1 weight", self.l1), ("tv weight", self.tv)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(XaiError::invalid(what, v, "finite and >= 0"));
            }
        }
        if !(0.0..=1.0).contains(&self.init) {
            return Err(XaiError::invalid("initial mask value", self.init, "in [0, 1]"));
        }
        if !(self.tv_beta.is_finite() && self.tv_beta >= 1.0) {
            return Err(XaiError::invalid("tv exponent", self.tv_beta, "finite and >= 1"));
        }
        Ok(())
    }

    /// The reference actually used for `D`-rank inputs (see [`BbmpConfig::reference`]).
    pub fn reference_for(&self, rank: usize) -> Reference {
        match &self.reference {
            Some(r) => r.clone(),
            None if rank == 4 => Reference::Blur { sigma: 10.0 },
            None => Reference::Constant(0.0),
        }
    }
}

/// The 2D grid `(rows, cols)` the mask lives on, if the feature space has one: pixels of a
/// `[channels, h, w]` image give `(h, w)`; `s`×`s` patches give `(⌈h/s⌉, ⌈w/s⌉)`; elements of a
/// sample shaped `[1, …, 1, h, w]` give `(h, w)`. Groups (superpixels) and other element
/// shapes have no grid, and [`Bbmp`] then drops the total-variation term.
pub fn mask_grid(space: &FeatureSpace) -> Option<(usize, usize)> {
    let s = space.sample_shape();
    let r = s.len();
    let grid = match space.layout() {
        FeatureLayout::Pixels if r == 3 => Some((s[1], s[2])),
        FeatureLayout::Patches { size } if r == 3 => {
            Some((s[1].div_ceil(*size), s[2].div_ceil(*size)))
        }
        FeatureLayout::Elements if r >= 2 && s[..r - 2].iter().all(|&d| d == 1) => {
            Some((s[r - 2], s[r - 1]))
        }
        _ => None,
    };
    grid.filter(|&(h, w)| h * w == space.n_features())
}

/// Black-box meaningful perturbation (Fong & Vedaldi 2017, Eqn. 3 and 4), the deletion game:
///
/// `min_{m ∈ [0,1]^F} λ1·mean(1 − m) + λ2·mean_u Σ_{d∈{→,↓}} |m(u + d) − m(u)|^β + f_c(Φ(x; m))`,
/// `Φ(x; m) = x ⊙ expand(m) + r ⊙ (1 − expand(m))`,
///
/// with `m = 1` keeping a feature and `r` a [`Reference`] (blurred input by default). For a
/// contrast class `t` the score is `f_y − f_t`. The mask starts at [`BbmpConfig::init`]
/// (default 0, everything deleted) and takes Adam steps (`β1 = 0.9`, `β2 = 0.999`); after each
/// it is clamped to `[0, 1]` (no sigmoid). The model's part of the gradient comes from one
/// [`Evaluator::gradient`] at `Φ(x; m)`, chained to the mask as
/// `∂f/∂m_f = Σ_{e∈f} g_e (x_e − r_e)` (a device-side scatter-add); the penalties' gradients
/// are analytic. The attribution is `1 − m`: deleted features are the relevant ones.
/// Differences from the original: the start (see [`BbmpConfig::init`]), the mask is at the
/// feature space's resolution (use [`FeatureSpace::patches`] for Fong & Vedaldi's coarse
/// 28×28 mask) and there is no jitter.
///
/// Cost: `steps` forward and `steps` backward evaluations per row; up to `batch_size` rows
/// are optimised together.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Bbmp {
    config: BbmpConfig,
}

impl Bbmp {
    /// BBMP with `config` (validated).
    pub fn new(config: BbmpConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &BbmpConfig {
        &self.config
    }

    /// The optimised masks `m` (one `Vec` of `n_features` values in `[0, 1]` per row, 1 =
    /// kept) and each row's cost.
    pub fn masks<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<(Vec<f32>, Cost)>> {
        self.config.validate()?;
        let mut out = Vec::with_capacity(request.rows());
        for range in batches(request.rows(), request.batch_size())? {
            out.extend(self.optimise(model, request, range)?);
        }
        Ok(out)
    }

    fn optimise<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
        rows: std::ops::Range<usize>,
    ) -> xai_core::Result<Vec<(Vec<f32>, Cost)>> {
        let c = &self.config;
        let space = request.space();
        let (nf, n_el, b) = (space.n_features(), space.n_elements(), rows.len());
        let x = request.inputs().clone().narrow(0, rows.start, b);
        let shape = x.dims();
        let device = x.device();
        let reference = c.reference_for(D);
        let refs = rows
            .clone()
            .map(|i| {
                let mut rng = seed::stream_rng(request.seed(), i as u64);
                reference.materialize(&request.row(i), &mut rng)
            })
            .collect::<xai_core::Result<Vec<_>>>()?;
        let r = Tensor::cat(refs, 0).reshape([b, n_el]);
        let diff = x.reshape([b, n_el]) - r.clone();
        let index = space.index_tensor(&device);
        let classes = classes_tensor(&request.classes()[rows.clone()], &device);
        let contrast = request.contrast().map(|t| classes_tensor(&t[rows.clone()], &device));
        let grid = mask_grid(space).filter(|_| c.tv > 0.0);
        let eval = Evaluator::new(model);
        let mut m: Tensor<2> = Tensor::full([b, nf], c.init, &device);
        let mut adam = Adam::new(c.lr, &m)?;
        for _ in 0..c.steps {
            let phi =
                (r.clone() + diff.clone() * m.clone().select(1, index.clone())).reshape(shape);
            let mut bad = None;
            let (_, g) = eval.gradient(phi, |logits| {
                if let Err(e) = request.check_classes(logits.dims()[1]) {
                    bad = Some(e);
                    return logits.sum_dim(1).reshape([b]).mul_scalar(0.0);
                }
                let own = c.score.of(logits.clone(), classes.clone());
                match contrast.clone() {
                    Some(t) => own - c.score.of(logits, t),
                    None => own,
                }
            });
            if let Some(e) = bad {
                return Err(e);
            }
            let g = g.reshape([b, n_el]) * diff.clone();
            let mut grad = Tensor::<2>::zeros([b, nf], &device).select_assign(
                1,
                index.clone(),
                g,
                IndexingUpdateOp::Add,
            );
            grad = grad.sub_scalar(c.l1 / nf as f64);
            if let Some((gh, gw)) = grid {
                let tv = tv_gradient(m.clone(), gh, gw, c.tv_beta);
                grad = grad + tv.mul_scalar(c.tv / nf as f64);
            }
            m = adam.step(m, grad).clamp(0.0, 1.0);
        }
        let values = to_vec_f32(m)?;
        let spent = eval.cost();
        let per_row =
            Cost { forward: spent.forward / b as u64, backward: spent.backward / b as u64 };
        Ok(values.chunks(nf).map(|row| (row.to_vec(), per_row)).collect())
    }
}

/// Gradient of `Σ_u Σ_{d∈{→,↓}} |m(u + d) − m(u)|^β` with respect to the mask.
///
/// # Shapes
/// `[batch, rows·cols]` → `[batch, rows·cols]`
fn tv_gradient(m: Tensor<2>, rows: usize, cols: usize, beta: f64) -> Tensor<2> {
    let b = m.dims()[0];
    let m3: Tensor<3> = m.reshape([b, rows, cols]);
    let mut grad = m3.zeros_like();
    for (dim, len) in [(1, rows), (2, cols)] {
        if len < 2 {
            continue;
        }
        let d = m3.clone().narrow(dim, 1, len - 1) - m3.clone().narrow(dim, 0, len - 1);
        let gd = (d.clone().abs().powf_scalar(beta - 1.0) * d.sign()).mul_scalar(beta);
        let zero = gd.clone().narrow(dim, 0, 1).zeros_like();
        grad = grad + Tensor::cat(vec![zero.clone(), gd.clone()], dim)
            - Tensor::cat(vec![gd, zero], dim);
    }
    grad.reshape([b, rows * cols])
}

impl<const D: usize> Explainer<D> for Bbmp {
    fn name(&self) -> String {
        "bbmp".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        self.masks(model, request)?
            .into_iter()
            .enumerate()
            .map(|(row, (mask, cost))| {
                let scores = mask.iter().map(|m| 1.0 - m).collect();
                Ok(Attribution::new("bbmp", request.classes()[row], scores, cost)?
                    .with_contrast(request.contrast_of(row)))
            })
            .collect()
    }
}
