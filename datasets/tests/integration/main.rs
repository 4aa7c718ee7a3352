//! Integration tests of this crate, in one binary (each test binary links Burn: fewer binaries build and link faster).

mod common;
mod idx;
mod images;
mod npy;
mod registry;
