//! Gradient-based baselines: [`Grad`], [`GradXInput`], [`IntegratedGradients`],
//! [`SmoothGrad`] and [`ExpectedGradients`], and the machinery they share.
//!
//! # Objective
//! Every method differentiates one scalar per row: the logit of the explained class `f_y(x)`,
//! or with a contrast class `t` ([`ExplainRequest::with_contrast`]) the logit difference
//! `f_y(x) − f_t(x)` ("why `y` and not `t`"). See [`row_objective`].
//!
//! # From input elements to features
//! Gradients live in input space; scores live in the request's [`FeatureSpace`]. A feature's
//! score is the **sum over its elements** ([`FeatureSpace::aggregate_sum`]): over the channels
//! of a pixel ([`FeatureSpace::pixels`]), over the pixels and channels of a patch
//! ([`FeatureSpace::patches`]), or the element itself ([`FeatureSpace::elements`]). Absolute
//! maps (`|∇f|`) sum the absolute values of the elements; signed maps (gradient ⊙ input,
//! Integrated Gradients, Expected Gradients) sum the signed values, so completeness-type
//! identities (`Σ_i a_i = f(x) − f(x')`) carry over to features unchanged. See [`aggregate`].
//!
//! # Cost
//! Every input sent through the model costs one forward and one backward evaluation, counted
//! by [`Evaluator::gradient`]. Inputs of several rows are batched together (at most
//! [`ExplainRequest::batch_size`] per call); each row is charged exactly its own inputs.

pub mod expected_gradients;
pub mod grad;
pub mod grad_x_input;
pub mod integrated_gradients;
pub mod smoothgrad;

pub use expected_gradients::{ExpectedGradients, ExpectedGradientsConfig};
pub use grad::{Grad, GradConfig};
pub use grad_x_input::GradXInput;
pub use integrated_gradients::{IntegratedGradients, IntegratedGradientsConfig, IntegrationRule};
pub use smoothgrad::{SmoothGrad, SmoothGradConfig};

use crate::request::ExplainRequest;
use burn::tensor::{Int, Tensor};
use std::ops::Range;
use xai_core::classifier::class_logits;
use xai_core::host::classes_tensor;
use xai_core::{Classifier, Cost, Evaluator, FeatureSpace, Result, XaiError};

/// The differentiated objective of each row: `f_y` (the explained class's logit), or
/// `f_y − f_t` with a contrast class `t`.
///
/// # Shapes
/// - logits: `[batch, classes]`; classes, contrast: `[batch]` → `[batch]`
pub fn row_objective(
    logits: Tensor<2>,
    classes: Tensor<1, Int>,
    contrast: Option<Tensor<1, Int>>,
) -> Tensor<1> {
    match contrast {
        None => class_logits(logits, classes),
        Some(t) => class_logits(logits.clone(), classes) - class_logits(logits, t),
    }
}

/// Sums per-element values of one sample into per-feature scores (see the module docs):
/// `s_j = Σ_{e ∈ feature j} v_e`, or `Σ |v_e|` when `absolute`.
pub fn aggregate(space: &FeatureSpace, element_values: &[f32], absolute: bool) -> Result<Vec<f32>> {
    if absolute {
        let abs: Vec<f32> = element_values.iter().map(|v| v.abs()).collect();
        space.aggregate_sum(&abs)
    } else {
        space.aggregate_sum(element_values)
    }
}

/// Input gradients of [`row_objective`] for `per_row` inputs per request row, in batches.
///
/// The points are numbered flat: point `p` belongs to row `p / per_row` (its `p % per_row`-th
/// input). [`BatchedGradients::chunks`] splits `0..rows × per_row` into ranges of at most
/// `request.batch_size()` points; the caller builds each chunk's inputs and calls
/// [`BatchedGradients::gradient`], which differentiates each point's row objective, checks
/// the classes against the model's logits and charges every row exactly its points
/// (one forward and one backward evaluation each, counted by [`Evaluator::gradient`]).
pub struct BatchedGradients<'a, 'm, M: ?Sized, const D: usize> {
    eval: Evaluator<'m, M, D>,
    request: &'a ExplainRequest<D>,
    per_row: usize,
    costs: Vec<Cost>,
}

impl<'a, 'm, M: Classifier<D> + ?Sized, const D: usize> BatchedGradients<'a, 'm, M, D> {
    /// A runner for `per_row ≥ 1` inputs per row of `request`.
    pub fn new(model: &'m M, request: &'a ExplainRequest<D>, per_row: usize) -> Result<Self> {
        if per_row == 0 {
            return Err(XaiError::invalid("gradient inputs per row", 0, "at least 1"));
        }
        Ok(Self {
            eval: Evaluator::new(model),
            request,
            per_row,
            costs: vec![Cost::default(); request.rows()],
        })
    }

    /// Number of points (`rows × per_row`).
    pub fn points(&self) -> usize {
        self.request.rows() * self.per_row
    }

    /// Consecutive point ranges of at most `batch_size` points covering all points.
    pub fn chunks(&self) -> Result<Vec<Range<usize>>> {
        Ok(xai_core::batching::batches(self.points(), self.request.batch_size())?.collect())
    }

    /// The request row of each point in `range`.
    pub fn rows_of(&self, range: Range<usize>) -> Vec<usize> {
        range.map(|p| p / self.per_row).collect()
    }

    /// The gradient of each point's row objective at `inputs` (one input per point of `range`).
    ///
    /// # Shapes
    /// - inputs: `[range.len(), ...sample_shape]` → `[range.len(), ...sample_shape]`
    pub fn gradient(&mut self, range: Range<usize>, inputs: Tensor<D>) -> Result<Tensor<D>> {
        let b = range.len();
        let dims = inputs.dims();
        self.request.space().check_input(&dims)?;
        if dims[0] != b {
            return Err(XaiError::shape("gradient inputs", format!("{b} rows"), &dims));
        }
        let rows = self.rows_of(range);
        let device = inputs.device();
        let classes: Vec<usize> = rows.iter().map(|&r| self.request.classes()[r]).collect();
        let contrast: Option<Vec<usize>> =
            self.request.contrast().map(|t| rows.iter().map(|&r| t[r]).collect());
        let request = self.request;
        let mut bad_logits: Option<[usize; 2]> = None;
        let before = self.eval.cost();
        let (_, grad) = self.eval.gradient(inputs, |logits| {
            let [n, c] = logits.dims();
            if n != b || request.check_classes(c).is_err() {
                // Differentiate a constant instead of indexing out of range; reported below.
                bad_logits = Some([n, c]);
                return logits.sum_dim(1).reshape([n]).mul_scalar(0.0);
            }
            let t = contrast.as_ref().map(|t| classes_tensor(t, &device));
            row_objective(logits, classes_tensor(&classes, &device), t)
        });
        if let Some([n, c]) = bad_logits {
            request.check_classes(c)?;
            return Err(XaiError::shape("model logits", format!("[{b}, classes]"), &[n, c]));
        }
        let spent = self.eval.cost();
        let per_point = Cost {
            forward: (spent.forward - before.forward) / b as u64,
            backward: (spent.backward - before.backward) / b as u64,
        };
        for &r in &rows {
            self.costs[r] += per_point;
        }
        Ok(grad)
    }

    /// The evaluations charged to each row so far.
    pub fn costs(&self) -> &[Cost] {
        &self.costs
    }
}

/// Rows of `tensor` picked by index, on its device.
///
/// # Shapes
/// `[n, ...]` → `[rows.len(), ...]`
pub(crate) fn pick_rows<const D: usize>(tensor: &Tensor<D>, rows: &[usize]) -> Tensor<D> {
    let index = classes_tensor(rows, &tensor.device());
    tensor.clone().select(0, index)
}

/// One value per row broadcast over the sample dimensions.
///
/// # Shapes
/// `values.len() = b` → `[b, ...sample]` (the shape `like` gives)
pub(crate) fn per_row_scale<const D: usize>(
    values: Vec<f32>,
    like: [usize; D],
    device: &burn::tensor::Device,
) -> Result<Tensor<D>> {
    let mut shape = [1usize; D];
    shape[0] = values.len();
    let t: Tensor<D> = xai_core::host::from_vec_f32(values, shape, device)?;
    Ok(t.expand(like))
}
