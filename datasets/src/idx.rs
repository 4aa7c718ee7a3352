//! The IDX file format of LeCun's MNIST (and Fashion-MNIST): images (magic 2051, `u8 [N, rows,
//! cols]`) and labels (magic 2049, `u8 [N]`), big-endian header, gzip-compressed or plain.
//!
//! Compression is detected from the gzip magic bytes `1f 8b`, not from the file name.

use std::io::Read;
use std::path::Path;

use flate2::read::MultiGzDecoder;
use xai_core::{Result, XaiError};

/// Magic number of an IDX image file: unsigned bytes, 3 dimensions.
pub const IMAGES_MAGIC: u32 = 2051;
/// Magic number of an IDX label file: unsigned bytes, 1 dimension.
pub const LABELS_MAGIC: u32 = 2049;

/// The contents of an IDX image file.
///
/// # Shapes
/// `pixels` is `[count, rows, cols]`, row-major, one `u8` per pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    /// Number of images.
    pub count: usize,
    /// Rows per image.
    pub rows: usize,
    /// Columns per image.
    pub cols: usize,
    /// The pixels, `count * rows * cols` bytes.
    pub pixels: Vec<u8>,
}

impl IdxImages {
    /// The pixels as `f32` in `[0, 1]` (`u8 / 255`), same layout as `pixels`.
    pub fn to_f32(&self) -> Vec<f32> {
        self.pixels.iter().map(|&p| f32::from(p) / 255.0).collect()
    }
}

/// Reads a file and decompresses it if it starts with the gzip magic bytes `1f 8b`.
pub fn read_maybe_gzip(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|e| XaiError::file(path, format!("cannot read: {e}")))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| XaiError::file(path, format!("corrupt or truncated gzip data: {e}")))?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Reads an IDX image file (gzip or plain).
pub fn read_idx_images(path: &Path) -> Result<IdxImages> {
    parse_idx_images(&read_maybe_gzip(path)?, path)
}

/// Reads an IDX label file (gzip or plain).
pub fn read_idx_labels(path: &Path) -> Result<Vec<u8>> {
    parse_idx_labels(&read_maybe_gzip(path)?, path)
}

/// Reads an image file and its label file and checks that they hold the same number of items.
pub fn read_idx_pair(images: &Path, labels: &Path) -> Result<(IdxImages, Vec<u8>)> {
    let imgs = read_idx_images(images)?;
    let labs = read_idx_labels(labels)?;
    if imgs.count != labs.len() {
        return Err(XaiError::file(
            labels,
            format!(
                "holds {} labels but the image file {} holds {} images",
                labs.len(),
                images.display(),
                imgs.count
            ),
        ));
    }
    Ok((imgs, labs))
}

/// Parses the decompressed bytes of an IDX image file; `path` only names the file in errors.
pub fn parse_idx_images(bytes: &[u8], path: &Path) -> Result<IdxImages> {
    let dims = parse_header(bytes, IMAGES_MAGIC, 3, "IDX images, u8 [N, rows, cols]", path)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    let expected = count
        .checked_mul(rows)
        .and_then(|v| v.checked_mul(cols))
        .ok_or_else(|| XaiError::file(path, format!("header dimensions {dims:?} overflow")))?;
    let payload = check_payload(bytes, 16, expected, "pixel data", path)?;
    Ok(IdxImages { count, rows, cols, pixels: payload.to_vec() })
}

/// Parses the decompressed bytes of an IDX label file; `path` only names the file in errors.
pub fn parse_idx_labels(bytes: &[u8], path: &Path) -> Result<Vec<u8>> {
    let dims = parse_header(bytes, LABELS_MAGIC, 1, "IDX labels, u8 [N]", path)?;
    Ok(check_payload(bytes, 8, dims[0], "label data", path)?.to_vec())
}

/// Checks the magic number and reads the `ndims` big-endian `u32` dimensions.
fn parse_header(
    bytes: &[u8],
    magic: u32,
    ndims: usize,
    form: &str,
    path: &Path,
) -> Result<Vec<usize>> {
    let header_len = 4 + 4 * ndims;
    let too_short = || {
        XaiError::file(
            path,
            format!(
                "too short for an IDX header ({form}): {} bytes, need {header_len}",
                bytes.len()
            ),
        )
    };
    let word = |i: usize| -> Result<u32> {
        let b = bytes.get(4 * i..4 * i + 4).ok_or_else(too_short)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let found = word(0)?;
    if found != magic {
        let what = match found {
            IMAGES_MAGIC => " (an IDX image file)",
            LABELS_MAGIC => " (an IDX label file)",
            _ => "",
        };
        return Err(XaiError::file(
            path,
            format!("wrong magic number {found}{what}; expected {magic} ({form})"),
        ));
    }
    (1..=ndims).map(|i| word(i).map(|d| d as usize)).collect()
}

/// Returns the payload after `offset` if it is exactly `expected` bytes long.
fn check_payload<'a>(
    bytes: &'a [u8],
    offset: usize,
    expected: usize,
    what: &str,
    path: &Path,
) -> Result<&'a [u8]> {
    let payload = bytes.get(offset..).unwrap_or_default();
    let found = payload.len();
    if found != expected {
        let kind = if found < expected { "truncated" } else { "trailing bytes" };
        return Err(XaiError::file(
            path,
            format!("{kind}: expected {expected} bytes of {what}, found {found}"),
        ));
    }
    Ok(payload)
}

/// Encodes images as an (uncompressed) IDX image file; the inverse of [`parse_idx_images`].
pub fn encode_idx_images(images: &IdxImages) -> Result<Vec<u8>> {
    let dims = [images.count, images.rows, images.cols];
    if dims.iter().product::<usize>() != images.pixels.len() {
        return Err(XaiError::shape(
            "IDX pixels",
            format!("{} bytes for {dims:?}", dims.iter().product::<usize>()),
            &[images.pixels.len()],
        ));
    }
    let mut out = header_bytes(IMAGES_MAGIC, &dims)?;
    out.extend_from_slice(&images.pixels);
    Ok(out)
}

/// Encodes labels as an (uncompressed) IDX label file; the inverse of [`parse_idx_labels`].
pub fn encode_idx_labels(labels: &[u8]) -> Result<Vec<u8>> {
    let mut out = header_bytes(LABELS_MAGIC, &[labels.len()])?;
    out.extend_from_slice(labels);
    Ok(out)
}

/// The magic number and big-endian dimensions of an IDX header.
fn header_bytes(magic: u32, dims: &[usize]) -> Result<Vec<u8>> {
    let mut out = magic.to_be_bytes().to_vec();
    for &d in dims {
        let d = u32::try_from(d)
            .map_err(|_| XaiError::invalid("IDX dimension", d, "at most u32::MAX"))?;
        out.extend_from_slice(&d.to_be_bytes());
    }
    Ok(out)
}
