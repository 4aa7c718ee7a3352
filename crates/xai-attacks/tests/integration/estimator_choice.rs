//! `Estimator`: one name per configuration, and the `AnyEstimator` it builds behaves exactly as
//! the estimator it wraps.

use crate::common;

use burn::tensor::{Device, Tensor};
use common::*;
use xai_attacks::{
    AnyEstimator, BestOf, BisectionSearch, DeepFool, DeepFoolConfig, Estimator, FmnConfig,
    RobustnessEstimator, RobustnessQuery,
};
use xai_core::{FeatureSpace, Norm, XaiError};

/// Every name parses back to its estimator, prints as itself and is its serde name; unknown
/// names are an error listing the known ones.
#[test]
fn every_estimator_has_one_name_everywhere() {
    let mut names: Vec<&str> = Estimator::ALL.iter().map(|e| e.name()).collect();
    for e in Estimator::ALL {
        assert_eq!(e.name().parse::<Estimator>().unwrap(), e);
        assert_eq!(e.to_string(), e.name());
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, format!("\"{}\"", e.name()));
        assert_eq!(serde_json::from_str::<Estimator>(&json).unwrap(), e);
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), Estimator::ALL.len(), "names are distinct");
    let err = "pgd".parse::<Estimator>().unwrap_err();
    assert!(matches!(err, XaiError::UnknownName { .. }), "{err}");
    assert!(err.to_string().contains(
        "bisection-pgd, bisection-pgd-strong, fmn, deepfool, deepfool-fast, deepfool-runner-up"
    ));
}

/// Each name builds the configuration it documents (compared with the hand-built one).
#[test]
fn each_name_builds_its_documented_configuration() {
    let same = |e: Estimator, norm: Norm, expected: AnyEstimator| {
        assert_eq!(format!("{:?}", e.build(norm).unwrap()), format!("{expected:?}"), "{e} {norm}");
    };
    same(Estimator::BisectionPgd, Norm::L2, AnyEstimator::BisectionPgd(BisectionSearch::paper()));
    same(
        Estimator::BisectionPgdStrong,
        Norm::Linf,
        AnyEstimator::BisectionPgdStrong(BestOf::strong_bisection_pgd(Norm::Linf).unwrap()),
    );
    same(
        Estimator::Fmn,
        Norm::Linf,
        AnyEstimator::Fmn(FmnConfig::new().with_norm(Norm::Linf).init().unwrap()),
    );
    same(Estimator::Deepfool, Norm::L2, AnyEstimator::DeepFool(DeepFool::default()));
    let fast = DeepFoolConfig::new().with_candidates(2).with_refine_steps(4).init().unwrap();
    same(Estimator::DeepfoolFast, Norm::L2, AnyEstimator::DeepFool(fast));
    let runner_up = DeepFoolConfig::new().with_candidates(1).with_refine_steps(3).init().unwrap();
    same(Estimator::DeepfoolRunnerUp, Norm::L2, AnyEstimator::DeepFool(runner_up));
    let bisection: AnyEstimator = Estimator::BisectionPgd.build(Norm::Linf).unwrap();
    assert_eq!(RobustnessEstimator::<2>::norm(&bisection), Norm::Linf);
}

/// DeepFool measures the L2 norm only: asking for L∞ is an error naming the estimator.
#[test]
fn deepfool_rejects_linf() {
    for e in [Estimator::Deepfool, Estimator::DeepfoolFast, Estimator::DeepfoolRunnerUp] {
        assert!(!e.supports(Norm::Linf) && e.supports(Norm::L2));
        let err = e.build(Norm::Linf).unwrap_err().to_string();
        assert!(err.contains(e.name()) && err.contains("L2"), "{err}");
    }
}

/// On a 10-class linear model every built estimator returns exactly the rows, examples and
/// cost of the estimator it wraps, and never reports less than the closed-form minimum.
#[test]
fn any_estimator_returns_what_the_wrapped_estimator_returns() {
    let (d, k, device) = (30, 10, Device::flex());
    let mut rng = xai_core::seed::rng(5);
    let lin = multiclass_model(&mut rng, d, k, &device);
    let masks = random_masks(&mut rng, 4, d, 0.8);
    let x = vec![0.5f64; d];
    let y = lin.predict(&x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), y, &masks, &space).unwrap();
    let model = |t: Tensor<2>| lin.logits(t);
    let chosen = [
        Estimator::BisectionPgd,
        Estimator::Fmn,
        Estimator::Deepfool,
        Estimator::DeepfoolFast,
        Estimator::DeepfoolRunnerUp,
    ];
    for e in chosen {
        let any = e.build(Norm::L2).unwrap();
        let got = any.estimate(&model, &query).unwrap();
        let expected = match &any {
            AnyEstimator::BisectionPgd(inner) => inner.estimate(&model, &query).unwrap(),
            AnyEstimator::Fmn(inner) => inner.estimate(&model, &query).unwrap(),
            AnyEstimator::DeepFool(inner) => inner.estimate(&model, &query).unwrap(),
            AnyEstimator::BisectionPgdStrong(inner) => inner.estimate(&model, &query).unwrap(),
        };
        assert_eq!(got.rows, expected.rows, "{e}");
        assert_eq!(got.cost, expected.cost, "{e}");
        assert!(got.cost.forward > 0, "{e}: evaluations are counted");
        let adv = xai_core::host::to_vec_f32(got.adversarial).unwrap();
        let want = xai_core::host::to_vec_f32(expected.adversarial).unwrap();
        assert_eq!(adv, want, "{e}");
        for (i, (r, m)) in got.rows.iter().zip(&masks).enumerate() {
            let truth = lin.untargeted_distance(&x, y, m.bits(), false);
            assert!(r.found, "{e} row {i}");
            assert!(
                r.estimate as f64 >= truth * (1.0 - 1e-4),
                "{e} row {i}: {} < {truth}",
                r.estimate
            );
        }
    }
}
