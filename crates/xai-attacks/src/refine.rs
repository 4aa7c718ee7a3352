//! A cheap final refinement of a minimum-norm attack: bisection on the scale `t ∈ [0, 1]` of the
//! best perturbation found, with forward passes only.

use crate::batch::AttackBatch;
use crate::geometry::{blend_rows, col};
use crate::objective::class_margin;
use burn::tensor::{Bool, Tensor};
use xai_core::{Classifier, Cost, Evaluator, Result};

/// Relative safety margin of "adversarial": a row counts only if its goal margin exceeds
/// `ROBUST_MARGIN · (1 + max_j |f_j|)`, so a fresh forward pass (other batch size, other
/// summation order) cannot flip it back.
pub const ROBUST_MARGIN: f32 = 1e-6;

/// Whether each row robustly meets its goal: `f_c − max_{j≠c} f_j > κ` (targeted, class
/// `c = t`) or `max_{j≠c} f_j − f_c > κ` (untargeted, `c = y`), with
/// `κ = ROBUST_MARGIN · (1 + max_j |f_j|)`.
///
/// # Shapes
/// `[rows, classes]` → `[rows]`
pub fn robustly_adversarial<const D: usize>(
    batch: &AttackBatch<D>,
    logits: Tensor<2>,
) -> Result<Tensor<1, Bool>> {
    let [n, _] = logits.dims();
    batch.check_classes(logits.dims())?;
    let scale =
        logits.clone().abs().max_dim(1).reshape([n]).add_scalar(1.0).mul_scalar(ROBUST_MARGIN);
    let margin = class_margin(logits, batch.classes());
    let score = if batch.is_targeted() { margin } else { margin.neg() };
    Ok(score.greater(scale))
}

/// For each row of `batch`, the smallest `t ∈ [0, 1]` (to `2^-steps`) with `x + t·(a − x)`
/// robustly adversarial, where `a` is the row's adversarial example; returns the refined
/// examples. Rows whose `a` itself fails the check are returned unchanged. One forward
/// evaluation per row and step, charged to `costs`; the bracket stays on the device (no
/// host read-back).
///
/// # Shapes
/// - batch: `rows` rows; adversarial: `[rows, elements]` → `[rows, elements]`
pub fn refine_scale<M: Classifier<D>, const D: usize>(
    eval: &Evaluator<'_, M, D>,
    batch: &AttackBatch<D>,
    adversarial: Tensor<2>,
    steps: usize,
    costs: &mut [Cost],
) -> Result<Tensor<2>> {
    let k = batch.rows();
    if steps == 0 || k == 0 {
        return Ok(adversarial);
    }
    let delta = adversarial.clone() - batch.inputs();
    let mut lo: Tensor<1> = Tensor::zeros([k], &adversarial.device());
    let mut hi = lo.clone().add_scalar(1.0);
    for _ in 0..steps {
        let mid = (lo.clone() + hi.clone()).mul_scalar(0.5);
        let logits = eval.logits(batch.to_model(batch.perturbed(delta.clone() * col(mid.clone()))));
        let ok = robustly_adversarial(batch, logits)?;
        hi = hi.mask_where(ok.clone(), mid.clone());
        lo = lo.mask_where(ok.bool_not(), mid);
    }
    for cost in costs.iter_mut() {
        cost.forward += steps as u64;
    }
    let untouched = hi.clone().greater_equal_elem(1.0);
    let refined = batch.perturbed(delta * col(hi));
    Ok(blend_rows(refined, adversarial, untouched))
}
