//! The error type of `xai-viz`.

use std::path::PathBuf;

/// Everything that can go wrong while building or saving a figure.
///
/// Each variant names the offending input and what was expected, so the CLI can print it as is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VizError {
    /// A buffer had the wrong length or the dimensions were unusable.
    #[error("{what}: expected {expected}, got {got:?}")]
    Shape {
        /// Which input.
        what: String,
        /// The expected form, in words.
        expected: String,
        /// The dimensions or length received.
        got: Vec<usize>,
    },
    /// NaN or infinite values where finite numbers are required.
    #[error("{what} contains {count} non-finite value(s) (NaN or Inf)")]
    NonFinite {
        /// Which input.
        what: String,
        /// How many values were not finite.
        count: usize,
    },
    /// Values outside the range the function accepts.
    #[error("{what} has values outside [{lo}, {hi}] (min {min}, max {max})")]
    OutOfRange {
        /// Which input.
        what: String,
        /// Lower bound of the valid range.
        lo: f32,
        /// Upper bound of the valid range.
        hi: f32,
        /// Smallest value found.
        min: f32,
        /// Largest value found.
        max: f32,
    },
    /// A parameter was out of its valid range.
    #[error("{what} = {value} is invalid: {expected}")]
    InvalidParameter {
        /// The parameter's name.
        what: String,
        /// Its value, printed.
        value: String,
        /// The valid range, in words.
        expected: String,
    },
    /// An input that must not be empty was empty.
    #[error("{what} is empty")]
    Empty {
        /// Which input.
        what: String,
    },
    /// A feature space or attribution refused the request (e.g. mismatched feature counts).
    #[error(transparent)]
    Core(#[from] xai_core::XaiError),
    /// Drawing with plotters failed.
    #[error("drawing {what} failed: {message}")]
    Draw {
        /// Which figure.
        what: String,
        /// The backend's message.
        message: String,
    },
    /// Encoding a PNG failed.
    #[error("encoding PNG for {path}: {source}")]
    Encode {
        /// The destination.
        path: PathBuf,
        /// The encoder's error.
        source: image::ImageError,
    },
    /// Writing or renaming a file failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// `Result` with [`VizError`].
pub type Result<T> = std::result::Result<T, VizError>;

impl VizError {
    /// A [`VizError::Shape`] from a description and the dimensions received.
    pub fn shape(what: impl Into<String>, expected: impl Into<String>, got: &[usize]) -> Self {
        Self::Shape { what: what.into(), expected: expected.into(), got: got.to_vec() }
    }

    /// A [`VizError::InvalidParameter`].
    pub fn invalid(
        what: impl Into<String>,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Self::InvalidParameter {
            what: what.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}

/// Fails with [`VizError::NonFinite`] if any value is NaN or infinite.
pub(crate) fn check_finite(what: &str, values: &[f32]) -> Result<()> {
    let count = values.iter().filter(|v| !v.is_finite()).count();
    if count > 0 {
        return Err(VizError::NonFinite { what: what.into(), count });
    }
    Ok(())
}

/// Fails with [`VizError::Empty`] if `len == 0`.
pub(crate) fn check_nonempty(what: &str, len: usize) -> Result<()> {
    if len == 0 {
        return Err(VizError::Empty { what: what.into() });
    }
    Ok(())
}
