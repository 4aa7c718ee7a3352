//! Labelled matrix heat maps, e.g. the mutual-verification matrix of paper 003 (Eqn. 6):
//! `M_mutual[i][j]`, the L2 distance between the L2-normalised attribution maps of methods `i`
//! and `j`, averaged over images.

use crate::colormap::{Colormap, luminance};
use crate::colour_bar::{BarOrientation, colour_bar, colour_bar_size};
use crate::error::{Result, VizError, check_nonempty};
use crate::text::{self, Anchor};
use image::{Rgb, RgbImage};
use plotters::style::text_anchor::{HPos, VPos};
use std::path::Path;

/// The smallest figure [`MatrixPlot::render`] accepts, `(width, height)` in pixels.
pub const MIN_MATRIX_SIZE: (u32, u32) = (120, 120);

/// Margin around the figure, in pixels.
const MARGIN: u32 = 10;
/// Height of the title band, in pixels (kept without a title or a font, so the layout does not
/// depend on the machine).
const TITLE_HEIGHT: u32 = 32;
/// Space between the matrix and the colour bar, and between labels and the matrix.
const GAP: u32 = 6;
/// Largest font size of the axis labels and of the cell values.
const LABEL_FONT: f64 = 14.0;
const VALUE_FONT: f64 = 16.0;
const BACKGROUND: [u8; 3] = [255, 255, 255];

/// A square matrix of values drawn as a grid of coloured cells with the value written in each
/// cell, the row labels left of the rows, the column labels (reading upwards) below the
/// columns, a vertical colour bar on the right and a title on top. Text needs a font (see
/// [`crate::text`]); without one the figure keeps its cells and colour bar.
///
/// Cells are coloured with [`MatrixPlot::colormap`] (viridis by default) after mapping
/// [`MatrixPlot::value_range`] (by default the smallest to the largest value) linearly onto
/// the colormap's domain. Cells are square and separated by one-pixel white lines.
///
/// ```no_run
/// # fn main() -> xai_viz::Result<()> {
/// // M_mutual of paper 003 (Eqn. 6) for three methods.
/// xai_viz::MatrixPlot::new(
///     "Mutual verification (mean L2 distance)",
///     ["Grad", "IG", "Greedy-AS"],
///     vec![0.0, 0.4, 1.1, 0.4, 0.0, 0.9, 1.1, 0.9, 0.0],
/// )
/// .save_png("mutual.png", 640, 560)
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct MatrixPlot {
    title: String,
    row_labels: Vec<String>,
    column_labels: Option<Vec<String>>,
    values: Vec<f64>,
    colormap: Colormap,
    value_range: Option<(f64, f64)>,
    decimals: usize,
}

/// Where [`MatrixPlot::render`] puts the matrix and its colour bar in a figure of a given size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatrixLayout {
    /// Top-left corner `(x, y)` of cell `(0, 0)`, in pixels.
    pub origin: (u32, u32),
    /// Side of one cell, in pixels, including the one-pixel white separator on its right and
    /// bottom.
    pub cell: u32,
    /// Number of rows (= columns).
    pub n: usize,
    /// `(x, y, width, height)` of the colour bar image, if the figure has room for one.
    pub bar: Option<(u32, u32, u32, u32)>,
}

impl MatrixLayout {
    /// `(x, y, width, height)` of the coloured part of cell `(row, column)` (the separator
    /// excluded), or `None` outside the matrix.
    pub fn cell_rect(&self, row: usize, column: usize) -> Option<(u32, u32, u32, u32)> {
        if row >= self.n || column >= self.n {
            return None;
        }
        let fill = self.cell.saturating_sub(1).max(1);
        let x = self.origin.0 + column as u32 * self.cell;
        let y = self.origin.1 + row as u32 * self.cell;
        Some((x, y, fill, fill))
    }
}

impl MatrixPlot {
    /// A plot titled `title` of the `n × n` matrix `values` (row-major: `values[i * n + j]`
    /// is row `i`, column `j`), with the same `n` labels on both axes (checked by
    /// [`MatrixPlot::validate`]).
    ///
    /// # Shapes
    /// `labels: [n]`, `values: [n, n]` row-major.
    pub fn new<S: Into<String>>(
        title: impl Into<String>,
        labels: impl IntoIterator<Item = S>,
        values: Vec<f64>,
    ) -> Self {
        Self {
            title: title.into(),
            row_labels: labels.into_iter().map(Into::into).collect(),
            column_labels: None,
            values,
            colormap: Colormap::Viridis,
            value_range: None,
            decimals: 2,
        }
    }

    /// Like [`MatrixPlot::new`] from one `Vec` per row (e.g. the `mean` field of a
    /// mutual-verification report). Fails with [`VizError::Shape`] unless there are as many
    /// rows as labels and every row has one value per row (a square matrix).
    ///
    /// # Shapes
    /// `labels: [n]`, `rows: [n][n]`.
    pub fn from_rows<S: Into<String>>(
        title: impl Into<String>,
        labels: impl IntoIterator<Item = S>,
        rows: &[Vec<f64>],
    ) -> Result<Self> {
        let labels: Vec<String> = labels.into_iter().map(Into::into).collect();
        let n = rows.len();
        if n != labels.len() || rows.iter().any(|r| r.len() != n) {
            let mut got = vec![n];
            got.extend(rows.iter().map(Vec::len));
            return Err(VizError::shape(
                "matrix rows",
                format!("a square matrix with one row and one column per label ({n} labels)"),
                &got,
            ));
        }
        Ok(Self::new(title, labels, rows.concat()))
    }

    /// Uses different labels for the columns (as many as rows) instead of the row labels.
    pub fn column_labels<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.column_labels = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the colormap (default [`Colormap::Viridis`]; a diverging map puts the middle of
    /// the value range at its white centre).
    pub fn colormap(mut self, colormap: Colormap) -> Self {
        self.colormap = colormap;
        self
    }

    /// Fixes the values mapped to the low and high ends of the colormap (values outside are
    /// clamped), instead of the matrix's minimum and maximum (to compare figures).
    pub fn value_range(mut self, lo: f64, hi: f64) -> Self {
        self.value_range = Some((lo, hi));
        self
    }

    /// Sets the number of decimals of the values written in the cells (default 2).
    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = decimals;
        self
    }

    /// The number of rows (= columns) the labels call for.
    pub fn len(&self) -> usize {
        self.row_labels.len()
    }

    /// Whether there are no labels.
    pub fn is_empty(&self) -> bool {
        self.row_labels.is_empty()
    }

    /// Checks that there is at least one label, as many column labels as row labels, `n²`
    /// values for `n` labels, all finite, and that a fixed value range is finite with
    /// `lo < hi`.
    pub fn validate(&self) -> Result<()> {
        let n = self.row_labels.len();
        check_nonempty("matrix labels", n)?;
        if let Some(cols) = &self.column_labels
            && cols.len() != n
        {
            return Err(VizError::shape(
                "matrix column labels",
                format!("one per row ({n})"),
                &[cols.len()],
            ));
        }
        if self.values.len() != n * n {
            return Err(VizError::shape(
                "matrix values",
                format!("a square {n}×{n} matrix ({} values) for {n} labels", n * n),
                &[self.values.len()],
            ));
        }
        let count = self.values.iter().filter(|v| !v.is_finite()).count();
        if count > 0 {
            return Err(VizError::NonFinite { what: "matrix values".into(), count });
        }
        if let Some((lo, hi)) = self.value_range
            && !(lo.is_finite() && hi.is_finite() && lo < hi)
        {
            return Err(VizError::invalid(
                "matrix value range",
                format!("[{lo}, {hi}]"),
                "finite, lo < hi",
            ));
        }
        if self.decimals > 12 {
            return Err(VizError::invalid("matrix decimals", self.decimals, "at most 12"));
        }
        Ok(())
    }

    /// The values mapped to the low and high ends of the colormap: the fixed
    /// [`MatrixPlot::value_range`], else the matrix's minimum and maximum.
    pub fn range(&self) -> (f64, f64) {
        self.value_range.unwrap_or_else(|| {
            self.values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
        })
    }

    /// The colour of a cell holding `value`: its position in [`MatrixPlot::range`] (clamped;
    /// the low end when the range is a single value) mapped onto the colormap's domain.
    pub fn colour_of(&self, value: f64) -> [u8; 3] {
        let (lo, hi) = self.range();
        let u = if hi > lo { ((value - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.0 };
        let (d0, d1) = self.colormap.domain();
        self.colormap.map(d0 + (d1 - d0) * u as f32)
    }

    /// Where the matrix and its colour bar go in a `width × height` figure (after
    /// [`MatrixPlot::validate`] and the size checks of [`MatrixPlot::render`]).
    pub fn layout(&self, width: u32, height: u32) -> Result<MatrixLayout> {
        self.validate()?;
        let (min_w, min_h) = MIN_MATRIX_SIZE;
        let max = crate::curves::MAX_SIDE;
        if width < min_w || height < min_h || width > max || height > max {
            return Err(VizError::shape(
                "matrix plot size",
                format!("at least {min_w}×{min_h} and at most {max} per side"),
                &[width as usize, height as usize],
            ));
        }
        Ok(self.compute_layout(width, height)?.0)
    }

    /// Draws the matrix into a `width × height` RGB image.
    pub fn render(&self, width: u32, height: u32) -> Result<RgbImage> {
        self.layout(width, height)?; // validation and size checks
        let (layout, label_font, label_w, label_h) = self.compute_layout(width, height)?;
        let mut out = RgbImage::from_pixel(width, height, Rgb(BACKGROUND));
        let n = layout.n;
        let (ox, oy) = (layout.origin.0 as i32, layout.origin.1 as i32);
        let cell = layout.cell as i32;
        // Cells and their values.
        let value_font = (layout.cell as f64 * 0.3).min(VALUE_FONT);
        for r in 0..n {
            for c in 0..n {
                let v = self.values[r * n + c];
                let colour = self.colour_of(v);
                let (x, y, w, h) = layout.cell_rect(r, c).expect("in range");
                for yy in y..y + h {
                    for xx in x..x + w {
                        out.put_pixel(xx, yy, Rgb(colour));
                    }
                }
                let label = format!("{v:.*}", self.decimals);
                if let Some(size) = text::fit_size(&label, value_font, 7.0, w.saturating_sub(4)) {
                    let ink = if luminance(colour) > 140.0 { [0, 0, 0] } else { [255, 255, 255] };
                    let centre = ((x + w / 2) as i32, (y + h / 2) as i32);
                    text::draw_anchored(
                        &mut out,
                        &label,
                        centre,
                        size,
                        ink,
                        Anchor::new(HPos::Center, VPos::Center),
                    );
                }
            }
        }
        // Axis labels: rows right-aligned left of the matrix, columns reading upwards below it.
        let columns = self.column_labels.as_ref().unwrap_or(&self.row_labels);
        for (i, (row, col)) in self.row_labels.iter().zip(columns).enumerate() {
            let mid = i as i32 * cell + (cell - 1) / 2;
            if let Some((shown, size)) = fit_label(row, label_font, label_w) {
                let at = (ox - GAP as i32, oy + mid);
                let anchor = Anchor::new(HPos::Right, VPos::Center);
                text::draw_anchored(&mut out, &shown, at, size, [0, 0, 0], anchor);
            }
            if let Some((shown, size)) = fit_label(col, label_font, label_h) {
                let at = (ox + mid, oy + n as i32 * cell + GAP as i32);
                let anchor = Anchor { h: HPos::Right, v: VPos::Center, vertical: true };
                text::draw_anchored(&mut out, &shown, at, size, [0, 0, 0], anchor);
            }
        }
        // Colour bar.
        if let Some((x, y, _, h)) = layout.bar {
            let (lo, hi) = self.range();
            let bar = colour_bar(self.colormap, lo, hi, h, BarOrientation::Vertical)?;
            image::imageops::replace(&mut out, &bar, x as i64, y as i64);
        }
        // Title.
        let size = TITLE_HEIGHT as f64 * 0.55;
        let top = ((TITLE_HEIGHT as f64 - size) / 2.0) as i32 + MARGIN as i32 / 2;
        text::draw_centered(&mut out, &self.title, width as i32 / 2, top, width - 2 * MARGIN, size);
        Ok(out)
    }

    /// Renders and writes the matrix as PNG atomically (see [`crate::save_png`]).
    pub fn save_png(&self, path: impl AsRef<Path>, width: u32, height: u32) -> Result<()> {
        crate::image_io::save_png(&self.render(width, height)?, path)
    }

    /// The layout, the axis-label font size and the room for row labels (width) and column
    /// labels (height), in pixels.
    fn compute_layout(&self, width: u32, height: u32) -> Result<(MatrixLayout, f64, u32, u32)> {
        let n = self.row_labels.len();
        let bar_w = colour_bar_size(crate::colour_bar::MIN_BAR_LENGTH, BarOrientation::Vertical).0;
        let top = MARGIN + TITLE_HEIGHT;
        let avail = |label_w: u32, label_h: u32| {
            let w = width.saturating_sub(2 * MARGIN + label_w + GAP + bar_w);
            let h = height.saturating_sub(top + MARGIN + label_h);
            w.min(h) / n as u32
        };
        // First pass without labels, to size their font from the cells.
        let cell0 = avail(0, 0);
        let font = (cell0 as f64 * 0.6).clamp(8.0, LABEL_FONT).floor();
        let columns = self.column_labels.as_ref().unwrap_or(&self.row_labels);
        let widest = |labels: &[String]| {
            labels.iter().filter_map(|l| text::text_size(l, font)).map(|s| s.0).max().unwrap_or(0)
        };
        let label_w = match widest(&self.row_labels) {
            0 => 0,
            w => (w + GAP).min(width / 4),
        };
        let label_h = match widest(columns) {
            0 => 0,
            w => (w + GAP).min(height / 4),
        };
        let cell = avail(label_w, label_h);
        if cell < 2 {
            return Err(VizError::shape(
                "matrix plot size",
                format!("room for {n}×{n} cells of at least 2 pixels"),
                &[width as usize, height as usize],
            ));
        }
        let side = cell * n as u32;
        // Centre the block [row labels | matrix | gap | bar] horizontally.
        let block = label_w + side + GAP + bar_w;
        let left = MARGIN + (width - 2 * MARGIN).saturating_sub(block) / 2;
        let origin = (left + label_w, top);
        let bar = (side >= crate::colour_bar::MIN_BAR_LENGTH).then(|| {
            let (bw, bh) = colour_bar_size(side - 1, BarOrientation::Vertical);
            (origin.0 + side + GAP - crate::colour_bar::BAR_GAP, top, bw, bh)
        });
        let font = font.min((cell as f64 * 0.8).max(8.0));
        Ok((
            MatrixLayout { origin, cell, n, bar },
            font,
            label_w.saturating_sub(GAP),
            label_h.saturating_sub(GAP),
        ))
    }
}

/// `label` at the largest size in `[8, size]` that fits `max_width`, else truncated with "…"
/// at 8 px; `None` without a font or room.
fn fit_label(label: &str, size: f64, max_width: u32) -> Option<(String, f64)> {
    if max_width == 0 {
        return None;
    }
    if let Some(s) = text::fit_size(label, size, 8.0, max_width) {
        return Some((label.to_string(), s));
    }
    let mut chars: Vec<char> = label.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let shown = chars.iter().collect::<String>() + "…";
        if text::text_size(&shown, 8.0)?.0 <= max_width {
            return Some((shown, 8.0));
        }
    }
    None
}
