//! `--preset paper` is paper 000's reference code: Grad, IG and LOO on the paper's MNIST CNN
//! give the same 784 scores as `expl_utils.saliency_expl` of the reference repository, on the
//! images of `tests/fixtures/reference_saliency/reference_saliency.json` (made once with
//! `make_fixtures.py` there, from the reference code and its `mnist_cnn.pt`).

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
struct Example {
    index: usize,
    label: usize,
    scores: BTreeMap<String, Vec<f64>>,
}

/// The committed fixtures.
pub fn fixtures() -> Vec<(usize, usize, BTreeMap<String, Vec<f64>>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reference_saliency/reference_saliency.json"
    );
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
