//! # xai-metrics
//!
//! Metrics that say how good an explanation is, each over a batch of examples, seeded, with
//! its cost in model evaluations:
//!
//! - [`RobustnessCurve`]: Robustness-Sr / Robustness-S̄r curves and AUC (Hsieh et al. 2021,
//!   section 3), untargeted or targeted.
//! - [`InsertionDeletion`]: Insertion / Deletion curves and AUC with a reference value
//!   (appendix H).
//! - [`sanity_check`]: Spearman rank correlation between explanations of the original and a
//!   randomised model (appendix I).
//! - [`Sensitivity`]: SENS, the largest change of the top-20% set within an L2 ball
//!   (appendix J, Eqn. 12).
//! - [`paired_t_test`]: win / draw / loss between two methods' per-example AUCs (appendix G).
//! - [`EvaluationSuite`]: the four criteria of the paper's Tables 1 and 2 behind one call.
//! - [`EvaluationRun`]: the resumable, shardable ([`Shard`]) record of methods × criteria over
//!   a dataset slice, with merge and summary (what `xai evaluate` writes).
//! - [`unified`]: the four metrics of paper 003 without ground truth: M_pixel, M_feature,
//!   M_non-robust and M_mutual (Eqns. 3–6).
//! - [`FeatureSelectionCurve`]: EFS / IFS curves with AUEC / AOIC under uniform, real-image,
//!   constant or data-dependent corruption (paper 002, section 4).
//! - [`auc::trapezoid`] and the [`CurveReport`] every curve metric returns.
#![warn(missing_docs)]

pub mod auc;
pub mod curve;
pub mod evaluation_run;
pub mod example_evaluation;
pub mod feature_selection;
pub mod insertion_deletion;
pub mod rank_correlation;
pub mod robustness_curve;
pub mod sanity;
pub mod sensitivity;
pub mod shard;
pub mod significance;
pub mod suite;
pub mod unified;

pub use curve::{Better, CurveReport};
pub use evaluation_run::{
    CriterionRecord, EvaluationRun, ExampleRecord, MethodRecord, RunSettings, RunSummary,
    SummaryRow,
};
pub use example_evaluation::ExampleEvaluation;
pub use feature_selection::{
    FeatureSelectionCurve, FeatureSelectionCurveConfig, FeatureSelectionReport,
};
pub use insertion_deletion::{Criterion, InsertionDeletion, InsertionDeletionConfig};
pub use rank_correlation::spearman;
pub use robustness_curve::{RobustnessCurve, RobustnessCurveConfig};
pub use sanity::{SanityReport, sanity_check, sanity_from_attributions};
pub use sensitivity::{Sensitivity, SensitivityConfig, SensitivityReport};
pub use shard::Shard;
pub use significance::{Outcome, PairedTTest, paired_t_test};
pub use suite::{EvaluationSuite, EvaluationSuiteConfig, TableCriterion};
