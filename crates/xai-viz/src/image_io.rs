//! Host images in and PNG files out: CHW `f32` buffers to [`RgbImage`], nearest-neighbour
//! upscaling, and atomic PNG writes.

use crate::error::{Result, VizError, check_finite};
use image::{ImageFormat, RgbImage};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// How far values may stray outside `[0, 1]` (rounding in preprocessing) before
/// [`chw_to_rgb`] rejects them instead of clamping.
pub const RANGE_TOLERANCE: f32 = 1e-3;

/// Converts one image in CHW layout with values in `[0, 1]` to 8-bit RGB; one channel is
/// replicated into grey.
///
/// Values within [`RANGE_TOLERANCE`] of the range are clamped; anything further out is an
/// error, since it usually means the image is still mean/std-normalised (undo that first).
///
/// # Shapes
/// `data: [channels, height, width]` flattened row-major, `channels ∈ {1, 3}` →
/// `width × height` RGB.
pub fn chw_to_rgb(data: &[f32], channels: usize, height: usize, width: usize) -> Result<RgbImage> {
    let dims = [channels, height, width];
    if !(channels == 1 || channels == 3) || height == 0 || width == 0 {
        return Err(VizError::shape("image dims", "[1 or 3, height > 0, width > 0]", &dims));
    }
    let (w, h) = checked_dims(width, height)?;
    if data.len() != channels * height * width {
        return Err(VizError::shape(
            "image data",
            format!("{} values (channels*height*width for {dims:?})", channels * height * width),
            &[data.len()],
        ));
    }
    check_finite("image data", data)?;
    let (min, max) =
        data.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    if min < -RANGE_TOLERANCE || max > 1.0 + RANGE_TOLERANCE {
        return Err(VizError::OutOfRange { what: "image data".into(), lo: 0.0, hi: 1.0, min, max });
    }
    let plane = height * width;
    let to_u8 = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    Ok(RgbImage::from_fn(w, h, |x, y| {
        let i = y as usize * width + x as usize;
        let px = std::array::from_fn(|c| {
            let c = if channels == 1 { 0 } else { c };
            to_u8(data[c * plane + i])
        });
        image::Rgb(px)
    }))
}

/// The image in grey (Rec. 709 luma replicated into R, G and B), the backdrop for heat maps.
pub fn to_grayscale(image: &RgbImage) -> RgbImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        let g = crate::colormap::luminance(p.0).round().clamp(0.0, 255.0) as u8;
        p.0 = [g, g, g];
    }
    out
}

/// Enlarges an image by an integer `factor` with nearest neighbour, so each pixel becomes a
/// `factor × factor` block (MNIST's 28×28 needs about ×8 to be legible).
///
/// # Shapes
/// `w × h` → `(w·factor) × (h·factor)`.
pub fn upscale(image: &RgbImage, factor: u32) -> Result<RgbImage> {
    let (w, h) = image.dimensions();
    let (w2, h2) = scaled_dims(w as usize, h as usize, factor)?;
    Ok(RgbImage::from_fn(w2, h2, |x, y| *image.get_pixel(x / factor, y / factor)))
}

/// Enlarges a per-pixel map (scores, masks) by an integer `factor` with nearest neighbour,
/// matching [`upscale`] of the image it belongs to.
///
/// # Shapes
/// `values: [height, width]` row-major → `[height·factor, width·factor]`.
pub fn upscale_values<T: Copy>(
    values: &[T],
    height: usize,
    width: usize,
    factor: u32,
) -> Result<Vec<T>> {
    if values.len() != height * width || height == 0 || width == 0 {
        return Err(VizError::shape(
            "per-pixel values",
            format!("height*width = {} values, height, width > 0", height * width),
            &[values.len()],
        ));
    }
    let (w2, h2) = scaled_dims(width, height, factor)?;
    let f = factor as usize;
    let (w2, h2) = (w2 as usize, h2 as usize);
    Ok((0..h2).flat_map(|y| (0..w2).map(move |x| values[(y / f) * width + x / f])).collect())
}

/// Writes `image` as PNG to `path` atomically: encodes into `path.with_extension("png.tmp")`,
/// then renames it over `path`, so readers never see a half-written file. The temporary file
/// is removed on failure. The parent folder must exist.
pub fn save_png(image: &RgbImage, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let tmp = tmp_path(path);
    let result = write_png(image, path, &tmp).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|source| VizError::Io { path: path.into(), source })
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The temporary file [`save_png`] writes before renaming: `path` with extension `png.tmp`.
pub fn tmp_path(path: &Path) -> PathBuf {
    path.with_extension("png.tmp")
}

fn write_png(image: &RgbImage, path: &Path, tmp: &Path) -> Result<()> {
    let io_err = |source| VizError::Io { path: tmp.into(), source };
    let file = std::fs::File::create(tmp).map_err(io_err)?;
    let mut writer = BufWriter::new(file);
    image
        .write_to(&mut writer, ImageFormat::Png)
        .map_err(|source| VizError::Encode { path: path.into(), source })?;
    let file = writer.into_inner().map_err(|e| io_err(e.into_error()))?;
    file.sync_all().map_err(io_err)
}

/// `(width, height)` as `u32`, or a shape error.
pub(crate) fn checked_dims(width: usize, height: usize) -> Result<(u32, u32)> {
    match (u32::try_from(width), u32::try_from(height)) {
        (Ok(w), Ok(h)) => Ok((w, h)),
        _ => Err(VizError::shape("image dims", "width and height below 2^32", &[height, width])),
    }
}

fn scaled_dims(width: usize, height: usize, factor: u32) -> Result<(u32, u32)> {
    if factor == 0 {
        return Err(VizError::invalid("upscale factor", factor, "an integer ≥ 1"));
    }
    let f = factor as usize;
    match (width.checked_mul(f), height.checked_mul(f)) {
        (Some(w), Some(h)) => checked_dims(w, h),
        _ => Err(VizError::shape("upscaled dims", "width and height below 2^32", &[height, width])),
    }
}
