//! The `xai` binary end to end: robustness and explain on mnist-cnn, and bad input that must
//! end in a clear error and a non-zero exit, never a panic.

use std::path::PathBuf;
use std::process::{Command, Output};

fn xai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xai")).args(args).output().expect("running xai")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xai-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A JSON file the CLI wrote (or a fixture), parsed.
fn read_json(path: impl AsRef<std::path::Path>) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn weights_ready() {
    xai_zoo::ensure_weights(&xai_datasets::DataDir::resolve(None))
        .expect("the zoo's weights from its ONNX files");
}

#[test]
fn robustness_writes_per_mask_json() {
    weights_ready();
    let json = temp("robustness.json");
    let adv = temp("adv.npy");
    let out = xai(&[
        "robustness",
        "--model",
        "mnist-cnn",
        "--dataset",
        "mnist-test",
        "--index",
        "0",
        "--random-masks",
        "4",
        "--free-prob",
        "0.8",
        "--estimator",
        "fmn",
        "--json",
        json.to_str().unwrap(),
        "--save-adversarial",
        adv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = read_json(&json);
    assert_eq!(report["estimator"], "fmn", "the estimator's one name");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in results {
        assert!(r["found"].as_bool().unwrap());
        let e = r["estimate"].as_f64().unwrap();
        assert!(e > 0.0 && e < 28.0, "estimate {e}");
        assert!(r["forward"].as_u64().unwrap() > 0 && r["backward"].as_u64().unwrap() > 0);
    }
    let npy = xai_datasets::read_npy(&adv).unwrap();
    assert_eq!(npy.shape, vec![4, 1, 28, 28]);
}

/// `--estimator` takes the names of `xai_attacks::Estimator`; DeepFool with `--norm linf` is an
/// error that names the problem, before any attack runs.
#[test]
fn robustness_estimator_names_and_norms_are_checked() {
    weights_ready();
    let run = |estimator: &str, norm: &str| {
        xai(&[
            "robustness",
            "--model",
            "mnist-cnn",
            "--dataset",
            "mnist-test",
            "--random-masks",
            "1",
            "--estimator",
            estimator,
            "--norm",
            norm,
        ])
    };
    let out = run("deepfool-fast", "linf");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("deepfool-fast") && err.contains("L2"), "{err}");
    let out = run("pgd", "l2");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bisection-pgd-strong") && err.contains("deepfool-fast"), "{err}");
    let out = run("deepfool-fast", "l2");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `xai explain --estimator` replaces the preset's robustness estimator of greedy-as (the
/// settings say which ran) and is reproducible.
#[test]
fn explain_estimator_overrides_the_presets() {
    weights_ready();
    let run = |estimator: Option<&str>, name: &str| {
        let json = temp(name);
        let mut args = vec![
            "explain",
            "--model",
            "mnist-cnn",
            "--index",
            "1",
            "--method",
            "one-step-banzhaf",
            "--preset",
            "fast",
            "--features",
            "grid:7",
            "--subsets",
            "24",
            "--json",
            json.to_str().unwrap(),
        ];
        if let Some(e) = estimator {
            args.extend(["--estimator", e]);
        }
        let out = xai(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v = read_json(&json);
        (v["settings"].to_string(), v["scores"].clone(), v["cost"].clone())
    };
    let (preset, _, preset_cost) = run(None, "banzhaf_preset.json");
    let (fmn, fmn_scores, fmn_cost) = run(Some("fmn"), "banzhaf_fmn.json");
    let (_, again, _) = run(Some("fmn"), "banzhaf_fmn_again.json");
    assert!(preset.contains(r#""estimator":"deepfool""#), "{preset}");
    assert!(fmn.contains(r#""estimator":"fmn""#), "{fmn}");
    assert_ne!(preset_cost, fmn_cost, "a different estimator, a different cost");
    assert_eq!(fmn_scores, again, "same seed, same scores");
}

/// `xai explain --print-config` prints the resolved settings of every method as JSON (tagged
/// with the explainer, with the preset's values and the overrides) and explains nothing; an
/// explanation's JSON records the same settings.
#[test]
fn explain_print_config_shows_the_resolved_settings() {
    weights_ready();
    let config = |extra: &[&str]| {
        let mut args = vec!["explain", "--model", "mnist-cnn", "--index", "2", "--print-config"];
        args.extend(extra);
        let out = xai(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    for method in xai_explain::Method::ALL {
        let v = config(&["--method", method.name(), "--preset", "fast"]);
        assert!(v["explainer"].is_string(), "{method}: {v}");
    }
    let paper = config(&["--method", "greedy-as", "--preset", "paper"]);
    assert_eq!(paper["config"]["subsets"], 5000);
    assert_eq!(paper["config"]["step_fraction"], 0.05);
    assert_eq!(paper["estimator"]["estimator"], "bisection-pgd");
    let fast = config(&["--method", "greedy-as", "--preset", "fast", "--subsets", "12"]);
    assert_eq!(fast["config"]["subsets"], 12);
    assert_eq!(fast["estimator"]["estimator"], "deepfool");
    assert_eq!(fast["estimator"]["config"]["candidates"], 2);
    let standard = config(&["--method", "integrated-gradients", "--preset", "standard"]);
    assert_eq!(standard["config"]["steps"], 64);
    assert_eq!(standard["config"]["multiply_by_input"], true);
    let ig = config(&["--method", "integrated-gradients", "--preset", "paper"]);
    assert_eq!(ig["config"]["steps"], 10, "the reference code's IG");
    assert_eq!(ig["config"]["rule"], "RiemannLeft");
    assert_eq!(ig["config"]["multiply_by_input"], false);
    assert_eq!(ig["config"]["absolute"], true);

    let json = temp("print_config_ig.json");
    let out = xai(&[
        "explain",
        "--model",
        "mnist-cnn",
        "--index",
        "2",
        "--method",
        "integrated-gradients",
        "--preset",
        "paper",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = read_json(&json);
    assert_eq!(report["settings"], ig, "the JSON records the printed settings");
}

#[test]
fn explain_writes_one_score_per_feature_and_a_png() {
    weights_ready();
    let json = temp("grad.json");
    let png = temp("grad.png");
    let out = xai(&[
        "explain",
        "--model",
        "mnist-cnn",
        "--index",
        "3",
        "--method",
        "grad",
        "--features",
        "grid:14",
        "--json",
        json.to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = read_json(&json);
    assert_eq!(report["scores"].as_array().unwrap().len(), 196);
    assert_eq!(report["method"], "grad");
    assert_eq!(report["cost"]["backward"], 1);
    // The code that made it: this checkout's commit (the tests run in a git clone).
    let commit = report["code_version"]["git_commit"].as_str().unwrap();
    assert_eq!(Some(commit), xai_core::CodeVersion::current().git_commit.as_deref());
    assert!(report["code_version"]["dirty"].is_boolean());
    assert!(std::fs::metadata(&png).unwrap().len() > 1000);
}

/// The greedy family reports each regression step on stderr, one line each (for logs of long
/// runs such as EfficientNet on a CPU).
#[test]
fn explain_reports_greedy_steps_on_stderr() {
    weights_ready();
    let json = temp("greedy-as.json");
    let out = xai(&[
        "explain",
        "--model",
        "mnist-cnn",
        "--index",
        "0",
        "--method",
        "greedy-as",
        "--preset",
        "fast",
        "--subsets",
        "16",
        "--features",
        "grid:7",
        "--json",
        json.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let steps: Vec<&str> = err.lines().filter(|l| l.contains("greedy step")).collect();
    assert!(steps.len() >= 2, "{err}");
    assert!(steps.iter().all(|l| l.contains(" done after ")), "{err}");
    let last = steps.last().unwrap();
    let (done, total) = last.split_whitespace().nth(2).unwrap().split_once('/').unwrap();
    assert_eq!(done, total, "the last report is the whole: {last}");
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    let cases: [(&[&str], &str); 7] = [
        (&["explain", "--model", "resnet-9000"], "unknown model 'resnet-9000'"),
        (&["explain", "--method", "magic"], "invalid value 'magic' for '--method"),
        (&["explain", "--preset", "turbo"], "unknown preset 'turbo'"),
        (&["explain", "--features", "grid:5"], "grid:5"),
        (&["explain", "--target", "3", "--index", "3", "--class", "3"], "target class"),
        (&["explain", "--index", "99999"], "99999"),
        (&["robustness", "--masks", "/nonexistent/masks.npy"], "/nonexistent/masks.npy"),
    ];
    weights_ready();
    for (args, expected) in cases {
        let out = xai(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} must fail");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(err.contains(expected), "{args:?}: expected '{expected}' in: {err}");
        println!("| xai {} | {} |", args.join(" "), err.trim().replace('\n', " "));
    }
    // `--method` takes exactly the registered methods: `--help` and the error list them all.
    let help = String::from_utf8_lossy(&xai(&["explain", "--help"]).stdout).into_owned();
    let err = String::from_utf8_lossy(&xai(&["explain", "--method", "magic"]).stderr).into_owned();
    for m in xai_explain::Method::ALL {
        assert!(help.contains(m.name()) && err.contains(m.name()), "{m} missing: {help}\n{err}");
    }
    // Mask files of the wrong width, or not 0/1.
    let wide = temp("masks-10-wide.npy");
    xai_datasets::write_npy_f32(&wide, &[2, 10], &[1.0; 20]).unwrap();
    let half = temp("masks-half.npy");
    xai_datasets::write_npy_f32(&half, &[2, 784], &[0.5; 2 * 784]).unwrap();
    for (path, expected) in [(&wide, "[M, 784]"), (&half, "must be 0 or 1")] {
        let out = xai(&["robustness", "--masks", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && !err.contains("panicked"), "{err}");
        assert!(err.contains(expected) && err.contains(path.to_str().unwrap()), "{err}");
        println!("| xai robustness --masks {} | {} |", path.display(), err.trim());
    }
}

#[test]
fn bench_reports_throughput_and_method_costs() {
    weights_ready();
    let json = temp("bench.json");
    let out = xai(&[
        "bench",
        "--models",
        "mnist-cnn",
        "--batch-mnist",
        "8",
        "--repeats",
        "1",
        "--methods",
        "grad,cam,random",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = read_json(&json);
    let throughput = report["throughput"].as_array().unwrap();
    assert_eq!(throughput.len(), 1);
    assert_eq!(throughput[0]["model"], "mnist-cnn");
    assert_eq!(throughput[0]["batch"], 8);
    assert!(throughput[0]["forward_per_s"].as_f64().unwrap() > 0.0);
    assert!(throughput[0]["forward_backward_per_s"].as_f64().unwrap() > 0.0);
    let methods = report["methods"].as_array().unwrap();
    assert_eq!(methods.len(), 3);
    // CAM needs a global-average-pool head, which mnist-cnn lacks: listed with the reason, and
    // the benchmark goes on.
    let cam = &methods[1];
    assert_eq!(cam["method"], "cam");
    assert_eq!(cam["repeats"], 0);
    let reason = cam["not_applicable"].as_str().unwrap();
    assert!(reason.contains("global-average-pool"), "{reason}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("| cam | fast | – | – | – | not applicable: cam needs"), "{stdout}");
    let (grad, random) = (&methods[0], &methods[2]);
    assert_eq!(grad["method"], "grad");
    assert_eq!((grad["forward"].as_u64(), grad["backward"].as_u64()), (Some(1), Some(1)));
    assert_eq!(random["method"], "random");
    // One forward pass checks the class against the model.
    assert_eq!((random["forward"].as_u64(), random["backward"].as_u64()), (Some(1), Some(0)));
    for m in [grad, random] {
        assert!(m["wall_seconds"].as_f64().unwrap() >= 0.0);
        assert_eq!(m["repeats"], 1);
        assert!(m.get("not_applicable").is_none());
    }
}

/// Same seed, same device: the JSON is identical but for the wall time; another seed draws
/// other coalitions (KernelSHAP samples them).
#[test]
fn explain_json_is_deterministic_per_seed() {
    weights_ready();
    let run = |seed: &str, name: &str| -> serde_json::Value {
        let json = temp(name);
        let out = xai(&[
            "explain",
            "--index",
            "5",
            "--method",
            "kernel-shap",
            "--preset",
            "fast",
            "--features",
            "grid:7",
            "--seed",
            seed,
            "--json",
            json.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut v = read_json(&json);
        v.as_object_mut().unwrap().remove("wall_seconds");
        v
    };
    let (a, b, c) = (run("3", "s3a.json"), run("3", "s3b.json"), run("4", "s4.json"));
    assert_eq!(a, b);
    assert_ne!(a["scores"], c["scores"]);
    assert_eq!(a["scores"].as_array().unwrap().len(), 49);
}

/// `xai explain --preset paper` gives the reference code's saliency maps (paper 000's
/// `expl_utils.saliency_expl`, fixtures in `tests/fixtures/reference/`): here IG and
/// LOO on MNIST test image 1.
#[test]
fn explain_preset_paper_matches_the_reference_code() {
    weights_ready();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/reference/saliency.json");
    let fixtures = read_json(path);
    let example = &fixtures["examples"][1];
    let index = example["index"].as_u64().unwrap().to_string();
    for method in ["integrated-gradients", "loo"] {
        let json = temp(&format!("paper-{method}.json"));
        let out = xai(&[
            "explain",
            "--model",
            "mnist-cnn",
            "--dataset",
            "mnist-test",
            "--index",
            &index,
            "--method",
            method,
            "--preset",
            "paper",
            "--json",
            json.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report = read_json(&json);
        assert_eq!(report["explained"], example["label"]);
        let ours = report["scores"].as_array().unwrap();
        let theirs = example["scores"][method].as_array().unwrap();
        assert_eq!(ours.len(), 784);
        let scale = theirs.iter().map(|v| v.as_f64().unwrap().abs()).fold(0.0, f64::max);
        let dev = ours
            .iter()
            .zip(theirs)
            .map(|(a, b)| (a.as_f64().unwrap() - b.as_f64().unwrap()).abs())
            .fold(0.0, f64::max);
        assert!(dev <= 1e-4 * scale, "{method}: max |Δ| {dev:.3e}, largest score {scale:.3e}");
    }
}
