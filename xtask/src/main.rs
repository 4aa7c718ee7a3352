//! `cargo xtask`: project automation for burn-xai.
//!
//! - `cargo xtask import-onnx`: regenerate the zoo's Rust code from the ONNX files (and the
//!   layered node lists `*_layered.rs` translated from it) and write the `.bpk` weights into
//!   `models/weights/`.
//! - `cargo xtask setup`: write the weights, and check that the committed generated code is
//!   exactly what burn-onnx produces from the shared ONNX files.
//! - `cargo xtask bench [--profile dev|release] [--compare-torch] [ARGS]`: builds the workspace
//!   (`--profile release`, the default: `cargo build --release --workspace --bins`; `dev`: the
//!   test build) and runs its `xai bench ARGS`: model throughput and each method's cost and wall
//!   time. `--compare-torch [--masks 16 --seed 0 --index 0]` runs the PyTorch baseline
//!   (`<data>/tools/torch_baseline.py`) next to ours on the same masks and prints the ratios
//!   (throughput, time and evaluations per subset estimate, estimate agreement); see
//!   [`xtask::bench`].
//! - `cargo xtask fuzz [--seconds 60] [TARGETS]`: runs the cargo-fuzz targets in `fuzz/`
//!   (`idx_images`, `idx_labels`, `npy`; default all) for that long each and prints libFuzzer's
//!   final statistics and any crash artifact; needs nightly and cargo-fuzz. See [`xtask::fuzz`].
//!
//! Tests call [`xtask::import_onnx::ensure_weights`] themselves, so `cargo test` needs no setup.

use xtask::{bench, fuzz, import_onnx};

use anyhow::Result;
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
    /// Run `xai bench` (release build by default), optionally next to the PyTorch baseline;
    /// arguments xtask does not know are forwarded (see `xai bench --help`).
    Bench(bench::BenchArgs),
    /// Fuzz the IDX and .npy parsers (cargo-fuzz, nightly) for a bounded time per target.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Targets to run (default: idx_images idx_labels npy).
        targets: Vec<String>,
    },
}

fn main() -> Result<ExitCode> {
    match Cli::parse().command {
        Command::ImportOnnx { data_dir } => {
            import_onnx::run(data_dir, import_onnx::Mode::Write).map(|()| ExitCode::SUCCESS)
        }
        Command::Setup { data_dir } => {
            import_onnx::run(data_dir, import_onnx::Mode::Check).map(|()| ExitCode::SUCCESS)
        }
        Command::Bench(args) => bench::run(args),
        Command::Fuzz { seconds, targets } => fuzz::run(seconds, &targets),
    }
}
