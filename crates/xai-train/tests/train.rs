//! Tests of the burn-train bridge: metric arithmetic, adaptors and the closed form on a
//! linear model. All test names start with `xai_train_`.

use burn::data::dataloader::Progress;
use burn::module::Param;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use burn::train::InferenceStep;
use burn::train::metric::{
    AccuracyInput, AccuracyMetric, Adaptor, ItemLazy, LossInput, LossMetric, Metric,
    MetricMetadata, Numeric,
};
use xai_attacks::{DeepFool, Fmn};
use xai_core::Norm;
use xai_core::host::from_vec_f32;
use xai_train::input::labels_from_targets;
use xai_train::{
    AdversarialFoundMetric, ClassificationWithRobustness, RobustnessInput, RobustnessMetric,
    mean_min_adversarial_norm,
};

fn metadata() -> MetricMetadata {
    MetricMetadata { progress: Progress::new(1, 1, None), iteration: Some(0), lr: None }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn xai_train_metric_running_mean_and_clear() {
    let mut metric = RobustnessMetric::new();
    let mut found = AdversarialFoundMetric::new();
    assert_eq!(metric.name().as_str(), "Min Adversarial L2 Norm");
    assert_eq!(RobustnessMetric::for_norm(Norm::Linf).name().as_str(), "Min Adversarial Linf Norm");
    // Found rows 0.1, 0.3 (the 9.0 fallback row is excluded), then 0.5 (the +inf row excluded).
    let first = RobustnessInput::new(vec![0.1, 0.3, 9.0], vec![true, true, false]).unwrap();
    let second = RobustnessInput::new(vec![0.5, f32::INFINITY], vec![true, false]).unwrap();
    for input in [&first, &second] {
        metric.update(input, &metadata()).unwrap();
        found.update(input, &metadata()).unwrap();
    }
    let mean = (0.1f32 as f64 + 0.3f32 as f64 + 0.5f32 as f64) / 3.0;
    assert!(close(metric.value().unwrap().current(), 0.5f32 as f64));
    assert!(close(metric.running_value().unwrap().current(), mean));
    assert!(close(found.running_value().unwrap().current(), 60.0));
    // A step that measured nothing leaves the epoch values alone.
    metric.update(&RobustnessInput::empty(), &metadata()).unwrap();
    found.update(&RobustnessInput::empty(), &metadata()).unwrap();
    assert!(close(metric.running_value().unwrap().current(), mean));
    assert!(close(found.running_value().unwrap().current(), 60.0));
    let entry = metric.compute().unwrap();
    assert!(entry.formatted.starts_with("epoch 0.300"), "{}", entry.formatted);
    assert!(close(metric.final_value().current(), mean));
    assert!(close(found.final_value().current(), 60.0));

    metric.clear();
    found.clear();
    assert!(metric.running_value().unwrap().current().is_nan());
    metric.update(&second, &metadata()).unwrap();
    found.update(&second, &metadata()).unwrap();
    assert!(close(metric.running_value().unwrap().current(), 0.5f32 as f64));
    assert!(close(found.running_value().unwrap().current(), 50.0));

    // Invalid inputs are errors, not panics.
    assert!(RobustnessInput::new(vec![0.1], vec![true, false]).is_err());
    assert!(RobustnessInput::new(vec![f32::NAN], vec![true]).is_err());
    assert!(RobustnessInput::new(vec![f32::NAN], vec![false]).is_ok());
    let device = Device::flex();
    let negative: Tensor<1, Int> = Tensor::from_data(TensorData::new(vec![1i64, -1], [2]), &device);
    assert!(labels_from_targets(negative).is_err());
}

#[test]
fn xai_train_adaptors_carry_the_values() {
    let device = Device::flex();
    let logits: Tensor<2> =
        Tensor::from_data(TensorData::new(vec![0.1f32, 0.9, 0.8, 0.2], [2, 2]), &device);
    let targets: Tensor<1, Int> = Tensor::from_data(TensorData::new(vec![1i64, 1], [2]), &device);
    let loss: Tensor<1> = Tensor::from_data(TensorData::new(vec![0.25f32], [1]), &device);
    let robustness = RobustnessInput::new(vec![0.2, 0.4], vec![true, true]).unwrap();
    let output = ClassificationWithRobustness::new(loss, logits, targets, robustness.clone())
        .sync()
        .unwrap();

    let mut accuracy = AccuracyMetric::new();
    accuracy.update(&Adaptor::<AccuracyInput>::adapt(&output), &metadata()).unwrap();
    assert!(close(accuracy.value().unwrap().current(), 50.0));
    let mut loss_metric = LossMetric::new();
    loss_metric.update(&Adaptor::<LossInput>::adapt(&output), &metadata()).unwrap();
    assert!(close(loss_metric.value().unwrap().current(), 0.25));
    let adapted: RobustnessInput = output.adapt();
    assert_eq!(adapted, robustness);
    let mut metric = RobustnessMetric::new();
    metric.update(&adapted, &metadata()).unwrap();
    assert!(close(metric.value().unwrap().current(), (0.2f32 as f64 + 0.4f32 as f64) / 2.0));
}

/// A native Burn linear layer computing logits `[0, w·x + b]` with `b` such that the input
/// `x = 0.5` lies at distance 0.05 from the boundary (the box stays inactive).
fn linear_binary(d: usize, device: &Device) -> (Linear, Vec<f32>) {
    let w: Vec<f32> =
        (0..d).map(|i| (0.3 + 0.11 * i as f32) * if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
    let norm = w.iter().map(|v| v * v).sum::<f32>().sqrt();
    let b = -0.5 * w.iter().sum::<f32>() + 0.05 * norm;
    let mut cols = vec![0.0f32; d * 2];
    for (i, wi) in w.iter().enumerate() {
        cols[i * 2 + 1] = *wi;
    }
    let mut linear = LinearConfig::new(d, 2).init(device);
    linear.weight = Param::from_tensor(from_vec_f32(cols, [d, 2], device).unwrap());
    linear.bias = Some(Param::from_tensor(from_vec_f32(vec![0.0, b], [2], device).unwrap()));
    (linear, w)
}

#[test]
fn xai_train_mean_norm_matches_the_closed_form() {
    let device = Device::flex();
    let d = 16;
    let (linear, w) = linear_binary(d, &device);
    let model = |x: Tensor<2>| linear.forward(x);
    let norm = w.iter().map(|v| v * v).sum::<f32>().sqrt();
    // Rows x = 0.5 + t·w/‖w‖: distance |w·x + b| / ‖w‖ = 0.05 + t.
    let offsets = [0.0f32, 0.02, 0.05];
    let rows: Vec<f32> =
        offsets.iter().flat_map(|t| w.iter().map(move |wi| 0.5 + t * wi / norm)).collect();
    let inputs = from_vec_f32(rows.clone(), [offsets.len(), d], &device).unwrap();
    let closed_form: Vec<f64> = (0..offsets.len())
        .map(|k| {
            let x = &rows[k * d..(k + 1) * d];
            let score: f32 = w.iter().zip(x).map(|(a, b)| a * b).sum::<f32>()
                + (-0.5 * w.iter().sum::<f32>() + 0.05 * norm);
            (score.abs() / norm) as f64
        })
        .collect();
    let expected = closed_form.iter().sum::<f64>() / closed_form.len() as f64;
    assert!((expected - (0.05 + 0.07 + 0.10) / 3.0).abs() < 1e-3);

    let labels = vec![1usize; offsets.len()];
    let fmn = mean_min_adversarial_norm(&model, inputs.clone(), &labels, &Fmn::default()).unwrap();
    let deepfool =
        mean_min_adversarial_norm(&model, inputs.clone(), &labels, &DeepFool::default()).unwrap();
    for (name, summary) in [("fmn", &fmn), ("deepfool", &deepfool)] {
        let mean = summary.mean_norm.unwrap();
        eprintln!("{name}: mean {mean:.6} vs closed form {expected:.6}, cost {:?}", summary.cost);
        assert!((mean - expected).abs() <= 0.01 * expected, "{mean} vs {expected}");
        assert_eq!((summary.rows, summary.found), (3, 3));
        assert!(close(summary.found_fraction, 1.0));
        assert_eq!(summary.norm, Norm::L2);
        assert!(summary.cost.forward > 0 && summary.cost.backward > 0);
    }

    // The in-step form gives the same numbers from an integer target tensor.
    let targets: Tensor<1, Int> =
        Tensor::from_data(TensorData::new(vec![1i64; offsets.len()], [offsets.len()]), &device);
    let input = RobustnessInput::measure(&model, inputs, targets, &DeepFool::default()).unwrap();
    let mean = input.mean_found_norm().unwrap();
    assert!((mean - expected).abs() <= 0.01 * expected, "{mean} vs {expected}");
    let mut metric = RobustnessMetric::new();
    metric.update(&input, &metadata()).unwrap();
    assert!(close(metric.value().unwrap().current(), mean));

    // Mismatched labels are an error.
    let two = from_vec_f32(vec![0.5; 2 * d], [2, d], &device).unwrap();
    assert!(mean_min_adversarial_norm(&model, two, &[1], &Fmn::default()).is_err());
}

/// A validation step that measures robustness on its batch, as a user would write it.
struct Probe {
    linear: Linear,
}

impl InferenceStep for Probe {
    type Input = (Tensor<2>, Tensor<1, Int>);
    type Output = ClassificationWithRobustness;

    fn step(&self, (inputs, targets): Self::Input) -> ClassificationWithRobustness {
        let logits = self.linear.forward(inputs.clone());
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), targets.clone());
        let model = |x: Tensor<2>| self.linear.forward(x);
        let robustness =
            RobustnessInput::measure(&model, inputs, targets.clone(), &DeepFool::default())
                .unwrap_or_else(|_| RobustnessInput::empty());
        ClassificationWithRobustness::new(loss, logits, targets, robustness)
    }
}

/// The bound `SupervisedTraining::metric_valid_numeric` puts on a metric and a step output.
fn registrable<S: InferenceStep, Me: Metric + Numeric + 'static>(_: &S, _: &Me)
where
    S::Output: Adaptor<Me::Input>,
{
}

#[test]
fn xai_train_inference_step_feeds_the_metrics() {
    let device = Device::flex();
    let d = 16;
    let (linear, w) = linear_binary(d, &device);
    let probe = Probe { linear };
    let mut robustness = RobustnessMetric::new();
    let mut found = AdversarialFoundMetric::new();
    let mut accuracy = AccuracyMetric::new();
    registrable(&probe, &robustness);
    registrable(&probe, &found);
    registrable(&probe, &accuracy);
    registrable(&probe, &LossMetric::new());

    let inputs = from_vec_f32(vec![0.5; 2 * d], [2, d], &device).unwrap();
    let targets: Tensor<1, Int> = Tensor::from_data(TensorData::new(vec![1i64, 1], [2]), &device);
    let output = probe.step((inputs, targets)).sync().unwrap();
    robustness.update(&output.adapt(), &metadata()).unwrap();
    found.update(&output.adapt(), &metadata()).unwrap();
    accuracy.update(&output.adapt(), &metadata()).unwrap();
    assert!(close(accuracy.value().unwrap().current(), 100.0));
    assert!(close(found.value().unwrap().current(), 100.0));
    let mean = robustness.value().unwrap().current();
    assert!(
        (mean - 0.05).abs() <= 0.01 * 0.05,
        "{mean} vs the closed form 0.05 ({} weights)",
        w.len()
    );
}
