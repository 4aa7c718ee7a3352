//! Cross-crate tests on the zoo's models, in one binary (each test binary links Burn: fewer
//! binaries build and link faster). The burn-onnx checks live in `xtask/tests/generated_code.rs`:
//! burn-onnx switches on global debug logging in its process.

mod attacks_mnist;
mod bad_input;
mod bbmp_mnist;
mod common;
mod explain_mnist;
mod readme;
mod reference_protocol;
mod sanity;
mod zoo_faithfulness;
