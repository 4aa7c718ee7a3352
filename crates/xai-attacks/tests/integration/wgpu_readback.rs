//! A device failure is an error, not a panic. Found on lavapipe (software Vulkan), whose storage
//! buffers are capped below 154 MB: an EfficientNet batch of 32 made `into_data()` panic deep
//! inside DeepFool. `host::to_vec_f32` now returns `XaiError::Readback` with a hint.

use burn::tensor::Tensor;
use xai_core::{DeviceChoice, XaiError};

#[test]
fn a_buffer_over_the_device_limit_is_an_error_or_a_correct_result_never_a_panic() {
    let gpu =
        DeviceChoice::Wgpu.device().expect("the wgpu feature is on, so a wgpu device is required");
    // 320 MB: over lavapipe's cap; a real GPU may allow it, and then the values must be right.
    let n = 80_000_000;
    let doubled = Tensor::<1>::ones([n], &gpu) * 2.0;
    match xai_core::host::to_vec_f32(doubled) {
        Ok(values) => {
            assert_eq!(values.len(), n);
            assert!(values.iter().all(|&v| v == 2.0));
            println!("this device holds a {} MB buffer", n * 4 / 1_000_000);
        }
        Err(XaiError::Readback(message)) => {
            assert!(message.contains("smaller batch size"), "no hint in: {message}");
            println!("device error, as expected on lavapipe: {message}");
        }
        Err(other) => panic!("expected a readback error, got {other}"),
    }
}
