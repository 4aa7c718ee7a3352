//! Colour bars: a colormap's ramp from the lowest to the highest value shown, with those values
//! written as tick labels, so a heat map can be read quantitatively.
//!
//! [`colour_bar`] draws a bar on its own; [`with_colour_bar`] appends one below a heat-map
//! image; [`overlay_with_colour_bar`] is [`crate::overlay`] plus the matching bar (the bar the
//! explanation figure draws under every heat map).
//!
//! The size of a bar never depends on whether a font was found (see [`crate::text`]): without
//! one the label band stays blank.

use crate::colormap::Colormap;
use crate::error::{Result, VizError, check_finite};
use crate::text::{self, Anchor};
use image::{Rgb, RgbImage};
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

/// Thickness of the colour ramp, in pixels (across the bar).
pub const BAR_THICKNESS: u32 = 14;

/// Blank space before the ramp, in pixels: above a horizontal bar, left of a vertical one (it
/// separates the bar from the image it belongs to).
pub const BAR_GAP: u32 = 4;

/// Length of the tick marks at the labelled values, in pixels.
pub const TICK_LENGTH: u32 = 3;

/// Height of the label band below a horizontal bar, in pixels.
pub const LABEL_HEIGHT: u32 = 16;

/// Width of the label band right of a vertical bar, in pixels.
pub const LABEL_WIDTH: u32 = 64;

/// Font size of the tick labels, in pixels (shrunk down to 8 if a label does not fit).
pub const TICK_FONT_SIZE: f64 = 12.0;

/// The smallest bar length [`colour_bar`] accepts, in pixels.
pub const MIN_BAR_LENGTH: u32 = 8;

/// The colour of the ramp's one-pixel frame and of the tick marks.
pub const FRAME: [u8; 3] = [90, 90, 90];

const BACKGROUND: [u8; 3] = [255, 255, 255];

/// Which way a colour bar runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BarOrientation {
    /// Low values on the left, high values on the right; labels below the ramp (the bar goes
    /// under an image).
    Horizontal,
    /// Low values at the bottom, high values at the top; labels right of the ramp (the bar
    /// goes beside an image or a matrix).
    Vertical,
}

/// `(width, height)` of a [`colour_bar`] of `length` pixels:
/// `length × (BAR_GAP + BAR_THICKNESS + TICK_LENGTH + LABEL_HEIGHT)` horizontally,
/// `(BAR_GAP + BAR_THICKNESS + TICK_LENGTH + LABEL_WIDTH) × length` vertically.
pub fn colour_bar_size(length: u32, orientation: BarOrientation) -> (u32, u32) {
    let across = BAR_GAP + BAR_THICKNESS + TICK_LENGTH;
    match orientation {
        BarOrientation::Horizontal => (length, across + LABEL_HEIGHT),
        BarOrientation::Vertical => (across + LABEL_WIDTH, length),
    }
}

/// A colour bar: `colormap`'s whole domain drawn as a ramp of `length` pixels from `min` (the
/// value that maps to the low end of the domain) to `max` (the high end), framed, with tick
/// marks and labels at both ends and, for diverging maps, at the centre (`(min + max) / 2`,
/// the value drawn white). Labels are written with [`format_tick`].
///
/// Pass the values the colours stand for: for [`crate::overlay`] of unsigned scores that is
/// the scores' `(min, max)` (min-max normalisation); for signed scores `(−m, m)` with
/// `m = max |v|`. `min == max` (a constant map) is accepted; both ends are then labelled
/// with the same value.
///
/// # Shapes
/// → an image of [`colour_bar_size`]`(length, orientation)`.
pub fn colour_bar(
    colormap: Colormap,
    min: f64,
    max: f64,
    length: u32,
    orientation: BarOrientation,
) -> Result<RgbImage> {
    if !(min.is_finite() && max.is_finite()) {
        let count = [min, max].iter().filter(|v| !v.is_finite()).count();
        return Err(VizError::NonFinite { what: "colour bar range".into(), count });
    }
    if min > max {
        return Err(VizError::invalid("colour bar range", format!("[{min}, {max}]"), "min ≤ max"));
    }
    if !(MIN_BAR_LENGTH..=crate::curves::MAX_SIDE).contains(&length) {
        return Err(VizError::invalid(
            "colour bar length",
            length,
            format!("in [{MIN_BAR_LENGTH}, {}] pixels", crate::curves::MAX_SIDE),
        ));
    }
    let (w, h) = colour_bar_size(length, orientation);
    let mut out = RgbImage::from_pixel(w, h, Rgb(BACKGROUND));
    let (lo, hi) = colormap.domain();
    // Position along the bar (0 = low end) → colour.
    let colour_at = |i: u32| colormap.map(lo + (hi - lo) * i as f32 / (length - 1) as f32);
    let (r0, r1) = (BAR_GAP, BAR_GAP + BAR_THICKNESS); // the ramp, across the bar
    for along in 0..length {
        let c = colour_at(along);
        for across in r0..r1 {
            let edge = along == 0 || along + 1 == length || across == r0 || across + 1 == r1;
            let px = if edge { FRAME } else { c };
            out.put_pixel_along(orientation, length, along, across, px);
        }
    }
    let mut ticks: Vec<(u32, f64)> = vec![(0, min), (length - 1, max)];
    if colormap.is_diverging() {
        ticks.push(((length - 1) / 2, (min + max) / 2.0));
    }
    for &(along, _) in &ticks {
        for across in r1..r1 + TICK_LENGTH {
            out.put_pixel_along(orientation, length, along, across, FRAME);
        }
    }
    let band_start = (r1 + TICK_LENGTH) as i32;
    for (along, value) in ticks {
        let label = format_tick(value);
        let max_w = match orientation {
            BarOrientation::Horizontal => length / ticks_per_bar(colormap),
            BarOrientation::Vertical => LABEL_WIDTH - 3,
        };
        let Some(size) = text::fit_size(&label, TICK_FONT_SIZE, 8.0, max_w) else { continue };
        let at_end = along + 1 == length;
        let (at, anchor) = match orientation {
            BarOrientation::Horizontal => {
                let h = if along == 0 {
                    HPos::Left
                } else if at_end {
                    HPos::Right
                } else {
                    HPos::Center
                };
                let x = if at_end { length as i32 } else { along as i32 };
                ((x, band_start + 1), Anchor::new(h, VPos::Top))
            }
            BarOrientation::Vertical => {
                // Low values at the bottom: `along` counts up from the bottom row.
                let v = if along == 0 {
                    VPos::Bottom
                } else if at_end {
                    VPos::Top
                } else {
                    VPos::Center
                };
                let y = if along == 0 { length as i32 } else { (length - 1 - along) as i32 };
                ((band_start + 3, y), Anchor::new(HPos::Left, v))
            }
        };
        text::draw_anchored(&mut out, &label, at, size, [0, 0, 0], anchor);
    }
    Ok(out)
}

fn ticks_per_bar(colormap: Colormap) -> u32 {
    if colormap.is_diverging() { 3 } else { 2 }
}

/// Pixel placement along/across a bar for either orientation.
trait PutAlong {
    fn put_pixel_along(
        &mut self,
        orientation: BarOrientation,
        length: u32,
        along: u32,
        across: u32,
        rgb: [u8; 3],
    );
}

impl PutAlong for RgbImage {
    fn put_pixel_along(
        &mut self,
        orientation: BarOrientation,
        length: u32,
        along: u32,
        across: u32,
        rgb: [u8; 3],
    ) {
        let (x, y) = match orientation {
            BarOrientation::Horizontal => (along, across),
            BarOrientation::Vertical => (across, length - 1 - along),
        };
        self.put_pixel(x, y, Rgb(rgb));
    }
}

/// A tick label for `v`: `0`, up to three significant digits in plain notation for
/// `1e-3 ≤ |v| < 1e4` (trailing zeros dropped: `0.0123`, `1.5`, `123`), scientific notation
/// otherwise (`1.23e-5`, `4.56e7`).
pub fn format_tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { v.to_string() };
    }
    let a = v.abs();
    if !(1e-3..1e4).contains(&a) {
        return format!("{v:.2e}");
    }
    let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// `image` with a horizontal [`colour_bar`] as wide as the image appended below it (on a white
/// background), labelled `min` and `max`.
///
/// # Shapes
/// `w × h` → `w × (h + colour_bar_size(w, Horizontal).1)`.
pub fn with_colour_bar(
    image: &RgbImage,
    colormap: Colormap,
    min: f64,
    max: f64,
) -> Result<RgbImage> {
    let bar = colour_bar(colormap, min, max, image.width(), BarOrientation::Horizontal)?;
    let mut out =
        RgbImage::from_pixel(image.width(), image.height() + bar.height(), Rgb(BACKGROUND));
    image::imageops::replace(&mut out, image, 0, 0);
    image::imageops::replace(&mut out, &bar, 0, image.height() as i64);
    Ok(out)
}

/// [`crate::overlay`] with the matching colour bar below it: unsigned scores on
/// [`Colormap::Viridis`] from their minimum to their maximum, signed scores on
/// [`Colormap::RedBlue`] from `−max |v|` to `max |v|` (0 is white).
///
/// # Shapes
/// `image`: `w × h`; `pixel_scores: [h, w]` row-major → `w × (h + colour_bar_size(w,
/// Horizontal).1)`.
pub fn overlay_with_colour_bar(
    image: &RgbImage,
    pixel_scores: &[f32],
    alpha: f32,
    signed: bool,
) -> Result<RgbImage> {
    let heat = crate::overlay(image, pixel_scores, alpha, signed)?;
    check_finite("pixel scores", pixel_scores)?;
    let (min, max) =
        pixel_scores.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v as f64), hi.max(v as f64))
        });
    let (cmap, lo, hi) = if signed {
        let m = min.abs().max(max.abs());
        (Colormap::RedBlue, -m, m)
    } else {
        (Colormap::Viridis, min, max)
    };
    with_colour_bar(&heat, cmap, lo, hi)
}
