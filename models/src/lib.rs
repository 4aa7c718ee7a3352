//! # xai-zoo
//!
//! burn-xai's model zoo: classifiers imported from ONNX with burn-onnx, addressed by name
//! (`mnist-cnn`, `efficientnet-lite0`), with their metadata (input shape, value range, classes)
//! and fallible weight loading.
//!
//! The Rust code in `src/generated/` is produced by `cargo xtask import-onnx` and committed, so
//! building never needs an ONNX file. The weights are the zoo's own business: on first use
//! [`ZooModel::load`] reads them from the model's ONNX file in the data directory (parsed by
//! `onnx-ir`, matched to the generated fields by node name) and writes them to
//! [`weights_dir`] as a `.bpk` file, which later loads read.
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
mod onnx_weights;
pub mod randomize;
mod weights;

pub use info::{ClassNames, MODEL_NAMES, ModelInfo, ModelName};
pub use model::{ZooModel, ensure_weights};
pub use randomize::{NamedParameter, Randomization};
pub use weights::weights_dir;
