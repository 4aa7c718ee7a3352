//! The ImageNet side files: class names (`WNID name` per line, line i = class i) and the
//! `labels.tsv` of the sample photos (file, crop, reference top-1 class, …).

use std::path::Path;

use xai_core::{Result, XaiError};

/// One row of `labels.tsv`: a photo, its 224 crop and the reference model's top-1 class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleLabel {
    /// The photo's file name, relative to the folder of `labels.tsv`.
    pub file: String,
    /// The crop's path, relative to the folder of `labels.tsv` (e.g. `crops_224/pelican.png`).
    pub crop: String,
    /// The reference top-1 class index.
    pub top1_index: usize,
    /// The top-1 class's WordNet id.
    pub top1_wnid: String,
    /// The top-1 class's name.
    pub top1_name: String,
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| XaiError::file(path, format!("cannot read text file: {e}")))
}

/// Reads the class names file: one `WNID name` a line, line i (from 0) = class i.
/// Returns the names (without the WNIDs).
pub fn read_class_names(path: &Path) -> Result<Vec<String>> {
    let text = read_text(path)?;
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        let Some((wnid, name)) = line.split_once(' ') else {
            return Err(XaiError::file(
                path,
                format!("line {}: expected `WNID name`, found {line:?}", i + 1),
            ));
        };
        if wnid.is_empty() || name.trim().is_empty() {
            return Err(XaiError::file(
                path,
                format!("line {}: expected `WNID name`, found {line:?}", i + 1),
            ));
        }
        names.push(name.trim().to_string());
    }
    if names.is_empty() {
        return Err(XaiError::file(path, "no class names found"));
    }
    Ok(names)
}

/// Reads `labels.tsv` (tab-separated, with a header row naming at least the columns `file`,
/// `crop`, `top1_index`, `top1_wnid`, `top1_name`), in file order.
pub fn read_sample_labels(path: &Path) -> Result<Vec<SampleLabel>> {
    let text = read_text(path)?;
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let column = |name: &str| {
        header.iter().position(|h| *h == name).ok_or_else(|| {
            XaiError::file(path, format!("header lacks the column `{name}` (found {header:?})"))
        })
    };
    let cols = [
        column("file")?,
        column("crop")?,
        column("top1_index")?,
        column("top1_wnid")?,
        column("top1_name")?,
    ];
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let line_no = i + 2;
        let field = |c: usize| {
            fields.get(c).copied().ok_or_else(|| {
                XaiError::file(
                    path,
                    format!("line {line_no}: {} fields, expected at least {}", fields.len(), c + 1),
                )
            })
        };
        let index_text = field(cols[2])?;
        let top1_index = index_text.trim().parse::<usize>().map_err(|_| {
            XaiError::file(
                path,
                format!("line {line_no}: top1_index {index_text:?} is not a class index"),
            )
        })?;
        rows.push(SampleLabel {
            file: field(cols[0])?.to_string(),
            crop: field(cols[1])?.to_string(),
            top1_index,
            top1_wnid: field(cols[3])?.to_string(),
            top1_name: field(cols[4])?.to_string(),
        });
    }
    Ok(rows)
}
