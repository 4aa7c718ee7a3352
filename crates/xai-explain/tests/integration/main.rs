//! The explainers' tests, in one binary (each test binary links Burn: fewer binaries build
//! and link faster).

mod cam;
mod grad_feature_selection;
mod gradient_methods;
mod greedy_methods;
mod layerwise;
mod optimisation_methods;
mod perturbation_methods;
mod presets;
