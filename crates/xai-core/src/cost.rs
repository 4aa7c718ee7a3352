//! Model-evaluation counters: the machine-independent cost of every algorithm.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// Number of forward and backward *sample*-evaluations an algorithm made.
///
/// A forward pass over a batch of 32 inputs counts 32 forward evaluations; a backward pass
/// through it counts 32 backward evaluations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    /// Forward sample-evaluations.
    pub forward: u64,
    /// Backward sample-evaluations (gradient computations).
    pub backward: u64,
}

impl Cost {
    /// Forward plus backward evaluations.
    pub fn total(&self) -> u64 {
        self.forward + self.backward
    }
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, rhs: Cost) -> Cost {
        Cost { forward: self.forward + rhs.forward, backward: self.backward + rhs.backward }
    }
}

impl std::ops::AddAssign for Cost {
    fn add_assign(&mut self, rhs: Cost) {
        *self = *self + rhs;
    }
}

impl std::iter::Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(iter: I) -> Cost {
        iter.fold(Cost::default(), |a, b| a + b)
    }
}

/// A thread-safe running [`Cost`], shared by reference while an algorithm runs.
#[derive(Debug, Default)]
pub struct CostCounter {
    forward: AtomicU64,
    backward: AtomicU64,
}

impl CostCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `n` forward sample-evaluations.
    pub fn add_forward(&self, n: usize) {
        self.forward.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Records `n` backward sample-evaluations.
    pub fn add_backward(&self, n: usize) {
        self.backward.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// The cost so far.
    pub fn get(&self) -> Cost {
        Cost {
            forward: self.forward.load(Ordering::Relaxed),
            backward: self.backward.load(Ordering::Relaxed),
        }
    }
}
