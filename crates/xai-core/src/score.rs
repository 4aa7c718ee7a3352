//! Which output of the model an algorithm reads for a class: the logit or the probability.

use crate::classifier::class_logits;
use crate::error::{Result, XaiError};
use burn::tensor::activation::softmax;
use burn::tensor::{Int, Tensor};
use serde::{Deserialize, Serialize};

/// The model output read for a class `c`: the logit `f_c(x)` or the softmax probability
/// `p_c(x)`. Paper 000's Insertion/Deletion tables use the logit scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ClassScore {
    /// The logit `f_c(x)` (default).
    #[default]
    Logit,
    /// The softmax probability `p_c(x)`.
    Probability,
}

impl ClassScore {
    /// All names accepted by [`str::parse`].
    pub const NAMES: &'static str = "logit, probability";

    /// Each row's score for its class.
    ///
    /// # Shapes
    /// - logits: `[batch, classes]`, classes: `[batch]` → `[batch]`
    pub fn of(self, logits: Tensor<2>, classes: Tensor<1, Int>) -> Tensor<1> {
        match self {
            ClassScore::Logit => class_logits(logits, classes),
            ClassScore::Probability => class_logits(softmax(logits, 1), classes),
        }
    }

    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            ClassScore::Logit => "logit",
            ClassScore::Probability => "probability",
        }
    }
}

impl std::str::FromStr for ClassScore {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "logit" => Ok(ClassScore::Logit),
            "probability" | "prob" => Ok(ClassScore::Probability),
            _ => Err(XaiError::UnknownName {
                kind: "class score".into(),
                name: s.into(),
                known: Self::NAMES.into(),
            }),
        }
    }
}
