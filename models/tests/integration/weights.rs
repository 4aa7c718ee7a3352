//! The zoo owns its weights: read from the ONNX file on first use, written once as a `.bpk`,
//! the same model either way, and every bad file a clear error.

use burn::tensor::{Device, Tensor};
use xai_core::host::to_vec_f32;
use xai_core::{Classifier, XaiError};
use xai_datasets::DataDir;
use xai_zoo::{ModelName, ZooModel};

fn scratch(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xai-zoo-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn logits(model: &ZooModel) -> Vec<f32> {
    let device = model.device().clone();
    let x = Tensor::<4>::ones([2, 1, 28, 28], &device).mul_scalar(0.5);
    to_vec_f32(model.logits(x)).unwrap()
}

#[test]
fn first_load_writes_the_weights_and_later_loads_read_them() {
    let cache = scratch("cache");
    let data = DataDir::resolve(None);
    let cpu = Device::flex();
    let bpk = cache.join("mnist_cnn.bpk");
    assert!(!bpk.exists());
    let first = ZooModel::load_cached(ModelName::MnistCnn, &data, &cache, &cpu).unwrap();
    assert!(bpk.is_file(), "the first load writes {}", bpk.display());
    // No temporary file is left behind.
    let entries: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    // The second load reads the .bpk: the data directory is not needed any more.
    let nowhere = DataDir::resolve(Some(&cache.join("no-data-here")));
    let second = ZooModel::load_cached(ModelName::MnistCnn, &nowhere, &cache, &cpu).unwrap();
    let from_bpk = ZooModel::load_from_dir(ModelName::MnistCnn, &cache, &cpu).unwrap();
    assert_eq!(first.parameters().unwrap(), second.parameters().unwrap());
    assert_eq!(first.parameters().unwrap(), from_bpk.parameters().unwrap());
    let (a, b) = (logits(&first), logits(&second));
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()), "{a:?} vs {b:?}");
    std::fs::remove_dir_all(&cache).ok();
}

#[test]
fn missing_onnx_file_names_the_file_and_the_data_directory() {
    let cache = scratch("no-onnx");
    let data = DataDir::resolve(Some(&cache.join("empty-data")));
    let err = ZooModel::load_cached(ModelName::MnistCnn, &data, &cache, &Device::flex())
        .err()
        .expect("no weights and no ONNX file");
    let msg = err.to_string();
    assert!(msg.contains("models/mnist_cnn.onnx") && msg.contains("empty-data"), "{msg}");
    std::fs::remove_dir_all(&cache).ok();
}

#[test]
fn an_onnx_file_that_is_not_the_zoos_is_refused_by_its_sha256() {
    let dir = scratch("foreign-onnx");
    let data = DataDir::resolve(None);
    let eff = data.require("models/efficientnet_lite0.onnx").unwrap();
    let cpu = Device::flex();
    // Another model's file.
    let err = ZooModel::load_onnx(ModelName::MnistCnn, &eff, &cpu).err().unwrap();
    assert!(matches!(err, XaiError::File { .. }) && err.to_string().contains("sha256"), "{err}");
    // A truncated copy of the right file, placed where the zoo looks for it.
    let good = std::fs::read(data.require("models/mnist_cnn.onnx").unwrap()).unwrap();
    std::fs::create_dir_all(dir.join("data/models")).unwrap();
    std::fs::write(dir.join("data/models/mnist_cnn.onnx"), &good[..good.len() / 2]).unwrap();
    let truncated = DataDir::resolve(Some(&dir.join("data")));
    let err =
        ZooModel::load_cached(ModelName::MnistCnn, &truncated, &dir.join("w"), &cpu).err().unwrap();
    assert!(err.to_string().contains("sha256"), "{err}");
    assert!(!dir.join("w/mnist_cnn.bpk").exists(), "nothing is written after an error");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unwritable_weight_directory_is_an_error_naming_burn_xai_weights() {
    let dir = scratch("unwritable");
    // A regular file where the weight directory should be.
    let blocker = dir.join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let data = DataDir::resolve(None);
    let err = ZooModel::load_cached(ModelName::MnistCnn, &data, &blocker, &Device::flex())
        .err()
        .expect("cannot write under a file");
    assert!(err.to_string().contains("BURN_XAI_WEIGHTS"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn efficientnet_reads_its_gemm_head_transposed() {
    // The Gemm head (a transposed weight) and 50 convolutions, read from the ONNX file.
    let data = DataDir::resolve(None);
    let onnx = data.require("models/efficientnet_lite0.onnx").unwrap();
    let cpu = Device::flex();
    let model = ZooModel::load_onnx(ModelName::EfficientNetLite0, &onnx, &cpu).unwrap();
    let params = model.parameters().unwrap();
    let head = params.iter().find(|p| p.path == "linear1.weight").expect("the classifier");
    assert_eq!(head.shape, vec![1280, 1000], "Burn's Linear stores [in, out]");
    assert!(params.iter().all(|p| p.values.iter().all(|v| v.is_finite())));
}
