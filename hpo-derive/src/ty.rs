//! Type and literal inspection (clap_derive's `utils/ty.rs`): what a field's type or an
//! attribute's literal is, syntactically. Nothing here reports errors.

use quote::ToTokens;
use syn::{Expr, Lit, Type, UnOp};

/// What a field's type is, syntactically.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TypeKind {
    /// `f32` or `f64`.
    Float,
    /// A primitive integer.
    Int,
    /// `bool`.
    Bool,
    /// `String`.
    Str,
    /// Any other path: a type that should derive `SearchSpace`.
    Other,
    /// Not a path (a reference, a tuple, ...).
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

/// Classifies `ty` by its last path segment.
pub fn classify(ty: &Type) -> TypeKind {
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

/// `T` of `wrapper<T>` (`Option<T>`, `Vec<T>`).
fn generic_arg<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
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

/// `T` of `Option<T>`.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Option")
}

/// `T` of `Vec<T>`.
pub fn vec_inner(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Vec")
}

/// Whether `ty` is `Option<T>` or `Vec<T>`.
pub fn is_wrapper(ty: &Type) -> bool {
    option_inner(ty).is_some() || vec_inner(ty).is_some()
}

/// `ty` as written, without the spaces of its token stream (`Vec<i64>`, `&'static str`).
pub fn name(ty: &Type) -> String {
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

/// The kind of a literal, as written (a leading `-` allowed on numbers).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LitKind {
    /// `"text"`.
    Str,
    /// `3`.
    Int,
    /// `0.5`.
    Float,
    /// `true`.
    Bool,
}

impl LitKind {
    /// The word for it in messages.
    pub fn describe(self) -> &'static str {
        match self {
            LitKind::Str => "string",
            LitKind::Int => "integer",
            LitKind::Float => "float",
            LitKind::Bool => "boolean",
        }
    }

    /// The field type that holds such a literal.
    pub fn type_kind(self) -> TypeKind {
        match self {
            LitKind::Str => TypeKind::Str,
            LitKind::Int => TypeKind::Int,
            LitKind::Float => TypeKind::Float,
            LitKind::Bool => TypeKind::Bool,
        }
    }
}

/// The kind of a literal expression and, for numbers, its value.
pub fn literal(expr: &Expr) -> Option<(LitKind, Option<f64>)> {
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
pub fn number(expr: &Expr) -> Option<f64> {
    literal(expr).and_then(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_classified_by_their_last_segment() {
        let kind = |t: Type| classify(&t);
        assert_eq!(kind(syn::parse_quote!(f64)), TypeKind::Float);
        assert_eq!(kind(syn::parse_quote!(core::primitive::u8)), TypeKind::Int);
        assert_eq!(kind(syn::parse_quote!(bool)), TypeKind::Bool);
        assert_eq!(kind(syn::parse_quote!(std::string::String)), TypeKind::Str);
        assert_eq!(kind(syn::parse_quote!(Optimizer)), TypeKind::Other);
        assert_eq!(kind(syn::parse_quote!(&'static str)), TypeKind::Unsupported);
        assert_eq!(kind(syn::parse_quote!((f64, f64))), TypeKind::Unsupported);
        let t: Type = syn::parse_quote!(Option<Vec<i64>>);
        let inner = option_inner(&t).unwrap();
        assert!(is_wrapper(inner) && vec_inner(inner).is_some());
        assert_eq!(name(&t), "Option<Vec<i64>>");
    }

    #[test]
    fn literals_know_their_kind_and_value() {
        let lit = |e: Expr| literal(&e);
        assert_eq!(lit(syn::parse_quote!(-3)), Some((LitKind::Int, Some(-3.0))));
        assert_eq!(
            lit(syn::parse_quote!((0.5))),
            Some((LitKind::Float, Some(0.5)))
        );
        assert_eq!(lit(syn::parse_quote!("a")), Some((LitKind::Str, None)));
        assert_eq!(lit(syn::parse_quote!(-"a")), None);
        assert_eq!(lit(syn::parse_quote!(N)), None);
    }
}
