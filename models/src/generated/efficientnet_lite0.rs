// Generated from ONNX `efficientnet_lite0.onnx` by burn-onnx (`cargo xtask import-onnx`). Do not edit.
extern crate alloc;
use burn::prelude::*;
use burn::nn::Linear;
use burn::nn::LinearConfig;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::nn::conv::Conv2dConfig;
use burn::nn::pool::AdaptiveAvgPool2d;
use burn::nn::pool::AdaptiveAvgPool2dConfig;


#[derive(Module, Debug)]
pub struct Model {
    pub(crate) constant1: burn::module::Param<Tensor<4>>,
    pub(crate) constant2: burn::module::Param<Tensor<4>>,
    pub(crate) conv2d1: Conv2d,
    pub(crate) conv2d2: Conv2d,
    pub(crate) conv2d3: Conv2d,
    pub(crate) conv2d4: Conv2d,
    pub(crate) conv2d5: Conv2d,
    pub(crate) conv2d6: Conv2d,
    pub(crate) conv2d7: Conv2d,
    pub(crate) conv2d8: Conv2d,
    pub(crate) conv2d9: Conv2d,
    pub(crate) conv2d10: Conv2d,
    pub(crate) conv2d11: Conv2d,
    pub(crate) conv2d12: Conv2d,
    pub(crate) conv2d13: Conv2d,
    pub(crate) conv2d14: Conv2d,
    pub(crate) conv2d15: Conv2d,
    pub(crate) conv2d16: Conv2d,
    pub(crate) conv2d17: Conv2d,
    pub(crate) conv2d18: Conv2d,
    pub(crate) conv2d19: Conv2d,
    pub(crate) conv2d20: Conv2d,
    pub(crate) conv2d21: Conv2d,
    pub(crate) conv2d22: Conv2d,
    pub(crate) conv2d23: Conv2d,
    pub(crate) conv2d24: Conv2d,
    pub(crate) conv2d25: Conv2d,
    pub(crate) conv2d26: Conv2d,
    pub(crate) conv2d27: Conv2d,
    pub(crate) conv2d28: Conv2d,
    pub(crate) conv2d29: Conv2d,
    pub(crate) conv2d30: Conv2d,
    pub(crate) conv2d31: Conv2d,
    pub(crate) conv2d32: Conv2d,
    pub(crate) conv2d33: Conv2d,
    pub(crate) conv2d34: Conv2d,
    pub(crate) conv2d35: Conv2d,
    pub(crate) conv2d36: Conv2d,
    pub(crate) conv2d37: Conv2d,
    pub(crate) conv2d38: Conv2d,
    pub(crate) conv2d39: Conv2d,
    pub(crate) conv2d40: Conv2d,
    pub(crate) conv2d41: Conv2d,
    pub(crate) conv2d42: Conv2d,
    pub(crate) conv2d43: Conv2d,
    pub(crate) conv2d44: Conv2d,
    pub(crate) conv2d45: Conv2d,
    pub(crate) conv2d46: Conv2d,
    pub(crate) conv2d47: Conv2d,
    pub(crate) conv2d48: Conv2d,
    pub(crate) conv2d49: Conv2d,
    pub(crate) globalaveragepool1: AdaptiveAvgPool2d,
    pub(crate) linear1: Linear,
    #[module(skip)]
    pub(crate) device: Device,
}

impl Model {
    #[allow(unused_variables)]
    pub fn new(device: &Device) -> Self {
        let constant1: burn::module::Param<Tensor<4>> = burn::module::Param::uninitialized(
            burn::module::ParamId::new(),
            move |device, _require_grad| Tensor::<
                4,
            >::zeros([1, 3, 1, 1], (device, burn::tensor::DType::F32)),
            device.clone(),
            false,
            [1, 3, 1, 1].into(),
        );
        let constant2: burn::module::Param<Tensor<4>> = burn::module::Param::uninitialized(
            burn::module::ParamId::new(),
            move |device, _require_grad| Tensor::<
                4,
            >::zeros([1, 3, 1, 1], (device, burn::tensor::DType::F32)),
            device.clone(),
            false,
            [1, 3, 1, 1].into(),
        );
        let conv2d1 = Conv2dConfig::new([3, 32], [3, 3])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(0, 0, 1, 1))
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d2 = Conv2dConfig::new([32, 32], [3, 3])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_dilation([1, 1])
            .with_groups(32)
            .with_bias(true)
            .init(device);
        let conv2d3 = Conv2dConfig::new([32, 16], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d4 = Conv2dConfig::new([16, 96], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d5 = Conv2dConfig::new([96, 96], [3, 3])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(0, 0, 1, 1))
            .with_dilation([1, 1])
            .with_groups(96)
            .with_bias(true)
            .init(device);
        let conv2d6 = Conv2dConfig::new([96, 24], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d7 = Conv2dConfig::new([24, 144], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d8 = Conv2dConfig::new([144, 144], [3, 3])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_dilation([1, 1])
            .with_groups(144)
            .with_bias(true)
            .init(device);
        let conv2d9 = Conv2dConfig::new([144, 24], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d10 = Conv2dConfig::new([24, 144], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d11 = Conv2dConfig::new([144, 144], [5, 5])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 2, 2))
            .with_dilation([1, 1])
            .with_groups(144)
            .with_bias(true)
            .init(device);
        let conv2d12 = Conv2dConfig::new([144, 40], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d13 = Conv2dConfig::new([40, 240], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d14 = Conv2dConfig::new([240, 240], [5, 5])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
            .with_dilation([1, 1])
            .with_groups(240)
            .with_bias(true)
            .init(device);
        let conv2d15 = Conv2dConfig::new([240, 40], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d16 = Conv2dConfig::new([40, 240], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d17 = Conv2dConfig::new([240, 240], [3, 3])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(0, 0, 1, 1))
            .with_dilation([1, 1])
            .with_groups(240)
            .with_bias(true)
            .init(device);
        let conv2d18 = Conv2dConfig::new([240, 80], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d19 = Conv2dConfig::new([80, 480], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d20 = Conv2dConfig::new([480, 480], [3, 3])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_dilation([1, 1])
            .with_groups(480)
            .with_bias(true)
            .init(device);
        let conv2d21 = Conv2dConfig::new([480, 80], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d22 = Conv2dConfig::new([80, 480], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d23 = Conv2dConfig::new([480, 480], [3, 3])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_dilation([1, 1])
            .with_groups(480)
            .with_bias(true)
            .init(device);
        let conv2d24 = Conv2dConfig::new([480, 80], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d25 = Conv2dConfig::new([80, 480], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d26 = Conv2dConfig::new([480, 480], [5, 5])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
            .with_dilation([1, 1])
            .with_groups(480)
            .with_bias(true)
            .init(device);
        let conv2d27 = Conv2dConfig::new([480, 112], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d28 = Conv2dConfig::new([112, 672], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d29 = Conv2dConfig::new([672, 672], [5, 5])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
            .with_dilation([1, 1])
            .with_groups(672)
            .with_bias(true)
            .init(device);
        let conv2d30 = Conv2dConfig::new([672, 112], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d31 = Conv2dConfig::new([112, 672], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d32 = Conv2dConfig::new([672, 672], [5, 5])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
            .with_dilation([1, 1])
            .with_groups(672)
            .with_bias(true)
            .init(device);
        let conv2d33 = Conv2dConfig::new([672, 112], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d34 = Conv2dConfig::new([112, 672], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d35 = Conv2dConfig::new([672, 672], [5, 5])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 2, 2))
            .with_dilation([1, 1])
            .with_groups(672)
            .with_bias(true)
            .init(device);
        let conv2d36 = Conv2dConfig::new([672, 192], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d37 = Conv2dConfig::new([192, 1152], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d38 = Conv2dConfig::new([1152, 1152], [5, 5])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
            .with_dilation([1, 1])
            .with_groups(1152)
            .with_bias(true)
            .init(device);
        let conv2d39 = Conv2dConfig::new([1152, 192], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d40 = Conv2dConfig::new([192, 1152], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d41 = Conv2dConfig::new([1152, 1152], [5, 5])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
            .with_dilation([1, 1])
            .with_groups(1152)
            .with_bias(true)
            .init(device);
        let conv2d42 = Conv2dConfig::new([1152, 192], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d43 = Conv2dConfig::new([192, 1152], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d44 = Conv2dConfig::new([1152, 1152], [5, 5])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
            .with_dilation([1, 1])
            .with_groups(1152)
            .with_bias(true)
            .init(device);
        let conv2d45 = Conv2dConfig::new([1152, 192], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d46 = Conv2dConfig::new([192, 1152], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d47 = Conv2dConfig::new([1152, 1152], [3, 3])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .with_dilation([1, 1])
            .with_groups(1152)
            .with_bias(true)
            .init(device);
        let conv2d48 = Conv2dConfig::new([1152, 320], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let conv2d49 = Conv2dConfig::new([320, 1280], [1, 1])
            .with_stride([1, 1])
            .with_padding(PaddingConfig2d::Valid)
            .with_dilation([1, 1])
            .with_groups(1)
            .with_bias(true)
            .init(device);
        let globalaveragepool1 = AdaptiveAvgPool2dConfig::new([1, 1]).init();
        let linear1 = LinearConfig::new(1280, 1000).with_bias(true).init(device);
        Self {
            constant1,
            constant2,
            conv2d1,
            conv2d2,
            conv2d3,
            conv2d4,
            conv2d5,
            conv2d6,
            conv2d7,
            conv2d8,
            conv2d9,
            conv2d10,
            conv2d11,
            conv2d12,
            conv2d13,
            conv2d14,
            conv2d15,
            conv2d16,
            conv2d17,
            conv2d18,
            conv2d19,
            conv2d20,
            conv2d21,
            conv2d22,
            conv2d23,
            conv2d24,
            conv2d25,
            conv2d26,
            conv2d27,
            conv2d28,
            conv2d29,
            conv2d30,
            conv2d31,
            conv2d32,
            conv2d33,
            conv2d34,
            conv2d35,
            conv2d36,
            conv2d37,
            conv2d38,
            conv2d39,
            conv2d40,
            conv2d41,
            conv2d42,
            conv2d43,
            conv2d44,
            conv2d45,
            conv2d46,
            conv2d47,
            conv2d48,
            conv2d49,
            globalaveragepool1,
            linear1,
            device: device.clone(),
        }
    }

    #[allow(clippy::let_and_return, clippy::approx_constant)]
    pub fn forward(&self, input: Tensor<4>) -> Tensor<2> {
        let constant1_out1 = self.constant1.val();
        let constant2_out1 = self.constant2.val();
        let sub1_out1 = input.sub(constant1_out1);
        let div1_out1 = sub1_out1.div(constant2_out1);
        let conv2d1_out1 = self.conv2d1.forward(div1_out1);
        let clip1_out1 = conv2d1_out1.clamp(0f64, 6f64);
        let conv2d2_out1 = self.conv2d2.forward(clip1_out1);
        let clip2_out1 = conv2d2_out1.clamp(0f64, 6f64);
        let conv2d3_out1 = self.conv2d3.forward(clip2_out1);
        let conv2d4_out1 = self.conv2d4.forward(conv2d3_out1);
        let clip3_out1 = conv2d4_out1.clamp(0f64, 6f64);
        let conv2d5_out1 = self.conv2d5.forward(clip3_out1);
        let clip4_out1 = conv2d5_out1.clamp(0f64, 6f64);
        let conv2d6_out1 = self.conv2d6.forward(clip4_out1);
        let conv2d7_out1 = self.conv2d7.forward(conv2d6_out1.clone());
        let clip5_out1 = conv2d7_out1.clamp(0f64, 6f64);
        let conv2d8_out1 = self.conv2d8.forward(clip5_out1);
        let clip6_out1 = conv2d8_out1.clamp(0f64, 6f64);
        let conv2d9_out1 = self.conv2d9.forward(clip6_out1);
        let add1_out1 = conv2d9_out1.add(conv2d6_out1);
        let conv2d10_out1 = self.conv2d10.forward(add1_out1);
        let clip7_out1 = conv2d10_out1.clamp(0f64, 6f64);
        let conv2d11_out1 = self.conv2d11.forward(clip7_out1);
        let clip8_out1 = conv2d11_out1.clamp(0f64, 6f64);
        let conv2d12_out1 = self.conv2d12.forward(clip8_out1);
        let conv2d13_out1 = self.conv2d13.forward(conv2d12_out1.clone());
        let clip9_out1 = conv2d13_out1.clamp(0f64, 6f64);
        let conv2d14_out1 = self.conv2d14.forward(clip9_out1);
        let clip10_out1 = conv2d14_out1.clamp(0f64, 6f64);
        let conv2d15_out1 = self.conv2d15.forward(clip10_out1);
        let add2_out1 = conv2d15_out1.add(conv2d12_out1);
        let conv2d16_out1 = self.conv2d16.forward(add2_out1);
        let clip11_out1 = conv2d16_out1.clamp(0f64, 6f64);
        let conv2d17_out1 = self.conv2d17.forward(clip11_out1);
        let clip12_out1 = conv2d17_out1.clamp(0f64, 6f64);
        let conv2d18_out1 = self.conv2d18.forward(clip12_out1);
        let conv2d19_out1 = self.conv2d19.forward(conv2d18_out1.clone());
        let clip13_out1 = conv2d19_out1.clamp(0f64, 6f64);
        let conv2d20_out1 = self.conv2d20.forward(clip13_out1);
        let clip14_out1 = conv2d20_out1.clamp(0f64, 6f64);
        let conv2d21_out1 = self.conv2d21.forward(clip14_out1);
        let add3_out1 = conv2d21_out1.add(conv2d18_out1);
        let conv2d22_out1 = self.conv2d22.forward(add3_out1.clone());
        let clip15_out1 = conv2d22_out1.clamp(0f64, 6f64);
        let conv2d23_out1 = self.conv2d23.forward(clip15_out1);
        let clip16_out1 = conv2d23_out1.clamp(0f64, 6f64);
        let conv2d24_out1 = self.conv2d24.forward(clip16_out1);
        let add4_out1 = conv2d24_out1.add(add3_out1);
        let conv2d25_out1 = self.conv2d25.forward(add4_out1);
        let clip17_out1 = conv2d25_out1.clamp(0f64, 6f64);
        let conv2d26_out1 = self.conv2d26.forward(clip17_out1);
        let clip18_out1 = conv2d26_out1.clamp(0f64, 6f64);
        let conv2d27_out1 = self.conv2d27.forward(clip18_out1);
        let conv2d28_out1 = self.conv2d28.forward(conv2d27_out1.clone());
        let clip19_out1 = conv2d28_out1.clamp(0f64, 6f64);
        let conv2d29_out1 = self.conv2d29.forward(clip19_out1);
        let clip20_out1 = conv2d29_out1.clamp(0f64, 6f64);
        let conv2d30_out1 = self.conv2d30.forward(clip20_out1);
        let add5_out1 = conv2d30_out1.add(conv2d27_out1);
        let conv2d31_out1 = self.conv2d31.forward(add5_out1.clone());
        let clip21_out1 = conv2d31_out1.clamp(0f64, 6f64);
        let conv2d32_out1 = self.conv2d32.forward(clip21_out1);
        let clip22_out1 = conv2d32_out1.clamp(0f64, 6f64);
        let conv2d33_out1 = self.conv2d33.forward(clip22_out1);
        let add6_out1 = conv2d33_out1.add(add5_out1);
        let conv2d34_out1 = self.conv2d34.forward(add6_out1);
        let clip23_out1 = conv2d34_out1.clamp(0f64, 6f64);
        let conv2d35_out1 = self.conv2d35.forward(clip23_out1);
        let clip24_out1 = conv2d35_out1.clamp(0f64, 6f64);
        let conv2d36_out1 = self.conv2d36.forward(clip24_out1);
        let conv2d37_out1 = self.conv2d37.forward(conv2d36_out1.clone());
        let clip25_out1 = conv2d37_out1.clamp(0f64, 6f64);
        let conv2d38_out1 = self.conv2d38.forward(clip25_out1);
        let clip26_out1 = conv2d38_out1.clamp(0f64, 6f64);
        let conv2d39_out1 = self.conv2d39.forward(clip26_out1);
        let add7_out1 = conv2d39_out1.add(conv2d36_out1);
        let conv2d40_out1 = self.conv2d40.forward(add7_out1.clone());
        let clip27_out1 = conv2d40_out1.clamp(0f64, 6f64);
        let conv2d41_out1 = self.conv2d41.forward(clip27_out1);
        let clip28_out1 = conv2d41_out1.clamp(0f64, 6f64);
        let conv2d42_out1 = self.conv2d42.forward(clip28_out1);
        let add8_out1 = conv2d42_out1.add(add7_out1);
        let conv2d43_out1 = self.conv2d43.forward(add8_out1.clone());
        let clip29_out1 = conv2d43_out1.clamp(0f64, 6f64);
        let conv2d44_out1 = self.conv2d44.forward(clip29_out1);
        let clip30_out1 = conv2d44_out1.clamp(0f64, 6f64);
        let conv2d45_out1 = self.conv2d45.forward(clip30_out1);
        let add9_out1 = conv2d45_out1.add(add8_out1);
        let conv2d46_out1 = self.conv2d46.forward(add9_out1);
        let clip31_out1 = conv2d46_out1.clamp(0f64, 6f64);
        let conv2d47_out1 = self.conv2d47.forward(clip31_out1);
        let clip32_out1 = conv2d47_out1.clamp(0f64, 6f64);
        let conv2d48_out1 = self.conv2d48.forward(clip32_out1);
        let conv2d49_out1 = self.conv2d49.forward(conv2d48_out1);
        let clip33_out1 = conv2d49_out1.clamp(0f64, 6f64);
        let globalaveragepool1_out1 = self.globalaveragepool1.forward(clip33_out1);
        let flatten1_out1 = {
            let leading_dim = globalaveragepool1_out1
                .shape()[..1]
                .iter()
                .product::<usize>() as i32;
            globalaveragepool1_out1.reshape::<2, _>([leading_dim, -1])
        };
        let linear1_out1 = self.linear1.forward(flatten1_out1);
        linear1_out1
    }
}
