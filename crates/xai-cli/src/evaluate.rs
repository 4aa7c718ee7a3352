//! `xai evaluate`: methods × criteria over a slice of a dataset, resumable and shardable
//! (`--shard i/n`, a Slurm job array or a Kubernetes Indexed Job), and `xai evaluate merge`.

use crate::common::DeviceArgs;
use crate::explain::{background_of, parse_features};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xai_attacks::{Estimator, RobustnessEstimator};
use xai_core::{ClassScore, Reference};
use xai_datasets::registry;
use xai_explain::{AnyExplainer, Method, MethodOptions, Preset, RobustnessObjective};
use xai_metrics::{
    EvaluationRun, EvaluationSuite, EvaluationSuiteConfig, ExampleEvaluation, RunSettings, Shard,
    TableCriterion,
};
use xai_viz::CurvePlot;
use xai_zoo::{ModelName, ZooModel};

/// `xai evaluate` options (or `xai evaluate merge ...`).
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EvaluateArgs {
    #[command(subcommand)]
    command: Option<EvaluateCommand>,
    #[command(flatten)]
    run: RunArgs,
}

/// Subcommands of `xai evaluate`.
#[derive(Subcommand)]
enum EvaluateCommand {
    /// Merge the shard files of a run into the run an unsharded invocation writes (JSON,
    /// summary tables and PNG curves in --out).
    Merge(MergeArgs),
}

/// `xai evaluate merge` options.
#[derive(Args)]
struct MergeArgs {
    /// Directory of the merged run (its evaluation.json, summary.md, summary.json and PNGs).
    #[arg(long, default_value = "xai-evaluation")]
    out: PathBuf,
    /// Shard files (default: every evaluation.shard-*-of-*.json in --out).
    files: Vec<PathBuf>,
    /// Method the others are t-tested against (default: greedy-as if evaluated, else the
    /// first method).
    #[arg(long)]
    against: Option<String>,
}

/// Options of one evaluation run.
#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// Model name (see `xai zoo list`).
    #[arg(long, default_value = "mnist-cnn")]
    model: String,
    /// Dataset name (default: the model's own, e.g. mnist-test).
    #[arg(long)]
    dataset: Option<String>,
    /// Examples: a range `START..END` (END excluded) or a list `3,7,11`.
    #[arg(long, default_value = "0..20")]
    indices: String,
    /// Methods, comma-separated (see `xai explain --help`).
    #[arg(long, default_value = "grad,integrated-gradients,random")]
    methods: String,
    /// Criteria, comma-separated: robustness-sr-bar, robustness-sr, insertion, deletion.
    #[arg(long, default_value = "robustness-sr-bar,robustness-sr,insertion,deletion")]
    metrics: String,
    /// Features: `pixels`, or `grid:N` for N×N square patches.
    #[arg(long, default_value = "pixels")]
    features: String,
    /// Explainer preset: fast, standard or paper (see `xai explain --help`).
    #[arg(long, default_value = "fast")]
    preset: String,
    /// Minimum-norm estimator of the robustness curves.
    #[arg(long, value_enum, default_value = "fmn")]
    estimator: Estimator,
    /// Reference value of removed features for Insertion/Deletion (a number, uniform,
    /// blur:SIGMA); the paper's tables use uniform.
    #[arg(long, default_value = "uniform")]
    reference: String,
    /// Class score of Insertion/Deletion: logit (the paper's tables) or probability.
    #[arg(long, default_value = "logit")]
    score: String,
    /// Seed of every sampler (example i uses its own stream of it).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Largest batch sent to the model; default: the model's (256 for mnist-cnn, 16 for
    /// efficientnet-lite0, its fastest on a CPU).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Output directory: evaluation.json (resumed on restart), summary.md, summary.json and
    /// one PNG of mean curves per criterion; shards write evaluation.shard-I-of-N.json only.
    #[arg(long, default_value = "xai-evaluation")]
    out: PathBuf,
    /// Run only shard I of N (every N-th example). Default: from SLURM_ARRAY_TASK_ID /
    /// SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX with --shard-count; else no sharding.
    #[arg(long)]
    shard: Option<String>,
    /// Number of shards when the index comes from JOB_COMPLETION_INDEX (a Kubernetes Indexed
    /// Job's `completions`).
    #[arg(long)]
    shard_count: Option<usize>,
    /// Method the others are t-tested against (default: greedy-as if evaluated, else the
    /// first method).
    #[arg(long)]
    against: Option<String>,
    /// Start over instead of resuming from the output's JSON.
    #[arg(long)]
    fresh: bool,
    /// Resume even if the JSON's examples were computed by other code (another git commit,
    /// or uncommitted changes); the table then lists every code version.
    #[arg(long)]
    allow_code_change: bool,
}

/// Runs `xai evaluate` or `xai evaluate merge`.
pub fn run(args: EvaluateArgs) -> Result<ExitCode> {
    match args.command {
        Some(EvaluateCommand::Merge(merge)) => run_merge(merge),
        None => run_evaluation(args.run),
    }
}

/// Parses `START..END` or `a,b,c`.
fn parse_indices(spec: &str) -> Result<Vec<usize>> {
    let bad = || format!("--indices '{spec}': expected START..END or a comma-separated list");
    let indices: Vec<usize> = match spec.split_once("..") {
        Some((a, b)) => {
            let a: usize = a.trim().parse().with_context(bad)?;
            let b: usize = b.trim().parse().with_context(bad)?;
            (a..b).collect()
        }
        None => spec
            .split(',')
            .map(|s| s.trim().parse::<usize>())
            .collect::<Result<_, _>>()
            .with_context(bad)?,
    };
    if indices.is_empty() {
        bail!("--indices '{spec}' selects no example");
    }
    let mut sorted = indices.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        bail!("--indices '{spec}' lists an example twice");
    }
    Ok(indices)
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

fn parse_criterion(name: &str) -> Result<TableCriterion> {
    TableCriterion::ALL.into_iter().find(|c| c.name() == name).with_context(|| {
        let known: Vec<&str> = TableCriterion::ALL.iter().map(|c| c.name()).collect();
        format!("unknown criterion '{name}' in --metrics; known: {}", known.join(", "))
    })
}

fn default_against(methods: &[String]) -> Option<String> {
    match methods.iter().any(|m| m == "greedy-as") {
        true => Some("greedy-as".into()),
        false => methods.first().cloned(),
    }
}

fn run_evaluation(args: RunArgs) -> Result<ExitCode> {
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text)?),
        None => Shard::from_env(args.shard_count)?,
    };
    // The curves measure the L2 norm (Robustness-Sr / S̄r as in the paper's tables).
    let estimator = args.estimator.build(xai_core::Norm::L2)?;
    Evaluation::new(args, shard, estimator)?.run()
}

/// One evaluation run (or shard) with the curves' estimator `E`.
struct Evaluation<E> {
    args: RunArgs,
    shard: Option<Shard>,
    settings: RunSettings,
    indices: Vec<usize>,
    device: burn::tensor::Device,
    model: ZooModel,
    data: xai_datasets::Dataset,
    space: xai_core::FeatureSpace,
    suite: EvaluationSuite<E>,
    explainers: Vec<(Method, AnyExplainer<4>)>,
    /// Largest batch sent to the model (`--batch-size`, else the model's).
    batch_size: usize,
}

impl<E: RobustnessEstimator<4> + Clone> Evaluation<E> {
    fn new(args: RunArgs, shard: Option<Shard>, estimator: E) -> Result<Self> {
        let name: ModelName = args.model.parse()?;
        let preset: Preset = args.preset.parse()?;
        let reference: Reference = args.reference.parse()?;
        let score = match args.score.as_str() {
            "logit" => ClassScore::Logit,
            "probability" => ClassScore::Probability,
            other => bail!("--score must be one of {}, got '{other}'", ClassScore::NAMES),
        };
        let methods: Vec<Method> =
            split_list(&args.methods).iter().map(|m| m.parse()).collect::<Result<_, _>>()?;
        if methods.is_empty() {
            bail!("--methods is empty");
        }
        let criteria: Vec<TableCriterion> =
            split_list(&args.metrics).iter().map(|c| parse_criterion(c)).collect::<Result<_>>()?;
        if criteria.is_empty() {
            bail!("--metrics is empty");
        }
        let all = parse_indices(&args.indices)?;
        let device = args.device.device()?;
        let model = ZooModel::load_with(name, &args.device.data_dir(), &device)?;
        let info = model.info().clone();
        let dataset = args.dataset.clone().unwrap_or(info.default_dataset.to_string());
        let data = registry::load_from(&dataset, &args.device.data_dir())?;
        if let Some(i) = all.iter().find(|i| **i >= data.len()) {
            bail!("--indices: example {i} is out of range for {dataset} ({} examples)", data.len());
        }
        let (space, _) = parse_features(&args.features, info.input_shape)?;
        let batch_size = args.batch_size.unwrap_or(info.batch_size);
        let config = EvaluationSuiteConfig {
            reference: reference.clone(),
            score,
            batch_size,
            ..EvaluationSuiteConfig::default()
        };
        let suite = EvaluationSuite::new(config, estimator)?;
        let background = match methods.iter().any(|m| m.needs_background()) {
            true => Some(background_of(&data, args.seed, &device)?),
            false => None,
        };
        let options = MethodOptions {
            preset,
            objective: RobustnessObjective::Anchored,
            reference: None,
            background,
            subsets: None,
            estimator: None,
        };
        let explainers = methods
            .iter()
            .map(|m| Ok((*m, AnyExplainer::new(*m, &options)?)))
            .collect::<Result<Vec<_>>>()?;
        let settings = RunSettings {
            model: info.name.to_string(),
            dataset,
            seed: args.seed,
            preset,
            features: args.features.clone(),
            estimator: args.estimator.name().into(),
            methods: methods.iter().map(|m| m.name().to_string()).collect(),
            criteria,
            per_criterion: false,
            fractions: suite.fractions().to_vec(),
            extra: BTreeMap::from([
                ("reference".to_string(), reference.name()),
                ("score".to_string(), score.name().to_string()),
                ("batch-size".to_string(), batch_size.to_string()),
            ]),
        };
        let indices = all;
        Ok(Self {
            args,
            shard,
            settings,
            indices,
            device,
            model,
            data,
            space,
            suite,
            explainers,
            batch_size,
        })
    }

    fn json_path(&self) -> PathBuf {
        match self.shard {
            Some(s) => self.args.out.join(format!("evaluation.{}.json", s.tag())),
            None => self.args.out.join("evaluation.json"),
        }
    }

    fn run(&self) -> Result<ExitCode> {
        std::fs::create_dir_all(&self.args.out)
            .with_context(|| format!("creating {}", self.args.out.display()))?;
        let json = self.json_path();
        let mut run = EvaluationRun::resume_or_new(
            &json,
            &self.settings,
            &self.indices,
            self.shard,
            self.args.fresh,
            self.args.allow_code_change,
        )?;
        let todo = run.todo();
        let own = run.own_indices().len();
        eprintln!(
            "{} on {}: {} examples{} ({} done, {} to go), methods {}, criteria {}",
            self.settings.model,
            self.settings.dataset,
            own,
            self.shard.map(|s| format!(" in shard {s}")).unwrap_or_default(),
            own - todo.len(),
            todo.len(),
            self.settings.methods.join(","),
            self.settings.criteria.iter().map(|c| c.name()).collect::<Vec<_>>().join(","),
        );
        let bar = ProgressBar::new(todo.len() as u64).with_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} examples, {elapsed} (eta {eta}) {msg}",
            )
            .context("progress bar template")?,
        );
        let info = self.model.info();
        let evaluation = ExampleEvaluation {
            suite: &self.suite,
            criteria: &self.settings.criteria,
            explainers: &self.explainers,
            sr_explainer: None,
            space: &self.space,
            batch_size: self.batch_size,
            bounds: info.value_range,
            seed: self.settings.seed,
        };
        for index in todo {
            let x = self.data.batch_tensor(&[index], &self.device)?;
            self.model.check_input(&x.dims())?;
            let label = self.data.label(index)?;
            let record = evaluation.run(&self.model, x, index, label, &|m| bar.set_message(m))?;
            run.examples.push(record);
            run.save(&json)?;
            bar.inc(1);
        }
        bar.finish_and_clear();
        eprintln!("wrote {}", json.display());
        match self.shard {
            Some(s) => eprintln!(
                "shard {s} done; when every shard is, run `xai evaluate merge --out {}`",
                self.args.out.display()
            ),
            None => {
                let against =
                    self.args.against.clone().or_else(|| default_against(&self.settings.methods));
                write_summary(&run, &self.args.out, against.as_deref())?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn run_merge(args: MergeArgs) -> Result<ExitCode> {
    let files = match args.files.is_empty() {
        false => args.files.clone(),
        true => shard_files(&args.out)?,
    };
    let shards =
        files.iter().map(|f| EvaluationRun::load(f)).collect::<xai_core::Result<Vec<_>>>()?;
    let run = EvaluationRun::merge(shards)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let json = args.out.join("evaluation.json");
    run.save(&json)?;
    eprintln!("merged {} shard files into {}", files.len(), json.display());
    let against = args.against.clone().or_else(|| default_against(&run.settings.methods));
    write_summary(&run, &args.out, against.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Every `evaluation.shard-*-of-*.json` in `dir`, sorted.
fn shard_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("evaluation.shard-") && name.ends_with(".json")
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no evaluation.shard-*-of-*.json in {}", dir.display());
    }
    Ok(files)
}

/// summary.md (printed too), summary.json and `<criterion>.png` (mean curves) in `dir`.
fn write_summary(run: &EvaluationRun, dir: &Path, against: Option<&str>) -> Result<()> {
    let fractions = &run.settings.fractions;
    let summary = run.summary(against)?;
    let markdown = summary.markdown();
    println!("{markdown}");
    std::fs::write(dir.join("summary.md"), &markdown)?;
    crate::common::write_json(&dir.join("summary.json"), &summary)?;
    let x: Vec<f32> = fractions.iter().map(|f| (f * 100.0) as f32).collect();
    for criterion in &run.settings.criteria {
        let mut plot = CurvePlot::new(
            format!("{} ({} examples)", criterion.paper_name(), summary.examples),
            x.clone(),
        )
        .x_label("top features (%)")
        .y_label(match criterion {
            TableCriterion::RobustnessSrBar | TableCriterion::RobustnessSr => {
                "minimum adversarial L2 norm"
            }
            _ => "class score",
        });
        for row in summary.rows.iter().filter(|r| r.criterion == *criterion) {
            if row.mean_curve.len() != x.len() {
                bail!(
                    "{} curve of {} has {} points, the run's fractions {}",
                    criterion.name(),
                    row.method,
                    row.mean_curve.len(),
                    x.len()
                );
            }
            plot = plot.series(&row.method, row.mean_curve.iter().map(|v| *v as f32).collect());
        }
        let path = dir.join(format!("{}.png", criterion.name()));
        plot.save_png(&path, 800, 500)?;
    }
    eprintln!("wrote summary.md, summary.json and the curves *.png in {}", dir.display());
    Ok(())
}
