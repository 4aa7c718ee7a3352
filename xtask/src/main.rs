//! `cargo xtask`: project automation for burn-xai.
//!
//! - `cargo xtask import-onnx`: regenerate the zoo's Rust code from the ONNX files (and the
//!   layered node lists `*_layered.rs` translated from it) and write the `.bpk` weights into
//!   `models/weights/`.
//! - `cargo xtask setup`: write the weights, and check that the committed generated code is
//!   exactly what burn-onnx produces from the shared ONNX files.
//! - `cargo xtask bench [ARGS]`: `xai bench` built in release mode (`cargo run --release -p
//!   xai-cli -- bench ARGS`): model throughput and each method's cost and wall time.
//!
//! Tests call [`xtask::import_onnx::ensure_weights`] themselves, so `cargo test` needs no setup.

use xtask::import_onnx;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Run `xai bench` in release mode; every argument is forwarded (see `xai bench --help`).
    Bench {
        /// Arguments of `xai bench`, e.g. `--models mnist-cnn --repeats 3 --json bench.json`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Runs `cargo run --release -p xai-cli -- bench ARGS` with inherited stdio; its exit status.
fn bench(args: &[String]) -> Result<ExitCode> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["run", "--release", "-p", "xai-cli", "--", "bench"])
        .args(args)
        .status()
        .context("running cargo run --release -p xai-cli -- bench")?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        // Killed by a signal.
        None => ExitCode::FAILURE,
    })
}

fn main() -> Result<ExitCode> {
    match Cli::parse().command {
        Command::ImportOnnx { data_dir } => {
            import_onnx::run(data_dir, import_onnx::Mode::Write).map(|()| ExitCode::SUCCESS)
        }
        Command::Setup { data_dir } => {
            import_onnx::run(data_dir, import_onnx::Mode::Check).map(|()| ExitCode::SUCCESS)
        }
        Command::Bench { args } => bench(&args),
    }
}
