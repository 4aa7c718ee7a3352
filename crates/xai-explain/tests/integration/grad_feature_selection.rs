//! Grad-EFS, Grad-IFS and PertMap (paper 002, appendices A and C) on linear models, where the
//! answer is known: corrupting feature `i` towards a constant `r` moves the score by
//! `c_i = w_i (x_i − r)`, so the features worth corrupting (EFS) or worth keeping (IFS,
//! PertMap) are those with the largest `c_i`. Also: masks stay in `[0, 1]`, exact costs,
//! seeds, batching, contrast classes, and errors instead of panics.

use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;
use xai_core::seed::rng;
use xai_core::{Attribution, ClassScore, Corruption, Cost, FeatureSpace, XaiError};
use xai_explain::{
    ExplainRequest, Explainer, GradEfs, GradEfsConfig, GradIfs, GradIfsConfig, PertMap,
    PertMapConfig,
};

const D: usize = 8;

fn tensor<const R: usize>(values: Vec<f32>, shape: [usize; R], device: &Device) -> Tensor<R> {
    Tensor::from_data(TensorData::new(values, shape), device)
}

/// A linear model on `[batch, n]` inputs: logits `[s, −s]` with `s = x·w + bias`.
fn linear(w: &[f32], bias: f32, device: &Device) -> impl Fn(Tensor<2>) -> Tensor<2> + use<> {
    let cols: Vec<f32> = w.iter().flat_map(|&v| [v, -v]).collect();
    let wt: Tensor<2> = tensor(cols, [w.len(), 2], device);
    let bt: Tensor<2> = tensor(vec![bias, -bias], [1, 2], device);
    move |x: Tensor<2>| x.matmul(wt.clone()) + bt.clone()
}

/// Weights with well separated positive contributions `c_i = w_i x_i` for `r = 0`.
const W: [f32; D] = [0.5, 3.0, 0.2, 2.0, 0.1, 2.5, 0.05, 0.3];

fn inputs(rows: usize, seed: u64) -> Vec<f32> {
    let mut g = rng(seed);
    (0..rows * D).map(|_| g.random_range(0.6f32..1.0)).collect()
}

/// `c_i = w_i (x_i − r)` of one row.
fn contributions(x: &[f32], r: f32) -> Vec<f32> {
    x.iter().zip(W).map(|(&x, w)| w * (x - r)).collect()
}

/// The `k` features with the largest values, sorted by index.
fn top(values: &[f32], k: usize) -> Vec<usize> {
    let mut idx = xai_core::attribution::ranking(values)[..k].to_vec();
    idx.sort_unstable();
    idx
}

fn request(rows: usize, seed: u64, device: &Device) -> (ExplainRequest<2>, Vec<f32>) {
    let x = inputs(rows, seed);
    let space = FeatureSpace::elements(&[D]).unwrap();
    let req = ExplainRequest::new(tensor(x.clone(), [rows, D], device), vec![0; rows], space);
    (req.unwrap(), x)
}

fn in_unit_interval(maps: &[Attribution]) {
    for m in maps {
        assert!(m.scores.iter().all(|s| (0.0..=1.0).contains(s)), "left [0, 1]: {:?}", m.scores);
    }
}

/// The logit score makes both objectives linear in `w`, so the optimum is a threshold:
/// `w_i = 1` (EFS) exactly when `λ·d·c_i > 1`. `lambda` is set so that the top 3 pass.
#[test]
fn grad_efs_corrupts_exactly_the_largest_contributions() {
    let device = Device::flex();
    let model = linear(&W, 0.0, &device);
    let (req, x) = request(3, 1, &device);
    let lambda = 1.0 / (D as f64 * 0.9); // threshold c > 0.9: W = 3, 2.5, 2 at x ≥ 0.6
    let config = GradEfsConfig::new()
        .with_corruption(Corruption::Constant(0.0))
        .with_score(ClassScore::Logit)
        .with_lambda(lambda);
    let maps = GradEfs::new(config.clone()).unwrap().explain(&model, &req).unwrap();
    in_unit_interval(&maps);
    for (row, map) in maps.iter().enumerate() {
        let c = contributions(&x[row * D..(row + 1) * D], 0.0);
        assert_eq!(map.method, "grad-efs");
        assert_eq!(top(&map.scores, 3), top(&c, 3), "scores {:?}", map.scores);
        for (i, s) in map.scores.iter().enumerate() {
            let want = if (lambda * D as f64) * c[i] as f64 > 1.0 { 1.0 } else { 0.0 };
            assert!((s - want).abs() < 1e-6, "feature {i}: {s} (c = {})", c[i]);
        }
    }
    // A contrast class: f_0 − f_1 = 2s, twice the pull; halving lambda gives the same set.
    let req = req.with_contrast(vec![1; 3]).unwrap();
    let half = GradEfs::new(config.with_lambda(lambda / 2.0)).unwrap();
    for (row, map) in half.explain(&model, &req).unwrap().iter().enumerate() {
        let c = contributions(&x[row * D..(row + 1) * D], 0.0);
        assert_eq!(top(&map.scores, 3), top(&c, 3), "scores {:?}", map.scores);
        assert_eq!(map.contrast, Some(1));
    }
}

/// The paper's defaults (probability score, `λ = 10d`, 200 steps at step size 0.5): the
/// corrupted set is a top set of the contributions, neither empty nor everything.
#[test]
fn grad_efs_paper_defaults_pick_a_top_set() {
    let device = Device::flex();
    let (req, x) = request(1, 2, &device);
    // A confident but not saturated start, s = 1 (p = 0.88): a saturated softmax has no
    // gradient and Grad-EFS then stays at w = 0.
    let sum: f32 = contributions(&x, 0.0).iter().sum();
    let model = linear(&W, 1.0 - sum, &device);
    let config = GradEfsConfig::new().with_corruption(Corruption::Constant(0.0));
    let efs = GradEfs::new(config).unwrap();
    let masks = efs.masks(&model, &req).unwrap();
    let maps = efs.explain(&model, &req).unwrap();
    in_unit_interval(&maps);
    for (row, ((mask, _), map)) in masks.iter().zip(&maps).enumerate() {
        assert_eq!(&map.scores, mask, "Grad-EFS scores are the mask");
        let c = contributions(&x[row * D..(row + 1) * D], 0.0);
        let k = mask.iter().filter(|&&m| m > 0.5).count();
        assert!((1..D).contains(&k), "corrupted {k} of {D}: {mask:?}");
        assert_eq!(top(mask, k), top(&c, k), "mask {mask:?}");
    }
}

/// IFS with the logit score: feature `i` is kept (`w_i = 0`) exactly when `λ·d·c_i > 1`, the
/// rest are corrupted; the attribution is `1 − w̄`.
#[test]
fn grad_ifs_keeps_exactly_the_largest_contributions() {
    let device = Device::flex();
    let model = linear(&W, 0.0, &device);
    let (req, x) = request(3, 3, &device);
    let lambda = 1.0 / (D as f64 * 0.9);
    let config = GradIfsConfig::new()
        .with_corruption(Corruption::Constant(0.0))
        .with_score(ClassScore::Logit)
        .with_lambda(lambda)
        .with_steps(300);
    let ifs = GradIfs::new(config).unwrap();
    let masks = ifs.masks(&model, &req).unwrap();
    let maps = ifs.explain(&model, &req).unwrap();
    in_unit_interval(&maps);
    for (row, map) in maps.iter().enumerate() {
        let c = contributions(&x[row * D..(row + 1) * D], 0.0);
        assert_eq!(map.method, "grad-ifs");
        assert_eq!(top(&map.scores, 3), top(&c, 3), "scores {:?}", map.scores);
        for (i, (s, w)) in map.scores.iter().zip(&masks[row].0).enumerate() {
            assert!((s + w - 1.0).abs() < 1e-6, "score is 1 − w̄");
            if (lambda * D as f64) * c[i] as f64 > 1.0 {
                assert!(*s > 1.0 - 1e-6, "kept feature {i} corrupted: {s}");
            } else {
                // Averaged iterates: w rises by ~0.03 per step, so w̄ ≈ 1 − 17/300.
                assert!(*s < 0.1, "irrelevant feature {i} kept: {s}");
            }
        }
    }
}

/// The paper's Grad-IFS settings (probability score, `λ = d`, averaging) with a budget: the
/// three largest contributions are the most kept features.
#[test]
fn grad_ifs_paper_defaults_rank_the_truth_first() {
    let device = Device::flex();
    let model = linear(&W, -3.0, &device);
    let (req, x) = request(2, 4, &device);
    let config = GradIfsConfig::new().with_corruption(Corruption::Constant(0.0)).with_steps(400);
    let maps = GradIfs::new(config).unwrap().explain(&model, &req).unwrap();
    in_unit_interval(&maps);
    for (row, map) in maps.iter().enumerate() {
        let c = contributions(&x[row * D..(row + 1) * D], 0.0);
        assert_eq!(top(&map.scores, 3), top(&c, 3), "scores {:?}", map.scores);
    }
}

/// PertMap with its sample-code defaults: the mask grows until the class would flip
/// (`s = s0 − Σ c_i w_i` reaches 0), corrupting the smallest contributions first, so the
/// largest ones are kept. Bias −3.5 leaves a budget of `Σ c − 3.5` for corruption.
#[test]
fn pertmap_keeps_the_largest_contributions() {
    let device = Device::flex();
    let model = linear(&W, -3.5, &device);
    let (req, x) = request(2, 5, &device);
    let config = PertMapConfig::new().with_corruption(Corruption::Constant(0.0));
    let pm = PertMap::new(config).unwrap();
    let maps = pm.explain(&model, &req).unwrap();
    in_unit_interval(&maps);
    for (row, map) in maps.iter().enumerate() {
        let c = contributions(&x[row * D..(row + 1) * D], 0.0);
        assert_eq!(map.method, "pertmap");
        assert_eq!(top(&map.scores, 3), top(&c, 3), "scores {:?}", map.scores);
        // The smallest contributions are the most corrupted.
        let neg = |v: &[f32]| v.iter().map(|v| -v).collect::<Vec<_>>();
        assert_eq!(top(&neg(&map.scores), 3), top(&neg(&c), 3), "scores {:?}", map.scores);
    }
    // One hinge term with a contrast class: the same answer on a two-class model.
    let req = req.with_contrast(vec![1, 1]).unwrap();
    for (row, map) in pm.explain(&model, &req).unwrap().iter().enumerate() {
        let c = contributions(&x[row * D..(row + 1) * D], 0.0);
        assert_eq!(top(&map.scores, 3), top(&c, 3), "scores {:?}", map.scores);
        assert_eq!(map.contrast, Some(1));
    }
}

/// Images with pixel features: a pixel's mask covers both channels, and its contribution is
/// the sum over channels.
#[test]
fn pixel_features_share_the_mask_across_channels() {
    let device = Device::flex();
    // [1, 2, 2, 2] images; channel 0 weights W[0..4], channel 1 weights W[4..8].
    let model = {
        let lin = linear(&W, 0.0, &device);
        move |x: Tensor<4>| {
            let b = x.dims()[0];
            lin(x.reshape([b, D]))
        }
    };
    let x = inputs(1, 6);
    let space = FeatureSpace::pixels(2, 2, 2).unwrap();
    let req = ExplainRequest::new(tensor(x.clone(), [1, 2, 2, 2], &device), vec![0], space);
    let req = req.unwrap();
    let c = contributions(&x, 0.0);
    let per_pixel: Vec<f32> = (0..4).map(|p| c[p] + c[p + 4]).collect();
    let config = GradEfsConfig::new()
        .with_corruption(Corruption::Constant(0.0))
        .with_score(ClassScore::Logit)
        .with_lambda(1.0 / (4.0 * 2.0)); // threshold: pixel contribution > 2
    let map = &GradEfs::new(config).unwrap().explain(&model, &req).unwrap()[0];
    assert_eq!(map.n_features(), 4);
    for p in 0..4 {
        let want = if per_pixel[p] > 2.0 { 1.0 } else { 0.0 };
        assert_eq!(map.scores[p], want, "pixel {p}: contributions {per_pixel:?}");
    }
}

#[test]
fn seeds_decide_the_uniform_noise() {
    let device = Device::flex();
    // Small weights: the softmax is not saturated (s ≈ 0.75), so the noise moves the masks.
    let model = linear(&W.map(|w| w / 4.0), -1.0, &device);
    let (req, _) = request(2, 7, &device);
    let efs = GradEfs::new(
        // On a linear model the last EFS iterate converges to a 0/1 mask whatever the noise;
        // stop early so that the draws still show.
        GradEfsConfig::fast().with_corruption(Corruption::Uniform).with_steps(10).with_lr(0.05),
    )
    .unwrap();
    let ifs = GradIfs::new(GradIfsConfig::fast().with_corruption(Corruption::Uniform)).unwrap();
    let pm = PertMap::new(PertMapConfig::fast().with_corruption(Corruption::Uniform)).unwrap();
    let scores = |e: &dyn Fn(&ExplainRequest<2>) -> Vec<Attribution>, seed: u64| {
        e(&req.clone().with_seed(seed)).into_iter().map(|a| a.scores).collect::<Vec<_>>()
    };
    let runs: [&dyn Fn(&ExplainRequest<2>) -> Vec<Attribution>; 3] =
        [&|r| efs.explain(&model, r).unwrap(), &|r| ifs.explain(&model, r).unwrap(), &|r| {
            pm.explain(&model, r).unwrap()
        }];
    for run in runs {
        let a = scores(run, 11);
        assert_eq!(a, scores(run, 11), "same seed, same attribution");
        assert_ne!(a, scores(run, 12), "different seed, different attribution");
        for s in a.iter().flatten() {
            assert!((0.0..=1.0).contains(s), "left [0, 1]: {s}");
        }
    }
}

/// Cost per row is `steps × draws` forward and backward passes, however rows and draws are
/// split into model calls; the split does not change the answer.
#[test]
fn cost_is_steps_times_draws_and_batching_is_invisible() {
    let device = Device::flex();
    let model = linear(&W, -2.0, &device);
    let (req, _) = request(3, 8, &device);
    let config =
        GradIfsConfig::new().with_steps(7).with_draws(6).with_corruption(Corruption::Uniform);
    let ifs = GradIfs::new(config).unwrap();
    let whole = ifs.explain(&model, &req).unwrap();
    let want = Cost { forward: 42, backward: 42 };
    // 13 inputs per call: two rows of 6 draws; 4 per call: one row's draws in 4 + 2.
    for batch in [256, 13, 4] {
        let split = ifs.explain(&model, &req.clone().with_batch_size(batch).unwrap()).unwrap();
        for (a, b) in whole.iter().zip(&split) {
            assert_eq!(b.cost, want, "batch size {batch}");
            for (x, y) in a.scores.iter().zip(&b.scores) {
                assert!((x - y).abs() < 1e-5, "batch size {batch}: {x} vs {y}");
            }
        }
    }
    let efs = GradEfs::new(GradEfsConfig::new().with_steps(5).with_draws(3)).unwrap();
    for map in efs.explain(&model, &req).unwrap() {
        assert_eq!(map.cost, Cost { forward: 15, backward: 15 });
    }
    let pm = PertMap::new(PertMapConfig::new().with_steps(4).with_draws(2)).unwrap();
    for map in pm.explain(&model, &req).unwrap() {
        assert_eq!(map.cost, Cost { forward: 8, backward: 8 });
    }
}

#[test]
fn bad_settings_are_errors() {
    let invalid = |r: xai_core::Result<()>| matches!(r, Err(XaiError::InvalidParameter { .. }));
    let efs = |c: GradEfsConfig| GradEfs::new(c).map(|_| ());
    let ifs = |c: GradIfsConfig| GradIfs::new(c).map(|_| ());
    let pm = |c: PertMapConfig| PertMap::new(c).map(|_| ());
    assert!(invalid(efs(GradEfsConfig::new().with_steps(0))));
    assert!(invalid(efs(GradEfsConfig::new().with_lambda(-1.0))));
    assert!(invalid(efs(GradEfsConfig::new().with_lambda(f64::NAN))));
    assert!(invalid(efs(GradEfsConfig::new().with_lr(0.0))));
    assert!(invalid(efs(GradEfsConfig::new().with_draws(0))));
    assert!(invalid(ifs(GradIfsConfig::new().with_steps(0))));
    assert!(invalid(ifs(GradIfsConfig::new().with_lambda(-0.5))));
    assert!(invalid(ifs(GradIfsConfig::new().with_lr(f64::NAN))));
    assert!(invalid(ifs(GradIfsConfig::new().with_corruption(Corruption::Shifted { scale: 0.0 }))));
    assert!(invalid(pm(PertMapConfig::new().with_steps(0))));
    assert!(invalid(pm(PertMapConfig::new().with_penalty(-1.0))));
    assert!(invalid(pm(PertMapConfig::new().with_penalty(f64::INFINITY))));
    assert!(GradEfsConfig::fast().validate().is_ok());
    assert!(GradIfsConfig::paper().validate().is_ok());
    assert!(PertMapConfig::fast().validate().is_ok());

    // Run-time problems: a class the model does not have, noise images of the wrong size.
    let device = Device::flex();
    let model = linear(&W, 0.0, &device);
    let space = FeatureSpace::elements(&[D]).unwrap();
    let x = tensor(inputs(1, 9), [1, D], &device);
    let req = ExplainRequest::new(x, vec![5], space.clone()).unwrap();
    let efs = GradEfs::new(GradEfsConfig::new().with_steps(2).with_draws(2)).unwrap();
    assert!(efs.explain(&model, &req).is_err());
    let x = tensor(inputs(1, 9), [1, D], &device);
    let req = ExplainRequest::new(x, vec![0], space).unwrap();
    let bad = PertMapConfig::new().with_corruption(Corruption::Images(vec![vec![0.5; D + 1]]));
    assert!(PertMap::new(bad).unwrap().explain(&model, &req).is_err());
}

fn ensure_weights() {
    static DONE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        xai_zoo::ensure_weights(&xai_datasets::DataDir::resolve(None))
            .expect("the zoo's weights from its ONNX files");
    });
}

/// Number of distinct scores (to 1e-4).
fn distinct(scores: &[f32]) -> usize {
    let mut v: Vec<i64> = scores.iter().map(|s| (s * 1e4).round() as i64).collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// `g_label` of paper 002 (section 4): the rate at which the label changes when the top
/// `q` of each map's features are corrupted (`keep_top = false`) or everything but them is
/// (`keep_top = true`), over `draws` noise draws.
fn label_change<M: xai_core::Classifier<4>>(
    model: &M,
    x: &Tensor<4>,
    maps: &[Attribution],
    space: &FeatureSpace,
    q: f64,
    keep_top: bool,
    noise: &Corruption,
    draws: usize,
) -> f32 {
    let mut m = Vec::new();
    for map in maps {
        let top = map.top_fraction(q).unwrap();
        m.extend(top.bits().iter().map(|&t| if t != keep_top { 1.0f32 } else { 0.0 }));
    }
    let n = maps.len();
    let m: Tensor<2> = tensor(m, [n, space.n_features()], &x.device());
    let m: Tensor<4> = space.expand(m).unwrap();
    let mut g = rng(99);
    let mut changed = 0usize;
    for _ in 0..draws {
        let r = noise.draw(x, (0.0, 1.0), &mut g).unwrap();
        let xc = xai_core::corruption::corrupt(x.clone(), r, m.clone());
        let pred = xai_core::classifier::argmax_rows(model.logits(xc)).unwrap();
        changed += pred.iter().zip(maps).filter(|(p, a)| **p != a.target).count();
    }
    changed as f32 / (draws * n) as f32
}

/// The `fast` presets with the paper's noise (`r = x + u`, `u ~ U(−1, 1)`) on mnist-cnn's
/// first four test digits: the maps are not degenerate; corrupting Grad-EFS's top 10% flips
/// the label more often than corrupting a random 10%; corrupting everything but Grad-IFS's /
/// PertMap's top 20% keeps the label more often than keeping a random 20%.
#[test]
fn fast_presets_on_mnist_cnn() {
    use xai_datasets::{DataDir, registry};
    use xai_zoo::{ModelName, ZooModel};
    ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    let data = registry::load_from("mnist-test", &DataDir::resolve(None)).unwrap();
    let x = data.batch_tensor(&[0, 1, 2, 3], &device).unwrap();
    let space = FeatureSpace::pixels(1, 28, 28).unwrap();
    let (req, _) = ExplainRequest::predicted(&model, x.clone(), space.clone()).unwrap();
    let noise = Corruption::Shifted { scale: 1.0 };
    let g = |maps: &[Attribution], q: f64, keep_top: bool| {
        label_change(&model, &x, maps, &space, q, keep_top, &noise, 8)
    };
    let random = xai_explain::RandomAttributionConfig::new().init().unwrap();
    let random = random.explain(&model, &req).unwrap();
    let efs = GradEfs::new(GradEfsConfig::fast()).unwrap().explain(&model, &req).unwrap();
    let ifs = GradIfs::new(GradIfsConfig::fast()).unwrap().explain(&model, &req).unwrap();
    let pm = PertMap::new(PertMapConfig::fast()).unwrap().explain(&model, &req).unwrap();
    for (maps, cost) in [(&efs, 50 * 8), (&ifs, 150 * 8), (&pm, 100 * 8)] {
        in_unit_interval(maps);
        for m in maps.iter() {
            let d = distinct(&m.scores);
            assert!(d >= 20, "{}: {d} distinct scores for digit class {}", m.method, m.target);
            assert_eq!(m.cost, Cost { forward: cost, backward: cost });
        }
    }
    let (efs_g, random_g) = (g(&efs, 0.1, false), g(&random, 0.1, false));
    println!("EFS g_label at 10%: grad-efs {efs_g}, random {random_g}");
    assert!(efs_g > random_g + 0.2, "grad-efs {efs_g} vs random {random_g}");
    let random_g = g(&random, 0.2, true);
    for maps in [&ifs, &pm] {
        let ours = g(maps, 0.2, true);
        println!("IFS g_label keeping 20%: {} {ours}, random {random_g}", maps[0].method);
        assert!(ours + 0.2 < random_g, "{}: {ours} vs random {random_g}", maps[0].method);
    }
}
