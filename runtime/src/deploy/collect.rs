//! Writing the embedded set to a folder, exactly as the binary serves it, for a CDN or
//! for nginx.

use crate::manifest::{Asset, Embedded, Manifest};
use hyper_assets_pipeline::{
    Collect, CollectError, CollectReport, CollectedFile, ContentHash, DeltaEncoding, MadeDelta,
    Retention,
};
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
        self.collect_with(dir, retention, &[])
    }

    fn collect_with(
        &self,
        dir: &Path,
        retention: &Retention,
        earlier: &[Asset],
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
        // The deltas embedded from earlier releases, with the bytes they were made
        // against (the embedded earlier file whose SHA-256 each names).
        let made: Vec<MadeDelta<'_>> = self
            .assets()
            .iter()
            .flat_map(|asset| asset.deltas().iter().map(move |delta| (asset, delta)))
            .filter_map(|(asset, delta)| {
                let dictionary = earlier.iter().find(|old| {
                    old.canonical_path() == asset.canonical_path()
                        && ContentHash::of(old.bytes()).as_bytes() == delta.dictionary()
                })?;
                Some(
                    [
                        (DeltaEncoding::Dcb, delta.dcb()),
                        (DeltaEncoding::Dcz, delta.dcz()),
                    ]
                    .into_iter()
                    .filter_map(move |(encoding, bytes)| {
                        Some(MadeDelta {
                            hashed: asset.hashed_path(),
                            dictionary: dictionary.bytes(),
                            encoding,
                            bytes: bytes?.bytes(),
                        })
                    }),
                )
            })
            .flatten()
            .collect();
        let staticfiles_json = self.staticfiles_json();
        Collect::new(dir, self.version(), &files, &staticfiles_json)
            .retention(*retention)
            .made_deltas(&made)
            .run()
    }
}

impl Embedded {
    /// [`Manifest::collect`], with the deltas embedded from earlier releases
    /// (`previous = "..."`, RFC 9842) written beside the files and listed in
    /// `releases.json`, each once checked to decode to its file, so nginx serving the
    /// folder sends them too.
    ///
    /// # Errors
    /// As [`Manifest::collect`].
    pub fn collect(&self, dir: &Path) -> Result<CollectReport, CollectError> {
        self.collect_keeping(dir, &Retention::default())
    }

    /// [`Embedded::collect`] with another retention of earlier releases.
    ///
    /// # Errors
    /// As [`Manifest::collect`].
    pub fn collect_keeping(
        &self,
        dir: &Path,
        retention: &Retention,
    ) -> Result<CollectReport, CollectError> {
        self.manifest().collect_with(dir, retention, self.earlier())
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
