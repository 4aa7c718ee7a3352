//! Project automation for burn-xai, as a library so tests can prepare the model weights.

pub mod bench;
pub mod fuzz;
pub mod import_onnx;
pub mod layered_gen;
