//! Seeded random number generators: every sampler takes an explicit seed.

use rand::SeedableRng;
use rand::rngs::StdRng;

/// A deterministic generator for `seed`.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// A generator for sub-stream `stream` of `seed` (e.g. one per example), independent of the
/// order in which streams are drawn.
pub fn stream_rng(seed: u64, stream: u64) -> StdRng {
    StdRng::seed_from_u64(stream_seed(seed, stream))
}

/// The seed of sub-stream `stream` of `seed`: a seed to hand to a seeded algorithm per
/// example (e.g. `ExplainRequest::with_seed`), so each example's draws do not depend on
/// which examples ran before it.
pub fn stream_seed(seed: u64, stream: u64) -> u64 {
    // SplitMix64 finaliser: decorrelates nearby (seed, stream) pairs.
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
