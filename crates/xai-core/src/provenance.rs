//! Which code produced a result: every result file records a [`CodeVersion`], so that a table
//! whose rows came from different code says so, and a resumed run does not silently mix them.

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// The code that produced a result: burn-xai's version and, when it runs from a git checkout,
/// the commit and whether the Rust sources or manifests had uncommitted changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodeVersion {
    /// burn-xai's crate version (`CARGO_PKG_VERSION`).
    pub version: String,
    /// `git rev-parse HEAD` of the checkout the code was built from; `None` outside a checkout
    /// or without git.
    pub git_commit: Option<String>,
    /// Whether `*.rs`, `Cargo.toml` or `Cargo.lock` files differed from that commit (tracked
    /// changes or untracked files; result files do not count); `None` when unknown.
    pub dirty: Option<bool>,
}

impl CodeVersion {
    /// The running code's version, read once per process from the workspace this crate was
    /// built in.
    pub fn current() -> &'static CodeVersion {
        static CURRENT: OnceLock<CodeVersion> = OnceLock::new();
        CURRENT.get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            Self::of_checkout(&root)
        })
    }

    /// The version of the checkout at `root` (its commit and dirty state, when git can tell).
    pub fn of_checkout(root: &Path) -> CodeVersion {
        let git = |args: &[&str]| -> Option<String> {
            let out = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
            out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        };
        let git_commit = git(&["rev-parse", "HEAD"]).filter(|c| !c.is_empty());
        let dirty = git_commit.as_ref().and_then(|_| {
            let sources = ["*.rs", "Cargo.toml", "Cargo.lock", "**/Cargo.toml"];
            let mut args = vec!["status", "--porcelain", "--untracked-files=normal", "--"];
            args.extend(sources);
            git(&args).map(|changes| !changes.is_empty())
        });
        CodeVersion { version: env!("CARGO_PKG_VERSION").to_string(), git_commit, dirty }
    }

    /// A short label: the commit's first 7 hex digits, `-dirty` when it had changes
    /// (`3dcb134`, `3dcb134-dirty`), else `v0.1.0 (no git)`.
    pub fn label(&self) -> String {
        match &self.git_commit {
            Some(commit) => {
                let short = &commit[..commit.len().min(7)];
                match self.dirty {
                    Some(false) => short.to_string(),
                    Some(true) => format!("{short}-dirty"),
                    None => format!("{short}-unknown-state"),
                }
            }
            None => format!("v{} (no git)", self.version),
        }
    }
}

impl std::fmt::Display for CodeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// `value` as pretty JSON carrying a `code_version` field ([`CodeVersion::current`]): added to
/// a JSON object, or wrapping anything else as `{"code_version": …, "result": value}`.
pub fn stamped_json(value: &impl Serialize) -> serde_json::Result<String> {
    let code = serde_json::to_value(CodeVersion::current())?;
    let stamped = match serde_json::to_value(value)? {
        serde_json::Value::Object(mut fields) => {
            fields.insert("code_version".into(), code);
            serde_json::Value::Object(fields)
        }
        other => serde_json::json!({ "code_version": code, "result": other }),
    };
    serde_json::to_string_pretty(&stamped)
}

/// Writes [`stamped_json`] of `value` to `path` atomically (a temporary file, then a rename).
pub fn write_stamped_json(path: &Path, value: &impl Serialize) -> crate::Result<()> {
    let text = stamped_json(value)
        .map_err(|e| crate::XaiError::file(path, format!("cannot be serialised: {e}")))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| crate::XaiError::file(path, format!("cannot be written: {e}")))
}
