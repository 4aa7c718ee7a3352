//! Photos as model inputs: decode → RGB → resize the shorter side to 256 (bilinear) → centre
//! crop 224 → `f32` in `[0, 1]`, CHW; and folders of such photos.
//!
//! This is torchvision's `Resize(256)` + `CenterCrop(224)`: the long side becomes
//! `floor(256 · long / short)`, the crop's top-left corner is `round_half_even((size − 224) / 2)`.
//! Resizing uses `image`'s `FilterType::Triangle` (bilinear, antialiased when shrinking, like PIL's
//! `BILINEAR`). Against the PIL reference crops of the sample photos the mean |Δ| is at most
//! 0.0008 (0.2/255) and the largest single difference 3/255 (JPEG photos; 1/255 for PNGs): rounding
//! and JPEG-decoder differences, not a different geometry.

use std::path::{Path, PathBuf};

use image::imageops::{self, FilterType};
use image::{ImageFormat, ImageReader, RgbImage};
use xai_core::{Result, XaiError};

/// The shorter side after resizing.
pub const RESIZE_SHORTER: u32 = 256;
/// The side of the square centre crop.
pub const CROP_SIZE: u32 = 224;
/// File extensions (lower case) that [`ImageFolder`] picks up.
pub const IMAGE_EXTENSIONS: [&str; 3] = ["jpg", "jpeg", "png"];

/// Decodes an image file (format guessed from its content) and converts it to 8-bit RGB. A JPEG
/// cut short is an error: the decoder would otherwise fill the missing rows with grey.
pub fn decode_rgb(path: &Path) -> Result<RgbImage> {
    let bytes =
        std::fs::read(path).map_err(|e| XaiError::file(path, format!("cannot open image: {e}")))?;
    let reader = ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|e| XaiError::file(path, format!("cannot read image: {e}")))?;
    if reader.format() == Some(ImageFormat::Jpeg) && jpeg_is_truncated(&bytes) {
        return Err(XaiError::file(
            path,
            "truncated JPEG: no end-of-image marker after the last scan (the file was cut short)",
        ));
    }
    let image =
        reader.decode().map_err(|e| XaiError::file(path, format!("cannot decode image: {e}")))?;
    Ok(image.to_rgb8())
}

/// Whether a JPEG lacks the end-of-image marker (`FF D9`) after its last start-of-scan marker
/// (`FF DA`). Neither can occur inside entropy-coded data (a data byte `FF` is stuffed as
/// `FF 00`), and an EXIF thumbnail's own markers come before the main image's scans.
fn jpeg_is_truncated(bytes: &[u8]) -> bool {
    let last = |marker: u8| bytes.windows(2).rposition(|w| w == [0xFF, marker]);
    match (last(0xDA), last(0xD9)) {
        (Some(scan), Some(end)) => end < scan,
        (_, None) => true,
        (None, Some(_)) => false,
    }
}

/// Resizes `image` so its shorter side is `shorter` (bilinear), then cuts the centred
/// `crop × crop` square out of it.
pub fn resize_center_crop(image: &RgbImage, shorter: u32, crop: u32) -> Result<RgbImage> {
    let (w, h) = image.dimensions();
    if w == 0 || h == 0 || shorter < crop || crop == 0 {
        return Err(XaiError::invalid(
            "resize/crop",
            format!("image {w}x{h}, shorter side {shorter}, crop {crop}"),
            "a non-empty image and 0 < crop <= shorter",
        ));
    }
    let scaled = |long: u32, short: u32| {
        let side = u64::from(shorter) * u64::from(long) / u64::from(short);
        u32::try_from(side).map_err(|_| {
            XaiError::invalid("resized side", side, "at most u32::MAX (image too elongated)")
        })
    };
    let (nw, nh) = if w <= h { (shorter, scaled(h, w)?) } else { (scaled(w, h)?, shorter) };
    let resized = imageops::resize(image, nw, nh, FilterType::Triangle);
    let offset = |size: u32| (f64::from(size - crop) / 2.0).round_ties_even() as u32;
    Ok(imageops::crop_imm(&resized, offset(nw), offset(nh), crop, crop).to_image())
}

/// An RGB image as `f32` values in `[0, 1]` (`u8 / 255`), channel-major.
///
/// # Shapes
/// `[3, height, width]`, row-major.
pub fn rgb_to_chw(image: &RgbImage) -> Vec<f32> {
    let (w, h) = image.dimensions();
    let plane = (w as usize) * (h as usize);
    let mut out = vec![0.0f32; 3 * plane];
    for (i, pixel) in image.pixels().enumerate() {
        for c in 0..3 {
            out[c * plane + i] = f32::from(pixel.0[c]) / 255.0;
        }
    }
    out
}

/// Loads a photo as the model input: resize shorter side to 256, centre crop 224, `[0, 1]`.
///
/// # Shapes
/// Returns `[3, 224, 224]` values, row-major.
pub fn load_crop_224(path: &Path) -> Result<Vec<f32>> {
    let crop = resize_center_crop(&decode_rgb(path)?, RESIZE_SHORTER, CROP_SIZE)?;
    Ok(rgb_to_chw(&crop))
}

/// Loads an image as it is (no resize, no crop), RGB in `[0, 1]`.
///
/// # Shapes
/// Returns the values and their shape `[3, height, width]`.
pub fn load_image_chw(path: &Path) -> Result<(Vec<f32>, [usize; 3])> {
    let image = decode_rgb(path)?;
    let (w, h) = image.dimensions();
    Ok((rgb_to_chw(&image), [3, h as usize, w as usize]))
}

/// The image files (`.jpg`, `.jpeg`, `.png`, any case) of one folder, sorted by file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFolder {
    dir: PathBuf,
    files: Vec<PathBuf>,
}

impl ImageFolder {
    /// Lists the image files of `dir` (not recursive); an error if `dir` cannot be read.
    pub fn open(dir: &Path) -> Result<Self> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| XaiError::file(dir, format!("cannot list folder: {e}")))?;
        let mut files = Vec::new();
        for entry in entries {
            let path =
                entry.map_err(|e| XaiError::file(dir, format!("cannot list folder: {e}")))?.path();
            let is_image = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
            if is_image && path.is_file() {
                files.push(path);
            }
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        Ok(Self { dir: dir.to_path_buf(), files })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The image files' paths, sorted by file name.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The image files' names (without folder), sorted.
    pub fn names(&self) -> Vec<String> {
        self.files
            .iter()
            .map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
            .collect()
    }

    /// Number of image files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the folder holds no image files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Loads every photo through [`load_crop_224`].
    ///
    /// # Shapes
    /// Returns `[len, 3, 224, 224]` values, row-major.
    pub fn load_crops(&self) -> Result<Vec<f32>> {
        let mut out = Vec::with_capacity(self.files.len() * 3 * (CROP_SIZE * CROP_SIZE) as usize);
        for file in &self.files {
            out.extend(load_crop_224(file)?);
        }
        Ok(out)
    }
}
