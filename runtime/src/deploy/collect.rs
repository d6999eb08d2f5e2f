//! Writing the embedded set to a folder, exactly as the binary serves it, for a CDN or
//! for nginx.

use crate::manifest::Manifest;
use hyper_assets_pipeline::{CollectError, CollectReport, CollectedFile, Retention};
use std::path::Path;

impl Manifest {
    /// Writes every asset to `dir` as the binary serves it, as a release of a release
    /// folder ([`hyper_assets_pipeline::collect_release`]): the hashed file, its `.br` and
    /// `.gz` siblings when it has variants, a canonical copy (with its siblings), Django's
    /// `staticfiles.json`, and `releases.json`, the index of the releases the folder
    /// holds. Earlier releases collected into the same folder stay by
    /// [`Retention::default`]: the 2 previous ones, plus any collected within the hour.
    /// Serve the folder with [`nginx_static_location`], or to earlier releases' pages from
    /// the binary with `STATIC_RELEASES_DIR`.
    ///
    /// # Errors
    /// A file or folder that cannot be written, two outputs with one name, or an index
    /// that is not collect's; the error names the file.
    pub fn collect(&self, dir: &Path) -> Result<CollectReport, CollectError> {
        self.collect_keeping(dir, &Retention::default())
    }

    /// [`Manifest::collect`] with another retention of earlier releases.
    ///
    /// # Errors
    /// As [`Manifest::collect`].
    pub fn collect_keeping(
        &self,
        dir: &Path,
        retention: &Retention,
    ) -> Result<CollectReport, CollectError> {
        let files: Vec<CollectedFile<'_>> = self
            .assets()
            .iter()
            .map(|asset| CollectedFile {
                canonical: asset.canonical_path(),
                hashed: asset.hashed_path(),
                bytes: asset.bytes(),
                brotli: asset.brotli().map(|v| v.bytes()),
                gzip: asset.gzip().map(|v| v.bytes()),
            })
            .collect();
        hyper_assets_pipeline::collect_release(
            dir,
            self.version(),
            &files,
            &self.staticfiles_json(),
            retention,
        )
    }
}

/// An nginx `location` that serves a folder written by [`Manifest::collect`] as the
/// binary does: the manifest's prefix, hashed names immutable for a year, canonical names
/// revalidated, the same `Content-Type`s (a `types` block from the manifest), `.gz`
/// siblings through `gzip_static` (and `.br` through `brotli_static` when `brotli` is
/// set and that module is loaded). A 404 is `no-store` (a named location,
/// `@hyper_assets_missing`, printed after it: paste both into the `server` block), and
/// only a 200, 206 or 304 of a hashed name is immutable. Earlier releases' files in the
/// folder are served under their own names, as the binary serves them.
pub fn nginx_static_location(manifest: &Manifest, root: &str, brotli: bool) -> String {
    hyper_assets_pipeline::nginx_static_location(
        manifest.prefix(),
        manifest
            .assets()
            .iter()
            .map(|asset| (asset.canonical_path(), asset.content_type())),
        root,
        brotli,
    )
}
