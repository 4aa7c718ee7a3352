//! The random baseline: scores that carry no information about the model.

use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use rand::Rng;
use xai_core::{Attribution, Classifier, Cost, Evaluator, seed};

/// Settings of [`RandomAttribution`] (none: the scores depend on the request's seed only).
#[derive(Config, Debug)]
pub struct RandomAttributionConfig {}

impl RandomAttributionConfig {
    /// Checks the settings (always valid).
    pub fn validate(&self) -> xai_core::Result<()> {
        Ok(())
    }

    /// The explainer with these settings.
    pub fn init(&self) -> xai_core::Result<RandomAttribution> {
        self.validate()?;
        Ok(RandomAttribution)
    }
}

/// The random baseline of attribution benchmarks (e.g. Hooker et al. 2019, "ROAR"; Hsieh et al.
/// 2021's tables): i.i.d. `U(0, 1)` scores per feature, drawn from the row's seeded stream
/// (`seed::stream_rng(request.seed(), row)`), so the same seed gives the same scores.
///
/// Cost: one forward evaluation per request (of its first row), which checks that every
/// explained and contrast class is one of the model's outputs; the scores themselves use no
/// model evaluation.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct RandomAttribution;

impl<const D: usize> Explainer<D> for RandomAttribution {
    fn name(&self) -> String {
        "random".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let eval = Evaluator::new(model);
        let [_, classes] = eval.logits(request.row(0)).dims();
        request.check_classes(classes)?;
        let n = request.space().n_features();
        (0..request.rows())
            .map(|row| {
                let mut rng = seed::stream_rng(request.seed(), row as u64);
                let scores = (0..n).map(|_| rng.random::<f32>()).collect();
                // The check's forward pass is charged to the first row.
                let cost = if row == 0 { eval.cost() } else { Cost::default() };
                Ok(Attribution::new("random", request.classes()[row], scores, cost)?
                    .with_contrast(request.contrast_of(row)))
            })
            .collect()
    }
}
