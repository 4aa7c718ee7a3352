//! CFX: sparse counterfactual explanations (Wachter et al. 2017 with the L0 constraint of
//! Hsieh et al. 2021, appendix C).

use crate::adam::Adam;
use crate::explainer::Explainer;
use crate::request::ExplainRequest;
use burn::config::Config;
use burn::tensor::{IndexingUpdateOp, Int, Tensor};
use xai_attacks::objective::class_margin;
use xai_core::attribution::fraction_to_k;
use xai_core::batching::batches;
use xai_core::classifier::argmax_rows;
use xai_core::host::{classes_tensor, from_vec_f32, to_vec_f32};
use xai_core::{Attribution, Classifier, Cost, Evaluator, FeatureSpace, XaiError};

/// Settings of [`Cfx`].
#[derive(Config, Debug)]
pub struct CfxConfig {
    /// Adam steps. Each costs one forward and one backward pass per row.
    #[config(default = 200)]
    pub steps: usize,
    /// Adam learning rate, in input units per step (inputs in `[0, 1]`: 0.05 crosses the box
    /// in 20 steps).
    #[config(default = 0.05)]
    pub lr: f64,
    /// Weight `λ` of the squared distance `‖x' − x‖²` (Wachter et al.'s trade-off; smaller
    /// flips more often, larger stays closer).
    #[config(default = 0.1)]
    pub lambda: f64,
    /// Fraction of features the counterfactual may change (`k = round(sparsity · F)`, at least
    /// 1): the L0 constraint of Hsieh et al. 2021, appendix C. 0.2 leaves room for the top-5%
    /// … 20% curves of the paper's evaluations.
    #[config(default = 0.2)]
    pub sparsity: f64,
    /// Logit margin `κ ≥ 0` by which the counterfactual class must win before the hinge stops
    /// pulling (0 = the closest flip).
    #[config(default = 0.0)]
    pub margin: f64,
}

impl CfxConfig {
    /// The settings of `preset`: 200 steps (paper), 100 (fast).
    pub fn preset(preset: crate::Preset) -> Self {
        Self::new().with_steps(preset.pick(200, 100))
    }

    /// Checks the settings.
    pub fn validate(&self) -> xai_core::Result<()> {
        if self.steps == 0 {
            return Err(XaiError::invalid("steps", 0, "at least 1"));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(XaiError::invalid("learning rate", self.lr, "finite and > 0"));
        }
        for (what, v) in [("lambda", self.lambda), ("margin", self.margin)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(XaiError::invalid(what, v, "finite and >= 0"));
            }
        }
        if !(self.sparsity > 0.0 && self.sparsity <= 1.0) {
            return Err(XaiError::invalid("sparsity", self.sparsity, "a fraction in (0, 1]"));
        }
        Ok(())
    }
}

/// The counterfactuals found by [`Cfx::counterfactuals`], one per request row.
///
/// # Shapes
/// - inputs: `[rows, ...sample_shape]`
#[derive(Debug, Clone)]
pub struct Counterfactuals<const D: usize> {
    /// The counterfactual inputs `x' = x + δ`.
    pub inputs: Tensor<D>,
    /// The counterfactual class `t` of each row.
    pub targets: Vec<usize>,
    /// Whether the model predicts `t` at `x'` (else `x'` is the last iterate).
    pub flipped: Vec<bool>,
    /// Per row and feature, the change `‖δ_f‖₂` over the feature's elements (0 outside the
    /// at most `k` changed features).
    pub changes: Vec<Vec<f32>>,
    /// Each row's cost.
    pub costs: Vec<Cost>,
}

/// Counterfactual explanation (Wachter et al. 2017) with an L0 constraint (Hsieh et al. 2021,
/// appendix C):
///
/// `min_{x'} max(0, max_{j≠t} f_j(x') − f_t(x') + κ) + λ‖x' − x‖²`
/// subject to `x' − x` touching at most `k` features and `x' ∈ [lo, hi]`,
///
/// a hinge on the logits toward the counterfactual class `t` (the request's contrast class,
/// else the strongest other class at `x`) in place of Wachter's squared loss. Adam optimises a
/// dense perturbation `δ̃` (clipped to `[lo − x, hi − x]`); the model is always evaluated at
/// `x + P_k(δ̃)`, where `P_k` keeps the `k` features with the largest `‖δ̃_f‖₂` (projection onto
/// the L0 ball in feature space), and that gradient updates `δ̃` (a lazy projection: projecting
/// the Adam iterate itself would freeze the support at the first, sign-like Adam step, where
/// all `|δ̃|` tie). Of the evaluated points, the closest one predicted as `t` is returned (else
/// the last). A feature's score is `‖δ_f‖₂`: the features the counterfactual needed rank
/// first. For a linear model the stationary `δ̃` is along `w_y − w_t`, so the support is the
/// features with the largest weight differences that the bounds let move. The attributions
/// carry the request's contrast class; the class chosen otherwise is in
/// [`Counterfactuals::targets`].
///
/// Cost: `steps` forward and `steps` backward evaluations per row; up to `batch_size` rows
/// are optimised together.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cfx {
    config: CfxConfig,
}

impl Cfx {
    /// CFX with `config` (validated).
    pub fn new(config: CfxConfig) -> xai_core::Result<Self> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings.
    pub fn config(&self) -> &CfxConfig {
        &self.config
    }

    /// The sparse counterfactual of every row.
    pub fn counterfactuals<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Counterfactuals<D>> {
        self.config.validate()?;
        let mut parts = Vec::new();
        let mut out = Counterfactuals {
            inputs: request.inputs().clone(),
            targets: Vec::new(),
            flipped: Vec::new(),
            changes: Vec::new(),
            costs: Vec::new(),
        };
        for range in batches(request.rows(), request.batch_size())? {
            let chunk = self.optimise(model, request, range)?;
            parts.push(chunk.inputs);
            out.targets.extend(chunk.targets);
            out.flipped.extend(chunk.flipped);
            out.changes.extend(chunk.changes);
            out.costs.extend(chunk.costs);
        }
        out.inputs = Tensor::cat(parts, 0);
        Ok(out)
    }

    fn optimise<M: Classifier<D>, const D: usize>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
        rows: std::ops::Range<usize>,
    ) -> xai_core::Result<Counterfactuals<D>> {
        let c = &self.config;
        let space = request.space();
        let (nf, n_el, b) = (space.n_features(), space.n_elements(), rows.len());
        let k = fraction_to_k(c.sparsity, nf)?;
        let x0 = request.inputs().clone().narrow(0, rows.start, b);
        let shape = x0.dims();
        let device = x0.device();
        let x = x0.reshape([b, n_el]);
        let (lo, hi) = request.bounds();
        let (d_lo, d_hi) = (x.clone().neg().add_scalar(lo), x.clone().neg().add_scalar(hi));
        let index = space.index_tensor(&device);
        let labels = &request.classes()[rows.clone()];
        let mut targets: Option<Vec<usize>> = request.contrast().map(|t| t[rows.clone()].to_vec());
        let eval = Evaluator::new(model);
        let mut dense: Tensor<2> = Tensor::zeros([b, n_el], &device);
        let mut adam = Adam::new(c.lr, &dense)?;
        let mut best = dense.clone();
        let mut best_dist = vec![f32::INFINITY; b];
        let mut last = dense.clone();
        for _ in 0..c.steps {
            let delta = project(dense.clone(), space, &index, k);
            let point = (x.clone() + delta.clone()).reshape(shape);
            let mut bad = None;
            let (logits, g) = eval.gradient(point, |logits| {
                let [n, classes] = logits.dims();
                let chosen = match &targets {
                    Some(t) => Ok(t.clone()),
                    None => strongest_other(logits.clone().detach(), labels),
                };
                match chosen.and_then(|t| check_targets(request, classes, t)) {
                    Ok(t) => {
                        let t_dev = classes_tensor(&t, &logits.device());
                        targets = Some(t);
                        class_margin(logits, t_dev).neg().add_scalar(c.margin).clamp_min(0.0)
                    }
                    Err(e) => {
                        bad = Some(e);
                        logits.sum_dim(1).reshape([n]).mul_scalar(0.0)
                    }
                }
            });
            if let Some(e) = bad {
                return Err(e);
            }
            let t = targets.as_deref().unwrap_or(labels);
            let predicted = argmax_rows(logits)?;
            let dist = to_vec_f32((delta.clone() * delta.clone()).sum_dim(1))?;
            let better: Vec<f32> = (0..b)
                .map(|i| {
                    let hit = predicted[i] == t[i] && dist[i] < best_dist[i];
                    if hit {
                        best_dist[i] = dist[i];
                    }
                    if hit { 1.0 } else { 0.0 }
                })
                .collect();
            if better.iter().any(|&v| v > 0.0) {
                let sel: Tensor<2> = from_vec_f32(better, [b, 1], &device)?;
                best = best.clone() + (delta.clone() - best) * sel;
            }
            last = delta;
            let grad = g.reshape([b, n_el]) + dense.clone().mul_scalar(2.0 * c.lambda);
            dense = adam.step(dense, grad).max_pair(d_lo.clone()).min_pair(d_hi.clone());
        }
        let flipped: Vec<bool> = best_dist.iter().map(|d| d.is_finite()).collect();
        let found: Vec<f32> = flipped.iter().map(|&f| if f { 1.0 } else { 0.0 }).collect();
        let found: Tensor<2> = from_vec_f32(found, [b, 1], &device)?;
        let delta = last.clone() + (best - last) * found;
        let per_feature = feature_norms(delta.clone(), &index, nf);
        let changes = to_vec_f32(per_feature)?.chunks(nf).map(<[f32]>::to_vec).collect();
        let spent = eval.cost();
        let per_row =
            Cost { forward: spent.forward / b as u64, backward: spent.backward / b as u64 };
        Ok(Counterfactuals {
            inputs: (x + delta).reshape(shape),
            targets: targets.unwrap_or_default(),
            flipped,
            changes,
            costs: vec![per_row; b],
        })
    }
}

/// Each row's strongest class other than its label, from detached logits.
fn strongest_other(logits: Tensor<2>, labels: &[usize]) -> xai_core::Result<Vec<usize>> {
    let [n, classes] = logits.dims();
    if classes < 2 {
        return Err(XaiError::invalid("model classes", classes, "at least 2 for a counterfactual"));
    }
    let values = to_vec_f32(logits)?;
    Ok((0..n)
        .map(|i| {
            let row = &values[i * classes..(i + 1) * classes];
            let mut best = usize::MAX;
            for (j, &v) in row.iter().enumerate() {
                if j != labels[i] && (best == usize::MAX || v > row[best]) {
                    best = j;
                }
            }
            best
        })
        .collect())
}

/// Checks the request's classes and the counterfactual classes against the model's classes.
fn check_targets<const D: usize>(
    request: &ExplainRequest<D>,
    classes: usize,
    targets: Vec<usize>,
) -> xai_core::Result<Vec<usize>> {
    request.check_classes(classes)?;
    if let Some(&t) = targets.iter().find(|&&t| t >= classes) {
        return Err(XaiError::invalid("counterfactual class", t, format!("0..{classes}")));
    }
    Ok(targets)
}

/// `‖δ_f‖₂` per row and feature.
///
/// # Shapes
/// `[batch, elements]` → `[batch, n_features]`
fn feature_norms(delta: Tensor<2>, index: &Tensor<1, Int>, nf: usize) -> Tensor<2> {
    let b = delta.dims()[0];
    Tensor::<2>::zeros([b, nf], &delta.device())
        .select_assign(1, index.clone(), delta.clone() * delta, IndexingUpdateOp::Add)
        .sqrt()
}

/// `P_k`: keeps, per row, the `k` features with the largest `‖δ_f‖₂` and zeroes the rest.
///
/// # Shapes
/// `[batch, elements]` → `[batch, elements]`
fn project(delta: Tensor<2>, space: &FeatureSpace, index: &Tensor<1, Int>, k: usize) -> Tensor<2> {
    let nf = space.n_features();
    if k >= nf {
        return delta;
    }
    let b = delta.dims()[0];
    let device = delta.device();
    let (_, top) = feature_norms(delta.clone(), index, nf).topk_with_indices(k, 1);
    let keep = Tensor::<2>::zeros([b, nf], &device).scatter(
        1,
        top,
        Tensor::ones([b, k], &device),
        IndexingUpdateOp::Assign,
    );
    delta * keep.select(1, index.clone())
}

impl<const D: usize> Explainer<D> for Cfx {
    fn name(&self) -> String {
        "cfx".into()
    }

    fn explain<M: Classifier<D>>(
        &self,
        model: &M,
        request: &ExplainRequest<D>,
    ) -> xai_core::Result<Vec<Attribution>> {
        let found = self.counterfactuals(model, request)?;
        (0..request.rows())
            .map(|row| {
                let scores = found.changes[row].clone();
                Ok(Attribution::new("cfx", request.classes()[row], scores, found.costs[row])?
                    .with_contrast(request.contrast_of(row)))
            })
            .collect()
    }
}
