//! The rows an attack works on, flattened to `[rows, elements]` so that per-row budgets
//! broadcast as `[rows, 1]` columns whatever the input rank.

use crate::objective::{AttackLoss, adversarial_score};
use burn::tensor::{Int, Tensor};
use xai_core::host::classes_tensor;
use xai_core::{Result, XaiError};

/// A batch of attack rows: inputs, free masks, classes (labels or targets) and the valid box.
///
/// Built by the estimators from a [`crate::RobustnessQuery`]; implementors of
/// [`crate::FixedEpsAttack`] read it. Every row has its own mask and class.
///
/// # Shapes
/// - inputs and free masks are stored flat: `[rows, elements]`; [`AttackBatch::to_model`]
///   restores the model's `[rows, ...sample_shape]` (rank `D`).
#[derive(Debug, Clone)]
pub struct AttackBatch<const D: usize> {
    x: Tensor<2>,
    free: Tensor<2>,
    /// `x ⊙ (1 − free)`: the fixed part of every perturbed input, built once per batch rather
    /// than at every attack step.
    fixed: Tensor<2>,
    classes: Tensor<1, Int>,
    classes_host: Vec<usize>,
    competitors: Option<(Tensor<1, Int>, Vec<usize>)>,
    targeted: bool,
    bounds: (f32, f32),
    sample_shape: [usize; D],
}

impl<const D: usize> AttackBatch<D> {
    /// A batch from model-shaped inputs and free masks (`1` = free to perturb), one class per
    /// row (label when untargeted, target when `targeted`).
    ///
    /// # Shapes
    /// - inputs, free: `[rows, ...]`; classes: `rows` values
    pub fn new(
        inputs: Tensor<D>,
        free: Tensor<D>,
        classes: Vec<usize>,
        targeted: bool,
        bounds: (f32, f32),
    ) -> Result<Self> {
        let dims = inputs.dims();
        if free.dims() != dims {
            return Err(XaiError::shape(
                "free mask",
                format!("{dims:?} (the inputs' shape)"),
                &free.dims(),
            ));
        }
        if classes.len() != dims[0] {
            return Err(XaiError::shape(
                "classes",
                format!("one per row ({} rows)", dims[0]),
                &[classes.len()],
            ));
        }
        let n_el: usize = dims[1..].iter().product();
        let device = inputs.device();
        let (x, free) = (inputs.reshape([dims[0], n_el]), free.reshape([dims[0], n_el]));
        Ok(Self {
            fixed: fixed_part(x.clone(), free.clone()),
            x,
            free,
            classes: classes_tensor(&classes, &device),
            classes_host: classes,
            competitors: None,
            targeted,
            bounds,
            sample_shape: dims,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.classes_host.len()
    }

    /// Number of input elements per row.
    pub fn elements(&self) -> usize {
        self.x.dims()[1]
    }

    /// The clean inputs, flat.
    ///
    /// # Shapes
    /// `[rows, elements]`
    pub fn inputs(&self) -> Tensor<2> {
        self.x.clone()
    }

    /// The free masks (1 = free to perturb), flat.
    ///
    /// # Shapes
    /// `[rows, elements]`
    pub fn free(&self) -> Tensor<2> {
        self.free.clone()
    }

    /// Each row's class on the device: label (untargeted) or target (targeted).
    pub fn classes(&self) -> Tensor<1, Int> {
        self.classes.clone()
    }

    /// Each row's class on the host.
    pub fn classes_host(&self) -> &[usize] {
        &self.classes_host
    }

    /// The same batch with one competitor class per row, pushed towards by
    /// [`AttackLoss::Pairwise`]; errors on a length mismatch.
    pub fn with_competitors(mut self, competitors: Vec<usize>) -> Result<Self> {
        if competitors.len() != self.rows() {
            return Err(XaiError::shape(
                "competitors",
                format!("one per row ({} rows)", self.rows()),
                &[competitors.len()],
            ));
        }
        self.competitors = Some((classes_tensor(&competitors, &self.x.device()), competitors));
        Ok(self)
    }

    /// Each row's competitor class, if set.
    pub fn competitors(&self) -> Option<&[usize]> {
        self.competitors.as_ref().map(|(_, host)| host.as_slice())
    }

    /// Whether rows must reach their class (Eqn. 2) rather than leave it (Eqn. 1).
    pub fn is_targeted(&self) -> bool {
        self.targeted
    }

    /// The valid input box `(lo, hi)`.
    pub fn bounds(&self) -> (f32, f32) {
        self.bounds
    }

    /// Flat rows back to the model's input shape.
    ///
    /// # Shapes
    /// `[k, elements]` → `[k, ...sample_shape]`
    pub fn to_model(&self, flat: Tensor<2>) -> Tensor<D> {
        let mut shape = self.sample_shape;
        shape[0] = flat.dims()[0];
        flat.reshape(shape)
    }

    /// Model-shaped rows to flat rows.
    ///
    /// # Shapes
    /// `[k, ...]` → `[k, elements]`
    pub fn flatten(&self, t: Tensor<D>) -> Tensor<2> {
        let k = t.dims()[0];
        t.reshape([k, self.elements()])
    }

    /// The sub-batch of the given rows (in that order).
    pub fn select(&self, rows: &[usize]) -> Self {
        let idx = index_tensor(rows, &self.x.device());
        Self {
            x: self.x.clone().select(0, idx.clone()),
            free: self.free.clone().select(0, idx.clone()),
            fixed: self.fixed.clone().select(0, idx.clone()),
            classes: self.classes.clone().select(0, idx),
            classes_host: rows.iter().map(|&r| self.classes_host[r]).collect(),
            competitors: self.competitors.as_ref().map(|(_, host)| {
                let picked: Vec<usize> = rows.iter().map(|&r| host[r]).collect();
                (classes_tensor(&picked, &self.x.device()), picked)
            }),
            targeted: self.targeted,
            bounds: self.bounds,
            sample_shape: self.sample_shape,
        }
    }

    /// The adversarial input for a perturbation: `clip(x + δ)` on free elements and exactly `x`
    /// elsewhere, so the result is inside the box and unchanged outside the free set bit for
    /// bit.
    ///
    /// # Shapes
    /// `[rows, elements]` → `[rows, elements]`
    pub fn perturbed(&self, delta: Tensor<2>) -> Tensor<2> {
        let (lo, hi) = self.bounds;
        let moved = (self.x.clone() + delta).clamp(lo, hi);
        moved * self.free.clone() + self.fixed.clone()
    }

    /// The attack score of each row (higher = more adversarial); see [`AttackLoss`]. Errors
    /// if a class index is not below the number of logits or there are fewer than 2 logits.
    ///
    /// # Shapes
    /// `[rows, classes]` → `[rows]`
    pub fn score(&self, loss: AttackLoss, logits: Tensor<2>) -> Result<Tensor<1>> {
        self.check_classes(logits.dims())?;
        let rival = self.competitors.as_ref().map(|(t, _)| t.clone());
        Ok(adversarial_score(loss, logits, self.classes.clone(), rival, self.targeted))
    }

    /// Whether each row's prediction meets its goal, read back to the host (one sync).
    ///
    /// # Shapes
    /// `[rows, classes]` → `rows` flags
    pub fn successes(&self, logits: Tensor<2>) -> Result<Vec<bool>> {
        self.check_classes(logits.dims())?;
        let predicted = xai_core::classifier::argmax_rows(logits)?;
        Ok(predicted
            .iter()
            .zip(&self.classes_host)
            .map(|(&p, &c)| if self.targeted { p == c } else { p != c })
            .collect())
    }

    /// Errors unless the logits have one row per batch row, at least 2 classes, and every
    /// class index is in range.
    pub fn check_classes(&self, dims: [usize; 2]) -> Result<()> {
        let [n, c] = dims;
        if n != self.rows() || c < 2 {
            return Err(XaiError::shape(
                "model output",
                format!("[{}, classes >= 2] logits", self.rows()),
                &dims,
            ));
        }
        let rivals = self.competitors().unwrap_or(&[]);
        if let Some(row) = rivals.iter().position(|&k| k >= c) {
            return Err(XaiError::invalid(
                format!("competitor of row {row}"),
                rivals[row],
                format!("< {c}"),
            ));
        }
        if let Some(row) = self.classes_host.iter().position(|&k| k >= c) {
            let what = if self.targeted { "target" } else { "label" };
            return Err(XaiError::invalid(
                format!("{what} of row {row}"),
                self.classes_host[row],
                format!("a class index below the model's {c} logits"),
            ));
        }
        Ok(())
    }
}

/// `x ⊙ (1 − free)`, the elements a perturbation never changes.
///
/// # Shapes
/// `[rows, elements]` each → `[rows, elements]`
fn fixed_part(x: Tensor<2>, free: Tensor<2>) -> Tensor<2> {
    x * free.neg().add_scalar(1.0)
}

/// An integer index tensor for rows.
pub(crate) fn index_tensor(rows: &[usize], device: &burn::tensor::Device) -> Tensor<1, Int> {
    classes_tensor(rows, device)
}

/// The attack score of each row and its gradient with respect to the (flat) input, through
/// `eval` (counts one forward and one backward evaluation per row).
///
/// # Shapes
/// - point: `[rows, elements]` → logits `[rows, classes]` (detached), gradient `[rows, elements]`
pub(crate) fn score_gradient<M, const D: usize>(
    eval: &xai_core::Evaluator<'_, M, D>,
    batch: &AttackBatch<D>,
    loss: AttackLoss,
    point: Tensor<2>,
) -> Result<(Tensor<2>, Tensor<2>)>
where
    M: xai_core::Classifier<D> + ?Sized,
{
    let mut failure = None;
    let (logits, grad) =
        eval.gradient(batch.to_model(point), |logits| match batch.score(loss, logits.clone()) {
            Ok(score) => score,
            Err(e) => {
                failure = Some(e);
                let n = logits.dims()[0];
                logits.sum_dim(1).reshape([n]).mul_scalar(0.0)
            }
        });
    match failure {
        Some(e) => Err(e),
        None => Ok((logits, batch.flatten(grad))),
    }
}
