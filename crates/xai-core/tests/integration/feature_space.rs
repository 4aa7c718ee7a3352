//! Feature spaces: labels, expansion on the device, aggregation.

use burn::tensor::{Device, Tensor, TensorData};
use proptest::prelude::*;
use xai_core::host::to_vec_f32;
use xai_core::{FeatureSpace, XaiError};

#[test]
fn pixels_share_a_feature_across_channels() {
    let space = FeatureSpace::pixels(3, 2, 2).unwrap();
    assert_eq!(space.n_features(), 4);
    assert_eq!(space.element_features(), &[0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
}

#[test]
fn patches_number_cells_row_by_row() {
    let space = FeatureSpace::patches(1, 4, 6, 2).unwrap();
    assert_eq!(space.n_features(), 6);
    #[rustfmt::skip]
    let expected = [0, 0, 1, 1, 2, 2,
                    0, 0, 1, 1, 2, 2,
                    3, 3, 4, 4, 5, 5,
                    3, 3, 4, 4, 5, 5];
    assert_eq!(space.element_features(), &expected);
    // 224x224 with 16-pixel patches: the 14x14 grid of the ImageNet example.
    assert_eq!(FeatureSpace::patches(3, 224, 224, 16).unwrap().n_features(), 196);
    // Non-divisible sizes keep a smaller last row/column rather than dropping pixels.
    assert_eq!(FeatureSpace::patches(1, 28, 28, 8).unwrap().n_features(), 16);
}

#[test]
fn groups_must_cover_labels_without_gaps() {
    assert!(FeatureSpace::groups(1, 1, 3, vec![0, 2, 2]).is_err());
    assert!(matches!(FeatureSpace::groups(1, 2, 2, vec![0, 1]), Err(XaiError::Shape { .. })));
    assert_eq!(FeatureSpace::groups(1, 1, 3, vec![1, 0, 1]).unwrap().n_features(), 2);
    assert!(FeatureSpace::patches(1, 4, 4, 0).is_err());
}

#[test]
fn expand_on_device_matches_host_expansion() {
    let device = Device::flex();
    let space = FeatureSpace::patches(2, 4, 4, 2).unwrap();
    let values: Vec<f32> = (0..2 * space.n_features()).map(|v| v as f32).collect();
    let t = Tensor::<2>::from_data(TensorData::new(values.clone(), [2, 4]), &device);
    let expanded: Tensor<4> = space.expand(t).unwrap();
    assert_eq!(expanded.dims(), [2, 2, 4, 4]);
    let got = to_vec_f32(expanded).unwrap();
    for row in 0..2 {
        let host = space.expand_host(&values[row * 4..(row + 1) * 4]).unwrap();
        assert_eq!(&got[row * 32..(row + 1) * 32], &host[..]);
    }
}

#[test]
fn expand_rejects_wrong_width_and_rank() {
    let device = Device::flex();
    let space = FeatureSpace::pixels(1, 2, 2).unwrap();
    let t = Tensor::<2>::zeros([1, 5], &device);
    assert!(matches!(space.expand::<4>(t), Err(XaiError::Shape { .. })));
    let t = Tensor::<2>::zeros([1, 4], &device);
    assert!(space.expand::<3>(t).is_err());
    assert!(space.check_input(&[1, 1, 2, 3]).is_err());
    assert!(space.check_input(&[7, 1, 2, 2]).is_ok());
}

proptest! {
    #[test]
    fn aggregate_is_adjoint_of_expand(c in 1usize..4, h in 1usize..9, w in 1usize..9, p in 1usize..5,
                                      seed in any::<u64>()) {
        prop_assume!(p <= h.max(w));
        let space = FeatureSpace::patches(c, h, w, p).unwrap();
        // <expand(a), b> == <a, aggregate(b)> for any a (features) and b (elements).
        let mut s = seed;
        let mut next = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1); ((s >> 33) % 1000) as f32 / 1000.0 };
        let a: Vec<f32> = (0..space.n_features()).map(|_| next()).collect();
        let b: Vec<f32> = (0..space.n_elements()).map(|_| next()).collect();
        let lhs: f32 = space.expand_host(&a).unwrap().iter().zip(&b).map(|(x, y)| x * y).sum();
        let rhs: f32 = a.iter().zip(space.aggregate_sum(&b).unwrap()).map(|(x, y)| x * y).sum();
        prop_assert!((lhs - rhs).abs() <= 1e-3 * lhs.abs().max(1.0));
        // Every feature owns at least one element.
        let counts = space.aggregate_sum(&vec![1.0; space.n_elements()]).unwrap();
        prop_assert!(counts.iter().all(|&n| n >= c as f32));
    }
}

#[test]
fn feature_specs_parse_or_name_the_problem() {
    let (space, grid) = FeatureSpace::from_spec("pixels", [1, 28, 28]).unwrap();
    assert_eq!((space.n_features(), grid), (784, [28, 28]));
    let (space, grid) = FeatureSpace::from_spec("grid:14", [3, 224, 224]).unwrap();
    assert_eq!((space.n_features(), grid), (196, [14, 14]));
    assert_eq!(*space.layout(), xai_core::FeatureLayout::Patches { size: 16 });
    for bad in ["grid:5", "grid:0", "grid:", "grid:x", "superpixels", ""] {
        let err = FeatureSpace::from_spec(bad, [1, 28, 28]).unwrap_err().to_string();
        assert!(err.contains(bad), "'{bad}': {err}");
    }
}
