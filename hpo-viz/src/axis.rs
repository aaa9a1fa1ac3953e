//! Scales (linear, log, categorical), "nice" 1-2-5 ticks, compact tick labels, and drawing a
//! plot frame (panel, grid, ticks, labels and axis titles).

use crate::canvas::{Anchor, Canvas, Clip, Style, TextStyle, VAlign, text_width, truncate};
use crate::color::named;
use crate::layout::Rect;

/// How data values map onto `[0, 1]` along an axis.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scale {
    /// Linear between `lo` and `hi`.
    Linear {
        /// Value at 0.
        lo: f64,
        /// Value at 1.
        hi: f64,
    },
    /// Linear between `lo` and `hi` for integer data (an int parameter, a step): ticks only at
    /// whole numbers.
    Integer {
        /// Value at 0.
        lo: f64,
        /// Value at 1.
        hi: f64,
    },
    /// Logarithmic between `lo` and `hi` (both > 0).
    Log {
        /// Value at 0.
        lo: f64,
        /// Value at 1.
        hi: f64,
    },
    /// Categories by index: category `i` of `n` sits at `(i + 0.5) / n`.
    Category {
        /// The category labels, in axis order.
        labels: Vec<String>,
    },
}

/// A tick: a position in data units and its label.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Tick {
    /// Data value.
    pub value: f64,
    /// Label text.
    pub label: String,
}

const PAD: f64 = 0.05;

impl Scale {
    /// A linear scale covering `min..=max` with 5% padding on each side (a single value gets a
    /// unit-sized range around it). Non-finite bounds give `0..1`.
    pub fn linear(min: f64, max: f64) -> Scale {
        let (lo, hi) = widen(min, max);
        let pad = (hi - lo) * PAD;
        Scale::Linear {
            lo: lo - pad,
            hi: hi + pad,
        }
    }

    /// [`Scale::linear`] for integer data: the same padding, ticks only at whole numbers.
    pub fn integer(min: f64, max: f64) -> Scale {
        match Scale::linear(min, max) {
            Scale::Linear { lo, hi } => Scale::Integer { lo, hi },
            other => other,
        }
    }

    /// A linear scale from exactly `lo` to `hi` (widened only if empty).
    pub fn linear_exact(lo: f64, hi: f64) -> Scale {
        let (lo, hi) = widen(lo, hi);
        Scale::Linear { lo, hi }
    }

    /// A log scale covering `min..=max` (positive values) with 5% padding in log space. Falls
    /// back to a linear scale when a bound is not positive.
    pub fn log(min: f64, max: f64) -> Scale {
        if !(min > 0.0 && max > 0.0 && min.is_finite() && max.is_finite()) {
            return Scale::linear(min, max);
        }
        let (a, b) = (min.log10(), max.log10());
        let (a, b) = if b > a { (a, b) } else { (a - 0.5, a + 0.5) };
        let pad = (b - a) * PAD;
        Scale::Log {
            lo: 10f64.powf(a - pad),
            hi: 10f64.powf(b + pad),
        }
    }

    /// A categorical scale.
    pub fn category(labels: Vec<String>) -> Scale {
        Scale::Category { labels }
    }

    /// Whether this is a categorical scale.
    pub fn is_category(&self) -> bool {
        matches!(self, Scale::Category { .. })
    }

    /// The position of `v` in `[0, 1]` (outside for values outside the domain).
    pub fn norm(&self, v: f64) -> f64 {
        match self {
            Scale::Linear { lo, hi } | Scale::Integer { lo, hi } => (v - lo) / (hi - lo),
            Scale::Log { lo, hi } => {
                if v <= 0.0 {
                    return -0.05;
                }
                (v.ln() - lo.ln()) / (hi.ln() - lo.ln())
            }
            Scale::Category { labels } => (v + 0.5) / labels.len().max(1) as f64,
        }
    }

    /// The value at position `t` (the inverse of [`Scale::norm`]).
    pub fn invert(&self, t: f64) -> f64 {
        match self {
            Scale::Linear { lo, hi } | Scale::Integer { lo, hi } => lo + t * (hi - lo),
            Scale::Log { lo, hi } => (lo.ln() + t * (hi.ln() - lo.ln())).exp(),
            Scale::Category { labels } => t * labels.len().max(1) as f64 - 0.5,
        }
    }

    /// About `target` ticks inside the domain.
    pub fn ticks(&self, target: usize) -> Vec<Tick> {
        match self {
            Scale::Linear { lo, hi } => linear_ticks(*lo, *hi, target, 0.0),
            Scale::Integer { lo, hi } => linear_ticks(*lo, *hi, target, 1.0),
            Scale::Log { lo, hi } => log_ticks(*lo, *hi, target),
            Scale::Category { labels } => {
                let n = labels.len();
                let every = n.div_ceil(target.max(1) * 2).max(1);
                labels
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % every == 0)
                    .map(|(i, l)| Tick {
                        value: i as f64,
                        label: l.clone(),
                    })
                    .collect()
            }
        }
    }
}

fn widen(min: f64, max: f64) -> (f64, f64) {
    if !(min.is_finite() && max.is_finite()) {
        return (0.0, 1.0);
    }
    let (min, max) = if min <= max { (min, max) } else { (max, min) };
    if max > min {
        (min, max)
    } else {
        let d = (min.abs() * 0.1).max(0.5);
        (min - d, max + d)
    }
}

/// The 1-2-5 step giving about `target` intervals over `range`.
pub(crate) fn nice_step(range: f64, target: usize) -> f64 {
    let raw = range.abs() / target.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f < 1.5 {
        1.0
    } else if f < 3.5 {
        2.0
    } else if f < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// About `target` 1-2-5 ticks over `lo..=hi`, at least `min_step` apart.
fn linear_ticks(lo: f64, hi: f64, target: usize, min_step: f64) -> Vec<Tick> {
    let step = nice_step(hi - lo, target).max(min_step);
    let start = (lo / step - 1e-9).ceil() as i64;
    let end = (hi / step + 1e-9).floor() as i64;
    if end < start || end - start > 1000 {
        return vec![];
    }
    (start..=end)
        .map(|k| {
            let v = k as f64 * step;
            Tick {
                value: v,
                label: format_tick(v, step),
            }
        })
        .collect()
}

fn log_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    let (a, b) = (lo.log10(), hi.log10());
    let first = a.ceil() as i32;
    let last = b.floor() as i32;
    let decades = last - first + 1;
    if decades >= 3 {
        let every = (decades as usize).div_ceil(target.max(1)).max(1) as i32;
        return (first..=last)
            .filter(|e| (e - first) % every == 0)
            .map(|e| {
                let v = 10f64.powi(e);
                Tick {
                    value: v,
                    label: format_log(1, e),
                }
            })
            .collect();
    }
    let mut ticks = Vec::new();
    for e in (a.floor() as i32)..=(b.ceil() as i32) {
        for m in [1, 2, 5] {
            let v = m as f64 * 10f64.powi(e);
            if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                ticks.push(Tick {
                    value: v,
                    label: format_log(m, e),
                });
            }
        }
    }
    if ticks.len() >= 3 {
        return ticks;
    }
    linear_ticks(lo, hi, target, 0.0)
        .into_iter()
        .filter(|t| t.value > 0.0)
        .collect()
}

/// `m × 10^e` written plainly for small exponents (`0.01`, `200`) and as `2e-5` otherwise.
fn format_log(m: i32, e: i32) -> String {
    if (-3..=4).contains(&e) {
        format_number(m as f64 * 10f64.powi(e))
    } else if m == 1 {
        format!("1e{e}")
    } else {
        format!("{m}e{e}")
    }
}

/// A tick label for `v` on a grid of `step`: just enough decimals, or exponent notation for very
/// large or small magnitudes (`1e-5`, `2.5e6`).
pub(crate) fn format_tick(v: f64, step: f64) -> String {
    if v == 0.0 || v.abs() < step * 1e-9 {
        return "0".to_owned();
    }
    if v.abs() >= 1e6 || step < 1e-4 {
        return format_exp(v, step);
    }
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil().max(0.0) as usize
    };
    let s = format!("{v:.decimals$}");
    if s.chars().all(|c| matches!(c, '-' | '0' | '.')) {
        "0".to_owned()
    } else {
        s
    }
}

fn format_exp(v: f64, step: f64) -> String {
    let e = v.abs().log10().floor() as i32;
    let digits = (e - step.log10().floor() as i32).clamp(0, 6) as usize;
    let m = v / 10f64.powi(e);
    let mut ms = format!("{m:.digits$}");
    if ms.contains('.') {
        ms = ms.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    format!("{ms}e{e}")
}

/// A value written compactly with about four significant digits: `0.1235`, `12.5`, `1.2e-5`,
/// `3.4e7`, `nan`, `inf`.
pub(crate) fn format_number(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.3e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        return format!("{m}e{e}");
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// How a frame's axes are drawn.
#[derive(Clone, Debug)]
pub(crate) struct AxesStyle<'a> {
    /// Title under the x axis.
    pub x_title: Option<&'a str>,
    /// Title left of the y axis (rotated).
    pub y_title: Option<&'a str>,
    /// Whether x tick labels are drawn.
    pub x_labels: bool,
    /// Whether y tick labels are drawn.
    pub y_labels: bool,
    /// About how many x ticks.
    pub x_ticks: usize,
    /// About how many y ticks.
    pub y_ticks: usize,
    /// Tick label font size.
    pub font: f64,
    /// Longer y tick labels are cut to this many characters.
    pub y_label_chars: usize,
}

impl Default for AxesStyle<'_> {
    fn default() -> Self {
        AxesStyle {
            x_title: None,
            y_title: None,
            x_labels: true,
            y_labels: true,
            x_ticks: 6,
            y_ticks: 6,
            font: 11.0,
            y_label_chars: 14,
        }
    }
}

impl<'a> AxesStyle<'a> {
    /// Both titles set, everything else default.
    pub fn titled(x: &'a str, y: &'a str) -> AxesStyle<'a> {
        AxesStyle {
            x_title: Some(x),
            y_title: Some(y),
            ..AxesStyle::default()
        }
    }
}

/// A plot area in pixels with an x and a y scale.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    /// The plot area.
    pub area: Rect,
    /// Horizontal scale.
    pub x: Scale,
    /// Vertical scale.
    pub y: Scale,
}

impl Frame {
    /// A frame over `area`.
    pub fn new(area: Rect, x: Scale, y: Scale) -> Frame {
        Frame { area, x, y }
    }

    /// Pixel x of data value `v`.
    pub fn px(&self, v: f64) -> f64 {
        self.area.x + self.x.norm(v) * self.area.w
    }

    /// Pixel y of data value `v` (up is larger).
    pub fn py(&self, v: f64) -> f64 {
        self.area.y + (1.0 - self.y.norm(v)) * self.area.h
    }

    /// A clip path for the plot area (slightly enlarged so edge markers are not cut in half).
    pub fn clip(&self, c: &mut Canvas) -> Clip {
        c.clip_rect(
            self.area.x - 4.0,
            self.area.y - 4.0,
            self.area.w + 8.0,
            self.area.h + 8.0,
        )
    }

    /// Draws the panel, grid lines, tick labels, frame and axis titles.
    pub fn draw(&self, c: &mut Canvas, style: &AxesStyle<'_>) {
        let a = self.area;
        c.rect(a.x, a.y, a.w, a.h, &Style::filled(named::PANEL));
        let xt = self.x.ticks(style.x_ticks);
        let yt = self.y.ticks(style.y_ticks);
        let grid = Style::stroked(named::GRID, 1.0);
        for t in &xt {
            let x = self.px(t.value);
            if x >= a.x - 0.5 && x <= a.right() + 0.5 {
                c.line(x, a.y, x, a.bottom(), &grid);
            }
        }
        for t in &yt {
            let y = self.py(t.value);
            if y >= a.y - 0.5 && y <= a.bottom() + 0.5 {
                c.line(a.x, y, a.right(), y, &grid);
            }
        }
        let axis = Style::stroked(named::AXIS, 1.0);
        c.line(a.x, a.bottom(), a.right(), a.bottom(), &axis);
        c.line(a.x, a.y, a.x, a.bottom(), &axis);
        let font = style.font;
        let label = TextStyle::new(font).color(named::MUTED);
        let mut x_label_depth = font + 6.0;
        if style.x_labels {
            let visible: Vec<&Tick> = xt
                .iter()
                .filter(|t| {
                    let x = self.px(t.value);
                    x >= a.x - 0.5 && x <= a.right() + 0.5
                })
                .collect();
            let slot = a.w / visible.len().max(1) as f64;
            let widest = visible
                .iter()
                .map(|t| text_width(&t.label, font))
                .fold(0.0, f64::max);
            let rotate = self.x.is_category() && widest > slot * 0.95;
            for t in &visible {
                let x = self.px(t.value);
                c.line(x, a.bottom(), x, a.bottom() + 4.0, &axis);
                if rotate {
                    let text = truncate(&t.label, 18);
                    c.text(
                        x,
                        a.bottom() + 8.0,
                        &text,
                        &label
                            .anchor(Anchor::End)
                            .valign(VAlign::Middle)
                            .rotate(-40.0),
                    );
                } else {
                    c.text(
                        x,
                        a.bottom() + 6.0,
                        &t.label,
                        &label.middle().valign(VAlign::Top),
                    );
                }
            }
            if rotate {
                x_label_depth = 8.0 + 0.7 * widest.min(text_width("x", font) * 18.0) + font;
            }
        }
        let mut y_label_width: f64 = 0.0;
        if style.y_labels {
            for t in &yt {
                let y = self.py(t.value);
                if y < a.y - 0.5 || y > a.bottom() + 0.5 {
                    continue;
                }
                c.line(a.x - 4.0, y, a.x, y, &axis);
                let text = truncate(&t.label, style.y_label_chars);
                y_label_width = y_label_width.max(text_width(&text, font));
                c.text(a.x - 6.0, y, &text, &label.end().valign(VAlign::Middle));
            }
        }
        let title = TextStyle::new(font + 1.0).middle();
        if let Some(t) = style.x_title {
            let y = a.bottom() + if style.x_labels { x_label_depth } else { 4.0 } + 4.0;
            c.text(
                a.x + a.w / 2.0,
                y,
                &truncate(t, 60),
                &title.valign(VAlign::Top),
            );
        }
        if let Some(t) = style.y_title {
            let x = a.x - 10.0 - y_label_width - 4.0;
            c.text(x, a.y + a.h / 2.0, &truncate(t, 50), &title.rotate(-90.0));
        }
    }
}

/// The room (pixels) a y axis drawn with `style` needs left of the plot area.
pub(crate) fn y_axis_room(scale: &Scale, style: &AxesStyle<'_>) -> f64 {
    let widest = if style.y_labels {
        scale
            .ticks(style.y_ticks)
            .iter()
            .map(|t| text_width(&truncate(&t.label, style.y_label_chars), style.font))
            .fold(0.0, f64::max)
    } else {
        0.0
    };
    widest
        + 12.0
        + if style.y_title.is_some() {
            style.font + 10.0
        } else {
            0.0
        }
}

/// The room (pixels) an x axis drawn with `style` over `width` pixels needs under the plot area.
pub(crate) fn x_axis_room(scale: &Scale, style: &AxesStyle<'_>, width: f64) -> f64 {
    let font = style.font;
    let depth = if !style.x_labels {
        4.0
    } else {
        let labels = scale.ticks(style.x_ticks);
        let slot = width / labels.len().max(1) as f64;
        let widest = labels
            .iter()
            .map(|t| text_width(&t.label, font))
            .fold(0.0, f64::max);
        if scale.is_category() && widest > slot * 0.95 {
            8.0 + 0.7 * widest.min(text_width("x", font) * 18.0) + font
        } else {
            font + 6.0
        }
    };
    depth
        + 6.0
        + if style.x_title.is_some() {
            font + 8.0
        } else {
            0.0
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(1.0, 5), 0.2);
        assert_eq!(nice_step(100.0, 4), 20.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
    }

    #[test]
    fn linear_ticks_cover_domain() {
        let s = Scale::linear_exact(0.0, 10.0);
        let t = s.ticks(5);
        let labels: Vec<_> = t.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["0", "2", "4", "6", "8", "10"]);
        let s = Scale::linear_exact(-0.3, 0.3);
        let labels: Vec<_> = s.ticks(6).into_iter().map(|t| t.label).collect();
        assert_eq!(labels, ["-0.3", "-0.2", "-0.1", "0", "0.1", "0.2", "0.3"]);
    }

    #[test]
    fn integer_ticks_are_whole_numbers() {
        // 1..=5 would get half steps on a linear scale.
        let labels: Vec<_> = Scale::linear(1.0, 5.0)
            .ticks(6)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert!(labels.contains(&"1.5".to_owned()), "{labels:?}");
        let labels: Vec<_> = Scale::integer(1.0, 5.0)
            .ticks(6)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(labels, ["1", "2", "3", "4", "5"]);
        let s = Scale::integer(3.0, 3.0);
        assert!(s.ticks(6).iter().all(|t| t.value.fract() == 0.0));
    }

    #[test]
    fn log_ticks_are_decades() {
        let s = Scale::Log { lo: 1e-5, hi: 1e-1 };
        let labels: Vec<_> = s.ticks(6).into_iter().map(|t| t.label).collect();
        assert_eq!(labels, ["1e-5", "1e-4", "0.001", "0.01", "0.1"]);
        let s = Scale::Log { lo: 1.5, hi: 9.0 };
        let labels: Vec<_> = s.ticks(6).into_iter().map(|t| t.label).collect();
        assert_eq!(labels, ["2", "3", "4", "5", "6", "7", "8", "9"]);
        let s = Scale::Log { lo: 0.8, hi: 30.0 };
        let labels: Vec<_> = s.ticks(6).into_iter().map(|t| t.label).collect();
        assert_eq!(labels, ["1", "2", "5", "10", "20"]);
        assert!(labels.len() >= 3, "{labels:?}");
    }

    #[test]
    fn norm_and_invert() {
        for s in [
            Scale::linear(0.0, 10.0),
            Scale::log(1e-3, 10.0),
            Scale::category(vec!["a".into(), "b".into(), "c".into()]),
        ] {
            for t in [0.0, 0.3, 1.0] {
                assert!((s.norm(s.invert(t)) - t).abs() < 1e-9, "{s:?}");
            }
        }
        let c = Scale::category(vec!["a".into(), "b".into()]);
        assert_eq!(c.norm(0.0), 0.25);
        assert_eq!(c.norm(1.0), 0.75);
    }

    #[test]
    fn number_formats() {
        assert_eq!(format_number(0.123456), "0.1235");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(0.00001234), "1.234e-5");
        assert_eq!(format_number(-3.0), "-3");
        assert_eq!(format_number(12345678.0), "1.235e7");
        assert_eq!(format_tick(2.5e6, 5e5), "2.5e6");
        assert_eq!(format_tick(0.00002, 0.00001), "2e-5");
        assert_eq!(format_tick(-0.0000001, 0.2), "0");
    }

    #[test]
    fn degenerate_ranges() {
        let s = Scale::linear(3.0, 3.0);
        assert!(s.norm(3.0) > 0.0 && s.norm(3.0) < 1.0);
        let s = Scale::log(-1.0, 5.0);
        assert!(!matches!(s, Scale::Log { .. }));
        assert!(!Scale::linear(f64::NAN, 1.0).ticks(5).is_empty());
    }
}
