//! Invariants of the parsers, checked on arbitrary input bytes: shared by the fuzz targets in
//! `fuzz/fuzz_targets/` and by `tests/formats.rs`.
//!
//! Each `check_*` function parses the bytes. On an error it returns (malformed input is
//! expected); on success it asserts what every successful parse must satisfy and **panics** if
//! an invariant does not hold: that panic is the bug a fuzzer looks for. They never panic
//! otherwise, and allocate no more than a small multiple of the input's length.

use crate::idx::{IMAGES_HEADER_LEN, LABELS_HEADER_LEN};
use crate::npy::ScalarKind;
use crate::{
    encode_idx_images, encode_idx_labels, encode_npy_f32, parse_idx_images, parse_idx_labels,
    parse_npy, parse_npy_header,
};

/// Parses `bytes` as an IDX image file; on success asserts `pixels.len() == count * rows * cols`,
/// that the file is exactly header + pixels, and that re-encoding gives back the same bytes
/// (which then re-parse to the same value).
pub fn check_idx_images(bytes: &[u8]) {
    let Ok(images) = parse_idx_images(bytes) else { return };
    let product = images.count.checked_mul(images.rows).and_then(|v| v.checked_mul(images.cols));
    assert_eq!(product, Some(images.pixels.len()), "pixel count != count * rows * cols");
    assert_eq!(bytes.len(), IMAGES_HEADER_LEN + images.pixels.len(), "file != header + pixels");
    let encoded = encode_idx_images(&images).expect("a parsed IDX image file must re-encode");
    assert_eq!(encoded, bytes, "re-encoding changed the bytes");
    let again = parse_idx_images(&encoded).expect("re-encoded IDX images must parse");
    assert_eq!(again, images, "re-parse gave a different value");
    let floats = images.to_f32();
    assert!(floats.iter().all(|v| (0.0..=1.0).contains(v)), "to_f32 outside [0, 1]");
}

/// Parses `bytes` as an IDX label file; on success asserts the file is exactly header + labels
/// and that re-encoding gives back the same bytes and the same labels.
pub fn check_idx_labels(bytes: &[u8]) {
    let Ok(labels) = parse_idx_labels(bytes) else { return };
    assert_eq!(bytes.len(), LABELS_HEADER_LEN + labels.len(), "file != header + labels");
    let encoded = encode_idx_labels(&labels).expect("parsed IDX labels must re-encode");
    assert_eq!(encoded, bytes, "re-encoding changed the bytes");
    assert_eq!(parse_idx_labels(&encoded).as_ref(), Ok(&labels), "re-parse gave other labels");
}

/// Parses `bytes` as a `.npy` file; on success asserts that the data has `product(shape)`
/// values, that the shape is the header's, that the data section is exactly
/// `product(shape) * itemsize` bytes, that values are in the dtype's range (`bool` 0/1, small
/// integers within their bounds, integers integral), and that writing the array as `float32`
/// and reading it back gives the same shape and bit-identical values.
pub fn check_npy(bytes: &[u8]) {
    let Ok(array) = parse_npy(bytes) else { return };
    let header = parse_npy_header(bytes).expect("the header of a parsed .npy file must parse");
    assert_eq!(array.shape, header.shape, "shape differs from the header's");
    let count = array.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    assert_eq!(count, Some(array.data.len()), "value count != product of the shape");
    assert_eq!(
        bytes.len() - header.data_offset,
        array.data.len() * header.dtype.size,
        "data section != count * itemsize"
    );
    let size = header.dtype.size;
    let in_range = |v: &f32| match header.dtype.kind {
        ScalarKind::Bool => *v == 0.0 || *v == 1.0,
        ScalarKind::Uint if size <= 2 => {
            v.fract() == 0.0 && *v >= 0.0 && *v <= ((1u32 << (8 * size)) - 1) as f32
        }
        ScalarKind::Int if size <= 2 => {
            let half = (1i32 << (8 * size - 1)) as f32;
            v.fract() == 0.0 && *v >= -half && *v < half
        }
        ScalarKind::Uint => v.fract() == 0.0 && *v >= 0.0,
        ScalarKind::Int => v.fract() == 0.0,
        ScalarKind::Float => true,
    };
    if let Some(bad) = array.data.iter().find(|v| !in_range(v)) {
        panic!("value {bad} out of range for dtype {}", header.descr);
    }
    let encoded = encode_npy_f32(&array.shape, &array.data).expect("a parsed array must encode");
    let back = parse_npy(&encoded).expect("an encoded array must parse");
    assert_eq!(back.shape, array.shape, "round trip changed the shape");
    let bits = |d: &[f32]| d.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&back.data), bits(&array.data), "round trip changed the values");
}
