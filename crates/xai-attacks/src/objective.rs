//! The differentiable scores attacks climb: how adversarial a row's logits are.

use burn::config::Config;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor};
use xai_core::classifier::class_logits;

/// The score an attack raises by gradient ascent, computed from a row's logits `f` and its class
/// `c` (the label `y` for Eqn. 1 of Hsieh et al. 2021, the target `t` for Eqn. 2).
///
/// | variant | untargeted (Eqn. 1) | targeted (Eqn. 2) |
/// | --- | --- | --- |
/// | `LabelLogit` | `−f_y` (the paper's reference code) | `f_t` |
/// | `Margin` | `max_{j≠y} f_j − f_y` | `f_t − max_{j≠t} f_j` |
/// | `CrossEntropy` | `CE(f, y)` | `−CE(f, t)` |
/// | `Pairwise` | `f_c − f_y`, `c` the row's competitor | as `Margin` |
///
/// `Margin` is positive exactly when the attack succeeds, which is what the minimum-norm attack
/// ([`crate::Fmn`]) needs; `LabelLogit` is the paper's choice for PGD (it is blind to the other
/// classes, so it is weak on multi-class problems whose nearest boundary is not along `−∇f_y`).
/// `Margin` follows whichever class is currently the runner-up and can settle on a boundary
/// that is not the nearest; `Pairwise` pushes towards one competitor class per row, chosen by
/// the estimators as the class whose boundary is nearest to first order
/// ([`crate::competitors::nearest_competitors`], the DeepFool criterion), which is exact on
/// linear models.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum AttackLoss {
    /// `−f_y` untargeted, `f_t` targeted (the paper's reference code).
    LabelLogit,
    /// Difference of logits: the runner-up minus the label (untargeted), or the target minus
    /// the best other class (targeted).
    Margin,
    /// Cross-entropy of the label (untargeted), or minus that of the target (targeted).
    CrossEntropy,
    /// The competitor's logit minus the label's (untargeted; `Margin` when no competitor is
    /// set, and for targeted goals).
    Pairwise,
}

impl AttackLoss {
    /// Whether the loss needs a competitor class per row ([`AttackLoss::Pairwise`]).
    pub fn wants_competitors(self) -> bool {
        self == AttackLoss::Pairwise
    }
}

/// The per-row score of `loss` (higher = more adversarial).
///
/// # Shapes
/// - logits: `[batch, classes]`, classes, competitors: `[batch]` → `[batch]`
pub fn adversarial_score(
    loss: AttackLoss,
    logits: Tensor<2>,
    classes: Tensor<1, Int>,
    competitors: Option<Tensor<1, Int>>,
    targeted: bool,
) -> Tensor<1> {
    let sign = if targeted { 1.0 } else { -1.0 };
    match loss {
        AttackLoss::Pairwise => match competitors {
            Some(rival) if !targeted => {
                class_logits(logits.clone(), rival) - class_logits(logits, classes)
            }
            _ => class_margin(logits, classes).mul_scalar(sign),
        },
        AttackLoss::LabelLogit => class_logits(logits, classes).mul_scalar(sign),
        AttackLoss::Margin => class_margin(logits, classes).mul_scalar(sign),
        AttackLoss::CrossEntropy => class_logits(log_softmax(logits, 1), classes).mul_scalar(sign),
    }
}

/// `f_c − max_{j≠c} f_j` for each row: positive when class `c` wins. Needs at least 2 classes.
///
/// # Shapes
/// - logits: `[batch, classes]`, classes: `[batch]` → `[batch]`
pub fn class_margin(logits: Tensor<2>, classes: Tensor<1, Int>) -> Tensor<1> {
    let [n, c] = logits.dims();
    let own = class_logits(logits.clone(), classes.clone());
    let one_hot = classes.one_hot::<2>(c).bool();
    let others = logits.mask_fill(one_hot, f32::NEG_INFINITY).max_dim(1).reshape([n]);
    own - others
}
