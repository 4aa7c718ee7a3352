//! `xai zoo`: list the models, check the faithfulness of their import.

use crate::common::{DeviceArgs, write_json};
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use xai_zoo::faithfulness::{CheckOptions, check};
use xai_zoo::{ModelName, weights_dir};

/// `xai zoo` subcommands.
#[derive(Subcommand)]
pub enum ZooCommand {
    /// List the models with their input shape and classes.
    List,
    /// Compare every model with the PyTorch/onnxruntime references: logits, input gradients,
    /// MNIST test accuracy, ImageNet top-1 on the sample photos. Exits non-zero on a mismatch.
    Check {
        #[command(flatten)]
        device: DeviceArgs,
        /// Only this model (default: all).
        #[arg(long)]
        model: Option<String>,
        /// Evaluate MNIST accuracy on the 16 reference images only (fast), not all 10,000.
        #[arg(long)]
        quick: bool,
        /// Also write the report as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

/// Runs a `zoo` subcommand.
pub fn run(cmd: ZooCommand) -> Result<ExitCode> {
    match cmd {
        ZooCommand::List => {
            println!("{:<20} {:<16} {:>8} {:>6}  weights", "model", "input", "classes", "batch");
            for name in ModelName::ALL {
                let info = name.info();
                let file = weights_dir().join(format!("{}.bpk", info.file_stem));
                let status = if file.is_file() {
                    "ok"
                } else {
                    "not yet written (the first load reads the ONNX file)"
                };
                println!(
                    "{:<20} {:<16} {:>8} {:>6}  {status}",
                    info.name,
                    format!("{:?}", info.input_shape),
                    info.n_classes,
                    info.batch_size
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ZooCommand::Check { device, model, quick, json } => {
            let names = match model {
                Some(m) => vec![m.parse::<ModelName>()?],
                None => ModelName::ALL.to_vec(),
            };
            let dev = device.device()?;
            let data = device.data_dir();
            let opts = CheckOptions { full_test_set: !quick, ..CheckOptions::default() };
            let mut reports = Vec::new();
            println!("device: {}   data: {}", device.device, data.path().display());
            println!(
                "{:<20} {:>14} {:>14} {:>14}  {:<36} {}",
                "model", "max |dlogit|", "rel. logit", "rel. grad", "agreement", "result"
            );
            for name in names {
                let r = check(name, &dev, &data, &opts)?;
                let grad =
                    r.gradients.as_ref().map_or("-".to_string(), |g| format!("{:.2e}", g.max_rel));
                let agreement = format!(
                    "{}: {}/{} ({:.4}; expected {})",
                    if r.agreement_kind.starts_with("test") { "accuracy" } else { "top-1" },
                    r.correct,
                    r.total,
                    r.correct as f64 / r.total.max(1) as f64,
                    r.expected_correct
                );
                println!(
                    "{:<20} {:>14.3e} {:>14.3e} {:>14}  {:<36} {}",
                    r.model,
                    r.logits.max_abs,
                    r.logits.max_rel,
                    grad,
                    agreement,
                    if r.pass { "ok" } else { "MISMATCH" }
                );
                reports.push(r);
            }
            if let Some(path) = json {
                write_json(&path, &reports)?;
            }
            let ok = reports.iter().all(|r| r.pass);
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}
