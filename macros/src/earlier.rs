//! `previous = "releases"`: the hashed files of earlier releases in a release folder
//! written by `collect`, checked against their names and embedded to be served under
//! those names (never in the manifest, `url!` or the templates).

use crate::args::Args;
use hyper_assets_pipeline::{
    content_type, integrity, percent_encode_path, split_hashed_name, verify_hashed_file,
    ReleaseIndex,
};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One file of an earlier release, verified.
pub(crate) struct EarlierFile {
    canonical: String,
    hashed: String,
    sha256: String,
    content_type: String,
    integrity: String,
    url: String,
    source: PathBuf,
    /// The bytes, kept for the files of the releases a collect of this build would keep
    /// (`Retention::default().keep` newest): the dictionaries of the current files' deltas.
    pub(crate) dictionary: Option<Vec<u8>>,
}

impl EarlierFile {
    /// The canonical path: `css/styles.css`.
    pub(crate) fn canonical(&self) -> &str {
        &self.canonical
    }
}

/// The files of every release the folder's index lists that the current set does not
/// have (`current` holds its hashed paths), sorted by hashed path. A file whose bytes do
/// not hash to its name is an error naming it: a corrupt or planted file is never
/// embedded.
pub(crate) fn load_earlier(
    args: &Args,
    manifest_dir: &Path,
    current: &dyn Fn(&str) -> bool,
) -> syn::Result<Vec<EarlierFile>> {
    let Some(literal) = &args.previous else {
        return Ok(Vec::new());
    };
    let rel = literal.value();
    let dir = manifest_dir.join(&rel);
    let fail = |message: String| syn::Error::new(literal.span(), format!("`previous`: {message}"));
    if !dir.is_dir() {
        return Err(fail(format!(
            "`{rel}` is not a folder; create it with `hyper-assets collect {rel}` after a \
             release (an empty folder embeds nothing)"
        )));
    }
    let index = ReleaseIndex::read(&dir).map_err(|error| fail(error.to_string()))?;
    let mut names: BTreeSet<&str> = BTreeSet::new();
    // The newest `keep` releases stay when this build is collected next (by count only,
    // not by age: the build's output must not depend on when it ran).
    let mut kept: BTreeSet<&str> = BTreeSet::new();
    let keep = hyper_assets_pipeline::Retention::default().keep;
    for (position, release) in index.releases().iter().enumerate() {
        for name in &release.files {
            if !current(name) {
                names.insert(name);
                if position < keep {
                    kept.insert(name);
                }
            }
        }
    }
    let url_prefix = args.url_prefix.as_deref().unwrap_or(&args.prefix);
    let mut errors: Option<syn::Error> = None;
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let source = dir.join(name);
        let checked = std::fs::read(&source)
            .map_err(|error| format!("cannot read `{rel}/{name}`: {error}"))
            .and_then(|bytes| {
                verify_hashed_file(name, &bytes)
                    .map(|hash| (bytes, hash))
                    .map_err(|reason| {
                        format!(
                            "`{rel}/{name}` is refused: {reason}; a corrupt or planted file \
                             is never embedded (collect the release again)"
                        )
                    })
            });
        match checked {
            Ok((bytes, hash)) => {
                let canonical = split_hashed_name(name).map_or_else(String::new, |(c, _)| c);
                files.push(EarlierFile {
                    content_type: content_type(&canonical),
                    canonical,
                    hashed: name.to_owned(),
                    sha256: hash.hex(),
                    integrity: integrity(&bytes),
                    url: format!("{url_prefix}{}", percent_encode_path(name)),
                    source,
                    dictionary: (args.deltas && args.compress && kept.contains(name))
                        .then_some(bytes),
                });
            }
            Err(message) => {
                let error = fail(message);
                match &mut errors {
                    Some(all) => all.combine(error),
                    None => errors = Some(error),
                }
            }
        }
    }
    match errors {
        Some(errors) => Err(errors),
        None => Ok(files),
    }
}

/// `EARLIER`: the earlier releases' files, identity bytes through `include_bytes!`.
pub(crate) fn emit_earlier(krate: &syn::Path, files: &[EarlierFile]) -> TokenStream {
    let count = files.len();
    let assets = files.iter().map(|file| {
        let EarlierFile {
            canonical,
            hashed,
            sha256,
            content_type,
            integrity,
            url,
            source,
            dictionary: _,
        } = file;
        let etag = format!("\"{sha256}\"");
        let source = source.to_string_lossy();
        quote! {
            #krate::__private::Asset::__new(
                #canonical, #hashed, #url, #sha256, #content_type, #etag, #integrity,
                ::core::include_bytes!(#source),
                ::core::option::Option::None, ::core::option::Option::None, &[],
            )
        }
    });
    quote! {
        /// Earlier releases' files (`previous = "..."`), sorted by hashed path: served under
        /// their own names only.
        pub static EARLIER: [#krate::Asset; #count] = [#(#assets),*];
    }
}
