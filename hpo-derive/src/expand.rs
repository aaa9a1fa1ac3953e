//! Code generation from the checked IR (serde_derive's `ser.rs` / `de.rs`): the four methods of
//! `SearchSpace`, or, when the input has errors, the errors plus a placeholder impl so that one
//! mistake gives one error instead of a cascade (clap_derive's dummies).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Type;

use crate::attr::Bounds;
use crate::check;
use crate::ctxt::Ctxt;
use crate::ir::{Container, Data, Field, FieldKind, Leaf, Range, VariantStyle, Wrapper};

/// Expands `#[derive(SearchSpace)]`: parse into the IR, check it, and generate from it only
/// when the checks found nothing.
pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    let container = Container::from_ast(input);
    let cx = Ctxt::default();
    check::check(&cx, &container);
    match cx.check() {
        Ok(()) => generate(&container),
        Err(e) => {
            let mut out = e.to_compile_error();
            if input.generics.params.is_empty() {
                out.extend(dummy(input));
            }
            out
        }
    }
}

/// An impl whose bodies are never run, emitted next to errors.
fn dummy(input: &syn::DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let krate: syn::Path = syn::parse_quote!(::hpo::__derive);
    quote! {
        #[allow(unused_variables, clippy::unimplemented)]
        impl #krate::SearchSpace for #ident {
            fn sample_in(_: &mut #krate::Trial, _: &str) -> #krate::Result<Self> { ::core::unimplemented!() }
            fn describe_in(_: &str, _: &[#krate::Condition], _: &mut ::std::vec::Vec<#krate::SpaceParam>) -> #krate::Result<()> { ::core::unimplemented!() }
            fn write_params(&self, _: &str, _: &mut #krate::ParamMap) { ::core::unimplemented!() }
            fn read_params(_: &#krate::ParamMap, _: &str) -> #krate::Result<Self> { ::core::unimplemented!() }
        }
    }
}

/// Token snippets shared by the generators.
struct Paths {
    k: syn::Path,
    f: TokenStream,
}

impl Paths {
    /// Everything the generated code names lives in the crate's hidden `__derive` module, so
    /// the facade's public API stays what users call.
    fn new(krate: &syn::Path) -> Self {
        let mut k = krate.clone();
        k.segments.push(syn::parse_quote!(__derive));
        Paths {
            f: quote!(#k::field),
            k,
        }
    }
}

/// The code for one leaf, parameterised by the variable holding its name (or nested prefix).
struct LeafCode<'a> {
    p: &'a Paths,
    leaf: &'a Leaf,
    ty: &'a Type,
}

impl LeafCode<'_> {
    fn ty(&self) -> TokenStream {
        match self.leaf {
            Leaf::Bool => quote!(bool),
            _ => {
                let ty = self.ty;
                quote!(#ty)
            }
        }
    }

    /// `Result<Distribution>` of a scalar leaf named by `n`.
    fn dist(&self, n: &syn::Ident) -> TokenStream {
        let Paths { k, f } = self.p;
        match self.leaf {
            Leaf::Float(r) => {
                let step = match &r.step {
                    Some(s) => quote!(::core::option::Option::Some((#s) as f64)),
                    None => quote!(::core::option::Option::None),
                };
                range_dist(quote!(#f::float), n, r, quote!(f64), step)
            }
            Leaf::Int(r) => {
                let step = match &r.step {
                    Some(s) => quote!((#s) as i64),
                    None => quote!(1i64),
                };
                range_dist(quote!(#f::int), n, r, quote!(i64), step)
            }
            Leaf::Choice(items) => {
                quote!(#f::choice(&#n, ::std::vec![#(#k::ParamValue::from(#items)),*]))
            }
            Leaf::Bool => {
                quote!(::core::result::Result::<_, #k::Error>::Ok(#f::bool_distribution()))
            }
            Leaf::Nested { .. } => unreachable!("nested leaves have no distribution"),
            Leaf::Missing => unreachable!("check_missing rejects leaves without a range"),
        }
    }

    fn sample(&self, n: &syn::Ident) -> TokenStream {
        let Paths { k, f } = self.p;
        let ty = self.ty();
        match self.leaf {
            Leaf::Nested { .. } => quote!(<#ty as #k::SearchSpace>::sample_in(__trial, &#n)?),
            _ => {
                let dist = self.dist(n);
                quote!({ let __d = #dist?; #f::sample::<#ty>(__trial, &#n, __d)? })
            }
        }
    }

    fn describe(&self, n: &syn::Ident, conds: &TokenStream) -> TokenStream {
        let Paths { k, f } = self.p;
        let ty = self.ty();
        match self.leaf {
            Leaf::Nested { .. } => {
                quote!(<#ty as #k::SearchSpace>::describe_in(&#n, #conds, __out)?;)
            }
            _ => {
                let dist = self.dist(n);
                quote!(#f::describe(__out, &#n, #dist?, #conds);)
            }
        }
    }

    fn write(&self, n: &syn::Ident, value: &TokenStream) -> TokenStream {
        let Paths { k, f } = self.p;
        let ty = self.ty();
        match self.leaf {
            Leaf::Nested { .. } => {
                quote!(<#ty as #k::SearchSpace>::write_params(#value, &#n, __out);)
            }
            _ => {
                quote!(__out.insert(::std::string::String::from(&*#n), <#ty as #f::FieldValue>::to_param(#value));)
            }
        }
    }

    fn read(&self, n: &syn::Ident) -> TokenStream {
        let Paths { k, f } = self.p;
        let ty = self.ty();
        match self.leaf {
            Leaf::Nested { .. } => quote!(<#ty as #k::SearchSpace>::read_params(__params, &#n)?),
            _ => quote!(#f::read::<#ty>(__params, &#n)?),
        }
    }
}

/// `func(&n, low as num, high as num, log, step)`: the distribution of a float or int range.
fn range_dist(
    func: TokenStream,
    n: &syn::Ident,
    r: &Range,
    num: TokenStream,
    step: TokenStream,
) -> TokenStream {
    let Range { low, high, log, .. } = r;
    quote!(#func(&#n, (#low) as #num, (#high) as #num, #log, #step))
}

/// The code for one field: its four parts.
struct FieldCode {
    sample: TokenStream,
    describe: TokenStream,
    /// Given an expression that borrows the field's value.
    write: Box<dyn Fn(&TokenStream) -> TokenStream>,
    read: TokenStream,
}

fn field_code(p: &Paths, field: &Field<'_>) -> FieldCode {
    let Paths { k, f } = p;
    let (wrapper, lc) = match &field.kind {
        FieldKind::Fixed(expr) => {
            let value = match expr {
                Some(e) => quote!(#e),
                None => quote!(::core::default::Default::default()),
            };
            return FieldCode {
                sample: value.clone(),
                describe: quote!(),
                write: Box::new(|_| quote!()),
                read: value,
            };
        }
        FieldKind::Sampled { wrapper, ty, leaf } => (wrapper, LeafCode { p, leaf, ty }),
    };
    let name = &field.name;
    let n = format_ident!("__n");
    let name_init = match lc.leaf {
        Leaf::Nested { flatten: true } => {
            quote!(let __n: ::std::string::String = ::std::string::String::from(__prefix);)
        }
        _ => quote!(let __n: ::std::string::String = #f::join(__prefix, #name);),
    };
    let conds = quote!(__conds);
    match wrapper {
        Wrapper::None => {
            let (sample, describe, read) = (lc.sample(&n), lc.describe(&n, &conds), lc.read(&n));
            let w_init = name_init.clone();
            let w_leaf = lc.write(&n, &quote!(__v));
            FieldCode {
                sample: quote!({ #name_init #sample }),
                describe: quote!({ #name_init #describe }),
                write: Box::new(move |v| quote!({ #w_init let __v = #v; #w_leaf })),
                read: quote!({ #name_init #read }),
            }
        }
        Wrapper::Option => {
            let e_init = quote!(let __e: ::std::string::String = #f::join(&__n, "enabled"););
            let sample = lc.sample(&n);
            let describe = lc.describe(&n, &quote!(&__c));
            let read = lc.read(&n);
            let w_leaf = lc.write(&n, &quote!(__v));
            let (ni, ei) = (name_init.clone(), e_init.clone());
            let k2 = k.clone();
            FieldCode {
                sample: quote!({
                    #name_init #e_init
                    if __trial.suggest_bool(&__e)? { ::core::option::Option::Some(#sample) } else { ::core::option::Option::None }
                }),
                describe: quote!({
                    #name_init #e_init
                    #f::describe(__out, &__e, #f::bool_distribution(), __conds);
                    let __c = #f::and(__conds, #k::Condition::Equals { param: __e.clone(), value: #k::ParamValue::Bool(true) });
                    #describe
                }),
                write: Box::new(move |v| {
                    quote!({
                        #ni #ei
                        let __o = #v;
                        __out.insert(__e.clone(), #k2::ParamValue::Bool(__o.is_some()));
                        if let ::core::option::Option::Some(__v) = __o { #w_leaf }
                    })
                }),
                read: quote!({
                    #name_init #e_init
                    if #f::read::<bool>(__params, &__e)? { ::core::option::Option::Some(#read) } else { ::core::option::Option::None }
                }),
            }
        }
        Wrapper::Vec(len) => {
            let Some(Bounds { low, high }) = len else {
                unreachable!("check_len rejects a `Vec` without `len`")
            };
            let l_init = quote!(
                let __l: ::std::string::String = #f::join(&__n, "len");
                let __ld = #f::int(&__l, (#low) as i64, (#high) as i64, false, 1i64)?;
            );
            let l_name = quote!(let __l: ::std::string::String = #f::join(&__n, "len"););
            let item = quote!(let __n: ::std::string::String = #f::join(&__n, &__i.to_string()););
            let sample = lc.sample(&n);
            let describe = lc.describe(&n, &quote!(&__c));
            let read = lc.read(&n);
            let w_leaf = lc.write(&n, &quote!(__v));
            let (ni, li, it) = (name_init.clone(), l_name.clone(), item.clone());
            let k2 = k.clone();
            FieldCode {
                sample: quote!({
                    #name_init #l_init
                    let __len: usize = #f::sample::<usize>(__trial, &__l, __ld)?;
                    let mut __items = ::std::vec::Vec::with_capacity(__len);
                    for __i in 0..__len { #item __items.push(#sample); }
                    __items
                }),
                describe: quote!({
                    #name_init #l_init
                    #f::describe(__out, &__l, __ld, __conds);
                    for __i in 0..((#high) as i64) {
                        #item
                        // Elements below the minimum length always exist.
                        let __c = if __i < (#low) as i64 {
                            __conds.to_vec()
                        } else {
                            #f::and(__conds, #k::Condition::Greater { param: __l.clone(), than: __i })
                        };
                        #describe
                    }
                }),
                write: Box::new(move |v| {
                    quote!({
                        #ni #li
                        let __vec = #v;
                        __out.insert(__l.clone(), #k2::ParamValue::Int(__vec.len() as i64));
                        for (__i, __v) in __vec.iter().enumerate() { #it #w_leaf }
                    })
                }),
                read: quote!({
                    #name_init #l_name
                    let __len: usize = #f::read::<usize>(__params, &__l)?;
                    let mut __items = ::std::vec::Vec::with_capacity(__len);
                    for __i in 0..__len { #item __items.push(#read); }
                    __items
                }),
            }
        }
    }
}

/// The code for a list of named fields (a struct's, or a variant's).
struct FieldsCode {
    /// `{ a: <sampled>, ... }`.
    sample: TokenStream,
    /// Statements describing every field.
    describe: TokenStream,
    /// Statements writing every field.
    write: TokenStream,
    /// `{ a: <read>, ... }`.
    read: TokenStream,
}

/// `value` gives the expression that borrows a field's value when writing it.
fn fields_code(
    p: &Paths,
    fields: &[Field<'_>],
    value: impl Fn(&syn::Ident) -> TokenStream,
) -> FieldsCode {
    let codes: Vec<FieldCode> = fields.iter().map(|fl| field_code(p, fl)).collect();
    let idents: Vec<&syn::Ident> = fields.iter().map(|fl| fl.ident).collect();
    let samples = codes.iter().map(|c| &c.sample);
    let describes = codes.iter().map(|c| &c.describe);
    let writes = codes.iter().zip(&idents).map(|(c, i)| (c.write)(&value(i)));
    let reads = codes.iter().map(|c| &c.read);
    FieldsCode {
        sample: quote!({ #(#idents: #samples),* }),
        describe: quote!(#(#describes)*),
        write: quote!(#(#writes)*),
        read: quote!({ #(#idents: #reads),* }),
    }
}

fn generate(c: &Container<'_>) -> TokenStream {
    let p = Paths::new(&c.krate);
    let Paths { k, f } = &p;
    let ident = c.ident();
    let (sample, describe, write, read) = match &c.data {
        Data::Struct(fields) => {
            let code = fields_code(&p, fields, |i| quote!(&self.#i));
            let (sample, describe, write, read) =
                (code.sample, code.describe, code.write, code.read);
            (
                quote!(::core::result::Result::Ok(Self #sample)),
                quote!(#describe ::core::result::Result::Ok(())),
                write,
                quote!(::core::result::Result::Ok(Self #read)),
            )
        }
        Data::TupleStruct | Data::Union => unreachable!("check rejects tuple structs and unions"),
        Data::Enum(variants) => {
            let key = &c.key;
            let names: Vec<&String> = variants.iter().map(|v| &v.name).collect();
            let key_init = quote!(
                let __key: ::std::string::String = if __prefix.is_empty() { ::std::string::String::from(#key) } else { ::std::string::String::from(__prefix) };
                const __NAMES: &[&str] = &[#(#names),*];
            );
            let mut sample_arms = Vec::new();
            let mut describe_blocks = Vec::new();
            let mut write_arms = Vec::new();
            let mut read_arms = Vec::new();
            for (index, v) in variants.iter().enumerate() {
                let (vi, vn) = (&v.ident, &v.name);
                let enter = quote!(let __vp: ::std::string::String = #f::join(&__key, #vn); let __prefix: &str = &__vp;);
                let cond = quote!(
                    let __cv = #f::and(__conds, #k::Condition::Equals { param: __key.clone(), value: #k::ParamValue::from(#vn) });
                    let __conds: &[#k::Condition] = &__cv;
                );
                let insert = quote!(__out.insert(__key.clone(), #k::ParamValue::from(#vn)););
                match &v.style {
                    VariantStyle::Unit => {
                        sample_arms.push(quote!(#vn => ::core::result::Result::Ok(Self::#vi),));
                        write_arms.push(quote!(Self::#vi => { #insert }));
                        read_arms.push(quote!(#index => ::core::result::Result::Ok(Self::#vi),));
                    }
                    VariantStyle::Newtype(field) => {
                        let ty = &field.ty;
                        sample_arms.push(quote!(#vn => { #enter ::core::result::Result::Ok(Self::#vi(<#ty as #k::SearchSpace>::sample_in(__trial, __prefix)?)) }));
                        describe_blocks.push(quote!({ #enter #cond <#ty as #k::SearchSpace>::describe_in(__prefix, __conds, __out)?; }));
                        write_arms.push(quote!(Self::#vi(__inner) => { #insert #enter <#ty as #k::SearchSpace>::write_params(__inner, __prefix, __out); }));
                        read_arms.push(quote!(#index => { #enter ::core::result::Result::Ok(Self::#vi(<#ty as #k::SearchSpace>::read_params(__params, __prefix)?)) }));
                    }
                    VariantStyle::Named(fields) => {
                        let bind = |i: &syn::Ident| format_ident!("__f_{}", i);
                        let pats = fields.iter().map(|fl| {
                            let (i, b) = (fl.ident, bind(fl.ident));
                            if matches!(fl.kind, FieldKind::Fixed(_)) {
                                quote!(#i: _)
                            } else {
                                quote!(#i: #b)
                            }
                        });
                        let code = fields_code(&p, fields, |i| {
                            let b = bind(i);
                            quote!(#b)
                        });
                        let (sample, describe, write, read) =
                            (code.sample, code.describe, code.write, code.read);
                        sample_arms.push(
                            quote!(#vn => { #enter ::core::result::Result::Ok(Self::#vi #sample) }),
                        );
                        describe_blocks.push(quote!({ #enter #cond #describe }));
                        write_arms
                            .push(quote!(Self::#vi { #(#pats),* } => { #insert #enter #write }));
                        read_arms.push(quote!(#index => { #enter ::core::result::Result::Ok(Self::#vi #read) }));
                    }
                    VariantStyle::Tuple(_) => unreachable!("check rejects tuple variants"),
                }
            }
            (
                quote!(
                    #key_init
                    let __chosen: &str = __trial.suggest_categorical(&__key, __NAMES)?;
                    match __chosen {
                        #(#sample_arms)*
                        __other => ::core::unreachable!("`{}` is not a variant", __other),
                    }
                ),
                quote!(
                    #key_init
                    let __vd = #f::choice(&__key, __NAMES.iter().map(|n| #k::ParamValue::from(*n)).collect())?;
                    #f::describe(__out, &__key, __vd, __conds);
                    #(#describe_blocks)*
                    ::core::result::Result::Ok(())
                ),
                quote!(
                    #key_init
                    let _ = __NAMES;
                    match self { #(#write_arms)* }
                ),
                quote!(
                    #key_init
                    let __value = __params.get(&__key).ok_or_else(|| #k::Error::MissingParam(__key.clone()))?;
                    match #f::variant_index(&__key, __value, __NAMES)? {
                        #(#read_arms)*
                        _ => ::core::unreachable!("variant_index checks the range"),
                    }
                ),
            )
        }
    };
    quote! {
        #[automatically_derived]
        #[allow(unused_variables, unused_mut, clippy::all)]
        impl #k::SearchSpace for #ident {
            fn sample_in(__trial: &mut #k::Trial, __prefix: &str) -> #k::Result<Self> {
                #sample
            }
            fn describe_in(
                __prefix: &str,
                __conds: &[#k::Condition],
                __out: &mut ::std::vec::Vec<#k::SpaceParam>,
            ) -> #k::Result<()> {
                #describe
            }
            fn write_params(&self, __prefix: &str, __out: &mut #k::ParamMap) {
                #write
            }
            fn read_params(__params: &#k::ParamMap, __prefix: &str) -> #k::Result<Self> {
                #read
            }
        }
    }
}
