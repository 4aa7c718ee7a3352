//! `cargo xtask bench`: builds the `xai` binary, runs `xai bench`, and with `--compare-torch`
//! runs the PyTorch baseline (`<data>/tools/torch_baseline.py`, the paper's procedure on the same
//! `mnist-cnn` weights) next to ours on the same inputs and masks, and prints the ratios.
//!
//! The `xai` binary is located from cargo's JSON artifact messages of a whole-workspace build
//! (never `-p`: a package build changes Burn's feature unification and rebuilds it):
//! `--profile release` (default) builds `cargo build --release --workspace --bins`,
//! `--profile dev` reuses the test build `cargo test --workspace --no-run`.
//!
//! Compared, per issue 9 ("Side by side, in one run"):
//! - throughput: forward+backward samples per second of `mnist-cnn` at batch 1000;
//! - per estimator (bisection-PGD, FMN, DeepFool): wall time and forward+backward
//!   sample-evaluations per subset robustness estimate (Hsieh et al. 2021, Eqn. 1), as ratios to
//!   PyTorch's bisection-PGD, on `M` seeded masks of the same mnist-test image;
//! - estimate agreement on the masks bounded on both sides: mean relative difference
//!   `(ours - torch) / torch` and the fraction of masks where ours is at most torch's (tighter).

use crate::import_onnx::{data_dir, workspace_root};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// Pixels of an MNIST image (the masks' width).
pub const MNIST_PIXELS: usize = 784;
/// Smallest and largest fraction of free pixels of the comparison masks.
pub const FREE_FRACTION_RANGE: (f64, f64) = (0.05, 0.95);
/// Free disk space (bytes) required before installing torch from PyPI (it pulls ~4 GB of CUDA
/// wheels).
const VENV_MIN_FREE_BYTES: u64 = 8 << 30;
/// Our estimators compared with PyTorch's bisection-PGD (`xai robustness --estimator`).
const ESTIMATORS: [&str; 4] = ["bisection-pgd", "bisection-pgd-strong", "fmn", "deepfool"];
/// The throughput batch of `mnist-cnn` in the comparison (the issue's figure).
const COMPARE_BATCH: usize = 1000;
/// Timed runs of our throughput figure (PyTorch's baseline takes the median of 5 as well).
const COMPARE_REPEATS: usize = 5;
/// Absolute tolerance when recognising PyTorch's "unbounded" value (the input's L2 norm,
/// printed with 5 decimals) and when deciding "ours ≤ torch's".
const ESTIMATE_TOLERANCE: f64 = 5e-4;

/// Which cargo profile the `xai` binary is built with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// The test build (`cargo test --workspace --no-run`): no extra build when tests are built.
    Dev,
    /// `cargo build --release --workspace --bins`: the figures to report.
    Release,
}

/// `cargo xtask bench` options. xtask's own options come first; every argument from the first
/// one xtask does not know is forwarded to `xai bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Cargo profile of the `xai` binary.
    #[arg(long, value_enum, default_value = "release")]
    pub profile: Profile,
    /// Also run the PyTorch baseline (`<data>/tools/torch_baseline.py`) and print the ratios.
    #[arg(long)]
    pub compare_torch: bool,
    /// Number of masks of the robustness comparison.
    #[arg(long, default_value_t = 16)]
    pub masks: usize,
    /// Seed of the masks (forwarded to `xai bench` too).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// mnist-test image of the robustness comparison (forwarded to `xai bench` too).
    #[arg(long, default_value_t = 0)]
    pub index: usize,
    /// CPU threads of PyTorch (and `RAYON_NUM_THREADS` of ours) in the comparison.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Our device (forwarded to `xai`): flex, ndarray or wgpu.
    #[arg(long)]
    pub device: Option<String>,
    /// Data directory (default: $BURN_XAI_DATA or ../shared); forwarded to `xai`.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Write the report as JSON: `xai bench`'s, or with --compare-torch the comparison.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Arguments of `xai bench`, e.g. `--models mnist-cnn --repeats 3`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Runs `cargo xtask bench`.
pub fn run(args: BenchArgs) -> Result<ExitCode> {
    // Bad settings fail before the (long) build.
    if args.compare_torch && args.masks == 0 {
        bail!("--masks must be at least 1");
    }
    let xai = build_xai(args.profile)?;
    eprintln!("xai binary: {}", xai.display());
    if !args.compare_torch {
        let mut cmd = Command::new(&xai);
        cmd.arg("bench").args(["--seed", &args.seed.to_string()]);
        cmd.args(["--index", &args.index.to_string()]);
        common_xai_args(&mut cmd, &args);
        if let Some(path) = &args.json {
            cmd.arg("--json").arg(path);
        }
        let status = cmd.args(&args.args).status().context("running xai bench")?;
        return Ok(match status.code() {
            Some(0) => ExitCode::SUCCESS,
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            // Killed by a signal.
            None => ExitCode::FAILURE,
        });
    }
    compare_torch(&xai, &args)
}

/// `--device` and `--data-dir` of an `xai` command.
fn common_xai_args(cmd: &mut Command, args: &BenchArgs) {
    if let Some(device) = &args.device {
        cmd.args(["--device", device]);
    }
    if let Some(dir) = &args.data_dir {
        cmd.arg("--data-dir").arg(dir);
    }
}

/// Builds the workspace in `profile` and returns the path of the `xai` executable.
fn build_xai(profile: Profile) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    match profile {
        Profile::Dev => cmd.args(["test", "--workspace", "--no-run"]),
        Profile::Release => cmd.args(["build", "--release", "--workspace", "--bins"]),
    };
    cmd.arg("--message-format=json").current_dir(workspace_root());
    eprintln!("building: {cmd:?}");
    let out = cmd.stderr(Stdio::inherit()).output().with_context(|| format!("running {cmd:?}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    for error in compiler_errors(&text) {
        eprint!("{error}");
    }
    let xai = find_bin_executable(&text, "xai");
    match (out.status.success(), xai) {
        (true, Some(xai)) => Ok(xai),
        (true, None) => bail!("{cmd:?} reported no `xai` binary artifact"),
        // Another target failed (e.g. an example being edited) but `xai` itself is up to date.
        (false, Some(xai)) => {
            eprintln!("warning: {cmd:?} failed ({}), but `xai` was built: using it", out.status);
            Ok(xai)
        }
        (false, None) => bail!("{cmd:?} failed ({})", out.status),
    }
}

/// The rendered text of the errors in cargo's `--message-format=json` output (that format
/// prints diagnostics on stdout as JSON only).
pub fn compiler_errors(cargo_json: &str) -> Vec<String> {
    cargo_json
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["reason"] == "compiler-message" && msg["message"]["level"] == "error")
        .filter_map(|msg| msg["message"]["rendered"].as_str().map(str::to_string))
        .collect()
}

/// The `executable` of the last `compiler-artifact` message in cargo's `--message-format=json`
/// output whose target is the binary `name` built outside the test profile.
pub fn find_bin_executable(cargo_json: &str, name: &str) -> Option<PathBuf> {
    cargo_json
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| {
            msg["reason"] == "compiler-artifact"
                && msg["target"]["name"] == name
                && msg["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "bin"))
                && msg["profile"]["test"] == false
        })
        .filter_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .next_back()
}

/// SplitMix64 (Steele et al. 2014): a small seeded generator, so the masks depend on the seed
/// only (not on a crate's version).
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (`n > 0`; Lemire's multiply-shift, bias < n / 2^64).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }
}

/// The fraction of free features of mask `j` of `m`: evenly spread over
/// [`FREE_FRACTION_RANGE`] (the middle of it for one mask).
pub fn free_fraction(j: usize, m: usize) -> f64 {
    let (lo, hi) = FREE_FRACTION_RANGE;
    if m <= 1 { 0.5 * (lo + hi) } else { lo + (hi - lo) * j as f64 / (m - 1) as f64 }
}

/// `m` masks over `n` features, row-major 0/1 (1 = free): mask `j` frees exactly
/// `round(free_fraction(j, m) · n)` features drawn uniformly without replacement (partial
/// Fisher–Yates) by a generator seeded from `seed` and `j`. Deterministic per seed.
///
/// # Shapes
/// - returns `m · n` values, `[m, n]` row-major
pub fn generate_masks(m: usize, n: usize, seed: u64) -> Vec<f32> {
    let mut out = vec![0f32; m * n];
    for j in 0..m {
        let free = (free_fraction(j, m) * n as f64).round() as usize;
        let mut rng = SplitMix64::new(seed ^ (j as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut order: Vec<usize> = (0..n).collect();
        for i in 0..free.min(n) {
            let k = i + rng.below(n - i);
            order.swap(i, k);
            out[j * n + order[i]] = 1.0;
        }
    }
    out
}

/// Writes `[m, n]` f32 values as `.npy` (with `xai-formats`' writer, as `xai` reads them).
fn write_masks(path: &Path, m: usize, n: usize, data: &[f32]) -> Result<()> {
    let bytes = xai_formats::encode_npy_f32(&[m, n], data)?;
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// The last line of `stdout` that is a JSON object (torch_baseline.py prints exactly one).
pub fn parse_json_line(stdout: &str) -> Result<Value> {
    stdout
        .lines()
        .rev()
        .filter(|l| l.trim_start().starts_with('{'))
        .find_map(|l| serde_json::from_str::<Value>(l).ok().filter(Value::is_object))
        .context("no JSON object in the output")
}

/// PyTorch's throughput run: forward+backward samples per second.
pub fn torch_throughput(v: &Value) -> Result<f64> {
    v["fwd_bwd_samples_per_s"].as_f64().context("torch throughput: no fwd_bwd_samples_per_s")
}

/// Per-mask estimates, evaluation count and wall time of one robustness run.
#[derive(Clone, Debug, PartialEq)]
pub struct RobustnessRun {
    /// Minimum-norm estimate per mask.
    pub estimates: Vec<f64>,
    /// Whether each mask's estimate is bounded (an adversarial example was found).
    pub bounded: Vec<bool>,
    /// Forward plus backward sample-evaluations of the whole run.
    pub evaluations: u64,
    /// Wall seconds of the whole run.
    pub wall_s: f64,
}

impl RobustnessRun {
    /// Wall seconds per subset estimate.
    pub fn seconds_per_subset(&self) -> f64 {
        self.wall_s / self.estimates.len().max(1) as f64
    }

    /// Forward+backward sample-evaluations per subset estimate.
    pub fn evaluations_per_subset(&self) -> f64 {
        self.evaluations as f64 / self.estimates.len().max(1) as f64
    }

    /// The masks whose estimate is unbounded.
    pub fn unbounded(&self) -> Vec<usize> {
        (0..self.bounded.len()).filter(|&i| !self.bounded[i]).collect()
    }
}

/// PyTorch's robustness run. Its unbounded masks report the input's L2 norm (`input_norm`),
/// as the paper's code does; they are recognised by that value.
pub fn torch_robustness(v: &Value, input_norm: f64) -> Result<RobustnessRun> {
    let estimates: Vec<f64> = v["estimates"]
        .as_array()
        .context("torch robustness: no estimates")?
        .iter()
        .map(|e| e.as_f64().context("torch robustness: an estimate is not a number"))
        .collect::<Result<_>>()?;
    let bounded = estimates.iter().map(|e| (e - input_norm).abs() > ESTIMATE_TOLERANCE).collect();
    let count = |k: &str| v[k].as_u64().with_context(|| format!("torch robustness: no {k}"));
    Ok(RobustnessRun {
        estimates,
        bounded,
        evaluations: count("forward_samples")? + count("backward_samples")?,
        wall_s: v["wall_s"].as_f64().context("torch robustness: no wall_s")?,
    })
}

/// Our robustness run (`xai robustness --json`): masks not found report the input's norm too
/// (`Fallback::InputNorm`) with `found: false`.
pub fn our_robustness(v: &Value) -> Result<RobustnessRun> {
    let rows = v["results"].as_array().context("xai robustness: no results")?;
    let mut estimates = Vec::with_capacity(rows.len());
    let mut bounded = Vec::with_capacity(rows.len());
    for r in rows {
        estimates.push(r["estimate"].as_f64().context("xai robustness: no estimate")?);
        bounded.push(r["found"].as_bool().context("xai robustness: no found")?);
    }
    let cost = &v["cost"];
    let evaluations = cost["forward"].as_u64().context("xai robustness: no cost.forward")?
        + cost["backward"].as_u64().context("xai robustness: no cost.backward")?;
    let wall_s = v["wall_seconds"].as_f64().context("xai robustness: no wall_seconds")?;
    Ok(RobustnessRun { estimates, bounded, evaluations, wall_s })
}

/// Agreement of our estimates with PyTorch's, mask by mask.
#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    /// Masks bounded on both sides (the ones compared).
    pub compared: usize,
    /// Mean of `(ours - torch) / torch` over the compared masks (NaN when none).
    pub mean_relative_difference: f64,
    /// Fraction of the compared masks where ours ≤ torch's (tighter or equal; NaN when none).
    pub fraction_tighter: f64,
    /// Masks bounded by us only (ours found an adversarial example, PyTorch did not).
    pub bounded_by_ours_only: Vec<usize>,
    /// Masks bounded by PyTorch only.
    pub bounded_by_torch_only: Vec<usize>,
}

/// Compares `ours` with `torch` (same masks, same order) on the masks bounded on both sides.
pub fn agreement(ours: &RobustnessRun, torch: &RobustnessRun) -> Result<Agreement> {
    if ours.estimates.len() != torch.estimates.len() {
        bail!("{} estimates of ours vs {} of torch", ours.estimates.len(), torch.estimates.len());
    }
    let (mut compared, mut rel_sum, mut tighter) = (0usize, 0f64, 0usize);
    let (mut ours_only, mut torch_only) = (Vec::new(), Vec::new());
    for i in 0..ours.estimates.len() {
        match (ours.bounded[i], torch.bounded[i]) {
            (true, true) => {
                let (o, t) = (ours.estimates[i], torch.estimates[i]);
                compared += 1;
                rel_sum += (o - t) / t.max(f64::MIN_POSITIVE);
                if o <= t + ESTIMATE_TOLERANCE {
                    tighter += 1;
                }
            }
            (true, false) => ours_only.push(i),
            (false, true) => torch_only.push(i),
            (false, false) => {}
        }
    }
    let per = |x: f64| if compared == 0 { f64::NAN } else { x / compared as f64 };
    Ok(Agreement {
        compared,
        mean_relative_difference: per(rel_sum),
        fraction_tighter: per(tighter as f64),
        bounded_by_ours_only: ours_only,
        bounded_by_torch_only: torch_only,
    })
}

/// `ours / torch` (NaN when torch's figure is not positive).
pub fn ratio(ours: f64, torch: f64) -> f64 {
    if torch > 0.0 { ours / torch } else { f64::NAN }
}

/// The L2 norm of mnist-test image `index` with pixels in [0, 1] (PyTorch's value for an
/// unbounded mask), read from `<data>/datasets/mnist/t10k-images-idx3-ubyte.gz`.
fn mnist_test_norm(data: &Path, index: usize) -> Result<f64> {
    let path = data.join("datasets/mnist/t10k-images-idx3-ubyte.gz");
    let file = std::fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    let images = xai_formats::parse_idx_images(&bytes)
        .with_context(|| format!("parsing {}", path.display()))?;
    let size = images.rows * images.cols;
    let image = images
        .pixels
        .get(index * size..(index + 1) * size)
        .with_context(|| format!("{} has no image {index}", path.display()))?;
    Ok(image.iter().map(|&p| (p as f64 / 255.0).powi(2)).sum::<f64>().sqrt())
}

/// Bytes available on the filesystem holding `path` (or its nearest existing ancestor), from
/// `df -Pk`.
fn free_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let out = Command::new("df").arg("-Pk").arg(existing).output().ok()?;
    parse_df_available(&String::from_utf8_lossy(&out.stdout))
}

/// The "Available" column (KiB) of `df -Pk` output, in bytes.
pub fn parse_df_available(df: &str) -> Option<u64> {
    let line = df.lines().nth(1)?;
    line.split_whitespace().nth(3)?.parse::<u64>().ok().map(|kib| kib * 1024)
}

/// Whether `python` imports torch, onnx and numpy; torch's version if so.
fn python_has_torch(python: &Path) -> Option<String> {
    let out = Command::new(python)
        .args(["-c", "import torch, onnx, numpy; print(torch.__version__)"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `~/.cache/burn-xai/torch-venv` (or under `$XDG_CACHE_HOME`).
fn venv_dir() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(cache.join("burn-xai/torch-venv"))
}

/// A Python with torch, onnx and numpy: `$BURN_XAI_TORCH_PYTHON`, the cached venv, `python3`,
/// `/usr/bin/python3`; else a venv created in the cache with `pip install torch onnx numpy`
/// when at least 8 GiB are free there. `Err` holds why none is available.
fn find_python() -> Result<(PathBuf, String), String> {
    let venv = venv_dir();
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = std::env::var_os("BURN_XAI_TORCH_PYTHON") {
        candidates.push(p.into());
    }
    if let Some(v) = &venv {
        candidates.push(v.join("bin/python"));
    }
    candidates.extend(["python3".into(), "/usr/bin/python3".into()]);
    for python in &candidates {
        if let Some(version) = python_has_torch(python) {
            return Ok((python.clone(), version));
        }
    }
    let Some(venv) = venv else { return Err("no HOME or XDG_CACHE_HOME for a venv".into()) };
    let free = free_bytes(&venv).unwrap_or(0);
    if free < VENV_MIN_FREE_BYTES {
        return Err(format!(
            "no python with torch, onnx and numpy, and only {:.1} GiB free for a venv at {} \
             (PyPI's torch needs about 8)",
            free as f64 / (1u64 << 30) as f64,
            venv.display()
        ));
    }
    eprintln!("creating {} and installing torch, onnx, numpy (several GB)...", venv.display());
    let base = candidates[candidates.len() - 2..]
        .iter()
        .find(|p| {
            Command::new(p)
                .args(["-m", "venv", "--help"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or("no python3 with the venv module")?;
    let ok = |mut c: Command| c.status().is_ok_and(|s| s.success());
    let mut create = Command::new(base);
    create.args(["-m", "venv"]).arg(&venv);
    let mut pip = Command::new(venv.join("bin/pip"));
    pip.args(["install", "torch", "onnx", "numpy"]);
    if !ok(create) || !ok(pip) {
        return Err(format!("creating the venv {} or pip install failed", venv.display()));
    }
    let python = venv.join("bin/python");
    python_has_torch(&python)
        .map(|v| (python, v))
        .ok_or_else(|| "the new venv cannot import torch, onnx and numpy".into())
}

/// Runs `cmd`, echoes its stderr, returns its stdout; an error when it fails.
fn run_capture(mut cmd: Command) -> Result<String> {
    let out = cmd.stderr(Stdio::inherit()).output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed ({})", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn read_json(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(serde_json::from_str(&text)?)
}

/// Formats `x` with `digits` decimals, `-` for NaN.
fn fmt(x: f64, digits: usize) -> String {
    if x.is_nan() { "-".into() } else { format!("{x:.digits$}") }
}

/// `--compare-torch`: our side always; PyTorch's when a Python with torch is found.
fn compare_torch(xai: &Path, args: &BenchArgs) -> Result<ExitCode> {
    let data = data_dir(args.data_dir.clone());
    let script = data.join("tools/torch_baseline.py");
    let tmp = std::env::temp_dir().join(format!("burn-xai-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let result = compare_in(xai, args, &data, &script, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

fn compare_in(
    xai: &Path,
    args: &BenchArgs,
    data: &Path,
    script: &Path,
    tmp: &Path,
) -> Result<ExitCode> {
    let threads = args.threads.to_string();
    let masks_path = tmp.join("masks.npy");
    write_masks(
        &masks_path,
        args.masks,
        MNIST_PIXELS,
        &generate_masks(args.masks, MNIST_PIXELS, args.seed),
    )?;
    let python = if !script.is_file() {
        Err(format!("{} not found (set --data-dir or BURN_XAI_DATA)", script.display()))
    } else {
        find_python()
    };
    let mut python = match python {
        Ok((p, version)) => {
            eprintln!("PyTorch baseline: {} (torch {version})", p.display());
            Some((p, version))
        }
        Err(why) => {
            eprintln!(
                "PyTorch comparison skipped: {why}; install it with `apt-get install python3-torch \
                 python3-onnx` or point BURN_XAI_TORCH_PYTHON at a python with torch, onnx and numpy"
            );
            None
        }
    };
    let torch_cmd = |mode: &[&str]| {
        let (p, _) = python.as_ref().expect("python found");
        let mut c = Command::new(p);
        c.arg(script).args(mode).args(["--threads", &threads]);
        c
    };
    // Throughput.
    let bench_json = tmp.join("ours_bench.json");
    let mut cmd = Command::new(xai);
    cmd.arg("bench")
        .args(["--models", "mnist-cnn", "--batch-mnist", &COMPARE_BATCH.to_string()])
        .args(["--methods", "", "--repeats", &COMPARE_REPEATS.to_string()])
        .args(["--seed", &args.seed.to_string()])
        .arg("--json")
        .arg(&bench_json)
        .env("RAYON_NUM_THREADS", &threads);
    common_xai_args(&mut cmd, args);
    cmd.args(&args.args);
    eprintln!("ours: {cmd:?}");
    run_capture(cmd)?;
    let ours_bench = read_json(&bench_json)?;
    let ours_tp = ours_bench["throughput"][0]["forward_backward_per_s"]
        .as_f64()
        .context("xai bench: no throughput figure")?;
    // PyTorch's side; a failing baseline is reported and skipped, ours still runs.
    let torch_side = python.as_ref().map(|_| -> Result<(f64, RobustnessRun, Value)> {
        let cmd = torch_cmd(&["throughput", "--batch", &COMPARE_BATCH.to_string()]);
        eprintln!("torch: {cmd:?}");
        let tp = parse_json_line(&run_capture(cmd)?)?;
        let torch_tp = torch_throughput(&tp)?;
        let index = args.index.to_string();
        let mut cmd = torch_cmd(&["robustness", "--index", &index]);
        cmd.arg("--masks").arg(&masks_path);
        eprintln!("torch: {cmd:?}");
        let rob = parse_json_line(&run_capture(cmd)?)?;
        let torch_rob = torch_robustness(&rob, mnist_test_norm(data, args.index)?)?;
        Ok((torch_tp, torch_rob, json!({ "throughput": tp, "robustness": rob })))
    });
    let (torch_tp, torch_rob, torch_raw) = match torch_side {
        Some(Ok((tp, rob, raw))) => (Some(tp), Some(rob), raw),
        Some(Err(e)) => {
            eprintln!("PyTorch comparison skipped: the baseline failed: {e:#}");
            python = None;
            (None, None, json!(null))
        }
        None => (None, None, json!(null)),
    };
    // Our estimators on the same masks.
    let mut ours = Vec::new();
    for estimator in ESTIMATORS {
        let out = tmp.join(format!("ours_{estimator}.json"));
        let mut cmd = Command::new(xai);
        cmd.args(["robustness", "--model", "mnist-cnn", "--dataset", "mnist-test"])
            .args(["--index", &args.index.to_string(), "--estimator", estimator])
            .arg("--masks")
            .arg(&masks_path)
            .arg("--json")
            .arg(&out)
            .env("RAYON_NUM_THREADS", &threads);
        common_xai_args(&mut cmd, args);
        eprintln!("ours: {cmd:?}");
        run_capture(cmd)?;
        let raw = read_json(&out)?;
        ours.push((estimator, our_robustness(&raw)?, raw));
    }
    let label = ours[0].2["label"].as_u64().unwrap_or(0);

    // The table.
    let device = args.device.as_deref().unwrap_or("flex");
    println!(
        "\n## Side by side with PyTorch ({} profile, device {device}, {} threads)\n",
        format!("{:?}", args.profile).to_lowercase(),
        args.threads
    );
    match &python {
        Some((p, v)) => println!("PyTorch {v} ({}), {}\n", p.display(), script.display()),
        None => println!("PyTorch: skipped (see above); our figures only\n"),
    }
    let tp_ratio = torch_tp.map_or(f64::NAN, |t| ratio(ours_tp, t));
    println!(
        "mnist-cnn, batch {COMPARE_BATCH}, forward+backward samples/s (goal: ours / PyTorch ≥ 1):\n"
    );
    println!("| ours | PyTorch | ours / PyTorch |");
    println!("|---:|---:|---:|");
    println!(
        "| {:.1} | {} | {} |\n",
        ours_tp,
        torch_tp.map_or("-".into(), |t| fmt(t, 1)),
        fmt(tp_ratio, 2)
    );
    let (lo, hi) = FREE_FRACTION_RANGE;
    println!(
        "Robustness of mnist-test[{}] (label {label}), {} masks (seed {}, free fraction {lo}..{hi}), \
         ratios to PyTorch's bisection-PGD; agreement on the masks bounded on both sides:\n",
        args.index, args.masks, args.seed
    );
    println!(
        "| estimator | s / subset | × torch | fwd+bwd evals / subset | × torch | unbounded | compared | mean rel. diff | ours ≤ torch |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    if let Some(t) = &torch_rob {
        println!(
            "| PyTorch bisection-pgd | {:.4} | 1.00 | {:.0} | 1.00 | {} | - | - | - |",
            t.seconds_per_subset(),
            t.evaluations_per_subset(),
            t.unbounded().len()
        );
    }
    let mut rows = Vec::new();
    for (estimator, run, raw) in &ours {
        let (time_ratio, eval_ratio, agree) = match &torch_rob {
            Some(t) => (
                ratio(run.seconds_per_subset(), t.seconds_per_subset()),
                ratio(run.evaluations_per_subset(), t.evaluations_per_subset()),
                Some(agreement(run, t)?),
            ),
            None => (f64::NAN, f64::NAN, None),
        };
        println!(
            "| {estimator} | {:.4} | {} | {:.0} | {} | {} | {} | {} | {} |",
            run.seconds_per_subset(),
            fmt(time_ratio, 3),
            run.evaluations_per_subset(),
            fmt(eval_ratio, 3),
            run.unbounded().len(),
            agree.as_ref().map_or("-".into(), |a| a.compared.to_string()),
            agree
                .as_ref()
                .map_or("-".into(), |a| format!("{:+.2}%", 100.0 * a.mean_relative_difference)),
            agree.as_ref().map_or("-".into(), |a| format!("{:.0}%", 100.0 * a.fraction_tighter)),
        );
        rows.push(json!({
            "estimator": estimator,
            "seconds_per_subset": run.seconds_per_subset(),
            "evaluations_per_subset": run.evaluations_per_subset(),
            "seconds_ratio_to_torch": time_ratio,
            "evaluations_ratio_to_torch": eval_ratio,
            "unbounded_masks": run.unbounded(),
            "agreement": agree.as_ref().map(|a| json!({
                "compared": a.compared,
                "mean_relative_difference": a.mean_relative_difference,
                "fraction_ours_le_torch": a.fraction_tighter,
                "bounded_by_ours_only": a.bounded_by_ours_only,
                "bounded_by_torch_only": a.bounded_by_torch_only,
            })),
            "estimates": run.estimates,
            "report": raw,
        }));
    }
    println!(
        "\nUnbounded masks (no adversarial example found; both sides then report the input's L2 \
         norm, so those rows are left out of the agreement columns):"
    );
    if let Some(t) = &torch_rob {
        println!("- PyTorch bisection-pgd: {:?}", t.unbounded());
    }
    for (estimator, run, _) in &ours {
        let mut line = format!("- {estimator}: {:?}", run.unbounded());
        if let Some(t) = &torch_rob {
            let a = agreement(run, t)?;
            line += &format!(
                " (bounded by ours only: {:?}; by PyTorch only: {:?})",
                a.bounded_by_ours_only, a.bounded_by_torch_only
            );
        }
        println!("{line}");
    }
    if let Some(path) = &args.json {
        let report = json!({
            "profile": format!("{:?}", args.profile).to_lowercase(),
            "device": device,
            "threads": args.threads,
            "index": args.index,
            "label": label,
            "masks": args.masks,
            "seed": args.seed,
            "free_fraction_range": [lo, hi],
            "torch_python": python.as_ref().map(|(p, _)| p.display().to_string()),
            "torch_version": python.as_ref().map(|(_, v)| v.clone()),
            "throughput": {
                "batch": COMPARE_BATCH,
                "ours_fwd_bwd_per_s": ours_tp,
                "torch_fwd_bwd_per_s": torch_tp,
                "ratio": tp_ratio,
            },
            "torch_bisection_pgd": torch_rob.as_ref().map(|t| json!({
                "seconds_per_subset": t.seconds_per_subset(),
                "evaluations_per_subset": t.evaluations_per_subset(),
                "unbounded_masks": t.unbounded(),
                "estimates": t.estimates,
            })),
            "estimators": rows,
            "raw": { "ours_bench": ours_bench, "torch": torch_raw },
        });
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_deterministic_per_seed_and_free_the_planned_fraction() {
        let (m, n) = (16, MNIST_PIXELS);
        let a = generate_masks(m, n, 0);
        assert_eq!(a, generate_masks(m, n, 0));
        assert_ne!(a, generate_masks(m, n, 1));
        assert!(a.iter().all(|&v| v == 0.0 || v == 1.0));
        for j in 0..m {
            let free = a[j * n..(j + 1) * n].iter().filter(|&&v| v == 1.0).count();
            let fraction = free_fraction(j, m);
            assert!((0.05..=0.95).contains(&fraction), "{fraction}");
            assert_eq!(free, (fraction * n as f64).round() as usize, "mask {j}");
        }
        assert_eq!(free_fraction(0, m), 0.05);
        assert!((free_fraction(m - 1, m) - 0.95).abs() < 1e-12);
        assert_eq!(free_fraction(0, 1), 0.5);
        // Different masks free different pixels, not nested prefixes of one order.
        let first_of = |j: usize| a[j * n..(j + 1) * n].iter().position(|&v| v == 1.0);
        assert!((0..m).map(first_of).collect::<std::collections::HashSet<_>>().len() > 1);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let k = rng.below(5);
            seen[k] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn masks_round_trip_through_npy() {
        let dir = std::env::temp_dir().join(format!("burn-xai-bench-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.npy");
        let masks = generate_masks(3, MNIST_PIXELS, 5);
        write_masks(&path, 3, MNIST_PIXELS, &masks).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let npy = xai_formats::parse_npy(&bytes).unwrap();
        assert_eq!(npy.shape, [3, MNIST_PIXELS]);
        assert_eq!(npy.data, masks);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn finds_the_xai_binary_in_cargo_messages() {
        let msgs = [
            r#"{"reason":"compiler-artifact","target":{"name":"xai","kind":["lib"]},"profile":{"test":false},"executable":null}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"xai","kind":["bin"]},"profile":{"test":true},"executable":"/t/debug/deps/xai-123"}"#,
            r#"{"reason":"compiler-message","message":{"rendered":"warning"}}"#,
            "not json",
            r#"{"reason":"compiler-artifact","target":{"name":"xai","kind":["bin"]},"profile":{"test":false},"executable":"/t/debug/xai"}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"xtask","kind":["bin"]},"profile":{"test":false},"executable":"/t/debug/xtask"}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(find_bin_executable(&msgs, "xai"), Some(PathBuf::from("/t/debug/xai")));
        assert_eq!(find_bin_executable(&msgs, "xtask"), Some(PathBuf::from("/t/debug/xtask")));
        assert_eq!(find_bin_executable(&msgs, "other"), None);
        let err = r#"{"reason":"compiler-message","message":{"level":"error","rendered":"error[E0425]: boom\n"}}"#;
        assert_eq!(compiler_errors(&format!("{msgs}\n{err}")), vec!["error[E0425]: boom\n"]);
    }

    #[test]
    fn parses_torch_output() {
        let out = "some log line\n{\"batch\": 1000, \"fwd_bwd_samples_per_s\": 2500.5, \"wall_s\": 3.1, \"threads\": 2, \"torch\": \"1.13\"}\n";
        let v = parse_json_line(out).unwrap();
        assert_eq!(torch_throughput(&v).unwrap(), 2500.5);
        assert!(parse_json_line("no json here\n").is_err());

        let rob = r#"{"index": 0, "label": 7, "loss": "logit", "estimates": [1.5, 9.29, 0.75], "forward_samples": 1000, "backward_samples": 990, "wall_s": 6.0, "threads": 2, "torch": "1.13"}"#;
        let run = torch_robustness(&parse_json_line(rob).unwrap(), 9.290004).unwrap();
        assert_eq!(run.estimates, vec![1.5, 9.29, 0.75]);
        assert_eq!(run.bounded, vec![true, false, true]);
        assert_eq!(run.unbounded(), vec![1]);
        assert_eq!(run.evaluations, 1990);
        assert!((run.seconds_per_subset() - 2.0).abs() < 1e-12);
        assert!((run.evaluations_per_subset() - 1990.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn parses_our_robustness_report() {
        let v: Value = serde_json::from_str(
            r#"{"label": 7, "cost": {"forward": 300, "backward": 200}, "wall_seconds": 1.0,
                "results": [{"mask": 0, "estimate": 1.0, "found": true},
                            {"mask": 1, "estimate": 9.29, "found": false}]}"#,
        )
        .unwrap();
        let run = our_robustness(&v).unwrap();
        assert_eq!(run.estimates, vec![1.0, 9.29]);
        assert_eq!(run.bounded, vec![true, false]);
        assert_eq!(run.evaluations, 500);
        assert_eq!(run.evaluations_per_subset(), 250.0);
    }

    #[test]
    fn agreement_compares_like_with_like() {
        let run = |estimates: Vec<f64>, bounded: Vec<bool>| RobustnessRun {
            estimates,
            bounded,
            evaluations: 0,
            wall_s: 0.0,
        };
        let torch = run(vec![2.0, 1.0, 9.3, 4.0, 9.3], vec![true, true, false, true, false]);
        let ours = run(vec![1.0, 1.5, 3.0, 9.3, 9.3], vec![true, true, true, false, false]);
        let a = agreement(&ours, &torch).unwrap();
        assert_eq!(a.compared, 2);
        // (1 - 2) / 2 = -0.5 and (1.5 - 1) / 1 = +0.5.
        assert!(a.mean_relative_difference.abs() < 1e-12);
        assert_eq!(a.fraction_tighter, 0.5);
        assert_eq!(a.bounded_by_ours_only, vec![2]);
        assert_eq!(a.bounded_by_torch_only, vec![3]);
        let none = agreement(&run(vec![1.0], vec![false]), &run(vec![1.0], vec![true])).unwrap();
        assert_eq!(none.compared, 0);
        assert!(none.mean_relative_difference.is_nan() && none.fraction_tighter.is_nan());
        assert!(agreement(&run(vec![1.0], vec![true]), &torch).is_err());
        assert_eq!(ratio(3.0, 2.0), 1.5);
        assert!(ratio(1.0, 0.0).is_nan());
    }

    #[test]
    fn parses_df() {
        let df = "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 264212084 59387144 35898744 63% /\n";
        assert_eq!(parse_df_available(df), Some(35898744 * 1024));
        assert_eq!(parse_df_available("header only\n"), None);
    }
}
