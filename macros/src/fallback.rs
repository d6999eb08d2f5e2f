//! On error, a module with the same items and no assets, so one mistake does not
//! cascade into an error at every `assets::` use.

use crate::args::Args;
use crate::emit::emit_source;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::LitStr;

/// The compile errors, and a module with the same items but no assets, so one mistake
/// does not cascade into errors at every use of `assets::`.
///
/// `names` are the canonical paths of the folder when it could be walked (the error came
/// later, from rewriting or hashing): `url!` and `integrity!` then still report a name
/// that is not among them, with its did-you-mean, in the same build as the other errors.
/// Without them (no folder at all) every name is accepted, so nothing cascades.
pub(crate) fn with_fallback(args: &Args, error: &syn::Error, names: &[String]) -> TokenStream {
    let Args {
        module,
        krate,
        prefix,
        ..
    } = args;
    let url_macro = format_ident!("__hyper_assets_url_{}", module);
    let integrity_macro = format_ident!("__hyper_assets_integrity_{}", module);
    let source = emit_source(args, "");
    let errors = error.to_compile_error();
    let empty = LitStr::new("", Span::call_site());
    let checked = if names.is_empty() {
        quote! { ($($path:tt)*) => { #empty }; }
    } else {
        let folder = &args.folder;
        quote! {
            #( (#names) => { #empty }; )*
            ($($path:tt)*) => {
                #krate::__private::__resolve_asset_url!(
                    #folder [#(#names #empty)*] $($path)*
                )
            };
        }
    };
    let hyper_assets_pipeline::ImportMapJson {
        json: empty_map,
        csp_hash: empty_map_hash,
    } = hyper_assets_pipeline::ImportMapJson::build(&[], &[], prefix, prefix);
    quote! {
        #errors
        #[allow(missing_docs)]
        pub mod #module {
            pub const VERSION: &::core::primitive::str = #empty;
            pub const PREFIX: &::core::primitive::str = #prefix;
            pub const IMPORT_MAP: &::core::primitive::str = #empty_map;
            pub const IMPORT_MAP_CSP_HASH: &::core::primitive::str = #empty_map_hash;
            static IMPORT_MAP_DATA: #krate::ImportMap =
                #krate::__private::ImportMap::__new(IMPORT_MAP, IMPORT_MAP_CSP_HASH, &[]);
            pub static MANIFEST: #krate::Manifest = #krate::__private::Manifest::__new(
                VERSION, PREFIX, &[], &[], &IMPORT_MAP_DATA,
            );
            pub static COMPONENTS: [#krate::version::EmbeddedComponent; 0] = [];
            pub static EARLIER: [#krate::Asset; 0] = [];
            #source
            pub static EMBEDDED: #krate::Embedded = #krate::__private::Embedded::__new(
                &MANIFEST, &SOURCE, &COMPONENTS, &EARLIER,
            );
            #[doc(hidden)]
            macro_rules! #url_macro { #checked }
            #[allow(unused_imports)]
            pub(crate) use #url_macro as url;
            #[doc(hidden)]
            macro_rules! #integrity_macro { #checked }
            #[allow(unused_imports)]
            pub(crate) use #integrity_macro as integrity;
        }
    }
}
