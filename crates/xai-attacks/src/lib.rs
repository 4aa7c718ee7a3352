//! # xai-attacks
//!
//! Masked adversarial attacks and minimum-norm robustness estimation: the engine under
//! Robustness-Sr / Robustness-S̄r (Definition 3.1/3.2, Eqn. 1 and 2 of Hsieh et al. 2021,
//! "Evaluations and Methods for Explanation through Robustness Analysis") and Greedy-AS.
//!
//! - [`MaskedPgd`]: fixed-budget L2 / L∞ PGD whose perturbation is zero outside each row's free
//!   set ([`FixedEpsAttack`]).
//! - [`BisectionSearch`]: the paper's minimum-norm search (bracket ×10/÷10 from ε = 10, bisect
//!   to 1e-3) over any fixed-budget attack; [`BisectionSearch::paper`] is the paper's estimator.
//! - [`Fmn`]: a direct minimum-norm attack (Pintor et al. 2021) with masks: one run of 100
//!   steps instead of ~16 PGD runs.
//! - [`DeepFool`]: the cheapest minimum-norm estimate (Moosavi-Dezfooli et al. 2016, L2) with
//!   masks: a few linearise-and-step iterations, ~10× fewer evaluations than [`Fmn`].
//! - [`BestOf`]: row by row the tighter of two estimators (both verified upper bounds);
//!   [`BestOf::strong_bisection_pgd`] is the strongest bisection-PGD reference.
//! - [`Estimator`]: one name per estimator configuration (`bisection-pgd`, `fmn`,
//!   `deepfool-fast`, …), which builds an [`AnyEstimator`]; the CLI, examples and presets choose
//!   estimators by it.
//! - [`RobustnessEstimator`]: the interface all three implement, over a [`RobustnessQuery`]
//!   (inputs, labels, [`AttackGoal`], per-row masks, box, [`Fallback`]); every returned example
//!   is verified ([`verify_rows`]).
//!
//! ```no_run
//! use burn::tensor::{Device, Tensor};
//! use xai_attacks::{Fmn, RobustnessEstimator, RobustnessQuery};
//! use xai_core::{FeatureMask, FeatureSpace};
//!
//! # fn main() -> xai_core::Result<()> {
//! let device = Device::flex();
//! let w: Tensor<2> = Tensor::random([4, 2], burn::tensor::Distribution::Default, &device);
//! let model = |x: Tensor<2>| x.matmul(w.clone());
//! let space = FeatureSpace::elements(&[4])?;
//! let input: Tensor<2> = Tensor::full([1, 4], 0.5, &device);
//! let masks = vec![FeatureMask::full(4), FeatureMask::from_indices(4, &[0, 1])?];
//! let query = RobustnessQuery::one_input(input, 0, &masks, &space)?;
//! let result = Fmn::default().estimate(&model, &query)?;
//! println!("{:?} {:?} {:?}", result.estimates(), result.found(), result.cost);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod attack;
pub mod batch;
pub mod best_of;
pub mod bisection;
pub mod choice;
pub mod competitors;
pub mod deepfool;
pub mod estimator;
pub mod fmn;
pub mod geometry;
pub mod goal;
pub mod masked_pgd;
pub mod objective;
pub mod query;
pub mod refine;
pub mod verify;

pub use attack::{AttackOutcome, FixedEpsAttack};
pub use batch::AttackBatch;
pub use best_of::BestOf;
pub use bisection::{BisectionConfig, BisectionSearch};
pub use choice::{AnyEstimator, Estimator};
pub use deepfool::{DeepFool, DeepFoolConfig};
pub use estimator::{RobustnessBatch, RobustnessEstimator, RowEstimate};
pub use fmn::{Fmn, FmnConfig};
pub use goal::AttackGoal;
pub use masked_pgd::{MaskedPgd, MaskedPgdConfig};
pub use objective::AttackLoss;
pub use query::{Fallback, RobustnessQuery};
pub use verify::{RowCheck, VerifyFailure, verify_adversarial, verify_rows};
