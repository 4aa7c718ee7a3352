// Generated from ONNX `mnist_cnn.onnx` by burn-onnx (`cargo xtask import-onnx`). Do not edit.
extern crate alloc;
use burn::prelude::*;
use burn::nn::Linear;
use burn::nn::LinearConfig;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::nn::conv::Conv2dConfig;
use burn::nn::pool::MaxPool2d;
use burn::nn::pool::MaxPool2dConfig;


#[derive(Module, Debug)]
pub struct Model {
    pub(crate) constant9: burn::module::Param<Tensor<1>>,
    pub(crate) constant10: burn::module::Param<Tensor<1>>,
    pub(crate) conv2d1: Conv2d,
    pub(crate) maxpool2d1: MaxPool2d,
    pub(crate) conv2d2: Conv2d,
    pub(crate) maxpool2d2: MaxPool2d,
    pub(crate) linear1: Linear,
    pub(crate) linear2: Linear,
    #[module(skip)]
    pub(crate) device: Device,
}

impl Model {
    #[allow(unused_variables)]
    pub fn new(device: &Device) -> Self {
        let constant9: burn::module::Param<Tensor<1>> = burn::module::Param::uninitialized(
            burn::module::ParamId::new(),
            move |device, _require_grad| Tensor::<
                1,
            >::from_data(
                burn::tensor::TensorData::from([0.1307000070810318f64]),
                (device, burn::tensor::DType::F32),
            ),
            device.clone(),
            false,
            [1].into(),
        );
        let constant10: burn::module::Param<Tensor<1>> = burn::module::Param::uninitialized(
            burn::module::ParamId::new(),
            move |device, _require_grad| Tensor::<
                1,
            >::from_data(
                burn::tensor::TensorData::from([0.30809998512268066f64]),
                (device, burn::tensor::DType::F32),
            ),
            device.clone(),
            false,
            [1].into(),
        );
        let conv2d1 = Conv2dConfig::new([1, 20], [5, 5])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let maxpool2d1 = MaxPool2dConfig::new([2, 2])
            .with_strides([2, 2])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_ceil_mode(false)
            .init();
        let conv2d2 = Conv2dConfig::new([20, 50], [5, 5])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let maxpool2d2 = MaxPool2dConfig::new([2, 2])
            .with_strides([2, 2])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_ceil_mode(false)
            .init();
        let linear1 = LinearConfig::new(800, 500).with_bias(true).init(device);
        let linear2 = LinearConfig::new(500, 10).with_bias(true).init(device);
        Self {
            constant9,
            constant10,
            conv2d1,
            maxpool2d1,
            conv2d2,
            maxpool2d2,
            linear1,
            linear2,
            device: device.clone(),
        }
    }

    #[allow(clippy::let_and_return, clippy::approx_constant)]
    pub fn forward(&self, input: Tensor<4>) -> Tensor<2> {
        let constant9_out1 = self.constant9.val();
        let sub1_out1 = input
            .sub((constant9_out1).unsqueeze_dims(&[0isize, 1isize, 2isize]));
        let constant10_out1 = self.constant10.val();
        let div1_out1 = sub1_out1
            .div((constant10_out1).unsqueeze_dims(&[0isize, 1isize, 2isize]));
        let conv2d1_out1 = self.conv2d1.forward(div1_out1);
        let relu1_out1 = burn::tensor::activation::relu(conv2d1_out1);
        let maxpool2d1_out1 = self.maxpool2d1.forward(relu1_out1);
        let conv2d2_out1 = self.conv2d2.forward(maxpool2d1_out1);
        let relu2_out1 = burn::tensor::activation::relu(conv2d2_out1);
        let maxpool2d2_out1 = self.maxpool2d2.forward(relu2_out1);
        let reshape1_out1 = maxpool2d2_out1.reshape([-1, 800]);
        let linear1_out1 = self.linear1.forward(reshape1_out1);
        let relu3_out1 = burn::tensor::activation::relu(linear1_out1);
        let linear2_out1 = self.linear2.forward(relu3_out1);
        linear2_out1
    }
}
