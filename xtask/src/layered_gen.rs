//! Translates a burn-onnx generated `Model::forward` into the node list of an
//! `xai_core::LayeredNet` (`models/src/generated/<name>_layered.rs`), so the layer-wise
//! methods (CAM, Grad-CAM, GuidedBP, LRP, DeepLIFT) see exactly the imported network.
//!
//! The translation is statement by statement and refuses anything it does not recognise, so a
//! change in burn-onnx's output fails `cargo xtask import-onnx` / `setup` instead of silently
//! producing a different network. Recognised statements (whitespace ignored):
//!
//! | generated code                                   | node                        |
//! |--------------------------------------------------|-----------------------------|
//! | `self.c.val()` then `x.sub(c..)` then `.div(d..)` | `Layer::Normalize`          |
//! | `self.f.forward(x)` (Conv2d, Linear, MaxPool2d, AvgPool2d, BatchNorm, AdaptiveAvgPool2d [1, 1]) | the module's layer |
//! | `burn::tensor::activation::relu(x)`              | `Layer::Relu`               |
//! | `x.clamp(0f64, 6f64)`                            | `Layer::Relu6`              |
//! | `x.add(y)`                                       | `Layer::Add`                |
//! | `x.reshape([-1, n])`, the `Flatten` block        | `Layer::Flatten`            |

use anyhow::{Context, Result, bail};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The layered node list of the generated model `name` (code of `<name>.rs`), as Rust source.
pub fn layered_code(code: &str, name: &str) -> Result<String> {
    let fields = struct_fields(code)?;
    let body = forward_body(code).with_context(|| format!("{name}.rs: no forward()"))?;
    let (stmts, ret) = split_statements(&body);
    let mut env: HashMap<String, Value> = HashMap::new();
    env.insert("input".into(), Value::Act(0));
    let mut nodes: Vec<GenNode> = Vec::new();
    for stmt in &stmts {
        let ctx = || format!("{name}.rs forward(): cannot translate `{stmt}`");
        let rest = stmt.trim().strip_prefix("let ").with_context(ctx)?;
        let (var, rhs) = rest.split_once('=').with_context(ctx)?;
        let var = var.trim().to_string();
        let rhs: String = rhs.chars().filter(|c| !c.is_whitespace()).collect();
        let value = translate(&rhs, &var, &env, &fields, code, &mut nodes).with_context(ctx)?;
        env.insert(var, value);
    }
    let ret: String = ret.chars().filter(|c| !c.is_whitespace()).collect();
    match env.get(&ret) {
        Some(Value::Act(a)) if *a == nodes.len() && *a > 0 => {}
        _ => bail!("{name}.rs forward(): returns `{ret}`, which is not the last layer's output"),
    }
    let last_conv = nodes
        .iter()
        .rposition(|n| n.layer.starts_with("Layer::Conv2d"))
        .with_context(|| format!("{name}.rs: no convolution, so no feature map"))?;
    let readers: Vec<usize> =
        (0..nodes.len()).filter(|&j| nodes[j].inputs.contains(&(last_conv + 1))).collect();
    let feature = match readers.as_slice() {
        [j] if matches!(nodes[*j].layer.as_str(), "Layer::Relu" | "Layer::Relu6") => *j,
        _ => bail!(
            "{name}.rs: the last convolution `{}` is not followed by a single ReLU/ReLU6",
            nodes[last_conv].name
        ),
    };

    let mut out = String::new();
    writeln!(
        out,
        "// Generated from `{name}.rs`'s forward() by `cargo xtask import-onnx`. Do not edit."
    )?;
    writeln!(out, "use super::{name}::Model;")?;
    writeln!(out, "use crate::layered::constant_values;")?;
    writeln!(out, "use xai_core::layered::{{Layer, Node}};")?;
    writeln!(out)?;
    writeln!(
        out,
        "/// The node after the last convolution `{}`: `{}`, the feature map of CAM/Grad-CAM.",
        nodes[last_conv].name, nodes[feature].name
    )?;
    writeln!(out, "pub(crate) const FEATURE_NODE: usize = {feature};")?;
    writeln!(out)?;
    writeln!(out, "/// `Model::forward` as `LayeredNet` nodes (modules cloned: weights shared).")?;
    writeln!(out, "pub(crate) fn nodes(m: &Model) -> xai_core::Result<Vec<Node>> {{")?;
    writeln!(out, "    Ok(vec![")?;
    for n in &nodes {
        let inputs: Vec<String> = n.inputs.iter().map(|i| i.to_string()).collect();
        writeln!(
            out,
            "        Node::new(\"{}\", {}, vec![{}]),",
            n.name,
            n.layer,
            inputs.join(", ")
        )?;
    }
    writeln!(out, "    ])")?;
    writeln!(out, "}}")?;
    Ok(out)
}

/// What a variable of `forward()` holds.
#[derive(Clone)]
enum Value {
    /// An activation index (0 = input, k = output of node k-1).
    Act(usize),
    /// A constant parameter field.
    Const(String),
    /// `x - constant`, awaiting its division.
    Centered { input: usize, mean: String, var: String },
}

struct GenNode {
    name: String,
    layer: String,
    inputs: Vec<usize>,
}

fn translate(
    rhs: &str,
    var: &str,
    env: &HashMap<String, Value>,
    fields: &HashMap<String, String>,
    code: &str,
    nodes: &mut Vec<GenNode>,
) -> Result<Value> {
    let act = |s: &str| -> Result<usize> {
        let s = s.strip_suffix(".clone()").unwrap_or(s);
        match env.get(s) {
            Some(Value::Act(a)) => Ok(*a),
            _ => bail!("`{s}` is not a known activation"),
        }
    };
    let constant = |s: &str| -> Result<String> {
        let s = s.strip_prefix('(').unwrap_or(s);
        let s = s.split(".unsqueeze_dims(").next().unwrap_or(s);
        let s = s.strip_suffix(')').unwrap_or(s);
        match env.get(s) {
            Some(Value::Const(f)) => Ok(f.clone()),
            _ => bail!("`{s}` is not a known constant"),
        }
    };
    let stem = var.strip_suffix("_out1").unwrap_or(var).to_string();
    let mut push = |layer: String, inputs: Vec<usize>| {
        nodes.push(GenNode { name: stem.clone(), layer, inputs });
        Value::Act(nodes.len())
    };
    if let Some(f) = rhs.strip_prefix("self.").and_then(|r| r.strip_suffix(".val()")) {
        let ty = fields.get(f).with_context(|| format!("no field `{f}`"))?;
        if !ty.starts_with("burn::module::Param<Tensor<") {
            bail!("field `{f}` is a {ty}, not a constant tensor");
        }
        return Ok(Value::Const(f.to_string()));
    }
    if let Some(r) = rhs.strip_prefix("self.") {
        if let Some((f, arg)) = r.split_once(".forward(") {
            let x = act(arg.strip_suffix(')').context("unbalanced call")?)?;
            let ty = fields.get(f).with_context(|| format!("no field `{f}`"))?;
            let layer = match ty.as_str() {
                "Conv2d" => format!("Layer::Conv2d(m.{f}.clone())"),
                "Linear" => format!("Layer::Linear(m.{f}.clone())"),
                "MaxPool2d" => format!("Layer::MaxPool2d(m.{f}.clone())"),
                "AvgPool2d" => format!("Layer::AvgPool2d(m.{f}.clone())"),
                "BatchNorm" => format!("Layer::BatchNorm(m.{f}.clone())"),
                "AdaptiveAvgPool2d" => {
                    let init = format!("let {f} = AdaptiveAvgPool2dConfig::new([1, 1]).init();");
                    if !code.contains(&init) {
                        bail!("`{f}` is an adaptive pooling to another size than [1, 1]");
                    }
                    "Layer::GlobalAvgPool".to_string()
                }
                other => bail!("field `{f}` has the unsupported module type {other}"),
            };
            return Ok(push(layer, vec![x]));
        }
    }
    if let Some(arg) =
        rhs.strip_prefix("burn::tensor::activation::relu(").and_then(|r| r.strip_suffix(')'))
    {
        return Ok(push("Layer::Relu".into(), vec![act(arg)?]));
    }
    if let Some(x) = rhs.strip_suffix(".clamp(0f64,6f64)") {
        return Ok(push("Layer::Relu6".into(), vec![act(x)?]));
    }
    if let Some(block) = rhs.strip_prefix("{letleading_dim=") {
        let (x, tail) = block
            .split_once(".shape()[..1].iter().product::<usize>()asi32;")
            .context("unknown flatten block")?;
        if tail != format!("{x}.reshape::<2,_>([leading_dim,-1])}}") {
            bail!("unknown flatten block");
        }
        return Ok(push("Layer::Flatten".into(), vec![act(x)?]));
    }
    if let Some((x, tail)) = rhs.split_once(".reshape([-1,") {
        if tail.strip_suffix("])").is_some_and(|n| n.parse::<usize>().is_ok()) {
            return Ok(push("Layer::Flatten".into(), vec![act(x)?]));
        }
        bail!("unknown reshape");
    }
    if let Some((x, arg)) = rhs.split_once(".sub(") {
        let mean = constant(arg.strip_suffix(')').context("unbalanced call")?)?;
        return Ok(Value::Centered { input: act(x)?, mean, var: stem });
    }
    if let Some((x, arg)) = rhs.split_once(".div(") {
        let std = constant(arg.strip_suffix(')').context("unbalanced call")?)?;
        let Some(Value::Centered { input, mean, var: sub }) = env.get(x).cloned() else {
            bail!("a division of `{x}`, which is not `input - constant`");
        };
        let layer = format!(
            "Layer::Normalize {{ mean: constant_values(&m.{mean})?, std: constant_values(&m.{std})? }}"
        );
        nodes.push(GenNode { name: format!("{sub}_{stem}"), layer, inputs: vec![input] });
        return Ok(Value::Act(nodes.len()));
    }
    if let Some((x, y)) = rhs.split_once(".add(") {
        let y = y.strip_suffix(')').context("unbalanced call")?;
        return Ok(push("Layer::Add".into(), vec![act(x)?, act(y)?]));
    }
    bail!("unsupported operation")
}

/// `field → type` of `pub struct Model { … }`.
fn struct_fields(code: &str) -> Result<HashMap<String, String>> {
    let start = code.find("pub struct Model {").context("no `pub struct Model`")?;
    let mut fields = HashMap::new();
    for line in code[start..].lines().skip(1) {
        let line = line.trim();
        if line == "}" {
            return Ok(fields);
        }
        let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
        if let Some((f, ty)) = line.split_once(": ") {
            fields.insert(f.to_string(), ty.trim_end_matches(',').to_string());
        }
    }
    bail!("unterminated `pub struct Model`")
}

/// The text between the braces of `pub fn forward(...)`.
fn forward_body(code: &str) -> Option<String> {
    let start = code.find("pub fn forward(")?;
    let open = start + code[start..].find('{')?;
    let mut depth = 0usize;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(code[open + 1..open + i].to_string());
                }
            }
            _ => {}
        }
    }
    None
}

/// Statements (split at `;` outside brackets) and the final expression.
fn split_statements(body: &str) -> (Vec<String>, String) {
    let mut stmts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in body.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if c == ';' && depth == 0 {
            stmts.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    (stmts, cur.trim().to_string())
}

/// Makes the fields of the generated `pub struct Model` visible to the crate (the layered
/// node list reads them).
pub fn crate_visible_fields(code: &str) -> String {
    let mut out = Vec::new();
    let mut in_struct = false;
    for line in code.lines() {
        if line.starts_with("pub struct Model {") {
            in_struct = true;
        } else if in_struct && line.starts_with('}') {
            in_struct = false;
        } else if in_struct
            && line.starts_with("    ")
            && !line.trim_start().starts_with('#')
            && !line.trim_start().starts_with("pub")
            && line.contains(": ")
        {
            out.push(format!("    pub(crate) {}", line.trim_start()));
            continue;
        }
        out.push(line.to_string());
    }
    let mut s = out.join("\n");
    if code.ends_with('\n') {
        s.push('\n');
    }
    s
}
