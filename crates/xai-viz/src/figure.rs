//! The explanation figure: the input, then per method its heat map and its top features.

use crate::error::Result;
use crate::{Panel, chw_to_rgb, highlight_top, overlay_with_colour_bar, upscale, upscale_values};
use xai_core::{Attribution, FeatureSpace};

/// One method's attribution in a figure.
pub struct ExplanationTile<'a> {
    /// The tile's title (the method's name).
    pub title: String,
    /// The attribution, over the figure's feature space.
    pub attribution: &'a Attribution,
}

/// A panel: the input, then for each attribution its heat map over the input and the input
/// with only its top `fraction` features highlighted. Small images (MNIST) are upscaled so
/// the tiles are at least ~200 pixels wide.
///
/// Every heat-map tile carries a horizontal colour bar below it (viridis from the lowest to
/// the highest score, both written as tick labels; see [`crate::overlay_with_colour_bar`]),
/// so heat-map tiles are [`crate::colour_bar_size`]`(w, Horizontal).1` pixels taller than the
/// input and the top-feature tiles, and the panel's rows grow by as much.
///
/// # Shapes
/// `pixels`: the input, `[c, h, w]` row-major.
pub fn explanation_figure(
    pixels: &[f32],
    [c, h, w]: [usize; 3],
    space: &FeatureSpace,
    tiles: &[ExplanationTile<'_>],
    fraction: f64,
) -> Result<Panel> {
    let factor = (200 / w.max(1)).max(1) as u32;
    let image = upscale(&chw_to_rgb(pixels, c, h, w)?, factor)?;
    let mut panel = Panel::new().tile("input", image.clone());
    let per_pixel = |values: &[f32]| -> Result<Vec<f32>> {
        // Feature values → element values; all channels of a pixel share its feature.
        Ok(space.expand_host(values)?[..h * w].to_vec())
    };
    for tile in tiles {
        let scores = per_pixel(&tile.attribution.scores)?;
        let scores = upscale_values(&scores, h, w, factor)?;
        panel = panel.tile(
            format!("{} heat map", tile.title),
            overlay_with_colour_bar(&image, &scores, 0.75, false)?,
        );
        let top = tile.attribution.top_fraction(fraction)?.to_f32();
        let keep: Vec<bool> = per_pixel(&top)?.iter().map(|v| *v > 0.5).collect();
        let keep = upscale_values(&keep, h, w, factor)?;
        let label = format!("{} top {:.0}%", tile.title, fraction * 100.0);
        panel = panel.tile(label, highlight_top(&image, &keep)?);
    }
    Ok(panel)
}
