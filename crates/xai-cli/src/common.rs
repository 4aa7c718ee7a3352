//! Options shared by every subcommand.

use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};
use xai_core::DeviceChoice;
use xai_datasets::DataDir;

/// Where to run and where the data is.
#[derive(Args, Debug, Clone)]
pub struct DeviceArgs {
    /// Backend: flex (pure-Rust CPU), ndarray (CPU) or wgpu (Vulkan/Metal/DX12/WebGPU).
    #[arg(long, default_value = "flex", value_parser = parse_device)]
    pub device: DeviceChoice,
    /// Data directory (default: $BURN_XAI_DATA, else ../shared next to the workspace).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

fn parse_device(s: &str) -> Result<DeviceChoice, String> {
    s.parse().map_err(|e: xai_core::XaiError| e.to_string())
}

impl DeviceArgs {
    /// The chosen device.
    pub fn device(&self) -> Result<burn::tensor::Device> {
        Ok(self.device.device()?)
    }

    /// The resolved data directory.
    pub fn data_dir(&self) -> DataDir {
        DataDir::resolve(self.data_dir.as_deref())
    }
}

/// Writes `value` as pretty JSON to `path` atomically, with the code version that made it
/// (`xai_core::provenance::write_stamped_json`).
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    Ok(xai_core::provenance::write_stamped_json(path, value)?)
}
