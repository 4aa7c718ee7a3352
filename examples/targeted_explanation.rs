//! Targeted explanations (paper 000, section 3.2 and Figure 5): for MNIST digits, "why the
//! prediction and not t" for two different target classes t, side by side with the untargeted
//! explanation. Greedy-AS with the targeted robustness objective (Eqn. 2): the features chosen
//! first are those whose perturbation moves the digit towards t the fastest.
//!
//! ```text
//! cargo run --release --example targeted_explanation -- [--indices 0,1,2,3] [--targets 9,2]
//!     [--features grid:14|pixels] [--preset fast|paper] [--out targeted.png]
//! ```
//!
//! Without `--targets`, each digit is explained against its two runner-up classes.

use anyhow::{Context, Result, bail};
use clap::Parser;
use std::path::PathBuf;
use std::time::Instant;
use xai::core::classifier::argmax_rows;
use xai::core::host::to_vec_f32;
use xai::core::{Attribution, DeviceChoice, FeatureSpace, seed};
use xai::datasets::{DataDir, registry};
use xai::explain::{AnyExplainer, ExplainRequest, Explainer, Method, MethodOptions, Preset};
use xai::zoo::{ModelName, ZooModel};
use xai_viz::{ExplanationTile, Panel, explanation_figure};

/// Options.
#[derive(Parser, Debug)]
#[command(about = "Greedy-AS against two target classes per MNIST digit (paper 000, Figure 5)")]
struct Args {
    /// MNIST test indices (comma-separated).
    #[arg(long, default_value = "0,1,2,3")]
    indices: String,
    /// Two target classes used for every digit (comma-separated); default: each digit's two
    /// runner-up classes.
    #[arg(long)]
    targets: Option<String>,
    /// Features: `grid:N` (N×N patches) or `pixels`.
    #[arg(long, default_value = "grid:14")]
    features: String,
    /// Greedy-AS settings: fast (DeepFool inside) or paper (bisection-PGD, 5000 subsets).
    #[arg(long, default_value = "fast")]
    preset: String,
    /// Seed of the subset sampler.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Backend: flex, ndarray or wgpu.
    #[arg(long, default_value = "flex")]
    device: String,
    /// Where the PNG goes.
    #[arg(long, default_value = "targeted_explanation.png")]
    out: PathBuf,
    /// Data directory (default: $BURN_XAI_DATA, else ../shared).
    #[arg(long)]
    data_dir: Option<PathBuf>,
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

/// A comma-separated list of numbers.
fn numbers(what: &str, text: &str) -> Result<Vec<usize>> {
    text.split(',')
        .map(|s| {
            s.trim().parse::<usize>().with_context(|| format!("{what}: '{s}' is not a number"))
        })
        .collect()
}

fn run(args: Args) -> Result<()> {
    let preset: Preset = args.preset.parse()?;
    let device = args.device.parse::<DeviceChoice>()?.device()?;
    let dir = DataDir::resolve(args.data_dir.as_deref());
    let model = ZooModel::load_with(ModelName::MnistCnn, &dir, &device)?;
    let data = registry::load_from("mnist-test", &dir)?;
    let (space, _) = FeatureSpace::from_spec(&args.features, data.sample_shape())?;
    let fixed = args.targets.as_deref().map(|t| numbers("--targets", t)).transpose()?;
    if let Some(t) = &fixed
        && (t.len() != 2 || t.iter().any(|c| *c >= 10))
    {
        bail!("--targets takes two classes in 0..10, got {t:?}");
    }
    let options = MethodOptions { preset, ..Default::default() };
    let explainer = AnyExplainer::new(Method::GreedyAs, &options)?;
    let mut rows = Panel::new().with_columns(1);
    for index in numbers("--indices", &args.indices)? {
        let x = data.batch_tensor(&[index], &device)?;
        let logits = model.try_logits(x.clone())?;
        let predicted = argmax_rows(logits.clone())?[0];
        let logits = to_vec_f32(logits)?;
        let targets = match &fixed {
            Some(t) => t.clone(),
            None => {
                let mut order: Vec<usize> = (0..10).filter(|c| *c != predicted).collect();
                order.sort_by(|a, b| logits[*b].total_cmp(&logits[*a]));
                order[..2].to_vec()
            }
        };
        let request = ExplainRequest::new(x.clone(), vec![predicted], space.clone())?
            .with_seed(seed::stream_seed(args.seed, index as u64));
        let start = Instant::now();
        let mut explained: Vec<(String, Attribution)> =
            vec![("untargeted".into(), first(explainer.explain(&model, &request)?)?)];
        for &t in &targets {
            if t == predicted {
                println!(
                    "image {index}: predicted {predicted}; skipping target {t} (the prediction)"
                );
                continue;
            }
            let targeted = request.clone().with_contrast(vec![t])?;
            explained.push((format!("not {t}"), first(explainer.explain(&model, &targeted)?)?));
        }
        let cost: u64 = explained.iter().map(|(_, a)| a.cost.total()).sum();
        println!(
            "image {index} (label {}, predicted {predicted}) against {targets:?}: {cost} evaluations, {:.1} s",
            data.label(index)?,
            start.elapsed().as_secs_f64()
        );
        for (title, a) in &explained {
            let top: Vec<usize> = a.ranking().into_iter().take(8).collect();
            println!("  {title:>10}: first features {top:?}");
        }
        let tiles: Vec<ExplanationTile<'_>> = explained
            .iter()
            .map(|(title, a)| ExplanationTile {
                title: format!("{predicted} {title}"),
                attribution: a,
            })
            .collect();
        let figure = explanation_figure(&to_vec_f32(x)?, [1, 28, 28], &space, &tiles, 0.2)?;
        rows.push(format!("test image {index}"), figure.render()?);
    }
    rows.save_png(&args.out)?;
    println!("wrote {}", args.out.display());
    Ok(())
}

/// The single row's attribution.
fn first(mut out: Vec<Attribution>) -> Result<Attribution> {
    out.pop().context("the explainer returned no attribution")
}
