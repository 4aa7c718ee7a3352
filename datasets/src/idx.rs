//! The IDX file format of LeCun's MNIST (and Fashion-MNIST): images (magic 2051, `u8 [N, rows,
//! cols]`) and labels (magic 2049, `u8 [N]`), big-endian header, gzip-compressed or plain.
//!
//! Compression is detected from the gzip magic bytes `1f 8b`, not from the file name.

use std::io::Read;
use std::path::Path;

use flate2::read::MultiGzDecoder;
use xai_core::{Result, XaiError};
use xai_formats::FormatError;

pub use xai_formats::idx::{IMAGES_MAGIC, IdxImages, LABELS_MAGIC};

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
///
/// The byte-level parsing is [`xai_formats::parse_idx_images`]; its errors become
/// [`XaiError::File`] naming `path`.
pub fn parse_idx_images(bytes: &[u8], path: &Path) -> Result<IdxImages> {
    xai_formats::parse_idx_images(bytes).map_err(|e| from_format(e, Some(path)))
}

/// Parses the decompressed bytes of an IDX label file; `path` only names the file in errors.
pub fn parse_idx_labels(bytes: &[u8], path: &Path) -> Result<Vec<u8>> {
    xai_formats::parse_idx_labels(bytes).map_err(|e| from_format(e, Some(path)))
}

/// Encodes images as an (uncompressed) IDX image file; the inverse of [`parse_idx_images`].
pub fn encode_idx_images(images: &IdxImages) -> Result<Vec<u8>> {
    xai_formats::encode_idx_images(images).map_err(|e| from_format(e, None))
}

/// Encodes labels as an (uncompressed) IDX label file; the inverse of [`parse_idx_labels`].
pub fn encode_idx_labels(labels: &[u8]) -> Result<Vec<u8>> {
    xai_formats::encode_idx_labels(labels).map_err(|e| from_format(e, None))
}

/// Maps a [`FormatError`] into this workspace's error: values that do not fit their shape or
/// the format become [`XaiError::Shape`] / [`XaiError::InvalidParameter`]; anything wrong with
/// a file's bytes becomes [`XaiError::File`] naming `path` (`<memory>` when there is none).
pub(crate) fn from_format(e: FormatError, path: Option<&Path>) -> XaiError {
    match e {
        FormatError::Shape { what, expected, got } => XaiError::shape(what, expected, &got),
        FormatError::TooLarge { what, value, max } => {
            XaiError::invalid(what, value, format!("at most {max}"))
        }
        other => XaiError::file(path.unwrap_or(Path::new("<memory>")), other.to_string()),
    }
}
