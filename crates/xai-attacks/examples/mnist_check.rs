//! TEMPORARY measurement on mnist-cnn (removed after measuring).
use burn::tensor::Device;
use std::time::Instant;
use xai_attacks::*;
use xai_core::{FeatureMask, FeatureSpace, Norm};

fn main() -> anyhow_free::R {
    let device = Device::flex();
    let model = xai_zoo::ZooModel::load(xai_zoo::ModelName::MnistCnn, &device)?;
    let data = xai_datasets::load("mnist-test", None)?;
    let space = FeatureSpace::pixels(1, 28, 28)?;
    let args: Vec<String> = std::env::args().collect();
    let n_masks: usize = args.get(1).map(|s| s.parse().unwrap()).unwrap_or(100);
    let images: Vec<usize> =
        args.get(2).map(|s| s.split(',').map(|v| v.parse().unwrap()).collect()).unwrap_or(vec![0]);
    for &index in &images {
        let mut rng = xai_core::seed::rng(index as u64 + 1000);
        let masks: Vec<FeatureMask> =
            (0..n_masks).map(|_| FeatureMask::bernoulli(784, 0.8, &mut rng).unwrap()).collect();
        let input = data.batch_tensor(&[index], &device)?;
        let label = data.label(index)?;
        let query = RobustnessQuery::one_input(input, label, &masks, &space)?;
        let pairwise = BisectionSearch::new(
            MaskedPgdConfig::paper().with_loss(AttackLoss::Pairwise).init()?,
            BisectionConfig::new(),
        )?;
        let mut results = Vec::new();
        for (name, run) in [
            (
                "bisection-pgd (paper)",
                Box::new(|| BisectionSearch::paper().estimate(&model, &query))
                    as Box<dyn Fn() -> _>,
            ),
            ("bisection-pgd (pairwise)", Box::new(|| pairwise.estimate(&model, &query))),
            ("fmn", Box::new(|| Fmn::default().estimate(&model, &query))),
        ] {
            let t = Instant::now();
            let out: RobustnessBatch<4> = run()?;
            let wall = t.elapsed().as_secs_f64();
            let est = out.estimates();
            let found = out.found().iter().filter(|f| **f).count();
            let (checks, _) = verify_adversarial(
                &model,
                &query,
                out.adversarial.clone(),
                &est,
                &out.found(),
                Norm::L2,
            )?;
            let passed = checks.iter().filter(|c| c.as_ref().is_some_and(|c| c.passed)).count();
            println!(
                "image {index} label {label} {name:<26} mean est {:.4} found {found}/{n_masks} verified {passed} cost/mask {:.0} (fwd {:.0} bwd {:.0}) wall/mask {:.3}s",
                est.iter().sum::<f32>() / n_masks as f32,
                out.cost.total() as f64 / n_masks as f64,
                out.cost.forward as f64 / n_masks as f64,
                out.cost.backward as f64 / n_masks as f64,
                wall / n_masks as f64
            );
            results.push(est);
        }
        let rel = |a: &[f32], b: &[f32]| {
            let r: Vec<f32> = a.iter().zip(b).map(|(x, y)| (x - y) / y).collect();
            (
                r.iter().sum::<f32>() / r.len() as f32,
                r.iter().cloned().fold(f32::MIN, f32::max),
                r.iter().cloned().fold(f32::MAX, f32::min),
            )
        };
        println!("  fmn vs paper (mean, max, min rel): {:?}", rel(&results[2], &results[0]));
        println!("  fmn vs pairwise (mean, max, min rel): {:?}", rel(&results[2], &results[1]));
    }
    Ok(())
}

mod anyhow_free {
    pub type R = Result<(), Box<dyn std::error::Error>>;
}
