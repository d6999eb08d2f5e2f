//! The `hyper_assets!` proc macro. Use it through the `hyper-assets` crate, which
//! re-exports it and holds the types the generated code builds.
//!
//! This crate only parses, calls [`hyper_assets_pipeline`] and emits tokens; the
//! expansion works on `proc_macro2` so it is unit-tested without a compiler.

mod args;
mod earlier;
mod emit;
mod expand;
mod expansion_cache;
mod fallback;
mod load;
mod notes;
mod resolve_url;

use proc_macro::TokenStream;

/// Embeds a static folder with content-hashed names. See the `hyper-assets` crate.
#[proc_macro]
pub fn hyper_assets(input: TokenStream) -> TokenStream {
    expand::expand(input.into()).into()
}

/// Resolves an `assets::url!` call that the generated `macro_rules!` arms did not match
/// (a raw string, an escape, or an unknown path). Not public API.
#[doc(hidden)]
#[proc_macro]
pub fn __resolve_asset_url(input: TokenStream) -> TokenStream {
    resolve_url::resolve(input.into()).into()
}
