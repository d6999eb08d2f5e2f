//! The expansion: load the folder and components (`load`), emit the `assets` module
//! (`emit`), or the errors with a fallback module (`fallback`); reuse the last expansion
//! when nothing changed (`expansion_cache`).

use crate::args::Args;
use crate::earlier::load_earlier;
use crate::emit::emit;
use crate::expansion_cache::ExpansionCache;
use crate::fallback::with_fallback;
use crate::load::{canonical_names, load, load_components};
use crate::notes::{notes, watching_note, Watching};
use proc_macro2::TokenStream;
use std::path::{Path, PathBuf};

/// Expands `hyper_assets!(...)` for the crate in `CARGO_MANIFEST_DIR`, reusing the
/// previous expansion when no file changed (see `expansion_cache`).
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let out_dir = std::env::var_os("OUT_DIR").map(PathBuf::from);
    let args = syn::parse2::<Args>(input.clone()).ok();
    // Read afresh at every expansion, never cached: the build script's watching changes
    // without a change on disk that the cache key sees.
    let watching_note = match (&args, &manifest_dir) {
        (Some(args), Some(manifest_dir)) => {
            watching_note(args, Watching::from_env(manifest_dir, &args.folder.value()))
        }
        _ => TokenStream::new(),
    };
    let cache = match (&manifest_dir, &out_dir, args) {
        (Some(manifest_dir), Some(out_dir), Some(args)) => {
            // The release folder is keyed like a component: any change to it expands again.
            let components: Vec<PathBuf> = args
                .components
                .iter()
                .flat_map(|(_, literals)| literals)
                .chain(&args.previous)
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
    if let Some(mut expansion) = cache.as_ref().and_then(ExpansionCache::load) {
        expansion.extend(watching_note);
        return expansion;
    }
    match try_expand(input, manifest_dir.as_deref()) {
        Ok(mut expansion) => {
            if let Some(cache) = &cache {
                cache.store(&expansion);
            }
            expansion.extend(watching_note);
            expansion
        }
        // An error is what to fix first: no note beside it.
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
    let args: Args = match syn::parse2(input.clone()) {
        Ok(args) => args,
        // A bad option: the module still exists (with the module name and crate path
        // that could be read), so the error does not cascade to every `assets::` use.
        Err(error) => return Err(with_fallback(&Args::recover(input), &error, &[])),
    };
    let Some(manifest_dir) = manifest_dir else {
        let error = syn::Error::new(
            args.folder.span(),
            "CARGO_MANIFEST_DIR is not set; build with cargo",
        );
        return Err(with_fallback(&args, &error, &[]));
    };
    let loaded = load(&args, manifest_dir).and_then(|(files, manifest)| {
        let hashed: std::collections::HashSet<&str> = manifest
            .entries()
            .iter()
            .map(|e| e.hashed.as_str())
            .collect();
        let current = |name: &str| hashed.contains(name);
        let earlier = load_earlier(&args, manifest_dir, &current)?;
        Ok((files, manifest, earlier))
    });
    let components = load_components(&args, manifest_dir);
    match (loaded, components) {
        (Ok((files, manifest, earlier)), Ok(components)) => {
            let root = manifest_dir.join(args.folder.value());
            let notes = match notes(&args, &root, &files) {
                Ok(notes) => notes,
                Err(error) => {
                    return Err(with_fallback(
                        &args,
                        &error,
                        &canonical_names(&args, manifest_dir),
                    ))
                }
            };
            let mut expansion = emit(&args, &root, &files, &manifest, &components, &earlier);
            expansion.extend(notes);
            Ok(expansion)
        }
        (Err(mut error), Err(more)) => {
            error.combine(more);
            Err(with_fallback(
                &args,
                &error,
                &canonical_names(&args, manifest_dir),
            ))
        }
        (Err(error), _) | (_, Err(error)) => Err(with_fallback(
            &args,
            &error,
            &canonical_names(&args, manifest_dir),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper_assets_pipeline::{walk, FileFilter, Manifest};
    use quote::quote;
    use std::path::PathBuf;

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
