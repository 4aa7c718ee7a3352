//! Splitting work into batches that respect a memory limit.

use crate::error::{Result, XaiError};
use std::ops::Range;

/// Consecutive ranges of at most `batch_size` items covering `0..n`.
pub fn batches(n: usize, batch_size: usize) -> Result<impl Iterator<Item = Range<usize>>> {
    if batch_size == 0 {
        return Err(XaiError::invalid("batch size", 0, "at least 1"));
    }
    Ok((0..n).step_by(batch_size).map(move |s| s..(s + batch_size).min(n)))
}
