//! The perturbation baselines (LOO, Occlusion, KernelSHAP, LIME, random) against closed forms
//! on linear models and brute-force Shapley values on a small MLP.

use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;
use xai_core::{Attribution, ClassScore, Cost, FeatureSpace, Reference};
use xai_explain::{
    ExplainRequest, Explainer, KernelShap, KernelShapConfig, Lime, LimeConfig, Loo, LooConfig,
    Occlusion, OcclusionConfig, RandomAttribution,
};

const K: usize = 3;

/// A linear classifier `x·W + b` with host copies (`w` is `[d, K]` row-major).
struct Linear {
    w: Tensor<2>,
    b: Tensor<2>,
    w_host: Vec<f32>,
    b_host: Vec<f32>,
    d: usize,
}

impl Linear {
    fn new(d: usize, seed: u64, device: &Device) -> Self {
        let mut rng = xai_core::seed::rng(seed);
        let w_host: Vec<f32> = (0..d * K).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        let b_host: Vec<f32> = (0..K).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        Self {
            w: Tensor::from_data(TensorData::new(w_host.clone(), [d, K]), device),
            b: Tensor::from_data(TensorData::new(b_host.clone(), [1, K]), device),
            w_host,
            b_host,
            d,
        }
    }

    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.w.clone()) + self.b.clone()
    }

    fn weight(&self, i: usize, class: usize, contrast: Option<usize>) -> f64 {
        let w = |c: usize| self.w_host[i * K + c] as f64;
        w(class) - contrast.map_or(0.0, w)
    }

    /// The closed form of LOO and of the Shapley value: `w_i (x_i − r)` (of `w_y − w_t`).
    fn contributions(&self, x: &[f32], r: f32, class: usize, t: Option<usize>) -> Vec<f64> {
        (0..self.d).map(|i| self.weight(i, class, t) * (x[i] - r) as f64).collect()
    }

    fn logit_host(&self, x: &[f32], class: usize) -> f64 {
        self.b_host[class] as f64
            + (0..self.d).map(|i| (x[i] * self.w_host[i * K + class]) as f64).sum::<f64>()
    }
}

/// A small tanh MLP `d → 16 → K`.
struct Mlp {
    w1: Tensor<2>,
    b1: Tensor<2>,
    w2: Tensor<2>,
    b2: Tensor<2>,
}

impl Mlp {
    fn new(d: usize, seed: u64, device: &Device) -> Self {
        let mut rng = xai_core::seed::rng(seed);
        let mut t = |r: usize, c: usize, scale: f32| {
            let v: Vec<f32> = (0..r * c).map(|_| rng.random_range(-scale..scale)).collect();
            Tensor::<2>::from_data(TensorData::new(v, [r, c]), device)
        };
        Self { w1: t(d, 16, 1.5), b1: t(1, 16, 0.5), w2: t(16, K, 1.0), b2: t(1, K, 0.5) }
    }

    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        (x.matmul(self.w1.clone()) + self.b1.clone()).tanh().matmul(self.w2.clone())
            + self.b2.clone()
    }
}

fn uniform(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = xai_core::seed::rng(seed);
    (0..n).map(|_| rng.random::<f32>()).collect()
}

fn tensor2(values: Vec<f32>, rows: usize, d: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, d]), device)
}

fn assert_close(got: &[f32], want: &[f64], tol: f64, label: &str) {
    assert_eq!(got.len(), want.len(), "{label}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (*g as f64 - w).abs() <= tol,
            "{label}: feature {i}: got {g}, want {w} (tol {tol})"
        );
    }
}

fn forward(n: u64) -> Cost {
    Cost { forward: n, backward: 0 }
}

/// Brute-force Shapley values of `v` over `m` players (`v[code]`, bit i = player i present).
fn shapley(v: &[f64], m: usize) -> Vec<f64> {
    let fact = |n: usize| (1..=n).map(|k| k as f64).product::<f64>();
    (0..m)
        .map(|i| {
            (0..1usize << m)
                .filter(|s| s & (1 << i) == 0)
                .map(|s| {
                    let k = s.count_ones() as usize;
                    fact(k) * fact(m - k - 1) / fact(m) * (v[s | (1 << i)] - v[s])
                })
                .sum()
        })
        .collect()
}

#[test]
fn loo_linear_closed_form_any_reference_and_contrast() {
    let device = Device::flex();
    let d = 10;
    let lin = Linear::new(d, 1, &device);
    let model = |x: Tensor<2>| lin.logits(x);
    let xs = uniform(2 * d, 2);
    let space = FeatureSpace::elements(&[d]).unwrap();
    for r in [0.0f32, 0.5] {
        for (classes, contrast) in [(vec![0, 2], None), (vec![1, 0], Some(vec![2, 1]))] {
            let mut request = ExplainRequest::new(
                tensor2(xs.clone(), 2, d, &device),
                classes.clone(),
                space.clone(),
            )
            .unwrap()
            .with_batch_size(3)
            .unwrap();
            if let Some(t) = &contrast {
                request = request.with_contrast(t.clone()).unwrap();
            }
            let loo = LooConfig::new().with_reference(Reference::Constant(r)).init().unwrap();
            let out = loo.explain(&model, &request).unwrap();
            assert_eq!(out.len(), 2);
            for (row, a) in out.iter().enumerate() {
                let t = contrast.as_ref().map(|t| t[row]);
                let want = lin.contributions(&xs[row * d..(row + 1) * d], r, classes[row], t);
                assert_close(&a.scores, &want, 1e-4, &format!("LOO r={r} row {row} t={t:?}"));
                assert_eq!(a.method, "loo");
                assert_eq!(a.target, classes[row]);
                assert_eq!(a.contrast, t);
                assert_eq!(a.cost, forward(d as u64 + 1), "LOO costs n + 1 per row");
            }
        }
    }
}

#[test]
fn kernel_shap_linear_exact_when_enumerated() {
    let device = Device::flex();
    let d = 8; // 2^8 − 2 = 254 ≤ 2048: enumerated.
    let lin = Linear::new(d, 3, &device);
    let model = |x: Tensor<2>| lin.logits(x);
    let xs = uniform(2 * d, 4);
    let space = FeatureSpace::elements(&[d]).unwrap();
    for r in [0.0f32, 0.5] {
        let request =
            ExplainRequest::new(tensor2(xs.clone(), 2, d, &device), vec![2, 1], space.clone())
                .unwrap()
                .with_contrast(vec![0, 2])
                .unwrap()
                .with_batch_size(50)
                .unwrap();
        let shap = KernelShapConfig::new().with_reference(Reference::Constant(r)).init().unwrap();
        let out = shap.explain(&model, &request).unwrap();
        for (row, a) in out.iter().enumerate() {
            let (y, t) = ([2, 1][row], [0, 2][row]);
            let want = lin.contributions(&xs[row * d..(row + 1) * d], r, y, Some(t));
            assert_close(&a.scores, &want, 1e-4, &format!("KernelSHAP exact r={r} row {row}"));
            assert_eq!(a.cost, forward(1 << d), "2^M evaluations when enumerated");
            assert_eq!((a.method.as_str(), a.contrast), ("kernel-shap", Some(t)));
        }
    }
}

/// Sampled KernelSHAP is exact on a linear model: with efficiency imposed, the target
/// `v(z) − f(r) − Δ z_M` is exactly `Σ_{i<M} φ_i (z_i − z_M)` for every coalition, so the
/// least-squares residual is zero and any full-rank sample of coalitions (2048 ≫ 11 unknowns)
/// returns the true `φ_i = w_i (x_i − r)` up to float rounding, whatever the sampling weights.
#[test]
fn kernel_shap_linear_sampled_is_exact_up_to_rounding() {
    let device = Device::flex();
    let d = 12; // 2^12 − 2 > 2048: sampled.
    let lin = Linear::new(d, 5, &device);
    let model = |x: Tensor<2>| lin.logits(x);
    let xs = uniform(3 * d, 6);
    let space = FeatureSpace::elements(&[d]).unwrap();
    for (r, paired) in [(0.0f32, true), (0.5, false)] {
        let request =
            ExplainRequest::new(tensor2(xs.clone(), 3, d, &device), vec![0, 1, 2], space.clone())
                .unwrap()
                .with_seed(11);
        let shap = KernelShapConfig::new()
            .with_reference(Reference::Constant(r))
            .with_paired(paired)
            .init()
            .unwrap();
        let out = shap.explain(&model, &request).unwrap();
        for (row, a) in out.iter().enumerate() {
            let want = lin.contributions(&xs[row * d..(row + 1) * d], r, row, None);
            let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert_close(&a.scores, &want, 1e-3 * scale, &format!("KernelSHAP sampled r={r}"));
            assert_eq!(a.cost, forward(2048 + 2));
            let x = &xs[row * d..(row + 1) * d];
            let total = lin.logit_host(x, row) - lin.logit_host(&vec![r; d], row);
            let sum: f64 = a.scores.iter().map(|v| *v as f64).sum();
            assert!((sum - total).abs() < 1e-4, "efficiency: {sum} vs {total}");
        }
    }
}

#[test]
fn kernel_shap_nonlinear_matches_brute_force_shapley() {
    let device = Device::flex();
    let d = 6;
    let mlp = Mlp::new(d, 7, &device);
    let model = |x: Tensor<2>| mlp.logits(x);
    let x = uniform(d, 8);
    let r = 0.2f32;
    for score in [ClassScore::Logit, ClassScore::Probability] {
        // v(S) for all 64 coalitions, through the same model.
        let xr = &x;
        let inputs: Vec<f32> = (0..1usize << d)
            .flat_map(|s| (0..d).map(move |i| if s & (1 << i) != 0 { xr[i] } else { r }))
            .collect();
        let logits = model(tensor2(inputs, 1 << d, d, &device));
        let logits = match score {
            ClassScore::Logit => logits,
            ClassScore::Probability => burn::tensor::activation::softmax(logits, 1),
        };
        let values: Vec<f32> = logits.into_data().convert::<f32>().try_to_vec::<f32>().unwrap();
        let v: Vec<f64> = (0..1 << d).map(|s| values[s * K + 1] as f64).collect();
        let want = shapley(&v, d);
        let space = FeatureSpace::elements(&[d]).unwrap();
        let request =
            ExplainRequest::new(tensor2(x.clone(), 1, d, &device), vec![1], space).unwrap();
        let shap = KernelShapConfig::new()
            .with_reference(Reference::Constant(r))
            .with_score(score)
            .init()
            .unwrap();
        let a = &shap.explain(&model, &request).unwrap()[0];
        assert_close(&a.scores, &want, 1e-4, &format!("KernelSHAP vs Shapley ({score:?})"));
    }
}

#[test]
fn kernel_shap_sampled_efficiency_on_mlp() {
    let device = Device::flex();
    let d = 12;
    let mlp = Mlp::new(d, 9, &device);
    let model = |x: Tensor<2>| mlp.logits(x);
    let xs = uniform(2 * d, 10);
    let r = 0.3f32;
    let space = FeatureSpace::elements(&[d]).unwrap();
    let request = ExplainRequest::new(tensor2(xs.clone(), 2, d, &device), vec![0, 2], space)
        .unwrap()
        .with_contrast(vec![1, 0])
        .unwrap()
        .with_seed(3);
    let shap = KernelShapConfig::new()
        .with_samples(300)
        .with_reference(Reference::Constant(r))
        .init()
        .unwrap();
    let out = shap.explain(&model, &request).unwrap();
    let mut ends = xs.clone();
    ends.extend(vec![r; d]);
    let logits: Vec<f32> = model(tensor2(ends, 3, d, &device))
        .into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .unwrap();
    for (row, (y, t)) in [(0, 1), (2, 0)].into_iter().enumerate() {
        let f = |k: usize| (logits[k * K + y] - logits[k * K + t]) as f64;
        let total = f(row) - f(2);
        let a = &out[row];
        let sum: f64 = a.scores.iter().map(|v| *v as f64).sum();
        assert!((sum - total).abs() < 1e-4, "row {row}: Σφ = {sum}, f(x) − f(r) = {total}");
        assert_eq!(a.cost, forward(302));
    }
    // Seeded: the same request gives the same scores, another seed different ones.
    let again = shap.explain(&model, &request).unwrap();
    assert_eq!(out, again);
    let other = shap.explain(&model, &request.clone().with_seed(4)).unwrap();
    assert_ne!(out[0].scores, other[0].scores);
}

fn top_by_abs(values: impl Iterator<Item = f64>, k: usize) -> Vec<usize> {
    let v: Vec<f64> = values.collect();
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[b].abs().total_cmp(&v[a].abs()));
    let mut top = idx[..k].to_vec();
    top.sort_unstable();
    top
}

#[test]
fn lime_linear_ranks_and_signs() {
    let device = Device::flex();
    let d = 10;
    for seed in [21u64, 22, 23] {
        let lin = Linear::new(d, seed, &device);
        let model = |x: Tensor<2>| lin.logits(x);
        let xs = uniform(d, seed + 100);
        for r in [0.0f32, 0.5] {
            let space = FeatureSpace::elements(&[d]).unwrap();
            let request = ExplainRequest::new(tensor2(xs.clone(), 1, d, &device), vec![1], space)
                .unwrap()
                .with_seed(seed);
            let lime = LimeConfig::new().with_reference(Reference::Constant(r)).init().unwrap();
            let a = &lime.explain(&model, &request).unwrap()[0];
            let want = lin.contributions(&xs, r, 1, None);
            let label = format!("LIME seed {seed} r={r}");
            assert_eq!(
                top_by_abs(a.scores.iter().map(|v| *v as f64), 3),
                top_by_abs(want.iter().copied(), 3),
                "{label}: top-3 by |score| (got {:?}, want {want:?})",
                a.scores
            );
            let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (i, (g, w)) in a.scores.iter().zip(&want).enumerate() {
                if w.abs() > 0.05 * scale {
                    assert_eq!(g.signum() as f64, w.signum(), "{label}: sign of feature {i}");
                }
                // Ridge shrinks a little; the coefficient stays close to the true effect.
                assert!((*g as f64 - w).abs() < 0.1 * scale, "{label}: feature {i} {g} vs {w}");
            }
            assert_eq!(a.cost, forward(1000));
            assert_eq!(a.method, "lime");
        }
    }
}

#[test]
fn lime_respects_batch_size_and_seed() {
    let device = Device::flex();
    let d = 7;
    let mlp = Mlp::new(d, 30, &device);
    let model = |x: Tensor<2>| mlp.logits(x);
    let xs = uniform(2 * d, 31);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let request =
        ExplainRequest::new(tensor2(xs, 2, d, &device), vec![0, 1], space).unwrap().with_seed(5);
    let lime = LimeConfig::new().with_samples(200).with_score(ClassScore::Probability).init();
    let lime = lime.unwrap();
    let big = lime.explain(&model, &request).unwrap();
    let small = lime.explain(&model, &request.clone().with_batch_size(7).unwrap()).unwrap();
    for (a, b) in big.iter().zip(&small) {
        assert_eq!(a.cost, b.cost);
        assert_close(
            &a.scores,
            &b.scores.iter().map(|v| *v as f64).collect::<Vec<_>>(),
            1e-5,
            "batch",
        );
    }
    let other = lime.explain(&model, &request.clone().with_seed(6)).unwrap();
    assert_ne!(big[0].scores, other[0].scores);
}

/// A linear model on flattened `[rows, 1, 6, 6]` images.
fn image_case(device: &Device) -> (Linear, Vec<f32>) {
    (Linear::new(36, 40, device), uniform(36, 41))
}

fn image_request(x: &[f32], space: FeatureSpace, device: &Device) -> ExplainRequest<4> {
    let t: Tensor<4> = Tensor::from_data(TensorData::new(x.to_vec(), [1, 1, 6, 6]), device);
    ExplainRequest::new(t, vec![2], space).unwrap().with_batch_size(5).unwrap()
}

/// Captum's occlusion by brute force on the host: mean drop over the covering windows.
fn occlusion_host(lin: &Linear, x: &[f32], r: f32, window: usize, stride: usize) -> Vec<f64> {
    // Keep sliding while the previous window has not reached the last pixel.
    let starts: Vec<usize> =
        (0..).map(|k| k * stride).take_while(|&s| s == 0 || s - stride + window < 6).collect();
    let mut sum = vec![0.0f64; 36];
    let mut count = vec![0usize; 36];
    for &y0 in &starts {
        for &x0 in &starts {
            let pixels: Vec<usize> = (y0..(y0 + window).min(6))
                .flat_map(|y| (x0..(x0 + window).min(6)).map(move |x| y * 6 + x))
                .collect();
            let drop: f64 =
                pixels.iter().map(|&p| lin.weight(p, 2, None) * (x[p] - r) as f64).sum();
            for p in pixels {
                sum[p] += drop;
                count[p] += 1;
            }
        }
    }
    sum.iter().zip(&count).map(|(s, &c)| if c > 0 { s / c as f64 } else { 0.0 }).collect()
}

#[test]
fn occlusion_window_one_is_loo_and_blocks_drop_together() {
    let device = Device::flex();
    let (lin, x) = image_case(&device);
    let model = |x: Tensor<4>| {
        let n = x.dims()[0];
        lin.logits(x.reshape([n, 36]))
    };
    let pixels = FeatureSpace::pixels(1, 6, 6).unwrap();
    let request = image_request(&x, pixels.clone(), &device);
    let r = 0.5;
    let reference = Reference::Constant(r);
    // Window 1, stride 1: leave-one-out per pixel.
    let occ = OcclusionConfig::new()
        .with_window(1)
        .with_stride(1)
        .with_reference(reference.clone())
        .init()
        .unwrap();
    let a = &occ.explain(&model, &request).unwrap()[0];
    let loo = LooConfig::new().with_reference(reference.clone()).init().unwrap();
    let b = &loo.explain(&model, &request).unwrap()[0];
    let want: Vec<f64> = b.scores.iter().map(|v| *v as f64).collect();
    assert_close(&a.scores, &want, 1e-5, "occlusion window 1 vs LOO");
    assert_close(&a.scores, &lin.contributions(&x, r, 2, None), 1e-4, "closed form");
    assert_eq!(a.cost, forward(37));
    assert_eq!(a.method, "occlusion");
    // Window 2, stride 2: each pixel carries the drop of its 2×2 block.
    let occ =
        OcclusionConfig::new().with_window(2).with_stride(2).with_reference(reference.clone());
    let a = &occ.init().unwrap().explain(&model, &request).unwrap()[0];
    let block = |p: usize| {
        let (by, bx) = (p / 6 / 2 * 2, p % 6 / 2 * 2);
        [(0, 0), (0, 1), (1, 0), (1, 1)]
            .iter()
            .map(|(dy, dx)| {
                let q = (by + dy) * 6 + bx + dx;
                lin.weight(q, 2, None) * (x[q] - r) as f64
            })
            .sum::<f64>()
    };
    let want: Vec<f64> = (0..36).map(block).collect();
    assert_close(&a.scores, &want, 1e-4, "occlusion 2×2 blocks");
    assert_eq!(a.cost, forward(1 + 9));
    // The same windows aggregated to a 2×2 patch space: one score per block.
    let patches = FeatureSpace::patches(1, 6, 6, 2).unwrap();
    let occ = OcclusionConfig::new().with_window(2).with_stride(2).with_reference(reference);
    let a = &occ.init().unwrap().explain(&model, &image_request(&x, patches, &device)).unwrap()[0];
    let want: Vec<f64> = (0..9).map(|f| block((f / 3) * 12 + (f % 3) * 2)).collect();
    assert_close(&a.scores, &want, 1e-4, "occlusion on patches");
}

#[test]
fn occlusion_overlapping_windows_average_the_drops() {
    let device = Device::flex();
    let (lin, x) = image_case(&device);
    let model = |x: Tensor<4>| {
        let n = x.dims()[0];
        lin.logits(x.reshape([n, 36]))
    };
    let request = image_request(&x, FeatureSpace::pixels(1, 6, 6).unwrap(), &device);
    // Window 3 stride 2: starts 0, 2, 4 (the last clipped at the border), as Captum.
    for (window, stride, positions) in [(3usize, 2usize, 9u64), (4, 1, 9), (5, 2, 4), (2, 1, 25)] {
        let occ = OcclusionConfig::new().with_window(window).with_stride(stride).init().unwrap();
        let a = &occ.explain(&model, &request).unwrap()[0];
        let want = occlusion_host(&lin, &x, 0.0, window, stride);
        assert_close(&a.scores, &want, 1e-4, &format!("occlusion w={window} s={stride}"));
        assert_eq!(a.cost, forward(1 + positions), "w={window} s={stride}");
    }
}

#[test]
fn random_is_seeded_and_costs_one_checking_forward() {
    let device = Device::flex();
    let d = 20;
    let lin = Linear::new(d, 50, &device);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let request =
        ExplainRequest::new(tensor2(uniform(2 * d, 51), 2, d, &device), vec![0, 1], space)
            .unwrap()
            .with_seed(7);
    let a = RandomAttribution.explain(&model, &request).unwrap();
    let b = RandomAttribution.explain(&model, &request).unwrap();
    let c = RandomAttribution.explain(&model, &request.clone().with_seed(8)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a[0].scores, c[0].scores);
    assert_ne!(a[0].scores, a[1].scores, "rows use different streams");
    // One forward pass (of the first row) checks the classes; the scores cost nothing.
    assert_eq!(a[0].cost, Cost { forward: 1, backward: 0 });
    assert_eq!(a[1].cost, Cost::default());
    for attr in &a {
        assert_eq!(attr.method, "random");
        assert!(attr.scores.iter().all(|s| (0.0..1.0).contains(s)));
    }
    assert_eq!(<RandomAttribution as Explainer<2>>::name(&RandomAttribution), "random");
}

#[test]
fn bad_settings_and_inputs_are_errors_not_panics() {
    assert!(KernelShapConfig::new().with_samples(0).init().is_err());
    assert!(LimeConfig::new().with_samples(0).init().is_err());
    assert!(LimeConfig::new().with_kernel_width(0.0).init().is_err());
    assert!(LimeConfig::new().with_kernel_width(-1.0).init().is_err());
    assert!(LimeConfig::new().with_kernel_width(f64::NAN).init().is_err());
    assert!(LimeConfig::new().with_ridge(-1.0).init().is_err());
    assert!(LimeConfig::new().with_keep_prob(1.0).init().is_err());
    assert!(OcclusionConfig::new().with_window(0).init().is_err());
    assert!(OcclusionConfig::new().with_stride(0).init().is_err());
    assert!(OcclusionConfig::new().with_window(2).with_stride(3).init().is_err());
    assert!(LooConfig::new().with_reference(Reference::Constant(f32::NAN)).init().is_err());

    let device = Device::flex();
    let (lin, x) = image_case(&device);
    let image_model = |x: Tensor<4>| {
        let n = x.dims()[0];
        lin.logits(x.reshape([n, 36]))
    };
    let request = image_request(&x, FeatureSpace::pixels(1, 6, 6).unwrap(), &device);
    let too_big = OcclusionConfig::new().with_window(7).with_stride(1).init().unwrap();
    let err = too_big.explain(&image_model, &request).unwrap_err();
    assert!(err.to_string().contains("window"), "{err}");

    // Occlusion needs images.
    let d = 6;
    let flat = Linear::new(d, 60, &device);
    let model = |x: Tensor<2>| flat.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let request =
        ExplainRequest::new(tensor2(uniform(d, 61), 1, d, &device), vec![0], space.clone())
            .unwrap();
    let err = Occlusion::default().explain(&model, &request).unwrap_err();
    assert!(err.to_string().contains("images"), "{err}");
    // A blur reference needs images too; a wrong-length explicit reference is an error.
    let blur = LooConfig::new().with_reference(Reference::Blur { sigma: 1.0 }).init().unwrap();
    assert!(blur.explain(&model, &request).is_err());
    let values = LooConfig::new().with_reference(Reference::Values(vec![0.0; 3])).init().unwrap();
    assert!(values.explain(&model, &request).is_err());
    // A class the model does not have.
    let request =
        ExplainRequest::new(tensor2(uniform(d, 62), 1, d, &device), vec![K + 4], space.clone())
            .unwrap();
    assert!(Loo::default().explain(&model, &request).is_err());
    assert!(KernelShap::default().explain(&model, &request).is_err());
    assert!(Lime::default().explain(&model, &request).is_err());
    let contrast = ExplainRequest::new(tensor2(uniform(d, 63), 1, d, &device), vec![0], space)
        .unwrap()
        .with_contrast(vec![K])
        .unwrap();
    assert!(Loo::default().explain(&model, &contrast).is_err());
    let image: Tensor<4> = Tensor::from_data(TensorData::new(x.clone(), [1, 1, 6, 6]), &device);
    let pixels = FeatureSpace::pixels(1, 6, 6).unwrap();
    let request = ExplainRequest::new(image, vec![K], pixels).unwrap();
    let occ = OcclusionConfig::new().with_window(2).with_stride(2).init().unwrap();
    assert!(occ.explain(&image_model, &request).is_err());
}

#[test]
fn edge_cases_one_feature_and_uniform_reference() {
    let device = Device::flex();
    let lin = Linear::new(1, 70, &device);
    let model = |x: Tensor<2>| lin.logits(x);
    let space = FeatureSpace::elements(&[1]).unwrap();
    let request = ExplainRequest::new(tensor2(vec![0.8], 1, 1, &device), vec![0], space).unwrap();
    let want = lin.contributions(&[0.8], 0.0, 0, None);
    let shap = &KernelShap::default().explain(&model, &request).unwrap()[0];
    assert_close(&shap.scores, &want, 1e-5, "KernelSHAP M=1");
    assert_eq!(shap.cost, forward(2));
    let lime = &Lime::default().explain(&model, &request).unwrap()[0];
    assert!(lime.scores[0].is_finite() && lime.scores[0].signum() as f64 == want[0].signum());

    // Uniform noise reference: reproducible under the seed, efficiency still exact.
    let d = 5;
    let mlp = Mlp::new(d, 71, &device);
    let model = |x: Tensor<2>| mlp.logits(x);
    let space = FeatureSpace::elements(&[d]).unwrap();
    let request = ExplainRequest::new(tensor2(uniform(d, 72), 1, d, &device), vec![1], space)
        .unwrap()
        .with_seed(9);
    let shap = KernelShapConfig::new().with_reference(Reference::Uniform).init().unwrap();
    let a = shap.explain(&model, &request).unwrap();
    assert_eq!(a, shap.explain(&model, &request).unwrap());
    let lo: Vec<Attribution> = Loo::new(LooConfig::new().with_reference(Reference::Uniform))
        .unwrap()
        .explain(&model, &request)
        .unwrap();
    assert_eq!(lo[0].scores.len(), d);
}
