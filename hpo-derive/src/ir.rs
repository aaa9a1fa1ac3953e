//! The intermediate representation, built from the parsed input without judging it
//! (serde_derive's `internals/ast.rs`, `Container::from_ast`).
//!
//! Building never fails: every item keeps its parsed attributes (and their parse errors, so
//! that they are reported in source order with the checks of the same item) and the reading
//! of them that code generation uses when [`crate::check`] finds nothing wrong. Where the
//! attributes contradict each other the reading is arbitrary (the first range wins), and the
//! shapes that only exist in wrong input ([`Leaf::Missing`], a `Vec` without `len`, tuple
//! structs, unions) are kept so that the checks can name them.

use syn::{DeriveInput, Expr, Ident, Type};

use crate::attr::{self, Bounds, ContainerAttrs, FieldAttrs};
use crate::case;
use crate::ctxt::Ctxt;
use crate::ty::{self, TypeKind};

/// A struct or enum deriving `SearchSpace`.
pub struct Container<'a> {
    /// The input as parsed by syn.
    pub original: &'a DeriveInput,
    /// Its `#[space(...)]` attributes.
    pub attrs: ContainerAttrs,
    /// Errors found while parsing those attributes.
    pub attr_errors: Vec<syn::Error>,
    /// Path to the `hpo` crate in generated code.
    pub krate: syn::Path,
    /// Parameter name of an enum's variant choice at the top level (snake_case type name).
    pub key: String,
    /// Fields or variants.
    pub data: Data<'a>,
}

/// A struct's fields or an enum's variants.
pub enum Data<'a> {
    /// A struct with named fields (or none).
    Struct(Vec<Field<'a>>),
    /// An enum: the variant is a categorical parameter.
    Enum(Vec<Variant<'a>>),
    /// A tuple struct (an error).
    TupleStruct,
    /// A union (an error).
    Union,
}

/// An enum variant.
pub struct Variant<'a> {
    /// The variant's name in Rust.
    pub ident: &'a Ident,
    /// Errors found while parsing its `#[space(...)]` attributes (only `rename`, which
    /// [`Variant::name`] applies).
    pub attr_errors: Vec<syn::Error>,
    /// Its parameter value (after `rename` / `rename_all`).
    pub name: String,
    /// Its shape.
    pub style: VariantStyle<'a>,
}

/// What a variant holds.
pub enum VariantStyle<'a> {
    /// Nothing.
    Unit,
    /// Named fields, sampled only when the variant is chosen.
    Named(Vec<Field<'a>>),
    /// One unnamed field, of a type deriving `SearchSpace`.
    Newtype(&'a syn::Field),
    /// Several unnamed fields (an error).
    Tuple(&'a syn::FieldsUnnamed),
}

/// A named field.
pub struct Field<'a> {
    /// The field as parsed by syn.
    pub original: &'a syn::Field,
    /// The field's name in Rust.
    pub ident: &'a Ident,
    /// Its `#[space(...)]` attributes.
    pub attrs: FieldAttrs,
    /// Errors found while parsing those attributes.
    pub attr_errors: Vec<syn::Error>,
    /// Its parameter name component (after `rename`).
    pub name: String,
    /// How it is sampled.
    pub kind: FieldKind<'a>,
}

/// How a field gets its value.
// Built once per field at compile time: variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
pub enum FieldKind<'a> {
    /// Not a parameter (`skip`, `fixed`): `Default::default()` or the given expression.
    Fixed(Option<Expr>),
    /// A parameter (or a nested space), maybe optional or repeated.
    Sampled {
        /// `Option` or `Vec` around the leaf.
        wrapper: Wrapper,
        /// The leaf's type: the field's, or the one inside the wrapper.
        ty: &'a Type,
        /// The sampled value.
        leaf: Leaf,
    },
}

/// A container type around the sampled leaf.
#[allow(clippy::large_enum_variant)]
pub enum Wrapper {
    /// The field is the leaf.
    None,
    /// `Option<leaf>`: a boolean `<name>.enabled` decides.
    Option,
    /// `Vec<leaf>`: the length `<name>.len` is an int in `len(low, high)` (`None`, an error,
    /// when the field has no `len`).
    Vec(Option<Bounds>),
}

/// A `float(..)` / `int(..)` range with its `log` and `step`.
pub struct Range {
    /// Lower bound.
    pub low: Expr,
    /// Upper bound.
    pub high: Expr,
    /// `log`.
    pub log: bool,
    /// `step = ..`.
    pub step: Option<Expr>,
}

/// The sampled value of a field.
pub enum Leaf {
    /// A float range.
    Float(Range),
    /// An integer range.
    Int(Range),
    /// A choice among literals.
    Choice(Vec<Expr>),
    /// A `bool`.
    Bool,
    /// A type deriving `SearchSpace`, under the field's name or (with `flatten`) in place.
    Nested {
        /// `flatten` on a field that is not wrapped.
        flatten: bool,
    },
    /// A number or string (or an unsupported type) without a range or choices (an error).
    Missing,
}

/// Runs an attribute parser on its own [`Ctxt`], keeping its errors apart.
fn parse<T>(parser: impl FnOnce(&Ctxt) -> T) -> (T, Vec<syn::Error>) {
    let cx = Ctxt::default();
    let parsed = parser(&cx);
    (parsed, cx.into_errors())
}

impl<'a> Container<'a> {
    /// Reads `input`; see the module docs for what is kept.
    pub fn from_ast(input: &'a DeriveInput) -> Container<'a> {
        let (attrs, attr_errors) = parse(|cx| attr::container(cx, &input.attrs));
        let rule = attrs
            .rename_all
            .get()
            .map_or_else(|| "snake_case".to_owned(), syn::LitStr::value);
        let krate = attrs
            .krate
            .get()
            .cloned()
            .unwrap_or_else(|| syn::parse_quote!(::hpo));
        let data = match &input.data {
            syn::Data::Struct(s) => match &s.fields {
                syn::Fields::Named(named) => Data::Struct(fields_from_ast(named)),
                syn::Fields::Unit => Data::Struct(Vec::new()),
                syn::Fields::Unnamed(_) => Data::TupleStruct,
            },
            syn::Data::Enum(e) => Data::Enum(
                e.variants
                    .iter()
                    .map(|v| Variant::from_ast(v, &rule))
                    .collect(),
            ),
            syn::Data::Union(_) => Data::Union,
        };
        Container {
            original: input,
            attrs,
            attr_errors,
            krate,
            key: case::apply("snake_case", &input.ident.to_string()).unwrap_or_default(),
            data,
        }
    }

    /// The type's name.
    pub fn ident(&self) -> &'a Ident {
        &self.original.ident
    }
}

impl<'a> Variant<'a> {
    fn from_ast(v: &'a syn::Variant, rule: &str) -> Variant<'a> {
        let (attrs, attr_errors) = parse(|cx| attr::variant(cx, &v.attrs));
        let name = match attrs.rename.get() {
            Some(lit) => lit.value(),
            None => case::apply(rule, &v.ident.to_string()).unwrap_or_else(|| v.ident.to_string()),
        };
        let style = match &v.fields {
            syn::Fields::Unit => VariantStyle::Unit,
            syn::Fields::Named(named) => VariantStyle::Named(fields_from_ast(named)),
            syn::Fields::Unnamed(u) if u.unnamed.len() == 1 => VariantStyle::Newtype(&u.unnamed[0]),
            syn::Fields::Unnamed(u) => VariantStyle::Tuple(u),
        };
        Variant {
            ident: &v.ident,
            attr_errors,
            name,
            style,
        }
    }
}

fn fields_from_ast(named: &syn::FieldsNamed) -> Vec<Field<'_>> {
    named.named.iter().filter_map(Field::from_ast).collect()
}

impl<'a> Field<'a> {
    /// `None` only for an unnamed field.
    fn from_ast(f: &'a syn::Field) -> Option<Field<'a>> {
        let ident = f.ident.as_ref()?;
        let (attrs, attr_errors) = parse(|cx| attr::field(cx, &f.attrs));
        let name = attrs
            .rename
            .get()
            .map_or_else(|| ident.to_string(), syn::LitStr::value);
        let kind = if attrs.skip.is_set() || attrs.fixed.is_set() {
            FieldKind::Fixed(attrs.fixed.get().cloned())
        } else {
            let (wrapper, ty) = if let Some(inner) = ty::option_inner(&f.ty) {
                (Wrapper::Option, inner)
            } else if let Some(inner) = ty::vec_inner(&f.ty) {
                (Wrapper::Vec(attrs.len.get().cloned()), inner)
            } else {
                (Wrapper::None, &f.ty)
            };
            let wrapped = !matches!(wrapper, Wrapper::None);
            FieldKind::Sampled {
                leaf: Leaf::from_attrs(&attrs, ty, wrapped),
                wrapper,
                ty,
            }
        };
        Some(Field {
            original: f,
            ident,
            attrs,
            attr_errors,
            name,
            kind,
        })
    }

    /// Whether the field's parameters sit under its own name: not `skip` / `fixed`, not a
    /// flattened nested space.
    pub fn has_own_name(&self) -> bool {
        matches!(
            &self.kind,
            FieldKind::Sampled { leaf, .. } if !matches!(leaf, Leaf::Nested { flatten: true })
        )
    }
}

impl Leaf {
    /// The first of `float`, `int` and `choice` given, else what the type implies.
    fn from_attrs(a: &FieldAttrs, ty: &Type, wrapped: bool) -> Leaf {
        let range = |b: &Bounds| Range {
            low: b.low.clone(),
            high: b.high.clone(),
            log: a.log.is_set(),
            step: a.step.get().cloned(),
        };
        if let Some(b) = a.float.get() {
            return Leaf::Float(range(b));
        }
        if let Some(b) = a.int.get() {
            return Leaf::Int(range(b));
        }
        if let Some(items) = a.choice.get() {
            return Leaf::Choice(items.clone());
        }
        match ty::classify(ty) {
            TypeKind::Bool => Leaf::Bool,
            TypeKind::Other => Leaf::Nested {
                flatten: a.flatten.is_set() && !wrapped,
            },
            TypeKind::Float | TypeKind::Int | TypeKind::Str | TypeKind::Unsupported => {
                Leaf::Missing
            }
        }
    }
}
