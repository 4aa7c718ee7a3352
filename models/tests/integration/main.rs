//! The zoo's tests, in one binary.

mod layered;
mod weights;
