//! Fixed-budget attacks: the building block the minimum-norm bisection searches over.

use crate::batch::AttackBatch;
use burn::tensor::Tensor;
use xai_core::{Classifier, Cost, Evaluator, Norm, Result};

/// What a fixed-budget attack returns for a batch.
#[derive(Debug, Clone)]
pub struct AttackOutcome {
    /// Whether each row's final input meets its goal (`f(x+δ) ≠ y`, or `= t`).
    pub success: Vec<bool>,
    /// The final perturbed inputs, flat like the batch; inside the box and equal to the clean
    /// input outside each row's free set.
    ///
    /// # Shapes
    /// `[rows, elements]`
    pub adversarial: Tensor<2>,
    /// Model evaluations spent on each row.
    pub row_costs: Vec<Cost>,
}

/// An attack that searches for a successful perturbation within a fixed budget: `‖δ‖ ≤ ε_i`
/// for row `i`, with `δ` zero outside the row's free set (the constraint set of Eqn. 1 / 2 of
/// Hsieh et al. 2021 at a fixed norm). [`crate::BisectionSearch`] turns any such attack into a
/// minimum-norm estimator.
pub trait FixedEpsAttack<const D: usize> {
    /// The norm in which budgets are measured.
    fn norm(&self) -> Norm;

    /// A short name for reports, e.g. `"masked-pgd"`.
    fn name(&self) -> String;

    /// `Some(m)` when the attack pushes towards one competitor class per row
    /// ([`crate::AttackLoss::Pairwise`]): the search then picks it among the `m` strongest
    /// classes with [`crate::competitors::nearest_competitors`] before the first run.
    fn competitor_candidates(&self) -> Option<usize> {
        None
    }

    /// Attacks every row of `batch` within its budget `eps[i]`, counting evaluations on `eval`.
    ///
    /// # Shapes
    /// - `batch`: `rows` rows; `eps`: `rows` values → outcome with `rows` rows
    fn perturb<M: Classifier<D>>(
        &self,
        eval: &Evaluator<'_, M, D>,
        batch: &AttackBatch<D>,
        eps: &[f32],
    ) -> Result<AttackOutcome>;
}
