//! The robustness metric's input: per-row minimum adversarial norms, measured inside a step.

use burn::tensor::{Int, Tensor};
use xai_attacks::{RobustnessBatch, RobustnessEstimator, RobustnessQuery};
use xai_core::{Classifier, XaiError};

/// Per-row minimum adversarial norms and whether each is backed by a verified adversarial
/// example: the input of [`crate::RobustnessMetric`] and [`crate::AdversarialFoundMetric`].
///
/// burn-train computes metrics on a worker thread from detached tensors, where no gradient can
/// be taken; the estimate (an upper bound on Robustness-S, Eqn. 1 of Hsieh et al. 2021, with
/// every input element free) is therefore made inside the training or validation step with
/// [`RobustnessInput::measure`] (or [`RobustnessInput::from_batch`]) and only these host values
/// travel to the metric thread.
///
/// # Shapes
/// - norms, found: `rows` values each (`rows` may be 0: a step that measured nothing)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RobustnessInput {
    norms: Vec<f32>,
    found: Vec<bool>,
}

impl RobustnessInput {
    /// An input from host values. Rows where `found` is true must hold a finite, non-negative
    /// norm; other rows may hold anything (an estimator's [`xai_attacks::Fallback`], e.g. `+∞`)
    /// and are ignored by the norm metric.
    ///
    /// # Shapes
    /// - norms, found: `rows` values each
    pub fn new(norms: Vec<f32>, found: Vec<bool>) -> xai_core::Result<Self> {
        if norms.len() != found.len() {
            return Err(XaiError::shape(
                "found flags",
                format!("one per norm ({} norms)", norms.len()),
                &[found.len()],
            ));
        }
        if let Some(v) =
            norms.iter().zip(&found).find(|(v, f)| **f && !(v.is_finite() && **v >= 0.0))
        {
            return Err(XaiError::invalid(
                "minimum adversarial norm of a found row",
                v.0,
                "a finite non-negative number",
            ));
        }
        Ok(Self { norms, found })
    }

    /// No rows: for steps that skip the (costly) estimate. The metrics record it without
    /// changing their epoch value.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The estimates of a [`RobustnessBatch`] (its verified norms and found flags).
    pub fn from_batch<const D: usize>(batch: &RobustnessBatch<D>) -> Self {
        Self { norms: batch.estimates(), found: batch.found() }
    }

    /// Estimates the untargeted minimum adversarial norm of every row of `inputs` (all input
    /// elements free, box `[0, 1]`) with `estimator`. Call it in a step on the model in
    /// inference mode (e.g. `&|x: Tensor<4>| model.forward(x)`); for another box or goal, build a
    /// [`RobustnessQuery`] and use [`RobustnessInput::from_batch`].
    ///
    /// Cost: the estimator's, per row (e.g. ~230 evaluations for the default [`xai_attacks::Fmn`],
    /// ~20–30 for the default [`xai_attacks::DeepFool`]); the targets are read back once.
    ///
    /// # Shapes
    /// - inputs: `[rows, ...]`; targets: `[rows]` (class indices)
    pub fn measure<M, E, const D: usize>(
        model: &M,
        inputs: Tensor<D>,
        targets: Tensor<1, Int>,
        estimator: &E,
    ) -> xai_core::Result<Self>
    where
        M: Classifier<D>,
        E: RobustnessEstimator<D>,
    {
        let labels = labels_from_targets(targets)?;
        let free = inputs.ones_like();
        let query = RobustnessQuery::new(inputs, labels, free)?;
        Ok(Self::from_batch(&estimator.estimate(model, &query)?))
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.norms.len()
    }

    /// The per-row norms (the estimator's fallback value where not found).
    pub fn norms(&self) -> &[f32] {
        &self.norms
    }

    /// Which rows are backed by a verified adversarial example.
    pub fn found(&self) -> &[bool] {
        &self.found
    }

    /// Number of rows with a verified adversarial example.
    pub fn found_count(&self) -> usize {
        self.found.iter().filter(|f| **f).count()
    }

    /// The sum of the norms of the found rows (in `f64`) and how many there are.
    pub fn found_sum(&self) -> (f64, usize) {
        self.norms
            .iter()
            .zip(&self.found)
            .filter(|(_, f)| **f)
            .fold((0.0, 0), |(s, n), (v, _)| (s + *v as f64, n + 1))
    }

    /// The mean norm over the found rows; `None` when no row was found.
    pub fn mean_found_norm(&self) -> Option<f64> {
        let (sum, n) = self.found_sum();
        (n > 0).then(|| sum / n as f64)
    }
}

/// Class indices from an integer target tensor, read back to the host; errors on negative
/// values.
///
/// # Shapes
/// `[rows]` → `rows` labels
pub fn labels_from_targets(targets: Tensor<1, Int>) -> xai_core::Result<Vec<usize>> {
    let values =
        targets.try_into_vec_as::<i64>().map_err(|e| XaiError::Readback(format!("{e:?}")))?;
    values
        .into_iter()
        .map(|v| {
            usize::try_from(v)
                .map_err(|_| XaiError::invalid("target class", v, "a non-negative class index"))
        })
        .collect()
}
