//! Greedy: add the single features that best improve the robustness objective (Hsieh et al.
//! 2021, section 4.1, Eqn. 5).

use crate::explainer::Explainer;
use crate::objective::{
    RobustnessObjective, SubsetValue, check_fraction, order_by, scores_from_steps,
};
use crate::request::ExplainRequest;
use burn::config::Config;
use xai_attacks::{BisectionSearch, MaskedPgd, RobustnessEstimator};
use xai_core::attribution::fraction_to_k;
use xai_core::{Attribution, Classifier, Cost, FeatureMask};

/// Settings of [`Greedy`].
#[derive(Config, Debug)]
pub struct GreedyConfig {
    /// Robustness-S̄r (anchored) or Robustness-Sr.
    #[config(default = "RobustnessObjective::Anchored")]
    pub objective: RobustnessObjective,
    /// Fraction of all features added per step (the paper: the top 5% per iteration).
    #[config(default = 0.05)]
    pub step_fraction: f64,
    /// Stop once this fraction is chosen; the rest is ranked by the last step's values.
    #[config(default = 0.5)]
    pub max_fraction: f64,
}

impl GreedyConfig {
    /// The settings of `preset`: the top 5% per step (paper), 10% (fast).
    pub fn preset(preset: crate::Preset) -> Self {
        preset.pick(Self::new(), Self::new().with_step_fraction(0.1))
    }
}

/// Greedy (Eqn. 5): at step `t`, for every unchosen feature `i` estimate `v(S_t ∪ {i})` and
/// add the `step_fraction` of features with the best value (highest for Robustness-S̄r, lowest
/// for Robustness-Sr). Features are ranked by the step that chose them, then by value.
///
/// Cost: `Σ_t |U_t|` robustness estimates (about `n × steps`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Greedy<E> {
    config: GreedyConfig,
    estimator: E,
}

impl Greedy<BisectionSearch<MaskedPgd>> {
    /// The paper's settings with bisection-PGD.
    pub fn paper() -> Self {
        Self { config: GreedyConfig::new(), estimator: BisectionSearch::paper() }
    }
}

impl<E> Greedy<E> {
    /// Greedy with `estimator` for `v(S)`.
    pub fn new(config: GreedyConfig, estimator: E) -> xai_core::Result<Self> {
        check_fraction("step fraction", config.step_fraction)?;
        check_fraction("max fraction", config.max_fraction)?;
        Ok(Self { config, estimator })
    }

    /// The settings.
    pub fn config(&self) -> &GreedyConfig {
        &self.config
    }
}

impl<E: RobustnessEstimator<D>, const D: usize> Explainer<D> for Greedy<E> {
    fn name(&self) -> String {
        "greedy".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let c = &self.config;
        let space = request.space();
        let n = space.n_features();
        let per_step = fraction_to_k(c.step_fraction, n)?;
        let target = fraction_to_k(c.max_fraction, n)?;
        let sign = c.objective.sign();
        let mut out = Vec::with_capacity(request.rows());
        for row in 0..request.rows() {
            let oracle = SubsetValue::new(&self.estimator, request, row, c.objective);
            let mut chosen = FeatureMask::empty(n);
            let mut unchosen: Vec<usize> = (0..n).collect();
            let (mut steps, mut rest, mut cost) = (Vec::new(), Vec::new(), Cost::default());
            let total_steps = target.div_ceil(per_step);
            while !unchosen.is_empty() {
                request.report(row, "greedy step", steps.len(), total_steps);
                let candidates: Vec<FeatureMask> = unchosen
                    .iter()
                    .map(|&i| chosen.union(&FeatureMask::from_indices(n, &[i])?))
                    .collect::<xai_core::Result<_>>()?;
                let (values, spent) = oracle.values(model, &candidates)?;
                cost += spent;
                let order =
                    order_by(&(0..unchosen.len()).collect::<Vec<_>>(), |j| sign * values[j] as f64);
                let ranked: Vec<usize> = order.iter().map(|&j| unchosen[j]).collect();
                let take = per_step.min(target - chosen.count());
                let step = ranked[..take].to_vec();
                chosen = chosen.union(&FeatureMask::from_indices(n, &step)?)?;
                steps.push(step);
                unchosen = ranked[take..].to_vec();
                if chosen.count() >= target {
                    rest = unchosen.clone();
                    break;
                }
                unchosen.sort_unstable();
            }
            request.report(row, "greedy step", total_steps, total_steps);
            let scores = scores_from_steps(n, &steps, &rest);
            out.push(
                Attribution::new("greedy", request.classes()[row], scores, cost)?
                    .with_contrast(request.contrast_of(row)),
            );
        }
        Ok(out)
    }
}
