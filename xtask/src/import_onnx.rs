//! ONNX → Burn code generation for the zoo's models with burn-onnx. (The zoo reads its weights
//! itself: `xai_zoo::ZooModel::load`; burn-onnx's own weight file is written only for the test
//! that checks the two agree, [`burn_onnx_weights`].)

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
}

/// The zoo's ONNX file stems and their sha256 (the zoo's own metadata).
fn models() -> Vec<(&'static str, &'static str)> {
    xai_zoo::ModelName::ALL.iter().map(|m| (m.info().file_stem, m.info().onnx_sha256)).collect()
}

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

/// Writes burn-onnx's weight files (`<stem>.bpk`) of every zoo model into `out` (the reference
/// the zoo's own ONNX weight reader is tested against).
pub fn burn_onnx_weights(data_dir_arg: Option<PathBuf>, out: &Path) -> Result<()> {
    let names: Vec<&str> = models().iter().map(|(n, _)| *n).collect();
    run_models(data_dir_arg, None, &names, Some(out))
}

/// Generates (or checks) the code of every zoo model.
pub fn run(data_dir_arg: Option<PathBuf>, mode: Mode) -> Result<()> {
    let names: Vec<&str> = models().iter().map(|(n, _)| *n).collect();
    run_models(data_dir_arg, Some(mode), &names, None)
}

fn run_models(
    data_dir_arg: Option<PathBuf>,
    mode: Option<Mode>,
    names: &[&str],
    weights: Option<&Path>,
) -> Result<()> {
    let data = data_dir(data_dir_arg);
    let root = workspace_root();
    let generated = root.join("models/src/generated");
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let unique = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = std::env::temp_dir().join(format!("xai-import-{}-{unique}", std::process::id()));
    fs::create_dir_all(&tmp)?;
    for (name, sha) in models().into_iter().filter(|(n, _)| names.contains(n)) {
        let onnx = data.join("models").join(format!("{name}.onnx"));
        let bytes = fs::read(&onnx).with_context(|| {
            format!(
                "cannot read {} (set BURN_XAI_DATA or --data-dir to the shared data directory)",
                onnx.display()
            )
        })?;
        let digest = format!("{:x}", Sha256::digest(&bytes));
        if digest != sha {
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
                None => {}
                Some(Mode::Write) => {
                    fs::create_dir_all(&generated)?;
                    fs::write(&target, code)?;
                    eprintln!("wrote {}", target.display());
                }
                Some(Mode::Check) => {
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
        if let Some(weights) = weights {
            fs::create_dir_all(weights)?;
            let bpk = weights.join(format!("{name}.bpk"));
            fs::copy(out.join(format!("{name}.bpk")), &bpk)?;
            eprintln!("wrote {}", bpk.display());
        }
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
