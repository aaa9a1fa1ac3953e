//! Renaming variants: `snake_case` by default, or the container's `rename_all`.

/// The cases `rename_all` accepts.
pub const RULES: &[&str] = &[
    "snake_case",
    "lowercase",
    "UPPERCASE",
    "PascalCase",
    "camelCase",
    "kebab-case",
    "SCREAMING_SNAKE_CASE",
];

/// Splits a Rust identifier (`RmsProp`, `rms_prop`) into lowercase words.
fn words(ident: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = ident.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Applies a rule from [`RULES`]; `None` for an unknown rule.
pub fn apply(rule: &str, ident: &str) -> Option<String> {
    let w = words(ident);
    Some(match rule {
        "snake_case" => w.join("_"),
        "lowercase" => w.concat(),
        "UPPERCASE" => w.concat().to_uppercase(),
        "PascalCase" => w.iter().map(|s| capitalize(s)).collect(),
        "camelCase" => {
            let mut out = w.first().cloned().unwrap_or_default();
            out.extend(w.iter().skip(1).map(|s| capitalize(s)));
            out
        }
        "kebab-case" => w.join("-"),
        "SCREAMING_SNAKE_CASE" => w.join("_").to_uppercase(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::apply;

    #[test]
    fn rules() {
        assert_eq!(apply("snake_case", "RmsProp").unwrap(), "rms_prop");
        assert_eq!(apply("snake_case", "SGD").unwrap(), "sgd");
        assert_eq!(apply("snake_case", "AdamW").unwrap(), "adam_w");
        assert_eq!(apply("snake_case", "HTTPServer").unwrap(), "http_server");
        assert_eq!(apply("lowercase", "RmsProp").unwrap(), "rmsprop");
        assert_eq!(apply("kebab-case", "RmsProp").unwrap(), "rms-prop");
        assert_eq!(apply("camelCase", "RmsProp").unwrap(), "rmsProp");
        assert_eq!(apply("PascalCase", "rms_prop").unwrap(), "RmsProp");
        assert_eq!(
            apply("SCREAMING_SNAKE_CASE", "RmsProp").unwrap(),
            "RMS_PROP"
        );
        assert!(apply("Title Case", "X").is_none());
    }
}
