//! Greedy-AS: greedy selection by set-aggregated (Banzhaf) scores (Hsieh et al. 2021,
//! section 4.2, Eqn. 6).

use crate::explainer::Explainer;
use crate::objective::{
    RobustnessObjective, SubsetValue, check_fraction, check_sampling, order_by, scores_from_steps,
};
use crate::regression::LeastSquares;
use crate::request::ExplainRequest;
use burn::config::Config;
use rand::Rng;
use xai_attacks::{BisectionSearch, DeepFool, DeepFoolConfig, MaskedPgd, RobustnessEstimator};
use xai_core::attribution::fraction_to_k;
use xai_core::{Attribution, Classifier, Cost, FeatureMask, seed};

/// Settings of [`GreedyAs`]; the defaults are the paper's (appendix C and its reference code).
#[derive(Config, Debug)]
pub struct GreedyAsConfig {
    /// Robustness-S̄r (anchored, the paper's main objective) or Robustness-Sr.
    #[config(default = "RobustnessObjective::Anchored")]
    pub objective: RobustnessObjective,
    /// Fraction of all features added per greedy step (the paper: 5%).
    #[config(default = 0.05)]
    pub step_fraction: f64,
    /// Stop once this fraction of features is chosen (curves go to 45%; the rest is ranked by
    /// the last regression).
    #[config(default = 0.5)]
    pub max_fraction: f64,
    /// Subsets sampled per regression (the paper: 5000).
    #[config(default = 5000)]
    pub subsets: usize,
    /// Probability that an unchosen feature joins a sampled subset (the reference code: 0.2).
    #[config(default = 0.2)]
    pub include_prob: f64,
    /// Ridge penalty of the regression (0 = the paper's ordinary least squares; a small value
    /// keeps regressions with fewer subsets than features well posed).
    #[config(default = 0.0)]
    pub ridge: f64,
}

impl GreedyAsConfig {
    /// The settings of `preset`: 5000 subsets and 5% per step (paper), or [`GreedyAsConfig::fast`].
    pub fn preset(preset: crate::Preset) -> Self {
        preset.pick(Self::new(), Self::fast())
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        check_fraction("step fraction", self.step_fraction)?;
        check_fraction("max fraction", self.max_fraction)?;
        check_sampling(self.subsets, self.include_prob, self.ridge)
    }

    /// The `fast` preset's settings: 10% per step, 400 subsets, ridge 1.0 (keeps the
    /// regression well posed with fewer subsets than features).
    pub fn fast() -> Self {
        Self::new().with_step_fraction(0.1).with_subsets(400).with_ridge(1.0)
    }
}

/// Greedy-AS (Hsieh et al. 2021, section 4.2). At each step `t`, with `S_t` the chosen set
/// and `U_t` the unchosen features: sample subsets `S ⊆ U_t` (each feature with probability
/// `include_prob`), estimate `v(S_t ∪ S)` with the robustness estimator, fit
/// `v ≈ wᵀ b(S) + c` by least squares (Eqn. 6; `w` is the Banzhaf value when `S_t = ∅`), and
/// add the `step_fraction` of features with the highest `w` (Robustness-S̄r) or lowest `w`
/// (Robustness-Sr). Features are ranked by the step that chose them, then by coefficient.
///
/// Cost: `steps × subsets` robustness estimates (≈ 1,600 evaluations each with the paper's
/// bisection-PGD, ≈ 230 with FMN, ≈ 20 with DeepFool).
#[derive(Debug, Clone, serde::Serialize)]
pub struct GreedyAs<E> {
    config: GreedyAsConfig,
    estimator: E,
}

impl GreedyAs<BisectionSearch<MaskedPgd>> {
    /// The paper's settings: 5000 subsets per step, 5% per step, bisection over 100-step PGD.
    pub fn paper() -> Self {
        Self { config: GreedyAsConfig::new(), estimator: BisectionSearch::paper() }
    }
}

impl GreedyAs<DeepFool> {
    /// Scaled down for a quick look: 10% per step, 400 subsets (ridge-regularised), and masked
    /// DeepFool ([`DeepFoolConfig::fast`], `xai_attacks::Estimator::DeepfoolFast`) instead of
    /// bisection-PGD.
    pub fn fast() -> xai_core::Result<Self> {
        Self::new(GreedyAsConfig::fast(), DeepFoolConfig::fast().init()?)
    }
}

impl<E> GreedyAs<E> {
    /// Greedy-AS with `estimator` for `v(S)`.
    pub fn new(config: GreedyAsConfig, estimator: E) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config, estimator })
    }

    /// The settings.
    pub fn config(&self) -> &GreedyAsConfig {
        &self.config
    }

    /// The robustness estimator.
    pub fn estimator(&self) -> &E {
        &self.estimator
    }
}

/// Draws `count` subsets of `pool` (each member with probability `p`) as masks over `base`'s
/// features, unioned with `base`; also returns the membership design over `pool`
/// (`count × pool.len()`, row-major 0/1).
pub(crate) fn sample_subsets(
    pool: &[usize],
    base: &FeatureMask,
    count: usize,
    p: f64,
    rng: &mut impl Rng,
) -> (Vec<FeatureMask>, Vec<f32>) {
    let mut masks = Vec::with_capacity(count);
    let mut design = vec![0.0f32; count * pool.len()];
    for s in 0..count {
        let mut bits = base.bits().to_vec();
        for (j, &f) in pool.iter().enumerate() {
            if rng.random_bool(p) {
                bits[f] = true;
                design[s * pool.len() + j] = 1.0;
            }
        }
        masks.push(FeatureMask::from_bits(bits));
    }
    (masks, design)
}

impl<E: RobustnessEstimator<D>, const D: usize> Explainer<D> for GreedyAs<E> {
    fn name(&self) -> String {
        "greedy-as".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        self.config.validate()?;
        let c = &self.config;
        let space = request.space();
        let n = space.n_features();
        let per_step = fraction_to_k(c.step_fraction, n)?;
        let target = fraction_to_k(c.max_fraction, n)?;
        let ls = LeastSquares { intercept: true, ridge: c.ridge };
        let sign = c.objective.sign();
        let mut out = Vec::with_capacity(request.rows());
        for row in 0..request.rows() {
            let mut rng = seed::stream_rng(request.seed(), row as u64);
            let oracle = SubsetValue::new(&self.estimator, request, row, c.objective);
            let mut chosen = FeatureMask::empty(n);
            let mut unchosen: Vec<usize> = (0..n).collect();
            let mut steps: Vec<Vec<usize>> = Vec::new();
            let mut cost = Cost::default();
            let mut rest = Vec::new();
            let total_steps = target.div_ceil(per_step);
            while !unchosen.is_empty() {
                request.report(row, "greedy step", steps.len(), total_steps);
                let (masks, design) =
                    sample_subsets(&unchosen, &chosen, c.subsets, c.include_prob, &mut rng);
                let (values, spent) = oracle.values(model, &masks)?;
                cost += spent;
                let fit = ls.fit(&design, unchosen.len(), &values, None)?;
                let order = order_by(&(0..unchosen.len()).collect::<Vec<_>>(), |j| {
                    sign * fit.coefficients[j]
                });
                let ranked: Vec<usize> = order.iter().map(|&j| unchosen[j]).collect();
                // `chosen` is below `target` here, so every step takes at least one feature.
                let take = per_step.min(target - chosen.count());
                let step: Vec<usize> = ranked[..take].to_vec();
                chosen = chosen.union(&FeatureMask::from_indices(n, &step)?)?;
                steps.push(step);
                if chosen.count() >= target {
                    rest = ranked[take..].to_vec();
                    break;
                }
                unchosen = ranked[take..].to_vec();
                unchosen.sort_unstable();
            }
            request.report(row, "greedy step", total_steps, total_steps);
            let scores = scores_from_steps(n, &steps, &rest);
            let attribution = Attribution::new("greedy-as", request.classes()[row], scores, cost)?
                .with_contrast(request.contrast_of(row));
            out.push(attribution);
        }
        Ok(out)
    }
}
