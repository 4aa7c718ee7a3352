//! `BestOf`: row by row the tighter of two verified estimates, with both costs.

use crate::common;

use burn::tensor::{Device, Tensor};
use common::*;
use xai_attacks::{BestOf, DeepFool, Fmn, FmnConfig, RobustnessEstimator, RobustnessQuery};
use xai_core::{FeatureMask, FeatureSpace, Norm};

/// On a 10-class linear model the strong bisection-PGD reference lands within 1% above the
/// closed-form minimum on every mask; the ensemble of FMN and DeepFool takes, on every row, the
/// smaller of the two estimates and pays both costs.
#[test]
fn best_of_keeps_the_tighter_estimate_and_both_costs() {
    let (d, k, device) = (50, 10, Device::flex());
    let mut rng = xai_core::seed::rng(17);
    let lin = multiclass_model(&mut rng, d, k, &device);
    let mut masks = random_masks(&mut rng, 6, d, 0.8);
    masks.push(FeatureMask::empty(d));
    let x = vec![0.5f64; d];
    let y = lin.predict(&x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), y, &masks, &space).unwrap();
    let model = |t: Tensor<2>| lin.logits(t);

    let truths: Vec<f64> =
        masks[..6].iter().map(|m| lin.untargeted_distance(&x, y, m.bits(), false)).collect();
    let strong = BestOf::strong_bisection_pgd(Norm::L2).unwrap();
    let sub = query.slice(0..6).unwrap();
    check_against_truth(&strong, &lin, &sub, &truths, "strong bisection-pgd", 1e-4, 0.01);

    let (fmn, deepfool) = (Fmn::default(), DeepFool::default());
    let a = fmn.estimate(&model, &query).unwrap();
    let b = deepfool.estimate(&model, &query).unwrap();
    let best = BestOf::new(fmn, deepfool).estimate(&model, &query).unwrap();
    assert_eq!(best.cost, a.cost + b.cost);
    for (i, ((ra, rb), r)) in a.rows.iter().zip(&b.rows).zip(&best.rows).enumerate() {
        assert_eq!(r.cost, ra.cost + rb.cost, "row {i}");
        if i == 6 {
            assert!(!r.found, "an empty mask stays not found");
            continue;
        }
        assert!(ra.found && rb.found && r.found, "row {i}");
        assert_eq!(r.estimate, ra.estimate.min(rb.estimate), "row {i}");
    }
    // The example of each row is the one of the estimate kept: its norm is within it.
    let adv = xai_core::host::to_vec_f32(best.adversarial).unwrap();
    for (i, r) in best.rows.iter().enumerate().take(6) {
        let norm =
            adv[i * d..(i + 1) * d].iter().map(|v| (v - 0.5) * (v - 0.5)).sum::<f32>().sqrt();
        assert!(norm <= r.estimate * (1.0 + 1e-4), "row {i}: norm {norm} > {}", r.estimate);
    }
}

/// Two estimators of different norms cannot be combined.
#[test]
fn best_of_rejects_mixed_norms() {
    let (d, device) = (8, Device::flex());
    let mut rng = xai_core::seed::rng(3);
    let lin = multiclass_model(&mut rng, d, 3, &device);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let masks = [FeatureMask::full(d)];
    let y = lin.predict(&vec![0.5; d]);
    let query = RobustnessQuery::one_input(half_input(d, &device), y, &masks, &space).unwrap();
    let linf = FmnConfig::new().with_norm(Norm::Linf).init().unwrap();
    let model = |t: Tensor<2>| lin.logits(t);
    let err = BestOf::new(Fmn::default(), linf).estimate(&model, &query).unwrap_err();
    assert!(err.to_string().contains("same norm"), "{err}");
}
