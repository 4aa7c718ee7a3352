//! CAM (Zhou et al. 2016) and Grad-CAM (Selvaraju et al. 2017) against hand-computed maps on
//! a tiny layered network, their known equivalence on a GAP + linear head, the "needs a
//! layered model" error, and runs on the zoo's models.

use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor, TensorData};
use xai_core::host::to_vec_f32;
use xai_core::{Classifier, FeatureSpace, Layer, LayeredNet, Node, XaiError};
use xai_datasets::{DataDir, ImageFolder, load_crop_224, registry};
use xai_explain::{Cam, CamConfig, ExplainRequest, Explainer, GradCam, GradCamConfig};
use xai_zoo::{ModelName, ZooModel};

/// 1×1 convolution weights `w[k]`, biases `b[k]` (1 input channel, K = 2 outputs).
const CONV_W: [f32; 2] = [1.0, -0.5];
const CONV_B: [f32; 2] = [0.1, 0.2];
/// Linear `[K = 2, classes = 3]` (row-major) and bias.
const LIN_W: [f32; 6] = [1.0, -1.0, 0.5, 2.0, 0.5, -1.0];
const LIN_B: [f32; 3] = [0.3, 0.0, -0.2];

/// conv(1×1, 1 → 2, `stride`) → ReLU → GAP → flatten → linear(2 → 3).
fn tiny_net(stride: usize, device: &Device) -> LayeredNet {
    let mut conv: Conv2d =
        Conv2dConfig::new([1, 2], [1, 1]).with_stride([stride, stride]).init(device);
    conv.weight = Param::from_tensor(Tensor::from_data(
        TensorData::new(CONV_W.to_vec(), [2, 1, 1, 1]),
        device,
    ));
    conv.bias =
        Some(Param::from_tensor(Tensor::from_data(TensorData::new(CONV_B.to_vec(), [2]), device)));
    let mut linear: Linear = LinearConfig::new(2, 3).init(device);
    linear.weight =
        Param::from_tensor(Tensor::from_data(TensorData::new(LIN_W.to_vec(), [2, 3]), device));
    linear.bias =
        Some(Param::from_tensor(Tensor::from_data(TensorData::new(LIN_B.to_vec(), [3]), device)));
    LayeredNet::new(
        vec![
            Node::new("conv", Layer::Conv2d(conv), vec![0]),
            Node::new("relu", Layer::Relu, vec![1]),
            Node::new("gap", Layer::GlobalAvgPool, vec![2]),
            Node::new("flatten", Layer::Flatten, vec![3]),
            Node::new("linear", Layer::Linear(linear), vec![4]),
        ],
        1,
    )
    .unwrap()
}

/// Two 4×4 single-channel images with positive and negative values.
fn tiny_inputs() -> Vec<f32> {
    (0..32).map(|i| ((i * 7 % 11) as f32 - 5.0) * 0.3).collect()
}

/// `M_c(p) = Σ_k w[k, c] · ReLU(conv_w[k] x(p) + conv_b[k])` by hand (stride 1).
fn hand_cam(x: &[f32], class: usize) -> Vec<f32> {
    x.iter()
        .map(|&v| (0..2).map(|k| LIN_W[k * 3 + class] * (CONV_W[k] * v + CONV_B[k]).max(0.0)).sum())
        .collect()
}

fn max_dev(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()))
}

fn request(
    x: Vec<f32>,
    shape: [usize; 4],
    classes: Vec<usize>,
    device: &Device,
) -> ExplainRequest<4> {
    let [_, c, h, w] = shape;
    let inputs = Tensor::<4>::from_data(TensorData::new(x, shape), device);
    ExplainRequest::new(inputs, classes, FeatureSpace::pixels(c, h, w).unwrap()).unwrap()
}

#[test]
fn cam_equals_the_hand_computed_weighted_sum_of_feature_maps() {
    let device = Device::flex();
    let net = tiny_net(1, &device);
    let x = tiny_inputs();
    let req = request(x.clone(), [2, 1, 4, 4], vec![0, 2], &device);
    let out = Cam::default().explain(&net, &req).unwrap();
    for (row, class) in [(0, 0), (1, 2)] {
        let expected = hand_cam(&x[row * 16..(row + 1) * 16], class);
        let dev = max_dev(&out[row].scores, &expected);
        assert!(dev < 1e-5, "row {row}: CAM deviates by {dev}");
        assert_eq!((out[row].cost.forward, out[row].cost.backward), (1, 0));
        assert_eq!(out[row].method, "cam");
    }
    // y_c = mean(M_c) + b_c (Zhou et al. 2016, section 2).
    let logits = to_vec_f32(net.logits(req.inputs().clone())).unwrap();
    let mean0: f32 = out[0].scores.iter().sum::<f32>() / 16.0;
    assert!((logits[0] - (mean0 + LIN_B[0])).abs() < 1e-5);
    // Contrast: the map of w^c − w^t.
    let contrast =
        request(x.clone(), [2, 1, 4, 4], vec![0, 2], &device).with_contrast(vec![1, 0]).unwrap();
    let out = Cam::default().explain(&net, &contrast).unwrap();
    let expected: Vec<f32> =
        hand_cam(&x[..16], 0).iter().zip(hand_cam(&x[..16], 1)).map(|(a, b)| a - b).collect();
    assert!(max_dev(&out[0].scores, &expected) < 1e-5);
    assert_eq!(out[0].contrast, Some(1));
}

#[test]
fn grad_cam_equals_relu_cam_over_the_map_size_for_a_gap_linear_head() {
    let device = Device::flex();
    // stride 1: no upsampling; stride 2: a 2×2 map upsampled to 4×4.
    for (stride, z) in [(1usize, 16.0f32), (2, 4.0)] {
        let net = tiny_net(stride, &device);
        for contrast in [None, Some(vec![2, 1])] {
            let mut req = request(tiny_inputs(), [2, 1, 4, 4], vec![1, 0], &device)
                .with_batch_size(1)
                .unwrap();
            if let Some(t) = &contrast {
                req = req.with_contrast(t.clone()).unwrap();
            }
            let grad_cam = GradCam::default().explain(&net, &req).unwrap();
            let cam =
                Cam::new(CamConfig::new().with_relu(true)).unwrap().explain(&net, &req).unwrap();
            for row in 0..2 {
                let expected: Vec<f32> = cam[row].scores.iter().map(|s| s / z).collect();
                let dev = max_dev(&grad_cam[row].scores, &expected);
                assert!(dev < 1e-5, "stride {stride}, contrast {contrast:?}, row {row}: {dev}");
                assert!(grad_cam[row].scores.iter().any(|s| *s > 0.0));
                assert_eq!((grad_cam[row].cost.forward, grad_cam[row].cost.backward), (1, 1));
            }
        }
        // Without the ReLU, Grad-CAM is the signed CAM / Z.
        let req = request(tiny_inputs(), [2, 1, 4, 4], vec![2, 2], &device);
        let signed = GradCam::new(GradCamConfig::new().with_relu(false))
            .unwrap()
            .explain(&net, &req)
            .unwrap();
        let cam = Cam::default().explain(&net, &req).unwrap();
        let expected: Vec<f32> = cam[1].scores.iter().map(|s| s / z).collect();
        assert!(max_dev(&signed[1].scores, &expected) < 1e-5);
        assert!(signed[1].scores.iter().any(|s| *s < 0.0));
    }
}

#[test]
fn closures_get_the_needs_a_layered_model_error() {
    let device = Device::flex();
    let model = |x: Tensor<4>| -> Tensor<2> {
        let [b, c, h, w] = x.dims();
        x.reshape([b, c * h * w]).narrow(1, 0, 3)
    };
    let req = request(tiny_inputs(), [2, 1, 4, 4], vec![0, 1], &device);
    for err in [
        GradCam::default().explain(&model, &req).err().unwrap(),
        Cam::default().explain(&model, &req).err().unwrap(),
    ] {
        assert!(matches!(err, XaiError::Unsupported { .. }));
        assert!(err.to_string().contains("needs a layered model"), "{err}");
    }
    // An unknown layer name is an error that lists the known ones.
    let net = tiny_net(1, &device);
    let err = GradCam::new(GradCamConfig::new().with_layer(Some("nope".into())))
        .unwrap()
        .explain(&net, &req)
        .err()
        .unwrap();
    assert!(err.to_string().contains("conv, relu"), "{err}");
}

fn ensure_weights() {
    static DONE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        xai_zoo::ensure_weights(&xai_datasets::DataDir::resolve(None))
            .expect("the zoo's weights from its ONNX files");
    });
}

#[test]
fn grad_cam_runs_on_mnist_cnn_and_cam_explains_why_it_cannot() {
    ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::MnistCnn, &device).unwrap();
    let data = registry::load_from("mnist-test", &DataDir::resolve(None)).unwrap();
    let x = data.batch_tensor(&[0, 1, 2], &device).unwrap();
    let labels = data.batch_labels(&[0, 1, 2]).unwrap();
    let req = ExplainRequest::new(x, labels, FeatureSpace::pixels(1, 28, 28).unwrap()).unwrap();
    let out = GradCam::default().explain(&model, &req).unwrap();
    assert_eq!(out.len(), 3);
    for a in &out {
        assert_eq!(a.scores.len(), 28 * 28);
        assert!(a.scores.iter().all(|s| s.is_finite() && *s >= 0.0));
        assert!(a.scores.iter().any(|s| *s > 0.0), "an all-zero Grad-CAM map");
        assert_eq!((a.cost.forward, a.cost.backward), (1, 1));
    }
    let err = Cam::default().explain(&model, &req).err().unwrap();
    let msg = err.to_string();
    assert!(matches!(err, XaiError::Unsupported { .. }), "{msg}");
    assert!(msg.contains("global-average-pool") && msg.contains("max_pool2d"), "{msg}");
}

#[test]
fn grad_cam_and_cam_run_on_efficientnet_lite0() {
    ensure_weights();
    let device = Device::flex();
    let model = ZooModel::load(ModelName::EfficientNetLite0, &device).unwrap();
    let data = DataDir::resolve(None);
    let folder = ImageFolder::open(&data.path().join("images/imagenet-samples")).unwrap();
    let x = load_crop_224(&folder.files()[0]).unwrap();
    let x = Tensor::<4>::from_data(TensorData::new(x, [1, 3, 224, 224]), &device);
    let space = FeatureSpace::patches(3, 224, 224, 16).unwrap();
    let (req, _) = ExplainRequest::predicted(&model, x, space.clone()).unwrap();
    let grad_cam = GradCam::default().explain(&model, &req).unwrap();
    assert_eq!(grad_cam[0].scores.len(), space.n_features());
    assert!(grad_cam[0].scores.iter().all(|s| s.is_finite() && *s >= 0.0));
    assert!(grad_cam[0].scores.iter().any(|s| *s > 0.0));
    // EfficientNet ends in GAP → flatten → linear, so Grad-CAM = ReLU(CAM) / 49 (7×7 map).
    let cam = Cam::new(CamConfig::new().with_relu(true)).unwrap().explain(&model, &req).unwrap();
    let scale = cam[0].scores.iter().fold(0f32, |m, s| m.max(s.abs()));
    let expected: Vec<f32> = cam[0].scores.iter().map(|s| s / 49.0).collect();
    let dev = max_dev(&grad_cam[0].scores, &expected);
    assert!(dev <= 1e-4 * scale / 49.0, "Grad-CAM vs ReLU(CAM)/49: {dev} (scale {scale})");
}
