//! `xai bench`: model throughput (forward, forward+backward) and the cost and wall time of
//! every explanation method on one MNIST test image.
//!
//! Every figure is the median of `--repeats` runs after one warm-up run. Timings read a scalar
//! back to the host before the clock stops, so lazy backends (wgpu) are timed honestly.

use crate::common::{DeviceArgs, write_json};
use crate::explain::{background_of, parse_features};
use anyhow::{Context, Result, bail};
use burn::tensor::{Device, Tensor};
use clap::Args;
use rand::Rng;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use xai_core::classifier::argmax_rows;
use xai_core::host::{from_vec_f32, to_vec_f32};
use xai_core::{Cost, Evaluator, XaiError, seed};
use xai_datasets::registry;
use xai_explain::{
    AnyExplainer, ExplainRequest, Explainer, Method, MethodOptions, Preset, RobustnessObjective,
};
use xai_zoo::{ModelName, ZooModel};

/// `xai bench` options.
#[derive(Args)]
pub struct BenchArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// Models whose throughput is measured (comma-separated; empty string for none).
    #[arg(long, value_delimiter = ',', default_value = "mnist-cnn,efficientnet-lite0")]
    models: Vec<String>,
    /// Batch size of the mnist-cnn throughput runs.
    #[arg(long, default_value_t = 1000)]
    batch_mnist: usize,
    /// Batch size of the efficientnet-lite0 (ImageNet) throughput runs.
    #[arg(long, default_value_t = 32)]
    batch_imagenet: usize,
    /// Timed runs per figure (after one warm-up run); the median is reported.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Methods timed on one MNIST test image (comma-separated; default: every method). A method
    /// the model cannot run (e.g. `cam`, which needs a global-average-pool head) is listed as not
    /// applicable, with the reason, instead of stopping the benchmark.
    #[arg(long, value_delimiter = ',')]
    methods: Option<Vec<String>>,
    /// Index of the mnist-test image the methods explain.
    #[arg(long, default_value_t = 0)]
    index: usize,
    /// Settings preset of the methods: fast, standard or paper.
    #[arg(long, default_value = "fast")]
    preset: String,
    /// Features of the methods: `pixels`, or `grid:N` for N×N square patches.
    #[arg(long, default_value = "grid:14")]
    features: String,
    /// A method whose single run takes longer than this many seconds is run once.
    #[arg(long, default_value_t = 120.0)]
    max_seconds: f64,
    /// Seed of the random inputs and of every sampler.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Largest batch the methods send to the model.
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    /// Write the report as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Serialize)]
struct Throughput {
    model: String,
    batch: usize,
    forward_per_s: f64,
    forward_backward_per_s: f64,
}

#[derive(Serialize)]
struct MethodTiming {
    method: String,
    preset: Preset,
    features: String,
    forward: u64,
    backward: u64,
    wall_seconds: f64,
    repeats: usize,
    /// Why the model cannot run this method ([`XaiError::Unsupported`]); the figures are then 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_applicable: Option<String>,
}

/// The reason `err` carries when it says the model cannot run a method at all (as opposed to a
/// failure of the run, which stops the benchmark).
fn unsupported_reason(err: &anyhow::Error) -> Option<String> {
    match err.downcast_ref::<XaiError>() {
        Some(e @ XaiError::Unsupported { .. }) => Some(e.to_string()),
        _ => None,
    }
}

#[derive(Serialize)]
struct Report {
    device: String,
    repeats: usize,
    throughput: Vec<Throughput>,
    methods: Vec<MethodTiming>,
}

/// The median of `values` (mean of the middle two for an even count); `values` is non-empty.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { 0.5 * (values[n / 2 - 1] + values[n / 2]) }
}

/// Seconds `f` takes: one warm-up call, then the median of `repeats` timed calls.
fn median_seconds(repeats: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    f()?;
    let mut times = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64());
    }
    Ok(median(times))
}

/// A seeded batch of `batch` uniform random inputs in [0, 1] of `model`'s input shape.
fn random_inputs(model: &ZooModel, batch: usize, seed: u64, device: &Device) -> Result<Tensor<4>> {
    let [c, h, w] = model.info().input_shape;
    let mut rng = seed::stream_rng(seed, 0xBE);
    let values: Vec<f32> = (0..batch * c * h * w).map(|_| rng.random::<f32>()).collect();
    Ok(from_vec_f32(values, [batch, c, h, w], device)?)
}

/// Forward and forward+backward samples per second of `name` at `batch`.
fn throughput(args: &BenchArgs, name: ModelName, device: &Device) -> Result<Throughput> {
    let batch = match name {
        ModelName::MnistCnn => args.batch_mnist,
        ModelName::EfficientNetLite0 => args.batch_imagenet,
    };
    if batch == 0 {
        bail!("the batch size of {name} must be at least 1");
    }
    let model = ZooModel::load_with(name, &args.device.data_dir(), device)?;
    let x = random_inputs(&model, batch, args.seed, device)?;
    let evaluator = Evaluator::new(&model);
    eprintln!("{name}: forward, batch {batch}...");
    let forward = median_seconds(args.repeats, || {
        // Reading a scalar back waits for the device.
        to_vec_f32(evaluator.logits(x.clone()).sum())?;
        Ok(())
    })?;
    eprintln!("{name}: forward+backward, batch {batch}...");
    let backward = median_seconds(args.repeats, || {
        // The gradient of the sum of the predicted-class (largest) logits w.r.t. the input.
        let (_, grad) = evaluator.gradient(x.clone(), |logits| {
            let n = logits.dims()[0];
            logits.max_dim(1).reshape([n])
        });
        to_vec_f32(grad.sum())?;
        Ok(())
    })?;
    Ok(Throughput {
        model: name.to_string(),
        batch,
        forward_per_s: batch as f64 / forward,
        forward_backward_per_s: batch as f64 / backward,
    })
}

/// Cost and wall time of each method on mnist-test[`args.index`].
fn methods(args: &BenchArgs, methods: &[Method], device: &Device) -> Result<Vec<MethodTiming>> {
    let preset: Preset = args.preset.parse()?;
    let model = ZooModel::load_with(ModelName::MnistCnn, &args.device.data_dir(), device)?;
    let info = model.info().clone();
    let data = registry::load_from(info.default_dataset, &args.device.data_dir())?;
    let x = data.batch_tensor(&[args.index], device)?;
    let (space, _) = parse_features(&args.features, info.input_shape)?;
    let predicted = argmax_rows(model.try_logits(x.clone())?)?[0];
    let request = ExplainRequest::new(x, vec![predicted], space)?
        .with_seed(args.seed)
        .with_batch_size(args.batch_size)?
        .with_bounds(info.value_range.0, info.value_range.1)?;
    let mut timings = Vec::with_capacity(methods.len());
    for &method in methods {
        let background = match method {
            m if m.needs_background() => Some(background_of(&data, args.seed, device)?),
            _ => None,
        };
        let options = MethodOptions {
            preset,
            objective: RobustnessObjective::Anchored,
            reference: None,
            background,
            subsets: None,
            estimator: None,
        };
        let explainer = AnyExplainer::new(method, &options)?;
        let run = || -> Result<(Cost, f64)> {
            let start = Instant::now();
            let attribution = explainer
                .explain(&model, &request)?
                .pop()
                .context("the explainer returned no attribution")?;
            // Scores are host values: the run has finished on the device.
            Ok((attribution.cost, start.elapsed().as_secs_f64()))
        };
        eprintln!("{method} ({} preset, {}): warm-up...", args.preset, args.features);
        let (mut cost, first) = match run() {
            Ok(first) => first,
            Err(err) => match unsupported_reason(&err) {
                Some(reason) => {
                    eprintln!("{method}: not applicable to mnist-cnn: {reason}");
                    timings.push(MethodTiming {
                        method: method.name().to_string(),
                        preset,
                        features: args.features.clone(),
                        forward: 0,
                        backward: 0,
                        wall_seconds: 0.0,
                        repeats: 0,
                        not_applicable: Some(reason),
                    });
                    continue;
                }
                None => return Err(err.context(format!("benchmarking {method}"))),
            },
        };
        let (wall, repeats) = if first > args.max_seconds {
            eprintln!("{method}: {first:.1} s > --max-seconds {}: run once", args.max_seconds);
            (first, 1)
        } else {
            let mut times = Vec::with_capacity(args.repeats);
            for _ in 0..args.repeats {
                let (c, t) = run()?;
                cost = c;
                times.push(t);
            }
            (median(times), args.repeats)
        };
        timings.push(MethodTiming {
            method: method.name().to_string(),
            preset,
            features: args.features.clone(),
            forward: cost.forward,
            backward: cost.backward,
            wall_seconds: wall,
            repeats,
            not_applicable: None,
        });
    }
    Ok(timings)
}

/// Runs `xai bench`.
pub fn run(args: BenchArgs) -> Result<ExitCode> {
    if args.repeats == 0 {
        bail!("--repeats must be at least 1");
    }
    let models: Vec<ModelName> = args
        .models
        .iter()
        .filter(|m| !m.is_empty())
        .map(|m| m.parse())
        .collect::<xai_core::Result<_>>()?;
    let method_list: Vec<Method> = match &args.methods {
        Some(names) => names
            .iter()
            .filter(|m| !m.is_empty())
            .map(|m| m.parse())
            .collect::<xai_core::Result<_>>()?,
        None => Method::ALL.to_vec(),
    };
    let _: Preset = args.preset.parse()?;
    let device = args.device.device()?;
    let throughput =
        models.iter().map(|&name| throughput(&args, name, &device)).collect::<Result<Vec<_>>>()?;
    let timings = methods(&args, &method_list, &device)?;
    let report = Report {
        device: format!("{:?}", args.device.device),
        repeats: args.repeats,
        throughput,
        methods: timings,
    };
    println!("device {}, median of {} runs after one warm-up\n", report.device, report.repeats);
    if !report.throughput.is_empty() {
        println!("| model | batch | forward samples/s | forward+backward samples/s |");
        println!("|---|---:|---:|---:|");
        for t in &report.throughput {
            println!(
                "| {} | {} | {:.1} | {:.1} |",
                t.model, t.batch, t.forward_per_s, t.forward_backward_per_s
            );
        }
        println!();
    }
    if !report.methods.is_empty() {
        println!("mnist-test[{}] on mnist-cnn, features {}:\n", args.index, args.features);
        println!("| method | preset | forward | backward | wall s | repeats |");
        println!("|---|---|---:|---:|---:|---:|");
        for m in &report.methods {
            if let Some(reason) = &m.not_applicable {
                println!(
                    "| {} | {} | – | – | – | not applicable: {reason} |",
                    m.method, args.preset
                );
                continue;
            }
            println!(
                "| {} | {} | {} | {} | {:.3} | {} |",
                m.method, args.preset, m.forward, m.backward, m.wall_seconds, m.repeats
            );
        }
    }
    if let Some(path) = &args.json {
        write_json(path, &report)?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
