//! Integration tests of this crate, in one binary (each test binary links Burn: fewer binaries build and link faster).

mod best_of;
mod common;
mod deepfool;
mod edge_cases;
mod estimator_choice;
mod linear_closed_form;
mod nonlinear_agreement;
#[cfg(feature = "wgpu")]
mod wgpu_agreement;
#[cfg(feature = "wgpu")]
mod wgpu_readback;
