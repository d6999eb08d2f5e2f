//! The manifest model: one entry per file, and the version derived from all of them.

use crate::content_hash::{ContentHash, SHORT_HASH_LEN};
use crate::content_type::content_type;
use crate::error::PipelineError;
use crate::hashed_name::hashed_name;
use crate::rewrite::ProcessedFile;
use crate::url_path::{check_url_path, percent_encode_path};
use crate::walk::SourceFile;
use std::collections::BTreeMap;
use std::collections::BTreeSet;

/// One file of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// The stable name: the path relative to the static folder (`css/styles.css`).
    pub canonical: String,
    /// The cacheable name (`css/styles.a1b2c3d4e5f6.css`).
    pub hashed: String,
    /// SHA-256 of the exact bytes.
    pub hash: ContentHash,
    /// The `Content-Type` it is served with.
    pub content_type: String,
    /// Length in bytes.
    pub len: u64,
}

impl ManifestEntry {
    /// Describes a file with the given canonical path and bytes.
    pub fn new(canonical: &str, bytes: &[u8]) -> Self {
        Self::with_hash(canonical, ContentHash::of(bytes), bytes.len() as u64)
    }

    /// Describes a file whose bytes are already hashed.
    pub fn with_hash(canonical: &str, hash: ContentHash, len: u64) -> Self {
        Self {
            canonical: canonical.to_owned(),
            hashed: hashed_name(canonical, &hash),
            hash,
            content_type: content_type(canonical),
            len,
        }
    }

    /// The URL of the hashed name under `url_prefix` (which ends in `/`): every byte of
    /// the path other than ASCII letters, digits and `-._~/` is percent-encoded.
    ///
    /// ```
    /// use hyper_assets_pipeline::ManifestEntry;
    ///
    /// let entry = ManifestEntry::new("img/a b.png", b"x");
    /// let short = &entry.hash.hex()[..12];
    /// assert_eq!(entry.url("/static/"), format!("/static/img/a%20b.{short}.png"));
    /// ```
    pub fn url(&self, url_prefix: &str) -> String {
        format!("{url_prefix}{}", percent_encode_path(&self.hashed))
    }

    /// The strong `ETag`: the full SHA-256 hex in quotes, so anyone can check it with
    /// `sha256sum`.
    pub fn etag(&self) -> String {
        format!("\"{}\"", self.hash.hex())
    }
}

/// Every embedded file, sorted by canonical path, and the version derived from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    entries: Vec<ManifestEntry>,
    version: String,
}

impl Manifest {
    /// Builds the manifest of `files` (as returned by [`walk`](crate::walk)).
    ///
    /// # Errors
    /// A name that cannot be a URL path, or a hashed name that is also the canonical name
    /// of another file (an already-hashed copy committed next to its source).
    pub fn from_files(files: &[SourceFile]) -> Result<Self, Vec<PipelineError>> {
        Self::from_entries(
            files
                .iter()
                .map(|file| ManifestEntry::new(&file.canonical, &file.bytes))
                .collect(),
        )
    }

    /// Builds the manifest of files as [`process`](crate::process) made them (rewritten
    /// and hashed).
    ///
    /// # Errors
    /// As [`Manifest::from_files`].
    pub fn from_processed(files: &[ProcessedFile]) -> Result<Self, Vec<PipelineError>> {
        Self::from_entries(
            files
                .iter()
                .map(|file| {
                    ManifestEntry::with_hash(&file.canonical, file.hash, file.bytes.len() as u64)
                })
                .collect(),
        )
    }

    /// Builds the manifest of entries made elsewhere (files embedded by another crate,
    /// whose bytes are already hashed): the same checks and the same version as
    /// [`Manifest::from_files`]. The entries are sorted by canonical path.
    ///
    /// # Errors
    /// As [`Manifest::from_files`].
    pub fn from_entries(mut entries: Vec<ManifestEntry>) -> Result<Self, Vec<PipelineError>> {
        let mut errors = Vec::new();
        for entry in &entries {
            if let Err(reason) = check_url_path(&entry.canonical) {
                errors.push(PipelineError::BadUrlName {
                    path: entry.canonical.clone(),
                    reason,
                });
            }
        }
        entries.sort_by(|a, b| a.canonical.cmp(&b.canonical));
        for pair in entries.windows(2) {
            if pair[0].canonical == pair[1].canonical {
                errors.push(PipelineError::BadUrlName {
                    path: pair[0].canonical.clone(),
                    reason: "two files have this name",
                });
            }
        }
        let canonical: BTreeSet<&str> = entries.iter().map(|e| e.canonical.as_str()).collect();
        for entry in &entries {
            if canonical.contains(entry.hashed.as_str()) {
                errors.push(PipelineError::NameCollision {
                    hashed_from: entry.canonical.clone(),
                    name: entry.hashed.clone(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let version = manifest_version(
            entries
                .iter()
                .map(|entry| (entry.canonical.as_str(), entry.hash)),
        );
        Ok(Self { entries, version })
    }

    /// The entries, sorted by canonical path.
    pub fn entries(&self) -> &[ManifestEntry] {
        &self.entries
    }

    /// The indices of [`Manifest::entries`] in hashed-name order: the table behind
    /// lookups by hashed name (`u32`, as the runtime stores it).
    pub fn hashed_order(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.entries.len())
            .map(|index| u32::try_from(index).unwrap_or(u32::MAX))
            .collect();
        order.sort_by(|&a, &b| {
            self.entries[a as usize]
                .hashed
                .cmp(&self.entries[b as usize].hashed)
        });
        order
    }

    /// The manifest hash, see [`manifest_version`].
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The Django-compatible `staticfiles.json`, see [`staticfiles_json`].
    pub fn staticfiles_json(&self) -> String {
        staticfiles_json(
            self.entries
                .iter()
                .map(|entry| (entry.canonical.as_str(), entry.hashed.as_str())),
            &self.version,
        )
    }
}

/// The manifest hash, which is the app's static version: the first 12 hex characters of
/// the SHA-256 of, for every file in canonical-path order, the canonical path, a NUL
/// byte, the file's SHA-256 in lowercase hex and a newline.
///
/// Only paths and contents count: not mtimes, not where the folder is, not the order
/// the file system lists it in.
///
/// ```
/// use hyper_assets_pipeline::{manifest_version, ContentHash};
/// use sha2::{Digest, Sha256};
///
/// let css = ContentHash::of(b"body{}");
/// let version = manifest_version([("css/a.css", css)]);
/// let by_hand = Sha256::digest(format!("css/a.css\0{}\n", css.hex()));
/// assert_eq!(version, format!("{by_hand:x}")[..12]);
/// ```
pub fn manifest_version<'a>(files: impl IntoIterator<Item = (&'a str, ContentHash)>) -> String {
    let files: Vec<(&str, String)> = files
        .into_iter()
        .map(|(canonical, hash)| (canonical, hash.hex()))
        .collect();
    listing_hash(
        files
            .iter()
            .map(|(canonical, hex)| (*canonical, hex.as_str())),
    )
}

/// The hash behind every version: the first 12 hex characters of the SHA-256 of one line
/// `name NUL hash LF` per entry, in name order. [`manifest_version`] is this over
/// `(canonical path, file SHA-256)`; the runtime uses it for component groups and for the
/// app version too.
///
/// ```
/// use hyper_assets_pipeline::listing_hash;
///
/// assert_eq!(listing_hash([("b", "2"), ("a", "1")]), listing_hash([("a", "1"), ("b", "2")]));
/// assert_eq!(listing_hash([("a", "1")]).len(), 12);
/// ```
pub fn listing_hash<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut entries: Vec<(&str, &str)> = entries.into_iter().collect();
    entries.sort_unstable();
    let mut listing = String::new();
    for (name, hash) in entries {
        listing.push_str(name);
        listing.push('\0');
        listing.push_str(hash);
        listing.push('\n');
    }
    let mut version = ContentHash::of(listing.as_bytes()).hex();
    version.truncate(SHORT_HASH_LEN);
    version
}

/// Django's `staticfiles.json` (`ManifestStaticFilesStorage`, manifest version 1.1):
/// `{"paths": {canonical: hashed, ...}, "version": "1.1", "hash": "<version>"}`.
///
/// ```
/// use hyper_assets_pipeline::staticfiles_json;
///
/// let json = staticfiles_json([("a.css", "a.0123456789ab.css")], "fedcba987654");
/// assert_eq!(
///     json,
///     r#"{"paths":{"a.css":"a.0123456789ab.css"},"version":"1.1","hash":"fedcba987654"}"#
/// );
/// ```
pub fn staticfiles_json<'a>(
    paths: impl IntoIterator<Item = (&'a str, &'a str)>,
    hash: &str,
) -> String {
    let paths: BTreeMap<&str, &str> = paths.into_iter().collect();
    let paths = serde_json::to_string(&paths).unwrap_or_default();
    let hash = serde_json::Value::from(hash);
    format!(r#"{{"paths":{paths},"version":"1.1","hash":{hash}}}"#)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn file(canonical: &str, bytes: &[u8]) -> SourceFile {
        SourceFile {
            canonical: canonical.to_owned(),
            path: PathBuf::from(canonical),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn entries_describe_each_file() {
        let manifest = Manifest::from_files(&[file("css/a.css", b"a{}")]).unwrap();
        let entry = &manifest.entries()[0];
        assert_eq!(entry.len, 3);
        assert_eq!(entry.content_type, "text/css; charset=utf-8");
        assert_eq!(entry.hashed, format!("css/a.{}.css", entry.hash.short()));
        assert_eq!(entry.etag(), format!("\"{}\"", entry.hash.hex()));
    }

    #[test]
    fn version_ignores_order_and_tracks_paths_and_bytes() {
        let a = Manifest::from_files(&[file("a", b"1"), file("b", b"2")]).unwrap();
        let b = Manifest::from_files(&[file("b", b"2"), file("a", b"1")]).unwrap();
        assert_eq!(a.version(), b.version());
        let renamed = Manifest::from_files(&[file("a", b"1"), file("c", b"2")]).unwrap();
        assert_ne!(a.version(), renamed.version());
        let edited = Manifest::from_files(&[file("a", b"1"), file("b", b"3")]).unwrap();
        assert_ne!(a.version(), edited.version());
        assert_eq!(a.version().len(), 12);
    }

    #[test]
    fn an_already_hashed_copy_collides() {
        let short = ContentHash::of(b"x").short();
        let hashed = format!("a.{short}.css");
        let errors =
            Manifest::from_files(&[file("a.css", b"x"), file(&hashed, b"old")]).unwrap_err();
        assert_eq!(
            errors,
            [PipelineError::NameCollision {
                hashed_from: "a.css".to_owned(),
                name: hashed
            }]
        );
    }

    #[test]
    fn bad_names_are_refused() {
        let errors = Manifest::from_files(&[file("a\\b.css", b"x")]).unwrap_err();
        assert!(matches!(errors[0], PipelineError::BadUrlName { .. }));
    }

    #[test]
    fn staticfiles_json_escapes() {
        let json = staticfiles_json([("a\"b.css", "a\"b.0123456789ab.css")], "v");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["paths"]["a\"b.css"], "a\"b.0123456789ab.css");
        assert_eq!(value["version"], "1.1");
    }
}
