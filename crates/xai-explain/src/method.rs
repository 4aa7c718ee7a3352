//! Every method by name, with the `paper` and `fast` presets: what the CLI and the examples
//! use to build an explainer from a string.

use crate::banzhaf::{OneStepBanzhaf, OneStepBanzhafConfig};
use crate::bbmp::{Bbmp, BbmpConfig};
use crate::cfx::{Cfx, CfxConfig};
use crate::explainer::Explainer;
use crate::feature_selection_greedy::GreedyFeatureSelection;
use crate::grad_feature_selection::{GradEfs, GradEfsConfig, GradIfs, GradIfsConfig};
use crate::gradient::{
    ExpectedGradients, ExpectedGradientsConfig, Grad, GradConfig, GradXInput, IntegratedGradients,
    IntegratedGradientsConfig, SmoothGrad, SmoothGradConfig,
};
use crate::greedy::{Greedy, GreedyConfig};
use crate::greedy_as::{GreedyAs, GreedyAsConfig};
use crate::kernel_shap::{KernelShap, KernelShapConfig};
use crate::layerwise::{
    Cam, CamConfig, DeepLift, DeepLiftConfig, DeepShap, DeepShapConfig, GradCam, GradCamConfig,
    GuidedBackprop, GuidedBackpropConfig, LrpEpsilon, LrpEpsilonConfig, require_layered,
};
use crate::lime::{Lime, LimeConfig};
use crate::loo::{Loo, LooConfig, Occlusion, OcclusionConfig};
use crate::objective::RobustnessObjective;
use crate::pertmap::{PertMap, PertMapConfig};
use crate::preset::Preset;
use crate::random::RandomAttribution;
use crate::request::ExplainRequest;
use crate::sampled_shapley::{SampledShapley, SampledShapleyConfig};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use xai_attacks::{AnyEstimator, Estimator};
use xai_core::{Attribution, Classifier, Reference, Result, XaiError};

/// The explanation methods, named in kebab case in the CLI and JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// [`Grad`]: the vanilla gradient.
    Grad,
    /// [`GradXInput`]: gradient ⊙ input.
    GradXInput,
    /// [`IntegratedGradients`].
    IntegratedGradients,
    /// [`SmoothGrad`].
    Smoothgrad,
    /// [`ExpectedGradients`] (needs a background set).
    ExpectedGradients,
    /// [`Loo`]: leave-one-out.
    Loo,
    /// [`Occlusion`]: sliding windows.
    Occlusion,
    /// [`KernelShap`].
    KernelShap,
    /// [`Lime`].
    Lime,
    /// [`Bbmp`]: meaningful perturbation.
    Bbmp,
    /// [`Cfx`]: sparse counterfactual.
    Cfx,
    /// [`RandomAttribution`].
    Random,
    /// [`Greedy`] (Eqn. 5 of Hsieh et al. 2021).
    Greedy,
    /// [`GreedyAs`] (Eqn. 6 of Hsieh et al. 2021).
    GreedyAs,
    /// [`OneStepBanzhaf`] (appendix E of Hsieh et al. 2021).
    OneStepBanzhaf,
    /// [`GuidedBackprop`] (needs a layered model).
    GuidedBackprop,
    /// [`LrpEpsilon`]: LRP-ε (needs a layered model).
    LrpEpsilon,
    /// [`DeepLift`]: rescale rule (needs a layered model).
    DeepLift,
    /// [`DeepShap`]: DeepLIFT averaged over a background set (needs a layered model).
    DeepShap,
    /// [`Cam`]: class activation map (needs a layered model with a GAP → linear head).
    Cam,
    /// [`GradCam`] (needs a layered model).
    GradCam,
    /// [`SampledShapley`]: permutation-sampled Shapley values (Castro et al. 2009).
    SampledShapley,
    /// [`GradEfs`] (paper 002, appendix C).
    GradEfs,
    /// [`GradIfs`] (paper 002, appendix C).
    GradIfs,
    /// [`GreedyFeatureSelection`] in exclusive mode (paper 002).
    GreedyEfs,
    /// [`GreedyFeatureSelection`] in inclusive mode (paper 002).
    GreedyIfs,
    /// [`PertMap`] (Ikeno & Hara 2018; paper 002, appendix A).
    PertMap,
}

impl Method {
    /// Every method, in the order of the list.
    pub const ALL: [Method; 27] = [
        Method::Grad,
        Method::GradXInput,
        Method::IntegratedGradients,
        Method::Smoothgrad,
        Method::ExpectedGradients,
        Method::Loo,
        Method::Occlusion,
        Method::KernelShap,
        Method::Lime,
        Method::Bbmp,
        Method::Cfx,
        Method::Random,
        Method::Greedy,
        Method::GreedyAs,
        Method::OneStepBanzhaf,
        Method::GuidedBackprop,
        Method::LrpEpsilon,
        Method::DeepLift,
        Method::DeepShap,
        Method::Cam,
        Method::GradCam,
        Method::SampledShapley,
        Method::GradEfs,
        Method::GradIfs,
        Method::GreedyEfs,
        Method::GreedyIfs,
        Method::PertMap,
    ];

    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Grad => "grad",
            Method::GradXInput => "grad-x-input",
            Method::IntegratedGradients => "integrated-gradients",
            Method::Smoothgrad => "smoothgrad",
            Method::ExpectedGradients => "expected-gradients",
            Method::Loo => "loo",
            Method::Occlusion => "occlusion",
            Method::KernelShap => "kernel-shap",
            Method::Lime => "lime",
            Method::Bbmp => "bbmp",
            Method::Cfx => "cfx",
            Method::Random => "random",
            Method::Greedy => "greedy",
            Method::GreedyAs => "greedy-as",
            Method::OneStepBanzhaf => "one-step-banzhaf",
            Method::GuidedBackprop => "guided-backprop",
            Method::LrpEpsilon => "lrp-epsilon",
            Method::DeepLift => "deeplift",
            Method::DeepShap => "deepshap",
            Method::Cam => "cam",
            Method::GradCam => "grad-cam",
            Method::SampledShapley => "sampled-shapley",
            Method::GradEfs => "grad-efs",
            Method::GradIfs => "grad-ifs",
            Method::GreedyEfs => "greedy-efs",
            Method::GreedyIfs => "greedy-ifs",
            Method::PertMap => "pertmap",
        }
    }

    /// The name paper 000's tables use (`Grad`, `IG`, `EG`, `SHAP`, …).
    pub fn paper_name(self) -> &'static str {
        match self {
            Method::Grad => "Grad",
            Method::GradXInput => "Grad×Input",
            Method::IntegratedGradients => "IG",
            Method::Smoothgrad => "SmoothGrad",
            Method::ExpectedGradients => "EG",
            Method::Loo => "LOO",
            Method::Occlusion => "Occlusion",
            Method::KernelShap => "SHAP",
            Method::Lime => "LIME",
            Method::Bbmp => "BBMP",
            Method::Cfx => "CFX",
            Method::Random => "Random",
            Method::Greedy => "Greedy",
            Method::GreedyAs => "Greedy-AS",
            Method::OneStepBanzhaf => "One-Step Banzhaf",
            Method::GuidedBackprop => "GuidedBP",
            Method::LrpEpsilon => "LRP",
            Method::DeepLift => "DeepLIFT",
            Method::DeepShap => "DeepSHAP",
            Method::Cam => "CAM",
            Method::GradCam => "Grad-CAM",
            Method::SampledShapley => "Shapley",
            Method::GradEfs => "Grad-EFS",
            Method::GradIfs => "Grad-IFS",
            Method::GreedyEfs => "Greedy-EFS",
            Method::GreedyIfs => "Greedy-IFS",
            Method::PertMap => "PertMap",
        }
    }

    /// Whether the method estimates robustness (attacks) to explain.
    pub fn is_robustness_based(self) -> bool {
        matches!(self, Method::Greedy | Method::GreedyAs | Method::OneStepBanzhaf)
    }

    /// Whether the method reads the network's layers ([`xai_core::Classifier::layered`]);
    /// other models get [`XaiError::Unsupported`].
    pub fn needs_layers(self) -> bool {
        matches!(
            self,
            Method::GuidedBackprop
                | Method::LrpEpsilon
                | Method::DeepLift
                | Method::DeepShap
                | Method::Cam
                | Method::GradCam
        )
    }

    /// Whether the method needs background samples ([`MethodOptions::background`]).
    pub fn needs_background(self) -> bool {
        matches!(self, Method::ExpectedGradients | Method::DeepShap)
    }

    /// All names, comma-separated (for error messages and `--help`).
    pub fn names() -> String {
        Self::ALL.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Method {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|m| m.name() == s).ok_or_else(|| XaiError::UnknownName {
            kind: "method".into(),
            name: s.into(),
            known: Self::names(),
        })
    }
}

/// What a method may need beyond its preset.
#[derive(Debug, Clone)]
pub struct MethodOptions<const D: usize> {
    /// The preset.
    pub preset: Preset,
    /// The robustness objective of the greedy methods (default Robustness-S̄r).
    pub objective: RobustnessObjective,
    /// Overrides the reference value of the methods that use one (IG baseline, LOO,
    /// Occlusion, KernelSHAP, LIME, BBMP); default: each method's own (0, or blur for BBMP).
    pub reference: Option<Reference>,
    /// Background samples for Expected Gradients (`[k, ...]`, e.g. dataset images).
    pub background: Option<Tensor<D>>,
    /// Overrides the subsets per regression of Greedy-AS and one-step Banzhaf (the preset's:
    /// 5000 paper, 400 fast); fewer make them proportionally cheaper (e.g. 32–64 for
    /// EfficientNet on a CPU).
    pub subsets: Option<usize>,
    /// Overrides the robustness estimator of Greedy, Greedy-AS and one-step Banzhaf (the
    /// preset's: [`Preset::estimator`]).
    pub estimator: Option<Estimator>,
}

impl<const D: usize> MethodOptions<D> {
    /// The robustness estimator of the greedy methods: the override, else the preset's,
    /// measuring the L2 norm (the paper's).
    pub fn estimator(&self) -> Result<AnyEstimator> {
        self.estimator.unwrap_or(self.preset.estimator()).build(xai_core::Norm::L2)
    }
}

impl<const D: usize> Default for MethodOptions<D> {
    fn default() -> Self {
        Self {
            preset: Preset::Standard,
            objective: RobustnessObjective::Anchored,
            reference: None,
            background: None,
            subsets: None,
            estimator: None,
        }
    }
}

/// Any method, configured: one type the CLI and examples can hold. Serialises as the resolved
/// settings, tagged with the explainer (`{"explainer": "greedy-as", "config": …,
/// "estimator": …}`); background samples are data and left out.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "explainer", rename_all = "kebab-case")]
#[allow(missing_docs, clippy::large_enum_variant)]
pub enum AnyExplainer<const D: usize> {
    Grad(Grad),
    GradXInput(GradXInput),
    IntegratedGradients(IntegratedGradients),
    #[serde(rename = "smoothgrad")]
    SmoothGrad(SmoothGrad),
    ExpectedGradients(ExpectedGradients<D>),
    Loo(Loo),
    Occlusion(Occlusion),
    KernelShap(KernelShap),
    Lime(Lime),
    Bbmp(Bbmp),
    Cfx(Cfx),
    Random(RandomAttribution),
    Greedy(Greedy<AnyEstimator>),
    GreedyAs(GreedyAs<AnyEstimator>),
    OneStepBanzhaf(OneStepBanzhaf<AnyEstimator>),
    GuidedBackprop(GuidedBackprop),
    LrpEpsilon(LrpEpsilon),
    #[serde(rename = "deeplift")]
    DeepLift(DeepLift),
    #[serde(rename = "deepshap")]
    DeepShap(DeepShap),
    Cam(Cam),
    GradCam(GradCam),
    SampledShapley(SampledShapley),
    GradEfs(GradEfs),
    GradIfs(GradIfs),
    GreedyFeatureSelection(GreedyFeatureSelection),
    #[serde(rename = "pertmap")]
    PertMap(PertMap),
}

impl<const D: usize> AnyExplainer<D> {
    /// Builds `method` with `options`.
    pub fn new(method: Method, options: &MethodOptions<D>) -> Result<Self> {
        let preset = options.preset;
        let reference = options.reference.clone();
        let objective = options.objective;
        Ok(match method {
            Method::Grad => AnyExplainer::Grad(Grad::new(GradConfig::new())?),
            Method::GradXInput => AnyExplainer::GradXInput(GradXInput::new()),
            Method::IntegratedGradients => {
                let mut c = IntegratedGradientsConfig::preset(preset);
                if let Some(r) = reference {
                    c = c.with_baseline(r);
                }
                AnyExplainer::IntegratedGradients(IntegratedGradients::new(c)?)
            }
            Method::Smoothgrad => {
                AnyExplainer::SmoothGrad(SmoothGrad::new(SmoothGradConfig::preset(preset))?)
            }
            Method::ExpectedGradients => {
                let background = options.background.clone().ok_or_else(|| {
                    XaiError::invalid(
                        "expected-gradients background",
                        "none",
                        "background samples drawn from a dataset",
                    )
                })?;
                let c = ExpectedGradientsConfig::preset(preset);
                AnyExplainer::ExpectedGradients(ExpectedGradients::new(c, background)?)
            }
            Method::Loo => {
                let mut c = LooConfig::preset(preset);
                if let Some(r) = reference {
                    c = c.with_reference(r);
                }
                AnyExplainer::Loo(Loo::new(c)?)
            }
            Method::Occlusion => {
                let mut c = OcclusionConfig::new();
                if let Some(r) = reference {
                    c = c.with_reference(r);
                }
                AnyExplainer::Occlusion(Occlusion::new(c)?)
            }
            Method::KernelShap => {
                let mut c = KernelShapConfig::preset(preset);
                if let Some(r) = reference {
                    c = c.with_reference(r);
                }
                AnyExplainer::KernelShap(KernelShap::new(c)?)
            }
            Method::Lime => {
                let mut c = LimeConfig::preset(preset);
                if let Some(r) = reference {
                    c = c.with_reference(r);
                }
                AnyExplainer::Lime(Lime::new(c)?)
            }
            Method::Bbmp => {
                let c = BbmpConfig::preset(preset).with_reference(reference);
                AnyExplainer::Bbmp(Bbmp::new(c)?)
            }
            Method::Cfx => AnyExplainer::Cfx(Cfx::new(CfxConfig::preset(preset))?),
            Method::Random => AnyExplainer::Random(RandomAttribution),
            Method::Greedy => {
                let c = GreedyConfig::preset(preset);
                AnyExplainer::Greedy(Greedy::new(
                    c.with_objective(objective),
                    options.estimator()?,
                )?)
            }
            Method::GreedyAs => {
                let c = GreedyAsConfig::preset(preset);
                let subsets = options.subsets.unwrap_or(c.subsets);
                let c = c.with_objective(objective).with_subsets(subsets);
                AnyExplainer::GreedyAs(GreedyAs::new(c, options.estimator()?)?)
            }
            Method::OneStepBanzhaf => {
                let c = OneStepBanzhafConfig::preset(preset);
                let subsets = options.subsets.unwrap_or(c.subsets);
                let c = c.with_objective(objective).with_subsets(subsets);
                AnyExplainer::OneStepBanzhaf(OneStepBanzhaf::new(c, options.estimator()?)?)
            }
            Method::GuidedBackprop => {
                AnyExplainer::GuidedBackprop(GuidedBackprop::new(GuidedBackpropConfig::new())?)
            }
            Method::LrpEpsilon => {
                AnyExplainer::LrpEpsilon(LrpEpsilon::new(LrpEpsilonConfig::new())?)
            }
            Method::DeepLift => {
                let mut c = DeepLiftConfig::new();
                if let Some(r) = reference {
                    c = c.with_reference(r);
                }
                AnyExplainer::DeepLift(DeepLift::new(c)?)
            }
            Method::DeepShap => {
                let background = options.background.clone().ok_or_else(|| {
                    XaiError::invalid(
                        "deepshap background",
                        "none",
                        "background samples drawn from a dataset",
                    )
                })?;
                let samples = background_samples(background)?;
                let c = DeepShapConfig::preset(preset, samples.len());
                AnyExplainer::DeepShap(DeepShap::from_samples(c, samples)?)
            }
            Method::Cam => AnyExplainer::Cam(Cam::new(CamConfig::new())?),
            Method::GradCam => AnyExplainer::GradCam(GradCam::new(GradCamConfig::new())?),
            Method::SampledShapley => {
                let mut c = SampledShapleyConfig::preset(preset);
                if let Some(r) = reference {
                    c = c.with_reference(r);
                }
                AnyExplainer::SampledShapley(SampledShapley::new(c)?)
            }
            Method::GradEfs => AnyExplainer::GradEfs(GradEfs::new(GradEfsConfig::preset(preset))?),
            Method::GradIfs => AnyExplainer::GradIfs(GradIfs::new(GradIfsConfig::preset(preset))?),
            Method::GreedyEfs => {
                AnyExplainer::GreedyFeatureSelection(GreedyFeatureSelection::efs())
            }
            Method::GreedyIfs => {
                AnyExplainer::GreedyFeatureSelection(GreedyFeatureSelection::ifs())
            }
            Method::PertMap => AnyExplainer::PertMap(PertMap::new(PertMapConfig::preset(preset))?),
        })
    }
}

impl<const D: usize> Explainer<D> for AnyExplainer<D> {
    fn name(&self) -> String {
        match self {
            AnyExplainer::Grad(e) => Explainer::<D>::name(e),
            AnyExplainer::GradXInput(e) => Explainer::<D>::name(e),
            AnyExplainer::IntegratedGradients(e) => Explainer::<D>::name(e),
            AnyExplainer::SmoothGrad(e) => Explainer::<D>::name(e),
            AnyExplainer::ExpectedGradients(e) => Explainer::<D>::name(e),
            AnyExplainer::Loo(e) => Explainer::<D>::name(e),
            AnyExplainer::Occlusion(e) => Explainer::<D>::name(e),
            AnyExplainer::KernelShap(e) => Explainer::<D>::name(e),
            AnyExplainer::Lime(e) => Explainer::<D>::name(e),
            AnyExplainer::Bbmp(e) => Explainer::<D>::name(e),
            AnyExplainer::Cfx(e) => Explainer::<D>::name(e),
            AnyExplainer::Random(e) => Explainer::<D>::name(e),
            AnyExplainer::Greedy(e) => Explainer::<D>::name(e),
            AnyExplainer::GreedyAs(e) => Explainer::<D>::name(e),
            AnyExplainer::OneStepBanzhaf(e) => Explainer::<D>::name(e),
            AnyExplainer::GuidedBackprop(e) => Explainer::<4>::name(e),
            AnyExplainer::LrpEpsilon(e) => Explainer::<4>::name(e),
            AnyExplainer::DeepLift(e) => Explainer::<4>::name(e),
            AnyExplainer::DeepShap(e) => Explainer::<4>::name(e),
            AnyExplainer::Cam(e) => Explainer::<4>::name(e),
            AnyExplainer::GradCam(e) => Explainer::<4>::name(e),
            AnyExplainer::SampledShapley(e) => Explainer::<D>::name(e),
            AnyExplainer::GradEfs(e) => Explainer::<D>::name(e),
            AnyExplainer::GradIfs(e) => Explainer::<D>::name(e),
            AnyExplainer::GreedyFeatureSelection(e) => Explainer::<D>::name(e),
            AnyExplainer::PertMap(e) => Explainer::<D>::name(e),
        }
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> Result<Vec<Attribution>> {
        match self {
            AnyExplainer::Grad(e) => e.explain(model, request),
            AnyExplainer::GradXInput(e) => e.explain(model, request),
            AnyExplainer::IntegratedGradients(e) => e.explain(model, request),
            AnyExplainer::SmoothGrad(e) => e.explain(model, request),
            AnyExplainer::ExpectedGradients(e) => e.explain(model, request),
            AnyExplainer::Loo(e) => e.explain(model, request),
            AnyExplainer::Occlusion(e) => e.explain(model, request),
            AnyExplainer::KernelShap(e) => e.explain(model, request),
            AnyExplainer::Lime(e) => e.explain(model, request),
            AnyExplainer::Bbmp(e) => e.explain(model, request),
            AnyExplainer::Cfx(e) => e.explain(model, request),
            AnyExplainer::Random(e) => e.explain(model, request),
            AnyExplainer::Greedy(e) => e.explain(model, request),
            AnyExplainer::GreedyAs(e) => e.explain(model, request),
            AnyExplainer::OneStepBanzhaf(e) => e.explain(model, request),
            AnyExplainer::GuidedBackprop(e) => explain_layered(e, model, request),
            AnyExplainer::LrpEpsilon(e) => explain_layered(e, model, request),
            AnyExplainer::DeepLift(e) => explain_layered(e, model, request),
            AnyExplainer::DeepShap(e) => explain_layered(e, model, request),
            AnyExplainer::Cam(e) => explain_layered(e, model, request),
            AnyExplainer::GradCam(e) => explain_layered(e, model, request),
            AnyExplainer::SampledShapley(e) => e.explain(model, request),
            AnyExplainer::GradEfs(e) => e.explain(model, request),
            AnyExplainer::GradIfs(e) => e.explain(model, request),
            AnyExplainer::GreedyFeatureSelection(e) => e.explain(model, request),
            AnyExplainer::PertMap(e) => e.explain(model, request),
        }
    }
}

/// Runs a layer-wise explainer (images only) on the model's [`xai_core::LayeredNet`].
fn explain_layered<E: Explainer<4>, M: Classifier<D>, const D: usize>(
    explainer: &E,
    model: &M,
    request: &ExplainRequest<D>,
) -> Result<Vec<Attribution>> {
    let net = require_layered(model, &explainer.name())?;
    explainer.explain(net, &request.as_images()?)
}

/// The rows of `background` (`[k, ...]`) as flat samples.
fn background_samples<const D: usize>(background: Tensor<D>) -> Result<Vec<Vec<f32>>> {
    let k = background.dims()[0];
    let values = xai_core::host::to_vec_f32(background)?;
    if k == 0 {
        return Err(XaiError::invalid("background", "0 samples", "at least one"));
    }
    Ok(values.chunks(values.len() / k).map(<[f32]>::to_vec).collect())
}
