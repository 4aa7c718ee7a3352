//! Titled tiles side by side: the photo, its heat map, the top features, other methods.

use crate::error::{Result, VizError, check_nonempty};
use crate::image_io::checked_dims;
use image::RgbImage;
use std::path::Path;

/// A row (or a grid of `columns` per row) of titled tiles composed into one image.
///
/// Layout, in pixels: every column is as wide as its widest tile and every row as tall as its
/// tallest tile; `margin` separates columns and rows and surrounds the figure; each row has a
/// band of `title_height` above its tiles for the titles (kept even when no font is available,
/// so the size of a figure does not depend on the machine). Tiles are centred horizontally in
/// their column and aligned to the top of their row. Hence
///
/// `width = margin + Σ_columns (column width + margin)`,
/// `height = margin + Σ_rows (title_height + row height + margin)`.
#[derive(Debug, Clone)]
pub struct Panel {
    tiles: Vec<(String, RgbImage)>,
    columns: Option<usize>,
    margin: u32,
    title_height: u32,
    background: [u8; 3],
}

impl Default for Panel {
    fn default() -> Self {
        Self::new()
    }
}

impl Panel {
    /// An empty single-row panel: margin 8 px, title band 22 px, white background.
    pub fn new() -> Self {
        Self { tiles: Vec::new(), columns: None, margin: 8, title_height: 22, background: [255; 3] }
    }

    /// Wraps tiles into rows of `columns` (must be ≥ 1; checked when rendering).
    pub fn with_columns(mut self, columns: usize) -> Self {
        self.columns = Some(columns);
        self
    }

    /// Sets the margin around and between tiles, in pixels.
    pub fn with_margin(mut self, margin: u32) -> Self {
        self.margin = margin;
        self
    }

    /// Sets the height of the title band above each row, in pixels (the font is ~70% of it).
    pub fn with_title_height(mut self, title_height: u32) -> Self {
        self.title_height = title_height;
        self
    }

    /// Sets the background colour.
    pub fn with_background(mut self, rgb: [u8; 3]) -> Self {
        self.background = rgb;
        self
    }

    /// Appends a tile (builder form of [`Panel::push`]).
    pub fn tile(mut self, title: impl Into<String>, image: RgbImage) -> Self {
        self.push(title, image);
        self
    }

    /// Appends a tile.
    pub fn push(&mut self, title: impl Into<String>, image: RgbImage) -> &mut Self {
        self.tiles.push((title.into(), image));
        self
    }

    /// The number of tiles.
    pub fn len(&self) -> usize {
        self.tiles.len()
    }

    /// Whether there are no tiles.
    pub fn is_empty(&self) -> bool {
        self.tiles.is_empty()
    }

    /// `(width, height)` of the rendered figure (see the layout in [`Panel`]).
    pub fn dimensions(&self) -> Result<(u32, u32)> {
        let l = self.layout()?;
        let (w, h) = (l.width(self.margin as usize), l.height(self.margin, self.title_height));
        checked_dims(w, h)
    }

    /// Composes the tiles and their titles into one image.
    pub fn render(&self) -> Result<RgbImage> {
        let l = self.layout()?;
        let (w, h) = self.dimensions()?;
        let mut out = RgbImage::from_pixel(w, h, image::Rgb(self.background));
        let m = self.margin as i64;
        let mut y = m;
        for (r, row_h) in l.row_h.iter().enumerate() {
            let mut x = m;
            for (c, col_w) in l.col_w.iter().enumerate() {
                let Some((title, tile)) = self.tiles.get(r * l.cols + c) else { break };
                let tx = x + (*col_w as i64 - tile.width() as i64) / 2;
                let ty = y + self.title_height as i64;
                image::imageops::replace(&mut out, tile, tx, ty);
                let center = (x + *col_w as i64 / 2) as i32;
                let size = self.title_height as f64 * 0.7;
                let top = (y + (self.title_height as i64 - size as i64) / 2) as i32;
                let max_w = (*col_w as u32 + self.margin).max(1);
                crate::text::draw_centered(&mut out, title, center, top, max_w, size);
                x += *col_w as i64 + m;
            }
            y += self.title_height as i64 + *row_h as i64 + m;
        }
        Ok(out)
    }

    /// Renders and writes the figure as PNG atomically (see [`crate::save_png`]).
    pub fn save_png(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::image_io::save_png(&self.render()?, path)
    }

    fn layout(&self) -> Result<Layout> {
        check_nonempty("panel tiles", self.tiles.len())?;
        let cols = match self.columns {
            Some(0) => return Err(VizError::invalid("panel columns", 0, "≥ 1")),
            Some(c) => c.min(self.tiles.len()),
            None => self.tiles.len(),
        };
        let rows = self.tiles.len().div_ceil(cols);
        let mut col_w = vec![0usize; cols];
        let mut row_h = vec![0usize; rows];
        for (i, (_, t)) in self.tiles.iter().enumerate() {
            col_w[i % cols] = col_w[i % cols].max(t.width() as usize);
            row_h[i / cols] = row_h[i / cols].max(t.height() as usize);
        }
        Ok(Layout { cols, col_w, row_h })
    }
}

struct Layout {
    cols: usize,
    col_w: Vec<usize>,
    row_h: Vec<usize>,
}

impl Layout {
    fn width(&self, margin: usize) -> usize {
        margin + self.col_w.iter().map(|w| w + margin).sum::<usize>()
    }

    fn height(&self, margin: u32, title: u32) -> usize {
        let (m, t) = (margin as usize, title as usize);
        m + self.row_h.iter().map(|h| t + h + m).sum::<usize>()
    }
}
