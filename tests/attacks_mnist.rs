//! The two minimum-norm estimators on the paper's own network: they agree, and every
//! adversarial example they return passes an independent check written here.

mod common;

use burn::tensor::{Device, Tensor};
use xai::attacks::{BisectionSearch, Fmn, RobustnessEstimator, RobustnessQuery};
use xai::core::classifier::argmax_rows;
use xai::core::host::to_vec_f32;
use xai::core::{FeatureMask, FeatureSpace, seed};
use xai::datasets::{DataDir, registry};
use xai::zoo::{ModelName, ZooModel};

#[test]
#[ignore = "open in issue 4: masked FMN misses some mnist-cnn masks that bisection-PGD breaks (run with --ignored)"]
fn bisection_pgd_and_fmn_agree_on_mnist_cnn_and_examples_verify() {
    common::ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    let data = registry::load_from("mnist-test", &DataDir::resolve(None)).unwrap();
    let space = FeatureSpace::pixels(1, 28, 28).unwrap();
    let mut rng = seed::rng(7);
    let (mut ratios, mut cost_pgd, mut cost_fmn) = (Vec::new(), 0u64, 0u64);
    for index in [0usize, 1, 2] {
        let masks: Vec<FeatureMask> =
            (0..20).map(|_| FeatureMask::bernoulli(784, 0.8, &mut rng).unwrap()).collect();
        let x = data.batch_tensor(&[index], &device).unwrap();
        let label = data.label(index).unwrap();
        let query = RobustnessQuery::one_input(x.clone(), label, &masks, &space).unwrap();
        let pgd = BisectionSearch::paper().estimate(&model, &query).unwrap();
        let fmn = Fmn::default().estimate(&model, &query).unwrap();
        cost_pgd += pgd.cost.total();
        cost_fmn += fmn.cost.total();
        for (name, result) in [("bisection-pgd", &pgd), ("fmn", &fmn)] {
            check_examples(name, &model, &x, label, &masks, &space, result);
        }
        for (a, b) in pgd.rows.iter().zip(&fmn.rows) {
            assert!(a.found && b.found, "image {index}: both must find an example:\n{a:?}\n{b:?}");
            ratios.push(b.estimate / a.estimate);
        }
    }
    let mean = ratios.iter().sum::<f32>() / ratios.len() as f32;
    println!("fmn / bisection-pgd: mean ratio {mean:.4}, evaluations {cost_fmn} vs {cost_pgd}");
    for r in &ratios {
        assert!(
            (r - 1.0).abs() <= 0.05,
            "estimates differ by more than 5%: ratio {r} (all: {ratios:?})"
        );
    }
    assert!(cost_fmn * 5 < cost_pgd, "fmn must be much cheaper: {cost_fmn} vs {cost_pgd}");
}

/// Independent verification: misclassified, norm within the estimate, zero outside the free
/// pixels, inside [0, 1].
fn check_examples(
    name: &str,
    model: &ZooModel,
    x: &Tensor<4>,
    label: usize,
    masks: &[FeatureMask],
    space: &FeatureSpace,
    result: &xai::attacks::RobustnessBatch<4>,
) {
    use xai::core::Classifier;
    let adv = result.adversarial.clone();
    let preds = argmax_rows(model.logits(adv.clone())).unwrap();
    let adv = to_vec_f32(adv).unwrap();
    let clean = to_vec_f32(x.clone()).unwrap();
    for (i, (row, mask)) in result.rows.iter().zip(masks).enumerate() {
        if !row.found {
            continue; // Not claimed: holds the clean input; `found` is asserted by the caller.
        }
        let a = &adv[i * 784..(i + 1) * 784];
        let free = space.expand_host(&mask.to_f32()).unwrap();
        let delta: Vec<f32> = a.iter().zip(&clean).map(|(p, q)| p - q).collect();
        let norm = delta.iter().map(|d| d * d).sum::<f32>().sqrt();
        assert_ne!(preds[i], label, "{name} mask {i}: not adversarial");
        assert!(
            norm <= row.estimate * (1.0 + 1e-4) + 1e-5,
            "{name} mask {i}: norm {norm} > {}",
            row.estimate
        );
        assert!(
            delta.iter().zip(&free).all(|(d, f)| *f == 1.0 || d.abs() <= 1e-6),
            "{name} mask {i}: moved a fixed pixel"
        );
        assert!(a.iter().all(|v| (0.0..=1.0).contains(v)), "{name} mask {i}: left the box");
    }
}
