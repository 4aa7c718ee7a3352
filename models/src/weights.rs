//! Locating and loading `.bpk` weight files without panicking.

use burn_store::{BurnpackStore, ModuleSnapshot};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use xai_core::{Result, XaiError};

/// The directory of the zoo's weights: `$BURN_XAI_WEIGHTS`, else `models/weights/` in the
/// workspace. [`crate::ZooModel::load`] writes a model's file there from its ONNX file on first
/// use.
pub fn weights_dir() -> PathBuf {
    std::env::var_os("BURN_XAI_WEIGHTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("weights"))
}

/// Loads `path` into `module`; a missing, truncated or mismatched file is an error naming the
/// file and the command that creates it.
pub(crate) fn load_bpk<M: ModuleSnapshot>(module: &mut M, path: &Path) -> Result<()> {
    if !path.is_file() {
        return Err(XaiError::file(
            path,
            "model weights not found: `ZooModel::load` (every `xai` command and example) writes \
             them from the ONNX file in the data directory on first use, or set \
             BURN_XAI_WEIGHTS to a directory holding them",
        ));
    }
    let corrupt = |why: String| {
        XaiError::file(
            path,
            format!(
                "not a valid weight file for this model ({why}); delete it, and the next load \
                 writes it again from the ONNX file"
            ),
        )
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut store = BurnpackStore::from_file(path);
        module.load_from(&mut store)
    }));
    let applied = match outcome {
        Ok(Ok(applied)) => applied,
        Ok(Err(e)) => return Err(corrupt(e.to_string())),
        Err(_) => return Err(corrupt("the reader panicked".into())),
    };
    if !applied.missing.is_empty() || !applied.errors.is_empty() {
        return Err(corrupt(format!(
            "{} missing tensor(s), {} error(s)",
            applied.missing.len(),
            applied.errors.len()
        )));
    }
    Ok(())
}

/// Writes `module`'s parameters to `path`: under a temporary name first, then renamed, so that
/// a concurrent reader never sees a half-written file.
pub(crate) fn write_bpk<M: ModuleSnapshot>(module: &M, path: &Path) -> Result<()> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    let cannot = |why: String| {
        XaiError::file(
            path,
            format!(
                "cannot write the model weights ({why}); set BURN_XAI_WEIGHTS to a writable directory"
            ),
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| cannot(e.to_string()))?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("weights");
    let unique = NEXT.fetch_add(1, Ordering::Relaxed);
    let partial = dir.join(format!("{stem}.partial-{}-{unique}.bpk", std::process::id()));
    let mut store = BurnpackStore::from_file(&partial).overwrite(true);
    module.save_into(&mut store).map_err(|e| cannot(e.to_string()))?;
    std::fs::rename(&partial, path).map_err(|e| {
        std::fs::remove_file(&partial).ok();
        cannot(e.to_string())
    })
}
