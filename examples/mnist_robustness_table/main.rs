//! Paper 000's Tables 1 and 2 on MNIST, reproduced with the paper's own network (`mnist-cnn`):
//! Robustness-S̄r / Robustness-Sr AUC and Insertion / Deletion AUC (U(0,1) reference, logit
//! scale) of Grad, IG, EG, SHAP, LOO, BBMP, CFX, Random and Greedy-AS over `n` random test
//! images, with the paired t-test of appendix G, the mean curves as PNG and every
//! per-example number as JSON (the run resumes from it).
//!
//! ```text
//! cargo run --release --example mnist_robustness_table -- --n 100 --seed 0 --preset fast
//! ```

mod report;

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;
use std::path::PathBuf;
use xai::attacks::{Estimator, RobustnessEstimator};
use xai::core::{DeviceChoice, FeatureSpace, seed};
use xai::datasets::{DataDir, Dataset, registry};
use xai::explain::{AnyExplainer, Method, MethodOptions, Preset, RobustnessObjective};
use xai::metrics::{
    EvaluationRun, EvaluationSuite, EvaluationSuiteConfig, ExampleEvaluation, ExampleRecord,
    RunSettings, TableCriterion,
};
use xai::zoo::{ModelName, ZooModel};

/// The methods of the paper's MNIST rows, in its column order.
const PAPER_METHODS: &str =
    "grad,integrated-gradients,expected-gradients,kernel-shap,loo,bbmp,cfx,random,greedy-as";

/// Options.
#[derive(Parser, Debug)]
#[command(about = "Paper 000's Tables 1 and 2 on MNIST (mnist-cnn)")]
struct Args {
    /// Number of random MNIST test images (the paper: 100). A larger n resumes a smaller run.
    #[arg(long, default_value_t = 100)]
    n: usize,
    /// Seed of the image draw and of every sampler.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Explainer settings: paper (5000 subsets, bisection-PGD: hours per image for Greedy-AS)
    /// or fast (see `xai explain --help`).
    #[arg(long, default_value = "fast")]
    preset: String,
    /// Features: `pixels` (the paper) or `grid:N`; default: pixels with --preset paper,
    /// grid:14 (2×2 patches) with --preset fast, whose 400 subsets per step cannot pin down a
    /// regression over 784 single pixels.
    #[arg(long)]
    features: Option<String>,
    /// Robustness estimator of the curves (bisection-pgd is the paper's; fmn a minimum-norm
    /// attack of 100 steps); default: bisection-pgd with --preset paper, fmn with fast.
    #[arg(long, value_enum)]
    estimator: Option<Estimator>,
    /// Methods (kebab-case names, comma-separated).
    #[arg(long, default_value = PAPER_METHODS)]
    methods: String,
    /// Also run Greedy-AS with the Robustness-Sr objective (Eqn. 4) for the Robustness-Sr
    /// row; without it one Greedy-AS (Robustness-S̄r, Eqn. 3) is evaluated on every row.
    #[arg(long)]
    per_criterion: bool,
    /// Where the JSON, tables and PNG curves go.
    #[arg(long, default_value = "results/mnist_robustness_table")]
    out_dir: PathBuf,
    /// Start over instead of resuming from the JSON in --out-dir.
    #[arg(long)]
    fresh: bool,
    /// Resume even if the JSON's examples were computed by other code (another git commit,
    /// or uncommitted changes); the table then lists every code version.
    #[arg(long)]
    allow_code_change: bool,
    /// Backend: flex, ndarray or wgpu.
    #[arg(long, default_value = "flex")]
    device: String,
    /// Data directory (default: $BURN_XAI_DATA, else ../shared).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Largest batch sent to the model.
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
}

fn main() -> std::process::ExitCode {
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    let preset: Preset = args.preset.parse()?;
    let fast = preset == Preset::Fast;
    let features = args.features.clone().unwrap_or(if fast { "grid:14" } else { "pixels" }.into());
    let estimator =
        args.estimator.unwrap_or(if fast { Estimator::Fmn } else { Estimator::BisectionPgd });
    let methods: Vec<Method> =
        args.methods.split(',').map(|m| m.trim().parse()).collect::<Result<_, _>>()?;
    if methods.is_empty() {
        bail!("--methods is empty");
    }
    let settings = RunSettings {
        model: ModelName::MnistCnn.info().name.to_string(),
        dataset: "mnist-test".into(),
        criteria: TableCriterion::ALL.to_vec(),
        fractions: xai::metrics::auc::paper_fractions(),
        extra: Default::default(),
        seed: args.seed,
        preset,
        features,
        estimator: estimator.name().into(),
        methods: methods.iter().map(|m| m.name().to_string()).collect(),
        per_criterion: args.per_criterion,
    };
    Table::new(args, settings, estimator.build(xai::core::Norm::L2)?)?.run()
}

/// Everything one run needs, for the curves' estimator `E`.
struct Table<E> {
    args: Args,
    settings: RunSettings,
    device: Device,
    model: ZooModel,
    data: Dataset,
    space: FeatureSpace,
    suite: EvaluationSuite<E>,
    explainers: Vec<(Method, AnyExplainer<4>)>,
    /// Greedy-AS with the Robustness-Sr objective (with --per-criterion).
    sr_explainer: Option<AnyExplainer<4>>,
}

impl<E: RobustnessEstimator<4> + Clone> Table<E> {
    fn new(args: Args, settings: RunSettings, estimator: E) -> Result<Self> {
        let device = args.device.parse::<DeviceChoice>()?.device()?;
        let data_dir = DataDir::resolve(args.data_dir.as_deref());
        let model = ZooModel::load_with(ModelName::MnistCnn, &data_dir, &device)?;
        let data = registry::load_from("mnist-test", &data_dir)?;
        let (space, _) = FeatureSpace::from_spec(&settings.features, data.sample_shape())?;
        let mut config = EvaluationSuiteConfig::default();
        config.robustness.batch_size = args.batch_size;
        config.batch_size = args.batch_size;
        let suite = EvaluationSuite::new(config, estimator)?;
        // Expected Gradients' background: 32 seeded test images (MNIST's training set is not
        // shipped); the same for every explained image.
        let mut rng = seed::stream_rng(settings.seed, 0xB6);
        let mut all: Vec<usize> = (0..data.len()).collect();
        all.shuffle(&mut rng);
        let background = data.batch_tensor(&all[..32.min(all.len())], &device)?;
        let options = |objective| MethodOptions {
            preset: settings.preset,
            objective,
            reference: None,
            background: Some(background.clone()),
            subsets: None,
            estimator: None,
        };
        let mut explainers = Vec::new();
        for name in &settings.methods {
            let method: Method = name.parse()?;
            explainers.push((
                method,
                AnyExplainer::new(method, &options(RobustnessObjective::Anchored))?,
            ));
        }
        let sr_explainer = match settings.per_criterion {
            true => {
                Some(AnyExplainer::new(Method::GreedyAs, &options(RobustnessObjective::Perturbed))?)
            }
            false => None,
        };
        Ok(Self { args, settings, device, model, data, space, suite, explainers, sr_explainer })
    }

    /// The first `n` images of the seeded permutation of the test set (so a run with a larger
    /// `n` extends a smaller one).
    fn images(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.data.len()).collect();
        order.shuffle(&mut seed::stream_rng(self.settings.seed, 0x1A6E));
        order.truncate(self.args.n);
        order
    }

    fn run(&self) -> Result<()> {
        std::fs::create_dir_all(&self.args.out_dir)
            .with_context(|| format!("creating {}", self.args.out_dir.display()))?;
        let json = self.args.out_dir.join("mnist_robustness_table.json");
        let mut run = EvaluationRun::resume_or_new(
            &json,
            &self.settings,
            &self.images(),
            None,
            self.args.fresh,
            self.args.allow_code_change,
        )?;
        let todo = run.todo();
        eprintln!(
            "mnist-cnn, {} test images ({} done, {} to go), features {}, preset {:?}, curves by {}",
            self.args.n,
            self.args.n - todo.len(),
            todo.len(),
            self.settings.features,
            self.settings.preset,
            self.settings.estimator
        );
        let bar = ProgressBar::new(todo.len() as u64).with_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} images, {elapsed} (eta {eta}) {msg}",
            )
            .context("progress bar template")?,
        );
        for index in todo {
            let record = self.example(index, &bar)?;
            run.examples.push(record);
            run.save(&json)?;
            bar.inc(1);
        }
        bar.finish_with_message("done");
        let wanted: Vec<usize> = self.images();
        let report = report::Report::new(&run, &wanted, self.suite.fractions())?;
        let markdown = report.markdown()?;
        println!("{markdown}");
        std::fs::write(self.args.out_dir.join("tables.md"), &markdown)?;
        report.save_plots(&self.args.out_dir)?;
        eprintln!(
            "wrote {} and tables.md, curves *.png in {}",
            json.display(),
            self.args.out_dir.display()
        );
        Ok(())
    }

    /// Explains test image `index` with every method and evaluates every criterion.
    fn example(&self, index: usize, bar: &ProgressBar) -> Result<ExampleRecord> {
        let x = self.data.batch_tensor(&[index], &self.device)?;
        self.model.check_input(&x.dims())?;
        let evaluation = ExampleEvaluation {
            suite: &self.suite,
            criteria: &TableCriterion::ALL,
            explainers: &self.explainers,
            sr_explainer: self.sr_explainer.as_ref(),
            space: &self.space,
            batch_size: self.args.batch_size,
            bounds: (0.0, 1.0),
            seed: self.settings.seed,
        };
        let label = self.data.label(index)?;
        Ok(evaluation.run(&self.model, x, index, label, &|m| bar.set_message(m))?)
    }
}
