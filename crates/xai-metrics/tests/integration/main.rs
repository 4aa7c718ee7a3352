//! The metrics' tests, in one binary (each test binary links Burn: fewer binaries build and
//! link faster).

mod feature_selection;
mod metrics;
mod unified;
