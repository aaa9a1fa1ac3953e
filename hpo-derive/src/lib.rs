//! `#[derive(SearchSpace)]`: typed, conditional hyperparameter search spaces for
//! [hpo](https://docs.rs/hpo). Use it through the `hpo` crate (`hpo::SearchSpace`, feature
//! `derive`, on by default); the attribute syntax is documented in this crate's README.
//!
//! The expansion follows serde_derive's layout: `attr` parses `#[space(...)]`, `check`
//! validates across attributes into the IR of `ast`, and `expand` generates code. Errors are
//! collected (`ctxt`) and reported together, each at its own span; the entry point never
//! panics.

mod ast;
mod attr;
mod case;
mod check;
mod ctxt;
mod expand;

use proc_macro::TokenStream;

/// Derives `hpo::SearchSpace` for a struct with named fields or an enum. See the crate README
/// for the `#[space(...)]` attribute syntax.
#[proc_macro_derive(SearchSpace, attributes(space))]
pub fn derive_search_space(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}
