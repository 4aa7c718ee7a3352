//! Greedy-AS (`fast` preset) against Grad and Random on the paper's own network: the
//! Robustness-S̄r of its top-20% set is larger (paper 000, Table 1, at one point of the curve),
//! and Random's Robustness-S̄r AUC is below Grad's.
//!
//! The features are 2×2 patches (196): the fast preset's 400 subsets per step pin down a
//! regression over 196 features, not over 784 pixels (there, with FMN inside, it only tied
//! Grad on these 5 images: 1.70 vs 1.79; with patches 1.89 vs 1.71, Random 1.28).

use crate::common;
use burn::tensor::Device;
use xai::core::FeatureSpace;
use xai::datasets::{DataDir, registry};
use xai::explain::{AnyExplainer, ExplainRequest, Explainer, Method, MethodOptions, Preset};
use xai::metrics::{RobustnessCurve, RobustnessCurveConfig};
use xai::zoo::{ModelName, ZooModel};

#[test]
fn greedy_as_fast_beats_grad_and_random_on_robustness_sr_bar_at_20_percent() {
    common::ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    let data = registry::load_from("mnist-test", &DataDir::resolve(None)).unwrap();
    let indices = [0usize, 1, 2, 3, 4];
    let x = data.batch_tensor(&indices, &device).unwrap();
    let space = FeatureSpace::patches(1, 28, 28, 2).unwrap();
    let (request, _) = ExplainRequest::predicted(&model, x.clone(), space.clone()).unwrap();
    let labels = request.classes().to_vec();
    let options = MethodOptions { preset: Preset::Fast, ..Default::default() };
    // Evaluated with the full 100-step FMN, independent of Greedy-AS's own DeepFool estimator,
    // over the paper's fractions 5%, 10%, ..., 45% (20% is the fourth point).
    let curve =
        RobustnessCurve::new(RobustnessCurveConfig::new(), xai::attacks::Fmn::default()).unwrap();
    let (mut at_20, mut auc) = (Vec::new(), Vec::new());
    for method in [Method::GreedyAs, Method::Grad, Method::Random] {
        let explainer = AnyExplainer::new(method, &options).unwrap();
        let atts = explainer.explain(&model, &request).unwrap();
        let report = curve.evaluate(&model, x.clone(), &labels, None, &atts, &space).unwrap();
        let values: Vec<f64> = report.per_example.iter().map(|c| c[3]).collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let cost: u64 = atts.iter().map(|a| a.cost.total()).sum();
        println!(
            "{method}: Robustness-S̄r at 20% {values:.3?} mean {mean:.3}; AUC {:.2}; {cost} evaluations",
            report.auc
        );
        at_20.push(mean);
        auc.push(report.auc);
    }
    assert!(at_20[0] > at_20[1], "greedy-as {} must beat grad {}", at_20[0], at_20[1]);
    assert!(at_20[0] > at_20[2], "greedy-as {} must beat random {}", at_20[0], at_20[2]);
    assert!(auc[2] < auc[1], "random's AUC {} must be below grad's {}", auc[2], auc[1]);
}
