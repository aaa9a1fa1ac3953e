//! Parsing `#[space(...)]` attributes into plain values, with duplicate and unknown keys
//! reported at their spans (serde_derive's `internals/attr.rs`).

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{Expr, LitStr, Token};

use crate::ctxt::Ctxt;

/// One attribute key with the path it was written with (for spans) and its value.
pub struct Attr<T> {
    name: &'static str,
    value: Option<(syn::Path, T)>,
}

impl<T> Attr<T> {
    fn none(name: &'static str) -> Self {
        Attr { name, value: None }
    }

    fn set(&mut self, cx: &Ctxt, path: &syn::Path, value: T) {
        if self.value.is_some() {
            cx.error_spanned_by(
                path,
                format!("duplicate key `{}` in #[space(...)]", self.name),
            );
        } else {
            self.value = Some((path.clone(), value));
        }
    }

    /// The value, if the key was given.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref().map(|(_, v)| v)
    }

    /// The path the key was written with (for error spans).
    pub fn path(&self) -> Option<&syn::Path> {
        self.value.as_ref().map(|(p, _)| p)
    }

    /// Whether the key was given.
    pub fn is_set(&self) -> bool {
        self.value.is_some()
    }
}

/// `low, high` of a range.
#[derive(Clone)]
pub struct Bounds {
    /// Lower bound, as written.
    pub low: Expr,
    /// Upper bound, as written.
    pub high: Expr,
}

/// Keys a field accepts.
pub const FIELD_KEYS: &[&str] = &[
    "float", "int", "log", "step", "choice", "len", "rename", "flatten", "skip", "fixed",
];
/// Keys a container accepts.
pub const CONTAINER_KEYS: &[&str] = &["rename_all", "crate"];
/// Keys a variant accepts.
pub const VARIANT_KEYS: &[&str] = &["rename"];

/// Everything `#[space(...)]` can say about a field.
pub struct FieldAttrs {
    pub float: Attr<Bounds>,
    pub int: Attr<Bounds>,
    pub log: Attr<()>,
    pub step: Attr<Expr>,
    pub choice: Attr<Vec<Expr>>,
    pub len: Attr<Bounds>,
    pub rename: Attr<LitStr>,
    pub flatten: Attr<()>,
    pub skip: Attr<()>,
    pub fixed: Attr<Expr>,
    /// An unknown key was reported: later checks stay quiet about what it may have meant.
    pub had_unknown: bool,
}

/// Everything `#[space(...)]` can say about a struct or enum.
pub struct ContainerAttrs {
    pub rename_all: Attr<LitStr>,
    pub krate: Attr<syn::Path>,
}

/// Everything `#[space(...)]` can say about an enum variant.
pub struct VariantAttrs {
    pub rename: Attr<LitStr>,
}

fn bounds(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<Bounds> {
    let content;
    syn::parenthesized!(content in meta.input);
    let args = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
    let mut it = args.into_iter();
    match (it.next(), it.next(), it.next()) {
        (Some(low), Some(high), None) => Ok(Bounds { low, high }),
        _ => Err(meta.error(format!("`{key}` takes two arguments: `{key}(low, high)`"))),
    }
}

/// Skips whatever follows an unknown key: `(...)` or `= value`.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    } else if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    }
    Ok(())
}

/// Optimal string alignment distance (Damerau–Levenshtein without editing a substring twice),
/// for "did you mean" hints: inserting, deleting or substituting a character, or swapping two
/// adjacent ones, each costs 1, so the transposition `lgo` is one edit from `log`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: the distance between the first i characters of `a` and the first j of `b`.
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The known key `key` most likely meant: the closest by [`distance`] when at most a third of
/// its characters are wrong (at least one may be; ties go to the key listed first), else a
/// known key that it starts, or that starts it (`logscale` for `log`).
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let allowed = key.chars().count().max(3) / 3;
    let nearest = known
        .iter()
        .enumerate()
        .map(|(i, k)| (distance(key, k), i, *k))
        .min()
        .filter(|(d, _, _)| *d <= allowed)
        .map(|(_, _, k)| k);
    nearest.or_else(|| {
        known
            .iter()
            .copied()
            .find(|k| (key.chars().count() >= 3 && k.starts_with(key)) || key.starts_with(k))
    })
}

/// "unknown key `x`", with the closest known key when one is close.
pub fn unknown_key_message(key: &str, known: &[&str]) -> String {
    let mut msg = format!("unknown key `{key}` in #[space(...)]");
    match closest(key, known) {
        Some(k) => msg.push_str(&format!("; did you mean `{k}`?")),
        None => msg.push_str(&format!("; expected one of: {}", known.join(", "))),
    }
    msg
}

fn key_of(meta: &ParseNestedMeta<'_>) -> String {
    let path = &meta.path;
    path.get_ident()
        .map(ToString::to_string)
        .unwrap_or_else(|| quote::quote!(#path).to_string().replace(' ', ""))
}

/// Runs `on_key` on every key of the `#[space(...)]` attributes in `attrs`, with the key's name;
/// it returns `Ok(false)` for a key it does not know, which is reported (with the closest of
/// `known`) and skipped. Returns whether there was an unknown key.
fn parse_keys(
    cx: &Ctxt,
    attrs: &[syn::Attribute],
    known: &[&str],
    mut on_key: impl FnMut(&ParseNestedMeta<'_>, &str) -> syn::Result<bool>,
) -> bool {
    let mut had_unknown = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("space")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            if !on_key(&meta, &key)? {
                cx.error_spanned_by(&meta.path, unknown_key_message(&key, known));
                had_unknown = true;
                skip_value(&meta)?;
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    had_unknown
}

/// Parses a field's `#[space(...)]` attributes.
pub fn field(cx: &Ctxt, attrs: &[syn::Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs {
        float: Attr::none("float"),
        int: Attr::none("int"),
        log: Attr::none("log"),
        step: Attr::none("step"),
        choice: Attr::none("choice"),
        len: Attr::none("len"),
        rename: Attr::none("rename"),
        flatten: Attr::none("flatten"),
        skip: Attr::none("skip"),
        fixed: Attr::none("fixed"),
        had_unknown: false,
    };
    out.had_unknown = parse_keys(cx, attrs, FIELD_KEYS, |meta, key| {
        let path = &meta.path;
        match key {
            "float" => out.float.set(cx, path, bounds(meta, "float")?),
            "int" => out.int.set(cx, path, bounds(meta, "int")?),
            "len" => out.len.set(cx, path, bounds(meta, "len")?),
            "log" => out.log.set(cx, path, ()),
            "flatten" => out.flatten.set(cx, path, ()),
            "skip" => out.skip.set(cx, path, ()),
            "step" => out.step.set(cx, path, meta.value()?.parse()?),
            "fixed" => out.fixed.set(cx, path, meta.value()?.parse()?),
            "rename" => out.rename.set(cx, path, meta.value()?.parse()?),
            "choice" => {
                let content;
                syn::parenthesized!(content in meta.input);
                let items = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
                out.choice.set(cx, path, items.into_iter().collect());
            }
            _ => return Ok(false),
        }
        Ok(true)
    });
    out
}

/// Parses a container's `#[space(...)]` attributes.
pub fn container(cx: &Ctxt, attrs: &[syn::Attribute]) -> ContainerAttrs {
    let mut out = ContainerAttrs {
        rename_all: Attr::none("rename_all"),
        krate: Attr::none("crate"),
    };
    parse_keys(cx, attrs, CONTAINER_KEYS, |meta, key| {
        let path = &meta.path;
        match key {
            "rename_all" => out.rename_all.set(cx, path, meta.value()?.parse()?),
            "crate" => {
                let lit: LitStr = meta.value()?.parse()?;
                out.krate.set(cx, path, lit.parse()?);
            }
            _ => return Ok(false),
        }
        Ok(true)
    });
    out
}

/// Parses a variant's `#[space(...)]` attributes.
pub fn variant(cx: &Ctxt, attrs: &[syn::Attribute]) -> VariantAttrs {
    let mut out = VariantAttrs {
        rename: Attr::none("rename"),
    };
    parse_keys(cx, attrs, VARIANT_KEYS, |meta, key| {
        match key {
            "rename" => out.rename.set(cx, &meta.path, meta.value()?.parse()?),
            _ => return Ok(false),
        }
        Ok(true)
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_field_key() {
        let field: syn::Field = syn::parse_quote! {
            #[space(float(1e-5, 1e-1), log, rename = "learning_rate")]
            lr: f64
        };
        let cx = Ctxt::default();
        let a = super::field(&cx, &field.attrs);
        cx.check().unwrap();
        assert!(a.float.is_set() && a.log.is_set());
        assert_eq!(a.rename.get().unwrap().value(), "learning_rate");
        let field: syn::Field = syn::parse_quote! {
            #[space(len(1, 4), int(32, 256), step = 2)]
            #[space(choice("a", "b"))]
            h: Vec<i64>
        };
        let cx = Ctxt::default();
        let a = super::field(&cx, &field.attrs);
        cx.check().unwrap();
        assert!(a.len.is_set() && a.int.is_set() && a.step.is_set());
        assert_eq!(a.choice.get().unwrap().len(), 2);
    }

    #[test]
    fn duplicate_and_unknown_keys_are_all_reported() {
        let field: syn::Field = syn::parse_quote! {
            #[space(float(0.0, 1.0), float(0.0, 2.0), flaot(1, 2), stp = 3, log)]
            x: f64
        };
        let cx = Ctxt::default();
        let a = super::field(&cx, &field.attrs);
        assert!(a.log.is_set(), "parsing goes on after errors");
        let err = cx.check().unwrap_err();
        let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("duplicate key `float`"));
        assert!(messages[1].contains("did you mean `float`"));
        assert!(messages[2].contains("did you mean `step`"));
    }

    #[test]
    fn wrong_arity_is_an_error() {
        let field: syn::Field = syn::parse_quote! { #[space(float(1.0))] x: f64 };
        let cx = Ctxt::default();
        super::field(&cx, &field.attrs);
        assert!(
            cx.check()
                .unwrap_err()
                .to_string()
                .contains("two arguments")
        );
    }

    #[test]
    fn distance_counts_a_transposition_as_one_edit() {
        use super::distance;
        assert_eq!(distance("lgo", "log"), 1);
        assert_eq!(distance("setp", "step"), 1);
        assert_eq!(distance("lgo", "len"), 2);
        assert_eq!(distance("flaot", "float"), 1);
        assert_eq!(distance("", "log"), 3);
        assert_eq!(distance("log", ""), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        // Optimal string alignment: no substring is edited twice, so `ca` -> `abc` costs 3.
        assert_eq!(distance("ca", "abc"), 3);
    }

    #[test]
    fn typos_suggest_the_closest_key() {
        for (typo, meant) in [
            ("lgo", "log"),
            ("setp", "step"),
            ("lne", "len"),
            ("flaot", "float"),
            ("stp", "step"),
            ("chioce", "choice"),
            ("logscale", "log"),
            ("flat", "float"),
        ] {
            let m = unknown_key_message(typo, FIELD_KEYS);
            assert!(
                m.ends_with(&format!("did you mean `{meant}`?")),
                "{typo}: {m}"
            );
        }
        let m = unknown_key_message("rename_al", CONTAINER_KEYS);
        assert!(m.ends_with("did you mean `rename_all`?"), "{m}");
        let m = unknown_key_message("renmae", VARIANT_KEYS);
        assert!(m.ends_with("did you mean `rename`?"), "{m}");
        // Two edits in three characters is no longer a likely typo.
        let m = unknown_key_message("lgx", FIELD_KEYS);
        assert!(m.contains("expected one of: float, int, log"), "{m}");
    }

    #[test]
    fn far_keys_list_the_known_ones() {
        let m = unknown_key_message("zzzzzz", CONTAINER_KEYS);
        assert!(m.contains("expected one of: rename_all, crate"), "{m}");
    }
}
