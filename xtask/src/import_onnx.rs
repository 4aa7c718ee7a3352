//! ONNX → Burn import of the zoo's models with burn-onnx.

use crate::layered_gen;
use anyhow::{Context, Result, bail};
use burn_onnx::{LoadStrategy, ModelGen};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// Whether to (re)write the committed code or only check it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Overwrite `models/src/generated/*.rs`.
    Write,
    /// Fail if the committed code differs from what burn-onnx generates.
    Check,
    /// Only write the weights.
    WeightsOnly,
}

/// The zoo's ONNX files and their sha256 (from `shared/models/README.md`).
const MODELS: &[(&str, &str)] = &[
    ("mnist_cnn", "7a7e9b03120f9a68ba807889232724dd51778d6dc79988d36293428c8184b1c2"),
    ("efficientnet_lite0", "a920b47ba06ab47ec6281c339193eab6998d6124a86fc5a19d008c7ef42e55c5"),
];

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The data directory: `arg`, else `$BURN_XAI_DATA`, else `../shared` next to the workspace.
pub fn data_dir(arg: Option<PathBuf>) -> PathBuf {
    arg.or_else(|| std::env::var_os("BURN_XAI_DATA").map(PathBuf::from))
        .unwrap_or_else(|| workspace_root().join("../shared"))
}

/// The zoo's weight directory (`models/weights`, or `$BURN_XAI_WEIGHTS`).
pub fn weights_dir() -> PathBuf {
    std::env::var_os("BURN_XAI_WEIGHTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("models/weights"))
}

/// Writes the weights of every zoo model whose `.bpk` is missing (tests call this, so that
/// `cargo test` works from a clean clone). Returns the models it imported.
pub fn ensure_weights(data_dir_arg: Option<PathBuf>) -> Result<Vec<&'static str>> {
    let missing: Vec<&'static str> = MODELS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !weights_dir().join(format!("{name}.bpk")).is_file())
        .collect();
    if !missing.is_empty() {
        run_models(data_dir_arg, Mode::WeightsOnly, &missing)?;
    }
    Ok(missing)
}

/// Imports every zoo model.
pub fn run(data_dir_arg: Option<PathBuf>, mode: Mode) -> Result<()> {
    let names: Vec<&str> = MODELS.iter().map(|(n, _)| *n).collect();
    run_models(data_dir_arg, mode, &names)
}

fn run_models(data_dir_arg: Option<PathBuf>, mode: Mode, names: &[&str]) -> Result<()> {
    let data = data_dir(data_dir_arg);
    let root = workspace_root();
    let generated = root.join("models/src/generated");
    let weights = weights_dir();
    fs::create_dir_all(&weights)?;
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = std::env::temp_dir().join(format!("xai-import-{}-{unique}", std::process::id()));
    fs::create_dir_all(&tmp)?;
    for (name, sha) in MODELS.iter().filter(|(n, _)| names.contains(n)) {
        let onnx = data.join("models").join(format!("{name}.onnx"));
        let bytes = fs::read(&onnx).with_context(|| {
            format!(
                "cannot read {} (set BURN_XAI_DATA or --data-dir to the shared data directory)",
                onnx.display()
            )
        })?;
        let digest = format!("{:x}", Sha256::digest(&bytes));
        if digest != *sha {
            bail!("{}: sha256 {digest} differs from the expected {sha}", onnx.display());
        }
        // Import from a fixed path so the generated code does not depend on the data directory.
        let src = tmp.join(format!("{name}.onnx"));
        fs::write(&src, &bytes)?;
        let out = tmp.join("out");
        ModelGen::new()
            .input(src.to_str().context("non-UTF-8 temp path")?)
            .out_dir(out.to_str().context("non-UTF-8 temp path")?)
            .load_strategy(LoadStrategy::None)
            .run_from_cli();
        let code = fs::read_to_string(out.join(format!("{name}.rs")))?;
        let code = normalise(&code, name);
        // The layer-wise node list (`<name>_layered.rs`), translated from the code's forward().
        let layered = layered_gen::layered_code(&code, name)?;
        let outputs = [(format!("{name}.rs"), code), (format!("{name}_layered.rs"), layered)];
        for (file, code) in &outputs {
            let target = generated.join(file);
            match mode {
                Mode::Write => {
                    fs::create_dir_all(&generated)?;
                    fs::write(&target, code)?;
                    eprintln!("wrote {}", target.display());
                }
                Mode::WeightsOnly => {}
                Mode::Check => {
                    let committed = fs::read_to_string(&target).unwrap_or_default();
                    if committed != *code {
                        bail!(
                            "{} is out of date with burn-onnx's output: run `cargo xtask \
                             import-onnx`",
                            target.display()
                        );
                    }
                }
            }
        }
        // Copy then rename, so a concurrent reader never sees a half-written file.
        let bpk = weights.join(format!("{name}.bpk"));
        let partial = weights.join(format!("{name}.bpk.{}-{unique}.tmp", std::process::id()));
        fs::copy(out.join(format!("{name}.bpk")), &partial)?;
        fs::rename(&partial, &bpk)?;
        eprintln!("wrote {}", bpk.display());
    }
    fs::remove_dir_all(&tmp).ok();
    Ok(())
}

/// Replaces the generator's top comment (which names a temporary path) by a stable one, and
/// makes the fields of `Model` crate-visible (the layered node list reads the modules).
fn normalise(code: &str, name: &str) -> String {
    let body: Vec<&str> =
        code.lines().filter(|l| !l.starts_with("// Generated from ONNX")).collect();
    layered_gen::crate_visible_fields(&format!(
        "// Generated from ONNX `{name}.onnx` by burn-onnx (`cargo xtask import-onnx`). Do not edit.\n{}\n",
        body.join("\n")
    ))
}
