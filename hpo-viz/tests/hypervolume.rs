//! The hypervolume-history plot (Optuna's `plot_hypervolume_history`): values checked against
//! hypervolumes computed by hand, directions, constraints, the automatic reference point,
//! errors, empty studies, big studies and PNG.

use std::sync::Arc;
use std::time::Instant;

use hpo_core::*;
use hpo_viz::{Figure, PlotKind, PlotOptions, StudyData};

mod common;
use common::{check_png, check_svg, count_class, plot, report_html, unit};

/// A completed trial with these objective values (infeasible when `violation > 0`).
fn trial(number: u64, values: &[f64], violation: Option<f64>) -> Arc<FrozenTrial> {
    let mut t = FrozenTrial::new(TrialState::Complete).with_values(values.to_vec());
    if let Some(c) = violation {
        t = t.with_system_attr("constraints", serde_json::json!([c]));
    }
    t.number = number;
    Arc::new(t)
}

fn study(directions: &[StudyDirection], trials: Vec<Arc<FrozenTrial>>) -> StudyData {
    StudyData::new("hv", directions.to_vec(), trials)
}

const MIN2: [StudyDirection; 2] = [StudyDirection::Minimize, StudyDirection::Minimize];

/// The hand-made study: reference (4, 4); (1, 3) → 3; (3, 1) → 3 + 3 - 1 = 5; (2, 2) adds
/// the square [2, 3] × [2, 3] → 6; (3, 3) is dominated → 6.
fn hand(directions: &[StudyDirection], flip: impl Fn(f64, usize) -> f64) -> StudyData {
    let points = [[1.0, 3.0], [3.0, 1.0], [2.0, 2.0], [3.0, 3.0]];
    let trials = points
        .iter()
        .enumerate()
        .map(|(n, p)| trial(n as u64, &[flip(p[0], 0), flip(p[1], 1)], None))
        .collect();
    study(directions, trials)
}

/// (trial number, hypervolume) of every dot, read back from the tooltips.
/// The hypervolume history plot of `data` against `reference`.
fn hv_plot(data: &StudyData, reference: Vec<f64>) -> Figure {
    plot(
        data,
        PlotKind::HypervolumeHistory,
        &PlotOptions::new().reference_point(reference),
    )
    .unwrap()
}

fn history(fig: &Figure) -> Vec<(u64, f64)> {
    let doc = roxmltree::Document::parse(fig.svg()).unwrap();
    let group = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("trials"))
        .expect("a `trials` group");
    let mut out: Vec<(u64, f64)> = group
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .map(|n| {
            let text = n.text().unwrap();
            let mut lines = text.lines();
            let number = lines.next().unwrap().strip_prefix("Trial ").unwrap();
            let value = lines.next().unwrap().strip_prefix("Hypervolume: ").unwrap();
            (number.parse().unwrap(), value.parse().unwrap())
        })
        .collect();
    out.sort_by_key(|&(n, _)| n);
    out
}

#[test]
fn values_match_hypervolumes_computed_by_hand() {
    let data = hand(&MIN2, |v, _| v);
    let fig = hv_plot(&data, vec![4.0, 4.0]);
    assert_eq!(fig.title(), "Hypervolume History Plot");
    assert_eq!(fig.notice(), None);
    assert_eq!(history(&fig), vec![(0, 3.0), (1, 5.0), (2, 6.0), (3, 6.0)]);
    let text = check_svg(&fig, "hand");
    assert!(text.contains("reference point (4, 4)"), "{text}");
    assert!(!text.contains("automatic"), "{text}");
    assert!(
        text.contains("Hypervolume") && text.contains("Trial"),
        "{text}"
    );
    assert_eq!(count_class(fig.svg(), "hypervolume-line"), 1);
    // A reference point that only the first trial beats in every objective.
    let fig = hv_plot(&data, vec![2.0, 4.0]);
    assert_eq!(history(&fig), vec![(0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0)]);
}

#[test]
fn maximised_objectives_are_negated() {
    // The same points with the second objective maximised: values and reference negated.
    let directions = [StudyDirection::Minimize, StudyDirection::Maximize];
    let data = hand(&directions, |v, i| if i == 1 { -v } else { v });
    let fig = hv_plot(&data, vec![4.0, -4.0]);
    assert_eq!(history(&fig), vec![(0, 3.0), (1, 5.0), (2, 6.0), (3, 6.0)]);
    // Without negation the reference (4, -4) would be beaten by no trial: all zeros.
    let data = hand(&MIN2, |v, i| if i == 1 { -v } else { v });
    let fig = hv_plot(&data, vec![4.0, -4.0]);
    assert!(history(&fig).iter().all(|&(_, v)| v == 0.0));
}

#[test]
fn infeasible_trials_add_nothing() {
    let trials = vec![
        trial(0, &[1.0, 3.0], Some(-1.0)),
        trial(1, &[0.5, 0.5], Some(2.0)), // would dominate everything, but infeasible
        trial(2, &[3.0, 1.0], None),
        trial(3, &[2.0, 2.0], Some(0.0)), // a constraint of exactly 0 is satisfied
    ];
    let mut pruned = FrozenTrial::new(TrialState::Pruned).with_values(vec![0.1, 0.1]);
    pruned.number = 4;
    let mut all = trials;
    all.push(Arc::new(pruned));
    let data = study(&MIN2, all);
    let fig = hv_plot(&data, vec![4.0, 4.0]);
    // Pruned trials are not drawn; the infeasible one is, at the unchanged value.
    assert_eq!(history(&fig), vec![(0, 3.0), (1, 3.0), (2, 5.0), (3, 6.0)]);
    let text = check_svg(&fig, "infeasible");
    assert!(text.contains("Infeasible Trial"), "{text}");
}

#[test]
fn automatic_reference_point_is_used_and_mentioned() {
    // Worst values (3, 3), ranges (2, 2): reference (3.2, 3.2).
    let data = hand(&MIN2, |v, _| v);
    let fig = plot(&data, PlotKind::HypervolumeHistory, &PlotOptions::new()).unwrap();
    let text = check_svg(&fig, "auto");
    assert!(
        text.contains("automatic reference point (3.2, 3.2)"),
        "{text}"
    );
    let r = 3.0 + 0.1 * 2.0;
    let want = [
        (r - 1.0) * (r - 3.0),
        (r - 1.0) * (r - 3.0) + (r - 3.0) * (r - 1.0) - (r - 3.0) * (r - 3.0),
    ];
    let got = history(&fig);
    assert!((got[0].1 - want[0]).abs() < 1e-12, "{got:?}");
    assert!((got[1].1 - want[1]).abs() < 1e-12, "{got:?}");
    assert!((got[2].1 - (want[1] + 1.0)).abs() < 1e-12, "{got:?}");
    assert_eq!(got[3].1, got[2].1);
    // Maximised: the worst is the smallest value, moved down.
    let directions = [StudyDirection::Maximize, StudyDirection::Maximize];
    let data = hand(&directions, |v, _| -v);
    let fig = plot(&data, PlotKind::HypervolumeHistory, &PlotOptions::new()).unwrap();
    let text = check_svg(&fig, "auto max");
    assert!(
        text.contains("automatic reference point (-3.2, -3.2)"),
        "{text}"
    );
    assert!((history(&fig)[2].1 - (want[1] + 1.0)).abs() < 1e-12);
    // No feasible trial: no reference point can be chosen, the hypervolume stays 0.
    let data = study(&MIN2, vec![trial(0, &[1.0, 1.0], Some(1.0))]);
    let fig = plot(&data, PlotKind::HypervolumeHistory, &PlotOptions::new()).unwrap();
    let text = check_svg(&fig, "no feasible");
    assert!(text.contains("no feasible trials"), "{text}");
    assert_eq!(history(&fig), vec![(0, 0.0)]);
}

#[test]
fn requests_that_cannot_be_met_are_errors() {
    let data = hand(&MIN2, |v, _| v);
    let e = plot(
        &data,
        PlotKind::HypervolumeHistory,
        &PlotOptions::new().reference_point(vec![4.0, 4.0, 4.0]),
    )
    .unwrap_err();
    assert!(matches!(e, hpo_core::Error::InvalidArgument(_)), "{e:?}");
    let e = e.to_string();
    assert!(
        e.contains('3') && e.contains('2') && e.contains("reference"),
        "{e}"
    );
    let e = plot(
        &data,
        PlotKind::HypervolumeHistory,
        &PlotOptions::new().reference_point(vec![4.0, f64::NAN]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("finite"), "{e}");
    let single = StudyData::new(
        "single",
        vec![StudyDirection::Minimize],
        vec![trial(0, &[1.0], None)],
    );
    let e = plot(&single, PlotKind::HypervolumeHistory, &PlotOptions::new()).unwrap_err();
    assert!(matches!(e, hpo_core::Error::InvalidArgument(_)), "{e:?}");
    let e = e.to_string();
    assert!(e.contains("multi-objective") && e.contains("single"), "{e}");
    assert!(PlotKind::HypervolumeHistory.multi_objective_only());
}

#[test]
fn an_empty_study_gets_a_message() {
    let data = study(&MIN2, vec![]);
    let fig = plot(&data, PlotKind::HypervolumeHistory, &PlotOptions::new()).unwrap();
    let notice = fig.notice().unwrap();
    assert!(
        notice.contains("no trials") && notice.contains("hv"),
        "{notice}"
    );
    assert!(check_svg(&fig, "empty").contains("has no trials"));
    // The reference point is still checked.
    assert!(
        plot(
            &data,
            PlotKind::HypervolumeHistory,
            &PlotOptions::new().reference_point(vec![1.0])
        )
        .is_err()
    );
}

#[test]
fn names_and_report() {
    for name in [
        "hypervolume-history",
        "hypervolume_history",
        "plot_hypervolume_history",
    ] {
        assert_eq!(
            name.parse::<PlotKind>().unwrap(),
            PlotKind::HypervolumeHistory
        );
    }
    assert!(PlotKind::ALL.contains(&PlotKind::HypervolumeHistory));
    let html = report_html(&hand(&MIN2, |v, _| v), &PlotOptions::new()).unwrap();
    assert!(html.contains("Hypervolume History Plot"));
    assert!(html.contains("automatic reference point"));
}

#[test]
fn five_thousand_trials_are_fast_and_png_works() {
    let trials = (0..5000u64)
        .map(|i| {
            let a = unit(2 * i);
            let b = unit(2 * i + 1);
            // Mostly near a front, so that it keeps changing.
            trial(i, &[a, 1.0 - a + 0.3 * b], (i % 11 == 0).then_some(1.0))
        })
        .collect();
    let data = study(&MIN2, trials);
    let start = Instant::now();
    let fig = hv_plot(&data, vec![1.1, 1.4]);
    let elapsed = start.elapsed();
    assert!(elapsed.as_secs_f64() < 1.0, "took {elapsed:?}");
    assert_eq!(fig.notice(), None);
    let text = check_svg(&fig, "big");
    assert!(text.contains("showing 3000 of 5000 trials"), "{text}");
    assert!(fig.svg().len() < 2_000_000, "{} bytes", fig.svg().len());
    check_png(&fig, "big");
    let auto = plot(&data, PlotKind::HypervolumeHistory, &PlotOptions::new()).unwrap();
    check_svg(&auto, "big auto");
    check_png(&hand_fig(), "hand png");
}

fn hand_fig() -> Figure {
    plot(
        &hand(&MIN2, |v, _| v),
        PlotKind::HypervolumeHistory,
        &PlotOptions::new().reference_point(vec![4.0, 4.0]),
    )
    .unwrap()
}

#[test]
fn a_front_that_keeps_growing_stays_fast() {
    // Every trial is Pareto-optimal: the front grows to 5000 points.
    let n = 5000u64;
    let trials = (0..n)
        .map(|i| {
            let a = i as f64 / n as f64;
            trial(i, &[a, (1.0 - a).powi(2)], None)
        })
        .collect();
    let data = study(&MIN2, trials);
    let start = Instant::now();
    let fig = plot(&data, PlotKind::HypervolumeHistory, &PlotOptions::new()).unwrap();
    let elapsed = start.elapsed();
    assert!(elapsed.as_secs_f64() < 1.0, "took {elapsed:?}");
    check_svg(&fig, "growing front");
}
