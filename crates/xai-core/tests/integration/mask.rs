//! Feature masks: set algebra, the device tensor of a mask set, and its expansion to elements.

use burn::tensor::Device;
use proptest::prelude::*;
use xai_core::host::to_vec_f32;
use xai_core::mask::masks_tensor;
use xai_core::{FeatureMask, FeatureSpace};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn mask_algebra_and_expansion(n_side in 1usize..7, p in 1usize..4, c in 1usize..4,
                                  bits_a in proptest::collection::vec(any::<bool>(), 49),
                                  bits_b in proptest::collection::vec(any::<bool>(), 49)) {
        prop_assume!(p <= n_side);
        let space = FeatureSpace::patches(c, n_side, n_side, p).unwrap();
        let n = space.n_features();
        let a = FeatureMask::from_bits(bits_a[..n].to_vec());
        let b = FeatureMask::from_bits(bits_b[..n].to_vec());
        // Indices round-trip, and the complement and union count as sets do.
        prop_assert_eq!(&FeatureMask::from_indices(n, &a.indices()).unwrap(), &a);
        prop_assert_eq!(a.complement().count(), n - a.count());
        prop_assert_eq!(&a.complement().complement(), &a);
        let u = a.union(&b).unwrap();
        let both = a.indices().iter().filter(|&&i| b.get(i)).count();
        prop_assert_eq!(u.count(), a.count() + b.count() - both);
        prop_assert!(FeatureMask::from_indices(n, &[n]).is_err());
        prop_assert!(a.check_len(n + 1).is_err());
        // The device tensor holds the bits row by row.
        let t = masks_tensor(&[a.clone(), b.clone()], n, &Device::flex()).unwrap();
        let host = to_vec_f32(t).unwrap();
        prop_assert_eq!(host[..n].to_vec(), a.to_f32());
        prop_assert_eq!(host[n..].to_vec(), b.to_f32());
        prop_assert!(masks_tensor(&[a.clone()], n + 1, &Device::flex()).is_err());
        // Expanded to elements, a mask frees exactly the elements of its features, and a mask
        // and its complement free every element once.
        let sizes = space.aggregate_sum(&vec![1.0; space.n_elements()]).unwrap();
        let freed: f32 = space.expand_host(&a.to_f32()).unwrap().iter().sum();
        let expected: f32 = a.indices().iter().map(|&i| sizes[i]).sum();
        prop_assert_eq!(freed, expected);
        let rest: f32 = space.expand_host(&a.complement().to_f32()).unwrap().iter().sum();
        prop_assert_eq!(freed + rest, space.n_elements() as f32);
    }
}
