//! Fuzz target: `xai_formats::check::check_idx_labels` on arbitrary bytes (parse; on success assert
//! the invariants). Run with `cargo +nightly fuzz run idx_labels corpus/idx_labels seeds/idx_labels`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| xai_formats::check::check_idx_labels(data));
