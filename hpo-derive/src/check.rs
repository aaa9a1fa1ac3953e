//! Validation of the IR (serde_derive's `internals/check.rs`): small `check_*` functions, each
//! reporting one kind of misuse at the offending attribute or field. All errors of an item are
//! collected, in source order, but a check whose finding makes the following ones meaningless
//! (two ranges on one field, a type that cannot be sampled) stops the checks of that field, so
//! one mistake gives one error.

use std::collections::HashSet;

use quote::quote;
use syn::{Expr, Type};

use crate::attr::FieldAttrs;
use crate::case;
use crate::ctxt::Ctxt;
use crate::ir::{Container, Data, Field, FieldKind, Leaf, Range, Variant, VariantStyle, Wrapper};
use crate::ty::{self, LitKind, TypeKind};

/// A check reported an error after which the other checks of the same field would only
/// repeat it.
struct Stop;

type Checked = Result<(), Stop>;

/// Reports every misuse in `c`.
pub fn check(cx: &Ctxt, c: &Container<'_>) {
    cx.extend(&c.attr_errors);
    check_not_generic(cx, c);
    check_rename_all(cx, c);
    match &c.data {
        Data::Struct(fields) => check_fields(cx, fields),
        Data::Enum(variants) => check_variants(cx, c, variants),
        Data::TupleStruct => cx.error_spanned_by(
            c.ident(),
            "SearchSpace can be derived for structs with named fields, unit structs and enums, \
             not tuple structs",
        ),
        Data::Union => cx.error_spanned_by(c.ident(), "SearchSpace cannot be derived for unions"),
    }
}

fn check_not_generic(cx: &Ctxt, c: &Container<'_>) {
    let generics = &c.original.generics;
    if !generics.params.is_empty() {
        cx.error_spanned_by(generics, "SearchSpace cannot be derived for generic types");
    }
}

fn check_rename_all(cx: &Ctxt, c: &Container<'_>) {
    if let Some(lit) = c.attrs.rename_all.get()
        && case::apply(&lit.value(), "X").is_none()
    {
        cx.error_spanned_by(
            lit,
            format!(
                "unknown `rename_all` rule `{}`; expected one of: {}",
                lit.value(),
                case::RULES.join(", ")
            ),
        );
    }
}

fn check_variants(cx: &Ctxt, c: &Container<'_>, variants: &[Variant<'_>]) {
    if variants.is_empty() {
        cx.error_spanned_by(c.ident(), "an enum without variants cannot be sampled");
        return;
    }
    let mut seen = HashSet::new();
    for v in variants {
        cx.extend(&v.attr_errors);
        check_param_name(cx, v.ident, &v.name, "a variant name");
        if !seen.insert(v.name.as_str()) {
            cx.error_spanned_by(v.ident, format!("two variants use the name `{}`", v.name));
        }
        match &v.style {
            VariantStyle::Unit => {}
            VariantStyle::Named(fields) => check_fields(cx, fields),
            VariantStyle::Newtype(f) => {
                if let Some(attr) = f.attrs.iter().find(|a| a.path().is_ident("space")) {
                    cx.error_spanned_by(
                        attr,
                        "a newtype variant's field is a nested space; put ranges on the fields \
                         of its type",
                    );
                }
            }
            VariantStyle::Tuple(u) => cx.error_spanned_by(
                u,
                "a tuple variant may hold one type deriving SearchSpace; use named fields for \
                 more",
            ),
        }
    }
}

/// A parameter or variant name is a component of dotted parameter names.
fn check_param_name<T: quote::ToTokens>(cx: &Ctxt, span: T, name: &str, what: &str) {
    if name.is_empty() || name.contains('.') {
        cx.error_spanned_by(span, format!("{what} must be non-empty and contain no `.`"));
    }
}

fn check_fields(cx: &Ctxt, fields: &[Field<'_>]) {
    let sound: Vec<&Field<'_>> = fields
        .iter()
        .filter(|f| check_field(cx, f).is_ok())
        .collect();
    check_unique_names(cx, &sound);
}

/// Two fields may not write the same parameter (a field with errors is left out).
fn check_unique_names(cx: &Ctxt, fields: &[&Field<'_>]) {
    let mut seen = HashSet::new();
    for f in fields.iter().filter(|f| f.has_own_name()) {
        if !seen.insert(f.name.as_str()) {
            cx.error_spanned_by(
                f.ident,
                format!("two fields use the parameter name `{}`", f.name),
            );
        }
    }
}

fn check_field(cx: &Ctxt, f: &Field<'_>) -> Checked {
    cx.extend(&f.attr_errors);
    if let Some(lit) = f.attrs.rename.get() {
        check_param_name(cx, lit, &f.name, "a parameter name");
    }
    let FieldKind::Sampled { wrapper, ty, leaf } = &f.kind else {
        check_fixed_alone(cx, &f.attrs);
        return Ok(());
    };
    check_len(cx, f, wrapper)?;
    check_leaf(cx, f, ty, leaf, !matches!(wrapper, Wrapper::None))?;
    check_flatten(cx, &f.attrs, leaf);
    Ok(())
}

/// `skip` and `fixed` take no other key.
fn check_fixed_alone(cx: &Ctxt, a: &FieldAttrs) {
    let this = if a.skip.is_set() { "skip" } else { "fixed" };
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
}

/// A `Vec` needs `len(low, high)` with `0 <= low <= high`; other fields take no `len`.
fn check_len(cx: &Ctxt, f: &Field<'_>, wrapper: &Wrapper) -> Checked {
    match wrapper {
        Wrapper::Vec(Some(b)) => {
            check_low_high(cx, "len", &b.low, &b.high);
            if ty::number(&b.low).is_some_and(|l| l < 0.0) {
                cx.error_spanned_by(&b.low, "a length cannot be negative");
            }
        }
        Wrapper::Vec(None) => {
            let (ident, ty) = (f.ident, &f.original.ty);
            cx.error_spanned_by(
                quote!(#ident: #ty),
                format!(
                    "`Vec` field `{ident}` needs the range of its length: \
                     #[space(len(1, 4), ...)]"
                ),
            );
            return Err(Stop);
        }
        Wrapper::None | Wrapper::Option => {
            if let Some(p) = f.attrs.len.path() {
                cx.error_spanned_by(p, "`len(...)` is for `Vec` fields");
            }
        }
    }
    Ok(())
}

fn check_leaf(cx: &Ctxt, f: &Field<'_>, ty: &Type, leaf: &Leaf, wrapped: bool) -> Checked {
    let a = &f.attrs;
    check_one_range(cx, a)?;
    check_supported(cx, ty, wrapped)?;
    match leaf {
        Leaf::Float(r) => {
            check_range_type(cx, a.float.path(), ty, false)?;
            check_range(cx, "float", r, a, false);
        }
        Leaf::Int(r) => {
            check_range_type(cx, a.int.path(), ty, true)?;
            check_range(cx, "int", r, a, true);
        }
        _ => {
            check_log_step_need_range(cx, a);
            match leaf {
                Leaf::Choice(items) => check_choice(cx, a.choice.path(), ty, items)?,
                Leaf::Missing => check_missing(cx, f, ty)?,
                _ => {}
            }
        }
    }
    Ok(())
}

/// At most one of `float`, `int` and `choice`.
fn check_one_range(cx: &Ctxt, a: &FieldAttrs) -> Checked {
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
        return Err(Stop);
    }
    Ok(())
}

/// The leaf type is a path, and not `Option` / `Vec` again.
fn check_supported(cx: &Ctxt, ty: &Type, wrapped: bool) -> Checked {
    if ty::classify(ty) != TypeKind::Unsupported && !ty::is_wrapper(ty) {
        return Ok(());
    }
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
            ty::name(ty)
        ),
    );
    Err(Stop)
}

/// `float(...)` goes on a float field, `int(...)` on an integer one (or a type of the user's,
/// which the generated code converts to).
fn check_range_type(cx: &Ctxt, path: Option<&syn::Path>, ty: &Type, int: bool) -> Checked {
    let (key, own, other, other_key, other_field, needs) = if int {
        (
            "int",
            TypeKind::Int,
            TypeKind::Float,
            "float",
            "a float",
            "an integer field",
        )
    } else {
        (
            "float",
            TypeKind::Float,
            TypeKind::Int,
            "int",
            "an integer",
            "an f32 or f64 field",
        )
    };
    let kind = ty::classify(ty);
    if kind == own || kind == TypeKind::Other {
        return Ok(());
    }
    let message = if kind == other {
        format!("`{key}(...)` on {other_field} field; use `{other_key}(...)`")
    } else {
        format!("`{key}(...)` needs {needs}, not `{}`", ty::name(ty))
    };
    cx.error_spanned_by(path, message);
    Err(Stop)
}

/// `low <= high` when both are literals.
fn check_low_high(cx: &Ctxt, key: &str, low: &Expr, high: &Expr) {
    if let (Some(l), Some(h)) = (ty::number(low), ty::number(high))
        && l > h
    {
        cx.error_spanned_by(
            quote!(#low, #high),
            format!("`{key}` range is empty: low ({l}) is greater than high ({h})"),
        );
    }
}

/// A `float(..)` / `int(..)` range with its `log` / `step`.
fn check_range(cx: &Ctxt, key: &str, r: &Range, a: &FieldAttrs, int: bool) {
    check_low_high(cx, key, &r.low, &r.high);
    if r.log {
        check_log(cx, r, a, int);
    }
    check_step(cx, r, int);
}

/// A log scale needs a positive low (at least 1 for integers) and no step.
fn check_log(cx: &Ctxt, r: &Range, a: &FieldAttrs, int: bool) {
    let min = if int { 1.0 } else { 0.0 };
    if let Some(l) = ty::number(&r.low)
        && (l < min || (!int && l <= 0.0))
    {
        let need = if int { "low >= 1" } else { "low > 0" };
        cx.error_spanned_by(
            &r.low,
            format!("a log-scale range needs {need}, but low is {l}"),
        );
    }
    if let Some(p) = a.step.path() {
        cx.error_spanned_by(p, "`step` cannot be combined with `log`");
    }
}

/// A step is positive, and an integer for `int(...)`.
fn check_step(cx: &Ctxt, r: &Range, int: bool) {
    let Some(step) = &r.step else {
        return;
    };
    if let Some(s) = ty::number(step)
        && s <= 0.0
    {
        cx.error_spanned_by(step, format!("`step` must be > 0, but it is {s}"));
    }
    if int && ty::literal(step).is_some_and(|(k, _)| k == LitKind::Float) {
        cx.error_spanned_by(step, "an `int(...)` range takes an integer `step`");
    }
}

fn check_log_step_need_range(cx: &Ctxt, a: &FieldAttrs) {
    for (key, path) in [("log", a.log.path()), ("step", a.step.path())] {
        if let Some(p) = path {
            cx.error_spanned_by(
                p,
                format!("`{key}` needs a `float(...)` or `int(...)` range"),
            );
        }
    }
}

/// Choices are literals of one kind, matching the field's type.
fn check_choice(cx: &Ctxt, path: Option<&syn::Path>, ty: &Type, items: &[Expr]) -> Checked {
    if items.is_empty() {
        cx.error_spanned_by(path, "`choice()` needs at least one value");
        return Err(Stop);
    }
    let mut first: Option<LitKind> = None;
    let mut ok = true;
    for item in items {
        match (ty::literal(item), first) {
            (None, _) => {
                cx.error_spanned_by(
                    item,
                    "choices must be literals: strings, numbers or booleans",
                );
                ok = false;
            }
            (Some((k, _)), None) => first = Some(k),
            (Some((k, _)), Some(f)) if f != k => {
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
            (Some(_), Some(_)) => {}
        }
    }
    let Some(first) = first else {
        return Err(Stop);
    };
    let kind = ty::classify(ty);
    if ok && kind != first.type_kind() && kind != TypeKind::Other {
        cx.error_spanned_by(
            ty,
            format!(
                "{} choices need a field of a matching type, not `{}`",
                first.describe(),
                ty::name(ty)
            ),
        );
        return Err(Stop);
    }
    if ok { Ok(()) } else { Err(Stop) }
}

/// A number or string field without a range or choices.
fn check_missing(cx: &Ctxt, f: &Field<'_>, ty: &Type) -> Checked {
    let kind = ty::classify(ty);
    if f.attrs.had_unknown {
        // The unknown key was probably meant as the range: one error is enough.
        return Err(Stop);
    }
    let ident = f.ident;
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
                    "field `{ident}` of type `{}` needs a range, e.g. #[space({example})], or \
                     #[space(skip)] to keep it out of the space",
                    ty::name(ty)
                ),
            );
        }
        _ => cx.error_spanned_by(
            quote!(#ident: #ty),
            "a String field needs its values: #[space(choice(\"a\", \"b\"))]",
        ),
    }
    Err(Stop)
}

/// `flatten` is for a nested space that is not wrapped.
fn check_flatten(cx: &Ctxt, a: &FieldAttrs, leaf: &Leaf) {
    if let Some(p) = a.flatten.path()
        && !matches!(leaf, Leaf::Nested { flatten: true })
    {
        cx.error_spanned_by(
            p,
            "`flatten` is for fields whose type derives SearchSpace (not in Option or Vec)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(input: syn::DeriveInput) -> Vec<String> {
        let cx = Ctxt::default();
        check(&cx, &Container::from_ast(&input));
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
    fn parse_errors_come_in_source_order_with_the_checks() {
        let e = errors(syn::parse_quote! {
            struct S {
                no_range: f64,
                #[space(flaot(0.0, 1.0))] typo: f64,
                #[space(int(2, 1))] empty: i64,
            }
        });
        assert_eq!(e.len(), 3, "{e:#?}");
        assert!(e[0].contains("needs a range"), "{e:?}");
        assert!(e[1].contains("did you mean `float`"), "{e:?}");
        assert!(e[2].contains("range is empty"), "{e:?}");
    }

    #[test]
    fn enums_and_containers() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[space(rename_all = "kebab-case")]
            enum Opt { RmsProp, Sgd { #[space(float(0.0, 0.99))] momentum: f64 }, Wrapped(Inner) }
        };
        let cx = Ctxt::default();
        let c = Container::from_ast(&input);
        check(&cx, &c);
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
