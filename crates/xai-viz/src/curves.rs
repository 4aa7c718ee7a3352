//! Line charts of evaluation curves, e.g. Robustness-Sr / S̄r (Hsieh et al. 2021, Eqns. 2–3)
//! against the percentage of features kept, one series per explanation method.

use crate::error::{Result, VizError, check_finite, check_nonempty};
use crate::text::{self, FAMILY};
use image::RgbImage;
use plotters::prelude::*;
use std::path::Path;

/// Series colours, in order (Tableau 10; colour-blind friendly for the first few).
pub const PALETTE: [[u8; 3]; 10] = [
    [0x1f, 0x77, 0xb4],
    [0xff, 0x7f, 0x0e],
    [0x2c, 0xa0, 0x2c],
    [0xd6, 0x27, 0x28],
    [0x94, 0x67, 0xbd],
    [0x8c, 0x56, 0x4b],
    [0xe3, 0x77, 0xc2],
    [0x7f, 0x7f, 0x7f],
    [0xbc, 0xbd, 0x22],
    [0x17, 0xbe, 0xcf],
];

/// The smallest figure [`CurvePlot::render`] accepts, `(width, height)` in pixels.
pub const MIN_SIZE: (u32, u32) = (200, 150);

/// The largest figure side [`CurvePlot::render`] accepts, in pixels.
pub const MAX_SIDE: u32 = 8192;

/// A line chart of several named series over shared x values, with a title, axis labels and a
/// legend to the right of the plot (text needs a font, see [`crate::text`]).
///
/// ```no_run
/// # fn main() -> xai_viz::Result<()> {
/// xai_viz::CurvePlot::new("Robustness-S̄r on MNIST", vec![5.0, 10.0, 15.0, 20.0])
///     .x_label("% of features")
///     .y_label("robustness (ℓ2)")
///     .series("Grad", vec![0.9, 1.1, 1.3, 1.4])
///     .series("Greedy-AS", vec![1.2, 1.5, 1.8, 2.0])
///     .save_png("robustness.png", 800, 500)
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CurvePlot {
    title: String,
    x_label: String,
    y_label: String,
    x: Vec<f32>,
    series: Vec<(String, Vec<f32>)>,
    y_range: Option<(f32, f32)>,
}

impl CurvePlot {
    /// A plot titled `title` over the x values `x` (drawn in the order given).
    pub fn new(title: impl Into<String>, x: Vec<f32>) -> Self {
        Self { title: title.into(), x, ..Self::default() }
    }

    /// Sets the x-axis label.
    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = label.into();
        self
    }

    /// Sets the y-axis label.
    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = label.into();
        self
    }

    /// Adds a series: one y value per x value (checked by [`CurvePlot::validate`]).
    pub fn series(mut self, name: impl Into<String>, y: Vec<f32>) -> Self {
        self.series.push((name.into(), y));
        self
    }

    /// Fixes the y axis to `[lo, hi]` instead of fitting it to the data (to compare figures).
    pub fn y_range(mut self, lo: f32, hi: f32) -> Self {
        self.y_range = Some((lo, hi));
        self
    }

    /// Checks that there are x values and series, every series has one finite y per x, and
    /// the x values and any fixed y range are finite.
    pub fn validate(&self) -> Result<()> {
        check_nonempty("curve x values", self.x.len())?;
        check_nonempty("curve series", self.series.len())?;
        check_finite("curve x values", &self.x)?;
        for (name, y) in &self.series {
            if y.len() != self.x.len() {
                return Err(VizError::shape(
                    format!("series '{name}'"),
                    format!("{} y values (one per x)", self.x.len()),
                    &[y.len()],
                ));
            }
            check_finite(&format!("series '{name}'"), y)?;
        }
        if let Some((lo, hi)) = self.y_range
            && !(lo.is_finite() && hi.is_finite() && lo < hi)
        {
            return Err(VizError::invalid("y range", format!("[{lo}, {hi}]"), "finite, lo < hi"));
        }
        Ok(())
    }

    /// Draws the chart into a `width × height` RGB image.
    pub fn render(&self, width: u32, height: u32) -> Result<RgbImage> {
        self.validate()?;
        let (min_w, min_h) = MIN_SIZE;
        if width < min_w || height < min_h || width > MAX_SIDE || height > MAX_SIDE {
            return Err(VizError::shape(
                "curve plot size",
                format!("at least {min_w}×{min_h} and at most {MAX_SIDE} per side"),
                &[width as usize, height as usize],
            ));
        }
        let mut buf = vec![255u8; width as usize * height as usize * 3];
        self.draw(&mut buf, width, height).map_err(|message| VizError::Draw {
            what: format!("curve plot '{}'", self.title),
            message,
        })?;
        Ok(RgbImage::from_raw(width, height, buf).expect("buffer sized width*height*3"))
    }

    /// Renders and writes the chart as PNG atomically (see [`crate::save_png`]).
    pub fn save_png(&self, path: impl AsRef<Path>, width: u32, height: u32) -> Result<()> {
        crate::image_io::save_png(&self.render(width, height)?, path)
    }

    fn draw(&self, buf: &mut [u8], width: u32, height: u32) -> std::result::Result<(), String> {
        let err = |e: &dyn std::fmt::Display| e.to_string();
        let text = text::text_available();
        let root = BitMapBackend::with_buffer(buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let legend_w = if text { self.legend_width(&root).min(width / 3) } else { 0 };
        let (plot_area, legend_area) = root.split_horizontally(width - legend_w);

        let (x0, x1) = padded_range(&self.x, 0.0);
        let (y0, y1) = self.y_range.unwrap_or_else(|| {
            let all: Vec<f32> = self.series.iter().flat_map(|(_, y)| y.iter().copied()).collect();
            padded_range(&all, 0.05)
        });
        let mut builder = ChartBuilder::on(&plot_area);
        builder.margin(12);
        if text {
            builder
                .caption(&self.title, (FAMILY, 20))
                .x_label_area_size(44)
                .y_label_area_size(if self.y_label.is_empty() { 44 } else { 64 });
        }
        let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(|e| err(&e))?;
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(205, 205, 205))
            .max_light_lines(2);
        if text {
            mesh.label_style((FAMILY, 13)).axis_desc_style((FAMILY, 15));
            if !self.x_label.is_empty() {
                mesh.x_desc(&self.x_label);
            }
            if !self.y_label.is_empty() {
                mesh.y_desc(&self.y_label);
            }
        } else {
            mesh.x_labels(0).y_labels(0);
        }
        mesh.draw().map_err(|e| err(&e))?;

        for (i, (_, y)) in self.series.iter().enumerate() {
            let color = series_color(i);
            let points: Vec<(f32, f32)> = self.x.iter().copied().zip(y.iter().copied()).collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(|e| err(&e))?;
            chart
                .draw_series(points.into_iter().map(|p| Circle::new(p, 3, color.filled())))
                .map_err(|e| err(&e))?;
        }
        if text {
            self.draw_legend(&legend_area).map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))
    }

    fn legend_width<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> u32 {
        let style = text::style(14.0, BLACK);
        let widest = self
            .series
            .iter()
            .filter_map(|(name, _)| area.estimate_text_size(name, &style).ok())
            .map(|(w, _)| w)
            .max()
            .unwrap_or(0);
        widest + 48
    }

    fn draw_legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let style = text::style(14.0, BLACK);
        for (i, (name, _)) in self.series.iter().enumerate() {
            let y = 48 + 22 * i as i32;
            let color = series_color(i);
            area.draw(&PathElement::new(vec![(4, y), (28, y)], color.stroke_width(2)))?;
            area.draw(&Circle::new((16, y), 3, color.filled()))?;
            area.draw_text(name, &style, (34, y - 8))?;
        }
        Ok(())
    }
}

fn series_color(i: usize) -> RGBColor {
    let [r, g, b] = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// `[min, max]` of `values` widened by `pad` of the span on each side; a zero span is widened
/// to `±max(0.5, 10% of |value|)`.
fn padded_range(values: &[f32], pad: f32) -> (f32, f32) {
    let (lo, hi) = values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let span = hi - lo;
    if span > 0.0 {
        (lo - pad * span, hi + pad * span)
    } else {
        let d = (lo.abs() * 0.1).max(0.5);
        (lo - d, hi + d)
    }
}
