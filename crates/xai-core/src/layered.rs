//! Networks as a graph of layers the crate understands, for the methods that need the
//! network's inside: CAM (Zhou et al. 2016), Grad-CAM (Selvaraju et al. 2017), Guided
//! Backpropagation (Springenberg et al. 2015), LRP (Bach et al. 2015), DeepLIFT (Shrikumar et
//! al. 2017) and DeepSHAP (Lundberg & Lee 2017).
//!
//! A [`LayeredNet`] is a list of [`Node`]s in topological order. Every activation is a
//! `Tensor<4>`; a flat vector of `n` values is `[batch, n, 1, 1]`. Activation 0 is the network
//! input and activation `k` (k ≥ 1) is the output of node `k − 1`, so a node's `inputs` index
//! the activation list. The last node's output, reshaped to `[batch, classes]`, is the logits.

use crate::classifier::Classifier;
use crate::error::{Result, XaiError};
use burn::nn::conv::Conv2d;
use burn::nn::pool::{AvgPool2d, MaxPool2d};
use burn::nn::{BatchNorm, Linear};
use burn::tensor::{Tensor, TensorData};

/// One layer kind of a [`LayeredNet`]. Layers hold Burn modules; cloning a module shares its
/// weights, so building a `LayeredNet` from a loaded model copies no parameters.
///
/// # Shapes
/// Every layer maps `Tensor<4>` to `Tensor<4>`; vectors are `[batch, n, 1, 1]`.
#[derive(Clone, Debug)]
pub enum Layer {
    /// Input normalisation `(x − mean[c]) / std[c]`; a `mean`/`std` of length 1 applies to
    /// every channel.
    Normalize {
        /// Per-channel mean (length 1 or the number of channels).
        mean: Vec<f32>,
        /// Per-channel standard deviation (same length as `mean`, no zero).
        std: Vec<f32>,
    },
    /// A 2-d convolution (any groups, so depthwise convolutions too; bias optional).
    Conv2d(Conv2d),
    /// A fully connected layer on `[batch, n, 1, 1]` → `[batch, m, 1, 1]`.
    Linear(Linear),
    /// Batch normalisation in inference mode (running statistics), whatever the input's device.
    BatchNorm(BatchNorm),
    /// `max(x, 0)`.
    Relu,
    /// `min(max(x, 0), 6)`.
    Relu6,
    /// Max pooling.
    MaxPool2d(MaxPool2d),
    /// Average pooling.
    AvgPool2d(AvgPool2d),
    /// Global average pooling `[b, c, h, w]` → `[b, c, 1, 1]`.
    GlobalAvgPool,
    /// Flattening `[b, c, h, w]` → `[b, c·h·w, 1, 1]` (row-major, as ONNX `Flatten`/`Reshape`).
    Flatten,
    /// The sum of exactly two activations of the same shape (a residual connection).
    Add,
}

impl Layer {
    /// A short name of the layer kind (`"conv2d"`, `"relu"`, …), for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Layer::Normalize { .. } => "normalize",
            Layer::Conv2d(_) => "conv2d",
            Layer::Linear(_) => "linear",
            Layer::BatchNorm(_) => "batch_norm",
            Layer::Relu => "relu",
            Layer::Relu6 => "relu6",
            Layer::MaxPool2d(_) => "max_pool2d",
            Layer::AvgPool2d(_) => "avg_pool2d",
            Layer::GlobalAvgPool => "global_avg_pool",
            Layer::Flatten => "flatten",
            Layer::Add => "add",
        }
    }

    /// How many input activations the layer takes: 2 for [`Layer::Add`], 1 otherwise.
    pub fn arity(&self) -> usize {
        match self {
            Layer::Add => 2,
            _ => 1,
        }
    }
}

/// One node of a [`LayeredNet`]: a named layer applied to earlier activations.
#[derive(Clone, Debug)]
pub struct Node {
    /// The node's name (e.g. the ONNX node it mirrors, `"conv2d3"`).
    pub name: String,
    /// What the node computes.
    pub layer: Layer,
    /// Indices into the activation list: 0 = the network input, `k` = the output of node
    /// `k − 1`. Node `j` may only read activations `0..=j`.
    pub inputs: Vec<usize>,
}

impl Node {
    /// A node named `name` computing `layer` from the activations `inputs`.
    pub fn new(name: impl Into<String>, layer: Layer, inputs: Vec<usize>) -> Self {
        Self { name: name.into(), layer, inputs }
    }
}

/// A classifier expressed as a validated graph of [`Layer`]s, with the node whose output is the
/// last convolutional feature map (the `A^k` of CAM, Eqn. 1 of Zhou et al. 2016, and of
/// Grad-CAM, Eqn. 1–2 of Selvaraju et al. 2017).
///
/// # Shapes
/// input `[batch, channels, height, width]` → activations `Tensor<4>` → logits
/// `[batch, classes]` (the last activation `[batch, classes, 1, 1]` reshaped).
#[derive(Clone, Debug)]
pub struct LayeredNet {
    nodes: Vec<Node>,
    feature_node: usize,
    /// For each activation index, the last node that reads it (`None`: no node reads it).
    last_use: Vec<Option<usize>>,
}

impl LayeredNet {
    /// Validates and wraps a node list. Errors name the offending node when an input index
    /// points forward (node `j` reading an activation `> j`), a layer has the wrong number of
    /// inputs ([`Layer::Add`] takes two, every other layer one), a normalisation has an
    /// empty, mismatched, zero or non-finite mean/std, the list is empty, or `feature_node` is
    /// not a node.
    pub fn new(nodes: Vec<Node>, feature_node: usize) -> Result<Self> {
        if nodes.is_empty() {
            return Err(XaiError::invalid(
                "LayeredNet nodes",
                "an empty list",
                "at least one node (the last one's output is the logits)",
            ));
        }
        for (j, node) in nodes.iter().enumerate() {
            let what = format!("LayeredNet node {j} ('{}', {})", node.name, node.layer.kind());
            if node.inputs.len() != node.layer.arity() {
                return Err(XaiError::invalid(
                    format!("number of inputs of {what}"),
                    node.inputs.len(),
                    format!(
                        "exactly {} input activation(s) for a {} layer",
                        node.layer.arity(),
                        node.layer.kind()
                    ),
                ));
            }
            for &i in &node.inputs {
                if i > j {
                    return Err(XaiError::invalid(
                        format!("input index of {what}"),
                        i,
                        format!(
                            "an earlier activation index <= {j} (0 = the network input, k = the \
                             output of node k-1): inputs must point backwards"
                        ),
                    ));
                }
            }
            if let Layer::Normalize { mean, std } = &node.layer {
                if mean.is_empty() || mean.len() != std.len() {
                    return Err(XaiError::invalid(
                        format!("mean/std lengths of {what}"),
                        format!("{}/{}", mean.len(), std.len()),
                        "equal, non-zero lengths (1 or the number of channels)",
                    ));
                }
                if mean.iter().any(|m| !m.is_finite())
                    || std.iter().any(|s| !s.is_finite() || *s == 0.0)
                {
                    return Err(XaiError::invalid(
                        format!("mean/std of {what}"),
                        format!("{mean:?}/{std:?}"),
                        "finite values and a non-zero std",
                    ));
                }
            }
        }
        if feature_node >= nodes.len() {
            return Err(XaiError::invalid(
                "LayeredNet feature_node",
                feature_node,
                format!("a node index < {} (the number of nodes)", nodes.len()),
            ));
        }
        let mut last_use = vec![None; nodes.len() + 1];
        for (j, node) in nodes.iter().enumerate() {
            for &i in &node.inputs {
                last_use[i] = Some(j);
            }
        }
        Ok(Self { nodes, feature_node, last_use })
    }

    /// The nodes, in evaluation order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The index of the node whose output is the last convolutional feature map (its
    /// activation index is `feature_node() + 1`).
    pub fn feature_node(&self) -> usize {
        self.feature_node
    }

    /// The index of the first node named `name`, if any.
    pub fn node_index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// One node's forward pass on its input activations (in the order of `Node::inputs`).
    /// Works on plain and autodiff tensors alike; the layers' weights are never trained.
    ///
    /// # Panics
    /// If `node` is out of range or `inputs` has the wrong length or shapes (broken caller
    /// invariant: the graph was validated by [`LayeredNet::new`]).
    ///
    /// # Shapes
    /// `Tensor<4>` inputs → `Tensor<4>`.
    pub fn apply(&self, node: usize, inputs: Vec<Tensor<4>>) -> Tensor<4> {
        let n = &self.nodes[node];
        assert_eq!(
            inputs.len(),
            n.layer.arity(),
            "LayeredNet::apply: node {node} ('{}') takes {} input(s)",
            n.name,
            n.layer.arity()
        );
        let mut inputs = inputs.into_iter();
        let x = inputs.next().expect("arity >= 1");
        match &n.layer {
            Layer::Normalize { mean, std } => {
                let c = mean.len();
                let device = x.device();
                let m =
                    Tensor::<4>::from_data(TensorData::new(mean.clone(), [1, c, 1, 1]), &device);
                let s = Tensor::<4>::from_data(TensorData::new(std.clone(), [1, c, 1, 1]), &device);
                x.sub(m).div(s)
            }
            Layer::Conv2d(conv) => conv.forward(x),
            Layer::Linear(linear) => {
                let [b, n_in, h, w] = x.dims();
                let y = linear.forward(x.reshape([b, n_in * h * w]));
                let m = y.dims()[1];
                y.reshape([b, m, 1, 1])
            }
            Layer::BatchNorm(bn) => {
                // Inference mode always (Burn's BatchNorm::forward trains on autodiff devices).
                let device = x.device();
                burn::tensor::module::batch_norm(
                    x,
                    bn.gamma.val(),
                    bn.beta.val(),
                    bn.running_mean.value().to_device(&device),
                    bn.running_var.value().to_device(&device),
                    bn.epsilon,
                )
            }
            Layer::Relu => burn::tensor::activation::relu(x),
            Layer::Relu6 => x.clamp(0.0, 6.0),
            Layer::MaxPool2d(pool) => pool.forward(x),
            Layer::AvgPool2d(pool) => pool.forward(x),
            Layer::GlobalAvgPool => burn::tensor::module::adaptive_avg_pool2d(x, [1, 1]),
            Layer::Flatten => {
                let [b, c, h, w] = x.dims();
                x.reshape([b, c * h * w, 1, 1])
            }
            Layer::Add => x.add(inputs.next().expect("Add has two inputs")),
        }
    }

    /// Every activation of a forward pass: element 0 is `input`, element `k` the output of
    /// node `k − 1` (length `nodes().len() + 1`). Costs one forward pass per row (count it
    /// through [`crate::Evaluator::counter`]).
    ///
    /// # Shapes
    /// `[batch, c, h, w]` → `nodes().len() + 1` tensors `[batch, ...]`.
    pub fn activations(&self, input: Tensor<4>) -> Vec<Tensor<4>> {
        self.forward_from(0, vec![input])
    }

    /// Recomputes the outputs of nodes `start..` from the activations `acts[0..=start]`
    /// (later entries of `acts`, if any, are replaced), e.g. after replacing the feature map
    /// `acts[feature_node() + 1]` by a tensor that requires a gradient. Returns the full list
    /// (length `nodes().len() + 1`).
    ///
    /// # Panics
    /// If `acts` has fewer than `start + 1` entries or `start > nodes().len()`.
    pub fn forward_from(&self, start: usize, mut acts: Vec<Tensor<4>>) -> Vec<Tensor<4>> {
        assert!(
            start <= self.nodes.len() && acts.len() > start,
            "LayeredNet::forward_from({start}): needs activations 0..={start}, got {} of a \
             {}-node net",
            acts.len(),
            self.nodes.len()
        );
        acts.truncate(start + 1);
        for j in start..self.nodes.len() {
            let inputs = self.nodes[j].inputs.iter().map(|&i| acts[i].clone()).collect();
            let out = self.apply(j, inputs);
            acts.push(out);
        }
        acts
    }

    /// The output of [`LayeredNet::feature_node`] (the `A^k` of CAM/Grad-CAM); evaluates only
    /// the nodes up to it.
    ///
    /// # Shapes
    /// `[batch, c, h, w]` → `[batch, k, u, v]`.
    pub fn feature_map(&self, input: Tensor<4>) -> Tensor<4> {
        self.output_of(self.feature_node, input)
    }

    /// The output of node `node` (nodes `0..=node` evaluated, each activation dropped after
    /// its last use).
    ///
    /// # Panics
    /// If `node >= nodes().len()`.
    ///
    /// # Shapes
    /// `[batch, c, h, w]` → the node's output `[batch, ...]`.
    pub fn output_of(&self, node: usize, input: Tensor<4>) -> Tensor<4> {
        assert!(node < self.nodes.len(), "LayeredNet::output_of: node {node} out of range");
        self.run(vec![Some(input)], node + 1)
    }

    /// Whether the nodes `start..` read only activations `>= start`, i.e. activation `start`
    /// alone determines the output (no residual connection crosses it); see
    /// [`LayeredNet::forward_tail`].
    pub fn is_cut(&self, start: usize) -> bool {
        self.nodes
            .get(start..)
            .is_some_and(|rest| rest.iter().all(|n| n.inputs.iter().all(|&i| i >= start)))
    }

    /// The logits from a full activation list: the last activation reshaped to
    /// `[batch, classes]`.
    ///
    /// # Shapes
    /// last activation `[batch, n, h, w]` → `[batch, n·h·w]`.
    pub fn logits_of(acts: &[Tensor<4>]) -> Tensor<2> {
        let last = acts.last().expect("LayeredNet::logits_of: no activations").clone();
        let [b, c, h, w] = last.dims();
        last.reshape([b, c * h * w])
    }

    /// The last activation computed from activation `start` alone (nodes `start..` evaluated,
    /// each activation dropped after its last use), e.g. the classifier head from the feature
    /// map `start = feature_node() + 1`. `None` when a node at or after `start` reads an
    /// activation before `start` (a residual connection across it): use
    /// [`LayeredNet::forward_from`] then.
    ///
    /// # Panics
    /// If `start > nodes().len()`.
    ///
    /// # Shapes
    /// activation `start` `[batch, ...]` → last activation `[batch, classes, 1, 1]`.
    pub fn forward_tail(&self, start: usize, act: Tensor<4>) -> Option<Tensor<4>> {
        assert!(start <= self.nodes.len(), "LayeredNet::forward_tail: start {start} out of range");
        if !self.is_cut(start) {
            return None;
        }
        let mut acts: Vec<Option<Tensor<4>>> = vec![None; start];
        acts.push(Some(act));
        Some(self.run(acts, self.nodes.len()))
    }

    /// Evaluates nodes `acts.len() - 1 .. end` and returns the output of node `end − 1`,
    /// dropping each activation after its last use (less memory than
    /// [`LayeredNet::activations`]).
    fn run(&self, mut acts: Vec<Option<Tensor<4>>>, end: usize) -> Tensor<4> {
        for j in acts.len() - 1..end {
            let ins = &self.nodes[j].inputs;
            let mut inputs = Vec::with_capacity(ins.len());
            for (p, &i) in ins.iter().enumerate() {
                let last = self.last_use[i] == Some(j) && !ins[p + 1..].contains(&i);
                let a = if last { acts[i].take() } else { acts[i].clone() };
                inputs.push(a.expect("activation dropped before its last use"));
            }
            acts.push(Some(self.apply(j, inputs)));
        }
        acts.pop().flatten().expect("the last activation exists")
    }
}

impl Classifier<4> for LayeredNet {
    /// Logits of a batch: every node evaluated in order, each activation dropped after its
    /// last use.
    fn logits(&self, input: Tensor<4>) -> Tensor<2> {
        let out = self.run(vec![Some(input)], self.nodes.len());
        let [b, c, h, w] = out.dims();
        out.reshape([b, c * h * w])
    }

    fn layered(&self) -> Option<&LayeredNet> {
        Some(self)
    }
}
