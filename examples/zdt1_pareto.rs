//! Multi-objective optimisation with NSGA-II: ZDT1 (30 variables, two objectives to minimise)
//! for 2000 trials, then the Pareto front found and the true front `f2 = 1 - sqrt(f1)` drawn
//! into an SVG file, with the front's hypervolume for reference point (11, 11).
//!
//! Run with `cargo run --release --example zdt1_pareto [-- out.svg]` (default
//! `target/zdt1_pareto.svg`, beside the other examples' pictures).

use std::fmt::Write as _;

use hpo::multi_objective::hypervolume;
use hpo::prelude::*;
use hpo::samplers::NsgaIISampler;

const N_VARS: usize = 30;
const N_TRIALS: usize = 2000;

/// ZDT1: f1 = x0, g = 1 + 9 mean(x1..), f2 = g (1 - sqrt(f1 / g)).
fn zdt1(x: &[f64]) -> [f64; 2] {
    let f1 = x[0];
    let g = 1.0 + 9.0 * x[1..].iter().sum::<f64>() / (x.len() - 1) as f64;
    [f1, g * (1.0 - (f1 / g).sqrt())]
}

/// Plot geometry: data ranges mapped into a canvas with margins for the axes.
struct Plot {
    width: f64,
    height: f64,
    margin: f64,
    x_max: f64,
    y_max: f64,
}

impl Plot {
    fn px(&self, x: f64) -> f64 {
        self.margin + x / self.x_max * (self.width - 1.5 * self.margin)
    }

    fn py(&self, y: f64) -> f64 {
        self.height - self.margin - y / self.y_max * (self.height - 1.5 * self.margin)
    }
}

/// A hand-written SVG: axes with ticks and labels, the true front as a curve, the found front as
/// points.
fn svg(front: &[Vec<f64>], hv: f64) -> String {
    let y_max = front
        .iter()
        .map(|p| p[1])
        .fold(1.0_f64, f64::max)
        .ceil()
        .min(10.0);
    let plot = Plot {
        width: 640.0,
        height: 480.0,
        margin: 60.0,
        x_max: 1.0,
        y_max,
    };
    let mut s = String::new();
    let (w, h, m) = (plot.width, plot.height, plot.margin);
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    // Axes.
    let (x0, y0) = (plot.px(0.0), plot.py(0.0));
    let (x1, y1) = (plot.px(plot.x_max), plot.py(plot.y_max));
    let _ = writeln!(
        s,
        r#"<path d="M{x0:.1},{y1:.1} L{x0:.1},{y0:.1} L{x1:.1},{y0:.1}" fill="none" stroke="black"/>"#
    );
    // Ticks: f1 every 0.2, f2 in five steps.
    for i in 0..=5 {
        let v = i as f64 * 0.2 * plot.x_max;
        let x = plot.px(v);
        let _ = writeln!(
            s,
            r#"<line x1="{x:.1}" y1="{y0:.1}" x2="{x:.1}" y2="{:.1}" stroke="black"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{v:.1}</text>"#,
            y0 + 5.0,
            y0 + 20.0
        );
        let v = i as f64 * plot.y_max / 5.0;
        let y = plot.py(v);
        let _ = writeln!(
            s,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{x0:.1}" y2="{y:.1}" stroke="black"/><text x="{:.1}" y="{:.1}" text-anchor="end">{v:.1}</text>"#,
            x0 - 5.0,
            x0 - 8.0,
            y + 4.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">f1</text>"#,
        (x0 + x1) / 2.0,
        h - 15.0
    );
    let _ = writeln!(
        s,
        r#"<text x="15" y="{:.1}" text-anchor="middle" transform="rotate(-90 15 {:.1})">f2</text>"#,
        (y0 + y1) / 2.0,
        (y0 + y1) / 2.0
    );
    // The true front.
    let mut d = String::new();
    for i in 0..=200 {
        let f1 = i as f64 / 200.0;
        let cmd = if i == 0 { 'M' } else { 'L' };
        let _ = write!(
            d,
            "{cmd}{:.2},{:.2} ",
            plot.px(f1),
            plot.py(1.0 - f1.sqrt())
        );
    }
    let _ = writeln!(
        s,
        r#"<path d="{}" fill="none" stroke="steelblue" stroke-width="2"/>"#,
        d.trim_end()
    );
    // The front found.
    for p in front.iter().filter(|p| p[1] <= plot.y_max) {
        let _ = writeln!(
            s,
            r#"<circle cx="{:.2}" cy="{:.2}" r="3.5" fill="orangered" fill-opacity="0.8"/>"#,
            plot.px(p[0]),
            plot.py(p[1])
        );
    }
    // Legend.
    let lx = x1 - 220.0;
    let _ = writeln!(
        s,
        r#"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="steelblue" stroke-width="2"/><text x="{:.1}" y="{:.1}">true front f2 = 1 - sqrt(f1)</text>"#,
        y1 + 10.0,
        lx + 20.0,
        y1 + 10.0,
        lx + 26.0,
        y1 + 14.0
    );
    let _ = writeln!(
        s,
        r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="orangered"/><text x="{:.1}" y="{:.1}">NSGA-II front ({} points)</text>"#,
        lx + 10.0,
        y1 + 30.0,
        lx + 26.0,
        y1 + 34.0,
        front.len()
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}">ZDT1, {N_TRIALS} trials, hypervolume (ref 11, 11) = {hv:.4}</text>"#,
        x0,
        m / 2.0 - 12.0
    );
    s.push_str("</svg>\n");
    s
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/zdt1_pareto.svg".to_owned());
    if let Some(dir) = std::path::Path::new(&path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)?;
    }
    let study = hpo::create_study()
        .directions([StudyDirection::Minimize, StudyDirection::Minimize])
        .sampler(NsgaIISampler::with_seed(42))
        .build()?;
    study.optimize(N_TRIALS, |trial| {
        let x: Vec<f64> = (0..N_VARS)
            .map(|i| trial.suggest_float(&format!("x{i}"), 0.0, 1.0))
            .collect::<Result<_, _>>()?;
        Ok(zdt1(&x))
    })?;
    let mut front: Vec<Vec<f64>> = study
        .best_trials()?
        .iter()
        .filter_map(|t| t.values.clone())
        .collect();
    front.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let hv = hypervolume(&front, &[11.0, 11.0]);
    std::fs::write(&path, svg(&front, hv))?;
    println!(
        "Pareto front: {} of {N_TRIALS} trials; hypervolume (reference 11, 11): {hv:.4} \
         (true front: {:.4})",
        front.len(),
        121.0 - 1.0 / 3.0
    );
    println!("SVG written to {path}");
    Ok(())
}
