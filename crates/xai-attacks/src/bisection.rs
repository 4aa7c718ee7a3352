//! Minimum-norm search by bracketing and bisection over the budget of a fixed-ε attack, exactly
//! as the reference code of Hsieh et al. 2021 (appendix C).

use crate::attack::FixedEpsAttack;
use crate::batch::AttackBatch;
use crate::competitors::nearest_competitors;
use crate::estimator::{Candidates, Claim, RobustnessBatch, RobustnessEstimator, run_estimator};
use crate::geometry::scatter_rows;
use crate::masked_pgd::MaskedPgd;
use crate::query::RobustnessQuery;
use burn::config::Config;
use burn::tensor::Tensor;
use xai_core::{Classifier, Cost, Evaluator, Norm, XaiError};

/// Settings of [`BisectionSearch`]; defaults are the reference code's (`expl_utils.
/// binary_search` as `evaluate_robustness` calls it): start at ε = 10, ×10 / ÷10 to bracket,
/// stop once the next budget leaves `(1e-8, 1e3)`, bisect to an absolute tolerance of 1e-3, at
/// most 25 attack runs in all.
#[derive(Config, Debug)]
pub struct BisectionConfig {
    /// First budget tried.
    #[config(default = 10.0)]
    pub eps_init: f32,
    /// Bracketing factor: ε × factor after a failure, ε ÷ factor after a success.
    #[config(default = 10.0)]
    pub factor: f32,
    /// Upper limit (the reference's `upper_limit`): a row stops when its next budget is not
    /// below it; a row that never succeeded is then "not found".
    #[config(default = 1e3)]
    pub eps_max: f32,
    /// Lower limit (the reference's `lower_limit`): a row stops when its next budget is not
    /// above it.
    #[config(default = 1e-8)]
    pub eps_min: f32,
    /// A row stops when `hi − lo ≤ tolerance` (absolute).
    #[config(default = 1e-3)]
    pub tolerance: f32,
    /// Attack runs per row at most (bracketing and bisection together).
    #[config(default = 25)]
    pub max_steps: usize,
}

impl BisectionConfig {
    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        let positive = |what: &str, v: f32| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(XaiError::invalid(what, v, "a positive finite number"))
            }
        };
        positive("initial eps", self.eps_init)?;
        positive("minimum eps", self.eps_min)?;
        positive("maximum eps", self.eps_max)?;
        positive("bisection tolerance", self.tolerance)?;
        if !(self.factor.is_finite() && self.factor > 1.0) {
            return Err(XaiError::invalid("bracketing factor", self.factor, "a finite number > 1"));
        }
        if self.eps_min > self.eps_max {
            return Err(XaiError::invalid(
                "eps range",
                format!("[{}, {}]", self.eps_min, self.eps_max),
                "min <= max",
            ));
        }
        if self.max_steps == 0 {
            return Err(XaiError::invalid("bisection steps", 0, "at least 1"));
        }
        Ok(())
    }
}

/// A minimum-norm estimator over any fixed-budget attack `A` (the paper's "PGD + binary
/// search", section 3.2 and appendix C of Hsieh et al. 2021), step for step the reference
/// code's `binary_search`. Per row, after each attack run at ε: a success sets `hi = ε` and
/// continues at `ε / factor` until a failure has been seen, then at the midpoint `(lo + hi)/2`;
/// a failure sets `lo = ε` and continues at `ε · factor` until a success has been seen, then at
/// the midpoint. A row stops when `hi − lo ≤ tolerance`, when its next ε leaves
/// `(eps_min, eps_max)`, or after `max_steps` runs; finished rows leave the batch. The
/// estimate is the last successful budget `hi`; rows never successful are not found.
///
/// Cost: about 16 attack runs per row with the paper's settings (1,616 forward and 1,600
/// backward evaluations with 100-step PGD).
#[derive(Debug, Clone, serde::Serialize)]
pub struct BisectionSearch<A> {
    attack: A,
    config: BisectionConfig,
}

impl<A> BisectionSearch<A> {
    /// A search over `attack`; errors on invalid settings.
    pub fn new(attack: A, config: BisectionConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { attack, config })
    }

    /// The attack searched over.
    pub fn attack(&self) -> &A {
        &self.attack
    }

    /// The settings.
    pub fn config(&self) -> &BisectionConfig {
        &self.config
    }
}

impl BisectionSearch<MaskedPgd> {
    /// The paper's estimator: L2 masked PGD (100 steps of 1.0 on `−f_y`) inside the paper's
    /// bisection.
    pub fn paper() -> Self {
        Self { attack: MaskedPgd::paper(), config: BisectionConfig::new() }
    }
}

/// The per-row state of the search.
struct Bracket {
    lo: Vec<f32>,
    hi: Vec<f32>,
}

impl<A> BisectionSearch<A> {
    /// Runs the attack on `rows` at budgets `eps`; updates the bracket through `record`,
    /// the examples of successful rows, and the per-row costs.
    #[allow(clippy::too_many_arguments)]
    fn attempt<M: Classifier<D>, const D: usize>(
        &self,
        eval: &Evaluator<'_, M, D>,
        batch: &AttackBatch<D>,
        rows: &[usize],
        eps: &[f32],
        adversarial: &mut Tensor<2>,
        costs: &mut [Cost],
    ) -> xai_core::Result<Vec<bool>>
    where
        A: FixedEpsAttack<D>,
    {
        let sub = if rows.len() == batch.rows() { batch.clone() } else { batch.select(rows) };
        let out = self.attack.perturb(eval, &sub, eps)?;
        if out.success.len() != rows.len() || out.row_costs.len() != rows.len() {
            return Err(XaiError::shape(
                "attack outcome",
                format!("{} rows", rows.len()),
                &[out.success.len()],
            ));
        }
        let hits: Vec<usize> = (0..rows.len()).filter(|&k| out.success[k]).collect();
        if !hits.is_empty() {
            let idx = crate::batch::index_tensor(&hits, &out.adversarial.device());
            let hit_rows: Vec<usize> = hits.iter().map(|&k| rows[k]).collect();
            let taken = std::mem::replace(adversarial, batch.inputs());
            *adversarial = scatter_rows(taken, &hit_rows, out.adversarial.select(0, idx));
        }
        for (k, &row) in rows.iter().enumerate() {
            costs[row] += out.row_costs[k];
        }
        Ok(out.success)
    }

    /// Bracketing then bisection, as `robustness()` of the reference code.
    fn search<M: Classifier<D>, const D: usize>(
        &self,
        eval: &Evaluator<'_, M, D>,
        batch: &AttackBatch<D>,
        costs: &mut [Cost],
    ) -> xai_core::Result<Candidates>
    where
        A: FixedEpsAttack<D>,
    {
        let c = &self.config;
        let k = batch.rows();
        let picked;
        let batch = match self.attack.competitor_candidates() {
            Some(m) if !batch.is_targeted() => {
                let rivals = nearest_competitors(eval, batch, self.attack.norm(), m, costs)?;
                picked = batch.clone().with_competitors(rivals)?;
                &picked
            }
            _ => batch,
        };
        let mut b = Bracket { lo: vec![0.0; k], hi: vec![f32::INFINITY; k] };
        let (mut failed, mut succeeded) = (vec![false; k], vec![false; k]);
        let mut eps = vec![c.eps_init; k];
        let mut adversarial = batch.inputs();
        let mut todo: Vec<usize> = (0..k).collect();
        for _ in 0..c.max_steps {
            if todo.is_empty() {
                break;
            }
            let budgets: Vec<f32> = todo.iter().map(|&i| eps[i]).collect();
            let ok = self.attempt(eval, batch, &todo, &budgets, &mut adversarial, costs)?;
            for (&i, &hit) in todo.iter().zip(&ok) {
                if hit {
                    b.hi[i] = eps[i];
                    succeeded[i] = true;
                    eps[i] = if failed[i] { (b.lo[i] + b.hi[i]) / 2.0 } else { eps[i] / c.factor };
                } else {
                    b.lo[i] = eps[i];
                    failed[i] = true;
                    eps[i] =
                        if succeeded[i] { (b.lo[i] + b.hi[i]) / 2.0 } else { eps[i] * c.factor };
                }
            }
            todo.retain(|&i| {
                b.hi[i] - b.lo[i] > c.tolerance && eps[i] < c.eps_max && eps[i] > c.eps_min
            });
        }
        let claimed = b.hi.iter().map(|&h| h.is_finite().then_some(h)).collect();
        Ok(Candidates { claimed, adversarial, claim: Claim::Budget })
    }
}

impl<A: FixedEpsAttack<D>, const D: usize> RobustnessEstimator<D> for BisectionSearch<A> {
    fn name(&self) -> String {
        format!("bisection-{}", self.attack.name().trim_start_matches("masked-"))
    }

    fn norm(&self) -> Norm {
        self.attack.norm()
    }

    fn estimate<M: Classifier<D>>(
        &self,
        model: &M,
        query: &RobustnessQuery<D>,
    ) -> xai_core::Result<RobustnessBatch<D>> {
        run_estimator(model, query, self.attack.norm(), |eval, batch, costs| {
            self.search(eval, batch, costs)
        })
    }
}
