//! Grad-EFS and Grad-IFS (paper 002, "Feature Attribution As Feature Selection", section 3.2
//! and appendix C): continuous corruption masks `w ∈ [0, 1]^d` optimised with Adam over
//! batches of noise draws. The mask optimiser is shared with [`crate::PertMap`].

use crate::adam::Adam;
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::activation::{relu, softmax};
use burn::tensor::{IndexingUpdateOp, Int, Tensor};
use rand::rngs::StdRng;
use xai_core::batching::batches;
use xai_core::corruption::corrupt;
use xai_core::host::{classes_tensor, to_vec_f32};
use xai_core::{Attribution, ClassScore, Classifier, Corruption, Cost, Evaluator, XaiError, seed};

/// Settings of [`GradEfs`]; the defaults are paper 002's appendix C.
#[derive(Config, Debug)]
pub struct GradEfsConfig {
    /// Adam steps (paper: 200). Each costs `draws` forward and backward passes per row.
    #[config(default = 200)]
    pub steps: usize,
    /// Adam step size (paper: 0.5).
    #[config(default = 0.5)]
    pub lr: f64,
    /// Sparsity trade-off per feature: the paper's weight is `λ = lambda · d` on
    /// `Σ_i w_i + λ E_r[f_c]` (paper: `λ = 10d`, so 10).
    #[config(default = 10.0)]
    pub lambda: f64,
    /// Noise draws `r` per gradient estimate (paper: a batch of 32).
    #[config(default = 32)]
    pub draws: usize,
    /// The noise `p(r)` (paper: `r_x = x + u`, `u ~ U(−1, 1)`, here clipped to the box).
    #[config(default = "Corruption::Shifted { scale: 1.0 }")]
    pub corruption: Corruption,
    /// The class score `f_c` (default: the softmax probability, bounded in `[0, 1]` so that
    /// `λ = 10d` weighs it against `Σ w ≤ d` as in the paper).
    #[config(default = "ClassScore::Probability")]
    pub score: ClassScore,
    /// Return the average of the iterates `w(1..T)` instead of the last one (paper: off for
    /// Grad-EFS).
    #[config(default = false)]
    pub average: bool,
    /// Initial value of every mask entry, in `[0, 1]` (the paper does not say; default 1,
    /// everything corrupted). From 0 (nothing corrupted) a confident classifier's softmax is
    /// saturated, `∂p_c/∂x ≈ 0`, the area term wins and the mask stays all zero: with the
    /// `fast` preset on mnist-cnn for 3 of 4 test digits. From 1 the same digits give maps
    /// whose top 10% flips the label in 41% of noise draws (a random 10%: 0%).
    #[config(default = 1.0)]
    pub init: f64,
}

impl GradEfsConfig {
    /// The settings of `preset`: [`GradEfsConfig::paper`] or [`GradEfsConfig::fast`].
    pub fn preset(preset: crate::Preset) -> Self {
        preset.pick(Self::paper(), Self::fast())
    }

    /// The paper's settings (same as [`GradEfsConfig::new`]).
    pub fn paper() -> Self {
        Self::new()
    }

    /// A quick look: 50 steps of 8 draws (400 forward + backward passes per row instead of
    /// 6,400).
    pub fn fast() -> Self {
        Self::new().with_steps(50).with_draws(8)
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        self.search().validate()
    }

    fn search(&self) -> MaskSearch {
        MaskSearch {
            goal: Goal::Efs,
            steps: self.steps,
            lr: self.lr,
            weight: self.lambda,
            draws: self.draws,
            corruption: self.corruption.clone(),
            score: self.score,
            average: self.average,
            init: self.init,
        }
    }
}

/// Settings of [`GradIfs`]; the defaults are paper 002's appendix C.
#[derive(Config, Debug)]
pub struct GradIfsConfig {
    /// Adam steps (paper: 1000). Each costs `draws` forward and backward passes per row.
    #[config(default = 1000)]
    pub steps: usize,
    /// Adam step size (paper: 0.03).
    #[config(default = 0.03)]
    pub lr: f64,
    /// Trade-off per feature: the paper's weight is `λ = lambda · d` on
    /// `Σ_i w_i + λ E_r[f_c]` (paper: `λ = d`, so 1).
    #[config(default = 1.0)]
    pub lambda: f64,
    /// Noise draws `r` per gradient estimate (paper: a batch of 32).
    #[config(default = 32)]
    pub draws: usize,
    /// The noise `p(r)` (paper: `r_x = x + u`, `u ~ U(−1, 1)`, here clipped to the box).
    #[config(default = "Corruption::Shifted { scale: 1.0 }")]
    pub corruption: Corruption,
    /// The class score `f_c` (default: the softmax probability, see [`GradEfsConfig::score`]).
    #[config(default = "ClassScore::Probability")]
    pub score: ClassScore,
    /// Return the average of the iterates `(1/T) Σ_t w(t)` (paper: on for Grad-IFS).
    #[config(default = true)]
    pub average: bool,
    /// Initial value of every mask entry, in `[0, 1]` (the paper does not say; default 0,
    /// nothing corrupted, as PertMap's code).
    #[config(default = 0.0)]
    pub init: f64,
}

impl GradIfsConfig {
    /// The settings of `preset`: [`GradIfsConfig::paper`] or [`GradIfsConfig::fast`].
    pub fn preset(preset: crate::Preset) -> Self {
        preset.pick(Self::paper(), Self::fast())
    }

    /// The paper's settings (same as [`GradIfsConfig::new`]).
    pub fn paper() -> Self {
        Self::new()
    }

    /// A quick look: 150 steps of 8 draws (1,200 forward + backward passes per row instead of
    /// 32,000).
    pub fn fast() -> Self {
        Self::new().with_steps(150).with_draws(8)
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        self.search().validate()
    }

    fn search(&self) -> MaskSearch {
        MaskSearch {
            goal: Goal::Ifs,
            steps: self.steps,
            lr: self.lr,
            weight: self.lambda,
            draws: self.draws,
            corruption: self.corruption.clone(),
            score: self.score,
            average: self.average,
            init: self.init,
        }
    }
}

/// Grad-EFS (paper 002, appendix C): continuous exclusive feature selection (C-EFS, Eqn. 3.2)
///
/// `min_{w ∈ [0,1]^d} Σ_i w_i + λ E_r[f_c(x_{w,r})]`, `x_{w,r} = x ⊙ (1 − w) + r ⊙ w` (Eqn. 3.1),
///
/// solved by Adam (step size [`GradEfsConfig::lr`], `β = (0.9, 0.999)`) from `w =`
/// [`GradEfsConfig::init`] (default 1), each gradient averaged over [`GradEfsConfig::draws`]
/// noise draws, `w` clamped to `[0, 1]` after every step. `w_i = 1` corrupts feature `i`
/// fully; the attribution is `s_i = w_i` (section 3.2): the few features whose corruption
/// removes the class are the relevant ones. With a contrast class `t`, `f_c` is `f_y − f_t`
/// (corrupt towards `t`). The mask has one value per feature of the request's feature space;
/// all elements of a feature share it. The model's part of the gradient comes from
/// [`xai_core::Evaluator::gradient`] at the corrupted inputs, chained to the mask as
/// `∂f/∂w_f = Σ_{e∈f} g_e (r_e − x_e)`.
///
/// Cost per row: `steps × draws` forward and `steps × draws` backward evaluations; up to
/// `batch_size / draws` rows are optimised together.
///
/// # Shapes
/// - request inputs: `[rows, ...sample_shape]` → one score in `[0, 1]` per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct GradEfs {
    config: GradEfsConfig,
}

impl GradEfs {
    /// Grad-EFS with `config` (validated).
    pub fn new(config: GradEfsConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &GradEfsConfig {
        &self.config
    }

    /// The optimised corruption masks `w` (one `Vec` of `n_features` values in `[0, 1]` per
    /// row, 1 = corrupted) and each row's cost.
    pub fn masks<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<(Vec<f32>, Cost)>> {
        self.config.search().run(model, request)
    }
}

impl<const D: usize> Explainer<D> for GradEfs {
    fn name(&self) -> String {
        "grad-efs".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        attributions("grad-efs", self.masks(model, request)?, request, false)
    }
}

/// Grad-IFS (paper 002, appendix C): continuous inclusive feature selection (C-IFS, Eqn. 3.3)
///
/// `max_{w ∈ [0,1]^d} Σ_i w_i + λ E_r[f_c(x_{w,r})]`, `x_{w,r} = x ⊙ (1 − w) + r ⊙ w`,
///
/// solved by Adam ascent (step size [`GradIfsConfig::lr`]) from `w =` [`GradIfsConfig::init`]
/// (default 0), each gradient averaged over [`GradIfsConfig::draws`] noise draws, `w` clamped
/// to `[0, 1]` after every step, and the iterates averaged, `w̄ = (1/T) Σ_t w(t)` (appendix
/// C). `w` marks the corrupted features as in EFS: as many as possible are corrupted while the
/// class survives, and the attribution is `s_i = 1 − w̄_i` (section 3.2): the kept features
/// are the relevant ones. With a contrast class `t`, `f_c` is `f_y − f_t`.
///
/// Cost per row: `steps × draws` forward and `steps × draws` backward evaluations.
///
/// # Shapes
/// - request inputs: `[rows, ...sample_shape]` → one score in `[0, 1]` per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct GradIfs {
    config: GradIfsConfig,
}

impl GradIfs {
    /// Grad-IFS with `config` (validated).
    pub fn new(config: GradIfsConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &GradIfsConfig {
        &self.config
    }

    /// The optimised (averaged, by default) corruption masks `w̄` (one `Vec` of `n_features`
    /// values in `[0, 1]` per row, 1 = corrupted) and each row's cost.
    pub fn masks<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<(Vec<f32>, Cost)>> {
        self.config.search().run(model, request)
    }
}

impl<const D: usize> Explainer<D> for GradIfs {
    fn name(&self) -> String {
        "grad-ifs".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        attributions("grad-ifs", self.masks(model, request)?, request, true)
    }
}

/// One attribution per row from corruption masks: `w` itself, or `1 − w` when `complement`.
pub(crate) fn attributions<const D: usize>(
    method: &str,
    masks: Vec<(Vec<f32>, Cost)>,
    request: &ExplainRequest<D>,
    complement: bool,
) -> xai_core::Result<Vec<Attribution>> {
    masks
        .into_iter()
        .enumerate()
        .map(|(row, (w, cost))| {
            let scores = if complement { w.iter().map(|v| 1.0 - v).collect() } else { w };
            Ok(Attribution::new(method, request.classes()[row], scores, cost)?
                .with_contrast(request.contrast_of(row)))
        })
        .collect()
}

/// Which problem a [`MaskSearch`] solves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    /// C-EFS (Eqn. 3.2): minimise `Σ w + λ E f_c`.
    Efs,
    /// C-IFS (Eqn. 3.3): maximise `Σ w + λ E f_c`.
    Ifs,
    /// PertMap (Eqn. A.2, Ikeno & Hara's code): maximise
    /// `Σ w − P·d·mean_j E[max(0, f_j − f_c)]` (one term `j = t` with a contrast class).
    PertMap,
}

impl Goal {
    /// The method's name.
    fn name(self) -> &'static str {
        match self {
            Goal::Efs => "grad-efs",
            Goal::Ifs => "grad-ifs",
            Goal::PertMap => "pertmap",
        }
    }
}

/// The Adam search over continuous corruption masks shared by Grad-EFS, Grad-IFS and PertMap.
/// `weight` is the per-feature weight of the class term (the objective's weight is
/// `weight · d`).
#[derive(Debug, Clone)]
pub(crate) struct MaskSearch {
    pub goal: Goal,
    pub steps: usize,
    pub lr: f64,
    pub weight: f64,
    pub draws: usize,
    pub corruption: Corruption,
    pub score: ClassScore,
    pub average: bool,
    pub init: f64,
}

impl MaskSearch {
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.steps == 0 {
            return Err(XaiError::invalid("steps", 0, "at least 1"));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(XaiError::invalid("learning rate", self.lr, "finite and > 0"));
        }
        if !(self.weight.is_finite() && self.weight >= 0.0) {
            let what = if self.goal == Goal::PertMap { "penalty" } else { "lambda" };
            return Err(XaiError::invalid(what, self.weight, "finite and >= 0"));
        }
        if self.draws == 0 {
            return Err(XaiError::invalid("noise draws", 0, "at least 1"));
        }
        if !(0.0..=1.0).contains(&self.init) {
            return Err(XaiError::invalid("initial mask value", self.init, "in [0, 1]"));
        }
        self.corruption.validate(None)
    }

    /// The masks `w` (last or averaged iterate) and cost of every row of `request`.
    pub fn run<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<(Vec<f32>, Cost)>> {
        self.validate()?;
        self.corruption.validate(Some(request.space().n_elements()))?;
        let rows_per_call = (request.batch_size() / self.draws).max(1);
        let mut out = Vec::with_capacity(request.rows());
        for range in batches(request.rows(), rows_per_call)? {
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
        let space = request.space();
        let (nf, n_el, b, n) = (space.n_features(), space.n_elements(), rows.len(), self.draws);
        // Draws per model call: all of them unless one row's draws exceed the batch limit.
        let group = n.min(request.batch_size()).max(1);
        let x = request.inputs().clone().narrow(0, rows.start, b);
        let device = x.device();
        let x3: Tensor<3> = x.clone().reshape([b, 1, n_el]);
        let index = space.index_tensor(&device);
        let mut rngs: Vec<StdRng> =
            rows.clone().map(|i| seed::stream_rng(request.seed(), i as u64)).collect();
        let classes = &request.classes()[rows.clone()];
        let contrast = request.contrast().map(|t| &t[rows.clone()]);
        let eval = Evaluator::new(model);
        let mut w: Tensor<2> = Tensor::full([b, nf], self.init, &device);
        let mut sum = w.zeros_like();
        let mut adam = Adam::new(self.lr, &w)?;
        // A constant noise is drawn once.
        let mut fixed: Option<(usize, Tensor<3>)> = None;
        let scale = self.weight * nf as f64;
        for step in 0..self.steps {
            request.report(rows.start, self.goal.name(), step, self.steps);
            let wx: Tensor<3> = w.clone().select(1, index.clone()).reshape([b, 1, n_el]);
            let mut model_grad = Tensor::<2>::zeros([b, n_el], &device);
            let mut done = 0;
            while done < n {
                let g = group.min(n - done);
                done += g;
                let r = match &fixed {
                    Some((k, r)) if *k == g => r.clone(),
                    _ => {
                        let r = self.draw(&x, &mut rngs, g, request.bounds())?;
                        if !self.corruption.is_random() {
                            fixed = Some((g, r.clone()));
                        }
                        r
                    }
                };
                let xg = x3.clone().expand([b, g, n_el]);
                let diff = r.clone() - xg.clone();
                let mut shape = x.dims();
                shape[0] = b * g;
                let input: Tensor<D> =
                    corrupt(xg, r, wx.clone().expand([b, g, n_el])).reshape(shape);
                let repeat = |c: &[usize]| -> Vec<usize> {
                    c.iter().flat_map(|&k| std::iter::repeat_n(k, g)).collect()
                };
                let cls = classes_tensor(&repeat(classes), &device);
                let tgt = contrast.map(|t| classes_tensor(&repeat(t), &device));
                let mut bad = None;
                let (_, grad) = eval.gradient(input, |logits| {
                    if let Err(e) = request.check_classes(logits.dims()[1]) {
                        bad = Some(e);
                        return logits.sum_dim(1).reshape([b * g]).mul_scalar(0.0);
                    }
                    self.objective(logits, cls, tgt)
                });
                if let Some(e) = bad {
                    return Err(e);
                }
                let grad: Tensor<3> = grad.reshape([b, g, n_el]) * diff;
                model_grad = model_grad + grad.sum_dim(1).reshape([b, n_el]);
            }
            // ∂E_r[h]/∂w_f = mean over draws of Σ_{e ∈ f} ∂h/∂x_e · (r_e − x_e).
            let model_grad = Tensor::<2>::zeros([b, nf], &device)
                .select_assign(1, index.clone(), model_grad, IndexingUpdateOp::Add)
                .div_scalar(n as f64);
            // Descent direction of the objective written as a minimisation (sum form).
            let grad = match self.goal {
                Goal::Efs => model_grad.mul_scalar(scale).add_scalar(1.0),
                Goal::Ifs => model_grad.mul_scalar(-scale).sub_scalar(1.0),
                Goal::PertMap => model_grad.mul_scalar(scale).sub_scalar(1.0),
            };
            w = adam.step(w, grad).clamp(0.0, 1.0);
            if self.average {
                sum = sum + w.clone();
            }
        }
        request.report(rows.start, self.goal.name(), self.steps, self.steps);
        let result = if self.average { sum.div_scalar(self.steps as f64) } else { w };
        let values = to_vec_f32(result)?;
        let spent = eval.cost();
        let per_row =
            Cost { forward: spent.forward / b as u64, backward: spent.backward / b as u64 };
        Ok(values
            .chunks(nf)
            .map(|row| (row.iter().map(|v| v.clamp(0.0, 1.0)).collect(), per_row))
            .collect())
    }

    /// `g` noise draws for every row, each row from its own stream.
    ///
    /// # Shapes
    /// `x`: `[b, ...]` → `[b, g, n_elements]`
    fn draw<const D: usize>(
        &self,
        x: &Tensor<D>,
        rngs: &mut [StdRng],
        g: usize,
        bounds: (f32, f32),
    ) -> xai_core::Result<Tensor<3>> {
        let dims = x.dims();
        let n_el: usize = dims[1..].iter().product();
        let mut shape = dims;
        shape[0] = g;
        let draws = rngs
            .iter_mut()
            .enumerate()
            .map(|(i, rng)| {
                let row: Tensor<2> = x.clone().narrow(0, i, 1).reshape([1, n_el]);
                let rep: Tensor<D> = row.expand([g, n_el]).reshape(shape);
                Ok(self.corruption.draw(&rep, bounds, rng)?.reshape([1, g, n_el]))
            })
            .collect::<xai_core::Result<Vec<Tensor<3>>>>()?;
        Ok(Tensor::cat(draws, 0))
    }

    /// The per-input value whose expectation the search differentiates: `f_c` (or `f_y − f_t`)
    /// for EFS/IFS; the hinge `mean_j max(0, f_j − f_c)` (or `max(0, f_t − f_y)`) for PertMap.
    ///
    /// # Shapes
    /// `[inputs, classes]` → `[inputs]`
    fn objective(
        &self,
        logits: Tensor<2>,
        classes: Tensor<1, Int>,
        contrast: Option<Tensor<1, Int>>,
    ) -> Tensor<1> {
        match self.goal {
            Goal::Efs | Goal::Ifs => {
                let own = self.score.of(logits.clone(), classes);
                match contrast {
                    Some(t) => own - self.score.of(logits, t),
                    None => own,
                }
            }
            Goal::PertMap => {
                let [rows, k] = logits.dims();
                let f = match self.score {
                    ClassScore::Logit => logits,
                    ClassScore::Probability => softmax(logits, 1),
                };
                let fc = f.clone().gather(1, classes.reshape([rows, 1]));
                match contrast {
                    Some(t) => relu(f.gather(1, t.reshape([rows, 1])) - fc).reshape([rows]),
                    None => relu(f - fc).sum_dim(1).reshape([rows]).div_scalar(k as f64),
                }
            }
        }
    }
}
