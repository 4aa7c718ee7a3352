//! Progress reports of long explanations (the greedy family: one per regression step).

use std::fmt;
use std::sync::Arc;

/// Where an explainer stands: `done` of `total` units of `stage` for input row `row`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The input row being explained.
    pub row: usize,
    /// What the units are (e.g. `"greedy step"`).
    pub stage: &'a str,
    /// Units finished.
    pub done: usize,
    /// Units in all (an upper bound where the count is not known in advance).
    pub total: usize,
}

/// A callback receiving [`Progress`] reports (e.g. to drive a progress bar); cheap to clone.
#[derive(Clone)]
pub struct ProgressHook(Arc<dyn Fn(Progress<'_>) + Send + Sync>);

impl ProgressHook {
    /// Wraps `f`.
    pub fn new(f: impl Fn(Progress<'_>) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Sends one report.
    pub fn report(&self, progress: Progress<'_>) {
        (self.0)(progress)
    }
}

impl fmt::Debug for ProgressHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressHook")
    }
}
