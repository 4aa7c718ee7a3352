//! # xai-explain
//!
//! Explainers for any [`xai_core::Classifier`], any [`xai_core::FeatureSpace`] and any device,
//! each returning one [`xai_core::Attribution`] per input with the model evaluations it cost.
//!
//! - Robustness analysis (Hsieh et al. 2021, section 4): [`GreedyAs`] (Eqn. 6), [`Greedy`]
//!   (Eqn. 5) and [`OneStepBanzhaf`] (appendix E), for Robustness-S̄r or -Sr
//!   ([`RobustnessObjective`]), untargeted or targeted ([`ExplainRequest::with_contrast`]),
//!   over any [`xai_attacks::RobustnessEstimator`].
//! - Gradient baselines ([`gradient`]): [`Grad`] (Simonyan et al. 2014), [`GradXInput`],
//!   [`IntegratedGradients`] (Sundararajan et al. 2017), [`SmoothGrad`] (Smilkov et al. 2017)
//!   and [`ExpectedGradients`] (Erion et al. 2021), of `f_y` or `f_y − f_t`.
//! - Perturbation baselines, features replaced by any [`xai_core::Reference`]: [`Loo`]
//!   (leave-one-out), [`Occlusion`] (Zeiler & Fergus 2014), [`KernelShap`] (Lundberg & Lee
//!   2017, Theorem 2), [`Lime`] (Ribeiro et al. 2016), and the [`RandomAttribution`] baseline.
//! - Optimisation baselines (paper 000, appendix C), both with a small [`Adam`]: [`Bbmp`]
//!   (meaningful perturbation, Fong & Vedaldi 2017, Eqn. 3) and [`Cfx`] (Wachter et al. 2017
//!   counterfactuals with an L0 constraint).
//! - Layer-wise methods for models exposing a [`xai_core::LayeredNet`] ([`layerwise`]):
//!   [`GuidedBackprop`], [`LrpEpsilon`], [`DeepLift`], [`DeepShap`], [`Cam`], [`GradCam`].
//! - Paper 002 (feature selection): [`GradEfs`], [`GradIfs`], [`GreedyFeatureSelection`]
//!   (Greedy-EFS / Greedy-IFS) and [`PertMap`]; paper 003's reference [`SampledShapley`].
//! - [`Method`] names every method; [`AnyExplainer::new`] builds one with a [`Preset`]
//!   (`paper` or `fast`).
//! - Shared machinery: [`ExplainRequest`] (inputs, classes, seed, memory limit),
//!   [`MaskedScorer`] (scores with features replaced by a reference), [`LeastSquares`].
#![warn(missing_docs)]

pub mod adam;
pub mod banzhaf;
pub mod bbmp;
pub mod cfx;
pub mod explainer;
pub mod feature_selection_greedy;
pub mod grad_feature_selection;
pub mod gradient;
pub mod greedy;
pub mod greedy_as;
pub mod kernel_shap;
pub mod layerwise;
pub mod lime;
pub mod loo;
pub mod method;
pub mod objective;
pub mod pertmap;
pub mod perturb;
pub mod preset;
pub mod progress;
pub mod random;
pub mod regression;
pub mod request;
pub mod sampled_shapley;

pub use adam::Adam;
pub use banzhaf::{OneStepBanzhaf, OneStepBanzhafConfig};
pub use bbmp::{Bbmp, BbmpConfig};
pub use cfx::{Cfx, CfxConfig, Counterfactuals};
pub use explainer::Explainer;
pub use feature_selection_greedy::{GreedyFeatureSelection, GreedyFeatureSelectionConfig};
pub use grad_feature_selection::{GradEfs, GradEfsConfig, GradIfs, GradIfsConfig};
pub use gradient::{
    ExpectedGradients, ExpectedGradientsConfig, Grad, GradConfig, GradXInput, IntegratedGradients,
    IntegratedGradientsConfig, IntegrationRule, SmoothGrad, SmoothGradConfig,
};
pub use greedy::{Greedy, GreedyConfig};
pub use greedy_as::{GreedyAs, GreedyAsConfig};
pub use kernel_shap::{KernelShap, KernelShapConfig};
pub use layerwise::{
    Cam, CamConfig, DeepLift, DeepLiftConfig, DeepShap, DeepShapConfig, GradCam, GradCamConfig,
    GuidedBackprop, GuidedBackpropConfig, LrpEpsilon, LrpEpsilonConfig,
};
pub use lime::{Lime, LimeConfig};
pub use loo::{Loo, LooConfig, Occlusion, OcclusionConfig};
pub use method::{AnyExplainer, Method, MethodOptions};
pub use objective::RobustnessObjective;
pub use pertmap::{PertMap, PertMapConfig};
pub use perturb::MaskedScorer;
pub use preset::Preset;
pub use progress::{Progress, ProgressHook};
pub use random::{RandomAttribution, RandomAttributionConfig};
pub use regression::{Fit, LeastSquares};
pub use request::ExplainRequest;
pub use sampled_shapley::{SampledShapley, SampledShapleyConfig};
