//! Robustness-Sr and Robustness-S̄r evaluation curves (Hsieh et al. 2021, section 3, Eqn. 1/2).

use crate::auc::{check_fractions, paper_fractions};
use crate::curve::{Better, CurveReport};
use burn::config::Config;
use burn::tensor::Tensor;
use xai_attacks::{AttackGoal, Fallback, RobustnessEstimator, RobustnessQuery};
use xai_core::host::classes_tensor;
use xai_core::{Attribution, Classifier, FeatureSpace, XaiError};
use xai_explain::RobustnessObjective;

/// Settings of [`RobustnessCurve`].
#[derive(Config, Debug)]
pub struct RobustnessCurveConfig {
    /// Robustness-S̄r (`Anchored`: the top-k set is fixed, its complement perturbed; higher is
    /// better) or Robustness-Sr (`Perturbed`: only the top-k set moves; lower is better).
    #[config(default = "RobustnessObjective::Anchored")]
    pub objective: RobustnessObjective,
    /// Sizes of the relevant set as fractions of the features (the paper: 5%, …, 45%).
    #[config(default = "paper_fractions()")]
    pub fractions: Vec<f64>,
    /// Largest number of robustness rows per estimator call (bounds memory).
    #[config(default = 512)]
    pub batch_size: usize,
    /// The value recorded when no attack succeeds (the paper: the input's norm).
    #[config(default = "Fallback::InputNorm")]
    pub fallback: Fallback,
}

/// The Robustness-Sr / Robustness-S̄r curve of explanations: for each fraction `q`, `S_r` is
/// the top `q` of the attribution and the value is the estimated minimum adversarial norm
/// perturbing only `S_r` (Robustness-Sr, Eqn. 1 restricted to `S_r`) or only its complement
/// (Robustness-S̄r); untargeted, or targeted (Eqn. 2) when target classes are given. The AUC is
/// the trapezoid area with `x` in percent, averaged over examples (the paper's Table 1).
///
/// Cost: one robustness estimate per example and fraction (≈ 1,600 evaluations with the
/// paper's bisection-PGD). All rows go through the estimator together, in chunks.
#[derive(Debug, Clone)]
pub struct RobustnessCurve<E> {
    config: RobustnessCurveConfig,
    estimator: E,
}

impl<E> RobustnessCurve<E> {
    /// A curve metric measured with `estimator`.
    pub fn new(config: RobustnessCurveConfig, estimator: E) -> xai_core::Result<Self> {
        check_fractions(&config.fractions)?;
        if config.batch_size == 0 {
            return Err(XaiError::invalid("batch size", 0, "at least 1"));
        }
        Ok(Self { config, estimator })
    }

    /// The settings.
    pub fn config(&self) -> &RobustnessCurveConfig {
        &self.config
    }

    /// The metric's name: `robustness-sr-bar` (anchored) or `robustness-sr`.
    pub fn name(&self) -> &'static str {
        match self.config.objective {
            RobustnessObjective::Anchored => "robustness-sr-bar",
            RobustnessObjective::Perturbed => "robustness-sr",
        }
    }

    /// Evaluates one attribution per example.
    ///
    /// # Shapes
    /// - inputs: `[examples, ...space.sample_shape()]`; labels, attributions: `examples` each;
    ///   targets (optional): `examples`
    pub fn evaluate<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        inputs: Tensor<D>,
        labels: &[usize],
        targets: Option<&[usize]>,
        attributions: &[Attribution],
        space: &FeatureSpace,
    ) -> xai_core::Result<CurveReport>
    where
        E: RobustnessEstimator<D>,
    {
        let n = labels.len();
        space.check_input(&inputs.dims())?;
        if inputs.dims()[0] != n || attributions.len() != n {
            return Err(XaiError::shape(
                "labels and attributions",
                format!("one per input ({} inputs)", inputs.dims()[0]),
                &[n, attributions.len()],
            ));
        }
        if let Some(t) = targets
            && t.len() != n
        {
            return Err(XaiError::shape("targets", format!("{n} (one per input)"), &[t.len()]));
        }
        let f = self.config.fractions.len();
        let mut masks = Vec::with_capacity(n * f);
        for a in attributions {
            space.check_features("attribution", a.n_features())?;
            for &q in &self.config.fractions {
                masks.push(self.config.objective.free_set(&a.top_fraction(q)?));
            }
        }
        let rows: Vec<usize> = (0..n).flat_map(|i| std::iter::repeat_n(i, f)).collect();
        let index = classes_tensor(&rows, &inputs.device());
        let repeated = inputs.select(0, index);
        let row_labels: Vec<usize> = rows.iter().map(|&i| labels[i]).collect();
        let mut query = RobustnessQuery::from_masks(repeated, row_labels, &masks, space)?
            .with_fallback(self.config.fallback);
        if let Some(t) = targets {
            query = query.with_goal(AttackGoal::Targeted(rows.iter().map(|&i| t[i]).collect()))?;
        }
        let batch = self.estimator.estimate_chunked(model, &query, self.config.batch_size)?;
        let values: Vec<f64> = batch.rows.iter().map(|r| r.estimate as f64).collect();
        let per_example: Vec<Vec<f64>> = values.chunks(f).map(<[f64]>::to_vec).collect();
        let better = match self.config.objective {
            RobustnessObjective::Anchored => Better::Higher,
            RobustnessObjective::Perturbed => Better::Lower,
        };
        let mut report =
            CurveReport::new(self.name(), better, &self.config.fractions, per_example, batch.cost)?;
        report.fallback =
            batch.rows.chunks(f).map(|c| c.iter().map(|r| !r.found).collect()).collect();
        Ok(report)
    }
}
