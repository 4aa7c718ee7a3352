//! A validated robustness question: inputs, labels, goal, free masks, box and fallback.

use crate::batch::AttackBatch;
use crate::goal::AttackGoal;
use burn::config::Config;
use burn::tensor::Tensor;
use std::ops::Range;
use xai_core::host::{check_finite, check_range, to_vec_f32};
use xai_core::mask::masks_tensor;
use xai_core::{FeatureMask, FeatureSpace, Norm, XaiError};

/// The value reported for a row where no adversarial example was found (or none passed
/// verification).
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// The norm of the input itself (the paper's reference code, which uses L2; we use the
    /// estimator's norm), so regressions over subsets stay finite.
    InputNorm,
    /// `+∞`: robustness unbounded within the search range.
    Infinity,
}

/// A batch of robustness questions, one per row: the minimum `‖δ‖` with `δ` zero outside the
/// row's free set such that `f(x + δ) ≠ y` (Eqn. 1 of Hsieh et al. 2021) or `= t` (Eqn. 2), with
/// `x + δ` inside the box.
///
/// Built with [`RobustnessQuery::new`] (input-space masks) or [`RobustnessQuery::from_masks`]
/// (feature masks); validated once (shapes, finite inputs inside the box, 0/1 masks, targets).
/// Reads inputs and masks back to the host once, for validation and verification.
///
/// # Shapes
/// - inputs, free: `[rows, ...]` (rank `D`); labels: `rows` values
#[derive(Debug, Clone)]
pub struct RobustnessQuery<const D: usize> {
    inputs: Tensor<D>,
    free: Tensor<D>,
    labels: Vec<usize>,
    goal: AttackGoal,
    bounds: (f32, f32),
    fallback: Fallback,
    inputs_host: Vec<f32>,
    free_host: Vec<f32>,
}

impl<const D: usize> RobustnessQuery<D> {
    /// An untargeted question in the box `[0, 1]` with the paper's fallback. `free` holds
    /// input-space masks of 0/1 values (1 = free to perturb), one per row.
    ///
    /// # Shapes
    /// - inputs, free: `[rows, ...]`; labels: `rows` values
    pub fn new(inputs: Tensor<D>, labels: Vec<usize>, free: Tensor<D>) -> xai_core::Result<Self> {
        let dims = inputs.dims();
        if D < 2 || dims[0] == 0 || dims.contains(&0) {
            return Err(XaiError::shape(
                "inputs",
                "[rows >= 1, ...] with no empty dimension",
                &dims,
            ));
        }
        if free.dims() != dims {
            return Err(XaiError::shape(
                "free mask",
                format!("{dims:?} (the inputs' shape)"),
                &free.dims(),
            ));
        }
        if labels.len() != dims[0] {
            return Err(XaiError::shape(
                "labels",
                format!("one per row ({} rows)", dims[0]),
                &[labels.len()],
            ));
        }
        let inputs_host = to_vec_f32(inputs.clone())?;
        check_finite("inputs", &inputs_host)?;
        let free_host = to_vec_f32(free.clone())?;
        if let Some(v) = free_host.iter().find(|v| **v != 0.0 && **v != 1.0) {
            return Err(XaiError::invalid("free mask value", v, "0 or 1 (1 = free to perturb)"));
        }
        let query = Self {
            inputs,
            free,
            labels,
            goal: AttackGoal::Untargeted,
            bounds: (0.0, 1.0),
            fallback: Fallback::InputNorm,
            inputs_host,
            free_host,
        };
        query.check_box()?;
        Ok(query)
    }

    /// A question from feature masks (`true` = free), expanded to input space by `space` on the
    /// inputs' device. One mask per row.
    ///
    /// # Shapes
    /// - inputs: `[rows, ...space.sample_shape()]`; labels, masks: `rows` each
    pub fn from_masks(
        inputs: Tensor<D>,
        labels: Vec<usize>,
        masks: &[FeatureMask],
        space: &FeatureSpace,
    ) -> xai_core::Result<Self> {
        let dims = inputs.dims();
        space.check_input(&dims)?;
        if masks.len() != dims[0] {
            return Err(XaiError::shape(
                "masks",
                format!("one per row ({} rows)", dims[0]),
                &[masks.len()],
            ));
        }
        let values = masks_tensor(masks, space.n_features(), &inputs.device())?;
        let free = space.expand::<D>(values)?;
        Self::new(inputs, labels, free)
    }

    /// One input against many masks (the shape of Greedy-AS and of `xai robustness`): the input
    /// is repeated once per mask.
    ///
    /// # Shapes
    /// - input: `[1, ...space.sample_shape()]`; masks: `M` → a query of `M` rows
    pub fn one_input(
        input: Tensor<D>,
        label: usize,
        masks: &[FeatureMask],
        space: &FeatureSpace,
    ) -> xai_core::Result<Self> {
        let dims = input.dims();
        if dims[0] != 1 || masks.is_empty() {
            return Err(XaiError::shape("input", "[1, ...] and at least one mask", &dims));
        }
        let inputs = input.repeat_dim(0, masks.len());
        Self::from_masks(inputs, vec![label; masks.len()], masks, space)
    }

    /// The same question with another goal; errors on a target equal to its row's label.
    pub fn with_goal(mut self, goal: AttackGoal) -> xai_core::Result<Self> {
        goal.validate(&self.labels)?;
        self.goal = goal;
        Ok(self)
    }

    /// The same question in the box `[lo, hi]` (infinite bounds allowed); errors unless
    /// `lo < hi` and every input lies inside.
    pub fn with_bounds(mut self, lo: f32, hi: f32) -> xai_core::Result<Self> {
        if lo.is_nan() || hi.is_nan() || lo >= hi {
            return Err(XaiError::invalid("box", format!("[{lo}, {hi}]"), "lo < hi"));
        }
        self.bounds = (lo, hi);
        self.check_box()?;
        Ok(self)
    }

    /// The same question with another value for rows where nothing is found.
    pub fn with_fallback(mut self, fallback: Fallback) -> Self {
        self.fallback = fallback;
        self
    }

    /// Rows `range` as a question of their own (for processing a large batch in chunks).
    pub fn slice(&self, range: Range<usize>) -> xai_core::Result<Self> {
        let n = self.rows();
        if range.start >= range.end || range.end > n {
            return Err(XaiError::invalid(
                "row range",
                format!("{range:?}"),
                format!("a non-empty range within 0..{n}"),
            ));
        }
        let per = self.elements();
        let goal = match &self.goal {
            AttackGoal::Untargeted => AttackGoal::Untargeted,
            AttackGoal::Targeted(t) => AttackGoal::Targeted(t[range.clone()].to_vec()),
        };
        Ok(Self {
            inputs: self.inputs.clone().slice_dim(0, range.clone()),
            free: self.free.clone().slice_dim(0, range.clone()),
            labels: self.labels[range.clone()].to_vec(),
            goal,
            bounds: self.bounds,
            fallback: self.fallback,
            inputs_host: self.inputs_host[range.start * per..range.end * per].to_vec(),
            free_host: self.free_host[range.start * per..range.end * per].to_vec(),
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.labels.len()
    }

    /// Number of input elements per row.
    pub fn elements(&self) -> usize {
        self.inputs_host.len() / self.rows()
    }

    /// The inputs.
    ///
    /// # Shapes
    /// `[rows, ...]`
    pub fn inputs(&self) -> &Tensor<D> {
        &self.inputs
    }

    /// The input-space free masks (1 = free to perturb).
    ///
    /// # Shapes
    /// `[rows, ...]`
    pub fn free(&self) -> &Tensor<D> {
        &self.free
    }

    /// The labels `y`.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The goal (untargeted, or one target per row).
    pub fn goal(&self) -> &AttackGoal {
        &self.goal
    }

    /// The valid input box.
    pub fn bounds(&self) -> (f32, f32) {
        self.bounds
    }

    /// The fallback for rows where nothing is found.
    pub fn fallback(&self) -> Fallback {
        self.fallback
    }

    /// Number of free input elements of each row (0 = nothing may move: never attacked).
    pub fn free_counts(&self) -> Vec<usize> {
        self.free_host
            .chunks(self.elements())
            .map(|r| r.iter().filter(|v| **v != 0.0).count())
            .collect()
    }

    /// Row `i` of the inputs on the host.
    pub fn input_row(&self, i: usize) -> &[f32] {
        &self.inputs_host[i * self.elements()..(i + 1) * self.elements()]
    }

    /// Row `i` of the free masks on the host.
    pub fn free_row(&self, i: usize) -> &[f32] {
        &self.free_host[i * self.elements()..(i + 1) * self.elements()]
    }

    /// The reported value of row `i` when nothing was found: see [`Fallback`].
    pub fn fallback_value(&self, i: usize, norm: Norm) -> f32 {
        match self.fallback {
            Fallback::InputNorm => norm.of_slice(self.input_row(i)),
            Fallback::Infinity => f32::INFINITY,
        }
    }

    /// The whole question as an attack batch (flat rows).
    pub fn batch(&self) -> xai_core::Result<AttackBatch<D>> {
        AttackBatch::new(
            self.inputs.clone(),
            self.free.clone(),
            self.goal.classes(&self.labels),
            self.goal.is_targeted(),
            self.bounds,
        )
    }

    fn check_box(&self) -> xai_core::Result<()> {
        check_range("inputs", &self.inputs_host, self.bounds.0, self.bounds.1)
    }
}
