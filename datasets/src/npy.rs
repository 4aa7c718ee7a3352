//! NumPy `.npy` files, for exchanging arrays with Python: feature masks `[M, n_features]` of 0/1,
//! targets `[M]`, adversarial examples `[M, C, H, W]`.
//!
//! Reading accepts `float32`, `float64`, `bool`, and signed or unsigned integers of 1–8 bytes,
//! either byte order, C or Fortran order, any shape; values are converted to `f32` (`f64` and
//! 64-bit integers may lose precision) and returned in row-major (C) order. Writing produces
//! little-endian `float32`, C order. The byte-level work is in [`xai_formats::npy`].

use std::path::Path;

use xai_core::{Result, XaiError};

use crate::idx::from_format;

pub use xai_formats::npy::NpyArray;

/// Reads a `.npy` file into `f32` values (see the module documentation for the dtypes accepted).
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let bytes =
        std::fs::read(path).map_err(|e| XaiError::file(path, format!("cannot read: {e}")))?;
    parse_npy(&bytes, path)
}

/// Parses the bytes of a `.npy` file; `path` only names the file in errors.
///
/// The byte-level parsing is [`xai_formats::parse_npy`]; its errors become [`XaiError::File`]
/// naming `path`.
pub fn parse_npy(bytes: &[u8], path: &Path) -> Result<NpyArray> {
    xai_formats::parse_npy(bytes).map_err(|e| from_format(e, Some(path)))
}

/// Writes `data` (row-major, `shape.iter().product()` values) as a little-endian `float32`
/// C-order `.npy` file.
pub fn write_npy_f32(path: &Path, shape: &[usize], data: &[f32]) -> Result<()> {
    let bytes = xai_formats::encode_npy_f32(shape, data).map_err(|e| from_format(e, Some(path)))?;
    std::fs::write(path, bytes)
        .map_err(|e| XaiError::file(path, format!("cannot write .npy file: {e}")))
}
