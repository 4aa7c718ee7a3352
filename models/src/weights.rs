//! Locating and loading `.bpk` weight files without panicking.

use burn_store::{BurnpackStore, ModuleSnapshot};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use xai_core::{Result, XaiError};

/// The directory of the zoo's weights: `$BURN_XAI_WEIGHTS`, else `models/weights/` in the
/// workspace (written by `cargo xtask setup`).
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
            "model weights not found: run `cargo xtask setup` to create them from the ONNX files \
             in the data directory (or set BURN_XAI_WEIGHTS to a directory holding them)",
        ));
    }
    let corrupt = |why: String| {
        XaiError::file(
            path,
            format!(
                "not a valid weight file for this model ({why}); re-create it with `cargo xtask setup`"
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
