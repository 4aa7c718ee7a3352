//! Spearman rank correlation between two attribution maps.

use xai_core::{Result, XaiError};

/// Ranks with ties given their average rank (1-based), as Spearman's ρ requires.
pub fn average_ranks(values: &[f32]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < idx.len() {
        let mut end = start + 1;
        while end < idx.len() && values[idx[end]] == values[idx[start]] {
            end += 1;
        }
        let rank = (start + end + 1) as f64 / 2.0;
        idx[start..end].iter().for_each(|&i| ranks[i] = rank);
        start = end;
    }
    ranks
}

/// Spearman's rank correlation `ρ` (Pearson correlation of the average ranks); `0` when
/// either map is constant (no ranking information). Errors on length mismatch or NaN.
pub fn spearman(a: &[f32], b: &[f32]) -> Result<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return Err(XaiError::shape(
            "maps to correlate",
            "two maps of equal length >= 2",
            &[a.len(), b.len()],
        ));
    }
    let nan = a.iter().chain(b).filter(|v| v.is_nan()).count();
    if nan > 0 {
        return Err(XaiError::NonFinite { what: "attribution scores".into(), count: nan });
    }
    let (ra, rb) = (average_ranks(a), average_ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        cov += (x - ma) * (y - mb);
        va += (x - ma).powi(2);
        vb += (y - mb).powi(2);
    }
    if va == 0.0 || vb == 0.0 {
        return Ok(0.0);
    }
    Ok(cov / (va * vb).sqrt())
}
