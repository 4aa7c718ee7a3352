//! Model names and metadata.

use serde::Serialize;
use xai_core::{Result, XaiError};

/// The models of the zoo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ModelName {
    /// The MNIST CNN of the robustness paper (Hsieh et al. 2021): `[N, 1, 28, 28]` → 10 logits.
    MnistCnn,
    /// EfficientNet-Lite0 on ImageNet: `[N, 3, 224, 224]` RGB → 1000 logits.
    EfficientNetLite0,
}

/// All model names, as accepted by `--model`.
pub const MODEL_NAMES: &[&str] = &["mnist-cnn", "efficientnet-lite0"];

/// Where a model's class names come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ClassNames {
    /// The digits `"0"` to `"9"`.
    Digits,
    /// The 1000 ImageNet classes of `images/imagenet_classes.txt` in the data directory.
    ImageNet,
}

/// What a model expects and produces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// Name used on the command line.
    pub name: &'static str,
    /// Shape of one input `[channels, height, width]`.
    pub input_shape: [usize; 3],
    /// Range of valid input values (also the attacks' box).
    pub value_range: (f32, f32),
    /// Number of classes (logits).
    pub n_classes: usize,
    /// Class names.
    pub classes: ClassNames,
    /// Stem of the ONNX and weight files (`<stem>.onnx`, `<stem>.bpk`).
    pub file_stem: &'static str,
    /// sha256 of the ONNX file (`shared/models/README.md`): the zoo reads no other file.
    pub onnx_sha256: &'static str,
    /// The dataset the model is evaluated on by default.
    pub default_dataset: &'static str,
    /// The largest batch the CLI and examples send to the model unless told otherwise: the one
    /// with the best forward+backward throughput on a 2-core CPU with Flex. For
    /// efficientnet-lite0 `xai bench --models efficientnet-lite0 --batch-imagenet B` gave 5.6,
    /// 6.2, 6.1, 3.7 and 3.4 samples/s at B = 4, 8, 16, 32, 64 (larger batches spill the
    /// caches); 16 also stays under lavapipe's 128 MiB buffer cap.
    pub batch_size: usize,
}

impl ModelName {
    /// Every model.
    pub const ALL: [ModelName; 2] = [ModelName::MnistCnn, ModelName::EfficientNetLite0];

    /// The model's metadata.
    pub fn info(self) -> ModelInfo {
        match self {
            ModelName::MnistCnn => ModelInfo {
                name: "mnist-cnn",
                input_shape: [1, 28, 28],
                value_range: (0.0, 1.0),
                n_classes: 10,
                classes: ClassNames::Digits,
                file_stem: "mnist_cnn",
                onnx_sha256: "7a7e9b03120f9a68ba807889232724dd51778d6dc79988d36293428c8184b1c2",
                default_dataset: "mnist-test",
                batch_size: 256,
            },
            ModelName::EfficientNetLite0 => ModelInfo {
                name: "efficientnet-lite0",
                input_shape: [3, 224, 224],
                value_range: (0.0, 1.0),
                n_classes: 1000,
                classes: ClassNames::ImageNet,
                file_stem: "efficientnet_lite0",
                onnx_sha256: "a920b47ba06ab47ec6281c339193eab6998d6124a86fc5a19d008c7ef42e55c5",
                default_dataset: "imagenet-samples",
                batch_size: 16,
            },
        }
    }
}

impl std::str::FromStr for ModelName {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "mnist-cnn" => Ok(ModelName::MnistCnn),
            "efficientnet-lite0" => Ok(ModelName::EfficientNetLite0),
            _ => Err(XaiError::UnknownName {
                kind: "model".into(),
                name: s.into(),
                known: MODEL_NAMES.join(", "),
            }),
        }
    }
}

impl std::fmt::Display for ModelName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.info().name)
    }
}

impl ClassNames {
    /// The class names, reading ImageNet's from `images/imagenet_classes.txt` in `data`.
    pub fn load(self, data: &xai_datasets::DataDir) -> Result<Vec<String>> {
        match self {
            ClassNames::Digits => Ok((0..10).map(|d| d.to_string()).collect()),
            ClassNames::ImageNet => {
                xai_datasets::read_class_names(&data.require("images/imagenet_classes.txt")?)
            }
        }
    }
}
