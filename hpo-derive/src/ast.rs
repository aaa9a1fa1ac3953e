//! The intermediate representation the derive works on once attributes are parsed and checked
//! (serde_derive's `internals/ast.rs`): everything code generation needs, nothing it must
//! re-validate.

use syn::{Expr, Ident, Type};

/// A struct or enum deriving `SearchSpace`.
pub struct Container {
    /// The type's name.
    pub ident: Ident,
    /// Path to the `hpo` crate in generated code.
    pub krate: syn::Path,
    /// Parameter name of an enum's variant choice at the top level (snake_case type name).
    pub key: String,
    /// Fields or variants.
    pub data: Data,
}

/// A struct's fields or an enum's variants.
pub enum Data {
    /// A struct with named fields (or none).
    Struct(Vec<Field>),
    /// An enum: the variant is a categorical parameter.
    Enum(Vec<Variant>),
}

/// An enum variant.
pub struct Variant {
    /// The variant's name in Rust.
    pub ident: Ident,
    /// Its parameter value (after `rename` / `rename_all`).
    pub name: String,
    /// Its shape.
    pub style: VariantStyle,
}

/// What a variant holds.
pub enum VariantStyle {
    /// Nothing.
    Unit,
    /// Named fields, sampled only when the variant is chosen.
    Named(Vec<Field>),
    /// One unnamed field of a type deriving `SearchSpace`.
    Newtype(Type),
}

/// A field.
pub struct Field {
    /// The field's name in Rust.
    pub ident: Ident,
    /// Its parameter name component (after `rename`).
    pub name: String,
    /// How it is sampled.
    pub kind: FieldKind,
}

/// How a field gets its value.
// Built once per field at compile time: variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
pub enum FieldKind {
    /// Not a parameter: `Default::default()` or the given expression.
    Fixed(Option<Expr>),
    /// A parameter (or a nested space), maybe optional or repeated.
    Sampled {
        /// `Option` or `Vec` around the leaf.
        wrapper: Wrapper,
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
    /// `Vec<leaf>`: the length `<name>.len` is an int in `[low, high]`.
    Vec {
        /// Minimum length.
        low: Expr,
        /// Maximum length.
        high: Expr,
    },
}

/// The sampled value of a field.
pub enum Leaf {
    /// A float range.
    Float {
        ty: Type,
        low: Expr,
        high: Expr,
        log: bool,
        step: Option<Expr>,
    },
    /// An integer range.
    Int {
        ty: Type,
        low: Expr,
        high: Expr,
        log: bool,
        step: Option<Expr>,
    },
    /// A choice among literals.
    Choice { ty: Type, items: Vec<Expr> },
    /// A `bool`.
    Bool,
    /// A type deriving `SearchSpace`, under the field's name or (with `flatten`) in place.
    Nested { ty: Type, flatten: bool },
}
