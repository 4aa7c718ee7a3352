//! A loaded zoo model: an ONNX-imported network with its metadata.

use crate::generated::{efficientnet_lite0, mnist_cnn};
use crate::info::{ModelInfo, ModelName};
use crate::layered::layered_net;
use crate::weights::{load_bpk, weights_dir};
use burn::tensor::{Device, Tensor};
use std::path::Path;
use xai_core::{Classifier, LayeredNet, Result, XaiError};

pub(crate) enum Net {
    MnistCnn(mnist_cnn::Model),
    EfficientNetLite0(efficientnet_lite0::Model),
}

/// A zoo model with loaded weights. It is a [`Classifier<4>`] on the device it was loaded on,
/// and offers its layered form ([`ZooModel::layered_net`], [`Classifier::layered`]) to the
/// layer-wise methods (CAM, Grad-CAM, GuidedBP, LRP, DeepLIFT).
///
/// # Shapes
/// input `[batch, channels, height, width]` with values in `info().value_range` → logits
/// `[batch, n_classes]`.
pub struct ZooModel {
    pub(crate) name: ModelName,
    pub(crate) info: ModelInfo,
    pub(crate) net: Net,
    pub(crate) device: Device,
    /// The same network as a graph of known layers (modules shared with `net`).
    pub(crate) layered: LayeredNet,
}

impl ZooModel {
    /// Loads `name` on `device` from the zoo's weight directory ([`weights_dir`]).
    pub fn load(name: ModelName, device: &Device) -> Result<Self> {
        Self::load_from_dir(name, &weights_dir(), device)
    }

    /// Loads `name` on `device` from `<dir>/<file_stem>.bpk`.
    pub fn load_from_dir(name: ModelName, dir: &Path, device: &Device) -> Result<Self> {
        let info = name.info();
        let path = dir.join(format!("{}.bpk", info.file_stem));
        let net = match name {
            ModelName::MnistCnn => {
                let mut m = mnist_cnn::Model::new(device);
                load_bpk(&mut m, &path)?;
                Net::MnistCnn(m)
            }
            ModelName::EfficientNetLite0 => {
                let mut m = efficientnet_lite0::Model::new(device);
                load_bpk(&mut m, &path)?;
                Net::EfficientNetLite0(m)
            }
        };
        Self::from_net(name, net, device)
    }

    /// Wraps a loaded network, building its layered form.
    pub(crate) fn from_net(name: ModelName, net: Net, device: &Device) -> Result<Self> {
        let layered = layered_net(&net)?;
        Ok(Self { name, info: name.info(), net, device: device.clone(), layered })
    }

    /// The model as a [`LayeredNet`] with the same weights as the ONNX import (its node list
    /// is translated from the generated `forward()` by `cargo xtask import-onnx`). Its feature
    /// node is the activation after the last convolution: 50×8×8 for `mnist-cnn`, 1280×7×7 for
    /// `efficientnet-lite0`.
    pub fn layered_net(&self) -> &LayeredNet {
        &self.layered
    }

    /// Which model this is.
    pub fn name(&self) -> ModelName {
        self.name
    }

    /// The model's metadata.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// The device the weights live on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Checks that a batch has this model's input shape.
    pub fn check_input(&self, dims: &[usize]) -> Result<()> {
        let [c, h, w] = self.info.input_shape;
        if dims.len() != 4 || dims[1..] != [c, h, w] || dims[0] == 0 {
            return Err(XaiError::shape(
                format!("input of {}", self.info.name),
                format!("[batch >= 1, {c}, {h}, {w}]"),
                dims,
            ));
        }
        Ok(())
    }

    /// Logits of a batch after checking its shape.
    pub fn try_logits(&self, input: Tensor<4>) -> Result<Tensor<2>> {
        self.check_input(&input.dims())?;
        Ok(self.logits(input))
    }
}

impl Classifier<4> for ZooModel {
    fn logits(&self, input: Tensor<4>) -> Tensor<2> {
        match &self.net {
            Net::MnistCnn(m) => m.forward(input),
            Net::EfficientNetLite0(m) => m.forward(input),
        }
    }

    fn layered(&self) -> Option<&LayeredNet> {
        Some(&self.layered)
    }
}
