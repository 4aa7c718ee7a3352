//! The error type of `xai-core` and of the crates built on it.

/// Everything that can go wrong in burn-xai's library code.
///
/// Each variant names the offending input and the form that was expected, so a CLI can print
/// it as is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XaiError {
    /// A tensor or array had the wrong shape.
    #[error("{what}: expected shape {expected}, got {got:?}")]
    Shape {
        /// Which input.
        what: String,
        /// The expected form, in words.
        expected: String,
        /// The shape received.
        got: Vec<usize>,
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
    /// NaN or infinite values where finite numbers are required.
    #[error("{what} contains {count} non-finite value(s) (NaN or Inf)")]
    NonFinite {
        /// Which input.
        what: String,
        /// How many values were not finite.
        count: usize,
    },
    /// Values outside the range the model accepts.
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
    /// A name (model, dataset, method, device) that is not known.
    #[error("unknown {kind} '{name}'; known: {known}")]
    UnknownName {
        /// What kind of name.
        kind: String,
        /// The name given.
        name: String,
        /// The valid names, comma-separated.
        known: String,
    },
    /// A file is missing, truncated or corrupt.
    #[error("{path}: {reason}")]
    File {
        /// The file's path.
        path: String,
        /// What is wrong with it, and how to fix it where known.
        reason: String,
    },
    /// A backend was asked for that this build does not include, or could not start.
    #[error("device '{name}' is unavailable: {reason}")]
    Device {
        /// The device's name.
        name: String,
        /// Why.
        reason: String,
    },
    /// A tensor could not be read back from its device.
    #[error("reading a tensor back from the device failed: {0}")]
    Readback(String),
    /// A method needs something the model does not offer (e.g. per-layer access).
    #[error("{method} needs {requirement}")]
    Unsupported {
        /// The method.
        method: String,
        /// What it needs.
        requirement: String,
    },
}

/// Shorthand for results carrying an [`XaiError`].
pub type Result<T> = std::result::Result<T, XaiError>;

impl XaiError {
    /// Shorthand for [`XaiError::InvalidParameter`].
    pub fn invalid(
        what: impl Into<String>,
        value: impl ToString,
        expected: impl Into<String>,
    ) -> Self {
        Self::InvalidParameter {
            what: what.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// Shorthand for [`XaiError::Shape`].
    pub fn shape(what: impl Into<String>, expected: impl Into<String>, got: &[usize]) -> Self {
        Self::Shape { what: what.into(), expected: expected.into(), got: got.to_vec() }
    }

    /// Shorthand for [`XaiError::File`].
    pub fn file(path: impl AsRef<std::path::Path>, reason: impl Into<String>) -> Self {
        Self::File { path: path.as_ref().display().to_string(), reason: reason.into() }
    }
}
