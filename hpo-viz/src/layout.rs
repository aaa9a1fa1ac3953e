//! Page layout: rectangles, grids of subplots (small multiples), and the [`Page`] every figure
//! is drawn on (white page, centred title, optional subtitle).

use crate::canvas::{Canvas, TextStyle, VAlign, truncate};
use crate::color::named;
use crate::figure::Figure;
use crate::options::PlotOptions;

/// An axis-aligned rectangle in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// A rectangle.
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect {
            x,
            y,
            w: w.max(0.0),
            h: h.max(0.0),
        }
    }

    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }

    /// Centre x.
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }

    /// Centre y.
    pub fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }

    /// Shrunk by the given margins (never below zero size).
    pub fn inset(&self, left: f64, top: f64, right: f64, bottom: f64) -> Rect {
        Rect::new(
            self.x + left,
            self.y + top,
            self.w - left - right,
            self.h - top - bottom,
        )
    }

    /// Splits off a strip of width `w` on the right: (rest, strip).
    pub fn split_right(&self, w: f64) -> (Rect, Rect) {
        let w = w.min(self.w);
        (
            Rect::new(self.x, self.y, self.w - w, self.h),
            Rect::new(self.right() - w, self.y, w, self.h),
        )
    }

    /// Splits off a strip of height `h` at the top: (strip, rest).
    pub fn split_top(&self, h: f64) -> (Rect, Rect) {
        let h = h.min(self.h);
        (
            Rect::new(self.x, self.y, self.w, h),
            Rect::new(self.x, self.y + h, self.w, self.h - h),
        )
    }
}

/// Rows and columns for `n` subplots in a `w` × `h` area: cells close to `aspect` (width /
/// height), few empty cells, and at most `max_cols` columns.
pub(crate) fn grid_shape(n: usize, w: f64, h: f64, aspect: f64, max_cols: usize) -> (usize, usize) {
    if n <= 1 {
        return (1, 1);
    }
    let max_cols = max_cols.clamp(1, n);
    let mut best = (n, 1);
    let mut best_score = f64::INFINITY;
    for cols in 1..=max_cols {
        let rows = n.div_ceil(cols);
        let cell = (w / cols as f64) / (h / rows as f64);
        let score = (cell / aspect).ln().abs() + 0.15 * (rows * cols - n) as f64;
        if score < best_score {
            best_score = score;
            best = (rows, cols);
        }
    }
    best
}

/// The first `n` cells of a `rows` × `cols` grid over `area`, row by row, with gaps.
pub(crate) fn grid(
    area: Rect,
    rows: usize,
    cols: usize,
    n: usize,
    gap_x: f64,
    gap_y: f64,
) -> Vec<Rect> {
    let rows = rows.max(1);
    let cols = cols.max(1);
    let cw = (area.w - gap_x * (cols - 1) as f64) / cols as f64;
    let ch = (area.h - gap_y * (rows - 1) as f64) / rows as f64;
    (0..n.min(rows * cols))
        .map(|i| {
            let (r, c) = (i / cols, i % cols);
            Rect::new(
                area.x + c as f64 * (cw + gap_x),
                area.y + r as f64 * (ch + gap_y),
                cw,
                ch,
            )
        })
        .collect()
}

/// The page a figure is drawn on: a white canvas with the title centred at the top.
#[derive(Debug)]
pub(crate) struct Page {
    /// The canvas to draw on.
    pub canvas: Canvas,
    title: String,
    width: u32,
    height: u32,
    top: f64,
}

/// Height of the title band.
const TITLE_BAND: f64 = 40.0;

impl Page {
    /// A page of `width` × `height` pixels titled `title`.
    pub fn new(title: &str, width: u32, height: u32) -> Page {
        let mut canvas = Canvas::new(width as f64, height as f64);
        canvas.text(
            width as f64 / 2.0,
            14.0,
            &truncate(title, 110),
            &TextStyle::new(17.0).middle().valign(VAlign::Top).bold(),
        );
        Page {
            canvas,
            title: title.to_owned(),
            width,
            height,
            top: TITLE_BAND,
        }
    }

    /// A page of the options' size.
    pub fn from_options(title: &str, options: &PlotOptions) -> Page {
        let (w, h) = options.dimensions();
        Page::new(title, w, h)
    }

    /// A page of the options' width and at least `min_height` pixels tall (for grids of many
    /// subplots).
    pub fn with_min_height(title: &str, options: &PlotOptions, min_height: u32) -> Page {
        let (w, h) = options.dimensions();
        Page::new(title, w, h.max(min_height))
    }

    /// Adds a grey note line under the title (call before [`Page::body`]).
    pub fn subtitle(&mut self, text: &str) {
        self.canvas.text(
            self.width as f64 / 2.0,
            self.top - 4.0,
            &truncate(text, 140),
            &TextStyle::new(12.0)
                .middle()
                .valign(VAlign::Top)
                .color(named::MUTED),
        );
        self.top += 16.0;
    }

    /// The free area under the title band.
    pub fn body(&self) -> Rect {
        Rect::new(
            0.0,
            self.top,
            self.width as f64,
            self.height as f64 - self.top,
        )
    }

    /// The finished figure; `notice` is set when the plot had nothing to draw.
    pub fn finish(self, notice: Option<String>) -> Figure {
        Figure::new(
            self.canvas.finish(),
            self.width,
            self.height,
            self.title,
            notice,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_shapes() {
        assert_eq!(grid_shape(1, 900.0, 600.0, 1.2, 4), (1, 1));
        assert_eq!(grid_shape(2, 900.0, 600.0, 1.2, 4), (1, 2));
        assert_eq!(grid_shape(4, 900.0, 600.0, 1.2, 4), (2, 2));
        let (r, c) = grid_shape(9, 900.0, 600.0, 1.2, 4);
        assert!(r * c >= 9 && c <= 4);
    }

    #[test]
    fn grid_cells_fit() {
        let area = Rect::new(10.0, 10.0, 300.0, 200.0);
        let cells = grid(area, 2, 3, 5, 10.0, 10.0);
        assert_eq!(cells.len(), 5);
        for c in &cells {
            assert!(c.x >= area.x && c.right() <= area.right() + 1e-9);
            assert!(c.y >= area.y && c.bottom() <= area.bottom() + 1e-9);
        }
    }
}
