//! Building blocks of the pages: the page shell, escaping, and how values, times and states are
//! written. Every string that comes from a study (names, choices, attribute keys and values,
//! fail reasons) goes through [`esc`] before it reaches a page.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use hpo_core::{ParamValue, TrialState};

/// `s` escaped for HTML text and quoted attribute values (`&`, `<`, `>`, `"`, `'`; control
/// characters dropped): the one escaping function of hpo-viz's SVG writer.
pub(crate) fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    hpo_viz::escape(s)
}

/// A number as Python prints a float (`0.001`, `1e-05`, `inf`), as the CLI and Optuna show
/// values.
pub(crate) fn number(x: f64) -> String {
    ParamValue::Float(x).to_string()
}

/// A trial's values, comma-separated, or an em dash.
pub(crate) fn values(values: Option<&[f64]>) -> String {
    match values {
        Some(v) if !v.is_empty() => v.iter().map(|x| number(*x)).collect::<Vec<_>>().join(", "),
        _ => "—".to_owned(),
    }
}

/// A timestamp as `2026-12-06 13:05:07` (UTC), or an em dash.
pub(crate) fn datetime(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "—".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}

/// A duration as `1.234 s`, `12 min 5 s` or `3 h 2 min`, or an em dash.
pub(crate) fn duration(d: Option<chrono::Duration>) -> String {
    let Some(d) = d else {
        return "—".to_owned();
    };
    let ms = d.num_milliseconds().max(0);
    if ms < 60_000 {
        format!("{:.3} s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("{} min {} s", ms / 60_000, (ms / 1000) % 60)
    } else {
        format!("{} h {} min", ms / 3_600_000, (ms / 60_000) % 60)
    }
}

/// A state as a coloured label.
pub(crate) fn state(s: TrialState) -> String {
    format!(
        "<span class=\"state {}\">{}</span>",
        s.name().to_ascii_lowercase(),
        s.name()
    )
}

/// A JSON attribute value as text: strings without quotes, everything else as JSON.
pub(crate) fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The whole page around `body`: header with the storage label and a link home, the stylesheet
/// and the script, and the live stamp the script polls (`stamp_url`).
pub(crate) fn page(title: &str, label: &str, stamp_url: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} — hpo dashboard</title>\n<link rel=\"icon\" href=\"data:,\">\n\
         <link rel=\"stylesheet\" href=\"/static/style.css\">\n\
         <script src=\"/static/app.js\" defer></script>\n</head>\n\
         <body data-stamp-url=\"{stamp}\">\n<header><a class=\"home\" href=\"/\">hpo dashboard</a>\
         <span class=\"storage\" title=\"storage\">{label}</span>\
         <span id=\"live\" class=\"live\" title=\"updates live\">live</span></header>\n\
         <main>\n{body}</main>\n</body>\n</html>\n",
        title = esc(title),
        stamp = esc(stamp_url),
        label = esc(label),
    );
    out
}

/// A query string from pairs, each part percent-encoded (`?a=1&b=x%20y`), or "" for none.
pub(crate) fn query(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        out.push(if out.is_empty() { '?' } else { '&' });
        out.push_str(&encode(k));
        out.push('=');
        out.push_str(&encode(v));
    }
    out
}

/// Percent-encodes everything but unreserved characters.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_strings_are_escaped_and_urls_encoded() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(
            query(&[("params", "a b&c".into()), ("log", "1".into())]),
            "?params=a%20b%26c&log=1"
        );
        assert_eq!(query(&[]), "");
        let p = page("<b>", "<i>", "/api/stamp", "<p>body</p>");
        assert!(p.contains("<title>&lt;b&gt; — hpo dashboard</title>"));
        assert!(p.contains("&lt;i&gt;"));
        assert!(!p.contains("<b>") && !p.contains("<i>"));
    }

    #[test]
    fn numbers_times_and_durations_read_as_optuna_prints_them() {
        assert_eq!(number(0.001), "0.001");
        assert_eq!(number(1e-5), "1e-05");
        assert_eq!(values(Some(&[1.5, 2.0])), "1.5, 2.0");
        assert_eq!(values(None), "—");
        assert_eq!(
            duration(Some(chrono::Duration::milliseconds(1234))),
            "1.234 s"
        );
        assert_eq!(duration(Some(chrono::Duration::seconds(725))), "12 min 5 s");
        assert_eq!(
            duration(Some(chrono::Duration::seconds(3 * 3600 + 120))),
            "3 h 2 min"
        );
        assert_eq!(duration(None), "—");
        assert_eq!(json_text(&serde_json::json!("a<b")), "a<b");
        assert_eq!(json_text(&serde_json::json!([1, 2])), "[1,2]");
    }
}
