//! The zoo's layered forms ([`xai_core::LayeredNet`]) against the ONNX imports, and the graph
//! validation of [`xai_core::LayeredNet::new`].

use burn::tensor::{Device, Tensor};
use xai_core::classifier::class_logits;
use xai_core::host::{classes_tensor, from_vec_f32, to_vec_f32};
use xai_core::{Classifier, Evaluator, Layer, LayeredNet, Node, XaiError};
use xai_datasets::{DataDir, ImageFolder, load_crop_224, registry};
use xai_zoo::{ModelName, ZooModel};

fn expect_invalid(nodes: Vec<Node>, feature: usize, needle: &str) {
    let err = LayeredNet::new(nodes, feature).err().expect("an invalid graph must be rejected");
    let msg = err.to_string();
    assert!(matches!(err, XaiError::InvalidParameter { .. }), "{msg}");
    assert!(msg.contains(needle), "message '{msg}' lacks '{needle}'");
}

#[test]
fn layered_net_rejects_bad_graphs() {
    // An input index pointing forward: node 0 reads the output of node 1.
    expect_invalid(
        vec![Node::new("relu", Layer::Relu, vec![2]), Node::new("flat", Layer::Flatten, vec![1])],
        0,
        "inputs must point backwards",
    );
    // Add with one input.
    expect_invalid(
        vec![Node::new("relu", Layer::Relu, vec![0]), Node::new("add", Layer::Add, vec![1])],
        0,
        "exactly 2 input",
    );
    // A ReLU with two inputs.
    expect_invalid(vec![Node::new("relu", Layer::Relu, vec![0, 0])], 0, "exactly 1 input");
    // Empty, feature node out of range, bad normalisation.
    expect_invalid(vec![], 0, "at least one node");
    expect_invalid(vec![Node::new("relu", Layer::Relu, vec![0])], 1, "feature_node");
    expect_invalid(
        vec![Node::new("norm", Layer::Normalize { mean: vec![0.5], std: vec![0.0] }, vec![0])],
        0,
        "non-zero std",
    );
    assert!(LayeredNet::new(vec![Node::new("relu", Layer::Relu, vec![0])], 0).is_ok());
}

/// Writes the zoo's weights from the ONNX files on first use.
fn ensure_weights() {
    static DONE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        xai_zoo::ensure_weights(&xai_datasets::DataDir::resolve(None))
            .expect("the zoo's weights from its ONNX files");
    });
}

/// Max |a − b| / max(1, max |b|) over all values.
fn max_rel_dev(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-12);
    a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs())) / scale
}

fn max_abs_dev(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()))
}

/// Logits and input gradients of the ONNX import and of its layered form on `x`.
fn cross_check(model: &ZooModel, x: Tensor<4>, classes: &[usize], feature_dims: [usize; 3]) {
    let device = model.device().clone();
    let net = model.layered_net();
    assert!(model.layered().is_some());
    let objective = |l: Tensor<2>| class_logits(l, classes_tensor(classes, &device));

    let onnx_eval = Evaluator::new(model);
    let (onnx_logits, onnx_grad) = onnx_eval.gradient(x.clone(), objective);
    let layered_eval = Evaluator::new(net);
    let (layered_logits, layered_grad) = layered_eval.gradient(x.clone(), objective);

    let (a, b) = (to_vec_f32(layered_logits).unwrap(), to_vec_f32(onnx_logits).unwrap());
    let dev = max_abs_dev(&a, &b);
    assert!(dev <= 1e-5, "{}: layered logits deviate by {dev}", model.info().name);
    let (ga, gb) = (to_vec_f32(layered_grad).unwrap(), to_vec_f32(onnx_grad).unwrap());
    let rel = max_rel_dev(&ga, &gb);
    assert!(
        rel <= 1e-4,
        "{}: layered input gradients deviate by {rel} (relative)",
        model.info().name
    );
    assert!(gb.iter().any(|g| *g != 0.0), "the gradient is not all zero");

    // The activation list ends in the logits, and the feature map has the documented shape.
    let acts = net.activations(x.clone());
    assert_eq!(acts.len(), net.nodes().len() + 1);
    let from_acts = to_vec_f32(LayeredNet::logits_of(&acts)).unwrap();
    assert!(max_abs_dev(&from_acts, &b) <= 1e-5);
    let fmap = net.feature_map(x);
    let [n, k, u, v] = fmap.dims();
    assert_eq!([k, u, v], feature_dims);
    assert_eq!(n, classes.len());
    // forward_from the feature map reproduces the logits.
    let f = net.feature_node();
    let again = net.forward_from(f + 1, acts);
    let again = to_vec_f32(LayeredNet::logits_of(&again)).unwrap();
    assert!(max_abs_dev(&again, &b) <= 1e-5);
}

#[test]
fn mnist_cnn_layered_matches_the_onnx_import() {
    ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    let net = model.layered_net();
    assert_eq!(net.nodes()[net.feature_node()].name, "relu2");
    assert!(matches!(net.nodes()[net.feature_node() - 1].layer, Layer::Conv2d(_)));
    match &net.nodes()[0].layer {
        Layer::Normalize { mean, std } => {
            assert_eq!(mean.len(), 1);
            assert!((mean[0] - 0.1307).abs() < 1e-6 && (std[0] - 0.3081).abs() < 1e-6);
        }
        other => panic!("the first node is {other:?}, not the normalisation"),
    }
    let data = registry::load_from("mnist-test", &DataDir::resolve(None)).unwrap();
    let indices = [0, 1, 2, 3, 4, 5];
    let x = data.batch_tensor(&indices, &device).unwrap();
    let labels = data.batch_labels(&indices).unwrap();
    cross_check(&model, x, &labels, [50, 8, 8]);
}

#[test]
fn efficientnet_lite0_layered_matches_the_onnx_import() {
    ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::EfficientNetLite0, &device).unwrap();
    let net = model.layered_net();
    let convs = net.nodes().iter().filter(|n| matches!(n.layer, Layer::Conv2d(_))).count();
    let adds = net.nodes().iter().filter(|n| matches!(n.layer, Layer::Add)).count();
    assert_eq!((convs, adds), (49, 9));
    assert_eq!(net.nodes()[net.feature_node() - 1].name, "conv2d49");
    assert!(matches!(net.nodes()[net.feature_node()].layer, Layer::Relu6));
    match &net.nodes()[0].layer {
        Layer::Normalize { mean, std } => assert_eq!((mean.len(), std.len()), (3, 3)),
        other => panic!("the first node is {other:?}, not the normalisation"),
    }
    let data = DataDir::resolve(None);
    let folder = ImageFolder::open(&data.path().join("images/imagenet-samples")).unwrap();
    let mut values = Vec::new();
    for file in &folder.files()[..2] {
        values.extend(load_crop_224(file).unwrap());
    }
    let x = from_vec_f32(values, [2, 3, 224, 224], &device).unwrap();
    let top = xai_core::classifier::argmax_rows(model.logits(x.clone())).unwrap();
    cross_check(&model, x, &top, [1280, 7, 7]);
}

#[test]
fn randomized_zoo_models_keep_a_matching_layered_form() {
    ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    let random = model.randomized(xai_zoo::Randomization::Cascade(2), 7).unwrap();
    let x =
        Tensor::<4>::random([2, 1, 28, 28], burn::tensor::Distribution::Uniform(0.0, 1.0), &device);
    let a = to_vec_f32(random.logits(x.clone())).unwrap();
    let b = to_vec_f32(random.layered_net().logits(x.clone())).unwrap();
    let original = to_vec_f32(model.logits(x)).unwrap();
    assert!(max_abs_dev(&a, &b) <= 1e-5);
    assert!(max_abs_dev(&a, &original) > 1e-3, "randomisation changed nothing");
}

/// Normalize → BatchNorm → ReLU6 → Add (residual) → AvgPool → Flatten against host
/// arithmetic; BatchNorm stays in inference mode on an autodiff input.
#[test]
fn layer_semantics_match_hand_computation() {
    use burn::module::{Param, RunningState};
    use burn::nn::BatchNormConfig;
    use burn::nn::pool::AvgPool2dConfig;
    let device = Device::flex();
    let t1 = |v: Vec<f32>| Tensor::<1>::from_data(burn::tensor::TensorData::new(v, [2]), &device);
    let mut bn = BatchNormConfig::new(2).init(&device);
    let (gamma, beta, rm, rv) = ([2.0f32, -1.0], [0.5f32, 0.25], [0.1f32, -0.2], [4.0f32, 0.25]);
    bn.gamma = Param::from_tensor(t1(gamma.to_vec()));
    bn.beta = Param::from_tensor(t1(beta.to_vec()));
    bn.running_mean = RunningState::new(t1(rm.to_vec()));
    bn.running_var = RunningState::new(t1(rv.to_vec()));
    let eps = bn.epsilon as f32;
    let (mean, std) = ([0.5f32, 1.0], [2.0f32, 4.0]);
    let net = LayeredNet::new(
        vec![
            Node::new("norm", Layer::Normalize { mean: mean.to_vec(), std: std.to_vec() }, vec![0]),
            Node::new("bn", Layer::BatchNorm(bn), vec![1]),
            Node::new("relu6", Layer::Relu6, vec![2]),
            Node::new("add", Layer::Add, vec![3, 1]),
            Node::new("pool", Layer::AvgPool2d(AvgPool2dConfig::new([2, 2]).init()), vec![4]),
            Node::new("flat", Layer::Flatten, vec![5]),
        ],
        2,
    )
    .unwrap();
    assert!(!net.is_cut(2) && !net.is_cut(3) && net.is_cut(4));
    let x: Vec<f32> = vec![0.0, 3.0, -20.0, 1.0, 9.0, -2.0, 0.5, 30.0];
    let expected: Vec<f32> = (0..2)
        .map(|c| {
            let s: f32 = (0..4)
                .map(|p| {
                    let a = (x[c * 4 + p] - mean[c]) / std[c];
                    let b = (a - rm[c]) / (rv[c] + eps).sqrt() * gamma[c] + beta[c];
                    b.clamp(0.0, 6.0) + a
                })
                .sum();
            s / 4.0
        })
        .collect();
    let input = from_vec_f32(x, [1, 2, 2, 2], &device).unwrap();
    let eval = Evaluator::new(&net);
    let plain = to_vec_f32(eval.logits(input.clone())).unwrap();
    assert!(max_abs_dev(&plain, &expected) < 1e-5, "{plain:?} vs {expected:?}");
    let (logits, grad) = eval.gradient(input, |l| l.narrow(1, 0, 1).reshape([1]));
    assert!(max_abs_dev(&to_vec_f32(logits).unwrap(), &expected) < 1e-5);
    // ∂y_0/∂x for channel 0: (1/4)(1/std)(1 + γ/sqrt(var+ε) · 1[0 < b < 6]); channel 1: 0.
    let g = to_vec_f32(grad).unwrap();
    assert!(g[4..].iter().all(|v| *v == 0.0));
    assert!(g[..4].iter().all(|v| v.abs() > 0.0));
}
