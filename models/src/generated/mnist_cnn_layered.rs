// Generated from `mnist_cnn.rs`'s forward() by `cargo xtask import-onnx`. Do not edit.
use super::mnist_cnn::Model;
use crate::layered::constant_values;
use xai_core::layered::{Layer, Node};

/// The node after the last convolution `conv2d2`: `relu2`, the feature map of CAM/Grad-CAM.
pub(crate) const FEATURE_NODE: usize = 5;

/// `Model::forward` as `LayeredNet` nodes (modules cloned: weights shared).
pub(crate) fn nodes(m: &Model) -> xai_core::Result<Vec<Node>> {
    Ok(vec![
        Node::new("sub1_div1", Layer::Normalize { mean: constant_values(&m.constant9)?, std: constant_values(&m.constant10)? }, vec![0]),
        Node::new("conv2d1", Layer::Conv2d(m.conv2d1.clone()), vec![1]),
        Node::new("relu1", Layer::Relu, vec![2]),
        Node::new("maxpool2d1", Layer::MaxPool2d(m.maxpool2d1.clone()), vec![3]),
        Node::new("conv2d2", Layer::Conv2d(m.conv2d2.clone()), vec![4]),
        Node::new("relu2", Layer::Relu, vec![5]),
        Node::new("maxpool2d2", Layer::MaxPool2d(m.maxpool2d2.clone()), vec![6]),
        Node::new("reshape1", Layer::Flatten, vec![7]),
        Node::new("linear1", Layer::Linear(m.linear1.clone()), vec![8]),
        Node::new("relu3", Layer::Relu, vec![9]),
        Node::new("linear2", Layer::Linear(m.linear2.clone()), vec![10]),
    ])
}
