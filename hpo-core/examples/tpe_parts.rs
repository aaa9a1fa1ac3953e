//! The parts of a late TPE trial, timed alone: what BENCHMARKS.md's estimate of the floor of a
//! TPE trial is built from. The shape is a trial at n = 1000 on the sphere benchmark: 975
//! "above" kernels spread over [-5, 5], 25 "below" kernels near the optimum, 24 candidates,
//! D = 5 and 20 float dimensions. Each figure is the best of five batches.
//!
//! `cargo run --release -p hpo-core --example tpe_parts`

use std::hint::black_box;
use std::time::Instant;

use hpo_core::distributions::Distribution;
use hpo_core::rng::Rng;
use hpo_core::samplers::tpe::{EstimatorParams, LogPdfScratch, ParzenEstimator, default_weights};

/// Microseconds per call of `f`: the best of five batches of `reps` calls.
fn best_of_five(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() / reps as f64 * 1e6
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    const ABOVE: usize = 975;
    const BELOW: usize = 25;
    const CANDIDATES: usize = 24;
    let params = EstimatorParams {
        prior_weight: 1.0,
        consider_magic_clip: true,
        consider_endpoints: false,
    };
    let mut rng = Rng::seed_from_u64(1);
    let dist = Distribution::float(-5.0, 5.0).expect("a valid range");
    for d in [5usize, 20] {
        let space: Vec<&Distribution> = vec![&dist; d];
        let above: Vec<Vec<f64>> = (0..d)
            .map(|_| (0..ABOVE).map(|_| rng.next_f64() * 10.0 - 5.0).collect())
            .collect();
        let below: Vec<Vec<f64>> = (0..d)
            .map(|_| (0..BELOW).map(|_| rng.next_f64() - 0.5).collect())
            .collect();
        let (w_above, w_below) = (default_weights(ABOVE), default_weights(BELOW));
        let mut pa = ParzenEstimator::new(&space, &above, None, &w_above, &params);
        let mut pb = ParzenEstimator::new(&space, &below, None, &w_below, &params);
        let mut candidates = Vec::new();
        pb.sample_into(&mut rng, CANDIDATES, &mut candidates);
        let (mut out, mut scratch) = (Vec::new(), LogPdfScratch::default());

        let above_pdf = best_of_five(2000, || {
            pa.log_pdf_into(&candidates, &mut out, &mut scratch);
            black_box(&out);
        });
        let below_pdf = best_of_five(2000, || {
            pb.log_pdf_into(&candidates, &mut out, &mut scratch);
            black_box(&out);
        });
        // What a trial runs instead of the 24 log-sum-exps: the choice by bounds.
        let mut log_below = Vec::new();
        pb.log_pdf_into(&candidates, &mut log_below, &mut scratch);
        let choice = best_of_five(2000, || {
            black_box(pa.best_ratio(&candidates, &log_below, &mut scratch));
        });
        let mut drawn = Vec::new();
        let draw = best_of_five(2000, || {
            pb.sample_into(&mut rng, CANDIDATES, &mut drawn);
            black_box(&drawn);
        });
        let below_fit = best_of_five(2000, || {
            pb.fit(&space, &below, None, &w_below, &params);
        });
        let above_fit = best_of_five(100, || {
            pa.fit(&space, &above, None, &w_above, &params);
        });
        let kernel_dims = ((ABOVE + 1) * d * CANDIDATES) as f64;
        println!(
            "D={d:2}: above log_pdf {above_pdf:6.2} us ({:.3} ns per kernel-dimension-candidate) | \
             the choice by bounds {choice:6.2} us | below log_pdf {below_pdf:5.2} us | draw \
             {CANDIDATES} candidates {draw:5.2} us ({:.1} ns a coordinate) | below fit \
             {below_fit:5.2} us | full fit of above {above_fit:6.1} us",
            above_pdf * 1e3 / kernel_dims,
            draw * 1e3 / (CANDIDATES * d) as f64,
        );
    }
}
