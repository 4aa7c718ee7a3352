//! The tighter of two minimum-norm estimators, row by row: a worst-case ensemble in the spirit
//! of AutoAttack (Croce & Hein 2020), for a reference value of Robustness-S (Eqn. 1 / 2 of
//! Hsieh et al. 2021) that no single attack's blind spot decides.

use crate::bisection::{BisectionConfig, BisectionSearch};
use crate::estimator::{RobustnessBatch, RobustnessEstimator, RowEstimate};
use crate::geometry::scatter_rows;
use crate::masked_pgd::{MaskedPgd, MaskedPgdConfig};
use crate::objective::AttackLoss;
use crate::query::RobustnessQuery;
use xai_core::{Classifier, Norm, Result, XaiError};

/// Runs both estimators on the whole query and keeps, for each row, the smaller **verified**
/// estimate and its example. Each estimator's found rows are verified upper bounds on the true
/// minimum `r*(S)`, so `min(r_a, r_b) ≥ r*(S)` is one too, and never looser than either. A row
/// found by neither keeps the first estimator's fallback (not found).
///
/// Cost: the sum of both (each row carries both estimators' evaluations).
#[derive(Debug, Clone, serde::Serialize)]
pub struct BestOf<A, B> {
    first: A,
    second: B,
}

impl<A, B> BestOf<A, B> {
    /// The ensemble of `first` and `second`; both must measure the same norm (checked when
    /// estimating, where the norm is known).
    pub fn new(first: A, second: B) -> Self {
        Self { first, second }
    }

    /// The first estimator (whose fallback rows keep when neither finds an example).
    pub fn first(&self) -> &A {
        &self.first
    }

    /// The second estimator.
    pub fn second(&self) -> &B {
        &self.second
    }
}

impl BestOf<BisectionSearch<MaskedPgd>, BisectionSearch<MaskedPgd>> {
    /// The strongest bisection-PGD reference of this crate: the paper's bisection over
    /// [`MaskedPgdConfig::strong`] (pairwise loss, fixed competitor), and over a PGD on the
    /// runner-up margin ([`AttackLoss::Margin`], re-chosen every step), row by row the tighter.
    /// The two losses fail on different rows: a mask can put the first-order nearest
    /// competitor out of reach, and the runner-up can oscillate.
    pub fn strong_bisection_pgd(norm: Norm) -> Result<Self> {
        let pairwise = MaskedPgdConfig::strong().with_norm(norm).init()?;
        // The same steps on the margin loss; no restarts (they buy little there).
        let margin = MaskedPgdConfig::strong()
            .with_norm(norm)
            .with_loss(AttackLoss::Margin)
            .with_restarts(0)
            .init()?;
        Ok(Self::new(
            BisectionSearch::new(pairwise, BisectionConfig::new())?,
            BisectionSearch::new(margin, BisectionConfig::new())?,
        ))
    }
}

/// Which of two row estimates to keep: the found one, or the smaller of two found ones (ties
/// go to `a`).
fn pick_second(a: &RowEstimate, b: &RowEstimate) -> bool {
    b.found && (!a.found || b.estimate < a.estimate)
}

impl<A, B, const D: usize> RobustnessEstimator<D> for BestOf<A, B>
where
    A: RobustnessEstimator<D>,
    B: RobustnessEstimator<D>,
{
    fn name(&self) -> String {
        format!("best-of({}, {})", self.first.name(), self.second.name())
    }

    fn norm(&self) -> Norm {
        self.first.norm()
    }

    fn estimate<M: Classifier<D>>(
        &self,
        model: &M,
        query: &RobustnessQuery<D>,
    ) -> Result<RobustnessBatch<D>> {
        let (na, nb) = (self.first.norm(), self.second.norm());
        if na != nb {
            return Err(XaiError::invalid(
                "best-of norms",
                format!("{na} and {nb}"),
                "two estimators of the same norm",
            ));
        }
        let a = self.first.estimate(model, query)?;
        let b = self.second.estimate(model, query)?;
        if a.rows.len() != b.rows.len() {
            return Err(XaiError::shape(
                "second estimator's rows",
                format!("{} rows", a.rows.len()),
                &[b.rows.len()],
            ));
        }
        let second: Vec<bool> =
            a.rows.iter().zip(&b.rows).map(|(ra, rb)| pick_second(ra, rb)).collect();
        let taken: Vec<usize> = (0..second.len()).filter(|&i| second[i]).collect();
        let rows = a
            .rows
            .iter()
            .zip(&b.rows)
            .zip(&second)
            .map(|((ra, rb), &take)| RowEstimate {
                cost: ra.cost + rb.cost,
                ..if take { rb.clone() } else { ra.clone() }
            })
            .collect();
        let dims = a.adversarial.dims();
        let (n, elements) = (dims[0], dims[1..].iter().product::<usize>());
        let flat_a = a.adversarial.reshape([n, elements]);
        let flat_b = b.adversarial.reshape([n, elements]);
        let picked = if taken.is_empty() {
            flat_a
        } else {
            let idx = crate::batch::index_tensor(&taken, &flat_b.device());
            scatter_rows(flat_a, &taken, flat_b.select(0, idx))
        };
        Ok(RobustnessBatch { rows, adversarial: picked.reshape(dims), cost: a.cost + b.cost })
    }
}
