//! Feature spaces: how input elements group into the features that explanations rank and
//! masks select.

use crate::error::{Result, XaiError};
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// How a feature space was built (for reports and plots).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeatureLayout {
    /// Every element of the input is its own feature (tabular data, linear models).
    Elements,
    /// One feature per pixel, all channels of the pixel together (the papers' choice).
    Pixels,
    /// A grid of square `size`×`size` patches (the last row/column may be smaller).
    Patches {
        /// Side of a patch in pixels.
        size: usize,
    },
    /// Explicit groups per pixel (superpixels, tokens, ...).
    Groups,
}

/// A map from the elements of one input sample to feature indices `0..n_features`.
///
/// Masks and attributions live in feature space; [`FeatureSpace::expand`] takes them to input
/// space on the device with a single `select`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpace {
    sample_shape: Vec<usize>,
    groups: Vec<u32>,
    n_features: usize,
    layout: FeatureLayout,
}

impl FeatureSpace {
    /// Every element is a feature. `sample_shape` excludes the batch dimension.
    pub fn elements(sample_shape: &[usize]) -> Result<Self> {
        let n: usize = sample_shape.iter().product();
        if n == 0 {
            return Err(XaiError::shape("sample shape", "no zero dimension", sample_shape));
        }
        Ok(Self {
            sample_shape: sample_shape.to_vec(),
            groups: (0..n as u32).collect(),
            n_features: n,
            layout: FeatureLayout::Elements,
        })
    }

    /// One feature per pixel of a `[channels, height, width]` image; all channels of a pixel
    /// belong to the same feature.
    pub fn pixels(channels: usize, height: usize, width: usize) -> Result<Self> {
        let labels: Vec<u32> = (0..(height * width) as u32).collect();
        Self::from_pixel_groups(channels, height, width, labels, FeatureLayout::Pixels)
    }

    /// A grid of `size`×`size` patches over a `[channels, height, width]` image, numbered row
    /// by row; e.g. `patches(3, 224, 224, 16)` gives 14×14 = 196 features.
    pub fn patches(channels: usize, height: usize, width: usize, size: usize) -> Result<Self> {
        if size == 0 || size > height.max(width) {
            return Err(XaiError::invalid(
                "patch size",
                size,
                format!("1..={}", height.max(width)),
            ));
        }
        let cols = width.div_ceil(size);
        let labels = (0..height)
            .flat_map(|y| (0..width).map(move |x| ((y / size) * cols + x / size) as u32))
            .collect();
        Self::from_pixel_groups(channels, height, width, labels, FeatureLayout::Patches { size })
    }

    /// Parses a feature-space spec for a `[channels, height, width]` image: `pixels` (one
    /// feature per pixel) or `grid:N` (N×N square patches; N must divide height and width).
    /// Returns the space and its grid `[rows, cols]`.
    pub fn from_spec(spec: &str, [c, h, w]: [usize; 3]) -> Result<(Self, [usize; 2])> {
        if spec == "pixels" {
            return Ok((Self::pixels(c, h, w)?, [h, w]));
        }
        let n = spec
            .strip_prefix("grid:")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| XaiError::invalid("feature spec", spec, "'pixels' or 'grid:N'"))?;
        if n == 0 || n > h.min(w) || h % n != 0 || w % n != 0 {
            return Err(XaiError::invalid(
                "feature grid",
                spec,
                format!("grid:N with N dividing the image size {h}×{w}"),
            ));
        }
        Ok((Self::patches(c, h, w, h / n)?, [n, n]))
    }

    /// Explicit groups: `labels[y * width + x]` is the feature of pixel (y, x), shared by all
    /// channels. Labels must cover `0..n` without gaps.
    pub fn groups(channels: usize, height: usize, width: usize, labels: Vec<u32>) -> Result<Self> {
        Self::from_pixel_groups(channels, height, width, labels, FeatureLayout::Groups)
    }

    fn from_pixel_groups(
        channels: usize,
        height: usize,
        width: usize,
        labels: Vec<u32>,
        layout: FeatureLayout,
    ) -> Result<Self> {
        if channels == 0 || height == 0 || width == 0 {
            return Err(XaiError::shape(
                "image shape",
                "[channels, height, width], all > 0",
                &[channels, height, width],
            ));
        }
        if labels.len() != height * width {
            return Err(XaiError::shape(
                "group labels",
                format!("{} labels (height*width)", height * width),
                &[labels.len()],
            ));
        }
        let n_features = labels.iter().max().map_or(0, |&m| m as usize + 1);
        let mut used = vec![false; n_features];
        labels.iter().for_each(|&l| used[l as usize] = true);
        if let Some(gap) = used.iter().position(|u| !u) {
            return Err(XaiError::invalid(
                "group labels",
                format!("missing label {gap}"),
                format!("labels covering 0..{n_features} without gaps"),
            ));
        }
        let groups = (0..channels).flat_map(|_| labels.iter().copied()).collect();
        Ok(Self { sample_shape: vec![channels, height, width], groups, n_features, layout })
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Shape of one input sample (without the batch dimension).
    pub fn sample_shape(&self) -> &[usize] {
        &self.sample_shape
    }

    /// Number of elements of one input sample.
    pub fn n_elements(&self) -> usize {
        self.groups.len()
    }

    /// The feature of each input element (row-major).
    pub fn element_features(&self) -> &[u32] {
        &self.groups
    }

    /// How the space was built.
    pub fn layout(&self) -> &FeatureLayout {
        &self.layout
    }

    /// Checks that a batch of inputs has this space's sample shape.
    pub fn check_input(&self, dims: &[usize]) -> Result<()> {
        if dims.len() != self.sample_shape.len() + 1 || dims[1..] != self.sample_shape[..] {
            return Err(XaiError::shape(
                "input",
                format!("[batch, {}]", fmt_dims(&self.sample_shape)),
                dims,
            ));
        }
        Ok(())
    }

    /// Expands per-feature values to input space on the device.
    ///
    /// # Shapes
    /// `[batch, n_features]` → `[batch, ...sample_shape]` (rank `D`)
    pub fn expand<const D: usize>(&self, values: Tensor<2>) -> Result<Tensor<D>> {
        let [n, f] = values.dims();
        if f != self.n_features {
            return Err(XaiError::shape(
                "feature values",
                format!("[batch, {}]", self.n_features),
                &[n, f],
            ));
        }
        if D != self.sample_shape.len() + 1 {
            return Err(XaiError::invalid(
                "output rank",
                D,
                format!("{} (batch + sample shape)", self.sample_shape.len() + 1),
            ));
        }
        let device = values.device();
        let index = self.index_tensor(&device);
        let mut shape = [0usize; D];
        shape[0] = n;
        shape[1..].copy_from_slice(&self.sample_shape);
        Ok(values.select(1, index).reshape(shape))
    }

    /// The element → feature index as an integer tensor on `device`.
    pub fn index_tensor(&self, device: &Device) -> Tensor<1, Int> {
        let idx: Vec<i64> = self.groups.iter().map(|&g| g as i64).collect();
        Tensor::from_data(TensorData::new(idx, [self.groups.len()]), device)
    }

    /// Expands one row of per-feature values to input space on the host.
    pub fn expand_host(&self, values: &[f32]) -> Result<Vec<f32>> {
        self.check_features("feature values", values.len())?;
        Ok(self.groups.iter().map(|&g| values[g as usize]).collect())
    }

    /// Sums one row of per-element values into per-feature values (e.g. a gradient map into
    /// pixel or patch scores).
    pub fn aggregate_sum(&self, element_values: &[f32]) -> Result<Vec<f32>> {
        if element_values.len() != self.groups.len() {
            return Err(XaiError::shape(
                "element values",
                format!("{} values", self.groups.len()),
                &[element_values.len()],
            ));
        }
        let mut out = vec![0.0f32; self.n_features];
        for (&g, &v) in self.groups.iter().zip(element_values) {
            out[g as usize] += v;
        }
        Ok(out)
    }

    /// Errors unless `len` equals the number of features.
    pub fn check_features(&self, what: &str, len: usize) -> Result<()> {
        if len != self.n_features {
            return Err(XaiError::shape(what, format!("{} features", self.n_features), &[len]));
        }
        Ok(())
    }
}

fn fmt_dims(dims: &[usize]) -> String {
    dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
}
