//! The classifier trait and the evaluation counter.

use burn::tensor::{Device, Tensor, TensorData};
use xai_core::classifier::class_logits;
use xai_core::host::{classes_tensor, to_vec_f32};
use xai_core::{Cost, Evaluator, Norm};

fn linear(device: &Device) -> impl Fn(Tensor<2>) -> Tensor<2> {
    // logits = x W, W = [[1, -1], [2, 0], [0, 3]]
    let w = Tensor::<2>::from_data(
        TensorData::new(vec![1.0f32, -1.0, 2.0, 0.0, 0.0, 3.0], [3, 2]),
        device,
    );
    move |x: Tensor<2>| x.matmul(w.clone())
}

#[test]
fn closures_are_classifiers_and_costs_are_counted() {
    let device = Device::flex();
    let model = linear(&device);
    let eval = Evaluator::new(&model);
    let x = Tensor::<2>::from_data(
        TensorData::new(vec![1.0f32, 1.0, 1.0, 0.0, 0.0, 1.0], [2, 3]),
        &device,
    );
    let logits = to_vec_f32(eval.logits(x.clone())).unwrap();
    assert_eq!(logits, vec![3.0, 2.0, 0.0, 3.0]);
    assert_eq!(eval.predict(x.clone()).unwrap(), vec![0, 1]);
    assert_eq!(eval.cost(), Cost { forward: 4, backward: 0 });

    // d logit_c / dx = column c of W, per row.
    let classes = classes_tensor(&[0, 1], &device);
    let (_, grad) = eval.gradient(x, |l| class_logits(l, classes));
    assert_eq!(to_vec_f32(grad).unwrap(), vec![1.0, 2.0, 0.0, -1.0, 0.0, 3.0]);
    assert_eq!(eval.cost(), Cost { forward: 6, backward: 2 });
}

#[test]
fn row_norms() {
    let device = Device::flex();
    let t = Tensor::<2>::from_data(
        TensorData::new(vec![3.0f32, -4.0, 0.0, -0.5, 0.25, 0.0], [2, 3]),
        &device,
    );
    assert_eq!(to_vec_f32(Norm::L2.of_rows(t.clone())).unwrap(), vec![5.0, 0.559017]);
    assert_eq!(to_vec_f32(Norm::Linf.of_rows(t)).unwrap(), vec![4.0, 0.5]);
    assert_eq!(Norm::L2.of_slice(&[3.0, 4.0]), 5.0);
    assert!("l3".parse::<Norm>().is_err());
}
