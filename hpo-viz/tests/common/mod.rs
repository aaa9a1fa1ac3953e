//! Helpers the plot tests share: a deterministic pseudo-random number, and SVG and PNG
//! checks.

use std::sync::Arc;

use hpo_core::{
    FrozenTrial, ObjectiveValue, OptimizeOptions, RandomSampler, Study, StudyDirection, Trial,
    TrialError,
};
use hpo_viz::{Figure, StudyData};

/// A deterministic pseudo-random number in [0, 1).
pub fn unit(seed: u64) -> f64 {
    let mut x = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(0x632b_e59b_d9b4_e019);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The data of `study` after `n` trials of `objective` (failed trials caught).
#[allow(dead_code)] // Each test binary uses some of these helpers.
pub fn optimized<V: ObjectiveValue>(
    study: &Study,
    n: usize,
    objective: impl FnMut(&mut Trial) -> Result<V, TrialError>,
) -> StudyData {
    study
        .optimize_with(OptimizeOptions::new().n_trials(n).catch(true), objective)
        .unwrap();
    StudyData::load(study).unwrap()
}

/// Study data named `name` of `trials`, numbered 0, 1, 2, ... in order.
#[allow(dead_code)] // Each test binary uses some of these helpers.
pub fn numbered(
    name: impl Into<String>,
    directions: Vec<StudyDirection>,
    trials: impl IntoIterator<Item = FrozenTrial>,
) -> StudyData {
    let trials = (0..)
        .zip(trials)
        .map(|(number, mut t)| {
            t.number = number;
            Arc::new(t)
        })
        .collect();
    StudyData::new(name, directions, trials)
}

/// A new in-memory study `multi` of two objectives, `loss` (minimized) and `accuracy`
/// (maximized), sampled at random from `seed`.
#[allow(dead_code)] // Each test binary uses some of these helpers.
pub fn loss_accuracy_study(seed: u64) -> Study {
    let study = Study::builder()
        .name("multi")
        .directions([StudyDirection::Minimize, StudyDirection::Maximize])
        .sampler(RandomSampler::with_seed(seed))
        .build()
        .unwrap();
    study.set_metric_names(&["loss", "accuracy"]).unwrap();
    study
}

/// Parses the SVG, checks its size and title, and returns the text of its `<text>` elements.
pub fn check_svg(fig: &Figure, context: &str) -> String {
    let doc = roxmltree::Document::parse(fig.svg())
        .unwrap_or_else(|e| panic!("{context}: SVG does not parse: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{context}");
    assert_eq!(
        root.attribute("width"),
        Some(fig.width().to_string().as_str()),
        "{context}"
    );
    assert_eq!(
        root.attribute("height"),
        Some(fig.height().to_string().as_str()),
        "{context}"
    );
    let text: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        text.contains(&fig.title()),
        "{context}: title `{}` not drawn",
        fig.title()
    );
    text.join("\n")
}

/// Renders the PNG and checks its signature and its size (twice the figure's).
pub fn check_png(fig: &Figure, context: &str) {
    let png = fig.to_png().unwrap_or_else(|e| panic!("{context}: {e}"));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{context}");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((w, h), (fig.width() * 2, fig.height() * 2), "{context}");
}

/// The number of elements with class `class`.
pub fn count_class(svg: &str, class: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .count()
}

/// The elements named `tag` under elements with class `class`.
#[allow(dead_code)] // Each test binary uses some of these helpers.
pub fn count_in(svg: &str, class: &str, tag: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .filter(|n| n.ancestors().any(|a| a.attribute("class") == Some(class)))
        .count()
}

/// The text of `node`'s `<title>` child, its tooltip, if it has one.
#[allow(dead_code)] // Each test binary uses some of these helpers.
pub fn title_of<'a>(node: roxmltree::Node<'a, '_>) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name("title"))
        .and_then(|t| t.text())
}

/// Points of every `<polyline>` under elements with class `class`.
#[allow(dead_code)] // Each test binary uses some of these helpers.
pub fn polylines_in(svg: &str, class: &str) -> Vec<Vec<(f64, f64)>> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter(|n| n.ancestors().any(|a| a.attribute("class") == Some(class)))
        .map(|p| {
            p.attribute("points")
                .unwrap()
                .split_whitespace()
                .map(|xy| {
                    let (x, y) = xy.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Rendering, through one door: with `HPO_VIZ_SVG_DIR` set, every SVG (and HTML report) a test
// renders is written there as `<test name>-<n>.svg`, so that a refactor of the renderers can be
// checked byte for byte: run `scripts/viz-svg-snapshot` before and after, and compare.

/// `hpo_viz::plot`, keeping the SVG when `HPO_VIZ_SVG_DIR` is set.
#[allow(dead_code)] // Each test binary uses some of these helpers.
pub fn plot(
    data: &hpo_viz::StudyData,
    kind: hpo_viz::PlotKind,
    options: &hpo_viz::PlotOptions,
) -> hpo_core::Result<Figure> {
    kept_svg(hpo_viz::plot(data, kind, options))
}

/// `hpo_viz::plot_studies`, keeping the SVG when `HPO_VIZ_SVG_DIR` is set.
#[allow(dead_code)] // Each test binary uses some of these helpers.
pub fn plot_studies(
    studies: &[hpo_viz::StudyData],
    kind: hpo_viz::PlotKind,
    options: &hpo_viz::PlotOptions,
) -> hpo_core::Result<Figure> {
    kept_svg(hpo_viz::plot_studies(studies, kind, options))
}

/// `fig`, its SVG kept when `HPO_VIZ_SVG_DIR` is set.
fn kept_svg(fig: hpo_core::Result<Figure>) -> hpo_core::Result<Figure> {
    if let Ok(fig) = &fig {
        keep(fig.svg(), "svg");
    }
    fig
}

/// `hpo_viz::report_html`, keeping the page when `HPO_VIZ_SVG_DIR` is set.
#[allow(dead_code)] // Each test binary uses some of these helpers.
pub fn report_html(
    data: &hpo_viz::StudyData,
    options: &hpo_viz::PlotOptions,
) -> hpo_core::Result<String> {
    let html = hpo_viz::report_html(data, options);
    if let Ok(html) = &html {
        keep(html, "html");
    }
    html
}

/// Writes `text` to `$HPO_VIZ_SVG_DIR/<test name>-<n>.<ext>`, `n` counting this test's renders.
fn keep(text: &str, ext: &str) {
    use std::cell::Cell;
    thread_local!(static COUNT: Cell<usize> = const { Cell::new(0) });
    let Some(dir) = std::env::var_os("HPO_VIZ_SVG_DIR") else {
        return;
    };
    let n = COUNT.with(|c| c.replace(c.get() + 1));
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("main").replace("::", "-");
    let bin = std::env::current_exe().unwrap();
    let bin = bin.file_stem().unwrap().to_string_lossy();
    let bin = bin.split('-').next().unwrap_or("test");
    let path = std::path::Path::new(&dir).join(format!("{bin}-{test}-{n:03}.{ext}"));
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
