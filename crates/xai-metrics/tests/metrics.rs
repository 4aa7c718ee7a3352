//! Curve metrics against closed forms on linear models, and the AUC by hand.

use burn::tensor::{Device, Tensor};
use proptest::prelude::*;
use rand::Rng;
use xai_attacks::FmnConfig;
use xai_core::host::from_vec_f32;
use xai_core::{Attribution, ClassScore, Cost, FeatureSpace, Reference, seed};
use xai_explain::RobustnessObjective;
use xai_metrics::auc::trapezoid;
use xai_metrics::{
    Better, Criterion, InsertionDeletion, InsertionDeletionConfig, RobustnessCurve,
    RobustnessCurveConfig,
};

/// Logits `[0, w·x + b]` with `x = 0.5` and a small margin: the box is never active, so the
/// minimum L2 perturbation on a free set `F` is `|w·x + b| / ‖w_F‖`.
fn binary(d: usize, seed_: u64, device: &Device) -> (Vec<f32>, f32, Tensor<2>) {
    let mut rng = seed::rng(seed_);
    let w: Vec<f32> = (0..d)
        .map(|_| rng.random_range(0.3f32..2.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 })
        .collect();
    let norm = w.iter().map(|v| v * v).sum::<f32>().sqrt();
    let b = -0.5 * w.iter().sum::<f32>() + 0.05 * norm;
    let mut cols = vec![0.0f32; d * 2];
    for (i, wi) in w.iter().enumerate() {
        cols[i * 2 + 1] = *wi;
    }
    (w, b, from_vec_f32(cols, [d, 2], device).unwrap())
}

#[test]
fn robustness_curves_match_the_closed_form() {
    let device = Device::flex();
    let d = 40;
    let (w, b, wt) = binary(d, 3, &device);
    let bias = from_vec_f32(vec![0.0, b], [1, 2], &device).unwrap();
    let model = |x: Tensor<2>| x.matmul(wt.clone()) + bias.clone();
    let margin = (0.5 * w.iter().sum::<f32>() + b).abs() as f64;
    let space = FeatureSpace::elements(&[d]).unwrap();
    let x: Tensor<2> = Tensor::full([2, d], 0.5, &device);
    // Two explanations: |w| (good) and its reverse (bad).
    let good: Vec<f32> = w.iter().map(|v| v.abs()).collect();
    let bad: Vec<f32> = good.iter().map(|v| -v).collect();
    let atts = vec![
        Attribution::new("good", 1, good, Cost::default()).unwrap(),
        Attribution::new("bad", 1, bad, Cost::default()).unwrap(),
    ];
    let fmn = FmnConfig::new().init().unwrap();
    for objective in [RobustnessObjective::Anchored, RobustnessObjective::Perturbed] {
        let curve = RobustnessCurve::new(
            RobustnessCurveConfig::new().with_objective(objective),
            fmn.clone(),
        )
        .unwrap();
        let report = curve.evaluate(&model, x.clone(), &[1, 1], None, &atts, &space).unwrap();
        assert_eq!(report.x_percent.len(), 9);
        for (e, att) in atts.iter().enumerate() {
            for (j, q) in [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45].iter().enumerate() {
                let top = att.top_fraction(*q).unwrap();
                let free = match objective {
                    RobustnessObjective::Anchored => top.complement(),
                    RobustnessObjective::Perturbed => top,
                };
                let wf: f64 =
                    free.indices().iter().map(|&i| (w[i] as f64).powi(2)).sum::<f64>().sqrt();
                let truth = margin / wf;
                let got = report.per_example[e][j];
                // The closed form moves feature i by margin·|w_i|/‖w_F‖²; where that leaves the
                // box [0, 1] (room 0.5) the true minimum is larger: only check the bound.
                let wmax = free.indices().iter().map(|&i| w[i].abs() as f64).fold(0.0, f64::max);
                if margin * wmax / (wf * wf) > 0.5 {
                    assert!(got >= truth * (1.0 - 1e-4), "{objective:?} {e} {q}: {got} < {truth}");
                    continue;
                }
                assert!(
                    got >= truth * (1.0 - 1e-4) && got <= truth * 1.01,
                    "{objective:?} example {e} q {q}: {got} vs {truth}"
                );
            }
        }
        // The good explanation wins in the metric's direction.
        match report.better {
            Better::Higher => assert!(report.auc_per_example[0] > report.auc_per_example[1]),
            Better::Lower => assert!(report.auc_per_example[0] < report.auc_per_example[1]),
        }
        let mean_auc = trapezoid(&report.x_percent, &report.mean).unwrap();
        assert!((mean_auc - report.auc).abs() < 1e-9 * mean_auc.abs().max(1.0));
        assert!(report.cost.backward > 0);
    }
}

#[test]
fn insertion_and_deletion_match_the_linear_closed_form() {
    let device = Device::flex();
    let d = 20;
    let mut rng = seed::rng(8);
    let w: Vec<f32> = (0..d).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    let xs: Vec<f32> = (0..d).map(|_| rng.random_range(0.0f32..1.0)).collect();
    let mut cols = vec![0.0f32; d * 2];
    for i in 0..d {
        cols[i * 2] = w[i];
    }
    let wt = from_vec_f32(cols, [d, 2], &device).unwrap();
    let model = |x: Tensor<2>| x.matmul(wt.clone());
    let x = from_vec_f32(xs.clone(), [1, d], &device).unwrap();
    let scores: Vec<f32> = (0..d).map(|i| rng.random_range(0.0f32..1.0) + i as f32 * 0.0).collect();
    let att = Attribution::new("any", 0, scores, Cost::default()).unwrap();
    let space = FeatureSpace::elements(&[d]).unwrap();
    for criterion in [Criterion::Insertion, Criterion::Deletion] {
        let config =
            InsertionDeletionConfig::new(criterion).with_reference(Reference::Constant(0.25));
        let report = InsertionDeletion::new(config)
            .unwrap()
            .evaluate(&model, x.clone(), &[0], &[att.clone()], &space, 0)
            .unwrap();
        for (j, q) in [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45].iter().enumerate() {
            let top = att.top_fraction(*q).unwrap();
            let truth: f64 = (0..d)
                .map(|i| {
                    let keep = top.get(i) == (criterion == Criterion::Insertion);
                    w[i] as f64 * if keep { xs[i] as f64 } else { 0.25 }
                })
                .sum();
            assert!((report.per_example[0][j] - truth).abs() < 1e-5, "{criterion:?} q {q}");
        }
        assert_eq!(report.cost.forward, 9);
        assert_eq!(report.cost.backward, 0);
    }
    // Probability scale and random references: in [0, 1], seeded.
    let config = InsertionDeletionConfig::new(Criterion::Insertion)
        .with_score(ClassScore::Probability)
        .with_draws(3);
    let metric = InsertionDeletion::new(config).unwrap();
    let a = metric.evaluate(&model, x.clone(), &[0], &[att.clone()], &space, 1).unwrap();
    let b = metric.evaluate(&model, x.clone(), &[0], &[att.clone()], &space, 1).unwrap();
    let c = metric.evaluate(&model, x.clone(), &[0], &[att.clone()], &space, 2).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.per_example, c.per_example);
    assert!(a.per_example[0].iter().all(|p| (0.0..=1.0).contains(p)));
    assert_eq!(a.cost.forward, 27);
}

#[test]
fn bad_inputs_are_errors() {
    let device = Device::flex();
    assert!(
        InsertionDeletion::new(
            InsertionDeletionConfig::new(Criterion::Deletion).with_fractions(vec![0.2, 0.1])
        )
        .is_err()
    );
    assert!(
        InsertionDeletion::new(InsertionDeletionConfig::new(Criterion::Deletion).with_draws(0))
            .is_err()
    );
    let fmn = FmnConfig::new().init().unwrap();
    assert!(
        RobustnessCurve::new(
            RobustnessCurveConfig::new().with_fractions(vec![0.0, 0.5]),
            fmn.clone()
        )
        .is_err()
    );
    let curve = RobustnessCurve::new(RobustnessCurveConfig::new(), fmn).unwrap();
    let model = |x: Tensor<2>| x.clone().matmul(Tensor::ones([4, 2], &x.device()));
    let space = FeatureSpace::elements(&[4]).unwrap();
    let att = Attribution::new("a", 0, vec![1.0; 5], Cost::default()).unwrap();
    let x: Tensor<2> = Tensor::full([1, 4], 0.5, &device);
    assert!(curve.evaluate(&model, x.clone(), &[0], None, &[att], &space).is_err(), "wrong width");
    let att = Attribution::new("a", 0, vec![1.0; 4], Cost::default()).unwrap();
    assert!(curve.evaluate(&model, x, &[0, 1], None, &[att], &space).is_err(), "label count");
    assert!(trapezoid(&[0.0, 1.0], &[1.0, f64::NAN]).is_err());
    assert!(trapezoid(&[1.0, 0.0], &[1.0, 1.0]).is_err());
}

#[test]
fn trapezoid_by_hand() {
    // (10 − 5)·(1 + 3)/2 + (20 − 10)·(3 + 0)/2 = 10 + 15.
    assert_eq!(trapezoid(&[5.0, 10.0, 20.0], &[1.0, 3.0, 0.0]).unwrap(), 25.0);
}

proptest! {
    /// The AUC is linear in y and equals the width times a constant value.
    #[test]
    fn trapezoid_is_linear(ys in proptest::collection::vec(-10.0f64..10.0, 9), k in -3.0f64..3.0, c in -5.0f64..5.0) {
        let x: Vec<f64> = (1..=9).map(|i| i as f64 * 5.0).collect();
        let scaled: Vec<f64> = ys.iter().map(|y| k * y + c).collect();
        let lhs = trapezoid(&x, &scaled).unwrap();
        let rhs = k * trapezoid(&x, &ys).unwrap() + c * 40.0;
        prop_assert!((lhs - rhs).abs() < 1e-9 * (1.0 + lhs.abs()));
    }
}
