//! The generated module: the manifest table through small `ToTokens` newtypes, the
//! `url!`/`integrity!` arms, `COMPONENTS`, `SOURCE` and `EMBEDDED`.

use crate::args::Args;
use crate::earlier::{emit_earlier, EarlierFile};
use crate::load::ComponentFile;
use hyper_assets_pipeline::{
    integrity, is_compressible, is_module, make_deltas, CompressionCache, CompressionSettings,
    Delta, DeltaJob, Encoding, ImportMapJson, Manifest, ManifestEntry, MapModule, ProcessedFile,
    Variant,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use std::path::{Path, PathBuf};

/// The `COMPONENTS` table, and an `include_bytes!` per file so an edit rebuilds.
pub(crate) fn emit_components(
    krate: &syn::Path,
    groups: &[(String, Vec<ComponentFile>)],
) -> TokenStream {
    let count = groups.len();
    let entries = groups.iter().map(|(name, files)| {
        let paths = files.iter().map(|file| &file.path);
        let hashes = files.iter().map(|file| &file.sha256);
        quote! {
            #krate::__private::EmbeddedComponent::__new(#name, &[#((#paths, #hashes)),*])
        }
    });
    let sources = groups.iter().flat_map(|(_, files)| {
        files
            .iter()
            .map(|file| file.source.to_string_lossy().into_owned())
    });
    quote! {
        /// Version component groups embedded at build time (`components(...)`), for
        /// `AppVersion::builder().embedded_components(&COMPONENTS)`.
        pub static COMPONENTS: [#krate::version::EmbeddedComponent; #count] = [#(#entries),*];
        #(const _: &[::core::primitive::u8] = ::core::include_bytes!(#sources);)*
    }
}

/// One `Asset::__new(...)` call of the generated table.
pub(crate) struct QuoteAsset<'a> {
    krate: &'a syn::Path,
    entry: &'a ManifestEntry,
    url: &'a str,
    integrity: &'a str,
    file: &'a ProcessedFile,
    brotli: Option<Variant>,
    gzip: Option<Variant>,
    deltas: Vec<Delta>,
}

/// `Option<Encoded>` for a variant: cached variants come through `include_bytes!`.
pub(crate) fn quote_variant(
    krate: &syn::Path,
    entry: &ManifestEntry,
    variant: Option<&Variant>,
) -> TokenStream {
    let Some(variant) = variant else {
        return quote!(::core::option::Option::None);
    };
    let etag = format!("\"{}-{}\"", entry.hash.hex(), variant.encoding.token());
    let bytes = match &variant.cached_at {
        Some(path) => {
            let path = path.to_string_lossy();
            quote!(::core::include_bytes!(#path))
        }
        None => proc_macro2::Literal::byte_string(&variant.bytes).into_token_stream(),
    };
    quote!(::core::option::Option::Some(#krate::__private::Encoded::__new(#etag, #bytes)))
}

impl ToTokens for QuoteAsset<'_> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let krate = self.krate;
        let entry = self.entry;
        let canonical = &entry.canonical;
        let hashed = &entry.hashed;
        let url = self.url;
        let sha256 = entry.hash.hex();
        let content_type = &entry.content_type;
        let etag = entry.etag();
        let integrity = self.integrity;
        let source = self.file.source.to_string_lossy();
        // Rewritten files are embedded as written by the pipeline (text, small); the
        // source is still included so an edit to it rebuilds. Others come straight from
        // the file: never one token per byte.
        let bytes = if self.file.rewritten {
            let literal = proc_macro2::Literal::byte_string(&self.file.bytes);
            quote! { {
                const _: &[::core::primitive::u8] = ::core::include_bytes!(#source);
                #literal
            } }
        } else {
            quote! { ::core::include_bytes!(#source) }
        };
        let brotli = quote_variant(krate, entry, self.brotli.as_ref());
        let gzip = quote_variant(krate, entry, self.gzip.as_ref());
        let deltas = quote_deltas(krate, entry, &self.deltas);
        tokens.extend(quote! {
            #krate::__private::Asset::__new(
                #canonical, #hashed, #url, #sha256, #content_type, #etag, #integrity, #bytes,
                #brotli, #gzip, #deltas,
            )
        });
    }
}

/// `&[Delta]`: one `Delta::__new(dictionary, dcb, dcz)` per dictionary, sorted by its
/// SHA-256 (the runtime finds one by binary search); each delta's bytes through
/// `include_bytes!` of the cache file when cached.
fn quote_deltas(krate: &syn::Path, entry: &ManifestEntry, deltas: &[Delta]) -> TokenStream {
    let mut dictionaries: Vec<_> = deltas.iter().map(|delta| delta.dictionary).collect();
    dictionaries.dedup();
    let items = dictionaries.iter().map(|dictionary| {
        let coding = |encoding| {
            let Some(delta) = deltas
                .iter()
                .find(|d| d.dictionary == *dictionary && d.encoding == encoding)
            else {
                return quote!(::core::option::Option::None);
            };
            // Strong and its own: one per pair of dictionary and file.
            let etag = format!(
                "\"{}-{}-{}\"",
                entry.hash.hex(),
                encoding.token(),
                &dictionary.hex()[..16]
            );
            let bytes = match &delta.cached_at {
                Some(path) => {
                    let path = path.to_string_lossy();
                    quote!(::core::include_bytes!(#path))
                }
                None => proc_macro2::Literal::byte_string(&delta.bytes).into_token_stream(),
            };
            quote!(::core::option::Option::Some(#krate::__private::Encoded::__new(#etag, #bytes)))
        };
        let hash = proc_macro2::Literal::byte_string(dictionary.as_bytes());
        let dcb = coding(hyper_assets_pipeline::DeltaEncoding::Dcb);
        let dcz = coding(hyper_assets_pipeline::DeltaEncoding::Dcz);
        quote!(#krate::__private::Delta::__new(*#hash, #dcb, #dcz))
    });
    // A const item: its temporaries live for `'static` (a call is never promoted).
    quote!({
        const DELTAS: &[#krate::__private::Delta] = &[#(#items),*];
        DELTAS
    })
}

/// The deltas of each current file (in `files` order) from the earlier files with the
/// same canonical path that carry a dictionary, made on every core and cached in `cache`.
fn deltas(
    files: &[ProcessedFile],
    variants: &[(Option<Variant>, Option<Variant>)],
    earlier: &[EarlierFile],
    cache: &CompressionCache,
) -> Vec<Vec<Delta>> {
    let mut jobs = Vec::new();
    let mut owners = Vec::new();
    for (index, (file, (brotli, _))) in files.iter().zip(variants).enumerate() {
        // Only where there is a `br` answer to beat.
        let Some(brotli) = brotli else { continue };
        for old in earlier
            .iter()
            .filter(|old| old.canonical() == file.canonical)
        {
            if let Some(dictionary) = &old.dictionary {
                jobs.push(DeltaJob {
                    dictionary,
                    target: &file.bytes,
                    target_hash: &file.hash,
                    brotli_len: brotli.bytes.len(),
                });
                owners.push(index);
            }
        }
    }
    let mut out = vec![Vec::new(); files.len()];
    for (owner, made) in owners.into_iter().zip(make_deltas(cache, &jobs)) {
        out[owner].extend(made);
    }
    for list in &mut out {
        list.sort_by_key(|delta| (delta.dictionary, delta.encoding));
    }
    out
}

pub(crate) fn emit(
    args: &Args,
    root: &Path,
    files: &[ProcessedFile],
    manifest: &Manifest,
    components: &[(String, Vec<ComponentFile>)],
    earlier: &[EarlierFile],
) -> TokenStream {
    let Args {
        module,
        krate,
        prefix,
        ..
    } = args;
    let folder = args.folder.value();
    let version = manifest.version();
    let entries = manifest.entries();
    let url_prefix = args.url_prefix.as_deref().unwrap_or(prefix);
    let urls: Vec<String> = entries.iter().map(|entry| entry.url(url_prefix)).collect();
    let integrities: Vec<String> = files.iter().map(|file| integrity(&file.bytes)).collect();
    // Compression is the slow part: results are kept in the crate's OUT_DIR (there when
    // it has a build script, as with `hyper_assets_build::watch`), keyed by content
    // hash and settings, so a build that changed only Rust code compresses nothing.
    let cache = CompressionCache::new(
        std::env::var_os("OUT_DIR").map(|dir| PathBuf::from(dir).join("hyper-assets-compressed")),
    );
    let settings = CompressionSettings::default();
    let variants: Vec<(Option<Variant>, Option<Variant>)> = entries
        .iter()
        .zip(files)
        .map(|(entry, file)| {
            if !args.compress
                || !is_compressible(&entry.content_type)
                || file.bytes.len() < settings.min_size
            {
                return (None, None);
            }
            let make = |encoding| cache.variant(&file.bytes, &file.hash, encoding, &settings);
            (make(Encoding::Brotli), make(Encoding::Gzip))
        })
        .collect();
    let deltas = deltas(files, &variants, earlier, &cache);
    let assets = entries
        .iter()
        .zip(files)
        .zip(&urls)
        .zip(&integrities)
        .zip(variants)
        .zip(deltas)
        .map(
            |(((((entry, file), url), integrity), (brotli, gzip)), deltas)| {
                debug_assert_eq!(entry.canonical, file.canonical);
                QuoteAsset {
                    krate,
                    entry,
                    url,
                    integrity,
                    file,
                    brotli,
                    gzip,
                    deltas,
                }
            },
        );
    let import_map = emit_import_map(krate, args, files, &urls, &integrities, url_prefix);
    let by_hashed = manifest.hashed_order();
    let count = entries.len();
    let canonical: Vec<&str> = entries.iter().map(|e| e.canonical.as_str()).collect();
    let url_macro = format_ident!("__hyper_assets_url_{}", module);
    let integrity_macro = format_ident!("__hyper_assets_integrity_{}", module);
    let components = emit_components(krate, components);
    let earlier = emit_earlier(krate, earlier);
    let source = emit_source(args, &root.to_string_lossy());
    let module_doc = format!(
        "The files of `{folder}` ({count}), embedded with content-hashed names \
         (version `{version}`), generated by `hyper_assets!`."
    );
    quote! {
        #[doc = #module_doc]
        pub mod #module {
            /// The manifest hash: the app's static version, derived from every file's path
            /// and SHA-256.
            pub const VERSION: &::core::primitive::str = #version;
            /// The URL path under which the assets are served.
            pub const PREFIX: &::core::primitive::str = #prefix;
            /// Every embedded asset, with lookups by canonical and hashed path.
            pub static MANIFEST: #krate::Manifest = #krate::__private::Manifest::__new(
                VERSION, PREFIX, &ASSETS, &BY_HASHED, &IMPORT_MAP_DATA,
            );
            #import_map
            static ASSETS: [#krate::Asset; #count] = [#(#assets),*];
            static BY_HASHED: [::core::primitive::u32; #count] = [#(#by_hashed),*];
            #components
            #earlier
            #source
            /// The manifest, [`SOURCE`], [`COMPONENTS`] and [`EARLIER`] together:
            /// `hyper_assets::Site::from_env(&EMBEDDED)`.
            pub static EMBEDDED: #krate::Embedded = #krate::__private::Embedded::__new(
                &MANIFEST, &SOURCE, &COMPONENTS, &EARLIER,
            );

            #[doc(hidden)]
            macro_rules! #url_macro {
                #( (#canonical) => { #urls }; )*
                ($($path:tt)*) => {
                    #krate::__private::__resolve_asset_url!(
                        #folder [#(#canonical #urls)*] $($path)*
                    )
                };
            }
            /// The hashed URL of an asset, as a string literal checked at compile time:
            /// `url!("css/styles.css")`.
            #[allow(unused_imports)]
            pub(crate) use #url_macro as url;

            #[doc(hidden)]
            macro_rules! #integrity_macro {
                #( (#canonical) => { #integrities }; )*
                ($($path:tt)*) => {
                    #krate::__private::__resolve_asset_url!(
                        #folder [#(#canonical #integrities)*] $($path)*
                    )
                };
            }
            /// The Subresource Integrity value (`sha384-...`) of the bytes served for an
            /// asset, as a string literal checked at compile time:
            /// `integrity!("css/styles.css")`.
            #[allow(unused_imports)]
            pub(crate) use #integrity_macro as integrity;
        }
    }
}

/// `IMPORT_MAP`, `IMPORT_MAP_CSP_HASH` and the runtime's `ImportMap` with each module's
/// static imports.
fn emit_import_map(
    krate: &syn::Path,
    args: &Args,
    files: &[ProcessedFile],
    urls: &[String],
    integrities: &[String],
    url_prefix: &str,
) -> TokenStream {
    let modules: Vec<MapModule<'_>> = files
        .iter()
        .zip(urls)
        .zip(integrities)
        .filter(|((file, _), _)| is_module(&file.canonical))
        .map(|((file, url), integrity)| MapModule {
            canonical: &file.canonical,
            url,
            integrity,
        })
        .collect();
    let map = ImportMapJson::build(&modules, &args.bare_names(), url_prefix, &args.prefix);
    let (json, csp_hash) = (&map.json, &map.csp_hash);
    // `files` is sorted by canonical path, so the graph is too.
    let graph = files
        .iter()
        .filter(|file| !file.imports.is_empty() || file.imports_through_map)
        .map(|file| {
            let (module, imports) = (&file.canonical, &file.imports);
            let through_map = file.imports_through_map;
            quote!((#module, &[#(#imports),*], #through_map))
        });
    quote! {
        /// The import map of the JavaScript modules, as JSON: each module's canonical
        /// URL and each bare name of `import_map(...)` mapped to its hashed URL, and an
        /// `integrity` section with each hashed URL's SHA-384. `MANIFEST.import_map()`
        /// renders it as a tag and walks the modules' static import graph.
        pub const IMPORT_MAP: &::core::primitive::str = #json;
        /// The `script-src` source (`'sha256-...'`) that allows the inline
        /// `<script type="importmap">` of [`IMPORT_MAP`] under a strict CSP.
        pub const IMPORT_MAP_CSP_HASH: &::core::primitive::str = #csp_hash;
        static IMPORT_MAP_DATA: #krate::ImportMap = #krate::__private::ImportMap::__new(
            IMPORT_MAP, IMPORT_MAP_CSP_HASH, &[#(#graph),*],
        );
    }
}

/// `SOURCE`: how the folder was read, so dev mode reads it the same way at run time.
pub(crate) fn emit_source(args: &Args, folder: &str) -> TokenStream {
    let krate = &args.krate;
    let url_prefix = match &args.url_prefix {
        Some(prefix) => quote!(::core::option::Option::Some(#prefix)),
        None => quote!(::core::option::Option::None),
    };
    let (rewrite, keep_missing, hidden) = (args.rewrite, args.keep_missing, args.hidden);
    let include = &args.include;
    let exclude = &args.exclude;
    let import_map = args.import_map.is_some();
    let (names, targets): (Vec<String>, Vec<String>) = args.bare_names().into_iter().unzip();
    quote! {
        /// Where and how the files were read, for dev mode (`DevAssets::new(&SOURCE)`).
        pub static SOURCE: #krate::dev::DevSource = #krate::__private::DevSource::__new(
            #folder, PREFIX, #url_prefix, #rewrite, #keep_missing, #hidden,
            &[#(#include),*], &[#(#exclude),*], #import_map, &[#((#names, #targets)),*],
        );
    }
}
