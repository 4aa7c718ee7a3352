//! Paper 000's protocol against its reference code, on the fixtures of `tests/fixtures/reference/`
//! (made once by `make_fixtures.py` there, from the reference repository and its `mnist_cnn.pt`):
//! `--preset paper`'s Grad, IG and LOO give the same 784 scores as `expl_utils.saliency_expl`,
//! and `bisection-pgd` the same robustness estimates as `expl_utils.evaluate_robustness`.

use crate::common;
use serde::Deserialize;
use std::collections::BTreeMap;
use xai::core::FeatureSpace;
use xai::explain::{AnyExplainer, ExplainRequest, Explainer, Method, MethodOptions, Preset};

#[derive(Deserialize)]
struct Fixtures {
    examples: Vec<Example>,
}

#[derive(Deserialize)]
struct RobustnessFixtures {
    examples: Vec<RobustnessExample>,
}

#[derive(Deserialize)]
struct RobustnessExample {
    index: usize,
    label: usize,
    /// One string of 784 '0'/'1' per mask: '1' = anchored (held fixed).
    anchors: Vec<String>,
    estimates: Vec<f64>,
    found: Vec<bool>,
}

#[derive(Deserialize)]
struct Example {
    index: usize,
    label: usize,
    scores: BTreeMap<String, Vec<f64>>,
}

/// The committed fixtures.
pub fn fixtures() -> Vec<(usize, usize, BTreeMap<String, Vec<f64>>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference/saliency.json");
    let text = std::fs::read_to_string(path).unwrap();
    let f: Fixtures = serde_json::from_str(&text).unwrap();
    f.examples.into_iter().map(|e| (e.index, e.label, e.scores)).collect()
}

/// max |ours − reference| / max |reference|.
pub fn relative_deviation(ours: &[f32], reference: &[f64]) -> f64 {
    assert_eq!(ours.len(), reference.len());
    let scale = reference.iter().fold(0f64, |m, v| m.max(v.abs()));
    let dev = ours.iter().zip(reference).fold(0f64, |m, (a, b)| m.max((*a as f64 - b).abs()));
    dev / scale
}

#[test]
fn paper_preset_grad_ig_loo_equal_the_reference_code() {
    let (model, data, device) = common::mnist_cnn();
    let options = MethodOptions { preset: Preset::Paper, ..Default::default() };
    let examples = fixtures();
    assert_eq!(examples.len(), 5);
    for method in [Method::Grad, Method::IntegratedGradients, Method::Loo] {
        let explainer = AnyExplainer::<4>::new(method, &options).unwrap();
        let mut worst = 0f64;
        for (index, label, scores) in &examples {
            let x = data.batch_tensor(&[*index], &device).unwrap();
            let space = FeatureSpace::pixels(1, 28, 28).unwrap();
            let request = ExplainRequest::new(x, vec![*label], space).unwrap();
            let ours = explainer.explain(&model, &request).unwrap().pop().unwrap();
            let reference = &scores[method.name()];
            let dev = relative_deviation(&ours.scores, reference);
            worst = worst.max(dev);
            assert!(
                dev <= 1e-4,
                "{method} on image {index}: max |Δ| = {dev:.2e} of the largest score"
            );
        }
        println!(
            "{method}: max |Δ| over {} images = {worst:.2e} of the largest score",
            examples.len()
        );
    }
}

/// The standard preset keeps the textbook forms, so it does not reproduce the reference's IG
/// and LOO (a check that the comparison above can fail).
#[test]
fn standard_preset_ig_and_loo_differ_from_the_reference_code() {
    let (model, data, device) = common::mnist_cnn();
    let (index, label, scores) = fixtures().remove(0);
    let x = data.batch_tensor(&[index], &device).unwrap();
    let request =
        ExplainRequest::new(x, vec![label], FeatureSpace::pixels(1, 28, 28).unwrap()).unwrap();
    for method in [Method::IntegratedGradients, Method::Loo] {
        let explainer = AnyExplainer::<4>::new(method, &MethodOptions::default()).unwrap();
        let ours = explainer.explain(&model, &request).unwrap().pop().unwrap();
        let dev = relative_deviation(&ours.scores, &scores[method.name()]);
        assert!(dev > 0.1, "{method}: standard is the textbook form, {dev:.2e}");
    }
}

/// `bisection-pgd` (the paper's estimator: bisection over 100-step L2 PGD of step 1.0 on the
/// label logit) gives the reference's `evaluate_robustness` on the same anchor masks: both are
/// deterministic, so they agree up to float noise near a bisection decision.
#[test]
fn bisection_pgd_equals_the_reference_code_on_given_masks() {
    use xai::attacks::{BisectionSearch, RobustnessEstimator, RobustnessQuery};
    use xai::core::FeatureMask;
    let (model, data, device) = common::mnist_cnn();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/reference/robustness.json");
    let fixtures: RobustnessFixtures =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let space = FeatureSpace::pixels(1, 28, 28).unwrap();
    let estimator = BisectionSearch::paper();
    let (mut deviations, mut worst) = (Vec::new(), 0f64);
    for example in &fixtures.examples {
        let x = data.batch_tensor(&[example.index], &device).unwrap();
        // The reference's anchors are held fixed: our masks mark the free pixels.
        let free: Vec<FeatureMask> = example
            .anchors
            .iter()
            .map(|a| FeatureMask::from_bits(a.bytes().map(|b| b == b'0').collect()))
            .collect();
        let query = RobustnessQuery::one_input(x, example.label, &free, &space).unwrap();
        let ours = estimator.estimate(&model, &query).unwrap();
        assert_eq!(ours.found(), example.found, "image {}", example.index);
        for (a, b) in ours.estimates().iter().zip(&example.estimates) {
            let dev = (*a as f64 - b).abs() / b;
            worst = worst.max(dev);
            deviations.push(dev);
        }
    }
    deviations.sort_by(f64::total_cmp);
    let median = deviations[deviations.len() / 2];
    println!(
        "bisection-pgd vs reference on {} masks: median relative deviation {median:.2e}, max {worst:.2e}",
        deviations.len()
    );
    assert!(worst <= 0.01, "max relative deviation {worst:.3e} over 1%");
    assert!(median <= 1e-4, "median relative deviation {median:.3e}: not the same algorithm");
}
