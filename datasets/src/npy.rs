//! NumPy `.npy` files, for exchanging arrays with Python: feature masks `[M, n_features]` of 0/1,
//! targets `[M]`, adversarial examples `[M, C, H, W]`.
//!
//! Reading accepts `float32`, `float64`, `bool`, and signed or unsigned integers of 1–8 bytes,
//! either byte order, C or Fortran order, any shape; values are converted to `f32` (`f64` and
//! 64-bit integers may lose precision) and returned in row-major (C) order. Writing produces
//! little-endian `float32`, C order. Built on the `npyz` crate.

use std::io::BufWriter;
use std::path::Path;

use npyz::{DType, Deserialize, NpyFile, NpyHeader, Order, TypeChar, WriterBuilder};
use xai_core::{Result, XaiError};

/// An array read from a `.npy` file, as `f32` in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// The array's shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// The values, `shape.iter().product()` of them, row-major.
    pub data: Vec<f32>,
}

/// Reads a `.npy` file into `f32` values (see the module documentation for the dtypes accepted).
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let bytes =
        std::fs::read(path).map_err(|e| XaiError::file(path, format!("cannot read: {e}")))?;
    parse_npy(&bytes, path)
}

/// Parses the bytes of a `.npy` file; `path` only names the file in errors.
pub fn parse_npy(bytes: &[u8], path: &Path) -> Result<NpyArray> {
    let npy = NpyFile::new(bytes)
        .map_err(|e| XaiError::file(path, format!("not a valid .npy file: {e}")))?;
    let header = npy.header().clone();
    let payload: &[u8] = npy.into_inner();
    let DType::Plain(ty) = header.dtype() else {
        return Err(unsupported(path, &header));
    };
    let size = ty.size_field() as usize;
    let supported = matches!(
        (ty.type_char(), size),
        (TypeChar::Float, 4 | 8)
            | (TypeChar::Bool, 1)
            | (TypeChar::Int | TypeChar::Uint, 1 | 2 | 4 | 8)
    );
    if !supported {
        return Err(unsupported(path, &header));
    }
    let shape: Vec<usize> = header.shape().iter().map(|&d| d as usize).collect();
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| XaiError::file(path, format!("shape {shape:?} overflows")))?;
    let expected = count.saturating_mul(size);
    if payload.len() != expected {
        let kind = if payload.len() < expected { "truncated" } else { "trailing bytes" };
        return Err(XaiError::file(
            path,
            format!(
                "{kind}: expected {expected} bytes of data ({count} x {}), found {}",
                ty,
                payload.len()
            ),
        ));
    }
    let data = match (ty.type_char(), size) {
        (TypeChar::Float, 4) => values::<f32>(&header, payload, path, |v| v)?,
        (TypeChar::Float, 8) => values::<f64>(&header, payload, path, |v| v as f32)?,
        (TypeChar::Bool, 1) => {
            values::<bool>(&header, payload, path, |v| if v { 1.0 } else { 0.0 })?
        }
        (TypeChar::Int, 1) => values::<i8>(&header, payload, path, f32::from)?,
        (TypeChar::Int, 2) => values::<i16>(&header, payload, path, f32::from)?,
        (TypeChar::Int, 4) => values::<i32>(&header, payload, path, |v| v as f32)?,
        (TypeChar::Int, 8) => values::<i64>(&header, payload, path, |v| v as f32)?,
        (TypeChar::Uint, 1) => values::<u8>(&header, payload, path, f32::from)?,
        (TypeChar::Uint, 2) => values::<u16>(&header, payload, path, f32::from)?,
        (TypeChar::Uint, 4) => values::<u32>(&header, payload, path, |v| v as f32)?,
        (TypeChar::Uint, 8) => values::<u64>(&header, payload, path, |v| v as f32)?,
        _ => return Err(unsupported(path, &header)),
    };
    let data = match header.order() {
        Order::C => data,
        Order::Fortran => fortran_to_c(&data, &shape),
    };
    Ok(NpyArray { shape, data })
}

fn unsupported(path: &Path, header: &NpyHeader) -> XaiError {
    XaiError::file(
        path,
        format!(
            "unsupported dtype {}; expected float32/float64, bool or an integer type",
            header.dtype().descr()
        ),
    )
}

/// Reads every element as `T` and converts it to `f32`.
fn values<T: Deserialize>(
    header: &NpyHeader,
    payload: &[u8],
    path: &Path,
    to_f32: impl Fn(T) -> f32,
) -> Result<Vec<f32>> {
    let raw: Vec<T> = NpyFile::with_header(header.clone(), payload)
        .into_vec()
        .map_err(|e| XaiError::file(path, format!("cannot read .npy data: {e}")))?;
    Ok(raw.into_iter().map(to_f32).collect())
}

/// Reorders column-major (Fortran) values of `shape` into row-major order.
fn fortran_to_c(data: &[f32], shape: &[usize]) -> Vec<f32> {
    let mut f_strides = vec![1usize; shape.len()];
    for k in 1..shape.len() {
        f_strides[k] = f_strides[k - 1] * shape[k - 1];
    }
    let mut out = Vec::with_capacity(data.len());
    let mut index = vec![0usize; shape.len()];
    for _ in 0..data.len() {
        let offset: usize = index.iter().zip(&f_strides).map(|(i, s)| i * s).sum();
        out.push(data[offset]);
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    out
}

/// Writes `data` (row-major, `shape.iter().product()` values) as a little-endian `float32`
/// C-order `.npy` file.
pub fn write_npy_f32(path: &Path, shape: &[usize], data: &[f32]) -> Result<()> {
    let expected: usize = shape.iter().product();
    if expected != data.len() {
        return Err(XaiError::shape(
            "npy data",
            format!("{expected} values for shape {shape:?}"),
            &[data.len()],
        ));
    }
    let io_err = |e: std::io::Error| XaiError::file(path, format!("cannot write .npy file: {e}"));
    let file = std::fs::File::create(path).map_err(io_err)?;
    let shape_u64: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
    let mut writer = npyz::WriteOptions::<f32>::new()
        .default_dtype()
        .shape(&shape_u64)
        .writer(BufWriter::new(file))
        .begin_nd()
        .map_err(io_err)?;
    writer.extend(data.iter().copied()).map_err(io_err)?;
    writer.finish().map_err(io_err)
}
