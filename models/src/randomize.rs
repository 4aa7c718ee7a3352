//! Model randomisation for the sanity check of explanations: a copy of a zoo model whose top
//! layers are re-initialised (Hsieh et al. 2021, appendix I: "randomly re-initialize the last
//! fully-connected layer"; Adebayo et al. 2018, "Sanity Checks for Saliency Maps", section 3.1:
//! cascading randomisation from the top layer down).

use crate::model::{Net, ZooModel};
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Tensor, TensorData};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use xai_core::host::to_vec_f32;
use xai_core::{XaiError, seed};

/// Which layers [`ZooModel::randomized`] re-initialises.
///
/// Layers are the model's parameterised sub-modules (convolutions, linear layers) in forward
/// order, as listed by [`ZooModel::parameterised_layers`]; the input-normalisation constants
/// are not layers and are never touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Randomization {
    /// The final (classifier) layer's weight and bias: `linear2` of `mnist-cnn`, `linear1` of
    /// `efficientnet-lite0` (Hsieh et al. 2021, appendix I).
    Last,
    /// The last `n` parameterised layers, top down (`Cascade(1)` = [`Randomization::Last`]);
    /// Adebayo et al. 2018's cascading randomisation stopped after `n` layers.
    Cascade(usize),
}

/// One parameter tensor of a zoo model, read back to the host.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedParameter {
    /// Its path in the module tree, e.g. `"linear2.weight"`.
    pub path: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its values, row-major.
    pub values: Vec<f32>,
}

impl ZooModel {
    /// The names of the parameterised layers (sub-modules holding float parameters) in forward
    /// order, e.g. `["conv2d1", "conv2d2", "linear1", "linear2"]` for `mnist-cnn`. burn-onnx
    /// declares the layers in graph order, so the last name is the classifier.
    pub fn parameterised_layers(&self) -> Vec<String> {
        let mut lister = Lister::default();
        match &self.net {
            Net::MnistCnn(m) => m.visit(&mut lister),
            Net::EfficientNetLite0(m) => m.visit(&mut lister),
        }
        lister.layers
    }

    /// Every float parameter tensor with its path, in declaration order (for comparing models
    /// parameter by parameter).
    pub fn parameters(&self) -> xai_core::Result<Vec<NamedParameter>> {
        let mut lister = Lister { read: true, ..Lister::default() };
        match &self.net {
            Net::MnistCnn(m) => m.visit(&mut lister),
            Net::EfficientNetLite0(m) => m.visit(&mut lister),
        }
        match lister.error {
            Some(e) => Err(e),
            None => Ok(lister.params),
        }
    }

    /// A copy of this model with the layers chosen by `how` re-initialised, for the sanity
    /// check (`xai_metrics::sanity_check`); every other
    /// parameter is shared with (and so bit-identical to) this model.
    ///
    /// Each re-initialised tensor (weight and bias alike) is drawn i.i.d. from `N(0, σ²)`, with
    /// `σ` the standard deviation of that tensor's trained values, so the new layer has the
    /// trained layer's scale but none of its structure (a constant tensor, `σ = 0`, becomes
    /// zeros). The draws happen on the host from `seed::stream_rng(seed, hash(path))`, one
    /// stream per tensor: the same seed gives the same model on every device, and a layer
    /// gets the same values under `Last` and any `Cascade(n)` (cascades are nested, as in
    /// Adebayo et al. 2018).
    ///
    /// Errors if `Cascade(n)` has `n = 0` or more layers than the model has.
    ///
    /// Cost: no model evaluations (reads back and rewrites the chosen layers' parameters).
    pub fn randomized(&self, how: Randomization, seed: u64) -> xai_core::Result<ZooModel> {
        let layers = self.parameterised_layers();
        let n = match how {
            Randomization::Last => 1,
            Randomization::Cascade(n) => n,
        };
        if n == 0 || n > layers.len() {
            return Err(XaiError::invalid(
                "layers to randomise",
                n,
                format!("1..={} (parameterised layers of {})", layers.len(), self.info.name),
            ));
        }
        let mut mapper = Reinit {
            targets: layers[layers.len() - n..].to_vec(),
            seed,
            path: Vec::new(),
            error: None,
        };
        let net = match &self.net {
            Net::MnistCnn(m) => Net::MnistCnn(m.clone().map(&mut mapper)),
            Net::EfficientNetLite0(m) => Net::EfficientNetLite0(m.clone().map(&mut mapper)),
        };
        if let Some(e) = mapper.error {
            return Err(e);
        }
        ZooModel::from_net(self.name, net, &self.device)
    }
}

/// Collects layer names (top-level sub-modules owning a float parameter) and, when `read`,
/// every float parameter's values.
#[derive(Default)]
struct Lister {
    read: bool,
    path: Vec<String>,
    layers: Vec<String>,
    params: Vec<NamedParameter>,
    error: Option<XaiError>,
}

impl ModuleVisitor for Lister {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        // A parameter directly on the model (depth 1) is a normalisation constant, not a layer.
        if self.path.len() >= 2 && self.layers.last() != Some(&self.path[0]) {
            self.layers.push(self.path[0].clone());
        }
        if self.read && self.error.is_none() {
            let tensor = param.val();
            let shape = tensor.dims().to_vec();
            match to_vec_f32(tensor) {
                Ok(values) => {
                    self.params.push(NamedParameter { path: self.path.join("."), shape, values })
                }
                Err(e) => self.error = Some(e),
            }
        }
    }
}

/// Re-draws every float parameter under one of the `targets` layers.
struct Reinit {
    targets: Vec<String>,
    seed: u64,
    path: Vec<String>,
    error: Option<XaiError>,
}

impl ModuleMapper for Reinit {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        if self.error.is_some() || self.path.len() < 2 || !self.targets.contains(&self.path[0]) {
            return param;
        }
        let path = self.path.join(".");
        let stream = fnv1a(path.as_bytes());
        let seed = self.seed;
        let mut error = None;
        let param = param.map(|tensor| match redraw(tensor.clone(), seed, stream) {
            Ok(t) => t,
            Err(e) => {
                error = Some(e);
                tensor
            }
        });
        self.error = error;
        param
    }
}

/// `N(0, σ²)` values of `tensor`'s shape, dtype and device, `σ` its values' standard deviation.
fn redraw<const D: usize>(
    tensor: Tensor<D>,
    seed_: u64,
    stream: u64,
) -> xai_core::Result<Tensor<D>> {
    let (dims, dtype, device) = (tensor.dims(), tensor.dtype(), tensor.device());
    let values = to_vec_f32(tensor)?;
    let n = values.len().max(1) as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let std = (values.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n).sqrt();
    let mut rng = seed::stream_rng(seed_, stream);
    let fresh: Vec<f32> =
        values.iter().map(|_| (std * rng.sample::<f64, _>(StandardNormal)) as f32).collect();
    Ok(Tensor::from_data(TensorData::new(fresh, dims), (&device, dtype)))
}

/// FNV-1a hash of a parameter path: a stable stream number per tensor.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}
