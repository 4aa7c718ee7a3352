//! Running the methods on one model: the explanations, the four metrics and their costs.

use crate::report::{MethodResult, ModelReport};
use crate::{Args, Setup, build, label};
use anyhow::{Context, Result};
use burn::tensor::Tensor;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Instant;
use xai::core::{Attribution, Cost, seed};
use xai::explain::{ExplainRequest, Explainer, Method, SampledShapley, SampledShapleyConfig};
use xai::metrics::unified::{
    PixelBias, PixelBiasConfig, SpatialMasking, SpatialMaskingConfig, UnexplainableComponents,
    UnexplainableComponentsConfig, mutual_verification,
};

/// Explains every image of `setup` with every method and measures the four metrics.
pub fn evaluate(args: &Args, setup: &Setup, methods: &[Method]) -> Result<ModelReport> {
    let start = Instant::now();
    let n = setup.inputs.len();
    let nf = setup.space.n_features();
    eprintln!(
        "{}: {n} images, {} ({nf} features), sampled Shapley with {} permutations \
         ({} forwards per image), reference: {}",
        setup.label,
        setup.features,
        setup.permutations,
        2 + setup.permutations * (nf - 1),
        setup.reference_note
    );
    let shapley = SampledShapley::new(
        SampledShapleyConfig::new()
            .with_permutations(setup.permutations)
            .with_reference(setup.reference.clone()),
    )?;
    let bias = PixelBias::new(PixelBiasConfig::new())?;
    let masking = SpatialMasking::new(SpatialMaskingConfig::new(setup.reference.clone()))?;
    let bar = ProgressBar::new((n * (methods.len() + 1)) as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} (eta {eta}) {msg}")
            .context("progress bar template")?,
    );
    let mut results: Vec<MethodResult> = methods
        .iter()
        .map(|&m| MethodResult { method: label(m).to_string(), ..Default::default() })
        .collect();
    let (mut shapley_cost, mut shapley_seconds) = (Vec::new(), Vec::new());
    for i in 0..n {
        let request = ExplainRequest::new(
            setup.inputs[i].clone(),
            vec![setup.classes[i]],
            setup.space.clone(),
        )?
        .with_seed(seed::stream_seed(args.seed, i as u64))
        .with_batch_size(args.batch_size)?;
        bar.set_message(format!("image {}: sampled Shapley", i + 1));
        let t = Instant::now();
        let shap = shapley.explain(&setup.model, &request)?;
        shapley_seconds.push(t.elapsed().as_secs_f64());
        shapley_cost.push(shap[0].cost);
        bar.inc(1);
        for (m, result) in results.iter_mut().enumerate() {
            bar.set_message(format!("image {}: {}", i + 1, label(methods[m])));
            if result.skipped.is_none() {
                evaluate_method(
                    setup, methods[m], i, &request, &shap, &bias, &masking, result, &bar,
                )?;
            }
            bar.inc(1);
        }
        say(
            &bar,
            format!(
                "{} image {}/{n} ({}, class {}): done, {:.0} s so far",
                setup.label,
                i + 1,
                setup.names[i],
                setup.classes[i],
                start.elapsed().as_secs_f64()
            ),
        );
    }
    bar.finish_and_clear();
    // M_feature on all images at once (its α normalises by the mean feature norm over images).
    let extractor = |x: Tensor<4>| setup.model.layered_net().feature_map(x);
    let all = Tensor::cat(setup.inputs.clone(), 0);
    let feature_metric =
        UnexplainableComponents::new(UnexplainableComponentsConfig::new(setup.reference.clone()))?;
    for result in results.iter_mut().filter(|r| r.skipped.is_none()) {
        match feature_metric.evaluate(
            &extractor,
            all.clone(),
            &result.maps,
            &setup.space,
            args.seed,
        ) {
            Ok(report) => result.feature = Some(report),
            Err(e) => result.notes.push(format!("M_feature: {e}")),
        }
    }
    // M_mutual over the methods whose maps are all non-zero (an all-zero map has no direction).
    let mut usable = Vec::new();
    let mut left_out = Vec::new();
    for result in results.iter().filter(|r| r.skipped.is_none()) {
        if result.maps.iter().all(|a| a.scores.iter().any(|v| *v != 0.0)) {
            usable.push(result.maps.clone());
        } else {
            left_out.push(format!("{} (an all-zero map)", result.method));
        }
    }
    let (mutual, mutual_note) = match usable.len() {
        0 => (None, Some("no method produced maps".to_string())),
        _ => {
            let mut report = mutual_verification(&usable)?;
            // Name the rows as printed, not by the explainers' kebab-case names.
            report.methods = results
                .iter()
                .filter(|r| {
                    r.skipped.is_none() && r.maps.iter().all(|a| a.scores.iter().any(|v| *v != 0.0))
                })
                .map(|r| r.method.clone())
                .collect();
            let note = (!left_out.is_empty()).then(|| format!("left out: {}", left_out.join(", ")));
            (Some(report), note)
        }
    };
    for r in &results {
        for note in &r.notes {
            eprintln!("  {}: {note}", r.method);
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    eprintln!("{}: done in {seconds:.1} s", setup.label);
    Ok(ModelReport {
        model: setup.label.to_string(),
        images: setup.names.clone(),
        classes: setup.classes.clone(),
        features: setup.features.clone(),
        n_features: nf,
        reference: setup.reference_note.clone(),
        deepshap_background: setup.background_note.clone(),
        shapley_permutations: setup.permutations,
        lime_samples: setup.lime_samples,
        pert_steps: setup.pert_steps,
        fractions: bias.config().fractions.clone(),
        shapley_cost,
        shapley_seconds,
        methods: results,
        mutual,
        mutual_note,
        seconds,
    })
}

/// Explains image `i` with one method, then M_pixel against its Shapley values and
/// M_non-robust; a method error on the first image marks the method as not applicable.
#[allow(clippy::too_many_arguments)]
fn evaluate_method(
    setup: &Setup,
    method: Method,
    i: usize,
    request: &ExplainRequest<4>,
    shap: &[Attribution],
    bias: &PixelBias,
    masking: &SpatialMasking,
    result: &mut MethodResult,
    bar: &ProgressBar,
) -> Result<()> {
    let explainer = build(method, setup, i)?;
    let t = Instant::now();
    let maps = match explainer.explain(&setup.model, request) {
        Ok(maps) => maps,
        Err(e) => {
            let reason = if i == 0 { e.to_string() } else { format!("failed on image {i}: {e}") };
            say(bar, format!("  {} on {}: skipped: {reason}", result.method, setup.label));
            result.skipped = Some(reason);
            result.maps.clear();
            return Ok(());
        }
    };
    result.explain_seconds.push(t.elapsed().as_secs_f64());
    result.explain_cost.push(maps[0].cost);
    match bias.score(&maps, shap) {
        Ok(r) => {
            result.pixel_top.push(Some(r.top[0].clone()));
            result.pixel_bottom.push(Some(r.bottom[0].clone()));
        }
        Err(e) => {
            result.notes.push(format!("M_pixel on image {i}: {e}"));
            result.pixel_top.push(None);
            result.pixel_bottom.push(None);
        }
    }
    let t = Instant::now();
    match masking.evaluate_with(&explainer, &setup.model, request, &maps) {
        Ok(r) => {
            result.non_robust.push(Some(r.per_image_half[0].clone()));
            let extra = Cost {
                forward: r.cost.forward - maps[0].cost.forward,
                backward: r.cost.backward - maps[0].cost.backward,
            };
            result.non_robust_cost.push(extra);
        }
        Err(e) => {
            result.notes.push(format!("M_non-robust on image {i}: {e}"));
            result.non_robust.push(None);
        }
    }
    result.non_robust_seconds.push(t.elapsed().as_secs_f64());
    result.maps.push(maps.into_iter().next().context("no attribution returned")?);
    Ok(())
}

/// Prints a line above the progress bar (or to stderr when the bar is hidden, e.g. piped).
fn say(bar: &ProgressBar, line: String) {
    if bar.is_hidden() { eprintln!("{line}") } else { bar.println(line) }
}
