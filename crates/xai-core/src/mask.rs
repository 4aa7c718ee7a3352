//! Feature masks: which features an attack may move, or an explanation selected.

use crate::error::{Result, XaiError};
use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// One 0/1 mask over features. `true` means *selected*: for an attack, free to perturb.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FeatureMask {
    bits: Vec<bool>,
}

impl FeatureMask {
    /// A mask from explicit bits.
    pub fn from_bits(bits: Vec<bool>) -> Self {
        Self { bits }
    }

    /// A mask of `n` features with exactly `indices` selected; errors on an index `>= n`.
    pub fn from_indices(n: usize, indices: &[usize]) -> Result<Self> {
        let mut bits = vec![false; n];
        for &i in indices {
            if i >= n {
                return Err(XaiError::invalid(
                    "feature index",
                    i,
                    format!("< {n} (number of features)"),
                ));
            }
            bits[i] = true;
        }
        Ok(Self { bits })
    }

    /// All `n` features selected.
    pub fn full(n: usize) -> Self {
        Self { bits: vec![true; n] }
    }

    /// No feature selected.
    pub fn empty(n: usize) -> Self {
        Self { bits: vec![false; n] }
    }

    /// Each feature selected independently with probability `p`.
    pub fn bernoulli(n: usize, p: f64, rng: &mut impl Rng) -> Result<Self> {
        if !(0.0..=1.0).contains(&p) {
            return Err(XaiError::invalid("selection probability", p, "a probability in [0, 1]"));
        }
        Ok(Self { bits: (0..n).map(|_| rng.random_bool(p)).collect() })
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.bits.len()
    }

    /// Whether the mask has no features at all.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// Number of selected features.
    pub fn count(&self) -> usize {
        self.bits.iter().filter(|b| **b).count()
    }

    /// The bits.
    pub fn bits(&self) -> &[bool] {
        &self.bits
    }

    /// Whether feature `i` is selected.
    pub fn get(&self, i: usize) -> bool {
        self.bits[i]
    }

    /// Indices of the selected features, ascending.
    pub fn indices(&self) -> Vec<usize> {
        self.bits.iter().enumerate().filter(|(_, b)| **b).map(|(i, _)| i).collect()
    }

    /// The complement: selected ↔ not selected (Robustness-S̄r perturbs the complement of Sr).
    pub fn complement(&self) -> Self {
        Self { bits: self.bits.iter().map(|b| !b).collect() }
    }

    /// Union with another mask of the same length.
    pub fn union(&self, other: &Self) -> Result<Self> {
        self.check_len(other.len())?;
        Ok(Self { bits: self.bits.iter().zip(&other.bits).map(|(a, b)| *a || *b).collect() })
    }

    /// Errors unless the mask has `n` features.
    pub fn check_len(&self, n: usize) -> Result<()> {
        if self.len() != n {
            return Err(XaiError::shape("mask", format!("{n} features"), &[self.len()]));
        }
        Ok(())
    }

    /// The mask as 0.0/1.0 values.
    pub fn to_f32(&self) -> Vec<f32> {
        self.bits.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect()
    }
}

/// Stacks masks into a `[masks, n_features]` 0/1 float tensor on `device`.
pub fn masks_tensor(
    masks: &[FeatureMask],
    n_features: usize,
    device: &Device,
) -> Result<Tensor<2>> {
    let mut values = Vec::with_capacity(masks.len() * n_features);
    for m in masks {
        m.check_len(n_features)?;
        values.extend(m.to_f32());
    }
    Ok(Tensor::from_data(TensorData::new(values, [masks.len(), n_features]), device))
}
