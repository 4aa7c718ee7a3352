//! Moving tensors between the device and host vectors, with errors instead of panics.

use crate::error::{Result, XaiError};
use burn::tensor::{Device, Int, Tensor, TensorData};

/// Reads a float tensor back to the host as `f32` values in row-major order. A failure on the
/// device (e.g. a GPU buffer larger than the device allows) is an [`XaiError::Readback`] naming
/// the cause, never a panic.
pub fn to_vec_f32<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    tensor
        .try_into_data()
        .map_err(|e| XaiError::Readback(readback_cause(&format!("{e}"))))?
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| XaiError::Readback(format!("{e:?}")))
}

/// The device's error, with a hint when the device ran out of memory for one buffer.
fn readback_cause(message: &str) -> String {
    if message.contains("allocate") {
        format!("{message} (the device could not allocate a buffer: use a smaller batch size)")
    } else {
        message.to_string()
    }
}

/// Builds a float tensor of `shape` from row-major host values.
pub fn from_vec_f32<const D: usize>(
    values: Vec<f32>,
    shape: [usize; D],
    device: &Device,
) -> Result<Tensor<D>> {
    let expected: usize = shape.iter().product();
    if values.len() != expected {
        return Err(XaiError::shape(
            "host values",
            format!("{expected} values for shape {shape:?}"),
            &[values.len()],
        ));
    }
    Ok(Tensor::from_data(TensorData::new(values, shape), device))
}

/// Builds an integer tensor of class indices.
pub fn classes_tensor(classes: &[usize], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = classes.iter().map(|&c| c as i64).collect();
    Tensor::from_data(TensorData::new(values, [classes.len()]), device)
}

/// Checks that every value is finite; names `what` in the error.
pub fn check_finite(what: &str, values: &[f32]) -> Result<()> {
    let count = values.iter().filter(|v| !v.is_finite()).count();
    if count > 0 {
        return Err(XaiError::NonFinite { what: what.into(), count });
    }
    Ok(())
}

/// Checks that every value lies in `[lo, hi]`; names `what` in the error. Nothing is clipped.
pub fn check_range(what: &str, values: &[f32], lo: f32, hi: f32) -> Result<()> {
    check_finite(what, values)?;
    let (min, max) =
        values.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    if min < lo || max > hi {
        return Err(XaiError::OutOfRange { what: what.into(), lo, hi, min, max });
    }
    Ok(())
}
