//! An SVG builder: shapes, text, groups, clip paths, gradients and tooltips, written compactly
//! (coordinates with at most two decimals) with every piece of user text XML-escaped.
//!
//! The output is plain SVG 1.1 that resvg renders and browsers display; text uses the
//! `sans-serif` family (the PNG renderer maps it to an embedded font).

use std::borrow::Cow;
use std::fmt::{self, Write};

use crate::color::Color;

/// A number written compactly: rounded to two decimals, trailing zeros dropped (`12`, `3.5`,
/// `-0.25`); non-finite values are written as `0`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct N(pub f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if !x.is_finite() {
            return f.write_str("0");
        }
        let hundredths = (x * 100.0).round();
        if hundredths.abs() < 9.0e15 {
            let h = hundredths as i64;
            if h == 0 {
                return f.write_str("0");
            }
            let sign = if h < 0 { "-" } else { "" };
            let a = h.unsigned_abs();
            let (int, frac) = (a / 100, a % 100);
            return match frac {
                0 => write!(f, "{sign}{int}"),
                _ if frac % 10 == 0 => write!(f, "{sign}{int}.{}", frac / 10),
                _ => write!(f, "{sign}{int}.{frac:02}"),
            };
        }
        write!(f, "{x:.0}")
    }
}

/// `s` with `&`, `<`, `>`, `"` and `'` escaped for XML text and attribute values; control
/// characters other than tab and newline (invalid in XML) are dropped. Safe for HTML text and
/// quoted attribute values too (the dashboard escapes every user string with it).
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| {
        matches!(c, '&' | '<' | '>' | '"' | '\'') || (c.is_control() && c != '\t' && c != '\n')
    }) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// An estimate of the rendered width of `s` at font size `size` (pixels), for layout.
pub(crate) fn text_width(s: &str, size: f64) -> f64 {
    let units: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.3,
            'm' | 'w' | 'M' | 'W' => 0.85,
            c if c.is_ascii_uppercase() => 0.65,
            c if c.is_ascii_digit() => 0.55,
            _ => 0.52,
        })
        .sum();
    units * size
}

/// `s` shortened to at most `max` characters, with an ellipsis when cut.
pub(crate) fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    let keep: String = s.chars().take(max.saturating_sub(1)).collect();
    Cow::Owned(format!("{keep}…"))
}

/// A fill or stroke paint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Paint {
    /// `none`.
    None,
    /// A solid colour.
    Color(Color),
    /// A gradient defined with [`Canvas::linear_gradient`].
    Gradient(Gradient),
}

impl fmt::Display for Paint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Paint::None => f.write_str("none"),
            Paint::Color(c) => c.fmt(f),
            Paint::Gradient(g) => write!(f, "url(#g{})", g.0),
        }
    }
}

/// A handle on a gradient defined in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Gradient(u32);

/// A handle on a clip path defined in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Clip(u32);

/// Presentation attributes of a shape or group; unset fields are inherited (SVG defaults at the
/// root: black fill, no stroke).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Style {
    /// Fill paint.
    pub fill: Option<Paint>,
    /// Stroke paint.
    pub stroke: Option<Paint>,
    /// Stroke width.
    pub stroke_width: Option<f64>,
    /// Fill opacity.
    pub fill_opacity: Option<f64>,
    /// Stroke opacity.
    pub stroke_opacity: Option<f64>,
    /// Stroke dash array, e.g. `"4 3"`.
    pub dash: Option<&'static str>,
}

impl Style {
    /// Nothing set (everything inherited).
    pub fn new() -> Style {
        Style::default()
    }

    /// Filled with `c`, no stroke.
    pub fn filled(c: Color) -> Style {
        Style {
            fill: Some(Paint::Color(c)),
            stroke: Some(Paint::None),
            ..Style::default()
        }
    }

    /// Stroked with `c` at width `w`, no fill.
    pub fn stroked(c: Color, w: f64) -> Style {
        Style {
            fill: Some(Paint::None),
            stroke: Some(Paint::Color(c)),
            stroke_width: Some(w),
            ..Style::default()
        }
    }

    /// Sets the fill colour.
    pub fn fill(mut self, c: Color) -> Style {
        self.fill = Some(Paint::Color(c));
        self
    }

    /// Sets the fill paint.
    pub fn fill_paint(mut self, p: Paint) -> Style {
        self.fill = Some(p);
        self
    }

    /// Sets the stroke.
    pub fn stroke(mut self, c: Color, w: f64) -> Style {
        self.stroke = Some(Paint::Color(c));
        self.stroke_width = Some(w);
        self
    }

    hpo_core::setters! {
        /// Sets the fill opacity.
        pub fn fill_opacity(a: f64) => self.fill_opacity = Some;

        /// Sets the stroke opacity.
        pub fn stroke_opacity(a: f64) => self.stroke_opacity = Some;

        /// Sets a dash pattern.
        pub fn dash(d: &'static str) => self.dash = Some;
    }

    fn write(&self, out: &mut String) {
        if let Some(p) = self.fill {
            let _ = write!(out, " fill=\"{p}\"");
        }
        if let Some(a) = self.fill_opacity {
            let _ = write!(out, " fill-opacity=\"{}\"", N(a));
        }
        if let Some(p) = self.stroke {
            let _ = write!(out, " stroke=\"{p}\"");
        }
        if let Some(w) = self.stroke_width {
            let _ = write!(out, " stroke-width=\"{}\"", N(w));
        }
        if let Some(a) = self.stroke_opacity {
            let _ = write!(out, " stroke-opacity=\"{}\"", N(a));
        }
        if let Some(d) = self.dash {
            let _ = write!(out, " stroke-dasharray=\"{d}\"");
        }
    }
}

/// Horizontal text anchor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// Text starts at x.
    #[default]
    Start,
    /// Text is centred on x.
    Middle,
    /// Text ends at x.
    End,
}

/// Vertical placement of text relative to y.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum VAlign {
    /// y is the baseline.
    #[default]
    Baseline,
    /// y is the vertical middle of the text.
    Middle,
    /// y is the top of the text.
    Top,
}

/// How a piece of text is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TextStyle {
    /// Font size in pixels.
    pub size: f64,
    /// Horizontal anchor.
    pub anchor: Anchor,
    /// Vertical placement.
    pub valign: VAlign,
    /// Colour.
    pub color: Color,
    /// Bold weight.
    pub bold: bool,
    /// Rotation in degrees around the anchor point (negative: counter-clockwise).
    pub rotate: f64,
    /// A white outline behind the glyphs, so labels stay readable over lines.
    pub halo: bool,
}

impl TextStyle {
    /// Body text of `size` pixels, left-anchored on the baseline.
    pub fn new(size: f64) -> TextStyle {
        TextStyle {
            size,
            anchor: Anchor::Start,
            valign: VAlign::Baseline,
            color: crate::color::named::TEXT,
            bold: false,
            rotate: 0.0,
            halo: false,
        }
    }

    /// Sets the anchor.
    pub fn anchor(mut self, a: Anchor) -> TextStyle {
        self.anchor = a;
        self
    }

    /// Centred horizontally.
    pub fn middle(self) -> TextStyle {
        self.anchor(Anchor::Middle)
    }

    /// Right-aligned.
    pub fn end(self) -> TextStyle {
        self.anchor(Anchor::End)
    }

    hpo_core::setters! {
        /// Sets the vertical placement.
        pub fn valign(v: VAlign) => self.valign;

        /// Sets the colour.
        pub fn color(c: Color) => self.color;
    }

    /// Bold.
    pub fn bold(mut self) -> TextStyle {
        self.bold = true;
        self
    }

    /// Rotated by `deg` degrees around the anchor point.
    pub fn rotate(mut self, deg: f64) -> TextStyle {
        self.rotate = deg;
        self
    }

    /// With a white outline behind the glyphs.
    pub fn halo(mut self) -> TextStyle {
        self.halo = true;
        self
    }
}

/// Attributes of a group.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Group<'a> {
    /// Presentation attributes inherited by the children.
    pub style: Style,
    /// A clip path.
    pub clip: Option<Clip>,
    /// A `class` attribute (lets tests and stylesheets find parts of a figure).
    pub class: Option<&'a str>,
    /// A `data-name` attribute (for example the parameter a subplot shows).
    pub name: Option<&'a str>,
}

impl<'a> Group<'a> {
    /// A group with nothing set.
    pub fn new() -> Group<'a> {
        Group::default()
    }

    /// Sets the inherited style.
    pub fn style(mut self, s: Style) -> Group<'a> {
        self.style = s;
        self
    }

    /// Sets the clip path.
    pub fn clip(mut self, c: Clip) -> Group<'a> {
        self.clip = Some(c);
        self
    }

    /// Sets the class.
    pub fn class(mut self, c: &'a str) -> Group<'a> {
        self.class = Some(c);
        self
    }

    /// Sets the `data-name` attribute.
    pub fn name(mut self, n: &'a str) -> Group<'a> {
        self.name = Some(n);
        self
    }
}

/// An SVG document under construction.
#[derive(Debug)]
pub(crate) struct Canvas {
    out: String,
    width: f64,
    next_id: u32,
    open_groups: usize,
}

impl Canvas {
    /// A `width` × `height` document with a white background and the sans-serif family.
    pub fn new(width: f64, height: f64) -> Canvas {
        let mut out = String::with_capacity(16 * 1024);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\">\n\
             <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
            w = N(width),
            h = N(height),
        );
        Canvas {
            out,
            width,
            next_id: 0,
            open_groups: 0,
        }
    }

    /// Document width.
    pub fn width(&self) -> f64 {
        self.width
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    /// A line segment.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, style: &Style) {
        let attrs = [("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2)];
        self.open_element("line", &attrs, style);
        self.out.push_str("/>\n");
    }

    /// An open polyline; it is never filled unless the style sets a fill.
    pub fn polyline(&mut self, points: &[(f64, f64)], style: &Style) {
        let mut s = *style;
        if s.fill.is_none() {
            s.fill = Some(Paint::None);
        }
        self.points_element("polyline", points, &s);
    }

    /// A closed polygon.
    pub fn polygon(&mut self, points: &[(f64, f64)], style: &Style) {
        self.points_element("polygon", points, style);
    }

    /// `<tag points="…" style/>`, or nothing without points.
    fn points_element(&mut self, tag: &str, points: &[(f64, f64)], style: &Style) {
        if points.is_empty() {
            return;
        }
        let _ = write!(self.out, "<{tag} points=\"");
        write_points(&mut self.out, points);
        self.out.push('"');
        style.write(&mut self.out);
        self.out.push_str("/>\n");
    }

    /// A path from SVG path data (`d`); numbers in `d` should already be compact.
    pub fn path(&mut self, d: &str, style: &Style) {
        let _ = write!(self.out, "<path d=\"{}\"", escape(d));
        style.write(&mut self.out);
        self.out.push_str("/>\n");
    }

    /// A rectangle (negative sizes are normalised).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, style: &Style) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        let attrs = [("x", x), ("y", y), ("width", w), ("height", h)];
        self.open_element("rect", &attrs, style);
        self.out.push_str("/>\n");
    }

    /// A circle.
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, style: &Style) {
        self.open_element("circle", &[("cx", cx), ("cy", cy), ("r", r)], style);
        self.out.push_str("/>\n");
    }

    /// A circle with a tooltip (an SVG `<title>` child).
    pub fn circle_tip(&mut self, cx: f64, cy: f64, r: f64, style: &Style, tip: &str) {
        self.open_element("circle", &[("cx", cx), ("cy", cy), ("r", r)], style);
        let _ = writeln!(self.out, "><title>{}</title></circle>", escape(tip));
    }

    /// `<tag name="number"…` with the style's attributes, the start tag left open.
    fn open_element(&mut self, tag: &str, attrs: &[(&str, f64)], style: &Style) {
        let _ = write!(self.out, "<{tag}");
        for (name, value) in attrs {
            let _ = write!(self.out, " {name}=\"{}\"", N(*value));
        }
        style.write(&mut self.out);
    }

    /// A single line of text.
    pub fn text(&mut self, x: f64, y: f64, text: &str, style: &TextStyle) {
        self.open_text(x, y, style);
        let _ = writeln!(self.out, "{}</text>", escape(text));
    }

    /// Lines of text, one under the other `line_height` apart, the first placed as
    /// [`Canvas::text`] places its line; one `<text>` element with a `<tspan>` per line, so that
    /// the element's text is the lines joined (keep separators at the ends of lines to make it
    /// the original text).
    pub fn text_lines(
        &mut self,
        x: f64,
        y: f64,
        lines: &[&str],
        line_height: f64,
        style: &TextStyle,
    ) {
        self.open_text(x, y, style);
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(self.out, "<tspan x=\"{}\"", N(x));
            if i > 0 {
                let _ = write!(self.out, " dy=\"{}\"", N(line_height));
            }
            let _ = write!(self.out, ">{}</tspan>", escape(line));
        }
        self.out.push_str("</text>\n");
    }

    /// Writes the opening `<text ...>` tag for text at `(x, y)` in `style`.
    fn open_text(&mut self, x: f64, y: f64, style: &TextStyle) {
        let dy = match style.valign {
            VAlign::Baseline => 0.0,
            VAlign::Middle => 0.35 * style.size,
            VAlign::Top => 0.8 * style.size,
        };
        let _ = write!(self.out, "<text x=\"{}\" y=\"{}\"", N(x), N(y));
        if dy != 0.0 {
            let _ = write!(self.out, " dy=\"{}\"", N(dy));
        }
        let _ = write!(
            self.out,
            " font-size=\"{}\" fill=\"{}\"",
            N(style.size),
            style.color
        );
        match style.anchor {
            Anchor::Start => {}
            Anchor::Middle => self.out.push_str(" text-anchor=\"middle\""),
            Anchor::End => self.out.push_str(" text-anchor=\"end\""),
        }
        if style.bold {
            self.out.push_str(" font-weight=\"bold\"");
        }
        if style.halo {
            self.out.push_str(
                " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"",
            );
        }
        if style.rotate != 0.0 {
            let _ = write!(
                self.out,
                " transform=\"rotate({} {} {})\"",
                N(style.rotate),
                N(x),
                N(y)
            );
        }
        self.out.push('>');
    }

    /// Opens a group; close it with [`Canvas::end_group`].
    pub fn begin_group(&mut self, group: &Group<'_>) {
        self.out.push_str("<g");
        if let Some(c) = group.class {
            let _ = write!(self.out, " class=\"{}\"", escape(c));
        }
        if let Some(n) = group.name {
            let _ = write!(self.out, " data-name=\"{}\"", escape(n));
        }
        if let Some(c) = group.clip {
            let _ = write!(self.out, " clip-path=\"url(#c{})\"", c.0);
        }
        group.style.write(&mut self.out);
        self.out.push_str(">\n");
        self.open_groups += 1;
    }

    /// Closes the innermost open group.
    pub fn end_group(&mut self) {
        if self.open_groups > 0 {
            self.out.push_str("</g>\n");
            self.open_groups -= 1;
        }
    }

    /// Draws what `f` draws inside a group carrying a tooltip.
    pub fn titled(&mut self, title: &str, f: impl FnOnce(&mut Canvas)) {
        let _ = writeln!(self.out, "<g><title>{}</title>", escape(title));
        self.open_groups += 1;
        f(self);
        self.end_group();
    }

    /// Defines a rectangular clip path.
    pub fn clip_rect(&mut self, x: f64, y: f64, w: f64, h: f64) -> Clip {
        let id = self.id();
        let _ = writeln!(
            self.out,
            "<defs><clipPath id=\"c{id}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
            N(x),
            N(y),
            N(w.max(0.0)),
            N(h.max(0.0))
        );
        Clip(id)
    }

    /// Defines a linear gradient through `stops` (offset in `[0, 1]`, colour), running from
    /// bottom to top when `vertical`, else left to right.
    pub fn linear_gradient(&mut self, stops: &[(f64, Color)], vertical: bool) -> Gradient {
        let id = self.id();
        let (x2, y1) = if vertical { (0, 1) } else { (1, 0) };
        let _ = write!(
            self.out,
            "<defs><linearGradient id=\"g{id}\" x1=\"0\" y1=\"{y1}\" x2=\"{x2}\" y2=\"0\">"
        );
        for (o, c) in stops {
            let _ = write!(
                self.out,
                "<stop offset=\"{}\" stop-color=\"{c}\"/>",
                N(o.clamp(0.0, 1.0))
            );
        }
        self.out.push_str("</linearGradient></defs>\n");
        Gradient(id)
    }

    /// The finished document (closing any group left open).
    pub fn finish(mut self) -> String {
        while self.open_groups > 0 {
            self.end_group();
        }
        self.out.push_str("</svg>\n");
        self.out
    }
}

fn write_points(out: &mut String, points: &[(f64, f64)]) {
    for (i, (x, y)) in points.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{},{}", N(*x), N(*y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color::named;

    #[test]
    fn numbers_are_compact() {
        let s = |x: f64| N(x).to_string();
        assert_eq!(s(12.0), "12");
        assert_eq!(s(3.5), "3.5");
        assert_eq!(s(-0.25), "-0.25");
        assert_eq!(s(0.004), "0");
        assert_eq!(s(-0.004), "0");
        assert_eq!(s(1.005), "1");
        assert_eq!(s(-1.256), "-1.26");
        assert_eq!(s(0.1), "0.1");
        assert_eq!(s(f64::NAN), "0");
        assert_eq!(s(1e300), format!("{:.0}", 1e300));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a<b & 'c'"), "a&lt;b &amp; &apos;c&apos;");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("bell\u{7}"), "bell");
    }

    #[test]
    fn document_is_well_formed() {
        let mut c = Canvas::new(100.0, 50.0);
        let clip = c.clip_rect(0.0, 0.0, 50.0, 50.0);
        c.begin_group(
            &Group::new()
                .clip(clip)
                .class("x")
                .style(Style::filled(named::BLUE)),
        );
        c.circle_tip(1.0, 2.0, 3.0, &Style::new(), "t<1>");
        c.polyline(&[(0.0, 0.0), (1.0, 1.0)], &Style::stroked(named::RED, 1.0));
        c.text(
            5.0,
            5.0,
            "a & b",
            &TextStyle::new(12.0).middle().rotate(-90.0),
        );
        let g = c.linear_gradient(&[(0.0, named::WHITE), (1.0, named::BLACK)], true);
        c.rect(
            0.0,
            0.0,
            -5.0,
            5.0,
            &Style::new().fill_paint(Paint::Gradient(g)),
        );
        let svg = c.finish();
        assert!(svg.contains("fill=\"none\""));
        assert!(svg.contains("width=\"5\""));
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
        assert!(svg.contains("t&lt;1&gt;"));
    }

    #[test]
    fn lines_are_tspans_of_one_text() {
        let mut c = Canvas::new(100.0, 50.0);
        c.text_lines(
            10.0,
            20.0,
            &["Objective ", "Value"],
            13.5,
            &TextStyle::new(11.5).middle(),
        );
        let svg = c.finish();
        assert!(
            svg.contains(
                "text-anchor=\"middle\"><tspan x=\"10\">Objective </tspan>\
                 <tspan x=\"10\" dy=\"13.5\">Value</tspan></text>\n"
            ),
            "{svg}"
        );
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let text = doc.descendants().find(|n| n.has_tag_name("text")).unwrap();
        let joined: String = text
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(joined, "Objective Value");
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
