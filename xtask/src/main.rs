//! `cargo xtask`: project automation for burn-xai.
//!
//! - `cargo xtask import-onnx`: regenerate the zoo's Rust code from the ONNX files and write
//!   the `.bpk` weights into `models/weights/`.
//! - `cargo xtask setup`: write the weights, and check that the committed generated code is
//!   exactly what burn-onnx produces from the shared ONNX files.
//!
//! Tests call [`xtask::import_onnx::ensure_weights`] themselves, so `cargo test` needs no setup.

use xtask::import_onnx;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "burn-xai project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate models/src/generated/*.rs and models/weights/*.bpk from the ONNX files.
    ImportOnnx {
        /// Data directory holding models/*.onnx (default: $BURN_XAI_DATA or ../shared).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Write models/weights/*.bpk and check the committed generated code is up to date.
    Setup {
        /// Data directory holding models/*.onnx (default: $BURN_XAI_DATA or ../shared).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::ImportOnnx { data_dir } => import_onnx::run(data_dir, import_onnx::Mode::Write),
        Command::Setup { data_dir } => import_onnx::run(data_dir, import_onnx::Mode::Check),
    }
}
