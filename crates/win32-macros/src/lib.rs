//! `#[export]`: declares a builtin function of an ntemu DLL from an ordinary Rust function
//! with typed parameters.
//!
//! ```ignore
//! #[export]
//! fn GetModuleFileNameA(
//!     call: &mut ApiCall<'_>,
//!     hModule: u32,
//!     #[size(nSize)] lpFilename: OutBuf<u8>,
//!     nSize: u32,
//! ) -> u32 { ... }
//! ```
//!
//! The function keeps its name and body. Beside it the attribute defines a marker type of
//! the same name whose `EXPORT` constant is the export entry (`win32::Export`): the name
//! (the function's, or `name = "..."`), the x86 argument slots its parameter types take, the
//! calling convention (`stdcall` unless `cdecl` or `fastcall` is given; a `fastcall` function
//! takes its first two 32-bit arguments from ecx and edx on x86), the parameters' names and kinds for
//! the relay trace, the result's kind, the module (the trace channel), and an entry point that
//! reads the call's argument slots once, decodes each parameter with `win32::FromArg` and
//! turns the result into the return register with `win32::IntoReturn`. A parameter that
//! cannot be decoded (an unreadable string) fails the call with ERROR_NOACCESS and the value
//! `failure = EXPR` (0 by default). `#[size(p)]` on an `OutBuf` parameter takes its capacity
//! from parameter `p`. The first parameter is the call frame (`&mut ApiCall<'_>`).

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, FnArg, Ident, ItemFn, LitStr, Pat, ReturnType, Token, Type, Visibility};

/// The attribute's options.
#[derive(Default)]
struct Options {
    convention: Convention,
    name: Option<LitStr>,
    failure: Option<Expr>,
}

/// The x86 calling convention asked for.
#[derive(Default, Clone, Copy)]
enum Convention {
    #[default]
    Stdcall,
    Cdecl,
    Fastcall,
}

enum Opt {
    Convention(Convention),
    Name(LitStr),
    Failure(Expr),
}

impl Parse for Opt {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        match key.to_string().as_str() {
            "cdecl" => Ok(Opt::Convention(Convention::Cdecl)),
            "stdcall" => Ok(Opt::Convention(Convention::Stdcall)),
            "fastcall" => Ok(Opt::Convention(Convention::Fastcall)),
            "name" => {
                input.parse::<Token![=]>()?;
                Ok(Opt::Name(input.parse()?))
            }
            "failure" => {
                input.parse::<Token![=]>()?;
                Ok(Opt::Failure(input.parse()?))
            }
            other => Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown export option `{other}` (cdecl, stdcall, fastcall, name = \"..\", failure = EXPR)"
                ),
            )),
        }
    }
}

impl Parse for Options {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut options = Options::default();
        for opt in Punctuated::<Opt, Token![,]>::parse_terminated(input)? {
            match opt {
                Opt::Convention(c) => options.convention = c,
                Opt::Name(n) => options.name = Some(n),
                Opt::Failure(e) => options.failure = Some(e),
            }
        }
        Ok(options)
    }
}

/// One typed parameter.
struct Param {
    ident: Ident,
    ty: Type,
    /// The parameter giving an out-buffer's capacity.
    size: Option<Ident>,
}

/// Declares a builtin DLL export; see the crate documentation.
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    let options = syn::parse_macro_input!(attr as Options);
    let function = syn::parse_macro_input!(item as ItemFn);
    match expand(options, function) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(options: Options, mut function: ItemFn) -> syn::Result<Tokens> {
    let ident = function.sig.ident.clone();
    let export_name = options
        .name
        .clone()
        .unwrap_or_else(|| LitStr::new(&ident.to_string(), ident.span()));
    let mut inputs = function.sig.inputs.iter_mut();
    match inputs.next() {
        Some(FnArg::Typed(_)) => {}
        _ => {
            return Err(syn::Error::new_spanned(
                &function.sig,
                "an export's first parameter is the call: `call: &mut ApiCall<'_>`",
            ));
        }
    }
    let mut params = Vec::new();
    for input in inputs {
        let FnArg::Typed(typed) = input else {
            return Err(syn::Error::new_spanned(input, "an export takes no self"));
        };
        let Pat::Ident(pat) = &*typed.pat else {
            return Err(syn::Error::new_spanned(&typed.pat, "name the parameter"));
        };
        let mut size = None;
        let mut kept = Vec::new();
        for a in typed.attrs.drain(..) {
            if a.path().is_ident("size") {
                size = Some(a.parse_args::<Ident>()?);
            } else {
                kept.push(a);
            }
        }
        typed.attrs = kept;
        params.push(Param {
            ident: pat.ident.clone(),
            ty: (*typed.ty).clone(),
            size,
        });
    }
    for p in &params {
        if let Some(size) = &p.size
            && !params.iter().any(|q| &q.ident == size)
        {
            return Err(syn::Error::new_spanned(
                size,
                "no parameter of that name gives the size",
            ));
        }
    }
    // A parameter that gives an out-buffer's size is in the buffer already: the function
    // need not read it again.
    let sizes: Vec<Ident> = params.iter().filter_map(|p| p.size.clone()).collect();
    for input in function.sig.inputs.iter_mut().skip(1) {
        if let FnArg::Typed(typed) = input
            && let Pat::Ident(pat) = &*typed.pat
            && sizes.contains(&pat.ident)
        {
            typed
                .attrs
                .push(syn::parse_quote!(#[allow(unused_variables)]));
        }
    }
    let result: Type = match &function.sig.output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    };
    let vis = match &function.vis {
        Visibility::Public(_) => quote!(pub),
        _ => quote!(pub(crate)),
    };
    let convention = match options.convention {
        Convention::Stdcall => quote!(::win32::CallingConvention::Stdcall),
        Convention::Cdecl => quote!(::win32::CallingConvention::Cdecl),
        Convention::Fastcall => quote!(::win32::CallingConvention::Fastcall),
    };
    let failure = options
        .failure
        .as_ref()
        .map_or_else(|| quote!(0u32), |e| quote!((#e) as u32));

    let kind_of = |p: &Param| -> Tokens {
        let ty = &p.ty;
        if p.size.is_some() {
            quote!(::win32::ValueKind::Ptr)
        } else {
            quote!(<#ty as ::win32::FromArg>::KIND)
        }
    };
    let kinds: Vec<Tokens> = params.iter().map(kind_of).collect();
    let names: Vec<String> = params.iter().map(|p| p.ident.to_string()).collect();
    let locals: Vec<Ident> = params
        .iter()
        .map(|p| format_ident!("__arg_{}", p.ident))
        .collect();
    let decodes: Vec<Tokens> = params
        .iter()
        .zip(&locals)
        .map(|(p, local)| {
            let ty = if p.size.is_some() {
                quote!(::win32::Ptr)
            } else {
                let ty = &p.ty;
                quote!(#ty)
            };
            quote! {
                let #local = match <#ty as ::win32::FromArg>::from_arg(call, &mut __frame) {
                    Ok(v) => v,
                    Err(e) => return e.fail(call, #failure),
                };
            }
        })
        .collect();
    let sized: Vec<Tokens> = params
        .iter()
        .zip(&locals)
        .filter_map(|(p, local)| {
            let size = p.size.as_ref()?;
            let size_local = format_ident!("__arg_{}", size);
            Some(quote! {
                let #local = ::win32::OutBuf::new(#local, ::win32::args::AsSize::as_size(&#size_local));
            })
        })
        .collect();
    let frame = if params.is_empty() {
        quote!()
    } else {
        quote!(let mut __frame = ::win32::ArgFrame::read_with(call, Self::EXPORT.arguments, Self::EXPORT.convention);)
    };
    let doc = format!("The export entry of `{}`.", export_name.value());

    // The SDK's parameter names, and as many parameters as the SDK gives the function.
    function
        .attrs
        .push(syn::parse_quote!(#[allow(non_snake_case, clippy::too_many_arguments)]));
    Ok(quote! {
        #function

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #ident {}

        impl #ident {
            #[doc = #doc]
            #vis const EXPORT: ::win32::Export = ::win32::Export {
                name: #export_name,
                arguments: 0u8 #(+ #kinds.x86_slots())*,
                convention: #convention,
                params: &[#(::win32::Param { name: #names, kind: #kinds },)*],
                returns: <#result as ::win32::IntoReturn>::KIND,
                module: module_path!(),
                function: #ident::__entry,
            };

            #[allow(non_snake_case, unused_mut)]
            fn __entry(call: &mut ::win32::ApiCall<'_>) -> ::win32::ApiReturn {
                #frame
                #(#decodes)*
                #(#sized)*
                let __result: #result = #ident(call, #(#locals),*);
                ::win32::IntoReturn::into_return(__result, call)
            }
        }
    })
}
