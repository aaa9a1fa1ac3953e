//! Bayesian optimisation step by step: maximise
//! `f(x) = -x² sin(5x)` on [-3, 3] with the GP sampler and expected improvement (3 random
//! startup trials, then 7 GP trials), and draw every GP step: the true function, the GP
//! posterior mean with its 95% band, the observed points, the point chosen next and the EI
//! curve below.
//!
//! Run with `cargo run --release --example gp_1d [-- OUT_DIR]` (default `target/gp_1d`). It
//! writes one file per GP step, `gp_iteration_1.svg` .. `gp_iteration_7.svg`, each titled as
//! its file is numbered: iteration i shows the GP fitted to the first i + 2 trials (the 3
//! random points and the GP's first i - 1 choices) and the x it chose for the next trial.
//! `gp_1d.svg` has all seven panels in a grid.

use std::fmt::Write as _;
use std::path::PathBuf;

use hpo::prelude::*;
use hpo_samplers::GpSampler;
use hpo_samplers::gp::{Acquisition, GaussianProcess, normal};

const LO: f64 = -3.0;
const HI: f64 = 3.0;
const N_STARTUP: usize = 3;
const N_TRIALS: usize = 10;
const SEED: u64 = 42;
/// Points on the plotted grid.
const N_PLOT: usize = 400;
/// Points of the grid scan for the true maximum.
const N_SCAN: usize = 600_000;

/// The chapter's objective.
fn objective(x: f64) -> f64 {
    -(x * x) * (5.0 * x).sin()
}

/// `[-3, 3]` to `[0, 1]`: the sampler's unit transform for a linear float parameter.
fn to_unit(x: f64) -> f64 {
    (x - LO) / (HI - LO)
}

/// Expected improvement over `best` (maximisation) under the posterior `N(mean, std²)`:
/// `(μ - best) Φ(z) + σ φ(z)`, `z = (μ - best) / σ`.
fn expected_improvement(mean: f64, std: f64, best: f64) -> f64 {
    if std < 1e-12 {
        return (mean - best).max(0.0);
    }
    let z = (mean - best) / std;
    (mean - best) * normal::cdf(z) + std * normal::pdf(z)
}

/// One GP step: the model refitted to the first `observed.len()` trials, evaluated on the plot
/// grid, and the point the sampler chose next.
struct Step {
    /// 1..=7: the title of the panel and the number in its file name.
    iteration: usize,
    observed: Vec<(f64, f64)>,
    next: f64,
    xs: Vec<f64>,
    mean: Vec<f64>,
    std: Vec<f64>,
    ei: Vec<f64>,
}

impl Step {
    fn new(iteration: usize, observed: Vec<(f64, f64)>, next: f64) -> hpo::Result<Step> {
        let x_unit: Vec<Vec<f64>> = observed.iter().map(|(x, _)| vec![to_unit(*x)]).collect();
        let y: Vec<f64> = observed.iter().map(|(_, y)| *y).collect();
        // The same model as the sampler's (Matérn-5/2, Optuna's priors, MAP fit), fitted from
        // scratch: the sampler warm-starts each fit from the previous one, so its posterior,
        // and the EI maximiser, may differ slightly from this one.
        let gp = GaussianProcess::fit(&x_unit, &y, &[false])?;
        let best = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let xs: Vec<f64> = (0..=N_PLOT)
            .map(|i| LO + (HI - LO) * i as f64 / N_PLOT as f64)
            .collect();
        let (mut mean, mut std, mut ei) = (Vec::new(), Vec::new(), Vec::new());
        for x in &xs {
            let (m, s) = gp.predict(&[to_unit(*x)]);
            mean.push(m);
            std.push(s);
            ei.push(expected_improvement(m, s, best));
        }
        Ok(Step {
            iteration,
            observed,
            next,
            xs,
            mean,
            std,
            ei,
        })
    }

    /// The grid point where this refit's EI is largest.
    fn ei_argmax(&self) -> f64 {
        let i = (0..self.ei.len())
            .max_by(|a, b| self.ei[*a].total_cmp(&self.ei[*b]))
            .unwrap_or(0);
        self.xs[i]
    }
}

// Panel geometry (one iteration), in pixels.
const PANEL_W: f64 = 480.0;
const PANEL_H: f64 = 382.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = PANEL_W - 16.0;
const TOP: f64 = 32.0;
const TOP_BOTTOM: f64 = 252.0;
const EI_TOP: f64 = 276.0;
const EI_BOTTOM: f64 = 336.0;
/// The value range of the upper plot (f ranges over about [-8, 7.7]).
const Y_LO: f64 = -12.0;
const Y_HI: f64 = 12.0;

const COLOR_TRUE: &str = "#d62728";
const COLOR_GP: &str = "#1f77b4";
const COLOR_OBS: &str = "#2ca02c";
const COLOR_NEXT: &str = "#9467bd";

fn px(x: f64) -> f64 {
    LEFT + (x - LO) / (HI - LO) * (RIGHT - LEFT)
}

fn py(y: f64) -> f64 {
    TOP_BOTTOM - (y - Y_LO) / (Y_HI - Y_LO) * (TOP_BOTTOM - TOP)
}

/// `x1,y1 x2,y2 ...` for a polyline or polygon.
fn points(pts: impl Iterator<Item = (f64, f64)>) -> String {
    let v: Vec<String> = pts.map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
    v.join(" ")
}

/// One iteration's panel as an SVG group, its top left corner at `(ox, oy)`.
fn panel(step: &Step, ox: f64, oy: f64) -> String {
    let mut s = String::new();
    let id = format!("clip{}", step.iteration);
    let _ = writeln!(s, r#"<g transform="translate({ox},{oy})">"#);
    let _ = writeln!(
        s,
        r#"<clipPath id="{id}"><rect x="{LEFT}" y="{TOP}" width="{}" height="{}"/></clipPath>"#,
        RIGHT - LEFT,
        TOP_BOTTOM - TOP
    );
    let k = step.observed.len();
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="20" font-size="14" font-weight="bold">iteration {}</text><text x="{RIGHT}" y="20" text-anchor="end" fill="#555">{k} observed points, next x = {:.3}</text>"##,
        step.iteration, step.next
    );
    // Grid lines and ticks: x every 1 on both plots, y every 4 on the upper one.
    for i in -3..=3 {
        let x = px(i as f64);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{TOP_BOTTOM}" stroke="#e6e6e6"/><line x1="{x:.1}" y1="{EI_TOP}" x2="{x:.1}" y2="{EI_BOTTOM}" stroke="#e6e6e6"/>"##
        );
        let _ = writeln!(
            s,
            r#"<line x1="{x:.1}" y1="{TOP_BOTTOM}" x2="{x:.1}" y2="{:.1}" stroke="black"/><line x1="{x:.1}" y1="{EI_BOTTOM}" x2="{x:.1}" y2="{:.1}" stroke="black"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{i}</text>"#,
            TOP_BOTTOM + 4.0,
            EI_BOTTOM + 4.0,
            EI_BOTTOM + 16.0
        );
    }
    for v in [-12, -8, -4, 0, 4, 8, 12] {
        let y = py(v as f64);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{RIGHT}" y2="{y:.1}" stroke="#e6e6e6"/><line x1="{:.1}" y1="{y:.1}" x2="{LEFT}" y2="{y:.1}" stroke="black"/><text x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"##,
            LEFT - 4.0,
            LEFT - 6.0,
            y + 4.0
        );
    }
    // The 95% band, the true function and the posterior mean, clipped to the plot.
    let upper = step
        .xs
        .iter()
        .zip(step.mean.iter().zip(&step.std))
        .map(|(x, (m, sd))| (px(*x), py(m + 1.96 * sd)));
    let lower = step
        .xs
        .iter()
        .zip(step.mean.iter().zip(&step.std))
        .rev()
        .map(|(x, (m, sd))| (px(*x), py(m - 1.96 * sd)));
    let _ = writeln!(s, r#"<g clip-path="url(#{id})">"#);
    let _ = writeln!(
        s,
        r#"<polygon fill="{COLOR_GP}" fill-opacity="0.2" stroke="none" points="{}"/>"#,
        points(upper.chain(lower))
    );
    let _ = writeln!(
        s,
        r#"<polyline fill="none" stroke="{COLOR_TRUE}" stroke-width="1.5" stroke-dasharray="6,4" points="{}"/>"#,
        points(step.xs.iter().map(|x| (px(*x), py(objective(*x)))))
    );
    let _ = writeln!(
        s,
        r#"<polyline fill="none" stroke="{COLOR_GP}" stroke-width="2" points="{}"/>"#,
        points(
            step.xs
                .iter()
                .zip(&step.mean)
                .map(|(x, m)| (px(*x), py(*m)))
        )
    );
    s.push_str("</g>\n");
    // The next point: a dashed line through both plots, and its value once evaluated.
    let nx = px(step.next);
    let _ = writeln!(
        s,
        r#"<line x1="{nx:.1}" y1="{TOP}" x2="{nx:.1}" y2="{EI_BOTTOM}" stroke="{COLOR_NEXT}" stroke-width="2" stroke-dasharray="5,3"/>"#
    );
    let ny = py(objective(step.next));
    let _ = writeln!(
        s,
        r#"<path d="M{nx:.1},{:.1} L{:.1},{ny:.1} L{nx:.1},{:.1} L{:.1},{ny:.1} Z" fill="white" stroke="{COLOR_NEXT}" stroke-width="2"/>"#,
        ny - 7.0,
        nx + 7.0,
        ny + 7.0,
        nx - 7.0
    );
    for (x, y) in &step.observed {
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{COLOR_OBS}" stroke="black"/>"#,
            px(*x),
            py(*y)
        );
    }
    // EI, scaled to its maximum.
    let ei_max = step.ei.iter().copied().fold(0.0, f64::max);
    let scale = if ei_max > 0.0 { ei_max } else { 1.0 };
    let ei_y = |v: f64| EI_BOTTOM - v / scale * (EI_BOTTOM - EI_TOP - 4.0);
    let area = std::iter::once((px(LO), EI_BOTTOM))
        .chain(
            step.xs
                .iter()
                .zip(&step.ei)
                .map(|(x, v)| (px(*x), ei_y(*v))),
        )
        .chain(std::iter::once((px(HI), EI_BOTTOM)));
    let _ = writeln!(
        s,
        r#"<polygon fill="{COLOR_NEXT}" fill-opacity="0.25" stroke="{COLOR_NEXT}" stroke-width="1.5" points="{}"/>"#,
        points(area)
    );
    let _ = writeln!(
        s,
        r##"<text x="{RIGHT}" y="{:.1}" text-anchor="end" font-size="10" fill="#555">EI of this refit: max {ei_max:.3} at x = {:.3}</text>"##,
        EI_TOP - 5.0,
        step.ei_argmax()
    );
    // Frames and axis labels.
    let _ = writeln!(
        s,
        r#"<rect x="{LEFT}" y="{TOP}" width="{}" height="{}" fill="none" stroke="black"/><rect x="{LEFT}" y="{EI_TOP}" width="{}" height="{}" fill="none" stroke="black"/>"#,
        RIGHT - LEFT,
        TOP_BOTTOM - TOP,
        RIGHT - LEFT,
        EI_BOTTOM - EI_TOP
    );
    let mid = (TOP + TOP_BOTTOM) / 2.0;
    let _ = writeln!(
        s,
        r#"<text x="16" y="{mid:.1}" text-anchor="middle" transform="rotate(-90 16 {mid:.1})">f(x)</text><text x="{:.1}" y="{:.1}" text-anchor="end">EI</text><text x="{:.1}" y="{:.1}" text-anchor="middle">x</text>"#,
        LEFT - 6.0,
        (EI_TOP + EI_BOTTOM) / 2.0 + 4.0,
        (LEFT + RIGHT) / 2.0,
        EI_BOTTOM + 34.0
    );
    s.push_str("</g>\n");
    s
}

/// The legend, one entry per line, its top left corner at `(x, y)`.
fn legend(x: f64, y: f64) -> String {
    let mut s = String::new();
    let row = |i: usize| y + 20.0 * i as f64;
    let _ = writeln!(
        s,
        r#"<line x1="{x}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{COLOR_TRUE}" stroke-width="1.5" stroke-dasharray="6,4"/><text x="{:.1}" y="{:.1}">true function f(x) = -x² sin(5x)</text>"#,
        row(0),
        x + 28.0,
        row(0),
        x + 36.0,
        row(0) + 4.0
    );
    let _ = writeln!(
        s,
        r#"<line x1="{x}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{COLOR_GP}" stroke-width="2"/><text x="{:.1}" y="{:.1}">GP posterior mean</text>"#,
        row(1),
        x + 28.0,
        row(1),
        x + 36.0,
        row(1) + 4.0
    );
    let _ = writeln!(
        s,
        r#"<rect x="{x}" y="{:.1}" width="28" height="12" fill="{COLOR_GP}" fill-opacity="0.2"/><text x="{:.1}" y="{:.1}">95% band (mean ± 1.96 std)</text>"#,
        row(2) - 6.0,
        x + 36.0,
        row(2) + 4.0
    );
    let _ = writeln!(
        s,
        r#"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{COLOR_OBS}" stroke="black"/><text x="{:.1}" y="{:.1}">observed points</text>"#,
        x + 14.0,
        row(3),
        x + 36.0,
        row(3) + 4.0
    );
    let _ = writeln!(
        s,
        r#"<line x1="{x}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{COLOR_NEXT}" stroke-width="2" stroke-dasharray="5,3"/><path d="M{:.1},{:.1} l6,6 l-6,6 l-6,-6 Z" fill="white" stroke="{COLOR_NEXT}" stroke-width="2"/><text x="{:.1}" y="{:.1}">next point chosen by GpSampler, and its f(x)</text>"#,
        row(4),
        x + 28.0,
        row(4),
        x + 14.0,
        row(4) - 6.0,
        x + 36.0,
        row(4) + 4.0
    );
    let _ = writeln!(
        s,
        r#"<rect x="{x}" y="{:.1}" width="28" height="12" fill="{COLOR_NEXT}" fill-opacity="0.25" stroke="{COLOR_NEXT}"/><text x="{:.1}" y="{:.1}">EI of the refitted GP (scaled to its maximum)</text>"#,
        row(5) - 6.0,
        x + 36.0,
        row(5) + 4.0
    );
    s
}

fn svg_header(w: f64, h: f64) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"{w}\" height=\"{h}\" fill=\"white\"/>\n"
    )
}

/// One iteration with the legend below it.
fn single_svg(step: &Step) -> String {
    let h = PANEL_H + 130.0;
    let mut s = svg_header(PANEL_W, h);
    s += &panel(step, 0.0, 0.0);
    s += &legend(LEFT, PANEL_H + 10.0);
    s += "</svg>\n";
    s
}

/// All iterations in a 3 x 3 grid; the last two cells hold the legend and the result.
fn grid_svg(steps: &[Step], summary: &[String]) -> String {
    let head = 40.0;
    let (w, h) = (3.0 * PANEL_W, head + 3.0 * PANEL_H);
    let mut s = svg_header(w, h);
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="26" text-anchor="middle" font-size="16" font-weight="bold">Bayesian optimisation of f(x) = -x² sin(5x) with GpSampler (EI): {N_STARTUP} random points, then {} GP steps</text>"#,
        w / 2.0,
        steps.len()
    );
    for (i, step) in steps.iter().enumerate() {
        s += &panel(
            step,
            (i % 3) as f64 * PANEL_W,
            head + (i / 3) as f64 * PANEL_H,
        );
    }
    let cell = steps.len();
    let (cx, cy) = (
        (cell % 3) as f64 * PANEL_W,
        head + (cell / 3) as f64 * PANEL_H,
    );
    s += &legend(cx + LEFT, cy + TOP + 20.0);
    let (cx, cy) = (
        ((cell + 1) % 3) as f64 * PANEL_W,
        head + ((cell + 1) / 3) as f64 * PANEL_H,
    );
    for (j, line) in summary.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="13">{line}</text>"#,
            cx + LEFT,
            cy + TOP + 20.0 + 22.0 * j as f64
        );
    }
    s += "</svg>\n";
    s
}

fn main() -> hpo::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/gp_1d".into()),
    );
    std::fs::create_dir_all(&dir)?;

    let study = hpo::create_study()
        .direction(StudyDirection::Maximize)
        .sampler(
            GpSampler::with_seed(SEED)
                .n_startup_trials(N_STARTUP)
                .acquisition(Acquisition::Ei),
        )
        .build()?;
    study.optimize(N_TRIALS, |t| {
        let x = t.suggest_float("x", LO, HI)?;
        Ok(objective(x))
    })?;

    let mut evaluated = Vec::new();
    for t in study.trials()? {
        if let (Some(x), Some(y)) = (t.internal_param("x"), t.value()) {
            evaluated.push((x, y));
        }
    }
    let random: Vec<String> = evaluated[..N_STARTUP]
        .iter()
        .map(|(x, _)| format!("{x:.3}"))
        .collect();
    println!("random start: x = {}", random.join(", "));

    // Step i shows the GP fitted to the first k = i + 2 trials and the k-th trial's x, which the
    // sampler chose from (its own fit of) those k points.
    let mut steps = Vec::new();
    for k in N_STARTUP..evaluated.len() {
        let step = Step::new(k - N_STARTUP + 1, evaluated[..k].to_vec(), evaluated[k].0)?;
        println!(
            "iteration {}: {k} points, GP chose x = {:.4} (f = {:.4}); EI maximum of the refitted GP: x = {:.4}",
            step.iteration,
            step.next,
            evaluated[k].1,
            step.ei_argmax()
        );
        let path = dir.join(format!("gp_iteration_{}.svg", step.iteration));
        std::fs::write(&path, single_svg(&step))?;
        steps.push(step);
    }

    let best = study.best_trial()?;
    let best_x = best.internal_param("x").unwrap_or(f64::NAN);
    let best_y = study.best_value()?;
    let (true_x, true_y) = (0..=N_SCAN)
        .map(|i| {
            let x = LO + (HI - LO) * i as f64 / N_SCAN as f64;
            (x, objective(x))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((f64::NAN, f64::NAN));
    let summary = vec![
        format!("after {N_TRIALS} trials (seed {SEED}):"),
        format!(
            "best found: x = {best_x:.4}, f(x) = {best_y:.4} (trial {})",
            best.number
        ),
        format!("true maximum (grid scan): x = {true_x:.4}, f(x) = {true_y:.4}"),
    ];
    println!(
        "best found: x = {best_x:.4}, f(x) = {best_y:.4} (trial {})",
        best.number
    );
    println!(
        "true maximum on [-3, 3] (grid scan of {N_SCAN} steps): x = {true_x:.4}, f(x) = {true_y:.4}"
    );
    std::fs::write(dir.join("gp_1d.svg"), grid_svg(&steps, &summary))?;
    println!(
        "wrote {} and gp_iteration_1.svg .. gp_iteration_{}.svg",
        dir.join("gp_1d.svg").display(),
        steps.len()
    );
    Ok(())
}
