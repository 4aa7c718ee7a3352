//! The classifier abstraction every explainer, attack and metric works on.

use crate::cost::{Cost, CostCounter};
use crate::error::Result;
use crate::host::to_vec_f32;
use burn::tensor::{Int, Tensor};

/// A differentiable classifier: a batch of inputs `Tensor<D>` (batch first) to logits
/// `Tensor<2>` of shape `[batch, classes]`.
///
/// Any closure `Fn(Tensor<D>) -> Tensor<2>` is a classifier, so a Burn module is explained as
/// `|x| model.forward(x)` without writing an impl. Rows must be independent (inference mode):
/// the gradient of a sum of per-row objectives is then the per-row gradient.
///
/// # Shapes
/// - input: `[batch, ...]`
/// - output: `[batch, classes]`
pub trait Classifier<const D: usize> {
    /// Computes the logits of a batch.
    fn logits(&self, input: Tensor<D>) -> Tensor<2>;

    /// The model as a graph of known layers, if it has that form. Layer-wise methods (CAM,
    /// Grad-CAM, Guided Backpropagation, LRP, DeepLIFT, DeepSHAP) need it and report a
    /// "needs a layered model" error when it is `None` (the default, e.g. for closures).
    fn layered(&self) -> Option<&crate::layered::LayeredNet> {
        None
    }
}

impl<F, const D: usize> Classifier<D> for F
where
    F: Fn(Tensor<D>) -> Tensor<2>,
{
    fn logits(&self, input: Tensor<D>) -> Tensor<2> {
        self(input)
    }
}

/// A classifier wrapped with an evaluation counter: every forward and backward pass made
/// through it is counted per sample, which gives the [`Cost`] every algorithm reports.
pub struct Evaluator<'m, M: ?Sized, const D: usize> {
    model: &'m M,
    counter: CostCounter,
}

impl<'m, M: Classifier<D> + ?Sized, const D: usize> Evaluator<'m, M, D> {
    /// Wraps `model`, starting from zero cost.
    pub fn new(model: &'m M) -> Self {
        Self { model, counter: CostCounter::new() }
    }

    /// The wrapped model.
    pub fn model(&self) -> &'m M {
        self.model
    }

    /// Forward pass without gradient tracking; counts `batch` forward evaluations.
    ///
    /// # Shapes
    /// `[batch, ...]` → `[batch, classes]`
    pub fn logits(&self, input: Tensor<D>) -> Tensor<2> {
        let n = input.dims()[0];
        self.counter.add_forward(n);
        self.model.logits(input.without_autodiff()).without_autodiff()
    }

    /// Forward and backward pass: the gradient of `objective(logits)` (one value per row) with
    /// respect to the input. Returns the detached logits and the input gradient. Counts `batch`
    /// forward and `batch` backward evaluations.
    ///
    /// # Shapes
    /// - input: `[batch, ...]`; objective: `[batch, classes]` → `[batch]`
    /// - returns: logits `[batch, classes]`, gradient `[batch, ...]`
    pub fn gradient(
        &self,
        input: Tensor<D>,
        objective: impl FnOnce(Tensor<2>) -> Tensor<1>,
    ) -> (Tensor<2>, Tensor<D>) {
        let n = input.dims()[0];
        self.counter.add_forward(n);
        self.counter.add_backward(n);
        let x = input.without_autodiff().autodiff().require_grad();
        let logits = self.model.logits(x.clone());
        let loss = objective(logits.clone()).sum();
        let grads = loss.backward();
        let grad = x.grad(&grads).unwrap_or_else(|| x.clone().without_autodiff().zeros_like());
        (logits.without_autodiff(), grad)
    }

    /// Predicted classes (argmax of the logits); counts `batch` forward evaluations.
    pub fn predict(&self, input: Tensor<D>) -> Result<Vec<usize>> {
        let logits = self.logits(input);
        argmax_rows(logits)
    }

    /// The cost so far.
    pub fn cost(&self) -> Cost {
        self.counter.get()
    }

    /// The underlying counter, for algorithms that account for work done elsewhere.
    pub fn counter(&self) -> &CostCounter {
        &self.counter
    }
}

/// Each row's logit for its class: `logits[i, classes[i]]`.
///
/// # Shapes
/// `[batch, classes]`, `[batch]` → `[batch]`
pub fn class_logits(logits: Tensor<2>, classes: Tensor<1, Int>) -> Tensor<1> {
    let n = classes.dims()[0];
    logits.gather(1, classes.reshape([n, 1])).reshape([n])
}

/// The argmax of each row, read back to the host.
pub fn argmax_rows(logits: Tensor<2>) -> Result<Vec<usize>> {
    let [n, c] = logits.dims();
    let values = to_vec_f32(logits)?;
    Ok((0..n)
        .map(|i| {
            let row = &values[i * c..(i + 1) * c];
            let mut best = 0;
            for (j, v) in row.iter().enumerate() {
                if *v > row[best] {
                    best = j;
                }
            }
            best
        })
        .collect())
}
