//! Datasets by name, loaded from the data directory (see [`crate::data_dir`]).
//!
//! | name | samples | sample shape | labels |
//! | --- | --- | --- | --- |
//! | `mnist-test` | 10,000 | `[1, 28, 28]` | digits 0–9 |
//! | `fashion-mnist-train` | 60,000 | `[1, 28, 28]` | 10 clothing classes |
//! | `fashion-mnist-test` | 10,000 | `[1, 28, 28]` | 10 clothing classes |
//! | `imagenet-samples` | 6 | `[3, 224, 224]` | reference top-1 of `labels.tsv`, 1000 classes |

use std::path::Path;

use xai_core::{Result, XaiError};

use crate::data_dir::{DataDir, FASHION_MNIST_SYSTEM_DIR, idx_candidates};
use crate::dataset::Dataset;
use crate::idx::read_idx_pair;
use crate::image_folder::{CROP_SIZE, load_image_chw};
use crate::imagenet::{read_class_names, read_sample_labels};

/// The names [`load`] knows.
pub const DATASET_NAMES: [&str; 4] =
    ["mnist-test", "fashion-mnist-train", "fashion-mnist-test", "imagenet-samples"];

/// MNIST's class names: the digits.
pub const MNIST_CLASSES: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// Fashion-MNIST's class names, in label order.
pub const FASHION_MNIST_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// Side of an MNIST / Fashion-MNIST image.
const IDX_SIDE: usize = 28;

/// Loads the dataset `name` (one of [`DATASET_NAMES`]) from `data_dir`, or from the data
/// directory that [`DataDir::resolve`] finds when `data_dir` is `None`.
pub fn load(name: &str, data_dir: Option<&Path>) -> Result<Dataset> {
    load_from(name, &DataDir::resolve(data_dir))
}

/// Loads the dataset `name` from a resolved data directory.
pub fn load_from(name: &str, dir: &DataDir) -> Result<Dataset> {
    let fashion_fallback = [Path::new(FASHION_MNIST_SYSTEM_DIR)];
    match name {
        "mnist-test" => load_idx(name, dir, "datasets/mnist", "t10k", &[], &MNIST_CLASSES),
        "fashion-mnist-train" => load_idx(
            name,
            dir,
            "datasets/fashion-mnist",
            "train",
            &fashion_fallback,
            &FASHION_MNIST_CLASSES,
        ),
        "fashion-mnist-test" => load_idx(
            name,
            dir,
            "datasets/fashion-mnist",
            "t10k",
            &fashion_fallback,
            &FASHION_MNIST_CLASSES,
        ),
        "imagenet-samples" => load_imagenet_samples(name, dir),
        _ => Err(XaiError::UnknownName {
            kind: "dataset".into(),
            name: name.into(),
            known: DATASET_NAMES.join(", "),
        }),
    }
}

/// Loads `<rel_dir>/<prefix>-{images-idx3,labels-idx1}-ubyte[.gz]`, 28×28 images.
fn load_idx(
    name: &str,
    dir: &DataDir,
    rel_dir: &str,
    prefix: &str,
    fallback: &[&Path],
    classes: &[&str],
) -> Result<Dataset> {
    let find = |stem: String| {
        let candidates = idx_candidates(rel_dir, &stem);
        let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
        dir.require_any(&refs, fallback)
    };
    let images_path = find(format!("{prefix}-images-idx3-ubyte"))?;
    let labels_path = find(format!("{prefix}-labels-idx1-ubyte"))?;
    let (images, labels) = read_idx_pair(&images_path, &labels_path)?;
    if (images.rows, images.cols) != (IDX_SIDE, IDX_SIDE) {
        return Err(XaiError::file(
            &images_path,
            format!(
                "expected {IDX_SIDE}x{IDX_SIDE} images for {name}, found {}x{}",
                images.rows, images.cols
            ),
        ));
    }
    if let Some(&bad) = labels.iter().find(|&&l| usize::from(l) >= classes.len()) {
        return Err(XaiError::file(
            &labels_path,
            format!("label {bad} is not a class of {name} (0..{})", classes.len()),
        ));
    }
    let item_names = (0..images.count).map(|i| format!("{name}#{i}")).collect();
    Dataset::new(
        name,
        images.to_f32(),
        [1, IDX_SIDE, IDX_SIDE],
        labels.into_iter().map(usize::from).collect(),
        classes.iter().map(|c| c.to_string()).collect(),
        item_names,
    )
}

/// Loads the 224 crops listed in `images/imagenet-samples/labels.tsv`, in file order, labelled
/// with the reference model's top-1 class.
fn load_imagenet_samples(name: &str, dir: &DataDir) -> Result<Dataset> {
    let labels_path = dir.require("images/imagenet-samples/labels.tsv")?;
    let class_names = read_class_names(&dir.require("images/imagenet_classes.txt")?)?;
    let rows = read_sample_labels(&labels_path)?;
    let folder = labels_path.parent().unwrap_or(Path::new("."));
    let side = CROP_SIZE as usize;
    let mut images = Vec::with_capacity(rows.len() * 3 * side * side);
    for row in &rows {
        let crop_path = folder.join(&row.crop);
        if !crop_path.is_file() {
            return Err(XaiError::file(
                &crop_path,
                format!("crop listed in {} not found", labels_path.display()),
            ));
        }
        let (values, shape) = load_image_chw(&crop_path)?;
        if shape != [3, side, side] {
            return Err(XaiError::file(
                &crop_path,
                format!("expected a {side}x{side} crop, found {}x{}", shape[2], shape[1]),
            ));
        }
        images.extend(values);
    }
    Dataset::new(
        name,
        images,
        [3, side, side],
        rows.iter().map(|r| r.top1_index).collect(),
        class_names,
        rows.iter().map(|r| r.file.clone()).collect(),
    )
}
