//! # xai-formats
//!
//! The byte-level part of burn-xai's file formats, with no dependency on Burn (so it builds in
//! seconds under a fuzzer's sanitiser):
//! - [`idx`]: LeCun's IDX format of MNIST and Fashion-MNIST (images `u8 [N, rows, cols]`, labels
//!   `u8 [N]`), parsed from and encoded to bytes;
//! - [`npy`]: NumPy `.npy` files (NumPy Enhancement Proposal 1, "A Simple File Format for NumPy
//!   Arrays"), parsed into `f32` values and written as little-endian `float32`;
//! - [`check`]: the invariants every successful parse must satisfy, shared by the fuzz targets in
//!   `fuzz/` and by this crate's tests.
//!
//! Every parser takes untrusted bytes and returns a [`FormatError`] for anything malformed: it
//! never panics, and it checks sizes against the input's length before allocating, so a header
//! that claims terabytes is an error, not an allocation. File names are added by the caller
//! (`xai-datasets` maps a [`FormatError`] into an `XaiError::File` naming the path).
#![warn(missing_docs)]

pub mod check;
pub mod idx;
pub mod npy;

pub use idx::{
    IdxImages, encode_idx_images, encode_idx_labels, parse_idx_images, parse_idx_labels,
};
pub use npy::{NpyArray, NpyHeader, encode_npy_f32, parse_npy, parse_npy_header};

/// What is wrong with a file's bytes, or with values to encode. Each message names the problem
/// and the form that was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// Fewer bytes than the fixed-size IDX header needs.
    #[error("too short for an IDX header ({form}): {len} bytes, need {need}")]
    TooShort {
        /// The expected form, e.g. `IDX images, u8 [N, rows, cols]`.
        form: &'static str,
        /// Bytes present.
        len: usize,
        /// Bytes the header needs.
        need: usize,
    },
    /// The IDX magic number is not the one expected.
    #[error(
        "wrong magic number {found} (0x{found:08x}{}); expected {expected} (0x{expected:08x}) for {form}",
        idx::describe_magic(*found)
    )]
    WrongMagic {
        /// The magic number found.
        found: u32,
        /// The magic number expected.
        expected: u32,
        /// The expected form.
        form: &'static str,
    },
    /// The header's dimensions multiply to more than `usize` can hold.
    #[error(
        "header dimensions {dims:?} overflow: their product (x {item_size} bytes) exceeds usize"
    )]
    DimsOverflow {
        /// The dimensions from the header.
        dims: Vec<u64>,
        /// Bytes per element.
        item_size: usize,
    },
    /// The payload is shorter than the header says.
    #[error("truncated: expected {expected} bytes of {what}, found {found}")]
    Truncated {
        /// Payload bytes the header implies.
        expected: usize,
        /// Payload bytes present.
        found: usize,
        /// What the payload holds, e.g. `pixel data`.
        what: String,
    },
    /// The payload is longer than the header says.
    #[error("trailing bytes: expected {expected} bytes of {what}, found {found}")]
    TrailingBytes {
        /// Payload bytes the header implies.
        expected: usize,
        /// Payload bytes present.
        found: usize,
        /// What the payload holds.
        what: String,
    },
    /// The bytes are not a well-formed `.npy` file (magic, version, header length or header text).
    #[error("not a valid .npy file: {0}")]
    NotNpy(String),
    /// A well-formed `.npy` file whose dtype this reader does not support.
    #[error("unsupported dtype {0}; expected float32/float64, bool or an integer type")]
    UnsupportedDtype(String),
    /// A value the dtype does not allow (a `bool` byte other than 0 or 1).
    #[error("cannot read .npy data: {0}")]
    BadValue(String),
    /// Values to encode do not match their dimensions.
    #[error("{what}: expected {expected}, got {got:?}")]
    Shape {
        /// What was being encoded.
        what: &'static str,
        /// The expected size.
        expected: String,
        /// The size found.
        got: Vec<usize>,
    },
    /// A dimension too large for the format to record.
    #[error("{what} {value} is too large; expected at most {max}")]
    TooLarge {
        /// Which dimension.
        what: &'static str,
        /// Its value.
        value: usize,
        /// The format's limit.
        max: u64,
    },
}

/// `std::result::Result` with a [`FormatError`].
pub type Result<T> = std::result::Result<T, FormatError>;
