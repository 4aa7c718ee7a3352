//! Choosing, per row, the competitor class whose decision boundary is nearest to first order
//! (the DeepFool criterion of Moosavi-Dezfooli et al. 2016), for [`AttackLoss::Pairwise`].

use crate::batch::{AttackBatch, score_gradient};
use crate::geometry::dual_norms;
use crate::objective::AttackLoss;
use xai_core::host::to_vec_f32;
use xai_core::{Classifier, Cost, Evaluator, Norm, Result};

/// For each (untargeted) row, among the `candidates` classes other than the label with the
/// highest logits at `x`, the class `j` minimising the linearised distance
/// `(f_y − f_j) / ‖(∇f_j − ∇f_y) ⊙ m‖_*` (dual norm of `norm`, `m` the free mask). On a linear
/// model this is exactly the class of Eqn. 1's minimiser (Hsieh et al. 2021).
///
/// Cost per row: `1 + candidates` forward and `candidates` backward evaluations (charged to
/// `costs`); two host read-backs.
///
/// # Shapes
/// - batch: `rows` rows → `rows` class indices
pub fn nearest_competitors<M: Classifier<D>, const D: usize>(
    eval: &Evaluator<'_, M, D>,
    batch: &AttackBatch<D>,
    norm: Norm,
    candidates: usize,
    costs: &mut [Cost],
) -> Result<Vec<usize>> {
    let n = batch.rows();
    let logits = eval.logits(batch.to_model(batch.inputs()));
    let [_, c] = logits.dims();
    batch.check_classes([n, c])?;
    let values = to_vec_f32(logits)?;
    let labels = batch.classes_host().to_vec();
    let m = candidates.clamp(1, c - 1);
    // The `m` strongest other classes of every row, row-major: row i owns slots i*m..(i+1)*m.
    let mut rivals = Vec::with_capacity(n * m);
    for (i, &y) in labels.iter().enumerate() {
        let row = &values[i * c..(i + 1) * c];
        let mut order: Vec<usize> = (0..c).filter(|&j| j != y).collect();
        order.sort_by(|&a, &b| {
            row[b].partial_cmp(&row[a]).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b))
        });
        rivals.extend_from_slice(&order[..m]);
    }
    let replicas: Vec<usize> = (0..n).flat_map(|i| std::iter::repeat_n(i, m)).collect();
    let expanded = batch.select(&replicas).with_competitors(rivals.clone())?;
    let (_, grad) = score_gradient(eval, &expanded, AttackLoss::Pairwise, expanded.inputs())?;
    let rates = to_vec_f32(dual_norms(norm, grad * expanded.free()))?;
    for cost in costs.iter_mut() {
        *cost += Cost { forward: 1 + m as u64, backward: m as u64 };
    }
    let mut chosen = Vec::with_capacity(n);
    for (i, &y) in labels.iter().enumerate() {
        let row = &values[i * c..(i + 1) * c];
        let distance = |k: usize| {
            let gap = (row[y] - row[rivals[k]]).max(0.0);
            if rates[k] > 0.0 { gap / rates[k] } else { f32::INFINITY }
        };
        let best =
            (i * m..(i + 1) * m).fold(i * m, |b, k| if distance(k) < distance(b) { k } else { b });
        chosen.push(rivals[best]);
    }
    Ok(chosen)
}
