//! Flex and wgpu give the same estimates (within 1%) on a small case. Compiled only with the
//! crate feature `wgpu`; with it on, the test runs (and fails without a usable adapter) rather
//! than skipping.

use crate::common;

use burn::tensor::{Device, Tensor, TensorData};
use common::*;
use xai_attacks::{BisectionSearch, Fmn, RobustnessEstimator, RobustnessQuery};
use xai_core::{DeviceChoice, FeatureSpace};

fn estimates_on<E: RobustnessEstimator<2>>(estimator: &E, device: &Device, seed: u64) -> Vec<f32> {
    let d = 64;
    let mut rng = xai_core::seed::rng(seed);
    let masks = random_masks(&mut rng, 4, d, 0.8);
    let host = binary_model(&mut rng, d, &masks, 1.0, &Device::flex());
    let w = xai_core::host::to_vec_f32(host.w.clone()).unwrap();
    let b = xai_core::host::to_vec_f32(host.b.clone()).unwrap();
    let lin = Linear::new(w, b, d, 2, device);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let input: Tensor<2> = Tensor::from_data(TensorData::new(vec![0.5f32; d], [1, d]), device);
    let query = RobustnessQuery::one_input(input, 0, &masks, &space).unwrap();
    let out = estimator.estimate(&model, &query).unwrap();
    assert!(out.found().iter().all(|f| *f));
    out.estimates()
}

#[test]
fn flex_and_wgpu_agree_within_one_percent() {
    let gpu =
        DeviceChoice::Wgpu.device().expect("the wgpu feature is on, so a wgpu device is required");
    let cpu = Device::flex();
    for (name, a, b) in [
        (
            "bisection-pgd",
            estimates_on(&BisectionSearch::paper(), &cpu, 31),
            estimates_on(&BisectionSearch::paper(), &gpu, 31),
        ),
        ("fmn", estimates_on(&Fmn::default(), &cpu, 31), estimates_on(&Fmn::default(), &gpu, 31)),
    ] {
        for (x, y) in a.iter().zip(&b) {
            assert!(((x - y) / x).abs() <= 0.01, "{name}: flex {x} vs wgpu {y}");
        }
        println!("{name}: flex {a:?} wgpu {b:?}");
    }
}
