//! # xai-train
//!
//! The bridge between burn-xai's minimum-norm robustness estimators
//! ([`xai_attacks::RobustnessEstimator`]: [`xai_attacks::Fmn`], [`xai_attacks::DeepFool`], …)
//! and burn-train, so that robustness (the estimated minimum adversarial norm, Robustness-S of
//! Eqn. 1 in Hsieh et al. 2021 with every feature free) is tracked like accuracy or loss.
//!
//! - [`RobustnessInput`]: per-row minimum adversarial norms and found flags. burn-train computes
//!   metrics on a worker thread, from detached tensors, so the attack runs **inside** the
//!   training or validation step ([`RobustnessInput::measure`]) and only host values travel.
//! - [`RobustnessMetric`]: a burn-train [`Metric`](burn::train::metric::Metric) +
//!   [`Numeric`](burn::train::metric::Numeric): the running mean of the minimum adversarial norm
//!   over the epoch (rows where no adversarial example was found are excluded);
//!   [`AdversarialFoundMetric`]: the percentage of rows where one was found.
//! - [`ClassificationWithRobustness`]: a step output like burn-train's `ClassificationOutput`
//!   plus a [`RobustnessInput`], adapted to accuracy, loss, top-k, perplexity, confusion-stats
//!   and robustness metrics.
//! - [`mean_min_adversarial_norm`] / [`summarize`]: the same numbers for hand-written loops.
//!
//! A validation step (the model in inference mode; `Fmn::default()` costs ~230 evaluations per
//! row, `DeepFool::default()` ~20–30, so measure a few rows per batch):
//!
//! ```ignore
//! impl InferenceStep for Model {
//!     type Input = MnistBatch;
//!     type Output = ClassificationWithRobustness;
//!     fn step(&self, batch: MnistBatch) -> ClassificationWithRobustness {
//!         let out = self.forward_classification(batch.images.clone(), batch.targets.clone());
//!         let rows = batch.images.dims()[0].min(8);
//!         let robustness = RobustnessInput::measure(
//!             &|x| self.forward(x),
//!             batch.images.slice_dim(0, 0..rows),
//!             batch.targets.slice_dim(0, 0..rows),
//!             &DeepFool::default(),
//!         )
//!         .unwrap_or_else(|_| RobustnessInput::empty());
//!         ClassificationWithRobustness::from_classification(out, robustness)
//!     }
//! }
//! // builder: .metric_valid_numeric(RobustnessMetric::new())
//! ```
#![warn(missing_docs)]

pub mod input;
pub mod metric;
pub mod output;
pub mod summary;

pub use input::RobustnessInput;
pub use metric::{AdversarialFoundMetric, RobustnessMetric};
pub use output::ClassificationWithRobustness;
pub use summary::{RobustnessSummary, mean_min_adversarial_norm, summarize};
