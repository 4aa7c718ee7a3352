//! Shared test support: the zoo's weights are written from the ONNX files on first use.

use std::sync::OnceLock;

/// Ensures `models/weights/*.bpk` exist (imported from the data directory's ONNX files).
pub fn ensure_weights() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let imported = xai_zoo::ensure_weights(&xai_datasets::DataDir::resolve(None))
            .expect("the zoo's weights from its ONNX files");
        if !imported.is_empty() {
            eprintln!("imported weights of {imported:?}");
        }
    });
}

/// `mnist-cnn` on Flex and the MNIST test set: what most tests here start from.
pub fn mnist_cnn() -> (xai_zoo::ZooModel, xai_datasets::Dataset, burn::tensor::Device) {
    ensure_weights();
    let device = burn::tensor::Device::flex();
    let model = xai_zoo::ZooModel::load(xai_zoo::ModelName::MnistCnn, &device).unwrap();
    let data =
        xai_datasets::registry::load_from("mnist-test", &xai_datasets::DataDir::resolve(None))
            .unwrap();
    (model, data, device)
}
