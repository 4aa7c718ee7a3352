//! Curve metrics against closed forms on linear models, and the AUC by hand.

use burn::tensor::{Device, Tensor};
use proptest::prelude::*;
use rand::Rng;
use xai_attacks::FmnConfig;
use xai_core::host::from_vec_f32;
use xai_core::{Attribution, ClassScore, Cost, FeatureSpace, Reference, seed};
use xai_explain::RobustnessObjective;
use xai_metrics::auc::trapezoid;
use xai_metrics::{
    Better, Criterion, InsertionDeletion, InsertionDeletionConfig, RobustnessCurve,
    RobustnessCurveConfig,
};

/// Logits `[0, w·x + b]` with `x = 0.5` and a small margin: the box is never active, so the
/// minimum L2 perturbation on a free set `F` is `|w·x + b| / ‖w_F‖`.
fn binary(d: usize, seed_: u64, device: &Device) -> (Vec<f32>, f32, Tensor<2>) {
    let mut rng = seed::rng(seed_);
    let w: Vec<f32> = (0..d)
        .map(|_| rng.random_range(0.3f32..2.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 })
        .collect();
    let norm = w.iter().map(|v| v * v).sum::<f32>().sqrt();
    let b = -0.5 * w.iter().sum::<f32>() + 0.05 * norm;
    let mut cols = vec![0.0f32; d * 2];
    for (i, wi) in w.iter().enumerate() {
        cols[i * 2 + 1] = *wi;
    }
    (w, b, from_vec_f32(cols, [d, 2], device).unwrap())
}

#[test]
fn robustness_curves_match_the_closed_form() {
    let device = Device::flex();
    let d = 40;
    let (w, b, wt) = binary(d, 3, &device);
    let bias = from_vec_f32(vec![0.0, b], [1, 2], &device).unwrap();
    let model = |x: Tensor<2>| x.matmul(wt.clone()) + bias.clone();
    let margin = (0.5 * w.iter().sum::<f32>() + b).abs() as f64;
    let space = FeatureSpace::elements(&[d]).unwrap();
    let x: Tensor<2> = Tensor::full([2, d], 0.5, &device);
    // Two explanations: |w| (good) and its reverse (bad).
    let good: Vec<f32> = w.iter().map(|v| v.abs()).collect();
    let bad: Vec<f32> = good.iter().map(|v| -v).collect();
    let atts = vec![
        Attribution::new("good", 1, good, Cost::default()).unwrap(),
        Attribution::new("bad", 1, bad, Cost::default()).unwrap(),
    ];
    let fmn = FmnConfig::new().init().unwrap();
    for objective in [RobustnessObjective::Anchored, RobustnessObjective::Perturbed] {
        let curve = RobustnessCurve::new(
            RobustnessCurveConfig::new().with_objective(objective),
            fmn.clone(),
        )
        .unwrap();
        let report = curve.evaluate(&model, x.clone(), &[1, 1], None, &atts, &space).unwrap();
        assert_eq!(report.x_percent.len(), 9);
        for (e, att) in atts.iter().enumerate() {
            for (j, q) in [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45].iter().enumerate() {
                let top = att.top_fraction(*q).unwrap();
                let free = match objective {
                    RobustnessObjective::Anchored => top.complement(),
                    RobustnessObjective::Perturbed => top,
                };
                let wf: f64 =
                    free.indices().iter().map(|&i| (w[i] as f64).powi(2)).sum::<f64>().sqrt();
                let truth = margin / wf;
                let got = report.per_example[e][j];
                // The closed form moves feature i by margin·|w_i|/‖w_F‖²; where that leaves the
                // box [0, 1] (room 0.5) the true minimum is larger: only check the bound.
                let wmax = free.indices().iter().map(|&i| w[i].abs() as f64).fold(0.0, f64::max);
                if margin * wmax / (wf * wf) > 0.5 {
                    assert!(got >= truth * (1.0 - 1e-4), "{objective:?} {e} {q}: {got} < {truth}");
                    continue;
                }
                assert!(
                    got >= truth * (1.0 - 1e-4) && got <= truth * 1.01,
                    "{objective:?} example {e} q {q}: {got} vs {truth}"
                );
            }
        }
        // The good explanation wins in the metric's direction.
        match report.better {
            Better::Higher => assert!(report.auc_per_example[0] > report.auc_per_example[1]),
            Better::Lower => assert!(report.auc_per_example[0] < report.auc_per_example[1]),
        }
        let mean_auc = trapezoid(&report.x_percent, &report.mean).unwrap();
        assert!((mean_auc - report.auc).abs() < 1e-9 * mean_auc.abs().max(1.0));
        assert!(report.cost.backward > 0);
    }
}

#[test]
fn insertion_and_deletion_match_the_linear_closed_form() {
    let device = Device::flex();
    let d = 20;
    let mut rng = seed::rng(8);
    let w: Vec<f32> = (0..d).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    let xs: Vec<f32> = (0..d).map(|_| rng.random_range(0.0f32..1.0)).collect();
    let mut cols = vec![0.0f32; d * 2];
    for i in 0..d {
        cols[i * 2] = w[i];
    }
    let wt = from_vec_f32(cols, [d, 2], &device).unwrap();
    let model = |x: Tensor<2>| x.matmul(wt.clone());
    let x = from_vec_f32(xs.clone(), [1, d], &device).unwrap();
    let scores: Vec<f32> = (0..d).map(|i| rng.random_range(0.0f32..1.0) + i as f32 * 0.0).collect();
    let att = Attribution::new("any", 0, scores, Cost::default()).unwrap();
    let space = FeatureSpace::elements(&[d]).unwrap();
    for criterion in [Criterion::Insertion, Criterion::Deletion] {
        let config =
            InsertionDeletionConfig::new(criterion).with_reference(Reference::Constant(0.25));
        let report = InsertionDeletion::new(config)
            .unwrap()
            .evaluate(&model, x.clone(), &[0], &[att.clone()], &space, 0)
            .unwrap();
        for (j, q) in [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45].iter().enumerate() {
            let top = att.top_fraction(*q).unwrap();
            let truth: f64 = (0..d)
                .map(|i| {
                    let keep = top.get(i) == (criterion == Criterion::Insertion);
                    w[i] as f64 * if keep { xs[i] as f64 } else { 0.25 }
                })
                .sum();
            assert!((report.per_example[0][j] - truth).abs() < 1e-5, "{criterion:?} q {q}");
        }
        assert_eq!(report.cost.forward, 9);
        assert_eq!(report.cost.backward, 0);
    }
    // Probability scale and random references: in [0, 1], seeded.
    let config = InsertionDeletionConfig::new(Criterion::Insertion)
        .with_score(ClassScore::Probability)
        .with_draws(3);
    let metric = InsertionDeletion::new(config).unwrap();
    let a = metric.evaluate(&model, x.clone(), &[0], &[att.clone()], &space, 1).unwrap();
    let b = metric.evaluate(&model, x.clone(), &[0], &[att.clone()], &space, 1).unwrap();
    let c = metric.evaluate(&model, x.clone(), &[0], &[att.clone()], &space, 2).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.per_example, c.per_example);
    assert!(a.per_example[0].iter().all(|p| (0.0..=1.0).contains(p)));
    assert_eq!(a.cost.forward, 27);
}

#[test]
fn bad_inputs_are_errors() {
    let device = Device::flex();
    assert!(
        InsertionDeletion::new(
            InsertionDeletionConfig::new(Criterion::Deletion).with_fractions(vec![0.2, 0.1])
        )
        .is_err()
    );
    assert!(
        InsertionDeletion::new(InsertionDeletionConfig::new(Criterion::Deletion).with_draws(0))
            .is_err()
    );
    let fmn = FmnConfig::new().init().unwrap();
    assert!(
        RobustnessCurve::new(
            RobustnessCurveConfig::new().with_fractions(vec![0.0, 0.5]),
            fmn.clone()
        )
        .is_err()
    );
    let curve = RobustnessCurve::new(RobustnessCurveConfig::new(), fmn).unwrap();
    let model = |x: Tensor<2>| x.clone().matmul(Tensor::ones([4, 2], &x.device()));
    let space = FeatureSpace::elements(&[4]).unwrap();
    let att = Attribution::new("a", 0, vec![1.0; 5], Cost::default()).unwrap();
    let x: Tensor<2> = Tensor::full([1, 4], 0.5, &device);
    assert!(curve.evaluate(&model, x.clone(), &[0], None, &[att], &space).is_err(), "wrong width");
    let att = Attribution::new("a", 0, vec![1.0; 4], Cost::default()).unwrap();
    assert!(curve.evaluate(&model, x, &[0, 1], None, &[att], &space).is_err(), "label count");
    assert!(trapezoid(&[0.0, 1.0], &[1.0, f64::NAN]).is_err());
    assert!(trapezoid(&[1.0, 0.0], &[1.0, 1.0]).is_err());
}

#[test]
fn trapezoid_by_hand() {
    // (10 − 5)·(1 + 3)/2 + (20 − 10)·(3 + 0)/2 = 10 + 15.
    assert_eq!(trapezoid(&[5.0, 10.0, 20.0], &[1.0, 3.0, 0.0]).unwrap(), 25.0);
}

proptest! {
    /// The AUC is linear in y and equals the width times a constant value.
    #[test]
    fn trapezoid_is_linear(ys in proptest::collection::vec(-10.0f64..10.0, 9), k in -3.0f64..3.0, c in -5.0f64..5.0) {
        let x: Vec<f64> = (1..=9).map(|i| i as f64 * 5.0).collect();
        let scaled: Vec<f64> = ys.iter().map(|y| k * y + c).collect();
        let lhs = trapezoid(&x, &scaled).unwrap();
        let rhs = k * trapezoid(&x, &ys).unwrap() + c * 40.0;
        prop_assert!((lhs - rhs).abs() < 1e-9 * (1.0 + lhs.abs()));
    }
}

/// Spearman's ρ, the paired t-test, SENS and the sanity check against values worked out by
/// hand.
mod rank_significance_sensitivity_sanity {
    use burn::tensor::{Device, Tensor};
    use rand::Rng;
    use std::cell::Cell;
    use xai_core::host::from_vec_f32;
    use xai_core::{Attribution, Classifier, Cost, FeatureSpace, seed};
    use xai_explain::{ExplainRequest, Explainer, Grad};
    use xai_metrics::rank_correlation::average_ranks;
    use xai_metrics::{
        Better, Outcome, Sensitivity, SensitivityConfig, paired_t_test, sanity_check,
        sanity_from_attributions, spearman,
    };

    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol
    }

    #[test]
    fn spearman_by_hand() {
        // One swapped pair: Σd² = 2, ρ = 1 − 6·2/(4·(16 − 1)) = 0.8.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
        assert!(close(rho, 0.8, 1e-12), "{rho}");
        // Ties take the average rank: [3, 1, 3, 2, 3] → [4, 1, 4, 2, 4].
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]), vec![4.0, 1.0, 4.0, 2.0, 4.0]);
        // [1, 2, 2, 3] → ranks [1, 2.5, 2.5, 4] against [1, 2, 3, 4]: deviations from 2.5 are
        // [−1.5, 0, 0, 1.5] and [−1.5, −0.5, 0.5, 1.5]; cov 4.5, variances 4.5 and 5, so
        // ρ = 4.5 / √22.5 = 3/√10.
        let rho = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(close(rho, 3.0 / 10f64.sqrt(), 1e-12), "{rho}");
        // Only ranks matter: a monotone transform keeps ρ = 1; reversal gives −1.
        let a = [0.3f32, -2.0, 5.0, 0.1, 7.5, 1.0];
        let cubed: Vec<f32> = a.iter().map(|v| v * v * v + 10.0).collect();
        assert!(close(spearman(&a, &cubed).unwrap(), 1.0, 1e-12));
        let neg: Vec<f32> = a.iter().map(|v| -v).collect();
        assert!(close(spearman(&a, &neg).unwrap(), -1.0, 1e-12));
        assert!(close(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap(), -1.0, 1e-12));
        // A constant map carries no ranking: 0, whichever side it is on.
        assert_eq!(spearman(&[2.0; 4], &[1.0, 2.0, 3.0, 4.0]).unwrap(), 0.0);
        assert_eq!(spearman(&[1.0, 2.0, 3.0, 4.0], &[0.0; 4]).unwrap(), 0.0);
        // Errors: NaN, length mismatch, fewer than two values.
        assert!(spearman(&[1.0, f32::NAN, 3.0], &[1.0, 2.0, 3.0]).is_err());
        assert!(spearman(&[1.0, 2.0, 3.0], &[1.0, 2.0, f32::NAN]).is_err());
        assert!(spearman(&[1.0, 2.0, 3.0], &[1.0, 2.0]).is_err());
        assert!(spearman(&[1.0], &[1.0]).is_err());
    }

    #[test]
    fn paired_t_test_by_hand() {
        // Differences [1, 2, 3, 4, 5]: mean 3, s² = 10/4 = 2.5, t = 3/√(2.5/5) = 3√2, df 4.
        // Student's t with 4 df: P(|T| > t) = 1 − u(1 + (1 − u²)/2), u = t/√(4 + t²) = 3/√11,
        // so p = 1 − 36/(11√11) ≈ 0.0132356.
        let b = [10.0, 20.0, 30.0, 40.0, 50.0];
        let a: Vec<f64> = b.iter().zip(1..=5).map(|(x, d)| x + d as f64).collect();
        let p_hand = 1.0 - 36.0 / (11.0 * 11f64.sqrt());
        let r = paired_t_test(&a, &b, Better::Higher, 0.05).unwrap();
        assert!(close(r.mean_difference, 3.0, 1e-12));
        assert!(close(r.t, 3.0 * 2f64.sqrt(), 1e-6), "t = {}", r.t);
        assert_eq!(r.degrees_of_freedom, 4.0);
        assert!(close(r.p_value, p_hand, 1e-6), "p = {} vs {p_hand}", r.p_value);
        assert!(close(r.p_value, 0.0132356, 1e-6));
        assert_eq!(r.outcome, Outcome::Win);
        // Same data, lower is better: A loses; swapped samples mirror both.
        assert_eq!(paired_t_test(&a, &b, Better::Lower, 0.05).unwrap().outcome, Outcome::Loss);
        let swapped = paired_t_test(&b, &a, Better::Higher, 0.05).unwrap();
        assert_eq!(swapped.outcome, Outcome::Loss);
        assert!(close(swapped.t, -3.0 * 2f64.sqrt(), 1e-6));
        assert!(close(swapped.p_value, p_hand, 1e-6));
        assert_eq!(paired_t_test(&b, &a, Better::Lower, 0.05).unwrap().outcome, Outcome::Win);
        // Not significant at 1%: a draw.
        assert_eq!(paired_t_test(&a, &b, Better::Higher, 0.01).unwrap().outcome, Outcome::Draw);

        // Differences [−1, −3, −8] (df 2): mean −4, s² = 26/2 = 13, t = −4/√(13/3);
        // with 2 df P(|T| > t) = 1 − |t|/√(2 + t²) = 1 − √(48/74).
        let r = paired_t_test(&[0.0, 0.0, 0.0], &[1.0, 3.0, 8.0], Better::Lower, 0.05).unwrap();
        assert!(close(r.t, -4.0 / (13.0f64 / 3.0).sqrt(), 1e-6));
        assert!(close(r.p_value, 1.0 - (48.0f64 / 74.0).sqrt(), 1e-6), "p = {}", r.p_value);
        assert_eq!(r.outcome, Outcome::Draw);

        // Equal samples: no difference at all, p = 1.
        let same = paired_t_test(&b, &b, Better::Higher, 0.05).unwrap();
        assert_eq!((same.t, same.p_value, same.outcome), (0.0, 1.0, Outcome::Draw));
        // A constant non-zero difference is certain: t = ±∞, p = 0.
        let shifted: Vec<f64> = b.iter().map(|x| x + 1.0).collect();
        let r = paired_t_test(&shifted, &b, Better::Higher, 0.05).unwrap();
        assert_eq!((r.t, r.p_value, r.outcome), (f64::INFINITY, 0.0, Outcome::Win));
        let r = paired_t_test(&shifted, &b, Better::Lower, 0.05).unwrap();
        assert_eq!(r.outcome, Outcome::Loss);

        // Errors: lengths, too few pairs, alpha outside (0, 1), non-finite values.
        assert!(paired_t_test(&[1.0, 2.0], &[1.0, 2.0, 3.0], Better::Higher, 0.05).is_err());
        assert!(paired_t_test(&[1.0], &[2.0], Better::Higher, 0.05).is_err());
        for alpha in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
            assert!(paired_t_test(&a, &b, Better::Higher, alpha).is_err(), "alpha {alpha}");
        }
        assert!(paired_t_test(&[1.0, f64::NAN], &[1.0, 2.0], Better::Higher, 0.05).is_err());
        assert!(paired_t_test(&[1.0, 2.0], &[1.0, f64::INFINITY], Better::Higher, 0.05).is_err());
    }

    /// Returns the same scores for every row and every call; each row costs 1 forward.
    struct Fixed(Vec<f32>);

    impl Explainer<2> for Fixed {
        fn name(&self) -> String {
            "fixed".into()
        }
        fn explain<M: Classifier<2>>(
            &self,
            _model: &M,
            request: &ExplainRequest<2>,
        ) -> xai_core::Result<Vec<Attribution>> {
            let cost = Cost { forward: 1, backward: 0 };
            (0..request.rows())
                .map(|r| Attribution::new("fixed", request.classes()[r], self.0.clone(), cost))
                .collect()
        }
    }

    /// Fresh uniform scores on every call (seeded by the call count): a maximally unstable
    /// explainer.
    struct Noisy {
        calls: Cell<u64>,
    }

    impl Explainer<2> for Noisy {
        fn name(&self) -> String {
            "noisy".into()
        }
        fn explain<M: Classifier<2>>(
            &self,
            _model: &M,
            request: &ExplainRequest<2>,
        ) -> xai_core::Result<Vec<Attribution>> {
            let call = self.calls.get();
            self.calls.set(call + 1);
            let n = request.space().n_features();
            let mut rng = seed::stream_rng(request.seed(), call);
            (0..request.rows())
                .map(|r| {
                    let scores = (0..n).map(|_| rng.random::<f32>()).collect();
                    Attribution::new("noisy", request.classes()[r], scores, Cost::default())
                })
                .collect()
        }
    }

    /// Logits `[x·w, 0]` with `w_i = (i + 1)/10` and alternating signs (so `|w|` increases).
    fn linear(d: usize, reversed: bool, device: &Device) -> Tensor<2> {
        let mut cols = vec![0.0f32; d * 2];
        for i in 0..d {
            let j = if reversed { d - 1 - i } else { i };
            cols[i * 2] = (j as f32 + 1.0) / 10.0 * if j % 2 == 0 { 1.0 } else { -1.0 };
        }
        from_vec_f32(cols, [d, 2], device).unwrap()
    }

    #[test]
    fn sensitivity_is_zero_for_stable_explainers_and_positive_for_noise() {
        let device = Device::flex();
        let d = 30;
        let wt = linear(d, false, &device);
        let model = |x: Tensor<2>| x.matmul(wt.clone());
        let space = FeatureSpace::elements(&[d]).unwrap();
        let mut rng = seed::rng(4);
        let xs: Vec<f32> = (0..3 * d).map(|_| rng.random_range(0.2f32..0.8)).collect();
        let x = from_vec_f32(xs, [3, d], &device).unwrap();
        let request = ExplainRequest::new(x, vec![0, 0, 0], space).unwrap().with_seed(9);
        let samples = 6;
        let sens = Sensitivity::new(SensitivityConfig::new().with_samples(samples)).unwrap();

        // The same scores everywhere: the top-20% set never moves.
        let fixed = Fixed((0..d).map(|i| ((i * 7) % d) as f32).collect());
        let report = sens.evaluate(&fixed, &model, &request).unwrap();
        assert_eq!(report.per_example, vec![0.0; 3]);
        assert_eq!(report.mean, 0.0);
        // 3 inputs + 3 × 6 neighbours, one forward each.
        assert_eq!(report.cost, Cost { forward: 3 * (samples as u64 + 1), backward: 0 });

        // The gradient of a linear model is the same at every point.
        let report = sens.evaluate(&Grad::default(), &model, &request).unwrap();
        assert_eq!(report.per_example, vec![0.0; 3]);
        let n = 3 * (samples as u64 + 1);
        assert_eq!(report.cost, Cost { forward: n, backward: n });

        // New random scores for every call: the set changes, and SENS is in (0, 1].
        let a = sens.evaluate(&Noisy { calls: Cell::new(0) }, &model, &request).unwrap();
        assert!(a.per_example.iter().all(|s| *s > 0.0 && *s <= 1.0), "{:?}", a.per_example);
        assert!(a.mean > 0.2, "{}", a.mean);
        // Seeded: the same run gives the same report.
        let b = sens.evaluate(&Noisy { calls: Cell::new(0) }, &model, &request).unwrap();
        assert_eq!(a, b);

        // Bad settings are errors.
        let bad = [
            SensitivityConfig::new().with_radius(0.0),
            SensitivityConfig::new().with_radius(-0.1),
            SensitivityConfig::new().with_radius(f64::NAN),
            SensitivityConfig::new().with_radius(f64::INFINITY),
            SensitivityConfig::new().with_fraction(0.0),
            SensitivityConfig::new().with_fraction(1.5),
            SensitivityConfig::new().with_fraction(f64::NAN),
            SensitivityConfig::new().with_samples(0),
        ];
        for config in bad {
            assert!(Sensitivity::new(config.clone()).is_err(), "{config:?}");
        }
        assert!(Sensitivity::new(SensitivityConfig::new().with_fraction(1.0)).is_ok());
    }

    #[test]
    fn sanity_correlations_by_hand() {
        let att = |s: Vec<f32>, forward| {
            Attribution::new("m", 0, s, Cost { forward, backward: 1 }).unwrap()
        };
        let maps = vec![att(vec![0.1, 0.5, 0.2, 0.9], 1), att(vec![3.0, -1.0, 2.0, 0.0], 2)];
        let same = sanity_from_attributions(&maps, &maps).unwrap();
        assert_eq!(same.per_example.len(), 2);
        assert!(same.per_example.iter().all(|r| close(*r, 1.0, 1e-12)));
        assert!(close(same.mean, 1.0, 1e-12));
        assert_eq!(same.cost, Cost { forward: 6, backward: 4 });
        let reversed: Vec<Attribution> =
            maps.iter().map(|a| att(a.scores.iter().map(|v| -v).collect(), 0)).collect();
        let r = sanity_from_attributions(&maps, &reversed).unwrap();
        assert!(r.per_example.iter().all(|r| close(*r, -1.0, 1e-12)), "{:?}", r.per_example);
        assert!(close(r.mean, -1.0, 1e-12));
        // One map the same, one with a swapped pair (ρ = 0.8 as in `spearman_by_hand`).
        let swapped = vec![maps[0].clone(), att(vec![3.0, -1.0, 0.0, 2.0], 0)];
        let r = sanity_from_attributions(&maps, &swapped).unwrap();
        assert!(close(r.per_example[1], 0.8, 1e-12), "{:?}", r.per_example);
        assert!(close(r.mean, 0.9, 1e-12));
        // Errors: different counts, nothing to compare, different widths.
        assert!(sanity_from_attributions(&maps, &maps[..1]).is_err());
        assert!(sanity_from_attributions(&[], &[]).is_err());
        let short = vec![att(vec![1.0, 2.0], 0), att(vec![1.0, 2.0], 0)];
        assert!(sanity_from_attributions(&maps, &short).is_err());
    }

    #[test]
    fn sanity_check_with_grad_on_reversed_linear_models_is_minus_one() {
        let device = Device::flex();
        let d = 12;
        let (wa, wb) = (linear(d, false, &device), linear(d, true, &device));
        let original = |x: Tensor<2>| x.matmul(wa.clone());
        let randomized = |x: Tensor<2>| x.matmul(wb.clone());
        let space = FeatureSpace::elements(&[d]).unwrap();
        let x: Tensor<2> = Tensor::full([2, d], 0.5, &device);
        let request = ExplainRequest::new(x, vec![0, 0], space).unwrap();
        // |∇| = |w| increases with i on one model and decreases on the other.
        let r = sanity_check(&Grad::default(), &original, &randomized, &request).unwrap();
        assert!(r.per_example.iter().all(|p| close(*p, -1.0, 1e-12)), "{:?}", r.per_example);
        assert!(close(r.mean, -1.0, 1e-12));
        assert_eq!(r.cost, Cost { forward: 4, backward: 4 });
        // The same model on both sides: ρ = 1.
        let r = sanity_check(&Grad::default(), &original, &original, &request).unwrap();
        assert!(close(r.mean, 1.0, 1e-12));
    }
}

#[test]
fn evaluation_suite_equals_its_parts_and_ranks_good_over_bad() {
    use xai_metrics::{EvaluationSuite, EvaluationSuiteConfig, TableCriterion};
    let device = Device::flex();
    let d = 30;
    let (w, b, wt) = binary(d, 5, &device);
    let bias = from_vec_f32(vec![0.0, b], [1, 2], &device).unwrap();
    let model = |x: Tensor<2>| x.matmul(wt.clone()) + bias.clone();
    let space = FeatureSpace::elements(&[d]).unwrap();
    let x: Tensor<2> = Tensor::full([2, d], 0.5, &device);
    // A good ranking and its reverse. Robustness: by |w| (the closed form |margin| / ‖w_F‖).
    // Insertion/Deletion with reference 0 at x = 0.5: feature i adds 0.5·w_i to class 1's
    // logit, so by signed w.
    let pair = |scores: Vec<f32>| {
        let reversed: Vec<f32> = scores.iter().map(|v| -v).collect();
        vec![
            Attribution::new("good", 1, scores, Cost::default()).unwrap(),
            Attribution::new("bad", 1, reversed, Cost::default()).unwrap(),
        ]
    };
    let by_magnitude = pair(w.iter().map(|v| v.abs()).collect());
    let by_sign = pair(w.clone());
    let fmn = FmnConfig::new().init().unwrap();
    let config =
        EvaluationSuiteConfig { reference: Reference::Constant(0.0), ..Default::default() };
    let suite = EvaluationSuite::new(config, fmn.clone()).unwrap();
    assert_eq!(suite.fractions().len(), 9);
    for criterion in TableCriterion::ALL {
        let atts = match criterion {
            TableCriterion::Insertion | TableCriterion::Deletion => &by_sign,
            _ => &by_magnitude,
        };
        let report =
            suite.evaluate(criterion, &model, x.clone(), &[1, 1], atts, &space, 4).unwrap();
        assert_eq!(report.metric, criterion.name());
        assert_eq!(report.better, criterion.better());
        let direct = match criterion {
            TableCriterion::RobustnessSrBar | TableCriterion::RobustnessSr => RobustnessCurve::new(
                RobustnessCurveConfig::new().with_objective(criterion.objective()),
                fmn.clone(),
            )
            .unwrap()
            .evaluate(&model, x.clone(), &[1, 1], None, atts, &space)
            .unwrap(),
            TableCriterion::Insertion | TableCriterion::Deletion => {
                let c = if criterion == TableCriterion::Insertion {
                    Criterion::Insertion
                } else {
                    Criterion::Deletion
                };
                InsertionDeletion::new(
                    InsertionDeletionConfig::new(c).with_reference(Reference::Constant(0.0)),
                )
                .unwrap()
                .evaluate(&model, x.clone(), &[1, 1], atts, &space, 4)
                .unwrap()
            }
        };
        assert_eq!(report, direct, "{criterion:?}");
        // On every criterion the good ranking beats its reverse.
        let (g, r) = (report.auc_per_example[0], report.auc_per_example[1]);
        match criterion.better() {
            Better::Higher => assert!(g > r, "{criterion:?}: {g} vs {r}"),
            Better::Lower => assert!(g < r, "{criterion:?}: {g} vs {r}"),
        }
    }
}

/// Robustness-Sr of the empty set is "not found" (the fallback, here the input's norm); of all
/// features it is the unrestricted minimum norm (closed form `|margin| / ‖w‖`).
#[test]
fn robustness_sr_of_no_features_is_not_found_and_of_all_features_is_unrestricted() {
    use xai_attacks::{AttackGoal, RobustnessEstimator};
    use xai_core::FeatureMask;
    let device = Device::flex();
    let d = 25;
    let (w, b, wt) = binary(d, 9, &device);
    let bias = from_vec_f32(vec![0.0, b], [1, 2], &device).unwrap();
    let model = |x: Tensor<2>| x.matmul(wt.clone()) + bias.clone();
    let space = FeatureSpace::elements(&[d]).unwrap();
    let x: Tensor<2> = Tensor::full([1, d], 0.5, &device);
    let fmn = FmnConfig::new().init().unwrap();
    let empty = RobustnessObjective::Perturbed.free_set(&FeatureMask::empty(d));
    let none = fmn
        .estimate_masks(&model, x.clone(), vec![1], AttackGoal::Untargeted, &[empty], &space)
        .unwrap();
    assert_eq!(none.found(), vec![false]);
    assert!((none.estimates()[0] - 0.5 * (d as f32).sqrt()).abs() < 1e-4);
    assert_eq!(none.cost.total(), 0);

    let scores: Vec<f32> = (0..d).map(|i| i as f32).collect();
    let att = Attribution::new("any", 1, scores, Cost::default()).unwrap();
    let curve = RobustnessCurve::new(
        RobustnessCurveConfig::new()
            .with_objective(RobustnessObjective::Perturbed)
            .with_fractions(vec![0.5, 1.0]),
        fmn.clone(),
    )
    .unwrap();
    let report = curve.evaluate(&model, x.clone(), &[1], None, &[att], &space).unwrap();
    let all = fmn
        .estimate_masks(&model, x, vec![1], AttackGoal::Untargeted, &[FeatureMask::full(d)], &space)
        .unwrap();
    let margin = (0.5 * w.iter().sum::<f32>() + b).abs() as f64;
    let truth = margin / w.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt();
    let at_all = report.per_example[0][1];
    assert!((at_all - all.estimates()[0] as f64).abs() <= 1e-4 * at_all, "{at_all} vs {all:?}");
    assert!(at_all >= truth * (1.0 - 1e-4) && at_all <= truth * 1.01, "{at_all} vs {truth}");
    assert_eq!(report.fallback, vec![vec![false, false]]);
}

mod sharding {
    use std::collections::HashMap;
    use xai_core::CodeVersion;
    use xai_metrics::{EvaluationRun, ExampleRecord, RunSettings, Shard};

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn shards_partition_the_examples_round_robin() {
        let all: Vec<usize> = (10..27).collect();
        let mut seen: Vec<usize> =
            (0..4).flat_map(|i| Shard::new(i, 4).unwrap().select(&all)).collect();
        assert_eq!(Shard::new(1, 4).unwrap().select(&all), vec![11, 15, 19, 23]);
        seen.sort_unstable();
        assert_eq!(seen, all);
        assert!(Shard::new(4, 4).is_err() && Shard::new(0, 0).is_err());
        assert_eq!(Shard::parse(" 2/5").unwrap(), Shard::new(2, 5).unwrap());
        for bad in ["2", "2/", "/5", "-1/5", "5/5", "a/b"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scheduler_variables_give_the_shard() {
        let slurm = vars(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "3"),
        ]);
        assert_eq!(Shard::from_vars(slurm, None).unwrap(), Some(Shard::new(2, 4).unwrap()));
        let k8s = vars(&[("JOB_COMPLETION_INDEX", "7")]);
        assert_eq!(Shard::from_vars(&k8s, Some(8)).unwrap(), Some(Shard::new(7, 8).unwrap()));
        assert!(Shard::from_vars(&k8s, None).unwrap_err().to_string().contains("--shard-count"));
        assert!(Shard::from_vars(&k8s, Some(7)).is_err());
        assert_eq!(Shard::from_vars(vars(&[]), Some(3)).unwrap(), None);
        let below_min = vars(&[
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "2"),
        ]);
        assert!(Shard::from_vars(below_min, None).is_err());
    }

    fn settings() -> RunSettings {
        serde_json::from_str(
            r#"{"seed":1,"preset":"fast","features":"pixels","estimator":"fmn","methods":["grad"],"per_criterion":false}"#,
        )
        .unwrap()
    }

    fn example(index: usize) -> ExampleRecord {
        ExampleRecord {
            index,
            label: 0,
            predicted: 0,
            methods: vec![],
            evaluation_cost: Default::default(),
            code_version: Some(CodeVersion::current().clone()),
        }
    }

    fn shard_run(i: usize, n: usize, done: &[usize]) -> EvaluationRun {
        let mut run =
            EvaluationRun::new(settings(), (0..6).collect(), Some(Shard::new(i, n).unwrap()));
        run.examples = done.iter().map(|d| example(*d)).collect();
        run
    }

    #[test]
    fn merge_restores_the_order_and_refuses_incomplete_or_foreign_shards() {
        let merged =
            EvaluationRun::merge(vec![shard_run(1, 2, &[1, 3, 5]), shard_run(0, 2, &[4, 0, 2])])
                .unwrap();
        assert_eq!(
            merged.examples.iter().map(|e| e.index).collect::<Vec<_>>(),
            (0..6).collect::<Vec<_>>()
        );
        assert_eq!(merged.shard, None);
        assert!(merged.todo().is_empty());
        let missing = EvaluationRun::merge(vec![shard_run(0, 2, &[0, 2, 4])]);
        assert!(missing.unwrap_err().to_string().contains("missing"));
        let unfinished =
            EvaluationRun::merge(vec![shard_run(0, 2, &[0, 2]), shard_run(1, 2, &[1, 3, 5])]);
        assert!(unfinished.unwrap_err().to_string().contains("unfinished"));
        let twice =
            EvaluationRun::merge(vec![shard_run(0, 2, &[0, 2, 4]), shard_run(0, 2, &[0, 2, 4])]);
        assert!(twice.is_err());
        let mut other = shard_run(1, 2, &[1, 3, 5]);
        other.settings.seed = 2;
        assert!(EvaluationRun::merge(vec![shard_run(0, 2, &[0, 2, 4]), other]).is_err());
        assert!(EvaluationRun::merge(vec![]).is_err());
    }

    #[test]
    fn resume_refuses_records_of_other_code_unless_allowed() {
        let dir = std::env::temp_dir().join(format!("xai-code-change-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("run.json");
        let indices: Vec<usize> = (0..4).collect();
        let older = CodeVersion {
            version: "0.0.1".into(),
            git_commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            dirty: Some(false),
        };
        let mut run = EvaluationRun::new(settings(), indices.clone(), None);
        run.examples = vec![
            example(0),
            ExampleRecord { code_version: Some(older), ..example(1) },
            ExampleRecord { code_version: None, ..example(2) },
        ];
        run.save(&path).unwrap();
        let err = EvaluationRun::resume_or_new(&path, &settings(), &indices, None, false, false)
            .unwrap_err()
            .to_string();
        for needle in
            ["2 example(s) computed by other code", "0123456", "unknown", "--allow-code-change"]
        {
            assert!(err.contains(needle), "'{err}' lacks '{needle}'");
        }
        let resumed =
            EvaluationRun::resume_or_new(&path, &settings(), &indices, None, false, true).unwrap();
        assert_eq!(resumed.todo(), vec![3]);
        let current = CodeVersion::current().label();
        assert_eq!(
            resumed.code_versions(),
            vec![(current, 1), ("0123456".to_string(), 1), ("unknown".to_string(), 1)]
        );
        // Records of this very code resume without the flag.
        run.examples = vec![example(0), example(1)];
        run.save(&path).unwrap();
        let same = EvaluationRun::resume_or_new(&path, &settings(), &indices, None, false, false);
        assert_eq!(same.unwrap().todo(), vec![2, 3]);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn code_version_names_the_checkout_commit() {
        let v = CodeVersion::current();
        // The tests run in a git clone (CI clones the repository).
        let commit = v.git_commit.as_deref().expect("a git checkout");
        assert!(commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()), "{commit}");
        assert!(v.dirty.is_some());
        assert!(v.label().starts_with(&commit[..7]), "{}", v.label());
        let outside = CodeVersion::of_checkout(&std::env::temp_dir().join("no-such-checkout"));
        assert_eq!(outside.git_commit, None);
        assert_eq!(outside.label(), format!("v{} (no git)", v.version));
    }
}
