//! Fast Minimum-Norm attack with feature masks (Pintor et al. 2021, "Fast Minimum-norm
//! Adversarial Attacks through Adaptive Norm Constraints", Algorithm 1), a direct minimum-norm
//! estimator of Robustness-S (Eqn. 1 / 2 of Hsieh et al. 2021).

use crate::batch::{AttackBatch, score_gradient};
use crate::competitors::nearest_competitors;
use crate::estimator::{Candidates, Claim, RobustnessBatch, RobustnessEstimator, run_estimator};
use crate::geometry::{
    blend_rows, clip_to_box, dual_norms, feasible_gradient, normalize_l2, project, row_norms,
};
use crate::objective::AttackLoss;
use crate::query::RobustnessQuery;
use crate::refine::{refine_scale, robustly_adversarial};
use burn::config::Config;
use burn::tensor::{Bool, Tensor};
use xai_core::host::to_vec_f32;
use xai_core::{Classifier, Cost, Evaluator, Norm, XaiError};

/// Settings of [`Fmn`]; defaults follow the reference implementation of Pintor et al. (step
/// `α` cosine-annealed from 1.0 to 0.01, ε-step `γ` from 0.05 to 0.001) with 100 steps, plus
/// a 16-step scale refinement.
#[derive(Config, Debug)]
pub struct FmnConfig {
    /// The norm minimised (L2 as in the paper; L∞ also supported).
    #[config(default = "Norm::L2")]
    pub norm: Norm,
    /// The logit difference minimised: [`AttackLoss::Pairwise`] (towards the competitor class
    /// nearest to first order, chosen once per row) or [`AttackLoss::Margin`] (the runner-up at
    /// every step, as Pintor et al.).
    #[config(default = "AttackLoss::Pairwise")]
    pub loss: AttackLoss,
    /// With `Pairwise`: how many of the strongest other classes are candidates.
    #[config(default = 9)]
    pub candidates: usize,
    /// Gradient steps (one forward + one backward evaluation per row each).
    #[config(default = 100)]
    pub steps: usize,
    /// Initial step length `α₀` (along the L2-normalised gradient).
    #[config(default = 1.0)]
    pub alpha_init: f32,
    /// Final step length.
    #[config(default = 0.01)]
    pub alpha_final: f32,
    /// Initial relative ε update `γ₀`.
    #[config(default = 0.05)]
    pub gamma_init: f32,
    /// Final relative ε update.
    #[config(default = 0.001)]
    pub gamma_final: f32,
    /// Forward-only bisection steps on the scale of the best perturbation (0 = none).
    #[config(default = 16)]
    pub refine_steps: usize,
    /// Rows where the `Pairwise` run found nothing (the first-order nearest competitor can be
    /// out of reach under a mask) are attacked again with [`AttackLoss::Margin`], which follows
    /// whichever class is the runner-up. Costs another `steps` evaluations for those rows only.
    #[config(default = true)]
    pub retry_with_margin: bool,
}

impl FmnConfig {
    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.steps == 0 {
            return Err(XaiError::invalid("FMN steps", 0, "at least 1"));
        }
        if !matches!(self.loss, AttackLoss::Margin | AttackLoss::Pairwise) {
            return Err(XaiError::invalid(
                "FMN loss",
                format!("{:?}", self.loss),
                "Margin or Pairwise (a logit difference)",
            ));
        }
        if self.candidates == 0 {
            return Err(XaiError::invalid("competitor candidates", 0, "at least 1"));
        }
        for (what, v) in
            [("FMN alpha_init", self.alpha_init), ("FMN alpha_final", self.alpha_final)]
        {
            if !(v.is_finite() && v > 0.0) {
                return Err(XaiError::invalid(what, v, "a positive finite step"));
            }
        }
        for (what, v) in
            [("FMN gamma_init", self.gamma_init), ("FMN gamma_final", self.gamma_final)]
        {
            if !(v > 0.0 && v < 1.0) {
                return Err(XaiError::invalid(what, v, "a fraction in (0, 1)"));
            }
        }
        Ok(())
    }

    /// The attack, after [`FmnConfig::validate`].
    pub fn init(&self) -> xai_core::Result<Fmn> {
        self.validate()?;
        Ok(Fmn { config: self.clone() })
    }
}

/// Masked FMN (Pintor et al. 2021, Algorithm 1) with per-row free masks `m`. Each step, with
/// `L = −score` the logit difference (positive while the goal is not met, see
/// [`AttackLoss::Margin`]) and `g = ∇L ⊙ m`:
/// - adversarial: ε ← min(ε(1 − γ), ‖δ*‖) (shrink; `δ*` is the smallest adversarial so far);
/// - not adversarial, none found yet: ε ← ‖δ‖ + |L| / ‖g‖_* (linear estimate of the boundary);
/// - not adversarial, one found before: ε ← ε(1 + γ);
///
/// then `δ ← Π_ε(δ − α g/‖g‖₂)`, `x + δ` clipped to the box and `δ` zeroed outside `m`. `α` and
/// `γ` follow cosine annealing. A final bisection on the scale of `δ*` (forward passes only)
/// tightens the estimate; the estimate is the verified norm of the returned example.
///
/// With [`AttackLoss::Pairwise`] (the default) the logit difference is `f_y − f_c` for the
/// competitor `c` nearest to first order ([`crate::competitors::nearest_competitors`]), which
/// makes the attack exact on linear multi-class models; targeted goals use `f_t − max_{j≠t} f_j`.
///
/// Cost per row: `steps` forward + `steps` backward, `refine_steps` forward, 1 forward for
/// verification, plus `1 + candidates` forward and `candidates` backward for the competitor
/// choice (about 230 evaluations with 10 classes: ~12× fewer than the paper's bisection over
/// PGD); rows the first run missed pay `steps` forward + `steps` backward again for the
/// [`FmnConfig::retry_with_margin`] run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fmn {
    config: FmnConfig,
}

impl Default for Fmn {
    fn default() -> Self {
        Self { config: FmnConfig::new() }
    }
}

impl Fmn {
    /// The settings.
    pub fn config(&self) -> &FmnConfig {
        &self.config
    }

    /// The main loop; returns the best adversarial example per row and its norm (`+∞` where
    /// none was found). Reads back to the host once, at the end.
    fn search_best<M: Classifier<D>, const D: usize>(
        &self,
        eval: &Evaluator<'_, M, D>,
        batch: &AttackBatch<D>,
        loss_kind: AttackLoss,
        costs: &mut [Cost],
    ) -> xai_core::Result<(Tensor<2>, Vec<f32>)> {
        let c = &self.config;
        let (x, free) = (batch.inputs(), batch.free());
        let k = batch.rows();
        let mut delta = x.zeros_like();
        let zeros: Tensor<1> = Tensor::zeros([k], &x.device());
        let mut eps = zeros.clone();
        let mut best_norm = zeros.clone().add_scalar(f32::INFINITY);
        let mut best_adv = x.clone();
        let mut adv_found: Tensor<1, Bool> = zeros.clone().greater_elem(1.0);
        let worst = worst_norm(c.norm, batch);
        for i in 0..c.steps {
            let cosine = (1.0 + (std::f32::consts::PI * i as f32 / c.steps as f32).cos()) / 2.0;
            let alpha = c.alpha_final + (c.alpha_init - c.alpha_final) * cosine;
            let gamma = c.gamma_final + (c.gamma_init - c.gamma_final) * cosine;
            let point = batch.perturbed(delta.clone());
            let delta_norm = row_norms(c.norm, point.clone() - x.clone());
            let (logits, grad) = score_gradient(eval, batch, loss_kind, point.clone())?;
            let is_adv = robustly_adversarial(batch, logits.clone())?;
            let better = is_adv.clone().bool_and(delta_norm.clone().lower(best_norm.clone()));
            best_norm = best_norm.mask_where(better.clone(), delta_norm.clone());
            // Only feasible directions: a pixel on the box's edge cannot move further out, so
            // its gradient component would only shrink the step after clipping and make the
            // boundary estimate below too optimistic.
            let grad = feasible_gradient(grad * free.clone(), point.clone(), batch.bounds());
            best_adv = blend_rows(best_adv, point, better);
            adv_found = adv_found.bool_or(is_adv.clone());
            // L = −score ≥ 0 while not adversarial; the score's gradient points away from it.
            let loss = batch.score(loss_kind, logits)?.neg();
            // The linear estimate of the boundary, overshot by γ: landing exactly on it would
            // never count as (robustly) adversarial.
            let to_boundary =
                loss.abs() / dual_norms(c.norm, grad.clone()).clamp_min(1e-12) * (1.0 + gamma);
            let grow = eps
                .clone()
                .mul_scalar(1.0 + gamma)
                .mask_where(adv_found.clone().bool_not(), delta_norm + to_boundary);
            let shrink = eps.mul_scalar(1.0 - gamma).min_pair(best_norm.clone());
            eps = grow.mask_where(is_adv, shrink).min_pair(worst.clone());
            delta = project(c.norm, delta + normalize_l2(grad).mul_scalar(alpha), eps.clone());
            delta = clip_to_box(x.clone(), delta, free.clone(), batch.bounds());
        }
        for cost in costs.iter_mut() {
            *cost += Cost { forward: c.steps as u64, backward: c.steps as u64 };
        }
        Ok((best_adv, to_vec_f32(best_norm)?))
    }
}

/// The largest perturbation norm the box and mask allow per row: `‖max(x − lo, hi − x) ⊙ m‖`
/// (`+∞` for an unbounded box).
fn worst_norm<const D: usize>(norm: Norm, batch: &AttackBatch<D>) -> Tensor<1> {
    let (lo, hi) = batch.bounds();
    let x = batch.inputs();
    if !(lo.is_finite() && hi.is_finite()) {
        return Tensor::zeros([batch.rows()], &x.device()).add_scalar(f32::INFINITY);
    }
    let room = x.clone().sub_scalar(lo).max_pair(x.neg().add_scalar(hi));
    row_norms(norm, room * batch.free())
}

impl<const D: usize> RobustnessEstimator<D> for Fmn {
    fn name(&self) -> String {
        "fmn".into()
    }

    fn norm(&self) -> Norm {
        self.config.norm
    }

    fn estimate<M: Classifier<D>>(
        &self,
        model: &M,
        query: &RobustnessQuery<D>,
    ) -> xai_core::Result<RobustnessBatch<D>> {
        run_estimator(model, query, self.config.norm, |eval, batch, costs| {
            let picked;
            let batch = if self.config.loss.wants_competitors() && !batch.is_targeted() {
                let rivals = nearest_competitors(
                    eval,
                    batch,
                    self.config.norm,
                    self.config.candidates,
                    costs,
                )?;
                picked = batch.clone().with_competitors(rivals)?;
                &picked
            } else {
                batch
            };
            let (mut best, mut norms) = self.search_best(eval, batch, self.config.loss, costs)?;
            let missed: Vec<usize> = (0..batch.rows()).filter(|&i| !norms[i].is_finite()).collect();
            if self.config.retry_with_margin
                && self.config.loss != AttackLoss::Margin
                && !missed.is_empty()
            {
                let sub = batch.select(&missed);
                let mut sub_costs = vec![Cost::default(); missed.len()];
                let (retry, retry_norms) =
                    self.search_best(eval, &sub, AttackLoss::Margin, &mut sub_costs)?;
                for (k, &row) in missed.iter().enumerate() {
                    costs[row] += sub_costs[k];
                    norms[row] = retry_norms[k];
                }
                best = crate::geometry::scatter_rows(best, &missed, retry);
            }
            let found: Vec<usize> = (0..batch.rows()).filter(|&i| norms[i].is_finite()).collect();
            let mut adversarial = best;
            if !found.is_empty() && self.config.refine_steps > 0 {
                let sub =
                    if found.len() == batch.rows() { batch.clone() } else { batch.select(&found) };
                let idx = crate::batch::index_tensor(&found, &adversarial.device());
                let mut sub_costs = vec![Cost::default(); found.len()];
                let refined = refine_scale(
                    eval,
                    &sub,
                    adversarial.clone().select(0, idx),
                    self.config.refine_steps,
                    &mut sub_costs,
                )?;
                for (k, &row) in found.iter().enumerate() {
                    costs[row] += sub_costs[k];
                }
                adversarial = crate::geometry::scatter_rows(adversarial, &found, refined);
            }
            // The claim is the example's own norm; verification measures it again on the host.
            let measured =
                to_vec_f32(row_norms(self.config.norm, adversarial.clone() - batch.inputs()))?;
            let claimed =
                norms.iter().zip(measured).map(|(n, m)| n.is_finite().then_some(m)).collect();
            Ok(Candidates { claimed, adversarial, claim: Claim::Norm })
        })
    }
}
