//! EFS and IFS curves with AUEC and AOIC (paper 002, "Feature Attribution As Feature
//! Selection", section 4 and section 5.1).

use crate::auc::trapezoid;
use crate::curve::Better;
use burn::config::Config;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use xai_core::corruption::{CorruptionScorer, OutputChange, SelectionMode};
use xai_core::host::{check_finite, to_vec_f32};
use xai_core::{
    Attribution, ClassScore, Classifier, Corruption, Cost, Evaluator, FeatureSpace, XaiError, seed,
};

/// The default grid of corrupted fractions: 0, 0.05, …, 1 (21 points; the paper varies `q`
/// "from zero to one").
pub fn selection_fractions() -> Vec<f64> {
    (0..=20).map(|i| i as f64 * 0.05).collect()
}

/// Checks a grid of corrupted fractions: at least 2 points, strictly increasing, in `[0, 1]`.
pub fn check_selection_fractions(fractions: &[f64]) -> xai_core::Result<()> {
    if fractions.len() < 2
        || fractions.iter().any(|f| !(0.0..=1.0).contains(f))
        || fractions.windows(2).any(|w| w[1] <= w[0])
    {
        return Err(XaiError::invalid(
            "fractions",
            format!("{fractions:?}"),
            "at least 2 strictly increasing values in [0, 1]",
        ));
    }
    Ok(())
}

/// Settings of [`FeatureSelectionCurve`].
#[derive(Config, Debug)]
pub struct FeatureSelectionCurveConfig {
    /// EFS (corrupt the top features; AUEC) or IFS (corrupt all but the top features; AOIC).
    pub mode: SelectionMode,
    /// The noise `p(r)`: U(0, 1) (the paper's Table 1/2, default) or random real images
    /// (Table 3); constant and data-dependent noise are also available.
    #[config(default = "Corruption::Uniform")]
    pub corruption: Corruption,
    /// The output change: `g_label` (the paper's tables, default) or `g_intensity`.
    #[config(default = "OutputChange::Label")]
    pub change: OutputChange,
    /// The scale of `f_c` for `g_intensity`: the logit (default, the paper's `f_c`) or the
    /// probability. Unused by `g_label`.
    #[config(default = "ClassScore::Logit")]
    pub score: ClassScore,
    /// Ratios of corrupted features `p` (x axis of Figure 4): EFS corrupts the top `p`, IFS
    /// the bottom `p`. Default 0, 0.05, …, 1.
    #[config(default = "selection_fractions()")]
    pub fractions: Vec<f64>,
    /// Noise draws averaged per point (the expectation `E_r`; 1 for a constant corruption).
    #[config(default = 8)]
    pub draws: usize,
    /// The valid input box (data-dependent noise is clipped to it).
    #[config(default = "(0.0, 1.0)")]
    pub bounds: (f32, f32),
    /// Largest number of inputs per model call.
    #[config(default = 256)]
    pub batch_size: usize,
}

impl FeatureSelectionCurveConfig {
    /// Checks the settings: the fraction grid, at least one draw and a positive batch size,
    /// a valid corruption and box.
    pub fn validate(&self) -> xai_core::Result<()> {
        check_selection_fractions(&self.fractions)?;
        if self.draws == 0 {
            return Err(XaiError::invalid("draws", 0, "at least 1"));
        }
        if self.batch_size == 0 {
            return Err(XaiError::invalid("batch size", 0, "at least 1"));
        }
        let (lo, hi) = self.bounds;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(XaiError::invalid("input bounds", format!("[{lo}, {hi}]"), "lo < hi"));
        }
        self.corruption.validate(None)
    }

    /// The metric with these settings.
    pub fn init(&self) -> xai_core::Result<FeatureSelectionCurve> {
        FeatureSelectionCurve::new(self.clone())
    }
}

/// The result of [`FeatureSelectionCurve`]: each example's curve `g(p)`, the mean curve, and
/// AUEC (EFS) or AOIC (IFS) per example and on average.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSelectionReport {
    /// `"auec"` (EFS) or `"aoic"` (IFS).
    pub metric: String,
    /// EFS or IFS.
    pub mode: SelectionMode,
    /// The output change measured.
    pub change: OutputChange,
    /// The corruption's name ([`Corruption::name`]).
    pub corruption: String,
    /// Always [`Better::Higher`]: a large AUEC means the decision changes after corrupting few
    /// relevant features, a large AOIC that it survives corrupting many irrelevant ones.
    pub better: Better,
    /// The ratios of corrupted features `p` (x axis).
    pub fractions: Vec<f64>,
    /// One curve per example: `g` at each ratio.
    pub per_example: Vec<Vec<f64>>,
    /// The mean curve over examples.
    pub mean: Vec<f64>,
    /// The ceiling of the area over the IFS curve per example: 1 for `g_label`, `f_c(x)` for
    /// `g_intensity` (so AOIC = `∫ E_r[f_c(x_{S,r})] dp`). Unused for EFS.
    pub ceiling: Vec<f64>,
    /// AUEC `∫ g dp` (EFS) or AOIC `∫ (ceiling − g) dp` (IFS) per example, trapezoid rule over
    /// the fractions (in `[0, 1]` for `g_label` on the default grid).
    pub area_per_example: Vec<f64>,
    /// The mean of the per-example areas.
    pub area: f64,
    /// Model evaluations spent.
    pub cost: Cost,
}

/// The EFS- or IFS-curve of explanations and its area (paper 002, section 4): for each ratio
/// `p` of corrupted features, `g(S)` with `S` the top `round(p·d)` features of the attribution
/// (EFS) or all but the top `d − round(p·d)` (IFS), where
/// `g_label(S) = E_r[I(c ≠ argmax_j f_j(x_{S,r}))]` or `g_intensity(S) = E_r[f_c(x) −
/// f_c(x_{S,r})]`, estimated with `draws` noise draws shared by all ratios of an example.
/// AUEC is the area under the EFS curve, AOIC the area over the IFS curve (both higher =
/// better), trapezoid rule with `p ∈ [0, 1]`.
///
/// All `fractions × draws` corrupted inputs of an example go through the model in batches of
/// `batch_size`.
///
/// Cost per example: `1 + fractions × draws` forward evaluations (`draws` = 1 for a constant
/// corruption).
#[derive(Debug, Clone)]
pub struct FeatureSelectionCurve {
    config: FeatureSelectionCurveConfig,
}

impl FeatureSelectionCurve {
    /// The metric, after checking the settings.
    pub fn new(config: FeatureSelectionCurveConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &FeatureSelectionCurveConfig {
        &self.config
    }

    /// Evaluates one attribution per example; example `i` is judged for class `classes[i]`
    /// (usually the model's prediction, as in the paper). Noise is drawn from `seed`'s stream
    /// for each example, so a report does not depend on which examples ran before.
    ///
    /// # Shapes
    /// - inputs: `[examples, ...space.sample_shape()]`; classes, attributions: `examples`
    pub fn evaluate<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        inputs: Tensor<D>,
        classes: &[usize],
        attributions: &[Attribution],
        space: &FeatureSpace,
        seed_: u64,
    ) -> xai_core::Result<FeatureSelectionReport> {
        let c = &self.config;
        c.validate()?;
        space.check_input(&inputs.dims())?;
        let n = inputs.dims()[0];
        if classes.len() != n || attributions.len() != n {
            return Err(XaiError::shape(
                "classes and attributions",
                format!("one per input ({n} inputs)"),
                &[classes.len(), attributions.len()],
            ));
        }
        check_finite("inputs", &to_vec_f32(inputs.clone())?)?;
        let nf = space.n_features();
        let eval = Evaluator::new(model);
        let mut per_example = Vec::with_capacity(n);
        let mut ceiling = Vec::with_capacity(n);
        for (i, a) in attributions.iter().enumerate() {
            space.check_features("attribution", a.n_features())?;
            let masks = selection_masks(c.mode, &a.ranking(), &c.fractions);
            let x = inputs.clone().narrow(0, i, 1);
            let scorer = CorruptionScorer::new(
                &eval,
                x,
                space,
                &c.corruption,
                c.bounds,
                classes[i],
                c.change,
                c.score,
                c.draws,
                c.batch_size,
            )?;
            debug_assert_eq!(masks.len(), c.fractions.len() * nf);
            let mut rng = seed::stream_rng(seed_, i as u64);
            let g = scorer.expected_change(&masks, &mut rng)?;
            per_example.push(g.into_iter().map(f64::from).collect::<Vec<_>>());
            ceiling.push(match c.change {
                OutputChange::Label => 1.0,
                OutputChange::Intensity => scorer.base_score() as f64,
            });
        }
        let area_per_example = per_example
            .iter()
            .zip(&ceiling)
            .map(|(g, top)| area(c.mode, &c.fractions, g, *top))
            .collect::<xai_core::Result<Vec<_>>>()?;
        let count = n.max(1) as f64;
        let mean = (0..c.fractions.len())
            .map(|j| per_example.iter().map(|y| y[j]).sum::<f64>() / count)
            .collect();
        let metric = match c.mode {
            SelectionMode::Exclusive => "auec",
            SelectionMode::Inclusive => "aoic",
        };
        Ok(FeatureSelectionReport {
            metric: metric.into(),
            mode: c.mode,
            change: c.change,
            corruption: c.corruption.name(),
            better: Better::Higher,
            fractions: c.fractions.clone(),
            mean,
            area: area_per_example.iter().sum::<f64>() / count,
            area_per_example,
            per_example,
            ceiling,
            cost: eval.cost(),
        })
    }
}

/// The corruption masks (1 = corrupted, one row of `ranking.len()` values per fraction):
/// EFS corrupts the first `round(p·d)` features of `ranking` (most relevant first), IFS the
/// last `round(p·d)`.
pub fn selection_masks(mode: SelectionMode, ranking: &[usize], fractions: &[f64]) -> Vec<f32> {
    let d = ranking.len();
    let mut masks = vec![0.0f32; fractions.len() * d];
    for (row, &p) in masks.chunks_mut(d.max(1)).zip(fractions) {
        let k = ((p * d as f64).round() as usize).min(d);
        let chosen = match mode {
            SelectionMode::Exclusive => &ranking[..k],
            SelectionMode::Inclusive => &ranking[d - k..],
        };
        for &f in chosen {
            row[f] = 1.0;
        }
    }
    masks
}

/// AUEC `∫ g dp` (EFS) or AOIC `∫ (ceiling − g) dp` (IFS) by the trapezoid rule.
pub fn area(
    mode: SelectionMode,
    fractions: &[f64],
    g: &[f64],
    ceiling: f64,
) -> xai_core::Result<f64> {
    match mode {
        SelectionMode::Exclusive => trapezoid(fractions, g),
        SelectionMode::Inclusive => {
            let over: Vec<f64> = g.iter().map(|v| ceiling - v).collect();
            trapezoid(fractions, &over)
        }
    }
}
