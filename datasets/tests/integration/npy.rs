//! `.npy` interop: round trips, dtypes and orders written by hand, and damaged files.

use crate::common;

use common::{temp_dir, write};
use xai_datasets::npy::{parse_npy, read_npy, write_npy_f32};

/// A version-1.0 `.npy` file with the given header dict and raw data, built by hand.
fn npy_bytes(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut dict = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend_from_slice(data);
    out
}

#[test]
fn f32_round_trip_keeps_shape_and_values() {
    let dir = temp_dir("npy");
    let shape = [2, 3, 4, 5];
    let data: Vec<f32> = (0..120).map(|i| i as f32 * 0.25 - 7.0).collect();
    let path = dir.join("adv.npy");
    write_npy_f32(&path, &shape, &data).unwrap();
    let back = read_npy(&path).unwrap();
    assert_eq!(back.shape, shape);
    assert_eq!(back.data, data);
    // The header is what numpy writes for float32 C-order arrays.
    let bytes = std::fs::read(&path).unwrap();
    let header = String::from_utf8_lossy(&bytes[10..80]);
    assert!(
        header.contains("'descr': '<f4'") && header.contains("'fortran_order': False"),
        "{header}"
    );
    assert!(write_npy_f32(&path, &[2, 2], &[1.0; 3]).is_err());
}

#[test]
fn reads_f64_u8_i64_bool_and_fortran_order() {
    let p = std::path::Path::new("mem.npy");
    let f64s: Vec<u8> = [1.5f64, -2.0, 3.25].iter().flat_map(|v| v.to_le_bytes()).collect();
    let a = parse_npy(&npy_bytes("<f8", false, "(3,)", &f64s), p).unwrap();
    assert_eq!((a.shape, a.data), (vec![3], vec![1.5, -2.0, 3.25]));

    let a = parse_npy(&npy_bytes("|u1", false, "(2, 2)", &[0, 1, 1, 0]), p).unwrap();
    assert_eq!((a.shape, a.data), (vec![2, 2], vec![0.0, 1.0, 1.0, 0.0]));

    let i64s: Vec<u8> = [5i64, -3].iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(parse_npy(&npy_bytes("<i8", false, "(2,)", &i64s), p).unwrap().data, [5.0, -3.0]);
    let be: Vec<u8> = [1i32, 256].iter().flat_map(|v| v.to_be_bytes()).collect();
    assert_eq!(parse_npy(&npy_bytes(">i4", false, "(2,)", &be), p).unwrap().data, [1.0, 256.0]);

    let mask = parse_npy(&npy_bytes("|b1", false, "(1, 3)", &[1, 0, 1]), p).unwrap();
    assert_eq!(mask.data, [1.0, 0.0, 1.0]);

    // [[0, 1, 2], [3, 4, 5]] stored column-major: 0 3 1 4 2 5.
    let f: Vec<u8> =
        [0.0f32, 3.0, 1.0, 4.0, 2.0, 5.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    let a = parse_npy(&npy_bytes("<f4", true, "(2, 3)", &f), p).unwrap();
    assert_eq!((a.shape, a.data), (vec![2, 3], vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]));

    let scalar = parse_npy(&npy_bytes("<f4", false, "()", &2.5f32.to_le_bytes()), p).unwrap();
    assert_eq!((scalar.shape, scalar.data), (vec![], vec![2.5]));
}

#[test]
fn bad_npy_files_are_errors_naming_the_file() {
    let dir = temp_dir("badnpy");
    let check = |name: &str, bytes: &[u8], words: &[&str]| {
        let path = write(&dir, name, bytes);
        let msg = read_npy(&path).unwrap_err().to_string();
        assert!(msg.contains(name), "{msg}");
        for w in words {
            assert!(msg.contains(w), "{name}: error lacks {w:?}: {msg}");
        }
    };
    let f32s: Vec<u8> = (0..6).flat_map(|v| (v as f32).to_le_bytes()).collect();
    check(
        "truncated.npy",
        &npy_bytes("<f4", false, "(2, 3)", &f32s[..10]),
        &["truncated", "expected 24 bytes", "found 10"],
    );
    check("trailing.npy", &npy_bytes("<f4", false, "(2,)", &f32s), &["trailing", "found 24"]);
    check("strings.npy", &npy_bytes("<U3", false, "(2,)", &[0; 24]), &["unsupported dtype"]);
    check("complex.npy", &npy_bytes("<c8", false, "(1,)", &[0; 8]), &["unsupported dtype"]);
    check("badbool.npy", &npy_bytes("|b1", false, "(1,)", &[7]), &["bool"]);
    check("notnpy.npy", b"PK\x03\x04 this is a zip", &["not a valid .npy"]);
    check("header-cut.npy", &npy_bytes("<f4", false, "(2,)", &[])[..20], &["not a valid .npy"]);
    let missing = dir.join("missing.npy");
    assert!(read_npy(&missing).unwrap_err().to_string().contains("missing.npy"));
}
