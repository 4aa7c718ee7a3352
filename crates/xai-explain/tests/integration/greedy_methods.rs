//! Greedy, Greedy-AS and one-step Banzhaf against the closed form on linear models, and the
//! regression under them.

use burn::tensor::{Device, Tensor};
use proptest::prelude::*;
use rand::Rng;
use xai_attacks::{Fmn, FmnConfig};
use xai_core::{FeatureSpace, host::from_vec_f32, seed};
use xai_explain::{
    ExplainRequest, Explainer, Greedy, GreedyAs, GreedyAsConfig, GreedyConfig, LeastSquares,
    OneStepBanzhaf, OneStepBanzhafConfig, RobustnessObjective,
};

/// A binary linear model: logits `[0, w·x + b]`. With `x = 0.5` everywhere and a small margin
/// the box `[0, 1]` is never active, so the minimum L2 perturbation restricted to a free set
/// `F` is `|w·x + b| / ‖w_F‖` and both objectives rank features by `|w_i|`.
struct Binary {
    w: Vec<f32>,
    b: f32,
    wt: Tensor<2>,
}

impl Binary {
    fn new(d: usize, seed_: u64, device: &Device) -> Self {
        let mut rng = seed::rng(seed_);
        // Well-separated magnitudes with random signs, in random order.
        let mut mags: Vec<f32> = (0..d).map(|i| 0.5 + i as f32 * 0.25).collect();
        for i in (1..d).rev() {
            mags.swap(i, rng.random_range(0..=i));
        }
        let w: Vec<f32> =
            mags.iter().map(|m| if rng.random_bool(0.5) { *m } else { -*m }).collect();
        let norm = w.iter().map(|v| v * v).sum::<f32>().sqrt();
        let b = -0.5 * w.iter().sum::<f32>() + 0.05 * norm;
        let mut cols = vec![0.0f32; d * 2];
        for (i, wi) in w.iter().enumerate() {
            cols[i * 2 + 1] = *wi;
        }
        let wt = from_vec_f32(cols, [d, 2], device).unwrap();
        Self { w, b, wt }
    }

    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        let bias = from_vec_f32(vec![0.0, self.b], [1, 2], &x.device()).unwrap();
        x.matmul(self.wt.clone()) + bias
    }

    /// Features by descending |w|.
    fn by_magnitude(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.w.len()).collect();
        idx.sort_by(|&a, &b| self.w[b].abs().partial_cmp(&self.w[a].abs()).unwrap());
        idx
    }
}

fn fmn() -> Fmn {
    FmnConfig::new().with_steps(60).init().unwrap()
}

fn request(d: usize, device: &Device) -> ExplainRequest<2> {
    let x = Tensor::full([1, d], 0.5, device);
    ExplainRequest::new(x, vec![1], FeatureSpace::elements(&[d]).unwrap()).unwrap().with_seed(3)
}

fn top(scores: &[f32], k: usize) -> Vec<usize> {
    xai_core::attribution::ranking(scores)[..k].to_vec()
}

#[test]
fn greedy_as_chooses_the_largest_weights_first_for_both_objectives() {
    let device = Device::flex();
    let d = 20;
    let lin = Binary::new(d, 11, &device);
    let model = |x: Tensor<2>| lin.logits(x);
    for objective in [RobustnessObjective::Anchored, RobustnessObjective::Perturbed] {
        let config = GreedyAsConfig::new()
            .with_objective(objective)
            .with_subsets(400)
            .with_max_fraction(0.3);
        let explainer = GreedyAs::new(config, fmn()).unwrap();
        let out = explainer.explain(&model, &request(d, &device)).unwrap();
        let expected = lin.by_magnitude();
        // 5% of 20 features = one per step: the greedy order is the |w| order. Robustness-Sr
        // of a random 20% subset is a steep function of it (often the box binds and the value
        // is the fallback), so its regression is noisier: there the first 3 and first 6 must
        // be the right sets.
        let got = top(&out[0].scores, 6);
        match objective {
            RobustnessObjective::Anchored => assert_eq!(got, expected[..6].to_vec()),
            RobustnessObjective::Perturbed => {
                for k in [3, 6] {
                    let mut a = got[..k].to_vec();
                    let mut b = expected[..k].to_vec();
                    a.sort_unstable();
                    b.sort_unstable();
                    assert_eq!(a, b, "Perturbed, top {k}: {got:?} vs {expected:?}");
                }
            }
        }
        assert!(out[0].cost.backward > 0 && out[0].method == "greedy-as");
    }
}

#[test]
fn greedy_and_one_step_banzhaf_agree_with_the_closed_form() {
    let device = Device::flex();
    let d = 16;
    let lin = Binary::new(d, 5, &device);
    let model = |x: Tensor<2>| lin.logits(x);
    let expected = lin.by_magnitude();
    let greedy = Greedy::new(GreedyConfig::new().with_max_fraction(0.25), fmn()).unwrap();
    let out = greedy.explain(&model, &request(d, &device)).unwrap();
    assert_eq!(top(&out[0].scores, 4), expected[..4].to_vec());
    // Each step estimates v(S ∪ {i}) for every unchosen i: 16 + 15 + 14 + 13 estimates.
    let banzhaf =
        OneStepBanzhaf::new(OneStepBanzhafConfig::new().with_subsets(600), fmn()).unwrap();
    let out = banzhaf.explain(&model, &request(d, &device)).unwrap();
    // One regression is noisier than the greedy steps: the top 3 of 16 must still match.
    assert_eq!(top(&out[0].scores, 3), expected[..3].to_vec());
}

#[test]
fn targeted_greedy_as_explains_against_the_contrast_class() {
    let device = Device::flex();
    let d = 12;
    // Three classes; class 0 is far away, so reaching class 2 only needs f_2 > f_1.
    let mut rng = seed::rng(9);
    let cols: Vec<f32> = (0..d * 3).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    let w = from_vec_f32(cols.clone(), [d, 3], &device).unwrap();
    let x: Tensor<2> = Tensor::full([1, d], 0.5, &device);
    let raw: Vec<f32> = xai_core::host::to_vec_f32(x.clone().matmul(w.clone())).unwrap();
    // Bias so that class 1 wins by a small margin over both others.
    let bias = from_vec_f32(vec![-raw[0] - 5.0, -raw[1], -raw[2] - 0.12], [1, 3], &device).unwrap();
    let model = |x: Tensor<2>| x.matmul(w.clone()) + bias.clone();
    let space = FeatureSpace::elements(&[d]).unwrap();
    let req = ExplainRequest::new(x, vec![1], space).unwrap().with_contrast(vec![2]).unwrap();
    let out = GreedyAs::new(GreedyAsConfig::new().with_subsets(300).with_max_fraction(0.25), fmn())
        .unwrap()
        .explain(&model, &req)
        .unwrap();
    // Towards class 2 the relevant direction is w1 − w2: the top features are its largest.
    let diff: Vec<f32> = (0..d).map(|i| (cols[i * 3 + 1] - cols[i * 3 + 2]).abs()).collect();
    assert_eq!(top(&out[0].scores, 2), top(&diff, 2));
    assert_eq!(out[0].contrast, Some(2));
    assert!(
        ExplainRequest::new(
            Tensor::<2>::full([1, d], 0.5, &device),
            vec![1],
            FeatureSpace::elements(&[d]).unwrap()
        )
        .unwrap()
        .with_contrast(vec![1])
        .is_err(),
        "target = label must be an error"
    );
}

/// A three-class linear model `f_c(x) = w_c·x + b_c` at `x = 0.5` where the explained class 1
/// is nearest to class 0 (margin 0.1) and farther from class 2 (margin 0.5), with
/// `u = w_1 − w_0` and `v = w_1 − w_2` large on disjoint features and `u_i·v_i ≤ 0`. Without
/// the box binding, the minimum L2 perturbation with free set `F` is `0.1 / ‖u_F‖` untargeted
/// (class 0 stays the nearest for every `F` used here) and `0.5 / ‖v_F‖` targeted at class 2
/// (the step along `−v` also overtakes class 0, as `u_F·v_F ≤ 0`), so Robustness-S̄r anchors the
/// largest `|u_i|` first untargeted and the largest `|v_i|` first targeted: features 3, 7, 0
/// against 10, 5, 1.
struct Contrast {
    u: Vec<f32>,
    v: Vec<f32>,
    w: Tensor<2>,
    bias: Tensor<2>,
}

impl Contrast {
    const U: [f32; 12] = [0.9, 0.2, 0.3, 1.6, 0.25, 0.1, 0.4, 1.25, 0.3, 0.2, 0.05, 0.35];
    const V: [f32; 12] =
        [-0.1, -0.9, -0.3, -0.05, -0.2, -1.25, -0.35, -0.1, -0.25, -0.4, -1.6, -0.3];

    fn new(device: &Device) -> Self {
        let (u, v) = (Self::U.to_vec(), Self::V.to_vec());
        // w_0 = −u, w_1 = 0, w_2 = −v: f_1 − f_0 = u·x − b_0, f_1 − f_2 = v·x − b_2.
        let cols: Vec<f32> = (0..12).flat_map(|i| [-u[i], 0.0, -v[i]]).collect();
        let half = |a: &[f32]| a.iter().sum::<f32>() * 0.5;
        let bias = vec![half(&u) - 0.1, 0.0, half(&v) - 0.5];
        Self {
            w: from_vec_f32(cols, [12, 3], device).unwrap(),
            bias: from_vec_f32(bias, [1, 3], device).unwrap(),
            u,
            v,
        }
    }

    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.w.clone()) + self.bias.clone()
    }

    /// Untargeted and targeted (contrast class 2) requests for class 1 at `x = 0.5`.
    fn requests(&self, device: &Device) -> [ExplainRequest<2>; 2] {
        let x = Tensor::full([1, 12], 0.5, device);
        let space = FeatureSpace::elements(&[12]).unwrap();
        let plain = ExplainRequest::new(x, vec![1], space).unwrap().with_seed(3);
        [plain.clone(), plain.with_contrast(vec![2]).unwrap()]
    }

    /// Features by descending `|u|` (untargeted) and by descending `|v|` (targeted).
    fn expected(&self) -> [Vec<usize>; 2] {
        let abs = |a: &[f32]| a.iter().map(|v| v.abs()).collect::<Vec<f32>>();
        [top(&abs(&self.u), 12), top(&abs(&self.v), 12)]
    }
}

/// Checks an explainer's top 3 on [`Contrast`]: by `|u|` untargeted, by `|v|` towards class 2.
fn check_contrast<E: Explainer<2>>(explainer: &E) {
    let device = Device::flex();
    let lin = Contrast::new(&device);
    let model = |x: Tensor<2>| lin.logits(x);
    let [untargeted, targeted] = lin.requests(&device);
    let [by_u, by_v] = lin.expected();
    assert_eq!((by_u[..3].to_vec(), by_v[..3].to_vec()), (vec![3, 7, 0], vec![10, 5, 1]));
    // Class 1 wins by 0.1 over class 0 and by 0.5 over class 2.
    let f = xai_core::host::to_vec_f32(model(untargeted.inputs().clone())).unwrap();
    assert!((f[1] - f[0] - 0.1).abs() < 1e-5 && (f[1] - f[2] - 0.5).abs() < 1e-5, "{f:?}");
    for (request, expected, contrast) in [(&untargeted, &by_u, None), (&targeted, &by_v, Some(2))] {
        let out = &explainer.explain(&model, request).unwrap()[0];
        let name = explainer.name();
        assert_eq!(top(&out.scores, 3), expected[..3].to_vec(), "{name}, contrast {contrast:?}");
        assert_eq!((out.contrast, out.method.as_str()), (contrast, name.as_str()));
    }
}

#[test]
fn targeted_greedy_explains_against_the_contrast_class() {
    // One feature per step (5% of 12 rounds to 1), 3 steps.
    check_contrast(&Greedy::new(GreedyConfig::new().with_max_fraction(0.25), fmn()).unwrap());
}

#[test]
fn targeted_one_step_banzhaf_explains_against_the_contrast_class() {
    let config = OneStepBanzhafConfig::new().with_subsets(600);
    check_contrast(&OneStepBanzhaf::new(config, fmn()).unwrap());
}

#[test]
fn same_seed_same_result_different_seed_different_samples() {
    let device = Device::flex();
    let d = 10;
    let lin = Binary::new(d, 2, &device);
    let model = |x: Tensor<2>| lin.logits(x);
    let banzhaf = OneStepBanzhaf::new(OneStepBanzhafConfig::new().with_subsets(50), fmn()).unwrap();
    let a = banzhaf.explain(&model, &request(d, &device)).unwrap();
    let b = banzhaf.explain(&model, &request(d, &device)).unwrap();
    let c = banzhaf.explain(&model, &request(d, &device).with_seed(4)).unwrap();
    assert_eq!(a[0].scores, b[0].scores);
    assert_ne!(a[0].scores, c[0].scores);
}

#[test]
fn bad_settings_are_errors() {
    let bad = [
        GreedyAsConfig::new().with_step_fraction(0.0),
        GreedyAsConfig::new().with_max_fraction(1.5),
        GreedyAsConfig::new().with_include_prob(1.0),
        GreedyAsConfig::new().with_subsets(1),
        GreedyAsConfig::new().with_ridge(-1.0),
    ];
    for config in bad {
        assert!(GreedyAs::new(config.clone(), fmn()).is_err(), "{config:?}");
    }
    assert!(GreedyAs::fast().is_ok());
}

#[test]
fn regression_recovers_exact_coefficients_and_flags_singular_designs() {
    let mut rng = seed::rng(1);
    let (rows, cols) = (200, 6);
    let truth = [1.0f64, -2.0, 0.5, 3.0, 0.0, -1.5];
    let design: Vec<f32> = (0..rows * cols).map(|_| rng.random_range(0..2) as f32).collect();
    let y: Vec<f32> = (0..rows)
        .map(|r| 0.7 + (0..cols).map(|j| truth[j] as f32 * design[r * cols + j]).sum::<f32>())
        .collect();
    let fit = LeastSquares::default().fit(&design, cols, &y, None).unwrap();
    for (c, t) in fit.coefficients.iter().zip(truth) {
        assert!((c - t).abs() < 1e-4, "{c} vs {t}");
    }
    assert!((fit.intercept - 0.7).abs() < 1e-4 && !fit.degenerate);
    // A column that never varies is collinear with the intercept.
    let mut singular = design.clone();
    (0..rows).for_each(|r| singular[r * cols + 4] = 1.0);
    let fit = LeastSquares::default().fit(&singular, cols, &y, None).unwrap();
    assert!(fit.degenerate && fit.rank == cols);
    assert!(fit.coefficients.iter().all(|c| c.is_finite()));
    // Bad input.
    assert!(LeastSquares::default().fit(&design[1..], cols, &y, None).is_err());
    let mut nan = y.clone();
    nan[3] = f32::NAN;
    assert!(LeastSquares::default().fit(&design, cols, &nan, None).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Normal equations: the residual is orthogonal to every column and to the intercept.
    #[test]
    fn residual_is_orthogonal_to_the_design(seed_ in 0u64..1000, rows in 12usize..40, cols in 1usize..6) {
        let mut rng = seed::rng(seed_);
        let design: Vec<f32> = (0..rows * cols).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        let y: Vec<f32> = (0..rows).map(|_| rng.random_range(-3.0f32..3.0)).collect();
        let weights: Vec<f64> = (0..rows).map(|_| rng.random_range(0.1..2.0)).collect();
        let fit = LeastSquares::default().fit(&design, cols, &y, Some(&weights)).unwrap();
        let resid: Vec<f64> = (0..rows).map(|r| {
            let pred: f64 = fit.intercept + (0..cols).map(|j| fit.coefficients[j] * design[r * cols + j] as f64).sum::<f64>();
            (y[r] as f64 - pred) * weights[r]
        }).collect();
        let scale: f64 = y.iter().map(|v| (*v as f64).abs()).sum::<f64>() + 1.0;
        prop_assert!(resid.iter().sum::<f64>().abs() < 1e-6 * scale * rows as f64);
        for j in 0..cols {
            let dot: f64 = (0..rows).map(|r| resid[r] * design[r * cols + j] as f64).sum();
            prop_assert!(dot.abs() < 1e-6 * scale * rows as f64, "column {} dot {}", j, dot);
        }
    }
}

#[test]
fn greedy_as_reports_its_steps_in_order() {
    use std::sync::{Arc, Mutex};
    let device = Device::flex();
    let d = 20;
    let m = Binary::new(d, 21, &device);
    let model = |x: Tensor<2>| m.logits(x);
    let seen: Arc<Mutex<Vec<(usize, usize, usize)>>> = Arc::default();
    let sink = seen.clone();
    let hook = xai_explain::ProgressHook::new(move |p| {
        assert_eq!(p.stage, "greedy step");
        sink.lock().unwrap().push((p.row, p.done, p.total));
    });
    let req = request(d, &device).with_progress(hook);
    // 10% of 20 features per step up to 50%: 5 steps.
    let config = GreedyAsConfig::new().with_step_fraction(0.1).with_subsets(60);
    GreedyAs::new(config, xai_attacks::DeepFoolConfig::fast().init().unwrap())
        .unwrap()
        .explain(&model, &req)
        .unwrap();
    let seen = seen.lock().unwrap();
    let expected: Vec<(usize, usize, usize)> = (0..=5).map(|t| (0, t, 5)).collect();
    assert_eq!(*seen, expected);
}

/// The preset names the robustness estimator of Greedy, Greedy-AS and one-step Banzhaf
/// (bisection-PGD for `paper`, 2-rival DeepFool for `fast`), and `MethodOptions::estimator`
/// overrides it; every other setting stays the preset's.
#[test]
fn presets_name_the_greedy_estimator_and_options_override_it() {
    use xai_attacks::Estimator;
    use xai_explain::{AnyExplainer, Method, MethodOptions, Preset};
    let cases = [
        (Preset::Paper, None, Estimator::BisectionPgd),
        (Preset::Fast, None, Estimator::DeepfoolFast),
        (Preset::Fast, Some(Estimator::Fmn), Estimator::Fmn),
        (Preset::Paper, Some(Estimator::Deepfool), Estimator::Deepfool),
    ];
    for method in [Method::Greedy, Method::GreedyAs, Method::OneStepBanzhaf] {
        for (preset, estimator, expected) in cases {
            let options = MethodOptions::<4> { preset, estimator, ..Default::default() };
            let held = format!("{:?}", AnyExplainer::new(method, &options).unwrap());
            let want = format!("estimator: {:?}", expected.build(xai_core::Norm::L2).unwrap());
            assert!(held.contains(&want), "{method} {preset:?} {estimator:?}: {held}");
            let preset_only = MethodOptions::<4> { preset, ..Default::default() };
            let config = |s: &str| s.split(", estimator").next().unwrap().to_string();
            let base = format!("{:?}", AnyExplainer::new(method, &preset_only).unwrap());
            assert_eq!(config(&held), config(&base), "{method}: only the estimator changes");
        }
    }
}
