//! Evidence that the ONNX import is faithful: logits and input gradients against the
//! PyTorch/onnxruntime references in the data directory, MNIST test accuracy, and
//! EfficientNet-Lite0's top-1 on the sample photos.

use crate::info::ModelName;
use crate::model::ZooModel;
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;
use xai_core::classifier::{argmax_rows, class_logits};
use xai_core::host::{classes_tensor, to_vec_f32};
use xai_core::{Classifier, Evaluator, Result, XaiError};
use xai_datasets::{DataDir, load_image_chw, read_sample_labels, registry};

/// Largest deviation of our outputs from a reference.
#[derive(Debug, Clone, Serialize)]
pub struct Deviation {
    /// Number of inputs compared.
    pub inputs: usize,
    /// max |ours − reference|.
    pub max_abs: f32,
    /// `max_abs` divided by the largest |reference| value (relative to the output's scale).
    pub max_rel: f32,
}

impl Deviation {
    fn between(ours: &[f32], reference: &[f32], inputs: usize) -> Result<Self> {
        if ours.len() != reference.len() {
            return Err(XaiError::shape(
                "reference values",
                format!("{} values", ours.len()),
                &[reference.len()],
            ));
        }
        let max_abs = ours.iter().zip(reference).fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        let scale = reference.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(f32::MIN_POSITIVE);
        Ok(Self { inputs, max_abs, max_rel: max_abs / scale })
    }
}

/// The faithfulness report of one model on one device.
#[derive(Debug, Clone, Serialize)]
pub struct ZooCheck {
    /// Model name.
    pub model: String,
    /// Logits against the reference.
    pub logits: Deviation,
    /// Input gradients of the label logit against the reference (MNIST only).
    pub gradients: Option<Deviation>,
    /// What `correct / total` counts: test accuracy or agreement with the reference top-1.
    pub agreement_kind: String,
    /// Inputs on which we agree (correct label or reference top-1).
    pub correct: usize,
    /// Inputs evaluated.
    pub total: usize,
    /// The reference's count of `correct` (must be equal).
    pub expected_correct: usize,
    /// Relative tolerance applied to logits and gradients.
    pub tolerance: f32,
    /// Whether every check passed.
    pub pass: bool,
}

/// Relative tolerance of the logit and gradient comparisons.
pub const TOLERANCE: f32 = 1e-4;

/// Options of the MNIST check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Evaluate the whole test set (10,000 images) rather than the 16 reference images.
    pub full_test_set: bool,
    /// Batch size of the accuracy pass.
    pub batch_size: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self { full_test_set: true, batch_size: 500 }
    }
}

/// Checks a zoo model against the references in `data`.
pub fn check(
    name: ModelName,
    device: &Device,
    data: &DataDir,
    opts: &CheckOptions,
) -> Result<ZooCheck> {
    let model = ZooModel::load(name, device)?;
    match name {
        ModelName::MnistCnn => check_mnist_cnn(&model, data, opts),
        ModelName::EfficientNetLite0 => check_efficientnet(&model, data),
    }
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| XaiError::file(path, format!("cannot read: {e}")))?;
    serde_json::from_str(&text).map_err(|e| XaiError::file(path, format!("invalid JSON: {e}")))
}

fn json_f32s(v: &Value, path: &Path, what: &str) -> Result<Vec<f32>> {
    fn flatten(v: &Value, out: &mut Vec<f32>) -> bool {
        match v {
            Value::Array(items) => items.iter().all(|i| flatten(i, out)),
            Value::Number(n) => n.as_f64().map(|x| out.push(x as f32)).is_some(),
            _ => false,
        }
    }
    let mut out = Vec::new();
    if !flatten(v, &mut out) {
        return Err(XaiError::file(path, format!("'{what}' is not an array of numbers")));
    }
    Ok(out)
}

fn json_usize(v: &Value, path: &Path, what: &str) -> Result<usize> {
    v.as_u64()
        .map(|n| n as usize)
        .ok_or_else(|| XaiError::file(path, format!("'{what}' is not a count")))
}

fn check_mnist_cnn(model: &ZooModel, data: &DataDir, opts: &CheckOptions) -> Result<ZooCheck> {
    let ref_path = data.require("reference/mnist_cnn_reference.json")?;
    let reference = read_json(&ref_path)?;
    let dataset = registry::load_from("mnist-test", data)?;
    let device = model.device();
    let indices: Vec<usize> = json_f32s(&reference["indices"], &ref_path, "indices")?
        .into_iter()
        .map(|i| i as usize)
        .collect();
    let eval = Evaluator::new(model);

    let x = dataset.batch_tensor(&indices, device)?;
    let labels = dataset.batch_labels(&indices)?;
    let ref_logits = json_f32s(&reference["logits_onnxruntime"], &ref_path, "logits_onnxruntime")?;
    let (logits, grads) = eval.gradient(x, |l| class_logits(l, classes_tensor(&labels, device)));
    let logits = Deviation::between(&to_vec_f32(logits)?, &ref_logits, indices.len())?;
    let ref_grads =
        json_f32s(&reference["grads_all16"]["values"], &ref_path, "grads_all16.values")?;
    let gradients = Deviation::between(&to_vec_f32(grads)?, &ref_grads, indices.len())?;

    let (rows, expected_correct): (Vec<usize>, usize) = if opts.full_test_set {
        let expected = json_usize(
            &reference["full_test_set"]["onnxruntime_correct"],
            &ref_path,
            "onnxruntime_correct",
        )?;
        ((0..dataset.len()).collect(), expected)
    } else {
        let preds = json_f32s(&reference["predictions"], &ref_path, "predictions")?;
        let expected = preds.iter().zip(&labels).filter(|(p, l)| **p as usize == **l).count();
        (indices.clone(), expected)
    };
    let mut correct = 0;
    for chunk in rows.chunks(opts.batch_size.max(1)) {
        let preds = eval.predict(dataset.batch_tensor(chunk, device)?)?;
        let truth = dataset.batch_labels(chunk)?;
        correct += preds.iter().zip(&truth).filter(|(p, t)| p == t).count();
    }
    let pass = logits.max_rel <= TOLERANCE
        && gradients.max_rel <= TOLERANCE
        && correct == expected_correct;
    Ok(ZooCheck {
        model: model.info().name.into(),
        logits,
        gradients: Some(gradients),
        agreement_kind: "test accuracy".into(),
        correct,
        total: rows.len(),
        expected_correct,
        tolerance: TOLERANCE,
        pass,
    })
}

fn check_efficientnet(model: &ZooModel, data: &DataDir) -> Result<ZooCheck> {
    let ref_path = data.require("reference/efficientnet_lite0_reference.json")?;
    let reference = read_json(&ref_path)?;
    let labels_path = data.require("images/imagenet-samples/labels.tsv")?;
    let labels = read_sample_labels(&labels_path)?;
    let images = reference["images"]
        .as_array()
        .ok_or_else(|| XaiError::file(&ref_path, "'images' is not an array"))?;
    let device = model.device();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let mut correct = 0;
    for image in images {
        let crop = image["crop"]
            .as_str()
            .ok_or_else(|| XaiError::file(&ref_path, "an image lacks 'crop'"))?;
        let (pixels, shape) =
            load_image_chw(&data.require(Path::new("images/imagenet-samples").join(crop))?)?;
        model.check_input(&[1, shape[0], shape[1], shape[2]])?;
        let x = Tensor::<4>::from_data(
            TensorData::new(pixels, [1, shape[0], shape[1], shape[2]]),
            device,
        );
        let logits = model.logits(x);
        let top1 = argmax_rows(logits.clone())?[0];
        let expected = labels
            .iter()
            .find(|l| l.crop == crop)
            .ok_or_else(|| XaiError::file(&labels_path, format!("no row for {crop}")))?;
        correct += usize::from(top1 == expected.top1_index);
        ours.extend(to_vec_f32(logits)?);
        theirs.extend(json_f32s(&image["logits"], &ref_path, "logits")?);
    }
    let logits = Deviation::between(&ours, &theirs, images.len())?;
    let pass = logits.max_rel <= TOLERANCE && correct == images.len();
    Ok(ZooCheck {
        model: model.info().name.into(),
        logits,
        gradients: None,
        agreement_kind: "top-1 agreement with the reference".into(),
        correct,
        total: images.len(),
        expected_correct: images.len(),
        tolerance: TOLERANCE,
        pass,
    })
}
