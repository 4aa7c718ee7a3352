//! Named settings of every method: `paper` (paper 000's, appendix C) and `fast`. Each config
//! type defines its own preset values next to it (`IntegratedGradientsConfig::preset`, …).

use serde::{Deserialize, Serialize};
use xai_attacks::Estimator;
use xai_core::{Result, XaiError};

/// Named settings.
///
/// - `paper`: paper 000's settings (appendix C): Greedy-AS with 5000 subsets per step, 5% per
///   step, bisection over 100-step PGD (step 1.0); IG 64 steps, SmoothGrad 50 samples,
///   KernelSHAP 2048 coalitions, LIME 1000 samples, BBMP 300 steps, CFX 200 steps.
/// - `fast`: a quick look: the robustness-based methods use masked DeepFool
///   ([`Estimator::DeepfoolFast`]) instead of bisection-PGD, 10% per step and 400 subsets (ridge 1.0);
///   the sampling baselines use about a quarter of the samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// The paper's settings.
    #[default]
    Paper,
    /// Scaled down for minutes instead of hours.
    Fast,
}

impl std::str::FromStr for Preset {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "paper" => Ok(Preset::Paper),
            "fast" => Ok(Preset::Fast),
            _ => Err(XaiError::UnknownName {
                kind: "preset".into(),
                name: s.into(),
                known: "paper, fast".into(),
            }),
        }
    }
}

impl Preset {
    /// The robustness estimator of the greedy methods under this preset: the paper's
    /// bisection-PGD, or for `fast` masked DeepFool against the 2 strongest rival classes with
    /// 4 refinement steps, ≈ 15–25 evaluations per subset (bisection-PGD ≈ 3,200).
    pub fn estimator(self) -> Estimator {
        match self {
            Preset::Paper => Estimator::BisectionPgd,
            Preset::Fast => Estimator::DeepfoolFast,
        }
    }
}

impl Preset {
    /// `paper` for the paper's preset, `fast` for the fast one: how config types write their
    /// preset values.
    pub fn pick<T>(self, paper: T, fast: T) -> T {
        match self {
            Preset::Paper => paper,
            Preset::Fast => fast,
        }
    }
}
