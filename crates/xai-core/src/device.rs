//! Choosing a backend at run time: `--device flex|ndarray|wgpu`.

use crate::error::{Result, XaiError};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// The backends burn-xai can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum DeviceChoice {
    /// Burn's pure-Rust CPU backend (default).
    #[default]
    Flex,
    /// The ndarray CPU backend (feature `ndarray`).
    Ndarray,
    /// The wgpu GPU backend: Vulkan, Metal, DX12 or WebGPU (feature `wgpu`).
    Wgpu,
}

impl DeviceChoice {
    /// All names accepted by [`str::parse`].
    pub const NAMES: &'static str = "flex, ndarray, wgpu";

    /// Whether this build includes the backend.
    pub fn is_compiled(self) -> bool {
        match self {
            DeviceChoice::Flex => true,
            DeviceChoice::Ndarray => cfg!(feature = "ndarray"),
            DeviceChoice::Wgpu => cfg!(feature = "wgpu"),
        }
    }

    /// The device (without autodiff; gradients are enabled per tensor where needed).
    pub fn device(self) -> Result<Device> {
        match self {
            DeviceChoice::Flex => Ok(Device::flex()),
            #[cfg(feature = "ndarray")]
            #[allow(deprecated)]
            DeviceChoice::Ndarray => Ok(Device::ndarray()),
            #[cfg(feature = "wgpu")]
            DeviceChoice::Wgpu => Ok(Device::wgpu(Default::default())),
            #[allow(unreachable_patterns)]
            other => Err(XaiError::Device {
                name: other.to_string(),
                reason: format!("this build lacks the cargo feature '{other}'"),
            }),
        }
    }
}

impl std::str::FromStr for DeviceChoice {
    type Err = XaiError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "flex" | "cpu" => Ok(DeviceChoice::Flex),
            "ndarray" => Ok(DeviceChoice::Ndarray),
            "wgpu" | "gpu" => Ok(DeviceChoice::Wgpu),
            _ => Err(XaiError::UnknownName {
                kind: "device".into(),
                name: s.into(),
                known: Self::NAMES.into(),
            }),
        }
    }
}

impl std::fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DeviceChoice::Flex => "flex",
            DeviceChoice::Ndarray => "ndarray",
            DeviceChoice::Wgpu => "wgpu",
        })
    }
}
