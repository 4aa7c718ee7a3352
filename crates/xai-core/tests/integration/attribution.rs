//! Attribution maps: deterministic ranking and top-k selection.

use proptest::prelude::*;
use xai_core::attribution::{fraction_to_k, ranking};
use xai_core::{Attribution, Cost, FeatureMask};

#[test]
fn ranking_breaks_ties_by_lower_index() {
    assert_eq!(ranking(&[0.5, 1.0, 0.5, 1.0, -2.0]), vec![1, 3, 0, 2, 4]);
}

#[test]
fn top_k_selects_the_highest_scores() {
    let a = Attribution::new("test", 0, vec![0.1, 0.9, 0.3, 0.9], Cost::default()).unwrap();
    assert_eq!(a.top_k(2).unwrap().indices(), vec![1, 3]);
    assert_eq!(a.top_fraction(0.75).unwrap().indices(), vec![1, 2, 3]);
    assert!(a.top_k(0).is_err());
    assert!(a.top_k(5).is_err());
    assert!(a.top_fraction(0.0).is_err());
    assert!(a.top_fraction(1.5).is_err());
}

#[test]
fn nan_scores_are_rejected() {
    assert!(Attribution::new("bad", 0, vec![0.0, f32::NAN], Cost::default()).is_err());
}

#[test]
fn fraction_to_k_rounds_and_keeps_at_least_one() {
    assert_eq!(fraction_to_k(0.05, 784).unwrap(), 39);
    assert_eq!(fraction_to_k(0.05, 10).unwrap(), 1);
    assert_eq!(fraction_to_k(1.0, 10).unwrap(), 10);
}

#[test]
fn mask_algebra() {
    let m = FeatureMask::from_indices(5, &[0, 3]).unwrap();
    assert_eq!(m.count(), 2);
    assert_eq!(m.complement().indices(), vec![1, 2, 4]);
    assert_eq!(m.union(&m.complement()).unwrap(), FeatureMask::full(5));
    assert!(FeatureMask::from_indices(5, &[5]).is_err());
    assert!(m.union(&FeatureMask::empty(4)).is_err());
}

proptest! {
    #[test]
    fn top_k_is_a_prefix_of_the_ranking(scores in proptest::collection::vec(-10.0f32..10.0, 1..60), k in 1usize..60) {
        let n = scores.len();
        prop_assume!(k <= n);
        let a = Attribution::new("p", 0, scores.clone(), Cost::default()).unwrap();
        let r = a.ranking();
        // A permutation, sorted by descending score.
        let mut sorted = r.clone(); sorted.sort();
        prop_assert_eq!(sorted, (0..n).collect::<Vec<_>>());
        prop_assert!(r.windows(2).all(|w| scores[w[0]] > scores[w[1]] || (scores[w[0]] == scores[w[1]] && w[0] < w[1])));
        let top = a.top_k(k).unwrap();
        prop_assert_eq!(top.count(), k);
        let min_in = top.indices().iter().map(|&i| scores[i]).fold(f32::INFINITY, f32::min);
        let max_out = top.complement().indices().iter().map(|&i| scores[i]).fold(f32::NEG_INFINITY, f32::max);
        prop_assert!(min_in >= max_out);
    }
}
