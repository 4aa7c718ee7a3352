//! What to explain: a batch of inputs, the class explained for each row, an optional contrast
//! class, the feature space, the seed and the memory limit.

use crate::progress::{Progress, ProgressHook};
use burn::tensor::Tensor;
use xai_core::classifier::argmax_rows;
use xai_core::host::{check_finite, to_vec_f32};
use xai_core::{Classifier, Cost, Evaluator, FeatureSpace, Result, XaiError};

/// Default largest number of inputs sent to the model in one call.
pub const DEFAULT_BATCH_SIZE: usize = 256;

/// A validated explanation request.
///
/// Each row `i` of `inputs` is explained for class `classes[i]` (by default the model's
/// prediction); with a contrast class `t_i` the robustness-based explainers answer "why
/// `classes[i]` and not `t_i`" (targeted attacks, Eqn. 2 of Hsieh et al. 2021) and the gradient
/// baselines explain the logit difference `f_y − f_t`.
///
/// # Shapes
/// - inputs: `[rows, ...space.sample_shape()]`
#[derive(Debug, Clone)]
pub struct ExplainRequest<const D: usize> {
    inputs: Tensor<D>,
    classes: Vec<usize>,
    contrast: Option<Vec<usize>>,
    space: FeatureSpace,
    seed: u64,
    batch_size: usize,
    bounds: (f32, f32),
    progress: Option<ProgressHook>,
}

impl<const D: usize> ExplainRequest<D> {
    /// Explains `classes[i]` for row `i`; seed 0, [`DEFAULT_BATCH_SIZE`], inputs in `[0, 1]`.
    pub fn new(inputs: Tensor<D>, classes: Vec<usize>, space: FeatureSpace) -> Result<Self> {
        let dims = inputs.dims();
        space.check_input(&dims)?;
        if dims[0] == 0 {
            return Err(XaiError::shape("inputs", "at least one row", &dims));
        }
        if classes.len() != dims[0] {
            return Err(XaiError::shape(
                "classes",
                format!("one per row ({} rows)", dims[0]),
                &[classes.len()],
            ));
        }
        check_finite("inputs", &to_vec_f32(inputs.clone())?)?;
        Ok(Self {
            inputs,
            classes,
            contrast: None,
            space,
            seed: 0,
            batch_size: DEFAULT_BATCH_SIZE,
            bounds: (0.0, 1.0),
            progress: None,
        })
    }

    /// Explains the model's predicted class of each row (one forward pass, returned as cost).
    pub fn predicted<M: Classifier<D>>(
        model: &M,
        inputs: Tensor<D>,
        space: FeatureSpace,
    ) -> Result<(Self, Cost)> {
        space.check_input(&inputs.dims())?;
        let eval = Evaluator::new(model);
        let classes = argmax_rows(eval.logits(inputs.clone()))?;
        Ok((Self::new(inputs, classes, space)?, eval.cost()))
    }

    /// Sets a contrast (target) class per row; each must differ from the explained class.
    pub fn with_contrast(mut self, targets: Vec<usize>) -> Result<Self> {
        if targets.len() != self.rows() {
            return Err(XaiError::shape(
                "contrast classes",
                format!("one per row ({} rows)", self.rows()),
                &[targets.len()],
            ));
        }
        if let Some(i) = (0..targets.len()).find(|&i| targets[i] == self.classes[i]) {
            return Err(XaiError::invalid(
                format!("target class of row {i}"),
                targets[i],
                "a class different from the explained class (the label)",
            ));
        }
        self.contrast = Some(targets);
        Ok(self)
    }

    /// Sets the seed of every sampler.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the largest number of inputs per model call (bounds memory).
    pub fn with_batch_size(mut self, batch_size: usize) -> Result<Self> {
        if batch_size == 0 {
            return Err(XaiError::invalid("batch size", 0, "at least 1"));
        }
        self.batch_size = batch_size;
        Ok(self)
    }

    /// Sets the valid input box (attacks and noise stay inside it).
    pub fn with_bounds(mut self, lo: f32, hi: f32) -> Result<Self> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(XaiError::invalid("input bounds", format!("[{lo}, {hi}]"), "lo < hi"));
        }
        self.bounds = (lo, hi);
        Ok(self)
    }

    /// Sends progress reports of long explainers (the greedy family) to `hook`.
    pub fn with_progress(mut self, hook: ProgressHook) -> Self {
        self.progress = Some(hook);
        self
    }

    /// Reports progress to the hook, if any.
    pub fn report(&self, row: usize, stage: &str, done: usize, total: usize) {
        if let Some(hook) = &self.progress {
            hook.report(Progress { row, stage, done, total });
        }
    }

    /// The same request with the inputs typed as images `[rows, channels, height, width]`
    /// (for methods written for images, such as the layer-wise ones); fails unless `D = 4`.
    pub fn as_images(&self) -> Result<ExplainRequest<4>> {
        let dims = self.inputs.dims();
        if dims.len() != 4 {
            return Err(XaiError::shape("inputs", "images [rows, channels, height, width]", &dims));
        }
        Ok(ExplainRequest {
            inputs: self.inputs.clone().reshape([dims[0], dims[1], dims[2], dims[3]]),
            classes: self.classes.clone(),
            contrast: self.contrast.clone(),
            space: self.space.clone(),
            seed: self.seed,
            batch_size: self.batch_size,
            bounds: self.bounds,
            progress: self.progress.clone(),
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.classes.len()
    }

    /// All inputs.
    pub fn inputs(&self) -> &Tensor<D> {
        &self.inputs
    }

    /// Row `i` as a batch of one.
    ///
    /// # Shapes
    /// `[1, ...sample_shape]`
    pub fn row(&self, i: usize) -> Tensor<D> {
        self.inputs.clone().narrow(0, i, 1)
    }

    /// The explained class of each row.
    pub fn classes(&self) -> &[usize] {
        &self.classes
    }

    /// The contrast class of each row, if set.
    pub fn contrast(&self) -> Option<&[usize]> {
        self.contrast.as_deref()
    }

    /// The contrast class of row `i`, if set.
    pub fn contrast_of(&self, i: usize) -> Option<usize> {
        self.contrast.as_ref().map(|t| t[i])
    }

    /// The feature space.
    pub fn space(&self) -> &FeatureSpace {
        &self.space
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The largest number of inputs per model call.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The valid input box.
    pub fn bounds(&self) -> (f32, f32) {
        self.bounds
    }

    /// Checks that the model's logits have a column for every class named in the request.
    pub fn check_classes(&self, n_classes: usize) -> Result<()> {
        let all = self.classes.iter().chain(self.contrast.iter().flatten());
        if let Some(c) = all.copied().find(|&c| c >= n_classes) {
            return Err(XaiError::invalid("class", c, format!("0..{n_classes} (model classes)")));
        }
        Ok(())
    }
}
