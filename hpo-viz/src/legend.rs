//! Legends (series swatches with labels) and colour bars (a gradient with ticks and a title).

use crate::axis::Scale;
use crate::canvas::{Canvas, Paint, Style, TextStyle, VAlign, text_width, truncate};
use crate::color::{Color, ColorScale, named};
use crate::layout::Rect;

/// The horizontal room a colour bar needs (bar, tick labels, margins).
pub(crate) const COLORBAR_WIDTH: f64 = 96.0;

/// Draws a vertical colour bar for `scale` in the strip `area` (use a strip
/// [`COLORBAR_WIDTH`] wide): the low value at the bottom, the title above. With `integer`, only
/// whole-number ticks are labelled (trial numbers, ranks).
pub(crate) fn colorbar(c: &mut Canvas, area: Rect, scale: &ColorScale, title: &str, integer: bool) {
    let bar_w = 14.0;
    let x = area.x + 10.0;
    let top = area.y + 8.0;
    let h = (area.h - 16.0).max(20.0);
    gradient_bar(c, Rect::new(x, top, bar_w, h), 16, |f| {
        scale.color(scale.lo + (scale.hi - scale.lo) * f)
    });
    let axis = Scale::linear_exact(scale.lo, scale.hi);
    let label = TextStyle::new(10.0)
        .color(named::MUTED)
        .valign(VAlign::Middle);
    for t in axis.ticks(6) {
        if integer && t.value.fract().abs() > 1e-9 {
            continue;
        }
        let f = axis.norm(t.value);
        if !(-1e-9..=1.0 + 1e-9).contains(&f) {
            continue;
        }
        bar_tick(
            c,
            x + bar_w,
            top + h * (1.0 - f),
            &truncate(&t.label, 9),
            &label,
        );
    }
    // The title runs upwards along the bar, right of the tick labels.
    let max_chars = (h / 6.5).max(4.0) as usize;
    c.text(
        area.right() - 8.0,
        top + h / 2.0,
        &truncate(title, max_chars),
        &TextStyle::new(11.5).middle().rotate(-90.0),
    );
}

/// Draws the gradient of a vertical colour bar filling `bar`, outlined: `color(f)` at the
/// fraction `f` of its height, from 0 at the bottom to 1 at the top, through `steps + 1` stops.
pub(crate) fn gradient_bar(c: &mut Canvas, bar: Rect, steps: usize, color: impl Fn(f64) -> Color) {
    let stops: Vec<(f64, Color)> = (0..=steps)
        .map(|i| {
            let f = i as f64 / steps as f64;
            (f, color(f))
        })
        .collect();
    let g = c.linear_gradient(&stops, true);
    c.rect(
        bar.x,
        bar.y,
        bar.w,
        bar.h,
        &Style::new()
            .fill_paint(Paint::Gradient(g))
            .stroke(named::AXIS, 0.5),
    );
}

/// Draws a colour-bar tick at height `y` right of a bar whose right edge is `bar_right`, with
/// `text` beside it.
pub(crate) fn bar_tick(c: &mut Canvas, bar_right: f64, y: f64, text: &str, style: &TextStyle) {
    c.line(
        bar_right,
        y,
        bar_right + 3.0,
        y,
        &Style::stroked(named::AXIS, 1.0),
    );
    c.text(bar_right + 5.0, y, text, style);
}

/// Draws legend entries in a row ending at `right`, centred on `y` (no box), for a strip above
/// a plot.
pub(crate) fn legend_row(c: &mut Canvas, right: f64, y: f64, items: &[LegendItem]) {
    let font = 11.0;
    let labels: Vec<String> = items
        .iter()
        .map(|i| truncate(&i.label, 32).into_owned())
        .collect();
    let widths: Vec<f64> = labels.iter().map(|l| text_width(l, font) + 36.0).collect();
    let mut x = right - widths.iter().sum::<f64>();
    for ((item, label), w) in items.iter().zip(&labels).zip(&widths) {
        swatch(c, item.mark, x, y);
        c.text(
            x + 24.0,
            y,
            label,
            &TextStyle::new(font).valign(VAlign::Middle),
        );
        x += w;
    }
}

fn swatch(c: &mut Canvas, mark: Mark, sx: f64, cy: f64) {
    match mark {
        Mark::Line { color, width, dash } => {
            let mut s = Style::stroked(color, width);
            s.dash = dash;
            c.line(sx, cy, sx + 18.0, cy, &s);
        }
        Mark::Dot(color) => c.circle(sx + 9.0, cy, 4.0, &Style::filled(color)),
        Mark::Square(color) => c.rect(sx + 4.0, cy - 5.0, 10.0, 10.0, &Style::filled(color)),
    }
}

/// A legend swatch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mark {
    /// A line sample.
    Line {
        /// Colour.
        color: Color,
        /// Width.
        width: f64,
        /// Dash pattern.
        dash: Option<&'static str>,
    },
    /// A dot.
    Dot(Color),
    /// A filled square.
    Square(Color),
}

/// One legend entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LegendItem {
    /// Label text.
    pub label: String,
    /// Swatch.
    pub mark: Mark,
}

impl LegendItem {
    /// An entry.
    pub fn new(label: impl Into<String>, mark: Mark) -> LegendItem {
        LegendItem {
            label: label.into(),
            mark,
        }
    }
}

/// Draws a boxed vertical legend in the top-right corner of `area` (a plot area).
pub(crate) fn legend(c: &mut Canvas, area: Rect, items: &[LegendItem]) {
    if items.is_empty() {
        return;
    }
    let font = 11.0;
    let row = 16.0;
    let labels: Vec<String> = items
        .iter()
        .map(|i| truncate(&i.label, 32).into_owned())
        .collect();
    let w = labels
        .iter()
        .map(|l| text_width(l, font))
        .fold(0.0, f64::max)
        + 38.0;
    let h = row * items.len() as f64 + 8.0;
    let x = area.right() - w - 6.0;
    let y = area.y + 6.0;
    c.rect(
        x,
        y,
        w,
        h,
        &Style::filled(named::WHITE)
            .fill_opacity(0.85)
            .stroke(named::GRID, 1.0),
    );
    for (i, (item, label)) in items.iter().zip(&labels).enumerate() {
        let cy = y + 4.0 + row * (i as f64 + 0.5);
        let sx = x + 8.0;
        swatch(c, item.mark, sx, cy);
        c.text(
            sx + 24.0,
            cy,
            label,
            &TextStyle::new(font).valign(VAlign::Middle),
        );
    }
}
