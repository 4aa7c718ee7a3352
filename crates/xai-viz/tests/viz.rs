//! Tests of xai-viz: colormaps, normalisation, overlays, highlights, panels, curve PNGs,
//! input validation and atomic writes.

use std::path::{Path, PathBuf};
use std::process::Command;
use xai_viz::colormap::luminance;
use xai_viz::heatmap::{DIM_FACTOR, OUTLINE};
use xai_viz::{
    Colormap, CurvePlot, Normalization, Panel, RgbImage, VizError, chw_to_rgb, expand_patches,
    highlight_top, normalize_min_max, normalize_symmetric, overlay, save_png, to_grayscale,
    top_fraction_mask, upsample_grid, upscale, upscale_values,
};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir =
            std::env::temp_dir().join(format!("xai-viz-test-{}-{tag}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A deterministic RGB test image with varied pixel values.
fn test_image(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            ((40 + 23 * x + 7 * y) % 256) as u8,
            ((200 + 256 * 8 - 11 * x - 13 * y) % 256) as u8,
            (90 + 5 * x * y % 120) as u8,
        ])
    })
}

fn distinct_colours(img: &RgbImage) -> usize {
    let mut set: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    set.sort();
    set.dedup();
    set.len()
}

fn assert_no_tmp(dir: &TempDir) {
    assert!(
        dir.files().iter().all(|f| !f.ends_with(".tmp")),
        "temporary file left behind: {:?}",
        dir.files()
    );
}

// ---------------------------------------------------------------- colormaps

#[test]
fn viridis_endpoints_and_monotonic_luminance() {
    assert_eq!(Colormap::Viridis.map(0.0), [0x44, 0x01, 0x54]);
    assert_eq!(Colormap::Viridis.map(1.0), [0xfd, 0xe7, 0x25]);
    // Clamped outside the domain.
    assert_eq!(Colormap::Viridis.map(-3.0), Colormap::Viridis.map(0.0));
    assert_eq!(Colormap::Viridis.map(7.0), Colormap::Viridis.map(1.0));
    let lum: Vec<f32> =
        (0..=200).map(|i| luminance(Colormap::Viridis.map(i as f32 / 200.0))).collect();
    for (i, w) in lum.windows(2).enumerate() {
        assert!(w[1] > w[0], "luminance not increasing at step {i}: {} -> {}", w[0], w[1]);
    }
    let gray: Vec<f32> = (0..=10).map(|i| luminance(Colormap::Gray.map(i as f32 / 10.0))).collect();
    assert!(gray.windows(2).all(|w| w[1] > w[0]));
}

#[test]
fn red_blue_is_diverging_around_white() {
    let cm = Colormap::RedBlue;
    assert_eq!(cm.domain(), (-1.0, 1.0));
    let mid = cm.map(0.0);
    assert!(mid.iter().all(|&c| c > 230), "0 should be near white, got {mid:?}");
    let (neg, pos) = (cm.map(-1.0), cm.map(1.0));
    assert!(neg[2] > neg[0] + 40, "−1 should be blue, got {neg:?}");
    assert!(pos[0] > pos[2] + 40, "+1 should be red, got {pos:?}");
    // Saturation grows with |t| on both sides: luminance falls away from 0.
    for t in [0.25f32, 0.5, 0.75, 1.0] {
        assert!(luminance(cm.map(t)) < luminance(cm.map(t - 0.25)));
        assert!(luminance(cm.map(-t)) < luminance(cm.map(-t + 0.25)));
    }
}

// ---------------------------------------------------------------- normalisation

#[test]
fn symmetric_normalisation_keeps_sign_and_zero() {
    let v = [-4.0, -1.0, 0.0, 2.0, 1.0];
    let n = normalize_symmetric(&v).unwrap();
    assert_eq!(n, vec![-1.0, -0.25, 0.0, 0.5, 0.25]);
    assert!(v.iter().zip(&n).all(|(a, b)| a.signum() == b.signum() || *a == 0.0));
    assert_eq!(normalize_symmetric(&[0.0; 4]).unwrap(), vec![0.0; 4]);
}

#[test]
fn min_max_maps_to_unit_interval() {
    let v = [3.0, -1.0, 7.0, 5.0];
    let n = normalize_min_max(&v).unwrap();
    assert_eq!(n, vec![0.5, 0.0, 1.0, 0.75]);
    assert!(n.iter().all(|x| (0.0..=1.0).contains(x)));
}

#[test]
fn constant_map_does_not_divide_by_zero() {
    for norm in [
        Normalization::MinMax,
        Normalization::MaxAbs,
        Normalization::Percentile { percentile: 99.0 },
        Normalization::CumulativeMass { percentile: 98.0 },
    ] {
        let n = norm.apply(&[0.0; 6]).unwrap();
        assert_eq!(n, vec![0.0; 6], "{norm:?} on zeros");
    }
    let n = Normalization::MinMax.apply(&[2.5; 6]).unwrap();
    assert!(n.iter().all(|x| x.is_finite()), "{n:?}");
}

#[test]
fn percentile_normalisations_clip_outliers() {
    // numpy.percentile(|v|, 50) of [1, 2, 3, 4, 100] is 3.
    let n = Normalization::Percentile { percentile: 50.0 }.apply(&[1.0, -2.0, 3.0, 4.0, 100.0]);
    let n = n.unwrap();
    assert!((n[0] - 1.0 / 3.0).abs() < 1e-6 && (n[1] + 2.0 / 3.0).abs() < 1e-6);
    assert_eq!(&n[2..], &[1.0, 1.0, 1.0]);
    // Captum's cumulative-sum threshold: sorted |v| = 1,2,3,4 (sum 10); 50% of the mass is
    // reached at 3.
    let n = Normalization::CumulativeMass { percentile: 50.0 }.apply(&[4.0, -1.0, 2.0, 3.0]);
    let n = n.unwrap();
    assert!((n[0] - 1.0).abs() < 1e-6 && (n[1] + 1.0 / 3.0).abs() < 1e-6);
    assert!((n[2] - 2.0 / 3.0).abs() < 1e-6 && (n[3] - 1.0).abs() < 1e-6);
    for p in [0.0, -5.0, 100.5, f32::NAN] {
        assert!(Normalization::Percentile { percentile: p }.apply(&[1.0]).is_err(), "p = {p}");
    }
}

// ---------------------------------------------------------------- images

#[test]
fn chw_to_rgb_layout_and_grayscale_replication() {
    // 3 channels, 2 rows, 3 columns; pixel (x=2, y=1) has R=1, G=0.5, B=0.
    let (h, w) = (2, 3);
    let mut data = vec![0.0f32; 3 * h * w];
    data[w + 2] = 1.0;
    data[h * w + w + 2] = 0.5;
    let img = chw_to_rgb(&data, 3, h, w).unwrap();
    assert_eq!(img.dimensions(), (3, 2));
    assert_eq!(img.get_pixel(2, 1).0, [255, 128, 0]);
    assert_eq!(img.get_pixel(1, 1).0, [0, 0, 0]);

    let gray: Vec<f32> = (0..6).map(|i| i as f32 / 5.0).collect();
    let img = chw_to_rgb(&gray, 1, h, w).unwrap();
    assert_eq!(img.get_pixel(1, 1).0, [204, 204, 204]);
    assert!(img.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
}

#[test]
fn upscale_is_nearest_neighbour_and_matches_upscale_values() {
    let img = test_image(5, 3);
    let big = upscale(&img, 4).unwrap();
    assert_eq!(big.dimensions(), (20, 12));
    for (x, y, p) in big.enumerate_pixels() {
        assert_eq!(p, img.get_pixel(x / 4, y / 4));
    }
    let labels: Vec<usize> = (0..15).collect();
    let big_labels = upscale_values(&labels, 3, 5, 4).unwrap();
    assert_eq!(big_labels.len(), 240);
    assert_eq!(big_labels[7 * 20 + 13], (7 / 4) * 5 + 13 / 4);
    assert!(upscale(&img, 0).is_err());
    assert!(upscale_values(&labels, 3, 4, 2).is_err());
}

#[test]
fn grids_expand_to_pixels() {
    // A 2×3 grid over 4×6 pixels: 2×2 blocks.
    let scores: Vec<f32> = (0..6).map(|i| i as f32).collect();
    let px = upsample_grid(&scores, 2, 3, 4, 6).unwrap();
    assert_eq!(px.len(), 24);
    assert_eq!(&px[0..6], &[0.0, 0.0, 1.0, 1.0, 2.0, 2.0]);
    assert_eq!(&px[18..24], &[3.0, 3.0, 4.0, 4.0, 5.0, 5.0]);
    // FeatureSpace::patches numbering: 5×5 with patch 3 → 2×2 patches, the last ones smaller.
    let px = expand_patches(&[10.0, 11.0, 12.0, 13.0], 3, 5, 5).unwrap();
    for y in 0..5 {
        for x in 0..5 {
            assert_eq!(px[y * 5 + x], 10.0 + ((y / 3) * 2 + x / 3) as f32, "({y}, {x})");
        }
    }
    assert!(upsample_grid(&scores, 2, 3, 1, 6).is_err(), "grid taller than the image");
    assert!(upsample_grid(&scores[..5], 2, 3, 4, 6).is_err(), "too few scores");
    assert!(upsample_grid(&[0.0, f32::NAN, 0.0, 0.0, 0.0, 0.0], 2, 3, 4, 6).is_err());
    assert!(expand_patches(&[0.0; 4], 0, 5, 5).is_err());
    assert!(expand_patches(&[0.0; 3], 3, 5, 5).is_err());
}

// ---------------------------------------------------------------- heat maps

#[test]
fn overlay_changes_the_hot_pixel_most() {
    let (w, h) = (7u32, 5u32);
    let img = test_image(w, h);
    let gray = to_grayscale(&img);
    let hot = (1 * w + 5) as usize; // (x = 5, y = 1): catches transposed indexing.
    for (signed, value) in [(false, 1.0f32), (true, 1.0), (true, -1.0)] {
        let mut scores = vec![0.0f32; (w * h) as usize];
        scores[hot] = value;
        let out = overlay(&img, &scores, 0.7, signed).unwrap();
        assert_eq!(out.dimensions(), (w, h));
        let change: Vec<i32> = out
            .pixels()
            .zip(gray.pixels())
            .map(|(a, b)| (0..3).map(|c| (a.0[c] as i32 - b.0[c] as i32).abs()).sum())
            .collect();
        let (argmax, &max) = change.iter().enumerate().max_by_key(|(_, c)| **c).unwrap();
        assert_eq!(argmax, hot, "signed = {signed}, value = {value}: changes {change:?}");
        assert!(max > 40, "the hot pixel barely changed ({max})");
        assert!(
            change.iter().enumerate().all(|(i, &c)| i == hot || c < max),
            "another pixel changed as much"
        );
        if signed {
            let p = out.get_pixel(5, 1).0;
            if value > 0.0 {
                assert!(p[0] > p[2], "positive should be red: {p:?}");
            } else {
                assert!(p[2] > p[0], "negative should be blue: {p:?}");
            }
        }
    }
    // alpha = 0 shows just the grey photo.
    let zero = overlay(&img, &vec![1.0; 35], 0.0, false).unwrap();
    assert_eq!(zero, gray);
}

#[test]
fn highlight_top_keeps_kept_pixels_and_dims_the_rest() {
    let (w, h) = (9u32, 7u32);
    let img = test_image(w, h);
    // Keep a 3×2 block at x = 4..7, y = 2..4.
    let keep: Vec<bool> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (4..7).contains(&x) && (2..4).contains(&y)))
        .collect();
    let out = highlight_top(&img, &keep).unwrap();
    let mut outlined = 0;
    for (x, y, p) in out.enumerate_pixels() {
        let i = (y * w + x) as usize;
        let orig = img.get_pixel(x, y).0;
        if keep[i] {
            assert_eq!(p.0, orig, "kept pixel ({x}, {y}) changed");
            continue;
        }
        let adjacent = [(1i32, 0i32), (-1, 0), (0, 1), (0, -1)].iter().any(|(dx, dy)| {
            let (nx, ny) = (x as i32 + dx, y as i32 + dy);
            nx >= 0
                && ny >= 0
                && nx < w as i32
                && ny < h as i32
                && keep[(ny as u32 * w + nx as u32) as usize]
        });
        if adjacent {
            assert_eq!(p.0, OUTLINE);
            outlined += 1;
        } else {
            let dimmed = orig.map(|v| (v as f32 * DIM_FACTOR).round() as u8);
            assert_eq!(p.0, dimmed, "pixel ({x}, {y})");
            assert!(luminance(p.0) < luminance(orig) * 0.3 + 1.0);
        }
    }
    assert_eq!(outlined, 10, "a 3×2 block inside the image has 10 4-neighbours");
    assert_eq!(highlight_top(&img, &vec![true; 63]).unwrap(), img);
}

#[test]
fn top_fraction_mask_keeps_the_highest_scores() {
    let scores = [0.1, 0.9, 0.3, 0.8, 0.0, 0.5, 0.2, 0.4, 0.6, 0.7];
    let m = top_fraction_mask(&scores, 0.2).unwrap();
    assert_eq!(m.iter().filter(|&&k| k).count(), 2);
    assert!(m[1] && m[3]);
    assert_eq!(top_fraction_mask(&scores, 0.0).unwrap(), vec![false; 10]);
    assert_eq!(top_fraction_mask(&scores, 1.0).unwrap(), vec![true; 10]);
    assert_eq!(top_fraction_mask(&scores, 0.25).unwrap().iter().filter(|&&k| k).count(), 3);
    assert!(top_fraction_mask(&scores, 1.5).is_err());
    assert!(top_fraction_mask(&[f32::NAN], 0.5).is_err());
}

// ---------------------------------------------------------------- panels

#[test]
fn panel_dimensions_are_tiles_plus_margins() {
    let (m, t) = (6u32, 20u32);
    let tiles = [test_image(30, 20), test_image(10, 25), test_image(16, 16), test_image(12, 8)];
    let panel = tiles
        .iter()
        .enumerate()
        .fold(Panel::new().with_margin(m).with_title_height(t), |p, (i, img)| {
            p.tile(format!("tile {i}"), img.clone())
        });
    let row = panel.render().unwrap();
    assert_eq!(row.width(), m + (30 + m) + (10 + m) + (16 + m) + (12 + m));
    assert_eq!(row.height(), m + t + 25 + m);
    assert_eq!(panel.dimensions().unwrap(), row.dimensions());
    // The first tile sits below the margin and the title band, in its column's centre.
    assert_eq!(row.get_pixel(m, m + t).0, tiles[0].get_pixel(0, 0).0);
    assert_eq!(row.get_pixel(m + 29, m + t + 19).0, tiles[0].get_pixel(29, 19).0);

    let grid = panel.clone().with_columns(2).render().unwrap();
    // Columns: max(30, 16) = 30 and max(10, 12) = 12; rows: max(20, 25) = 25, max(16, 8) = 16.
    assert_eq!(grid.width(), m + (30 + m) + (12 + m));
    assert_eq!(grid.height(), m + (t + 25 + m) + (t + 16 + m));
    // Tile 2 (16 wide) is centred in the 30-wide first column of the second row.
    let (x2, y2) = (m + 7, m + t + 25 + m + t);
    assert_eq!(grid.get_pixel(x2, y2).0, tiles[2].get_pixel(0, 0).0);

    if xai_viz::text_available() {
        // Titles are drawn into the title band.
        let band = (m..m + 30).flat_map(|x| (m..m + t).map(move |y| (x, y)));
        assert!(band.into_iter().any(|(x, y)| row.get_pixel(x, y).0 != [255, 255, 255]));
    }
    assert!(matches!(Panel::new().render(), Err(VizError::Empty { .. })));
    assert!(panel.clone().with_columns(0).render().is_err());
}

// ---------------------------------------------------------------- curves

fn robustness_plot() -> CurvePlot {
    let x: Vec<f32> = (1..=9).map(|i| 5.0 * i as f32).collect();
    CurvePlot::new("Robustness-S̄r (MNIST)", x.clone())
        .x_label("% of features")
        .y_label("ℓ2 robustness")
        .series("Grad", x.iter().map(|p| 0.5 + p / 40.0).collect())
        .series("IG", x.iter().map(|p| 0.6 + p / 35.0).collect())
        .series("Greedy-AS", x.iter().map(|p| 0.8 + p / 30.0).collect())
}

#[test]
fn curve_plot_png_is_written_and_decodes() {
    let dir = TempDir::new("curves");
    let path = dir.path("robustness.png");
    robustness_plot().save_png(&path, 640, 400).unwrap();
    assert_no_tmp(&dir);
    assert_eq!(dir.files(), vec!["robustness.png".to_string()]);
    let img = image::open(&path).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (640, 400));
    assert!(distinct_colours(&img) > 5, "figure is (nearly) one colour");
    // Each series' colour is drawn.
    for c in &xai_viz::curves::PALETTE[..3] {
        assert!(img.pixels().any(|p| p.0 == *c), "series colour {c:?} missing");
    }
    // Overwriting an existing file works and still leaves no temporary file.
    robustness_plot().save_png(&path, 320, 200).unwrap();
    assert_eq!(image::open(&path).unwrap().to_rgb8().dimensions(), (320, 200));
    assert_no_tmp(&dir);
}

#[test]
fn curve_plot_rejects_bad_input() {
    let x = vec![5.0, 10.0, 15.0];
    let ok = || CurvePlot::new("t", x.clone()).series("a", vec![1.0, 2.0, 3.0]);
    assert!(ok().render(300, 200).is_ok());
    let mismatched = ok().series("b", vec![1.0, 2.0]).render(300, 200);
    assert!(matches!(mismatched, Err(VizError::Shape { .. })), "{mismatched:?}");
    let nan = ok().series("b", vec![1.0, f32::NAN, 2.0]).render(300, 200);
    assert!(matches!(nan, Err(VizError::NonFinite { .. })), "{nan:?}");
    let x_inf = CurvePlot::new("t", vec![0.0, f32::INFINITY]).series("a", vec![1.0, 2.0]);
    assert!(x_inf.render(300, 200).is_err());
    assert!(matches!(CurvePlot::new("t", vec![]).render(300, 200), Err(VizError::Empty { .. })));
    assert!(matches!(CurvePlot::new("t", x.clone()).render(300, 200), Err(VizError::Empty { .. })));
    assert!(ok().render(10, 10).is_err(), "too small");
    assert!(ok().y_range(1.0, 1.0).render(300, 200).is_err());
    assert!(ok().y_range(0.0, 4.0).render(300, 200).is_ok());
    // A single point and a constant series still render (degenerate axis ranges).
    let single = CurvePlot::new("t", vec![5.0]).series("a", vec![2.0]);
    assert!(single.render(300, 200).is_ok());
}

// ---------------------------------------------------------------- validation and saving

#[test]
fn bad_image_inputs_are_errors() {
    assert!(matches!(chw_to_rgb(&[0.5; 11], 3, 2, 2), Err(VizError::Shape { .. })));
    assert!(matches!(chw_to_rgb(&[0.5; 8], 2, 2, 2), Err(VizError::Shape { .. })));
    assert!(matches!(chw_to_rgb(&[], 1, 0, 2), Err(VizError::Shape { .. })));
    let mut nan = vec![0.5; 12];
    nan[3] = f32::NAN;
    assert!(matches!(chw_to_rgb(&nan, 3, 2, 2), Err(VizError::NonFinite { count: 1, .. })));
    assert!(matches!(chw_to_rgb(&[2.1, 0.0, 0.0, 0.0], 1, 2, 2), Err(VizError::OutOfRange { .. })));
    // Rounding noise just outside [0, 1] is clamped.
    assert_eq!(
        chw_to_rgb(&[1.0001, -0.0001, 0.0, 0.0], 1, 2, 2).unwrap().get_pixel(0, 0).0,
        [255; 3]
    );

    let img = test_image(4, 3);
    assert!(matches!(overlay(&img, &[0.0; 11], 0.5, false), Err(VizError::Shape { .. })));
    let mut s = vec![0.0; 12];
    s[0] = f32::INFINITY;
    assert!(matches!(overlay(&img, &s, 0.5, true), Err(VizError::NonFinite { .. })));
    assert!(overlay(&img, &[0.0; 12], 1.5, true).is_err());
    assert!(matches!(highlight_top(&img, &[true; 13]), Err(VizError::Shape { .. })));
    assert!(xai_viz::heatmap(&[0.0; 5], 2, 3, false).is_err());
}

#[test]
fn atomic_save_leaves_no_tmp_file() {
    let dir = TempDir::new("save");
    let path = dir.path("fig.png");
    save_png(&test_image(8, 6), &path).unwrap();
    assert_eq!(dir.files(), vec!["fig.png".to_string()]);
    assert_eq!(image::open(&path).unwrap().to_rgb8(), test_image(8, 6));
    assert_eq!(xai_viz::image_io::tmp_path(&path), dir.path("fig.png.tmp"));

    Panel::new().tile("a", test_image(8, 6)).save_png(dir.path("panel.png")).unwrap();
    assert_eq!(dir.files(), vec!["fig.png".to_string(), "panel.png".to_string()]);

    // A missing parent folder is an I/O error and leaves nothing behind.
    let missing = dir.path("no/such/dir/fig.png");
    assert!(matches!(save_png(&test_image(2, 2), &missing), Err(VizError::Io { .. })));
    assert!(!Path::new(&dir.path("no")).exists());
    assert_no_tmp(&dir);
}

// ---------------------------------------------------------------- no font

/// Runs itself in a child process with `BURN_XAI_FONT=none` (the font is looked up once per
/// process), where figures must still render, without text.
#[test]
fn figures_render_without_a_font() {
    if std::env::var_os("XAI_VIZ_NO_FONT_CHILD").is_some() {
        assert!(!xai_viz::text_available());
        let img = robustness_plot().render(400, 300).unwrap();
        assert!(distinct_colours(&img) > 3);
        let panel = Panel::new().with_margin(4).with_title_height(10).tile("t", test_image(5, 5));
        let out = panel.render().unwrap();
        assert_eq!(out.dimensions(), (4 + 5 + 4, 4 + 10 + 5 + 4));
        // The title band stays blank.
        assert!((0..out.width()).all(|x| (4..14).all(|y| out.get_pixel(x, y).0 == [255; 3])));
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "figures_render_without_a_font", "--test-threads=1"])
        .env("XAI_VIZ_NO_FONT_CHILD", "1")
        .env("BURN_XAI_FONT", "none")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------- a realistic figure

/// The `imagenet_greedy_as`-style figure on a synthetic photo: photo, overlay, top-20%
/// highlight, upscaled ×8 like MNIST. Set `XAI_VIZ_TEST_OUT=<dir>` to keep the PNGs.
#[test]
fn explanation_panel_and_curves_end_to_end() {
    let (h, w) = (28usize, 28usize);
    // A bright disc on a dark background, 1 channel.
    let photo: Vec<f32> = (0..h * w)
        .map(|i| {
            let (y, x) = ((i / w) as f32 - 13.5, (i % w) as f32 - 13.5);
            if x * x + y * y < 64.0 { 0.9 } else { 0.1 }
        })
        .collect();
    // Scores peak at the disc centre; signed scores are negative on the left.
    let scores: Vec<f32> = (0..h * w)
        .map(|i| {
            let (y, x) = ((i / w) as f32 - 13.5, (i % w) as f32 - 13.5);
            (-(x * x + y * y) / 60.0).exp()
        })
        .collect();
    let signed: Vec<f32> =
        scores.iter().enumerate().map(|(i, s)| if i % w < 14 { -s } else { *s }).collect();
    let k = 8;
    let img = upscale(&chw_to_rgb(&photo, 1, h, w).unwrap(), k).unwrap();
    let big = |v: &[f32]| upscale_values(v, h, w, k).unwrap();
    let keep = upscale_values(&top_fraction_mask(&scores, 0.2).unwrap(), h, w, k).unwrap();
    let panel = Panel::new()
        .tile("input", img.clone())
        .tile("Greedy-AS", overlay(&img, &big(&scores), 0.8, false).unwrap())
        .tile("IG (signed)", overlay(&img, &big(&signed), 0.8, true).unwrap())
        .tile("top 20% features", highlight_top(&img, &keep).unwrap());
    let dir = TempDir::new("e2e");
    let panel_path = dir.path("panel.png");
    panel.save_png(&panel_path).unwrap();
    let curves_path = dir.path("curves.png");
    robustness_plot().save_png(&curves_path, 800, 500).unwrap();
    let decoded = image::open(&panel_path).unwrap().to_rgb8();
    assert_eq!(decoded.dimensions(), (8 + 4 * (224 + 8), 8 + 22 + 224 + 8));
    assert_no_tmp(&dir);
    if let Some(out) = std::env::var_os("XAI_VIZ_TEST_OUT") {
        std::fs::copy(&panel_path, Path::new(&out).join("panel.png")).unwrap();
        std::fs::copy(&curves_path, Path::new(&out).join("curves.png")).unwrap();
    }
}

// ---------------------------------------------------------------- colour bars

use xai_viz::colour_bar::{BAR_GAP, BAR_THICKNESS, FRAME};
use xai_viz::{
    BarOrientation, MatrixPlot, colour_bar, colour_bar_size, explanation_figure, format_tick,
    overlay_with_colour_bar, with_colour_bar,
};

/// Luminance of the pixels at `coords`, in order.
fn lum_along(img: &RgbImage, coords: impl Iterator<Item = (u32, u32)>) -> Vec<f32> {
    coords.map(|(x, y)| luminance(img.get_pixel(x, y).0)).collect()
}

/// Luminance never falls by more than rounding each channel to `u8` allows, and rises overall.
fn assert_rising_ramp(lum: &[f32], what: &str) {
    assert!(lum.windows(2).all(|p| p[1] >= p[0] - 1.0), "{what}: luminance not monotone: {lum:?}");
    assert!(lum[lum.len() - 1] - lum[0] > 100.0, "{what}: ramp too flat: {lum:?}");
}

fn colour_close(a: [u8; 3], b: [u8; 3], tol: i32) -> bool {
    a.iter().zip(b).all(|(x, y)| (*x as i32 - y as i32).abs() <= tol)
}

#[test]
fn colour_bar_is_a_monotone_ramp_of_the_requested_size() {
    let len = 200;
    let bar = colour_bar(Colormap::Viridis, -0.5, 2.5, len, BarOrientation::Horizontal).unwrap();
    assert_eq!(bar.dimensions(), colour_bar_size(len, BarOrientation::Horizontal));
    assert_eq!(bar.width(), len);
    let mid = BAR_GAP + BAR_THICKNESS / 2;
    // Frame at both ends, the colormap in between, low on the left.
    assert_eq!(bar.get_pixel(0, mid).0, FRAME);
    assert_eq!(bar.get_pixel(len - 1, mid).0, FRAME);
    assert_rising_ramp(&lum_along(&bar, (1..len - 1).map(|x| (x, mid))), "horizontal bar");
    assert!(colour_close(bar.get_pixel(1, mid).0, Colormap::Viridis.map(0.0), 4));
    assert!(colour_close(bar.get_pixel(len - 2, mid).0, Colormap::Viridis.map(1.0), 4));
    // The gap above the ramp is blank.
    assert!((0..len).all(|x| bar.get_pixel(x, 0).0 == [255; 3]));

    let v = colour_bar(Colormap::Gray, 0.0, 1.0, 120, BarOrientation::Vertical).unwrap();
    assert_eq!(v.dimensions(), colour_bar_size(120, BarOrientation::Vertical));
    assert_eq!(v.height(), 120);
    let x = BAR_GAP + BAR_THICKNESS / 2;
    // High values at the top: luminance rises from the bottom row upwards.
    assert_rising_ramp(&lum_along(&v, (1..119).rev().map(|y| (x, y))), "vertical bar");

    // Diverging maps are white in the middle.
    let d = colour_bar(Colormap::RedBlue, -1.0, 1.0, 101, BarOrientation::Horizontal).unwrap();
    assert!(colour_close(d.get_pixel(50, mid).0, [0xf7; 3], 2), "{:?}", d.get_pixel(50, mid));
}

#[test]
fn colour_bar_labels_and_tick_format() {
    assert_eq!(format_tick(0.0), "0");
    assert_eq!(format_tick(1.5), "1.5");
    assert_eq!(format_tick(0.012345), "0.0123");
    assert_eq!(format_tick(-123.4), "-123");
    assert_eq!(format_tick(2.0), "2");
    assert_eq!(format_tick(1.234e-5), "1.23e-5");
    assert_eq!(format_tick(45600.0), "4.56e4");
    let bar = colour_bar(Colormap::Viridis, 0.0, 0.75, 200, BarOrientation::Horizontal).unwrap();
    let band_top = BAR_GAP + BAR_THICKNESS + xai_viz::colour_bar::TICK_LENGTH;
    let ink = |x0: u32, x1: u32| {
        (x0..x1)
            .flat_map(|x| (band_top..bar.height()).map(move |y| (x, y)))
            .filter(|&(x, y)| luminance(bar.get_pixel(x, y).0) < 128.0)
            .count()
    };
    if xai_viz::text_available() {
        // "0" at the left end and "0.75" at the right end, nothing in the middle.
        assert!(ink(0, 40) > 5, "no min label");
        assert!(ink(160, 200) > 5, "no max label");
        assert_eq!(ink(80, 120), 0);
    } else {
        assert_eq!(ink(0, 200), 0);
    }
}

#[test]
fn colour_bar_rejects_bad_input() {
    let h = BarOrientation::Horizontal;
    assert!(matches!(
        colour_bar(Colormap::Viridis, f64::NAN, 1.0, 100, h),
        Err(VizError::NonFinite { .. })
    ));
    assert!(matches!(
        colour_bar(Colormap::Viridis, 2.0, 1.0, 100, h),
        Err(VizError::InvalidParameter { .. })
    ));
    assert!(matches!(
        colour_bar(Colormap::Viridis, 0.0, 1.0, 3, h),
        Err(VizError::InvalidParameter { .. })
    ));
    // A constant map is fine.
    assert!(colour_bar(Colormap::Viridis, 1.0, 1.0, 100, h).is_ok());
}

#[test]
fn overlay_with_colour_bar_appends_the_matching_bar() {
    let img = test_image(64, 48);
    let scores: Vec<f32> = (0..64 * 48).map(|i| (i % 64) as f32 / 10.0 - 3.0).collect();
    let bar_h = colour_bar_size(64, BarOrientation::Horizontal).1;
    for signed in [false, true] {
        let out = overlay_with_colour_bar(&img, &scores, 0.8, signed).unwrap();
        assert_eq!(out.dimensions(), (64, 48 + bar_h));
        // The image part is exactly the plain overlay.
        let plain = overlay(&img, &scores, 0.8, signed).unwrap();
        assert!((0..64).all(|x| (0..48).all(|y| out.get_pixel(x, y) == plain.get_pixel(x, y))));
    }
    let mid = 48 + BAR_GAP + BAR_THICKNESS / 2;
    let signed = overlay_with_colour_bar(&img, &scores, 0.8, true).unwrap();
    assert!(colour_close(signed.get_pixel(32, mid).0, [0xf7; 3], 12));
    let plain = with_colour_bar(&img, Colormap::Viridis, 0.0, 1.0).unwrap();
    assert_eq!(plain.dimensions(), (64, 48 + bar_h));
    assert!(overlay_with_colour_bar(&img, &scores[1..], 0.8, false).is_err());
}

/// `explanation_figure` (used by `xai explain --out` and the examples): the heat-map tile gets
/// a colour bar below it, so the figure is taller by the bar, and the bar's middle row is a
/// rising viridis ramp.
#[test]
fn explanation_figure_has_a_colour_bar_under_each_heat_map() {
    let (h, w) = (28usize, 28usize);
    let pixels: Vec<f32> = (0..h * w).map(|i| (i % 7) as f32 / 7.0).collect();
    let space = xai_core::FeatureSpace::pixels(1, h, w).unwrap();
    let scores: Vec<f32> = (0..h * w).map(|i| ((i * 37) % 101) as f32 / 100.0).collect();
    let a = xai_core::Attribution::new("grad", 3, scores, Default::default()).unwrap();
    let b = xai_core::Attribution::new("ig", 3, vec![0.5; h * w], Default::default()).unwrap();
    let tiles = [
        xai_viz::ExplanationTile { title: "Grad".into(), attribution: &a },
        xai_viz::ExplanationTile { title: "IG".into(), attribution: &b },
    ];
    let figure = explanation_figure(&pixels, [1, h, w], &space, &tiles, 0.2).unwrap();
    assert_eq!(figure.len(), 5);
    let img = figure.render().unwrap();
    let side = 7 * 28; // upscaled by 200 / 28 = 7
    let bar_h = colour_bar_size(side, BarOrientation::Horizontal).1;
    assert_eq!(img.dimensions(), (8 + 5 * (side + 8), 8 + 22 + side + bar_h + 8));
    // Each heat-map tile (columns 1 and 3) has a ramp below the image; the others do not.
    let row = 8 + 22 + side + BAR_GAP + BAR_THICKNESS / 2;
    for col in [1, 3] {
        let x0 = 8 + col * (side + 8);
        assert_rising_ramp(
            &lum_along(&img, (x0 + 1..x0 + side - 1).map(|x| (x, row))),
            &format!("bar of tile {col}"),
        );
        assert!(colour_close(img.get_pixel(x0 + 1, row).0, Colormap::Viridis.map(0.0), 4));
    }
    for col in [0, 2, 4] {
        let x0 = 8 + col * (side + 8);
        assert!((x0..x0 + side).all(|x| img.get_pixel(x, row).0 == [255; 3]), "tile {col}");
    }
    if let Some(out) = std::env::var_os("XAI_VIZ_TEST_OUT") {
        save_png(&img, Path::new(&out).join("explanation_figure.png")).unwrap();
    }
}

// ---------------------------------------------------------------- matrix heat map

const METHODS: [&str; 4] = ["Grad", "IntegratedGradients", "DeepSHAP", "Greedy-AS"];

/// A symmetric distance matrix with a zero diagonal and distinct off-diagonal values.
fn mutual_matrix() -> Vec<f64> {
    let d = [[0.0, 0.31, 0.92, 1.24], [0.31, 0.0, 0.55, 1.07], [0.92, 0.55, 0.0, 0.78]];
    let mut m = vec![0.0; 16];
    for (i, row) in d.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            m[i * 4 + j] = *v;
            m[j * 4 + i] = *v;
        }
    }
    m
}

#[test]
fn matrix_plot_renders_cells_ordered_like_the_values() {
    let values = mutual_matrix();
    let plot = MatrixPlot::new("Mutual verification (L2)", METHODS, values.clone());
    let (w, h) = (640, 560);
    let img = plot.render(w, h).unwrap();
    assert_eq!(img.dimensions(), (w, h));
    assert!(distinct_colours(&img) > 10, "{} colours", distinct_colours(&img));
    let layout = plot.layout(w, h).unwrap();
    assert_eq!(layout.n, 4);
    assert!(layout.cell > 20);
    // Each cell's corner has the cell colour; luminance orders like the values (viridis).
    let mut cells: Vec<(f64, f32)> = Vec::new();
    for r in 0..4 {
        for c in 0..4 {
            let (x, y, cw, ch) = layout.cell_rect(r, c).unwrap();
            assert!(x + cw <= w && y + ch <= h);
            let px = img.get_pixel(x + 2, y + 2).0;
            assert_eq!(px, plot.colour_of(values[r * 4 + c]), "cell ({r}, {c})");
            cells.push((values[r * 4 + c], luminance(px)));
        }
    }
    cells.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(cells.windows(2).all(|p| p[0].0 == p[1].0 || p[1].1 > p[0].1), "{cells:?}");
    assert_eq!(plot.colour_of(0.0), Colormap::Viridis.map(0.0));
    assert_eq!(plot.colour_of(1.24), Colormap::Viridis.map(1.0));
    // The colour bar on the right: luminance rises upwards.
    let (bx, by, bw, bh) = layout.bar.unwrap();
    assert!(bx + bw <= w && by + bh <= h);
    let x = bx + BAR_GAP + BAR_THICKNESS / 2;
    assert_rising_ramp(&lum_along(&img, (by + 1..by + bh - 1).rev().map(|y| (x, y))), "bar");
    if xai_viz::text_available() {
        // Values written in the cells: some cell pixels differ from the cell colour.
        let (x, y, cw, ch) = layout.cell_rect(0, 3).unwrap();
        let fill = plot.colour_of(values[3]);
        let inked = (x..x + cw)
            .flat_map(|x| (y..y + ch).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0 != fill)
            .count();
        assert!(inked > 10, "no value text in cell (0, 3)");
        // Row labels left of the matrix, column labels below it, title on top.
        let dark = |xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
            xs.flat_map(|x| ys.clone().map(move |y| (x, y)))
                .filter(|&(x, y)| luminance(img.get_pixel(x, y).0) < 100.0)
                .count()
        };
        let (ox, oy) = layout.origin;
        let side = layout.cell * 4;
        assert!(dark(0..ox, oy..oy + side) > 50, "no row labels");
        assert!(dark(ox..ox + side, oy + side..h) > 50, "no column labels");
        assert!(dark(0..w, 0..oy) > 50, "no title");
    }
    // Fixed range and another colormap; from_rows gives the same figure as new.
    let rows: Vec<Vec<f64>> = values.chunks(4).map(<[f64]>::to_vec).collect();
    let same = MatrixPlot::from_rows("Mutual verification (L2)", METHODS, &rows).unwrap();
    assert_eq!(same.render(w, h).unwrap(), img);
    let fixed =
        MatrixPlot::new("fixed", METHODS, values).value_range(0.0, 2.0).colormap(Colormap::Gray);
    assert_eq!(fixed.colour_of(1.0), Colormap::Gray.map(0.5));
    assert_eq!(fixed.render(300, 260).unwrap().dimensions(), (300, 260));
}

#[test]
fn matrix_plot_png_is_written_and_decodes() {
    let dir = TempDir::new("matrix");
    let path = dir.path("mutual.png");
    MatrixPlot::new("M_mutual", METHODS, mutual_matrix()).save_png(&path, 500, 420).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (500, 420));
    assert!(distinct_colours(&img) > 10);
    assert_no_tmp(&dir);
    if let Some(out) = std::env::var_os("XAI_VIZ_TEST_OUT") {
        std::fs::copy(&path, Path::new(&out).join("mutual.png")).unwrap();
    }
}

#[test]
fn matrix_plot_rejects_bad_input() {
    let shape = |p: MatrixPlot| matches!(p.render(400, 300), Err(VizError::Shape { .. }));
    // Not n² values for n labels.
    assert!(shape(MatrixPlot::new("t", METHODS, vec![0.0; 12])));
    // Label counts that do not match.
    assert!(shape(MatrixPlot::new("t", ["a", "b", "c"], mutual_matrix())));
    assert!(shape(MatrixPlot::new("t", METHODS, mutual_matrix()).column_labels(["a", "b"])));
    // Non-square or ragged rows.
    let ragged = vec![vec![0.0, 1.0], vec![1.0]];
    assert!(matches!(MatrixPlot::from_rows("t", ["a", "b"], &ragged), Err(VizError::Shape { .. })));
    let wide = vec![vec![0.0, 1.0, 2.0], vec![1.0, 0.0, 2.0]];
    assert!(matches!(MatrixPlot::from_rows("t", ["a", "b"], &wide), Err(VizError::Shape { .. })));
    // NaN / Inf.
    let mut nan = mutual_matrix();
    nan[5] = f64::NAN;
    nan[6] = f64::INFINITY;
    assert!(matches!(
        MatrixPlot::new("t", METHODS, nan).render(400, 300),
        Err(VizError::NonFinite { count: 2, .. })
    ));
    // Empty, bad range, too small a figure.
    let empty: [&str; 0] = [];
    assert!(matches!(MatrixPlot::new("t", empty, vec![]).validate(), Err(VizError::Empty { .. })));
    let plot = MatrixPlot::new("t", METHODS, mutual_matrix());
    assert!(matches!(
        plot.clone().value_range(1.0, 1.0).validate(),
        Err(VizError::InvalidParameter { .. })
    ));
    assert!(matches!(plot.render(50, 300), Err(VizError::Shape { .. })));
    assert!(plot.validate().is_ok());
}

/// Like `figures_render_without_a_font`: in a child process without a font, the matrix plot
/// and the colour bars keep their layout and colours.
#[test]
fn matrix_and_colour_bar_render_without_a_font() {
    if std::env::var_os("XAI_VIZ_NO_FONT_CHILD").is_some() {
        assert!(!xai_viz::text_available());
        let plot = MatrixPlot::new("M_mutual", METHODS, mutual_matrix());
        let img = plot.render(400, 320).unwrap();
        assert_eq!(img.dimensions(), (400, 320));
        let layout = plot.layout(400, 320).unwrap();
        let (x, y, cw, ch) = layout.cell_rect(0, 3).unwrap();
        let fill = plot.colour_of(1.24);
        assert!((x..x + cw).all(|x| (y..y + ch).all(|y| img.get_pixel(x, y).0 == fill)));
        let bar = colour_bar(Colormap::Viridis, 0.0, 1.0, 100, BarOrientation::Horizontal).unwrap();
        assert_eq!(bar.dimensions(), colour_bar_size(100, BarOrientation::Horizontal));
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "matrix_and_colour_bar_render_without_a_font", "--test-threads=1"])
        .env("XAI_VIZ_NO_FONT_CHILD", "1")
        .env("BURN_XAI_FONT", "none")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
