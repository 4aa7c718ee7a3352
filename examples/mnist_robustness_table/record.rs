//! The run's JSON: its settings and one record per finished image, rewritten after each
//! image so an interrupted run resumes where it stopped.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use xai::core::{Attribution, Cost};
use xai::explain::{Method, Preset};
use xai::metrics::TableCriterion;

/// What must match for a run to resume another (any `n` may).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Seed of the image draw and the samplers.
    pub seed: u64,
    /// Explainer preset.
    pub preset: Preset,
    /// Feature space spec (`pixels`, `grid:N`).
    pub features: String,
    /// Robustness estimator of the curves.
    pub estimator: String,
    /// Method names, in column order.
    pub methods: Vec<String>,
    /// Whether Greedy-AS's Robustness-Sr row uses its Robustness-Sr objective.
    pub per_criterion: bool,
}

/// One criterion's curve for one method and image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CriterionRecord {
    /// One value per curve point.
    pub curve: Vec<f64>,
    /// Trapezoid AUC, x in percent.
    pub auc: f64,
    /// Points where no attack succeeded (the value is the fallback), robustness only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallback: Vec<bool>,
}

/// One method on one image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MethodRecord {
    /// Kebab-case name.
    pub method: String,
    /// Model evaluations spent explaining.
    pub explain_cost: Cost,
    /// Wall time of the explanation.
    pub explain_seconds: f64,
    /// The curves, per criterion.
    pub criteria: BTreeMap<TableCriterion, CriterionRecord>,
}

impl MethodRecord {
    /// A record of `method`'s attribution, curves to come.
    pub fn new(method: Method, a: &Attribution, seconds: f64) -> Self {
        Self {
            method: method.name().into(),
            explain_cost: a.cost,
            explain_seconds: seconds,
            criteria: BTreeMap::new(),
        }
    }
}

/// One test image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExampleRecord {
    /// Index in the MNIST test set.
    pub index: usize,
    /// True label.
    pub label: usize,
    /// The model's prediction (the explained and attacked class).
    pub predicted: usize,
    /// One record per method, in column order.
    pub methods: Vec<MethodRecord>,
    /// Model evaluations spent on each criterion (all methods).
    pub evaluation_cost: BTreeMap<TableCriterion, Cost>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Run {
    /// The settings every record was made with.
    pub settings: Settings,
    /// Finished images.
    pub examples: Vec<ExampleRecord>,
}

impl Run {
    /// Reads `path` if it exists (and `fresh` is false) and checks its settings; else a new run.
    pub fn resume_or_new(path: &Path, settings: &Settings, fresh: bool) -> Result<Self> {
        if fresh || !path.exists() {
            return Ok(Self { settings: settings.clone(), examples: Vec::new() });
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading {} to resume", path.display()))?;
        let run: Run = serde_json::from_str(&text).with_context(|| {
            format!("{} is not a run of this example (use --fresh to overwrite)", path.display())
        })?;
        if run.settings != *settings {
            bail!(
                "{} was made with other settings ({:?}); use another --out-dir or --fresh",
                path.display(),
                run.settings
            );
        }
        Ok(run)
    }

    /// Whether image `index` is done.
    pub fn has(&self, index: usize) -> bool {
        self.examples.iter().any(|e| e.index == index)
    }

    /// Writes the run atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(self)?)?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
    }
}
