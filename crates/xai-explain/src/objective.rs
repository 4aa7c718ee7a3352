//! The robustness objectives the greedy explainers optimise, and the subset-value oracle
//! `v(S)` they share.

use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::Tensor;
use xai_attacks::{AttackGoal, RobustnessEstimator, RobustnessQuery};
use xai_core::{Classifier, Cost, FeatureMask, XaiError};

/// Which of the paper's objectives a greedy explainer optimises (Hsieh et al. 2021, Eqn. 3
/// and 4).
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum RobustnessObjective {
    /// Robustness-S̄r (Eqn. 3): the relevant set is anchored and only its complement may
    /// move; a good set makes this **large**, so features with the **highest** scores are
    /// chosen.
    Anchored,
    /// Robustness-Sr (Eqn. 4): only the relevant set may move; a good set makes this
    /// **small**, so features with the **lowest** scores are chosen.
    Perturbed,
}

impl RobustnessObjective {
    /// The free set (perturbable features) when `relevant` is the candidate relevant set.
    pub fn free_set(self, relevant: &FeatureMask) -> FeatureMask {
        match self {
            RobustnessObjective::Anchored => relevant.complement(),
            RobustnessObjective::Perturbed => relevant.clone(),
        }
    }

    /// `+1` when larger values of `v` are better (Anchored), `−1` otherwise: multiplying a
    /// value or a regression coefficient by it gives a relevance score (higher = choose).
    pub fn sign(self) -> f64 {
        match self {
            RobustnessObjective::Anchored => 1.0,
            RobustnessObjective::Perturbed => -1.0,
        }
    }

    /// The kebab-case name (`anchored` = Robustness-S̄r, `perturbed` = Robustness-Sr).
    pub fn name(self) -> &'static str {
        match self {
            RobustnessObjective::Anchored => "anchored",
            RobustnessObjective::Perturbed => "perturbed",
        }
    }
}

/// `v(S)` for one row of a request: the estimated minimum adversarial norm when the relevant
/// set is `S` (Robustness-S̄r or -Sr depending on the objective), untargeted or targeted at
/// the row's contrast class; rows where no attack succeeds get the paper's fallback (the
/// input's norm).
pub(crate) struct SubsetValue<'a, E, const D: usize> {
    estimator: &'a E,
    space: &'a xai_core::FeatureSpace,
    x: Tensor<D>,
    label: usize,
    contrast: Option<usize>,
    objective: RobustnessObjective,
    chunk: usize,
    bounds: (f32, f32),
}

impl<'a, E: RobustnessEstimator<D>, const D: usize> SubsetValue<'a, E, D> {
    pub(crate) fn new(
        estimator: &'a E,
        request: &'a ExplainRequest<D>,
        row: usize,
        objective: RobustnessObjective,
    ) -> Self {
        Self {
            estimator,
            space: request.space(),
            x: request.row(row),
            label: request.classes()[row],
            contrast: request.contrast_of(row),
            objective,
            chunk: request.batch_size(),
            bounds: request.bounds(),
        }
    }

    /// `v` for each candidate relevant set, and the evaluations spent.
    pub(crate) fn values<M: Classifier<D>>(
        &self,
        model: &M,
        relevant: &[FeatureMask],
    ) -> xai_core::Result<(Vec<f32>, Cost)> {
        let space = self.space;
        let mut values = Vec::with_capacity(relevant.len());
        let mut cost = Cost::default();
        for range in xai_core::batching::batches(relevant.len(), self.chunk)? {
            let free: Vec<FeatureMask> =
                relevant[range.clone()].iter().map(|s| self.objective.free_set(s)).collect();
            let mut query = RobustnessQuery::one_input(self.x.clone(), self.label, &free, space)?
                .with_bounds(self.bounds.0, self.bounds.1)?;
            if let Some(t) = self.contrast {
                query = query.with_goal(AttackGoal::Targeted(vec![t; range.len()]))?;
            }
            let batch = self.estimator.estimate(model, &query)?;
            cost += batch.cost;
            values.extend(batch.estimates());
        }
        Ok((values, cost))
    }
}

/// Turns the greedy order into scores: a feature chosen at step `s` of `T` scores
/// `T − s + r`, with `r ∈ (0, 1)` decreasing along the order within the step; features never
/// chosen score `r ∈ (0, 1)` along `rest` (the last ranking). Earlier = higher.
pub(crate) fn scores_from_steps(n: usize, steps: &[Vec<usize>], rest: &[usize]) -> Vec<f32> {
    let mut scores = vec![0.0f32; n];
    let t = steps.len();
    let within = |q: usize, count: usize| 1.0 - (q + 1) as f32 / (count + 1) as f32;
    for (s, chosen) in steps.iter().enumerate() {
        for (q, &i) in chosen.iter().enumerate() {
            scores[i] = (t - s) as f32 + within(q, chosen.len());
        }
    }
    for (q, &i) in rest.iter().enumerate() {
        scores[i] = within(q, rest.len());
    }
    scores
}

/// `indices` sorted by descending `key`, ties by ascending index.
pub(crate) fn order_by(indices: &[usize], key: impl Fn(usize) -> f64) -> Vec<usize> {
    let mut v = indices.to_vec();
    v.sort_by(|&a, &b| {
        key(b).partial_cmp(&key(a)).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b))
    });
    v
}

/// Errors unless `value` is a fraction in `(0, 1]` (a step or target size of the greedy
/// methods).
pub(crate) fn check_fraction(what: &str, value: f64) -> xai_core::Result<()> {
    if !(value > 0.0 && value <= 1.0) {
        return Err(XaiError::invalid(what, value, "a fraction in (0, 1]"));
    }
    Ok(())
}

/// Errors unless the subset sampling of Greedy-AS / one-step Banzhaf is well posed: at least 2
/// subsets, an inclusion probability in `(0, 1)`, a finite ridge `>= 0`.
pub(crate) fn check_sampling(
    subsets: usize,
    include_prob: f64,
    ridge: f64,
) -> xai_core::Result<()> {
    if !(include_prob > 0.0 && include_prob < 1.0) {
        return Err(XaiError::invalid("include probability", include_prob, "in (0, 1)"));
    }
    if subsets < 2 {
        return Err(XaiError::invalid("subsets", subsets, "at least 2"));
    }
    if !(ridge.is_finite() && ridge >= 0.0) {
        return Err(XaiError::invalid("ridge", ridge, "finite and >= 0"));
    }
    Ok(())
}
