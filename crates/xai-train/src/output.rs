//! A classification step output that also carries robustness measurements.

use crate::input::RobustnessInput;
use burn::tensor::{ExecutionError, Int, Tensor};
use burn::train::ClassificationOutput;
use burn::train::metric::{
    AccuracyInput, Adaptor, ConfusionStatsInput, ItemLazy, LossInput, PerplexityInput,
    TopKAccuracyInput,
};

/// The output of a training or validation step (`TrainStep::Output` / `InferenceStep::Output`):
/// burn-train's `ClassificationOutput` (loss, logits, targets) plus the [`RobustnessInput`]
/// measured in the step. Adapts to the inputs of burn-train's accuracy, loss, top-k accuracy,
/// perplexity and confusion-stats (precision, recall, F-beta) metrics exactly as
/// `ClassificationOutput` does, and to [`RobustnessInput`] for [`crate::RobustnessMetric`] and
/// [`crate::AdversarialFoundMetric`].
///
/// # Shapes
/// - loss: `[1]`; output: `[batch, classes]`; targets: `[batch]`
/// - robustness: any number of rows (often a subset of the batch, or none)
pub struct ClassificationWithRobustness {
    /// The loss.
    pub loss: Tensor<1>,
    /// The class logits or probabilities.
    pub output: Tensor<2>,
    /// The ground-truth class of each sample.
    pub targets: Tensor<1, Int>,
    /// The minimum adversarial norms measured in the step.
    pub robustness: RobustnessInput,
}

impl ClassificationWithRobustness {
    /// An output from its parts.
    ///
    /// # Shapes
    /// - loss: `[1]`; output: `[batch, classes]`; targets: `[batch]`
    pub fn new(
        loss: Tensor<1>,
        output: Tensor<2>,
        targets: Tensor<1, Int>,
        robustness: RobustnessInput,
    ) -> Self {
        Self { loss, output, targets, robustness }
    }

    /// burn-train's classification output extended with `robustness`.
    pub fn from_classification(output: ClassificationOutput, robustness: RobustnessInput) -> Self {
        Self::new(output.loss, output.output, output.targets, robustness)
    }

    /// The classification part (tensors are shared, not copied).
    pub fn classification(&self) -> ClassificationOutput {
        ClassificationOutput::new(self.loss.clone(), self.output.clone(), self.targets.clone())
    }
}

impl ItemLazy for ClassificationWithRobustness {
    /// As burn-train's `ClassificationOutput`: flushes the producing device and takes the
    /// tensors off the autodiff graph; the robustness values are already on the host.
    fn sync(self) -> Result<Self, ExecutionError> {
        let ClassificationOutput { loss, output, targets } = self.classification().sync()?;
        Ok(Self { loss, output, targets, robustness: self.robustness })
    }
}

impl Adaptor<AccuracyInput> for ClassificationWithRobustness {
    fn adapt(&self) -> AccuracyInput {
        Adaptor::<AccuracyInput>::adapt(&self.classification())
    }
}

impl Adaptor<LossInput> for ClassificationWithRobustness {
    fn adapt(&self) -> LossInput {
        Adaptor::<LossInput>::adapt(&self.classification())
    }
}

impl Adaptor<TopKAccuracyInput> for ClassificationWithRobustness {
    fn adapt(&self) -> TopKAccuracyInput {
        Adaptor::<TopKAccuracyInput>::adapt(&self.classification())
    }
}

impl Adaptor<PerplexityInput> for ClassificationWithRobustness {
    fn adapt(&self) -> PerplexityInput {
        Adaptor::<PerplexityInput>::adapt(&self.classification())
    }
}

impl Adaptor<ConfusionStatsInput> for ClassificationWithRobustness {
    fn adapt(&self) -> ConfusionStatsInput {
        Adaptor::<ConfusionStatsInput>::adapt(&self.classification())
    }
}

impl Adaptor<RobustnessInput> for ClassificationWithRobustness {
    fn adapt(&self) -> RobustnessInput {
        self.robustness.clone()
    }
}
