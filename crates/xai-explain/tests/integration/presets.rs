//! Presets are data: each config type's `preset` gives the values the `Preset` docs promise
//! (paper 000's sample counts, appendix C, for `standard`; its reference code's protocol for
//! `paper`).

use xai_attacks::Estimator;
use xai_explain::*;

#[test]
fn standard_preset_values_are_the_papers_sample_counts() {
    let p = Preset::Standard;
    assert_eq!(Preset::default(), p);
    let ig = IntegratedGradientsConfig::preset(p);
    assert_eq!(
        (ig.steps, ig.rule, ig.multiply_by_input, ig.absolute),
        (64, IntegrationRule::Trapezoid, true, false)
    );
    assert!(!LooConfig::preset(p).absolute);
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

/// `paper` is the reference code (`expl_utils.get_explanation_pdt` and `saliency_expl`):
/// `np.abs` of every saliency map, IG as the mean of the gradients at `x·i/10`, `i = 0..9`
/// (not multiplied by the input), LOO with the pixel set to 0; the sample counts stay the
/// standard ones.
#[test]
fn paper_preset_is_the_reference_codes_protocol() {
    let (p, s) = (Preset::Paper, Preset::Standard);
    let ig = IntegratedGradientsConfig::preset(p);
    assert_eq!(
        (ig.steps, ig.rule, ig.multiply_by_input, ig.absolute),
        (10, IntegrationRule::RiemannLeft, false, true)
    );
    let alphas: Vec<f64> = ig.rule.nodes(ig.steps).iter().map(|n| n.0).collect();
    assert_eq!(alphas, (0..10).map(|i| i as f64 / 10.0).collect::<Vec<_>>());
    let loo = LooConfig::preset(p);
    assert!(loo.absolute && loo.reference == xai_core::Reference::Constant(0.0));
    assert_eq!(GreedyAsConfig::preset(p).subsets, GreedyAsConfig::preset(s).subsets);
    // expl_utils.one_step_banzhaf: n_sample = 10000, shap_sampling(p=0.5).
    let b = OneStepBanzhafConfig::preset(p);
    assert_eq!((b.subsets, b.include_prob), (10_000, 0.5));
    assert_eq!(p.estimator(), Estimator::BisectionPgd);
    let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(names, ["standard", "paper", "fast"]);
    for p in Preset::ALL {
        assert_eq!(p.name().parse::<Preset>().unwrap(), p);
    }
}

#[test]
fn fast_preset_scales_every_sampler_down() {
    let (p, f) = (Preset::Standard, Preset::Fast);
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
