//! The `xtask` binary's command line: its subcommands exist and bad arguments are clear errors
//! before anything is built or run. (This test also makes `cargo test --workspace --no-run`
//! build the `xtask` binary with the workspace's feature set, at `target/debug/xtask`.)

use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("running xtask")
}

#[test]
fn help_lists_every_subcommand() {
    let out = xtask(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["import-onnx", "setup", "bench", "fuzz"] {
        assert!(help.contains(sub), "`{sub}` missing from:\n{help}");
    }
}

#[test]
fn bad_arguments_are_clear_errors() {
    let cases: [(&[&str], &str); 3] = [
        (&["fuzz", "--seconds", "1", "no_such_target"], "unknown fuzz target 'no_such_target'"),
        (&["bench", "--compare-torch", "--masks", "0"], "--masks must be at least 1"),
        (&["bench", "--profile", "fastest"], "fastest"),
    ];
    for (args, expected) in cases {
        let out = xtask(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(err.contains(expected), "{args:?}: expected '{expected}' in: {err}");
    }
}

#[test]
fn a_missing_or_truncated_onnx_file_is_an_error_naming_it() {
    let shared = std::env::var_os("BURN_XAI_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
        .join("models");
    let onnx = std::fs::read(shared.join("mnist_cnn.onnx")).expect("the shared mnist_cnn.onnx");
    let dir = std::env::temp_dir().join(format!("xtask-bad-onnx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("models")).unwrap();
    let data = dir.to_str().unwrap();
    // Missing: nothing in models/.
    let out = xtask(&["setup", "--data-dir", data]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("cannot read") && err.contains("mnist_cnn.onnx"));
    // Truncated: the checksum catches it before the importer reads it.
    std::fs::write(dir.join("models/mnist_cnn.onnx"), &onnx[..onnx.len() / 2]).unwrap();
    let out = xtask(&["setup", "--data-dir", data]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && !err.contains("panicked"), "{err}");
    assert!(err.contains("mnist_cnn.onnx: sha256"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
