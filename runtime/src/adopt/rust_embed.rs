//! rust-embed sets (`#[derive(rust_embed::Embed)]`) as a [`Manifest`](crate::Manifest).

use super::{AdoptBuilder, EmbeddedFile, Source};
use ::rust_embed::RustEmbed;
use hyper_assets_pipeline::{check_url_path, ContentHash, FileFilter, PipelineError};

/// Starts a [`Manifest`](crate::Manifest) of the files of a rust-embed set; finish it
/// with [`AdoptBuilder::build`].
///
/// Names are the ones rust-embed gives (with its `prefix` attribute, if any), and its
/// `include`/`exclude` attributes apply as usual; hidden files are then left out as
/// `hyper_assets!` leaves them out. File hashes are rust-embed's own
/// (`metadata.sha256_hash()`, computed at compile time in release builds). In a debug
/// build without rust-embed's `debug-embed` feature, rust-embed reads every file from
/// disk when `build` runs: the manifest is a snapshot of that moment.
///
/// This crate depends on rust-embed 8; a set derived with another major version does not
/// implement its trait.
///
/// ```
/// # fn main() -> Result<(), hyper_assets::adopt::AdoptError> {
/// #[derive(rust_embed::Embed)]
/// #[folder = "static"] // your `static` folder, relative to Cargo.toml
/// struct Static;
///
/// let manifest = hyper_assets::adopt::rust_embed::<Static>().prefix("/assets/").build()?;
/// assert!(manifest.url("css/styles.css").is_some_and(|url| url.starts_with("/assets/")));
/// assert!(manifest.get(".hidden").is_none()); // hidden files are left out
/// # Ok(())
/// # }
/// ```
pub fn rust_embed<E: RustEmbed>() -> AdoptBuilder {
    AdoptBuilder::new(
        Source::RustEmbed(files::<E>),
        format!("rust-embed `{}`", std::any::type_name::<E>()),
    )
}

/// The accepted files, and the names that cannot be served or read.
fn files<E: RustEmbed>(filter: &FileFilter) -> (Vec<EmbeddedFile>, Vec<PipelineError>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for name in E::iter().filter(|name| filter.accepts(name)) {
        // Checked before reading: rust-embed's debug mode cannot read such names back.
        if let Err(reason) = check_url_path(&name) {
            problems.push(PipelineError::BadUrlName {
                path: name.into_owned(),
                reason,
            });
            continue;
        }
        match E::get(&name) {
            Some(file) => files.push(EmbeddedFile {
                sha256: Some(ContentHash::from_digest(file.metadata.sha256_hash())),
                bytes: file.data,
                canonical: name,
            }),
            // Only in debug mode, when the file went away between listing and reading.
            None => problems.push(PipelineError::Unreadable {
                path: name.into_owned(),
                reason: "rust-embed lists it but cannot read it".to_owned(),
            }),
        }
    }
    (files, problems)
}
