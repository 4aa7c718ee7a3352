//! Paper 002's Table 1 ("Feature Attribution As Feature Selection"): average AUEC and AOIC
//! (`g_label`) of every attribution method under uniform noise and under real-image
//! corruption, for `mnist-cnn` on `n` MNIST test images and for `efficientnet-lite0` on the
//! sample photos of the data directory, with the mean EFS / IFS curves (the nine methods of the
//! paper's Figure 4) as PNG.
//!
//! ```text
//! cargo run --release --example feature_selection_report -- --n 20 --preset fast
//!     [--photos 6] [--draws 8] [--points 21] [--methods grad,greedy-ifs,...] [--skip-imagenet]
//!     [--skip-mnist] [--device flex|wgpu]
//! ```
//!
//! Real-image corruption: for MNIST, 100 further test images (disjoint from the explained
//! ones, as the paper's 100 held-out ImageNet images); for the photos, the other sample photos.
//! Writes `<out-dir>/<model>.md` (the table), `<model>.json` (every per-example area) and
//! `<model>_{efs,ifs}_{uniform,images}.png` (mean curves).
//!
//! The explainers are the library's ([`AnyExplainer`]) with the chosen preset, which scales
//! Grad-EFS / Grad-IFS and PertMap; SmoothGrad and IG keep their paper settings under `fast`
//! too, and Occlusion uses the paper's 64×64 window with stride 16 on 224, scaled to the image.

use anyhow::{Context, Result, bail};
use burn::tensor::Tensor;
use clap::Parser;
use rand::seq::SliceRandom;
use std::path::PathBuf;
use std::time::Instant;
use xai::core::classifier::argmax_rows;
use xai::core::corruption::{OutputChange, SelectionMode};
use xai::core::provenance::write_stamped_json;
use xai::core::{Classifier, Corruption, DeviceChoice, FeatureSpace, seed};
use xai::datasets::{DataDir, Dataset, registry};
use xai::explain::{
    AnyExplainer, ExplainRequest, Explainer, Method, MethodOptions, Occlusion, OcclusionConfig,
    Preset,
};
use xai::metrics::FeatureSelectionCurveConfig;
use xai::zoo::{ModelName, ZooModel};

/// The rows of the table, in the order of the paper's Table 1.
const METHODS: [Method; 14] = [
    Method::GreedyEfs,
    Method::GradEfs,
    Method::GreedyIfs,
    Method::GradIfs,
    Method::Grad,
    Method::GradXInput,
    Method::Smoothgrad,
    Method::GuidedBackprop,
    Method::IntegratedGradients,
    Method::LrpEpsilon,
    Method::DeepLift,
    Method::Occlusion,
    Method::PertMap,
    Method::Random,
];

/// The nine methods the paper's Figure 4 plots ("for the visibility purpose").
const PLOTTED: [Method; 9] = [
    Method::GradEfs,
    Method::GradIfs,
    Method::GradXInput,
    Method::Smoothgrad,
    Method::GuidedBackprop,
    Method::IntegratedGradients,
    Method::LrpEpsilon,
    Method::PertMap,
    Method::Random,
];

/// A method's row label: its [`Method::paper_name`], but IntGrad for IG as in paper 002.
fn label(method: Method) -> &'static str {
    match method {
        Method::IntegratedGradients => "IntGrad",
        other => other.paper_name(),
    }
}

/// Options.
#[derive(Parser, Debug)]
#[command(about = "Paper 002's AUEC / AOIC table for mnist-cnn and efficientnet-lite0")]
struct Args {
    /// Number of MNIST test images explained (the paper: 200 ImageNet images).
    #[arg(long, default_value_t = 20)]
    n: usize,
    /// Largest number of sample photos explained with efficientnet-lite0.
    #[arg(long, default_value_t = 6)]
    photos: usize,
    /// Skip efficientnet-lite0 (slow on a CPU).
    #[arg(long)]
    skip_imagenet: bool,
    /// Skip mnist-cnn.
    #[arg(long)]
    skip_mnist: bool,
    /// Explainer settings: paper (Grad-EFS 200 / Grad-IFS 1000 steps of 32 draws) or fast.
    #[arg(long, default_value = "fast")]
    preset: String,
    /// Noise draws per curve point (the expectation over r).
    #[arg(long, default_value_t = 8)]
    draws: usize,
    /// Points of the curves, evenly spaced over [0, 1] (the paper: q from 0 to 1).
    #[arg(long, default_value_t = 21)]
    points: usize,
    /// Rows of the table (comma-separated method names as in `xai explain`, e.g.
    /// grad,greedy-ifs; default: the paper's fourteen).
    #[arg(long)]
    methods: Option<String>,
    /// Seed of the image draw, the explainers and the noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Largest batch sent to the model.
    #[arg(long, default_value_t = 128)]
    batch_size: usize,
    /// Where the tables, JSON and PNG curves go.
    #[arg(long, default_value = "results/feature_selection_report")]
    out_dir: PathBuf,
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

/// Areas and curves of one method under one corruption.
#[derive(Default, Clone)]
struct Cell {
    auec: Vec<f64>,
    aoic: Vec<f64>,
    efs: Vec<Vec<f64>>,
    ifs: Vec<Vec<f64>>,
}

/// `cells[method][corruption]`, corruption 0 = uniform, 1 = real images.
type Cells = Vec<[Cell; 2]>;

fn run(args: Args) -> Result<()> {
    let preset: Preset = args.preset.parse()?;
    if args.points < 2 {
        bail!("--points must be at least 2");
    }
    let device = args.device.parse::<DeviceChoice>()?.device()?;
    let data_dir = DataDir::resolve(args.data_dir.as_deref());
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("creating {}", args.out_dir.display()))?;
    let methods: Vec<Method> = match &args.methods {
        None => METHODS.to_vec(),
        Some(list) => list.split(',').map(|m| m.trim().parse()).collect::<Result<_, _>>()?,
    };
    let report = Report { args: &args, preset, methods };
    if !args.skip_mnist {
        let model = ZooModel::load_with(ModelName::MnistCnn, &data_dir, &device)?;
        let data = registry::load_from("mnist-test", &data_dir)?;
        let mut order: Vec<usize> = (0..data.len()).collect();
        order.shuffle(&mut seed::stream_rng(args.seed, 0xEF5));
        // Correctly classified images only, as in the paper.
        let mut chosen = Vec::new();
        let mut rest = order.into_iter();
        for i in rest.by_ref() {
            if chosen.len() == args.n {
                break;
            }
            let x = data.batch_tensor(&[i], &device)?;
            if argmax_rows(model.logits(x))?[0] == data.label(i)? {
                chosen.push(i);
            }
        }
        let noise: Vec<Vec<f32>> =
            rest.take(100).map(|i| data.image(i).map(<[f32]>::to_vec)).collect::<Result<_, _>>()?;
        let x = data.batch_tensor(&chosen, &device)?;
        let cells = report.evaluate(&model, x, Corruption::Images(noise), &data, None)?;
        report.write("mnist-cnn", &format!("{} MNIST test images", chosen.len()), &cells)?;
    }
    if !args.skip_imagenet {
        let model = ZooModel::load_with(ModelName::EfficientNetLite0, &data_dir, &device)?;
        let data = registry::load_from("imagenet-samples", &data_dir)?;
        let count = data.len().min(args.photos);
        if data.len() < 2 {
            bail!("real-image corruption needs at least two sample photos");
        }
        let mut cells: Cells = vec![Default::default(); report.methods.len()];
        for i in 0..count {
            // The other photos are the real-image noise.
            let noise: Vec<Vec<f32>> = (0..data.len())
                .filter(|&j| j != i)
                .map(|j| data.image(j).map(<[f32]>::to_vec))
                .collect::<Result<_, _>>()?;
            let x = data.batch_tensor(&[i], &device)?;
            eprintln!("efficientnet-lite0: photo {} ({})", i + 1, data.item_names()[i]);
            let one = report.evaluate(&model, x, Corruption::Images(noise), &data, Some(i))?;
            for (all, new) in cells.iter_mut().zip(one) {
                for (a, b) in all.iter_mut().zip(new) {
                    a.auec.extend(b.auec);
                    a.aoic.extend(b.aoic);
                    a.efs.extend(b.efs);
                    a.ifs.extend(b.ifs);
                }
            }
        }
        report.write("efficientnet-lite0", &format!("{count} sample photos"), &cells)?;
    }
    Ok(())
}

struct Report<'a> {
    args: &'a Args,
    preset: Preset,
    methods: Vec<Method>,
}

impl Report<'_> {
    fn fractions(&self) -> Vec<f64> {
        let k = self.args.points - 1;
        (0..=k).map(|i| i as f64 / k as f64).collect()
    }

    /// Explains every row of `x` (its predicted class) with every method and measures AUEC and
    /// AOIC under uniform noise and under `images`.
    fn evaluate(
        &self,
        model: &ZooModel,
        x: Tensor<4>,
        images: Corruption,
        data: &Dataset,
        stream: Option<usize>,
    ) -> Result<Cells> {
        let [c, h, w] = data.sample_shape();
        let space = FeatureSpace::pixels(c, h, w)?;
        let classes = argmax_rows(model.logits(x.clone()))?;
        let seed_ = seed::stream_seed(self.args.seed, stream.unwrap_or(0) as u64);
        let request = ExplainRequest::new(x.clone(), classes.clone(), space.clone())?
            .with_seed(seed_)
            .with_batch_size(self.args.batch_size)?;
        let corruptions = [Corruption::Uniform, images];
        let mut cells: Cells = vec![Default::default(); self.methods.len()];
        for (m, &method) in self.methods.iter().enumerate() {
            let name = label(method);
            let start = Instant::now();
            let atts = self.explainer(method, h)?.explain(model, &request)?;
            let explain_s = start.elapsed().as_secs_f64();
            for (k, corruption) in corruptions.iter().enumerate() {
                for mode in [SelectionMode::Exclusive, SelectionMode::Inclusive] {
                    let metric = FeatureSelectionCurveConfig::new(mode)
                        .with_corruption(corruption.clone())
                        .with_change(OutputChange::Label)
                        .with_fractions(self.fractions())
                        .with_draws(self.args.draws)
                        .with_batch_size(self.args.batch_size)
                        .init()?;
                    let r = metric.evaluate(model, x.clone(), &classes, &atts, &space, seed_)?;
                    let cell = &mut cells[m][k];
                    match mode {
                        SelectionMode::Exclusive => {
                            cell.auec = r.area_per_example;
                            cell.efs = r.per_example;
                        }
                        SelectionMode::Inclusive => {
                            cell.aoic = r.area_per_example;
                            cell.ifs = r.per_example;
                        }
                    }
                }
            }
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
            eprintln!(
                "  {name:<11} explained in {explain_s:.1} s ({} forward + {} backward); AUEC {:.3} AOIC {:.3} (uniform)",
                atts[0].cost.forward,
                atts[0].cost.backward,
                mean(&cells[m][0].auec),
                mean(&cells[m][0].aoic)
            );
        }
        Ok(cells)
    }

    /// The explainer of `method` for images of side `side`: the library's with the run's
    /// preset, except SmoothGrad and IG (their paper settings in both presets) and Occlusion
    /// (the paper's 64×64 window with stride 16 on 224, scaled to the image).
    fn explainer(&self, method: Method, side: usize) -> Result<AnyExplainer<4>> {
        if method == Method::Occlusion {
            let scaled = |v: f64| ((v * side as f64 / 224.0).round() as usize).max(1);
            let c = OcclusionConfig::new().with_window(scaled(64.0)).with_stride(scaled(16.0));
            return Ok(AnyExplainer::Occlusion(Occlusion::new(c)?));
        }
        let paper = matches!(method, Method::Smoothgrad | Method::IntegratedGradients);
        let preset = if paper { Preset::Standard } else { self.preset };
        Ok(AnyExplainer::new(method, &MethodOptions { preset, ..Default::default() })?)
    }

    /// Prints and writes the table, the JSON and the mean-curve PNGs of one model.
    fn write(&self, model: &str, what: &str, cells: &Cells) -> Result<()> {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        // columns: AUEC uniform, AOIC uniform, AUEC images, AOIC images.
        let table: Vec<[f64; 4]> = cells
            .iter()
            .map(|c| [mean(&c[0].auec), mean(&c[0].aoic), mean(&c[1].auec), mean(&c[1].aoic)])
            .collect();
        let stars = |col: usize, v: f64| {
            let better = table.iter().filter(|r| r[col] > v + 1e-12).count();
            ["*", "**", "***"].get(better).copied().unwrap_or("")
        };
        let mut md = format!(
            "## {model}: average AUEC and AOIC (g_label), {what}\n\n\
             Top three per column marked 1st *, 2nd **, 3rd ***. {} draws per point, {} points, preset {}. Code: {}.\n\n\
             | method | AUEC (uniform) | AOIC (uniform) | AUEC (real images) | AOIC (real images) |\n\
             | --- | --- | --- | --- | --- |\n",
            self.args.draws,
            self.args.points,
            self.args.preset,
            xai::core::CodeVersion::current()
        );
        for (&method, row) in self.methods.iter().zip(&table) {
            let cols: Vec<String> =
                (0..4).map(|j| format!("{:.3}{}", row[j], stars(j, row[j]))).collect();
            md.push_str(&format!("| {} | {} |\n", label(method), cols.join(" | ")));
        }
        println!("{md}");
        let md_path = self.args.out_dir.join(format!("{model}.md"));
        std::fs::write(&md_path, &md).with_context(|| format!("writing {}", md_path.display()))?;
        let json = serde_json::json!({
            "model": model,
            "examples": what,
            "fractions": self.fractions(),
            "draws": self.args.draws,
            "preset": self.args.preset,
            "methods": self.methods.iter().zip(cells).map(|(&method, c)| serde_json::json!({
                "method": label(method),
                "uniform": {"auec": c[0].auec, "aoic": c[0].aoic},
                "images": {"auec": c[1].auec, "aoic": c[1].aoic},
            })).collect::<Vec<_>>(),
        });
        let json_path = self.args.out_dir.join(format!("{model}.json"));
        write_stamped_json(&json_path, &json)?;
        if !xai_viz::text_available() {
            eprintln!("no font found: skipping the curve PNGs");
            return Ok(());
        }
        let x: Vec<f32> = self.fractions().iter().map(|&f| f as f32).collect();
        for (k, noise) in ["uniform", "images"].iter().enumerate() {
            for (mode, title, x_label) in [
                ("efs", "EFS-Curve", "ratio of corrupted relevant features"),
                ("ifs", "IFS-Curve", "ratio of corrupted irrelevant features"),
            ] {
                let mut plot =
                    xai_viz::CurvePlot::new(format!("{model}: {title} ({noise})"), x.clone())
                        .x_label(x_label)
                        .y_label("output change g_label")
                        .y_range(0.0, 1.0);
                // The paper's nine curves where they were run, else every method.
                let any_plotted = self.methods.iter().any(|m| PLOTTED.contains(m));
                for (method, c) in self.methods.iter().zip(cells) {
                    if any_plotted && !PLOTTED.contains(method) {
                        continue;
                    }
                    let curves = if mode == "efs" { &c[k].efs } else { &c[k].ifs };
                    let n = curves.len().max(1) as f64;
                    let mean_curve: Vec<f32> = (0..x.len())
                        .map(|j| (curves.iter().map(|y| y[j]).sum::<f64>() / n) as f32)
                        .collect();
                    plot = plot.series(label(*method), mean_curve);
                }
                let path = self.args.out_dir.join(format!("{model}_{mode}_{noise}.png"));
                plot.save_png(&path, 900, 550)?;
                eprintln!("wrote {}", path.display());
            }
        }
        eprintln!("wrote {} and {}", md_path.display(), json_path.display());
        Ok(())
    }
}
