//! Helpers the plot tests share: a deterministic pseudo-random number, and SVG and PNG
//! checks.

use hpo_viz::Figure;

/// A deterministic pseudo-random number in [0, 1).
pub fn unit(seed: u64) -> f64 {
    let mut x = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(0x632b_e59b_d9b4_e019);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses the SVG, checks its size and title, and returns the text of its `<text>` elements.
pub fn check_svg(fig: &Figure, context: &str) -> String {
    let doc = roxmltree::Document::parse(fig.svg())
        .unwrap_or_else(|e| panic!("{context}: SVG does not parse: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{context}");
    assert_eq!(
        root.attribute("width"),
        Some(fig.width().to_string().as_str()),
        "{context}"
    );
    assert_eq!(
        root.attribute("height"),
        Some(fig.height().to_string().as_str()),
        "{context}"
    );
    let text: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        text.contains(&fig.title()),
        "{context}: title `{}` not drawn",
        fig.title()
    );
    text.join("\n")
}

/// Renders the PNG and checks its signature and its size (twice the figure's).
pub fn check_png(fig: &Figure, context: &str) {
    let png = fig.to_png().unwrap_or_else(|e| panic!("{context}: {e}"));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{context}");
    let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((w, h), (fig.width() * 2, fig.height() * 2), "{context}");
}

/// The number of elements with class `class`.
pub fn count_class(svg: &str, class: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.attribute("class") == Some(class))
        .count()
}
