//! The tables (markdown, in the layout of the paper's Tables 1, 2 and 4), the cost table, and
//! the mean curves as PNG.

use anyhow::{Result, bail};
use std::fmt::Write;
use std::path::Path;
use xai::explain::Method;
use xai::metrics::{
    Better, EvaluationRun as Run, ExampleRecord, Outcome, TableCriterion, paired_t_test,
};
use xai_viz::CurvePlot;

/// The paper's MNIST rows (Hsieh et al. 2021, Tables 1 and 2): per method, the AUC of
/// Robustness-S̄r, Robustness-Sr, Insertion and Deletion (784 pixels, bisection-PGD, U(0,1)
/// reference, 100 images), for side-by-side comparison.
const PAPER_MNIST: [(&str, [f64; 4]); 9] = [
    ("grad", [88.00, 91.72, 174.18, 153.58]),
    ("integrated-gradients", [85.98, 91.97, 177.12, 150.90]),
    ("expected-gradients", [93.24, 91.05, 228.64, 113.21]),
    ("kernel-shap", [75.48, 101.49, 125.93, 213.32]),
    ("loo", [74.14, 104.38, 121.99, 274.77]),
    ("bbmp", [78.58, 176.61, 108.97, 587.08]),
    ("cfx", [69.88, 102.81, 102.05, 137.69]),
    ("random", [64.44, 193.75, 51.71, 312.07]),
    ("greedy-as", [98.01, 82.81, 270.75, 94.24]),
];

/// Per method and criterion: per-example AUCs and the mean curve.
pub struct Report<'a> {
    run: &'a Run,
    examples: Vec<&'a ExampleRecord>,
    x_percent: Vec<f64>,
}

impl<'a> Report<'a> {
    /// The report over the records of `wanted` images (in that order).
    pub fn new(run: &'a Run, wanted: &[usize], fractions: &[f64]) -> Result<Self> {
        let mut examples = Vec::new();
        for i in wanted {
            match run.examples.iter().find(|e| e.index == *i) {
                Some(e) => examples.push(e),
                None => bail!("image {i} has no record"),
            }
        }
        if examples.is_empty() {
            bail!("no images evaluated (--n 0?)");
        }
        let x_percent = fractions.iter().map(|f| f * 100.0).collect();
        Ok(Self { run, examples, x_percent })
    }

    fn methods(&self) -> &[String] {
        &self.run.settings.methods
    }

    /// Per-example AUCs of method column `m` on `c`.
    fn aucs(&self, m: usize, c: TableCriterion) -> Vec<f64> {
        self.examples.iter().map(|e| e.methods[m].criteria[&c].auc).collect()
    }

    /// Mean curve of method column `m` on `c`.
    fn mean_curve(&self, m: usize, c: TableCriterion) -> Vec<f64> {
        let n = self.examples.len() as f64;
        (0..self.x_percent.len())
            .map(|j| {
                self.examples.iter().map(|e| e.methods[m].criteria[&c].curve[j]).sum::<f64>() / n
            })
            .collect()
    }

    fn header(&self, out: &mut String) -> Result<()> {
        write!(out, "| |")?;
        for m in self.methods() {
            write!(out, " {} |", paper_name(m))?;
        }
        write!(out, "\n|---|")?;
        for _ in self.methods() {
            write!(out, "---:|")?;
        }
        writeln!(out)?;
        Ok(())
    }

    fn table(&self, out: &mut String, criteria: &[TableCriterion]) -> Result<()> {
        self.header(out)?;
        for &c in criteria {
            let col = TableCriterion::ALL.iter().position(|x| *x == c).unwrap_or(0);
            write!(out, "| {} ({}) |", c.paper_name(), better(c))?;
            for m in 0..self.methods().len() {
                let a = self.aucs(m, c);
                write!(out, " {:.2} |", a.iter().sum::<f64>() / a.len() as f64)?;
            }
            write!(out, "\n| {} — paper |", c.paper_name())?;
            for name in self.methods() {
                match PAPER_MNIST.iter().find(|(n, _)| n == name) {
                    Some((_, v)) => write!(out, " {:.2} |", v[col])?,
                    None => write!(out, " – |")?,
                }
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// Greedy-AS against every other method: paired t-test at 95% (appendix G, Table 4).
    fn significance(&self, out: &mut String) -> Result<()> {
        let Some(g) = self.methods().iter().position(|m| m == "greedy-as") else {
            return Ok(writeln!(out, "(no greedy-as column: no significance table)")?);
        };
        if self.examples.len() < 2 {
            return Ok(writeln!(out, "(one image: no significance table)")?);
        }
        write!(out, "| Greedy-AS vs. |")?;
        let others: Vec<usize> = (0..self.methods().len()).filter(|m| *m != g).collect();
        for &m in &others {
            write!(out, " {} |", paper_name(&self.methods()[m]))?;
        }
        write!(out, "\n|---|")?;
        for _ in &others {
            write!(out, ":---:|")?;
        }
        writeln!(out)?;
        for c in TableCriterion::ALL {
            write!(out, "| {} |", c.paper_name())?;
            for &m in &others {
                let t = paired_t_test(&self.aucs(g, c), &self.aucs(m, c), c.better(), 0.05)?;
                let word = match t.outcome {
                    Outcome::Win => "win",
                    Outcome::Draw => "draw",
                    Outcome::Loss => "loss",
                };
                write!(out, " {word} (p={:.2}) |", t.p_value)?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// Mean explanation cost and time per image, and robustness points that fell back.
    fn costs(&self, out: &mut String) -> Result<()> {
        writeln!(
            out,
            "| method | forward / image | backward / image | seconds / image | robustness points not found |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---:|")?;
        let n = self.examples.len() as f64;
        for (m, name) in self.methods().iter().enumerate() {
            let (mut f, mut b, mut s, mut miss) = (0.0, 0.0, 0.0, 0usize);
            for e in &self.examples {
                let r = &e.methods[m];
                f += r.explain_cost.forward as f64 / n;
                b += r.explain_cost.backward as f64 / n;
                s += r.explain_seconds / n;
                miss += r.criteria.values().flat_map(|c| &c.fallback).filter(|x| **x).count();
            }
            writeln!(out, "| {name} | {f:.0} | {b:.0} | {s:.2} | {miss} |")?;
        }
        let eval: u64 =
            self.examples.iter().flat_map(|e| e.evaluation_cost.values()).map(|c| c.total()).sum();
        writeln!(
            out,
            "\nEvaluating all methods on the four criteria: {:.0} model evaluations per image.",
            eval as f64 / n
        )?;
        Ok(())
    }

    /// The whole report as markdown.
    pub fn markdown(&self) -> Result<String> {
        let s = &self.run.settings;
        let mut out = String::new();
        writeln!(
            out,
            "## mnist-cnn, {} random MNIST test images (seed {}), {} features, {:?} preset, curves by {}{}\n",
            self.examples.len(),
            s.seed,
            s.features,
            s.preset,
            s.estimator,
            if s.per_criterion { ", Greedy-AS per criterion" } else { "" }
        )?;
        writeln!(
            out,
            "AUC over |Sr| = 5%..45% of the features, x in percent (trapezoid). Paper rows: Hsieh et al. 2021 (784 pixels, bisection-PGD, 100 images).\n"
        )?;
        let versions: Vec<String> =
            self.run.code_versions().iter().map(|(v, n)| format!("{v} ({n} images)")).collect();
        writeln!(out, "Code: {}.\n", versions.join(", "))?;
        writeln!(out, "### Table 1: Robustness-S̄r and Robustness-Sr\n")?;
        self.table(&mut out, &[TableCriterion::RobustnessSrBar, TableCriterion::RobustnessSr])?;
        writeln!(out, "\n### Table 2: Insertion and Deletion (U(0,1) reference, logit)\n")?;
        self.table(&mut out, &[TableCriterion::Insertion, TableCriterion::Deletion])?;
        writeln!(out, "\n### Table 4: Greedy-AS vs. each method, paired t-test at 95%\n")?;
        self.significance(&mut out)?;
        writeln!(out, "\n### Cost of explaining one image\n")?;
        self.costs(&mut out)?;
        Ok(out)
    }

    /// One PNG per criterion with every method's mean curve.
    pub fn save_plots(&self, dir: &Path) -> Result<()> {
        let x: Vec<f32> = self.x_percent.iter().map(|v| *v as f32).collect();
        for c in TableCriterion::ALL {
            let mut plot = CurvePlot::new(
                format!("{} (mnist-cnn, {} images)", c.paper_name(), self.examples.len()),
                x.clone(),
            )
            .x_label("|Sr| (% of features)")
            .y_label(match c {
                TableCriterion::Insertion | TableCriterion::Deletion => "logit",
                _ => "minimum adversarial L2 norm",
            });
            for (m, name) in self.methods().iter().enumerate() {
                let y = self.mean_curve(m, c).iter().map(|v| *v as f32).collect();
                plot = plot.series(paper_name(name), y);
            }
            plot.save_png(dir.join(format!("{}.png", c.name())), 900, 560)?;
        }
        Ok(())
    }
}

/// "higher is better" / "lower is better" as an arrow.
fn better(c: TableCriterion) -> &'static str {
    match c.better() {
        Better::Higher => "↑",
        Better::Lower => "↓",
    }
}

/// The paper's column name of a kebab-case method name.
fn paper_name(name: &str) -> &'static str {
    name.parse::<Method>().map(Method::paper_name).unwrap_or("?")
}
