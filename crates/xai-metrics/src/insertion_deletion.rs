//! Insertion and Deletion curves (Petsiuk et al. 2018; Hsieh et al. 2021, section 5 and
//! appendix H) with a choice of reference value.

use crate::auc::{check_fractions, paper_fractions};
use crate::curve::{Better, CurveReport};
use burn::config::Config;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use xai_core::{
    Attribution, ClassScore, Classifier, Cost, Evaluator, FeatureSpace, Reference, XaiError, seed,
};
use xai_explain::MaskedScorer;

/// Which of the two criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Criterion {
    /// Start from the reference and put back the top-k features of the input: higher is
    /// better.
    Insertion,
    /// Start from the input and replace its top-k features by the reference: lower is better.
    Deletion,
}

impl Criterion {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::Insertion => "insertion",
            Criterion::Deletion => "deletion",
        }
    }
}

/// Settings of [`InsertionDeletion`].
#[derive(Config, Debug)]
pub struct InsertionDeletionConfig {
    /// Insertion or deletion.
    pub criterion: Criterion,
    /// What a removed feature becomes (the paper's Table 2: U(0, 1); appendix H: 0, 0.25, 0.5,
    /// 0.75, 1).
    #[config(default = "Reference::Uniform")]
    pub reference: Reference,
    /// The model output read: logit (the paper's tables) or probability.
    #[config(default = "ClassScore::Logit")]
    pub score: ClassScore,
    /// Fractions of features inserted or deleted (default 5%, …, 45%, like the robustness
    /// curves, so AUCs are on the paper's scale).
    #[config(default = "paper_fractions()")]
    pub fractions: Vec<f64>,
    /// Independent reference draws averaged per example (random references only).
    #[config(default = 1)]
    pub draws: usize,
    /// Largest number of inputs per model call.
    #[config(default = 256)]
    pub batch_size: usize,
}

/// The Insertion or Deletion curve of explanations: for each fraction `q`, the class score
/// of `x ⊙ m + r ⊙ (1 − m)` with `m` = the top `q` of the attribution (insertion) or its
/// complement (deletion), averaged over `draws` references; AUC by the trapezoid rule with `x`
/// in percent.
///
/// Cost: `fractions × draws` forward evaluations per example.
#[derive(Debug, Clone)]
pub struct InsertionDeletion {
    config: InsertionDeletionConfig,
}

impl InsertionDeletion {
    /// The metric, after checking the settings.
    pub fn new(config: InsertionDeletionConfig) -> xai_core::Result<Self> {
        check_fractions(&config.fractions)?;
        if config.draws == 0 || config.batch_size == 0 {
            return Err(XaiError::invalid(
                "draws / batch size",
                format!("{} / {}", config.draws, config.batch_size),
                "at least 1 each",
            ));
        }
        Ok(Self { config })
    }

    /// Evaluates one attribution per example; the explained class of each example is
    /// `classes[i]`. Random references are drawn from `seed`'s stream for each example.
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
    ) -> xai_core::Result<CurveReport> {
        let c = &self.config;
        space.check_input(&inputs.dims())?;
        let n = inputs.dims()[0];
        if classes.len() != n || attributions.len() != n {
            return Err(XaiError::shape(
                "classes and attributions",
                format!("one per input ({n} inputs)"),
                &[classes.len(), attributions.len()],
            ));
        }
        let draws = if c.reference.is_random() { c.draws } else { 1 };
        let nf = space.n_features();
        let eval = Evaluator::new(model);
        let mut per_example = Vec::with_capacity(n);
        for (i, a) in attributions.iter().enumerate() {
            space.check_features("attribution", a.n_features())?;
            let mut masks = Vec::with_capacity(c.fractions.len() * nf);
            for &q in &c.fractions {
                let top = a.top_fraction(q)?;
                let keep = match c.criterion {
                    Criterion::Insertion => top,
                    Criterion::Deletion => top.complement(),
                };
                masks.extend(keep.to_f32());
            }
            let x = inputs.clone().narrow(0, i, 1);
            let mut rng = seed::stream_rng(seed_, i as u64);
            let mut sum = vec![0.0f64; c.fractions.len()];
            for _ in 0..draws {
                let r = c.reference.materialize(&x, &mut rng)?;
                let scorer = MaskedScorer::new(
                    &eval,
                    x.clone(),
                    r,
                    space,
                    classes[i],
                    c.score,
                    c.batch_size,
                )?;
                for (s, v) in sum.iter_mut().zip(scorer.scores(&masks)?) {
                    *s += v as f64 / draws as f64;
                }
            }
            per_example.push(sum);
        }
        let better = match c.criterion {
            Criterion::Insertion => Better::Higher,
            Criterion::Deletion => Better::Lower,
        };
        let cost: Cost = eval.cost();
        CurveReport::new(c.criterion.name(), better, &c.fractions, per_example, cost)
    }
}
