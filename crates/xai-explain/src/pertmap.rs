//! PertMap (Hara et al. 2018; Ikeno & Hara 2018, "Maximizing invariant data perturbation with
//! stochastic optimization"), as paper 002 (appendix A, Eqn. A.2) reads it: C-IFS with the
//! class score replaced by a hinge penalty.

use crate::explainer::Explainer;
use crate::grad_feature_selection::{Goal, MaskSearch, attributions};
use crate::request::ExplainRequest;
use burn::config::Config;
use xai_core::{Attribution, ClassScore, Classifier, Corruption, Cost};

/// Settings of [`PertMap`]; the defaults are Ikeno & Hara's sample code
/// (`pertmap_stochastic`, which paper 002 says it follows) plus the iterate averaging of
/// paper 002's appendix C.
#[derive(Config, Debug)]
pub struct PertMapConfig {
    /// Adam steps (sample code: 500). Each costs `draws` forward and backward passes per row.
    #[config(default = 500)]
    pub steps: usize,
    /// Adam step size (sample code: 0.01).
    #[config(default = 0.01)]
    pub lr: f64,
    /// Weight `P` of the hinge penalty in `−mean(w) + P · mean_{r, j} max(0, f_j − f_c)`
    /// (sample code: 100). In Eqn. A.2's form the weight is `λ = P·d/K` for `K` classes.
    #[config(default = 100.0)]
    pub penalty: f64,
    /// Noise draws `r` per gradient estimate (sample code: a batch of 32).
    #[config(default = 32)]
    pub draws: usize,
    /// The noise `p(r)` (sample code: `x + u ⊙ w`, `u ~ U(−1, 1)`; here `r = x + u` clipped
    /// to the box).
    #[config(default = "Corruption::Shifted { scale: 1.0 }")]
    pub corruption: Corruption,
    /// The class scores `f_j` in the hinge (sample code: softmax probabilities).
    #[config(default = "ClassScore::Probability")]
    pub score: ClassScore,
    /// Return the average of the iterates `(1/T) Σ_t w(t)` (paper 002, appendix C: on).
    #[config(default = true)]
    pub average: bool,
}

impl PertMapConfig {
    /// The settings of `preset`: [`PertMapConfig::paper`] or [`PertMapConfig::fast`].
    pub fn preset(preset: crate::Preset) -> Self {
        preset.pick(Self::paper(), Self::fast())
    }

    /// The settings of the sample code with averaging (same as [`PertMapConfig::new`]).
    pub fn paper() -> Self {
        Self::new()
    }

    /// A quick look: 100 steps of 8 draws at step size 0.03 (800 forward + backward passes
    /// per row instead of 16,000).
    pub fn fast() -> Self {
        Self::new().with_steps(100).with_draws(8).with_lr(0.03)
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        self.search().validate()
    }

    fn search(&self) -> MaskSearch {
        MaskSearch {
            goal: Goal::PertMap,
            steps: self.steps,
            lr: self.lr,
            weight: self.penalty,
            draws: self.draws,
            corruption: self.corruption.clone(),
            score: self.score,
            average: self.average,
            init: 0.0,
        }
    }
}

/// PertMap (paper 002, Eqn. A.2): the largest corruption that keeps the class,
///
/// `max_{w ∈ [0,1]^d} Σ_i w_i + λ Σ_{j≠c} E_r[min(0, f_c(x_{w,r}) − f_j(x_{w,r}))]`,
/// `x_{w,r} = x ⊙ (1 − w) + r ⊙ w`,
///
/// implemented as Ikeno & Hara's code: minimise `−mean(w) + P · mean_{r, j} max(0, f_j − f_c)`
/// (the mean over all `K` classes, so `λ = P·d/K`) with Adam from `w = 0`, each gradient
/// averaged over [`PertMapConfig::draws`] noise draws and `w` clamped to `[0, 1]` after every
/// step; the iterates are averaged (paper 002, appendix C). The penalty is zero while the
/// corrupted input keeps class `c`, so the mask grows until the class is about to flip. With a
/// contrast class `t` the hinge has the single term `max(0, f_t − f_y)`. The attribution is
/// `s_i = 1 − w̄_i` (the code's `−w`, shifted into `[0, 1]`): the features that cannot be
/// corrupted are the relevant ones.
///
/// Cost per row: `steps × draws` forward and `steps × draws` backward evaluations.
///
/// # Shapes
/// - request inputs: `[rows, ...sample_shape]` → one score in `[0, 1]` per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct PertMap {
    config: PertMapConfig,
}

impl PertMap {
    /// PertMap with `config` (validated).
    pub fn new(config: PertMapConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &PertMapConfig {
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

impl<const D: usize> Explainer<D> for PertMap {
    fn name(&self) -> String {
        "pertmap".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        attributions("pertmap", self.masks(model, request)?, request, true)
    }
}
