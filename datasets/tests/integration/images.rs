//! Photo preprocessing against the reference crops, the image folder reader and the ImageNet
//! side files.

use crate::common;

use common::{data_dir, temp_dir, write};
use xai_datasets::{
    ImageFolder, load_crop_224, load_image_chw, read_class_names, read_sample_labels,
};

fn mean_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len() as f32
}

#[test]
fn crops_match_the_pil_reference_crops() {
    let d = data_dir();
    let labels =
        read_sample_labels(&d.require("images/imagenet-samples/labels.tsv").unwrap()).unwrap();
    assert_eq!(labels.len(), 6);
    let folder = d.path().join("images/imagenet-samples");
    // Measured: worst mean |Δ| 0.0008 (0.2/255), worst single pixel 3/255 (rounding in the two
    // bilinear implementations, JPEG decoders). The bounds leave room for other decoders.
    let (mut worst, mut worst_max) = (0.0f32, 0.0f32);
    for row in &labels {
        let ours = load_crop_224(&folder.join(&row.file)).unwrap();
        let (reference, shape) = load_image_chw(&folder.join(&row.crop)).unwrap();
        assert_eq!(shape, [3, 224, 224], "{}", row.crop);
        let mad = mean_abs_diff(&ours, &reference);
        let max = ours.iter().zip(&reference).map(|(x, y)| (x - y).abs()).fold(0.0f32, f32::max);
        println!(
            "{:16} mean |ours - PIL| = {mad:.5} ({:.2}/255), max = {max:.4}",
            row.file,
            mad * 255.0
        );
        worst = worst.max(mad);
        worst_max = worst_max.max(max);
    }
    println!("worst mean abs diff over the sample photos: {worst:.5}, worst pixel {worst_max:.4}");
    assert!(worst < 0.004, "crops differ from the reference by {worst} on average (> 1/255)");
    assert!(worst_max < 0.035, "a crop pixel differs from the reference by {worst_max} (> 9/255)");
}

#[test]
fn pelican_crop_matches_the_reference_input_sums() {
    // shared/reference/efficientnet_lite0_reference.json, "pelican": input_sum and channel sums.
    let d = data_dir();
    let (crop, shape) =
        load_image_chw(&d.require("images/imagenet-samples/crops_224/pelican.png").unwrap())
            .unwrap();
    assert_eq!(shape, [3, 224, 224]);
    let plane = 224 * 224;
    let want = [31_684.106_6_f64, 29_744.349_8, 28_877.632_1];
    for (c, w) in want.iter().enumerate() {
        let got: f64 = crop[c * plane..(c + 1) * plane].iter().map(|&v| f64::from(v)).sum();
        assert!((got - w).abs() < 0.05, "channel {c}: sum {got}, reference {w}");
    }
    // First pixel (RGB) of the reference: 0.80392, 0.77255, 0.77647.
    let first = [crop[0], crop[plane], crop[2 * plane]];
    for (g, w) in first.iter().zip([0.803_921_6f32, 0.772_549, 0.776_470_6]) {
        assert!((g - w).abs() < 1e-6, "first pixel {first:?}");
    }
}

#[test]
fn image_folder_lists_sorted_images_and_loads_crops() {
    let d = data_dir();
    let folder = ImageFolder::open(&d.path().join("images/imagenet-samples")).unwrap();
    assert_eq!(
        folder.names(),
        [
            "astronaut.png",
            "bald_eagle.jpeg",
            "chelsea.png",
            "coffee.png",
            "pelican.jpeg",
            "rocket.jpg"
        ]
    );
    let crops = ImageFolder::open(&d.path().join("images/imagenet-samples/crops_224")).unwrap();
    assert_eq!(crops.len(), 6);
    let values = crops.load_crops().unwrap();
    assert_eq!(values.len(), 6 * 3 * 224 * 224);
    assert!(values.iter().all(|v| (0.0..=1.0).contains(v)));
}

#[test]
fn labels_tsv_and_class_names() {
    let d = data_dir();
    let names = read_class_names(&d.require("images/imagenet_classes.txt").unwrap()).unwrap();
    assert_eq!(names.len(), 1000);
    assert_eq!(names[0], "tench, Tinca tinca");
    assert_eq!(names[144], "pelican");
    let rows =
        read_sample_labels(&d.require("images/imagenet-samples/labels.tsv").unwrap()).unwrap();
    assert_eq!(rows[0].file, "pelican.jpeg");
    assert_eq!(rows[0].crop, "crops_224/pelican.png");
    assert_eq!((rows[0].top1_index, rows[0].top1_wnid.as_str()), (144, "n02051845"));
    let indices: Vec<usize> = rows.iter().map(|r| r.top1_index).collect();
    assert_eq!(indices, [144, 22, 282, 967, 450, 657]);
    for r in &rows {
        assert_eq!(names[r.top1_index], r.top1_name, "{}", r.file);
    }
}

#[test]
fn bad_image_and_side_files_are_errors_naming_the_file() {
    let dir = temp_dir("badimg");
    let not_png = write(&dir, "fake.png", b"this is not an image");
    let msg = load_crop_224(&not_png).unwrap_err().to_string();
    assert!(msg.contains("fake.png") && msg.contains("decode"), "{msg}");
    let tiny = dir.join("tiny.png");
    image::RgbImage::new(0, 0).save(&tiny).ok();
    if tiny.exists() {
        assert!(load_crop_224(&tiny).is_err());
    }
    let bad_classes = write(&dir, "classes.txt", b"n01440764 tench\nnoname\n");
    let msg = read_class_names(&bad_classes).unwrap_err().to_string();
    assert!(msg.contains("classes.txt") && msg.contains("line 2"), "{msg}");
    let bad_tsv = write(
        &dir,
        "labels.tsv",
        b"file\tcrop\ttop1_index\ttop1_wnid\ttop1_name\na.png\tc/a.png\tseven\tn0\tx\n",
    );
    let msg = read_sample_labels(&bad_tsv).unwrap_err().to_string();
    assert!(msg.contains("labels.tsv") && msg.contains("line 2") && msg.contains("seven"), "{msg}");
    let no_col = write(&dir, "nocol.tsv", b"file\tcrop\n");
    let msg = read_sample_labels(&no_col).unwrap_err().to_string();
    assert!(msg.contains("top1_index"), "{msg}");
}

#[test]
fn resize_center_crop_gives_224_squares_and_keeps_flat_colours() {
    use xai_datasets::image_folder::{resize_center_crop, rgb_to_chw};
    for (w, h) in [(640, 480), (300, 500), (224, 224), (100, 60)] {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([10, 128, 255]));
        let crop = resize_center_crop(&img, 256, 224).unwrap();
        assert_eq!(crop.dimensions(), (224, 224), "{w}x{h}");
        let chw = rgb_to_chw(&crop);
        let plane = 224 * 224;
        for (c, v) in [10.0f32, 128.0, 255.0].iter().enumerate() {
            assert!(
                chw[c * plane..(c + 1) * plane].iter().all(|x| (x - v / 255.0).abs() < 1e-6),
                "{w}x{h} channel {c}"
            );
        }
    }
    let img = image::RgbImage::new(10, 10);
    assert!(resize_center_crop(&img, 200, 224).is_err());
}
