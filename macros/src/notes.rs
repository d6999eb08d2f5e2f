//! What a build should hear about without failing: the size of the embedded set (an
//! error past `size_limit`), and the `node_modules` and `.git` folders that were left out.
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
    let span = args.folder.span();
    let mut out = TokenStream::new();
    for (index, message) in messages.iter().enumerate() {
        let name = format_ident!("hyper_assets_note_{}", index);
        out.extend(quote_spanned! {span=>
            const _: () = {
                #[deprecated(note = #message)]
                #[allow(non_upper_case_globals)]
                const #name: () = ();
                #name
            };
        });
    }
    Ok(out)
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
