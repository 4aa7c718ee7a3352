//! `cargo xtask`: project automation for burn-xai.
//!
//! - `cargo xtask import-onnx`: regenerate the zoo's Rust code from the ONNX files (and the
//!   layered node lists `*_layered.rs` translated from it).
//! - `cargo xtask setup`: check that the committed generated code is exactly what burn-onnx
//!   produces from the shared ONNX files, and write the zoo's weights now
//!   (`xai_zoo::ensure_weights`; every load does it on first use otherwise).
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
    /// Regenerate models/src/generated/*.rs from the ONNX files.
    ImportOnnx {
        /// Data directory holding models/*.onnx (default: $BURN_XAI_DATA or ../shared).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Check the committed generated code is up to date and write the zoo's weights.
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
            import_onnx::run(data_dir.clone(), import_onnx::Mode::Check)?;
            let data = xai_datasets::DataDir::resolve(data_dir.as_deref());
            for name in xai_zoo::ensure_weights(&data)? {
                eprintln!("wrote the weights of {name} into {}", xai_zoo::weights_dir().display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => bench::run(args),
        Command::Fuzz { seconds, targets } => fuzz::run(seconds, &targets),
    }
}
