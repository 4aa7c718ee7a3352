//! # burn-xai
//!
//! Explain Burn classifiers and measure how good the explanations are, on any Burn device
//! (Flex or ndarray on the CPU, wgpu on Vulkan/Metal/DX12/WebGPU).
//!
//! This facade re-exports the workspace's crates; `use xai::prelude::*` brings the types most
//! programs need.
#![warn(missing_docs)]

pub use xai_attacks as attacks;
pub use xai_core as core;
pub use xai_datasets as datasets;
pub use xai_explain as explain;
pub use xai_metrics as metrics;
pub use xai_zoo as zoo;

/// The types most programs import.
pub mod prelude {
    pub use xai_core::{
        Attribution, ClassScore, Classifier, Cost, DeviceChoice, Evaluator, FeatureMask,
        FeatureSpace, Norm, Reference, Result, XaiError,
    };
    pub use xai_explain::{ExplainRequest, Explainer};
}
