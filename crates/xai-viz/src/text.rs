//! Run-time font discovery for titles, axis labels and legends.
//!
//! plotters' `ab_glyph` text backend draws only fonts registered at run time, and no font file
//! ships with burn-xai. The first figure that needs text looks for a TrueType font:
//!
//! 1. the file named by the environment variable [`FONT_ENV`] (`BURN_XAI_FONT`); the value
//!    `none` turns text off;
//! 2. otherwise the first readable file of [`SYSTEM_FONTS`] (DejaVu Sans on Linux, Arial on
//!    macOS and Windows).
//!
//! If none loads, figures are still drawn — tiles, curves, axes and grid lines — but without
//! any text (no titles, tick labels or legend), and one warning line goes to stderr, once per
//! process.

use plotters::backend::BitMapBackend;
use plotters::drawing::IntoDrawingArea;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontStyle, FontTransform, IntoFont, RGBColor, TextStyle};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The environment variable naming a `.ttf`/`.otf` file to draw text with (`none`: no text).
pub const FONT_ENV: &str = "BURN_XAI_FONT";

/// Font files tried, in order, when [`FONT_ENV`] is unset or unusable.
pub const SYSTEM_FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "/Library/Fonts/Arial.ttf",
    r"C:\Windows\Fonts\arial.ttf",
];

/// The plotters font family the found font is registered under.
pub(crate) const FAMILY: &str = "sans-serif";

static FONT: OnceLock<Option<PathBuf>> = OnceLock::new();

/// The font file text is drawn with, or `None` if figures are drawn without text (see the
/// [module docs](self)). The search runs once per process.
pub fn font_path() -> Option<&'static Path> {
    FONT.get_or_init(find_and_register).as_deref()
}

/// Whether figures will contain text (a font was found and registered).
pub fn text_available() -> bool {
    font_path().is_some()
}

fn find_and_register() -> Option<PathBuf> {
    if let Some(v) = std::env::var_os(FONT_ENV) {
        if v == "none" {
            return None;
        }
        let path = PathBuf::from(v);
        match register(&path) {
            Ok(()) => return Some(path),
            Err(e) => eprintln!(
                "xai-viz: {FONT_ENV}={} could not be used ({e}); trying system fonts",
                path.display()
            ),
        }
    }
    let found = SYSTEM_FONTS.iter().map(PathBuf::from).find(|p| p.is_file() && register(p).is_ok());
    if found.is_none() {
        eprintln!(
            "xai-viz: no TrueType font found (set {FONT_ENV}=/path/to/font.ttf); \
             figures are drawn without text"
        );
    }
    found
}

fn register(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    // plotters keeps `&'static` font data; one font per process, so leaking it is bounded.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font(FAMILY, FontStyle::Normal, bytes)
        .map_err(|_| "not a TrueType/OpenType font".to_string())
}

/// A text style of `size` pixels in the registered family.
pub(crate) fn style(size: f64, color: RGBColor) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&color.to_rgba())
}

/// Draws `text` centred on `center_x` with its top near `top`, shrinking the font (down to
/// 9 px) and then truncating with "…" so it fits in `max_width`. Does nothing without a font.
/// Returns whether anything was drawn.
pub(crate) fn draw_centered(
    image: &mut image::RgbImage,
    text: &str,
    center_x: i32,
    top: i32,
    max_width: u32,
    size: f64,
) -> bool {
    if text.is_empty() || !text_available() {
        return false;
    }
    let (w, h) = image.dimensions();
    let buf: &mut [u8] = image;
    let area = BitMapBackend::with_buffer(buf, (w, h)).into_drawing_area();
    let width_of = |t: &str, s: f64| area.estimate_text_size(t, &style(s, BLACK)).map(|d| d.0);
    let mut size = size;
    while size > 9.0 && width_of(text, size).is_ok_and(|tw| tw > max_width) {
        size -= 1.0;
    }
    let mut shown = text.to_string();
    let mut chars: Vec<char> = text.chars().collect();
    while width_of(&shown, size).is_ok_and(|tw| tw > max_width) && !chars.is_empty() {
        chars.pop();
        shown = chars.iter().collect::<String>() + "…";
    }
    let tw = width_of(&shown, size).unwrap_or(0) as i32;
    let ok = area.draw_text(&shown, &style(size, BLACK), (center_x - tw / 2, top)).is_ok();
    ok && area.present().is_ok()
}

/// Width and height in pixels of `text` at `size` pixels, or `None` without a font.
pub(crate) fn text_size(text: &str, size: f64) -> Option<(u32, u32)> {
    if !text_available() {
        return None;
    }
    (FAMILY, size).into_font().box_size(text).ok()
}

/// The largest font size in `[min_size, size]` (whole pixels downwards from `size`) at which
/// `text` is at most `max_width` pixels wide, or `None` if even `min_size` is too wide or there
/// is no font.
pub(crate) fn fit_size(text: &str, size: f64, min_size: f64, max_width: u32) -> Option<f64> {
    let mut s = size;
    while s >= min_size {
        if text_size(text, s)?.0 <= max_width {
            return Some(s);
        }
        s -= 1.0;
    }
    None
}

/// Where a label sits relative to its anchor point: which of its corners, edges or centre is
/// placed there, and whether it reads bottom-to-top (rotated by 270°).
#[derive(Clone, Copy)]
pub(crate) struct Anchor {
    /// Horizontal alignment along the reading direction.
    pub h: HPos,
    /// Vertical alignment across the reading direction.
    pub v: VPos,
    /// Rotate the text to read from bottom to top.
    pub vertical: bool,
}

impl Anchor {
    /// An unrotated label aligned by `h` and `v`.
    pub const fn new(h: HPos, v: VPos) -> Self {
        Self { h, v, vertical: false }
    }
}

/// Draws `text` at `size` pixels in `color`, aligned on `at` as `anchor` says; pixels outside
/// the image are clipped. Does nothing without a font. Returns whether anything was drawn.
pub(crate) fn draw_anchored(
    image: &mut image::RgbImage,
    text: &str,
    at: (i32, i32),
    size: f64,
    color: [u8; 3],
    anchor: Anchor,
) -> bool {
    if text.is_empty() || !text_available() {
        return false;
    }
    let (w, h) = image.dimensions();
    let buf: &mut [u8] = image;
    let area = BitMapBackend::with_buffer(buf, (w, h)).into_drawing_area();
    let mut style =
        style(size, RGBColor(color[0], color[1], color[2])).pos(Pos::new(anchor.h, anchor.v));
    if anchor.vertical {
        style = style.transform(FontTransform::Rotate270);
    }
    area.draw_text(text, &style, at).is_ok() && area.present().is_ok()
}

const BLACK: RGBColor = RGBColor(0, 0, 0);
