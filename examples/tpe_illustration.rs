//! How TPE chooses the next point: after 50 trials on a 1-D
//! function, fit l(x) to the good trials and g(x) to the others exactly as the TPE sampler does,
//! and draw l(x), g(x), l(x)/g(x) and the chosen next point into an SVG.
//!
//! Run with `cargo run --release --example tpe_illustration [out.svg]`.

use hpo::prelude::*;
use hpo::rng::Rng;
use hpo_samplers::tpe::{EstimatorParams, ParzenEstimator, default_gamma, default_weights};
use parking_lot::Mutex;

fn polyline(xs: &[f64], ys: &[f64], map: impl Fn(f64, f64) -> (f64, f64), color: &str) -> String {
    let pts: Vec<String> = xs
        .iter()
        .zip(ys)
        .map(|(x, y)| {
            let (a, b) = map(*x, *y);
            format!("{a:.1},{b:.1}")
        })
        .collect();
    format!(
        r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
        pts.join(" ")
    )
}

fn main() -> hpo::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tpe_illustration.svg".into());
    let noise = Mutex::new(Rng::seed_from_u64(42));
    let study = hpo::create_study()
        .direction(StudyDirection::Maximize)
        .sampler(TpeSampler::with_seed(42))
        .build()?;
    study.optimize(50, |t| {
        let x = t.suggest_float("x", 0.0, 10.0)?;
        Ok(-(x - 6.0).powi(2) + 30.0 + 2.0 * noise.lock().normal())
    })?;

    // TPE's split: the best gamma(n) trials are "good" (l), the rest "bad" (g); both by number.
    let mut trials = study.trials_in(&[TrialState::Complete])?;
    trials.sort_by(|a, b| {
        b.value()
            .unwrap_or(f64::NAN)
            .total_cmp(&a.value().unwrap_or(f64::NAN))
    });
    let n_good = default_gamma(trials.len());
    let (mut good, mut bad) = (trials[..n_good].to_vec(), trials[n_good..].to_vec());
    good.sort_by_key(|t| t.number);
    bad.sort_by_key(|t| t.number);
    let xs = |ts: &[std::sync::Arc<FrozenTrial>]| -> Vec<f64> {
        ts.iter().filter_map(|t| t.internal_param("x")).collect()
    };
    let dist = Distribution::float(0.0, 10.0)?;
    let params = EstimatorParams {
        prior_weight: 1.0,
        consider_magic_clip: true,
        consider_endpoints: false,
    };
    // The density of the observations `x`, each weighted as TPE weighs them.
    let estimator = |x: &Vec<f64>| {
        ParzenEstimator::new(
            &[&dist],
            std::slice::from_ref(x),
            None,
            &default_weights(x.len()),
            &params,
        )
    };
    let (gx, bx) = (xs(&good), xs(&bad));
    let (mut l, g) = (estimator(&gx), estimator(&bx));

    let grid: Vec<f64> = (0..=500).map(|i| i as f64 * 10.0 / 500.0).collect();
    let pts: Vec<Vec<f64>> = grid.iter().map(|x| vec![*x]).collect();
    let lx: Vec<f64> = l.log_pdf(&pts).iter().map(|v| v.exp()).collect();
    let gxd: Vec<f64> = g.log_pdf(&pts).iter().map(|v| v.exp()).collect();
    let ratio: Vec<f64> = lx.iter().zip(&gxd).map(|(a, b)| a / b).collect();
    // The next point: the best of 24 candidates drawn from l(x), by l(x)/g(x).
    let candidates = l.sample(&mut Rng::seed_from_u64(7), 24);
    let scores: Vec<f64> = l
        .log_pdf(&candidates)
        .iter()
        .zip(g.log_pdf(&candidates))
        .map(|(a, b)| a - b)
        .collect();
    let best = (0..24)
        .max_by(|a, b| scores[*a].total_cmp(&scores[*b]))
        .unwrap_or(0);
    let next = candidates[best][0];

    let (w, h, pad) = (800.0, 560.0, 50.0);
    let top_h = (h - 3.0 * pad) / 2.0;
    let dmax = lx.iter().chain(&gxd).copied().fold(0.0, f64::max);
    let rmax = ratio.iter().copied().fold(0.0, f64::max);
    let sx = |x: f64| pad + x / 10.0 * (w - 2.0 * pad);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="white"/>"#
    );
    svg += &format!(
        r#"<text x="{pad}" y="30">TPE after 50 trials: l(x) from the {n_good} best trials, g(x) from the other {}</text>"#,
        bx.len()
    );
    svg += &polyline(
        &grid,
        &lx,
        |x, y| (sx(x), pad + top_h - y / dmax * top_h),
        "#1f77b4",
    );
    svg += &polyline(
        &grid,
        &gxd,
        |x, y| (sx(x), pad + top_h - y / dmax * top_h),
        "#d62728",
    );
    for x in &gx {
        svg += &format!(
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#1f77b4"/>"##,
            sx(*x),
            pad + top_h + 8.0
        );
    }
    for x in &bx {
        svg += &format!(
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#d62728"/>"##,
            sx(*x),
            pad + top_h + 16.0
        );
    }
    svg += &format!(
        r##"<text x="{}" y="{}" fill="#1f77b4">l(x) (good)</text><text x="{}" y="{}" fill="#d62728">g(x) (bad)</text>"##,
        w - 200.0,
        pad + 15.0,
        w - 200.0,
        pad + 32.0
    );
    let y0 = 2.0 * pad + top_h;
    svg += &polyline(
        &grid,
        &ratio,
        |x, y| (sx(x), y0 + top_h - y / rmax * top_h),
        "#2ca02c",
    );
    svg += &format!(
        r##"<line x1="{0:.1}" x2="{0:.1}" y1="{1}" y2="{2}" stroke="black" stroke-dasharray="5,4"/><text x="{3:.1}" y="{4}">next x = {5:.3}</text>"##,
        sx(next),
        pad,
        y0 + top_h,
        sx(next) + 5.0,
        y0 + 15.0,
        next
    );
    svg += &format!(
        r##"<text x="{pad}" y="{}" fill="#2ca02c">l(x) / g(x): TPE samples where it is large</text>"##,
        y0 - 8.0
    );
    svg += &format!(
        r#"<line x1="{pad}" x2="{}" y1="{}" y2="{}" stroke="gray"/><text x="{pad}" y="{}">0</text><text x="{}" y="{}">10</text></svg>"#,
        w - pad,
        h - pad,
        h - pad,
        h - pad + 16.0,
        w - pad - 10.0,
        h - pad + 16.0
    );
    std::fs::write(&out, svg)?;
    println!(
        "Best x so far: {:.3} (value {:.3}); next point chosen by TPE: {next:.3}",
        study.best_params()?["x"].as_f64().unwrap_or(f64::NAN),
        study.best_value()?
    );
    println!("Wrote {out}");
    Ok(())
}
