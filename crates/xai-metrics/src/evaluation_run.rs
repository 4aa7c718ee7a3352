//! The record of an evaluation run (methods × criteria over a slice of a dataset): its
//! settings and one record per finished example, saved after each example so that an
//! interrupted run resumes where it stopped, split into shards ([`Shard`]) that run on
//! separate machines and are merged back ([`EvaluationRun::merge`]).

use crate::shard::Shard;
use crate::significance::{Outcome, paired_t_test};
use crate::suite::TableCriterion;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use xai_core::{CodeVersion, Cost, Result, XaiError};

/// What must match for a run to resume, or be merged with, another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    /// Zoo model name.
    #[serde(default = "default_model")]
    pub model: String,
    /// Dataset name.
    #[serde(default = "default_dataset")]
    pub dataset: String,
    /// Seed of the samplers (each example uses `stream_seed(seed, index)`).
    pub seed: u64,
    /// Explainer preset (`paper` or `fast`).
    pub preset: xai_explain::Preset,
    /// Feature space spec (`pixels`, `grid:N`).
    pub features: String,
    /// Robustness estimator of the robustness curves.
    pub estimator: String,
    /// Method names, in column order.
    pub methods: Vec<String>,
    /// Criteria evaluated, in order.
    #[serde(default = "default_criteria")]
    pub criteria: Vec<TableCriterion>,
    /// Whether Greedy-AS's Robustness-Sr row uses its Robustness-Sr objective.
    pub per_criterion: bool,
    /// The curve points, as fractions of the features (the paper: 5%, …, 45%).
    #[serde(default = "crate::auc::paper_fractions")]
    pub fractions: Vec<f64>,
    /// Everything else that changes the numbers (reference, score, fractions, ...), as text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

fn default_model() -> String {
    "mnist-cnn".into()
}

fn default_dataset() -> String {
    "mnist-test".into()
}

fn default_criteria() -> Vec<TableCriterion> {
    TableCriterion::ALL.to_vec()
}

/// One criterion's curve for one method and example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionRecord {
    /// One value per curve point.
    pub curve: Vec<f64>,
    /// Trapezoid AUC, x in percent.
    pub auc: f64,
    /// Points where no attack succeeded (the value is the fallback), robustness only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallback: Vec<bool>,
}

/// One method on one example.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MethodRecord {
    /// Kebab-case name.
    pub method: String,
    /// Model evaluations spent explaining.
    pub explain_cost: Cost,
    /// Wall time of the explanation (machine-dependent; not compared by merges).
    pub explain_seconds: f64,
    /// The curves, per criterion.
    pub criteria: BTreeMap<TableCriterion, CriterionRecord>,
}

impl MethodRecord {
    /// A record of `method`'s explanation, curves to come.
    pub fn new(method: impl Into<String>, explain_cost: Cost, seconds: f64) -> Self {
        Self {
            method: method.into(),
            explain_cost,
            explain_seconds: seconds,
            criteria: BTreeMap::new(),
        }
    }

    /// Whether two records hold the same numbers (wall times aside).
    pub fn same_numbers(&self, other: &Self) -> bool {
        self.method == other.method
            && self.explain_cost == other.explain_cost
            && self.criteria == other.criteria
    }
}

/// One example of the dataset.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExampleRecord {
    /// Index in the dataset.
    pub index: usize,
    /// True label.
    pub label: usize,
    /// The model's prediction (the explained and attacked class).
    pub predicted: usize,
    /// One record per method, in column order.
    pub methods: Vec<MethodRecord>,
    /// Model evaluations spent on each criterion (all methods).
    pub evaluation_cost: BTreeMap<TableCriterion, Cost>,
    /// The code that computed this record (`None` in files written before it was recorded).
    #[serde(default)]
    pub code_version: Option<CodeVersion>,
}

/// The label of a record's code version (`unknown` for records that predate it).
fn code_label(code: &Option<CodeVersion>) -> String {
    code.as_ref().map(CodeVersion::label).unwrap_or_else(|| "unknown".into())
}

impl ExampleRecord {
    /// Whether two records hold the same numbers (wall times aside).
    pub fn same_numbers(&self, other: &Self) -> bool {
        self.index == other.index
            && self.label == other.label
            && self.predicted == other.predicted
            && self.evaluation_cost == other.evaluation_cost
            && self.methods.len() == other.methods.len()
            && self.methods.iter().zip(&other.methods).all(|(a, b)| a.same_numbers(b))
    }
}

/// A whole run, or one shard of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvaluationRun {
    /// The settings every record was made with.
    pub settings: RunSettings,
    /// The examples of the whole run, in order (a shard does [`EvaluationRun::own_indices`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indices: Vec<usize>,
    /// Which shard this file is (`None`: the whole run, or a merge of all shards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Finished examples.
    pub examples: Vec<ExampleRecord>,
}

impl EvaluationRun {
    /// An empty run.
    pub fn new(settings: RunSettings, indices: Vec<usize>, shard: Option<Shard>) -> Self {
        Self { settings, indices, shard, examples: Vec::new() }
    }

    /// Reads a run file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| XaiError::file(path, format!("cannot be read: {e}")))?;
        serde_json::from_str(&text)
            .map_err(|e| XaiError::file(path, format!("is not an evaluation run: {e}")))
    }

    /// Reads `path` if it exists (and `fresh` is false) and checks that it was made with the
    /// same settings and shard; else a new run of the examples `indices` (the whole run's
    /// list; a shard does its share). Resuming keeps the finished
    /// examples, so only the missing ones are computed. Records made by other code than
    /// [`CodeVersion::current`] (or by code that did not record its version) are an error
    /// unless `allow_code_change`: the table then lists every version
    /// ([`EvaluationRun::code_versions`]).
    pub fn resume_or_new(
        path: &Path,
        settings: &RunSettings,
        indices: &[usize],
        shard: Option<Shard>,
        fresh: bool,
        allow_code_change: bool,
    ) -> Result<Self> {
        let new = Self::new(settings.clone(), indices.to_vec(), shard);
        if fresh || !path.exists() {
            return Ok(new);
        }
        let run = Self::load(path)?;
        if run.settings != *settings {
            return Err(XaiError::file(
                path,
                format!(
                    "was made with other settings ({:?}); use another output or --fresh",
                    run.settings
                ),
            ));
        }
        if run.shard != shard {
            return Err(XaiError::file(
                path,
                format!("is shard {:?}, not {:?}; use another output or --fresh", run.shard, shard),
            ));
        }
        // A longer example list extends a run: keep the records of examples still wanted.
        let wanted: BTreeSet<usize> = new.own_indices().into_iter().collect();
        let examples: Vec<ExampleRecord> =
            run.examples.into_iter().filter(|e| wanted.contains(&e.index)).collect();
        let current = CodeVersion::current();
        let other: Vec<&ExampleRecord> =
            examples.iter().filter(|e| e.code_version.as_ref() != Some(current)).collect();
        if !allow_code_change && !other.is_empty() {
            let versions: BTreeSet<String> =
                other.iter().map(|e| code_label(&e.code_version)).collect();
            return Err(XaiError::file(
                path,
                format!(
                    "has {} example(s) computed by other code ({}; this is {current}): use \
                     --allow-code-change to add to it anyway (the table then lists both \
                     versions), or --fresh",
                    other.len(),
                    versions.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        Ok(Self { examples, ..new })
    }

    /// The code versions the finished records were computed by, with how many records each, in
    /// order of first appearance (`unknown` for records that predate version recording).
    pub fn code_versions(&self) -> Vec<(String, usize)> {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for e in &self.examples {
            let label = code_label(&e.code_version);
            match counts.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => counts.push((label, 1)),
            }
        }
        counts
    }

    /// The examples this file is responsible for: all, or the shard's share.
    pub fn own_indices(&self) -> Vec<usize> {
        match self.shard {
            Some(s) => s.select(&self.indices),
            None => self.indices.clone(),
        }
    }

    /// Whether example `index` is done.
    pub fn has(&self, index: usize) -> bool {
        self.examples.iter().any(|e| e.index == index)
    }

    /// The examples still to do, in order.
    pub fn todo(&self) -> Vec<usize> {
        self.own_indices().into_iter().filter(|i| !self.has(*i)).collect()
    }

    /// Writes the run atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| XaiError::file(path, format!("cannot be serialised: {e}")))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| XaiError::file(path, format!("cannot be written: {e}")))
    }

    /// Merges the shards of one run: they must share settings and example list, be the
    /// shards `0..n` of the same `n` exactly once, and be complete. The result is the run
    /// as an unsharded invocation would have written it (examples in list order).
    pub fn merge(shards: Vec<EvaluationRun>) -> Result<Self> {
        let first = shards
            .first()
            .ok_or_else(|| XaiError::invalid("shards to merge", 0, "at least one file"))?;
        let settings = first.settings.clone();
        let indices = first.indices.clone();
        let count = match first.shard {
            Some(s) => s.count,
            None => return Err(XaiError::invalid("shard", "none", "files written with --shard")),
        };
        let mut seen = vec![false; count];
        let mut by_index = BTreeMap::new();
        for run in shards {
            if run.settings != settings || run.indices != indices {
                return Err(XaiError::invalid(
                    "shards to merge",
                    "different settings or example lists",
                    "shards of one run",
                ));
            }
            let shard = run
                .shard
                .ok_or_else(|| XaiError::invalid("shard", "none", "files written with --shard"))?;
            if shard.count != count || seen[shard.index] {
                return Err(XaiError::invalid(
                    "shard",
                    shard,
                    format!("each of the {count} shards exactly once"),
                ));
            }
            seen[shard.index] = true;
            let missing: Vec<usize> = run.todo();
            if !missing.is_empty() {
                return Err(XaiError::invalid(
                    format!("shard {shard}"),
                    format!("{} unfinished example(s), e.g. {}", missing.len(), missing[0]),
                    "complete shards (run the shard again to resume it)",
                ));
            }
            for e in run.examples {
                by_index.insert(e.index, e);
            }
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(XaiError::invalid(
                "shards to merge",
                format!("shard {missing}/{count} missing"),
                "all shards",
            ));
        }
        let mut examples = Vec::new();
        for i in &indices {
            let e = by_index.remove(i).ok_or_else(|| {
                XaiError::invalid("merged shards", format!("example {i} missing"), "every example")
            })?;
            examples.push(e);
        }
        Ok(Self { settings, indices, shard: None, examples })
    }

    /// The mean over examples of each method's AUC and curve on each criterion, and the paired
    /// t-test of every method against `against` (appendix G), for finished examples.
    pub fn summary(&self, against: Option<&str>) -> Result<RunSummary> {
        if self.examples.is_empty() {
            return Err(XaiError::invalid("finished examples", 0, "at least one"));
        }
        let mut rows = Vec::new();
        for criterion in &self.settings.criteria {
            for (m, method) in self.settings.methods.iter().enumerate() {
                let aucs = self.aucs(m, *criterion)?;
                let curves: Vec<&Vec<f64>> =
                    self.examples.iter().map(|e| &e.methods[m].criteria[criterion].curve).collect();
                let points = curves[0].len();
                let mean_curve = (0..points)
                    .map(|p| curves.iter().map(|c| c[p]).sum::<f64>() / curves.len() as f64)
                    .collect();
                let n = aucs.len() as f64;
                let mean = aucs.iter().sum::<f64>() / n;
                let sd = (aucs.iter().map(|a| (a - mean).powi(2)).sum::<f64>()
                    / (n - 1.0).max(1.0))
                .sqrt();
                let against_outcome = match against {
                    Some(other) if other != method && aucs.len() >= 2 => {
                        let o = self.method_column(other)?;
                        let theirs = self.aucs(o, *criterion)?;
                        let t = paired_t_test(&theirs, &aucs, criterion.better(), 0.05)?;
                        Some(t.outcome)
                    }
                    _ => None,
                };
                rows.push(SummaryRow {
                    criterion: *criterion,
                    method: method.clone(),
                    mean_auc: mean,
                    std_error: sd / n.sqrt(),
                    mean_curve,
                    explain_cost: self
                        .examples
                        .iter()
                        .map(|e| e.methods[m].explain_cost)
                        .sum::<Cost>(),
                    against: against_outcome,
                });
            }
        }
        Ok(RunSummary {
            examples: self.examples.len(),
            against: against.map(str::to_string),
            rows,
            code_versions: self.code_versions(),
        })
    }

    fn method_column(&self, name: &str) -> Result<usize> {
        self.settings.methods.iter().position(|m| m == name).ok_or_else(|| XaiError::UnknownName {
            kind: "method of this run".into(),
            name: name.into(),
            known: self.settings.methods.join(", "),
        })
    }

    fn aucs(&self, m: usize, c: TableCriterion) -> Result<Vec<f64>> {
        self.examples
            .iter()
            .map(|e| {
                e.methods.get(m).and_then(|r| r.criteria.get(&c)).map(|r| r.auc).ok_or_else(|| {
                    XaiError::invalid(
                        format!("record of example {}", e.index),
                        format!("no {} for method {m}", c.name()),
                        "every method and criterion of the settings",
                    )
                })
            })
            .collect()
    }
}

/// Per criterion and method: mean AUC over the examples, its standard error, the mean curve,
/// the total explanation cost and the t-test outcome against the reference method.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryRow {
    /// The criterion.
    pub criterion: TableCriterion,
    /// The method.
    pub method: String,
    /// Mean AUC (x in percent).
    pub mean_auc: f64,
    /// Standard error of the mean AUC.
    pub std_error: f64,
    /// Mean curve, one value per curve point.
    pub mean_curve: Vec<f64>,
    /// Model evaluations spent explaining, all examples.
    pub explain_cost: Cost,
    /// The reference method against this one (win = the reference is significantly better).
    pub against: Option<Outcome>,
}

/// [`EvaluationRun::summary`]'s result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSummary {
    /// Number of examples averaged.
    pub examples: usize,
    /// The reference method of the t-tests.
    pub against: Option<String>,
    /// One row per criterion and method.
    pub rows: Vec<SummaryRow>,
    /// The code versions the examples were computed by, with their example counts.
    #[serde(default)]
    pub code_versions: Vec<(String, usize)>,
}

impl RunSummary {
    /// The code versions line, then a markdown table per criterion: method, mean AUC ±
    /// standard error, t-test, cost.
    pub fn markdown(&self) -> String {
        let versions: Vec<String> =
            self.code_versions.iter().map(|(v, n)| format!("{v} ({n} examples)")).collect();
        let mut out = format!("Code: {}.\n\n", versions.join(", "));
        let mut criteria: Vec<TableCriterion> = self.rows.iter().map(|r| r.criterion).collect();
        criteria.dedup();
        for c in criteria {
            let better = match c.better() {
                crate::curve::Better::Higher => "higher is better",
                crate::curve::Better::Lower => "lower is better",
            };
            out.push_str(&format!(
                "### {} AUC ({better}, {} examples)\n\n",
                c.paper_name(),
                self.examples
            ));
            let vs = self.against.as_deref().unwrap_or("-");
            out.push_str(&format!(
                "| method | AUC | ± s.e. | {vs} vs method | forward | backward |\n"
            ));
            out.push_str("|---|---:|---:|---|---:|---:|\n");
            for r in self.rows.iter().filter(|r| r.criterion == c) {
                let t = match r.against {
                    Some(o) => format!("{o:?}").to_lowercase(),
                    None => "".into(),
                };
                out.push_str(&format!(
                    "| {} | {:.2} | {:.2} | {t} | {} | {} |\n",
                    r.method,
                    r.mean_auc,
                    r.std_error,
                    r.explain_cost.forward,
                    r.explain_cost.backward
                ));
            }
            out.push('\n');
        }
        out
    }
}
