//! `xai evaluate` end to end: three shards run as separate processes (given by a Slurm job
//! array's and a Kubernetes Indexed Job's variables) and merged equal the unsharded run; an
//! interrupted run resumes and computes only what is missing; bad shard settings fail clearly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use xai_metrics::EvaluationRun;

/// A small but real evaluation: 2 methods × all 4 criteria on 5 MNIST test images, 7×7 grid
/// features (16 features), DeepFool curves.
const RUN: &[&str] = &[
    "evaluate",
    "--model",
    "mnist-cnn",
    "--methods",
    "grad,random",
    "--features",
    "grid:7",
    "--estimator",
    "deepfool",
    "--seed",
    "3",
];

fn xai(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xai"));
    cmd.args(args);
    for var in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN"] {
        cmd.env_remove(var);
    }
    cmd.env_remove("JOB_COMPLETION_INDEX");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("running xai")
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "xai failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xai-evaluate-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn weights_ready() {
    xai_zoo::ensure_weights(&xai_datasets::DataDir::resolve(None))
        .expect("the zoo's weights from its ONNX files");
}

fn with_out<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = RUN.to_vec();
    args.extend_from_slice(&["--out", out]);
    args.extend_from_slice(extra);
    if !extra.contains(&"--indices") {
        args.extend_from_slice(&["--indices", "0..5"]);
    }
    args
}

fn load(path: &Path) -> EvaluationRun {
    EvaluationRun::load(path).unwrap()
}

fn assert_same_numbers(a: &EvaluationRun, b: &EvaluationRun) {
    assert_eq!(a.settings, b.settings);
    assert_eq!(a.indices, b.indices);
    assert_eq!(a.examples.len(), b.examples.len());
    for (x, y) in a.examples.iter().zip(&b.examples) {
        assert!(x.same_numbers(y), "example {} differs:\n{x:?}\n{y:?}", x.index);
    }
}

#[test]
fn three_shard_processes_merge_into_the_unsharded_run() {
    weights_ready();
    let whole = dir("whole");
    let out = xai(&with_out(whole.to_str().unwrap(), &[]), &[]);
    ok(&out);
    let full = load(&whole.join("evaluation.json"));
    assert_eq!(full.indices, vec![0, 1, 2, 3, 4]);
    assert_eq!(full.examples.len(), 5);
    for png in ["robustness-sr-bar", "robustness-sr", "insertion", "deletion"] {
        let img = image::open(whole.join(format!("{png}.png"))).unwrap();
        assert!(img.width() > 100 && img.height() > 100);
    }
    let summary = std::fs::read_to_string(whole.join("summary.md")).unwrap();
    assert!(summary.contains("| grad |") && summary.contains("| random |"), "{summary}");
    let code = format!("Code: {} (", xai_core::CodeVersion::current());
    assert!(summary.contains(&code), "the table names the code of its rows: {summary}");

    // Three shards as three processes: two from a Slurm job array (1-based array ids with
    // SLURM_ARRAY_TASK_MIN), one from a Kubernetes Indexed Job.
    let sharded = dir("sharded");
    let s = sharded.to_str().unwrap();
    let children: Vec<std::thread::JoinHandle<Output>> = [
        vec![
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ],
        vec![
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ],
        vec![("JOB_COMPLETION_INDEX", "2")],
    ]
    .into_iter()
    .map(|env| {
        let s = s.to_string();
        std::thread::spawn(move || {
            let extra: &[&str] = match env[0].0 {
                "JOB_COMPLETION_INDEX" => &["--shard-count", "3"],
                _ => &[],
            };
            let env: Vec<(&str, &str)> = env.to_vec();
            xai(&with_out(&s, extra), &env)
        })
    })
    .collect();
    for c in children {
        ok(&c.join().unwrap());
    }
    for i in 0..3 {
        let shard = load(&sharded.join(format!("evaluation.shard-{i}-of-3.json")));
        assert_eq!(shard.own_indices(), (i..5).step_by(3).collect::<Vec<_>>());
        assert_eq!(shard.examples.len(), shard.own_indices().len());
    }
    // Merging needs all three shards; merge them and compare with the unsharded run.
    let out = xai(&["evaluate", "merge", "--out", s], &[]);
    ok(&out);
    let merged = load(&sharded.join("evaluation.json"));
    assert_same_numbers(&full, &merged);
    assert!(sharded.join("deletion.png").exists() && sharded.join("summary.json").exists());
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&sharded);
}

#[test]
fn an_interrupted_run_resumes_and_computes_only_the_rest() {
    weights_ready();
    let d = dir("resume");
    let out = d.to_str().unwrap();
    ok(&xai(&with_out(out, &["--indices", "0..3"]), &[]));
    let json = d.join("evaluation.json");
    let full = load(&json);
    // Simulate an interruption after the first example.
    let mut cut = full.clone();
    cut.examples.truncate(1);
    cut.save(&json).unwrap();
    let resumed = xai(&with_out(out, &["--indices", "0..3"]), &[]);
    ok(&resumed);
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(stderr.contains("(1 done, 2 to go)"), "{stderr}");
    assert_same_numbers(&full, &load(&json));
    // Other settings must not silently mix into the same file.
    let other = xai(&with_out(out, &["--indices", "0..3", "--reference", "0.5"]), &[]);
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("other settings"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_shards_and_incomplete_merges_are_clear_errors() {
    let d = dir("bad");
    let out = d.to_str().unwrap();
    for (extra, env, expected) in [
        (vec!["--shard", "3/3"], vec![], "shard"),
        (vec!["--shard", "a/b"], vec![], "i/n"),
        (vec![], vec![("JOB_COMPLETION_INDEX", "0")], "--shard-count"),
        (
            vec![],
            vec![("SLURM_ARRAY_TASK_ID", "x"), ("SLURM_ARRAY_TASK_COUNT", "2")],
            "SLURM_ARRAY_TASK_ID",
        ),
        (vec!["--indices", "5..5"], vec![], "selects no example"),
        (vec!["--indices", "1,1"], vec![], "twice"),
        (vec!["--metrics", "accuracy"], vec![], "unknown criterion"),
    ] {
        let r = xai(&with_out(out, &extra), &env);
        assert!(!r.status.success(), "{extra:?} {env:?} succeeded");
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert!(stderr.contains(expected), "{extra:?} {env:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let r = xai(&["evaluate", "merge", "--out", out], &[]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("no evaluation.shard"));
    let _ = std::fs::remove_dir_all(&d);
}
