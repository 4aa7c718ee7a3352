//! The zoo's models as [`LayeredNet`]s with the ONNX import's own modules (weights shared),
//! for the methods that need the network's inside (CAM, Grad-CAM, GuidedBP, LRP, DeepLIFT).
//!
//! The node lists in `generated/*_layered.rs` are translated from each generated `forward()`
//! by `cargo xtask import-onnx` (statement by statement, refusing anything unknown), so the
//! layered form is the imported network, not a hand-written copy:
//! - `mnist-cnn`: Normalize(0.1307, 0.3081) → conv → ReLU → max-pool → conv → ReLU → max-pool
//!   → flatten → linear → ReLU → linear; feature node: the ReLU after the second convolution
//!   (`relu2`, 50×8×8).
//! - `efficientnet-lite0`: Normalize (per-channel ImageNet mean/std) → 49 convolutions with
//!   ReLU6 and 9 residual Adds → global average pool → flatten → linear; feature node: the ReLU6
//!   after the last convolution (`clip33`, 1280×7×7).

use crate::generated::{efficientnet_lite0_layered, mnist_cnn_layered};
use crate::model::Net;
use burn::module::Param;
use burn::tensor::Tensor;
use xai_core::host::to_vec_f32;
use xai_core::{LayeredNet, Result, XaiError};

/// The values of a normalisation constant of the generated code: a `[1]` scalar (broadcast
/// over every channel) or a `[1, c, 1, 1]` per-channel tensor.
pub(crate) fn constant_values<const D: usize>(p: &Param<Tensor<D>>) -> Result<Vec<f32>> {
    let t = p.val();
    let dims = t.dims();
    let per_channel = D == 4 && dims[0] == 1 && dims[2] == 1 && dims[3] == 1;
    let scalar = dims.iter().all(|&d| d == 1);
    if !(per_channel || scalar) {
        return Err(XaiError::shape(
            "normalisation constant of a zoo model",
            "[1] or [1, channels, 1, 1]",
            &dims,
        ));
    }
    to_vec_f32(t)
}

/// The layered form of a loaded network (the modules are cloned, so weights are shared).
pub(crate) fn layered_net(net: &Net) -> Result<LayeredNet> {
    match net {
        Net::MnistCnn(m) => {
            LayeredNet::new(mnist_cnn_layered::nodes(m)?, mnist_cnn_layered::FEATURE_NODE)
        }
        Net::EfficientNetLite0(m) => LayeredNet::new(
            efficientnet_lite0_layered::nodes(m)?,
            efficientnet_lite0_layered::FEATURE_NODE,
        ),
    }
}
