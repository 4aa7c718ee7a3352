//! Paper 003 ("Towards a Unified Evaluation of Explanation Methods without Ground Truth"):
//! its four metrics for every applicable method — Grad, Grad×Input, GuidedBP, DeepSHAP, LIME,
//! LRP-ε, Pert (meaningful perturbation, our BBMP), CAM and Grad-CAM — on `mnist-cnn` (`n`
//! random MNIST test images, pixel features) and on `efficientnet-lite0` (the sample photos of
//! the data directory, patch features):
//!
//! - M_pixel (Eqn. 3): bias of the top / bottom 10–90% of each map against sampled Shapley
//!   values (Castro et al. 2009; the absent-pixel reference is the dataset's mean pixel),
//! - M_feature (Eqn. 4): unexplainable components of the last convolution's feature map,
//! - M_non-robust (Eqn. 5): change of the map when the left / right / top / bottom half is
//!   masked with the mean pixel and the image re-explained,
//! - M_mutual (Eqn. 6): distances between the L2-normalised maps of every pair of methods.
//!
//! ```text
//! cargo run --release --example unified_evaluation_report -- [--n 4] [--photos 2]
//!     [--mnist-permutations 30] [--imagenet-permutations 4] [--imagenet-features grid:14]
//!     [--methods grad,lime,...] [--skip-imagenet] [--skip-mnist] [--out DIR]
//! ```
//!
//! Prints markdown tables in the layout of the paper's tables (Tables 4–13: fractions × methods
//! for M_pixel; Tables 2 and 3: models × methods for M_feature and M_non-robust; Tables 14–23:
//! methods × methods for M_mutual) plus one summary per model with methods as rows, the
//! metrics as columns and each method's and metric's cost in model evaluations. Writes
//! `<out>/tables.md`, `<out>/report.json` (every per-image number) and the mutual-verification
//! heat map `<out>/mutual_<model>.png`. A method that does not apply to a model (CAM without a
//! global-average-pool head, a layer-wise rule the net's layers do not support) is skipped
//! with the method's own error printed, never silently.
//!
//! The defaults take about 4–6 minutes on a 2-core CPU (most of it efficientnet-lite0's LIME
//! and Pert re-explaining the masked photos); the paper's settings (`--mnist-permutations
//! 1000`, `--imagenet-permutations 100 --imagenet-features pixels`, all photos) are for a GPU.
//! On a network ending in global average pooling → linear (efficientnet-lite0), Grad-CAM's
//! weights are CAM's divided by the map size (Selvaraju et al. 2017, section 3.1), so the two
//! maps coincide wherever CAM is positive and their scores agree closely.
//!
//! The explainers are the library's ([`AnyExplainer`], `paper` preset), except LIME (the
//! report's sample count, and the mean pixel for removed features) and Pert (the report's step
//! count). `main.rs` holds the options and the data, `evaluate.rs` the runs of the metrics and
//! `report.rs` the tables.

mod evaluate;
mod report;

use anyhow::{Context, Result, bail};
use burn::tensor::Tensor;
use clap::Parser;
use rand::seq::SliceRandom;
use std::path::PathBuf;
use xai::core::classifier::argmax_rows;
use xai::core::provenance::write_stamped_json;
use xai::core::{Classifier, DeviceChoice, FeatureSpace, Reference, seed};
use xai::datasets::{DataDir, Dataset, registry};
use xai::explain::{AnyExplainer, Bbmp, BbmpConfig, Lime, LimeConfig, Method, MethodOptions};
use xai::metrics::unified::mean_pixel;
use xai::zoo::{ModelName, ZooModel};

/// The methods, in the column order of the paper's Table 3 (GI = Grad×Input, GB = GuidedBP,
/// Pert = meaningful perturbation).
const METHODS: [Method; 9] = [
    Method::Grad,
    Method::GradXInput,
    Method::GuidedBackprop,
    Method::DeepShap,
    Method::Lime,
    Method::LrpEpsilon,
    Method::Bbmp,
    Method::Cam,
    Method::GradCam,
];

/// A method's label in the tables: its [`Method::paper_name`], but the paper's LRP-ε and Pert
/// for LRP-ε and BBMP.
fn label(method: Method) -> &'static str {
    match method {
        Method::LrpEpsilon => "LRP-ε",
        Method::Bbmp => "Pert",
        other => other.paper_name(),
    }
}

/// Options.
#[derive(Parser, Debug)]
#[command(about = "Paper 003's four metrics without ground truth (M_pixel, M_feature, \
                   M_non-robust, M_mutual) for mnist-cnn and efficientnet-lite0")]
struct Args {
    /// Number of random MNIST test images (the paper: the whole CIFAR-10 / VOC test sets).
    #[arg(long, default_value_t = 4)]
    n: usize,
    /// Number of sample photos explained with efficientnet-lite0 (at most the 6 in the data
    /// directory).
    #[arg(long, default_value_t = 2)]
    photos: usize,
    /// Skip efficientnet-lite0 (slow on a CPU).
    #[arg(long)]
    skip_imagenet: bool,
    /// Skip mnist-cnn.
    #[arg(long)]
    skip_mnist: bool,
    /// Sampled-Shapley permutations per MNIST image for M_pixel; each costs 783 forwards on
    /// pixels (the paper: 1000 for 32×32 CIFAR-10 images).
    #[arg(long, default_value_t = 30)]
    mnist_permutations: usize,
    /// Sampled-Shapley permutations per photo for M_pixel; each costs (features − 1) forwards
    /// (the paper: 100 for the Pascal VOC crops, on pixels).
    #[arg(long, default_value_t = 4)]
    imagenet_permutations: usize,
    /// Features of the MNIST maps (`pixels`, the paper's, or `grid:N`).
    #[arg(long, default_value = "pixels")]
    mnist_features: String,
    /// Features of the photo maps (`grid:N` patches; the paper uses pixels, whose Shapley
    /// values cost 50,175 forwards per permutation).
    #[arg(long, default_value = "grid:14")]
    imagenet_features: String,
    /// LIME samples per explanation (default: 1000 on MNIST as `lime_image`, 200 on photos).
    #[arg(long)]
    lime_samples: Option<usize>,
    /// Pert (meaningful perturbation) Adam steps per explanation (default: Fong & Vedaldi's
    /// 300 on MNIST, 30 on photos).
    #[arg(long)]
    pert_steps: Option<usize>,
    /// DeepSHAP background size on MNIST (seeded test images not explained); on the photos
    /// the background is the other sample photos.
    #[arg(long, default_value_t = 16)]
    deepshap_background: usize,
    /// Methods (comma-separated method names as in `xai explain`, e.g. grad,lime; default:
    /// the paper's nine).
    #[arg(long)]
    methods: Option<String>,
    /// Seed of the image draw and of every sampler.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Largest batch sent to the model.
    #[arg(long, default_value_t = 128)]
    batch_size: usize,
    /// Where tables.md, report.json and mutual_<model>.png go.
    #[arg(long, alias = "out-dir", default_value = "results/unified_evaluation_report")]
    out: PathBuf,
    /// Backend: flex, ndarray or wgpu.
    #[arg(long, default_value = "flex")]
    device: String,
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

/// Everything one model's evaluation needs.
struct Setup {
    label: &'static str,
    model: ZooModel,
    /// The explained images, `[1, c, h, w]` each, their names and predicted classes.
    inputs: Vec<Tensor<4>>,
    names: Vec<String>,
    classes: Vec<usize>,
    features: String,
    space: FeatureSpace,
    /// The paper's reference: the mean pixel over the dataset.
    reference: Reference,
    reference_note: String,
    permutations: usize,
    lime_samples: usize,
    pert_steps: usize,
    /// DeepSHAP's background for each explained image, `[k, c, h, w]`.
    backgrounds: Vec<Tensor<4>>,
    background_note: String,
}

fn run(args: Args) -> Result<()> {
    let device = args.device.parse::<DeviceChoice>()?.device()?;
    let data_dir = DataDir::resolve(args.data_dir.as_deref());
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let methods: Vec<Method> = match &args.methods {
        None => METHODS.to_vec(),
        Some(list) => list.split(',').map(|m| m.trim().parse()).collect::<Result<_, _>>()?,
    };
    if args.skip_mnist && args.skip_imagenet {
        bail!("--skip-mnist and --skip-imagenet leave nothing to do");
    }
    let mut reports = Vec::new();
    if !args.skip_mnist {
        let setup = mnist_setup(&args, &device, &data_dir)?;
        reports.push(evaluate::evaluate(&args, &setup, &methods)?);
    }
    if !args.skip_imagenet {
        let setup = imagenet_setup(&args, &device, &data_dir)?;
        reports.push(evaluate::evaluate(&args, &setup, &methods)?);
    }
    let labels: Vec<&str> = methods.iter().map(|&m| label(m)).collect();
    let markdown = report::tables(&args, &reports, &labels);
    println!("{markdown}");
    let md_path = args.out.join("tables.md");
    std::fs::write(&md_path, &markdown)
        .with_context(|| format!("writing {}", md_path.display()))?;
    let json_path = args.out.join("report.json");
    write_stamped_json(&json_path, &reports)?;
    for report in &reports {
        if let Some(mutual) = &report.mutual {
            let path = args.out.join(format!("mutual_{}.png", report.model));
            report::mutual_heat_map(report, mutual, &path)?;
            eprintln!("wrote {}", path.display());
        }
    }
    eprintln!("wrote {} and {}", md_path.display(), json_path.display());
    Ok(())
}

/// `mnist-cnn` on `n` seeded random test images; the mean pixel over the whole test set.
fn mnist_setup(args: &Args, device: &burn::tensor::Device, dir: &DataDir) -> Result<Setup> {
    let model = ZooModel::load_with(ModelName::MnistCnn, dir, device)?;
    let data = registry::load_from("mnist-test", dir)?;
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.shuffle(&mut seed::stream_rng(args.seed, 0x003));
    if args.n == 0 || args.n + args.deepshap_background > order.len() {
        bail!("--n must be at least 1 and leave room for the DeepSHAP background");
    }
    let chosen = order[..args.n].to_vec();
    if args.deepshap_background == 0 {
        bail!("--deepshap-background must be at least 1");
    }
    let background =
        data.batch_tensor(&order[args.n..args.n + args.deepshap_background], device)?;
    let all: Vec<usize> = (0..data.len()).collect();
    let reference = mean_pixel(&data.batch_tensor(&all, device)?)?;
    let common = Common::new(&model, &data, &chosen, device, &args.mnist_features)?;
    Ok(Setup {
        label: "mnist-cnn",
        model,
        inputs: common.inputs,
        names: chosen.iter().map(|i| format!("mnist-test#{i}")).collect(),
        classes: common.classes,
        features: args.mnist_features.clone(),
        space: common.space,
        reference,
        reference_note: format!("mean pixel of the {} MNIST test images", data.len()),
        permutations: args.mnist_permutations,
        lime_samples: args.lime_samples.unwrap_or(1000),
        pert_steps: args.pert_steps.unwrap_or(300),
        backgrounds: vec![background; chosen.len()],
        background_note: format!(
            "{} random MNIST test images not explained",
            args.deepshap_background
        ),
    })
}

/// `efficientnet-lite0` on the first `photos` sample photos; the mean pixel over all of them;
/// DeepSHAP's background for a photo is the other photos.
fn imagenet_setup(args: &Args, device: &burn::tensor::Device, dir: &DataDir) -> Result<Setup> {
    let model = ZooModel::load_with(ModelName::EfficientNetLite0, dir, device)?;
    let data = registry::load_from("imagenet-samples", dir)?;
    if data.len() < 2 || args.photos == 0 {
        bail!("needs at least two sample photos and --photos >= 1");
    }
    let chosen: Vec<usize> = (0..data.len().min(args.photos)).collect();
    let all: Vec<usize> = (0..data.len()).collect();
    let reference = mean_pixel(&data.batch_tensor(&all, device)?)?;
    let backgrounds = chosen
        .iter()
        .map(|&i| {
            let others: Vec<usize> = all.iter().copied().filter(|&j| j != i).collect();
            data.batch_tensor(&others, device)
        })
        .collect::<Result<_, _>>()?;
    let common = Common::new(&model, &data, &chosen, device, &args.imagenet_features)?;
    Ok(Setup {
        label: "efficientnet-lite0",
        model,
        inputs: common.inputs,
        names: chosen.iter().map(|&i| data.item_names()[i].clone()).collect(),
        classes: common.classes,
        features: args.imagenet_features.clone(),
        space: common.space,
        reference,
        reference_note: format!("mean pixel of the {} sample photos", data.len()),
        permutations: args.imagenet_permutations,
        lime_samples: args.lime_samples.unwrap_or(200),
        pert_steps: args.pert_steps.unwrap_or(30),
        backgrounds,
        background_note: format!("the other {} sample photos", data.len() - 1),
    })
}

/// The chosen images, their predicted classes and the feature space.
struct Common {
    inputs: Vec<Tensor<4>>,
    classes: Vec<usize>,
    space: FeatureSpace,
}

impl Common {
    fn new(
        model: &ZooModel,
        data: &Dataset,
        chosen: &[usize],
        device: &burn::tensor::Device,
        features: &str,
    ) -> Result<Self> {
        let x = data.batch_tensor(chosen, device)?;
        model.check_input(&x.dims())?;
        let classes = argmax_rows(model.logits(x.clone()))?;
        let (space, _) = FeatureSpace::from_spec(features, data.sample_shape())?;
        let inputs = (0..chosen.len()).map(|i| x.clone().narrow(0, i, 1)).collect();
        Ok(Self { inputs, classes, space })
    }
}

/// Builds `method` for image `i` of `setup`: the library's explainer (`paper` preset, the
/// image's DeepSHAP background), except LIME with the report's sample count and the paper's
/// absent-pixel value (the mean pixel) and Pert with the report's step count.
fn build(method: Method, setup: &Setup, i: usize) -> Result<AnyExplainer<4>> {
    Ok(match method {
        Method::Lime => AnyExplainer::Lime(Lime::new(
            LimeConfig::new()
                .with_samples(setup.lime_samples)
                .with_reference(setup.reference.clone()),
        )?),
        Method::Bbmp => {
            AnyExplainer::Bbmp(Bbmp::new(BbmpConfig::new().with_steps(setup.pert_steps))?)
        }
        _ => {
            let background = method.needs_background().then(|| setup.backgrounds[i].clone());
            AnyExplainer::new(method, &MethodOptions { background, ..Default::default() })?
        }
    })
}
