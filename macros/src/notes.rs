//! What a build should hear about without failing: the size of the embedded set (an
//! error past `size_limit`), the `node_modules` and `.git` folders that were left out,
//! and a static folder no build script watches.
//!
//! Stable Rust gives proc macros no warnings of their own, so a note is a use of a
//! deprecated constant carrying the message: the compiler prints it as a warning at the
//! folder literal.

use crate::args::Args;
use hyper_assets_pipeline::{left_out_folders, ProcessedFile};
use proc_macro2::TokenStream;
use quote::{format_ident, quote_spanned};
use std::path::Path;

/// An embedded set past this size gets a warning unless `size_limit` is set.
pub(crate) const SIZE_WARNING: u64 = 32 << 20;

/// The warnings to emit beside the module, or the size error.
pub(crate) fn notes(args: &Args, root: &Path, files: &[ProcessedFile]) -> syn::Result<TokenStream> {
    let folder = args.folder.value();
    let mut messages = Vec::new();
    let left_out = left_out_folders(root);
    if !left_out.is_empty() {
        let names: Vec<String> = left_out.iter().map(|f| format!("`{folder}/{f}`")).collect();
        messages.push(format!(
            "hyper-assets left out {}: `node_modules` and `.git` folders are never embedded \
             (copy the files you serve out of them)",
            names.join(", ")
        ));
    }
    let total: u64 = files.iter().map(|file| file.bytes.len() as u64).sum();
    match &args.size_limit {
        Some((limit, literal)) if total > *limit => {
            return Err(syn::Error::new(
                literal.span(),
                format!(
                    "the embedded set of `{folder}` is {}, over `size_limit = {:?}`; the largest \
                     files: {}",
                    size(total),
                    literal.value(),
                    largest(files)
                ),
            ));
        }
        Some(_) => {}
        None if total > SIZE_WARNING => messages.push(format!(
            "hyper-assets embeds {} from `{folder}` into the binary (over {}); the largest \
             files: {}. Set `size_limit = \"...\"` to allow it and fail above it",
            size(total),
            size(SIZE_WARNING),
            largest(files)
        )),
        None => {}
    }
    Ok(emit_notes(args, "hyper_assets_note", &messages))
}

/// Each message as a warning at the folder literal; `name` keeps the constants of two
/// lists of notes apart.
fn emit_notes(args: &Args, name: &str, messages: &[String]) -> TokenStream {
    let span = args.folder.span();
    let mut out = TokenStream::new();
    for (index, message) in messages.iter().enumerate() {
        let name = format_ident!("{}_{}", name, index);
        out.extend(quote_spanned! {span=>
            const _: () = {
                #[deprecated(note = #message)]
                #[allow(non_upper_case_globals)]
                const #name: () = ();
                #name
            };
        });
    }
    out
}

/// Where a static folder's watching stands, from the compilation's environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Watching {
    /// A build script's `watch_embedded()` or `watch(...)` watches the folder.
    Watched,
    /// A doctest: it cannot have a build script, and its crate's own build has already
    /// shown the note if one is due.
    Doctest,
    /// No build script watches it (there may be none, or one that does not call
    /// `hyper_assets_build`: `OUT_DIR` cannot tell them apart, as a cargo run inside
    /// `cargo test`, trybuild's, inherits the outer crate's).
    Unwatched,
}

impl Watching {
    /// Reads the environment the compiler runs the macro in: `HYPER_ASSETS_WATCHED`,
    /// which `hyper_assets_build` sets through `cargo:rustc-env`, and rustdoc's
    /// `UNSTABLE_RUSTDOC_TEST_PATH`, set while it compiles a doctest.
    pub(crate) fn from_env(manifest_dir: &Path, folder: &str) -> Self {
        let watched = std::env::var_os(hyper_assets_build::WATCHED_VARIABLE);
        if watched.is_some_and(|list| {
            hyper_assets_build::is_watched(&list, manifest_dir, Path::new(folder))
        }) {
            Self::Watched
        } else if std::env::var_os("UNSTABLE_RUSTDOC_TEST_PATH").is_some() {
            Self::Doctest
        } else {
            Self::Unwatched
        }
    }

    /// The note for a folder whose added and removed files would not rebuild the crate.
    pub(crate) fn message(self, folder: &str) -> Option<String> {
        (self == Self::Unwatched).then(|| {
            format!(
                "hyper-assets: no build script watches `{folder}`, so files added to it or \
                 removed from it do not rebuild the crate: add a `build.rs` with \
                 `fn main() {{ hyper_assets_build::watch_embedded(); }}` and \
                 `hyper-assets-build` to `[build-dependencies]` (or call \
                 `hyper_assets_build::watch_embedded()` from the build script you have)"
            )
        })
    }
}

/// The note of [`Watching`] as a warning at the folder literal, or nothing.
pub(crate) fn watching_note(args: &Args, watching: Watching) -> TokenStream {
    let messages: Vec<String> = watching.message(&args.folder.value()).into_iter().collect();
    emit_notes(args, "hyper_assets_unwatched", &messages)
}

/// The five largest files, largest first, with their sizes.
fn largest(files: &[ProcessedFile]) -> String {
    let mut by_size: Vec<&ProcessedFile> = files.iter().collect();
    by_size.sort_by(|a, b| {
        b.bytes
            .len()
            .cmp(&a.bytes.len())
            .then(a.canonical.cmp(&b.canonical))
    });
    let names: Vec<String> = by_size
        .iter()
        .take(5)
        .map(|file| format!("`{}` ({})", file.canonical, size(file.bytes.len() as u64)))
        .collect();
    names.join(", ")
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unwatched_note_names_the_folder_and_the_fix() {
        let note = Watching::Unwatched.message("static").unwrap();
        assert!(
            note.starts_with("hyper-assets: no build script watches `static`, so files added"),
            "{note}"
        );
        assert!(
            note.contains("`fn main() { hyper_assets_build::watch_embedded(); }`"),
            "{note}"
        );
        assert_eq!(Watching::Watched.message("static"), None);
        assert_eq!(Watching::Doctest.message("static"), None);
    }

    #[test]
    fn the_note_is_a_deprecation_at_the_folder() {
        let args: Args = syn::parse_quote!("static");
        let note = watching_note(&args, Watching::Unwatched).to_string();
        assert!(note.contains("deprecated"), "{note}");
        assert!(note.contains("hyper_assets_unwatched_0"), "{note}");
        assert!(watching_note(&args, Watching::Watched).is_empty());
    }
}
