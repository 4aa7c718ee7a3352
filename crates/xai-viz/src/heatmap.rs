//! Heat maps over photos, and the top-k features highlighted.

use crate::colormap::{Colormap, Normalization};
use crate::error::{Result, VizError, check_finite};
use crate::image_io::{checked_dims, to_grayscale};
use image::RgbImage;

/// How much of its brightness a pixel outside the kept set retains in [`highlight_top`].
pub const DIM_FACTOR: f32 = 0.25;

/// The colour of the one-pixel outline [`highlight_top`] draws around the kept region.
pub const OUTLINE: [u8; 3] = [255, 196, 0];

/// Blends a per-pixel score map over the grey version of `image`.
///
/// Signed maps are scaled by `max |v|` ([`Normalization::MaxAbs`]) and drawn with
/// [`Colormap::RedBlue`] (red positive, blue negative); unsigned maps are min-max scaled and
/// drawn with [`Colormap::Viridis`]. For other scalings (e.g. Captum's 98% cumulative-mass
/// clipping) normalise yourself and call [`overlay_normalized`].
///
/// # Shapes
/// `image`: `w × h`; `pixel_scores: [h, w]` row-major (expand feature scores to pixels first,
/// e.g. with xai-core's `FeatureSpace` or [`crate::upsample_grid`]).
pub fn overlay(
    image: &RgbImage,
    pixel_scores: &[f32],
    alpha: f32,
    signed: bool,
) -> Result<RgbImage> {
    let (norm, cmap) = if signed {
        (Normalization::MaxAbs, Colormap::RedBlue)
    } else {
        (Normalization::MinMax, Colormap::Viridis)
    };
    check_len(image, pixel_scores.len(), "pixel scores")?;
    overlay_normalized(image, &norm.apply(pixel_scores)?, alpha, cmap)
}

/// Blends already normalised scores (in `colormap`'s domain) over the grey version of `image`.
///
/// A pixel's opacity is `alpha · |t|` for a diverging map and `alpha · t` otherwise, where `t`
/// is its score clamped to the domain: pixels that score 0 keep the grey photo, the strongest
/// ones get the colormap's colour at opacity `alpha`.
///
/// # Shapes
/// `image`: `w × h`; `normalized: [h, w]` row-major.
pub fn overlay_normalized(
    image: &RgbImage,
    normalized: &[f32],
    alpha: f32,
    colormap: Colormap,
) -> Result<RgbImage> {
    if !(0.0..=1.0).contains(&alpha) {
        return Err(VizError::invalid("alpha", alpha, "in [0, 1]"));
    }
    check_len(image, normalized.len(), "normalised scores")?;
    check_finite("normalised scores", normalized)?;
    let (lo, hi) = colormap.domain();
    let mut out = to_grayscale(image);
    for (p, &t) in out.pixels_mut().zip(normalized) {
        let t = t.clamp(lo, hi);
        let a = alpha * t.abs();
        let c = colormap.map(t);
        p.0 = std::array::from_fn(|k| blend(p.0[k], c[k], a));
    }
    Ok(out)
}

/// A heat map on its own (no photo): each score's colour, after the same normalisation as
/// [`overlay`].
///
/// # Shapes
/// `pixel_scores: [height, width]` row-major → `width × height` RGB.
pub fn heatmap(
    pixel_scores: &[f32],
    height: usize,
    width: usize,
    signed: bool,
) -> Result<RgbImage> {
    if height == 0 || width == 0 || pixel_scores.len() != height * width {
        return Err(VizError::shape(
            "pixel scores",
            format!("height*width = {} values, height, width > 0", height * width),
            &[pixel_scores.len()],
        ));
    }
    let (w, h) = checked_dims(width, height)?;
    let (norm, cmap) = if signed {
        (Normalization::MaxAbs, Colormap::RedBlue)
    } else {
        (Normalization::MinMax, Colormap::Viridis)
    };
    let t = norm.apply(pixel_scores)?;
    Ok(RgbImage::from_fn(w, h, |x, y| image::Rgb(cmap.map(t[y as usize * width + x as usize]))))
}

/// Makes the kept pixels stand out: they stay bit-identical, every other pixel is dimmed to
/// [`DIM_FACTOR`] of its value, and dimmed pixels that touch a kept one (4-neighbourhood) are
/// painted [`OUTLINE`], a one-pixel border around the kept region.
///
/// For small images, upscale the image and the mask first ([`crate::upscale`],
/// [`crate::upscale_values`]) so the outline stays thin relative to the pixels.
///
/// # Shapes
/// `image`: `w × h`; `keep: [h, w]` row-major (e.g. from [`top_fraction_mask`]).
pub fn highlight_top(image: &RgbImage, keep: &[bool]) -> Result<RgbImage> {
    check_len(image, keep.len(), "keep mask")?;
    let (w, h) = (image.width() as usize, image.height() as usize);
    let kept = |x: usize, y: usize| keep[y * w + x];
    let mut out = image.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (x, y) = (x as usize, y as usize);
        if kept(x, y) {
            continue;
        }
        let touches = (x > 0 && kept(x - 1, y))
            || (x + 1 < w && kept(x + 1, y))
            || (y > 0 && kept(x, y - 1))
            || (y + 1 < h && kept(x, y + 1));
        p.0 = if touches { OUTLINE } else { p.0.map(|v| (v as f32 * DIM_FACTOR).round() as u8) };
    }
    Ok(out)
}

/// The `⌈fraction · n⌉` highest scores marked `true` (ties go to the lower index), e.g. the
/// top 20% features of an explanation with `fraction = 0.2`.
///
/// # Shapes
/// `scores: [n]` → `[n]`.
pub fn top_fraction_mask(scores: &[f32], fraction: f32) -> Result<Vec<bool>> {
    if !(0.0..=1.0).contains(&fraction) {
        return Err(VizError::invalid("fraction", fraction, "in [0, 1]"));
    }
    check_finite("scores", scores)?;
    // `fraction` is an f32 (0.2 is 0.2000000030): snap products within its precision to the
    // nearest integer so 20% of 10 is 2, not 3.
    let n = scores.len() as f64;
    let x = fraction as f64 * n;
    let k = if (x - x.round()).abs() <= 1e-6 * n.max(1.0) { x.round() } else { x.ceil() };
    let k = (k as usize).min(scores.len());
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut mask = vec![false; scores.len()];
    order[..k].iter().for_each(|&i| mask[i] = true);
    Ok(mask)
}

fn blend(under: u8, over: u8, a: f32) -> u8 {
    (under as f32 * (1.0 - a) + over as f32 * a).round().clamp(0.0, 255.0) as u8
}

fn check_len(image: &RgbImage, len: usize, what: &str) -> Result<()> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    if len != w * h {
        return Err(VizError::shape(
            what,
            format!("one value per pixel of the {w}×{h} image ({} values)", w * h),
            &[len],
        ));
    }
    Ok(())
}
