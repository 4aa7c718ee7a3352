//! Reading a model's weights straight from its ONNX file, without generating code.
//!
//! The ONNX file is parsed by `onnx-ir` (the parser burn-onnx's code generator uses), so the
//! nodes carry the names burn-onnx gives the generated model's fields: a parameter path
//! `conv2d1.weight` is input 1 of node `conv2d1`, `linear2.bias` input 2 of node `linear2`,
//! `constant9` the value of node `constant9`. Every parameter of the module must be found, with
//! its exact shape, or loading fails naming the parameter.

use burn_store::{ModuleSnapshot, bridge};
use onnx_ir::{Argument, Node, OnnxGraph, OnnxGraphBuilder};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use xai_core::{Result, XaiError};

/// Checks that the file at `path` has the sha256 `expected` (hex), so that a zoo name always
/// means the same weights.
pub(crate) fn check_sha256(path: &Path, expected: &str) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| XaiError::file(path, e.to_string()))?;
    let digest = format!("{:x}", Sha256::digest(&bytes));
    if digest != expected {
        return Err(XaiError::file(
            path,
            format!("sha256 {digest} differs from the zoo's {expected}: not the zoo's ONNX file"),
        ));
    }
    Ok(())
}

/// Loads every parameter of `module` from the ONNX file `onnx` (see the module docs for how
/// parameters and ONNX nodes are matched).
pub(crate) fn load_onnx<M: ModuleSnapshot>(module: &mut M, onnx: &Path) -> Result<()> {
    let graph = parse(onnx)?;
    let nodes: HashMap<&str, &Node> = graph.nodes.iter().map(|n| (n.name(), n)).collect();
    let wanted = module.collect(None, None, false);
    let mut tensors = Vec::with_capacity(wanted.len());
    for param in &wanted {
        let fail = |why: String| XaiError::file(onnx, format!("parameter `{}`: {why}", param.name));
        let mut data = parameter_data(&nodes, &param.name).map_err(fail)?;
        if data.rank() == 0 && param.shape.as_slice() == [1] {
            // A scalar constant: burn-onnx stores it as a one-element vector.
            let (bytes, _, dtype) = data.into_parts();
            data = burn::tensor::TensorData::from_bytes(bytes, [1], dtype);
        }
        if *data.shape() != param.shape {
            return Err(fail(format!(
                "the ONNX tensor has shape {:?}, the model expects {:?}",
                data.shape(),
                param.shape
            )));
        }
        let data = if data.dtype() == param.dtype { data } else { data.convert_dtype(param.dtype) };
        tensors.push(bridge::from_data(data, param.name.clone(), param.param_id));
    }
    let applied = module.apply(tensors, None, None, false);
    if !applied.missing.is_empty() || !applied.errors.is_empty() || !applied.unused.is_empty() {
        return Err(XaiError::file(
            onnx,
            format!(
                "the ONNX weights do not fit the model: {} missing, {} unused, {} error(s)",
                applied.missing.len(),
                applied.unused.len(),
                applied.errors.len()
            ),
        ));
    }
    Ok(())
}

/// Parses `onnx` into burn-onnx's intermediate graph; a parser panic becomes an error.
fn parse(onnx: &Path) -> Result<OnnxGraph> {
    let outcome = catch_unwind(AssertUnwindSafe(|| OnnxGraphBuilder::new().parse_file(onnx)));
    match outcome {
        Ok(Ok(graph)) => Ok(graph),
        Ok(Err(e)) => Err(XaiError::file(onnx, format!("not a readable ONNX model: {e}"))),
        Err(_) => Err(XaiError::file(onnx, "not a readable ONNX model: the parser panicked")),
    }
}

/// The ONNX tensor behind the parameter path `node.leaf` (or `node` for a constant), in the
/// layout Burn's module expects.
fn parameter_data(
    nodes: &HashMap<&str, &Node>,
    path: &str,
) -> std::result::Result<burn::tensor::TensorData, String> {
    let (field, leaf) = match path.rsplit_once('.') {
        Some((field, leaf)) => (field, Some(leaf)),
        None => (path, None),
    };
    let node = nodes.get(field).ok_or_else(|| format!("no ONNX node named `{field}`"))?;
    let input = |index: usize| -> std::result::Result<&Argument, String> {
        node.inputs().get(index).ok_or_else(|| format!("node `{field}` has no input {index}"))
    };
    let unsupported = || format!("node `{field}` has no parameter `{}`", leaf.unwrap_or("-"));
    let argument = match (node, leaf) {
        (Node::Constant(_), None) => input(0)?,
        (Node::Linear(linear), Some("weight")) => {
            let data = value(input(1)?, field)?;
            // A Gemm weight is `[out, in]`; Burn's Linear stores `[in, out]`.
            return if linear.config.transpose_weight { transpose(data, field) } else { Ok(data) };
        }
        (
            Node::Conv1d(_)
            | Node::Conv2d(_)
            | Node::Conv3d(_)
            | Node::ConvTranspose1d(_)
            | Node::ConvTranspose2d(_)
            | Node::ConvTranspose3d(_)
            | Node::Linear(_),
            Some(leaf),
        ) => match leaf {
            "weight" => input(1)?,
            "bias" => input(2)?,
            _ => return Err(unsupported()),
        },
        (Node::BatchNormalization(_), Some(leaf)) => match leaf {
            "gamma" => input(1)?,
            "beta" => input(2)?,
            "running_mean" => input(3)?,
            "running_var" => input(4)?,
            _ => return Err(unsupported()),
        },
        _ => {
            return Err(format!(
                "node `{field}` is not a kind whose weights the zoo reads (convolution, linear, \
                 batch norm, constant)"
            ));
        }
    };
    value(argument, field)
}

/// The static value of an ONNX argument.
fn value(
    argument: &Argument,
    field: &str,
) -> std::result::Result<burn::tensor::TensorData, String> {
    argument
        .value()
        .ok_or_else(|| format!("input `{}` of node `{field}` has no static value", argument.name))
}

/// `[m, n]` → `[n, m]`.
fn transpose(
    data: burn::tensor::TensorData,
    field: &str,
) -> std::result::Result<burn::tensor::TensorData, String> {
    let &[m, n] = data.shape().as_slice() else {
        return Err(format!("the weight of `{field}` is not 2-D: {:?}", data.shape()));
    };
    let dtype = data.dtype();
    let values = data.convert::<f32>().try_to_vec::<f32>().map_err(|e| format!("{e:?}"))?;
    let transposed: Vec<f32> =
        (0..n).flat_map(|j| (0..m).map(move |i| (i, j))).map(|(i, j)| values[i * n + j]).collect();
    Ok(burn::tensor::TensorData::new(transposed, [n, m]).convert_dtype(dtype))
}
