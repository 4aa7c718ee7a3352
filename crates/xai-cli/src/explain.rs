//! `xai explain`: one explanation of one input, as JSON and as a PNG figure.

use crate::common::{DeviceArgs, write_json};
use anyhow::{Context, Result, bail};
use burn::tensor::Tensor;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use xai_core::classifier::argmax_rows;
use xai_core::host::{from_vec_f32, to_vec_f32};
use xai_core::{Attribution, Cost, FeatureSpace, Reference, seed};
use xai_datasets::{Dataset, load_crop_224, registry};
use xai_explain::{
    AnyExplainer, ExplainRequest, Explainer, Method, MethodOptions, Preset, ProgressHook,
    RobustnessObjective,
};
use xai_viz::{ExplanationTile, explanation_figure};
use xai_zoo::{ModelInfo, ModelName, ZooModel};

/// `xai explain` options.
#[derive(Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// Model name (see `xai zoo list`).
    #[arg(long, default_value = "mnist-cnn")]
    model: String,
    /// Dataset name (default: the model's own, e.g. mnist-test); ignored with --image.
    #[arg(long)]
    dataset: Option<String>,
    /// Index of the input in the dataset.
    #[arg(long, default_value_t = 0)]
    index: usize,
    /// A photo to explain instead of a dataset item (resized and centre-cropped to 224×224,
    /// for efficientnet-lite0).
    #[arg(long, conflicts_with = "dataset")]
    image: Option<PathBuf>,
    /// Method (the values come from `xai_explain::Method::ALL`; README's table describes each;
    /// guided-backprop, lrp-epsilon, deeplift, deepshap, cam and grad-cam read the network's
    /// layers).
    #[arg(long, default_value = "greedy-as", value_parser = method_names())]
    method: String,
    /// Settings preset: standard (textbook forms at paper 000's sample counts), paper (paper
    /// 000's reference code's protocol: |score| saliency, its IG and LOO; slow for robustness
    /// methods) or fast.
    #[arg(long, default_value = "fast")]
    preset: String,
    /// Explain "why the predicted class and not CLASS" (targeted variants, Eqn. 2).
    #[arg(long)]
    target: Option<usize>,
    /// Explain this class instead of the predicted one.
    #[arg(long)]
    class: Option<usize>,
    /// Robustness objective of greedy methods: anchored (Robustness-S̄r) or perturbed (-Sr).
    #[arg(long, default_value = "anchored")]
    objective: String,
    /// Features: `pixels`, or `grid:N` for N×N square patches (e.g. grid:14 on 224×224).
    #[arg(long, default_value = "pixels")]
    features: String,
    /// Reference value of removed features (a number, uniform, blur:SIGMA); default: the
    /// method's own.
    #[arg(long)]
    reference: Option<String>,
    /// Subsets per regression of greedy-as / one-step-banzhaf (overrides the preset's 400 or
    /// 5000; e.g. 48 for efficientnet-lite0 on a CPU).
    #[arg(long)]
    subsets: Option<usize>,
    /// Robustness estimator of greedy, greedy-as and one-step-banzhaf (overrides the preset's:
    /// bisection-pgd for paper, deepfool-fast for fast).
    #[arg(long, value_enum)]
    estimator: Option<xai_attacks::Estimator>,
    /// Seed of every sampler.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Largest batch sent to the model (bounds memory); default: the model's (`xai zoo list`:
    /// 256 for mnist-cnn, 16 for efficientnet-lite0, its fastest on a CPU).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Write the attribution (one score per feature, row-major) and its settings as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a PNG: the input, the heat map over it, and the top 20% features.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the explainer's resolved settings (preset, overrides, estimator) as JSON and stop.
    #[arg(long)]
    print_config: bool,
}

/// The `--method` values: every registered method's name, so clap lists them in `--help` and
/// rejects others with the list.
fn method_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(Method::ALL.map(Method::name))
}

#[derive(Serialize)]
struct Report<'a> {
    model: &'a str,
    input: String,
    label: Option<usize>,
    predicted: usize,
    predicted_name: &'a str,
    explained: usize,
    explained_name: &'a str,
    contrast: Option<usize>,
    method: &'a str,
    preset: Preset,
    objective: &'a str,
    seed: u64,
    features: &'a str,
    n_features: usize,
    grid: [usize; 2],
    device: String,
    /// The resolved settings of the explainer (its config and estimator), as JSON.
    settings: &'a AnyExplainer<4>,
    cost: Cost,
    wall_seconds: f64,
    scores: &'a [f32],
}

/// Parses `pixels` or `grid:N` for a `[c, h, w]` input; returns the space and its grid.
pub fn parse_features(spec: &str, shape: [usize; 3]) -> Result<(FeatureSpace, [usize; 2])> {
    FeatureSpace::from_spec(spec, shape).with_context(|| format!("--features {spec}"))
}

/// The input of `args` as a batch of one, its label if known, a description, and the
/// dataset it comes from (for `--image`: the model's default dataset, loaded only if needed).
fn load_input(
    args: &ExplainArgs,
    info: &ModelInfo,
    device: &burn::tensor::Device,
) -> Result<(Tensor<4>, Option<usize>, String, Option<Dataset>)> {
    if let Some(path) = &args.image {
        let pixels = load_crop_224(path)?;
        if info.input_shape != [3, 224, 224] {
            bail!("--image gives a 224×224 RGB crop; {} takes {:?}", info.name, info.input_shape);
        }
        let x = from_vec_f32(pixels, [1, 3, 224, 224], device)?;
        return Ok((x, None, path.display().to_string(), None));
    }
    let dataset = args.dataset.as_deref().unwrap_or(info.default_dataset);
    let data = registry::load_from(dataset, &args.device.data_dir())?;
    let x = data.batch_tensor(&[args.index], device)?;
    let label = data.label(args.index)?;
    Ok((x, Some(label), format!("{dataset}[{}]", args.index), Some(data)))
}

/// 32 seeded random samples of `data` (else of the model's default dataset): the background
/// of Expected Gradients.
fn background(
    data: Option<Dataset>,
    args: &ExplainArgs,
    info: &ModelInfo,
    device: &burn::tensor::Device,
) -> Result<Tensor<4>> {
    let data = match data {
        Some(data) => data,
        None => registry::load_from(info.default_dataset, &args.device.data_dir())?,
    };
    background_of(&data, args.seed, device)
}

/// 32 samples of `data` drawn with replacement from sub-stream 0xB6 of `seed`: the Expected
/// Gradients background of `xai explain` and `xai bench`.
pub fn background_of(
    data: &Dataset,
    seed: u64,
    device: &burn::tensor::Device,
) -> Result<Tensor<4>> {
    use rand::Rng;
    let mut rng = seed::stream_rng(seed, 0xB6);
    let picks: Vec<usize> =
        (0..32.min(data.len())).map(|_| rng.random_range(0..data.len())).collect();
    Ok(data.batch_tensor(&picks, device)?)
}

/// The name of class `c`, or "?" when the model has no such class.
fn class_name(names: &[String], c: usize) -> &str {
    names.get(c).map_or("?", String::as_str)
}

/// One line on stderr per progress report of the long explainers (the greedy family: one per
/// regression step), with the time since the start: readable in a log, unlike a redrawn bar.
fn progress_to_stderr() -> ProgressHook {
    let start = Instant::now();
    ProgressHook::new(move |p| {
        let s = start.elapsed().as_secs();
        eprintln!("  {} {}/{} done after {}m {:02}s", p.stage, p.done, p.total, s / 60, s % 60);
    })
}

/// Runs `xai explain`.
pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let name: ModelName = args.model.parse()?;
    let method: Method = args.method.parse()?;
    let preset: Preset = args.preset.parse()?;
    let objective = match args.objective.as_str() {
        "anchored" => RobustnessObjective::Anchored,
        "perturbed" => RobustnessObjective::Perturbed,
        other => bail!("--objective must be anchored or perturbed, got '{other}'"),
    };
    let reference: Option<Reference> = args.reference.as_deref().map(str::parse).transpose()?;
    let device = args.device.device()?;
    let model = ZooModel::load_with(name, &args.device.data_dir(), &device)?;
    let info = model.info().clone();
    let (x, label, input, data) = load_input(&args, &info, &device)?;
    let (space, grid) = parse_features(&args.features, info.input_shape)?;
    let names = info.classes.load(&args.device.data_dir())?;
    let predicted = argmax_rows(model.try_logits(x.clone())?)?[0];
    let explained = args.class.unwrap_or(predicted);
    let mut request = ExplainRequest::new(x.clone(), vec![explained], space.clone())?
        .with_seed(args.seed)
        .with_batch_size(args.batch_size.unwrap_or(info.batch_size))?
        .with_bounds(info.value_range.0, info.value_range.1)?
        .with_progress(progress_to_stderr());
    request.check_classes(info.n_classes)?;
    if let Some(t) = args.target {
        request = request.with_contrast(vec![t])?;
    }
    let background = match method {
        m if m.needs_background() => Some(background(data, &args, &info, &device)?),
        _ => None,
    };
    let options = MethodOptions {
        preset,
        objective,
        reference,
        background,
        subsets: args.subsets,
        estimator: args.estimator,
    };
    let explainer = AnyExplainer::new(method, &options)?;
    if args.print_config {
        println!("{}", serde_json::to_string_pretty(&explainer)?);
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "explaining {input} ({}: predicted {} '{}') with {method} ({:?} preset) on {} features...",
        info.name,
        predicted,
        class_name(&names, predicted),
        preset,
        space.n_features()
    );
    let start = Instant::now();
    let attribution: Attribution = explainer
        .explain(&model, &request)?
        .pop()
        .context("the explainer returned no attribution")?;
    let wall = start.elapsed().as_secs_f64();
    let top: Vec<usize> = attribution.ranking().into_iter().take(10).collect();
    println!(
        "{method} for class {explained} '{}'{}: top features {top:?}; cost {} forward + {} backward evaluations; {wall:.1} s",
        class_name(&names, explained),
        args.target.map(|t| format!(" vs {t} '{}'", class_name(&names, t))).unwrap_or_default(),
        attribution.cost.forward,
        attribution.cost.backward,
    );
    if let Some(path) = &args.json {
        let report = Report {
            model: info.name,
            input: input.clone(),
            label,
            predicted,
            predicted_name: class_name(&names, predicted),
            explained,
            explained_name: class_name(&names, explained),
            contrast: args.target,
            method: method.name(),
            preset,
            objective: objective.name(),
            seed: args.seed,
            features: &args.features,
            n_features: space.n_features(),
            grid,
            device: format!("{:?}", args.device.device),
            settings: &explainer,
            cost: attribution.cost,
            wall_seconds: wall,
            scores: &attribution.scores,
        };
        write_json(path, &report)?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.out {
        let pixels = to_vec_f32(x)?;
        let tile = ExplanationTile { title: method.name().to_string(), attribution: &attribution };
        explanation_figure(&pixels, info.input_shape, &space, &[tile], 0.2)?.save_png(path)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
