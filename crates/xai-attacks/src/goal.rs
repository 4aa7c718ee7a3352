//! What counts as a successful attack: Eqn. 1 (untargeted) or Eqn. 2 (targeted) of Hsieh et al.
//! 2021.

use serde::{Deserialize, Serialize};
use xai_core::{Result, XaiError};

/// The success criterion of an attack, row by row.
///
/// - [`AttackGoal::Untargeted`]: Eqn. 1 of Hsieh et al. 2021, `f(x + δ) ≠ y`.
/// - [`AttackGoal::Targeted`]: Eqn. 2, `f(x + δ) = t`, with one target `t` per row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum AttackGoal {
    /// Any class other than the row's label (Eqn. 1).
    #[default]
    Untargeted,
    /// The row's target class (Eqn. 2); one target per row, never equal to the row's label.
    Targeted(Vec<usize>),
}

impl AttackGoal {
    /// Whether the goal is targeted.
    pub fn is_targeted(&self) -> bool {
        matches!(self, AttackGoal::Targeted(_))
    }

    /// The class each row's attack is scored against: the label (untargeted) or the target.
    pub fn classes(&self, labels: &[usize]) -> Vec<usize> {
        match self {
            AttackGoal::Untargeted => labels.to_vec(),
            AttackGoal::Targeted(t) => t.clone(),
        }
    }

    /// Checks the goal against the labels: one target per row, and no target equal to its
    /// row's label (that attack would be meaningless: the clean input already "succeeds").
    pub fn validate(&self, labels: &[usize]) -> Result<()> {
        let AttackGoal::Targeted(targets) = self else {
            return Ok(());
        };
        if targets.len() != labels.len() {
            return Err(XaiError::shape(
                "targets",
                format!("one target per row ({} rows)", labels.len()),
                &[targets.len()],
            ));
        }
        if let Some(row) = (0..labels.len()).find(|&i| targets[i] == labels[i]) {
            return Err(XaiError::invalid(
                format!("target of row {row}"),
                targets[row],
                format!(
                    "a class other than the row's label {} (a targeted attack, Eqn. 2, needs \
                     t != y)",
                    labels[row]
                ),
            ));
        }
        Ok(())
    }

    /// Whether a predicted class is a success for row `row` with label `label`.
    pub fn is_success(&self, row: usize, label: usize, predicted: usize) -> bool {
        match self {
            AttackGoal::Untargeted => predicted != label,
            AttackGoal::Targeted(t) => t.get(row) == Some(&predicted),
        }
    }
}
