//! Paper 002 (Feature Attribution As Feature Selection): the corruptions, the EFS/IFS curves
//! with AUEC/AOIC against hand-computed values on linear models, and Greedy-EFS/IFS.

use burn::tensor::{Device, Tensor};
use rand::Rng;
use xai_core::corruption::{CorruptionScorer, OutputChange, SelectionMode, corrupt};
use xai_core::host::{from_vec_f32, to_vec_f32};
use xai_core::{Attribution, ClassScore, Corruption, Cost, Evaluator, FeatureSpace, seed};
use xai_explain::{
    ExplainRequest, Explainer, GreedyFeatureSelection, GreedyFeatureSelectionConfig,
};
use xai_metrics::FeatureSelectionCurveConfig;

#[test]
fn uniform_draws_lie_in_the_unit_box_and_repeat_under_a_seed() {
    let device = Device::flex();
    let x: Tensor<2> = Tensor::full([3, 50], 0.5, &device);
    let a = Corruption::Uniform.draw(&x, (0.0, 1.0), &mut seed::rng(7)).unwrap();
    let b = Corruption::Uniform.draw(&x, (0.0, 1.0), &mut seed::rng(7)).unwrap();
    let c = Corruption::Uniform.draw(&x, (0.0, 1.0), &mut seed::rng(8)).unwrap();
    let (a, b, c) = (to_vec_f32(a).unwrap(), to_vec_f32(b).unwrap(), to_vec_f32(c).unwrap());
    assert_eq!(a.len(), 150);
    assert!(a.iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let mean = a.iter().sum::<f32>() / a.len() as f32;
    assert!((mean - 0.5).abs() < 0.1, "{mean}");
}

#[test]
fn images_shifted_and_constant_draws() {
    let device = Device::flex();
    let x = from_vec_f32::<2>(vec![0.0, 0.5, 1.0, 0.95, 0.05, 0.5], [2, 3], &device).unwrap();
    let set = vec![vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]];
    let images = Corruption::Images(set.clone());
    let mut seen = [false; 2];
    let mut rng = seed::rng(1);
    for _ in 0..20 {
        let r = to_vec_f32(images.draw(&x, (0.0, 1.0), &mut rng).unwrap()).unwrap();
        for row in r.chunks(3) {
            let k = set.iter().position(|img| img.as_slice() == row).expect("a set member");
            seen[k] = true;
        }
    }
    assert_eq!(seen, [true, true]);
    let shifted = Corruption::Shifted { scale: 0.3 };
    let r = to_vec_f32(shifted.draw(&x, (0.0, 1.0), &mut seed::rng(2)).unwrap()).unwrap();
    let xs = to_vec_f32(x.clone()).unwrap();
    for (ri, xi) in r.iter().zip(&xs) {
        assert!((0.0..=1.0).contains(ri));
        assert!((ri - xi).abs() <= 0.3 + 1e-6, "{ri} vs {xi}");
    }
    let gray = to_vec_f32(Corruption::Constant(0.5).draw(&x, (0.0, 1.0), &mut rng).unwrap());
    assert!(gray.unwrap().iter().all(|&v| v == 0.5));
    // x_{S,r} = x(1 − m) + r m.
    let m = from_vec_f32::<2>(vec![1.0, 0.0, 1.0, 0.0, 1.0, 0.0], [2, 3], &device).unwrap();
    let r = Tensor::<2>::full([2, 3], 0.25, &device);
    let xc = to_vec_f32(corrupt(x, r, m)).unwrap();
    assert_eq!(xc, vec![0.25, 0.5, 0.25, 0.95, 0.25, 0.5]);
    assert_eq!("gray".parse::<Corruption>().unwrap(), Corruption::Constant(0.5));
    assert_eq!("shifted:1".parse::<Corruption>().unwrap(), Corruption::Shifted { scale: 1.0 });
    assert!("shifted:-1".parse::<Corruption>().is_err());
}

#[test]
fn bad_corruptions_are_errors() {
    let device = Device::flex();
    let x: Tensor<2> = Tensor::full([2, 3], 0.5, &device);
    let mut rng = seed::rng(0);
    let cases = [
        Corruption::Images(vec![vec![0.0; 4]]),
        Corruption::Images(vec![]),
        Corruption::Images(vec![vec![0.0, f32::NAN, 0.0]]),
        Corruption::Constant(f32::NAN),
        Corruption::Shifted { scale: 0.0 },
        Corruption::Shifted { scale: f32::INFINITY },
    ];
    for c in cases {
        assert!(c.draw(&x, (0.0, 1.0), &mut rng).is_err(), "{c:?}");
    }
    assert!(Corruption::Uniform.draw(&x, (1.0, 0.0), &mut rng).is_err());
}

/// A linear scorer check: logits `[0, w·x]`, constant corruption 0, one mask corrupting the
/// first two of four elements.
#[test]
fn corruption_scorer_matches_hand_values() {
    let device = Device::flex();
    let w = [1.0f32, 2.0, 3.0, 4.0];
    let mut cols = vec![0.0f32; 8];
    for (i, wi) in w.iter().enumerate() {
        cols[i * 2 + 1] = *wi;
    }
    let wt = from_vec_f32::<2>(cols, [4, 2], &device).unwrap();
    let model = |x: Tensor<2>| x.matmul(wt.clone());
    let eval = Evaluator::new(&model);
    let space = FeatureSpace::elements(&[4]).unwrap();
    let x = Tensor::<2>::ones([1, 4], &device);
    let zero = Corruption::Constant(0.0);
    let scorer = CorruptionScorer::new(
        &eval,
        x,
        &space,
        &zero,
        (0.0, 1.0),
        1,
        OutputChange::Intensity,
        ClassScore::Logit,
        5,
        3,
    )
    .unwrap();
    assert_eq!(scorer.draws(), 1);
    assert_eq!(scorer.base_score(), 10.0);
    let masks = [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
    let g = scorer.expected_change(&masks, &mut seed::rng(0)).unwrap();
    assert_eq!(g, vec![3.0, 0.0, 10.0]);
    assert_eq!(eval.cost().forward, 4);
}

/// Logits `[t, w·x]` of a linear model over `d = w.len()` elements.
fn threshold_model(w: &[f32], t: f32, device: &Device) -> impl Fn(Tensor<2>) -> Tensor<2> {
    let d = w.len();
    let mut cols = vec![0.0f32; d * 2];
    for (i, wi) in w.iter().enumerate() {
        cols[i * 2 + 1] = *wi;
    }
    let wt = from_vec_f32::<2>(cols, [d, 2], device).unwrap();
    let bias = from_vec_f32::<2>(vec![t, 0.0], [1, 2], device).unwrap();
    move |x: Tensor<2>| x.matmul(wt.clone()) + bias.clone()
}

fn attribution(scores: Vec<f32>) -> Attribution {
    Attribution::new("test", 1, scores, Cost::default()).unwrap()
}

/// d = 4, w = (4, 3, 2, 1), x = 1, logits `[5.5, w·x]`, constant corruption 0, p = 0, ¼, …, 1.
/// Good ranking (0, 1, 2, 3): EFS keeps f = 10, 6, 3, 1, 0 → g_label 0, 0, 1, 1, 1 (AUEC
/// 0.625), g_intensity 0, 4, 7, 9, 10 (AUEC 6.25); IFS corrupts from the back: f = 10, 9, 7,
/// 4, 0 → g_label 0, 0, 0, 1, 1 (AOIC 0.625), AOIC_intensity = ∫ f = 6.25. The reversed
/// ranking swaps the EFS and IFS label curves: AUEC 0.375, AOIC 0.375.
#[test]
fn efs_ifs_curves_match_hand_values_on_a_linear_model() {
    let device = Device::flex();
    let model = threshold_model(&[4.0, 3.0, 2.0, 1.0], 5.5, &device);
    let space = FeatureSpace::elements(&[4]).unwrap();
    let x = Tensor::<2>::ones([2, 4], &device);
    let atts = vec![attribution(vec![4.0, 3.0, 2.0, 1.0]), attribution(vec![1.0, 2.0, 3.0, 4.0])];
    let fractions = vec![0.0, 0.25, 0.5, 0.75, 1.0];
    let run = |mode, change| {
        FeatureSelectionCurveConfig::new(mode)
            .with_corruption(Corruption::Constant(0.0))
            .with_change(change)
            .with_fractions(fractions.clone())
            .with_draws(4)
            .with_batch_size(3)
            .init()
            .unwrap()
            .evaluate(&model, x.clone(), &[1, 1], &atts, &space, 0)
            .unwrap()
    };
    let efs = run(SelectionMode::Exclusive, OutputChange::Label);
    assert_eq!(efs.metric, "auec");
    assert_eq!(efs.per_example, vec![vec![0.0, 0.0, 1.0, 1.0, 1.0], vec![0.0, 0.0, 0.0, 1.0, 1.0]]);
    assert_close(&efs.area_per_example, &[0.625, 0.375]);
    assert!((efs.area - 0.5).abs() < 1e-9);
    // Constant noise: one draw per point, plus the input itself.
    assert_eq!(efs.cost.forward, 2 * (1 + 5));
    let ifs = run(SelectionMode::Inclusive, OutputChange::Label);
    assert_eq!(ifs.metric, "aoic");
    assert_eq!(ifs.per_example, vec![vec![0.0, 0.0, 0.0, 1.0, 1.0], vec![0.0, 0.0, 1.0, 1.0, 1.0]]);
    assert_close(&ifs.area_per_example, &[0.625, 0.375]);
    let efs = run(SelectionMode::Exclusive, OutputChange::Intensity);
    assert_close(&efs.per_example[0], &[0.0, 4.0, 7.0, 9.0, 10.0]);
    assert_close(&efs.area_per_example[..1], &[6.25]);
    let ifs = run(SelectionMode::Inclusive, OutputChange::Intensity);
    assert_close(&ifs.per_example[0], &[0.0, 1.0, 3.0, 6.0, 10.0]);
    assert_eq!(ifs.ceiling[0], 10.0);
    assert_close(&ifs.area_per_example[..1], &[6.25]);
}

fn assert_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-5, "{got:?} vs {want:?}");
    }
}

/// Uniform noise on a 40-feature linear model: g_label stays in [0, 1], the curves start at 0
/// (nothing corrupted) and the true ranking |w| beats its reverse on both AUEC and AOIC.
#[test]
fn true_ranking_beats_reversed_under_uniform_noise() {
    let device = Device::flex();
    let d = 40;
    let mut rng = seed::rng(5);
    let w: Vec<f32> = (0..d).map(|_| rng.random_range(0.1f32..2.0)).collect();
    let t = 0.8 * w.iter().sum::<f32>();
    let model = threshold_model(&w, t, &device);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let x = Tensor::<2>::ones([2, d], &device);
    let good = w.clone();
    let bad: Vec<f32> = w.iter().map(|v| -v).collect();
    let atts = vec![attribution(good), attribution(bad)];
    for mode in [SelectionMode::Exclusive, SelectionMode::Inclusive] {
        let metric = FeatureSelectionCurveConfig::new(mode).with_draws(16).init().unwrap();
        let report = metric.evaluate(&model, x.clone(), &[1, 1], &atts, &space, 3).unwrap();
        assert_eq!(report.fractions.len(), 21);
        for curve in &report.per_example {
            assert!(curve.iter().all(|g| (0.0..=1.0).contains(g)));
            assert_eq!(curve[0], 0.0);
        }
        let [good, bad] = [report.area_per_example[0], report.area_per_example[1]];
        assert!(good > bad + 0.05, "{mode:?}: {good} vs {bad}");
        assert_eq!(report.cost.forward, 2 * (1 + 21 * 16));
        // Same seed, same report.
        let again = metric.evaluate(&model, x.clone(), &[1, 1], &atts, &space, 3).unwrap();
        assert_eq!(again, report);
    }
}

#[test]
fn bad_metric_settings_and_inputs_are_errors() {
    let device = Device::flex();
    let model = threshold_model(&[1.0, 1.0, 1.0], 1.0, &device);
    let space = FeatureSpace::elements(&[3]).unwrap();
    let x = Tensor::<2>::ones([1, 3], &device);
    let atts = vec![attribution(vec![1.0, 2.0, 3.0])];
    let efs = || FeatureSelectionCurveConfig::new(SelectionMode::Exclusive);
    assert!(efs().with_fractions(vec![0.0, 1.5]).init().is_err());
    assert!(efs().with_fractions(vec![0.5, 0.2]).init().is_err());
    assert!(efs().with_fractions(vec![-0.1, 0.2]).init().is_err());
    assert!(efs().with_fractions(vec![0.5]).init().is_err());
    assert!(efs().with_draws(0).init().is_err());
    assert!(efs().with_batch_size(0).init().is_err());
    assert!(efs().with_bounds((1.0, 0.0)).init().is_err());
    assert!(efs().with_corruption(Corruption::Constant(f32::NAN)).init().is_err());
    let metric = efs().init().unwrap();
    // Wrong image length, wrong attribution length, class out of range, NaN input.
    let images = efs().with_corruption(Corruption::Images(vec![vec![0.0; 4]])).init().unwrap();
    assert!(images.evaluate(&model, x.clone(), &[1], &atts, &space, 0).is_err());
    let short = vec![attribution(vec![1.0, 2.0])];
    assert!(metric.evaluate(&model, x.clone(), &[1], &short, &space, 0).is_err());
    assert!(metric.evaluate(&model, x.clone(), &[2], &atts, &space, 0).is_err());
    assert!(metric.evaluate(&model, x.clone(), &[1, 1], &atts, &space, 0).is_err());
    let nan = from_vec_f32::<2>(vec![1.0, f32::NAN, 1.0], [1, 3], &device).unwrap();
    assert!(metric.evaluate(&model, nan, &[1], &atts, &space, 0).is_err());
}

/// A linear model on 1×12×12 images whose nine 4×4 blocks carry the weights `block_w`
/// (logits `[0, Σ w·x]`), and the pixel → block map.
fn block_model(block_w: [f32; 9], device: &Device) -> impl Fn(Tensor<4>) -> Tensor<2> {
    let mut cols = vec![0.0f32; 144 * 2];
    for p in 0..144 {
        cols[p * 2 + 1] = block_w[block_of(p)];
    }
    let wt = from_vec_f32::<2>(cols, [144, 2], device).unwrap();
    move |x: Tensor<4>| {
        let b = x.dims()[0];
        x.reshape([b, 144]).matmul(wt.clone())
    }
}

fn block_of(p: usize) -> usize {
    (p / 12 / 4) * 3 + (p % 12) / 4
}

/// Greedy-EFS and Greedy-IFS with gray-free constant corruption 0 on non-overlapping 4×4
/// windows select the blocks in the order of their contribution `w_k · 16`, with or without
/// running every step (unselected blocks are ordered by their last-step value).
#[test]
fn greedy_efs_ifs_pick_windows_in_order_of_contribution() {
    let device = Device::flex();
    let block_w = [0.3, 2.0, 0.1, 1.5, 0.7, 0.2, 1.1, 0.05, 0.9];
    let model = block_model(block_w, &device);
    let space = FeatureSpace::pixels(1, 12, 12).unwrap();
    let x = Tensor::<4>::ones([2, 1, 12, 12], &device);
    let request = ExplainRequest::new(x, vec![1, 1], space).unwrap().with_batch_size(4).unwrap();
    let mut truth: Vec<usize> = (0..9).collect();
    truth.sort_by(|&a, &b| block_w[b].total_cmp(&block_w[a]));
    for mode in [SelectionMode::Exclusive, SelectionMode::Inclusive] {
        for steps in [9, 3] {
            let greedy = GreedyFeatureSelectionConfig::new(mode)
                .with_window(Some(4))
                .with_stride(Some(4))
                .with_steps(steps)
                .with_corruption(Corruption::Constant(0.0))
                .init()
                .unwrap();
            let atts = greedy.explain(&model, &request).unwrap();
            assert_eq!(atts.len(), 2);
            let a = &atts[0];
            assert_eq!(a.method, format!("greedy-{}", mode.name()));
            // Every pixel of a block shares its score; blocks ranked by contribution.
            let block_scores: Vec<f32> =
                (0..9).map(|k| a.scores[(k / 3) * 48 + (k % 3) * 4]).collect();
            for p in 0..144 {
                assert_eq!(a.scores[p], block_scores[block_of(p)]);
            }
            let mut order: Vec<usize> = (0..9).collect();
            order.sort_by(|&i, &j| block_scores[j].total_cmp(&block_scores[i]));
            assert_eq!(order, truth, "{mode:?} steps {steps}: {block_scores:?}");
            // Selected blocks score 1 + steps − t, the rest lie in [0, 1].
            assert_eq!(block_scores[truth[0]], (1 + steps) as f32);
            if steps < 9 {
                assert!(block_scores[truth[steps]] <= 1.0);
            }
            // Constant noise: one draw per candidate; 1 + Σ_{t<steps} (9 − t) evaluations.
            let expected = 1 + (0..steps).map(|t| 9 - t).sum::<usize>();
            assert_eq!(a.cost.forward, expected as u64);
            assert_eq!(atts[1].scores, a.scores);
        }
    }
}

#[test]
fn greedy_defaults_scale_the_paper_windows_and_bad_settings_are_errors() {
    let efs = GreedyFeatureSelection::efs();
    assert_eq!(efs.config().geometry(28, 28).unwrap(), (8, 2));
    assert_eq!(efs.config().geometry(224, 224).unwrap(), (64, 16));
    assert_eq!(efs.config().steps, 10);
    assert_eq!(efs.config().corruption, Corruption::Constant(0.5));
    let cfg = || GreedyFeatureSelectionConfig::new(SelectionMode::Inclusive);
    assert!(cfg().with_window(Some(0)).init().is_err());
    assert!(cfg().with_stride(Some(0)).init().is_err());
    assert!(cfg().with_window(Some(2)).with_stride(Some(3)).init().is_err());
    assert!(cfg().with_steps(0).init().is_err());
    assert!(cfg().with_draws(0).init().is_err());
    assert!(cfg().with_corruption(Corruption::Images(vec![])).init().is_err());
    let device = Device::flex();
    let model = block_model([1.0; 9], &device);
    let space = FeatureSpace::pixels(1, 12, 12).unwrap();
    let x = Tensor::<4>::ones([1, 1, 12, 12], &device);
    let request = ExplainRequest::new(x.clone(), vec![1], space.clone()).unwrap();
    // Window larger than the image; wrong noise image length; class out of range; contrast.
    assert!(cfg().with_window(Some(13)).init().unwrap().explain(&model, &request).is_err());
    let images = cfg().with_corruption(Corruption::Images(vec![vec![0.0; 10]])).init().unwrap();
    assert!(images.explain(&model, &request).is_err());
    let bad_class = ExplainRequest::new(x.clone(), vec![5], space.clone()).unwrap();
    assert!(GreedyFeatureSelection::ifs().explain(&model, &bad_class).is_err());
    let contrast = request.clone().with_contrast(vec![0]).unwrap();
    assert!(GreedyFeatureSelection::ifs().explain(&model, &contrast).is_err());
    // Not an image.
    let flat = |x: Tensor<2>| x;
    let request2 = ExplainRequest::new(
        Tensor::<2>::ones([1, 2], &device),
        vec![1],
        FeatureSpace::elements(&[2]).unwrap(),
    )
    .unwrap();
    assert!(GreedyFeatureSelection::efs().explain(&flat, &request2).is_err());
}

/// With uniform noise and several draws the greedy run is still reproducible under a seed.
#[test]
fn greedy_with_random_noise_is_seeded() {
    let device = Device::flex();
    let model = block_model([0.3, 2.0, 0.1, 1.5, 0.7, 0.2, 1.1, 0.05, 0.9], &device);
    let space = FeatureSpace::pixels(1, 12, 12).unwrap();
    let x = Tensor::<4>::full([1, 1, 12, 12], 0.8, &device);
    let request = ExplainRequest::new(x, vec![1], space).unwrap().with_seed(11);
    let greedy = GreedyFeatureSelectionConfig::new(SelectionMode::Exclusive)
        .with_window(Some(4))
        .with_stride(Some(4))
        .with_steps(2)
        .with_corruption(Corruption::Uniform)
        .with_draws(3)
        .init()
        .unwrap();
    let a = greedy.explain(&model, &request).unwrap();
    let b = greedy.explain(&model, &request).unwrap();
    assert_eq!(a, b);
    assert_eq!(a[0].cost.forward, (1 + (9 + 8) * 3) as u64);
    // The block with the largest weight is chosen first.
    assert_eq!(a[0].scores[4], 3.0);
}
