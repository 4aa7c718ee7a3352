//! The ONNX import is faithful: logits and gradients match the PyTorch/onnxruntime references,
//! MNIST test accuracy and ImageNet top-1 match, on Flex and (smoke) on ndarray and wgpu.

use crate::common;

use burn::tensor::{Device, Tensor};
use xai::core::{DeviceChoice, XaiError};
use xai::datasets::DataDir;
use xai::zoo::faithfulness::{CheckOptions, TOLERANCE, ZooCheck, check};
use xai::zoo::{ModelName, ZooModel};

fn run(name: ModelName, device: DeviceChoice, full: bool) -> ZooCheck {
    common::ensure_weights();
    let opts = CheckOptions { full_test_set: full, ..CheckOptions::default() };
    let report = check(name, &device.device().unwrap(), &DataDir::resolve(None), &opts).unwrap();
    println!("{device}: {report:?}");
    report
}

#[test]
fn mnist_cnn_matches_reference_on_flex_with_full_test_accuracy() {
    let r = run(ModelName::MnistCnn, DeviceChoice::Flex, true);
    assert_eq!(r.total, 10_000);
    assert_eq!(r.correct, 9895, "MNIST test accuracy must be 0.9895 as in shared/models/README.md");
    assert!(r.logits.max_rel <= TOLERANCE, "logits deviate: {:?}", r.logits);
    assert!(
        r.gradients.as_ref().unwrap().max_rel <= TOLERANCE,
        "gradients deviate: {:?}",
        r.gradients
    );
    assert!(r.pass);
}

#[test]
fn efficientnet_lite0_matches_reference_on_flex() {
    let r = run(ModelName::EfficientNetLite0, DeviceChoice::Flex, false);
    assert_eq!(r.total, 6);
    assert_eq!(r.correct, 6, "top-1 must match labels.tsv on every sample photo");
    assert!(r.logits.max_rel <= TOLERANCE, "logits deviate: {:?}", r.logits);
}

#[cfg(feature = "ndarray")]
#[test]
fn smoke_ndarray_mnist_cnn() {
    let r = run(ModelName::MnistCnn, DeviceChoice::Ndarray, false);
    assert!(r.pass, "{r:?}");
}

#[cfg(feature = "wgpu")]
#[test]
fn smoke_wgpu_mnist_cnn_and_efficientnet() {
    let r = run(ModelName::MnistCnn, DeviceChoice::Wgpu, false);
    assert!(r.pass, "{r:?}");
    let r = run(ModelName::EfficientNetLite0, DeviceChoice::Wgpu, false);
    assert!(r.pass, "{r:?}");
}

#[test]
fn missing_weights_say_how_they_are_written() {
    let dir = std::env::temp_dir().join(format!("xai-no-weights-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = ZooModel::load_from_dir(ModelName::MnistCnn, &dir, &Device::flex()).err().unwrap();
    let msg = err.to_string();
    assert!(
        msg.contains("mnist_cnn.bpk") && msg.contains("ONNX file in the data directory"),
        "{msg}"
    );
}

#[test]
fn truncated_or_foreign_weights_are_errors_not_panics() {
    common::ensure_weights();
    let dir = std::env::temp_dir().join(format!("xai-bad-weights-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read(xai::zoo::weights_dir().join("mnist_cnn.bpk")).unwrap();
    std::fs::write(dir.join("mnist_cnn.bpk"), &good[..good.len() / 3]).unwrap();
    let err = ZooModel::load_from_dir(ModelName::MnistCnn, &dir, &Device::flex()).err().unwrap();
    assert!(matches!(err, XaiError::File { .. }), "{err}");
    // EfficientNet's weights are not MNIST's.
    let eff = std::fs::read(xai::zoo::weights_dir().join("efficientnet_lite0.bpk")).unwrap();
    std::fs::write(dir.join("mnist_cnn.bpk"), eff).unwrap();
    let err = ZooModel::load_from_dir(ModelName::MnistCnn, &dir, &Device::flex()).err().unwrap();
    assert!(matches!(err, XaiError::File { .. }), "{err}");
    std::fs::write(dir.join("mnist_cnn.bpk"), b"not a burnpack").unwrap();
    assert!(ZooModel::load_from_dir(ModelName::MnistCnn, &dir, &Device::flex()).is_err());
}

#[test]
fn wrong_input_shape_is_an_error() {
    common::ensure_weights();
    let model = ZooModel::load(ModelName::MnistCnn, &Device::flex()).unwrap();
    let x = Tensor::<4>::zeros([2, 3, 28, 28], &Device::flex());
    let err = model.try_logits(x).err().unwrap();
    assert!(err.to_string().contains("[batch >= 1, 1, 28, 28]"), "{err}");
    assert!("resnet".parse::<ModelName>().is_err());
}
