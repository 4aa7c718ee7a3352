//! The four criteria of paper 000's Tables 1 and 2 behind one interface: Robustness-S̄r,
//! Robustness-Sr (Table 1), Insertion and Deletion (Table 2).

use crate::curve::{Better, CurveReport};
use crate::insertion_deletion::{Criterion, InsertionDeletion, InsertionDeletionConfig};
use crate::robustness_curve::{RobustnessCurve, RobustnessCurveConfig};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use xai_attacks::RobustnessEstimator;
use xai_core::{Attribution, ClassScore, Classifier, FeatureSpace, Reference, Result};
use xai_explain::RobustnessObjective;

/// One criterion of the paper's Tables 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableCriterion {
    /// Robustness-S̄r (Eqn. 1 on the complement of the top set; higher is better).
    RobustnessSrBar,
    /// Robustness-Sr (Eqn. 1 on the top set; lower is better).
    RobustnessSr,
    /// Insertion (appendix H; higher is better).
    Insertion,
    /// Deletion (appendix H; lower is better).
    Deletion,
}

impl TableCriterion {
    /// All four, in the order of the paper's tables.
    pub const ALL: [TableCriterion; 4] = [
        TableCriterion::RobustnessSrBar,
        TableCriterion::RobustnessSr,
        TableCriterion::Insertion,
        TableCriterion::Deletion,
    ];

    /// The kebab-case name used in reports (equals the [`CurveReport::metric`] it produces).
    pub fn name(self) -> &'static str {
        match self {
            TableCriterion::RobustnessSrBar => "robustness-sr-bar",
            TableCriterion::RobustnessSr => "robustness-sr",
            TableCriterion::Insertion => "insertion",
            TableCriterion::Deletion => "deletion",
        }
    }

    /// The row label of the paper's tables.
    pub fn paper_name(self) -> &'static str {
        match self {
            TableCriterion::RobustnessSrBar => "Robustness-S̄r",
            TableCriterion::RobustnessSr => "Robustness-Sr",
            TableCriterion::Insertion => "Insertion",
            TableCriterion::Deletion => "Deletion",
        }
    }

    /// Which direction is better.
    pub fn better(self) -> Better {
        match self {
            TableCriterion::RobustnessSrBar | TableCriterion::Insertion => Better::Higher,
            TableCriterion::RobustnessSr | TableCriterion::Deletion => Better::Lower,
        }
    }

    /// The robustness objective an explainer should optimise to do well on this criterion
    /// (Greedy-AS maximises Robustness-S̄r with [`RobustnessObjective::Anchored`], Eqn. 3, and
    /// minimises Robustness-Sr with [`RobustnessObjective::Perturbed`], Eqn. 4).
    pub fn objective(self) -> RobustnessObjective {
        match self {
            TableCriterion::RobustnessSr => RobustnessObjective::Perturbed,
            _ => RobustnessObjective::Anchored,
        }
    }
}

/// Settings shared by the four criteria: the curve points, the Insertion/Deletion reference
/// and score, and the batch limits.
#[derive(Debug, Clone)]
pub struct EvaluationSuiteConfig {
    /// The robustness curves' settings; their `objective` is set per criterion.
    pub robustness: RobustnessCurveConfig,
    /// Reference value of removed features for Insertion/Deletion (the paper's Table 2: U(0,1)).
    pub reference: Reference,
    /// Class score of Insertion/Deletion (the paper's tables: the logit).
    pub score: ClassScore,
    /// Reference draws averaged per example when the reference is random.
    pub draws: usize,
    /// Largest batch of masked inputs per forward pass for Insertion/Deletion.
    pub batch_size: usize,
}

impl Default for EvaluationSuiteConfig {
    fn default() -> Self {
        Self {
            robustness: RobustnessCurveConfig::new(),
            reference: Reference::Uniform,
            score: ClassScore::Logit,
            draws: 1,
            batch_size: 256,
        }
    }
}

/// Evaluates attributions on any of the four criteria of the paper's Tables 1 and 2, with one
/// robustness estimator for both robustness curves.
#[derive(Debug, Clone)]
pub struct EvaluationSuite<E> {
    sr_bar: RobustnessCurve<E>,
    sr: RobustnessCurve<E>,
    insertion: InsertionDeletion,
    deletion: InsertionDeletion,
}

impl<E: Clone> EvaluationSuite<E> {
    /// Builds the suite; fails on invalid fractions, batch sizes or draws.
    pub fn new(config: EvaluationSuiteConfig, estimator: E) -> Result<Self> {
        let curve = |objective| {
            let c = config.robustness.clone().with_objective(objective);
            RobustnessCurve::new(c, estimator.clone())
        };
        let ins_del = |criterion| {
            InsertionDeletion::new(
                InsertionDeletionConfig::new(criterion)
                    .with_reference(config.reference.clone())
                    .with_score(config.score)
                    .with_fractions(config.robustness.fractions.clone())
                    .with_draws(config.draws)
                    .with_batch_size(config.batch_size),
            )
        };
        Ok(Self {
            sr_bar: curve(RobustnessObjective::Anchored)?,
            sr: curve(RobustnessObjective::Perturbed)?,
            insertion: ins_del(Criterion::Insertion)?,
            deletion: ins_del(Criterion::Deletion)?,
        })
    }

    /// The curve points, as fractions of the features.
    pub fn fractions(&self) -> &[f64] {
        &self.sr_bar.config().fractions
    }

    /// Evaluates `criterion` for the attributions of `inputs` (one per row) explaining
    /// `classes` (untargeted; the robustness curves attack each row's class).
    ///
    /// # Shapes
    /// - inputs: `[n, ...space.sample_shape()]`; classes, attributions: `n` each
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate<M: Classifier<D>, const D: usize>(
        &self,
        criterion: TableCriterion,
        model: &M,
        inputs: Tensor<D>,
        classes: &[usize],
        attributions: &[Attribution],
        space: &FeatureSpace,
        seed: u64,
    ) -> Result<CurveReport>
    where
        E: RobustnessEstimator<D>,
    {
        match criterion {
            TableCriterion::RobustnessSrBar => {
                self.sr_bar.evaluate(model, inputs, classes, None, attributions, space)
            }
            TableCriterion::RobustnessSr => {
                self.sr.evaluate(model, inputs, classes, None, attributions, space)
            }
            TableCriterion::Insertion => {
                self.insertion.evaluate(model, inputs, classes, attributions, space, seed)
            }
            TableCriterion::Deletion => {
                self.deletion.evaluate(model, inputs, classes, attributions, space, seed)
            }
        }
    }
}
