//! The optimisation baselines on models whose answer is known: BBMP on a model that reads only
//! a 2×2 block must delete exactly that block; CFX on a linear binary model must flip the class
//! with at most `k` features, ranked like the closed-form L2 direction `w` among the features
//! the bounds let move. Also: the mask stays in `[0, 1]`, total variation smooths, exact costs,
//! seeds, and errors instead of panics.

use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;
use xai_core::host::to_vec_f32;
use xai_core::seed::rng;
use xai_core::{Attribution, ClassScore, Cost, FeatureSpace, Reference};
use xai_explain::{Bbmp, BbmpConfig, Cfx, CfxConfig, ExplainRequest, Explainer};

fn tensor<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), device)
}

fn uniform(rng: &mut impl Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(lo..hi)).collect()
}

/// A linear model on `[batch, 1, 8, 8]` images: logits `[s, −s]` with `s = x·w + bias`.
fn image_model(w: Vec<f32>, bias: f32, device: &Device) -> impl Fn(Tensor<4>) -> Tensor<2> {
    let mut cols = Vec::with_capacity(128);
    for v in &w {
        cols.extend([*v, -*v]);
    }
    let wt: Tensor<2> = tensor(cols, [64, 2], device);
    let bt: Tensor<2> = tensor(vec![bias, -bias], [1, 2], device);
    move |x: Tensor<4>| {
        let b = x.dims()[0];
        x.reshape([b, 64]).matmul(wt.clone()) + bt.clone()
    }
}

/// The 2×2 block at rows 2..4, columns 5..7 of an 8×8 image.
const BLOCK: [usize; 4] = [2 * 8 + 5, 2 * 8 + 6, 3 * 8 + 5, 3 * 8 + 6];

fn block_model(device: &Device) -> impl Fn(Tensor<4>) -> Tensor<2> {
    let mut w = vec![0.0; 64];
    for &i in &BLOCK {
        w[i] = 4.0 / 4.0; // s = 4·mean(block) − 1.5
    }
    image_model(w, -1.5, device)
}

/// Total variation `Σ |m(u+→) − m(u)| + |m(u+↓) − m(u)|` of an 8×8 map.
fn tv(map: &[f32]) -> f32 {
    let mut t = 0.0;
    for y in 0..8 {
        for x in 0..8 {
            if x + 1 < 8 {
                t += (map[y * 8 + x + 1] - map[y * 8 + x]).abs();
            }
            if y + 1 < 8 {
                t += (map[(y + 1) * 8 + x] - map[y * 8 + x]).abs();
            }
        }
    }
    t
}

fn images(rows: usize, seed: u64, device: &Device) -> Tensor<4> {
    tensor(uniform(&mut rng(seed), rows * 64, 0.3, 1.0), [rows, 1, 8, 8], device)
}

fn bbmp(config: BbmpConfig) -> Bbmp {
    Bbmp::new(config).expect("valid config")
}

#[test]
fn bbmp_deletes_exactly_the_block_the_model_reads() {
    let device = Device::flex();
    let model = block_model(&device);
    let space = FeatureSpace::pixels(1, 8, 8).unwrap();
    let request = ExplainRequest::new(images(2, 1, &device), vec![0, 0], space).unwrap();
    let config =
        BbmpConfig::new().with_reference(Some(Reference::Constant(0.0))).with_l1(0.01).with_tv(0.0);
    let maps = bbmp(config).explain(&model, &request).unwrap();
    for map in &maps {
        assert_eq!(map.method, "bbmp");
        let mut top: Vec<usize> = map.ranking()[..4].to_vec();
        top.sort_unstable();
        assert_eq!(top, BLOCK, "scores {:?}", map.scores);
        assert!(map.scores.iter().all(|s| (0.0..=1.0).contains(s)), "mask left [0, 1]");
        for &i in &BLOCK {
            assert!(map.scores[i] > 0.5, "block feature {i} barely deleted: {}", map.scores[i]);
        }
        let outside = (0..64).filter(|i| !BLOCK.contains(i)).map(|i| map.scores[i]);
        assert!(outside.fold(0.0f32, f32::max) < 1e-3, "irrelevant pixels deleted");
    }
    // The same holds with the default smoothness term, the logit score and a contrast class.
    let config = BbmpConfig::new()
        .with_reference(Some(Reference::Constant(0.0)))
        .with_l1(0.01)
        .with_score(ClassScore::Logit);
    let request = request.with_contrast(vec![1, 1]).unwrap();
    for map in bbmp(config).explain(&model, &request).unwrap() {
        let mut top: Vec<usize> = map.ranking()[..4].to_vec();
        top.sort_unstable();
        assert_eq!(top, BLOCK, "scores {:?}", map.scores);
        assert_eq!(map.contrast, Some(1));
    }
}

#[test]
fn bbmp_total_variation_smooths_the_map() {
    let device = Device::flex();
    let w: Vec<f32> = uniform(&mut rng(7), 64, -1.0, 1.0);
    let model = image_model(w, 0.0, &device);
    let space = FeatureSpace::pixels(1, 8, 8).unwrap();
    let request = ExplainRequest::new(images(1, 2, &device), vec![0], space).unwrap();
    // The logit score (the probability of this model saturates and the mask would not move);
    // its per-feature gradient is O(1), not O(1/F) like a probability's, so the (mean-
    // normalised) TV weight is scaled up accordingly.
    let base = BbmpConfig::new()
        .with_reference(Some(Reference::Constant(0.0)))
        .with_l1(0.01)
        .with_score(ClassScore::Logit);
    let rough = bbmp(base.clone().with_tv(0.0)).explain(&model, &request).unwrap();
    let smooth = bbmp(base.with_tv(20.0)).explain(&model, &request).unwrap();
    let (t0, t1) = (tv(&rough[0].scores), tv(&smooth[0].scores));
    assert!(t0 > 1.0, "the noisy model should give a rough map (TV {t0})");
    assert!(t1 < 0.8 * t0, "TV term did not smooth: {t1} vs {t0}");
    eprintln!("TV without / with the smoothness term: {t0} / {t1}");
}

#[test]
fn bbmp_costs_seeds_and_batches() {
    let device = Device::flex();
    let model = block_model(&device);
    let space = FeatureSpace::pixels(1, 8, 8).unwrap();
    let request = ExplainRequest::new(images(3, 3, &device), vec![0, 1, 0], space)
        .unwrap()
        .with_batch_size(2)
        .unwrap()
        .with_seed(11);
    let config = BbmpConfig::new().with_steps(7).with_reference(Some(Reference::Uniform));
    let method = bbmp(config);
    let a = method.explain(&model, &request).unwrap();
    assert!(a.iter().all(|m| m.cost == Cost { forward: 7, backward: 7 }), "{:?}", a[0].cost);
    let b = method.explain(&model, &request).unwrap();
    assert_eq!(a, b, "same seed, different maps");
    let c = method.explain(&model, &request.clone().with_seed(12)).unwrap();
    assert_ne!(a[0].scores, c[0].scores, "the uniform reference ignores the seed");
    let one = method.explain(&model, &request.clone().with_batch_size(1).unwrap()).unwrap();
    for (x, y) in a.iter().zip(&one) {
        let gap = x.scores.iter().zip(&y.scores).map(|(p, q)| (p - q).abs()).fold(0.0, f32::max);
        assert!(gap < 1e-4, "batching changed a map by {gap}");
    }
    // The default reference blurs images.
    let blurred = Bbmp::new(BbmpConfig::new().with_steps(2)).unwrap();
    assert_eq!(blurred.explain(&model, &request).unwrap().len(), 3);
}

/// Weights of the CFX linear model: the largest `|w|` (feature 2) is blocked by the bounds.
const W: [f32; 16] =
    [0.2, -0.3, 4.0, 0.5, -3.0, 0.1, 2.0, -0.4, 0.3, -0.6, 0.15, 0.25, -0.35, 0.45, 0.05, 0.7];

/// `[batch, 16]` → logits `[z, −z]`, `z = x·w + bias`: class 0 when `z > 0`.
fn linear_binary(bias: f32, device: &Device) -> impl Fn(Tensor<2>) -> Tensor<2> {
    let cols: Vec<f32> = W.iter().flat_map(|&v| [v, -v]).collect();
    let wt: Tensor<2> = tensor(cols, [16, 2], device);
    let bt: Tensor<2> = tensor(vec![bias, -bias], [1, 2], device);
    move |x: Tensor<2>| x.matmul(wt.clone()) + bt.clone()
}

#[test]
fn cfx_flips_a_linear_model_along_w_within_k_features() {
    let device = Device::flex();
    let mut x = vec![0.5f32; 16];
    x[2] = 0.0; // at the lower bound: w_2 > 0 cannot decrease z
    let dot: f32 = x.iter().zip(W).map(|(a, b)| a * b).sum();
    let bias = 1.5 - dot; // z(x) = 1.5
    let model = linear_binary(bias, &device);
    let inputs: Tensor<2> = tensor(x.clone(), [1, 16], &device);
    let space = FeatureSpace::elements(&[16]).unwrap();
    let request = ExplainRequest::new(inputs, vec![0], space).unwrap();
    let method = Cfx::new(CfxConfig::new().with_sparsity(0.25)).unwrap();
    let found = method.counterfactuals(&model, &request).unwrap();
    assert_eq!(found.targets, vec![1]);
    assert_eq!(found.flipped, vec![true]);
    let x_cf = to_vec_f32(found.inputs.clone()).unwrap();
    let logits = to_vec_f32(model(found.inputs.clone())).unwrap();
    assert!(logits[1] > logits[0], "not flipped: {logits:?}");
    let changed: Vec<usize> = (0..16).filter(|&i| (x_cf[i] - x[i]).abs() > 1e-7).collect();
    assert!(changed.len() <= 4, "k = 4 but {changed:?} changed");
    assert!(x_cf.iter().all(|v| (0.0..=1.0).contains(v)), "left the bounds: {x_cf:?}");
    // Closed form: the L2-cheapest flip moves along −w over the movable features, so the
    // largest |w| ranks first — except feature 2, pinned at its bound.
    let map = &method.explain(&model, &request).unwrap()[0];
    assert_eq!(map.scores, found.changes[0]);
    assert_eq!(&map.ranking()[..2], &[4, 6], "scores {:?}", map.scores);
    assert_eq!(map.scores[2], 0.0);
    let ratio = map.scores[4] / map.scores[6];
    eprintln!("CFX changes {:?}, scores {:?}", changed, map.scores);
    assert!((ratio - 1.5).abs() < 0.4, "|δ4|/|δ6| = {ratio}, w4/w6 = 1.5");
    let d: Vec<f32> = (0..16).map(|i| x_cf[i] - x[i]).collect();
    assert!(d[4] > 0.0 && d[6] < 0.0, "moved against w: {d:?}");
    // Not much further than the optimum on the same support: ‖δ*‖ = 1.5 / ‖w_S‖.
    let support_norm: f32 = changed.iter().map(|&i| W[i] * W[i]).sum::<f32>().sqrt();
    let norm = d.iter().map(|v| v * v).sum::<f32>().sqrt();
    eprintln!("CFX ‖δ‖ = {norm}, optimum on its support {}", 1.5 / support_norm);
    assert!(norm < 1.6 * 1.5 / support_norm, "‖δ‖ = {norm}, optimum {}", 1.5 / support_norm);
}

#[test]
fn cfx_costs_targets_and_determinism() {
    let device = Device::flex();
    let wt: Tensor<2> = tensor(uniform(&mut rng(5), 12 * 3, -1.0, 1.0), [12, 3], &device);
    let model = move |x: Tensor<2>| x.matmul(wt.clone());
    let inputs: Tensor<2> = tensor(uniform(&mut rng(6), 3 * 12, 0.0, 1.0), [3, 12], &device);
    let space = FeatureSpace::elements(&[12]).unwrap();
    let (request, _) = ExplainRequest::predicted(&model, inputs, space).unwrap();
    let request = request.with_batch_size(2).unwrap();
    let method = Cfx::new(CfxConfig::new().with_steps(9)).unwrap();
    let a = method.explain(&model, &request).unwrap();
    assert!(a.iter().all(|m| m.cost == Cost { forward: 9, backward: 9 }), "{:?}", a[0].cost);
    assert_eq!(a, method.explain(&model, &request).unwrap());
    let targets: Vec<usize> = request.classes().iter().map(|c| (c + 1) % 3).collect();
    let contrast = request.clone().with_contrast(targets.clone()).unwrap();
    let found = method.counterfactuals(&model, &contrast).unwrap();
    assert_eq!(found.targets, targets);
    assert_eq!(found.inputs.dims(), [3, 12]);
    let k = 2; // round(0.2 · 12)
    for change in &found.changes {
        assert!(change.iter().filter(|&&v| v > 0.0).count() <= k);
    }
}

#[test]
fn bad_settings_and_inputs_are_errors() {
    let bad_bbmp = [
        BbmpConfig::new().with_steps(0),
        BbmpConfig::new().with_lr(0.0),
        BbmpConfig::new().with_lr(f64::NAN),
        BbmpConfig::new().with_l1(-1.0),
        BbmpConfig::new().with_tv(f64::INFINITY),
        BbmpConfig::new().with_tv_beta(0.5),
    ];
    for c in bad_bbmp {
        assert!(Bbmp::new(c).is_err());
    }
    let bad_cfx = [
        CfxConfig::new().with_steps(0),
        CfxConfig::new().with_lr(-0.1),
        CfxConfig::new().with_lr(f64::INFINITY),
        CfxConfig::new().with_lambda(-1.0),
        CfxConfig::new().with_margin(f64::NAN),
        CfxConfig::new().with_sparsity(0.0),
        CfxConfig::new().with_sparsity(1.5),
    ];
    for c in bad_cfx {
        assert!(Cfx::new(c).is_err());
    }
    let device = Device::flex();
    let model = linear_binary(0.0, &device);
    let inputs: Tensor<2> = tensor(vec![0.5; 32], [2, 16], &device);
    let space = FeatureSpace::elements(&[16]).unwrap();
    let out_of_range = ExplainRequest::new(inputs.clone(), vec![0, 5], space.clone()).unwrap();
    let fast_cfx = Cfx::new(CfxConfig::new().with_steps(3)).unwrap();
    let fast_bbmp = Bbmp::new(BbmpConfig::new().with_steps(3)).unwrap();
    assert!(fast_cfx.explain(&model, &out_of_range).is_err());
    let ok = ExplainRequest::new(inputs.clone(), vec![0, 1], space.clone()).unwrap();
    let constant =
        Bbmp::new(BbmpConfig::new().with_steps(3).with_reference(Some(Reference::Constant(0.0))))
            .unwrap();
    assert!(constant.explain(&model, &out_of_range).is_err());
    // Blurring needs images; the default reference of non-images is 0.
    let blur = BbmpConfig::new().with_steps(3).with_reference(Some(Reference::Blur { sigma: 2.0 }));
    assert!(Bbmp::new(blur).unwrap().explain(&model, &ok).is_err());
    let maps: Vec<Attribution> = fast_bbmp.explain(&model, &ok).unwrap();
    assert_eq!(maps.len(), 2);
    let one_class = |x: Tensor<2>| x.sum_dim(1);
    assert!(
        fast_cfx
            .explain(&one_class, &ExplainRequest::new(inputs, vec![0, 0], space).unwrap())
            .is_err()
    );
}
