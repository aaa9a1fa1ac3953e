//! Colours: an RGB type, sequential colormaps (viridis, Optuna-like blues), a scale that maps
//! values onto a colormap (direction-aware: better values darker), and a categorical palette.

use std::fmt;

use hpo_core::StudyDirection;

/// An opaque sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Color {
    /// A colour from its channels.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Color {
        Color { r, g, b }
    }

    /// A colour from `0xRRGGBB`.
    pub const fn hex(v: u32) -> Color {
        Color::rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
    }

    /// Linear interpolation between `self` (t = 0) and `other` (t = 1).
    pub fn mix(self, other: Color, t: f64) -> Color {
        let t = t.clamp(0.0, 1.0);
        let f = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
        Color::rgb(f(self.r, other.r), f(self.g, other.g), f(self.b, other.b))
    }
}

impl fmt::Display for Color {
    /// `#rrggbb`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// Named colours used across the plots.
pub(crate) mod named {
    use super::Color;

    /// Body text.
    pub const TEXT: Color = Color::hex(0x2a2f3a);
    /// Secondary text (tick labels, notes).
    pub const MUTED: Color = Color::hex(0x5f6470);
    /// Axis lines and frames.
    pub const AXIS: Color = Color::hex(0x8a8f99);
    /// Grid lines.
    pub const GRID: Color = Color::hex(0xe6e8ec);
    /// Plot area background.
    pub const PANEL: Color = Color::hex(0xfbfbfc);
    /// Infeasible trials (Optuna's `#cccccc`).
    pub const INFEASIBLE: Color = Color::hex(0xcccccc);
    /// Plotly's first trace colour, used for objective dots.
    pub const BLUE: Color = Color::hex(0x636efa);
    /// Plotly's second trace colour, used for best-value lines.
    pub const RED: Color = Color::hex(0xef553b);
    /// Pruned trials.
    pub const ORANGE: Color = Color::hex(0xf28e2b);
    /// White.
    pub const WHITE: Color = Color::hex(0xffffff);
    /// Black.
    pub const BLACK: Color = Color::hex(0x000000);
}

/// A categorical palette (Tableau 10): distinct hues for series, objectives, states.
pub(crate) const PALETTE: [Color; 10] = [
    Color::hex(0x4e79a7),
    Color::hex(0xf28e2b),
    Color::hex(0xe15759),
    Color::hex(0x76b7b2),
    Color::hex(0x59a14f),
    Color::hex(0xedc948),
    Color::hex(0xb07aa1),
    Color::hex(0xff9da7),
    Color::hex(0x9c755f),
    Color::hex(0xbab0ac),
];

/// The `i`-th palette colour (cycling).
pub(crate) fn palette(i: usize) -> Color {
    PALETTE[i % PALETTE.len()]
}

const VIRIDIS: [Color; 11] = [
    Color::hex(0x440154),
    Color::hex(0x482475),
    Color::hex(0x414487),
    Color::hex(0x355f8d),
    Color::hex(0x2a788e),
    Color::hex(0x21918c),
    Color::hex(0x22a884),
    Color::hex(0x44bf70),
    Color::hex(0x7ad151),
    Color::hex(0xbddf26),
    Color::hex(0xfde725),
];

/// Plotly's `sequential.Blues`, Optuna's `COLOR_SCALE`.
const BLUES: [Color; 9] = [
    Color::rgb(247, 251, 255),
    Color::rgb(222, 235, 247),
    Color::rgb(198, 219, 239),
    Color::rgb(158, 202, 225),
    Color::rgb(107, 174, 214),
    Color::rgb(66, 146, 198),
    Color::rgb(33, 113, 181),
    Color::rgb(8, 81, 156),
    Color::rgb(8, 48, 107),
];

/// A sequential colormap, sampled at `t` in `[0, 1]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Colormap {
    /// Perceptually uniform, dark purple (0) to yellow (1); readable on white at both ends.
    Viridis,
    /// Optuna's blues, near white (0) to dark blue (1).
    Blues,
    /// Blues without the near-white end (from 0.25), so every value stays visible on white.
    BluesVisible,
}

impl Colormap {
    fn table(self) -> &'static [Color] {
        match self {
            Colormap::Viridis => &VIRIDIS,
            Colormap::Blues | Colormap::BluesVisible => &BLUES,
        }
    }

    /// The colour at `t` (clamped to `[0, 1]`; NaN gives the middle).
    pub fn at(self, t: f64) -> Color {
        let mut t = if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) };
        if self == Colormap::BluesVisible {
            t = 0.25 + 0.75 * t;
        }
        let table = self.table();
        let x = t * (table.len() - 1) as f64;
        let i = (x.floor() as usize).min(table.len() - 2);
        table[i].mix(table[i + 1], x - i as f64)
    }

    /// The end of the map (0 or 1) that is darkest.
    pub fn dark_end(self) -> f64 {
        match self {
            Colormap::Viridis => 0.0,
            Colormap::Blues | Colormap::BluesVisible => 1.0,
        }
    }
}

/// Maps values in `[lo, hi]` onto a colormap, optionally reversed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ColorScale {
    /// The colormap.
    pub map: Colormap,
    /// The value at the start of the map (the end when `reverse`).
    pub lo: f64,
    /// The value at the end of the map (the start when `reverse`).
    pub hi: f64,
    /// Whether `lo` maps to 1 and `hi` to 0.
    pub reverse: bool,
}

impl ColorScale {
    /// `lo..hi` onto `map`, not reversed. An empty or inverted range is widened.
    pub fn new(map: Colormap, lo: f64, hi: f64) -> ColorScale {
        let (lo, hi) = if !(lo.is_finite() && hi.is_finite()) {
            (0.0, 1.0)
        } else if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, lo + 0.5)
        };
        ColorScale {
            map,
            lo,
            hi,
            reverse: false,
        }
    }

    /// A scale where better values are darker: lower values are better when minimizing or for a
    /// custom target (`None`, as Optuna's reversed scale assumes), higher when maximizing.
    pub fn better_darker(
        map: Colormap,
        lo: f64,
        hi: f64,
        direction: Option<StudyDirection>,
    ) -> ColorScale {
        let lower_better = direction != Some(StudyDirection::Maximize);
        let mut s = ColorScale::new(map, lo, hi);
        // Not reversed: lo ↦ 0. Better (lo when lower is better) should map to the dark end.
        let lo_dark = map.dark_end() == 0.0;
        s.reverse = lower_better != lo_dark;
        s
    }

    /// The position of `v` on the map, in `[0, 1]`.
    pub fn t(&self, v: f64) -> f64 {
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        if self.reverse { 1.0 - t } else { t }
    }

    /// The colour of `v`.
    pub fn color(&self, v: f64) -> Color {
        self.map.at(self.t(v))
    }

    /// The colour of `v`, quantized to one of `levels` colours (so marks can share a group),
    /// with the bucket index.
    pub fn quantized(&self, v: f64, levels: usize) -> (usize, Color) {
        let levels = levels.max(2);
        let k = (self.t(v) * (levels - 1) as f64).round() as usize;
        (k, self.map.at(k as f64 / (levels - 1) as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colormap_ends_and_display() {
        assert_eq!(Colormap::Viridis.at(0.0).to_string(), "#440154");
        assert_eq!(Colormap::Viridis.at(1.0).to_string(), "#fde725");
        assert_eq!(Colormap::Blues.at(1.0), Color::rgb(8, 48, 107));
        assert_eq!(Colormap::Blues.at(f64::NAN), Colormap::Blues.at(0.5));
    }

    #[test]
    fn better_is_darker() {
        let lum = |c: Color| c.r as u32 + c.g as u32 + c.b as u32;
        for map in [Colormap::Viridis, Colormap::Blues] {
            let min = ColorScale::better_darker(map, 0.0, 10.0, Some(StudyDirection::Minimize));
            assert!(lum(min.color(0.0)) < lum(min.color(10.0)), "{map:?}");
            let max = ColorScale::better_darker(map, 0.0, 10.0, Some(StudyDirection::Maximize));
            assert!(lum(max.color(10.0)) < lum(max.color(0.0)), "{map:?}");
        }
    }

    #[test]
    fn degenerate_range_is_widened() {
        let s = ColorScale::new(Colormap::Viridis, 3.0, 3.0);
        assert!(s.hi > s.lo);
        assert_eq!(s.t(3.0), 0.5);
    }
}
