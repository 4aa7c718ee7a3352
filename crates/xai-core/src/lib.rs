//! # xai-core
//!
//! The abstractions every part of burn-xai shares: the [`Classifier`] trait (any closure
//! `Fn(Tensor<D>) -> Tensor<2>`), [`FeatureSpace`]s that group input elements into features,
//! [`FeatureMask`]s, [`Attribution`] maps, model-evaluation [`Cost`]s, seeds, batching, norms,
//! run-time device choice and the [`XaiError`] type, and [`LayeredNet`]: a network as a graph of
//! known layers, for the methods that need its inside (CAM, Grad-CAM, GuidedBP, LRP, DeepLIFT).
#![warn(missing_docs)]

pub mod attribution;
pub mod batching;
pub mod classifier;
pub mod corruption;
pub mod cost;
pub mod device;
pub mod error;
pub mod feature_space;
pub mod host;
pub mod layered;
pub mod mask;
pub mod norm;
pub mod provenance;
pub mod reference;
pub mod score;
pub mod seed;

pub use attribution::Attribution;
pub use classifier::{Classifier, Evaluator};
pub use corruption::Corruption;
pub use cost::{Cost, CostCounter};
pub use device::DeviceChoice;
pub use error::{Result, XaiError};
pub use feature_space::{FeatureLayout, FeatureSpace};
pub use layered::{Layer, LayeredNet, Node};
pub use mask::FeatureMask;
pub use norm::Norm;
pub use provenance::CodeVersion;
pub use reference::Reference;
pub use score::ClassScore;
