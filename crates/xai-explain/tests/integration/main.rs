//! The explainers' tests, in one binary (each test binary links Burn: fewer binaries build
//! and link faster).

mod gradient_methods;
mod greedy_methods;
mod optimisation_methods;
mod perturbation_methods;
mod presets;
