//! Model randomisation for the sanity check (Hsieh et al. 2021, appendix I; Adebayo et al.
//! 2018): only the chosen layers change, seeded, and gradients of the last-layer-randomised
//! `mnist-cnn` no longer rank pixels like those of the trained one.

use crate::common;

use burn::tensor::{Device, Tensor};
use std::collections::BTreeMap;
use xai::core::FeatureSpace;
use xai::core::host::to_vec_f32;
use xai::datasets::{DataDir, registry};
use xai::explain::{ExplainRequest, Grad};
use xai::metrics::sanity_check;
use xai::zoo::{ModelName, NamedParameter, Randomization, ZooModel};

fn by_path(params: Vec<NamedParameter>) -> BTreeMap<String, NamedParameter> {
    params.into_iter().map(|p| (p.path.clone(), p)).collect()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Asserts that exactly the parameters of `changed` layers differ between `a` and `b` (the
/// others bit for bit equal), and that re-drawn weights keep the trained weights' scale.
fn only_layers_changed(a: &ZooModel, b: &ZooModel, changed: &[&str]) {
    let (pa, pb) = (by_path(a.parameters().unwrap()), by_path(b.parameters().unwrap()));
    assert_eq!(pa.keys().collect::<Vec<_>>(), pb.keys().collect::<Vec<_>>());
    for (path, x) in &pa {
        let y = &pb[path];
        assert_eq!(x.shape, y.shape, "{path}");
        let layer = path.split('.').next().unwrap();
        if changed.contains(&layer) {
            let same = x.values.iter().zip(&y.values).filter(|(p, q)| p == q).count();
            assert!(same * 100 < x.values.len().max(2), "{path}: {same} values unchanged");
            if path.ends_with("weight") {
                let std = |v: &[f32]| {
                    let n = v.len() as f64;
                    let m = v.iter().map(|&t| t as f64).sum::<f64>() / n;
                    (v.iter().map(|&t| (t as f64 - m).powi(2)).sum::<f64>() / n).sqrt()
                };
                let (sx, sy) = (std(&x.values), std(&y.values));
                assert!((sy / sx - 1.0).abs() < 0.1, "{path}: std {sy} vs trained {sx}");
            }
        } else {
            assert_eq!(bits(&x.values), bits(&y.values), "{path} must be untouched");
        }
    }
}

fn logits(model: &ZooModel, x: Tensor<4>) -> Vec<f32> {
    to_vec_f32(model.try_logits(x).unwrap()).unwrap()
}

#[test]
fn randomizing_mnist_cnn_changes_only_the_chosen_layers_seeded() {
    common::ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    assert_eq!(model.parameterised_layers(), ["conv2d1", "conv2d2", "linear1", "linear2"]);
    let data = registry::load_from("mnist-test", &DataDir::resolve(None)).unwrap();
    let x = data.batch_tensor(&[0, 1, 2, 3, 4, 5, 6, 7], &device).unwrap();
    let trained = logits(&model, x.clone());

    let last = model.randomized(Randomization::Last, 1).unwrap();
    only_layers_changed(&model, &last, &["linear2"]);
    let randomized = logits(&last, x.clone());
    let gap = trained.iter().zip(&randomized).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    assert!(gap > 0.5, "the logits barely moved: {gap}");
    assert_eq!(model.randomized(Randomization::Cascade(1), 1).unwrap().parameters().unwrap(), {
        last.parameters().unwrap()
    });

    // Seeded: the same seed gives the same model, another seed another one.
    assert_eq!(bits(&logits(&model.randomized(Randomization::Last, 1).unwrap(), x.clone())), {
        bits(&randomized)
    });
    assert_ne!(logits(&model.randomized(Randomization::Last, 2).unwrap(), x.clone()), randomized);

    // Cascade(2) also re-draws linear1, and (nested cascades) the same linear2 as `Last`.
    let cascade = model.randomized(Randomization::Cascade(2), 1).unwrap();
    only_layers_changed(&model, &cascade, &["linear1", "linear2"]);
    let (pc, pl) = (by_path(cascade.parameters().unwrap()), by_path(last.parameters().unwrap()));
    assert_eq!(bits(&pc["linear2.weight"].values), bits(&pl["linear2.weight"].values));
    assert_ne!(logits(&cascade, x.clone()), randomized);
    let all = model.randomized(Randomization::Cascade(4), 1).unwrap();
    only_layers_changed(&model, &all, &["conv2d1", "conv2d2", "linear1", "linear2"]);

    // n = 0 or more layers than the model has are errors.
    assert!(model.randomized(Randomization::Cascade(0), 1).is_err());
    assert!(model.randomized(Randomization::Cascade(5), 1).is_err());
}

#[test]
fn randomizing_efficientnet_lite0_rewrites_its_classifier() {
    common::ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::EfficientNetLite0, &device).unwrap();
    let layers = model.parameterised_layers();
    assert_eq!(layers.len(), 50, "{layers:?}");
    assert_eq!(layers.last().unwrap(), "linear1");
    let last = model.randomized(Randomization::Last, 7).unwrap();
    only_layers_changed(&model, &last, &["linear1"]);
    let [c, h, w] = model.info().input_shape;
    let x: Tensor<4> = Tensor::full([1, c, h, w], 0.5, &device);
    assert_ne!(logits(&model, x.clone()), logits(&last, x));
    let cascade = model.randomized(Randomization::Cascade(3), 7).unwrap();
    only_layers_changed(&model, &cascade, &["conv2d48", "conv2d49", "linear1"]);
    assert!(model.randomized(Randomization::Cascade(51), 7).is_err());
}

/// The figure for the comparison with paper 000's Table 7: mean Spearman ρ between Grad maps of
/// the trained and the last-layer-randomised `mnist-cnn` on 4 test images.
#[test]
fn grad_fails_to_match_after_last_layer_randomization() {
    common::ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    let data = registry::load_from("mnist-test", &DataDir::resolve(None)).unwrap();
    let x = data.batch_tensor(&[0, 1, 2, 3], &device).unwrap();
    let space = FeatureSpace::pixels(1, 28, 28).unwrap();
    let (request, _) = ExplainRequest::predicted(&model, x, space).unwrap();
    for (how, bound) in [(Randomization::Last, 0.9), (Randomization::Cascade(2), 0.9)] {
        let randomized = model.randomized(how, 0).unwrap();
        let report = sanity_check(&Grad::default(), &model, &randomized, &request).unwrap();
        println!(
            "sanity check, grad, mnist-cnn, {how:?}: mean Spearman rho {:.4} (per example {:?})",
            report.mean, report.per_example
        );
        assert!(report.mean < bound, "{how:?}: mean rho {} >= {bound}", report.mean);
        assert!(report.per_example.iter().all(|r| (-1.0..=1.0).contains(r)));
        assert_eq!(report.cost.forward, 8);
        assert_eq!(report.cost.backward, 8);
    }
}
