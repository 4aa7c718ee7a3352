//! An in-memory labelled image dataset: images as `f32` in `[0, 1]`, labels, class and item names.

use burn::tensor::{Device, Tensor};
use xai_core::host::from_vec_f32;
use xai_core::{Result, XaiError};

/// A labelled image dataset held in memory.
///
/// # Shapes
/// Images are stored row-major as `[N, C, H, W]` `f32` values in `[0, 1]`; labels are `[N]`
/// class indices into `class_names`; `item_names` has one name per image (a file name for photos).
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    name: String,
    images: Vec<f32>,
    sample_shape: [usize; 3],
    labels: Vec<usize>,
    class_names: Vec<String>,
    item_names: Vec<String>,
}

impl Dataset {
    /// Builds a dataset, checking that the images hold `labels.len()` samples of
    /// `sample_shape`, that every label is a valid class index and that there is one item name
    /// per sample.
    pub fn new(
        name: impl Into<String>,
        images: Vec<f32>,
        sample_shape: [usize; 3],
        labels: Vec<usize>,
        class_names: Vec<String>,
        item_names: Vec<String>,
    ) -> Result<Self> {
        let name = name.into();
        let per_sample: usize = sample_shape.iter().product();
        if per_sample == 0 || images.len() != labels.len() * per_sample {
            return Err(XaiError::shape(
                format!("{name} images"),
                format!(
                    "{} samples of {sample_shape:?} ({} values)",
                    labels.len(),
                    labels.len() * per_sample
                ),
                &[images.len()],
            ));
        }
        if item_names.len() != labels.len() {
            return Err(XaiError::shape(
                format!("{name} item names"),
                format!("{} names", labels.len()),
                &[item_names.len()],
            ));
        }
        if let Some((i, &bad)) = labels.iter().enumerate().find(|&(_, &l)| l >= class_names.len()) {
            return Err(XaiError::invalid(
                format!("{name} label of item {i}"),
                bad,
                format!("a class index in 0..{}", class_names.len()),
            ));
        }
        Ok(Self { name, images, sample_shape, labels, class_names, item_names })
    }

    /// The dataset's name (e.g. `mnist-test`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the dataset holds no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The shape of one sample, `[C, H, W]`.
    pub fn sample_shape(&self) -> [usize; 3] {
        self.sample_shape
    }

    /// All images, row-major `[N, C, H, W]`.
    pub fn images(&self) -> &[f32] {
        &self.images
    }

    /// The labels (class indices), one per sample.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// The class names; `labels` index into them.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// One name per sample (the file name for photos, `<dataset>#<index>` for IDX sets).
    pub fn item_names(&self) -> &[String] {
        &self.item_names
    }

    fn check_index(&self, i: usize) -> Result<()> {
        if i < self.len() {
            Ok(())
        } else {
            Err(XaiError::invalid(
                format!("{} index", self.name),
                i,
                format!("an index in 0..{} (the dataset has {} samples)", self.len(), self.len()),
            ))
        }
    }

    /// Sample `i`'s values, `[C, H, W]` row-major; an error naming the valid range if `i` is out of it.
    pub fn image(&self, i: usize) -> Result<&[f32]> {
        self.check_index(i)?;
        let n: usize = self.sample_shape.iter().product();
        Ok(&self.images[i * n..(i + 1) * n])
    }

    /// Sample `i`'s label.
    pub fn label(&self, i: usize) -> Result<usize> {
        self.check_index(i)?;
        Ok(self.labels[i])
    }

    /// The labels of `indices`, in order.
    pub fn batch_labels(&self, indices: &[usize]) -> Result<Vec<usize>> {
        indices.iter().map(|&i| self.label(i)).collect()
    }

    /// The samples at `indices` as one tensor on `device`.
    ///
    /// # Shapes
    /// Returns `[indices.len(), C, H, W]`. `indices` must be non-empty.
    pub fn batch_tensor(&self, indices: &[usize], device: &Device) -> Result<Tensor<4>> {
        if indices.is_empty() {
            return Err(XaiError::invalid("batch indices", "[]", "at least one index"));
        }
        let n: usize = self.sample_shape.iter().product();
        let mut values = Vec::with_capacity(indices.len() * n);
        for &i in indices {
            values.extend_from_slice(self.image(i)?);
        }
        let [c, h, w] = self.sample_shape;
        from_vec_f32(values, [indices.len(), c, h, w], device)
    }
}
