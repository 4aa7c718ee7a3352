//! Shared helpers of the integration tests: seeded linear models with closed-form robustness.
#![allow(dead_code)]

use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;
use xai_core::FeatureMask;

/// A linear classifier `logits = x·W + b` with host copies of its parameters (f64).
pub struct Linear {
    pub w: Tensor<2>,
    pub b: Tensor<2>,
    pub w_host: Vec<f64>,
    pub b_host: Vec<f64>,
    pub d: usize,
    pub k: usize,
}

impl Linear {
    /// From host values: `w` is `[d, k]` row-major, `b` has `k` values.
    pub fn new(w: Vec<f32>, b: Vec<f32>, d: usize, k: usize, device: &Device) -> Self {
        Self {
            w_host: w.iter().map(|v| *v as f64).collect(),
            b_host: b.iter().map(|v| *v as f64).collect(),
            w: Tensor::from_data(TensorData::new(w, [d, k]), device),
            b: Tensor::from_data(TensorData::new(b, [1, k]), device),
            d,
            k,
        }
    }

    /// The logits of a batch `[n, d]`.
    pub fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.w.clone()) + self.b.clone()
    }

    /// Host logits of one input.
    pub fn logits_host(&self, x: &[f64]) -> Vec<f64> {
        (0..self.k)
            .map(|j| {
                self.b_host[j]
                    + (0..self.d).map(|i| x[i] * self.w_host[i * self.k + j]).sum::<f64>()
            })
            .collect()
    }

    /// Column `j` of `W` restricted to the free set.
    fn col(&self, j: usize) -> Vec<f64> {
        (0..self.d).map(|i| self.w_host[i * self.k + j]).collect()
    }

    /// The exact minimum L2 (or L∞ with `dual_l1`) perturbation restricted to `free` that makes
    /// some class j ≠ y beat y, ignoring the box: `min_j (f_y − f_j) / ‖(w_y − w_j)_S‖_*`.
    pub fn untargeted_distance(&self, x: &[f64], y: usize, free: &[bool], linf: bool) -> f64 {
        let f = self.logits_host(x);
        let wy = self.col(y);
        (0..self.k)
            .filter(|&j| j != y)
            .map(|j| {
                let wj = self.col(j);
                let g: Vec<f64> = (0..self.d).filter(|&i| free[i]).map(|i| wy[i] - wj[i]).collect();
                let dual = if linf {
                    g.iter().map(|v| v.abs()).sum::<f64>()
                } else {
                    g.iter().map(|v| v * v).sum::<f64>().sqrt()
                };
                (f[y] - f[j]) / dual
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// The predicted class of a host input.
    pub fn predict(&self, x: &[f64]) -> usize {
        let f = self.logits_host(x);
        (0..self.k).fold(0, |b, j| if f[j] > f[b] { j } else { b })
    }
}

/// Uniform values in `[-1, 1]`.
pub fn uniform(rng: &mut impl Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// `m` masks over `d` features, each feature free with probability `p`, at least one free.
pub fn random_masks(rng: &mut impl Rng, m: usize, d: usize, p: f64) -> Vec<FeatureMask> {
    (0..m)
        .map(|_| {
            let mut bits: Vec<bool> = (0..d).map(|_| rng.random_bool(p)).collect();
            if !bits.iter().any(|b| *b) {
                bits[rng.random_range(0..d)] = true;
            }
            FeatureMask::from_bits(bits)
        })
        .collect()
}

/// A binary linear model with logits `[z, −z]`, `z = w·x + b`, where `w` is uniform in
/// `[-1, 1]^d` and `b` is chosen so that at `x = 0.5` the distance to the boundary under the
/// tightest of `masks` is `0.3` (label 0 when `sign > 0`, label 1 otherwise). With `x = 0.5`
/// every mask's minimiser stays inside `[0, 1]`.
pub fn binary_model(
    rng: &mut impl Rng,
    d: usize,
    masks: &[FeatureMask],
    sign: f32,
    device: &Device,
) -> Linear {
    let w = uniform(rng, d);
    let min_norm = masks
        .iter()
        .map(|m| m.indices().iter().map(|&i| (w[i] as f64).powi(2)).sum::<f64>().sqrt())
        .fold(f64::INFINITY, f64::min);
    let z = 0.3 * min_norm as f32 * sign;
    let wx: f32 = w.iter().map(|v| 0.5 * v).sum();
    let b = z - wx;
    let wk: Vec<f32> = w.iter().flat_map(|v| [*v, -*v]).collect();
    Linear::new(wk, vec![b, -b], d, 2, device)
}

/// Relative error of an estimate against the truth.
pub fn rel_err(estimate: f32, truth: f64) -> f64 {
    (estimate as f64 - truth) / truth
}

/// A `[1, d]` input of 0.5.
pub fn half_input(d: usize, device: &Device) -> Tensor<2> {
    Tensor::full([1, d], 0.5, device)
}

/// A `k`-class model whose label 0 leads at `x = 0.5` by margins `s_j ‖w_0 − w_j‖`, `s_j` in
/// `[0.2, 0.35]`: the class nearest in input space is often not the runner-up in logits.
pub fn multiclass_model(rng: &mut impl Rng, d: usize, k: usize, device: &Device) -> Linear {
    let w = uniform(rng, d * k);
    let mut b = vec![0.0f32; k];
    for j in 0..k {
        let wx: f32 = (0..d).map(|i| 0.5 * w[i * k + j]).sum();
        let gap = if j == 0 {
            0.0
        } else {
            let norm = (0..d).map(|i| (w[i * k] - w[i * k + j]).powi(2)).sum::<f32>().sqrt();
            rng.random_range(0.2f32..0.35) * norm
        };
        b[j] = -wx - gap;
    }
    Linear::new(w, b, d, k, device)
}

/// A random two-layer ReLU network (no closed form).
pub struct Mlp {
    w1: Tensor<2>,
    b1: Tensor<2>,
    w2: Tensor<2>,
    b2: Tensor<2>,
}

impl Mlp {
    /// Draws the weights from `rng`.
    pub fn new(rng: &mut impl Rng, d: usize, h: usize, k: usize, device: &Device) -> Self {
        let t = |v: Vec<f32>, shape: [usize; 2]| {
            Tensor::<2>::from_data(TensorData::new(v, shape), device)
        };
        let s1 = 3.0 / (d as f32).sqrt();
        let s2 = 3.0 / (h as f32).sqrt();
        Self {
            w1: t(uniform(rng, d * h).iter().map(|v| v * s1).collect(), [d, h]),
            b1: t(uniform(rng, h).iter().map(|v| v * 0.1).collect(), [1, h]),
            w2: t(uniform(rng, h * k).iter().map(|v| v * s2).collect(), [h, k]),
            b2: t(uniform(rng, k), [1, k]),
        }
    }

    /// The logits.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        relu(x.matmul(self.w1.clone()) + self.b1.clone()).matmul(self.w2.clone()) + self.b2.clone()
    }
}

/// Relative errors and cost of an estimator's rows against closed-form truths.
pub struct Figures {
    pub max_err: f64,
    pub mean_err: f64,
    pub cost_per_row: f64,
}

/// Runs `estimator` on `query` and asserts every row is found within `[−below, +above]`
/// relative error of its truth and that the row costs add up to the total.
pub fn check_against_truth<E: xai_attacks::RobustnessEstimator<2>>(
    estimator: &E,
    lin: &Linear,
    query: &xai_attacks::RobustnessQuery<2>,
    truths: &[f64],
    label: &str,
    below: f64,
    above: f64,
) -> (Figures, xai_attacks::RobustnessBatch<2>) {
    let model = |x: Tensor<2>| lin.logits(x);
    let out = estimator.estimate(&model, query).expect("estimate");
    let mut errs = Vec::new();
    for (i, (row, truth)) in out.rows.iter().zip(truths).enumerate() {
        assert!(row.found, "{label}: row {i} not found ({row:?}), truth {truth}");
        let e = rel_err(row.estimate, *truth);
        assert!(
            (-below..=above).contains(&e),
            "{label}: row {i} estimate {} vs truth {truth} (relative error {e:+.5})",
            row.estimate
        );
        errs.push(e);
    }
    let per_row: u64 = out.rows.iter().map(|r| r.cost.total()).sum();
    assert_eq!(per_row, out.cost.total(), "{label}: row costs add up to the total");
    let f = Figures {
        max_err: errs.iter().cloned().fold(f64::MIN, f64::max),
        mean_err: errs.iter().sum::<f64>() / errs.len() as f64,
        cost_per_row: out.cost.total() as f64 / out.rows.len() as f64,
    };
    (f, out)
}
