//! M_mutual: mutual verification between explanation methods (paper 003, Eqn. 6,
//! section 3.5).

use super::{check_map, nonzero_norm};
use serde::{Deserialize, Serialize};
use xai_core::{Attribution, Cost, XaiError};

/// M_mutual for every pair of methods, per image and averaged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutualVerificationReport {
    /// The methods, in input order (the rows and columns of the matrices), named by their
    /// attributions' `method`.
    pub methods: Vec<String>,
    /// `per_image[image][α][β]`: `‖a^α / ‖a^α‖ − a^β / ‖a^β‖‖` on that image.
    pub per_image: Vec<Vec<Vec<f64>>>,
    /// M_mutual: the mean of `per_image` over images; symmetric, zero diagonal, values in
    /// `[0, 2]` (`√2` for orthogonal maps).
    pub mean: Vec<Vec<f64>>,
    /// Model evaluations made by the metric: none (the maps' own costs are theirs).
    pub cost: Cost,
}

/// Mutual verification M_mutual (paper 003, Eqn. 6): for methods `α` and `β` with maps `a^α`,
/// `a^β` of the same image,
///
/// `M_mutual(α, β) = E_I ‖ a^α / ‖a^α‖ − a^β / ‖a^β‖ ‖`,
///
/// all norms L2 over the features. `maps[m][i]` is method `m`'s attribution of image `i`; every
/// method must cover the same images with the same number of features. Lower means the two
/// methods verify each other better. Errors on an empty method list, no images, different
/// image or feature counts, non-finite scores or an all-zero map (which has no direction).
///
/// Cost: no model evaluations.
pub fn mutual_verification(
    maps: &[Vec<Attribution>],
) -> xai_core::Result<MutualVerificationReport> {
    let Some(first) = maps.first() else {
        return Err(XaiError::invalid("M_mutual methods", "[]", "at least one method"));
    };
    let images = first.len();
    if images == 0 {
        return Err(XaiError::invalid("M_mutual images", 0, "at least one image per method"));
    }
    let nf = first[0].n_features();
    let methods: Vec<String> =
        maps.iter().map(|m| m.first().map_or_else(String::new, |a| a.method.clone())).collect();
    let mut units: Vec<Vec<Vec<f64>>> = Vec::with_capacity(maps.len());
    for (m, method) in maps.iter().enumerate() {
        if method.len() != images {
            return Err(XaiError::shape(
                format!("attributions of method {m} ({})", methods[m]),
                format!("{images} maps (one per image, like method 0)"),
                &[method.len()],
            ));
        }
        let mut per = Vec::with_capacity(images);
        for (i, a) in method.iter().enumerate() {
            let what = format!("{} attribution of image {i}", methods[m]);
            check_map(&what, a, nf)?;
            let norm = nonzero_norm(&what, &a.scores)?;
            per.push(a.scores.iter().map(|v| *v as f64 / norm).collect());
        }
        units.push(per);
    }
    let k = maps.len();
    let mut per_image = vec![vec![vec![0.0f64; k]; k]; images];
    for (i, matrix) in per_image.iter_mut().enumerate() {
        for p in 0..k {
            for q in p + 1..k {
                let d = units[p][i]
                    .iter()
                    .zip(&units[q][i])
                    .map(|(u, v)| (u - v).powi(2))
                    .sum::<f64>()
                    .sqrt();
                matrix[p][q] = d;
                matrix[q][p] = d;
            }
        }
    }
    let mean = (0..k)
        .map(|p| {
            (0..k).map(|q| per_image.iter().map(|m| m[p][q]).sum::<f64>() / images as f64).collect()
        })
        .collect();
    Ok(MutualVerificationReport { methods, per_image, mean, cost: Cost::default() })
}
