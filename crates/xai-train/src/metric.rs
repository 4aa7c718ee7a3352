//! burn-train metrics over [`RobustnessInput`]: the mean minimum adversarial norm and the
//! percentage of rows where an adversarial example was found. Written like burn-train's own
//! numeric metrics (`LossMetric`, `AccuracyMetric`): a [`NumericMetricState`] holding the
//! weighted running mean, formatted as `epoch <running> - batch <current>`.

use crate::input::RobustnessInput;
use burn::tensor::TensorReadError;
use burn::train::metric::state::{FormatOptions, NumericMetricState};
use burn::train::metric::{
    Metric, MetricAttributes, MetricMetadata, MetricName, Numeric, NumericAttributes, NumericEntry,
    SerializedEntry,
};
use xai_core::Norm;

/// Decimal places shown for norms (values below 0.01 switch to scientific notation).
const NORM_PRECISION: usize = 3;

/// The mean estimated minimum adversarial norm (Robustness-S, Eqn. 1 of Hsieh et al. 2021, all
/// features free) over the epoch, as a burn-train numeric metric; higher is more robust.
///
/// **Not-found rows are excluded**: each update contributes the mean over its rows that are
/// backed by a verified adversarial example, weighted by their number, so the epoch value is
/// the mean over all found rows of the epoch. A not-found row has no norm to average (the
/// estimator reports a fallback such as the input's norm or `+∞`, which would bias the mean);
/// track how many rows that leaves out with [`AdversarialFoundMetric`]. An update with no found
/// row shows `NaN` for its batch and leaves the epoch value unchanged; an epoch with none at all
/// reports `NaN`.
///
/// The norm only names the metric (`Min Adversarial L2 Norm` by default): measure with an
/// estimator of the same norm.
#[derive(Clone)]
pub struct RobustnessMetric {
    name: MetricName,
    state: NumericMetricState,
}

impl Default for RobustnessMetric {
    fn default() -> Self {
        Self::new()
    }
}

impl RobustnessMetric {
    /// The metric for L2 estimates (named `Min Adversarial L2 Norm`).
    pub fn new() -> Self {
        Self::for_norm(Norm::L2)
    }

    /// The metric for estimates in `norm` (named e.g. `Min Adversarial Linf Norm`).
    pub fn for_norm(norm: Norm) -> Self {
        let norm = match norm {
            Norm::L2 => "L2",
            Norm::Linf => "Linf",
        };
        Self {
            name: MetricName::new(format!("Min Adversarial {norm} Norm")),
            state: NumericMetricState::default(),
        }
    }

    /// The same metric under another name (names must be unique within a learner).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = MetricName::new(name.into());
        self
    }
}

impl Metric for RobustnessMetric {
    type Input = RobustnessInput;

    fn update(
        &mut self,
        input: &RobustnessInput,
        _metadata: &MetricMetadata,
    ) -> Result<SerializedEntry, TensorReadError> {
        let (sum, found) = input.found_sum();
        let mean = if found > 0 { sum / found as f64 } else { f64::NAN };
        self.state.update(mean, found);
        Ok(self.state.compute_update(FormatOptions::new(self.name()).precision(NORM_PRECISION)))
    }

    fn compute(&mut self) -> Result<SerializedEntry, TensorReadError> {
        Ok(self.state.compute_final(FormatOptions::new(self.name()).precision(NORM_PRECISION)))
    }

    fn clear(&mut self) {
        self.state.reset()
    }

    fn name(&self) -> MetricName {
        self.name.clone()
    }

    fn description(&self) -> Option<String> {
        Some(
            "Mean estimated minimum adversarial perturbation norm over the rows where an \
             adversarial example was found (higher is more robust)"
                .to_string(),
        )
    }

    fn attributes(&self) -> MetricAttributes {
        NumericAttributes { unit: None, higher_is_better: true }.into()
    }
}

impl Numeric for RobustnessMetric {
    fn value(&self) -> Option<NumericEntry> {
        Some(self.state.current_value())
    }

    fn running_value(&self) -> Option<NumericEntry> {
        Some(self.state.running_value())
    }

    fn final_value(&self) -> NumericEntry {
        self.state.final_value()
    }
}

/// The percentage of measured rows backed by a verified adversarial example, as a burn-train
/// numeric metric: how much of the epoch [`RobustnessMetric`]'s mean covers (a low value means
/// the estimator's search range or steps are too small for the model). Weighted by rows; an
/// update with no rows leaves the epoch value unchanged.
#[derive(Clone)]
pub struct AdversarialFoundMetric {
    name: MetricName,
    state: NumericMetricState,
}

impl Default for AdversarialFoundMetric {
    fn default() -> Self {
        Self::new()
    }
}

impl AdversarialFoundMetric {
    /// The metric (named `Adversarial Found`).
    pub fn new() -> Self {
        Self {
            name: MetricName::new("Adversarial Found".to_string()),
            state: NumericMetricState::default(),
        }
    }

    /// The same metric under another name (names must be unique within a learner).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = MetricName::new(name.into());
        self
    }
}

impl Metric for AdversarialFoundMetric {
    type Input = RobustnessInput;

    fn update(
        &mut self,
        input: &RobustnessInput,
        _metadata: &MetricMetadata,
    ) -> Result<SerializedEntry, TensorReadError> {
        let rows = input.rows();
        let percent =
            if rows > 0 { 100.0 * input.found_count() as f64 / rows as f64 } else { f64::NAN };
        self.state.update(percent, rows);
        Ok(self.state.compute_update(FormatOptions::new(self.name()).unit("%").precision(2)))
    }

    fn compute(&mut self) -> Result<SerializedEntry, TensorReadError> {
        Ok(self.state.compute_final(FormatOptions::new(self.name()).unit("%").precision(2)))
    }

    fn clear(&mut self) {
        self.state.reset()
    }

    fn name(&self) -> MetricName {
        self.name.clone()
    }

    fn description(&self) -> Option<String> {
        Some("Percentage of measured rows backed by a verified adversarial example".to_string())
    }

    fn attributes(&self) -> MetricAttributes {
        NumericAttributes { unit: Some("%".to_string()), higher_is_better: true }.into()
    }
}

impl Numeric for AdversarialFoundMetric {
    fn value(&self) -> Option<NumericEntry> {
        Some(self.state.current_value())
    }

    fn running_value(&self) -> Option<NumericEntry> {
        Some(self.state.running_value())
    }

    fn final_value(&self) -> NumericEntry {
        self.state.final_value()
    }
}
