//! `xai`: explain, attack and evaluate classifiers of burn-xai's model zoo from the shell.

mod bench;
mod common;
mod evaluate;
mod explain;
mod robustness;
mod zoo;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// burn-xai: explanations and their evaluation for Burn classifiers.
///
/// Models are addressed by name (`xai zoo list`); data comes from the data directory
/// (`--data-dir`, else $BURN_XAI_DATA, else ../shared next to the workspace).
#[derive(Parser)]
#[command(name = "xai", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The model zoo: list the models, or check that their import is faithful.
    #[command(subcommand)]
    Zoo(zoo::ZooCommand),
    /// Explain one input with any method (Greedy-AS, Grad, IG, SHAP, ...): JSON scores per
    /// feature and a PNG of the heat map and top features.
    Explain(Box<explain::ExplainArgs>),
    /// Minimum adversarial perturbation of one input restricted to each of a set of feature
    /// masks (Robustness-Sr / S̄r): `.npy` masks in, JSON and `.npy` adversarial inputs out.
    Robustness(Box<robustness::RobustnessArgs>),
    /// Evaluate methods × criteria (Robustness-S̄r, Robustness-Sr, Insertion, Deletion) over a
    /// slice of a dataset: JSON per example (resumable), summary tables with t-tests, PNG
    /// curves; `--shard i/n` (or a Slurm array / Kubernetes Indexed Job) splits it across
    /// machines and `xai evaluate merge` joins the shards.
    Evaluate(Box<evaluate::EvaluateArgs>),
    /// Benchmark: model throughput (forward, forward+backward) and each method's cost and
    /// wall time on one MNIST test image (medians over --repeats runs).
    Bench(Box<bench::BenchArgs>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Zoo(cmd) => zoo::run(cmd),
        Command::Explain(args) => explain::run(*args),
        Command::Robustness(args) => robustness::run(*args),
        Command::Evaluate(args) => evaluate::run(*args),
        Command::Bench(args) => bench::run(*args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
