//! [`Figure`]: a rendered plot as SVG text, convertible to PNG and HTML and savable by extension.

use std::path::Path;

use hpo_core::Error;

use crate::canvas::escape;

/// A rendered plot: standalone SVG text plus its size, title and, when the plot had nothing to
/// draw, a notice explaining why (the SVG then shows that message centred).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figure {
    svg: String,
    width: u32,
    height: u32,
    title: String,
    notice: Option<String>,
}

impl Figure {
    pub(crate) fn new(
        svg: String,
        width: u32,
        height: u32,
        title: String,
        notice: Option<String>,
    ) -> Figure {
        Figure {
            svg,
            width,
            height,
            title,
            notice,
        }
    }

    /// The SVG document (UTF-8, no external resources).
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// The SVG document, owned.
    pub fn into_svg(self) -> String {
        self.svg
    }

    /// The figure's title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Why the figure is empty (for example ``study `x` has no completed trials``), or `None`
    /// when it shows data.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Width in SVG pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in SVG pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The figure as a PNG image at twice the SVG size (crisp on high-density screens; at the SVG
    /// size for figures beyond 3000 × 3000 pixels), drawn with an embedded font: no system font
    /// or graphics library is needed.
    pub fn to_png(&self) -> hpo_core::Result<Vec<u8>> {
        crate::png::render(&self.svg, self.width, self.height)
    }

    /// A standalone HTML page showing the figure (inline SVG, no scripts, no external
    /// resources).
    pub fn to_html(&self) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
             <title>{title}</title>\n<style>{css}</style>\n</head>\n<body>\n{svg}</body>\n</html>\n",
            title = escape(&self.title),
            css = PAGE_CSS,
            svg = self.svg,
        )
    }

    /// Writes the figure to `path` in the format its extension names: `.svg`, `.png`, or
    /// `.html`/`.htm` (case-insensitive). Any other extension is an
    /// [`InvalidArgument`](Error::InvalidArgument) error naming it.
    pub fn save(&self, path: impl AsRef<Path>) -> hpo_core::Result<()> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let bytes = match ext.as_deref() {
            Some("svg") => self.svg.clone().into_bytes(),
            Some("png") => self.to_png()?,
            Some("html" | "htm") => self.to_html().into_bytes(),
            Some(other) => {
                return Err(Error::InvalidArgument(format!(
                    "cannot save a figure as `.{other}` ({}): use .svg, .png or .html",
                    path.display()
                )));
            }
            None => {
                return Err(Error::InvalidArgument(format!(
                    "cannot tell the format of `{}` without an extension: use .svg, .png or .html",
                    path.display()
                )));
            }
        };
        std::fs::write(path, bytes)?;
        Ok(())
    }
}

/// Styles shared by the standalone page and the report.
pub(crate) const PAGE_CSS: &str = "body{margin:0;padding:16px;background:#f4f5f7;color:#2a2f3a;\
font-family:system-ui,-apple-system,'Segoe UI',Ubuntu,sans-serif}\
svg{display:block;max-width:100%;height:auto;background:#fff;border-radius:4px;\
box-shadow:0 1px 3px rgba(0,0,0,.15)}";
