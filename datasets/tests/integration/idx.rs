//! The IDX reader: real MNIST, damaged files, gzip vs plain, and a round-trip property.

use crate::common;

use common::{data_dir, gzip, temp_dir, write};
use proptest::prelude::*;
use xai_datasets::idx::{
    IdxImages, encode_idx_images, encode_idx_labels, read_idx_images, read_idx_labels,
    read_idx_pair, read_maybe_gzip,
};

fn mnist_paths() -> (std::path::PathBuf, std::path::PathBuf) {
    let d = data_dir();
    (
        d.require("datasets/mnist/t10k-images-idx3-ubyte.gz").unwrap(),
        d.require("datasets/mnist/t10k-labels-idx1-ubyte.gz").unwrap(),
    )
}

#[test]
fn real_mnist_test_header_labels_and_pixels() {
    let (images_path, labels_path) = mnist_paths();
    let (images, labels) = read_idx_pair(&images_path, &labels_path).unwrap();
    assert_eq!((images.count, images.rows, images.cols), (10_000, 28, 28));
    assert_eq!(images.pixels.len(), 7_840_000);
    let mut counts = [0usize; 10];
    for &l in &labels {
        counts[usize::from(l)] += 1;
    }
    // The well-known class counts of the MNIST test set.
    assert_eq!(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // First labels and pixel sums of the first images, from shared/reference/mnist_cnn_reference.json.
    assert_eq!(&labels[..8], &[7, 2, 1, 0, 4, 1, 4, 9]);
    let sums = [72.36863f32, 113.13725, 38.7098, 145.15294];
    let values = images.to_f32();
    for (i, want) in sums.iter().enumerate() {
        let got: f32 = values[i * 784..(i + 1) * 784].iter().sum();
        assert!((got - want).abs() < 1e-3, "image {i}: sum {got}, reference {want}");
    }
}

#[test]
fn gzip_and_plain_readers_agree() {
    let (images_path, labels_path) = mnist_paths();
    let dir = temp_dir("plain");
    let plain_images =
        write(&dir, "images-no-gz-suffix.gz.bin", &read_maybe_gzip(&images_path).unwrap());
    let plain_labels = write(&dir, "labels", &read_maybe_gzip(&labels_path).unwrap());
    assert_eq!(read_idx_images(&plain_images).unwrap(), read_idx_images(&images_path).unwrap());
    assert_eq!(read_idx_labels(&plain_labels).unwrap(), read_idx_labels(&labels_path).unwrap());
    // A gzip file named without `.gz` is still recognised by its magic bytes.
    let gz_named_plain = write(&dir, "labels-plain-name", &std::fs::read(&labels_path).unwrap());
    assert_eq!(read_idx_labels(&gz_named_plain).unwrap().len(), 10_000);
}

fn assert_file_error(
    result: xai_core::Result<impl std::fmt::Debug>,
    path: &std::path::Path,
    words: &[&str],
) {
    let msg = result.expect_err("expected an error").to_string();
    assert!(msg.contains(&path.display().to_string()), "error does not name the file: {msg}");
    for w in words {
        assert!(msg.contains(w), "error lacks {w:?}: {msg}");
    }
}

#[test]
fn truncated_wrong_magic_and_short_header_are_errors_naming_the_file() {
    let dir = temp_dir("damaged");
    let images = IdxImages { count: 10, rows: 28, cols: 28, pixels: vec![7; 7840] };
    let full = encode_idx_images(&images).unwrap();

    let truncated = write(&dir, "truncated-images", &full[..1234 + 16]);
    assert_file_error(
        read_idx_images(&truncated),
        &truncated,
        &["truncated", "expected 7840 bytes of pixel data, found 1234"],
    );

    let trailing = write(&dir, "trailing-images", &[full.as_slice(), &[0, 0]].concat());
    assert_file_error(read_idx_images(&trailing), &trailing, &["trailing", "found 7842"]);

    let labels = write(&dir, "labels", &encode_idx_labels(&[1, 2, 3]).unwrap());
    assert_file_error(
        read_idx_images(&labels),
        &labels,
        &["wrong magic number 2049", "expected 2051"],
    );
    assert_file_error(
        read_idx_labels(&truncated),
        &truncated,
        &["wrong magic number 2051", "expected 2049"],
    );

    let short = write(&dir, "short", &full[..10]);
    assert_file_error(read_idx_images(&short), &short, &["too short", "10 bytes, need 16"]);

    let missing = dir.join("does-not-exist");
    assert_file_error(read_idx_labels(&missing), &missing, &["cannot read"]);
}

#[test]
fn corrupt_and_truncated_gzip_are_errors_naming_the_file() {
    let dir = temp_dir("badgz");
    let payload = encode_idx_labels(&(0..200u8).collect::<Vec<_>>()).unwrap();
    let gz = gzip(&payload);
    let cut = write(&dir, "cut.gz", &gz[..gz.len() / 2]);
    assert_file_error(read_idx_labels(&cut), &cut, &["gzip"]);
    let mut flipped = gz.clone();
    let n = flipped.len();
    flipped[n - 6] ^= 0xff; // inside the CRC32 / length trailer
    let bad_crc = write(&dir, "bad-crc.gz", &flipped);
    assert_file_error(read_idx_labels(&bad_crc), &bad_crc, &["gzip"]);
    let mut garbage = vec![0x1f, 0x8b];
    garbage.extend_from_slice(&[0xAB; 40]);
    let garbage = write(&dir, "garbage.gz", &garbage);
    assert_file_error(read_idx_labels(&garbage), &garbage, &["gzip"]);
}

#[test]
fn image_and_label_counts_must_agree() {
    let dir = temp_dir("pair");
    let images = IdxImages { count: 3, rows: 2, cols: 2, pixels: vec![0; 12] };
    let ip = write(&dir, "i", &encode_idx_images(&images).unwrap());
    let lp = write(&dir, "l", &encode_idx_labels(&[1, 2]).unwrap());
    assert_file_error(read_idx_pair(&ip, &lp), &lp, &["2 labels", "3 images"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn idx_round_trip(
        (count, rows, cols, pixels) in (0usize..5, 0usize..7, 0usize..7).prop_flat_map(|(n, r, c)| {
            (Just(n), Just(r), Just(c), proptest::collection::vec(any::<u8>(), n * r * c))
        }),
        labels in proptest::collection::vec(any::<u8>(), 0..40),
        compress in any::<bool>(),
        cut in any::<proptest::sample::Index>(),
    ) {
        let dir = temp_dir("prop");
        let images = IdxImages { count, rows, cols, pixels };
        let encode = |b: Vec<u8>| if compress { gzip(&b) } else { b };
        let img_bytes = encode_idx_images(&images).unwrap();
        let ip = write(&dir, "images", &encode(img_bytes.clone()));
        let lp = write(&dir, "labels", &encode(encode_idx_labels(&labels).unwrap()));
        prop_assert_eq!(read_idx_images(&ip).unwrap(), images);
        prop_assert_eq!(read_idx_labels(&lp).unwrap(), labels);
        // Any strict prefix of a valid (uncompressed) file is an error, never a panic.
        let k = cut.index(img_bytes.len());
        let tp = write(&dir, "truncated", &img_bytes[..k]);
        prop_assert!(read_idx_images(&tp).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
