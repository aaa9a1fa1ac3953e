//! The intermediate-values, EDF, Pareto-front, timeline and rank plots against single- and
//! multi-objective studies with pruned and failed trials, empty studies and 5000-trial studies:
//! outcomes (figure, notice or documented error), well-formed SVG, PNG, sizes, and content
//! checks (the Pareto front marks exactly the Pareto-optimal trials, the EDF rises to 1, the
//! timeline has one bar per started trial, learning curves and pruning marks are all there).

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use hpo_core::*;
use hpo_viz::{Figure, PlotKind, PlotOptions, StudyData};

mod common;
use common::{
    check_png, check_svg, count_class, count_in, loss_accuracy_study, numbered, optimized, plot,
    polylines_in, title_of, unit,
};

/// The kinds this file covers.
const KINDS: [PlotKind; 5] = [
    PlotKind::IntermediateValues,
    PlotKind::Edf,
    PlotKind::ParetoFront,
    PlotKind::Timeline,
    PlotKind::Rank,
];

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A single-objective study run by hpo with a median pruner: every trial reports six steps,
/// some are pruned, some fail.
fn single() -> &'static StudyData {
    static DATA: OnceLock<StudyData> = OnceLock::new();
    DATA.get_or_init(|| {
        let study = Study::builder()
            .name("single")
            .sampler(RandomSampler::with_seed(11))
            .pruner(MedianPruner::new())
            .build()
            .unwrap();
        let data = optimized(&study, 60, |trial| {
            let x = trial.suggest_float("x", -4.0, 4.0)?;
            let lr = trial.suggest_float_log("lr", 1e-4, 1e-1)?;
            let opt = trial.suggest_categorical("optimizer", &["adam", "sgd"])?;
            let base = (x - 1.0).powi(2) + (lr.log10() + 2.0).abs();
            if trial.number() % 9 == 4 {
                return Err(TrialError::msg("diverged"));
            }
            for step in 0..6u64 {
                let v = base + 3.0 / (step as f64 + 1.0) + if opt == "sgd" { 0.5 } else { 0.0 };
                trial.report_and_check(v, step)?;
            }
            Ok(base)
        });
        assert!(data.count(TrialState::Pruned) > 0, "no pruned trial");
        assert!(data.count(TrialState::Fail) > 0, "no failed trial");
        data
    })
}

/// A two-objective study run by hpo (minimize, maximize) with metric names and a failed trial.
fn multi() -> &'static StudyData {
    static DATA: OnceLock<StudyData> = OnceLock::new();
    DATA.get_or_init(|| {
        let study = loss_accuracy_study(5);
        optimized(&study, 50, |trial| {
            let x = trial.suggest_float("x", 0.0, 1.0)?;
            let y = trial.suggest_float("y", 0.0, 1.0)?;
            if trial.number() == 3 {
                return Err(TrialError::msg("failed"));
            }
            Ok((x, x.sqrt() - 0.5 * y))
        })
    })
}

/// The Pareto-front plot of `data` with the default options.
fn pareto_front(data: &StudyData) -> Figure {
    plot(data, PlotKind::ParetoFront, &PlotOptions::new()).unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

/// `n` hand-made trials with `m` objectives (all minimized unless `maximize_last`), two
/// parameters, datetimes, and a few failed and infeasible trials. Objectives trade off: the
/// first grows with `a`, the others shrink with it.
fn hand_multi(n: u64, m: usize, maximize_last: bool) -> StudyData {
    let d = Distribution::float(0.0, 1.0).unwrap();
    let trials = (0..n).map(|i| {
        let a = unit(3 * i);
        let b = unit(3 * i + 1);
        let mut values = vec![a + 0.3 * b];
        for k in 1..m {
            values.push((1.0 - a).powi(k as i32 + 1) + 0.3 * b * unit(3 * i + 2 + k as u64));
        }
        if maximize_last {
            let last = values.len() - 1;
            values[last] = -values[last];
        }
        let state = if i % 23 == 9 {
            TrialState::Fail
        } else {
            TrialState::Complete
        };
        let start = t0() + Duration::seconds(i as i64 * 5);
        let mut t = FrozenTrial::new(state)
            .with_param("a", a, d.clone())
            .unwrap()
            .with_param("b", b, d.clone())
            .unwrap()
            .with_datetimes(Some(start), Some(start + Duration::seconds(4)));
        if state == TrialState::Complete {
            t.values = Some(values);
        }
        if i % 17 == 2 {
            t = t.with_system_attr("constraints", serde_json::json!([0.5]));
        } else if i % 5 == 0 {
            t = t.with_system_attr("constraints", serde_json::json!([-1.0]));
        }
        t
    });
    let mut directions = vec![StudyDirection::Minimize; m];
    if maximize_last {
        directions[m - 1] = StudyDirection::Maximize;
    }
    numbered(format!("hand{m}"), directions, trials)
}

/// `n` hand-made single-objective (minimized) trials with three parameters, datetimes (two
/// running at a time), learning curves, and pruned, failed and infeasible trials.
fn big(n: u64) -> StudyData {
    let fx = Distribution::float(-5.0, 5.0).unwrap();
    let flr = Distribution::float_log(1e-5, 1.0).unwrap();
    let fcat = Distribution::categorical(["relu", "tanh", "gelu"]).unwrap();
    let trials = (0..n).map(|i| {
        let x = -5.0 + 10.0 * unit(3 * i);
        let lr = 10f64.powf(-5.0 + 5.0 * unit(3 * i + 1));
        let act = ["relu", "tanh", "gelu"][(unit(3 * i + 2) * 3.0) as usize % 3];
        let value = (x - 1.0).powi(2) / 5.0 + (lr.log10() + 2.0).abs() * 0.2;
        let state = match i % 40 {
            7 | 21 => TrialState::Pruned,
            13 => TrialState::Fail,
            _ => TrialState::Complete,
        };
        let start = t0() + Duration::seconds(i as i64 * 3);
        let mut t = FrozenTrial::new(state)
            .with_param("x", x, fx.clone())
            .unwrap()
            .with_param("lr", lr, flr.clone())
            .unwrap()
            .with_param("activation", act, fcat.clone())
            .unwrap()
            .with_datetimes(
                Some(start),
                Some(start + Duration::seconds(4 + (i % 5) as i64)),
            );
        let steps = if state == TrialState::Pruned { 4 } else { 10 };
        for s in 0..steps {
            t = t.with_intermediate_value(s, value + 2.0 / (s as f64 + 1.0));
        }
        if state != TrialState::Fail {
            t.values = Some(vec![value]);
        }
        if i % 61 == 5 {
            t = t.with_system_attr("constraints", serde_json::json!([1.0]));
        }
        t
    });
    numbered("big", vec![StudyDirection::Minimize], trials)
}

fn empty() -> StudyData {
    StudyData::new("void", vec![StudyDirection::Minimize], vec![])
}

fn empty_multi() -> StudyData {
    StudyData::new(
        "void2",
        vec![StudyDirection::Minimize, StudyDirection::Maximize],
        vec![],
    )
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The trial numbers in the tooltips (`Trial N ...`) of the `tag` elements under class `class`.
fn tooltip_numbers(svg: &str, class: &str, tag: &str) -> Vec<u64> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .filter(|n| n.ancestors().any(|a| a.attribute("class") == Some(class)))
        .map(|n| {
            // The tooltip is the element's `<title>` child, or its parent group's.
            let title = title_of(n)
                .or_else(|| n.parent().and_then(title_of))
                .unwrap_or_else(|| panic!("no tooltip on a {tag} in {class}"));
            title
                .strip_prefix("Trial ")
                .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("tooltip `{title}`"))
        })
        .collect()
}

/// The pixel y of the y-axis tick labelled `label` (y labels are right-aligned).
fn y_tick(svg: &str, label: &str) -> f64 {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text") && n.text() == Some(label))
        .find(|n| n.attribute("text-anchor") == Some("end"))
        .and_then(|n| n.attribute("y"))
        .unwrap_or_else(|| panic!("no y tick `{label}`"))
        .parse()
        .unwrap()
}

/// Whether `a` dominates `b` under `directions`.
fn dominates(a: &[f64], b: &[f64], directions: &[StudyDirection]) -> bool {
    let better_or_equal = a.iter().zip(b).zip(directions).all(|((x, y), d)| match d {
        StudyDirection::Minimize => x <= y,
        StudyDirection::Maximize => x >= y,
    });
    better_or_equal && a != b
}

/// The Pareto-optimal trial numbers by brute force: feasible completed trials no other
/// feasible completed trial dominates.
fn brute_force_front(data: &StudyData) -> BTreeSet<u64> {
    let feasible: Vec<&FrozenTrial> = data
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Complete && t.is_feasible())
        .map(|t| t.as_ref())
        .collect();
    feasible
        .iter()
        .filter(|t| {
            let v = t.values.as_ref().unwrap();
            !feasible
                .iter()
                .any(|o| dominates(o.values.as_ref().unwrap(), v, &data.directions))
        })
        .map(|t| t.number)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Outcomes per study shape

#[test]
fn each_kind_renders_a_single_objective_study_with_pruned_and_failed_trials() {
    let data = single();
    for kind in KINDS {
        let result = plot(data, kind, &PlotOptions::new());
        if kind == PlotKind::ParetoFront {
            let e = result
                .expect_err("single-objective Pareto front")
                .to_string();
            assert!(
                e.contains("one objective") && e.contains("multi-objective"),
                "{e}"
            );
            continue;
        }
        let fig = result.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(fig.notice(), None, "{kind}");
        assert_eq!(fig.title(), kind.title());
        assert_eq!((fig.width(), fig.height()), (900, 600), "{kind}");
        check_svg(&fig, kind.name());
        check_png(&fig, kind.name());
    }
    // The figure size comes from the options.
    for kind in [
        PlotKind::IntermediateValues,
        PlotKind::Edf,
        PlotKind::Timeline,
        PlotKind::Rank,
    ] {
        let fig = plot(data, kind, &PlotOptions::new().size(640, 420)).unwrap();
        assert_eq!((fig.width(), fig.height()), (640, 420), "{kind}");
        check_svg(&fig, kind.name());
    }
}

#[test]
fn each_kind_handles_multi_objective_studies() {
    let data = multi();
    // Pareto front and timeline need nothing more.
    for kind in [PlotKind::ParetoFront, PlotKind::Timeline] {
        let fig = plot(data, kind, &PlotOptions::new()).unwrap();
        assert_eq!(fig.notice(), None, "{kind}");
        let text = check_svg(&fig, kind.name());
        if kind == PlotKind::ParetoFront {
            assert!(text.contains("loss") && text.contains("accuracy"), "{text}");
        }
        check_png(&fig, kind.name());
    }
    // EDF and rank need a target or an objective, as in Optuna.
    for kind in [PlotKind::Edf, PlotKind::Rank] {
        let e = plot(data, kind, &PlotOptions::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("target") && e.contains("multi"), "{kind}: {e}");
        let options = PlotOptions::new()
            .target(|t| t.values.as_ref().map_or(f64::NAN, |v| v[0] - v[1]))
            .target_name("loss minus accuracy");
        let fig = plot(data, kind, &options).unwrap();
        assert_eq!(fig.notice(), None, "{kind}");
        assert!(
            check_svg(&fig, kind.name()).contains("loss minus accuracy"),
            "{kind}"
        );
        let fig = plot(data, kind, &PlotOptions::new().objective(1)).unwrap();
        assert!(check_svg(&fig, kind.name()).contains("accuracy"), "{kind}");
        check_png(&fig, kind.name());
    }
    // hpo refuses `report` in multi-objective studies: no curves, a message saying why.
    let fig = plot(data, PlotKind::IntermediateValues, &PlotOptions::new()).unwrap();
    let notice = fig.notice().expect("a notice");
    assert!(
        notice.contains("intermediate values") && notice.contains("multi"),
        "{notice}"
    );
    check_svg(&fig, "intermediate multi");
    // Hand-made multi-objective trials with learning curves are drawn.
    let mut with_curves = hand_multi(12, 2, false);
    with_curves.trials = with_curves
        .trials
        .iter()
        .map(|t| {
            let mut t = (**t).clone();
            t.intermediate_values.insert(0, 1.0);
            t.intermediate_values.insert(1, 0.5);
            Arc::new(t)
        })
        .collect();
    let fig = plot(
        &with_curves,
        PlotKind::IntermediateValues,
        &PlotOptions::new(),
    )
    .unwrap();
    assert_eq!(fig.notice(), None);
    assert_eq!(
        polylines_in(fig.svg(), "curves").len(),
        with_curves.count(TrialState::Complete)
    );
}

#[test]
fn each_kind_shows_a_message_for_an_empty_study() {
    for (data, multi) in [(empty(), false), (empty_multi(), true)] {
        for kind in KINDS {
            let options = if multi && kind.needs_target_for_multi_objective() {
                assert!(plot(&data, kind, &PlotOptions::new()).is_err(), "{kind}");
                PlotOptions::new().objective(0)
            } else {
                PlotOptions::new()
            };
            let result = plot(&data, kind, &options);
            if kind == PlotKind::ParetoFront && !multi {
                assert!(result.is_err(), "{kind}");
                continue;
            }
            let fig = result.unwrap_or_else(|e| panic!("{kind} on {}: {e}", data.name));
            let notice = fig
                .notice()
                .unwrap_or_else(|| panic!("{kind} on {}: no notice", data.name))
                .to_owned();
            assert!(notice.contains(&data.name), "{kind}: {notice}");
            assert!(notice.contains("no trials"), "{kind}: {notice}");
            let text = check_svg(&fig, kind.name());
            assert!(
                text.contains(&format!("study `{}` has no trials", data.name)),
                "{kind}: message not drawn:\n{text}"
            );
        }
    }
    check_png(
        &plot(&empty(), PlotKind::Timeline, &PlotOptions::new()).unwrap(),
        "empty timeline",
    );
}

#[test]
fn studies_without_what_a_kind_needs_get_a_message() {
    // Trials that never started: no timeline bar.
    let trials = (0..3).map(|_| FrozenTrial::new(TrialState::Waiting));
    let waiting = numbered("queued", vec![StudyDirection::Minimize], trials);
    for kind in KINDS {
        if kind == PlotKind::ParetoFront {
            continue;
        }
        let fig = plot(&waiting, kind, &PlotOptions::new()).unwrap();
        let notice = fig.notice().unwrap_or_else(|| panic!("{kind}: no notice"));
        assert!(notice.contains("queued"), "{kind}: {notice}");
        check_svg(&fig, kind.name());
    }
    // Pruned trials with curves but nothing completed: the curves are drawn (as in Optuna), and
    // the other kinds say nothing completed.
    let trials = (0..4u64).map(|i| {
        FrozenTrial::new(TrialState::Pruned)
            .with_value(1.0)
            .with_intermediate_value(0, 2.0)
            .with_intermediate_value(1, 1.5 + i as f64)
    });
    let pruned = numbered("stopped", vec![StudyDirection::Minimize], trials);
    let fig = plot(&pruned, PlotKind::IntermediateValues, &PlotOptions::new()).unwrap();
    assert_eq!(fig.notice(), None);
    assert_eq!(count_in(fig.svg(), "pruned-marks", "path"), 4);
    for kind in [PlotKind::Edf, PlotKind::Rank] {
        let fig = plot(&pruned, kind, &PlotOptions::new()).unwrap();
        assert!(
            fig.notice().unwrap().contains("no completed trials"),
            "{kind}"
        );
    }
    // Parameters unknown to the completed trials are errors naming them.
    let e = plot(
        single(),
        PlotKind::Rank,
        &PlotOptions::new().params(["x", "depth"]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("depth"), "{e}");
}

#[test]
fn five_thousand_trials_stay_small_and_fast() {
    let single = big(5000);
    let multi = hand_multi(5000, 2, true);
    let mut report = Vec::new();
    for kind in KINDS {
        let data = if kind == PlotKind::ParetoFront {
            &multi
        } else {
            &single
        };
        let start = Instant::now();
        let fig = plot(data, kind, &PlotOptions::new()).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let svg_ms = start.elapsed().as_secs_f64() * 1e3;
        assert_eq!(fig.notice(), None, "{kind}");
        check_svg(&fig, kind.name());
        let bytes = fig.svg().len();
        assert!(bytes < 2_000_000, "{kind}: SVG is {bytes} bytes");
        let start = Instant::now();
        check_png(&fig, kind.name());
        report.push(format!(
            "{:<20} {:>8} bytes  svg {:>6.0} ms  png {:>6.0} ms",
            kind.name(),
            bytes,
            svg_ms,
            start.elapsed().as_secs_f64() * 1e3
        ));
    }
    eprintln!("5000 trials:\n{}", report.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Content

#[test]
fn pareto_front_marks_exactly_the_pareto_optimal_trials() {
    for data in [
        multi(),
        &hand_multi(120, 2, false),
        &hand_multi(120, 2, true),
    ] {
        let expected = brute_force_front(data);
        assert!(expected.len() >= 3, "{}: front {expected:?}", data.name);
        let fig = pareto_front(data);
        let svg = fig.svg();
        let marked: BTreeSet<u64> = tooltip_numbers(svg, "pareto-front", "circle")
            .into_iter()
            .collect();
        assert_eq!(
            count_in(svg, "pareto-front", "circle"),
            expected.len(),
            "{}",
            data.name
        );
        assert_eq!(marked, expected, "{}", data.name);
        // Every other completed trial is drawn as dominated or infeasible (few trials: no
        // sampling), and the front is joined by a staircase through every front point.
        let others = count_in(svg, "dominated", "circle") + count_in(svg, "infeasible", "circle");
        assert_eq!(others + expected.len(), data.count(TrialState::Complete));
        let line = &polylines_in(svg, "front-line")[0];
        assert_eq!(line.len(), 2 * expected.len() - 1, "{}", data.name);
        check_svg(&fig, "pareto");
    }
    // Infeasible trials are never on the front, even when their values would be.
    let data = hand_multi(120, 2, false);
    let infeasible: BTreeSet<u64> = tooltip_numbers(
        plot(&data, PlotKind::ParetoFront, &PlotOptions::new())
            .unwrap()
            .svg(),
        "infeasible",
        "circle",
    )
    .into_iter()
    .collect();
    let expected: BTreeSet<u64> = data
        .complete_trials()
        .filter(|t| !t.is_feasible())
        .map(|t| t.number)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(infeasible, expected);
}

#[test]
fn pareto_front_of_three_objectives_is_a_scatter_matrix() {
    let data = hand_multi(150, 3, false).with_metric_names(vec![
        "error".into(),
        "latency".into(),
        "size".into(),
    ]);
    let expected = brute_force_front(&data);
    let fig = pareto_front(&data);
    let svg = fig.svg();
    assert_eq!(count_class(svg, "subplot"), 3);
    // Each pair shows the whole (3-D) front.
    assert_eq!(count_in(svg, "pareto-front", "circle"), 3 * expected.len());
    let marked: BTreeSet<u64> = tooltip_numbers(svg, "pareto-front", "circle")
        .into_iter()
        .collect();
    assert_eq!(marked, expected);
    let text = check_svg(&fig, "pareto 3");
    for name in ["error", "latency", "size"] {
        assert!(text.contains(name), "{name} missing");
    }
    // Without metric names, objectives are numbered as in Optuna.
    let fig = pareto_front(&hand_multi(30, 4, false));
    assert_eq!(count_class(fig.svg(), "subplot"), 6);
    assert!(check_svg(&fig, "pareto 4").contains("Objective 3"));
}

#[test]
fn pareto_front_of_a_big_study_keeps_every_front_point() {
    let data = hand_multi(5000, 2, true);
    let expected = brute_force_front(&data);
    let fig = pareto_front(&data);
    assert_eq!(
        count_in(fig.svg(), "pareto-front", "circle"),
        expected.len()
    );
    let others =
        count_in(fig.svg(), "dominated", "circle") + count_in(fig.svg(), "infeasible", "circle");
    assert!((2900..=3000).contains(&others), "{others} other dots");
    assert!(check_svg(&fig, "big pareto").contains("evenly sampled"));
}

#[test]
fn edf_rises_from_0_to_1_by_one_step_per_value() {
    // Values 1..=10 with one tie (two trials at 4): nine rises, the tie's twice as high.
    let mut values: Vec<f64> = (1..=10).map(f64::from).collect();
    values[4] = 4.0;
    let trials = values
        .iter()
        .map(|v| FrozenTrial::new(TrialState::Complete).with_value(*v));
    let data = numbered("ten", vec![StudyDirection::Minimize], trials);
    let fig = plot(&data, PlotKind::Edf, &PlotOptions::new()).unwrap();
    let svg = fig.svg();
    let lines = polylines_in(svg, "edf");
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    let (y0, y1) = (y_tick(svg, "0"), y_tick(svg, "1.0"));
    assert!(
        (line[0].1 - y0).abs() < 0.02,
        "starts at {} not {y0}",
        line[0].1
    );
    assert!(
        (line.last().unwrap().1 - y1).abs() < 0.02,
        "ends at {:?} not {y1}",
        line.last()
    );
    for w in line.windows(2) {
        assert!(w[1].0 >= w[0].0 - 1e-9, "x goes back: {w:?}");
        assert!(w[1].1 <= w[0].1 + 1e-9, "EDF decreases: {w:?}");
    }
    let unit_rise = (y0 - y1) / 10.0;
    let rises: Vec<f64> = line
        .windows(2)
        .filter(|w| (w[0].0 - w[1].0).abs() < 1e-9 && w[0].1 != w[1].1)
        .map(|w| (w[0].1 - w[1].1) / unit_rise)
        .collect();
    assert_eq!(rises.len(), 9, "{rises:?}");
    assert!((rises.iter().sum::<f64>() - 10.0).abs() < 0.01, "{rises:?}");
    assert!(
        rises.iter().any(|r| (r - 2.0).abs() < 0.01),
        "tie not joined: {rises:?}"
    );

    // The hpo-run study and a big one also end at 1 and never decrease.
    for (data, what) in [(single().clone(), "single"), (big(5000), "big")] {
        let fig = plot(&data, PlotKind::Edf, &PlotOptions::new()).unwrap();
        let svg = fig.svg();
        let line = &polylines_in(svg, "edf")[0];
        assert!(
            (line.last().unwrap().1 - y_tick(svg, "1.0")).abs() < 0.02,
            "{what}"
        );
        assert!(line.windows(2).all(|w| w[1].1 <= w[0].1 + 1e-9), "{what}");
        assert!(line.len() < 4000, "{what}: {} points", line.len());
    }
}

#[test]
fn pareto_front_can_hide_dominated_trials() {
    let data = hand_multi(120, 2, false);
    let expected = brute_force_front(&data);
    let fig = plot(
        &data,
        PlotKind::ParetoFront,
        &PlotOptions::new().include_dominated_trials(false),
    )
    .unwrap();
    let svg = fig.svg();
    assert_eq!(count_in(svg, "pareto-front", "circle"), expected.len());
    assert_eq!(count_in(svg, "dominated", "circle"), 0);
    assert_eq!(count_in(svg, "infeasible", "circle"), 0);
    assert!(svg.contains("dominated trials hidden"));
    check_svg(&fig, "pareto-front-only");
}

#[test]
fn timeline_can_show_only_the_most_recent_trials() {
    let data = big(40);
    let all = plot(&data, PlotKind::Timeline, &PlotOptions::new()).unwrap();
    let started = data
        .trials
        .iter()
        .filter(|t| t.datetime_start.is_some())
        .count();
    assert_eq!(count_in(all.svg(), "bars", "rect"), started);
    let fig = plot(
        &data,
        PlotKind::Timeline,
        &PlotOptions::new().n_recent_trials(10),
    )
    .unwrap();
    let mut shown = tooltip_numbers(fig.svg(), "bars", "rect");
    shown.sort_unstable();
    let mut newest: Vec<u64> = data.trials.iter().map(|t| t.number).collect();
    newest.sort_unstable();
    let newest: Vec<u64> = newest[newest.len() - 10..]
        .iter()
        .copied()
        .filter(|n| {
            data.trials
                .iter()
                .any(|t| t.number == *n && t.datetime_start.is_some())
        })
        .collect();
    assert_eq!(shown, newest);
    assert!(fig.svg().contains("the 10 most recent of 40 trials"));
    assert!(
        plot(
            &data,
            PlotKind::Timeline,
            &PlotOptions::new().n_recent_trials(0)
        )
        .is_err()
    );
}

#[test]
fn timeline_has_one_bar_per_started_trial() {
    let start = t0();
    let spec: [(TrialState, Option<i64>, Option<i64>); 8] = [
        (TrialState::Complete, Some(0), Some(10)),
        (TrialState::Complete, Some(5), Some(25)),
        (TrialState::Pruned, Some(12), Some(16)),
        (TrialState::Fail, Some(20), Some(21)),
        (TrialState::Complete, Some(30), None),
        (TrialState::Running, Some(40), None),
        (TrialState::Waiting, None, None),
        (TrialState::Complete, None, Some(50)),
    ];
    let trials = spec.iter().enumerate().map(|(i, (state, s, e))| {
        let mut t = FrozenTrial::new(*state).with_datetimes(
            s.map(|s| start + Duration::seconds(s)),
            e.map(|e| start + Duration::seconds(e)),
        );
        if *state == TrialState::Complete {
            t = t.with_value(i as f64);
        }
        t
    });
    let data = numbered("clock", vec![StudyDirection::Minimize], trials);
    let fig = plot(&data, PlotKind::Timeline, &PlotOptions::new()).unwrap();
    let svg = fig.svg();
    assert_eq!(count_in(svg, "bars", "rect"), 6);
    assert_eq!(tooltip_numbers(svg, "bars", "rect").len(), 6);
    for (class, n) in [("complete", 3), ("pruned", 1), ("fail", 1), ("running", 1)] {
        assert_eq!(count_in(svg, class, "rect"), n, "{class}");
    }
    // Bars are as long as the trials: trial 1 (20 s) twice trial 0 (10 s), trial 2 (4 s).
    let doc = roxmltree::Document::parse(svg).unwrap();
    let widths: Vec<(u64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect"))
        .filter(|n| n.ancestors().any(|a| a.attribute("class") == Some("bars")))
        .map(|n| {
            let title = title_of(n.parent().unwrap()).unwrap();
            let number: u64 = title[6..].split(':').next().unwrap().parse().unwrap();
            (number, n.attribute("width").unwrap().parse().unwrap())
        })
        .collect();
    let w = |k: u64| widths.iter().find(|(n, _)| *n == k).unwrap().1;
    assert!((w(1) / w(0) - 2.0).abs() < 0.01, "{widths:?}");
    assert!((w(2) / w(0) - 0.4).abs() < 0.01, "{widths:?}");
    let text = check_svg(&fig, "timeline");
    for label in [
        "Complete",
        "Pruned",
        "Fail",
        "Running",
        "Datetime (UTC, 2026-03-01)",
    ] {
        assert!(text.contains(label), "{label} missing:\n{text}");
    }
    assert!(text.contains("2 trials without a start time"), "{text}");
    // Round time ticks.
    assert!(
        text.contains("09:00:10") || text.contains("09:00:20"),
        "{text}"
    );

    // The hpo-run study: one bar per trial (all started).
    let data = single();
    let fig = plot(data, PlotKind::Timeline, &PlotOptions::new()).unwrap();
    assert_eq!(count_in(fig.svg(), "bars", "rect"), data.trials.len());
    // 1500 trials still get bars; 5000 become a concurrency chart.
    let fig = plot(&big(1500), PlotKind::Timeline, &PlotOptions::new()).unwrap();
    assert_eq!(count_in(fig.svg(), "bars", "rect"), 1500);
    let fig = plot(&big(5000), PlotKind::Timeline, &PlotOptions::new()).unwrap();
    assert_eq!(count_class(fig.svg(), "bars"), 0);
    assert!(count_in(fig.svg(), "concurrency", "polygon") >= 3);
    let text = check_svg(&fig, "timeline 5000");
    assert!(
        text.contains("Trials running") && text.contains("5000 trials"),
        "{text}"
    );
}

#[test]
fn intermediate_values_draw_every_curve_and_mark_every_pruned_trial() {
    let data = single();
    let with_curves: Vec<&FrozenTrial> = data
        .trials
        .iter()
        .filter(|t| t.state != TrialState::Fail && !t.intermediate_values.is_empty())
        .map(|t| t.as_ref())
        .collect();
    let pruned = with_curves
        .iter()
        .filter(|t| t.state == TrialState::Pruned)
        .count();
    assert!(pruned > 0);
    let fig = plot(data, PlotKind::IntermediateValues, &PlotOptions::new()).unwrap();
    let svg = fig.svg();
    let curves = polylines_in(svg, "curves");
    assert_eq!(curves.len(), with_curves.len());
    let mut drawn: Vec<u64> = tooltip_numbers(svg, "curves", "polyline");
    drawn.sort_unstable();
    assert_eq!(
        drawn,
        with_curves.iter().map(|t| t.number).collect::<Vec<_>>()
    );
    // Pruned trials' curves are in their own group.
    assert_eq!(count_in(svg, "pruned", "polyline"), pruned);
    let marked: BTreeSet<u64> = tooltip_numbers(svg, "pruned-marks", "path")
        .into_iter()
        .collect();
    let expected: BTreeSet<u64> = with_curves
        .iter()
        .filter(|t| t.state == TrialState::Pruned)
        .map(|t| t.number)
        .collect();
    assert_eq!(marked, expected);
    let text = check_svg(&fig, "intermediate");
    for label in ["Step", "Intermediate Value", "Complete", "Pruned"] {
        assert!(text.contains(label), "{label} missing");
    }
    // Every curve has as many points as its trial reported steps (few trials: all drawn).
    let mut lengths: Vec<usize> = curves.iter().map(Vec::len).collect();
    let mut expected_lengths: Vec<usize> = with_curves
        .iter()
        .map(|t| t.intermediate_values.len())
        .collect();
    lengths.sort_unstable();
    expected_lengths.sort_unstable();
    assert_eq!(lengths, expected_lengths);
}

#[test]
fn intermediate_values_of_a_big_study_are_sampled_but_all_pruned_trials_marked() {
    let data = big(5000);
    let fig = plot(&data, PlotKind::IntermediateValues, &PlotOptions::new()).unwrap();
    let svg = fig.svg();
    let curves = polylines_in(svg, "curves").len();
    assert!((290..=335).contains(&curves), "{curves} curves");
    assert_eq!(
        count_in(svg, "pruned-marks", "path"),
        data.count(TrialState::Pruned)
    );
    assert_eq!(count_class(svg, "median-band"), 1);
    let with_values = data.trials.len() - data.count(TrialState::Fail);
    let text = check_svg(&fig, "intermediate 5000");
    assert!(
        text.contains(&format!("showing {curves} of {with_values} curves")),
        "{text}"
    );
    // The best completed trial's curve is among those drawn.
    let best = data
        .complete_trials()
        .filter(|t| t.is_feasible())
        .min_by(|a, b| a.value().unwrap().total_cmp(&b.value().unwrap()))
        .unwrap();
    assert!(
        fig.svg()
            .contains(&format!("<title>Trial {} (COMPLETE)", best.number)),
        "best trial {} not drawn",
        best.number
    );
}

#[test]
fn rank_colours_trials_by_rank() {
    let data = single();
    let complete = data.count(TrialState::Complete);
    // One parameter: the parameter against the value, one dot per completed trial.
    let fig = plot(data, PlotKind::Rank, &PlotOptions::new().params(["x"])).unwrap();
    let svg = fig.svg();
    assert_eq!(count_class(svg, "subplot"), 1);
    assert_eq!(count_in(svg, "trials", "circle"), complete);
    // The best (lowest) trial is blue, the worst red.
    let doc = roxmltree::Document::parse(svg).unwrap();
    let fill_of = |number: u64| -> (u8, u8, u8) {
        let circle = doc
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .find(|n| title_of(*n).is_some_and(|t| t.starts_with(&format!("Trial {number}\n"))))
            .unwrap_or_else(|| panic!("no dot for trial {number}"));
        let fill = circle
            .ancestors()
            .find_map(|a| a.attribute("fill"))
            .unwrap();
        let v = u32::from_str_radix(&fill[1..], 16).unwrap();
        ((v >> 16) as u8, (v >> 8) as u8, v as u8)
    };
    let by_value = |better: bool| {
        data.complete_trials()
            .min_by(|a, b| {
                let o = a.value().unwrap().total_cmp(&b.value().unwrap());
                if better { o } else { o.reverse() }
            })
            .unwrap()
            .number
    };
    let (r, _, b) = fill_of(by_value(true));
    assert!(b > r, "best trial not blue: {r} {b}");
    let (r, _, b) = fill_of(by_value(false));
    assert!(r > b, "worst trial not red: {r} {b}");
    let text = check_svg(&fig, "rank");
    assert!(text.contains("min.") && text.contains("max.") && text.contains("50%"));
    // Two parameters: one scatter; three: three pairs.
    let fig = plot(
        data,
        PlotKind::Rank,
        &PlotOptions::new().params(["x", "lr"]),
    )
    .unwrap();
    assert_eq!(count_class(fig.svg(), "subplot"), 1);
    let fig = plot(data, PlotKind::Rank, &PlotOptions::new()).unwrap();
    assert_eq!(count_class(fig.svg(), "subplot"), 3);
    // A big study: dots sampled per subplot, the best kept.
    let data = big(5000);
    let fig = plot(&data, PlotKind::Rank, &PlotOptions::new()).unwrap();
    let doc = roxmltree::Document::parse(fig.svg()).unwrap();
    for sub in doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("subplot"))
    {
        let dots = sub
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count();
        assert!((2500..=3100).contains(&dots), "{dots} dots");
    }
}

#[test]
fn tiny_and_odd_studies_do_not_panic() {
    // Every trial infeasible: no front, every dot grey.
    let mut all_bad = hand_multi(20, 2, false);
    all_bad.trials = all_bad
        .trials
        .iter()
        .map(|t| {
            Arc::new(
                (**t)
                    .clone()
                    .with_system_attr("constraints", serde_json::json!([2.0])),
            )
        })
        .collect();
    let fig = pareto_front(&all_bad);
    assert_eq!(count_in(fig.svg(), "pareto-front", "circle"), 0);
    assert_eq!(
        count_in(fig.svg(), "infeasible", "circle"),
        all_bad.count(TrialState::Complete)
    );
    // One trial; reversed and missing end times; non-finite values and curves.
    let one = {
        let mut t = FrozenTrial::new(TrialState::Complete)
            .with_value(f64::NAN)
            .with_intermediate_value(0, f64::INFINITY)
            .with_datetimes(Some(t0()), Some(t0() - Duration::seconds(5)));
        t.number = 0;
        let mut u = FrozenTrial::new(TrialState::Complete)
            .with_value(1.0)
            .with_param("x", 0.5, Distribution::float(0.0, 1.0).unwrap())
            .unwrap()
            .with_intermediate_value(3, 2.0)
            .with_datetimes(Some(t0()), None);
        u.number = 1;
        StudyData::new(
            "odd",
            vec![StudyDirection::Minimize],
            vec![Arc::new(t), Arc::new(u)],
        )
    };
    let small = PlotOptions::new().size(200, 200);
    for data in [&one, single(), multi(), &hand_multi(40, 7, false)] {
        for kind in KINDS {
            for options in [PlotOptions::new(), small.clone()] {
                let options =
                    if data.is_multi_objective() && kind.needs_target_for_multi_objective() {
                        options.objective(0)
                    } else {
                        options
                    };
                if let Ok(fig) = plot(data, kind, &options) {
                    check_svg(&fig, &format!("{kind} on {}", data.name));
                }
            }
        }
    }
    // Seven objectives: pairs of the first six, said so.
    let fig = pareto_front(&hand_multi(40, 7, false));
    assert_eq!(count_class(fig.svg(), "subplot"), 15);
    assert!(check_svg(&fig, "pareto 7").contains("first 6 of 7 objectives"));
}

/// Writes this file's figures to `$HPO_VIZ_GALLERY_MORE` (for looking at them).
#[test]
fn gallery() {
    let Ok(dir) = std::env::var("HPO_VIZ_GALLERY_MORE") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let big = big(5000);
    let big_multi = hand_multi(5000, 2, true);
    let three = hand_multi(300, 3, false);
    for (data, tag) in [
        (single(), "single"),
        (multi(), "multi"),
        (&big, "big"),
        (&big_multi, "bigmulti"),
        (&three, "three"),
    ] {
        for kind in KINDS {
            let options = if data.is_multi_objective() && kind.needs_target_for_multi_objective() {
                PlotOptions::new().objective(0)
            } else {
                PlotOptions::new()
            };
            if let Ok(fig) = plot(data, kind, &options) {
                fig.save(dir.join(format!("{tag}-{}.png", kind.name())))
                    .unwrap();
                fig.save(dir.join(format!("{tag}-{}.svg", kind.name())))
                    .unwrap();
            }
        }
    }
}

#[test]
fn history_switches_draw_pruned_trials_and_a_log_value_axis() {
    let data = single();
    let opts = PlotOptions::new();
    let plain = plot(data, PlotKind::History, &opts).unwrap().into_svg();
    let pruned = plot(data, PlotKind::History, &opts.clone().include_pruned(true))
        .unwrap()
        .into_svg();
    let shown = |svg: &str| tooltip_numbers(svg, "trials", "circle");
    let numbers: BTreeSet<u64> = shown(&plain).into_iter().collect();
    let with_pruned: BTreeSet<u64> = shown(&pruned).into_iter().collect();
    let pruned_numbers: BTreeSet<u64> = data
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Pruned && t.values.is_some())
        .map(|t| t.number)
        .collect();
    assert!(
        !pruned_numbers.is_empty(),
        "pruned trials carry their last value"
    );
    assert!(numbers.is_disjoint(&pruned_numbers));
    assert_eq!(
        with_pruned,
        numbers
            .union(&pruned_numbers)
            .copied()
            .collect::<BTreeSet<_>>()
    );
    assert!(pruned.contains("(pruned)"), "a pruned dot says so");

    // Every value of this study is positive: the log axis has decade ticks.
    let log = plot(data, PlotKind::History, &opts.clone().log_values(true))
        .unwrap()
        .into_svg();
    assert_ne!(log, plain);
    assert!(
        !log.contains("linear scale"),
        "positive values get a log axis"
    );
    // A study with a negative value keeps a linear axis and says why.
    let mut trials = data.trials.clone();
    let mut negative = (*trials[0]).clone();
    negative.state = TrialState::Complete;
    negative.values = Some(vec![-1.0]);
    trials[0] = Arc::new(negative);
    let mixed = StudyData::new("mixed", data.directions.clone(), trials);
    let linear = plot(&mixed, PlotKind::History, &opts.log_values(true))
        .unwrap()
        .into_svg();
    assert!(linear.contains("linear scale: some values are not positive"));
}

#[test]
fn all_tooltips_names_the_trial_of_every_mark_of_a_big_study() {
    let data = big(4000);
    for kind in [PlotKind::History, PlotKind::Slice, PlotKind::Contour] {
        let light = plot(&data, kind, &PlotOptions::new()).unwrap().into_svg();
        let full = plot(&data, kind, &PlotOptions::new().all_tooltips(true))
            .unwrap()
            .into_svg();
        let titles = |svg: &str| svg.matches("<title>Trial ").count();
        assert!(
            titles(&full) > 1500 && titles(&full) > 10 * titles(&light).max(1),
            "{kind:?}: {} tooltips with all_tooltips, {} without",
            titles(&full),
            titles(&light)
        );
    }
}
