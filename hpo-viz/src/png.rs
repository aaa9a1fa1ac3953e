//! SVG to PNG with resvg and an embedded font database (Ubuntu Light for sans-serif text, Hack
//! for monospace): system fonts are never read, so output is the same on every machine.

use std::sync::{Arc, OnceLock};

use hpo_core::Error;
use resvg::{tiny_skia, usvg};

/// Pixels per SVG pixel in PNG output.
pub(crate) const PNG_SCALE: u32 = 2;
/// Above this many output pixels, PNGs are drawn at the SVG size instead (memory bound).
const MAX_SCALED_PIXELS: u64 = 36_000_000;

/// The PNG scale for a `width` × `height` figure: [`PNG_SCALE`], or 1 for huge figures.
pub(crate) fn png_scale(width: u32, height: u32) -> u32 {
    let scaled = (width as u64 * PNG_SCALE as u64) * (height as u64 * PNG_SCALE as u64);
    if scaled <= MAX_SCALED_PIXELS {
        PNG_SCALE
    } else {
        1
    }
}

struct Fonts {
    db: Arc<usvg::fontdb::Database>,
    sans: String,
}

/// The family name of the loaded face whose name contains `needle` (what SVG text must ask for).
fn family_of(db: &usvg::fontdb::Database, needle: &str) -> String {
    db.faces()
        .filter_map(|f| f.families.first().map(|(name, _)| name.clone()))
        .find(|name| {
            name.to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase())
        })
        .unwrap_or_else(|| needle.to_owned())
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(epaint_default_fonts::UBUNTU_LIGHT.to_vec());
        db.load_font_data(epaint_default_fonts::HACK_REGULAR.to_vec());
        let sans = family_of(&db, "Ubuntu");
        let mono = family_of(&db, "Hack");
        db.set_sans_serif_family(sans.clone());
        db.set_serif_family(sans.clone());
        db.set_cursive_family(sans.clone());
        db.set_fantasy_family(sans.clone());
        db.set_monospace_family(mono);
        Fonts {
            db: Arc::new(db),
            sans,
        }
    })
}

fn render_error(what: impl std::fmt::Display) -> Error {
    Error::Io(std::io::Error::other(format!(
        "cannot render the figure as PNG: {what}"
    )))
}

/// Renders `svg` (declared `width` × `height`) to PNG bytes at [`png_scale`] times the size,
/// on a white background.
pub(crate) fn render(svg: &str, width: u32, height: u32) -> hpo_core::Result<Vec<u8>> {
    let fonts = fonts();
    let options = usvg::Options {
        font_family: fonts.sans.clone(),
        fontdb: fonts.db.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(render_error)?;
    let scale = png_scale(width, height);
    let (w, h) = (width * scale, height * scale);
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).ok_or_else(|| render_error(format!("bad size {w}x{h}")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let size = tree.size();
    let sx = w as f32 / size.width();
    let sy = h as f32 / size.height();
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(sx, sy),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(render_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fonts_are_found() {
        let f = fonts();
        assert!(f.sans.to_ascii_lowercase().contains("ubuntu"), "{}", f.sans);
        assert_eq!(f.db.faces().count(), 2);
    }

    #[test]
    fn huge_figures_are_not_doubled() {
        assert_eq!(png_scale(900, 600), 2);
        assert_eq!(png_scale(5000, 5000), 1);
    }

    #[test]
    fn text_renders_ink() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20" font-family="sans-serif"><text x="2" y="15" font-size="14" fill="#000">Hi 12</text></svg>"##;
        let png = render(svg, 60, 20).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (120, 40));
        let dark = pixmap.pixels().iter().filter(|p| p.red() < 128).count();
        assert!(dark > 20, "text should leave ink, got {dark} dark pixels");
    }
}
