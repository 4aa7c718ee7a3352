//! Fuzz target: `xai_formats::check::check_idx_images` on arbitrary bytes (parse; on success assert
//! the invariants). Run with `cargo +nightly fuzz run idx_images corpus/idx_images seeds/idx_images`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| xai_formats::check::check_idx_images(data));
