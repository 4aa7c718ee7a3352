//! # xai-datasets
//!
//! Dataset loaders for burn-xai:
//! - [`idx`]: the IDX format of MNIST and Fashion-MNIST (gzip-compressed or plain);
//! - [`image_folder`]: photos → RGB → resize shorter side 256 → centre crop 224 → CHW in [0, 1];
//! - [`imagenet`]: the `labels.tsv` of the sample photos and the ImageNet class names;
//! - [`npy`]: NumPy `.npy` files, for exchanging masks, targets and adversarial examples with Python;
//! - [`data_dir`]: where the data lives (`--data-dir`, `BURN_XAI_DATA`, or `<workspace>/../shared`);
//! - [`registry`]: datasets by name ([`DATASET_NAMES`]), loaded into an in-memory [`Dataset`].
//!
//! Every loader returns [`xai_core::Result`]; a missing, truncated or corrupt file is an error that
//! names the file and what is wrong with it.
#![warn(missing_docs)]

pub mod data_dir;
pub mod dataset;
pub mod idx;
pub mod image_folder;
pub mod imagenet;
pub mod npy;
pub mod registry;

pub use data_dir::{DATA_DIR_ENV, DataDir, DataDirSource};
pub use dataset::Dataset;
pub use idx::{IdxImages, read_idx_images, read_idx_labels, read_idx_pair};
pub use image_folder::{CROP_SIZE, ImageFolder, RESIZE_SHORTER, load_crop_224, load_image_chw};
pub use imagenet::{SampleLabel, read_class_names, read_sample_labels};
pub use npy::{NpyArray, read_npy, write_npy_f32};
pub use registry::{DATASET_NAMES, load, load_from};
