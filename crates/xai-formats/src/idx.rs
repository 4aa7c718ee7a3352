//! LeCun's IDX format, as used by MNIST and Fashion-MNIST (LeCun, Cortes & Burges, "The MNIST
//! database of handwritten digits"): a big-endian `u32` magic number `0x0000 08 <ndims>` (type
//! code `0x08` = unsigned byte), `ndims` big-endian `u32` dimensions, then the row-major payload.
//!
//! Images have magic 2051 (`0x00000803`, `u8 [N, rows, cols]`), labels 2049 (`0x00000801`,
//! `u8 [N]`). The parsers require the payload to be exactly as long as the dimensions imply,
//! so a file is accepted only in its one canonical encoding and `encode(parse(b)) == b`.

use crate::{FormatError, Result};

/// Magic number of an IDX image file: unsigned bytes, 3 dimensions.
pub const IMAGES_MAGIC: u32 = 2051;
/// Magic number of an IDX label file: unsigned bytes, 1 dimension.
pub const LABELS_MAGIC: u32 = 2049;
/// Bytes in an image file's header (magic + 3 dimensions).
pub const IMAGES_HEADER_LEN: usize = 16;
/// Bytes in a label file's header (magic + 1 dimension).
pub const LABELS_HEADER_LEN: usize = 8;

const IMAGES_FORM: &str = "IDX images, u8 [N, rows, cols]";
const LABELS_FORM: &str = "IDX labels, u8 [N]";

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

/// Parses the (decompressed) bytes of an IDX image file.
///
/// Errors: [`FormatError::TooShort`] (under 16 bytes), [`FormatError::WrongMagic`] (not 2051),
/// [`FormatError::DimsOverflow`], [`FormatError::Truncated`] / [`FormatError::TrailingBytes`]
/// (payload not exactly `count * rows * cols` bytes). Nothing is allocated before the payload
/// length is checked.
pub fn parse_idx_images(bytes: &[u8]) -> Result<IdxImages> {
    let dims = parse_header(bytes, IMAGES_MAGIC, 3, IMAGES_FORM)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    let expected = checked_product(&dims)?;
    let pixels = check_payload(bytes, IMAGES_HEADER_LEN, expected, "pixel data")?.to_vec();
    Ok(IdxImages { count, rows, cols, pixels })
}

/// Parses the (decompressed) bytes of an IDX label file; errors as [`parse_idx_images`].
pub fn parse_idx_labels(bytes: &[u8]) -> Result<Vec<u8>> {
    let dims = parse_header(bytes, LABELS_MAGIC, 1, LABELS_FORM)?;
    Ok(check_payload(bytes, LABELS_HEADER_LEN, dims[0], "label data")?.to_vec())
}

/// Encodes images as an (uncompressed) IDX image file; the inverse of [`parse_idx_images`].
///
/// Errors: [`FormatError::Shape`] if `pixels` is not `count * rows * cols` bytes,
/// [`FormatError::TooLarge`] if a dimension exceeds `u32::MAX`.
pub fn encode_idx_images(images: &IdxImages) -> Result<Vec<u8>> {
    let dims = [images.count, images.rows, images.cols];
    let expected = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if expected != Some(images.pixels.len()) {
        let expected = match expected {
            Some(n) => n.to_string(),
            None => "more than usize::MAX".into(),
        };
        return Err(FormatError::Shape {
            what: "IDX pixels",
            expected: format!("{expected} bytes for {dims:?}"),
            got: vec![images.pixels.len()],
        });
    }
    let mut out = header_bytes(IMAGES_MAGIC, &dims, images.pixels.len())?;
    out.extend_from_slice(&images.pixels);
    Ok(out)
}

/// Encodes labels as an (uncompressed) IDX label file; the inverse of [`parse_idx_labels`].
///
/// Errors: [`FormatError::TooLarge`] if there are more than `u32::MAX` labels.
pub fn encode_idx_labels(labels: &[u8]) -> Result<Vec<u8>> {
    let mut out = header_bytes(LABELS_MAGIC, &[labels.len()], labels.len())?;
    out.extend_from_slice(labels);
    Ok(out)
}

/// ` , an IDX image file` etc. for a known magic number, empty otherwise (used in messages).
pub(crate) fn describe_magic(magic: u32) -> &'static str {
    match magic {
        IMAGES_MAGIC => ", an IDX image file",
        LABELS_MAGIC => ", an IDX label file",
        _ => "",
    }
}

/// Checks the magic number and reads the `ndims` big-endian `u32` dimensions.
fn parse_header(bytes: &[u8], magic: u32, ndims: usize, form: &'static str) -> Result<Vec<usize>> {
    let need = 4 + 4 * ndims;
    let word = |i: usize| -> Result<u32> {
        match bytes.get(4 * i..4 * i + 4) {
            Some(&[a, b, c, d]) => Ok(u32::from_be_bytes([a, b, c, d])),
            _ => Err(FormatError::TooShort { form, len: bytes.len(), need }),
        }
    };
    let found = word(0)?;
    if found != magic {
        return Err(FormatError::WrongMagic { found, expected: magic, form });
    }
    (1..=ndims)
        .map(|i| {
            let d = word(i)?;
            usize::try_from(d)
                .map_err(|_| FormatError::DimsOverflow { dims: vec![u64::from(d)], item_size: 1 })
        })
        .collect()
}

/// The product of the dimensions, or [`FormatError::DimsOverflow`].
fn checked_product(dims: &[usize]) -> Result<usize> {
    dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).ok_or_else(|| {
        FormatError::DimsOverflow { dims: dims.iter().map(|&d| d as u64).collect(), item_size: 1 }
    })
}

/// Returns the payload after `offset` if it is exactly `expected` bytes long.
fn check_payload<'a>(
    bytes: &'a [u8],
    offset: usize,
    expected: usize,
    what: &str,
) -> Result<&'a [u8]> {
    let payload = bytes.get(offset..).unwrap_or_default();
    let found = payload.len();
    if found < expected {
        return Err(FormatError::Truncated { expected, found, what: what.into() });
    }
    if found > expected {
        return Err(FormatError::TrailingBytes { expected, found, what: what.into() });
    }
    Ok(payload)
}

/// The magic number and big-endian dimensions of an IDX header, with room for `payload` bytes.
fn header_bytes(magic: u32, dims: &[usize], payload: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity((4 + 4 * dims.len()).saturating_add(payload));
    out.extend_from_slice(&magic.to_be_bytes());
    for &d in dims {
        let d = u32::try_from(d).map_err(|_| FormatError::TooLarge {
            what: "IDX dimension",
            value: d,
            max: u64::from(u32::MAX),
        })?;
        out.extend_from_slice(&d.to_be_bytes());
    }
    Ok(out)
}
