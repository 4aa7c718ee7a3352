//! Train a small CNN on Fashion-MNIST with burn-train's `Learner` and track robustness beside
//! loss and accuracy: every epoch, on a fixed validation subset, the mean estimated minimum
//! adversarial L2 norm (Robustness-S of Hsieh et al. 2021, Eqn. 1, every pixel free) is a
//! regular burn-train metric ([`xai_train::RobustnessMetric`]), next to the percentage of
//! measured rows where an adversarial example was found ([`xai_train::AdversarialFoundMetric`]).
//!
//! ```text
//! cargo run --example train_with_robustness -- [--epochs 2] [--train-size 10000]
//!     [--valid-size 1000] [--robust-rows 8] [--anchored-rows 0] [--batch-size 64] [--seed 0]
//!     [--device flex|ndarray|wgpu] [--artifact-dir DIR] [--data-dir DIR]
//! ```
//!
//! Prints one line per epoch and split (a plain-text renderer, so it also works without a
//! terminal), then the last epoch's validation accuracy and mean minimum adversarial norm.
//! Norms are measured against the true labels, so a misclassified row counts with norm 0.
//!
//! burn-train computes metrics on a worker thread from detached tensors, where no gradient can
//! be taken, so the estimate is made **inside the validation step**
//! ([`xai_train::RobustnessInput::measure`] with the cheap [`xai_attacks::DeepFool`], ~20–30
//! evaluations per row, on the first `--robust-rows` rows of each batch) and only the per-row
//! norms travel to the metric in the step output
//! ([`xai_train::ClassificationWithRobustness`]).
//!
//! With your own training loop there is no need for burn-train: call the plain function on a
//! batch whenever you like,
//!
//! ```ignore
//! let summary = xai_train::mean_min_adversarial_norm(
//!     &|x: Tensor<4>| model.forward(x), // the model in inference mode
//!     images,                           // [rows, 1, 28, 28] in [0, 1]
//!     &labels,                          // rows class indices
//!     &xai_attacks::DeepFool::default(),
//! )?;
//! println!("{:?} over {} of {} rows", summary.mean_norm, summary.found, summary.rows);
//! ```
//!
//! A second, optional metric (`--anchored-rows`, default 0 = off) shows how to track the
//! robustness of an explanation the same way: Robustness-S̄r (Hsieh et al. 2021, Eqn. 3) of the
//! top 20% pixels of the vanilla gradient ([`xai_explain::Grad`]), i.e. the minimum adversarial
//! norm when those pixels are anchored and only the other 80% may move (higher = the gradient
//! found more of what the prediction rests on). A step output can adapt to one
//! [`xai_train::RobustnessInput`] only, so the example wraps the second one in its own input
//! type (`AnchoredInput`) and metric (`AnchoredRobustnessMetric`).

use anyhow::{Context, Result};
use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig, Relu};
use burn::optim::AdamConfig;
use burn::prelude::*;
use burn::tensor::{ExecutionError, TensorReadError};
use burn::train::logger::{EvaluationProgressLogger, TrainingProgressLogger};
use burn::train::metric::{
    AccuracyInput, AccuracyMetric, Adaptor, ItemLazy, LossInput, LossMetric, Metric,
    MetricAttributes, MetricDefinition, MetricId, MetricMetadata, MetricName, Numeric,
    NumericEntry, SerializedEntry,
};
use burn::train::renderer::{
    EvaluationName, MetricState, MetricsRenderer, MetricsRendererEvaluation,
    MetricsRendererTraining,
};
use burn::train::{
    ClassificationOutput, InferenceStep, Learner, SupervisedTraining, TrainOutput, TrainStep,
};
use clap::Parser;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use xai::core::{DeviceChoice, FeatureSpace};
use xai::datasets::{DataDir, registry::load_from};
use xai::explain::{ExplainRequest, Explainer, Grad, RobustnessObjective};
use xai_attacks::{DeepFool, RobustnessEstimator, RobustnessQuery};
use xai_train::input::labels_from_targets;
use xai_train::{
    AdversarialFoundMetric, ClassificationWithRobustness, RobustnessInput, RobustnessMetric,
};

/// Options.
#[derive(Parser, Debug)]
#[command(about = "Train a small CNN on Fashion-MNIST, tracking robustness as a burn-train metric")]
struct Args {
    /// Training epochs.
    #[arg(long, default_value_t = 2)]
    epochs: usize,
    /// Training images: a seeded random subset of the 60,000 (at most 60,000).
    #[arg(long, default_value_t = 10_000)]
    train_size: usize,
    /// Validation images: a seeded random subset of the 10,000 test images, fixed for all
    /// epochs.
    #[arg(long, default_value_t = 1_000)]
    valid_size: usize,
    /// Rows of each validation batch whose minimum adversarial norm is estimated (DeepFool);
    /// 0 turns the robustness metrics off (they then show NaN).
    #[arg(long, default_value_t = 8)]
    robust_rows: usize,
    /// Rows of each validation batch whose Robustness-S̄r of the Grad top-20% pixels is
    /// estimated (1 gradient + DeepFool per row); 0 (default) leaves that metric out.
    #[arg(long, default_value_t = 0)]
    anchored_rows: usize,
    /// Batch size (training and validation).
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Seed of the subsets, the initialisation and the shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Backend: flex, ndarray or wgpu (training runs on its autodiff form).
    #[arg(long, default_value = "flex")]
    device: String,
    /// Where burn-train writes its metric logs and `experiment.log` (default: a folder in the
    /// system's temporary directory).
    #[arg(long)]
    artifact_dir: Option<PathBuf>,
    /// Data directory (default: $BURN_XAI_DATA, else ../shared).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// Number of classes of Fashion-MNIST.
const CLASSES: usize = 10;
/// Side of a Fashion-MNIST image.
const SIDE: usize = 28;
/// The fraction of pixels Grad's relevant set holds for Robustness-S̄r.
const TOP_FRACTION: f64 = 0.2;

// ---------------------------------------------------------------------------------------------
// The model: 2 convolutions with max pooling, then 2 linear layers (as Burn's MNIST example).
// ---------------------------------------------------------------------------------------------

/// A small CNN: conv 3×3 (16) → ReLU → max-pool 2 → conv 3×3 (32) → ReLU → max-pool 2 →
/// linear (128) → ReLU → dropout → linear (10).
#[derive(Module, Debug)]
struct Cnn {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    fc1: Linear,
    fc2: Linear,
    dropout: Dropout,
    activation: Relu,
}

impl Cnn {
    fn new(device: &Device) -> Self {
        Self {
            conv1: Conv2dConfig::new([1, 16], [3, 3]).init(device), // → [16, 26, 26] → pool 13
            conv2: Conv2dConfig::new([16, 32], [3, 3]).init(device), // → [32, 11, 11] → pool 5
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            fc1: LinearConfig::new(32 * 5 * 5, 128).init(device),
            fc2: LinearConfig::new(128, CLASSES).init(device),
            dropout: DropoutConfig::new(0.2).init(),
            activation: Relu::new(),
        }
    }

    /// Logits.
    ///
    /// # Shapes
    /// `[batch, 1, 28, 28]` → `[batch, 10]`
    fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = self.pool.forward(self.activation.forward(self.conv1.forward(images)));
        let x = self.pool.forward(self.activation.forward(self.conv2.forward(x)));
        let x = x.flatten::<2>(1, 3);
        let x = self.dropout.forward(self.activation.forward(self.fc1.forward(x)));
        self.fc2.forward(x)
    }

    fn forward_classification(&self, batch: FashionBatch) -> ClassificationOutput {
        let logits = self.forward(batch.images);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.targets.clone());
        ClassificationOutput::new(loss, logits, batch.targets)
    }
}

/// Time spent estimating robustness in validation steps (nanoseconds), for the final report.
static ROBUSTNESS_NANOS: AtomicU64 = AtomicU64::new(0);

impl TrainStep for Cnn {
    type Input = FashionBatch;
    type Output = ClassificationOutput;

    fn step(&self, batch: FashionBatch) -> TrainOutput<ClassificationOutput> {
        let item = self.forward_classification(batch);
        TrainOutput::new(self, item.loss.backward(), item)
    }
}

impl Cnn {
    /// Robustness-S̄r of Grad's top-20% pixels for each row: explain the row's class with the
    /// vanilla gradient, anchor its top pixels, and estimate the minimum adversarial norm when
    /// only the others may move.
    ///
    /// # Shapes
    /// - images: `[rows, 1, 28, 28]`; targets: `[rows]`
    fn anchored_grad_robustness(
        &self,
        images: Tensor<4>,
        targets: Tensor<1, Int>,
    ) -> xai::core::Result<RobustnessInput> {
        let model = |x: Tensor<4>| self.forward(x);
        let labels = labels_from_targets(targets)?;
        let space = FeatureSpace::pixels(1, SIDE, SIDE)?;
        let request = ExplainRequest::new(images.clone(), labels.clone(), space.clone())?;
        let free = Grad::default()
            .explain(&model, &request)?
            .iter()
            .map(|a| Ok(RobustnessObjective::Anchored.free_set(&a.top_fraction(TOP_FRACTION)?)))
            .collect::<xai::core::Result<Vec<_>>>()?;
        let query = RobustnessQuery::from_masks(images, labels, &free, &space)?;
        Ok(RobustnessInput::from_batch(&DeepFool::default().estimate(&model, &query)?))
    }
}

/// Runs `measure` on the first `rows` rows of a batch (nothing when `rows` is 0), adding its
/// time to [`ROBUSTNESS_NANOS`]; a failed estimate is reported and recorded as no rows.
fn measured(
    rows: usize,
    batch: &FashionBatch,
    measure: impl FnOnce(Tensor<4>, Tensor<1, Int>) -> xai::core::Result<RobustnessInput>,
) -> RobustnessInput {
    if rows == 0 {
        return RobustnessInput::empty();
    }
    let start = Instant::now();
    let result =
        measure(batch.images.clone().narrow(0, 0, rows), batch.targets.clone().narrow(0, 0, rows));
    ROBUSTNESS_NANOS.fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
    result.unwrap_or_else(|e| {
        eprintln!("robustness estimate failed on a batch: {e}");
        RobustnessInput::empty()
    })
}

impl InferenceStep for Cnn {
    type Input = FashionBatch;
    type Output = ValidOutput;

    /// The validation step (the model is in inference mode, on the non-autodiff device): the
    /// usual classification output plus the minimum adversarial norms of the batch's first
    /// `robust_rows` rows, estimated by DeepFool (which takes its own input gradients), and
    /// optionally Robustness-S̄r of Grad's top pixels on the first `anchored_rows` rows.
    fn step(&self, batch: FashionBatch) -> ValidOutput {
        let dims = batch.images.dims();
        let robustness = measured(dims[0].min(batch.robust_rows), &batch, |x, y| {
            RobustnessInput::measure(&|x: Tensor<4>| self.forward(x), x, y, &DeepFool::default())
        });
        let anchored = measured(dims[0].min(batch.anchored_rows), &batch, |x, y| {
            self.anchored_grad_robustness(x, y)
        });
        ValidOutput {
            base: ClassificationWithRobustness::from_classification(
                self.forward_classification(batch),
                robustness,
            ),
            anchored: AnchoredInput(anchored),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A second robustness input and metric: Robustness-S̄r of Grad's top pixels.
// ---------------------------------------------------------------------------------------------

/// The Robustness-S̄r estimates of a step, wrapped so that the step output can adapt to it
/// beside the plain [`RobustnessInput`] (an output adapts to each input type once).
#[derive(Debug, Clone, Default)]
struct AnchoredInput(RobustnessInput);

/// The validation step output: [`ClassificationWithRobustness`] plus the anchored estimates.
struct ValidOutput {
    base: ClassificationWithRobustness,
    anchored: AnchoredInput,
}

impl ItemLazy for ValidOutput {
    fn sync(self) -> std::result::Result<Self, ExecutionError> {
        Ok(Self { base: self.base.sync()?, anchored: self.anchored })
    }
}

impl Adaptor<AccuracyInput> for ValidOutput {
    fn adapt(&self) -> AccuracyInput {
        self.base.adapt()
    }
}

impl Adaptor<LossInput> for ValidOutput {
    fn adapt(&self) -> LossInput {
        self.base.adapt()
    }
}

impl Adaptor<RobustnessInput> for ValidOutput {
    fn adapt(&self) -> RobustnessInput {
        self.base.adapt()
    }
}

impl Adaptor<AnchoredInput> for ValidOutput {
    fn adapt(&self) -> AnchoredInput {
        self.anchored.clone()
    }
}

/// [`RobustnessMetric`] over [`AnchoredInput`]: the epoch's mean Robustness-S̄r of Grad's
/// top-20% pixels (found rows only).
#[derive(Clone)]
struct AnchoredRobustnessMetric(RobustnessMetric);

impl AnchoredRobustnessMetric {
    fn new() -> Self {
        Self(RobustnessMetric::new().with_name("Robustness-S̄r Grad top 20%"))
    }
}

impl Metric for AnchoredRobustnessMetric {
    type Input = AnchoredInput;

    fn name(&self) -> MetricName {
        self.0.name()
    }

    fn description(&self) -> Option<String> {
        Some(
            "Mean minimum adversarial L2 norm with Grad's top 20% pixels anchored (Robustness-S̄r, \
             higher = a better explanation)"
                .to_string(),
        )
    }

    fn attributes(&self) -> MetricAttributes {
        self.0.attributes()
    }

    fn update(
        &mut self,
        item: &AnchoredInput,
        metadata: &MetricMetadata,
    ) -> std::result::Result<SerializedEntry, TensorReadError> {
        self.0.update(&item.0, metadata)
    }

    fn compute(&mut self) -> std::result::Result<SerializedEntry, TensorReadError> {
        self.0.compute()
    }

    fn clear(&mut self) {
        self.0.clear()
    }
}

impl Numeric for AnchoredRobustnessMetric {
    fn value(&self) -> Option<NumericEntry> {
        self.0.value()
    }

    fn running_value(&self) -> Option<NumericEntry> {
        self.0.running_value()
    }

    fn final_value(&self) -> NumericEntry {
        self.0.final_value()
    }
}

// ---------------------------------------------------------------------------------------------
// Data: burn `Dataset` items and a `Batcher`.
// ---------------------------------------------------------------------------------------------

/// One image (`[1, 28, 28]` flattened, values in `[0, 1]`) and its class.
#[derive(Clone, Debug)]
struct FashionItem {
    image: Vec<f32>,
    label: usize,
}

/// A batch: images `[batch, 1, 28, 28]`, targets `[batch]`, and how many leading rows the
/// validation step measures.
#[derive(Clone, Debug)]
struct FashionBatch {
    images: Tensor<4>,
    targets: Tensor<1, Int>,
    robust_rows: usize,
    anchored_rows: usize,
}

/// Stacks items into a [`FashionBatch`].
#[derive(Clone, Debug)]
struct FashionBatcher {
    robust_rows: usize,
    anchored_rows: usize,
}

impl Batcher<FashionItem, FashionBatch> for FashionBatcher {
    fn batch(&self, items: Vec<FashionItem>, device: &Device) -> FashionBatch {
        let n = items.len();
        let mut pixels = Vec::with_capacity(n * SIDE * SIDE);
        let mut labels = Vec::with_capacity(n);
        for item in items {
            pixels.extend_from_slice(&item.image);
            labels.push(item.label as i64);
        }
        FashionBatch {
            images: Tensor::from_data(TensorData::new(pixels, [n, 1, SIDE, SIDE]), device),
            targets: Tensor::from_data(TensorData::new(labels, [n]), device),
            robust_rows: self.robust_rows,
            anchored_rows: self.anchored_rows,
        }
    }
}

/// A seeded random subset of `size` items of a loaded dataset, as a burn dataset.
fn subset(
    data: &xai::datasets::Dataset,
    size: usize,
    seed: u64,
) -> Result<InMemDataset<FashionItem>> {
    anyhow::ensure!(size > 0, "subset size must be at least 1");
    let shape = data.sample_shape();
    anyhow::ensure!(
        shape == [1, SIDE, SIDE],
        "{}: expected [1, 28, 28] images, got {shape:?}",
        data.name()
    );
    let mut indices: Vec<usize> = (0..data.len()).collect();
    indices.shuffle(&mut StdRng::seed_from_u64(seed));
    indices.truncate(size.min(data.len()));
    let items = indices
        .into_iter()
        .map(|i| Ok(FashionItem { image: data.image(i)?.to_vec(), label: data.label(i)? }))
        .collect::<xai::core::Result<Vec<_>>>()?;
    Ok(InMemDataset::new(items))
}

// ---------------------------------------------------------------------------------------------
// A plain-text renderer: one line per split and epoch (works without a terminal).
// ---------------------------------------------------------------------------------------------

/// The epoch values of one split.
#[derive(Debug, Clone, Default)]
struct SplitRecord {
    split: String,
    epoch: usize,
    values: Vec<(String, f64)>,
    elapsed: Duration,
}

impl SplitRecord {
    fn value(&self, name: &str) -> Option<f64> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

/// Prints each split's final metric values when it ends and keeps them for the caller.
struct EpochPrinter {
    names: HashMap<MetricId, String>,
    epoch: usize,
    current: Option<(SplitRecord, Instant)>,
    records: Arc<Mutex<Vec<SplitRecord>>>,
}

impl EpochPrinter {
    fn new(records: Arc<Mutex<Vec<SplitRecord>>>) -> Self {
        Self { names: HashMap::new(), epoch: 1, current: None, records }
    }

    /// Keeps the epoch-level (final) values; per-batch updates are ignored.
    fn record(&mut self, state: MetricState) {
        if let MetricState::Numeric(entry, Some(NumericEntry::Final(value))) = state
            && let Some((record, _)) = &mut self.current
        {
            let name = self
                .names
                .get(&entry.metric_id)
                .cloned()
                .unwrap_or_else(|| format!("{:?}", entry.metric_id));
            record.values.push((name, value));
        }
    }
}

impl MetricsRendererTraining for EpochPrinter {
    fn update_train(&mut self, state: MetricState) {
        self.record(state);
    }

    fn update_valid(&mut self, state: MetricState) {
        self.record(state);
    }
}

impl MetricsRendererEvaluation for EpochPrinter {
    fn update_test(&mut self, _name: EvaluationName, _state: MetricState) {}
}

impl TrainingProgressLogger for EpochPrinter {
    fn start(
        &mut self,
        total: usize,
        starting: usize,
        _items: Option<usize>,
        _label: Option<&str>,
    ) {
        self.epoch = starting.max(1);
        println!("training for {total} epoch(s)");
    }

    fn update_epoch(&mut self, epoch: usize) {
        self.epoch = epoch + 1;
    }

    fn start_split(&mut self, split: &str, total_items: usize) {
        let record =
            SplitRecord { split: split.to_string(), epoch: self.epoch, ..Default::default() };
        println!("epoch {} {split}: {total_items} items…", self.epoch);
        self.current = Some((record, Instant::now()));
    }

    fn update_split(&mut self, _items_processed: usize) {}

    fn end_split(&mut self) {
        if let Some((mut record, start)) = self.current.take() {
            record.elapsed = start.elapsed();
            let values: Vec<String> =
                record.values.iter().map(|(n, v)| format!("{n} {v:.4}")).collect();
            println!(
                "epoch {} {} ({:.1} s): {}",
                record.epoch,
                record.split,
                record.elapsed.as_secs_f64(),
                values.join(", ")
            );
            self.records.lock().expect("records lock").push(record);
        }
    }

    fn end(&mut self) {}

    fn log_event_training(&mut self, _event: String) {}
}

impl EvaluationProgressLogger for EpochPrinter {
    fn start_global_progress(&mut self, _total_tests: usize) {}
    fn start_test(&mut self, _name: &str, _total_items: usize) {}
    fn update_test_progress(&mut self, _items_processed: usize) {}
    fn end_test(&mut self) {}
    fn end_global_progress(&mut self) {}
    fn log_event_evaluation(&mut self, _event: String) {}
}

impl MetricsRenderer for EpochPrinter {
    fn manual_close(&mut self) {}

    fn register_metric(&mut self, definition: MetricDefinition) {
        self.names.insert(definition.metric_id, definition.name.to_string());
    }
}

// ---------------------------------------------------------------------------------------------

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
    anyhow::ensure!(
        args.epochs > 0 && args.batch_size > 0,
        "--epochs and --batch-size must be positive"
    );
    let wall = Instant::now();
    let device = args.device.parse::<DeviceChoice>()?.device()?;
    let artifact_dir = args
        .artifact_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("burn-xai-train-with-robustness"));
    std::fs::create_dir_all(&artifact_dir)
        .with_context(|| format!("creating {}", artifact_dir.display()))?;

    let data_dir = DataDir::resolve(args.data_dir.as_deref());
    let train =
        load_from("fashion-mnist-train", &data_dir).context("loading fashion-mnist-train")?;
    let test = load_from("fashion-mnist-test", &data_dir).context("loading fashion-mnist-test")?;
    let train = subset(&train, args.train_size, args.seed)?;
    let valid = subset(&test, args.valid_size, args.seed.wrapping_add(1))?;
    use burn::data::dataset::Dataset as _;
    println!(
        "Fashion-MNIST: {} training and {} validation images; robustness on the first {} rows \
         of each validation batch of {} (DeepFool, L2), loaded in {:.1} s",
        train.len(),
        valid.len(),
        args.robust_rows,
        args.batch_size,
        wall.elapsed().as_secs_f64()
    );

    // The learner trains on the autodiff form of the device; validation runs on its inner
    // (non-autodiff) form, where DeepFool enables gradients on its own inputs.
    device.seed(args.seed);
    let autodiff_device = device.clone().autodiff();
    let model = Cnn::new(&autodiff_device);

    let dataloader_train =
        DataLoaderBuilder::new(FashionBatcher { robust_rows: 0, anchored_rows: 0 })
            .batch_size(args.batch_size)
            .shuffle(args.seed)
            .build(train);
    // Not shuffled: the measured rows are the same every epoch.
    let dataloader_valid = DataLoaderBuilder::new(FashionBatcher {
        robust_rows: args.robust_rows,
        anchored_rows: args.anchored_rows,
    })
    .batch_size(args.batch_size)
    .build(valid);

    let records = Arc::new(Mutex::new(Vec::new()));
    let mut training = SupervisedTraining::new(&artifact_dir, dataloader_train, dataloader_valid)
        .metrics((AccuracyMetric::new(), LossMetric::new()))
        .metric_valid_numeric(RobustnessMetric::new())
        .metric_valid_numeric(AdversarialFoundMetric::new())
        .renderer(Box::new(EpochPrinter::new(records.clone())))
        .num_epochs(args.epochs);
    if args.anchored_rows > 0 {
        training = training.metric_valid_numeric(AnchoredRobustnessMetric::new());
    }
    let result = training.launch(Learner::new(model, AdamConfig::new().init(), 1e-3));
    if let Some(error) = &result.error {
        anyhow::bail!("training stopped: {error}");
    }

    let records = records.lock().expect("records lock").clone();
    let last_valid = records
        .iter()
        .rev()
        .find(|r| r.split == "valid")
        .context("no validation epoch was recorded")?;
    let robustness = RobustnessMetric::new().name().to_string();
    let found = AdversarialFoundMetric::new().name().to_string();
    let fmt = |v: Option<f64>, unit: &str| match v {
        Some(v) if v.is_finite() => format!("{v:.4}{unit}"),
        _ => "n/a".to_string(),
    };
    println!(
        "final (epoch {}) validation: accuracy {}, mean min adversarial L2 norm {} ({} of \
         measured rows found)",
        last_valid.epoch,
        fmt(last_valid.value("Accuracy"), " %"),
        fmt(last_valid.value(&robustness), ""),
        fmt(last_valid.value(&found), " %"),
    );
    if args.anchored_rows > 0 {
        println!(
            "final validation Robustness-S̄r of Grad's top {:.0}% pixels: {}",
            100.0 * TOP_FRACTION,
            fmt(last_valid.value(&AnchoredRobustnessMetric::new().name()), "")
        );
    }
    println!(
        "wall time {:.1} s, of which {:.1} s estimating robustness; logs in {}",
        wall.elapsed().as_secs_f64(),
        Duration::from_nanos(ROBUSTNESS_NANOS.load(Ordering::Relaxed)).as_secs_f64(),
        artifact_dir.display()
    );
    Ok(())
}
