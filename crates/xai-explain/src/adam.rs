//! A minimal Adam optimiser on plain float tensors, shared by the optimisation-based baselines
//! ([`crate::Bbmp`], [`crate::Cfx`]).

use burn::tensor::Tensor;
use xai_core::{Result, XaiError};

/// Adam (Kingma & Ba 2015, Algorithm 1) with bias correction, on one parameter tensor:
///
/// `m ← β1·m + (1 − β1)·g`, `v ← β2·v + (1 − β2)·g²`,
/// `θ ← θ − lr · m̂ / (√v̂ + ε)` with `m̂ = m / (1 − β1ᵗ)`, `v̂ = v / (1 − β2ᵗ)`,
/// `β1 = 0.9`, `β2 = 0.999`, `ε = 1e-8`.
///
/// The gradient is supplied by the caller (no autodiff graph is kept), so the state is two
/// tensors of the parameter's shape. Every element is updated independently, so rows of a batch
/// are optimised independently of each other.
///
/// # Shapes
/// - parameter, gradient, moments: any shape `[...]`, all the same
#[derive(Debug, Clone)]
pub struct Adam<const D: usize> {
    lr: f64,
    m: Tensor<D>,
    v: Tensor<D>,
    t: i32,
}

impl<const D: usize> Adam<D> {
    /// First-moment decay rate.
    pub const BETA1: f64 = 0.9;
    /// Second-moment decay rate.
    pub const BETA2: f64 = 0.999;
    /// Denominator guard.
    pub const EPSILON: f64 = 1e-8;

    /// An optimiser for a parameter shaped like `like`, with learning rate `lr` (finite, > 0).
    pub fn new(lr: f64, like: &Tensor<D>) -> Result<Self> {
        if !(lr.is_finite() && lr > 0.0) {
            return Err(XaiError::invalid("learning rate", lr, "finite and > 0"));
        }
        Ok(Self { lr, m: like.zeros_like(), v: like.zeros_like(), t: 0 })
    }

    /// Number of steps taken.
    pub fn steps(&self) -> i32 {
        self.t
    }

    /// One descent step: returns `θ − lr · m̂ / (√v̂ + ε)` for the gradient `grad` at `param`.
    pub fn step(&mut self, param: Tensor<D>, grad: Tensor<D>) -> Tensor<D> {
        self.t = self.t.saturating_add(1);
        let (b1, b2) = (Self::BETA1, Self::BETA2);
        self.m = self.m.clone().mul_scalar(b1) + grad.clone().mul_scalar(1.0 - b1);
        self.v = self.v.clone().mul_scalar(b2) + (grad.clone() * grad).mul_scalar(1.0 - b2);
        let m_hat = self.m.clone().div_scalar(1.0 - b1.powi(self.t));
        let v_hat = self.v.clone().div_scalar(1.0 - b2.powi(self.t));
        param - (m_hat / v_hat.sqrt().add_scalar(Self::EPSILON)).mul_scalar(self.lr)
    }
}
