//! Timeline: one horizontal bar per trial from its start to its end, coloured by state
//! (Optuna's `plot_timeline`).
//!
//! Bars are placed by trial number (the first at the bottom, as in Optuna) against a UTC date
//! and time axis whose ticks fall on round times (seconds, minutes, hours, days, months).
//! Colours follow Optuna: Complete blue (grey when infeasible), Pruned orange, Fail red,
//! Running green, Waiting grey; a legend lists the states present. A running trial lasts until
//! now, unless Optuna's heuristic says it was killed (now is more than five times the longest
//! finished trial's duration past its start), then until the latest time in the study. A
//! finished trial without an end time gets a bar of one pixel. Unlike Optuna, which places them
//! at the end, trials without a start time are skipped (the subtitle counts them).
//!
//! Big studies: bars get thinner down to hairlines; beyond [`BAR_CAP`] trials, bars no longer
//! tell trials apart (several per pixel row) and the plot becomes a concurrency chart instead:
//! for each moment, the number of trials running, stacked by their (final) state, computed
//! over **every** trial in time bins a few pixels wide. This shows the same story Optuna's
//! `n_recent_trials` would cut short: throughput, parallelism, and when trials were pruned or
//! failed.

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use hpo_core::{FrozenTrial, TrialState};

use crate::axis::{AxesStyle, Frame, Scale, format_number};
use crate::canvas::{Canvas, Group, Style, TextStyle, VAlign, text_width};
use crate::color::{Color, named};
use crate::data::StudyData;
use crate::figure::Figure;
use crate::kind::PlotKind;
use crate::layout::{Page, Rect};
use crate::legend::{LegendItem, Mark};
use crate::options::PlotOptions;
use crate::plots::common::{TOOLTIP_LIMIT, frame_in, message_figure, value_scale};
use crate::plots::extras::legend_in_emptiest_corner;

/// Above this many trials with a start time, the bars give way to a concurrency chart.
pub(crate) const BAR_CAP: usize = 1500;
/// Up to this many trials, the trial axis labels each trial.
const LABEL_EVERY_TRIAL: usize = 40;

/// The status a bar is coloured by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Complete,
    Infeasible,
    Pruned,
    Fail,
    Running,
    Waiting,
}

const STATUSES: [Status; 6] = [
    Status::Complete,
    Status::Infeasible,
    Status::Pruned,
    Status::Fail,
    Status::Running,
    Status::Waiting,
];

impl Status {
    fn of(t: &FrozenTrial) -> Status {
        match t.state {
            TrialState::Complete if t.is_feasible() => Status::Complete,
            TrialState::Complete => Status::Infeasible,
            TrialState::Pruned => Status::Pruned,
            TrialState::Fail => Status::Fail,
            TrialState::Running => Status::Running,
            TrialState::Waiting => Status::Waiting,
        }
    }

    fn color(self) -> Color {
        match self {
            Status::Complete => named::BLUE,
            Status::Infeasible => named::INFEASIBLE,
            Status::Pruned => named::ORANGE,
            Status::Fail => Color::hex(0xd62728),
            Status::Running => Color::hex(0x2ca02c),
            Status::Waiting => Color::hex(0x8c8c8c),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Status::Complete => "Complete",
            Status::Infeasible => "Infeasible",
            Status::Pruned => "Pruned",
            Status::Fail => "Fail",
            Status::Running => "Running",
            Status::Waiting => "Waiting",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Infeasible => "infeasible",
            Status::Pruned => "pruned",
            Status::Fail => "fail",
            Status::Running => "running",
            Status::Waiting => "waiting",
        }
    }
}

/// A trial's bar, times in milliseconds since the Unix epoch.
struct Bar<'a> {
    trial: &'a FrozenTrial,
    start: i64,
    end: i64,
    status: Status,
}

/// Draws the timeline.
pub(crate) fn render(data: &StudyData, options: &PlotOptions) -> hpo_core::Result<Figure> {
    render_at(data, options, Utc::now())
}

/// [`render`] with "now" given (for running trials): [`Layout::new`] decides the time range,
/// ticks and y axis, then [`draw`] writes the bars or the concurrency stacks.
fn render_at(
    data: &StudyData,
    options: &PlotOptions,
    now: DateTime<Utc>,
) -> hpo_core::Result<Figure> {
    let title = PlotKind::Timeline.title();
    let total = data.trials.len();
    let recent = most_recent(data, options);
    let data = recent.as_ref().unwrap_or(data);
    if let Some(message) = nothing_started_message(data) {
        return Ok(message_figure(title, options, &message));
    }
    let bars = bars(data, now);
    let mut page = Page::from_options(title, options);
    let aggregate = bars.len() > BAR_CAP;
    if let Some(note) = note(data.trials.len(), total, bars.len(), aggregate) {
        page.subtitle(&note);
    }
    let body = page.body();
    let layout = Layout {
        all_tips: options.shows_all_tooltips(),
        ..Layout::new(&bars, body, aggregate)
    };
    let axes = AxesStyle::titled(&layout.x_title, layout.y_title);
    let decor = frame_in(
        body,
        Scale::category(Vec::new()),
        layout.y_scale.clone(),
        &axes,
        0.0,
    );
    let frame = Frame::new(
        decor.area,
        Scale::linear_exact(layout.t0 as f64, layout.t1 as f64),
        layout.y_scale.clone(),
    );
    draw(&mut page.canvas, &decor, &frame, &axes, &layout, &bars);
    Ok(page.finish(None))
}

/// With [`PlotOptions::recent_trials`] below the number of trials, the study with only its most
/// recent trials (by number).
fn most_recent(data: &StudyData, options: &PlotOptions) -> Option<StudyData> {
    match options.recent_trials() {
        Some(n) if n < data.trials.len() => {
            let mut trials = data.trials.clone();
            trials.sort_by_key(|t| t.number);
            let first = trials.len() - n;
            Some(StudyData {
                trials: trials.split_off(first),
                ..data.clone()
            })
        }
        _ => None,
    }
}

/// Why there is nothing to draw, when no trial has a start time.
fn nothing_started_message(data: &StudyData) -> Option<String> {
    if data.trials.iter().any(|t| t.datetime_start.is_some()) {
        return None;
    }
    Some(if data.trials.is_empty() {
        format!("study `{}` has no trials", data.name)
    } else {
        format!(
            "no trial of study `{}` has a start time (its {} trial{} never started)",
            data.name,
            data.trials.len(),
            if data.trials.len() == 1 { "" } else { "s" }
        )
    })
}

/// The subtitle: which trials are shown (`shown` of `total`, `bars` of them with a start time)
/// and whether bars were replaced by concurrency stacks.
fn note(shown: usize, total: usize, bars: usize, aggregate: bool) -> Option<String> {
    let skipped = shown - bars;
    let mut note = Vec::new();
    if shown < total {
        note.push(format!("the {shown} most recent of {total} trials"));
    }
    if aggregate {
        note.push(format!(
            "{bars} trials: more than {BAR_CAP}, so bars are replaced by the number of trials \
             running at each time, by state"
        ));
    }
    if skipped > 0 {
        note.push(format!(
            "{skipped} trial{} without a start time not shown",
            if skipped == 1 { "" } else { "s" }
        ));
    }
    (!note.is_empty()).then(|| note.join("; "))
}

/// The time range, its ticks and the y axis, decided before anything is drawn.
struct Layout {
    /// The time range in milliseconds, padded by 2% on each side.
    t0: i64,
    t1: i64,
    /// The time axis' ticks and the context its title shows.
    ticks: TimeTicks,
    x_title: String,
    /// Trials running per time bin and state, when bars are aggregated.
    conc: Option<Concurrency>,
    /// Trials (numbers or categories), or trials running.
    y_scale: Scale,
    y_title: &'static str,
    /// Whether every bar gets its tooltip ([`PlotOptions::all_tooltips`]).
    all_tips: bool,
}

impl Layout {
    fn new(bars: &[Bar<'_>], body: Rect, aggregate: bool) -> Layout {
        let t0 = bars.iter().map(|b| b.start).min().unwrap_or(0);
        let t1 = bars.iter().map(|b| b.end).max().unwrap_or(0).max(t0 + 1);
        let pad = ((t1 - t0) / 50).max(1);
        let (t0, t1) = (t0 - pad, t1 + pad);
        let guess_w = body.w - 90.0;
        let ticks = time_ticks(t0, t1, (guess_w / 120.0).floor().clamp(2.0, 10.0) as usize);
        let x_title = format!("Datetime ({})", ticks.context);
        let bins = (guess_w / 6.0).clamp(20.0, 200.0) as usize;
        let conc = aggregate.then(|| concurrency(bars, t0, t1, bins));
        let (y_scale, y_title) = if let Some(conc) = &conc {
            let max = conc.max_total();
            // Headroom above the stacks for the legend.
            (
                Scale::linear_exact(0.0, (max * 1.3).max(1.0)),
                "Trials running",
            )
        } else if bars.len() <= LABEL_EVERY_TRIAL {
            let labels = bars.iter().map(|b| b.trial.number.to_string()).collect();
            (Scale::category(labels), "Trial")
        } else {
            (
                value_scale(bars.iter().map(|b| b.trial.number as f64)),
                "Trial",
            )
        };
        Layout {
            t0,
            t1,
            ticks,
            x_title,
            conc,
            y_scale,
            y_title,
            all_tips: false,
        }
    }
}

/// Draws the panel, y axis and titles (`decor`, whose x scale has no ticks), the time axis of
/// `frame` (which positions data: x in ms), then, clipped, the bars or the concurrency stacks,
/// and the legend of the states shown.
fn draw(
    c: &mut Canvas,
    decor: &Frame,
    frame: &Frame,
    axes: &AxesStyle<'_>,
    layout: &Layout,
    bars: &[Bar<'_>],
) {
    decor.draw(c, axes);
    draw_time_axis(c, frame, &layout.ticks.ticks);
    let clip = frame.clip(c);
    c.begin_group(&Group::new().clip(clip));
    let marks = if let Some(conc) = &layout.conc {
        draw_concurrency(c, frame, conc)
    } else {
        draw_bars(c, frame, bars, layout.all_tips)
    };
    c.end_group();
    let items: Vec<LegendItem> = STATUSES
        .iter()
        .filter(|s| bars.iter().any(|b| b.status == **s))
        .map(|s| LegendItem::new(s.label(), Mark::Square(s.color())))
        .collect();
    legend_in_emptiest_corner(c, frame.area, &items, &marks);
}

/// The bars of the trials with a start time, by number.
fn bars(data: &StudyData, now: DateTime<Utc>) -> Vec<Bar<'_>> {
    let finished_max = data.trials.iter().filter_map(|t| t.duration()).max();
    let latest = data
        .trials
        .iter()
        .flat_map(|t| [t.datetime_start, t.datetime_complete])
        .flatten()
        .max()
        .unwrap_or(now);
    // Optuna's heuristic: running trials are alive (so last until now) unless every one of them
    // started more than five times the longest duration ago.
    let alive = data
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Running)
        .filter_map(|t| t.datetime_start)
        .any(|s| finished_max.is_none_or(|d| now - s < d * 5));
    let running_end = if alive { now.max(latest) } else { latest };
    data.trials
        .iter()
        .filter_map(|t| {
            let start = t.datetime_start?;
            let end = match (t.state, t.datetime_complete) {
                (TrialState::Running, _) => running_end,
                (_, Some(end)) => end,
                (_, None) => start,
            };
            let (start, end) = (start.timestamp_millis(), end.timestamp_millis());
            Some(Bar {
                trial: t.as_ref(),
                start,
                end: end.max(start),
                status: Status::of(t),
            })
        })
        .collect()
}

/// Draws one bar per trial; returns the pixel positions of the bars' ends.
fn draw_bars(c: &mut Canvas, frame: &Frame, bars: &[Bar<'_>], all_tips: bool) -> Vec<(f64, f64)> {
    let categorical = frame.y.is_category();
    let rows = if categorical {
        bars.len() as f64
    } else {
        bars.last().map_or(1, |b| b.trial.number + 1) as f64
            - bars.first().map_or(0, |b| b.trial.number) as f64
    };
    let h = (frame.area.h / rows.max(1.0) * 0.75).clamp(0.6, 16.0);
    let tips = all_tips || bars.len() <= TOOLTIP_LIMIT;
    let mut marks = Vec::with_capacity(bars.len() * 2);
    c.begin_group(&Group::new().class("bars"));
    for status in STATUSES {
        let of: Vec<(usize, &Bar<'_>)> = bars
            .iter()
            .enumerate()
            .filter(|(_, b)| b.status == status)
            .collect();
        if of.is_empty() {
            continue;
        }
        c.begin_group(
            &Group::new()
                .class(status.class())
                .style(Style::filled(status.color())),
        );
        for (i, b) in of {
            let yv = if categorical {
                i as f64
            } else {
                b.trial.number as f64
            };
            let y = frame.py(yv);
            let x0 = frame.px(b.start as f64);
            let x1 = frame.px(b.end as f64).max(x0 + 1.0);
            marks.push((x0, y));
            marks.push((x1, y));
            marks.push(((x0 + x1) / 2.0, y));
            if tips {
                c.titled(&bar_tip(b), |c| {
                    c.rect(x0, y - h / 2.0, x1 - x0, h, &Style::new())
                });
            } else {
                c.rect(x0, y - h / 2.0, x1 - x0, h, &Style::new());
            }
        }
        c.end_group();
    }
    c.end_group();
    marks
}

/// A bar's hover text.
fn bar_tip(b: &Bar<'_>) -> String {
    let t = b.trial;
    let mut s = format!("Trial {}: {}", t.number, t.state.name());
    if b.status == Status::Infeasible {
        s.push_str(" (infeasible)");
    }
    let fmt = |ms: i64| {
        DateTime::from_timestamp_millis(ms)
            .map(|d| d.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
            .unwrap_or_default()
    };
    s.push_str(&format!("\nstart: {}", fmt(b.start)));
    match t.datetime_complete {
        Some(_) if t.state != TrialState::Running => {
            s.push_str(&format!(
                "\nend: {} ({} s)",
                fmt(b.end),
                format_number((b.end - b.start) as f64 / 1000.0)
            ));
        }
        _ => s.push_str(if t.state == TrialState::Running {
            "\nstill running"
        } else {
            "\nno end time"
        }),
    }
    if let Some(values) = &t.values {
        let vs: Vec<String> = values.iter().map(|v| format_number(*v)).collect();
        s.push_str(&format!("\nvalue: {}", vs.join(", ")));
    }
    s
}

/// Trials running per time bin, by status.
struct Concurrency {
    /// Bin edges in ms (`bins + 1` of them).
    edges: Vec<f64>,
    /// Per status (in [`STATUSES`] order), the mean number of trials running in each bin.
    counts: Vec<Vec<f64>>,
}

impl Concurrency {
    /// The largest stacked total.
    fn max_total(&self) -> f64 {
        (0..self.edges.len().saturating_sub(1))
            .map(|k| self.counts.iter().map(|c| c[k]).sum::<f64>())
            .fold(0.0, f64::max)
    }
}

/// The mean number of trials running in each of `bins` equal bins over `[t0, t1]` (ms), by
/// status. Instantaneous trials count for their bin as if they lasted one millisecond.
fn concurrency(bars: &[Bar<'_>], t0: i64, t1: i64, bins: usize) -> Concurrency {
    let bins = bins.max(1);
    let width = (t1 - t0).max(1) as f64 / bins as f64;
    let edges: Vec<f64> = (0..=bins).map(|k| t0 as f64 + k as f64 * width).collect();
    let mut counts = vec![vec![0.0; bins]; STATUSES.len()];
    for b in bars {
        let s = STATUSES.iter().position(|x| *x == b.status).unwrap_or(0);
        let (start, end) = (b.start as f64, (b.end.max(b.start + 1)) as f64);
        let first = (((start - t0 as f64) / width).floor().max(0.0) as usize).min(bins - 1);
        let last = (((end - t0 as f64) / width).floor().max(0.0) as usize).min(bins - 1);
        for k in first..=last {
            let overlap = end.min(edges[k + 1]) - start.max(edges[k]);
            if overlap > 0.0 {
                counts[s][k] += overlap / width;
            }
        }
    }
    Concurrency { edges, counts }
}

/// Draws the stacked concurrency areas; returns pixel positions along their tops.
fn draw_concurrency(c: &mut Canvas, frame: &Frame, conc: &Concurrency) -> Vec<(f64, f64)> {
    let bins = conc.edges.len() - 1;
    let mut below = vec![0.0; bins];
    let mut marks = Vec::new();
    c.begin_group(&Group::new().class("concurrency"));
    for (s, status) in STATUSES.iter().enumerate() {
        let counts = &conc.counts[s];
        if counts.iter().all(|&v| v <= 0.0) {
            continue;
        }
        let above: Vec<f64> = below.iter().zip(counts).map(|(b, v)| b + v).collect();
        let mut outline: Vec<(f64, f64)> = Vec::with_capacity(bins * 4);
        for k in 0..bins {
            let y = frame.py(above[k]);
            outline.push((frame.px(conc.edges[k]), y));
            outline.push((frame.px(conc.edges[k + 1]), y));
            // The filled area counts as occupied (for the legend's placement).
            let x = frame.px((conc.edges[k] + conc.edges[k + 1]) / 2.0);
            let base = frame.py(below[k]);
            marks.extend((0..=4).map(|i| (x, y + (base - y) * i as f64 / 4.0)));
        }
        for k in (0..bins).rev() {
            let y = frame.py(below[k]);
            outline.push((frame.px(conc.edges[k + 1]), y));
            outline.push((frame.px(conc.edges[k]), y));
        }
        let outline = drop_repeats(outline);
        c.begin_group(&Group::new().class(status.class()));
        c.titled(
            &format!(
                "{}: {} trial-hours in all",
                status.label(),
                format_number(counts.iter().sum::<f64>() * (conc.edges[1] - conc.edges[0]) / 3.6e6)
            ),
            |c| {
                c.polygon(
                    &outline,
                    &Style::filled(status.color())
                        .fill_opacity(0.85)
                        .stroke(named::WHITE, 0.5),
                )
            },
        );
        c.end_group();
        below = above;
    }
    c.end_group();
    marks
}

/// `points` without vertices that repeat their predecessor or lie between two neighbours on the
/// same horizontal or vertical line.
fn drop_repeats(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for p in points {
        if out.last() == Some(&p) {
            continue;
        }
        let k = out.len();
        if k >= 2 {
            let (a, b) = (out[k - 2], out[k - 1]);
            if (a.1 == b.1 && b.1 == p.1) || (a.0 == b.0 && b.0 == p.0) {
                out[k - 1] = p;
                continue;
            }
        }
        out.push(p);
    }
    out
}

/// Time ticks and the context their labels leave out (time zone, and the date or year when all
/// ticks share it).
struct TimeTicks {
    ticks: Vec<(i64, String)>,
    context: String,
}

/// Tick steps up to two weeks, in milliseconds.
const FIXED_STEPS: [i64; 26] = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000,
    120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000,
    86_400_000,
];

/// About `target` ticks at round UTC times between `t0` and `t1` (ms since the epoch).
fn time_ticks(t0: i64, t1: i64, target: usize) -> TimeTicks {
    let span = (t1 - t0).max(1);
    let target = target.max(2) as i64;
    let day = 86_400_000;
    let steps = FIXED_STEPS
        .iter()
        .copied()
        .chain([2 * day, 7 * day, 14 * day]);
    let step = steps.clone().find(|s| span / s <= target);
    let date = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or_default();
    if let Some(step) = step {
        let first = t0.div_euclid(step) * step + if t0.rem_euclid(step) == 0 { 0 } else { step };
        let times: Vec<i64> = (0..)
            .map(|k| first + k * step)
            .take_while(|&t| t <= t1)
            .take(1000)
            .collect();
        // The date and year the labels may leave out: those of the ticks (the axis may reach a
        // little into the day before or after).
        let (a, b) = match (times.first(), times.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (t0, t1),
        };
        let same_day = date(a).date_naive() == date(b).date_naive();
        let same_year = date(a).year() == date(b).year();
        let fmt = if step < 1_000 {
            "%H:%M:%S%.3f"
        } else if step < 60_000 {
            "%H:%M:%S"
        } else if step < day {
            if same_day { "%H:%M" } else { "%b %d %H:%M" }
        } else {
            "%b %d"
        };
        let decimals = if step >= 100 {
            1
        } else if step >= 10 {
            2
        } else {
            3
        };
        let ticks = times
            .into_iter()
            .map(|t| {
                let mut label = date(t).format(fmt).to_string();
                if step < 1_000 {
                    label.truncate(label.len() - (3 - decimals));
                }
                (t, label)
            })
            .collect();
        let context = if step < day && same_day {
            format!("UTC, {}", date(a).format("%Y-%m-%d"))
        } else if same_year {
            format!("UTC, {}", date(a).year())
        } else if step >= day {
            // Days over several years: the labels need the year.
            return TimeTicks {
                ticks: retick_with_year(t0, t1, step),
                context: "UTC".to_owned(),
            };
        } else {
            "UTC".to_owned()
        };
        return TimeTicks { ticks, context };
    }
    // Months (1, 2, 3, 6) then years.
    let months_span = (span as f64 / (30.44 * day as f64)).ceil() as i64;
    let months = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600]
        .into_iter()
        .find(|m| months_span / m <= target)
        .unwrap_or(1200);
    let start = date(t0);
    let mut d = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or_default();
    if months >= 12 {
        let year = start.year() - start.year().rem_euclid((months / 12) as i32);
        d = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    }
    let mut ticks = Vec::new();
    for _ in 0..1000 {
        let t = Utc
            .from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .timestamp_millis();
        if t > t1 {
            break;
        }
        if t >= t0 {
            let label = if months >= 12 {
                d.format("%Y").to_string()
            } else {
                d.format("%b %Y").to_string()
            };
            ticks.push((t, label));
        }
        match d.checked_add_months(Months::new(months as u32)) {
            Some(next) => d = next,
            None => break,
        }
    }
    TimeTicks {
        ticks,
        context: "UTC".to_owned(),
    }
}

/// Day ticks labelled with their full date.
fn retick_with_year(t0: i64, t1: i64, step: i64) -> Vec<(i64, String)> {
    let first = t0.div_euclid(step) * step + if t0.rem_euclid(step) == 0 { 0 } else { step };
    (0..)
        .map(|k| first + k * step)
        .take_while(|&t| t <= t1)
        .take(1000)
        .map(|t| {
            let d = DateTime::from_timestamp_millis(t).unwrap_or_default();
            (t, d.format("%Y-%m-%d").to_string())
        })
        .collect()
}

/// Draws vertical grid lines, tick marks and labels for `ticks` under `frame`.
fn draw_time_axis(c: &mut Canvas, frame: &Frame, ticks: &[(i64, String)]) {
    let a = frame.area;
    let grid = Style::stroked(named::GRID, 1.0);
    let axis = Style::stroked(named::AXIS, 1.0);
    let label = TextStyle::new(11.0)
        .color(named::MUTED)
        .middle()
        .valign(VAlign::Top);
    let mut last_right = f64::NEG_INFINITY;
    for (t, text) in ticks {
        let x = frame.px(*t as f64);
        if x < a.x - 0.5 || x > a.right() + 0.5 {
            continue;
        }
        c.line(x, a.y, x, a.bottom() - 0.5, &grid);
        c.line(x, a.bottom(), x, a.bottom() + 4.0, &axis);
        let w = text_width(text, 11.0);
        if x - w / 2.0 > last_right + 6.0 && x - w / 2.0 >= 2.0 && x + w / 2.0 <= c.width() - 2.0 {
            c.text(x, a.bottom() + 6.0, text, &label);
            last_right = x + w / 2.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Duration;
    use hpo_core::StudyDirection;

    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn ticks_are_round_times() {
        let t0 = at(2026, 1, 1, 10, 3, 7).timestamp_millis();
        let t1 = at(2026, 1, 1, 11, 58, 0).timestamp_millis();
        let t = time_ticks(t0, t1, 6);
        let labels: Vec<&str> = t.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["10:30", "11:00", "11:30"]);
        assert_eq!(t.context, "UTC, 2026-01-01");
        // Several days.
        let t1 = at(2026, 1, 9, 0, 0, 0).timestamp_millis();
        let t = time_ticks(t0, t1, 6);
        assert!(
            t.ticks.iter().all(|(_, l)| l.starts_with("Jan ")),
            "{:?}",
            t.ticks
        );
        assert_eq!(t.context, "UTC, 2026");
        // Seconds.
        let t1 = t0 + 20_000;
        let t = time_ticks(t0, t1, 5);
        assert_eq!(t.ticks[0].1, "10:03:10");
        // Sub-second.
        let t = time_ticks(t0, t0 + 900, 5);
        assert_eq!(t.ticks[1].1, "10:03:07.2");
        // Years.
        let t = time_ticks(t0, at(2031, 6, 1, 0, 0, 0).timestamp_millis(), 6);
        let labels: Vec<&str> = t.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["2027", "2028", "2029", "2030", "2031"]);
        // Months.
        let t = time_ticks(t0, at(2026, 5, 20, 0, 0, 0).timestamp_millis(), 6);
        assert_eq!(t.ticks[0].1, "Feb 2026");
    }

    #[test]
    fn running_trials_last_until_now_or_the_latest_time() {
        let t0 = at(2026, 1, 1, 0, 0, 0);
        let mut done = FrozenTrial::new(TrialState::Complete)
            .with_value(1.0)
            .with_datetimes(Some(t0), Some(t0 + Duration::seconds(10)));
        done.number = 0;
        let mut running = FrozenTrial::new(TrialState::Running)
            .with_datetimes(Some(t0 + Duration::seconds(10)), None);
        running.number = 1;
        let mut unstarted = FrozenTrial::new(TrialState::Waiting);
        unstarted.number = 2;
        let data = StudyData::new(
            "t",
            vec![StudyDirection::Minimize],
            vec![Arc::new(done), Arc::new(running), Arc::new(unstarted)],
        );
        // Shortly after: alive, until now.
        let now = t0 + Duration::seconds(30);
        let b = bars(&data, now);
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].end, now.timestamp_millis());
        // Long after (more than 5 × 10 s): considered killed, until the latest time.
        let b = bars(&data, t0 + Duration::hours(2));
        assert_eq!(b[1].end, (t0 + Duration::seconds(10)).timestamp_millis());
    }

    #[test]
    fn concurrency_counts_overlaps() {
        let t = FrozenTrial::new(TrialState::Complete);
        let bars: Vec<Bar<'_>> = (0..4)
            .map(|i| Bar {
                trial: &t,
                start: i * 500,
                end: i * 500 + 1000,
                status: Status::Complete,
            })
            .collect();
        // Trials 0-3 over [0, 2500]: at most two at a time.
        let c = concurrency(&bars, 0, 2500, 5);
        assert_eq!(c.counts[0], vec![1.0, 2.0, 2.0, 2.0, 1.0]);
        assert_eq!(c.max_total(), 2.0);
    }
}
