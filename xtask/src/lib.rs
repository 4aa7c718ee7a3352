//! Project automation for burn-xai, as a library for its own tests (the generated-code check).

pub mod bench;
pub mod fuzz;
pub mod import_onnx;
pub mod layered_gen;
