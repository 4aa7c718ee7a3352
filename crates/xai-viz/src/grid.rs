//! Feature scores on a coarse grid expanded to one score per pixel.
//!
//! General feature → pixel expansion is xai-core's `FeatureSpace::expand`; these two helpers
//! cover patch grids without a Burn dependency.

use crate::error::{Result, VizError, check_finite};

/// Stretches a `grid_h × grid_w` score grid over `h × w` pixels with nearest neighbour: pixel
/// `(y, x)` takes cell `(⌊y·grid_h/h⌋, ⌊x·grid_w/w⌋)`, so cells cover (nearly) equal areas.
///
/// For xai-core's `FeatureSpace::patches(c, h, w, size)`, whose last row/column of patches may
/// be smaller, use [`expand_patches`] instead.
///
/// # Shapes
/// `scores: [grid_h, grid_w]` row-major → `[h, w]`; requires `1 ≤ grid_h ≤ h`, `1 ≤ grid_w ≤ w`.
pub fn upsample_grid(
    scores: &[f32],
    grid_h: usize,
    grid_w: usize,
    h: usize,
    w: usize,
) -> Result<Vec<f32>> {
    if grid_h == 0 || grid_w == 0 || grid_h > h || grid_w > w {
        return Err(VizError::shape(
            "grid",
            format!("1 ≤ grid_h ≤ h = {h} and 1 ≤ grid_w ≤ w = {w}"),
            &[grid_h, grid_w],
        ));
    }
    check_scores(scores, grid_h * grid_w)?;
    Ok((0..h)
        .flat_map(|y| (0..w).map(move |x| scores[(y * grid_h / h) * grid_w + x * grid_w / w]))
        .collect())
}

/// Expands one score per `patch × patch` square to pixels, with the numbering of xai-core's
/// `FeatureSpace::patches`: patches row by row, `⌈w / patch⌉` per row, the last row/column
/// possibly smaller.
///
/// # Shapes
/// `scores: [⌈h/patch⌉ · ⌈w/patch⌉]` → `[h, w]` row-major.
pub fn expand_patches(scores: &[f32], patch: usize, h: usize, w: usize) -> Result<Vec<f32>> {
    if h == 0 || w == 0 {
        return Err(VizError::shape("image dims", "[h > 0, w > 0]", &[h, w]));
    }
    if patch == 0 || patch > h.max(w) {
        return Err(VizError::invalid("patch size", patch, format!("1..={}", h.max(w))));
    }
    let cols = w.div_ceil(patch);
    check_scores(scores, h.div_ceil(patch) * cols)?;
    Ok((0..h).flat_map(|y| (0..w).map(move |x| scores[(y / patch) * cols + x / patch])).collect())
}

fn check_scores(scores: &[f32], expected: usize) -> Result<()> {
    if scores.len() != expected {
        return Err(VizError::shape("grid scores", format!("{expected} values"), &[scores.len()]));
    }
    check_finite("grid scores", scores)
}
