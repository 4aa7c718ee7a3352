//! The zoo against burn-onnx: the committed zoo code is exactly what burn-onnx generates from
//! the shared ONNX files, and the weights the zoo reads from those files itself are exactly
//! burn-onnx's. (Its own test binary: burn-onnx turns on debug logging for the whole process.)

use burn::tensor::Device;
use xai_datasets::DataDir;
use xai_zoo::{ModelName, ZooModel};

#[test]
fn committed_generated_code_is_what_burn_onnx_produces() {
    xtask::import_onnx::run(None, xtask::import_onnx::Mode::Check).unwrap();
}

#[test]
fn zoo_weights_read_from_onnx_equal_burn_onnx_weights() {
    let dir = std::env::temp_dir().join(format!("xai-burn-onnx-weights-{}", std::process::id()));
    xtask::import_onnx::burn_onnx_weights(None, &dir).unwrap();
    let data = DataDir::resolve(None);
    let cpu = Device::flex();
    for name in ModelName::ALL {
        let reference = ZooModel::load_from_dir(name, &dir, &cpu).unwrap().parameters().unwrap();
        let onnx = data.require(format!("models/{}.onnx", name.info().file_stem)).unwrap();
        let ours = ZooModel::load_onnx(name, &onnx, &cpu).unwrap().parameters().unwrap();
        assert_eq!(ours.len(), reference.len(), "{name}: parameter count");
        assert!(!ours.is_empty());
        for (a, b) in ours.iter().zip(&reference) {
            assert_eq!((&a.path, &a.shape), (&b.path, &b.shape), "{name}");
            // Bit-identical: the same f32 values, transposed Gemm weights included.
            let same = a.values.iter().zip(&b.values).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "{name}: parameter {} differs from burn-onnx's", a.path);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
