//! Datasets by name: real MNIST and ImageNet samples, errors for unknown names, missing data and
//! bad indices, batches as tensors.

use crate::common;

use std::path::Path;

use burn::tensor::Device;
use xai_core::XaiError;
use xai_datasets::{DATA_DIR_ENV, DATASET_NAMES, DataDir, Dataset, load, registry::load_from};

#[test]
fn mnist_test_loads_with_labels_and_pixel_range() {
    let ds = load_from("mnist-test", &common::data_dir()).unwrap();
    assert_eq!(ds.len(), 10_000);
    assert_eq!(ds.sample_shape(), [1, 28, 28]);
    assert_eq!(ds.labels()[0], 7);
    assert_eq!(ds.class_names()[7], "7");
    assert_eq!(ds.item_names()[3], "mnist-test#3");
    let (min, max) =
        ds.images().iter().fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    assert_eq!((min, max), (0.0, 1.0));
    let mut counts = [0usize; 10];
    ds.labels().iter().for_each(|&l| counts[l] += 1);
    assert_eq!(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
}

#[test]
fn fashion_mnist_train_and_test_load() {
    let d = common::data_dir();
    for (name, n) in [("fashion-mnist-test", 10_000), ("fashion-mnist-train", 60_000)] {
        let ds = load_from(name, &d).unwrap();
        assert_eq!((ds.len(), ds.sample_shape()), (n, [1, 28, 28]), "{name}");
        assert_eq!(ds.class_names()[9], "Ankle boot");
        let mut counts = [0usize; 10];
        ds.labels().iter().for_each(|&l| counts[l] += 1);
        assert_eq!(counts, [n / 10; 10], "{name}: Fashion-MNIST is balanced");
    }
}

#[test]
fn imagenet_samples_load_in_labels_tsv_order() {
    let ds = load_from("imagenet-samples", &common::data_dir()).unwrap();
    assert_eq!((ds.len(), ds.sample_shape()), (6, [3, 224, 224]));
    assert_eq!(ds.labels(), [144, 22, 282, 967, 450, 657]);
    assert_eq!(ds.item_names()[0], "pelican.jpeg");
    assert_eq!(ds.class_names().len(), 1000);
    assert_eq!(ds.class_names()[ds.labels()[0]], "pelican");
    let sum: f64 = ds.image(0).unwrap().iter().map(|&v| f64::from(v)).sum();
    assert!((sum - 90306.0885).abs() < 0.1, "pelican input sum {sum}"); // reference JSON
}

#[test]
fn unknown_name_lists_the_known_names() {
    let err = load("cifar-10", None).unwrap_err();
    assert!(matches!(err, XaiError::UnknownName { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("cifar-10"), "{msg}");
    for name in DATASET_NAMES {
        assert!(msg.contains(name), "{msg}");
    }
}

#[test]
fn missing_data_dir_names_the_file_and_how_to_set_it() {
    let missing = Path::new("/nonexistent/burn-xai-data");
    for name in ["mnist-test", "imagenet-samples"] {
        let msg = load(name, Some(missing)).unwrap_err().to_string();
        assert!(msg.contains("/nonexistent/burn-xai-data/"), "{msg}");
        assert!(msg.contains(DATA_DIR_ENV) && msg.contains("--data-dir"), "{msg}");
    }
    let msg = load("mnist-test", Some(missing)).unwrap_err().to_string();
    assert!(msg.contains("t10k-images-idx3-ubyte.gz"), "{msg}");
}

#[test]
fn an_empty_data_dir_with_plain_idx_files_works() {
    // Plain (uncompressed) IDX files are found when the .gz ones are absent.
    let root = common::temp_dir("plain-data-dir");
    let src = common::data_dir();
    let mnist = root.join("datasets/mnist");
    std::fs::create_dir_all(&mnist).unwrap();
    for stem in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
        let gz = src.require(format!("datasets/mnist/{stem}.gz")).unwrap();
        std::fs::write(mnist.join(stem), xai_datasets::idx::read_maybe_gzip(&gz).unwrap()).unwrap();
    }
    let ds = load_from("mnist-test", &DataDir::resolve(Some(&root))).unwrap();
    assert_eq!((ds.len(), ds.labels()[0]), (10_000, 7));
    let _ = std::fs::remove_dir_all(&root);
}

fn tiny() -> Dataset {
    let images: Vec<f32> = (0..3 * 2 * 2 * 2).map(|v| v as f32 / 24.0).collect();
    let names = vec!["a".into(), "b".into(), "c".into()];
    Dataset::new("tiny", images, [2, 2, 2], vec![0, 1, 1], vec!["x".into(), "y".into()], names)
        .unwrap()
}

#[test]
fn out_of_range_index_names_the_valid_range() {
    let ds = tiny();
    let msg = ds.image(3).unwrap_err().to_string();
    assert!(msg.contains("0..3"), "{msg}");
    assert!(ds.batch_tensor(&[0, 7], &Device::flex()).is_err());
    assert!(ds.batch_tensor(&[], &Device::flex()).is_err());
    assert_eq!(ds.image(1).unwrap(), &ds.images()[8..16]);
}

#[test]
fn dataset_new_checks_shapes_and_labels() {
    let err = Dataset::new(
        "bad",
        vec![0.0; 7],
        [1, 2, 2],
        vec![0, 0],
        vec!["x".into()],
        vec!["a".into(), "b".into()],
    );
    assert!(err.is_err());
    let err = Dataset::new(
        "bad",
        vec![0.0; 8],
        [1, 2, 2],
        vec![0, 5],
        vec!["x".into()],
        vec!["a".into(), "b".into()],
    );
    assert!(err.unwrap_err().to_string().contains("0..1"));
}

#[test]
fn batch_tensor_holds_the_selected_samples() {
    let ds = tiny();
    let device = Device::flex();
    let t = ds.batch_tensor(&[2, 0], &device).unwrap();
    assert_eq!(t.dims(), [2, 2, 2, 2]);
    let values = xai_core::host::to_vec_f32(t).unwrap();
    let want: Vec<f32> = [ds.image(2).unwrap(), ds.image(0).unwrap()].concat();
    assert_eq!(values, want);
    assert_eq!(ds.batch_labels(&[2, 0]).unwrap(), [1, 0]);
}
