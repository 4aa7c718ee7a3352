//! One example through every method and criterion of an evaluation run: explain it with each
//! method, then evaluate every criterion of the paper's Tables 1 and 2 on the attributions.

use crate::evaluation_run::{CriterionRecord, ExampleRecord, MethodRecord};
use crate::suite::{EvaluationSuite, TableCriterion};
use burn::tensor::Tensor;
use std::time::Instant;
use xai_attacks::RobustnessEstimator;
use xai_core::classifier::argmax_rows;
use xai_core::{Attribution, Classifier, CodeVersion, FeatureSpace, Result, XaiError, seed};
use xai_explain::{AnyExplainer, ExplainRequest, Explainer, Method};

/// Explains one example with a list of methods and scores the attributions on a list of
/// [`TableCriterion`]s, giving its [`ExampleRecord`]. Every random choice is seeded by
/// `stream_seed(seed, index)`, so an example's record does not depend on which other examples
/// run beside it (shards of a run reproduce the unsharded run exactly).
pub struct ExampleEvaluation<'a, E, const D: usize> {
    /// The criteria's implementation.
    pub suite: &'a EvaluationSuite<E>,
    /// The criteria to evaluate, in order.
    pub criteria: &'a [TableCriterion],
    /// The methods, in column order.
    pub explainers: &'a [(Method, AnyExplainer<D>)],
    /// Greedy-AS with the Robustness-Sr objective (Eqn. 4), used for Greedy-AS's
    /// Robustness-Sr row when given.
    pub sr_explainer: Option<&'a AnyExplainer<D>>,
    /// The feature space of attributions and masks.
    pub space: &'a FeatureSpace,
    /// Largest batch sent to the model by explainers.
    pub batch_size: usize,
    /// The valid input box.
    pub bounds: (f32, f32),
    /// The run's seed.
    pub seed: u64,
}

impl<E: RobustnessEstimator<D> + Clone, const D: usize> ExampleEvaluation<'_, E, D> {
    /// Evaluates dataset example `index` (input `x`, a batch of one, true label `label`).
    /// `progress` is told what is being done (for progress bars).
    pub fn run<M: Classifier<D>>(
        &self,
        model: &M,
        x: Tensor<D>,
        index: usize,
        label: usize,
        progress: &dyn Fn(String),
    ) -> Result<ExampleRecord> {
        if x.dims()[0] != 1 {
            return Err(XaiError::shape("example input", "a batch of one", &x.dims()));
        }
        if self.explainers.is_empty() || self.criteria.is_empty() {
            return Err(XaiError::invalid(
                "methods × criteria",
                format!("{} × {}", self.explainers.len(), self.criteria.len()),
                "at least one of each",
            ));
        }
        let predicted = argmax_rows(model.logits(x.clone()))?[0];
        let seed = seed::stream_seed(self.seed, index as u64);
        let request = ExplainRequest::new(x.clone(), vec![predicted], self.space.clone())?
            .with_seed(seed)
            .with_batch_size(self.batch_size)?
            .with_bounds(self.bounds.0, self.bounds.1)?;
        let mut methods = Vec::new();
        let mut attributions = Vec::new();
        for (method, explainer) in self.explainers {
            progress(format!("example {index}: {method}"));
            let start = Instant::now();
            let a = explain(explainer, model, &request)?;
            methods.push(MethodRecord::new(method.name(), a.cost, start.elapsed().as_secs_f64()));
            attributions.push(a);
        }
        let mut sr_attributions = attributions.clone();
        if let Some(explainer) = self.sr_explainer
            && self.criteria.contains(&TableCriterion::RobustnessSr)
        {
            progress(format!("example {index}: greedy-as (Robustness-Sr objective)"));
            let a = explain(explainer, model, &request)?;
            for ((method, _), slot) in self.explainers.iter().zip(&mut sr_attributions) {
                if *method == Method::GreedyAs {
                    *slot = a.clone();
                }
            }
        }
        let k = attributions.len();
        let inputs = Tensor::cat(vec![x.clone(); k], 0);
        let classes = vec![predicted; k];
        let mut costs = Vec::new();
        for &criterion in self.criteria {
            progress(format!("example {index}: {}", criterion.name()));
            let chosen = match criterion {
                TableCriterion::RobustnessSr => &sr_attributions,
                _ => &attributions,
            };
            let reports = match criterion {
                // All methods' robustness rows in one batched estimator call.
                TableCriterion::RobustnessSrBar | TableCriterion::RobustnessSr => {
                    vec![self.suite.evaluate(
                        criterion,
                        model,
                        inputs.clone(),
                        &classes,
                        chosen,
                        self.space,
                        seed,
                    )?]
                }
                // One call per method with the same seed: every method meets the same noise.
                _ => chosen
                    .iter()
                    .map(|a| {
                        self.suite.evaluate(
                            criterion,
                            model,
                            x.clone(),
                            &[predicted],
                            std::slice::from_ref(a),
                            self.space,
                            seed,
                        )
                    })
                    .collect::<Result<Vec<_>>>()?,
            };
            let mut rows = Vec::new();
            for r in &reports {
                for (j, curve) in r.per_example.iter().enumerate() {
                    rows.push(CriterionRecord {
                        curve: curve.clone(),
                        auc: r.auc_per_example[j],
                        fallback: r.fallback.get(j).cloned().unwrap_or_default(),
                    });
                }
            }
            for (m, row) in methods.iter_mut().zip(rows) {
                m.criteria.insert(criterion, row);
            }
            costs.push((criterion, reports.iter().map(|r| r.cost).sum()));
        }
        Ok(ExampleRecord {
            index,
            label,
            predicted,
            methods,
            evaluation_cost: costs.into_iter().collect(),
            code_version: Some(CodeVersion::current().clone()),
        })
    }
}

/// The attribution of the request's single row.
fn explain<M: Classifier<D>, const D: usize>(
    explainer: &AnyExplainer<D>,
    model: &M,
    request: &ExplainRequest<D>,
) -> Result<Attribution> {
    explainer.explain(model, request)?.pop().ok_or_else(|| {
        XaiError::invalid("explainer output", "no attribution", "one per request row")
    })
}
