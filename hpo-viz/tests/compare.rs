//! `plot_studies`: history and EDF comparing seeded studies (random and TPE samplers), Optuna's
//! `error_bar=True` aggregation checked against values computed by hand, the single-study
//! identity with `plot`, the dot cap, and every documented error.

use std::sync::{Arc, OnceLock};

use hpo_core::*;
use hpo_viz::{Figure, PlotKind, PlotOptions, StudyData};

mod common;
use common::{check_png, check_svg, count_class, numbered, optimized, plot, plot_studies, unit};

/// The objective every fixture study minimizes.
fn objective(trial: &mut Trial) -> TrialResult<f64> {
    let x = trial.suggest_float("x", -4.0, 4.0)?;
    let y = trial.suggest_float("y", -4.0, 4.0)?;
    if trial.number() == 6 {
        return Err(TrialError::msg("failed on purpose"));
    }
    Ok((x - 1.0).powi(2) + (y + 0.5).powi(2))
}

/// Three seeded studies of 25 trials: random (seeds 1 and 2) and TPE (seed 3); trial 6 of each
/// fails.
fn studies() -> &'static [StudyData] {
    static DATA: OnceLock<Vec<StudyData>> = OnceLock::new();
    DATA.get_or_init(|| {
        let samplers: [(&str, Arc<dyn hpo_core::Sampler>); 3] = [
            ("random-1", Arc::new(RandomSampler::with_seed(1))),
            ("tpe", Arc::new(TpeSampler::with_seed(3))),
            ("random-2", Arc::new(RandomSampler::with_seed(2))),
        ];
        samplers
            .into_iter()
            .map(|(name, sampler)| {
                let study = Study::builder()
                    .name(name)
                    .sampler_arc(sampler)
                    .build()
                    .unwrap();
                optimized(&study, 25, objective)
            })
            .collect()
    })
}

/// A synthetic minimized study of `n` completed trials with pseudo-random values.
fn synthetic(name: &str, n: u64, seed: u64) -> StudyData {
    let trials = (0..n).map(|i| {
        FrozenTrial::new(TrialState::Complete).with_value(unit(seed * 1_000_003 + i) * 10.0)
    });
    numbered(name, vec![StudyDirection::Minimize], trials)
}

fn doc(fig: &Figure) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(fig.svg()).unwrap()
}

/// The `data-name` attributes of the groups of class `class`, in order.
/// Each `trials` group of `d` (one per study), with its number of dots.
fn dot_groups<'a, 'input>(
    d: &'a roxmltree::Document<'input>,
) -> Vec<(roxmltree::Node<'a, 'input>, usize)> {
    d.descendants()
        .filter(|n| n.attribute("class") == Some("trials"))
        .map(|group| {
            let dots = group
                .descendants()
                .filter(|n| n.has_tag_name("circle"))
                .count();
            (group, dots)
        })
        .collect()
}

fn names_of(fig: &Figure, class: &str) -> Vec<String> {
    doc(fig)
        .descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .map(|n| n.attribute("data-name").unwrap_or("").to_owned())
        .collect()
}

/// How many `<text>` elements read exactly `text`.
fn texts_equal(fig: &Figure, text: &str) -> usize {
    doc(fig)
        .descendants()
        .filter(|n| n.has_tag_name("text") && n.text() == Some(text))
        .count()
}

/// The value of trial `number` of `data`, if it completed.
fn value_at(data: &StudyData, number: u64) -> Option<f64> {
    data.trials
        .iter()
        .find(|t| t.number == number && t.state == TrialState::Complete)
        .and_then(|t| t.value())
}

/// The lowest value among the completed trials of `data` numbered at most `number`.
fn best_until(data: &StudyData, number: u64) -> Option<f64> {
    data.trials
        .iter()
        .filter(|t| t.number <= number && t.state == TrialState::Complete)
        .filter_map(|t| t.value())
        .reduce(f64::min)
}

fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// `shown` (a number printed with 4 significant digits) is `expected`.
fn close(shown: &str, expected: f64) -> bool {
    let v: f64 = shown
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {shown}"));
    (v - expected).abs() <= 1e-3 * expected.abs() + 1e-9
}

#[test]
fn history_draws_one_series_per_study() {
    let studies = studies();
    let fig = plot_studies(studies, PlotKind::History, &PlotOptions::new()).unwrap();
    check_svg(&fig, "history of three studies");
    assert!(fig.notice().is_none());
    let names: Vec<&str> = studies.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names_of(&fig, "best-line"), names);
    assert_eq!(names_of(&fig, "trials"), names);
    for name in &names {
        assert_eq!(texts_equal(&fig, name), 1, "legend entry of {name}");
    }
    // Each study's dots: its 24 completed trials (trial 6 failed), in its own colour.
    let d = doc(&fig);
    let mut fills = Vec::new();
    for (group, circles) in dot_groups(&d) {
        assert_eq!(circles, 24);
        let fill = group
            .descendants()
            .find_map(|n| n.attribute("fill"))
            .unwrap()
            .to_owned();
        fills.push(fill);
    }
    fills.sort();
    fills.dedup();
    assert_eq!(fills.len(), 3, "one colour per study");
    // Best lines are step lines that only go down (minimizing): y never decreases in pixels.
    for line in d.descendants().filter(|n| n.has_tag_name("polyline")) {
        let ys: Vec<f64> = line
            .attribute("points")
            .unwrap()
            .split_whitespace()
            .map(|p| p.split(',').nth(1).unwrap().parse().unwrap())
            .collect();
        assert!(ys.windows(2).all(|w| w[1] >= w[0] - 1e-6), "{ys:?}");
    }
    check_png(&fig, "history of three studies");
}

#[test]
fn edf_draws_one_line_per_study() {
    let studies = studies();
    let fig = plot_studies(&studies[..2], PlotKind::Edf, &PlotOptions::new()).unwrap();
    let text = check_svg(&fig, "edf of two studies");
    assert!(text.contains("random-1 (24 trials)") && text.contains("tpe (24 trials)"));
    let d = doc(&fig);
    let edf = d
        .descendants()
        .find(|n| n.attribute("class") == Some("edf"))
        .unwrap();
    let lines: Vec<_> = edf
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_ne!(lines[0].attribute("stroke"), lines[1].attribute("stroke"));
}

#[test]
fn one_study_is_exactly_plot() {
    let studies = studies();
    for kind in [PlotKind::History, PlotKind::Edf] {
        for options in [
            PlotOptions::new(),
            PlotOptions::new().error_bar(true).size(500, 400),
        ] {
            for data in studies {
                let one = plot_studies(std::slice::from_ref(data), kind, &options).unwrap();
                assert_eq!(one, plot(data, kind, &options).unwrap(), "{kind}");
            }
        }
    }
    let empty = StudyData::new("nothing", vec![StudyDirection::Minimize], vec![]);
    let one = plot_studies(
        std::slice::from_ref(&empty),
        PlotKind::History,
        &PlotOptions::new(),
    )
    .unwrap();
    assert_eq!(
        one,
        plot(&empty, PlotKind::History, &PlotOptions::new()).unwrap()
    );
}

#[test]
fn error_bar_draws_mean_and_band() {
    let studies = studies();
    let options = PlotOptions::new().error_bar(true);
    let fig = plot_studies(studies, PlotKind::History, &options).unwrap();
    let text = check_svg(&fig, "error bar");
    assert!(text.contains("mean ± 1 std over 3 studies"), "{text}");
    assert_eq!(count_class(fig.svg(), "best-band"), 1);
    assert_eq!(count_class(fig.svg(), "best-line"), 1);
    assert_eq!(count_class(fig.svg(), "mean-values"), 1);
    assert_eq!(count_class(fig.svg(), "error-bars"), 1);
    assert_eq!(count_class(fig.svg(), "trials"), 0, "no per-study dots");
    let d = doc(&fig);
    let band = d
        .descendants()
        .find(|n| n.attribute("class") == Some("best-band"))
        .unwrap();
    assert!(band.descendants().any(|n| n.has_tag_name("polygon")));

    // One mean dot per trial number with a feasible trial: 25 numbers less the failed one.
    let tips: Vec<String> = d
        .descendants()
        .filter(|n| n.attribute("class") == Some("mean-values"))
        .flat_map(|g| g.descendants().filter(|n| n.has_tag_name("title")))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect();
    assert_eq!(tips.len(), 24);
    assert!(!tips.iter().any(|t| t.starts_with("Trial 6\n")));

    // Trial 10, by hand.
    let values: Vec<f64> = studies.iter().filter_map(|s| value_at(s, 10)).collect();
    let bests: Vec<f64> = studies.iter().filter_map(|s| best_until(s, 10)).collect();
    assert_eq!((values.len(), bests.len()), (3, 3));
    let (m, s) = mean_std(&values);
    let (bm, bs) = mean_std(&bests);
    assert!(s > 0.0 && bs > 0.0);
    let tip = tips.iter().find(|t| t.starts_with("Trial 10\n")).unwrap();
    let lines: Vec<&str> = tip.lines().collect();
    let parse = |line: &str, prefix: &str| -> (String, String) {
        let rest = line
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{line}"));
        let (mean, rest) = rest.split_once(" ± ").unwrap();
        let std = rest.split(' ').next().unwrap();
        (mean.to_owned(), std.to_owned())
    };
    let (shown_m, shown_s) = parse(lines[1], "Objective Value: mean ");
    assert!(lines[1].ends_with("over 3 studies"), "{tip}");
    assert!(
        close(&shown_m, m) && close(&shown_s, s),
        "{tip} vs {m} ± {s}"
    );
    let (shown_bm, shown_bs) = parse(lines[2], "Best Value: mean ");
    assert!(
        close(&shown_bm, bm) && close(&shown_bs, bs),
        "{tip} vs {bm} ± {bs}"
    );
}

#[test]
fn error_bar_with_studies_of_different_lengths() {
    // Trial numbers 0..10 have two studies, 10..20 only the longer one: std 0 there.
    let studies = [synthetic("short", 10, 1), synthetic("long", 20, 2)];
    let fig = plot_studies(
        &studies,
        PlotKind::History,
        &PlotOptions::new().error_bar(true),
    )
    .unwrap();
    let tips: Vec<String> = doc(&fig)
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect();
    assert_eq!(tips.len(), 20);
    let t15 = tips.iter().find(|t| t.starts_with("Trial 15\n")).unwrap();
    assert!(t15.contains("± 0 over 1 study"), "{t15}");
    let v = value_at(&studies[1], 15).unwrap();
    let shown = t15
        .split("mean ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    assert!(close(shown, v), "{t15} vs {v}");
}

#[test]
fn dots_are_capped_across_studies() {
    let studies = [synthetic("a", 2500, 1), synthetic("b", 2500, 2)];
    let fig = plot_studies(&studies, PlotKind::History, &PlotOptions::new()).unwrap();
    let text = check_svg(&fig, "two big studies");
    assert!(text.contains("of 5000 trials"), "{text}");
    let d = doc(&fig);
    let mut total = 0;
    for (_, n) in dot_groups(&d) {
        assert!((1000..=1500).contains(&n), "{n}");
        total += n;
    }
    assert!(total <= 3000, "{total}");
}

#[test]
fn studies_without_completed_trials_are_listed() {
    let studies = studies();
    let empty = StudyData::new("idle", vec![StudyDirection::Minimize], vec![]);
    let both = [studies[0].clone(), empty.clone()];
    for kind in [PlotKind::History, PlotKind::Edf] {
        let fig = plot_studies(&both, kind, &PlotOptions::new()).unwrap();
        let notice = fig.notice().unwrap();
        assert!(
            notice.contains("`idle`") && !notice.contains("random-1"),
            "{notice}"
        );
        assert!(check_svg(&fig, "one empty").contains("idle"));
        let all_empty = [empty.clone(), synthetic("none", 0, 1)];
        let fig = plot_studies(&all_empty, kind, &PlotOptions::new()).unwrap();
        let notice = fig.notice().unwrap();
        assert!(
            notice.contains("`idle`") && notice.contains("`none`"),
            "{notice}"
        );
    }
}

#[test]
fn errors() {
    let studies = studies();
    let options = PlotOptions::new();
    // Other kinds.
    for kind in [PlotKind::Slice, PlotKind::Timeline, PlotKind::Importances] {
        let e = plot_studies(studies, kind, &options)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(kind.name()) && e.contains("history") && e.contains("edf"),
            "{e}"
        );
    }
    // No studies.
    let e = plot_studies(&[], PlotKind::History, &options).unwrap_err();
    assert!(matches!(e, hpo_core::Error::InvalidArgument(_)), "{e}");
    // Different numbers of objectives.
    let mo = StudyData::new(
        "two-objectives",
        vec![StudyDirection::Minimize, StudyDirection::Maximize],
        vec![],
    );
    let mixed = [studies[0].clone(), mo.clone()];
    for kind in [PlotKind::History, PlotKind::Edf] {
        let e = plot_studies(&mixed, kind, &options).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, hpo_core::Error::InvalidArgument(_)), "{text}");
        assert!(
            text.contains("`random-1` has 1") && text.contains("`two-objectives` has 2"),
            "{text}"
        );
    }
    // Multi-objective studies need a target or an objective, as for one study.
    let mo2 = StudyData::new("mo2", mo.directions.clone(), vec![]);
    let pair = [mo.clone(), mo2];
    let e = plot_studies(&pair, PlotKind::History, &options)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("target") && e.contains("`two-objectives`"),
        "{e}"
    );
    assert!(plot_studies(&pair, PlotKind::Edf, &options.clone().objective(1)).is_ok());
    // A size out of bounds.
    assert!(plot_studies(studies, PlotKind::Edf, &PlotOptions::new().size(10, 10)).is_err());
}
