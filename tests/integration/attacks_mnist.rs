//! The two minimum-norm estimators on the paper's own network: they agree, and every
//! adversarial example they return passes an independent check written here.

use crate::common;

use burn::tensor::{Device, Tensor};
use xai::attacks::{BestOf, BisectionSearch, Fmn, RobustnessEstimator, RobustnessQuery};
use xai::core::classifier::argmax_rows;
use xai::core::host::to_vec_f32;
use xai::core::{FeatureMask, FeatureSpace, Norm, seed};
use xai::datasets::{DataDir, registry};
use xai::zoo::{ModelName, ZooModel};

/// FMN against bisection over PGD on 20 random masks (each pixel free with probability 0.8) of
/// 3 test images. Both are verified upper bounds on the true minimum, so the comparison that
/// says whether FMN estimates it is against the tightest bisection-PGD we have
/// ([`BestOf::strong_bisection_pgd`]: strong pairwise PGD with restarts, or runner-up-margin
/// PGD, row by row the tighter): the two agree within 5% on **every** mask. The paper's PGD
/// (`−f_y`, blind to the other classes, fixed step 1.0) is a looser bound on average: FMN is
/// ~5% below it (mean 0.9475, range 0.81–1.09 on these 60 masks, now that the PGD clips before
/// projecting as the reference code does; ~8% below and never 5% above with the other order).
#[test]
fn bisection_pgd_and_fmn_agree_on_mnist_cnn_and_examples_verify() {
    common::ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    let data = registry::load_from("mnist-test", &DataDir::resolve(None)).unwrap();
    let space = FeatureSpace::pixels(1, 28, 28).unwrap();
    let strong = BestOf::strong_bisection_pgd(Norm::L2).unwrap();
    let mut rng = seed::rng(7);
    let (mut vs_paper, mut vs_strong) = (Vec::new(), Vec::new());
    let (mut cost_pgd, mut cost_strong, mut cost_fmn) = (0u64, 0u64, 0u64);
    for index in [0usize, 1, 2] {
        let masks: Vec<FeatureMask> =
            (0..20).map(|_| FeatureMask::bernoulli(784, 0.8, &mut rng).unwrap()).collect();
        let x = data.batch_tensor(&[index], &device).unwrap();
        let label = data.label(index).unwrap();
        let query = RobustnessQuery::one_input(x.clone(), label, &masks, &space).unwrap();
        let paper = BisectionSearch::paper().estimate(&model, &query).unwrap();
        let best = strong.estimate(&model, &query).unwrap();
        let fmn = Fmn::default().estimate(&model, &query).unwrap();
        cost_pgd += paper.cost.total();
        cost_strong += best.cost.total();
        cost_fmn += fmn.cost.total();
        for (name, result) in
            [("bisection-pgd", &paper), ("bisection-pgd-strong", &best), ("fmn", &fmn)]
        {
            check_examples(name, &model, &x, label, &masks, &space, result);
        }
        for ((a, m), b) in paper.rows.iter().zip(&best.rows).zip(&fmn.rows) {
            assert!(
                a.found && m.found && b.found,
                "image {index}: all must find an example:\n{a:?}\n{m:?}\n{b:?}"
            );
            vs_paper.push(b.estimate / a.estimate);
            vs_strong.push(b.estimate / m.estimate);
        }
    }
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    let range =
        |v: &[f32]| v.iter().fold((f32::MAX, f32::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    println!(
        "fmn / bisection-pgd (paper): mean {:.4}, range {:.4?}; fmn / bisection-pgd-strong: mean \
         {:.4}, range {:.4?}; evaluations: fmn {cost_fmn}, paper {cost_pgd}, strong {cost_strong}",
        mean(&vs_paper),
        range(&vs_paper),
        mean(&vs_strong),
        range(&vs_strong)
    );
    for (i, r) in vs_strong.iter().enumerate() {
        assert!((r - 1.0).abs() <= 0.05, "mask {i}: fmn / strong bisection-PGD = {r}");
    }
    assert!(mean(&vs_paper) < 0.97, "fmn must be tighter than the paper's PGD on average");
    for r in &vs_paper {
        assert!(*r <= 1.10, "fmn more than 10% above the paper's bisection-PGD: {r}");
    }
    assert!(cost_fmn * 10 < cost_pgd, "fmn must be much cheaper: {cost_fmn} vs {cost_pgd}");
}

/// Independent verification: misclassified, norm within the estimate, zero outside the free
/// pixels, inside [0, 1].
fn check_examples(
    name: &str,
    model: &ZooModel,
    x: &Tensor<4>,
    label: usize,
    masks: &[FeatureMask],
    space: &FeatureSpace,
    result: &xai::attacks::RobustnessBatch<4>,
) {
    use xai::core::Classifier;
    let adv = result.adversarial.clone();
    let preds = argmax_rows(model.logits(adv.clone())).unwrap();
    let adv = to_vec_f32(adv).unwrap();
    let clean = to_vec_f32(x.clone()).unwrap();
    for (i, (row, mask)) in result.rows.iter().zip(masks).enumerate() {
        if !row.found {
            continue; // Not claimed: holds the clean input; `found` is asserted by the caller.
        }
        let a = &adv[i * 784..(i + 1) * 784];
        let free = space.expand_host(&mask.to_f32()).unwrap();
        let delta: Vec<f32> = a.iter().zip(&clean).map(|(p, q)| p - q).collect();
        let norm = delta.iter().map(|d| d * d).sum::<f32>().sqrt();
        assert_ne!(preds[i], label, "{name} mask {i}: not adversarial");
        assert!(
            norm <= row.estimate * (1.0 + 1e-4) + 1e-5,
            "{name} mask {i}: norm {norm} > {}",
            row.estimate
        );
        assert!(
            delta.iter().zip(&free).all(|(d, f)| *f == 1.0 || d.abs() <= 1e-6),
            "{name} mask {i}: moved a fixed pixel"
        );
        assert!(a.iter().all(|v| (0.0..=1.0).contains(v)), "{name} mask {i}: left the box");
    }
}
