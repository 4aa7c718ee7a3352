//! The perturbation norms of the attacks (paper 000 uses L2).

use crate::error::{Result, XaiError};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// A norm on perturbations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Norm {
    /// Euclidean norm.
    L2,
    /// Maximum absolute value.
    Linf,
}

impl Norm {
    /// The norm of each row of a batch.
    ///
    /// # Shapes
    /// `[batch, ...]` → `[batch]`
    pub fn of_rows<const D: usize>(self, t: Tensor<D>) -> Tensor<1> {
        let n = t.dims()[0];
        let flat: Tensor<2> = t.reshape([n as i64, -1]);
        match self {
            Norm::L2 => flat.square().sum_dim(1).sqrt().reshape([n]),
            Norm::Linf => flat.abs().max_dim(1).reshape([n]),
        }
    }

    /// The norm of a host vector.
    pub fn of_slice(self, v: &[f32]) -> f32 {
        match self {
            Norm::L2 => v.iter().map(|x| (*x as f64) * (*x as f64)).sum::<f64>().sqrt() as f32,
            Norm::Linf => v.iter().fold(0.0f32, |m, x| m.max(x.abs())),
        }
    }
}

impl std::str::FromStr for Norm {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "l2" => Ok(Norm::L2),
            "linf" | "l-inf" | "inf" => Ok(Norm::Linf),
            _ => Err(XaiError::UnknownName {
                kind: "norm".into(),
                name: s.into(),
                known: "l2, linf".into(),
            }),
        }
    }
}

impl std::fmt::Display for Norm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Norm::L2 => "l2",
            Norm::Linf => "linf",
        })
    }
}
