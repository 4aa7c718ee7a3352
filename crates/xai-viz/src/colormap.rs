//! Colormaps and the normalisations that bring raw attribution scores into their domain.
//!
//! Unsigned maps (ranks, |gradient|, selection frequencies) use perceptually uniform
//! [viridis](Colormap::Viridis) on `[0, 1]`; signed maps (gradient × input, Integrated Gradients)
//! use the diverging [red-blue](Colormap::RedBlue) map on `[−1, 1]`, white at 0.

use crate::error::{Result, VizError, check_finite};
use serde::{Deserialize, Serialize};

/// Matplotlib's viridis (van der Walt & Smith 2015) sampled at `t = 0, 0.1, …, 1`; linear
/// interpolation between the anchors keeps luminance strictly increasing.
const VIRIDIS: [[u8; 3]; 11] = [
    [0x44, 0x01, 0x54],
    [0x48, 0x24, 0x75],
    [0x41, 0x44, 0x87],
    [0x35, 0x5f, 0x8d],
    [0x2a, 0x78, 0x8e],
    [0x21, 0x91, 0x8c],
    [0x22, 0xa8, 0x84],
    [0x44, 0xbf, 0x70],
    [0x7a, 0xd1, 0x51],
    [0xbd, 0xdf, 0x26],
    [0xfd, 0xe7, 0x25],
];

/// ColorBrewer's 11-class RdBu, reversed: dark blue at −1, near-white at 0, dark red at +1.
const RED_BLUE: [[u8; 3]; 11] = [
    [0x05, 0x30, 0x61],
    [0x21, 0x66, 0xac],
    [0x43, 0x93, 0xc3],
    [0x92, 0xc5, 0xde],
    [0xd1, 0xe5, 0xf0],
    [0xf7, 0xf7, 0xf7],
    [0xfd, 0xdb, 0xc7],
    [0xf4, 0xa5, 0x82],
    [0xd6, 0x60, 0x4d],
    [0xb2, 0x18, 0x2b],
    [0x67, 0x00, 0x1f],
];

/// A map from a normalised score to an RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Colormap {
    /// Perceptually uniform, luminance increasing from dark purple (0) to yellow (1).
    /// Domain `[0, 1]`.
    Viridis,
    /// Diverging: blue for negative, white for 0, red for positive scores. Domain `[−1, 1]`.
    RedBlue,
    /// Black (0) to white (1). Domain `[0, 1]`.
    Gray,
}

impl Colormap {
    /// The colour of `t`. Values outside [`Colormap::domain`] are clamped to it; NaN maps to
    /// the domain's midpoint.
    pub fn map(self, t: f32) -> [u8; 3] {
        let (lo, hi) = self.domain();
        let t = if t.is_nan() { (lo + hi) / 2.0 } else { t.clamp(lo, hi) };
        let u = (t - lo) / (hi - lo);
        match self {
            Colormap::Viridis => interpolate(&VIRIDIS, u),
            Colormap::RedBlue => interpolate(&RED_BLUE, u),
            Colormap::Gray => {
                let g = (u * 255.0).round() as u8;
                [g, g, g]
            }
        }
    }

    /// The interval of scores the map spans: `(0, 1)`, or `(−1, 1)` for diverging maps.
    pub fn domain(self) -> (f32, f32) {
        if self.is_diverging() { (-1.0, 1.0) } else { (0.0, 1.0) }
    }

    /// Whether the map is centred on 0 (for signed scores).
    pub fn is_diverging(self) -> bool {
        matches!(self, Colormap::RedBlue)
    }
}

/// Linear interpolation in a table of anchors spread evenly over `u ∈ [0, 1]`.
fn interpolate(table: &[[u8; 3]], u: f32) -> [u8; 3] {
    let pos = u * (table.len() - 1) as f32;
    let i = (pos.floor() as usize).min(table.len() - 2);
    let f = pos - i as f32;
    let (a, b) = (table[i], table[i + 1]);
    std::array::from_fn(|c| (a[c] as f32 + f * (b[c] as f32 - a[c] as f32)).round() as u8)
}

/// Rec. 709 luma of an sRGB colour, in `[0, 255]`: `0.2126 R + 0.7152 G + 0.0722 B`.
pub fn luminance(rgb: [u8; 3]) -> f32 {
    0.2126 * rgb[0] as f32 + 0.7152 * rgb[1] as f32 + 0.0722 * rgb[2] as f32
}

/// How raw scores are scaled into a colormap's domain.
///
/// All variants reject NaN/Inf and never divide by zero: a map with no spread (all equal, or
/// all zero) normalises to all zeros.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Normalization {
    /// `(v − min) / (max − min)` into `[0, 1]`, for unsigned maps.
    MinMax,
    /// `v / max |v|` into `[−1, 1]`; keeps the sign and 0 stays 0.
    MaxAbs,
    /// `v / q`, clipped to `[−1, 1]`, where `q` is the `percentile`-th percentile of `|v|`
    /// (linear interpolation between ranks, as `numpy.percentile`). Keeps the sign; the
    /// outliers above `q` saturate, as in SmoothGrad's visualisation (Smilkov et al. 2017,
    /// 99th percentile).
    Percentile {
        /// In `(0, 100]`.
        percentile: f32,
    },
    /// Captum's `visualize_image_attr` scaling (`_normalize_attr` with `outlier_perc =
    /// 100 − percentile`): `v / t`, clipped to `[−1, 1]`, where `t` is the smallest `|v|` such
    /// that the sorted `|v|` up to `t` hold `percentile`% of the total `Σ|v|`. Captum's default
    /// is 98.
    CumulativeMass {
        /// In `(0, 100]`.
        percentile: f32,
    },
}

impl Normalization {
    /// Normalises `values` (any layout; one value per pixel or feature).
    ///
    /// # Shapes
    /// `values: [n]` → `[n]`, same order.
    pub fn apply(&self, values: &[f32]) -> Result<Vec<f32>> {
        check_finite("scores", values)?;
        match *self {
            Normalization::MinMax => {
                let (lo, hi) = min_max(values);
                let span = hi - lo;
                if !(span > 0.0) || !span.is_finite() {
                    return Ok(vec![0.0; values.len()]);
                }
                Ok(values.iter().map(|&v| ((v - lo) / span).clamp(0.0, 1.0)).collect())
            }
            Normalization::MaxAbs => {
                let m = values.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                Ok(scale_clip(values, m))
            }
            Normalization::Percentile { percentile } => {
                check_percentile(percentile)?;
                Ok(scale_clip(values, abs_percentile(values, percentile)))
            }
            Normalization::CumulativeMass { percentile } => {
                check_percentile(percentile)?;
                Ok(scale_clip(values, cumulative_mass_threshold(values, percentile)))
            }
        }
    }
}

/// Min-max normalisation into `[0, 1]` ([`Normalization::MinMax`]).
pub fn normalize_min_max(values: &[f32]) -> Result<Vec<f32>> {
    Normalization::MinMax.apply(values)
}

/// Symmetric normalisation by `max |v|` into `[−1, 1]` ([`Normalization::MaxAbs`]).
pub fn normalize_symmetric(values: &[f32]) -> Result<Vec<f32>> {
    Normalization::MaxAbs.apply(values)
}

/// Percentile clipping of `|v|` into `[−1, 1]` ([`Normalization::Percentile`]).
pub fn normalize_percentile(values: &[f32], percentile: f32) -> Result<Vec<f32>> {
    Normalization::Percentile { percentile }.apply(values)
}

fn check_percentile(p: f32) -> Result<()> {
    if !(p > 0.0 && p <= 100.0) {
        return Err(VizError::invalid("percentile", p, "in (0, 100]"));
    }
    Ok(())
}

fn min_max(values: &[f32]) -> (f32, f32) {
    values.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// `v / scale` clipped to `[−1, 1]`; all zeros when `scale` is not positive.
fn scale_clip(values: &[f32], scale: f32) -> Vec<f32> {
    if !(scale > 0.0) || !scale.is_finite() {
        return vec![0.0; values.len()];
    }
    values.iter().map(|&v| (v / scale).clamp(-1.0, 1.0)).collect()
}

fn sorted_abs(values: &[f32]) -> Vec<f32> {
    let mut a: Vec<f32> = values.iter().map(|v| v.abs()).collect();
    a.sort_by(f32::total_cmp);
    a
}

/// `numpy.percentile(|v|, p)` with linear interpolation.
fn abs_percentile(values: &[f32], p: f32) -> f32 {
    let a = sorted_abs(values);
    if a.is_empty() {
        return 0.0;
    }
    let pos = p as f64 / 100.0 * (a.len() - 1) as f64;
    let i = pos.floor() as usize;
    let j = (i + 1).min(a.len() - 1);
    let f = (pos - i as f64) as f32;
    a[i] + f * (a[j] - a[i])
}

/// Captum's `_cumulative_sum_threshold(|v|, p)`.
fn cumulative_mass_threshold(values: &[f32], p: f32) -> f32 {
    let a = sorted_abs(values);
    let total: f64 = a.iter().map(|&v| v as f64).sum();
    let target = total * p as f64 / 100.0;
    let mut cum = 0.0f64;
    for &v in &a {
        cum += v as f64;
        if cum >= target {
            return v;
        }
    }
    a.last().copied().unwrap_or(0.0)
}
