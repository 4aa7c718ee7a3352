//! # xai-zoo
//!
//! burn-xai's model zoo: classifiers imported from ONNX with burn-onnx, addressed by name
//! (`mnist-cnn`, `efficientnet-lite0`), with their metadata (input shape, value range, classes)
//! and fallible weight loading.
//!
//! The Rust code in `src/generated/` is produced by `cargo xtask import-onnx` and committed, so
//! building never needs an ONNX file; the weights (`weights/*.bpk`) are written by
//! `cargo xtask setup` and loaded at run time.
//!
//! Both models also come as an [`xai_core::LayeredNet`] with the same weights
//! ([`ZooModel::layered_net`]), translated from the generated `forward()` by the xtask
//! (`src/generated/*_layered.rs`), for the layer-wise explainers.
#![warn(missing_docs)]

pub mod faithfulness;
mod generated;
mod info;
mod layered;
mod model;
pub mod randomize;
mod weights;

pub use info::{ClassNames, MODEL_NAMES, ModelInfo, ModelName};
pub use model::ZooModel;
pub use randomize::{NamedParameter, Randomization};
pub use weights::weights_dir;
