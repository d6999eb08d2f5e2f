//! The expansion: walk and hash through the pipeline, then emit the `assets` module.

use crate::args::Args;
use crate::expansion_cache::ExpansionCache;
use hyper_assets_pipeline::{
    integrity, is_compressible, process, walk, CompressionCache, CompressionSettings, Encoding,
    FileFilter, Glob, Manifest, ManifestEntry, MissingReferences, PipelineError, ProcessedFile,
    RewriteOptions, Variant,
};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use std::path::{Path, PathBuf};
use syn::LitStr;

/// Expands `hyper_assets!(...)` for the crate in `CARGO_MANIFEST_DIR`, reusing the
/// previous expansion when no file changed (see `expansion_cache`).
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let out_dir = std::env::var_os("OUT_DIR").map(PathBuf::from);
    let cache = match (&manifest_dir, &out_dir, syn::parse2::<Args>(input.clone())) {
        (Some(manifest_dir), Some(out_dir), Ok(args)) => {
            let components: Vec<PathBuf> = args
                .components
                .iter()
                .flat_map(|(_, literals)| literals)
                .map(|literal| manifest_dir.join(literal.value().trim_end_matches('/')))
                .collect();
            ExpansionCache::new(
                out_dir,
                &input,
                manifest_dir,
                &manifest_dir.join(args.folder.value()),
                args.hidden,
                &components,
            )
        }
        _ => None,
    };
    if let Some(expansion) = cache.as_ref().and_then(ExpansionCache::load) {
        return expansion;
    }
    match try_expand(input, manifest_dir.as_deref()) {
        Ok(expansion) => {
            if let Some(cache) = &cache {
                cache.store(&expansion);
            }
            expansion
        }
        Err(with_errors) => with_errors,
    }
}

/// Expands with an explicit crate directory (the unit tests pass one).
#[cfg(test)]
pub(crate) fn expand_in(input: TokenStream, manifest_dir: Option<&Path>) -> TokenStream {
    try_expand(input, manifest_dir).unwrap_or_else(|with_errors| with_errors)
}

/// The expansion, or the errors with a fallback module.
fn try_expand(input: TokenStream, manifest_dir: Option<&Path>) -> Result<TokenStream, TokenStream> {
    let args: Args = match syn::parse2(input) {
        Ok(args) => args,
        Err(error) => return Err(error.to_compile_error()),
    };
    let Some(manifest_dir) = manifest_dir else {
        let error = syn::Error::new(
            args.folder.span(),
            "CARGO_MANIFEST_DIR is not set; build with cargo",
        );
        return Err(with_fallback(&args, &error));
    };
    let loaded = load(&args, manifest_dir);
    let components = load_components(&args, manifest_dir);
    match (loaded, components) {
        (Ok((files, manifest)), Ok(components)) => Ok(emit(
            &args,
            &manifest_dir.join(args.folder.value()),
            &files,
            &manifest,
            &components,
        )),
        (Err(mut error), Err(more)) => {
            error.combine(more);
            Err(with_fallback(&args, &error))
        }
        (Err(error), _) | (_, Err(error)) => Err(with_fallback(&args, &error)),
    }
}

/// One file of a version component group.
struct ComponentFile {
    /// Path relative to the crate, as shown on `/version`.
    path: String,
    sha256: String,
    source: PathBuf,
}

/// Reads the `components(...)` groups: each path is a file or a folder (all its
/// non-hidden files), relative to the crate.
fn load_components(
    args: &Args,
    manifest_dir: &Path,
) -> syn::Result<Vec<(String, Vec<ComponentFile>)>> {
    let mut errors: Option<syn::Error> = None;
    let mut groups = Vec::new();
    for (name, literals) in &args.components {
        let mut files: Vec<ComponentFile> = Vec::new();
        for literal in literals {
            let rel = literal.value().trim_end_matches('/').to_owned();
            let path = manifest_dir.join(&rel);
            let fail = |message: String| {
                syn::Error::new(
                    literal.span(),
                    format!("version component `{name}`: {message}"),
                )
            };
            let found = if path.is_dir() {
                walk(&path, &FileFilter::default())
                    .map_err(|problems| {
                        let mut all = problems.iter().map(|problem| fail(problem.describe(&rel)));
                        let first = all
                            .next()
                            .unwrap_or_else(|| fail(format!("cannot read `{rel}`")));
                        all.fold(first, |mut acc, error| {
                            acc.combine(error);
                            acc
                        })
                    })
                    .map(|walked| {
                        walked
                            .into_iter()
                            .map(|file| ComponentFile {
                                path: format!("{rel}/{}", file.canonical),
                                sha256: hyper_assets_pipeline::ContentHash::of(&file.bytes).hex(),
                                source: file.path,
                            })
                            .collect::<Vec<_>>()
                    })
            } else {
                std::fs::read(&path)
                    .map_err(|error| fail(format!("cannot read `{rel}`: {error}")))
                    .map(|bytes| {
                        vec![ComponentFile {
                            path: rel.clone(),
                            sha256: hyper_assets_pipeline::ContentHash::of(&bytes).hex(),
                            source: path.clone(),
                        }]
                    })
            };
            match found {
                Ok(found) => files.extend(found),
                Err(error) => match &mut errors {
                    Some(all) => all.combine(error),
                    None => errors = Some(error),
                },
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        groups.push((name.to_string(), files));
    }
    match errors {
        Some(errors) => Err(errors),
        None => Ok(groups),
    }
}

/// The `COMPONENTS` table, and an `include_bytes!` per file so an edit rebuilds.
fn emit_components(krate: &syn::Path, groups: &[(String, Vec<ComponentFile>)]) -> TokenStream {
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

/// Reads, rewrites and hashes the folder; every problem becomes one error on the folder
/// literal.
fn load(args: &Args, manifest_dir: &Path) -> syn::Result<(Vec<ProcessedFile>, Manifest)> {
    let folder = args.folder.value();
    let mut errors: Option<syn::Error> = None;
    let mut push = |error: syn::Error| match &mut errors {
        Some(all) => all.combine(error),
        None => errors = Some(error),
    };
    let mut filter = FileFilter::default().include_hidden(args.hidden);
    for (literal, include) in args
        .include
        .iter()
        .map(|l| (l, true))
        .chain(args.exclude.iter().map(|l| (l, false)))
    {
        match Glob::new(&literal.value()) {
            Ok(glob) if include => filter = filter.include(glob),
            Ok(glob) => filter = filter.exclude(glob),
            Err(error) => push(syn::Error::new(literal.span(), error.to_string())),
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    let at_folder = |errors: Vec<PipelineError>| {
        let mut all = errors
            .iter()
            .map(|error| syn::Error::new(args.folder.span(), error.describe(&folder)));
        let first = all.next();
        all.fold(first, |acc, error| {
            acc.map(|mut acc| {
                acc.combine(error);
                acc
            })
        })
    };
    let root = manifest_dir.join(&folder);
    let files = walk(&root, &filter).map_err(|errors| {
        at_folder(errors)
            .unwrap_or_else(|| syn::Error::new(args.folder.span(), "cannot read the static folder"))
    })?;
    for file in &files {
        if file.path.to_str().is_none() {
            return Err(syn::Error::new(
                args.folder.span(),
                format!("the path of `{folder}/{}` is not UTF-8", file.canonical),
            ));
        }
    }
    let options = RewriteOptions {
        enabled: args.rewrite,
        prefix: args.prefix.clone(),
        url_prefix: args.url_prefix.clone(),
        missing: if args.keep_missing {
            MissingReferences::Keep
        } else {
            MissingReferences::Error
        },
    };
    let files = process(files, &options).map_err(|errors| {
        at_folder(errors).unwrap_or_else(|| syn::Error::new(args.folder.span(), "cannot rewrite"))
    })?;
    let manifest = Manifest::from_processed(&files).map_err(|errors| {
        at_folder(errors)
            .unwrap_or_else(|| syn::Error::new(args.folder.span(), "invalid static folder"))
    })?;
    Ok((files, manifest))
}

/// One `Asset::__new(...)` call of the generated table.
struct QuoteAsset<'a> {
    krate: &'a syn::Path,
    entry: &'a ManifestEntry,
    url: &'a str,
    integrity: &'a str,
    file: &'a ProcessedFile,
    brotli: Option<Variant>,
    gzip: Option<Variant>,
}

/// `Option<Encoded>` for a variant: cached variants come through `include_bytes!`.
fn quote_variant(
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
        tokens.extend(quote! {
            #krate::__private::Asset::__new(
                #canonical, #hashed, #url, #sha256, #content_type, #etag, #integrity, #bytes,
                #brotli, #gzip,
            )
        });
    }
}

fn emit(
    args: &Args,
    root: &Path,
    files: &[ProcessedFile],
    manifest: &Manifest,
    components: &[(String, Vec<ComponentFile>)],
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
    let assets = entries
        .iter()
        .zip(files)
        .zip(&urls)
        .zip(&integrities)
        .zip(variants)
        .map(|((((entry, file), url), integrity), (brotli, gzip))| {
            debug_assert_eq!(entry.canonical, file.canonical);
            QuoteAsset {
                krate,
                entry,
                url,
                integrity,
                file,
                brotli,
                gzip,
            }
        });
    let by_hashed = manifest.hashed_order();
    let count = entries.len();
    let canonical: Vec<&str> = entries.iter().map(|e| e.canonical.as_str()).collect();
    let url_macro = format_ident!("__hyper_assets_url_{}", module);
    let integrity_macro = format_ident!("__hyper_assets_integrity_{}", module);
    let components = emit_components(krate, components);
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
            pub static MANIFEST: #krate::Manifest =
                #krate::__private::Manifest::__new(VERSION, PREFIX, &ASSETS, &BY_HASHED);
            static ASSETS: [#krate::Asset; #count] = [#(#assets),*];
            static BY_HASHED: [::core::primitive::u32; #count] = [#(#by_hashed),*];
            #components
            #source
            /// The manifest, [`SOURCE`] and [`COMPONENTS`] together:
            /// `hyper_assets::Site::from_env(&EMBEDDED)`.
            pub static EMBEDDED: #krate::Embedded =
                #krate::__private::Embedded::__new(&MANIFEST, &SOURCE, &COMPONENTS);

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

/// `SOURCE`: how the folder was read, so dev mode reads it the same way at run time.
fn emit_source(args: &Args, folder: &str) -> TokenStream {
    let krate = &args.krate;
    let url_prefix = match &args.url_prefix {
        Some(prefix) => quote!(::core::option::Option::Some(#prefix)),
        None => quote!(::core::option::Option::None),
    };
    let (rewrite, keep_missing, hidden) = (args.rewrite, args.keep_missing, args.hidden);
    let include = &args.include;
    let exclude = &args.exclude;
    quote! {
        /// Where and how the files were read, for dev mode (`DevAssets::new(&SOURCE)`).
        pub static SOURCE: #krate::dev::DevSource = #krate::__private::DevSource::__new(
            #folder, PREFIX, #url_prefix, #rewrite, #keep_missing, #hidden,
            &[#(#include),*], &[#(#exclude),*],
        );
    }
}

/// The compile errors, and a module with the same items but no assets, so one mistake
/// does not cascade into errors at every use of `assets::`.
fn with_fallback(args: &Args, error: &syn::Error) -> TokenStream {
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
    quote! {
        #errors
        #[allow(missing_docs)]
        pub mod #module {
            pub const VERSION: &::core::primitive::str = #empty;
            pub const PREFIX: &::core::primitive::str = #prefix;
            pub static MANIFEST: #krate::Manifest =
                #krate::__private::Manifest::__new(VERSION, PREFIX, &[], &[]);
            pub static COMPONENTS: [#krate::version::EmbeddedComponent; 0] = [];
            #source
            pub static EMBEDDED: #krate::Embedded =
                #krate::__private::Embedded::__new(&MANIFEST, &SOURCE, &COMPONENTS);
            #[doc(hidden)]
            macro_rules! #url_macro { ($($path:tt)*) => { #empty }; }
            #[allow(unused_imports)]
            pub(crate) use #url_macro as url;
            #[doc(hidden)]
            macro_rules! #integrity_macro { ($($path:tt)*) => { #empty }; }
            #[allow(unused_imports)]
            pub(crate) use #integrity_macro as integrity;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
    }

    fn expand_str(input: TokenStream) -> String {
        expand_in(input, Some(&fixture())).to_string()
    }

    #[test]
    fn emits_the_manifest_and_url_arms() {
        let out = expand_str(quote!("fixtures/site"));
        let css_hash = hyper_assets_pipeline::ContentHash::of(
            &std::fs::read(fixture().join("fixtures/site/css/app.css")).unwrap(),
        );
        let hashed = format!("css/app.{}.css", css_hash.short());
        assert!(out.contains("pub mod assets"), "{out}");
        assert!(out.contains(&format!("\"{hashed}\"")), "{out}");
        assert!(out.contains(&format!("(\"css/app.css\") => {{ \"/static/{hashed}\" }}")));
        assert!(out.contains(&format!("\"{}\"", css_hash.hex())));
        assert!(out.contains("include_bytes !"));
        assert!(out.contains("\"text/css; charset=utf-8\""));
        assert!(!out.contains("compile_error"));
    }

    #[test]
    fn version_matches_the_pipeline() {
        let out = expand_str(quote!("fixtures/site"));
        let files = walk(&fixture().join("fixtures/site"), &FileFilter::default()).unwrap();
        let manifest = Manifest::from_files(&files).unwrap();
        assert!(out.contains(&format!(
            "VERSION : & :: core :: primitive :: str = \"{}\"",
            manifest.version()
        )));
    }

    #[test]
    fn options_change_module_prefix_and_crate() {
        let out = expand_str(quote!(
            "fixtures/site",
            module = files,
            prefix = "/a",
            crate = ::renamed,
            exclude = ["*.js"]
        ));
        assert!(out.contains("pub mod files"));
        assert!(out.contains("\"/a/css/app."));
        assert!(out.contains(":: renamed :: __private :: Asset :: __new"));
        assert!(!out.contains("\"js/app.js\""), "{out}");
    }

    #[test]
    fn errors_keep_a_fallback_module() {
        let out = expand_str(quote!("fixtures/missing"));
        assert!(out.contains("compile_error"));
        assert!(out.contains("static folder `fixtures/missing` does not exist"));
        assert!(out.contains("pub mod assets"));
        assert!(out.contains("macro_rules"));
    }

    #[test]
    fn url_prefix_points_urls_at_a_cdn() {
        let out = expand_str(quote!(
            "fixtures/site",
            url_prefix = "https://cdn.example.com/assets"
        ));
        assert!(
            out.contains("\"https://cdn.example.com/assets/css/app."),
            "{out}"
        );
        assert!(out.contains("PREFIX : & :: core :: primitive :: str = \"/static/\""));
        let bad = expand_str(quote!("fixtures/site", url_prefix = "ftp://x"));
        assert!(bad.contains("must be an http(s) URL or a path"));
    }

    #[test]
    fn bad_glob_is_reported() {
        let out = expand_str(quote!("fixtures/site", include = ["[a"]));
        assert!(out.contains("invalid glob `[a`: unclosed `[`"), "{out}");
    }

    #[test]
    fn components_are_hashed_and_tracked() {
        let out = expand_str(quote!(
            "fixtures/site",
            components(
                styles = ["fixtures/site/css"],
                script = ["fixtures/site/js/app.js"]
            )
        ));
        let css = std::fs::read(fixture().join("fixtures/site/css/app.css")).unwrap();
        let hex = hyper_assets_pipeline::ContentHash::of(&css).hex();
        assert!(
            out.contains(&format!("(\"fixtures/site/css/app.css\" , \"{hex}\")")),
            "{out}"
        );
        assert!(out.contains("EmbeddedComponent :: __new (\"script\""));
        assert!(
            out.contains("COMPONENTS : [:: hyper_assets :: version :: EmbeddedComponent ; 2usize]"),
            "{out}"
        );
        let missing = expand_str(quote!("fixtures/site", components(config = ["nope.toml"])));
        assert!(
            missing.contains("version component `config`: cannot read `nope.toml`"),
            "{missing}"
        );
        assert!(missing.contains("pub static COMPONENTS"));
    }

    #[test]
    fn deterministic() {
        assert_eq!(
            expand_str(quote!("fixtures/site")),
            expand_str(quote!("fixtures/site"))
        );
    }
}
