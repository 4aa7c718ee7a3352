//! Bad input through the public API: every case must return an `Err` (never panic) of the
//! expected [`XaiError`] kind, whose message names the offending input.

use burn::tensor::{Device, Tensor, TensorData};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use xai::attacks::{AttackGoal, DeepFool, RobustnessEstimator, RobustnessQuery};
use xai::core::{
    Attribution, ClassScore, Cost, DeviceChoice, FeatureMask, FeatureSpace, Norm, Reference,
    XaiError,
};
use xai::datasets::{DataDir, load_crop_224, read_idx_images, read_npy, registry, write_npy_f32};
use xai::explain::{AnyExplainer, ExplainRequest, Explainer, Grad, Method, MethodOptions, Preset};
use xai::metrics::{
    Better, Criterion, InsertionDeletion, InsertionDeletionConfig, RobustnessCurve,
    RobustnessCurveConfig, paired_t_test,
};
use xai::zoo::{ModelName, ZooModel};

/// The expected kind of error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Shape,
    Invalid,
    NonFinite,
    Unknown,
    File,
    OutOfRange,
}

fn kind_of(e: &XaiError) -> Option<Kind> {
    match e {
        XaiError::Shape { .. } => Some(Kind::Shape),
        XaiError::InvalidParameter { .. } => Some(Kind::Invalid),
        XaiError::NonFinite { .. } => Some(Kind::NonFinite),
        XaiError::UnknownName { .. } => Some(Kind::Unknown),
        XaiError::File { .. } => Some(Kind::File),
        XaiError::OutOfRange { .. } => Some(Kind::OutOfRange),
        _ => None,
    }
}

type Run = Box<dyn FnOnce() -> xai::core::Result<()>>;

/// One table row: name, the call, the expected kind, a substring the message must contain.
struct Case {
    name: &'static str,
    run: Run,
    kind: Kind,
    needle: String,
}

fn case<T>(
    name: &'static str,
    kind: Kind,
    needle: impl Into<String>,
    f: impl FnOnce() -> xai::core::Result<T> + 'static,
) -> Case {
    Case { name, run: Box::new(move || f().map(|_| ())), kind, needle: needle.into() }
}

/// Runs every case and returns one line per failure.
fn run_all(cases: Vec<Case>) -> Vec<String> {
    let mut failures = Vec::new();
    for Case { name, run, kind, needle } in cases {
        match catch_unwind(AssertUnwindSafe(run)) {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(())) => failures.push(format!("{name}: succeeded, expected {kind:?} error")),
            Ok(Err(e)) => {
                let msg = e.to_string();
                if kind_of(&e) != Some(kind) {
                    failures.push(format!("{name}: expected {kind:?}, got {e:?}"));
                } else if !msg.contains(&needle) {
                    failures.push(format!("{name}: message '{msg}' does not name '{needle}'"));
                } else {
                    // The table of bad inputs and their errors (`-- --nocapture` shows it).
                    println!("| {name} | {kind:?} | {msg} |");
                }
            }
        }
    }
    failures
}

fn assert_all(cases: Vec<Case>) {
    let failures = run_all(cases);
    assert!(failures.is_empty(), "bad-input cases failed:\n{}", failures.join("\n"));
}

fn tensor2(values: Vec<f32>, rows: usize, cols: usize) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, cols]), &Device::flex())
}

fn tensor4(values: Vec<f32>, shape: [usize; 4]) -> Tensor<4> {
    Tensor::from_data(TensorData::new(values, shape), &Device::flex())
}

/// A fresh, empty temporary directory for this process and `tag`.
fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xai-bad-input-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a temporary directory");
    dir
}

/// A 2-row request over 4 elements, with classes [0, 1].
fn request() -> ExplainRequest<2> {
    let space = FeatureSpace::elements(&[4]).unwrap();
    ExplainRequest::new(tensor2(vec![0.5; 8], 2, 4), vec![0, 1], space).unwrap()
}

#[test]
fn explain_request_rejects_bad_input() {
    let pixels = || FeatureSpace::pixels(1, 28, 28).unwrap();
    let elems = || FeatureSpace::elements(&[4]).unwrap();
    let cases = vec![
        case("request: wrong rank", Kind::Shape, "input", move || {
            ExplainRequest::new(tensor2(vec![0.5; 8], 2, 4), vec![0, 0], pixels())
        }),
        case("request: wrong shape", Kind::Shape, "input", move || {
            ExplainRequest::new(
                tensor4(vec![0.5; 2 * 27 * 28], [2, 1, 27, 28]),
                vec![0, 0],
                pixels(),
            )
        }),
        case("request: NaN", Kind::NonFinite, "inputs", move || {
            let mut v = vec![0.5; 8];
            v[3] = f32::NAN;
            ExplainRequest::new(tensor2(v, 2, 4), vec![0, 0], elems())
        }),
        case("request: Inf", Kind::NonFinite, "inputs", move || {
            let mut v = vec![0.5; 8];
            v[0] = f32::INFINITY;
            ExplainRequest::new(tensor2(v, 2, 4), vec![0, 0], elems())
        }),
        case("request: 0 rows", Kind::Shape, "inputs", move || {
            ExplainRequest::new(tensor2(Vec::new(), 0, 4), Vec::new(), elems())
        }),
        case("request: classes too short", Kind::Shape, "classes", move || {
            ExplainRequest::new(tensor2(vec![0.5; 8], 2, 4), vec![0], elems())
        }),
        case("request: classes too long", Kind::Shape, "classes", move || {
            ExplainRequest::new(tensor2(vec![0.5; 8], 2, 4), vec![0, 1, 2], elems())
        }),
        case("request: contrast == class", Kind::Invalid, "target class of row 1", || {
            request().with_contrast(vec![1, 1])
        }),
        case("request: contrast wrong length", Kind::Shape, "contrast classes", || {
            request().with_contrast(vec![2])
        }),
        case("request: class >= n_classes", Kind::Invalid, "class = 1", || {
            request().check_classes(1)
        }),
        case("request: contrast >= n_classes", Kind::Invalid, "class = 5", || {
            request().with_contrast(vec![5, 0])?.check_classes(3)
        }),
        case("request: batch size 0", Kind::Invalid, "batch size", || request().with_batch_size(0)),
        case("request: bounds (1, 0)", Kind::Invalid, "input bounds", || {
            request().with_bounds(1.0, 0.0)
        }),
        case("request: bounds NaN", Kind::Invalid, "input bounds", || {
            request().with_bounds(f32::NAN, 1.0)
        }),
    ];
    assert_all(cases);
}

#[test]
fn feature_spaces_attributions_and_masks_reject_bad_input() {
    let att = || Attribution::new("test", 0, vec![0.3, 0.1, 0.2, 0.4], Cost::default()).unwrap();
    let cases = vec![
        case("space: grid:5 on 28x28", Kind::Invalid, "grid:5", || {
            FeatureSpace::from_spec("grid:5", [1, 28, 28])
        }),
        case("space: grid:0", Kind::Invalid, "grid:0", || {
            FeatureSpace::from_spec("grid:0", [1, 28, 28])
        }),
        case("space: grid:29", Kind::Invalid, "grid:29", || {
            FeatureSpace::from_spec("grid:29", [1, 28, 28])
        }),
        case("space: nonsense", Kind::Invalid, "nonsense", || {
            FeatureSpace::from_spec("nonsense", [1, 28, 28])
        }),
        case("space: patches size 0", Kind::Invalid, "patch size", || {
            FeatureSpace::patches(1, 28, 28, 0)
        }),
        case("space: patches larger than image", Kind::Invalid, "patch size", || {
            FeatureSpace::patches(1, 28, 28, 29)
        }),
        case("space: zero-size image", Kind::Shape, "image shape", || {
            FeatureSpace::pixels(1, 0, 28)
        }),
        case("space: elements with a zero dim", Kind::Shape, "sample shape", || {
            FeatureSpace::elements(&[3, 0])
        }),
        case("attribution: NaN scores", Kind::NonFinite, "test scores", || {
            Attribution::new("test", 0, vec![0.1, f32::NAN], Cost::default())
        }),
        case("attribution: top_k(0)", Kind::Invalid, "k = 0", move || att().top_k(0)),
        case("attribution: top_k(n+1)", Kind::Invalid, "k = 5", move || att().top_k(5)),
        case("attribution: top_fraction(0)", Kind::Invalid, "fraction", move || {
            att().top_fraction(0.0)
        }),
        case("attribution: top_fraction(1.5)", Kind::Invalid, "fraction = 1.5", move || {
            att().top_fraction(1.5)
        }),
        case("attribution: top_fraction(NaN)", Kind::Invalid, "fraction = NaN", move || {
            att().top_fraction(f64::NAN)
        }),
        case("attribution: top_fraction(-0.1)", Kind::Invalid, "fraction", move || {
            att().top_fraction(-0.1)
        }),
        case("mask: index out of range", Kind::Invalid, "feature index = 4", || {
            FeatureMask::from_indices(4, &[1, 4])
        }),
        case("mask: union of different widths", Kind::Shape, "mask", || {
            FeatureMask::empty(3).union(&FeatureMask::full(4))
        }),
    ];
    assert_all(cases);
}

#[test]
fn robustness_queries_reject_bad_input() {
    let elems = || FeatureSpace::elements(&[4]).unwrap();
    let x = || tensor2(vec![0.5; 8], 2, 4);
    let masks = || vec![FeatureMask::full(4), FeatureMask::full(4)];
    let cases = vec![
        case("query: targeted, target == label", Kind::Invalid, "target of row 0", move || {
            RobustnessQuery::from_masks(x(), vec![0, 1], &masks(), &elems())?
                .with_goal(AttackGoal::Targeted(vec![0, 2]))
        }),
        case("query: targets of the wrong length", Kind::Shape, "targets", move || {
            RobustnessQuery::from_masks(x(), vec![0, 1], &masks(), &elems())?
                .with_goal(AttackGoal::Targeted(vec![2]))
        }),
        case("query: mask of the wrong width", Kind::Shape, "mask", move || {
            RobustnessQuery::from_masks(
                x(),
                vec![0, 1],
                &[FeatureMask::full(4), FeatureMask::full(3)],
                &elems(),
            )
        }),
        case("query: one mask for two rows", Kind::Shape, "masks", move || {
            RobustnessQuery::from_masks(x(), vec![0, 1], &[FeatureMask::full(4)], &elems())
        }),
        case("query: labels of the wrong length", Kind::Shape, "labels", move || {
            RobustnessQuery::from_masks(x(), vec![0], &masks(), &elems())
        }),
        case("query: inputs of the wrong shape", Kind::Shape, "input", move || {
            RobustnessQuery::from_masks(tensor2(vec![0.5; 6], 2, 3), vec![0, 1], &masks(), &elems())
        }),
        case("query: NaN inputs", Kind::NonFinite, "inputs", move || {
            let mut v = vec![0.5; 8];
            v[5] = f32::NAN;
            RobustnessQuery::from_masks(tensor2(v, 2, 4), vec![0, 1], &masks(), &elems())
        }),
        case("query: free mask not 0/1", Kind::Invalid, "free mask value", move || {
            RobustnessQuery::new(x(), vec![0, 1], tensor2(vec![0.5; 8], 2, 4))
        }),
        case("query: bounds (1, 0)", Kind::Invalid, "box", move || {
            RobustnessQuery::from_masks(x(), vec![0, 1], &masks(), &elems())?.with_bounds(1.0, 0.0)
        }),
        case("query: empty row range", Kind::Invalid, "row range", move || {
            RobustnessQuery::from_masks(x(), vec![0, 1], &masks(), &elems())?.slice(1..1)
        }),
        case("one_input: no masks", Kind::Shape, "input", move || {
            RobustnessQuery::one_input(tensor2(vec![0.5; 4], 1, 4), 0, &[], &elems())
        }),
    ];
    assert_all(cases);
}

/// An empty mask leaves nothing to perturb: not found, no model evaluation, no error.
fn empty_mask_is_not_found<E: RobustnessEstimator<2>>(estimator: &E, name: &str) {
    // A linear 4-feature, 3-class model.
    let w = tensor2(vec![1.0, 0.0, -1.0, 0.0, 1.0, 0.5, -0.5, 0.2, 0.0, 0.3, -0.3, 1.0], 4, 3);
    let model = move |x: Tensor<2>| x.matmul(w.clone());
    let space = FeatureSpace::elements(&[4]).unwrap();
    let x = tensor2(vec![0.9, 0.1, 0.2, 0.3], 1, 4);
    let masks = [FeatureMask::empty(4)];
    let out = catch_unwind(AssertUnwindSafe(|| {
        estimator.estimate_masks(&model, x.clone(), vec![0], AttackGoal::Untargeted, &masks, &space)
    }));
    let batch = out
        .unwrap_or_else(|_| panic!("empty mask: {name} panicked"))
        .unwrap_or_else(|e| panic!("empty mask: {name} failed: {e}"));
    assert_eq!(
        batch.found(),
        vec![false],
        "empty mask, {name}: no adversarial example can be found"
    );
    assert_eq!(batch.rows[0].cost.total(), 0, "empty mask, {name}: no model evaluation is needed");
}

#[test]
fn an_empty_mask_is_not_an_error_and_costs_nothing() {
    empty_mask_is_not_found(&DeepFool::default(), "DeepFool");
    empty_mask_is_not_found(&xai::attacks::Fmn::default(), "FMN");
}

#[test]
fn metrics_reject_bad_settings() {
    let curve = |fractions: Vec<f64>| {
        move || {
            RobustnessCurve::new(
                RobustnessCurveConfig::new().with_fractions(fractions),
                DeepFool::default(),
            )
        }
    };
    let cases = vec![
        case("curve: fractions []", Kind::Invalid, "fractions = []", curve(vec![])),
        case(
            "curve: fractions [0, 0.5]",
            Kind::Invalid,
            "fractions = [0.0, 0.5]",
            curve(vec![0.0, 0.5]),
        ),
        case(
            "curve: fractions [0.5, 0.4]",
            Kind::Invalid,
            "fractions = [0.5, 0.4]",
            curve(vec![0.5, 0.4]),
        ),
        case(
            "curve: fractions [0.5, 1.5]",
            Kind::Invalid,
            "fractions = [0.5, 1.5]",
            curve(vec![0.5, 1.5]),
        ),
        case("curve: fractions with NaN", Kind::Invalid, "fractions", curve(vec![0.1, f64::NAN])),
        case("curve: batch size 0", Kind::Invalid, "batch size", || {
            RobustnessCurve::new(
                RobustnessCurveConfig::new().with_batch_size(0),
                DeepFool::default(),
            )
        }),
        case("insertion: draws 0", Kind::Invalid, "draws", || {
            InsertionDeletion::new(InsertionDeletionConfig::new(Criterion::Insertion).with_draws(0))
        }),
        case("deletion: fractions [0.3, 0.3]", Kind::Invalid, "fractions", || {
            InsertionDeletion::new(
                InsertionDeletionConfig::new(Criterion::Deletion).with_fractions(vec![0.3, 0.3]),
            )
        }),
        case("t-test: different lengths", Kind::Shape, "paired samples", || {
            paired_t_test(&[1.0, 2.0, 3.0], &[1.0, 2.0], Better::Higher, 0.05)
        }),
        case("t-test: one pair", Kind::Shape, "paired samples", || {
            paired_t_test(&[1.0], &[2.0], Better::Higher, 0.05)
        }),
        case("t-test: NaN", Kind::NonFinite, "paired samples", || {
            paired_t_test(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0], Better::Lower, 0.05)
        }),
        case("t-test: Inf", Kind::NonFinite, "paired samples", || {
            paired_t_test(&[1.0, 2.0, 3.0], &[1.0, f64::INFINITY, 3.0], Better::Lower, 0.05)
        }),
        case("t-test: alpha 1.5", Kind::Invalid, "significance level", || {
            paired_t_test(&[1.0, 2.0, 3.0], &[1.5, 2.0, 3.0], Better::Lower, 1.5)
        }),
    ];
    assert_all(cases);
}

#[test]
fn unknown_names_are_rejected() {
    let cases = vec![
        case("Method 'nope'", Kind::Unknown, "'nope'", || "nope".parse::<Method>()),
        case("Preset 'slow'", Kind::Unknown, "'slow'", || "slow".parse::<Preset>()),
        case("Reference 'zeros'", Kind::Invalid, "zeros", || "zeros".parse::<Reference>()),
        case("Reference 'blur:-1'", Kind::Invalid, "blur:-1", || "blur:-1".parse::<Reference>()),
        case("Reference 'inf'", Kind::Invalid, "inf", || "inf".parse::<Reference>()),
        case("ClassScore 'softmax'", Kind::Unknown, "'softmax'", || {
            "softmax".parse::<ClassScore>()
        }),
        case("DeviceChoice 'tpu'", Kind::Unknown, "'tpu'", || "tpu".parse::<DeviceChoice>()),
        case("Norm 'l3'", Kind::Unknown, "'l3'", || "l3".parse::<Norm>()),
        case("ModelName 'resnet'", Kind::Unknown, "'resnet'", || "resnet".parse::<ModelName>()),
        case("Method ''", Kind::Unknown, "method", || "".parse::<Method>()),
    ];
    assert_all(cases);
}

#[test]
fn bad_files_give_errors_naming_the_file() {
    let dir = temp_dir("files");
    let idx = dir.join("truncated-images-idx3-ubyte");
    // Header for 2 images of 28×28, but only 100 bytes of pixels.
    let mut bytes = Vec::new();
    for word in [0x0000_0803u32, 2, 28, 28] {
        bytes.extend(word.to_be_bytes());
    }
    bytes.extend(vec![7u8; 100]);
    std::fs::write(&idx, &bytes).unwrap();
    let short_idx = dir.join("short-header-idx3-ubyte");
    std::fs::write(&short_idx, [0u8, 0, 8, 3, 0, 0]).unwrap();
    let npy_trunc = dir.join("truncated.npy");
    write_npy_f32(&npy_trunc, &[3, 4], &[0.25; 12]).unwrap();
    let full = std::fs::read(&npy_trunc).unwrap();
    std::fs::write(&npy_trunc, &full[..full.len() - 8]).unwrap();
    let npy_corrupt = dir.join("corrupt.npy");
    std::fs::write(&npy_corrupt, b"this is not a numpy file at all").unwrap();
    let weights = dir.join("weights");
    std::fs::create_dir_all(&weights).unwrap();
    let stem = ModelName::MnistCnn.info().file_stem;
    std::fs::write(weights.join(format!("{stem}.bpk")), b"garbage, not burnpack").unwrap();
    let empty = temp_dir("empty");

    let name = |p: &PathBuf| p.display().to_string();
    let cases = vec![
        case("dataset 'nope'", Kind::Unknown, "'nope'", {
            let dir = DataDir::resolve(Some(&empty));
            move || registry::load_from("nope", &dir)
        }),
        case("dataset file missing", Kind::File, "t10k-images-idx3-ubyte", {
            let dir = DataDir::resolve(Some(&empty));
            move || registry::load_from("mnist-test", &dir)
        }),
        case("data dir: require a missing file", Kind::File, "missing.npy", {
            let dir = DataDir::resolve(Some(&empty));
            move || dir.require("missing.npy")
        }),
        case("idx: truncated", Kind::File, name(&idx), {
            let p = idx.clone();
            move || read_idx_images(&p)
        }),
        case("idx: short header", Kind::File, name(&short_idx), {
            let p = short_idx.clone();
            move || read_idx_images(&p)
        }),
        case("idx: missing file", Kind::File, "no-such-idx", {
            let p = dir.join("no-such-idx");
            move || read_idx_images(&p)
        }),
        case("npy: truncated", Kind::File, name(&npy_trunc), {
            let p = npy_trunc.clone();
            move || read_npy(&p)
        }),
        case("npy: corrupt", Kind::File, name(&npy_corrupt), {
            let p = npy_corrupt.clone();
            move || read_npy(&p)
        }),
        case("npy: missing file", Kind::File, "no-such.npy", {
            let p = dir.join("no-such.npy");
            move || read_npy(&p)
        }),
        case("zoo: corrupt .bpk", Kind::File, format!("{stem}.bpk"), {
            let p = weights.clone();
            move || ZooModel::load_from_dir(ModelName::MnistCnn, &p, &Device::flex())
        }),
        case("zoo: missing .bpk", Kind::File, format!("{stem}.bpk"), {
            let p = empty.clone();
            move || ZooModel::load_from_dir(ModelName::MnistCnn, &p, &Device::flex())
        }),
    ];
    let failures = run_all(cases);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&empty);
    assert!(failures.is_empty(), "bad-input cases failed:\n{}", failures.join("\n"));
}

/// A linear 3-class model on `[n, 1, 8, 8]` images (8×8: Occlusion's default window fits).
fn image_model() -> impl Fn(Tensor<4>) -> Tensor<2> {
    let w: Vec<f32> = (0..192).map(|i| ((i * 7 % 11) as f32 - 5.0) / 5.0).collect();
    let w = tensor2(w, 64, 3);
    move |x: Tensor<4>| {
        let n = x.dims()[0];
        x.reshape([n, 64]).matmul(w.clone())
    }
}

#[test]
fn every_method_rejects_a_class_the_model_does_not_have() {
    let model = image_model();
    let space = FeatureSpace::pixels(1, 8, 8).unwrap();
    let x = tensor4((0..64).map(|i| i as f32 / 64.0).collect(), [1, 1, 8, 8]);
    let options = MethodOptions::<4> {
        preset: Preset::Fast,
        background: Some(tensor4(vec![0.5; 128], [2, 1, 8, 8])),
        ..Default::default()
    };
    let mut failures = Vec::new();
    for method in Method::ALL {
        let explainer = match AnyExplainer::new(method, &options) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("{method}: could not be built: {e}"));
                continue;
            }
        };
        // The test model is a closure: layer-wise methods must refuse it as such.
        failures.extend(class_7_failure(&explainer, &model, &x, &space, method.needs_layers()));
    }
    // The layer-wise methods again, on a layered model (conv → ReLU → GAP → linear, which CAM
    // accepts too): now they must reach the class check.
    let net = layered_image_model();
    for method in Method::ALL.into_iter().filter(|m| m.needs_layers()) {
        let explainer = AnyExplainer::new(method, &options).unwrap();
        failures.extend(
            class_7_failure(&explainer, &net, &x, &space, false).map(|f| format!("(layered) {f}")),
        );
    }
    assert!(failures.is_empty(), "bad-class cases failed:\n{}", failures.join("\n"));
}

/// Explains class 7 of a 3-class `model` with `explainer`: `None` when it fails with an
/// invalid-parameter error naming the 7 (or, if `unsupported_ok`, refuses the model as
/// unsupported); else what went wrong.
fn class_7_failure<M: xai::core::Classifier<4>>(
    explainer: &AnyExplainer<4>,
    model: &M,
    x: &Tensor<4>,
    space: &FeatureSpace,
    unsupported_ok: bool,
) -> Option<String> {
    let name = explainer.name();
    let request = ExplainRequest::new(x.clone(), vec![7], space.clone()).unwrap();
    match catch_unwind(AssertUnwindSafe(|| explainer.explain(model, &request))) {
        Err(_) => Some(format!("{name}: panicked")),
        Ok(Ok(_)) => Some(format!("{name}: explained class 7 of a 3-class model")),
        Ok(Err(XaiError::Unsupported { .. })) if unsupported_ok => None,
        Ok(Err(e)) if kind_of(&e) == Some(Kind::Invalid) && e.to_string().contains("= 7") => None,
        Ok(Err(e)) => Some(format!("{name}: unexpected error {e:?}")),
    }
}

/// A 3-class layered image model on `[1, 8, 8]`: conv 3×3 (2 channels) → ReLU → global
/// average pool → flatten → linear.
fn layered_image_model() -> xai::core::LayeredNet {
    use burn::nn::conv::Conv2dConfig;
    use burn::nn::{LinearConfig, PaddingConfig2d};
    use xai::core::{Layer, LayeredNet, Node};
    let device = Device::flex();
    let conv = Conv2dConfig::new([1, 2], [3, 3]).with_padding(PaddingConfig2d::Same).init(&device);
    let nodes = vec![
        Node::new("conv", Layer::Conv2d(conv), vec![0]),
        Node::new("relu", Layer::Relu, vec![1]),
        Node::new("gap", Layer::GlobalAvgPool, vec![2]),
        Node::new("flatten", Layer::Flatten, vec![3]),
        Node::new("linear", Layer::Linear(LinearConfig::new(2, 3).init(&device)), vec![4]),
    ];
    LayeredNet::new(nodes, 1).unwrap()
}

#[test]
fn metrics_reject_attributions_of_the_wrong_width() {
    let model = image_model();
    let space = FeatureSpace::pixels(1, 8, 8).unwrap();
    let x = || tensor4(vec![0.5; 64], [1, 1, 8, 8]);
    let narrow = || vec![Attribution::new("narrow", 0, vec![0.1; 63], Cost::default()).unwrap()];
    let m = image_model();
    let s = space.clone();
    let cases =
        vec![
            case(
                "curve: attribution of 63 features for 64",
                Kind::Shape,
                "attribution",
                move || {
                    RobustnessCurve::new(RobustnessCurveConfig::new(), DeepFool::default())?
                        .evaluate(&model, x(), &[0], None, &narrow(), &space)
                },
            ),
            case(
                "deletion: attribution of 63 features for 64",
                Kind::Shape,
                "attribution",
                move || {
                    InsertionDeletion::new(InsertionDeletionConfig::new(Criterion::Deletion))?
                        .evaluate(&m, x(), &[0], &narrow(), &s, 0)
                },
            ),
        ];
    assert_all(cases);
}

#[test]
fn every_method_rejects_a_contrast_class_the_model_does_not_have() {
    let model = image_model();
    let space = FeatureSpace::pixels(1, 8, 8).unwrap();
    let x = tensor4((0..64).map(|i| i as f32 / 64.0).collect(), [1, 1, 8, 8]);
    let options = MethodOptions::<4> {
        preset: Preset::Fast,
        background: Some(tensor4(vec![0.5; 128], [2, 1, 8, 8])),
        ..Default::default()
    };
    let mut failures = Vec::new();
    for method in Method::ALL {
        let explainer = AnyExplainer::new(method, &options).unwrap();
        let request = ExplainRequest::new(x.clone(), vec![0], space.clone())
            .unwrap()
            .with_contrast(vec![7])
            .unwrap();
        let out = catch_unwind(AssertUnwindSafe(|| explainer.explain(&model, &request)));
        match out {
            Err(_) => failures.push(format!("{method}: panicked")),
            Ok(Ok(_)) => failures.push(format!("{method}: explained contrast class 7")),
            Ok(Err(e)) => {
                let named = kind_of(&e) == Some(Kind::Invalid) && e.to_string().contains("= 7");
                if !(named || matches!(e, XaiError::Unsupported { .. })) {
                    failures.push(format!("{method}: unexpected error {e:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "bad-contrast cases failed:\n{}", failures.join("\n"));
}

#[test]
fn more_bad_input() {
    let cases = vec![
        case("query: 0 rows", Kind::Shape, "inputs", || {
            RobustnessQuery::new(tensor2(Vec::new(), 0, 4), Vec::new(), tensor2(Vec::new(), 0, 4))
        }),
        case("query: free mask of another shape", Kind::Shape, "free mask", || {
            RobustnessQuery::new(
                tensor2(vec![0.5; 8], 2, 4),
                vec![0, 1],
                tensor2(vec![1.0; 6], 2, 3),
            )
        }),
        case("space: grid:abc", Kind::Invalid, "grid:abc", || {
            FeatureSpace::from_spec("grid:abc", [1, 28, 28])
        }),
        case("space: groups with a gap", Kind::Invalid, "group labels", || {
            FeatureSpace::groups(1, 2, 2, vec![0, 0, 2, 2])
        }),
        case("space: groups of the wrong length", Kind::Shape, "group labels", || {
            FeatureSpace::groups(1, 2, 2, vec![0, 1, 2])
        }),
        case("Reference 'nan'", Kind::Invalid, "nan", || "nan".parse::<Reference>()),
        case("insertion: batch size 0", Kind::Invalid, "batch size", || {
            InsertionDeletion::new(
                InsertionDeletionConfig::new(Criterion::Insertion).with_batch_size(0),
            )
        }),
        case("predicted: wrong shape", Kind::Shape, "input", || {
            let model = image_model();
            ExplainRequest::predicted(
                &model,
                tensor4(vec![0.5; 49], [1, 1, 7, 7]),
                FeatureSpace::pixels(1, 8, 8).unwrap(),
            )
        }),
        case("zoo: try_logits with a wrong shape", Kind::Shape, "input of mnist", || {
            crate::common::ensure_weights();
            let model = ZooModel::load(ModelName::MnistCnn, &Device::flex())?;
            model.try_logits(tensor4(vec![0.5; 27 * 28], [1, 1, 27, 28]))
        }),
    ];
    assert_all(cases);
}

#[test]
fn metrics_reject_a_class_the_model_does_not_have() {
    let space = FeatureSpace::pixels(1, 8, 8).unwrap();
    let x = || tensor4((0..64).map(|i| i as f32 / 64.0).collect(), [1, 1, 8, 8]);
    let att = || {
        let scores = (0..64).map(|i| i as f32).collect();
        vec![Attribution::new("ramp", 7, scores, Cost::default()).unwrap()]
    };
    let (s1, s2, s3) = (space.clone(), space.clone(), space.clone());
    let cases = vec![
        case("curve: label 7 of 3 classes", Kind::Invalid, "= 7", move || {
            RobustnessCurve::new(RobustnessCurveConfig::new(), DeepFool::default())?.evaluate(
                &image_model(),
                x(),
                &[7],
                None,
                &att(),
                &s1,
            )
        }),
        case("curve: target 7 of 3 classes", Kind::Invalid, "= 7", move || {
            RobustnessCurve::new(RobustnessCurveConfig::new(), DeepFool::default())?.evaluate(
                &image_model(),
                x(),
                &[0],
                Some(&[7]),
                &att(),
                &s2,
            )
        }),
        case("deletion: class 7 of 3 classes", Kind::Invalid, "= 7", move || {
            InsertionDeletion::new(InsertionDeletionConfig::new(Criterion::Deletion))?.evaluate(
                &image_model(),
                x(),
                &[7],
                &att(),
                &s3,
                0,
            )
        }),
    ];
    assert_all(cases);
}

#[test]
fn attack_settings_are_checked() {
    use xai::attacks::{
        BisectionConfig, BisectionSearch, DeepFoolConfig, FmnConfig, MaskedPgdConfig,
    };
    let pgd = || MaskedPgdConfig::new().init().unwrap();
    let cases = vec![
        case("deepfool: 0 candidates", Kind::Invalid, "DeepFool candidates", || {
            DeepFoolConfig::new().with_candidates(0).init()
        }),
        case("deepfool: NaN overshoot", Kind::Invalid, "DeepFool overshoot", || {
            DeepFoolConfig::new().with_overshoot(f32::NAN).init()
        }),
        case("fmn: 0 steps", Kind::Invalid, "FMN steps", || FmnConfig::new().with_steps(0).init()),
        case("fmn: alpha_init -1", Kind::Invalid, "FMN alpha_init", || {
            FmnConfig::new().with_alpha_init(-1.0).init()
        }),
        case("pgd: 0 steps", Kind::Invalid, "PGD steps", || {
            MaskedPgdConfig::new().with_steps(0).init()
        }),
        case("pgd: step size Inf", Kind::Invalid, "PGD step size", || {
            MaskedPgdConfig::new().with_step_size(f32::INFINITY).init()
        }),
        case("bisection: eps_min > eps_max", Kind::Invalid, "eps range", move || {
            BisectionSearch::new(pgd(), BisectionConfig::new().with_eps_min(5.0).with_eps_max(1.0))
        }),
        case("bisection: factor 1", Kind::Invalid, "bracketing factor", move || {
            BisectionSearch::new(pgd(), BisectionConfig::new().with_factor(1.0))
        }),
        case("bisection: tolerance 0", Kind::Invalid, "bisection tolerance", move || {
            BisectionSearch::new(pgd(), BisectionConfig::new().with_tolerance(0.0))
        }),
    ];
    assert_all(cases);
}

#[test]
fn photos_model_inputs_and_model_outputs_reject_bad_input() {
    let dir = temp_dir("photos");
    let photo = DataDir::resolve(None).require("images/imagenet-samples/pelican.jpeg").unwrap();
    let bytes = std::fs::read(photo).unwrap();
    let truncated = dir.join("truncated.jpeg");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let header_only = dir.join("header-only.jpeg");
    std::fs::write(&header_only, &bytes[..64]).unwrap();
    let not_image = dir.join("notes.jpg");
    std::fs::write(&not_image, b"plain text, not a JPEG").unwrap();
    let name = |p: &PathBuf| p.display().to_string();
    let cases = vec![
        case("jpeg: truncated to a third", Kind::File, name(&truncated), {
            let p = truncated.clone();
            move || load_crop_224(&p)
        }),
        case("jpeg: header only", Kind::File, name(&header_only), {
            let p = header_only.clone();
            move || load_crop_224(&p)
        }),
        case("jpeg: not an image", Kind::File, name(&not_image), {
            let p = not_image.clone();
            move || load_crop_224(&p)
        }),
        case("jpeg: missing file", Kind::File, "no-such.jpeg", {
            let p = dir.join("no-such.jpeg");
            move || load_crop_224(&p)
        }),
        case("zoo: 3 channels into mnist-cnn", Kind::Shape, "input of mnist-cnn", || {
            crate::common::ensure_weights();
            let model = ZooModel::load(ModelName::MnistCnn, &Device::flex())?;
            model.try_logits(tensor4(vec![0.5; 3 * 28 * 28], [1, 3, 28, 28]))
        }),
        case("zoo: a 28x28 image into efficientnet-lite0", Kind::Shape, "efficientnet", || {
            crate::common::ensure_weights();
            let model = ZooModel::load(ModelName::EfficientNetLite0, &Device::flex())?;
            model.try_logits(tensor4(vec![0.5; 3 * 28 * 28], [1, 3, 28, 28]))
        }),
        case("query: input 1.5 outside the box [0, 1]", Kind::OutOfRange, "inputs", || {
            RobustnessQuery::new(tensor2(vec![1.5; 4], 1, 4), vec![0], tensor2(vec![1.0; 4], 1, 4))
        }),
        case("explain: a model with NaN weights (NaN logits)", Kind::NonFinite, "", || {
            let model = |x: Tensor<2>| x.matmul(tensor2(vec![f32::NAN; 8], 4, 2));
            Grad::default().explain(&model, &request())
        }),
    ];
    let failures = run_all(cases);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "bad-input cases failed:\n{}", failures.join("\n"));
}
