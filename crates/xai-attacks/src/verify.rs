//! Independent verification of adversarial examples: a fresh forward pass and host-side checks
//! of the constraints of Eqn. 1 / 2 (Hsieh et al. 2021).

use crate::batch::AttackBatch;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use xai_core::classifier::argmax_rows;
use xai_core::host::to_vec_f32;
use xai_core::{Classifier, Cost, Evaluator, Norm, Result};

/// Relative slack on "norm ≤ reported value" (float rounding of the norm itself).
pub const NORM_REL_TOL: f32 = 1e-5;
/// Absolute slack on "norm ≤ reported value".
pub const NORM_ABS_TOL: f32 = 1e-6;
/// Largest change allowed outside the free set, and largest excursion outside the box.
pub const ELEMENT_TOL: f32 = 1e-6;

/// Why an adversarial example was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VerifyFailure {
    /// The fresh prediction does not meet the goal (still the label, or not the target).
    NotAdversarial {
        /// The predicted class.
        predicted: usize,
    },
    /// `‖x_adv − x‖` exceeds the reported value.
    NormAboveEstimate {
        /// The measured norm.
        norm: f32,
        /// The reported value.
        estimate: f32,
    },
    /// An element outside the free set changed.
    ChangedOutsideFree {
        /// The largest change outside the free set.
        max_change: f32,
    },
    /// An element left the valid box.
    OutsideBox {
        /// The offending value.
        value: f32,
    },
    /// The example holds NaN or infinite values.
    NonFinite,
}

/// The verdict on one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowCheck {
    /// Whether every check passed.
    pub passed: bool,
    /// The measured `‖x_adv − x‖` (computed on the host in f64).
    pub norm: f32,
    /// The predicted class of the example.
    pub predicted: usize,
    /// The first failed check, if any.
    pub failure: Option<VerifyFailure>,
}

/// Verifies the rows of `batch` that carry a claim (`claimed[i] = Some(value)`): one fresh
/// forward pass over those rows (counted on `eval`: one forward evaluation per claimed row),
/// then host-side checks that the prediction meets the goal, `‖x_adv − x‖ ≤ value` (up to
/// [`NORM_REL_TOL`]/[`NORM_ABS_TOL`]), nothing changed outside the free set and everything is
/// inside the box (up to [`ELEMENT_TOL`]). Rows without a claim get `None` and cost nothing.
///
/// # Shapes
/// - batch: `rows` rows; adversarial: `[rows, elements]`; claimed: `rows` values
pub fn verify_rows<M: Classifier<D>, const D: usize>(
    eval: &Evaluator<'_, M, D>,
    batch: &AttackBatch<D>,
    adversarial: Tensor<2>,
    claimed: &[Option<f32>],
    norm: Norm,
) -> Result<Vec<Option<RowCheck>>> {
    let rows: Vec<usize> = (0..batch.rows()).filter(|&i| claimed[i].is_some()).collect();
    let mut out = vec![None; batch.rows()];
    if rows.is_empty() {
        return Ok(out);
    }
    let idx = crate::batch::index_tensor(&rows, &adversarial.device());
    let sub = batch.select(&rows);
    let adv = adversarial.select(0, idx);
    let logits = eval.logits(sub.to_model(adv.clone()));
    sub.check_classes(logits.dims())?;
    let predicted = argmax_rows(logits)?;
    let (x, free, adv) = (to_vec_f32(sub.inputs())?, to_vec_f32(sub.free())?, to_vec_f32(adv)?);
    let n = sub.elements();
    for (k, &row) in rows.iter().enumerate() {
        let span = k * n..(k + 1) * n;
        let check = check_row(
            &x[span.clone()],
            &free[span.clone()],
            &adv[span],
            predicted[k],
            sub.classes_host()[k],
            sub.is_targeted(),
            claimed[row].unwrap_or(f32::INFINITY),
            sub.bounds(),
            norm,
        );
        out[row] = Some(check);
    }
    Ok(out)
}

/// The checks of one row, on host values.
#[allow(clippy::too_many_arguments)]
fn check_row(
    x: &[f32],
    free: &[f32],
    adv: &[f32],
    predicted: usize,
    class: usize,
    targeted: bool,
    claimed: f32,
    (lo, hi): (f32, f32),
    norm: Norm,
) -> RowCheck {
    let diff: Vec<f32> = adv.iter().zip(x).map(|(a, b)| a - b).collect();
    let measured = match norm {
        Norm::L2 => diff.iter().map(|d| (*d as f64).powi(2)).sum::<f64>().sqrt() as f32,
        Norm::Linf => diff.iter().fold(0.0f32, |m, d| m.max(d.abs())),
    };
    let outside =
        diff.iter().zip(free).filter(|(_, f)| **f == 0.0).fold(0.0f32, |m, (d, _)| m.max(d.abs()));
    let off_box = adv.iter().copied().find(|v| *v < lo - ELEMENT_TOL || *v > hi + ELEMENT_TOL);
    let meets_goal = if targeted { predicted == class } else { predicted != class };
    let failure = if adv.iter().any(|v| !v.is_finite()) {
        Some(VerifyFailure::NonFinite)
    } else if let Some(value) = off_box {
        Some(VerifyFailure::OutsideBox { value })
    } else if outside > ELEMENT_TOL {
        Some(VerifyFailure::ChangedOutsideFree { max_change: outside })
    } else if !meets_goal {
        Some(VerifyFailure::NotAdversarial { predicted })
    } else if measured > claimed * (1.0 + NORM_REL_TOL) + NORM_ABS_TOL {
        Some(VerifyFailure::NormAboveEstimate { norm: measured, estimate: claimed })
    } else {
        None
    };
    RowCheck { passed: failure.is_none(), norm: measured, predicted, failure }
}

/// Re-verifies the found rows of an estimate independently of the estimator (e.g. in tests):
/// a fresh [`Evaluator`] over `model`. Returns one verdict per row (`None` for rows not
/// reported as found) and the forward evaluations spent.
///
/// # Shapes
/// - adversarial: `[rows, ...]` like the query's inputs; estimates, found: `rows` values
pub fn verify_adversarial<M: Classifier<D>, const D: usize>(
    model: &M,
    query: &crate::RobustnessQuery<D>,
    adversarial: Tensor<D>,
    estimates: &[f32],
    found: &[bool],
    norm: Norm,
) -> Result<(Vec<Option<RowCheck>>, Cost)> {
    let eval = Evaluator::new(model);
    let batch = query.batch()?;
    let claimed: Vec<Option<f32>> =
        estimates.iter().zip(found).map(|(e, f)| if *f { Some(*e) } else { None }).collect();
    if claimed.len() != batch.rows() {
        return Err(xai_core::XaiError::shape(
            "estimates",
            format!("{} rows", batch.rows()),
            &[claimed.len()],
        ));
    }
    let checks = verify_rows(&eval, &batch, batch.flatten(adversarial), &claimed, norm)?;
    Ok((checks, eval.cost()))
}
