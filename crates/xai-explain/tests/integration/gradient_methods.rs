//! The gradient baselines against closed forms: on a linear model `f(x) = xW + b` every
//! gradient is a column of `W`, so Grad, Grad⊙Input, IG, SmoothGrad and EG have exact values;
//! on a small tanh network IG must satisfy completeness. Also: feature aggregation over pixels
//! and patches (rank 4), seeds, exact costs and errors instead of panics.

use burn::tensor::activation::tanh;
use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;
use xai_core::host::to_vec_f32;
use xai_core::{Attribution, Cost, FeatureSpace, Reference};
use xai_explain::{
    ExpectedGradients, ExpectedGradientsConfig, ExplainRequest, Explainer, Grad, GradConfig,
    GradXInput, IntegratedGradients, IntegratedGradientsConfig, IntegrationRule, SmoothGrad,
    SmoothGradConfig,
};

/// A linear model with host weights `[d, k]` (row-major); weights and bias in `[-1, 1]`.
struct Linear {
    w: Vec<f32>,
    d: usize,
    k: usize,
    wt: Tensor<2>,
    bt: Tensor<2>,
}

impl Linear {
    fn new(rng: &mut impl Rng, d: usize, k: usize, device: &Device) -> Self {
        let w = uniform(rng, d * k, -1.0, 1.0);
        let b = uniform(rng, k, -1.0, 1.0);
        let wt = Tensor::from_data(TensorData::new(w.clone(), [d, k]), device);
        let bt = Tensor::from_data(TensorData::new(b.clone(), [1, k]), device);
        Self { w, d, k, wt, bt }
    }

    fn w(&self, i: usize, j: usize) -> f32 {
        self.w[i * self.k + j]
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.wt.clone()) + self.bt.clone()
    }
}

/// A 2-layer tanh network `tanh(xW₁ + b₁)W₂ + b₂`.
struct Mlp {
    w1: Tensor<2>,
    b1: Tensor<2>,
    w2: Tensor<2>,
    b2: Tensor<2>,
}

impl Mlp {
    fn new(rng: &mut impl Rng, d: usize, h: usize, k: usize, device: &Device) -> Self {
        let t =
            |v: Vec<f32>, shape: [usize; 2]| Tensor::from_data(TensorData::new(v, shape), device);
        let s1 = 4.0 / (d as f32).sqrt();
        let s2 = 8.0 / (h as f32).sqrt();
        Self {
            w1: t(uniform(rng, d * h, -s1, s1), [d, h]),
            b1: t(uniform(rng, h, -0.5, 0.5), [1, h]),
            w2: t(uniform(rng, h * k, -s2, s2), [h, k]),
            b2: t(uniform(rng, k, -0.5, 0.5), [1, k]),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        tanh(x.matmul(self.w1.clone()) + self.b1.clone()).matmul(self.w2.clone()) + self.b2.clone()
    }
}

fn uniform(rng: &mut impl Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(lo..hi)).collect()
}

fn tensor2(values: Vec<f32>, rows: usize, d: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, d]), device)
}

fn assert_close(what: &str, got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol, "{what}[{i}]: got {g}, want {w} (tol {tol})");
    }
}

fn cost(n: u64) -> Cost {
    Cost { forward: n, backward: n }
}

/// A linear model with `d` inputs and 4 classes, 3 rows of inputs in [0, 1], classes [0, 2, 3].
fn linear_setup(seed: u64, d: usize) -> (Linear, Vec<f32>, ExplainRequest<2>) {
    let device = Device::flex();
    let mut rng = xai_core::seed::rng(seed);
    let lin = Linear::new(&mut rng, d, 4, &device);
    let x = uniform(&mut rng, 3 * d, 0.0, 1.0);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let request = ExplainRequest::new(tensor2(x.clone(), 3, d, &device), vec![0, 2, 3], space)
        .unwrap()
        .with_batch_size(2)
        .unwrap();
    (lin, x, request)
}

#[test]
fn grad_on_a_linear_model_is_the_weight_column() {
    let d = 7;
    let (lin, _, request) = linear_setup(1, d);
    let model = |x: Tensor<2>| lin.forward(x);
    let signed = Grad::new(GradConfig::new().with_absolute(false)).unwrap();
    let out = signed.explain(&model, &request).unwrap();
    assert_eq!(out.len(), 3);
    for (row, a) in out.iter().enumerate() {
        let y = request.classes()[row];
        let want: Vec<f32> = (0..d).map(|i| lin.w(i, y)).collect();
        assert_close("grad", &a.scores, &want, 1e-5);
        assert_eq!((a.method.as_str(), a.target, a.contrast), ("grad", y, None));
        assert_eq!(a.cost, cost(1), "one forward + one backward per row");
    }
    let abs = Grad::default().explain(&model, &request).unwrap();
    for (row, a) in abs.iter().enumerate() {
        let want: Vec<f32> = (0..d).map(|i| lin.w(i, request.classes()[row]).abs()).collect();
        assert_close("|grad|", &a.scores, &want, 1e-5);
    }
    let contrast = vec![1, 0, 0];
    let targeted = request.clone().with_contrast(contrast.clone()).unwrap();
    let out = signed.explain(&model, &targeted).unwrap();
    for (row, a) in out.iter().enumerate() {
        let (y, t) = (request.classes()[row], contrast[row]);
        let want: Vec<f32> = (0..d).map(|i| lin.w(i, y) - lin.w(i, t)).collect();
        assert_close("grad y - t", &a.scores, &want, 1e-5);
        assert_eq!(a.contrast, Some(t));
    }
}

#[test]
fn grad_x_input_on_a_linear_model_is_weight_times_input() {
    let d = 6;
    let (lin, x, request) = linear_setup(2, d);
    let model = |x: Tensor<2>| lin.forward(x);
    let out = GradXInput::new().explain(&model, &request).unwrap();
    for (row, a) in out.iter().enumerate() {
        let y = request.classes()[row];
        let want: Vec<f32> = (0..d).map(|i| lin.w(i, y) * x[row * d + i]).collect();
        assert_close("grad x input", &a.scores, &want, 1e-5);
        assert_eq!((a.method.as_str(), a.cost), ("grad-x-input", cost(1)));
    }
}

#[test]
fn integrated_gradients_on_a_linear_model_is_weight_times_displacement() {
    let d = 5;
    let (lin, x, request) = linear_setup(3, d);
    let model = |x: Tensor<2>| lin.forward(x);
    for base in [0.0f32, 0.5] {
        for rule in [
            IntegrationRule::RiemannLeft,
            IntegrationRule::RiemannRight,
            IntegrationRule::RiemannMiddle,
            IntegrationRule::Trapezoid,
        ] {
            let config = IntegratedGradientsConfig::new()
                .with_baseline(Reference::Constant(base))
                .with_steps(5)
                .with_rule(rule);
            let out = IntegratedGradients::new(config).unwrap().explain(&model, &request).unwrap();
            for (row, a) in out.iter().enumerate() {
                let y = request.classes()[row];
                let want: Vec<f32> =
                    (0..d).map(|i| lin.w(i, y) * (x[row * d + i] - base)).collect();
                assert_close(&format!("ig {rule:?} base {base}"), &a.scores, &want, 1e-5);
                assert_eq!(a.method, "integrated-gradients");
            }
        }
    }
}

/// `f_y(x) − f_y(x')` (minus the same for the contrast class) on the host.
fn logit_gap(
    model: &impl Fn(Tensor<2>) -> Tensor<2>,
    x: Tensor<2>,
    base: Tensor<2>,
    y: usize,
    t: Option<usize>,
) -> f32 {
    let fx = to_vec_f32(model(x)).unwrap();
    let fb = to_vec_f32(model(base)).unwrap();
    let g = |f: &[f32]| f[y] - t.map_or(0.0, |t| f[t]);
    g(&fx) - g(&fb)
}

#[test]
fn integrated_gradients_is_complete_on_a_tanh_network() {
    let (d, k, device) = (10, 3, Device::flex());
    let mut rng = xai_core::seed::rng(4);
    let net = Mlp::new(&mut rng, d, 16, k, &device);
    let model = |x: Tensor<2>| net.forward(x);
    let rows = 4;
    let x = uniform(&mut rng, rows * d, 0.0, 1.0);
    let inputs = tensor2(x.clone(), rows, d, &device);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let (request, _) = ExplainRequest::predicted(&model, inputs, space).unwrap();
    let request = request.with_batch_size(50).unwrap();
    let targeted = request
        .clone()
        .with_contrast(request.classes().iter().map(|&c| (c + 1) % k).collect())
        .unwrap();
    let mut gaps = Vec::new();
    for (rule, points) in [(IntegrationRule::Trapezoid, 65), (IntegrationRule::RiemannMiddle, 64)] {
        for base in [0.0f32, 0.5] {
            for req in [&request, &targeted] {
                let config = IntegratedGradientsConfig::new()
                    .with_baseline(Reference::Constant(base))
                    .with_rule(rule);
                assert_eq!(config.steps, 64);
                let out = IntegratedGradients::new(config).unwrap().explain(&model, req).unwrap();
                for (row, a) in out.iter().enumerate() {
                    let xr = tensor2(x[row * d..(row + 1) * d].to_vec(), 1, d, &device);
                    let br = tensor2(vec![base; d], 1, d, &device);
                    let gap = logit_gap(&model, xr, br, a.target, a.contrast);
                    let total: f32 = a.scores.iter().sum();
                    gaps.push(gap.abs());
                    assert!(
                        (total - gap).abs() <= 0.01 * gap.abs(),
                        "completeness {rule:?} base {base} row {row}: Σ = {total}, gap = {gap}"
                    );
                    assert_eq!(a.cost, cost(points), "{rule:?}: {points} points per row");
                }
            }
        }
    }
    // The model is far from linear: one gradient at the baseline misses completeness widely.
    let crude =
        IntegratedGradientsConfig::new().with_steps(1).with_rule(IntegrationRule::RiemannLeft);
    let out = IntegratedGradients::new(crude).unwrap().explain(&model, &request).unwrap();
    let worst = out
        .iter()
        .enumerate()
        .map(|(row, a)| {
            let xr = tensor2(x[row * d..(row + 1) * d].to_vec(), 1, d, &device);
            let gap = logit_gap(&model, xr, tensor2(vec![0.0; d], 1, d, &device), a.target, None);
            (a.scores.iter().sum::<f32>() - gap).abs() / gap.abs()
        })
        .fold(0.0, f32::max);
    assert!(worst > 0.1, "the network is nearly linear on the path (rel. error {worst})");
    assert_eq!(gaps.len(), 2 * 2 * 2 * rows);
    // The check is not vacuous: most gaps are far from zero.
    let large = gaps.iter().filter(|g| **g > 0.1).count();
    assert!(large * 4 >= gaps.len() * 3, "gaps too small for a meaningful test: {gaps:?}");
}

#[test]
fn smoothgrad_on_a_linear_model_is_the_weight_column() {
    let d = 6;
    let (lin, _, request) = linear_setup(5, d);
    let request = request.with_batch_size(7).unwrap();
    let model = |x: Tensor<2>| lin.forward(x);
    let config = SmoothGradConfig::new().with_samples(9).with_noise_level(0.3);
    let signed = SmoothGrad::new(config.clone().with_absolute(false)).unwrap();
    let absolute = SmoothGrad::new(config.clone()).unwrap();
    let squared = SmoothGrad::new(config.with_squared(true)).unwrap();
    let (s, a, q) = (
        signed.explain(&model, &request).unwrap(),
        absolute.explain(&model, &request).unwrap(),
        squared.explain(&model, &request).unwrap(),
    );
    for row in 0..3 {
        let y = request.classes()[row];
        let w: Vec<f32> = (0..d).map(|i| lin.w(i, y)).collect();
        assert_close("smoothgrad", &s[row].scores, &w, 1e-5);
        let abs: Vec<f32> = w.iter().map(|v| v.abs()).collect();
        assert_close("|smoothgrad|", &a[row].scores, &abs, 1e-5);
        let sq: Vec<f32> = w.iter().map(|v| v * v).collect();
        assert_close("smoothgrad²", &q[row].scores, &sq, 1e-5);
        assert_eq!((s[row].method.as_str(), s[row].cost), ("smoothgrad", cost(9)));
    }
}

#[test]
fn smoothgrad_is_reproducible_under_a_seed_and_varies_across_seeds() {
    let (d, device) = (8, Device::flex());
    let mut rng = xai_core::seed::rng(6);
    let net = Mlp::new(&mut rng, d, 12, 3, &device);
    let model = |x: Tensor<2>| net.forward(x);
    let inputs = tensor2(uniform(&mut rng, 2 * d, 0.0, 1.0), 2, d, &device);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let request = ExplainRequest::new(inputs, vec![0, 1], space).unwrap().with_seed(11);
    let sg = SmoothGrad::new(SmoothGradConfig::new().with_samples(10)).unwrap();
    let first = sg.explain(&model, &request).unwrap();
    let again = sg.explain(&model, &request).unwrap();
    assert_eq!(first, again, "same seed, same map");
    // The noise depends on (seed, row) only, not on how the points are batched.
    let rebatched = sg.explain(&model, &request.clone().with_batch_size(3).unwrap()).unwrap();
    for (a, b) in first.iter().zip(&rebatched) {
        assert_close("batch-size invariance", &a.scores, &b.scores, 1e-5);
    }
    let other = sg.explain(&model, &request.clone().with_seed(12)).unwrap();
    for (a, b) in first.iter().zip(&other) {
        let diff = a.scores.iter().zip(&b.scores).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max);
        assert!(diff > 1e-4, "a different seed must give a different map (max diff {diff})");
    }
}

#[test]
fn expected_gradients_on_a_linear_model_match_the_background_mean() {
    let (d, device) = (6, Device::flex());
    let (lin, x, request) = linear_setup(7, d);
    let model = |x: Tensor<2>| lin.forward(x);
    let mut rng = xai_core::seed::rng(8);

    // One background sample: every draw uses it and α cancels, so EG = w ⊙ (x − x') exactly.
    let one = uniform(&mut rng, d, 0.0, 1.0);
    let eg = ExpectedGradients::new(
        ExpectedGradientsConfig::new().with_samples(5),
        tensor2(one.clone(), 1, d, &device),
    )
    .unwrap();
    for (row, a) in eg.explain(&model, &request).unwrap().iter().enumerate() {
        let y = request.classes()[row];
        let want: Vec<f32> = (0..d).map(|i| lin.w(i, y) * (x[row * d + i] - one[i])).collect();
        assert_close("eg, one background", &a.scores, &want, 1e-5);
        assert_eq!((a.method.as_str(), a.cost), ("expected-gradients", cost(5)));
    }

    // k background samples: on a linear model EG_i = w_i (x_i − mean_s x'_{j_s, i}), the only
    // randomness being the uniform index j_s. The mean of n i.i.d. draws has standard deviation
    // σ_i / √n (σ_i the population sd of the background's column i), so a 5-sigma band fails
    // with probability < 1e-6 per element.
    let (k, n) = (8, 2000);
    let background = uniform(&mut rng, k * d, 0.0, 1.0);
    let eg = ExpectedGradients::new(
        ExpectedGradientsConfig::new().with_samples(n),
        tensor2(background.clone(), k, d, &device),
    )
    .unwrap();
    let request = request.with_batch_size(256).unwrap();
    for (row, a) in eg.explain(&model, &request).unwrap().iter().enumerate() {
        let y = request.classes()[row];
        for i in 0..d {
            let col: Vec<f32> = (0..k).map(|j| background[j * d + i]).collect();
            let mean = col.iter().sum::<f32>() / k as f32;
            let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / k as f32).sqrt();
            let want = lin.w(i, y) * (x[row * d + i] - mean);
            let tol = 5.0 * lin.w(i, y).abs() * sd / (n as f32).sqrt() + 1e-5;
            let got = a.scores[i];
            assert!((got - want).abs() <= tol, "eg row {row} feature {i}: {got} vs {want} ± {tol}");
        }
        assert_eq!(a.cost, cost(n as u64));
    }
}

/// A linear model over flattened `[batch, c, h, w]` images.
fn image_model(lin: &Linear) -> impl Fn(Tensor<4>) -> Tensor<2> + '_ {
    move |x: Tensor<4>| {
        let n = x.dims()[0];
        lin.forward(x.reshape([n, lin.d]))
    }
}

#[test]
fn grad_sums_the_channels_of_a_pixel_and_the_elements_of_a_patch() {
    let device = Device::flex();
    let mut rng = xai_core::seed::rng(9);
    // [1, 2, 2, 2]: 2 channels of a 2×2 image, one feature per pixel.
    let lin = Linear::new(&mut rng, 8, 3, &device);
    let model = image_model(&lin);
    let x = uniform(&mut rng, 8, 0.0, 1.0);
    let input: Tensor<4> = Tensor::from_data(TensorData::new(x.clone(), [1, 2, 2, 2]), &device);
    let space = FeatureSpace::pixels(2, 2, 2).unwrap();
    let request = ExplainRequest::new(input, vec![1], space).unwrap();
    let signed = Grad::new(GradConfig::new().with_absolute(false)).unwrap();
    let a = &signed.explain(&model, &request).unwrap()[0];
    let want: Vec<f32> = (0..4).map(|p| lin.w(p, 1) + lin.w(4 + p, 1)).collect();
    assert_close("pixel grad", &a.scores, &want, 1e-5);
    let a = &Grad::default().explain(&model, &request).unwrap()[0];
    let want: Vec<f32> = (0..4).map(|p| lin.w(p, 1).abs() + lin.w(4 + p, 1).abs()).collect();
    assert_close("pixel |grad|", &a.scores, &want, 1e-5);
    // Signed methods keep completeness after aggregation: Σ IG = f(x) − f(0) for a linear model.
    let ig = &IntegratedGradients::default().explain(&model, &request).unwrap()[0];
    let gap: f32 = (0..8).map(|e| lin.w(e, 1) * x[e]).sum();
    assert!((ig.scores.iter().sum::<f32>() - gap).abs() < 1e-4);
    let gxi = &GradXInput::new().explain(&model, &request).unwrap()[0];
    let want: Vec<f32> = (0..4).map(|p| lin.w(p, 1) * x[p] + lin.w(4 + p, 1) * x[4 + p]).collect();
    assert_close("pixel grad x input", &gxi.scores, &want, 1e-5);

    // [2, 2, 4, 4] with 2×2 patches: 4 features of 8 elements each.
    let lin = Linear::new(&mut rng, 32, 3, &device);
    let model = image_model(&lin);
    let input: Tensor<4> =
        Tensor::from_data(TensorData::new(uniform(&mut rng, 64, 0.0, 1.0), [2, 2, 4, 4]), &device);
    let space = FeatureSpace::patches(2, 4, 4, 2).unwrap();
    let request =
        ExplainRequest::new(input, vec![0, 2], space).unwrap().with_batch_size(1).unwrap();
    let out = signed.explain(&model, &request).unwrap();
    for (row, a) in out.iter().enumerate() {
        let y = request.classes()[row];
        let mut want = vec![0.0f32; 4];
        for c in 0..2 {
            for py in 0..4 {
                for px in 0..4 {
                    want[(py / 2) * 2 + px / 2] += lin.w(c * 16 + py * 4 + px, y);
                }
            }
        }
        assert_close("patch grad", &a.scores, &want, 1e-5);
        assert_eq!(a.cost, cost(1));
    }
}

#[test]
fn costs_are_exact_per_row_whatever_the_batching() {
    let d = 4;
    let (lin, _, request) = linear_setup(10, d);
    let model = |x: Tensor<2>| lin.forward(x);
    for batch in [1, 10, 64, 1000] {
        let request = request.clone().with_batch_size(batch).unwrap();
        let check = |out: Vec<Attribution>, per_row: u64, what: &str| {
            assert_eq!(out.len(), 3, "{what}: one attribution per row");
            for a in out {
                assert_eq!(a.cost, cost(per_row), "{what} at batch size {batch}");
            }
        };
        let ig = |rule| {
            let c = IntegratedGradientsConfig::new().with_rule(rule);
            IntegratedGradients::new(c).unwrap().explain(&model, &request).unwrap()
        };
        check(ig(IntegrationRule::Trapezoid), 65, "ig trapezoid");
        check(ig(IntegrationRule::RiemannRight), 64, "ig riemann right");
        check(ig(IntegrationRule::RiemannLeft), 64, "ig riemann left");
        check(Grad::default().explain(&model, &request).unwrap(), 1, "grad");
        check(GradXInput::new().explain(&model, &request).unwrap(), 1, "grad x input");
        let sg = SmoothGrad::new(SmoothGradConfig::new().with_samples(7)).unwrap();
        check(sg.explain(&model, &request).unwrap(), 7, "smoothgrad");
        let bg = tensor2(vec![0.5; 2 * d], 2, d, &Device::flex());
        let eg =
            ExpectedGradients::new(ExpectedGradientsConfig::new().with_samples(9), bg).unwrap();
        check(eg.explain(&model, &request).unwrap(), 9, "expected gradients");
    }
}

#[test]
fn bad_settings_and_inputs_are_errors_not_panics() {
    let (d, device) = (4, Device::flex());
    let (lin, _, request) = linear_setup(11, d);
    let model = |x: Tensor<2>| lin.forward(x);
    assert!(IntegratedGradients::new(IntegratedGradientsConfig::new().with_steps(0)).is_err());
    let nan_base = IntegratedGradientsConfig::new().with_baseline(Reference::Constant(f32::NAN));
    assert!(IntegratedGradients::new(nan_base).is_err());
    let wrong_len = IntegratedGradientsConfig::new().with_baseline(Reference::Values(vec![0.0; 3]));
    let ig = IntegratedGradients::new(wrong_len).unwrap();
    assert!(ig.explain(&model, &request).is_err(), "baseline values of the wrong length");
    assert!(SmoothGrad::new(SmoothGradConfig::new().with_samples(0)).is_err());
    for noise in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(SmoothGrad::new(SmoothGradConfig::new().with_noise_level(noise)).is_err());
    }
    assert!(SmoothGrad::new(SmoothGradConfig::new().with_noise_level(0.0)).is_ok());
    let bg = tensor2(vec![0.0; d], 1, d, &device);
    assert!(ExpectedGradients::new(ExpectedGradientsConfig::new().with_samples(0), bg).is_err());
    let empty = tensor2(vec![], 0, d, &device);
    assert!(ExpectedGradients::new(ExpectedGradientsConfig::new(), empty).is_err());
    let nan = tensor2(vec![f32::NAN; d], 1, d, &device);
    assert!(ExpectedGradients::new(ExpectedGradientsConfig::new(), nan).is_err());
    let wrong = tensor2(vec![0.0; 2 * (d + 1)], 2, d + 1, &device);
    let eg = ExpectedGradients::new(ExpectedGradientsConfig::new(), wrong).unwrap();
    let err = eg.explain(&model, &request).unwrap_err();
    assert!(err.to_string().contains("background"), "{err}");
    // A class the model does not have (4 classes) is an error, not an index panic.
    let inputs = tensor2(vec![0.5; d], 1, d, &device);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let bad_class = ExplainRequest::new(inputs, vec![4], space).unwrap();
    assert!(Grad::default().explain(&model, &bad_class).is_err());
    assert!(IntegratedGradients::default().explain(&model, &bad_class).is_err());
}
