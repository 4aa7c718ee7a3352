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
//!     [--methods Grad,LIME,...] [--skip-imagenet] [--skip-mnist] [--out DIR]
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

use anyhow::{Context, Result, bail};
use burn::tensor::Tensor;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::SliceRandom;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;
use xai::core::classifier::argmax_rows;
use xai::core::{Attribution, Classifier, Cost, DeviceChoice, FeatureSpace, Reference, seed};
use xai::datasets::{DataDir, Dataset, registry};
use xai::explain::{
    Bbmp, BbmpConfig, Cam, DeepShap, DeepShapConfig, ExplainRequest, Explainer, Grad, GradCam,
    GradXInput, GuidedBackprop, Lime, LimeConfig, LrpEpsilon, SampledShapley, SampledShapleyConfig,
};
use xai::metrics::unified::{
    MutualVerificationReport, PixelBias, PixelBiasConfig, SpatialMasking, SpatialMaskingConfig,
    UnexplainableComponents, UnexplainableComponentsConfig, UnexplainableComponentsReport,
    mean_pixel, mutual_verification,
};
use xai::zoo::{ModelName, ZooModel};

/// The methods, in the column order of the paper's Table 3 (GI = Grad×Input, GB = GuidedBP,
/// Pert = meaningful perturbation).
const METHODS: [&str; 9] =
    ["Grad", "Grad×Input", "GuidedBP", "DeepSHAP", "LIME", "LRP-ε", "Pert", "CAM", "Grad-CAM"];

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
    /// Methods (comma-separated names as printed; default: all nine).
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

/// One of the nine methods, as one [`Explainer`] type (what [`SpatialMasking`] re-runs).
enum AnyMethod {
    Grad(Grad),
    GradXInput(GradXInput),
    GuidedBp(GuidedBackprop),
    DeepShap(DeepShap),
    Lime(Lime),
    Lrp(LrpEpsilon),
    Pert(Bbmp),
    Cam(Cam),
    GradCam(GradCam),
}

/// Runs `$body` with `$e` bound to the wrapped explainer.
macro_rules! dispatch {
    ($self:expr, $e:ident => $body:expr) => {
        match $self {
            AnyMethod::Grad($e) => $body,
            AnyMethod::GradXInput($e) => $body,
            AnyMethod::GuidedBp($e) => $body,
            AnyMethod::DeepShap($e) => $body,
            AnyMethod::Lime($e) => $body,
            AnyMethod::Lrp($e) => $body,
            AnyMethod::Pert($e) => $body,
            AnyMethod::Cam($e) => $body,
            AnyMethod::GradCam($e) => $body,
        }
    };
}

impl Explainer<4> for AnyMethod {
    fn name(&self) -> String {
        dispatch!(self, e => Explainer::<4>::name(e))
    }

    fn explain<M: Classifier<4>>(
        &self,
        model: &M,
        request: &ExplainRequest<4>,
    ) -> xai::core::Result<Vec<Attribution>> {
        dispatch!(self, e => e.explain(model, request))
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
    /// DeepSHAP's background for each explained image.
    backgrounds: Vec<Vec<Reference>>,
    background_note: String,
}

/// One method's numbers on one model, per image (`None` where the metric failed; the reason
/// is in `notes`).
#[derive(Serialize, Default)]
struct MethodResult {
    method: String,
    /// Why the method was not evaluated on this model (its own error).
    skipped: Option<String>,
    explain_cost: Vec<Cost>,
    explain_seconds: Vec<f64>,
    /// M_pixel per image: `[fraction]` from the top and from the bottom of the map.
    pixel_top: Vec<Option<Vec<f64>>>,
    pixel_bottom: Vec<Option<Vec<f64>>>,
    /// M_non-robust per image and masked half (right, left, top, bottom).
    non_robust: Vec<Option<Vec<f64>>>,
    /// The re-explanations of the four masked images.
    non_robust_cost: Vec<Cost>,
    non_robust_seconds: Vec<f64>,
    feature: Option<UnexplainableComponentsReport>,
    notes: Vec<String>,
    #[serde(skip)]
    maps: Vec<Attribution>,
}

/// One model's report.
#[derive(Serialize)]
struct ModelReport {
    model: String,
    images: Vec<String>,
    classes: Vec<usize>,
    features: String,
    n_features: usize,
    reference: String,
    deepshap_background: String,
    shapley_permutations: usize,
    lime_samples: usize,
    pert_steps: usize,
    fractions: Vec<f64>,
    shapley_cost: Vec<Cost>,
    shapley_seconds: Vec<f64>,
    methods: Vec<MethodResult>,
    /// M_mutual over the methods with a non-zero map on every image.
    mutual: Option<MutualVerificationReport>,
    mutual_note: Option<String>,
    seconds: f64,
}

fn run(args: Args) -> Result<()> {
    let device = args.device.parse::<DeviceChoice>()?.device()?;
    let data_dir = DataDir::resolve(args.data_dir.as_deref());
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let methods: Vec<&'static str> = match &args.methods {
        None => METHODS.to_vec(),
        Some(list) => {
            list.split(',')
                .map(|m| {
                    METHODS.iter().copied().find(|k| k.eq_ignore_ascii_case(m.trim())).with_context(
                        || format!("unknown method '{m}'; known: {}", METHODS.join(", ")),
                    )
                })
                .collect::<Result<_>>()?
        }
    };
    if args.skip_mnist && args.skip_imagenet {
        bail!("--skip-mnist and --skip-imagenet leave nothing to do");
    }
    let mut reports = Vec::new();
    if !args.skip_mnist {
        let setup = mnist_setup(&args, &device, &data_dir)?;
        reports.push(evaluate(&args, &setup, &methods)?);
    }
    if !args.skip_imagenet {
        let setup = imagenet_setup(&args, &device, &data_dir)?;
        reports.push(evaluate(&args, &setup, &methods)?);
    }
    let markdown = tables(&args, &reports, &methods);
    println!("{markdown}");
    let md_path = args.out.join("tables.md");
    std::fs::write(&md_path, &markdown)
        .with_context(|| format!("writing {}", md_path.display()))?;
    let json_path = args.out.join("report.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&reports)?)
        .with_context(|| format!("writing {}", json_path.display()))?;
    for report in &reports {
        if let Some(mutual) = &report.mutual {
            let path = args.out.join(format!("mutual_{}.png", report.model));
            mutual_heat_map(report, mutual, &path)?;
            eprintln!("wrote {}", path.display());
        }
    }
    eprintln!("wrote {} and {}", md_path.display(), json_path.display());
    Ok(())
}

/// `mnist-cnn` on `n` seeded random test images; the mean pixel over the whole test set.
fn mnist_setup(args: &Args, device: &burn::tensor::Device, dir: &DataDir) -> Result<Setup> {
    let model = ZooModel::load(ModelName::MnistCnn, device)?;
    let data = registry::load_from("mnist-test", dir)?;
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.shuffle(&mut seed::stream_rng(args.seed, 0x003));
    if args.n == 0 || args.n + args.deepshap_background > order.len() {
        bail!("--n must be at least 1 and leave room for the DeepSHAP background");
    }
    let chosen = order[..args.n].to_vec();
    let background: Vec<Reference> = order[args.n..args.n + args.deepshap_background]
        .iter()
        .map(|&i| data.image(i).map(|v| Reference::Values(v.to_vec())))
        .collect::<Result<_, _>>()?;
    if background.is_empty() {
        bail!("--deepshap-background must be at least 1");
    }
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
    let model = ZooModel::load(ModelName::EfficientNetLite0, device)?;
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
            all.iter()
                .filter(|&&j| j != i)
                .map(|&j| data.image(j).map(|v| Reference::Values(v.to_vec())))
                .collect::<Result<Vec<_>, _>>()
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

/// Builds `name` for image `i` of `setup`.
fn build(name: &str, setup: &Setup, i: usize) -> Result<AnyMethod> {
    Ok(match name {
        "Grad" => AnyMethod::Grad(Grad::default()),
        "Grad×Input" => AnyMethod::GradXInput(GradXInput::new()),
        "GuidedBP" => AnyMethod::GuidedBp(GuidedBackprop::default()),
        "DeepSHAP" => {
            AnyMethod::DeepShap(DeepShap::new(DeepShapConfig::new(), setup.backgrounds[i].clone())?)
        }
        // The paper's absent-pixel value (the mean pixel) for LIME's removed features.
        "LIME" => AnyMethod::Lime(Lime::new(
            LimeConfig::new()
                .with_samples(setup.lime_samples)
                .with_reference(setup.reference.clone()),
        )?),
        "LRP-ε" => AnyMethod::Lrp(LrpEpsilon::default()),
        "Pert" => AnyMethod::Pert(Bbmp::new(BbmpConfig::new().with_steps(setup.pert_steps))?),
        "CAM" => AnyMethod::Cam(Cam::default()),
        "Grad-CAM" => AnyMethod::GradCam(GradCam::default()),
        other => bail!("unknown method {other}"),
    })
}

/// Explains every image of `setup` with every method and measures the four metrics.
fn evaluate(args: &Args, setup: &Setup, methods: &[&'static str]) -> Result<ModelReport> {
    let start = Instant::now();
    let n = setup.inputs.len();
    let nf = setup.space.n_features();
    eprintln!(
        "{}: {n} images, {} ({nf} features), sampled Shapley with {} permutations \
         ({} forwards per image), reference: {}",
        setup.label,
        setup.features,
        setup.permutations,
        2 + setup.permutations * (nf - 1),
        setup.reference_note
    );
    let shapley = SampledShapley::new(
        SampledShapleyConfig::new()
            .with_permutations(setup.permutations)
            .with_reference(setup.reference.clone()),
    )?;
    let bias = PixelBias::new(PixelBiasConfig::new())?;
    let masking = SpatialMasking::new(SpatialMaskingConfig::new(setup.reference.clone()))?;
    let bar = ProgressBar::new((n * (methods.len() + 1)) as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} (eta {eta}) {msg}")
            .context("progress bar template")?,
    );
    let mut results: Vec<MethodResult> = methods
        .iter()
        .map(|m| MethodResult { method: m.to_string(), ..Default::default() })
        .collect();
    let (mut shapley_cost, mut shapley_seconds) = (Vec::new(), Vec::new());
    for i in 0..n {
        let request = ExplainRequest::new(
            setup.inputs[i].clone(),
            vec![setup.classes[i]],
            setup.space.clone(),
        )?
        .with_seed(seed::stream_seed(args.seed, i as u64))
        .with_batch_size(args.batch_size)?;
        bar.set_message(format!("image {}: sampled Shapley", i + 1));
        let t = Instant::now();
        let shap = shapley.explain(&setup.model, &request)?;
        shapley_seconds.push(t.elapsed().as_secs_f64());
        shapley_cost.push(shap[0].cost);
        bar.inc(1);
        for (m, result) in results.iter_mut().enumerate() {
            bar.set_message(format!("image {}: {}", i + 1, methods[m]));
            if result.skipped.is_none() {
                evaluate_method(setup, i, &request, &shap, &bias, &masking, result, &bar)?;
            }
            bar.inc(1);
        }
        say(
            &bar,
            format!(
                "{} image {}/{n} ({}, class {}): done, {:.0} s so far",
                setup.label,
                i + 1,
                setup.names[i],
                setup.classes[i],
                start.elapsed().as_secs_f64()
            ),
        );
    }
    bar.finish_and_clear();
    // M_feature on all images at once (its α normalises by the mean feature norm over images).
    let extractor = |x: Tensor<4>| setup.model.layered_net().feature_map(x);
    let all = Tensor::cat(setup.inputs.clone(), 0);
    let feature_metric =
        UnexplainableComponents::new(UnexplainableComponentsConfig::new(setup.reference.clone()))?;
    for result in results.iter_mut().filter(|r| r.skipped.is_none()) {
        match feature_metric.evaluate(
            &extractor,
            all.clone(),
            &result.maps,
            &setup.space,
            args.seed,
        ) {
            Ok(report) => result.feature = Some(report),
            Err(e) => result.notes.push(format!("M_feature: {e}")),
        }
    }
    // M_mutual over the methods whose maps are all non-zero (an all-zero map has no direction).
    let mut usable = Vec::new();
    let mut left_out = Vec::new();
    for result in results.iter().filter(|r| r.skipped.is_none()) {
        if result.maps.iter().all(|a| a.scores.iter().any(|v| *v != 0.0)) {
            usable.push(result.maps.clone());
        } else {
            left_out.push(format!("{} (an all-zero map)", result.method));
        }
    }
    let (mutual, mutual_note) = match usable.len() {
        0 => (None, Some("no method produced maps".to_string())),
        _ => {
            let mut report = mutual_verification(&usable)?;
            // Name the rows as printed, not by the explainers' kebab-case names.
            report.methods = results
                .iter()
                .filter(|r| {
                    r.skipped.is_none() && r.maps.iter().all(|a| a.scores.iter().any(|v| *v != 0.0))
                })
                .map(|r| r.method.clone())
                .collect();
            let note = (!left_out.is_empty()).then(|| format!("left out: {}", left_out.join(", ")));
            (Some(report), note)
        }
    };
    for r in &results {
        for note in &r.notes {
            eprintln!("  {}: {note}", r.method);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    eprintln!("{}: done in {seconds:.1} s", setup.label);
    Ok(ModelReport {
        model: setup.label.to_string(),
        images: setup.names.clone(),
        classes: setup.classes.clone(),
        features: setup.features.clone(),
        n_features: nf,
        reference: setup.reference_note.clone(),
        deepshap_background: setup.background_note.clone(),
        shapley_permutations: setup.permutations,
        lime_samples: setup.lime_samples,
        pert_steps: setup.pert_steps,
        fractions: bias.config().fractions.clone(),
        shapley_cost,
        shapley_seconds,
        methods: results,
        mutual,
        mutual_note,
        seconds,
    })
}

/// Explains image `i` with one method, then M_pixel against its Shapley values and
/// M_non-robust; a method error on the first image marks the method as not applicable.
#[allow(clippy::too_many_arguments)]
fn evaluate_method(
    setup: &Setup,
    i: usize,
    request: &ExplainRequest<4>,
    shap: &[Attribution],
    bias: &PixelBias,
    masking: &SpatialMasking,
    result: &mut MethodResult,
    bar: &ProgressBar,
) -> Result<()> {
    let explainer = build(&result.method, setup, i)?;
    let t = Instant::now();
    let maps = match explainer.explain(&setup.model, request) {
        Ok(maps) => maps,
        Err(e) => {
            let reason = if i == 0 { e.to_string() } else { format!("failed on image {i}: {e}") };
            say(bar, format!("  {} on {}: skipped: {reason}", result.method, setup.label));
            result.skipped = Some(reason);
            result.maps.clear();
            return Ok(());
        }
    };
    result.explain_seconds.push(t.elapsed().as_secs_f64());
    result.explain_cost.push(maps[0].cost);
    match bias.score(&maps, shap) {
        Ok(r) => {
            result.pixel_top.push(Some(r.top[0].clone()));
            result.pixel_bottom.push(Some(r.bottom[0].clone()));
        }
        Err(e) => {
            result.notes.push(format!("M_pixel on image {i}: {e}"));
            result.pixel_top.push(None);
            result.pixel_bottom.push(None);
        }
    }
    let t = Instant::now();
    match masking.evaluate_with(&explainer, &setup.model, request, &maps) {
        Ok(r) => {
            result.non_robust.push(Some(r.per_image_half[0].clone()));
            let extra = Cost {
                forward: r.cost.forward - maps[0].cost.forward,
                backward: r.cost.backward - maps[0].cost.backward,
            };
            result.non_robust_cost.push(extra);
        }
        Err(e) => {
            result.notes.push(format!("M_non-robust on image {i}: {e}"));
            result.non_robust.push(None);
        }
    }
    result.non_robust_seconds.push(t.elapsed().as_secs_f64());
    result.maps.push(maps.into_iter().next().context("no attribution returned")?);
    Ok(())
}

/// Prints a line above the progress bar (or to stderr when the bar is hidden, e.g. piped).
fn say(bar: &ProgressBar, line: String) {
    if bar.is_hidden() { eprintln!("{line}") } else { bar.println(line) }
}

/// The mean of the defined values, and how many there were.
fn mean_some(values: impl Iterator<Item = Option<f64>>) -> (Option<f64>, usize) {
    let v: Vec<f64> = values.flatten().collect();
    match v.len() {
        0 => (None, 0),
        k => (Some(v.iter().sum::<f64>() / k as f64), k),
    }
}

/// A table cell: the value, or "–".
fn cell(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.digits$}"))
}

/// The mean cost per image, as "forward + backward".
fn cost_cell(costs: &[Cost]) -> String {
    if costs.is_empty() {
        return "–".into();
    }
    let k = costs.len() as f64;
    let f = costs.iter().map(|c| c.forward as f64).sum::<f64>() / k;
    let b = costs.iter().map(|c| c.backward as f64).sum::<f64>() / k;
    if b == 0.0 { format!("{f:.0}") } else { format!("{f:.0} + {b:.0}b") }
}

impl MethodResult {
    /// M_pixel of fraction `j` from the top (`top`) or the bottom, the mean over images.
    fn pixel(&self, top: bool, j: usize) -> Option<f64> {
        let rows = if top { &self.pixel_top } else { &self.pixel_bottom };
        mean_some(rows.iter().map(|r| r.as_ref().map(|v| v[j]))).0
    }

    /// M_non-robust: the mean over images and halves.
    fn non_robust_mean(&self) -> Option<f64> {
        let per_image = self
            .non_robust
            .iter()
            .map(|r| r.as_ref().map(|v| v.iter().sum::<f64>() / v.len() as f64));
        mean_some(per_image).0
    }
}

/// Every table, as markdown.
fn tables(args: &Args, reports: &[ModelReport], methods: &[&str]) -> String {
    let mut md = String::from(
        "# Paper 003: evaluation of explanation methods without ground truth\n\n\
         All four metrics: lower is better. Means over images. Costs are model evaluations per \
         image (`f` forwards, `f + bb` forwards + backwards).\n\n",
    );
    for r in reports {
        let evaluated: Vec<&MethodResult> =
            r.methods.iter().filter(|m| m.skipped.is_none()).collect();
        let shap_cost = cost_cell(&r.shapley_cost);
        let shap_s = r.shapley_seconds.iter().sum::<f64>() / r.shapley_seconds.len().max(1) as f64;
        md.push_str(&format!(
            "## {}\n\n{} image(s) ({}), features `{}` ({} features), reference: {}. Sampled \
             Shapley: {} permutations, {shap_cost} forwards and {shap_s:.1} s per image (the \
             cost of M_pixel, shared by all methods). LIME: {} samples; Pert: {} steps; \
             DeepSHAP background: {}. Wall time {:.0} s.\n\n",
            r.model,
            r.images.len(),
            r.images.join(", "),
            r.features,
            r.n_features,
            r.reference,
            r.shapley_permutations,
            r.lime_samples,
            r.pert_steps,
            r.deepshap_background,
            r.seconds
        ));
        for m in r.methods.iter() {
            if let Some(reason) = &m.skipped {
                md.push_str(&format!("- **{}** not applicable: {reason}\n", m.method));
            }
        }
        md.push('\n');
        // Tables 4–13: fractions as rows, methods as columns.
        md.push_str(&format!(
            "### Bias of the attribution map at the pixel level on {} (M_pixel, Eqn. 3; layout of Tables 4–13)\n\n| Method |",
            r.model
        ));
        for m in &evaluated {
            md.push_str(&format!(" {} |", m.method));
        }
        md.push_str(&format!("\n|---|{}\n", "---|".repeat(evaluated.len())));
        for top in [true, false] {
            for (j, q) in r.fractions.iter().enumerate() {
                let label = if top { "top" } else { "bottom" };
                md.push_str(&format!("| {label}-{:.0}% |", q * 100.0));
                for m in &evaluated {
                    md.push_str(&format!(" {} |", cell(m.pixel(top, j), 5)));
                }
                md.push('\n');
            }
        }
        md.push('\n');
        // Summary: methods as rows, metrics and costs as columns.
        md.push_str(&format!(
            "### Summary on {}: methods × metrics\n\n\
             | Method | M_pixel top-10% | M_pixel bottom-10% | M_feature | M_non-robust | M_mutual (mean to others) | explain cost | explain s | M_non-robust cost | M_feature cost |\n\
             |---|---|---|---|---|---|---|---|---|---|\n",
            r.model
        ));
        for m in &evaluated {
            let mutual_mean = r.mutual.as_ref().and_then(|mu| {
                let p = mu.methods.iter().position(|x| x == &m.method)?;
                let k = mu.methods.len();
                (k > 1).then(|| mu.mean[p].iter().sum::<f64>() / (k - 1) as f64)
            });
            let explain_s =
                m.explain_seconds.iter().sum::<f64>() / m.explain_seconds.len().max(1) as f64;
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {explain_s:.2} | {} | {} |\n",
                m.method,
                cell(m.pixel(true, 0), 5),
                cell(m.pixel(false, 0), 5),
                cell(m.feature.as_ref().map(|f| f.mean), 5),
                cell(m.non_robust_mean(), 3),
                cell(mutual_mean, 4),
                cost_cell(&m.explain_cost),
                cost_cell(&m.non_robust_cost),
                m.feature.as_ref().map_or("–".into(), |f| format!(
                    "{}",
                    f.cost.forward / r.images.len().max(1) as u64
                )),
            ));
        }
        md.push_str(
            "\nM_pixel costs the sampled Shapley values above; M_non-robust re-explains the 4 \
             half-masked images; M_feature evaluates the last convolution's feature map of the \
             original and the masked image; M_mutual costs nothing.\n\n",
        );
        // Tables 14–23: methods × methods.
        if let Some(mu) = &r.mutual {
            md.push_str(&format!(
                "### Mutual verification on {} (M_mutual, Eqn. 6; layout of Tables 14–23)\n\n| Method |",
                r.model
            ));
            for name in &mu.methods {
                md.push_str(&format!(" {name} |"));
            }
            md.push_str(&format!("\n|---|{}\n", "---|".repeat(mu.methods.len())));
            for (p, name) in mu.methods.iter().enumerate() {
                md.push_str(&format!("| {name} |"));
                for q in 0..mu.methods.len() {
                    md.push_str(&format!(" {:.4} |", mu.mean[p][q]));
                }
                md.push('\n');
            }
            if let Some(note) = &r.mutual_note {
                md.push_str(&format!("\n{note}\n"));
            }
            md.push('\n');
        }
    }
    // Tables 2 and 3: models as rows, methods as columns.
    for (title, table, digits) in [
        (
            "Quantification of unexplainable feature components (M_feature, Eqn. 4; layout of Table 2)",
            0,
            5,
        ),
        ("Non-robustness of explanation methods (M_non-robust, Eqn. 5; layout of Table 3)", 1, 3),
    ] {
        md.push_str(&format!("## {title}\n\n| Method |"));
        for m in methods {
            md.push_str(&format!(" {m} |"));
        }
        md.push_str(&format!("\n|---|{}\n", "---|".repeat(methods.len())));
        for r in reports {
            md.push_str(&format!("| {} |", r.model));
            for name in methods {
                let v = r.methods.iter().find(|m| m.method == *name).and_then(|m| match table {
                    0 => m.feature.as_ref().map(|f| f.mean),
                    _ => m.non_robust_mean(),
                });
                md.push_str(&format!(" {} |", cell(v, digits)));
            }
            md.push('\n');
        }
        md.push('\n');
    }
    md.push_str(&format!(
        "Settings: seed {}, batch {}, device {}. The paper leaves CAM and Grad-CAM out of \
         M_feature and M_mutual (feature-level maps) and Pert and CAM out of M_pixel (maps \
         without negative values); here every method with a pixel-level map is measured.\n",
        args.seed, args.batch_size, args.device
    ));
    md
}

/// The mutual-verification heat map of one model.
fn mutual_heat_map(
    report: &ModelReport,
    mutual: &MutualVerificationReport,
    path: &std::path::Path,
) -> Result<()> {
    let title = format!(
        "{}: mutual verification M_mutual (mean over {} image(s); lower = closer)",
        report.model,
        report.images.len()
    );
    let side = 200 + 64 * mutual.methods.len() as u32;
    xai_viz::MatrixPlot::from_rows(title, mutual.methods.iter().cloned(), &mutual.mean)?
        .decimals(2)
        .save_png(path, side + 120, side)?;
    Ok(())
}
