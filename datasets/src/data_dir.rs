//! Where the data lives: one setting, resolved as `--data-dir`, else `BURN_XAI_DATA`, else
//! `<workspace root>/../shared`.
//!
//! The data directory holds `datasets/` (IDX files) and `images/` (photos, crops, class names),
//! laid out as in the project's `shared/` folder.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use xai_core::{Result, XaiError};

/// The environment variable that sets the data directory when no explicit path is given.
pub const DATA_DIR_ENV: &str = "BURN_XAI_DATA";

/// Where the Debian/Ubuntu package `dataset-fashion-mnist` installs Fashion-MNIST; used as a
/// fallback when the data directory lacks `datasets/fashion-mnist/`.
pub const FASHION_MNIST_SYSTEM_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// How the data directory was chosen; printed in "file not found" errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataDirSource {
    /// An explicit path (the CLI's `--data-dir`).
    Explicit,
    /// The `BURN_XAI_DATA` environment variable.
    Env,
    /// The built-in default, `<workspace root>/../shared`.
    Default,
}

impl fmt::Display for DataDirSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataDirSource::Explicit => write!(f, "from --data-dir"),
            DataDirSource::Env => write!(f, "from {DATA_DIR_ENV}"),
            DataDirSource::Default => write!(f, "the default <workspace>/../shared"),
        }
    }
}

/// The resolved data directory and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
    source: DataDirSource,
}

/// The built-in default: `<workspace root>/../shared`, where the workspace root is the parent
/// of this crate's folder (canonicalised when it exists).
pub fn default_data_dir() -> PathBuf {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join("..").join("shared");
    std::fs::canonicalize(&path).unwrap_or(path)
}

impl DataDir {
    /// Resolves the data directory: `explicit` if given, else `$BURN_XAI_DATA` if set and
    /// non-empty, else [`default_data_dir`]. Nothing is checked on disk here.
    pub fn resolve(explicit: Option<&Path>) -> Self {
        Self::resolve_with(explicit, std::env::var_os(DATA_DIR_ENV))
    }

    /// [`DataDir::resolve`] with the environment variable's value passed in (for tests and for
    /// callers that read configuration elsewhere).
    pub fn resolve_with(explicit: Option<&Path>, env_value: Option<OsString>) -> Self {
        if let Some(path) = explicit {
            return Self { root: path.to_path_buf(), source: DataDirSource::Explicit };
        }
        match env_value {
            Some(v) if !v.is_empty() => Self { root: PathBuf::from(v), source: DataDirSource::Env },
            _ => Self { root: default_data_dir(), source: DataDirSource::Default },
        }
    }

    /// The data directory's path.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// How the data directory was chosen.
    pub fn source(&self) -> DataDirSource {
        self.source
    }

    /// The path of `relative` under the data directory, or an error naming the missing file,
    /// the data directory in use, and how to choose another one.
    pub fn require(&self, relative: impl AsRef<Path>) -> Result<PathBuf> {
        let path = self.root.join(relative.as_ref());
        if path.is_file() { Ok(path) } else { Err(XaiError::file(&path, self.missing_hint())) }
    }

    /// The first existing file among `candidates` (paths relative to the data directory, tried
    /// in order, then `fallback_dirs` with the candidates' file names), or an error naming the
    /// first candidate, every place searched, and how to set the data directory.
    pub fn require_any(&self, candidates: &[&str], fallback_dirs: &[&Path]) -> Result<PathBuf> {
        let mut tried = Vec::new();
        for rel in candidates {
            let path = self.root.join(rel);
            if path.is_file() {
                return Ok(path);
            }
            tried.push(path);
        }
        for dir in fallback_dirs {
            for rel in candidates {
                let Some(name) = Path::new(rel).file_name() else {
                    continue;
                };
                let path = dir.join(name);
                if path.is_file() {
                    return Ok(path);
                }
                tried.push(path);
            }
        }
        let first = tried.first().cloned().unwrap_or_else(|| self.root.clone());
        let others: Vec<String> = tried.iter().skip(1).map(|p| p.display().to_string()).collect();
        let mut reason = self.missing_hint();
        if !others.is_empty() {
            reason = format!("{reason} (also tried: {})", others.join(", "));
        }
        Err(XaiError::file(first, reason))
    }

    /// The text of a "file not found" error: where we looked and how to look elsewhere.
    fn missing_hint(&self) -> String {
        format!(
            "file not found in the data directory {} ({}); set the data directory with \
             --data-dir <DIR> or the {DATA_DIR_ENV} environment variable (it should contain \
             datasets/ and images/ as in the project's shared/ folder)",
            self.root.display(),
            self.source
        )
    }
}

/// The candidate relative paths of an IDX file `<dir>/<stem>`: gzip-compressed first, then plain.
pub fn idx_candidates(dir: &str, stem: &str) -> [String; 2] {
    [format!("{dir}/{stem}.gz"), format!("{dir}/{stem}")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_path_wins_over_env() {
        let d = DataDir::resolve_with(Some(Path::new("/x")), Some("/y".into()));
        assert_eq!(d.path(), Path::new("/x"));
        assert_eq!(d.source(), DataDirSource::Explicit);
    }

    #[test]
    fn env_wins_over_default_and_empty_env_is_ignored() {
        let d = DataDir::resolve_with(None, Some("/y".into()));
        assert_eq!((d.path(), d.source()), (Path::new("/y"), DataDirSource::Env));
        let d = DataDir::resolve_with(None, Some("".into()));
        assert_eq!(d.source(), DataDirSource::Default);
        assert!(d.path().ends_with("shared"));
    }

    #[test]
    fn missing_file_error_names_file_and_env_var() {
        let d = DataDir::resolve_with(Some(Path::new("/nonexistent-burn-xai")), None);
        let msg = d.require("datasets/mnist/x.gz").unwrap_err().to_string();
        assert!(msg.contains("/nonexistent-burn-xai/datasets/mnist/x.gz"), "{msg}");
        assert!(msg.contains(DATA_DIR_ENV) && msg.contains("--data-dir"), "{msg}");
        let c = idx_candidates("datasets/mnist", "t10k");
        let refs: Vec<&str> = c.iter().map(String::as_str).collect();
        let msg =
            d.require_any(&refs, &[Path::new("/nonexistent-fallback")]).unwrap_err().to_string();
        assert!(msg.starts_with("/nonexistent-burn-xai/datasets/mnist/t10k.gz"), "{msg}");
        assert!(msg.contains("/nonexistent-fallback/t10k") && msg.contains(DATA_DIR_ENV), "{msg}");
    }
}
