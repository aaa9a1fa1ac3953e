//! Every plot kind against single-objective, multi-objective, pruned/failed, empty and big
//! studies: outcomes (figure, notice or documented error), well-formed SVG, PNG, saving, size
//! at 5000 trials, and content checks per kind.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use hpo_core::*;
use hpo_viz::{Figure, PlotKind, PlotOptions, StudyData};

mod common;
use common::{
    check_png, check_svg, count_class, count_in, loss_accuracy_study, numbered, optimized, plot,
    polylines_in, report_html, title_of, unit,
};

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A single-objective study with float, log-float, int and categorical parameters, where some
/// trials are pruned (after reporting intermediate values) and some fail.
fn single() -> &'static StudyData {
    static DATA: OnceLock<StudyData> = OnceLock::new();
    DATA.get_or_init(|| {
        let study = Study::builder()
            .name("single")
            .sampler(RandomSampler::with_seed(7))
            .build()
            .unwrap();
        let data = optimized(&study, 80, |trial| {
            let x = trial.suggest_float("x", -5.0, 5.0)?;
            let lr = trial.suggest_float_log("lr", 1e-5, 1e-1)?;
            let layers = trial.suggest_int("layers", 1, 6)?;
            let opt = trial.suggest_categorical("optimizer", &["adam", "sgd", "rmsprop"])?;
            let n = trial.number();
            let base = (x - 1.0).powi(2)
                + 0.5 * (lr.log10() + 3.0).powi(2)
                + 0.1 * layers as f64
                + if opt == "sgd" { 1.0 } else { 0.0 };
            for step in 0..5u64 {
                trial.report(base + (5 - step) as f64 * 0.3, step)?;
            }
            if n % 11 == 5 {
                return Err(TrialPruned.into());
            }
            if n % 13 == 7 {
                return Err(TrialError::msg("diverged"));
            }
            Ok(base)
        });
        assert!(data.count(TrialState::Pruned) > 0 && data.count(TrialState::Fail) > 0);
        data
    })
}

/// A two-objective study (minimize, maximize) with named metrics.
fn multi() -> &'static StudyData {
    static DATA: OnceLock<StudyData> = OnceLock::new();
    DATA.get_or_init(|| {
        let study = loss_accuracy_study(3);
        optimized(&study, 60, |trial| {
            let x = trial.suggest_float("x", 0.0, 1.0)?;
            let y = trial.suggest_float("y", 0.0, 1.0)?;
            let kind = trial.suggest_categorical("kind", &["a", "b"])?;
            let k = if kind == "a" { 0.0 } else { 0.2 };
            if trial.number() == 4 {
                return Err(TrialError::msg("failed"));
            }
            Ok((x + k, 1.0 - (x - 0.3).powi(2) - y * 0.5))
        })
    })
}

fn empty() -> StudyData {
    StudyData::new("nothing", vec![StudyDirection::Minimize], vec![])
}

fn empty_multi() -> StudyData {
    StudyData::new(
        "nothing2",
        vec![StudyDirection::Minimize, StudyDirection::Minimize],
        vec![],
    )
}

/// Trials that all failed or were pruned: nothing completed.
fn none_completed() -> StudyData {
    let d = Distribution::float(0.0, 1.0).unwrap();
    let trials = (0..4u64).map(|i| {
        let state = if i % 2 == 0 {
            TrialState::Fail
        } else {
            TrialState::Pruned
        };
        let mut t = FrozenTrial::new(state)
            .with_param("x", 0.5, d.clone())
            .unwrap()
            .with_intermediate_value(0, 1.0);
        if state == TrialState::Pruned {
            t.values = Some(vec![1.0]);
        }
        t
    });
    numbered("stalled", vec![StudyDirection::Minimize], trials)
}

/// `n` hand-made trials (maximizing) over four parameters, with datetimes, learning curves,
/// a few pruned, failed and infeasible trials and a missing conditional parameter.
fn big(n: u64) -> StudyData {
    let fx = Distribution::float(-10.0, 10.0).unwrap();
    let flr = Distribution::float_log(1e-6, 1.0).unwrap();
    let fint = Distribution::int(1, 64).unwrap();
    let fcat = Distribution::categorical(["relu", "tanh", "gelu", "silu"]).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let trials = (0..n).map(|i| {
        let x = -10.0 + 20.0 * unit(4 * i);
        let lr = 10f64.powf(-6.0 + 6.0 * unit(4 * i + 1));
        let units = 1 + (unit(4 * i + 2) * 63.0) as i64;
        let act = ["relu", "tanh", "gelu", "silu"][(unit(4 * i + 3) * 4.0) as usize % 4];
        let value = 1.0 / (1.0 + (x - 2.0).powi(2) / 10.0) + 0.1 * (lr.log10() + 3.0).abs()
            - 0.002 * units as f64
            + if act == "gelu" { 0.1 } else { 0.0 };
        let state = match i % 50 {
            7 => TrialState::Pruned,
            13 => TrialState::Fail,
            _ => TrialState::Complete,
        };
        let mut t = FrozenTrial::new(state)
            .with_param("x", x, fx.clone())
            .unwrap()
            .with_param("lr", lr, flr.clone())
            .unwrap()
            .with_param("units", units, fint.clone())
            .unwrap();
        if i % 10 != 3 {
            t = t.with_param("activation", act, fcat.clone()).unwrap();
        }
        let start = t0 + Duration::seconds(i as i64 * 3);
        t = t.with_datetimes(
            Some(start),
            Some(start + Duration::seconds(2 + (i % 7) as i64)),
        );
        let steps = if state == TrialState::Pruned { 3 } else { 8 };
        for s in 0..steps {
            t = t.with_intermediate_value(s, value * (1.0 - 0.5f64.powi(s as i32 + 1)));
        }
        if state != TrialState::Fail {
            t.values = Some(vec![value]);
        }
        if i % 97 == 5 {
            t = t.with_system_attr("constraints", serde_json::json!([1.0]));
        }
        t
    });
    numbered("big", vec![StudyDirection::Maximize], trials)
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// `plot` (every kind is implemented, so always `Some`).
fn try_plot(
    data: &StudyData,
    kind: PlotKind,
    options: &PlotOptions,
) -> Option<hpo_core::Result<Figure>> {
    Some(plot(data, kind, options))
}

/// `kind` of [`single`] restricted to `params`.
fn plot_single<const N: usize>(kind: PlotKind, params: [&str; N]) -> Figure {
    plot(single(), kind, &PlotOptions::new().params(params)).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hpo-viz-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------------
// Every kind, every fixture

#[test]
fn every_kind_renders_a_single_objective_study_with_pruned_and_failed_trials() {
    let data = single();
    let dir = temp_dir("single");
    for kind in PlotKind::ALL {
        let Some(result) = try_plot(data, kind, &PlotOptions::new()) else {
            continue;
        };
        if kind.multi_objective_only() {
            let e = result.expect_err("a Pareto front of a single-objective study is an error");
            assert!(e.to_string().contains("objective"), "{e}");
            continue;
        }
        let fig = result.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(fig.notice(), None, "{kind}");
        assert_eq!(fig.title(), kind.title());
        assert_eq!((fig.width(), fig.height()).0, 900, "{kind}");
        check_svg(&fig, kind.name());
        check_png(&fig, kind.name());
        for ext in ["svg", "png", "html"] {
            let path = dir.join(format!("{}.{ext}", kind.name()));
            fig.save(&path).unwrap();
            let bytes = std::fs::read(&path).unwrap();
            match ext {
                "svg" => assert!(bytes.starts_with(b"<svg")),
                "png" => assert!(bytes.starts_with(b"\x89PNG")),
                _ => {
                    let html = String::from_utf8(bytes).unwrap();
                    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
                }
            }
        }
        let e = fig.save(dir.join("figure.jpeg")).unwrap_err().to_string();
        assert!(e.contains("jpeg"), "{e}");
        assert!(fig.save(dir.join("no_extension")).is_err());
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_kind_handles_a_multi_objective_study() {
    let data = multi();
    for kind in PlotKind::ALL {
        let Some(result) = try_plot(data, kind, &PlotOptions::new()) else {
            continue;
        };
        if kind.needs_target_for_multi_objective() {
            let e = result.expect_err("a target is required").to_string();
            assert!(e.contains("target") && e.contains("multi"), "{kind}: {e}");
        } else {
            let fig = result.unwrap_or_else(|e| panic!("{kind}: {e}"));
            // Multi-objective trials cannot report intermediate values (as in Optuna).
            let reported = data
                .trials
                .iter()
                .any(|t| !t.intermediate_values.is_empty());
            if kind == PlotKind::IntermediateValues && !reported {
                assert!(fig.notice().is_some(), "{kind}");
            } else {
                assert_eq!(fig.notice(), None, "{kind}");
            }
            check_svg(&fig, kind.name());
        }
        // With a target (or an objective index) every kind renders.
        let with_target = PlotOptions::new()
            .target(|t| t.values.as_ref().map_or(f64::NAN, |v| v[0] - v[1]))
            .target_name("loss - accuracy");
        for options in [with_target, PlotOptions::new().objective(1)] {
            let fig = try_plot(data, kind, &options)
                .unwrap()
                .unwrap_or_else(|e| panic!("{kind} with target: {e}"));
            let text = check_svg(&fig, kind.name());
            if kind.needs_target_for_multi_objective() && options.objective_index().is_none() {
                assert!(
                    text.contains("loss - accuracy"),
                    "{kind}: target name not shown"
                );
            }
        }
    }
}

#[test]
fn every_kind_shows_a_message_for_an_empty_study() {
    for (data, multi) in [
        (empty(), false),
        (empty_multi(), true),
        (none_completed(), false),
    ] {
        for kind in PlotKind::ALL {
            let Some(result) = try_plot(&data, kind, &PlotOptions::new()) else {
                continue;
            };
            if (kind.multi_objective_only() && !multi)
                || (multi && kind.needs_target_for_multi_objective())
            {
                assert!(result.is_err(), "{kind} on {}", data.name);
                continue;
            }
            let fig = result.unwrap_or_else(|e| panic!("{kind} on {}: {e}", data.name));
            // Learning curves and the timeline also show pruned and failed trials.
            if !data.trials.is_empty()
                && matches!(kind, PlotKind::IntermediateValues | PlotKind::Timeline)
            {
                check_svg(&fig, kind.name());
                continue;
            }
            let notice = fig
                .notice()
                .unwrap_or_else(|| panic!("{kind} on {}: no notice", data.name))
                .to_owned();
            assert!(notice.contains(&data.name), "{kind}: {notice}");
            let text = check_svg(&fig, kind.name());
            // The message is drawn (possibly wrapped over several lines).
            let first_words: String = notice.split(' ').take(3).collect::<Vec<_>>().join(" ");
            assert!(
                text.contains(&first_words),
                "{kind}: message `{notice}` not in SVG text:\n{text}"
            );
        }
    }
    let fig = plot(&empty(), PlotKind::History, &PlotOptions::new()).unwrap();
    check_png(&fig, "empty history");
}

#[test]
fn five_thousand_trials_stay_small_and_fast() {
    let data = big(5000);
    let mut report = Vec::new();
    for kind in PlotKind::ALL {
        let start = Instant::now();
        let Some(result) = try_plot(&data, kind, &PlotOptions::new()) else {
            continue;
        };
        let elapsed = start.elapsed();
        if kind.multi_objective_only() {
            assert!(result.is_err());
            continue;
        }
        let fig = result.unwrap_or_else(|e| panic!("{kind}: {e}"));
        check_svg(&fig, kind.name());
        let bytes = fig.svg().len();
        assert!(bytes < 2_000_000, "{kind}: SVG is {bytes} bytes");
        let start = Instant::now();
        // PNG rendering is slow in unoptimised builds (tiny-skia): one kind is enough here.
        if kind == PlotKind::History {
            check_png(&fig, kind.name());
        }
        report.push(format!(
            "{:<20} {:>8} bytes  svg {:>6.0} ms  png {:>6.0} ms",
            kind.name(),
            bytes,
            elapsed.as_secs_f64() * 1e3,
            start.elapsed().as_secs_f64() * 1e3
        ));
    }
    eprintln!("5000 trials:\n{}", report.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Options and errors

#[test]
fn unknown_params_are_errors_naming_them() {
    for kind in [
        PlotKind::Slice,
        PlotKind::Contour,
        PlotKind::ParallelCoordinate,
        PlotKind::Importances,
        PlotKind::Rank,
    ] {
        let Some(result) = try_plot(single(), kind, &PlotOptions::new().params(["x", "depth"]))
        else {
            continue;
        };
        let e = result.expect_err("unknown parameter").to_string();
        assert!(e.contains("depth"), "{kind}: {e}");
    }
}

#[test]
fn sizes_are_checked_and_applied() {
    let fig = plot(
        single(),
        PlotKind::History,
        &PlotOptions::new().size(640, 480),
    )
    .unwrap();
    assert_eq!((fig.width(), fig.height()), (640, 480));
    let e = plot(
        single(),
        PlotKind::History,
        &PlotOptions::new().size(10, 480),
    )
    .unwrap_err();
    assert!(e.to_string().contains("10x480"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Content

#[test]
fn history_best_line_is_monotone_and_exact() {
    // Minimizing: the best value never goes up, so the line's pixel y never goes up either
    // (SVG y grows downwards) and x never goes back.
    let fig = plot(single(), PlotKind::History, &PlotOptions::new()).unwrap();
    let lines = polylines_in(fig.svg(), "best-line");
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert!(line.len() >= 2);
    for w in line.windows(2) {
        assert!(w[1].0 >= w[0].0 - 1e-9, "x goes back: {w:?}");
        assert!(w[1].1 >= w[0].1 - 1e-9, "best value got worse: {w:?}");
    }
    // Maximizing (the big study): the line goes up (pixel y decreases).
    let big = big(300);
    let fig = plot(&big, PlotKind::History, &PlotOptions::new()).unwrap();
    let line = &polylines_in(fig.svg(), "best-line")[0];
    for w in line.windows(2) {
        assert!(w[1].1 <= w[0].1 + 1e-9, "best value got worse: {w:?}");
    }
    // Every completed trial is a dot (few trials: no sampling), with a tooltip.
    let dots = count_in(fig.svg(), "trials", "circle");
    assert_eq!(dots, big.count(TrialState::Complete));
    assert!(fig.svg().contains("<title>Trial "));
    // A custom target has no best line (its direction is unknown), as in Optuna.
    let fig = plot(
        single(),
        PlotKind::History,
        &PlotOptions::new().target(|t| t.value().unwrap_or(f64::NAN) * 2.0),
    )
    .unwrap();
    assert!(polylines_in(fig.svg(), "best-line").is_empty());
}

#[test]
fn history_samples_dots_but_keeps_the_best_line_exact() {
    let data = big(5000);
    let fig = plot(&data, PlotKind::History, &PlotOptions::new()).unwrap();
    let dots = count_in(fig.svg(), "trials", "circle");
    assert!(dots <= 3000 + 50, "{dots} dots drawn");
    assert!(dots >= 2900, "{dots} dots drawn");
    // The best line's last level is the best feasible value.
    let best = data
        .complete_trials()
        .filter(|t| t.is_feasible())
        .filter_map(|t| t.value())
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(best.is_finite());
    let line = &polylines_in(fig.svg(), "best-line")[0];
    let min_y = line.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    assert_eq!(line.last().unwrap().1, min_y);
    assert!(fig.svg().contains("showing"), "sampling is not announced");
}

#[test]
fn slice_has_one_subplot_per_param() {
    let fig = plot(single(), PlotKind::Slice, &PlotOptions::new()).unwrap();
    let doc = roxmltree::Document::parse(fig.svg()).unwrap();
    let names: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("subplot"))
        .filter_map(|n| n.attribute("data-name"))
        .collect();
    assert_eq!(names, ["layers", "lr", "optimizer", "x"]);
    let fig = plot_single(PlotKind::Slice, ["x", "lr"]);
    assert_eq!(count_class(fig.svg(), "subplot"), 2);
    // The log parameter gets decade ticks, the categorical one its choices.
    let text = check_svg(
        &plot(single(), PlotKind::Slice, &PlotOptions::new()).unwrap(),
        "slice",
    );
    assert!(text.contains("1e-5") || text.contains("1e-4"), "{text}");
    for choice in ["adam", "sgd", "rmsprop"] {
        assert!(text.contains(choice), "{choice} missing");
    }
    assert!(text.contains("Trial"), "colour bar title missing");
}

#[test]
fn contour_draws_every_pair() {
    let fig = plot(single(), PlotKind::Contour, &PlotOptions::new()).unwrap();
    // 4 parameters: 6 pairs in a lower triangle.
    assert_eq!(count_class(fig.svg(), "subplot"), 6);
    let fig = plot_single(PlotKind::Contour, ["x", "lr"]);
    assert_eq!(count_class(fig.svg(), "subplot"), 1);
    assert_eq!(count_class(fig.svg(), "surface"), 1);
    // One parameter: nothing to draw, said so.
    let fig = plot_single(PlotKind::Contour, ["x"]);
    assert!(fig.notice().unwrap().contains("two parameters"));
}

#[test]
fn contour_is_darker_where_the_objective_is_better() {
    // z = x² + y², minimized: the centre must be darker than the corners.
    let d = Distribution::float(-1.0, 1.0).unwrap();
    let trials = (0..400u64).map(|i| {
        let x = -1.0 + 2.0 * unit(2 * i);
        let y = -1.0 + 2.0 * unit(2 * i + 1);
        FrozenTrial::new(TrialState::Complete)
            .with_value(x * x + y * y)
            .with_param("x", x, d.clone())
            .unwrap()
            .with_param("y", y, d.clone())
            .unwrap()
    });
    let data = numbered("bowl", vec![StudyDirection::Minimize], trials);
    let fig = plot(&data, PlotKind::Contour, &PlotOptions::new()).unwrap();
    let doc = roxmltree::Document::parse(fig.svg()).unwrap();
    let surface = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("surface"))
        .unwrap();
    let rects: Vec<(f64, f64, f64, f64, u32)> = surface
        .children()
        .filter(|n| n.has_tag_name("rect"))
        .map(|r| {
            let f = |a: &str| r.attribute(a).unwrap().parse::<f64>().unwrap();
            let fill = u32::from_str_radix(&r.attribute("fill").unwrap()[1..], 16).unwrap();
            let lum = (fill >> 16) + ((fill >> 8) & 0xff) + (fill & 0xff);
            (f("x"), f("y"), f("width"), f("height"), lum)
        })
        .collect();
    let at = |px: f64, py: f64| {
        rects
            .iter()
            .find(|r| px >= r.0 && px < r.0 + r.2 && py >= r.1 && py < r.1 + r.3)
            .map(|r| r.4)
            .unwrap()
    };
    let (x0, x1) = rects
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, r| {
            (a.0.min(r.0), a.1.max(r.0 + r.2))
        });
    let (y0, y1) = rects
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, r| {
            (a.0.min(r.1), a.1.max(r.1 + r.3))
        });
    let centre = at((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let corner = at(x0 + 3.0, y0 + 3.0);
    assert!(
        centre < corner,
        "centre luminance {centre} vs corner {corner}"
    );
}

#[test]
fn parallel_coordinate_draws_one_line_per_trial() {
    let data = single();
    let fig = plot(data, PlotKind::ParallelCoordinate, &PlotOptions::new()).unwrap();
    let lines = polylines_in(fig.svg(), "trials");
    assert_eq!(lines.len(), data.count(TrialState::Complete));
    // Objective + 4 parameters.
    assert!(lines.iter().all(|l| l.len() == 5));
    let text = check_svg(&fig, "parallel");
    for label in [
        "Objective Value",
        "layers",
        "lr",
        "optimizer",
        "x",
        "adam",
        "rmsprop",
    ] {
        assert!(text.contains(label), "{label} missing");
    }
    // Multi-objective without a target: one axis per objective, coloured by Pareto rank.
    let fig = plot(multi(), PlotKind::ParallelCoordinate, &PlotOptions::new()).unwrap();
    let lines = polylines_in(fig.svg(), "trials");
    assert_eq!(lines.len(), multi().count(TrialState::Complete));
    assert!(lines.iter().all(|l| l.len() == 2 + 3));
    let text = check_svg(&fig, "parallel multi");
    assert!(text.contains("Pareto Rank") && text.contains("loss") && text.contains("accuracy"));
}

#[test]
fn parallel_coordinate_caps_lines_for_big_studies() {
    let data = big(5000);
    let fig = plot(&data, PlotKind::ParallelCoordinate, &PlotOptions::new()).unwrap();
    let lines = polylines_in(fig.svg(), "trials");
    assert!(
        lines.len() <= 2000 + 10 && lines.len() >= 1900,
        "{}",
        lines.len()
    );
    // The missing conditional parameter gets a `None` tick.
    assert!(check_svg(&fig, "parallel big").contains("None"));
}

/// The text of each `<text>` element that is not rotated, its lines (`<tspan>`s) joined.
fn upright_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("transform").is_none())
        .map(|n| {
            n.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect()
        })
        .collect()
}

#[test]
fn parallel_coordinate_titles_are_whole_where_there_is_room() {
    // The default objective name and nine ordinary parameter names at the default size: about
    // 80 pixels between axes, where titles used to be cut to 11 characters ("Objective …").
    let names = [
        "learning_rate",
        "weight_decay",
        "batch_size",
        "dropout",
        "n_layers",
        "hidden_size",
        "optimizer",
        "momentum",
        "warmup_steps",
    ];
    let float = Distribution::float(0.0, 1.0).unwrap();
    let choice = Distribution::categorical(["adam", "sgd"]).unwrap();
    let trials = (0..30u64).map(|i| {
        let mut t = FrozenTrial::new(TrialState::Complete).with_value(unit(100 + i));
        for (k, name) in names.iter().enumerate() {
            t = if *name == "optimizer" {
                t.with_param(name, ["adam", "sgd"][(i % 2) as usize], choice.clone())
            } else {
                t.with_param(name, unit(i * 16 + k as u64), float.clone())
            }
            .unwrap();
        }
        t
    });
    let data = numbered("titles", vec![StudyDirection::Minimize], trials);
    let fig = plot(&data, PlotKind::ParallelCoordinate, &PlotOptions::new()).unwrap();
    check_svg(&fig, "parallel titles");
    let texts = upright_texts(fig.svg());
    for title in std::iter::once("Objective Value").chain(names) {
        assert!(
            texts.iter().any(|t| t == title),
            "`{title}` not drawn whole: {texts:?}"
        );
    }
    assert!(!texts.iter().any(|t| t.contains('…')), "{texts:?}");
    assert!(!fig.svg().contains("<title>"), "nothing was cut");

    // Too narrow for titles across: they run upwards, whole where they are not too long.
    let small = PlotOptions::new().size(400, 400);
    let fig = plot(&data, PlotKind::ParallelCoordinate, &small).unwrap();
    check_svg(&fig, "parallel titles, small");
    let doc = roxmltree::Document::parse(fig.svg()).unwrap();
    let upright: Vec<&str> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("text")
                && n.attribute("transform")
                    .is_some_and(|t| t.starts_with("rotate(-90"))
        })
        .filter_map(|n| n.text())
        .collect();
    for title in names.iter().filter(|n| n.len() <= 10) {
        assert!(
            upright.contains(title),
            "`{title}` not upright: {upright:?}"
        );
    }
    // A title too long even so is cut, and keeps its whole text as a tooltip.
    let tiny = PlotOptions::new().size(400, 200);
    let fig = plot(&data, PlotKind::ParallelCoordinate, &tiny).unwrap();
    check_svg(&fig, "parallel titles, tiny");
    let doc = roxmltree::Document::parse(fig.svg()).unwrap();
    let mut cut = 0;
    for tip in doc.descendants().filter(|n| n.has_tag_name("title")) {
        let full = tip.text().unwrap();
        assert!(full == "Objective Value" || names.contains(&full), "{full}");
        let shown = tip
            .parent()
            .unwrap()
            .descendants()
            .find(|n| n.has_tag_name("text"))
            .and_then(|n| n.text())
            .unwrap();
        let kept = shown.strip_suffix('…').unwrap_or_else(|| panic!("{shown}"));
        assert!(full.starts_with(kept), "{shown} for {full}");
        cut += 1;
    }
    assert!(cut > 0, "some titles must be cut at 400 x 200 pixels");
}

/// The `<rect>`s of a figure's `bars` group.
fn bar_rects<'a, 'input>(
    doc: &'a roxmltree::Document<'input>,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    doc.descendants()
        .find(|n| n.attribute("class") == Some("bars"))
        .unwrap()
        .descendants()
        .filter(|n| n.has_tag_name("rect"))
}

#[test]
fn importances_are_sorted_bars_with_labels() {
    let fig = plot(single(), PlotKind::Importances, &PlotOptions::new()).unwrap();
    let doc = roxmltree::Document::parse(fig.svg()).unwrap();
    // (y, width, tooltip) of every bar, top to bottom.
    let mut rects: Vec<(f64, f64, String)> = bar_rects(&doc)
        .map(|r| {
            let f = |a: &str| r.attribute(a).unwrap().parse::<f64>().unwrap();
            let tip = title_of(r.parent().unwrap()).unwrap_or_default().to_owned();
            (f("y"), f("width"), tip)
        })
        .collect();
    rects.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(rects.len(), 4, "one bar per parameter");
    for w in rects.windows(2) {
        assert!(w[0].1 >= w[1].1, "bars are not sorted: {rects:?}");
    }
    // x dominates this objective.
    assert!(rects[0].2.starts_with("x (FloatDistribution)"), "{rects:?}");
    let text = check_svg(&fig, "importances");
    assert!(text.contains("ped-anova"));
    assert!(text.contains("Hyperparameter Importance"));
    assert!(
        text.lines().any(|l| l.len() == 4 && l.starts_with("0.")),
        "no value label like 0.63 in {text}"
    );
    // Another evaluator, and a subset of parameters.
    let fanova = hpo_importance::evaluator_from_name("fanova", Some(1)).unwrap();
    let fig = plot(
        single(),
        PlotKind::Importances,
        &PlotOptions::new()
            .evaluator_arc(fanova)
            .params(["x", "layers"]),
    )
    .unwrap();
    let text = check_svg(&fig, "importances fanova");
    assert!(text.contains("fanova"));
    assert!(!text.contains("optimizer"));
}

#[test]
fn importances_of_a_multi_objective_study_have_one_series_per_objective() {
    let fig = plot(multi(), PlotKind::Importances, &PlotOptions::new()).unwrap();
    let doc = roxmltree::Document::parse(fig.svg()).unwrap();
    let n = bar_rects(&doc).count();
    assert_eq!(n, 2 * 3, "two objectives × three parameters");
    let text = check_svg(&fig, "importances multi");
    assert!(
        text.contains("loss") && text.contains("accuracy"),
        "legend missing"
    );
}

#[test]
fn importances_with_one_trial_do_not_panic() {
    let d = Distribution::float(0.0, 1.0).unwrap();
    let mut t = FrozenTrial::new(TrialState::Complete)
        .with_value(1.0)
        .with_param("x", 0.5, d)
        .unwrap();
    t.number = 0;
    let data = StudyData::new("one", vec![StudyDirection::Minimize], vec![Arc::new(t)]);
    for kind in PlotKind::ALL {
        if let Some(r) = try_plot(&data, kind, &PlotOptions::new())
            && !kind.multi_objective_only()
        {
            check_svg(&r.unwrap_or_else(|e| panic!("{kind}: {e}")), kind.name());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Report

#[test]
fn report_contains_every_applicable_plot() {
    for data in [single(), multi()] {
        let html = report_html(data, &PlotOptions::new()).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&data.name));
        for kind in PlotKind::ALL {
            if try_plot(data, kind, &PlotOptions::new().objective(0)).is_none() {
                continue;
            }
            let reported = data
                .trials
                .iter()
                .any(|t| !t.intermediate_values.is_empty());
            if kind == PlotKind::IntermediateValues && !reported {
                continue;
            }
            if kind.multi_objective_only() && !data.is_multi_objective() {
                assert!(
                    !html.contains(kind.title()),
                    "{kind} should not be in the report"
                );
                continue;
            }
            assert!(
                html.contains(kind.title()),
                "{kind} missing from the report"
            );
        }
        assert!(html.matches("<svg").count() >= 4);
        assert!(!html.contains("src="), "external source");
        assert!(!html.contains("href=\"http"), "external link");
        assert!(!html.contains("<script"), "scripts are not needed");
        // The report is well-formed XML (XHTML-compatible).
        let body = html.trim_start_matches("<!DOCTYPE html>");
        roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("report does not parse: {e}"));
    }
}

#[test]
fn report_summarises_the_study() {
    let html = report_html(single(), &PlotOptions::new()).unwrap();
    for state in ["COMPLETE", "PRUNED", "FAIL"] {
        assert!(html.contains(state), "{state} count missing");
    }
    assert!(html.contains("MINIMIZE"));
    assert!(html.contains("Best trial"));
    assert!(html.contains("optimizer"));
    // An empty study still gives a report, with a message instead of plots.
    let html = report_html(&empty(), &PlotOptions::new()).unwrap();
    assert!(html.contains("no trials"));
    roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>")).unwrap();
}

/// Writes every figure of the fixtures to `$HPO_VIZ_GALLERY` (for looking at them).
#[test]
fn gallery() {
    let Ok(dir) = std::env::var("HPO_VIZ_GALLERY") else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let big = big(5000);
    for (data, tag) in [(single(), "single"), (multi(), "multi"), (&big, "big")] {
        for kind in PlotKind::ALL {
            let options = if data.is_multi_objective() && kind.needs_target_for_multi_objective() {
                PlotOptions::new().objective(0)
            } else {
                PlotOptions::new()
            };
            if let Some(Ok(fig)) = try_plot(data, kind, &options) {
                fig.save(dir.join(format!("{tag}-{}.png", kind.name())))
                    .unwrap();
                fig.save(dir.join(format!("{tag}-{}.svg", kind.name())))
                    .unwrap();
            }
        }
        std::fs::write(
            dir.join(format!("{tag}-report.html")),
            report_html(data, &PlotOptions::new()).unwrap(),
        )
        .unwrap();
    }
    let fig = plot(&empty(), PlotKind::Slice, &PlotOptions::new()).unwrap();
    fig.save(dir.join("empty-slice.png")).unwrap();
}
