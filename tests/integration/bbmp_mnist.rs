//! BBMP (Fong & Vedaldi 2017) with its default settings on mnist-cnn's most confident test
//! digits: the map is not degenerate, and deleting its top 20% lowers the class logit more
//! than deleting a random 20%. From the old start `m = 1` the saturated softmax gave all-zero
//! maps (the ranking was the index order) on these same digits.

use crate::common;
use burn::tensor::{Device, Tensor};
use xai::core::host::{from_vec_f32, to_vec_f32};
use xai::core::{Attribution, Classifier, FeatureSpace, seed};
use xai::datasets::{DataDir, registry};
use xai::explain::{Bbmp, BbmpConfig, ExplainRequest, Explainer, RandomAttribution};
use xai::zoo::{ModelName, ZooModel};

/// Test digits whose logit margin is largest (class logits 18 to 27).
const IMAGES: [usize; 5] = [0, 1, 3, 7, 10];

/// Each row's logit for its explained class after its top `fraction` of features is replaced
/// by `reference`.
fn logits_after_deletion<M: Classifier<4>>(
    model: &M,
    x: &Tensor<4>,
    reference: &Tensor<4>,
    maps: &[Attribution],
    space: &FeatureSpace,
    fraction: f64,
) -> Vec<f32> {
    let mut keep = Vec::new();
    for map in maps {
        let deleted = map.top_fraction(fraction).unwrap();
        keep.extend(deleted.bits().iter().map(|&d| if d { 0.0f32 } else { 1.0 }));
    }
    let keep: Tensor<2> =
        from_vec_f32(keep, [maps.len(), space.n_features()], &x.device()).unwrap();
    let keep: Tensor<4> = space.expand(keep).unwrap();
    let deleted = reference.clone() + (x.clone() - reference.clone()) * keep;
    let logits = to_vec_f32(model.logits(deleted)).unwrap();
    let k = logits.len() / maps.len();
    maps.iter().enumerate().map(|(i, m)| logits[i * k + m.target]).collect()
}

/// Number of distinct scores (to 1e-4) and whether the first ten ranks are features 0..10.
fn degeneracy(map: &Attribution) -> (usize, bool) {
    let mut v: Vec<i64> = map.scores.iter().map(|s| (s * 1e4).round() as i64).collect();
    v.sort_unstable();
    v.dedup();
    (v.len(), map.ranking()[..10] == (0..10).collect::<Vec<_>>()[..])
}

fn mean(v: &[f32]) -> f32 {
    v.iter().sum::<f32>() / v.len() as f32
}

#[test]
fn bbmp_defaults_give_faithful_non_degenerate_maps_on_confident_digits() {
    common::ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    let data = registry::load_from("mnist-test", &DataDir::resolve(None)).unwrap();
    let x = data.batch_tensor(&IMAGES, &device).unwrap();
    let config = BbmpConfig::new();
    // The reference BBMP deletes to (a σ = 10 blur); it ignores the seed.
    let reference = config.reference_for(4).materialize(&x, &mut seed::rng(0)).unwrap();
    // 2×2 patches (Fong & Vedaldi's coarse mask) and single pixels; min distinct scores.
    for (space, min_distinct) in [
        (FeatureSpace::patches(1, 28, 28, 2).unwrap(), 25),
        (FeatureSpace::pixels(1, 28, 28).unwrap(), 50),
    ] {
        let (request, _) = ExplainRequest::predicted(&model, x.clone(), space.clone()).unwrap();
        let maps = Bbmp::new(config.clone()).unwrap().explain(&model, &request).unwrap();
        for (map, image) in maps.iter().zip(IMAGES) {
            let (distinct, identity) = degeneracy(map);
            let max = map.scores.iter().copied().fold(0.0f32, f32::max);
            println!(
                "{} features, image {image}: {distinct} distinct scores, max {max:.2}, mean {:.3}",
                space.n_features(),
                mean(&map.scores)
            );
            assert!(distinct >= min_distinct, "image {image}: {distinct} distinct scores");
            assert!(!identity, "image {image}: the ranking is the index order");
            assert!(max > 0.5 && mean(&map.scores) < 0.5, "image {image}: {:?}", map.scores);
        }
        let logits = to_vec_f32(model.logits(x.clone())).unwrap();
        let base: Vec<f32> =
            request.classes().iter().enumerate().map(|(i, &c)| logits[i * 10 + c]).collect();
        let random = RandomAttribution.explain(&model, &request.clone().with_seed(7)).unwrap();
        let drop = |maps: &[Attribution]| {
            let after = logits_after_deletion(&model, &x, &reference, maps, &space, 0.2);
            mean(&base.iter().zip(&after).map(|(b, a)| b - a).collect::<Vec<_>>())
        };
        let (bbmp, rand) = (drop(&maps), drop(&random));
        println!(
            "{} features: mean logit drop after deleting the top 20%: BBMP {bbmp:.2}, random \
             {rand:.2} (logits {base:.1?})",
            space.n_features()
        );
        assert!(bbmp > 2.0 * rand, "BBMP {bbmp} vs random {rand}");
    }
    // The old start, nothing deleted: the saturated softmax leaves most maps all zero.
    let space = FeatureSpace::patches(1, 28, 28, 2).unwrap();
    let (request, _) = ExplainRequest::predicted(&model, x, space).unwrap();
    let from_one = Bbmp::new(config.with_init(1.0)).unwrap().explain(&model, &request).unwrap();
    let flat = from_one.iter().filter(|m| degeneracy(m) == (1, true)).count();
    println!("from m = 1: {flat} of {} maps all zero", IMAGES.len());
    assert!(flat >= 3, "from m = 1 only {flat} maps were degenerate");
    for bad in [-0.1, 1.5, f64::NAN] {
        assert!(Bbmp::new(BbmpConfig::new().with_init(bad)).is_err(), "init {bad}");
    }
}
