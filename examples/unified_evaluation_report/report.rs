//! The report of each model (serialised as `report.json`), the markdown tables in the paper's
//! layouts and the mutual-verification heat map.

use crate::Args;
use anyhow::Result;
use serde::Serialize;
use xai::core::{Attribution, Cost};
use xai::metrics::unified::{MutualVerificationReport, UnexplainableComponentsReport};

/// One method's numbers on one model, per image (`None` where the metric failed; the reason
/// is in `notes`).
#[derive(Serialize, Default)]
pub struct MethodResult {
    pub method: String,
    /// Why the method was not evaluated on this model (its own error).
    pub skipped: Option<String>,
    pub explain_cost: Vec<Cost>,
    pub explain_seconds: Vec<f64>,
    /// M_pixel per image: `[fraction]` from the top and from the bottom of the map.
    pub pixel_top: Vec<Option<Vec<f64>>>,
    pub pixel_bottom: Vec<Option<Vec<f64>>>,
    /// M_non-robust per image and masked half (right, left, top, bottom).
    pub non_robust: Vec<Option<Vec<f64>>>,
    /// The re-explanations of the four masked images.
    pub non_robust_cost: Vec<Cost>,
    pub non_robust_seconds: Vec<f64>,
    pub feature: Option<UnexplainableComponentsReport>,
    pub notes: Vec<String>,
    #[serde(skip)]
    pub maps: Vec<Attribution>,
}

/// One model's report.
#[derive(Serialize)]
pub struct ModelReport {
    pub model: String,
    pub images: Vec<String>,
    pub classes: Vec<usize>,
    pub features: String,
    pub n_features: usize,
    pub reference: String,
    pub deepshap_background: String,
    pub shapley_permutations: usize,
    pub lime_samples: usize,
    pub pert_steps: usize,
    pub fractions: Vec<f64>,
    pub shapley_cost: Vec<Cost>,
    pub shapley_seconds: Vec<f64>,
    pub methods: Vec<MethodResult>,
    /// M_mutual over the methods with a non-zero map on every image.
    pub mutual: Option<MutualVerificationReport>,
    pub mutual_note: Option<String>,
    pub seconds: f64,
}

/// The mean of the defined values, and how many there were.
fn mean_some(values: impl Iterator<Item = Option<f64>>) -> (Option<f64>, usize) {
    let v: Vec<f64> = values.flatten().collect();
    match v.len() {
        0 => (None, 0),
        k => (Some(v.iter().sum::<f64>() / k as f64), k),
    }
}

/// A table cell: the value, or "–".
fn cell(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.digits$}"))
}

/// The mean cost per image, as "forward + backward".
fn cost_cell(costs: &[Cost]) -> String {
    if costs.is_empty() {
        return "–".into();
    }
    let k = costs.len() as f64;
    let f = costs.iter().map(|c| c.forward as f64).sum::<f64>() / k;
    let b = costs.iter().map(|c| c.backward as f64).sum::<f64>() / k;
    if b == 0.0 { format!("{f:.0}") } else { format!("{f:.0} + {b:.0}b") }
}

impl MethodResult {
    /// M_pixel of fraction `j` from the top (`top`) or the bottom, the mean over images.
    fn pixel(&self, top: bool, j: usize) -> Option<f64> {
        let rows = if top { &self.pixel_top } else { &self.pixel_bottom };
        mean_some(rows.iter().map(|r| r.as_ref().map(|v| v[j]))).0
    }

    /// M_non-robust: the mean over images and halves.
    fn non_robust_mean(&self) -> Option<f64> {
        let per_image = self
            .non_robust
            .iter()
            .map(|r| r.as_ref().map(|v| v.iter().sum::<f64>() / v.len() as f64));
        mean_some(per_image).0
    }
}

/// Every table, as markdown.
pub fn tables(args: &Args, reports: &[ModelReport], methods: &[&str]) -> String {
    let mut md = format!(
        "# Paper 003: evaluation of explanation methods without ground truth\n\n\
         All four metrics: lower is better. Means over images. Costs are model evaluations per \
         image (`f` forwards, `f + bb` forwards + backwards). Code: {}.\n\n",
        xai::core::CodeVersion::current()
    );
    for r in reports {
        let evaluated: Vec<&MethodResult> =
            r.methods.iter().filter(|m| m.skipped.is_none()).collect();
        let shap_cost = cost_cell(&r.shapley_cost);
        let shap_s = r.shapley_seconds.iter().sum::<f64>() / r.shapley_seconds.len().max(1) as f64;
        md.push_str(&format!(
            "## {}\n\n{} image(s) ({}), features `{}` ({} features), reference: {}. Sampled \
             Shapley: {} permutations, {shap_cost} forwards and {shap_s:.1} s per image (the \
             cost of M_pixel, shared by all methods). LIME: {} samples; Pert: {} steps; \
             DeepSHAP background: {}. Wall time {:.0} s.\n\n",
            r.model,
            r.images.len(),
            r.images.join(", "),
            r.features,
            r.n_features,
            r.reference,
            r.shapley_permutations,
            r.lime_samples,
            r.pert_steps,
            r.deepshap_background,
            r.seconds
        ));
        for m in r.methods.iter() {
            if let Some(reason) = &m.skipped {
                md.push_str(&format!("- **{}** not applicable: {reason}\n", m.method));
            }
        }
        md.push('\n');
        // Tables 4–13: fractions as rows, methods as columns.
        md.push_str(&format!(
            "### Bias of the attribution map at the pixel level on {} (M_pixel, Eqn. 3; layout of Tables 4–13)\n\n| Method |",
            r.model
        ));
        for m in &evaluated {
            md.push_str(&format!(" {} |", m.method));
        }
        md.push_str(&format!("\n|---|{}\n", "---|".repeat(evaluated.len())));
        for top in [true, false] {
            for (j, q) in r.fractions.iter().enumerate() {
                let label = if top { "top" } else { "bottom" };
                md.push_str(&format!("| {label}-{:.0}% |", q * 100.0));
                for m in &evaluated {
                    md.push_str(&format!(" {} |", cell(m.pixel(top, j), 5)));
                }
                md.push('\n');
            }
        }
        md.push('\n');
        // Summary: methods as rows, metrics and costs as columns.
        md.push_str(&format!(
            "### Summary on {}: methods × metrics\n\n\
             | Method | M_pixel top-10% | M_pixel bottom-10% | M_feature | M_non-robust | M_mutual (mean to others) | explain cost | explain s | M_non-robust cost | M_feature cost |\n\
             |---|---|---|---|---|---|---|---|---|---|\n",
            r.model
        ));
        for m in &evaluated {
            let mutual_mean = r.mutual.as_ref().and_then(|mu| {
                let p = mu.methods.iter().position(|x| x == &m.method)?;
                let k = mu.methods.len();
                (k > 1).then(|| mu.mean[p].iter().sum::<f64>() / (k - 1) as f64)
            });
            let explain_s =
                m.explain_seconds.iter().sum::<f64>() / m.explain_seconds.len().max(1) as f64;
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {explain_s:.2} | {} | {} |\n",
                m.method,
                cell(m.pixel(true, 0), 5),
                cell(m.pixel(false, 0), 5),
                cell(m.feature.as_ref().map(|f| f.mean), 5),
                cell(m.non_robust_mean(), 3),
                cell(mutual_mean, 4),
                cost_cell(&m.explain_cost),
                cost_cell(&m.non_robust_cost),
                m.feature.as_ref().map_or("–".into(), |f| format!(
                    "{}",
                    f.cost.forward / r.images.len().max(1) as u64
                )),
            ));
        }
        md.push_str(
            "\nM_pixel costs the sampled Shapley values above; M_non-robust re-explains the 4 \
             half-masked images; M_feature evaluates the last convolution's feature map of the \
             original and the masked image; M_mutual costs nothing.\n\n",
        );
        // Tables 14–23: methods × methods.
        if let Some(mu) = &r.mutual {
            md.push_str(&format!(
                "### Mutual verification on {} (M_mutual, Eqn. 6; layout of Tables 14–23)\n\n| Method |",
                r.model
            ));
            for name in &mu.methods {
                md.push_str(&format!(" {name} |"));
            }
            md.push_str(&format!("\n|---|{}\n", "---|".repeat(mu.methods.len())));
            for (p, name) in mu.methods.iter().enumerate() {
                md.push_str(&format!("| {name} |"));
                for q in 0..mu.methods.len() {
                    md.push_str(&format!(" {:.4} |", mu.mean[p][q]));
                }
                md.push('\n');
            }
            if let Some(note) = &r.mutual_note {
                md.push_str(&format!("\n{note}\n"));
            }
            md.push('\n');
        }
    }
    // Tables 2 and 3: models as rows, methods as columns.
    for (title, table, digits) in [
        (
            "Quantification of unexplainable feature components (M_feature, Eqn. 4; layout of Table 2)",
            0,
            5,
        ),
        ("Non-robustness of explanation methods (M_non-robust, Eqn. 5; layout of Table 3)", 1, 3),
    ] {
        md.push_str(&format!("## {title}\n\n| Method |"));
        for m in methods {
            md.push_str(&format!(" {m} |"));
        }
        md.push_str(&format!("\n|---|{}\n", "---|".repeat(methods.len())));
        for r in reports {
            md.push_str(&format!("| {} |", r.model));
            for name in methods {
                let v = r.methods.iter().find(|m| m.method == *name).and_then(|m| match table {
                    0 => m.feature.as_ref().map(|f| f.mean),
                    _ => m.non_robust_mean(),
                });
                md.push_str(&format!(" {} |", cell(v, digits)));
            }
            md.push('\n');
        }
        md.push('\n');
    }
    md.push_str(&format!(
        "Settings: seed {}, batch {}, device {}. The paper leaves CAM and Grad-CAM out of \
         M_feature and M_mutual (feature-level maps) and Pert and CAM out of M_pixel (maps \
         without negative values); here every method with a pixel-level map is measured.\n",
        args.seed, args.batch_size, args.device
    ));
    md
}

/// The mutual-verification heat map of one model.
pub fn mutual_heat_map(
    report: &ModelReport,
    mutual: &MutualVerificationReport,
    path: &std::path::Path,
) -> Result<()> {
    let title = format!(
        "{}: mutual verification M_mutual (mean over {} image(s); lower = closer)",
        report.model,
        report.images.len()
    );
    let side = 200 + 64 * mutual.methods.len() as u32;
    xai_viz::MatrixPlot::from_rows(title, mutual.methods.iter().cloned(), &mutual.mean)?
        .decimals(2)
        .save_png(path, side + 120, side)?;
    Ok(())
}
