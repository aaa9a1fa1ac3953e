//! Helpers for the intermediate-values, EDF, Pareto-front, timeline and rank plots: quantiles,
//! legends placed in the emptiest corner of a plot area, cross markers, deterministic jitter,
//! and the lower-triangular grid of subplots used for pairs of axes.

use std::fmt::Write;

use crate::axis::{AxesStyle, Scale, x_axis_room, y_axis_room};
use crate::canvas::Canvas;
use crate::canvas::{N, text_width, truncate};
use crate::layout::Rect;
use crate::legend::{LegendItem, legend};

/// The `q`-quantile of `sorted` (ascending) with linear interpolation between neighbours
/// (numpy's default method); NaN when empty.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let i = (pos.floor() as usize).min(n - 1);
            if i + 1 >= n {
                sorted[n - 1]
            } else {
                sorted[i] + (sorted[i + 1] - sorted[i]) * (pos - i as f64)
            }
        }
    }
}

/// The size (width, height) that [`legend`] gives `items`.
fn legend_size(items: &[LegendItem]) -> (f64, f64) {
    let w = items
        .iter()
        .map(|i| text_width(&truncate(&i.label, 32), 11.0))
        .fold(0.0, f64::max)
        + 38.0;
    (w, 16.0 * items.len() as f64 + 8.0)
}

/// Draws a legend in the corner of the plot area `area` that covers the fewest of `marks`
/// (pixel positions of what the plot drew); ties prefer the top right, then the top left, the
/// bottom right and the bottom left.
pub(crate) fn legend_in_emptiest_corner(
    c: &mut Canvas,
    area: Rect,
    items: &[LegendItem],
    marks: &[(f64, f64)],
) {
    if items.is_empty() {
        return;
    }
    let (w, h) = legend_size(items);
    let margin = 6.0;
    let corners = [
        (area.right() - w - margin, area.y + margin),
        (area.x + margin, area.y + margin),
        (area.right() - w - margin, area.bottom() - h - margin),
        (area.x + margin, area.bottom() - h - margin),
    ];
    let covered = |&(x, y): &(f64, f64)| {
        marks
            .iter()
            .filter(|&&(px, py)| {
                px >= x - 4.0 && px <= x + w + 4.0 && py >= y - 4.0 && py <= y + h + 4.0
            })
            .count()
    };
    let mut best = corners[0];
    let mut best_count = covered(&best);
    for corner in &corners[1..] {
        let n = covered(corner);
        if n < best_count {
            best = *corner;
            best_count = n;
        }
    }
    // `legend` draws in the top-right corner of the rectangle it is given: give it one whose
    // top-right corner puts the legend at `best`.
    let (x, y) = best;
    legend(
        c,
        Rect::new(area.x, y - margin, x + w + margin - area.x, h),
        items,
    );
}

/// Pixel positions along `points` (a polyline): its vertices plus points every `step` pixels on
/// long segments, so that a legend placed by [`legend_in_emptiest_corner`] avoids lines too.
pub(crate) fn trace(points: &[(f64, f64)], step: f64, out: &mut Vec<(f64, f64)>) {
    for (i, &p) in points.iter().enumerate() {
        out.push(p);
        if let Some(&q) = points.get(i + 1) {
            let d = ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt();
            let n = (d / step.max(1.0)).floor() as usize;
            for k in 1..n.min(200) {
                let t = k as f64 / n as f64;
                out.push((p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t));
            }
        }
    }
}

/// SVG path data for a diagonal cross (×) of half-size `r` centred on (`x`, `y`).
pub(crate) fn cross_path(x: f64, y: f64, r: f64) -> String {
    let mut d = String::with_capacity(48);
    let _ = write!(
        d,
        "M{} {}L{} {}M{} {}L{} {}",
        N(x - r),
        N(y - r),
        N(x + r),
        N(y + r),
        N(x - r),
        N(y + r),
        N(x + r),
        N(y - r)
    );
    d
}

/// A deterministic offset in `[-0.5, 0.5)` for trial number `n` (spreads dots that share a
/// category).
pub(crate) fn jitter(n: u64) -> f64 {
    let mut x = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
}

/// One subplot of a lower-triangular grid of pairs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PairCell {
    /// Index of the axis shown horizontally.
    pub x: usize,
    /// Index of the axis shown vertically.
    pub y: usize,
    /// The subplot's plot area.
    pub area: Rect,
    /// Whether the subplot is in the first column (draws y labels and title).
    pub first_col: bool,
    /// Whether the subplot is in the last row (draws x labels and title).
    pub last_row: bool,
}

impl PairCell {
    /// The subplot's axes: labels and titles (`x_title`, `y_title`) only on the grid's edges,
    /// 4 ticks each, text of size `font`.
    pub fn axes<'a>(&self, x_title: &'a str, y_title: &'a str, font: f64) -> AxesStyle<'a> {
        AxesStyle {
            x_title: self.last_row.then_some(x_title),
            y_title: self.first_col.then_some(y_title),
            x_labels: self.last_row,
            y_labels: self.first_col,
            x_ticks: 4,
            y_ticks: 4,
            font,
            ..AxesStyle::default()
        }
    }
}

/// The part of `area` that the subplots of a lower-triangular grid of every pair of the
/// `scales` (k ≥ 2 axes) fill: what is left after room on the left and at the bottom for tick
/// labels (font size `font`) and titles.
pub(crate) fn pair_grid(area: Rect, scales: &[Scale], font: f64) -> Rect {
    let n = scales.len() - 1;
    let edge = AxesStyle {
        x_title: Some(""),
        y_title: Some(""),
        x_ticks: 4,
        y_ticks: 4,
        font,
        ..AxesStyle::default()
    };
    let left = 12.0
        + scales[1..]
            .iter()
            .map(|s| y_axis_room(s, &edge))
            .fold(0.0, f64::max);
    let guess_w = (area.w - left) / n as f64;
    let bottom = 8.0
        + scales[..n]
            .iter()
            .map(|s| x_axis_room(s, &edge, guess_w))
            .fold(0.0, f64::max);
    area.inset(left, 6.0, 24.0, bottom)
}

/// The cells of a lower-triangular grid of every pair of the `scales` (k ≥ 2 axes) in `area`:
/// row `r` shows axis `r + 1` vertically, column `c ≤ r` shows axis `c` horizontally, leaving
/// room on the left and at the bottom for tick labels (font size `font`) and titles. Also
/// returns the empty top-right cell of the grid, if any (room for a legend).
pub(crate) fn pair_cells(area: Rect, scales: &[Scale], font: f64) -> (Vec<PairCell>, Option<Rect>) {
    let k = scales.len();
    if k < 2 {
        return (Vec::new(), None);
    }
    let n = k - 1;
    let grid = pair_grid(area, scales, font);
    let gap = 8.0;
    let cw = ((grid.w - gap * (n - 1) as f64) / n as f64).max(0.0);
    let ch = ((grid.h - gap * (n - 1) as f64) / n as f64).max(0.0);
    let cell = |r: usize, col: usize| {
        Rect::new(
            grid.x + col as f64 * (cw + gap),
            grid.y + r as f64 * (ch + gap),
            cw,
            ch,
        )
    };
    let mut cells = Vec::with_capacity(n * (n + 1) / 2);
    for r in 0..n {
        for col in 0..=r {
            cells.push(PairCell {
                x: col,
                y: r + 1,
                area: cell(r, col),
                first_col: col == 0,
                last_row: r == n - 1,
            });
        }
    }
    let free = (n >= 2).then(|| {
        let a = cell(0, n - 1);
        // The top-right cell and the one left of it are both empty when n ≥ 3.
        if n >= 3 {
            let b = cell(0, n - 2);
            Rect::new(b.x, a.y, a.right() - b.x, a.h)
        } else {
            a
        }
    });
    (cells, free)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert!((quantile(&v, 0.25) - 1.75).abs() < 1e-12);
        assert_eq!(quantile(&[7.0], 0.3), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn legend_avoids_marks() {
        let area = Rect::new(0.0, 0.0, 400.0, 300.0);
        let items = [LegendItem::new(
            "Complete",
            crate::legend::Mark::Dot(crate::color::named::BLUE),
        )];
        // Marks in the top right and top left: the legend goes to the bottom right.
        let marks: Vec<(f64, f64)> = (0..50)
            .flat_map(|i| [(390.0 - i as f64, 10.0), (10.0 + i as f64, 10.0)])
            .collect();
        let mut c = Canvas::new(400.0, 300.0);
        legend_in_emptiest_corner(&mut c, area, &items, &marks);
        let svg = c.finish();
        let doc_y: f64 = svg
            .lines()
            .find(|l| l.contains("fill-opacity=\"0.85\""))
            .and_then(|l| l.split("y=\"").nth(1))
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap();
        assert!(doc_y > 200.0, "legend at y = {doc_y}");
    }

    #[test]
    fn pair_grid_is_lower_triangular() {
        let scales = vec![Scale::linear(0.0, 1.0); 4];
        let (cells, free) = pair_cells(Rect::new(0.0, 0.0, 800.0, 600.0), &scales, 10.0);
        assert_eq!(cells.len(), 6);
        assert!(cells.iter().all(|c| c.x < c.y));
        assert_eq!(cells.iter().filter(|c| c.first_col).count(), 3);
        assert_eq!(cells.iter().filter(|c| c.last_row).count(), 3);
        assert!(free.is_some());
        let (cells, free) = pair_cells(Rect::new(0.0, 0.0, 800.0, 600.0), &scales[..2], 10.0);
        assert_eq!(cells.len(), 1);
        assert!(free.is_none());
    }

    #[test]
    fn crosses_and_jitter() {
        assert_eq!(cross_path(10.0, 10.0, 2.0), "M8 8L12 12M8 12L12 8");
        for n in 0..100 {
            let j = jitter(n);
            assert!((-0.5..0.5).contains(&j));
        }
    }
}
