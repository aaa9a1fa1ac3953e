//! From `syn` input to the checked IR: every misuse becomes an error at the offending attribute
//! or field, and all errors of an item are collected (serde_derive's `internals/check.rs`).

use std::collections::HashSet;

use quote::{ToTokens, quote};
use syn::{Expr, Lit, Type, UnOp};

use crate::ast::{Container, Data, Field, FieldKind, Leaf, Variant, VariantStyle, Wrapper};
use crate::attr::{self, Bounds, FieldAttrs};
use crate::case;
use crate::ctxt::Ctxt;

/// What a field's type is, syntactically.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum TypeKind {
    Float,
    Int,
    Bool,
    Str,
    Other,
    Unsupported,
}

const INTS: &[&str] = &[
    "i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize",
];

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        Type::Group(g) => last_segment(&g.elem),
        Type::Paren(p) => last_segment(&p.elem),
        _ => None,
    }
}

fn classify(ty: &Type) -> TypeKind {
    match ty {
        Type::Path(_) | Type::Group(_) | Type::Paren(_) => {}
        _ => return TypeKind::Unsupported,
    }
    let Some(seg) = last_segment(ty) else {
        return TypeKind::Unsupported;
    };
    let name = seg.ident.to_string();
    let plain = seg.arguments.is_none();
    match name.as_str() {
        "f32" | "f64" if plain => TypeKind::Float,
        n if plain && INTS.contains(&n) => TypeKind::Int,
        "bool" if plain => TypeKind::Bool,
        "String" if plain => TypeKind::Str,
        _ => TypeKind::Other,
    }
}

/// `T` of `Option<T>` / `Vec<T>`.
fn unwrap_generic<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let seg = last_segment(ty)?;
    if seg.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [syn::GenericArgument::Type(t)] => Some(t),
        _ => None,
    }
}

/// The kind of a literal, as written (a leading `-` allowed on numbers).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LitKind {
    Str,
    Int,
    Float,
    Bool,
}

impl LitKind {
    fn describe(self) -> &'static str {
        match self {
            LitKind::Str => "string",
            LitKind::Int => "integer",
            LitKind::Float => "float",
            LitKind::Bool => "boolean",
        }
    }
}

fn literal(expr: &Expr) -> Option<(LitKind, Option<f64>)> {
    match expr {
        Expr::Lit(l) => match &l.lit {
            Lit::Str(_) => Some((LitKind::Str, None)),
            Lit::Bool(_) => Some((LitKind::Bool, None)),
            Lit::Int(i) => Some((LitKind::Int, i.base10_parse::<f64>().ok())),
            Lit::Float(f) => Some((LitKind::Float, f.base10_parse::<f64>().ok())),
            _ => None,
        },
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match literal(&u.expr)? {
            (k @ (LitKind::Int | LitKind::Float), Some(v)) => Some((k, Some(-v))),
            _ => None,
        },
        Expr::Group(g) => literal(&g.expr),
        Expr::Paren(p) => literal(&p.expr),
        _ => None,
    }
}

/// The numeric value of a literal expression, if it is one.
fn number(expr: &Expr) -> Option<f64> {
    literal(expr).and_then(|(_, v)| v)
}

fn type_name(ty: &Type) -> String {
    let mut s = ty.to_token_stream().to_string();
    for (from, to) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        (" ::", "::"),
        (":: ", "::"),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// Checks a `float(..)` / `int(..)` range with its `log` / `step`.
fn check_range(cx: &Ctxt, key: &str, b: &Bounds, a: &FieldAttrs, int: bool) {
    let (low, high) = (number(&b.low), number(&b.high));
    if let (Some(l), Some(h)) = (low, high)
        && l > h
    {
        let (lo, hi) = (&b.low, &b.high);
        cx.error_spanned_by(
            quote!(#lo, #hi),
            format!("`{key}` range is empty: low ({l}) is greater than high ({h})"),
        );
    }
    if a.log.is_set() {
        let min = if int { 1.0 } else { 0.0 };
        if let Some(l) = low
            && (l < min || (!int && l <= 0.0))
        {
            let need = if int { "low >= 1" } else { "low > 0" };
            cx.error_spanned_by(
                &b.low,
                format!("a log-scale range needs {need}, but low is {l}"),
            );
        }
        if let Some(p) = a.step.path() {
            cx.error_spanned_by(p, "`step` cannot be combined with `log`");
        }
    }
    if let Some(step) = a.step.get()
        && let Some(s) = number(step)
        && s <= 0.0
    {
        cx.error_spanned_by(step, format!("`step` must be > 0, but it is {s}"));
    }
    if int
        && let Some(step) = a.step.get()
        && literal(step).is_some_and(|(k, _)| k == LitKind::Float)
    {
        cx.error_spanned_by(step, "an `int(...)` range takes an integer `step`");
    }
}

/// Builds the leaf of a field from its attributes and (inner) type.
fn leaf(cx: &Ctxt, field: &syn::Field, a: &FieldAttrs, ty: &Type, wrapped: bool) -> Option<Leaf> {
    let kind = classify(ty);
    let ident = field.ident.as_ref();
    let ranges: Vec<(&str, &syn::Path)> = [
        ("float", a.float.path()),
        ("int", a.int.path()),
        ("choice", a.choice.path()),
    ]
    .into_iter()
    .filter_map(|(k, p)| p.map(|p| (k, p)))
    .collect();
    if let [(first, _), (second, path), ..] = ranges.as_slice() {
        cx.error_spanned_by(
            *path,
            format!("`{second}` cannot be combined with `{first}`"),
        );
        return None;
    }
    if kind == TypeKind::Unsupported
        || unwrap_generic(ty, "Option").is_some()
        || unwrap_generic(ty, "Vec").is_some()
    {
        let hint = if wrapped {
            "; `Option` and `Vec` do not nest"
        } else {
            ""
        };
        cx.error_spanned_by(
            ty,
            format!(
                "unsupported field type `{}`: use f32/f64, an integer, bool, String with \
                 `choice(...)`, Option<T>, Vec<T> with `len(...)`, or a type deriving \
                 SearchSpace{hint}",
                type_name(ty)
            ),
        );
        return None;
    }
    if let Some(b) = a.float.get() {
        match kind {
            TypeKind::Float | TypeKind::Other => {}
            TypeKind::Int => {
                cx.error_spanned_by(
                    a.float.path(),
                    "`float(...)` on an integer field; use `int(...)`",
                );
                return None;
            }
            _ => {
                cx.error_spanned_by(
                    a.float.path(),
                    format!(
                        "`float(...)` needs an f32 or f64 field, not `{}`",
                        type_name(ty)
                    ),
                );
                return None;
            }
        }
        check_range(cx, "float", b, a, false);
        return Some(Leaf::Float {
            ty: ty.clone(),
            low: b.low.clone(),
            high: b.high.clone(),
            log: a.log.is_set(),
            step: a.step.get().cloned(),
        });
    }
    if let Some(b) = a.int.get() {
        match kind {
            TypeKind::Int | TypeKind::Other => {}
            TypeKind::Float => {
                cx.error_spanned_by(
                    a.int.path(),
                    "`int(...)` on a float field; use `float(...)`",
                );
                return None;
            }
            _ => {
                cx.error_spanned_by(
                    a.int.path(),
                    format!("`int(...)` needs an integer field, not `{}`", type_name(ty)),
                );
                return None;
            }
        }
        check_range(cx, "int", b, a, true);
        return Some(Leaf::Int {
            ty: ty.clone(),
            low: b.low.clone(),
            high: b.high.clone(),
            log: a.log.is_set(),
            step: a.step.get().cloned(),
        });
    }
    for (key, path) in [("log", a.log.path()), ("step", a.step.path())] {
        if let Some(p) = path {
            cx.error_spanned_by(
                p,
                format!("`{key}` needs a `float(...)` or `int(...)` range"),
            );
        }
    }
    if let Some(items) = a.choice.get() {
        let path = a.choice.path();
        if items.is_empty() {
            cx.error_spanned_by(path, "`choice()` needs at least one value");
            return None;
        }
        let mut first: Option<LitKind> = None;
        let mut ok = true;
        for item in items {
            match literal(item) {
                None => {
                    cx.error_spanned_by(
                        item,
                        "choices must be literals: strings, numbers or booleans",
                    );
                    ok = false;
                }
                Some((k, _)) => match first {
                    None => first = Some(k),
                    Some(f) if f != k => {
                        cx.error_spanned_by(
                            item,
                            format!(
                                "choices mix {} and {} literals; all choices must have one type",
                                f.describe(),
                                k.describe()
                            ),
                        );
                        ok = false;
                    }
                    Some(_) => {}
                },
            }
        }
        let expected = match first {
            Some(LitKind::Str) => TypeKind::Str,
            Some(LitKind::Int) => TypeKind::Int,
            Some(LitKind::Float) => TypeKind::Float,
            Some(LitKind::Bool) => TypeKind::Bool,
            None => return None,
        };
        if ok && kind != expected && kind != TypeKind::Other {
            cx.error_spanned_by(
                ty,
                format!(
                    "{} choices need a field of a matching type, not `{}`",
                    first.map_or("", LitKind::describe),
                    type_name(ty)
                ),
            );
            return None;
        }
        return ok.then(|| Leaf::Choice {
            ty: ty.clone(),
            items: items.clone(),
        });
    }
    if a.had_unknown && matches!(kind, TypeKind::Float | TypeKind::Int | TypeKind::Str) {
        // The unknown key was probably meant as the range: one error is enough.
        return None;
    }
    match kind {
        TypeKind::Float | TypeKind::Int => {
            let example = if kind == TypeKind::Float {
                "float(0.0, 1.0)"
            } else {
                "int(1, 10)"
            };
            cx.error_spanned_by(
                quote!(#ident: #ty),
                format!(
                    "field `{}` of type `{}` needs a range, e.g. #[space({example})], or \
                     #[space(skip)] to keep it out of the space",
                    ident.map(ToString::to_string).unwrap_or_default(),
                    type_name(ty)
                ),
            );
            None
        }
        TypeKind::Str => {
            cx.error_spanned_by(
                quote!(#ident: #ty),
                "a String field needs its values: #[space(choice(\"a\", \"b\"))]",
            );
            None
        }
        TypeKind::Bool => Some(Leaf::Bool),
        TypeKind::Other => Some(Leaf::Nested {
            ty: ty.clone(),
            flatten: a.flatten.is_set() && !wrapped,
        }),
        TypeKind::Unsupported => None,
    }
}

/// Checks one named field.
fn field(cx: &Ctxt, f: &syn::Field) -> Option<Field> {
    let a = attr::field(cx, &f.attrs);
    let ident = f.ident.clone()?;
    let name = match a.rename.get() {
        Some(lit) => {
            let v = lit.value();
            if v.is_empty() || v.contains('.') {
                cx.error_spanned_by(lit, "a parameter name must be non-empty and contain no `.`");
            }
            v
        }
        None => ident.to_string(),
    };
    if a.skip.is_set() || a.fixed.is_set() {
        let (this, this_path) = if a.skip.is_set() {
            ("skip", a.skip.path())
        } else {
            ("fixed", a.fixed.path())
        };
        let others = [
            ("float", a.float.path()),
            ("int", a.int.path()),
            ("log", a.log.path()),
            ("step", a.step.path()),
            ("choice", a.choice.path()),
            ("len", a.len.path()),
            ("flatten", a.flatten.path()),
            ("rename", a.rename.path()),
        ];
        for (key, p) in others {
            if let Some(p) = p {
                cx.error_spanned_by(p, format!("`{key}` cannot be combined with `{this}`"));
            }
        }
        if a.skip.is_set() && a.fixed.is_set() {
            cx.error_spanned_by(a.fixed.path(), "`fixed` cannot be combined with `skip`");
        }
        let _ = this_path;
        return Some(Field {
            ident,
            name,
            kind: FieldKind::Fixed(a.fixed.get().cloned()),
        });
    }
    let ty = &f.ty;
    let (wrapper, inner) = if let Some(inner) = unwrap_generic(ty, "Option") {
        (Wrapper::Option, inner)
    } else if let Some(inner) = unwrap_generic(ty, "Vec") {
        match a.len.get() {
            Some(b) => {
                let (l, h) = (number(&b.low), number(&b.high));
                if let (Some(l), Some(h)) = (l, h)
                    && l > h
                {
                    let (lo, hi) = (&b.low, &b.high);
                    cx.error_spanned_by(
                        quote!(#lo, #hi),
                        format!("`len` range is empty: low ({l}) is greater than high ({h})"),
                    );
                }
                if l.is_some_and(|l| l < 0.0) {
                    cx.error_spanned_by(&b.low, "a length cannot be negative");
                }
                (
                    Wrapper::Vec {
                        low: b.low.clone(),
                        high: b.high.clone(),
                    },
                    inner,
                )
            }
            None => {
                cx.error_spanned_by(
                    quote!(#ident: #ty),
                    format!("`Vec` field `{ident}` needs the range of its length: #[space(len(1, 4), ...)]"),
                );
                return None;
            }
        }
    } else {
        (Wrapper::None, ty)
    };
    if a.len.is_set() && !matches!(wrapper, Wrapper::Vec { .. }) {
        cx.error_spanned_by(a.len.path(), "`len(...)` is for `Vec` fields");
    }
    let wrapped = !matches!(wrapper, Wrapper::None);
    let leaf = leaf(cx, f, &a, inner, wrapped)?;
    if let Some(p) = a.flatten.path()
        && !matches!(leaf, Leaf::Nested { flatten: true, .. })
    {
        cx.error_spanned_by(
            p,
            "`flatten` is for fields whose type derives SearchSpace (not in Option or Vec)",
        );
    }
    Some(Field {
        ident,
        name,
        kind: FieldKind::Sampled { wrapper, leaf },
    })
}

fn fields(cx: &Ctxt, named: &syn::FieldsNamed) -> Vec<Field> {
    let out: Vec<Field> = named.named.iter().filter_map(|f| field(cx, f)).collect();
    let mut seen = HashSet::new();
    for (f, syn_f) in out
        .iter()
        .zip(named.named.iter().filter(|f| f.ident.is_some()))
    {
        if matches!(
            f.kind,
            FieldKind::Sampled {
                leaf: Leaf::Nested { flatten: true, .. },
                ..
            }
        ) || matches!(f.kind, FieldKind::Fixed(_))
        {
            continue;
        }
        if !seen.insert(f.name.clone()) {
            cx.error_spanned_by(
                &syn_f.ident,
                format!("two fields use the parameter name `{}`", f.name),
            );
        }
    }
    out
}

/// Checks a whole derive input.
pub fn container(cx: &Ctxt, input: &syn::DeriveInput) -> Option<Container> {
    let a = attr::container(cx, &input.attrs);
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "SearchSpace cannot be derived for generic types",
        );
    }
    let rule = match a.rename_all.get() {
        Some(lit) => {
            let rule = lit.value();
            if case::apply(&rule, "X").is_none() {
                cx.error_spanned_by(
                    lit,
                    format!(
                        "unknown `rename_all` rule `{rule}`; expected one of: {}",
                        case::RULES.join(", ")
                    ),
                );
            }
            rule
        }
        None => "snake_case".to_owned(),
    };
    let krate = a
        .krate
        .get()
        .cloned()
        .unwrap_or_else(|| syn::parse_quote!(::hpo));
    let data = match &input.data {
        syn::Data::Struct(s) => match &s.fields {
            syn::Fields::Named(named) => Data::Struct(fields(cx, named)),
            syn::Fields::Unit => Data::Struct(Vec::new()),
            syn::Fields::Unnamed(_) => {
                cx.error_spanned_by(&input.ident, "SearchSpace can be derived for structs with named fields, unit structs and enums, not tuple structs");
                return None;
            }
        },
        syn::Data::Enum(e) => {
            if e.variants.is_empty() {
                cx.error_spanned_by(&input.ident, "an enum without variants cannot be sampled");
                return None;
            }
            let mut variants = Vec::new();
            let mut seen = HashSet::new();
            for v in &e.variants {
                let va = attr::variant(cx, &v.attrs);
                let name = match va.rename.get() {
                    Some(lit) => lit.value(),
                    None => case::apply(&rule, &v.ident.to_string())
                        .unwrap_or_else(|| v.ident.to_string()),
                };
                if name.is_empty() || name.contains('.') {
                    cx.error_spanned_by(
                        &v.ident,
                        "a variant name must be non-empty and contain no `.`",
                    );
                }
                if !seen.insert(name.clone()) {
                    cx.error_spanned_by(&v.ident, format!("two variants use the name `{name}`"));
                }
                let style = match &v.fields {
                    syn::Fields::Unit => VariantStyle::Unit,
                    syn::Fields::Named(named) => VariantStyle::Named(fields(cx, named)),
                    syn::Fields::Unnamed(u) if u.unnamed.len() == 1 => {
                        let f = &u.unnamed[0];
                        if let Some(attr) = f.attrs.iter().find(|a| a.path().is_ident("space")) {
                            cx.error_spanned_by(attr, "a newtype variant's field is a nested space; put ranges on the fields of its type");
                        }
                        VariantStyle::Newtype(f.ty.clone())
                    }
                    syn::Fields::Unnamed(u) => {
                        cx.error_spanned_by(u, "a tuple variant may hold one type deriving SearchSpace; use named fields for more");
                        continue;
                    }
                };
                variants.push(Variant {
                    ident: v.ident.clone(),
                    name,
                    style,
                });
            }
            Data::Enum(variants)
        }
        syn::Data::Union(_) => {
            cx.error_spanned_by(&input.ident, "SearchSpace cannot be derived for unions");
            return None;
        }
    };
    let key = case::apply("snake_case", &input.ident.to_string()).unwrap_or_default();
    Some(Container {
        ident: input.ident.clone(),
        krate,
        key,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(input: syn::DeriveInput) -> Vec<String> {
        let cx = Ctxt::default();
        container(&cx, &input);
        cx.check()
            .err()
            .map(|e| e.into_iter().map(|e| e.to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_correct_struct_has_no_errors() {
        let input: syn::DeriveInput = syn::parse_quote! {
            struct Config {
                #[space(float(1e-5, 1e-1), log)] lr: f64,
                #[space(int(16, 256), step = 16)] batch: i64,
                #[space(choice("relu", "tanh"))] act: String,
                #[space(len(1, 4), int(32, 256), log)] hidden: Vec<i64>,
                #[space(float(0.0, 0.5))] dropout: Option<f64>,
                use_bias: bool,
                optimizer: Optimizer,
                #[space(flatten)] common: Common,
                #[space(skip)] seed: u64,
                #[space(fixed = 20)] epochs: u32,
            }
        };
        assert!(errors(input).is_empty());
    }

    #[test]
    fn every_misuse_is_reported_once() {
        let input: syn::DeriveInput = syn::parse_quote! {
            struct Bad {
                no_range: f64,
                #[space(float(1.0, 0.0))] empty: f64,
                #[space(float(0.0, 1.0), log)] log_zero: f64,
                #[space(float(0.1, 1.0), log, step = 0.1)] log_step: f64,
                reference: &'static str,
                #[space(choice("a", 1))] mixed: String,
                #[space(int(0, 10))] int_on_float: f64,
                #[space(float(0.0, 1.0), int(0, 1))] two_ranges: f64,
                names: String,
                #[space(int(1, 4))] list: Vec<i64>,
                #[space(len(1, 2))] not_a_vec: bool,
            }
        };
        let e = errors(input);
        let expect = [
            "field `no_range` of type `f64` needs a range",
            "low (1) is greater than high (0)",
            "a log-scale range needs low > 0, but low is 0",
            "`step` cannot be combined with `log`",
            "unsupported field type `&'static str`",
            "choices mix string and integer literals",
            "`int(...)` on a float field",
            "`int` cannot be combined with `float`",
            "a String field needs its values",
            "`Vec` field `list` needs the range of its length",
            "`len(...)` is for `Vec` fields",
        ];
        assert_eq!(e.len(), expect.len(), "{e:#?}");
        for (got, want) in e.iter().zip(expect) {
            assert!(got.contains(want), "`{got}` should contain `{want}`");
        }
    }

    #[test]
    fn enums_and_containers() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[space(rename_all = "kebab-case")]
            enum Opt { RmsProp, Sgd { #[space(float(0.0, 0.99))] momentum: f64 }, Wrapped(Inner) }
        };
        let cx = Ctxt::default();
        let c = container(&cx, &input).unwrap();
        cx.check().unwrap();
        let Data::Enum(v) = c.data else { panic!() };
        assert_eq!(
            v.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
            ["rms-prop", "sgd", "wrapped"]
        );
        assert_eq!(c.key, "opt");
        let e = errors(syn::parse_quote! { enum E {} });
        assert!(e[0].contains("without variants"));
        let e = errors(syn::parse_quote! { struct T(f64); });
        assert!(e[0].contains("not tuple structs"));
        let e = errors(
            syn::parse_quote! { #[space(rename_all = "Title")] enum E { A, #[space(rename = "a")] B } },
        );
        assert!(e[0].contains("unknown `rename_all` rule"), "{e:?}");
        let e = errors(syn::parse_quote! { enum E { A, #[space(rename = "a")] B } });
        assert!(e[0].contains("two variants use the name `a`"), "{e:?}");
        let e = errors(syn::parse_quote! { struct G<T> { #[space(skip)] t: T } });
        assert!(e[0].contains("generic"), "{e:?}");
    }

    #[test]
    fn duplicate_param_names() {
        let e = errors(syn::parse_quote! {
            struct D { #[space(float(0.0, 1.0))] a: f64, #[space(float(0.0, 1.0), rename = "a")] b: f64 }
        });
        assert!(
            e[0].contains("two fields use the parameter name `a`"),
            "{e:?}"
        );
    }
}
