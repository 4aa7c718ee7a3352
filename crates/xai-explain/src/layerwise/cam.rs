//! Class activation maps on a [`LayeredNet`]'s feature map `A` (`K` channels of `u × v`):
//! [`Cam`] (Zhou et al. 2016, "Learning Deep Features for Discriminative Localization",
//! section 2: `M_c(x, y) = Σ_k w^c_k f_k(x, y)`) and [`GradCam`] (Selvaraju et al. 2017,
//! "Grad-CAM", Eqn. 1: `α^c_k = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij`, Eqn. 2:
//! `L^c = ReLU(Σ_k α^c_k A^k)`).
//!
//! # From the map to features
//! The `u × v` map is upsampled bilinearly (half-pixel centres, `align_corners = false`) to the
//! input's `H × W`, spread evenly over the `C` channels of each pixel (`map / C` per element)
//! and summed into the request's [`xai_core::FeatureSpace`] ([`crate::gradient::aggregate`]):
//! a pixel's score is the map's value there, a patch's score the sum over its pixels.
//!
//! # Contrast
//! With a contrast class `t` ([`ExplainRequest::with_contrast`]) the explained score is
//! `y_c − y_t`: CAM uses the weights `w^c − w^t`, Grad-CAM the gradient of `y_c − y_t`.

use super::require_layered;
use crate::explainer::Explainer;
use crate::gradient::{aggregate, row_objective};
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::Tensor;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};
use std::ops::Range;
use xai_core::host::{classes_tensor, to_vec_f32};
use xai_core::layered::{Layer, LayeredNet};
use xai_core::{Attribution, Classifier, Cost, Evaluator, XaiError};

/// Settings of [`Cam`].
#[derive(Config, Debug)]
pub struct CamConfig {
    /// Clip the map at zero (`max(M_c, 0)`) before upsampling. Zhou et al. 2016 keep the
    /// signed map (default `false`).
    #[config(default = false)]
    pub relu: bool,
    /// The node whose output is the feature map, by name; `None` (default) uses the net's
    /// [`LayeredNet::feature_node`] (the activation after the last convolution).
    pub layer: Option<String>,
}

impl CamConfig {
    /// Checks the settings (every combination is valid; the layer name is checked against the
    /// model at explain time).
    pub fn validate(&self) -> xai_core::Result<()> {
        Ok(())
    }
}

/// Class activation mapping (Zhou et al. 2016, section 2): for a network ending in global
/// average pooling → (flatten →) linear, `y_c = Σ_k w^c_k · mean_{x,y} f_k(x, y) + b_c`, and
/// the map of class `c` is `M_c(x, y) = Σ_k w^c_k f_k(x, y)` on the feature map `f` (so
/// `y_c = mean(M_c) + b_c`). Any other head is a [`XaiError::Unsupported`] error (use
/// [`GradCam`]); a model without a [`LayeredNet`] gets a "needs a layered model" error.
///
/// Cost per row: 1 forward evaluation (up to the feature map), no backward.
///
/// # Shapes
/// - request inputs: `[rows, C, H, W]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cam {
    config: CamConfig,
}

impl Default for Cam {
    fn default() -> Self {
        Self { config: CamConfig::new() }
    }
}

impl Cam {
    /// CAM with `config`.
    pub fn new(config: CamConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &CamConfig {
        &self.config
    }
}

/// The classifier weights `w` (`[K, classes]`) of a global-average-pool → (flatten →) linear
/// head right after activation `feature + 1`, or why there is none.
fn gap_linear_head(net: &LayeredNet, feature: usize) -> xai_core::Result<Tensor<2>> {
    let nodes = net.nodes();
    let rest = &nodes[feature + 1..];
    let kinds: Vec<&str> = rest.iter().map(|n| n.layer.kind()).collect();
    let unsupported = || XaiError::Unsupported {
        method: "cam".into(),
        requirement: format!(
            "a global-average-pool → (flatten →) linear head right after the feature node \
             '{}' (Zhou et al. 2016); this model has [{}] there (use grad-cam)",
            nodes[feature].name,
            kinds.join(" → ")
        ),
    };
    let mut next = feature + 1; // activation index the next head node must read
    let mut it = rest.iter();
    match it.next() {
        Some(n) if matches!(n.layer, Layer::GlobalAvgPool) && n.inputs == [next] => next += 1,
        _ => return Err(unsupported()),
    }
    let mut node = it.next().ok_or_else(unsupported)?;
    if matches!(node.layer, Layer::Flatten) && node.inputs == [next] {
        next += 1;
        node = it.next().ok_or_else(unsupported)?;
    }
    match (&node.layer, it.next()) {
        (Layer::Linear(linear), None) if node.inputs == [next] => Ok(linear.weight.val()),
        _ => Err(unsupported()),
    }
}

/// The node index named by `layer`, or the net's feature node.
fn feature_node_of(net: &LayeredNet, layer: &Option<String>) -> xai_core::Result<usize> {
    match layer {
        None => Ok(net.feature_node()),
        Some(name) => net.node_index(name).ok_or_else(|| {
            let names: Vec<&str> = net.nodes().iter().map(|n| n.name.as_str()).collect();
            XaiError::UnknownName {
                kind: "layer".into(),
                name: name.clone(),
                known: names.join(", "),
            }
        }),
    }
}

/// Upsamples `[b, 1, u, v]` maps bilinearly to the input's `H × W` and sums them into the
/// request's feature space (each element of a pixel gets `map / C`).
fn map_scores(map: Tensor<4>, request: &ExplainRequest<4>) -> xai_core::Result<Vec<Vec<f32>>> {
    let [_, c, h, w] = request.inputs().dims();
    let [b, _, u, v] = map.dims();
    let map = if [u, v] == [h, w] {
        map
    } else {
        let options = InterpolateOptions::new(InterpolateMode::Bilinear)
            .with_align_corners(false)
            .with_output_size([h, w]);
        interpolate(map, options)
    };
    let values = to_vec_f32(map)?;
    let hw = h * w;
    (0..b)
        .map(|i| {
            let pixels = &values[i * hw..(i + 1) * hw];
            let elements: Vec<f32> =
                (0..c).flat_map(|_| pixels.iter().map(|p| p / c as f32)).collect();
            aggregate(request.space(), &elements, false)
        })
        .collect()
}

/// One attribution per row from per-row scores and the cost of each chunk.
fn attributions(
    method: &str,
    request: &ExplainRequest<4>,
    scores: Vec<Vec<f32>>,
    per_row: Cost,
) -> xai_core::Result<Vec<Attribution>> {
    scores
        .into_iter()
        .enumerate()
        .map(|(row, s)| {
            Ok(Attribution::new(method, request.classes()[row], s, per_row)?
                .with_contrast(request.contrast_of(row)))
        })
        .collect()
}

/// The class indices of `range` (and of the contrast, if any).
fn chunk_classes(
    request: &ExplainRequest<4>,
    range: &Range<usize>,
) -> (Vec<usize>, Option<Vec<usize>>) {
    let classes = request.classes()[range.clone()].to_vec();
    let contrast = request.contrast().map(|t| t[range.clone()].to_vec());
    (classes, contrast)
}

impl Explainer<4> for Cam {
    fn name(&self) -> String {
        "cam".into()
    }

    fn explain<M: Classifier<4>>(
        &self,
        model: &M,
        request: &ExplainRequest<4>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let net = require_layered(model, "cam")?;
        let feature = feature_node_of(net, &self.config.layer)?;
        let weights = gap_linear_head(net, feature)?; // [K, classes]
        let [k, n_classes] = weights.dims();
        request.check_classes(n_classes)?;
        let w_t = weights.transpose(); // [classes, K]
        let eval = Evaluator::new(model);
        let mut scores = Vec::with_capacity(request.rows());
        for range in xai_core::batching::batches(request.rows(), request.batch_size())? {
            let b = range.len();
            let x = request.inputs().clone().narrow(0, range.start, b).without_autodiff();
            let device = x.device();
            let a = net.output_of(feature, x).without_autodiff();
            eval.counter().add_forward(b);
            let [_, ka, _, _] = a.dims();
            if ka != k {
                return Err(XaiError::shape(
                    "CAM feature map",
                    format!("{k} channels (the linear head's inputs)"),
                    &a.dims(),
                ));
            }
            let (classes, contrast) = chunk_classes(request, &range);
            let w_rows = w_t.clone().to_device(&device);
            let mut w = w_rows.clone().select(0, classes_tensor(&classes, &device));
            if let Some(t) = contrast {
                w = w - w_rows.select(0, classes_tensor(&t, &device));
            }
            let mut map = (a * w.reshape([b, k, 1, 1])).sum_dim(1); // [b, 1, u, v]
            if self.config.relu {
                map = burn::tensor::activation::relu(map);
            }
            scores.extend(map_scores(map, request)?);
        }
        let per_row = Cost { forward: 1, backward: 0 };
        debug_assert_eq!(eval.cost().forward, request.rows() as u64);
        attributions("cam", request, scores, per_row)
    }
}

/// Settings of [`GradCam`].
#[derive(Config, Debug)]
pub struct GradCamConfig {
    /// Clip the map at zero, `ReLU(Σ_k α_k A^k)` (Eqn. 2 of Selvaraju et al. 2017; default
    /// `true`). `false` keeps the signed map.
    #[config(default = true)]
    pub relu: bool,
    /// The node whose output is the feature map `A`, by name; `None` (default) uses the net's
    /// [`LayeredNet::feature_node`] (the activation after the last convolution).
    pub layer: Option<String>,
}

impl GradCamConfig {
    /// Checks the settings (every combination is valid; the layer name is checked against the
    /// model at explain time).
    pub fn validate(&self) -> xai_core::Result<()> {
        Ok(())
    }
}

/// Grad-CAM (Selvaraju et al. 2017): the channel weights are the spatially averaged gradients
/// of the class score with respect to the feature map `A` (Eqn. 1,
/// `α^c_k = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij`) and the map is `ReLU(Σ_k α^c_k A^k)` (Eqn. 2), with
/// `y^c` the logit, or `y_c − y_t` with a contrast class. Works for any head after the feature
/// map; for a global-average-pool → linear head it equals `ReLU(CAM) / Z` (section 3.1). A model
/// without a [`LayeredNet`] gets a "needs a layered model" error.
///
/// Rows are batched (`batch_size` per pass).
///
/// Cost per row: 1 forward + 1 backward evaluation.
///
/// # Shapes
/// - request inputs: `[rows, C, H, W]` → one score per feature per row
#[derive(Debug, Clone, serde::Serialize)]
pub struct GradCam {
    config: GradCamConfig,
}

impl Default for GradCam {
    fn default() -> Self {
        Self { config: GradCamConfig::new() }
    }
}

impl GradCam {
    /// Grad-CAM with `config`.
    pub fn new(config: GradCamConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &GradCamConfig {
        &self.config
    }
}

impl Explainer<4> for GradCam {
    fn name(&self) -> String {
        "grad-cam".into()
    }

    fn explain<M: Classifier<4>>(
        &self,
        model: &M,
        request: &ExplainRequest<4>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let net = require_layered(model, "grad-cam")?;
        let feature = feature_node_of(net, &self.config.layer)?;
        let start = feature + 1; // the feature map's activation index
        let eval = Evaluator::new(model);
        let mut scores = Vec::with_capacity(request.rows());
        for range in xai_core::batching::batches(request.rows(), request.batch_size())? {
            let b = range.len();
            let x = request.inputs().clone().narrow(0, range.start, b).without_autodiff();
            let device = x.device();
            // One forward pass: up to A (plain), then the rest from A tracked for gradients.
            let (a, last) = if net.is_cut(start) {
                let a = net.output_of(feature, x).without_autodiff();
                let a_ad = a.clone().autodiff().require_grad();
                let last = net.forward_tail(start, a_ad.clone()).expect("checked by is_cut");
                (a_ad, last)
            } else {
                let mut acts = net.activations(x);
                acts.truncate(start + 1);
                let a_ad = acts[start].clone().without_autodiff().autodiff().require_grad();
                acts[start] = a_ad.clone();
                let acts = net.forward_from(start, acts);
                let last = acts.last().expect("a validated net has nodes").clone();
                (a_ad, last)
            };
            eval.counter().add_forward(b);
            let logits = LayeredNet::logits_of(&[last]);
            let [n, n_classes] = logits.dims();
            request.check_classes(n_classes)?;
            if n != b {
                return Err(XaiError::shape(
                    "model logits",
                    format!("[{b}, classes]"),
                    &[n, n_classes],
                ));
            }
            let (classes, contrast) = chunk_classes(request, &range);
            let t = contrast.map(|t| classes_tensor(&t, &device));
            let objective = row_objective(logits, classes_tensor(&classes, &device), t);
            let grads = objective.sum().backward();
            eval.counter().add_backward(b);
            let a_plain = a.clone().without_autodiff();
            let g = a.grad(&grads).unwrap_or_else(|| a_plain.zeros_like());
            let alpha = g.mean_dim(3).mean_dim(2); // [b, K, 1, 1], Eqn. 1
            let mut map = (a_plain * alpha).sum_dim(1); // [b, 1, u, v], Eqn. 2
            if self.config.relu {
                map = burn::tensor::activation::relu(map);
            }
            scores.extend(map_scores(map, request)?);
        }
        let per_row = Cost { forward: 1, backward: 1 };
        debug_assert_eq!(
            eval.cost(),
            Cost { forward: request.rows() as u64, backward: request.rows() as u64 }
        );
        attributions("grad-cam", request, scores, per_row)
    }
}
