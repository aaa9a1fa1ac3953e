//! `#[derive(SearchSpace)]`: typed, conditional hyperparameter search spaces for
//! [hpo](https://docs.rs/hpo). Use it through the `hpo` crate (`hpo::SearchSpace`, feature
//! `derive`, on by default); the attribute syntax is documented in this crate's README.
//!
//! The expansion follows serde_derive's layout, parse → IR → checks → generate: `attr` parses
//! `#[space(...)]`, `ir` reads the input and its attributes into the IR without judging them
//! (`Container::from_ast`), `check` validates the IR with small `check_*` functions, and
//! `expand` generates code from an IR the checks accepted. `ty` inspects types and literals.
//! Errors are collected (`ctxt`) and reported together, in source order, each at its own span;
//! wrong input never makes the macro panic.

mod attr;
mod case;
mod check;
mod ctxt;
mod expand;
mod ir;
mod ty;

use proc_macro::TokenStream;

/// Derives `hpo::SearchSpace` for a struct with named fields or an enum. See the crate README
/// for the `#[space(...)]` attribute syntax.
#[proc_macro_derive(SearchSpace, attributes(space))]
pub fn derive_search_space(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
