//! # xai-viz
//!
//! PNG figures for burn-xai's explanations and evaluation curves, from host data: images are
//! `&[f32]` in CHW layout with values in `[0, 1]` plus their dimensions, and explanations are
//! one score per pixel (expand feature scores with xai-core's `FeatureSpace`, or
//! [`upsample_grid`] / [`expand_patches`] for patch grids). [`explanation_figure`] does that
//! for [`xai_core::Attribution`]s directly: the input, then per method its heat map and top set.
//!
//! | Figure | Built from | Used by |
//! |---|---|---|
//! | the photo | [`chw_to_rgb`], [`upscale`] (MNIST ×8) | every panel |
//! | heat-map overlay | [`overlay`] (signed: red/blue; unsigned: viridis), [`heatmap`] | `xai explain --out heatmap.png` |
//! | colour bar | [`colour_bar`], [`with_colour_bar`], [`overlay_with_colour_bar`] (min / max as tick labels) | every heat map of [`explanation_figure`] |
//! | top features highlighted | [`top_fraction_mask`] + [`highlight_top`] | `imagenet_greedy_as` (top 20%) |
//! | side-by-side comparison | [`Panel`]: photo, overlays, highlights of Greedy-AS, Grad, IG | examples |
//! | evaluation curves | [`CurvePlot`]: Robustness-Sr / S̄r vs % of features, one line per method | `xai evaluate`, `mnist_robustness_table` |
//! | labelled matrix heat map | [`MatrixPlot`]: e.g. paper 003's mutual verification M_mutual, value in each cell | `unified_evaluation_report` |
//!
//! Colours come from [`Colormap`] after a [`Normalization`] (min-max, max-|v|, percentile
//! clipping as SmoothGrad, or Captum's cumulative-mass clipping).
//!
//! PNGs are written atomically ([`save_png`]: a `.png.tmp` file renamed into place).
//!
//! Text (titles, tick labels, legends) needs a TrueType font found at run time: the file in
//! `BURN_XAI_FONT`, else DejaVu Sans / Arial at their usual system paths (see [`text`]). If
//! none is found, figures are drawn without text and one warning is printed to stderr.
#![warn(missing_docs)]

pub mod colormap;
pub mod colour_bar;
pub mod curves;
pub mod error;
pub mod figure;
pub mod grid;
pub mod heatmap;
pub mod image_io;
pub mod matrix;
pub mod panel;
pub mod text;

pub use colormap::{
    Colormap, Normalization, luminance, normalize_min_max, normalize_percentile,
    normalize_symmetric,
};
pub use colour_bar::{
    BarOrientation, colour_bar, colour_bar_size, format_tick, overlay_with_colour_bar,
    with_colour_bar,
};
pub use curves::CurvePlot;
pub use error::{Result, VizError};
pub use figure::{ExplanationTile, explanation_figure};
pub use grid::{expand_patches, upsample_grid};
pub use heatmap::{heatmap, highlight_top, overlay, overlay_normalized, top_fraction_mask};
pub use image::RgbImage;
pub use image_io::{chw_to_rgb, save_png, to_grayscale, upscale, upscale_values};
pub use matrix::MatrixPlot;
pub use panel::Panel;
pub use text::{font_path, text_available};
