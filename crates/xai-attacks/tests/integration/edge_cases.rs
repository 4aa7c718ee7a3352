//! Errors, empty masks, fallbacks, determinism, verification and costs.

use crate::common;

use burn::tensor::{Device, Tensor, TensorData};
use common::*;
use xai_attacks::{
    AttackBatch, AttackGoal, BisectionSearch, Fallback, FixedEpsAttack, Fmn, MaskedPgdConfig,
    RobustnessEstimator, RobustnessQuery, VerifyFailure, verify_adversarial,
};
use xai_core::{Evaluator, FeatureMask, FeatureSpace, Norm, XaiError};

fn small_binary(d: usize, seed: u64) -> (Linear, Vec<FeatureMask>) {
    let mut rng = xai_core::seed::rng(seed);
    let masks = random_masks(&mut rng, 4, d, 0.8);
    (binary_model(&mut rng, d, &masks, 1.0, &Device::flex()), masks)
}

#[test]
fn empty_masks_are_not_found_at_zero_cost() {
    let (d, device) = (20, Device::flex());
    let (lin, _) = small_binary(d, 11);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let masks = vec![FeatureMask::empty(d), FeatureMask::empty(d)];
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space).unwrap();
    let input_norm = (d as f32 * 0.25).sqrt();
    for out in [
        BisectionSearch::paper().estimate(&model, &query).unwrap(),
        Fmn::default().estimate(&model, &query).unwrap(),
    ] {
        assert_eq!(out.cost.total(), 0, "no attack step, no verification");
        for row in &out.rows {
            assert!(!row.found);
            assert!(
                (row.estimate - input_norm).abs() < 1e-5,
                "paper fallback: the input's L2 norm"
            );
        }
    }
    let query = query.with_fallback(Fallback::Infinity);
    let out = Fmn::default().estimate(&model, &query).unwrap();
    assert!(out.rows.iter().all(|r| r.estimate.is_infinite() && !r.found));
}

#[test]
fn mixed_empty_and_free_rows() {
    let (d, device) = (20, Device::flex());
    let (lin, mut masks) = small_binary(d, 12);
    masks[1] = FeatureMask::empty(d);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space).unwrap();
    for out in [
        BisectionSearch::paper().estimate(&model, &query).unwrap(),
        Fmn::default().estimate(&model, &query).unwrap(),
    ] {
        assert_eq!(out.found(), vec![true, false, true, true]);
        assert_eq!(out.rows[1].cost.total(), 0);
        // The not-found row's example is the clean input.
        let adv = xai_core::host::to_vec_f32(out.adversarial.clone().slice_dim(0, 1..2)).unwrap();
        assert!(adv.iter().all(|v| *v == 0.5));
    }
}

#[test]
fn targeted_with_target_equal_to_label_is_an_error() {
    let (d, device) = (10, Device::flex());
    let (_, masks) = small_binary(d, 13);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space).unwrap();
    let err = query.with_goal(AttackGoal::Targeted(vec![1, 0, 1, 1])).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, XaiError::InvalidParameter { .. }));
    assert!(msg.contains("row 1"), "names the row: {msg}");
}

#[test]
fn targeted_binary_matches_closed_form() {
    let (d, device) = (30, Device::flex());
    let (lin, masks) = small_binary(d, 14);
    let model = |x: Tensor<2>| lin.logits(x);
    let x = vec![0.5f64; d];
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space)
        .unwrap()
        .with_goal(AttackGoal::Targeted(vec![1; masks.len()]))
        .unwrap();
    for out in [
        BisectionSearch::paper().estimate(&model, &query).unwrap(),
        Fmn::default().estimate(&model, &query).unwrap(),
    ] {
        for (row, m) in out.rows.iter().zip(&masks) {
            let e = rel_err(row.estimate, lin.untargeted_distance(&x, 0, m.bits(), false));
            assert!(row.found && (-1e-4..=0.01).contains(&e), "{row:?} rel err {e}");
        }
    }
}

#[test]
fn out_of_range_classes_are_errors() {
    let (d, device) = (10, Device::flex());
    let (lin, masks) = small_binary(d, 15);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), 5, &masks, &space).unwrap();
    let err = Fmn::default().estimate(&model, &query).unwrap_err();
    assert!(err.to_string().contains("label of row 0"), "{err}");
    assert!(BisectionSearch::paper().estimate(&model, &query).is_err());
}

#[test]
fn shape_mismatches_and_nan_are_typed_errors() {
    let (d, device) = (10, Device::flex());
    let x: Tensor<2> = Tensor::full([3, d], 0.5, &device);
    let free: Tensor<2> = Tensor::ones([3, d + 1], &device);
    assert!(matches!(
        RobustnessQuery::new(x.clone(), vec![0; 3], free),
        Err(XaiError::Shape { .. })
    ));
    let free: Tensor<2> = Tensor::ones([3, d], &device);
    assert!(matches!(
        RobustnessQuery::new(x.clone(), vec![0; 2], free.clone()),
        Err(XaiError::Shape { .. })
    ));
    let space = FeatureSpace::elements(&[d]).unwrap();
    let masks = vec![FeatureMask::full(d + 1)];
    assert!(matches!(
        RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space),
        Err(XaiError::Shape { .. })
    ));
    let mut values = vec![0.5f32; 3 * d];
    values[4] = f32::NAN;
    let nan: Tensor<2> = Tensor::from_data(TensorData::new(values, [3, d]), &device);
    assert!(matches!(
        RobustnessQuery::new(nan, vec![0; 3], free.clone()),
        Err(XaiError::NonFinite { .. })
    ));
    let outside: Tensor<2> = Tensor::full([3, d], 1.5, &device);
    assert!(matches!(
        RobustnessQuery::new(outside, vec![0; 3], free.clone()),
        Err(XaiError::OutOfRange { .. })
    ));
    let half: Tensor<2> = Tensor::full([3, d], 0.5, &device);
    assert!(matches!(
        RobustnessQuery::new(x, vec![0; 3], half),
        Err(XaiError::InvalidParameter { .. })
    ));
    assert!(MaskedPgdConfig::paper().with_steps(0).init().is_err());
    assert!(xai_attacks::FmnConfig::new().with_gamma_init(1.5).init().is_err());
}

#[test]
fn deterministic_under_a_seed() {
    let (d, device) = (40, Device::flex());
    let (lin, masks) = small_binary(d, 16);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space).unwrap();
    let pgd = MaskedPgdConfig::paper().with_restarts(2).with_seed(7).with_steps(5).init().unwrap();
    let est = BisectionSearch::new(pgd, xai_attacks::BisectionConfig::new()).unwrap();
    let a = est.estimate(&model, &query).unwrap();
    let b = est.estimate(&model, &query).unwrap();
    assert_eq!(a.rows, b.rows);
    let fa = Fmn::default().estimate(&model, &query).unwrap();
    let fb = Fmn::default().estimate(&model, &query).unwrap();
    assert_eq!(fa.rows, fb.rows);
    let (xa, xb) = (
        xai_core::host::to_vec_f32(fa.adversarial).unwrap(),
        xai_core::host::to_vec_f32(fb.adversarial).unwrap(),
    );
    assert_eq!(xa, xb);
}

#[test]
fn restarts_use_the_seed() {
    // A budget too small to succeed: every restart runs, from seeded random starts.
    let (d, device) = (20, Device::flex());
    let (lin, masks) = small_binary(d, 17);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space).unwrap();
    let batch = query.batch().unwrap();
    let run = |seed| {
        let pgd =
            MaskedPgdConfig::paper().with_restarts(3).with_seed(seed).with_steps(3).init().unwrap();
        let eval = Evaluator::new(&model);
        let out = pgd.perturb(&eval, &batch, &vec![0.01; masks.len()]).unwrap();
        assert!(out.success.iter().all(|s| !s));
        assert_eq!(eval.cost().backward, 4 * 3 * masks.len() as u64, "1 + 3 restarts of 3 steps");
        xai_core::host::to_vec_f32(out.adversarial).unwrap()
    };
    assert_eq!(run(1), run(1));
}

#[test]
fn masked_pgd_respects_budget_mask_and_box() {
    let (d, device) = (30, Device::flex());
    let (lin, masks) = small_binary(d, 18);
    let model = |x: Tensor<2>| lin.logits(x);
    let x = vec![0.5f64; d];
    let truths: Vec<f64> =
        masks.iter().map(|m| lin.untargeted_distance(&x, 0, m.bits(), false)).collect();
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space).unwrap();
    let batch: AttackBatch<2> = query.batch().unwrap();
    let pgd = MaskedPgdConfig::paper().init().unwrap();
    let eval = Evaluator::new(&model);
    for (scale, expect) in [(1.01f64, true), (0.99, false)] {
        let eps: Vec<f32> = truths.iter().map(|t| (t * scale) as f32).collect();
        let out = pgd.perturb(&eval, &batch, &eps).unwrap();
        assert_eq!(out.success, vec![expect; masks.len()], "scale {scale}");
        let adv = xai_core::host::to_vec_f32(out.adversarial).unwrap();
        for (i, m) in masks.iter().enumerate() {
            let row = &adv[i * d..(i + 1) * d];
            let norm = row.iter().map(|v| ((*v as f64) - 0.5).powi(2)).sum::<f64>().sqrt();
            assert!(norm <= eps[i] as f64 * (1.0 + 1e-5), "row {i}: {norm} > {}", eps[i]);
            for (j, v) in row.iter().enumerate() {
                assert!((0.0..=1.0).contains(v));
                if !m.get(j) {
                    assert_eq!(*v, 0.5, "row {i} element {j} is outside the mask");
                }
            }
        }
    }
}

#[test]
fn zero_gradient_rows_give_no_nan() {
    // The free features carry no weight: the attack can never succeed, nothing may be NaN.
    let (d, device) = (10, Device::flex());
    let mut w = vec![0.0f32; d * 2];
    for i in 5..d {
        w[i * 2] = 1.0;
        w[i * 2 + 1] = -1.0;
    }
    let lin = Linear::new(w, vec![0.0, 0.0], d, 2, &device);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let masks = vec![FeatureMask::from_indices(d, &[0, 1, 2]).unwrap()];
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space).unwrap();
    for out in [
        BisectionSearch::paper().estimate(&model, &query).unwrap(),
        Fmn::default().estimate(&model, &query).unwrap(),
    ] {
        assert!(!out.rows[0].found);
        assert!(out.rows[0].estimate.is_finite());
        let adv = xai_core::host::to_vec_f32(out.adversarial).unwrap();
        assert!(adv.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn already_misclassified_input_has_zero_fmn_estimate() {
    let (d, device) = (10, Device::flex());
    let (lin, masks) = small_binary(d, 19);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    // The model predicts 0; asking about label 1 means the clean input already "succeeds".
    let query = RobustnessQuery::one_input(half_input(d, &device), 1, &masks, &space).unwrap();
    let out = Fmn::default().estimate(&model, &query).unwrap();
    assert!(out.rows.iter().all(|r| r.found && r.estimate == 0.0));
    // The paper's bisection bottoms out at its smallest budget.
    let out = BisectionSearch::paper().estimate(&model, &query).unwrap();
    assert!(out.rows.iter().all(|r| r.found && r.estimate <= 1e-3));
}

#[test]
fn verification_catches_every_violation() {
    let (d, device) = (10, Device::flex());
    let (lin, _) = small_binary(d, 20);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let masks = vec![FeatureMask::from_indices(d, &[0, 1, 2, 3, 4, 5, 6, 7]).unwrap(); 4];
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space).unwrap();
    let good = Fmn::default().estimate(&model, &query).unwrap();
    assert!(good.found().iter().all(|f| *f));
    let est = good.estimates();
    let mut adv = xai_core::host::to_vec_f32(good.adversarial.clone()).unwrap();
    adv[d + 9] = 0.6; // row 1: outside the mask
    adv[2 * d] = 1.2; // row 2: outside the box
    adv[3 * d..4 * d].fill(0.5); // row 3: the clean input, not adversarial
    let adv: Tensor<2> = Tensor::from_data(TensorData::new(adv, [4, d]), &device);
    let claimed = vec![est[0] * 0.9, 10.0, 10.0, 10.0]; // row 0: norm above the claim
    let (checks, cost) =
        verify_adversarial(&model, &query, adv, &claimed, &[true; 4], Norm::L2).unwrap();
    assert_eq!(cost.forward, 4);
    let failures: Vec<_> = checks.iter().map(|c| c.as_ref().unwrap().failure.clone()).collect();
    assert!(matches!(failures[0], Some(VerifyFailure::NormAboveEstimate { .. })), "{failures:?}");
    assert!(matches!(failures[1], Some(VerifyFailure::ChangedOutsideFree { .. })), "{failures:?}");
    assert!(matches!(failures[2], Some(VerifyFailure::OutsideBox { .. })), "{failures:?}");
    assert!(
        matches!(failures[3], Some(VerifyFailure::NotAdversarial { predicted: 0 })),
        "{failures:?}"
    );
    // And the estimator's own examples pass an independent re-check.
    let (checks, _) =
        verify_adversarial(&model, &query, good.adversarial.clone(), &est, &good.found(), Norm::L2)
            .unwrap();
    assert!(checks.iter().all(|c| c.as_ref().unwrap().passed));
}

#[test]
fn image_shaped_inputs_with_pixel_features() {
    // A rank-4 input [1, 2, 3, 3] with pixel features (both channels of a pixel together).
    let device = Device::flex();
    let (c, h, w) = (2, 3, 3);
    let d = c * h * w;
    let mut rng = xai_core::seed::rng(21);
    let space = FeatureSpace::pixels(c, h, w).unwrap();
    let masks = random_masks(&mut rng, 3, space.n_features(), 0.8);
    let expanded: Vec<FeatureMask> = masks
        .iter()
        .map(|m| {
            FeatureMask::from_bits(
                space.expand_host(&m.to_f32()).unwrap().iter().map(|v| *v > 0.5).collect(),
            )
        })
        .collect();
    let lin = binary_model(&mut rng, d, &expanded, 1.0, &device);
    let model = |x: Tensor<4>| lin.logits(x.reshape([-1, d as i64]));
    let x = vec![0.5f64; d];
    let input: Tensor<4> = Tensor::full([1, c, h, w], 0.5, &device);
    let query = RobustnessQuery::one_input(input, 0, &masks, &space).unwrap();
    let out = Fmn::default().estimate(&model, &query).unwrap();
    assert_eq!(out.adversarial.dims(), [3, c, h, w]);
    for (row, m) in out.rows.iter().zip(&expanded) {
        let e = rel_err(row.estimate, lin.untargeted_distance(&x, 0, m.bits(), false));
        assert!(row.found && (-1e-4..=0.01).contains(&e), "{row:?} {e}");
    }
    let chunked = Fmn::default().estimate_chunked(&model, &query, 2).unwrap();
    assert_eq!(chunked.rows.len(), 3);
    assert_eq!(chunked.adversarial.dims(), [3, c, h, w]);
}
