//! The layer-wise explainers (Guided Backpropagation, LRP-ε, DeepLIFT, DeepSHAP) on tiny
//! hand-built `LayeredNet`s with known weights and on the zoo's `mnist-cnn`: hand-computed
//! values, the gradient as a special case, completeness / conservation identities, DeepSHAP
//! against DeepLIFT, costs, and the "needs a layered model" error for opaque models.

use burn::module::{Param, RunningState};
use burn::nn::conv::Conv2dConfig;
use burn::nn::pool::{AvgPool2dConfig, MaxPool2dConfig};
use burn::nn::{BatchNormConfig, LinearConfig, PaddingConfig2d};
use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;
use rand::rngs::StdRng;
use xai_core::host::to_vec_f32;
use xai_core::layered::{Layer, LayeredNet, Node};
use xai_core::{Attribution, Classifier, Cost, FeatureSpace, Reference, seed};
use xai_explain::layerwise::{
    DeepLift, DeepLiftConfig, DeepShap, DeepShapConfig, GuidedBackprop, GuidedBackpropConfig,
    LrpEpsilon, LrpEpsilonConfig,
};
use xai_explain::{ExplainRequest, Explainer, Grad, GradConfig};
use xai_zoo::{ModelName, ZooModel};

fn device() -> Device {
    Device::flex()
}

fn uniform(rng: &mut impl Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(lo..hi)).collect()
}

fn t4(values: Vec<f32>, shape: [usize; 4]) -> Tensor<4> {
    Tensor::from_data(TensorData::new(values, shape), &device())
}

fn t1(values: Vec<f32>) -> Tensor<1> {
    let n = values.len();
    Tensor::from_data(TensorData::new(values, [n]), &device())
}

/// A linear layer with weights `[d_in, d_out]` (row-major) and an optional bias.
fn linear(w: Vec<f32>, d_in: usize, d_out: usize, bias: Option<Vec<f32>>) -> Layer {
    let mut l = LinearConfig::new(d_in, d_out).with_bias(bias.is_some()).init(&device());
    l.weight = Param::from_tensor(Tensor::from_data(TensorData::new(w, [d_in, d_out]), &device()));
    l.bias = bias.map(|b| Param::from_tensor(t1(b)));
    Layer::Linear(l)
}

fn random_linear(rng: &mut StdRng, d_in: usize, d_out: usize, bias: bool) -> Layer {
    let s = 2.0 / (d_in as f32).sqrt();
    let w = uniform(rng, d_in * d_out, -s, s);
    let b = bias.then(|| uniform(rng, d_out, -0.3, 0.3));
    linear(w, d_in, d_out, b)
}

fn conv(rng: &mut StdRng, c_in: usize, c_out: usize, k: usize, pad: usize, bias: bool) -> Layer {
    let mut c = Conv2dConfig::new([c_in, c_out], [k, k])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .with_bias(bias)
        .init(&device());
    let s = 2.0 / ((c_in * k * k) as f32).sqrt();
    c.weight =
        Param::from_tensor(t4(uniform(rng, c_out * c_in * k * k, -s, s), [c_out, c_in, k, k]));
    c.bias = bias.then(|| Param::from_tensor(t1(uniform(rng, c_out, -0.3, 0.3))));
    Layer::Conv2d(c)
}

fn batch_norm(rng: &mut StdRng, c: usize) -> Layer {
    let mut bn = BatchNormConfig::new(c).init(&device());
    bn.gamma = Param::from_tensor(t1(uniform(rng, c, 0.5, 1.5)));
    bn.beta = Param::from_tensor(t1(uniform(rng, c, -0.3, 0.3)));
    bn.running_mean = RunningState::new(t1(uniform(rng, c, -0.3, 0.3)));
    bn.running_var = RunningState::new(t1(uniform(rng, c, 0.5, 2.0)));
    Layer::BatchNorm(bn)
}

fn max_pool(k: usize, stride: usize) -> Layer {
    Layer::MaxPool2d(MaxPool2dConfig::new([k, k]).with_strides([stride, stride]).init())
}

fn avg_pool(k: usize, stride: usize) -> Layer {
    Layer::AvgPool2d(AvgPool2dConfig::new([k, k]).with_strides([stride, stride]).init())
}

/// Nodes from `(layer, inputs)` pairs, named by position.
fn net(layers: Vec<(Layer, Vec<usize>)>, feature_node: usize) -> LayeredNet {
    let nodes = layers
        .into_iter()
        .enumerate()
        .map(|(i, (layer, inputs))| Node::new(format!("n{i}"), layer, inputs))
        .collect();
    LayeredNet::new(nodes, feature_node).unwrap()
}

/// A random ReLU conv net on `[b, 2, 6, 6]` with every layer kind: normalisation, convolution
/// (with bias), batch norm, ReLU, ReLU6, residual add, max / average pooling, flatten, linear.
/// 5 classes.
fn relu_conv_net(seed: u64) -> LayeredNet {
    let mut rng = seed::rng(seed);
    let r = &mut rng;
    let normalize = Layer::Normalize { mean: vec![0.4, 0.6], std: vec![0.3, 0.2] };
    net(
        vec![
            (normalize, vec![0]),                      // act 1
            (conv(r, 2, 4, 3, 1, true), vec![1]),      // 2
            (batch_norm(r, 4), vec![2]),               // 3
            (Layer::Relu, vec![3]),                    // 4
            (conv(r, 4, 4, 3, 1, true), vec![4]),      // 5
            (Layer::Add, vec![5, 4]),                  // 6
            (Layer::Relu6, vec![6]),                   // 7
            (max_pool(2, 2), vec![7]),                 // 8: [b, 4, 3, 3]
            (conv(r, 4, 3, 1, 0, true), vec![8]),      // 9
            (Layer::Relu, vec![9]),                    // 10
            (avg_pool(2, 1), vec![10]),                // 11: [b, 3, 2, 2]
            (Layer::Flatten, vec![11]),                // 12: [b, 12, 1, 1]
            (random_linear(r, 12, 6, true), vec![12]), // 13
            (Layer::Relu, vec![13]),                   // 14
            (random_linear(r, 6, 5, true), vec![14]),  // 15: logits
        ],
        9,
    )
}

/// A bias-free ReLU conv net on `[b, 1, 6, 6]` (normalisation without a mean, residual add,
/// max / average / global-average pooling), 3 classes: LRP conserves relevance on it.
fn bias_free_net(seed: u64) -> LayeredNet {
    let mut rng = seed::rng(seed);
    let r = &mut rng;
    net(
        vec![
            (Layer::Normalize { mean: vec![0.0], std: vec![0.5] }, vec![0]), // 1
            (conv(r, 1, 4, 3, 1, false), vec![1]),                           // 2
            (Layer::Relu, vec![2]),                                          // 3
            (conv(r, 4, 4, 3, 1, false), vec![3]),                           // 4
            (Layer::Add, vec![4, 3]),                                        // 5
            (Layer::Relu, vec![5]),                                          // 6
            (max_pool(2, 2), vec![6]),                                       // 7: [b, 4, 3, 3]
            (avg_pool(2, 1), vec![7]),                                       // 8: [b, 4, 2, 2]
            (conv(r, 4, 6, 1, 0, false), vec![8]),                           // 9
            (Layer::Relu, vec![9]),                                          // 10
            (Layer::GlobalAvgPool, vec![10]),                                // 11: [b, 6, 1, 1]
            (Layer::Flatten, vec![11]),                                      // 12
            (random_linear(r, 6, 3, false), vec![12]),                       // 13: logits
        ],
        9,
    )
}

/// The two-layer network of the hand-computed cases: `x ∈ R²` (as `[b, 2, 1, 1]`),
/// `h = relu(x W₁ + b₁)`, logits `h W₂ + b₂` with `W₁ = [[1, 1], [2, −1]]`, `b₁ = [0.5, 0]`,
/// `W₂ = [[1, 2], [−1, 3]]`, `b₂ = [0, 1]`.
fn two_layer_net() -> LayeredNet {
    net(
        vec![
            (linear(vec![1.0, 1.0, 2.0, -1.0], 2, 2, Some(vec![0.5, 0.0])), vec![0]),
            (Layer::Relu, vec![1]),
            (linear(vec![1.0, 2.0, -1.0, 3.0], 2, 2, Some(vec![0.0, 1.0])), vec![2]),
        ],
        0,
    )
}

fn logits(net: &LayeredNet, x: Tensor<4>) -> Vec<f32> {
    to_vec_f32(net.logits(x)).unwrap()
}

fn random_request(seed: u64, shape: [usize; 4], classes: Vec<usize>) -> ExplainRequest<4> {
    let mut rng = seed::rng(seed);
    let n = shape.iter().product();
    let x = t4(uniform(&mut rng, n, 0.0, 1.0), shape);
    let space = FeatureSpace::elements(&shape[1..]).unwrap();
    ExplainRequest::new(x, classes, space).unwrap()
}

fn assert_close(what: &str, got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol, "{what}[{i}]: got {g}, want {w} (tol {tol})");
    }
}

/// `|got − want| ≤ rel · max(|a|, |b|, 0.01)` for the completeness identities `Σ = a − b`.
fn assert_sum(what: &str, scores: &[f32], a: f32, b: f32, rel: f32) {
    let got: f64 = scores.iter().map(|&s| s as f64).sum();
    let want = (a - b) as f64;
    let tol = rel as f64 * (a.abs().max(b.abs()).max(0.01)) as f64;
    assert!((got - want).abs() <= tol, "{what}: Σ = {got}, want {a} − {b} = {want} (tol {tol})");
}

/// The logit (or the logit difference with a contrast class) of each row.
fn objective(net: &LayeredNet, x: Tensor<4>, request: &ExplainRequest<4>) -> Vec<f32> {
    let l = logits(net, x);
    let k = l.len() / request.rows();
    (0..request.rows())
        .map(|r| {
            let c = request.classes()[r];
            l[r * k + c] - request.contrast_of(r).map_or(0.0, |t| l[r * k + t])
        })
        .collect()
}

/// Each row's reference as DeepLIFT draws it (the row's seeded stream).
fn references(request: &ExplainRequest<4>, reference: &Reference) -> Tensor<4> {
    let rows = (0..request.rows())
        .map(|r| {
            let mut rng = seed::stream_rng(request.seed(), r as u64);
            reference.materialize(&request.row(r), &mut rng).unwrap()
        })
        .collect();
    Tensor::cat(rows, 0)
}

#[test]
fn guided_backprop_without_relu_is_the_gradient() {
    let mut rng = seed::rng(11);
    let r = &mut rng;
    let net = net(
        vec![
            (Layer::Normalize { mean: vec![0.5], std: vec![0.25] }, vec![0]),
            (conv(r, 2, 3, 3, 1, true), vec![1]), // [b, 3, 4, 4]
            (max_pool(2, 2), vec![2]),            // [b, 3, 2, 2]
            (batch_norm(r, 3), vec![3]),
            (avg_pool(2, 1), vec![4]), // [b, 3, 1, 1]
            (Layer::Flatten, vec![5]),
            (random_linear(r, 3, 4, true), vec![6]),
        ],
        1,
    );
    let request = random_request(12, [3, 2, 4, 4], vec![0, 3, 1]);
    let grad = Grad::new(GradConfig::new().with_absolute(false)).unwrap();
    let guided = GuidedBackprop::default();
    for request in [request.clone(), request.clone().with_contrast(vec![2, 0, 3]).unwrap()] {
        let want = grad.explain(&net, &request).unwrap();
        let got = guided.explain(&net, &request).unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert_close("guided = grad", &g.scores, &w.scores, 1e-5);
            assert_eq!(
                (g.method.as_str(), g.target, g.contrast),
                ("guided-backprop", w.target, w.contrast)
            );
            assert_eq!(g.cost, Cost { forward: 1, backward: 1 });
        }
    }
}

#[test]
fn guided_backprop_on_a_hand_computed_two_layer_net() {
    // x = [1, 0.5]: z₁ = [2.5, 0.5] (both units active), logits = [2.0, 7.5].
    // Class 0: the signal on h is W₂[:, 0] = [1, −1]; guided keeps [1, 0] → W₁ [1, 0]ᵀ = [1, 2]
    // (the plain gradient is W₁ [1, −1]ᵀ = [0, 3]). Class 1: [2, 3] > 0 → [5, 1] (= gradient).
    let net = two_layer_net();
    let x = t4(vec![1.0, 0.5, 1.0, 0.5], [2, 2, 1, 1]);
    let space = FeatureSpace::elements(&[2, 1, 1]).unwrap();
    let request = ExplainRequest::new(x, vec![0, 1], space).unwrap();
    assert_close("logits", &logits(&net, request.inputs().clone()), &[2.0, 7.5, 2.0, 7.5], 1e-6);
    let got = GuidedBackprop::default().explain(&net, &request).unwrap();
    assert_close("guided class 0", &got[0].scores, &[1.0, 2.0], 1e-6);
    assert_close("guided class 1", &got[1].scores, &[5.0, 1.0], 1e-6);
    let plain = Grad::new(GradConfig::new().with_absolute(false)).unwrap();
    let grad = plain.explain(&net, &request).unwrap();
    assert_close("gradient class 0", &grad[0].scores, &[0.0, 3.0], 1e-6);
    let abs = GuidedBackprop::new(GuidedBackpropConfig::new().with_absolute(true)).unwrap();
    let got = abs.explain(&net, &request.clone().with_contrast(vec![1, 0]).unwrap()).unwrap();
    // Contrast 0 − 1: signal on h = [1 − 2, −1 − 3] = [−1, −4] → guided blocks both.
    assert_close("guided 0 − 1", &got[0].scores, &[0.0, 0.0], 1e-6);
    // Contrast 1 − 0: [1, 4] → W₁ [1, 4]ᵀ = [5, −2], aggregated by |·|.
    assert_close("|guided| 1 − 0", &got[1].scores, &[5.0, 2.0], 1e-6);
}

#[test]
fn guided_backprop_passes_only_positive_signal_through_active_units() {
    // relu(x) → linear: guided backprop passes the weight w_i only where w_i > 0 and x_i > 0.
    let net = net(
        vec![
            (Layer::Relu, vec![0]),
            (Layer::Flatten, vec![1]),
            (linear(vec![1.0, -2.0, 3.0, 0.5], 4, 1, None), vec![2]),
        ],
        0,
    );
    let x = t4(vec![0.7, 0.4, -0.2, 0.9], [1, 4, 1, 1]);
    let request =
        ExplainRequest::new(x, vec![0], FeatureSpace::elements(&[4, 1, 1]).unwrap()).unwrap();
    let got = GuidedBackprop::default().explain(&net, &request).unwrap();
    // Signal [1, −2, 3, 0.5]; active [1, 1, 0, 1] → positive and active: [1, 0, 0, 0.5].
    assert_close("guided", &got[0].scores, &[1.0, 0.0, 0.0, 0.5], 1e-6);
    assert!(got[0].scores.iter().all(|&s| s >= 0.0));
}

#[test]
fn deeplift_completeness_on_a_random_relu_conv_net() {
    let net = relu_conv_net(21);
    let request = random_request(22, [3, 2, 6, 6], vec![0, 4, 2]).with_seed(5);
    for reference in [Reference::Constant(0.0), Reference::Constant(0.5), Reference::Uniform] {
        let explainer =
            DeepLift::new(DeepLiftConfig::new().with_reference(reference.clone())).unwrap();
        for request in [request.clone(), request.clone().with_contrast(vec![1, 0, 3]).unwrap()] {
            let out = explainer.explain(&net, &request).unwrap();
            let fx = objective(&net, request.inputs().clone(), &request);
            let fr = objective(&net, references(&request, &reference), &request);
            for (row, a) in out.iter().enumerate() {
                let what = format!("deeplift ref {} row {row}", reference.name());
                assert_sum(&what, &a.scores, fx[row], fr[row], 1e-3);
                assert_eq!(a.cost, Cost { forward: 2, backward: 1 });
                assert_eq!(a.method, "deeplift");
            }
        }
    }
    // Batch size does not change the result.
    let explainer =
        DeepLift::new(DeepLiftConfig::new().with_reference(Reference::Uniform)).unwrap();
    let a = explainer.explain(&net, &request).unwrap();
    let b = explainer.explain(&net, &request.clone().with_batch_size(1).unwrap()).unwrap();
    for (a, b) in a.iter().zip(&b) {
        assert_close("batch size", &a.scores, &b.scores, 1e-5);
    }
}

#[test]
fn deeplift_on_a_linear_model_is_gradient_times_displacement() {
    let mut rng = seed::rng(31);
    let net = net(
        vec![
            (Layer::Normalize { mean: vec![0.5], std: vec![0.25] }, vec![0]),
            (Layer::Flatten, vec![1]),
            (random_linear(&mut rng, 12, 4, true), vec![2]),
        ],
        0,
    );
    let request = random_request(32, [2, 3, 2, 2], vec![1, 3]);
    let grad = Grad::new(GradConfig::new().with_absolute(false)).unwrap();
    let x = to_vec_f32(request.inputs().clone()).unwrap();
    for request in [request.clone(), request.clone().with_contrast(vec![0, 2]).unwrap()] {
        let g = grad.explain(&net, &request).unwrap();
        let config = DeepLiftConfig::new().with_reference(Reference::Constant(0.2));
        let got = DeepLift::new(config).unwrap().explain(&net, &request).unwrap();
        for row in 0..2 {
            let want: Vec<f32> = g[row]
                .scores
                .iter()
                .enumerate()
                .map(|(i, g)| g * (x[row * 12 + i] - 0.2))
                .collect();
            assert_close("deeplift = grad × (x − ref)", &got[row].scores, &want, 1e-5);
        }
    }
}

#[test]
fn deeplift_completeness_on_mnist_cnn() {
    let model = ZooModel::load(ModelName::MnistCnn, &device()).unwrap();
    let net = model.layered().expect("the zoo's mnist-cnn is a layered model");
    let request = random_request(41, [3, 1, 28, 28], vec![0, 0, 0]);
    let classes = xai_core::classifier::argmax_rows(net.logits(request.inputs().clone())).unwrap();
    let space = FeatureSpace::elements(&[1, 28, 28]).unwrap();
    let request = ExplainRequest::new(request.inputs().clone(), classes, space).unwrap();
    let out = DeepLift::default().explain(&model, &request).unwrap();
    let fx = objective(net, request.inputs().clone(), &request);
    let fr = objective(net, request.inputs().zeros_like(), &request);
    for (row, a) in out.iter().enumerate() {
        assert_sum(&format!("mnist deeplift row {row}"), &a.scores, fx[row], fr[row], 1e-3);
        assert_eq!(a.cost, Cost { forward: 2, backward: 1 });
    }
    // A noise reference: its max-pool windows are not constant, so this exercises the
    // max-pool rule (with a zero reference every window of the reference is constant).
    let noisy = DeepLift::new(DeepLiftConfig::new().with_reference(Reference::Uniform)).unwrap();
    let out = noisy.explain(&model, &request).unwrap();
    let fr = objective(net, references(&request, &Reference::Uniform), &request);
    for (row, a) in out.iter().enumerate() {
        assert_sum(&format!("mnist deeplift U(0,1) row {row}"), &a.scores, fx[row], fr[row], 1e-3);
    }
    // The other layer-wise methods run on it and give finite maps of the right size.
    let guided = GuidedBackprop::default().explain(&model, &request).unwrap();
    let lrp = LrpEpsilon::default().explain(&model, &request).unwrap();
    for a in guided.iter().chain(&lrp) {
        assert_eq!(a.scores.len(), 28 * 28);
        assert!(a.scores.iter().all(|s| s.is_finite()), "{}", a.method);
        assert_eq!(a.cost, Cost { forward: 1, backward: 1 });
    }
}

#[test]
fn lrp_epsilon_conserves_relevance_without_biases() {
    let net = bias_free_net(51);
    let request = random_request(52, [3, 1, 6, 6], vec![0, 1, 2]);
    let lrp = LrpEpsilon::new(LrpEpsilonConfig::new().with_epsilon(1e-9)).unwrap();
    for request in [request.clone(), request.clone().with_contrast(vec![2, 0, 1]).unwrap()] {
        let out = lrp.explain(&net, &request).unwrap();
        let f = objective(&net, request.inputs().clone(), &request);
        for (row, a) in out.iter().enumerate() {
            assert_sum(&format!("lrp row {row}"), &a.scores, f[row], 0.0, 1e-3);
            assert_eq!(
                (a.method.as_str(), a.cost),
                ("lrp-epsilon", Cost { forward: 1, backward: 1 })
            );
        }
    }
}

#[test]
fn lrp_epsilon_on_a_hand_computed_two_layer_net() {
    // x = [1, 0.5], z₁ = [2.5, 0.5], a₁ = z₁, z₂ = [2, 7.5]; class 0, ε = 1: R = [2, 0].
    // Layer 2: s = 2 / (2 + 1) = 2/3 → R_a₁ = a₁ ⊙ W₂[:, 0] · 2/3 = [5/3, −1/3].
    // Layer 1: s = [(5/3) / 3.5, (−1/3) / 1.5] = [10/21, −2/9] →
    // R_x = x ⊙ W₁ s = [1 · (10/21 − 2/9), 0.5 · (20/21 + 2/9)] = [16/63, 37/63].
    let net = two_layer_net();
    let x = t4(vec![1.0, 0.5], [1, 2, 1, 1]);
    let request =
        ExplainRequest::new(x, vec![0], FeatureSpace::elements(&[2, 1, 1]).unwrap()).unwrap();
    let got = LrpEpsilon::default().explain(&net, &request).unwrap();
    assert_close("lrp-ε", &got[0].scores, &[16.0 / 63.0, 37.0 / 63.0], 1e-6);
}

#[test]
fn deepshap_with_one_background_reference_is_deeplift() {
    let net = relu_conv_net(61);
    let request = random_request(62, [2, 2, 6, 6], vec![3, 1]).with_seed(9);
    let mut rng = seed::rng(63);
    let values = uniform(&mut rng, 72, 0.0, 1.0);
    for reference in [Reference::Values(values), Reference::Uniform, Reference::Constant(0.3)] {
        let shap = DeepShap::new(DeepShapConfig::new(), vec![reference.clone()]).unwrap();
        let lift = DeepLift::new(DeepLiftConfig::new().with_reference(reference.clone())).unwrap();
        let a = shap.explain(&net, &request).unwrap();
        let b = lift.explain(&net, &request).unwrap();
        for (a, b) in a.iter().zip(&b) {
            assert_close(
                &format!("deepshap = deeplift, {}", reference.name()),
                &a.scores,
                &b.scores,
                1e-6,
            );
            assert_eq!(a.cost, b.cost);
            assert_eq!(a.method, "deepshap");
        }
    }
}

#[test]
fn deepshap_completeness_against_the_mean_reference_output() {
    let net = relu_conv_net(71);
    let request = random_request(72, [2, 2, 6, 6], vec![2, 4]).with_seed(3);
    let mut rng = seed::rng(73);
    let samples: Vec<Vec<f32>> = (0..3).map(|_| uniform(&mut rng, 72, 0.0, 1.0)).collect();
    let shap = DeepShap::from_samples(DeepShapConfig::new(), samples.clone()).unwrap();
    let out = shap.explain(&net, &request).unwrap();
    let fx = objective(&net, request.inputs().clone(), &request);
    let mut mean = [0.0f32; 2];
    for s in &samples {
        let r = references(&request, &Reference::Values(s.clone()));
        let f = objective(&net, r, &request);
        (0..2).for_each(|row| mean[row] += f[row] / 3.0);
    }
    for (row, a) in out.iter().enumerate() {
        assert_sum(&format!("deepshap row {row}"), &a.scores, fx[row], mean[row], 1e-3);
        assert_eq!(a.cost, Cost { forward: 6, backward: 3 });
    }
    // A seeded subsample of 2 of 4 references: reproducible, batch-size independent, cost 2k/k.
    let mut bg: Vec<Vec<f32>> = samples;
    bg.push(uniform(&mut rng, 72, 0.0, 1.0));
    let sub = DeepShap::from_samples(DeepShapConfig::new().with_samples(Some(2)), bg).unwrap();
    let a = sub.explain(&net, &request).unwrap();
    let b = sub.explain(&net, &request.clone().with_batch_size(1).unwrap()).unwrap();
    for (a, b) in a.iter().zip(&b) {
        assert_close("subsampled deepshap, batch sizes", &a.scores, &b.scores, 1e-5);
        assert_eq!(a.cost, Cost { forward: 4, backward: 2 });
    }
}

#[test]
fn opaque_models_get_a_needs_a_layered_model_error() {
    let net = two_layer_net();
    let closure = |x: Tensor<4>| net.logits(x);
    let x = t4(vec![1.0, 0.5], [1, 2, 1, 1]);
    let request =
        ExplainRequest::new(x, vec![0], FeatureSpace::elements(&[2, 1, 1]).unwrap()).unwrap();
    let shap = DeepShap::new(DeepShapConfig::new(), vec![Reference::Constant(0.0)]).unwrap();
    let results: Vec<(&str, xai_core::Result<Vec<Attribution>>)> = vec![
        ("guided", GuidedBackprop::default().explain(&closure, &request)),
        ("lrp", LrpEpsilon::default().explain(&closure, &request)),
        ("deeplift", DeepLift::default().explain(&closure, &request)),
        ("deepshap", shap.explain(&closure, &request)),
    ];
    for (what, result) in results {
        let msg = result.err().unwrap_or_else(|| panic!("{what}: no error")).to_string();
        assert!(msg.contains("needs a layered model"), "{what}: {msg}");
    }
}

#[test]
fn invalid_settings_and_classes_are_errors() {
    assert!(LrpEpsilon::new(LrpEpsilonConfig::new().with_epsilon(0.0)).is_err());
    assert!(LrpEpsilon::new(LrpEpsilonConfig::new().with_epsilon(f32::NAN)).is_err());
    assert!(
        DeepLift::new(DeepLiftConfig::new().with_reference(Reference::Constant(f32::INFINITY)))
            .is_err()
    );
    assert!(DeepShap::new(DeepShapConfig::new(), vec![]).is_err());
    let one = vec![Reference::Constant(0.0)];
    assert!(DeepShap::new(DeepShapConfig::new().with_samples(Some(0)), one.clone()).is_err());
    assert!(DeepShap::new(DeepShapConfig::new().with_samples(Some(2)), one).is_err());
    // A class the model does not have: an error, not a panic.
    let net = two_layer_net();
    let x = t4(vec![1.0, 0.5], [1, 2, 1, 1]);
    let request =
        ExplainRequest::new(x, vec![5], FeatureSpace::elements(&[2, 1, 1]).unwrap()).unwrap();
    assert!(GuidedBackprop::default().explain(&net, &request).is_err());
    assert!(LrpEpsilon::default().explain(&net, &request).is_err());
    assert!(DeepLift::default().explain(&net, &request).is_err());
}

#[test]
fn layerwise_methods_on_efficientnet_lite0() {
    // Depthwise convolutions, ReLU6, residual adds, global average pooling: DeepLIFT stays
    // complete (tolerance relative 1e-3) and the other maps are finite.
    let model = ZooModel::load(ModelName::EfficientNetLite0, &device()).unwrap();
    let net = model.layered().expect("the zoo's efficientnet-lite0 is a layered model");
    let x = random_request(81, [1, 3, 224, 224], vec![0]);
    let classes = xai_core::classifier::argmax_rows(net.logits(x.inputs().clone())).unwrap();
    let space = FeatureSpace::pixels(3, 224, 224).unwrap();
    let request = ExplainRequest::new(x.inputs().clone(), classes, space).unwrap();
    let config = DeepLiftConfig::new().with_reference(Reference::Constant(0.5));
    let out = DeepLift::new(config).unwrap().explain(&model, &request).unwrap();
    let fx = objective(net, request.inputs().clone(), &request);
    let fr = objective(net, request.inputs().zeros_like().add_scalar(0.5), &request);
    assert_eq!(out[0].scores.len(), 224 * 224);
    assert_sum("efficientnet deeplift", &out[0].scores, fx[0], fr[0], 1e-3);
    let guided = GuidedBackprop::default().explain(&model, &request).unwrap();
    let lrp = LrpEpsilon::default().explain(&model, &request).unwrap();
    for a in guided.iter().chain(&lrp) {
        assert!(a.scores.iter().all(|s| s.is_finite()), "{}", a.method);
        assert!(a.scores.iter().any(|&s| s != 0.0), "{}", a.method);
    }
}
