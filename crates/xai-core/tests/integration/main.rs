//! Integration tests of this crate, in one binary (each test binary links Burn: fewer binaries build and link faster).

mod attribution;
mod classifier;
mod feature_space;
mod mask;
