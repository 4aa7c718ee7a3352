//! Per-row vector geometry shared by the attacks: steepest-ascent directions, projections onto
//! ε-balls, and scattering rows. Everything stays on the device (no host sync).

use burn::tensor::{Bool, Tensor};
use xai_core::Norm;

/// A per-row value as a `[rows, 1]` column that broadcasts against `[rows, elements]`.
pub fn col(v: Tensor<1>) -> Tensor<2> {
    let n = v.dims()[0];
    v.reshape([n, 1])
}

/// A per-row flag as a `[rows, 1]` 0/1 column.
pub fn col_flag(v: Tensor<1, Bool>) -> Tensor<2> {
    col(v.float())
}

/// The norm of each row.
///
/// # Shapes
/// `[rows, elements]` → `[rows]`
pub fn row_norms(norm: Norm, t: Tensor<2>) -> Tensor<1> {
    norm.of_rows(t)
}

/// The dual norm of each row (L1 for L∞, L2 for L2): the rate at which a linear function with
/// this gradient changes per unit of perturbation norm.
///
/// # Shapes
/// `[rows, elements]` → `[rows]`
pub fn dual_norms(norm: Norm, t: Tensor<2>) -> Tensor<1> {
    let n = t.dims()[0];
    match norm {
        Norm::L2 => Norm::L2.of_rows(t),
        Norm::Linf => t.abs().sum_dim(1).reshape([n]),
    }
}

/// Each row scaled to unit L2 norm; zero rows stay zero (no NaN). Rows are first divided by
/// their largest magnitude so that tiny gradients do not underflow when squared.
///
/// # Shapes
/// `[rows, elements]` → `[rows, elements]`
pub fn normalize_l2(g: Tensor<2>) -> Tensor<2> {
    let scale = g.clone().abs().max_dim(1).clamp_min(f32::MIN_POSITIVE);
    let g = g / scale;
    let norm = g.clone().square().sum_dim(1).sqrt().clamp_min(1e-12);
    g / norm
}

/// The steepest-ascent direction of unit `norm` for gradient rows: `g/‖g‖₂` (L2) or
/// `sign(g)` (L∞). Zero gradients give zero directions.
///
/// # Shapes
/// `[rows, elements]` → `[rows, elements]`
pub fn steepest(norm: Norm, g: Tensor<2>) -> Tensor<2> {
    match norm {
        Norm::L2 => normalize_l2(g),
        Norm::Linf => g.sign(),
    }
}

/// Projects each row onto its own ε-ball: rescaling onto the sphere when outside (L2), or
/// clamping every element to `[−ε, ε]` (L∞).
///
/// # Shapes
/// - delta: `[rows, elements]`, eps: `[rows]` → `[rows, elements]`
pub fn project(norm: Norm, delta: Tensor<2>, eps: Tensor<1>) -> Tensor<2> {
    match norm {
        Norm::L2 => {
            let len = row_norms(Norm::L2, delta.clone()).clamp_min(1e-12);
            let factor = (eps / len).clamp_max(1.0);
            delta * col(factor)
        }
        Norm::Linf => {
            let dims = delta.dims();
            let e = col(eps).expand(dims);
            delta.max_pair(e.clone().neg()).min_pair(e)
        }
    }
}

/// Keeps a perturbation feasible: `x + δ` clipped to the box, and `δ` zero outside the free set.
///
/// # Shapes
/// all `[rows, elements]`
pub fn clip_to_box(
    x: Tensor<2>,
    delta: Tensor<2>,
    free: Tensor<2>,
    bounds: (f32, f32),
) -> Tensor<2> {
    ((x.clone() + delta).clamp(bounds.0, bounds.1) - x) * free
}

/// `full` with the rows flagged in `take` replaced by the rows of `replacement` (same shape).
///
/// # Shapes
/// - full, replacement: `[rows, elements]`; take: `[rows]` → `[rows, elements]`
pub fn blend_rows(full: Tensor<2>, replacement: Tensor<2>, take: Tensor<1, Bool>) -> Tensor<2> {
    let m = col_flag(take);
    let keep = m.clone().neg().add_scalar(1.0);
    full * keep + replacement * m
}

/// `full` with row `rows[k]` replaced by row `k` of `sub`, for every `k`.
///
/// # Shapes
/// - full: `[rows, elements]`, sub: `[rows.len(), elements]` → `[rows, elements]`
pub fn scatter_rows(full: Tensor<2>, rows: &[usize], sub: Tensor<2>) -> Tensor<2> {
    if rows.is_empty() {
        return full;
    }
    let n = full.dims()[0];
    let device = full.device();
    let mut inverse = vec![0usize; n];
    let mut flag = vec![0.0f32; n];
    for (k, &r) in rows.iter().enumerate() {
        inverse[r] = k;
        flag[r] = 1.0;
    }
    let gathered = sub.select(0, crate::batch::index_tensor(&inverse, &device));
    let m: Tensor<2> = Tensor::from_data(burn::tensor::TensorData::new(flag, [n, 1]), &device);
    let keep = m.clone().neg().add_scalar(1.0);
    full * keep + gathered * m
}

/// Zeroes the components of an ascent direction `grad` that point out of the box at `point`
/// (element on the lower edge with a negative component, or on the upper edge with a positive
/// one): the feasible directions of FMN and DeepFool at the box's edges.
///
/// # Shapes
/// `[rows, elements]` each
pub fn feasible_gradient(grad: Tensor<2>, point: Tensor<2>, (lo, hi): (f32, f32)) -> Tensor<2> {
    let mut grad = grad;
    if lo.is_finite() {
        let blocked = point.clone().lower_equal_elem(lo).bool_and(grad.clone().lower_elem(0.0));
        grad = grad.mask_fill(blocked, 0.0);
    }
    if hi.is_finite() {
        let blocked = point.greater_equal_elem(hi).bool_and(grad.clone().greater_elem(0.0));
        grad = grad.mask_fill(blocked, 0.0);
    }
    grad
}
