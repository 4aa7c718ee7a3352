//! Both estimators against the closed-form minimum perturbation of linear models.

use crate::common;

use burn::tensor::Device;
use common::*;
use xai_attacks::{
    AttackLoss, BisectionConfig, BisectionSearch, Fmn, FmnConfig, MaskedPgdConfig,
    RobustnessEstimator, RobustnessQuery,
};
use xai_core::{FeatureSpace, Norm};

/// Within 1% above the truth and never below it (up to float rounding).
const ABOVE: f64 = 0.01;
const BELOW: f64 = 1e-4;
/// The paper's PGD clips to the box before projecting onto the ε-ball (the reference code's
/// order): with its fixed step of 1.0 in a few dimensions the clipped step leaves the gradient
/// direction, and the estimate lands up to ~3.4% above the truth (binary d = 10; 0.3% from d = 50).
const ABOVE_PAPER_PGD: f64 = 0.05;

fn check<E: RobustnessEstimator<2>>(
    estimator: &E,
    lin: &Linear,
    query: &RobustnessQuery<2>,
    truths: &[f64],
    label: &str,
) -> Figures {
    check_within(estimator, lin, query, truths, label, ABOVE)
}

fn check_within<E: RobustnessEstimator<2>>(
    estimator: &E,
    lin: &Linear,
    query: &RobustnessQuery<2>,
    truths: &[f64],
    label: &str,
    above: f64,
) -> Figures {
    let (f, out) = check_against_truth(estimator, lin, query, truths, label, BELOW, above);
    println!(
        "{label:<34} {:<14} mean rel err {:+.5}  max {:+.5}  cost/row {:.0} (fwd {} bwd {})",
        estimator.name(),
        f.mean_err,
        f.max_err,
        f.cost_per_row,
        out.cost.forward,
        out.cost.backward
    );
    f
}

fn binary_case(d: usize, sign: f32, seed: u64) {
    let device = Device::flex();
    let mut rng = xai_core::seed::rng(seed);
    let masks = random_masks(&mut rng, 6, d, 0.8);
    let lin = binary_model(&mut rng, d, &masks, sign, &device);
    let x = vec![0.5f64; d];
    let y = lin.predict(&x);
    let truths: Vec<f64> =
        masks.iter().map(|m| lin.untargeted_distance(&x, y, m.bits(), false)).collect();
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), y, &masks, &space).unwrap();
    let label = format!("binary d={d} y={y}");
    let paper = BisectionSearch::paper();
    let pgd = check_within(&paper, &lin, &query, &truths, &label, ABOVE_PAPER_PGD);
    let fmn = check(&Fmn::default(), &lin, &query, &truths, &label);
    assert!(fmn.cost_per_row * 10.0 <= pgd.cost_per_row, "FMN must be >= 10x cheaper");
}

#[test]
fn binary_d10_both_labels() {
    binary_case(10, 1.0, 1);
    binary_case(10, -1.0, 2);
}

#[test]
fn binary_d50_both_labels() {
    binary_case(50, 1.0, 3);
    binary_case(50, -1.0, 4);
}

#[test]
fn binary_d784() {
    binary_case(784, 1.0, 5);
    binary_case(784, -1.0, 6);
}

fn multiclass_case(d: usize, k: usize, seed: u64) {
    let device = Device::flex();
    let mut rng = xai_core::seed::rng(seed);
    let lin = multiclass_model(&mut rng, d, k, &device);
    let masks = random_masks(&mut rng, 6, d, 0.8);
    let x = vec![0.5f64; d];
    let y = lin.predict(&x);
    assert_eq!(y, 0);
    let truths: Vec<f64> =
        masks.iter().map(|m| lin.untargeted_distance(&x, y, m.bits(), false)).collect();
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), y, &masks, &space).unwrap();
    let label = format!("multi-class d={d} k={k}");
    let pgd = MaskedPgdConfig::paper().with_loss(AttackLoss::Pairwise).init().unwrap();
    let bisection = BisectionSearch::new(pgd, BisectionConfig::new()).unwrap();
    let pgd = check(&bisection, &lin, &query, &truths, &label);
    let fmn = check(&Fmn::default(), &lin, &query, &truths, &label);
    assert!(fmn.cost_per_row * 10.0 <= pgd.cost_per_row, "FMN must be >= 10x cheaper");
}

#[test]
fn multiclass_d50_k10() {
    multiclass_case(50, 10, 7);
}

#[test]
fn multiclass_d784_k10() {
    multiclass_case(784, 10, 8);
}

#[test]
fn linf_binary_d50() {
    let (d, device) = (50, Device::flex());
    let mut rng = xai_core::seed::rng(9);
    let masks = random_masks(&mut rng, 6, d, 0.8);
    let lin = binary_model(&mut rng, d, &masks, 1.0, &device);
    let x = vec![0.5f64; d];
    let truths: Vec<f64> =
        masks.iter().map(|m| lin.untargeted_distance(&x, 0, m.bits(), true)).collect();
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(half_input(d, &device), 0, &masks, &space).unwrap();
    let pgd = MaskedPgdConfig::linf().init().unwrap();
    let fine = BisectionConfig::new().with_tolerance(1e-5);
    check(&BisectionSearch::new(pgd, fine).unwrap(), &lin, &query, &truths, "linf binary d=50");
    let fmn = FmnConfig::new().with_norm(Norm::Linf).init().unwrap();
    check(&fmn, &lin, &query, &truths, "linf binary d=50");
}
