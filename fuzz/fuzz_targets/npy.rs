//! Fuzz target: `xai_formats::check::check_npy` on arbitrary bytes (parse; on success assert
//! the invariants). Run with `cargo +nightly fuzz run npy corpus/npy seeds/npy`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| xai_formats::check::check_npy(data));
