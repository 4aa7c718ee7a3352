//! The IDX and `.npy` parsers on untrusted bytes: the fuzz seeds and regression inputs, a table
//! of damaged files whose errors must name the problem, arbitrary bytes (never a panic),
//! round trips, and a cross-check against the independent `npyz` implementation.

use std::path::{Path, PathBuf};

use npyz::WriterBuilder;
use proptest::prelude::*;
use xai_formats::check::{check_idx_images, check_idx_labels, check_npy};
use xai_formats::{
    FormatError, IdxImages, encode_idx_images, encode_idx_labels, encode_npy_f32, parse_idx_images,
    parse_idx_labels, parse_npy,
};

/// The check function of a fuzz target, by the target's name (the seed directory's name).
fn check_for(target: &str) -> fn(&[u8]) {
    match target {
        "idx_images" => check_idx_images,
        "idx_labels" => check_idx_labels,
        "npy" => check_npy,
        other => panic!("no fuzz target named {other:?}"),
    }
}

/// `(target, file)` for every file under `<root>/<target>/`.
fn inputs_under(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(root) else { return out };
    for dir in dirs.map(|d| d.unwrap().path()).filter(|p| p.is_dir()) {
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if file.is_file() {
                out.push((target.clone(), file));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn fuzz_seeds_and_regressions_hold_the_invariants() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = inputs_under(&manifest.join("../../fuzz/seeds"));
    assert!(seeds.len() >= 30, "expected the committed fuzz seeds, found {}", seeds.len());
    let regressions = inputs_under(&manifest.join("tests/regressions"));
    for (target, file) in seeds.iter().chain(&regressions) {
        let bytes = std::fs::read(file).unwrap();
        check_for(target)(&bytes);
        // Seeds are named for what they are: `valid-*` must parse, anything else must not.
        if file.parent().is_some_and(|p| p.ends_with(Path::new("seeds").join(target))) {
            let name = file.file_name().unwrap().to_string_lossy();
            let ok = match target.as_str() {
                "idx_images" => parse_idx_images(&bytes).map(drop),
                "idx_labels" => parse_idx_labels(&bytes).map(drop),
                _ => parse_npy(&bytes).map(drop),
            };
            assert_eq!(ok.is_ok(), name.starts_with("valid"), "{target}/{name}: {ok:?}");
        }
    }
}

fn idx(magic: u32, dims: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    dims.iter().for_each(|d| out.extend_from_slice(&d.to_be_bytes()));
    out.extend_from_slice(payload);
    out
}

/// Asserts `result` is an error whose message contains every word.
fn assert_error<T: std::fmt::Debug>(case: &str, result: Result<T, FormatError>, words: &[&str]) {
    let msg = result.expect_err(case).to_string();
    for w in words {
        assert!(msg.contains(w), "{case}: error lacks {w:?}: {msg}");
    }
}

#[test]
fn damaged_idx_files_are_errors_that_name_the_problem() {
    type Parse = fn(&[u8]) -> Result<(), FormatError>;
    let images: Parse = |b| parse_idx_images(b).map(drop);
    let labels: Parse = |b| parse_idx_labels(b).map(drop);
    let cases: Vec<(&str, Parse, Vec<u8>, Vec<&str>)> = vec![
        ("empty", images, vec![], vec!["too short", "0 bytes, need 16", "u8 [N, rows, cols]"]),
        ("header cut", images, idx(2051, &[1, 2], &[]), vec!["too short", "12 bytes, need 16"]),
        ("labels header cut", labels, vec![0, 0, 8, 1, 0], vec!["too short", "5 bytes, need 8"]),
        (
            "payload truncated",
            images,
            idx(2051, &[2, 3, 4], &[0; 20]),
            vec!["truncated", "expected 24 bytes of pixel data, found 20"],
        ),
        (
            "labels truncated",
            labels,
            idx(2049, &[10], &[1, 2, 3]),
            vec!["truncated", "expected 10 bytes of label data, found 3"],
        ),
        ("trailing", images, idx(2051, &[1, 2, 2], &[0; 5]), vec!["trailing bytes", "found 5"]),
        (
            "labels given to the image reader",
            images,
            idx(2049, &[3], &[1, 2, 3]),
            vec!["wrong magic number 2049", "0x00000801", "label file", "expected 2051"],
        ),
        (
            "images given to the label reader",
            labels,
            idx(2051, &[1, 1, 1], &[5]),
            vec!["wrong magic number 2051", "image file", "expected 2049", "0x00000801"],
        ),
        (
            "other IDX type (int32 data)",
            images,
            idx(0x0C03, &[1, 1, 1], &[0; 4]),
            vec!["0x00000c03", "expected 2051"],
        ),
        (
            "dims product overflow",
            images,
            idx(2051, &[u32::MAX; 3], &[0; 8]),
            vec!["overflow", "[4294967295, 4294967295, 4294967295]"],
        ),
        (
            // 2^44 bytes: must be an error before allocating anything of that size.
            "terabytes claimed",
            images,
            idx(2051, &[1 << 20, 1 << 12, 1 << 12], &[0; 16]),
            vec!["truncated", "expected 17592186044416 bytes", "found 16"],
        ),
        (
            "labels: 4 billion claimed",
            labels,
            idx(2049, &[u32::MAX], &[0; 4]),
            vec!["truncated", "expected 4294967295 bytes", "found 4"],
        ),
        (
            // Zero dimensions are legal (an empty file), so pixels after them are trailing bytes.
            "zero rows with pixels",
            images,
            idx(2051, &[3, 0, 5], &[1, 2]),
            vec!["trailing bytes", "expected 0 bytes", "found 2"],
        ),
    ];
    for (case, parse, bytes, words) in cases {
        assert_error(case, parse(&bytes), &words);
    }
    // Zero dimensions with no payload are a valid, empty file.
    let empty = parse_idx_images(&idx(2051, &[0, 28, 28], &[])).unwrap();
    assert_eq!((empty.count, empty.rows, empty.cols, empty.pixels.len()), (0, 28, 28, 0));
    // Encoding checks its input too.
    let bad = IdxImages { count: 2, rows: 2, cols: 2, pixels: vec![0; 7] };
    assert_error("encode mismatch", encode_idx_images(&bad), &["8 bytes for [2, 2, 2]", "[7]"]);
    let wide = IdxImages { count: 1 << 32, rows: 0, cols: 1, pixels: vec![] };
    assert_error("encode dim > u32", encode_idx_images(&wide), &["4294967296", "at most"]);
}

/// A `.npy` file with the given header dict text (padded as NumPy does) and raw data.
fn npy_dict(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut dict = dict.to_string();
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

fn npy(descr: &str, fortran: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let dict = format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}");
    npy_dict(&dict, data)
}

#[test]
fn damaged_npy_files_are_errors_that_name_the_problem() {
    let f32s: Vec<u8> = (0..6).flat_map(|v| (v as f32).to_le_bytes()).collect();
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("empty", vec![], vec!["not a valid .npy", "\\x93NUMPY not found"]),
        ("zip file", b"PK\x03\x04 not numpy".to_vec(), vec!["not a valid .npy", "PK"]),
        (
            "version 9.0",
            b"\x93NUMPY\x09\x00\x10\x00{}".to_vec(),
            vec!["unsupported version 9.0", "expected 1.0, 2.0 or 3.0"],
        ),
        (
            "preamble cut",
            b"\x93NUMPY\x02\x00\x10".to_vec(),
            vec!["truncated preamble", "needs 12 bytes, file has 9"],
        ),
        (
            "header cut",
            npy("<f4", "False", "(2,)", &[])[..20].to_vec(),
            vec!["truncated header", "header length says 118 bytes, file has 10"],
        ),
        (
            // A 4 GiB header length must not be allocated.
            "v2 header length 4 GiB",
            b"\x93NUMPY\x02\x00\xff\xff\xff\xff{'descr'".to_vec(),
            vec!["truncated header", "says 4294967295 bytes"],
        ),
        (
            "header not a dict",
            npy_dict("['<f4', False, (2,)]", &[0; 8]),
            vec!["bad header dict", "expected '{'"],
        ),
        (
            "unterminated string",
            npy_dict("{'descr': '<f4, 'fortran_order': False}", &[]),
            vec!["bad header dict"],
        ),
        (
            "missing shape",
            npy_dict("{'descr': '<f4', 'fortran_order': False, }", &[]),
            vec!["missing key 'shape'"],
        ),
        (
            "unknown key",
            npy_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': True}", &[]),
            vec!["unexpected key 'x'"],
        ),
        (
            "duplicate key",
            npy_dict("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': ()}", &[]),
            vec!["'descr' appears twice"],
        ),
        (
            "fortran_order not a bool",
            npy("<f4", "'no'", "(1,)", &f32s[..4]),
            vec!["'fortran_order' must be True or False", "'no'"],
        ),
        (
            "negative dimension",
            npy("<f4", "False", "(-1,)", &[]),
            vec!["'shape' must be a tuple of non-negative integers"],
        ),
        ("unicode dtype", npy("<U3", "False", "(2,)", &[0; 24]), vec!["unsupported dtype '<U3'"]),
        ("complex dtype", npy("<c8", "False", "(1,)", &[0; 8]), vec!["unsupported dtype '<c8'"]),
        ("half floats", npy("<f2", "False", "(1,)", &[0; 2]), vec!["unsupported dtype '<f2'"]),
        ("object dtype", npy("|O", "False", "(1,)", &[0; 8]), vec!["unsupported dtype '|O'"]),
        ("'|' on a 4-byte type", npy("|f4", "False", "(1,)", &[0; 4]), vec!["'|f4'"]),
        (
            "structured dtype",
            npy_dict(
                "{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }",
                &[0; 8],
            ),
            vec!["unsupported dtype [('a', '<f4'), ('b', '<i4')]", "expected float32"],
        ),
        (
            "truncated data",
            npy("<f4", "False", "(2, 3)", &f32s[..10]),
            vec!["truncated", "expected 24 bytes of data (6 x <f4), found 10"],
        ),
        (
            "trailing data",
            npy("<f4", "False", "(2,)", &f32s),
            vec!["trailing bytes", "expected 8 bytes", "found 24"],
        ),
        (
            "fortran order, truncated",
            npy("<f8", "True", "(2, 3)", &f32s),
            vec!["truncated", "expected 48 bytes", "found 24"],
        ),
        (
            "bool byte 7",
            npy("|b1", "False", "(2,)", &[1, 7]),
            vec!["invalid bool value 7", "0 or 1"],
        ),
        (
            "shape product overflow",
            npy("<f4", "False", "(1099511627776, 1099511627776)", &[0; 16]),
            vec!["overflow", "[1099511627776, 1099511627776]"],
        ),
        (
            "dimension beyond u64",
            npy("<f4", "False", "(99999999999999999999999,)", &[0; 4]),
            vec!["overflow"],
        ),
        (
            "65 dimensions",
            npy("<f4", "False", &format!("({})", ["1"; 65].join(", ")), &[0; 4]),
            vec!["'shape' has 65 dimensions", "at most 64"],
        ),
        (
            // 2^43 bytes claimed: an error before allocating.
            "terabytes claimed",
            npy("<f8", "False", "(1048576, 1048576)", &[0; 16]),
            vec!["truncated", "expected 8796093022208 bytes", "found 16"],
        ),
    ];
    for (case, bytes, words) in cases {
        assert_error(case, parse_npy(&bytes), &words);
        check_npy(&bytes);
    }
    assert_error("encode mismatch", encode_npy_f32(&[2, 2], &[1.0; 3]), &["4 values", "[3]"]);
    assert_error("encode overflow", encode_npy_f32(&[usize::MAX, 2], &[]), &["usize::MAX"]);
}

#[test]
fn npy_dtypes_orders_and_versions_read_correctly() {
    let f64s: Vec<u8> = [1.5f64, -2.0, 3.25].iter().flat_map(|v| v.to_le_bytes()).collect();
    let a = parse_npy(&npy("<f8", "False", "(3,)", &f64s)).unwrap();
    assert_eq!((a.shape, a.data), (vec![3], vec![1.5, -2.0, 3.25]));
    let be: Vec<u8> = [-1i16, 300].iter().flat_map(|v| v.to_be_bytes()).collect();
    assert_eq!(parse_npy(&npy(">i2", "False", "[2]", &be)).unwrap().data, [-1.0, 300.0]);
    let u8s = parse_npy(&npy("|u1", "False", "(2L, 2L)", &[0, 255, 1, 7])).unwrap();
    assert_eq!(u8s.data, [0.0, 255.0, 1.0, 7.0]);
    let i1 = parse_npy(&npy("|i1", "False", "(2,)", &[0x80, 0x7f])).unwrap();
    assert_eq!(i1.data, [-128.0, 127.0]);
    // [[0, 1, 2], [3, 4, 5]] stored column-major: 0 3 1 4 2 5.
    let f: Vec<u8> =
        [0.0f32, 3.0, 1.0, 4.0, 2.0, 5.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    let a = parse_npy(&npy("<f4", "True", "(2, 3)", &f)).unwrap();
    assert_eq!((a.shape, a.data), (vec![2, 3], vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]));
    // Double quotes, other key order, no trailing comma.
    let d = npy_dict(r#"{"shape": (1,), "fortran_order": False, "descr": "<u4"}"#, &[1, 0, 0, 0]);
    assert_eq!(parse_npy(&d).unwrap().data, [1.0]);
    // Version 2.0: a u32 header length.
    let mut v2 = encode_npy_f32(&[2], &[1.0, 2.0]).unwrap();
    let text = v2[10..].to_vec();
    v2.truncate(6);
    v2.extend_from_slice(&[2, 0]);
    v2.extend_from_slice(&(text.len() as u32 - 8).to_le_bytes());
    v2.extend_from_slice(&text);
    assert_eq!(parse_npy(&v2).unwrap().data, [1.0, 2.0]);
}

#[test]
fn npy_agrees_with_the_npyz_crate() {
    // What we write, npyz reads (and vice versa), with the header NumPy writes.
    let data: Vec<f32> = (0..24).map(|i| i as f32 * 0.5 - 3.0).collect();
    let ours = encode_npy_f32(&[2, 3, 4], &data).unwrap();
    assert_eq!((ours.len() - 4 * data.len()) % 64, 0, "data must start 64-byte aligned");
    assert!(
        String::from_utf8_lossy(&ours[10..90])
            .starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }")
    );
    let theirs = npyz::NpyFile::new(&ours[..]).unwrap();
    assert_eq!(theirs.shape(), &[2, 3, 4]);
    assert_eq!(theirs.into_vec::<f32>().unwrap(), data);
    let scalar = encode_npy_f32(&[], &[2.5]).unwrap();
    assert_eq!(npyz::NpyFile::new(&scalar[..]).unwrap().into_vec::<f32>().unwrap(), [2.5]);

    let mut buf = Vec::new();
    let mut w = npyz::WriteOptions::<f64>::new()
        .default_dtype()
        .shape(&[3, 1])
        .writer(&mut buf)
        .begin_nd()
        .unwrap();
    w.extend([0.25f64, -1.0, 1e10]).unwrap();
    w.finish().unwrap();
    let back = parse_npy(&buf).unwrap();
    assert_eq!((back.shape, back.data), (vec![3, 1], vec![0.25, -1.0, 1e10]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_idx_images(&bytes);
        check_idx_labels(&bytes);
        check_npy(&bytes);
    }

    #[test]
    fn valid_prefixes_with_random_tails_never_panic(
        which in 0usize..3,
        cut in any::<proptest::sample::Index>(),
        tail in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let valid = match which {
            0 => idx(2051, &[2, 3, 4], &[9; 24]),
            1 => idx(2049, &[5], &[1, 2, 3, 4, 5]),
            _ => encode_npy_f32(&[2, 3], &[1.0; 6]).unwrap(),
        };
        let mut bytes = valid[..cut.index(valid.len() + 1)].to_vec();
        bytes.extend_from_slice(&tail);
        [check_idx_images, check_idx_labels, check_npy][which](&bytes);
    }

    #[test]
    fn idx_encode_parse_round_trip(
        (count, rows, cols, pixels) in (0usize..5, 0usize..9, 0usize..9).prop_flat_map(|(n, r, c)| {
            (Just(n), Just(r), Just(c), proptest::collection::vec(any::<u8>(), n * r * c))
        }),
        labels in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let images = IdxImages { count, rows, cols, pixels };
        let bytes = encode_idx_images(&images).unwrap();
        prop_assert_eq!(bytes.len(), 16 + images.pixels.len());
        prop_assert_eq!(parse_idx_images(&bytes).unwrap(), images);
        check_idx_images(&bytes);
        let bytes = encode_idx_labels(&labels).unwrap();
        prop_assert_eq!(parse_idx_labels(&bytes).unwrap(), labels);
        check_idx_labels(&bytes);
    }

    #[test]
    fn npy_encode_parse_round_trip(
        (shape, data) in proptest::collection::vec(0usize..5, 0..4).prop_flat_map(|shape| {
            let n = shape.iter().product::<usize>();
            (Just(shape), proptest::collection::vec(any::<f32>(), n))
        }),
    ) {
        let bytes = encode_npy_f32(&shape, &data).unwrap();
        prop_assert_eq!((bytes.len() - 4 * data.len()) % 64, 0);
        let back = parse_npy(&bytes).unwrap();
        prop_assert_eq!(&back.shape, &shape);
        let bits = |d: &[f32]| d.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&back.data), bits(&data));
        check_npy(&bytes);
    }
}
