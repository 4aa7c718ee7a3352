//! Greedy-AS (Hsieh et al. 2021, section 4.2) with different robustness estimators for `v(S)`:
//! the paper's bisection over 100-step PGD, masked FMN and masked DeepFool. Same settings and
//! seed, only the estimator differs; one common estimator then measures every explanation's
//! Robustness-S̄r and Robustness-Sr curves (section 3, Table 1) at 5%, …, 45%, so the AUCs
//! compare rankings, not estimators. Records each explanation's cost and wall time.
//!
//! ```text
//! cargo run --release --example greedy_as_estimators -- --n 3 --subsets 100
//! ```

use anyhow::{Context, Result};
use burn::tensor::Tensor;
use clap::Parser;
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;
use std::time::Instant;
use xai::attacks::{Estimator, RobustnessEstimator};
use xai::core::classifier::argmax_rows;
use xai::core::provenance::write_stamped_json;
use xai::core::{Attribution, Cost, DeviceChoice, FeatureSpace, Norm, seed};
use xai::datasets::{DataDir, registry};
use xai::explain::{ExplainRequest, Explainer, GreedyAs, GreedyAsConfig};
use xai::metrics::{EvaluationSuite, EvaluationSuiteConfig, TableCriterion};
use xai::zoo::{ModelName, ZooModel};

/// Options.
#[derive(Parser, Debug, Serialize)]
#[command(about = "Greedy-AS on mnist-cnn with bisection-PGD vs. FMN vs. DeepFool for v(S)")]
struct Args {
    /// MNIST test images 0..n (ignored with --indices).
    #[arg(long, default_value_t = 3)]
    n: usize,
    /// MNIST test indices, comma-separated.
    #[arg(long)]
    indices: Option<String>,
    /// Features (`pixels` or `grid:N`).
    #[arg(long, default_value = "grid:14")]
    features: String,
    /// Subsets sampled per greedy step.
    #[arg(long, default_value_t = 100)]
    subsets: usize,
    /// Fraction of the features added per greedy step.
    #[arg(long, default_value_t = 0.1)]
    step_fraction: f64,
    /// Greedy-AS stops at this fraction of the features.
    #[arg(long, default_value_t = 0.5)]
    max_fraction: f64,
    /// Ridge penalty of the regression (needed with fewer subsets than features).
    #[arg(long, default_value_t = 1.0)]
    ridge: f64,
    /// Estimators of v(S) inside Greedy-AS, comma-separated (the first bisection-pgd, else the
    /// first, is the reference of the relative differences; deepfool-fast is the fast preset's).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "bisection-pgd,fmn,deepfool-fast"
    )]
    estimators: Vec<Estimator>,
    /// The one estimator that measures every explanation's curves.
    #[arg(long, value_enum, default_value = "bisection-pgd")]
    evaluator: Estimator,
    /// Seed of the subset sampling (per image: `stream_seed(seed, index)`).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Backend: flex, ndarray or wgpu.
    #[arg(long, default_value = "flex")]
    device: String,
    /// Data directory (default: $BURN_XAI_DATA, else ../shared).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Largest batch of subsets per estimator call.
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    /// Where results.json and results.md go.
    #[arg(long, default_value = "docs/results/greedy_as_estimators")]
    out: PathBuf,
}

/// One explanation: its estimator, cost, wall time and curves.
#[derive(Debug, Serialize)]
struct Run {
    estimator: String,
    cost: Cost,
    seconds: f64,
    auc_sr_bar: f64,
    auc_sr: f64,
    curve_sr_bar: Vec<f64>,
    curve_sr: Vec<f64>,
    /// Curve points where the evaluator found no adversarial example (value = fallback).
    fallback_points: usize,
}

/// One image.
#[derive(Debug, Serialize)]
struct Image {
    index: usize,
    label: usize,
    predicted: usize,
    runs: Vec<Run>,
    evaluation_cost: Cost,
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
    let config = GreedyAsConfig::new()
        .with_subsets(args.subsets)
        .with_step_fraction(args.step_fraction)
        .with_max_fraction(args.max_fraction)
        .with_ridge(args.ridge);
    config.validate()?;
    let mut suite = EvaluationSuiteConfig::default();
    suite.robustness.batch_size = args.batch_size;
    go(&args, &config, EvaluationSuite::new(suite, args.evaluator.build(Norm::L2)?)?)
}

/// Greedy-AS with `estimator`: the attribution and its wall time in seconds.
fn explain<E: RobustnessEstimator<4>>(
    config: &GreedyAsConfig,
    estimator: E,
    model: &ZooModel,
    request: &ExplainRequest<4>,
) -> Result<(Attribution, f64)> {
    let start = Instant::now();
    let mut out = GreedyAs::new(config.clone(), estimator)?.explain(model, request)?;
    let a = out.pop().context("Greedy-AS returned no attribution")?;
    Ok((a, start.elapsed().as_secs_f64()))
}

fn go<V: RobustnessEstimator<4> + Clone>(
    args: &Args,
    config: &GreedyAsConfig,
    suite: EvaluationSuite<V>,
) -> Result<()> {
    let device = args.device.parse::<DeviceChoice>()?.device()?;
    let dir = DataDir::resolve(args.data_dir.as_deref());
    let model = ZooModel::load_with(ModelName::MnistCnn, &dir, &device)?;
    let data = registry::load_from("mnist-test", &dir)?;
    let (space, _) = FeatureSpace::from_spec(&args.features, data.sample_shape())?;
    let estimators = &args.estimators;
    let indices: Vec<usize> = match &args.indices {
        Some(s) => s.split(',').map(|i| i.trim().parse()).collect::<Result<_, _>>()?,
        None => (0..args.n).collect(),
    };
    std::fs::create_dir_all(&args.out)?;
    let mut images = Vec::new();
    for &index in &indices {
        let x = data.batch_tensor(&[index], &device)?;
        let predicted = argmax_rows(model.try_logits(x.clone())?)?[0];
        let image_seed = seed::stream_seed(args.seed, index as u64);
        let request = ExplainRequest::new(x.clone(), vec![predicted], space.clone())?
            .with_seed(image_seed)
            .with_batch_size(args.batch_size)?
            .with_bounds(0.0, 1.0)?;
        let mut explained = Vec::new();
        for estimator in estimators {
            eprintln!("image {index}: Greedy-AS with {estimator} ...");
            let (a, secs) = explain(config, estimator.build(Norm::L2)?, &model, &request)?;
            eprintln!("  {} evaluations, {secs:.1} s", a.cost.total());
            explained.push((a, secs));
        }
        let attributions: Vec<Attribution> = explained.iter().map(|(a, _)| a.clone()).collect();
        let k = attributions.len();
        let inputs = Tensor::cat(vec![x; k], 0);
        let classes = vec![predicted; k];
        let mut reports = Vec::new();
        for c in [TableCriterion::RobustnessSrBar, TableCriterion::RobustnessSr] {
            eprintln!("image {index}: evaluating {} with {}", c.name(), args.evaluator);
            let r = suite.evaluate(
                c,
                &model,
                inputs.clone(),
                &classes,
                &attributions,
                &space,
                image_seed,
            )?;
            reports.push(r);
        }
        let runs = (0..k)
            .map(|j| Run {
                estimator: estimators[j].name().into(),
                cost: explained[j].0.cost,
                seconds: explained[j].1,
                auc_sr_bar: reports[0].auc_per_example[j],
                auc_sr: reports[1].auc_per_example[j],
                curve_sr_bar: reports[0].per_example[j].clone(),
                curve_sr: reports[1].per_example[j].clone(),
                fallback_points: reports
                    .iter()
                    .filter_map(|r| r.fallback.get(j))
                    .map(|f| f.iter().filter(|b| **b).count())
                    .sum(),
            })
            .collect();
        let label = data.label(index)?;
        let evaluation_cost = reports.iter().map(|r| r.cost).sum();
        images.push(Image { index, label, predicted, runs, evaluation_cost });
        save(args, suite.fractions(), &images)?;
    }
    println!("{}", table(args, &images)?);
    eprintln!("wrote {}/results.json and results.md", args.out.display());
    Ok(())
}

fn save(args: &Args, fractions: &[f64], images: &[Image]) -> Result<()> {
    let json = serde_json::json!({
        "model": "mnist-cnn", "settings": args, "fractions": fractions, "images": images,
    });
    let path = args.out.join("results.json");
    write_stamped_json(&path, &json)?;
    std::fs::write(args.out.join("results.md"), table(args, images)?)?;
    Ok(())
}

/// Mean and standard error.
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (m, f64::NAN);
    }
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

fn table(args: &Args, images: &[Image]) -> Result<String> {
    let names: Vec<&str> = images[0].runs.iter().map(|r| r.estimator.as_str()).collect();
    let reference = names.iter().position(|n| *n == "bisection-pgd").unwrap_or(0);
    let col = |j: usize, f: &dyn Fn(&Run) -> f64| -> Vec<f64> {
        images.iter().map(|i| f(&i.runs[j])).collect()
    };
    let mut out = String::new();
    writeln!(
        out,
        "Greedy-AS on mnist-cnn, {} image(s) {:?}, features {}, {} subsets/step, {:.0}% per \
         step to {:.0}%, seed {}; curves measured by {} (5%..45%). Robustness-S̄r: higher is \
         better; Robustness-Sr: lower is better. Δ = relative difference to {} (mean of \
         per-image Δ / Δ of the means); evaluations = forward + backward sample-evaluations \
         per explanation. Code: {}.\n",
        images.len(),
        images.iter().map(|i| i.index).collect::<Vec<_>>(),
        args.features,
        args.subsets,
        args.step_fraction * 100.0,
        args.max_fraction * 100.0,
        args.seed,
        args.evaluator,
        names[reference],
        xai::core::CodeVersion::current()
    )?;
    writeln!(
        out,
        "| v(S) estimator | AUC S̄r (↑) ± s.e. | Δ S̄r | AUC Sr (↓) ± s.e. | Δ Sr | \
         evaluations / explanation | fewer than {} | seconds / explanation |",
        names[reference]
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|")?;
    let evals = |j| col(j, &|r: &Run| r.cost.total() as f64);
    let (ref_evals, _) = mean_se(&evals(reference));
    for (j, name) in names.iter().enumerate() {
        let mut cells = Vec::new();
        let criteria: [&dyn Fn(&Run) -> f64; 2] = [&|r| r.auc_sr_bar, &|r| r.auc_sr];
        for auc in criteria {
            let (a, r) = (col(j, auc), col(reference, auc));
            let (m, se) = mean_se(&a);
            let per_image: Vec<f64> = a.iter().zip(&r).map(|(a, r)| (a - r) / r).collect();
            let (d, _) = mean_se(&per_image);
            let d_means = (m - mean_se(&r).0) / mean_se(&r).0;
            cells.push(format!("{m:.2} ± {se:.2}"));
            cells.push(format!("{:+.1}% / {:+.1}%", d * 100.0, d_means * 100.0));
        }
        let (e, _) = mean_se(&evals(j));
        let (s, _) = mean_se(&col(j, &|r: &Run| r.seconds));
        writeln!(
            out,
            "| {name} | {} | {e:.0} | {:.1}× | {s:.1} |",
            cells.join(" | "),
            ref_evals / e
        )?;
    }
    Ok(out)
}
