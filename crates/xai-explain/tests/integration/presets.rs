//! Presets are data: each config type's `preset` gives the values the `Preset` docs promise
//! (paper 000, appendix C, for `paper`).

use xai_attacks::Estimator;
use xai_explain::*;

#[test]
fn paper_preset_values_are_the_papers() {
    let p = Preset::Paper;
    assert_eq!(IntegratedGradientsConfig::preset(p).steps, 64);
    assert_eq!(SmoothGradConfig::preset(p).samples, 50);
    assert_eq!(ExpectedGradientsConfig::preset(p).samples, 200);
    assert_eq!(KernelShapConfig::preset(p).samples, 2048);
    assert_eq!(LimeConfig::preset(p).samples, 1000);
    assert_eq!(BbmpConfig::preset(p).steps, 300);
    assert_eq!(CfxConfig::preset(p).steps, 200);
    assert_eq!(SampledShapleyConfig::preset(p).permutations, 100);
    assert_eq!(GreedyConfig::preset(p).step_fraction, 0.05);
    let g = GreedyAsConfig::preset(p);
    assert_eq!((g.subsets, g.step_fraction, g.ridge), (5000, 0.05, 0.0));
    assert_eq!(OneStepBanzhafConfig::preset(p).subsets, 5000);
    assert_eq!(DeepShapConfig::preset(p, 32).samples, Some(32));
    assert_eq!(p.estimator(), Estimator::BisectionPgd);
}

#[test]
fn fast_preset_scales_every_sampler_down() {
    let (p, f) = (Preset::Paper, Preset::Fast);
    assert!(
        IntegratedGradientsConfig::preset(f).steps < IntegratedGradientsConfig::preset(p).steps
    );
    assert!(SmoothGradConfig::preset(f).samples < SmoothGradConfig::preset(p).samples);
    assert!(KernelShapConfig::preset(f).samples < KernelShapConfig::preset(p).samples);
    assert!(LimeConfig::preset(f).samples < LimeConfig::preset(p).samples);
    assert!(
        SampledShapleyConfig::preset(f).permutations < SampledShapleyConfig::preset(p).permutations
    );
    let g = GreedyAsConfig::preset(f);
    assert_eq!((g.subsets, g.step_fraction, g.ridge), (400, 0.1, 1.0));
    let b = OneStepBanzhafConfig::preset(f);
    assert_eq!((b.subsets, b.ridge), (400, 1.0));
    assert_eq!(GreedyConfig::preset(f).step_fraction, 0.1);
    assert_eq!(DeepShapConfig::preset(f, 32).samples, Some(8));
    assert_eq!(DeepShapConfig::preset(f, 3).samples, Some(3));
    assert_eq!(GradEfsConfig::preset(f).steps, GradEfsConfig::fast().steps);
    assert_eq!(PertMapConfig::preset(p).steps, PertMapConfig::paper().steps);
    assert_eq!(f.estimator(), Estimator::DeepfoolFast);
}
