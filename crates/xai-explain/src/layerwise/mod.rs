//! Methods that need the network's inside: they work on models that expose a
//! [`LayeredNet`] through [`Classifier::layered`] (the zoo's models do) and return a
//! "needs a layered model" error for any other model, never a wrong map.
//!
//! - Class activation maps: [`Cam`] (Zhou et al. 2016) and [`GradCam`] (Selvaraju et al. 2017)
//!   on the feature map of the last convolution ([`LayeredNet::feature_node`]).
//! - Modified backward passes ([`engine`]): [`GuidedBackprop`] (Springenberg et al. 2015),
//!   [`LrpEpsilon`] (Bach et al. 2015), [`DeepLift`] (Shrikumar et al. 2017, rescale rule) and
//!   [`DeepShap`] (Lundberg & Lee 2017).

pub mod cam;
pub mod deeplift;
pub mod engine;
pub mod guided_backprop;
pub mod lrp;

pub use cam::{Cam, CamConfig, GradCam, GradCamConfig};
pub use deeplift::{DeepLift, DeepLiftConfig, DeepShap, DeepShapConfig};
pub use guided_backprop::{GuidedBackprop, GuidedBackpropConfig};
pub use lrp::{LrpEpsilon, LrpEpsilonConfig};

use xai_core::layered::LayeredNet;
use xai_core::{Classifier, Result, XaiError};

/// The model's [`LayeredNet`], or the error every layer-wise method returns for a model
/// without one: "`method` needs a layered model …".
pub fn require_layered<'m, M: Classifier<D> + ?Sized, const D: usize>(
    model: &'m M,
    method: &str,
) -> Result<&'m LayeredNet> {
    model.layered().ok_or_else(|| XaiError::Unsupported {
        method: method.to_string(),
        requirement: "a layered model (a xai_core::LayeredNet exposed by Classifier::layered, \
                      as the zoo's models do); a closure or opaque model has no layers to read"
            .to_string(),
    })
}
