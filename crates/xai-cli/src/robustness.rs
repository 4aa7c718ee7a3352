//! `xai robustness`: the minimum adversarial perturbation of one input restricted to each of
//! a set of feature masks (Robustness-Sr / S̄r of Hsieh et al. 2021, Eqn. 1 and 2).

use crate::common::{DeviceArgs, write_json};
use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use xai_attacks::{AttackGoal, Estimator, RobustnessBatch, RobustnessEstimator, RobustnessQuery};
use xai_core::host::to_vec_f32;
use xai_core::{Cost, FeatureMask, FeatureSpace, Norm, seed};
use xai_datasets::{read_npy, registry, write_npy_f32};
use xai_zoo::{ModelName, ZooModel};

/// `xai robustness` options.
#[derive(Args)]
pub struct RobustnessArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// Model name (see `xai zoo list`).
    #[arg(long, default_value = "mnist-cnn")]
    model: String,
    /// Dataset name (mnist-test, fashion-mnist-test, imagenet-samples, ...).
    #[arg(long)]
    dataset: Option<String>,
    /// Index of the input in the dataset.
    #[arg(long, default_value_t = 0)]
    index: usize,
    /// `.npy` array [M, n_features] of 0/1, 1 = free to perturb (features = pixels).
    #[arg(long, conflicts_with = "random_masks")]
    masks: Option<PathBuf>,
    /// Instead of --masks: this many random masks, each pixel free with --free-prob.
    #[arg(long)]
    random_masks: Option<usize>,
    /// Probability that a pixel is free in --random-masks.
    #[arg(long, default_value_t = 0.8)]
    free_prob: f64,
    /// `.npy` array [M] of target classes: targeted attacks (Eqn. 2) instead of untargeted.
    #[arg(long)]
    targets: Option<PathBuf>,
    /// Minimum-norm estimator.
    #[arg(long, value_enum, default_value = "bisection-pgd")]
    estimator: Estimator,
    /// Norm of the perturbation: l2 or linf.
    #[arg(long, default_value = "l2")]
    norm: String,
    /// Seed of the random masks.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Masks attacked at once (bounds memory).
    #[arg(long, default_value_t = 100)]
    chunk: usize,
    /// Write the per-mask results as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the adversarial inputs [M, C, H, W] as `.npy`.
    #[arg(long)]
    save_adversarial: Option<PathBuf>,
}

#[derive(Serialize)]
struct MaskResult {
    mask: usize,
    free_features: usize,
    estimate: f32,
    found: bool,
    forward: u64,
    backward: u64,
}

#[derive(Serialize)]
struct Report {
    model: String,
    dataset: String,
    index: usize,
    label: usize,
    estimator: Estimator,
    norm: Norm,
    device: String,
    masks: usize,
    mean_estimate: f64,
    found: usize,
    cost: Cost,
    wall_seconds: f64,
    results: Vec<MaskResult>,
}

fn load_masks(args: &RobustnessArgs, n_features: usize) -> Result<Vec<FeatureMask>> {
    if let Some(path) = &args.masks {
        let arr = read_npy(path)?;
        if arr.shape.len() != 2 || arr.shape[1] != n_features {
            bail!(
                "{}: masks must have shape [M, {n_features}] (one 0/1 per pixel), got {:?}",
                path.display(),
                arr.shape
            );
        }
        return arr
            .data
            .chunks(n_features)
            .enumerate()
            .map(|(i, row)| {
                row.iter()
                    .map(|&v| match v {
                        0.0 => Ok(false),
                        1.0 => Ok(true),
                        _ => bail!("{}: mask {i} holds {v}; masks must be 0 or 1", path.display()),
                    })
                    .collect::<Result<Vec<bool>>>()
                    .map(FeatureMask::from_bits)
            })
            .collect();
    }
    let Some(count) = args.random_masks else { bail!("give --masks FILE.npy or --random-masks N") };
    let mut rng = seed::rng(args.seed);
    Ok((0..count)
        .map(|_| FeatureMask::bernoulli(n_features, args.free_prob, &mut rng))
        .collect::<xai_core::Result<_>>()?)
}

fn estimate<E: RobustnessEstimator<4>>(
    e: &E,
    model: &ZooModel,
    q: &RobustnessQuery<4>,
    chunk: usize,
) -> Result<RobustnessBatch<4>> {
    Ok(e.estimate_chunked(model, q, chunk)?)
}

/// Runs `xai robustness`.
pub fn run(args: RobustnessArgs) -> Result<ExitCode> {
    let device = args.device.device()?;
    let data = args.device.data_dir();
    let name: ModelName = args.model.parse()?;
    let info = name.info();
    let dataset_name = args.dataset.clone().unwrap_or_else(|| info.default_dataset.to_string());
    let dataset = registry::load_from(&dataset_name, &data)?;
    let [c, h, w] = info.input_shape;
    if dataset.sample_shape() != info.input_shape {
        bail!(
            "dataset {dataset_name} has images {:?}; {} needs {:?}",
            dataset.sample_shape(),
            info.name,
            info.input_shape
        );
    }
    let model = ZooModel::load_with(name, &data, &device)?;
    let space = FeatureSpace::pixels(c, h, w)?;
    let masks = load_masks(&args, space.n_features())?;
    if masks.is_empty() {
        bail!("no masks to evaluate");
    }
    let label = dataset.label(args.index)?;
    let goal = match &args.targets {
        None => AttackGoal::Untargeted,
        Some(path) => {
            let arr = read_npy(path)?;
            if arr.shape != [masks.len()] {
                bail!(
                    "{}: targets must have shape [{}], got {:?}",
                    path.display(),
                    masks.len(),
                    arr.shape
                );
            }
            let targets = arr
                .data
                .iter()
                .map(|&t| {
                    if t >= 0.0 && t.fract() == 0.0 && (t as usize) < info.n_classes {
                        Ok(t as usize)
                    } else {
                        bail!(
                            "{}: target {t} is not a class in 0..{}",
                            path.display(),
                            info.n_classes
                        )
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            AttackGoal::Targeted(targets)
        }
    };
    let input = dataset.batch_tensor(&[args.index], &device)?;
    let inputs = input.repeat_dim(0, masks.len());
    let (lo, hi) = info.value_range;
    let query = RobustnessQuery::from_masks(inputs, vec![label; masks.len()], &masks, &space)?
        .with_goal(goal)?
        .with_bounds(lo, hi)?;
    let norm: Norm = args.norm.parse()?;
    let start = Instant::now();
    let estimator = args.estimator.build(norm)?;
    let batch = estimate(&estimator, &model, &query, args.chunk)?;
    let wall_seconds = start.elapsed().as_secs_f64();
    let results: Vec<MaskResult> = batch
        .rows
        .iter()
        .zip(&masks)
        .enumerate()
        .map(|(i, (r, m))| MaskResult {
            mask: i,
            free_features: m.count(),
            estimate: r.estimate,
            found: r.found,
            forward: r.cost.forward,
            backward: r.cost.backward,
        })
        .collect();
    let found = results.iter().filter(|r| r.found).count();
    let mean_estimate =
        results.iter().map(|r| r.estimate as f64).sum::<f64>() / results.len() as f64;
    println!(
        "{} {}#{} (label {label}), {} masks, {} {norm} on {}:",
        info.name,
        dataset_name,
        args.index,
        masks.len(),
        args.estimator,
        args.device.device
    );
    println!(
        "  mean estimate {mean_estimate:.4}   found {found}/{}   cost per mask: {:.0} forward + {:.0} backward   wall {:.3} s per mask",
        results.len(),
        batch.cost.forward as f64 / results.len() as f64,
        batch.cost.backward as f64 / results.len() as f64,
        wall_seconds / results.len() as f64
    );
    if let Some(path) = &args.save_adversarial {
        let dims = batch.adversarial.dims();
        let values = to_vec_f32(batch.adversarial.clone())?;
        write_npy_f32(path, &dims, &values)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let report = Report {
        model: info.name.into(),
        dataset: dataset_name,
        index: args.index,
        label,
        estimator: args.estimator,
        norm,
        device: args.device.device.to_string(),
        masks: masks.len(),
        mean_estimate,
        found,
        cost: batch.cost,
        wall_seconds,
        results,
    };
    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}
