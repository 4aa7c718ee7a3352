//! On a small random ReLU network (no closed form), the minimum-norm attack agrees with the
//! paper's bisection over PGD, and every example passes an independent verification.

use crate::common;

use burn::tensor::{Device, Tensor, TensorData};
use common::*;
use rand::Rng;
use xai_attacks::{
    AttackLoss, BisectionConfig, BisectionSearch, Fmn, FmnConfig, MaskedPgdConfig,
    RobustnessEstimator, RobustnessQuery, verify_adversarial,
};
use xai_core::{FeatureSpace, Norm};

#[test]
fn fmn_agrees_with_bisection_pgd_on_a_relu_network() {
    let (d, device) = (64, Device::flex());
    let mut rng = xai_core::seed::rng(41);
    let net = Mlp::new(&mut rng, d, 32, 10, &device);
    let model = |x: Tensor<2>| net.forward(x);
    let x: Vec<f32> = (0..d).map(|_| rng.random_range(0.2f32..0.8)).collect();
    let input: Tensor<2> = Tensor::from_data(TensorData::new(x, [1, d]), &device);
    let label = xai_core::classifier::argmax_rows(model(input.clone())).unwrap()[0];
    let masks = random_masks(&mut rng, 12, d, 0.8);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let query = RobustnessQuery::one_input(input, label, &masks, &space).unwrap();

    let paper = BisectionSearch::paper().estimate(&model, &query).unwrap();
    let pairwise = MaskedPgdConfig::paper().with_loss(AttackLoss::Pairwise).init().unwrap();
    let strong = BisectionSearch::new(pairwise, BisectionConfig::new())
        .unwrap()
        .estimate(&model, &query)
        .unwrap();
    let fmn = Fmn::default().estimate(&model, &query).unwrap();
    let ce = MaskedPgdConfig::paper().with_loss(AttackLoss::CrossEntropy).init().unwrap();
    let ce =
        BisectionSearch::new(ce, BisectionConfig::new()).unwrap().estimate(&model, &query).unwrap();
    let runner_up = FmnConfig::new()
        .with_loss(AttackLoss::Margin)
        .init()
        .unwrap()
        .estimate(&model, &query)
        .unwrap();
    for (name, out) in [
        ("bisection-pgd (paper)", &paper),
        ("bisection-pgd (ce)", &ce),
        ("bisection-pgd (pairwise)", &strong),
        ("fmn (runner-up margin)", &runner_up),
        ("fmn", &fmn),
    ] {
        let est = out.estimates();
        let mean = est.iter().sum::<f32>() / est.len() as f32;
        println!(
            "{name:<26} mean {mean:.4} cost/row {:.0} estimates {est:.3?}",
            out.cost.total() as f64 / est.len() as f64
        );
        let (checks, _) = verify_adversarial(
            &model,
            &query,
            out.adversarial.clone(),
            &est,
            &out.found(),
            Norm::L2,
        )
        .unwrap();
        for (i, c) in checks.iter().enumerate() {
            assert!(out.rows[i].found, "{name}: row {i} not found");
            assert!(
                c.as_ref().is_some_and(|c| c.passed),
                "{name}: row {i} fails verification: {c:?}"
            );
        }
    }
    // FMN's estimate is never much worse than either bisection, at >= 10x fewer evaluations.
    for (i, row) in fmn.rows.iter().enumerate() {
        let best = paper.rows[i].estimate.min(strong.rows[i].estimate);
        assert!(row.estimate <= best * 1.05, "row {i}: fmn {} vs bisection {best}", row.estimate);
    }
    assert!(fmn.cost.total() * 10 <= paper.cost.total());
}
