//! One name, one configuration: [`Estimator`] chooses the minimum-norm estimator of
//! Robustness-Sr / S̄r (Eqn. 1 / 2 of Hsieh et al. 2021) everywhere a user or a preset picks one
//! (CLI flags, examples, explainers, metrics), and [`AnyEstimator`] is the estimator it builds.

use crate::best_of::BestOf;
use crate::bisection::{BisectionConfig, BisectionSearch};
use crate::deepfool::{DeepFool, DeepFoolConfig};
use crate::estimator::{RobustnessBatch, RobustnessEstimator};
use crate::fmn::{Fmn, FmnConfig};
use crate::masked_pgd::{MaskedPgd, MaskedPgdConfig};
use crate::query::RobustnessQuery;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use xai_core::{Classifier, Norm, Result, XaiError};

/// A named minimum-norm estimator of `r*(S)` (Eqn. 1 / 2). Each name means exactly one
/// configuration; [`Estimator::build`] makes it for a norm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Estimator {
    /// The paper's procedure: masked PGD (100 steps of 1.0) inside a bisection on ε.
    BisectionPgd,
    /// The tightest bisection-PGD reference: row by row the smaller verified estimate of
    /// bisection over strong pairwise PGD (steps of 5% of ε, 2 restarts) and over runner-up
    /// margin PGD (about 3× the paper's cost).
    BisectionPgdStrong,
    /// Masked FMN (Pintor et al. 2021): one minimum-norm run of 100 steps.
    Fmn,
    /// Masked DeepFool (Moosavi-Dezfooli et al. 2016): linearised steps toward the nearest of
    /// the 3 strongest rival classes, L2 only (the cheapest, slightly looser).
    Deepfool,
    /// Masked DeepFool against the 2 strongest rival classes with 4 refinement steps, L2 only:
    /// the `fast` preset's estimator (≈ 15–25 evaluations per subset).
    DeepfoolFast,
    /// Masked DeepFool against the runner-up class only, with 3 refinement steps, L2 only: the
    /// cheapest, for large models (`imagenet_greedy_as`'s fast preset on EfficientNet).
    DeepfoolRunnerUp,
}

impl Estimator {
    /// Every estimator, in the order of the CLI's help.
    pub const ALL: [Estimator; 6] = [
        Estimator::BisectionPgd,
        Estimator::BisectionPgdStrong,
        Estimator::Fmn,
        Estimator::Deepfool,
        Estimator::DeepfoolFast,
        Estimator::DeepfoolRunnerUp,
    ];

    /// The name used by the CLI, the examples and result files (`"bisection-pgd"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Estimator::BisectionPgd => "bisection-pgd",
            Estimator::BisectionPgdStrong => "bisection-pgd-strong",
            Estimator::Fmn => "fmn",
            Estimator::Deepfool => "deepfool",
            Estimator::DeepfoolFast => "deepfool-fast",
            Estimator::DeepfoolRunnerUp => "deepfool-runner-up",
        }
    }

    /// The norms this estimator measures.
    pub fn supports(self, norm: Norm) -> bool {
        match self {
            Estimator::Deepfool | Estimator::DeepfoolFast | Estimator::DeepfoolRunnerUp => {
                norm == Norm::L2
            }
            _ => true,
        }
    }

    /// Builds the estimator measuring `norm`; an error when it cannot (DeepFool is L2 only).
    pub fn build(self, norm: Norm) -> Result<AnyEstimator> {
        if !self.supports(norm) {
            return Err(XaiError::invalid(
                format!("norm of estimator '{self}'"),
                norm,
                "l2 (DeepFool measures the L2 norm only)",
            ));
        }
        Ok(match self {
            Estimator::BisectionPgd => {
                let pgd = MaskedPgdConfig::paper().with_norm(norm).init()?;
                AnyEstimator::BisectionPgd(BisectionSearch::new(pgd, BisectionConfig::new())?)
            }
            Estimator::BisectionPgdStrong => {
                AnyEstimator::BisectionPgdStrong(BestOf::strong_bisection_pgd(norm)?)
            }
            Estimator::Fmn => AnyEstimator::Fmn(FmnConfig::new().with_norm(norm).init()?),
            Estimator::Deepfool => AnyEstimator::DeepFool(DeepFoolConfig::new().init()?),
            Estimator::DeepfoolFast => AnyEstimator::DeepFool(DeepFoolConfig::fast().init()?),
            Estimator::DeepfoolRunnerUp => AnyEstimator::DeepFool(
                DeepFoolConfig::new().with_candidates(1).with_refine_steps(3).init()?,
            ),
        })
    }
}

impl fmt::Display for Estimator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Estimator {
    type Err = XaiError;

    fn from_str(name: &str) -> Result<Self> {
        Estimator::ALL.into_iter().find(|e| e.name() == name).ok_or_else(|| XaiError::UnknownName {
            kind: "estimator".into(),
            name: name.into(),
            known: Estimator::ALL.map(Estimator::name).join(", "),
        })
    }
}

/// The estimator an [`Estimator`] builds: one type for every choice, so callers (explainers,
/// metrics, the CLI) are written once.
///
/// Serialises as its settings, tagged with the kind (`{"estimator": "fmn", "config": …}`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "estimator", rename_all = "kebab-case")]
pub enum AnyEstimator {
    /// [`Estimator::BisectionPgd`].
    BisectionPgd(BisectionSearch<MaskedPgd>),
    /// [`Estimator::BisectionPgdStrong`].
    BisectionPgdStrong(BestOf<BisectionSearch<MaskedPgd>, BisectionSearch<MaskedPgd>>),
    /// [`Estimator::Fmn`].
    Fmn(Fmn),
    /// [`Estimator::Deepfool`], [`Estimator::DeepfoolFast`] and [`Estimator::DeepfoolRunnerUp`].
    #[serde(rename = "deepfool")]
    DeepFool(DeepFool),
}

impl<const D: usize> RobustnessEstimator<D> for AnyEstimator {
    fn name(&self) -> String {
        match self {
            AnyEstimator::BisectionPgd(e) => RobustnessEstimator::<D>::name(e),
            AnyEstimator::BisectionPgdStrong(e) => RobustnessEstimator::<D>::name(e),
            AnyEstimator::Fmn(e) => RobustnessEstimator::<D>::name(e),
            AnyEstimator::DeepFool(e) => RobustnessEstimator::<D>::name(e),
        }
    }

    fn norm(&self) -> Norm {
        match self {
            AnyEstimator::BisectionPgd(e) => RobustnessEstimator::<D>::norm(e),
            AnyEstimator::BisectionPgdStrong(e) => RobustnessEstimator::<D>::norm(e),
            AnyEstimator::Fmn(e) => RobustnessEstimator::<D>::norm(e),
            AnyEstimator::DeepFool(e) => RobustnessEstimator::<D>::norm(e),
        }
    }

    fn estimate<M: Classifier<D>>(
        &self,
        model: &M,
        query: &RobustnessQuery<D>,
    ) -> Result<RobustnessBatch<D>> {
        match self {
            AnyEstimator::BisectionPgd(e) => e.estimate(model, query),
            AnyEstimator::BisectionPgdStrong(e) => e.estimate(model, query),
            AnyEstimator::Fmn(e) => e.estimate(model, query),
            AnyEstimator::DeepFool(e) => e.estimate(model, query),
        }
    }
}
