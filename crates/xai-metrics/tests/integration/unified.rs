//! Paper 003's four metrics and the sampled Shapley values behind M_pixel, against closed forms
//! and hand-computed values on tiny images.

use burn::tensor::{Device, Tensor};
use rand::Rng;
use serde::Serialize;
use serde::de::DeserializeOwned;
use xai_core::host::{from_vec_f32, to_vec_f32};
use xai_core::{Attribution, Classifier, Cost, FeatureSpace, Reference, XaiError, seed};
use xai_explain::{ExplainRequest, Explainer, SampledShapley, SampledShapleyConfig};
use xai_metrics::unified::{
    Half, PixelBias, PixelBiasConfig, PixelBiasReport, SpatialMasking, SpatialMaskingConfig,
    SpatialMaskingReport, UnexplainableComponents, UnexplainableComponentsConfig,
    UnexplainableComponentsReport, mean_pixel, mutual_verification,
};

fn att(method: &str, scores: Vec<f32>) -> Attribution {
    Attribution::new(method, 0, scores, Cost::default()).unwrap()
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}");
}

/// Logits `x · W + b` of `[n, 2, 2, 3]` images (12 elements, 3 classes).
fn linear(w: &[f32], b: &[f32], device: &Device) -> impl Fn(Tensor<4>) -> Tensor<2> + use<> {
    let wt: Tensor<2> = from_vec_f32(w.to_vec(), [12, 3], device).unwrap();
    let bias: Tensor<2> = from_vec_f32(b.to_vec(), [1, 3], device).unwrap();
    move |x: Tensor<4>| {
        let n = x.dims()[0];
        x.reshape([n, 12]).matmul(wt.clone()) + bias.clone()
    }
}

#[test]
fn sampled_shapley_is_exact_on_a_linear_model_for_any_permutation_count() {
    let device = Device::flex();
    let mut rng = seed::rng(11);
    let w: Vec<f32> = (0..36).map(|_| rng.random_range(-2.0f32..2.0)).collect();
    let model = linear(&w, &[0.3, -0.1, 0.2], &device);
    let space = FeatureSpace::pixels(2, 2, 3).unwrap();
    let xs: Vec<f32> = (0..24).map(|_| rng.random::<f32>()).collect();
    let r: Vec<f32> = (0..12).map(|_| rng.random::<f32>()).collect();
    let x: Tensor<4> = from_vec_f32(xs.clone(), [2, 2, 2, 3], &device).unwrap();
    for (contrast, permutations) in [(None, 1), (None, 2), (None, 7), (Some(2), 3)] {
        let mut request =
            ExplainRequest::new(x.clone(), vec![0, 1], space.clone()).unwrap().with_seed(5);
        if let Some(t) = contrast {
            request = request.with_contrast(vec![t, t]).unwrap();
        }
        let request = request.with_batch_size(4).unwrap();
        let shapley = SampledShapleyConfig::new()
            .with_permutations(permutations)
            .with_reference(Reference::Values(r.clone()))
            .init()
            .unwrap();
        let maps = shapley.explain(&model, &request).unwrap();
        for (row, map) in maps.iter().enumerate() {
            let class = request.classes()[row];
            assert_eq!(map.cost.forward, 2 + permutations as u64 * 5, "cost");
            for f in 0..6 {
                // Feature f = pixel f, both channels: elements f and 6 + f.
                let truth: f64 = [f, 6 + f]
                    .iter()
                    .map(|&e| {
                        let wy = w[e * 3 + class] as f64;
                        let wt = contrast.map_or(0.0, |t| w[e * 3 + t] as f64);
                        (wy - wt) * (xs[row * 12 + e] as f64 - r[e] as f64)
                    })
                    .sum();
                close(map.scores[f] as f64, truth, 1e-5, &format!("φ_{f} (P = {permutations})"));
            }
        }
    }
}

/// `f(x) = x0·x1 + 2·x2 + x3²` as the single logit of `[n, 4]` inputs.
fn product_model(x: Tensor<2>) -> Tensor<2> {
    let col = |i| x.clone().narrow(1, i, 1);
    col(0) * col(1) + col(2).mul_scalar(2.0) + col(3) * col(3)
}

#[test]
fn sampled_shapley_is_efficient_and_converges_on_a_product_model() {
    let device = Device::flex();
    let xs = [0.9f32, 0.8, 0.5, 0.7];
    let x: Tensor<2> = from_vec_f32(xs.to_vec(), [1, 4], &device).unwrap();
    let space = FeatureSpace::elements(&[4]).unwrap();
    let request = ExplainRequest::new(x, vec![0], space).unwrap().with_seed(3);
    let fx = (xs[0] * xs[1] + 2.0 * xs[2] + xs[3] * xs[3]) as f64;
    let p01 = (xs[0] * xs[1]) as f64 / 2.0;
    let truth = [p01, p01, 2.0 * xs[2] as f64, (xs[3] * xs[3]) as f64];
    for (permutations, antithetic) in [(1, false), (5, false), (2000, false), (2000, true)] {
        let shapley = SampledShapleyConfig::new()
            .with_permutations(permutations)
            .with_antithetic(antithetic)
            .init()
            .unwrap();
        let map = &shapley.explain(&product_model, &request).unwrap()[0];
        let sum: f64 = map.scores.iter().map(|v| *v as f64).sum();
        close(sum, fx, 1e-5, &format!("efficiency (P = {permutations})"));
        if permutations >= 2000 {
            for f in 0..4 {
                close(map.scores[f] as f64, truth[f], 0.03, &format!("φ_{f}"));
            }
        }
        // x2 and x3 enter additively: exact along every permutation.
        close(map.scores[2] as f64, truth[2], 1e-5, "φ_2");
        close(map.scores[3] as f64, truth[3], 1e-5, "φ_3");
    }
    let five = SampledShapleyConfig::new().with_permutations(5).init().unwrap();
    let a = five.explain(&product_model, &request).unwrap();
    let b = five.explain(&product_model, &request).unwrap();
    assert_eq!(a, b, "same seed, same estimate");
    let other = five.explain(&product_model, &request.clone().with_seed(4)).unwrap();
    assert_ne!(a[0].scores, other[0].scores, "another seed draws other permutations");
    assert!(SampledShapleyConfig::new().with_permutations(0).init().is_err());
}

/// `f(x) = w · x` with `w = [1, 2, 3, 4]` on `[n, 1, 2, 2]` images.
fn ramp(x: Tensor<4>) -> Tensor<2> {
    let n = x.dims()[0];
    let w: Tensor<2> = from_vec_f32(vec![1.0, 2.0, 3.0, 4.0], [4, 1], &x.device()).unwrap();
    x.reshape([n, 4]).matmul(w)
}

#[test]
fn pixel_bias_matches_a_hand_computed_value() {
    let device = Device::flex();
    let space = FeatureSpace::pixels(1, 2, 2).unwrap();
    let x: Tensor<4> = Tensor::ones([2, 1, 2, 2], &device);
    let request = ExplainRequest::new(x, vec![0, 0], space).unwrap();
    // Shapley values with reference 0 are exactly w = [1, 2, 3, 4].
    let shapley = SampledShapleyConfig::new().with_permutations(3).init().unwrap();
    let maps =
        vec![att("reversed", vec![40.0, 30.0, 20.0, 10.0]), att("exact", vec![1., 2., 3., 4.])];
    let metric = PixelBiasConfig::new().init().unwrap();
    let report = metric.evaluate(&ramp, &request, &maps, &shapley).unwrap();
    // Image 0: |S| = 1, 1, 2, 3, 4 pixels; |mean A_S − mean a_S| · √30 = 3, 3, 2, 1, 0 for the
    // top (pixels 0, 1, 2, …) and the bottom (pixels 3, 2, 1, …) alike. Image 1: 0.
    let s30 = 30f64.sqrt();
    let want = [3.0 / s30, 3.0 / s30, 2.0 / s30, 1.0 / s30, 0.0];
    for j in 0..5 {
        close(report.top[0][j], want[j], 1e-6, "top, image 0");
        close(report.bottom[0][j], want[j], 1e-6, "bottom, image 0");
        close(report.top[1][j], 0.0, 1e-6, "top, image 1");
        close(report.mean_top[j], want[j] / 2.0, 1e-6, "mean top");
        close(report.mean_bottom[j], want[j] / 2.0, 1e-6, "mean bottom");
    }
    assert_eq!(report.cost.forward, 2 * (2 + 3 * 3));
    assert_eq!(PixelBias::BETTER, xai_metrics::Better::Lower);
    // Bad input: a map with another number of features, a NaN, a different class.
    let shap = shapley.explain(&ramp, &request).unwrap();
    let short = vec![att("short", vec![1.0; 3]), maps[1].clone()];
    assert!(matches!(metric.score(&short, &shap), Err(XaiError::Shape { .. })));
    let mut nan = maps.clone();
    nan[0].scores[1] = f32::NAN;
    assert!(matches!(metric.score(&nan, &shap), Err(XaiError::NonFinite { .. })));
    let mut other = maps.clone();
    other[1].target = 3;
    assert!(metric.score(&other, &shap).is_err());
    assert!(metric.score(&maps[..1], &shap).is_err());
    assert!(PixelBiasConfig::new().with_fractions(vec![0.0]).init().is_err());
}

#[test]
fn unexplainable_components_match_a_hand_computed_value() {
    let device = Device::flex();
    let space = FeatureSpace::pixels(1, 2, 2).unwrap();
    let x: Tensor<4> =
        from_vec_f32(vec![1.0, 2.0, 3.0, 4.0, 0.0, 0.0, 0.0, 2.0], [2, 1, 2, 2], &device).unwrap();
    // 10% of Σ|a| = 2 (image 0) and 1 (image 1): pixels {0, 1} and {2, 1} are masked.
    let maps = vec![att("m", vec![1.0, -1.0, 8.0, 10.0]), att("m", vec![3.0, 1.0, 0.0, -6.0])];
    let metric = UnexplainableComponentsConfig::new(Reference::Constant(0.5)).init().unwrap();
    assert_eq!(metric.masked_features(&maps[0]), vec![true, true, false, false]);
    let extractor = |x: Tensor<4>| x.mul_scalar(3.0);
    let report = metric.evaluate(&extractor, x, &maps, &space, 0).unwrap();
    // ‖f̃ − f‖ = 3·√(0.5² + 1.5²) and 3·√(0.5² + 0.5²); E‖f‖ = 3·(√30 + 2) / 2.
    let norm = (30f64.sqrt() + 2.0) / 2.0;
    close(report.per_image[0], 2.5f64.sqrt() / norm, 1e-6, "image 0");
    close(report.per_image[1], 0.5f64.sqrt() / norm, 1e-6, "image 1");
    close(report.mean, (2.5f64.sqrt() + 0.5f64.sqrt()) / (2.0 * norm), 1e-6, "M_feature");
    close(report.mean_feature_norm, 3.0 * norm, 1e-5, "E‖f‖");
    assert_eq!(report.masked_fraction, vec![0.5, 0.5]);
    assert_eq!(report.cost.forward, 4);
    assert_eq!(UnexplainableComponents::BETTER, xai_metrics::Better::Lower);
    let one: Tensor<4> = Tensor::ones([1, 1, 2, 2], &device);
    assert!(matches!(
        metric.evaluate(&extractor, one, &maps, &space, 0),
        Err(XaiError::Shape { .. })
    ));
    assert!(
        UnexplainableComponentsConfig::new(Reference::Constant(0.5)).with_mass(1.5).init().is_err()
    );
}

/// A test explainer with a known response to masking: `a_i = x_i · Σ_j x_j`.
struct InputTimesSum;

impl Explainer<4> for InputTimesSum {
    fn name(&self) -> String {
        "input-times-sum".into()
    }

    fn explain<M: Classifier<4>>(
        &self,
        _model: &M,
        request: &ExplainRequest<4>,
    ) -> xai_core::Result<Vec<Attribution>> {
        (0..request.rows())
            .map(|i| {
                let x = to_vec_f32(request.row(i))?;
                let s: f32 = x.iter().sum();
                let cost = Cost { forward: 1, backward: 0 };
                Attribution::new(
                    "input-times-sum",
                    request.classes()[i],
                    x.iter().map(|v| v * s).collect(),
                    cost,
                )
            })
            .collect()
    }
}

#[test]
fn spatial_masking_matches_a_hand_computed_value() {
    let device = Device::flex();
    let space = FeatureSpace::pixels(1, 2, 2).unwrap();
    let x: Tensor<4> = from_vec_f32(vec![1.0, 2.0, 3.0, 4.0], [1, 1, 2, 2], &device).unwrap();
    let request = ExplainRequest::new(x, vec![0], space).unwrap();
    let metric = SpatialMaskingConfig::new(Reference::Constant(0.0)).init().unwrap();
    let report = metric.evaluate(&InputTimesSum, &ramp, &request).unwrap();
    // a = x · 10 = [10, 20, 30, 40], ‖a‖ = 10√30. Right half masked: x̃ = [1, 0, 3, 0], â on
    // the kept pixels 0, 2 = [4, 12], Σ(â − a)² = 36 + 324; left: [12, 24] vs [20, 40] → 320;
    // top: [21, 28] vs [30, 40] → 225; bottom: [3, 6] vs [10, 20] → 245.
    assert_eq!(report.halves, Half::ALL.to_vec());
    let norm = 10.0 * 30f64.sqrt();
    let want: Vec<f64> = [360.0f64, 320.0, 225.0, 245.0].iter().map(|v| v.sqrt() / norm).collect();
    for j in 0..4 {
        close(report.per_image_half[0][j], want[j], 1e-6, Half::ALL[j].name());
    }
    close(report.mean, want.iter().sum::<f64>() / 4.0, 1e-6, "M_non-robust");
    assert_eq!(report.cost.forward, 5);
    assert_eq!(SpatialMasking::BETTER, xai_metrics::Better::Lower);
    // Odd sizes leave the middle column / row unmasked.
    let left: Vec<bool> = (0..3).map(|x| Half::Left.covers(1, x, 3, 3)).collect();
    let right: Vec<bool> = (0..3).map(|x| Half::Right.covers(1, x, 3, 3)).collect();
    assert_eq!((left, right), (vec![true, false, false], vec![false, false, true]));
    // An all-zero original map has no norm to divide by.
    let zero = vec![att("zero", vec![0.0; 4])];
    assert!(metric.evaluate_with(&InputTimesSum, &ramp, &request, &zero).is_err());
    let wrong = vec![att("wrong", vec![1.0; 3])];
    assert!(matches!(
        metric.evaluate_with(&InputTimesSum, &ramp, &request, &wrong),
        Err(XaiError::Shape { .. })
    ));
}

#[test]
fn mutual_verification_matches_a_hand_computed_value() {
    let methods = vec![
        vec![att("a", vec![3.0, 4.0]), att("a", vec![1.0, 0.0])],
        vec![att("b", vec![4.0, 3.0]), att("b", vec![0.0, 2.0])],
        vec![att("c", vec![-3.0, -4.0]), att("c", vec![5.0, 0.0])],
    ];
    let report = mutual_verification(&methods).unwrap();
    assert_eq!(report.methods, vec!["a", "b", "c"]);
    let (r2, r008) = (2f64.sqrt(), 0.08f64.sqrt());
    let want = [[0.0, (r008 + r2) / 2.0, 1.0], [0.0, 0.0, (3.92f64.sqrt() + r2) / 2.0]];
    close(report.mean[0][1], want[0][1], 1e-6, "a-b");
    close(report.mean[0][2], want[0][2], 1e-6, "a-c");
    close(report.mean[1][2], want[1][2], 1e-6, "b-c");
    close(report.per_image[0][0][2], 2.0, 1e-6, "opposite maps");
    for p in 0..3 {
        assert_eq!(report.mean[p][p], 0.0, "zero diagonal");
        for q in 0..3 {
            assert_eq!(report.mean[p][q], report.mean[q][p], "symmetric");
        }
    }
    // Identical maps up to scale are at distance 0.
    let same = vec![vec![att("x", vec![1.0, -2.0, 3.0])], vec![att("y", vec![2.0, -4.0, 6.0])]];
    close(mutual_verification(&same).unwrap().mean[0][1], 0.0, 1e-7, "identical");
    // Bad input.
    assert!(mutual_verification(&[]).is_err());
    let counts = vec![vec![att("x", vec![1.0, 2.0])], vec![att("y", vec![1.0, 2.0, 3.0])]];
    assert!(matches!(mutual_verification(&counts), Err(XaiError::Shape { .. })));
    let images = vec![methods[0].clone(), methods[1][..1].to_vec()];
    assert!(matches!(mutual_verification(&images), Err(XaiError::Shape { .. })));
    let mut nan = methods.clone();
    nan[2][1].scores[0] = f32::NAN;
    assert!(matches!(mutual_verification(&nan), Err(XaiError::NonFinite { .. })));
    let zero = vec![vec![att("x", vec![0.0, 0.0])], vec![att("y", vec![1.0, 2.0])]];
    assert!(mutual_verification(&zero).is_err());
}

#[test]
fn mean_pixel_averages_each_channel() {
    let device = Device::flex();
    let images: Tensor<4> =
        from_vec_f32(vec![0.0, 1.0, 10.0, 20.0, 2.0, 3.0, 30.0, 40.0], [2, 2, 1, 2], &device)
            .unwrap();
    assert_eq!(mean_pixel(&images).unwrap(), Reference::Values(vec![1.5, 1.5, 25.0, 25.0]));
}

fn serde_roundtrip<T: Serialize + DeserializeOwned>() {}

#[test]
fn reports_are_serialisable() {
    serde_roundtrip::<PixelBiasReport>();
    serde_roundtrip::<UnexplainableComponentsReport>();
    serde_roundtrip::<SpatialMaskingReport>();
    serde_roundtrip::<xai_metrics::unified::MutualVerificationReport>();
    let _ = SampledShapley::default();
}
