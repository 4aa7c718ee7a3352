//! Splitting an evaluation over machines: shard `i` of `n` takes every `n`-th example,
//! chosen on the command line (`--shard i/n`) or by the scheduler that launched it (a Slurm
//! job array or a Kubernetes Indexed Job).

use serde::{Deserialize, Serialize};
use std::fmt;
use xai_core::{Result, XaiError};

/// Shard `index` of `count` (0-based): the examples at positions `p` of the example list with
/// `p mod count = index` (round robin, so shards get similar mixes of examples).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard, in `0..count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Checks `index < count` and `count >= 1`.
    pub fn new(index: usize, count: usize) -> Result<Self> {
        if count == 0 || index >= count {
            return Err(XaiError::invalid(
                "shard",
                format!("{index}/{count}"),
                "i/n with n >= 1 and 0 <= i < n",
            ));
        }
        Ok(Self { index, count })
    }

    /// Parses `i/n` (e.g. `0/4`).
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || XaiError::invalid("shard", text, "i/n with n >= 1 and 0 <= i < n, e.g. 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let i = i.trim().parse().map_err(|_| bad())?;
        let n = n.trim().parse().map_err(|_| bad())?;
        Self::new(i, n)
    }

    /// The shard given by the scheduler's environment, if any:
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_COUNT` (the array must
    ///   be `--array=0-(n-1)`; `SLURM_ARRAY_TASK_MIN` is subtracted when set);
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX`, with the count from `count` (the
    ///   Job's `completions`, given as `--shard-count`, since Kubernetes does not export it).
    pub fn from_env(count: Option<usize>) -> Result<Option<Self>> {
        Self::from_vars(|name| std::env::var(name).ok(), count)
    }

    /// [`Shard::from_env`] over any variable lookup (for tests).
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        count: Option<usize>,
    ) -> Result<Option<Self>> {
        let number = |name: &str, value: String| -> Result<usize> {
            value
                .trim()
                .parse()
                .map_err(|_| XaiError::invalid(name, value.clone(), "a non-negative integer"))
        };
        if let Some(id) = var("SLURM_ARRAY_TASK_ID") {
            let id = number("SLURM_ARRAY_TASK_ID", id)?;
            let min = match var("SLURM_ARRAY_TASK_MIN") {
                Some(m) => number("SLURM_ARRAY_TASK_MIN", m)?,
                None => 0,
            };
            let n = match (var("SLURM_ARRAY_TASK_COUNT"), count) {
                (Some(n), _) => number("SLURM_ARRAY_TASK_COUNT", n)?,
                (None, Some(n)) => n,
                (None, None) => {
                    return Err(XaiError::invalid(
                        "SLURM_ARRAY_TASK_COUNT",
                        "unset",
                        "set by Slurm for job arrays, or give --shard-count",
                    ));
                }
            };
            let index = id.checked_sub(min).ok_or_else(|| {
                XaiError::invalid("SLURM_ARRAY_TASK_ID", id, "at least SLURM_ARRAY_TASK_MIN")
            })?;
            return Self::new(index, n).map(Some);
        }
        if let Some(index) = var("JOB_COMPLETION_INDEX") {
            let index = number("JOB_COMPLETION_INDEX", index)?;
            let n = count.ok_or_else(|| {
                XaiError::invalid(
                    "--shard-count",
                    "missing",
                    "the Indexed Job's completions when JOB_COMPLETION_INDEX is set",
                )
            })?;
            return Self::new(index, n).map(Some);
        }
        Ok(None)
    }

    /// The items of `all` this shard takes (positions `p ≡ index mod count`).
    pub fn select<T: Clone>(&self, all: &[T]) -> Vec<T> {
        all.iter().skip(self.index).step_by(self.count).cloned().collect()
    }

    /// The file-name tag `shard-<i>-of-<n>`.
    pub fn tag(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}
