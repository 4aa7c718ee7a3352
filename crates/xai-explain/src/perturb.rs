//! Scores of the model on inputs with features removed: `x ⊙ m + r ⊙ (1 − m)`.

use burn::tensor::Tensor;
use xai_core::host::{classes_tensor, from_vec_f32, to_vec_f32};
use xai_core::{ClassScore, Classifier, Evaluator, FeatureSpace, Result, XaiError};

/// Evaluates one input under many feature masks, in batches: for a mask `m` (one value in
/// `[0, 1]` per feature, 1 = keep the input), the class score of `x ⊙ m + r ⊙ (1 − m)`.
///
/// Used by LOO, Occlusion, KernelSHAP, LIME and the Insertion/Deletion metrics; each
/// evaluation is counted on the [`Evaluator`].
pub struct MaskedScorer<'a, 'm, M: ?Sized, const D: usize> {
    eval: &'a Evaluator<'m, M, D>,
    x: Tensor<D>,
    reference: Tensor<D>,
    space: &'a FeatureSpace,
    class: usize,
    score: ClassScore,
    batch_size: usize,
}

impl<'a, 'm, M: Classifier<D> + ?Sized, const D: usize> MaskedScorer<'a, 'm, M, D> {
    /// A scorer for input `x` and reference `reference` (both `[1, ...]`).
    pub fn new(
        eval: &'a Evaluator<'m, M, D>,
        x: Tensor<D>,
        reference: Tensor<D>,
        space: &'a FeatureSpace,
        class: usize,
        score: ClassScore,
        batch_size: usize,
    ) -> Result<Self> {
        space.check_input(&x.dims())?;
        if x.dims()[0] != 1 || reference.dims() != x.dims() {
            return Err(XaiError::shape(
                "input and reference",
                "one row each, same shape",
                &reference.dims(),
            ));
        }
        if batch_size == 0 {
            return Err(XaiError::invalid("batch size", 0, "at least 1"));
        }
        Ok(Self { eval, x, reference, space, class, score, batch_size })
    }

    /// The class score for each mask; `masks` holds `k × n_features` values, row-major.
    /// Errors when the class is not a column of the model's logits.
    pub fn scores(&self, masks: &[f32]) -> Result<Vec<f32>> {
        self.contrast_scores(masks, None)
    }

    /// The explained quantity for each mask: the class score, or with a contrast class `t`
    /// the difference `score(class) − score(t)` (the "why `class` and not `t`" quantity
    /// `f_y − f_t`), both read from the same forward pass, so either way it costs one
    /// evaluation per mask. Errors when a class is not a column of the model's logits. `masks`
    /// as in [`MaskedScorer::scores`].
    pub fn contrast_scores(&self, masks: &[f32], contrast: Option<usize>) -> Result<Vec<f32>> {
        let nf = self.space.n_features();
        if masks.len() % nf != 0 {
            return Err(XaiError::shape(
                "masks",
                format!("a multiple of {nf} values (masks × features)"),
                &[masks.len()],
            ));
        }
        let k = masks.len() / nf;
        let mut out = Vec::with_capacity(k);
        let device = self.x.device();
        let diff = self.x.clone() - self.reference.clone();
        for range in xai_core::batching::batches(k, self.batch_size)? {
            let b = range.len();
            let chunk = masks[range.start * nf..range.end * nf].to_vec();
            let m: Tensor<2> = from_vec_f32(chunk, [b, nf], &device)?;
            let m: Tensor<D> = self.space.expand(m)?;
            let mut shape = self.x.dims();
            shape[0] = b;
            let inputs = self.reference.clone().expand(shape) + diff.clone().expand(shape) * m;
            let logits = self.eval.logits(inputs);
            let n_classes = logits.dims()[1];
            let bad = [Some(self.class), contrast].into_iter().flatten().find(|&c| c >= n_classes);
            if let Some(c) = bad {
                let expected = format!("0..{n_classes} (model classes)");
                return Err(XaiError::invalid("class", c, expected));
            }
            let explained = classes_tensor(&vec![self.class; b], &device);
            let values = match contrast {
                None => self.score.of(logits, explained),
                Some(t) => {
                    let against = classes_tensor(&vec![t; b], &device);
                    self.score.of(logits.clone(), explained) - self.score.of(logits, against)
                }
            };
            out.extend(to_vec_f32(values)?);
        }
        Ok(out)
    }

    /// The class score of the unmasked input and of the full reference: `(f(x), f(r))`.
    pub fn endpoints(&self) -> Result<(f32, f32)> {
        let nf = self.space.n_features();
        let mut masks = vec![1.0; nf];
        masks.extend(vec![0.0; nf]);
        let s = self.scores(&masks)?;
        Ok((s[0], s[1]))
    }
}
