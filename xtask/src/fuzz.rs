//! `cargo xtask fuzz`: runs the cargo-fuzz targets in `fuzz/` (the IDX and `.npy` parsers of
//! `xai-formats`, see `xai_formats::check`) for a bounded time each and reports libFuzzer's
//! final statistics and any crash artifact.
//!
//! Needs a nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`,
//! `cargo install cargo-fuzz`). The fuzz crate is its own workspace, built into `fuzz/target/`
//! (`CARGO_TARGET_DIR` is cleared for it so sanitiser builds never mix with the main build).
//! Each target runs on `fuzz/corpus/<target>/` (kept between runs, git-ignored) seeded from the
//! committed `fuzz/seeds/<target>/`; crashes land in `fuzz/artifacts/<target>/`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::SystemTime;

use anyhow::{Context, bail};

/// The fuzz targets in `fuzz/fuzz_targets/`, run by default.
pub const TARGETS: [&str; 3] = ["idx_images", "idx_labels", "npy"];

/// What one target's run produced.
#[derive(Debug, Clone)]
pub struct FuzzOutcome {
    /// The target's name.
    pub target: String,
    /// libFuzzer's last status line (`#N DONE cov: … exec/s: …`), if any.
    pub last_status: Option<String>,
    /// libFuzzer's `stat::` lines (with `-print_final_stats=1`).
    pub final_stats: Vec<String>,
    /// Crash, timeout or out-of-memory inputs written during this run.
    pub artifacts: Vec<PathBuf>,
    /// Whether `cargo fuzz run` exited successfully.
    pub success: bool,
}

/// Runs each of `targets` (all of [`TARGETS`] when empty) for `seconds`, printing per target the
/// final libFuzzer statistics and whether a crash artifact was written. Returns failure if
/// cargo-fuzz is missing or any target crashed.
pub fn run(seconds: u64, targets: &[String]) -> anyhow::Result<ExitCode> {
    let fuzz_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let fuzz_dir = fuzz_dir.canonicalize().with_context(|| format!("{}", fuzz_dir.display()))?;
    // Bad arguments are errors before anything is probed, with or without the toolchain.
    let targets: Vec<String> = if targets.is_empty() {
        TARGETS.iter().map(|t| t.to_string()).collect()
    } else {
        targets.to_vec()
    };
    if let Some(bad) = targets.iter().find(|t| !TARGETS.contains(&t.as_str())) {
        bail!("unknown fuzz target '{bad}'; known: {}", TARGETS.join(", "));
    }
    let version = Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .env_remove("CARGO_TARGET_DIR")
        .output();
    match version {
        Ok(out) if out.status.success() => {
            println!("using {}", String::from_utf8_lossy(&out.stdout).trim());
        }
        _ => {
            eprintln!(
                "`cargo +nightly fuzz` is not available. Install a nightly toolchain and cargo-fuzz:\n\
                 \x20   rustup toolchain install nightly\n\
                 \x20   cargo install cargo-fuzz"
            );
            return Ok(ExitCode::FAILURE);
        }
    }
    let mut outcomes = Vec::new();
    for target in &targets {
        println!("== fuzzing {target} for {seconds} s");
        outcomes.push(run_target(&fuzz_dir, target, seconds)?);
    }
    println!("\n== summary ({seconds} s per target)");
    let mut failed = false;
    for o in &outcomes {
        let status = o.last_status.as_deref().unwrap_or("(no libFuzzer status line)");
        println!("{:<11} {status}", o.target);
        for s in &o.final_stats {
            println!("{:<11}   {s}", "");
        }
        if o.artifacts.is_empty() {
            println!("{:<11}   no crash artifact", "");
        }
        for a in &o.artifacts {
            println!("{:<11}   CRASH ARTIFACT: {}", "", a.display());
        }
        failed |= !o.success || !o.artifacts.is_empty();
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// `cargo +nightly fuzz run <target> corpus/<target> seeds/<target> -- -max_total_time=<s>`.
fn run_target(fuzz_dir: &Path, target: &str, seconds: u64) -> anyhow::Result<FuzzOutcome> {
    let corpus = fuzz_dir.join("corpus").join(target);
    std::fs::create_dir_all(&corpus).with_context(|| format!("{}", corpus.display()))?;
    let artifacts_dir = fuzz_dir.join("artifacts").join(target);
    let started = SystemTime::now();
    let mut child = Command::new("cargo")
        .current_dir(fuzz_dir)
        .env_remove("CARGO_TARGET_DIR")
        .args(["+nightly", "fuzz", "run", target])
        .arg(format!("corpus/{target}"))
        .arg(format!("seeds/{target}"))
        .args(["--", &format!("-max_total_time={seconds}"), "-print_final_stats=1"])
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start `cargo +nightly fuzz run`")?;
    let mut last_status = None;
    let mut final_stats = Vec::new();
    let stderr = child.stderr.take().expect("stderr is piped");
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        // libFuzzer prints a status line per new input; echo the milestones only.
        // Status lines are `#<executions>\t…`; `###### …` lines frame the dictionary.
        if line.strip_prefix('#').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        {
            if line.contains("pulse") || line.contains("DONE") || line.contains("INITED") {
                eprintln!("{line}");
            }
            last_status = Some(line);
        } else if line.starts_with("stat::") {
            final_stats.push(line);
        } else {
            eprintln!("{line}");
        }
    }
    let success = child.wait()?.success();
    let mut artifacts = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&artifacts_dir) {
        for e in entries.flatten() {
            let new = e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t >= started);
            if new {
                artifacts.push(e.path());
            }
        }
    }
    artifacts.sort();
    Ok(FuzzOutcome { target: target.into(), last_status, final_stats, artifacts, success })
}
