//! A modified backward pass over a [`LayeredNet`]: the machinery shared by Guided
//! Backpropagation, LRP-ε, DeepLIFT and DeepSHAP.
//!
//! # How it works
//! 1. One forward pass records every activation (`net.activations(x)`: `acts[0]` is the input,
//!    `acts[k + 1]` the output of node `k`).
//! 2. A start signal is placed on the logits ([`output_selector`]: `+1` at the explained class,
//!    `−1` at the contrast class).
//! 3. The nodes are visited in reverse order. Each node turns the signal on its output into
//!    one signal per input with a [`BackwardRule`]; signals reaching the same activation from
//!    several consumers (residual [`Layer::Add`] branches) are summed.
//!
//! The plain rule for a node is its vector–Jacobian product ([`NodeStep::vjp`]), computed by
//! autodiff of that single node: its inputs are detached, marked `.autodiff().require_grad()`,
//! the node is re-applied (`net.apply`), and `Σ out ⊙ g` is differentiated. With the plain rule
//! everywhere, [`propagate`] returns the ordinary input gradient; methods override it at the
//! nonlinearities ([`Layer::Relu`], [`Layer::Relu6`], [`Layer::MaxPool2d`]) or change what the
//! signal means (relevance for LRP, multipliers for DeepLIFT).

use super::require_layered;
use crate::gradient::{aggregate, pick_rows};
use crate::request::ExplainRequest;
use burn::tensor::Tensor;
use std::ops::Range;
use xai_core::host::{from_vec_f32, to_vec_f32};
use xai_core::layered::{Layer, LayeredNet};
use xai_core::{Attribution, Classifier, Cost, Result, XaiError};

/// A per-method backward rule: how the signal on a node's output becomes signals on its
/// inputs.
pub trait BackwardRule {
    /// One signal per input of `step`'s node (in the order of `Node::inputs`), each the shape
    /// of that input, from `signal` (the shape of the node's output).
    fn backward(&self, step: &NodeStep<'_>, signal: Tensor<4>) -> Vec<Tensor<4>>;
}

/// The ordinary backward pass: every node by its vector–Jacobian product. [`propagate`] with
/// this rule gives the input gradient.
#[derive(Debug, Clone, Copy, Default)]
pub struct GradientRule;

impl BackwardRule for GradientRule {
    fn backward(&self, step: &NodeStep<'_>, signal: Tensor<4>) -> Vec<Tensor<4>> {
        step.vjp(signal)
    }
}

/// One node of a [`LayeredNet`] during [`propagate`], with the forward activations.
#[derive(Debug, Clone, Copy)]
pub struct NodeStep<'a> {
    net: &'a LayeredNet,
    index: usize,
    acts: &'a [Tensor<4>],
}

impl<'a> NodeStep<'a> {
    /// Node `index` of `net` with the activations `acts` of one forward pass.
    pub fn new(net: &'a LayeredNet, index: usize, acts: &'a [Tensor<4>]) -> Self {
        Self { net, index, acts }
    }

    /// The node's index in `net.nodes()`.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The node's layer.
    pub fn layer(&self) -> &'a Layer {
        &self.net.nodes()[self.index].layer
    }

    /// The activation indices the node reads (0 = the network input, `k` = output of node
    /// `k − 1`).
    pub fn input_ids(&self) -> &'a [usize] {
        &self.net.nodes()[self.index].inputs
    }

    /// The node's forward inputs.
    pub fn inputs(&self) -> Vec<Tensor<4>> {
        self.inputs_in(self.acts)
    }

    /// Input `i` of the node in the forward pass.
    pub fn input(&self, i: usize) -> Tensor<4> {
        self.acts[self.input_ids()[i]].clone()
    }

    /// The node's forward output.
    pub fn output(&self) -> Tensor<4> {
        self.acts[self.index + 1].clone()
    }

    /// The node's inputs in another forward pass `acts` (e.g. of a reference input).
    pub fn inputs_in(&self, acts: &[Tensor<4>]) -> Vec<Tensor<4>> {
        self.input_ids().iter().map(|&i| acts[i].clone()).collect()
    }

    /// The node's output in another forward pass `acts`.
    pub fn output_in(&self, acts: &[Tensor<4>]) -> Tensor<4> {
        acts[self.index + 1].clone()
    }

    /// The vector–Jacobian product `Jᵀ g` of the node at its forward inputs, one tensor per
    /// input (see [`NodeStep::vjp_at`]).
    pub fn vjp(&self, cotangent: Tensor<4>) -> Vec<Tensor<4>> {
        self.vjp_at(self.inputs(), cotangent)
    }

    /// The vector–Jacobian product of the node at `inputs`: `∂/∂a_i Σ node(a) ⊙ g`, by autodiff
    /// of this node alone (inputs detached and re-marked as leaves).
    ///
    /// # Shapes
    /// - inputs: the node's input shapes; cotangent: its output shape → the input shapes
    pub fn vjp_at(&self, inputs: Vec<Tensor<4>>, cotangent: Tensor<4>) -> Vec<Tensor<4>> {
        let leaves: Vec<Tensor<4>> =
            inputs.into_iter().map(|a| a.without_autodiff().autodiff().require_grad()).collect();
        let out = self.net.apply(self.index, leaves.clone());
        let grads = (out * cotangent.without_autodiff()).sum().backward();
        leaves
            .iter()
            .map(|a| a.grad(&grads).unwrap_or_else(|| a.clone().without_autodiff().zeros_like()))
            .collect()
    }
}

/// Runs the modified backward pass: `start` on the last activation (the logits), the nodes in
/// reverse order through `rule`, signals of several consumers summed. Returns the signal on
/// the network input (zeros when nothing reaches it).
///
/// # Shapes
/// - acts: `net.activations(x)` for a batch `[b, ...]`; start: the shape of the last activation
/// - returns: the shape of `acts[0]`
pub fn propagate<R: BackwardRule + ?Sized>(
    net: &LayeredNet,
    acts: &[Tensor<4>],
    start: Tensor<4>,
    rule: &R,
) -> Tensor<4> {
    let n = net.nodes().len();
    assert_eq!(acts.len(), n + 1, "propagate: one activation per node plus the input");
    let mut signals: Vec<Option<Tensor<4>>> = vec![None; n + 1];
    signals[n] = Some(start);
    for index in (0..n).rev() {
        let Some(signal) = signals[index + 1].take() else { continue };
        let step = NodeStep::new(net, index, acts);
        let backs = rule.backward(&step, signal);
        debug_assert_eq!(backs.len(), step.input_ids().len());
        for (&id, back) in step.input_ids().iter().zip(backs) {
            signals[id] = Some(match signals[id].take() {
                Some(acc) => acc + back,
                None => back,
            });
        }
    }
    signals[0].take().unwrap_or_else(|| acts[0].clone().without_autodiff().zeros_like())
}

/// The start signal on the logits: `+1` at each row's explained class, `−1` at its contrast
/// class (so the signal selects `f_y` or `f_y − f_t`), zeros elsewhere. Errors when a class is
/// not a column of the logits.
///
/// # Shapes
/// - logits: the last activation `[b, classes, 1, 1]` (any `[b, ...]` whose non-batch size is
///   the number of classes); classes, contrast: `b` each → the shape of `logits`
pub fn output_selector(
    logits: &Tensor<4>,
    classes: &[usize],
    contrast: Option<&[usize]>,
) -> Result<Tensor<4>> {
    let dims = logits.dims();
    let k: usize = dims[1..].iter().product();
    if classes.len() != dims[0] || contrast.is_some_and(|t| t.len() != dims[0]) {
        return Err(XaiError::shape(
            "explained classes",
            format!("{} (one per row)", dims[0]),
            &[classes.len()],
        ));
    }
    let all = classes.iter().chain(contrast.into_iter().flatten());
    if let Some(c) = all.copied().find(|&c| c >= k) {
        return Err(XaiError::invalid("class", c, format!("0..{k} (model classes)")));
    }
    let mut values = vec![0.0f32; dims[0] * k];
    for (row, &c) in classes.iter().enumerate() {
        values[row * k + c] += 1.0;
        if let Some(t) = contrast {
            values[row * k + t[row]] -= 1.0;
        }
    }
    from_vec_f32(values, dims, &logits.device())
}

/// The points of one batch in [`explain_points`].
pub(crate) struct PointBatch<'a> {
    /// The layered network.
    pub net: &'a LayeredNet,
    /// Flat point indices (point `p` belongs to request row `p / per_row`).
    pub points: Range<usize>,
    /// The request row of each point.
    pub rows: Vec<usize>,
    /// Each point's row input, `[points, ...sample_shape]`.
    pub inputs: Tensor<4>,
    /// Each point's explained class.
    pub classes: Vec<usize>,
    /// Each point's contrast class, if the request has them.
    pub contrast: Option<Vec<usize>>,
}

/// Runs `per_row` points per request row through `attribute` (element attributions of a
/// batch of points, `[points, ...sample_shape]`), at most `batch_size` points at a time;
/// averages each row's points, aggregates into the request's feature space (`absolute`: sum
/// of `|v|`, else signed sum) and charges every point `forwards` forward and one backward
/// evaluation.
pub(crate) fn explain_points<M: Classifier<4> + ?Sized>(
    method: &str,
    model: &M,
    request: &ExplainRequest<4>,
    per_row: usize,
    forwards: u64,
    absolute: bool,
    mut attribute: impl FnMut(&PointBatch<'_>) -> Result<Tensor<4>>,
) -> Result<Vec<Attribution>> {
    let net = require_layered(model, method)?;
    if per_row == 0 {
        return Err(XaiError::invalid(format!("{method} points per row"), 0, "at least 1"));
    }
    let space = request.space();
    let per = space.n_elements();
    let rows = request.rows();
    let mut sums = vec![0.0f64; rows * per];
    let mut costs = vec![Cost::default(); rows];
    for points in xai_core::batching::batches(rows * per_row, request.batch_size())? {
        let point_rows: Vec<usize> = points.clone().map(|p| p / per_row).collect();
        let inputs = pick_rows(request.inputs(), &point_rows).without_autodiff();
        let classes = point_rows.iter().map(|&r| request.classes()[r]).collect();
        let contrast = request.contrast().map(|t| point_rows.iter().map(|&r| t[r]).collect());
        let batch =
            PointBatch { net, points: points.clone(), rows: point_rows, inputs, classes, contrast };
        let values = attribute(&batch)?;
        let dims = values.dims();
        if dims[0] != points.len() || dims[0] * per != dims.iter().product::<usize>() {
            return Err(XaiError::shape(
                format!("{method} element attributions"),
                format!("[{}, {:?}]", points.len(), space.sample_shape()),
                &dims,
            ));
        }
        let values = to_vec_f32(values)?;
        for (&r, v) in batch.rows.iter().zip(values.chunks(per)) {
            let acc = &mut sums[r * per..(r + 1) * per];
            acc.iter_mut().zip(v).for_each(|(a, &v)| *a += v as f64);
            costs[r] += Cost { forward: forwards, backward: 1 };
        }
    }
    (0..rows)
        .map(|row| {
            let mean: Vec<f32> = sums[row * per..(row + 1) * per]
                .iter()
                .map(|s| (s / per_row as f64) as f32)
                .collect();
            let scores = aggregate(space, &mean, absolute)?;
            Ok(Attribution::new(method, request.classes()[row], scores, costs[row])?
                .with_contrast(request.contrast_of(row)))
        })
        .collect()
}
