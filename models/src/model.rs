//! A loaded zoo model: an ONNX-imported network with its metadata.

use crate::generated::{efficientnet_lite0, mnist_cnn};
use crate::info::{ModelInfo, ModelName};
use crate::layered::layered_net;
use crate::onnx_weights::{check_sha256, load_onnx};
use crate::weights::{load_bpk, weights_dir, write_bpk};
use burn::tensor::{Device, Tensor};
use burn_store::ModuleSnapshot;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use xai_core::{Classifier, LayeredNet, Result, XaiError};
use xai_datasets::DataDir;

/// Serialises first-use imports within a process (test threads load the same model at once);
/// across processes the weight file is written under a temporary name and renamed.
static IMPORT: Mutex<()> = Mutex::new(());

pub(crate) enum Net {
    MnistCnn(mnist_cnn::Model),
    EfficientNetLite0(efficientnet_lite0::Model),
}

/// Where a network's weights are read from.
enum WeightFile<'a> {
    Bpk(&'a Path),
    Onnx(&'a Path),
}

impl WeightFile<'_> {
    fn fill<M: ModuleSnapshot>(&self, module: &mut M) -> Result<()> {
        match self {
            WeightFile::Bpk(path) => load_bpk(module, path),
            WeightFile::Onnx(path) => load_onnx(module, path),
        }
    }
}

impl Net {
    /// Builds `name`'s network on `device` and fills its parameters from `file`.
    fn read(name: ModelName, file: WeightFile<'_>, device: &Device) -> Result<Self> {
        Ok(match name {
            ModelName::MnistCnn => {
                let mut m = mnist_cnn::Model::new(device);
                file.fill(&mut m)?;
                Net::MnistCnn(m)
            }
            ModelName::EfficientNetLite0 => {
                let mut m = efficientnet_lite0::Model::new(device);
                file.fill(&mut m)?;
                Net::EfficientNetLite0(m)
            }
        })
    }

    /// Writes the network's parameters to `path`.
    fn write_bpk(&self, path: &Path) -> Result<()> {
        match self {
            Net::MnistCnn(m) => write_bpk(m, path),
            Net::EfficientNetLite0(m) => write_bpk(m, path),
        }
    }
}

/// The model's ONNX file in `data`, checked against the zoo's sha256.
fn onnx_file(name: ModelName, data: &DataDir) -> Result<PathBuf> {
    let onnx = data.require(&format!("models/{}.onnx", name.info().file_stem))?;
    check_sha256(&onnx, name.info().onnx_sha256)?;
    Ok(onnx)
}

/// Writes the weight files of the zoo's models that [`weights_dir`] lacks, from their ONNX files
/// in `data`, and returns the models it wrote. [`ZooModel::load`] does the same for one model on
/// first use; this is for a setup step (`cargo xtask setup`) that prepares them all at once.
pub fn ensure_weights(data: &DataDir) -> Result<Vec<ModelName>> {
    let cpu = Device::flex();
    let mut written = Vec::new();
    for name in ModelName::ALL {
        let bpk = weights_dir().join(format!("{}.bpk", name.info().file_stem));
        if !bpk.is_file() {
            ZooModel::load_with(name, data, &cpu)?;
            written.push(name);
        }
    }
    Ok(written)
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
    /// Loads `name` on `device`. Its weights come from the zoo's weight directory
    /// ([`weights_dir`]); on first use they are read from the model's ONNX file in the data
    /// directory (`$BURN_XAI_DATA`, else `../shared`: see [`DataDir::resolve`]) and written
    /// there, so later loads skip the ONNX parse.
    pub fn load(name: ModelName, device: &Device) -> Result<Self> {
        Self::load_with(name, &DataDir::resolve(None), device)
    }

    /// [`ZooModel::load`] with the data directory that holds `models/<stem>.onnx`.
    pub fn load_with(name: ModelName, data: &DataDir, device: &Device) -> Result<Self> {
        Self::load_cached(name, data, &weights_dir(), device)
    }

    /// [`ZooModel::load_with`] with `cache` as the weight directory: reads
    /// `<cache>/<stem>.bpk`, or, when it is missing, `models/<stem>.onnx` in `data` (checked
    /// against the zoo's sha256) and writes the `.bpk` for the next load.
    pub fn load_cached(
        name: ModelName,
        data: &DataDir,
        cache: &Path,
        device: &Device,
    ) -> Result<Self> {
        let bpk = cache.join(format!("{}.bpk", name.info().file_stem));
        if bpk.is_file() {
            return Self::from_net(name, Net::read(name, WeightFile::Bpk(&bpk), device)?, device);
        }
        let _one_import_at_a_time = IMPORT.lock().unwrap_or_else(|e| e.into_inner());
        if bpk.is_file() {
            // Another thread wrote it while this one waited.
            return Self::from_net(name, Net::read(name, WeightFile::Bpk(&bpk), device)?, device);
        }
        let onnx = onnx_file(name, data)?;
        let net = Net::read(name, WeightFile::Onnx(&onnx), device)?;
        net.write_bpk(&bpk)?;
        Self::from_net(name, net, device)
    }

    /// Loads `name` on `device` from `<dir>/<file_stem>.bpk` only (no ONNX import).
    pub fn load_from_dir(name: ModelName, dir: &Path, device: &Device) -> Result<Self> {
        let path = dir.join(format!("{}.bpk", name.info().file_stem));
        Self::from_net(name, Net::read(name, WeightFile::Bpk(&path), device)?, device)
    }

    /// Loads `name` on `device` straight from an ONNX file (checked against the zoo's sha256),
    /// writing nothing.
    pub fn load_onnx(name: ModelName, onnx: &Path, device: &Device) -> Result<Self> {
        check_sha256(onnx, name.info().onnx_sha256)?;
        Self::from_net(name, Net::read(name, WeightFile::Onnx(onnx), device)?, device)
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
