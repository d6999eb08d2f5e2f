//! The one model of a file as it is served, embedded or read in dev mode, and the set
//! that looks files up by canonical and hashed name.

use super::delta::DeltaRequest;
use crate::manifest::{Asset, Delta, Encoded, Manifest};
use bytes::Bytes;
use http::HeaderValue;
use hyper_assets_pipeline::DeltaEncoding;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// One representation of a file: its bytes, its strong `ETag` and its length, with the
/// header values built once rather than on every response.
#[derive(Clone)]
pub(crate) struct Variant {
    pub(crate) bytes: Bytes,
    pub(crate) etag: HeaderValue,
    pub(crate) length: HeaderValue,
}

impl Variant {
    fn embedded(bytes: &'static [u8], etag: &'static str) -> Self {
        Self {
            bytes: Bytes::from_static(bytes),
            etag: HeaderValue::from_static(etag),
            length: HeaderValue::from(bytes.len()),
        }
    }

    fn encoded(variant: Option<Encoded>) -> Option<Self> {
        variant.map(|v| Self::embedded(v.bytes(), v.etag()))
    }

    /// A delta read from a release folder and checked.
    pub(crate) fn checked(bytes: Bytes, etag: HeaderValue) -> Self {
        Self {
            length: HeaderValue::from(bytes.len()),
            bytes,
            etag,
        }
    }
}

/// The deltas of a file against one dictionary.
#[derive(Clone)]
pub(crate) struct ServedDelta {
    dictionary: [u8; 32],
    dcb: Option<Variant>,
    dcz: Option<Variant>,
}

impl ServedDelta {
    fn embedded(delta: &'static Delta) -> Self {
        Self {
            dictionary: *delta.dictionary(),
            dcb: Variant::encoded(delta.dcb()),
            dcz: Variant::encoded(delta.dcz()),
        }
    }
}

/// The smaller of the deltas `request` accepts, `dcz` on a tie.
pub(crate) fn smaller<'a>(
    request: &DeltaRequest,
    dcb: Option<&'a Variant>,
    dcz: Option<&'a Variant>,
) -> Option<(&'a Variant, DeltaEncoding)> {
    let dcb = dcb.filter(|_| request.dcb);
    let dcz = dcz.filter(|_| request.dcz);
    match (dcb, dcz) {
        (Some(b), Some(z)) if b.bytes.len() < z.bytes.len() => Some((b, DeltaEncoding::Dcb)),
        (_, Some(z)) => Some((z, DeltaEncoding::Dcz)),
        (Some(b), None) => Some((b, DeltaEncoding::Dcb)),
        (None, None) => None,
    }
}

/// A file as the server answers it: what every response path (embedded, adopted, dev
/// mode) reads, so they all follow the same rules.
#[derive(Clone)]
pub struct ServedFile {
    canonical: Cow<'static, str>,
    hashed: Cow<'static, str>,
    sha256: Cow<'static, str>,
    /// The hashed URL, where a request for another build's hash is sent.
    pub(crate) location: HeaderValue,
    pub(crate) content_type: HeaderValue,
    pub(crate) identity: Variant,
    pub(crate) brotli: Option<Variant>,
    pub(crate) gzip: Option<Variant>,
    /// `Use-As-Dictionary`, sent with the hashed name of a compressible file.
    pub(crate) dictionary: Option<HeaderValue>,
    /// Deltas embedded at build time, sorted by dictionary.
    deltas: Arc<[ServedDelta]>,
}

/// The `Use-As-Dictionary` value of a file served at the hashed `url`.
fn dictionary_header(url: &str, content_type: &str) -> Option<HeaderValue> {
    hyper_assets_pipeline::use_as_dictionary(url, content_type)
        .and_then(|value| HeaderValue::from_str(&value).ok())
}

impl ServedFile {
    /// The view of an embedded asset: no byte is copied.
    pub(crate) fn embedded(asset: &'static Asset) -> Self {
        Self {
            canonical: Cow::Borrowed(asset.canonical_path()),
            hashed: Cow::Borrowed(asset.hashed_path()),
            sha256: Cow::Borrowed(asset.sha256()),
            location: HeaderValue::from_static(asset.url()),
            content_type: HeaderValue::from_static(asset.content_type()),
            identity: Variant::embedded(asset.bytes(), asset.etag()),
            brotli: Variant::encoded(asset.brotli()),
            gzip: Variant::encoded(asset.gzip()),
            dictionary: dictionary_header(asset.url(), asset.content_type()),
            deltas: asset.deltas().iter().map(ServedDelta::embedded).collect(),
        }
    }

    /// The embedded delta `request` can take, if any.
    pub(crate) fn delta(&self, request: &DeltaRequest) -> Option<(&Variant, DeltaEncoding)> {
        let wanted = request.dictionary.as_bytes();
        let found = self
            .deltas
            .binary_search_by(|delta| delta.dictionary.cmp(wanted))
            .ok()?;
        let delta = &self.deltas[found];
        smaller(request, delta.dcb.as_ref(), delta.dcz.as_ref())
    }

    /// Whether a build-time delta of this file exists.
    pub(crate) fn has_deltas(&self) -> bool {
        !self.deltas.is_empty()
    }

    /// A file read from disk (dev mode): identity only. `None` when a name or type
    /// cannot be a header value (the pipeline's rules exclude this; it is checked rather
    /// than trusted).
    pub(crate) fn from_disk(
        entry: &hyper_assets_pipeline::ManifestEntry,
        url: &str,
        bytes: Bytes,
    ) -> Option<Self> {
        let etag = HeaderValue::from_str(&entry.etag()).ok()?;
        Some(Self {
            canonical: Cow::Owned(entry.canonical.clone()),
            hashed: Cow::Owned(entry.hashed.clone()),
            sha256: Cow::Owned(entry.hash.hex()),
            location: HeaderValue::from_str(url).ok()?,
            content_type: HeaderValue::from_str(&entry.content_type).ok()?,
            identity: Variant {
                length: HeaderValue::from(bytes.len()),
                bytes,
                etag,
            },
            brotli: None,
            gzip: None,
            dictionary: None,
            deltas: Arc::new([]),
        })
    }

    /// A file of the release folder whose bytes hash to its name (identity only).
    /// `None` when a name or type cannot be a header value.
    pub(crate) fn verified(
        hashed: &str,
        hash: &hyper_assets_pipeline::ContentHash,
        url: &str,
        bytes: Bytes,
    ) -> Option<Self> {
        let (canonical, _) = hyper_assets_pipeline::split_hashed_name(hashed)?;
        let sha256 = hash.hex();
        let content_type = hyper_assets_pipeline::content_type(&canonical);
        Some(Self {
            dictionary: dictionary_header(url, &content_type),
            deltas: Arc::new([]),
            content_type: HeaderValue::from_str(&content_type).ok()?,
            canonical: Cow::Owned(canonical),
            hashed: Cow::Owned(hashed.to_owned()),
            location: HeaderValue::from_str(url).ok()?,
            identity: Variant {
                length: HeaderValue::from(bytes.len()),
                bytes,
                etag: HeaderValue::from_str(&format!("\"{sha256}\"")).ok()?,
            },
            sha256: Cow::Owned(sha256),
            brotli: None,
            gzip: None,
        })
    }

    /// The stable name, relative to the static folder: `css/styles.css`.
    pub fn canonical_path(&self) -> &str {
        &self.canonical
    }

    /// The cacheable name of these bytes: `css/styles.a1b2c3d4e5f6.css`.
    pub fn hashed_path(&self) -> &str {
        &self.hashed
    }

    /// The SHA-256 of the bytes, 64 lowercase hex characters.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The exact bytes served (identity).
    pub fn bytes(&self) -> &Bytes {
        &self.identity.bytes
    }

    /// The strong `ETag` of the identity bytes, quoted.
    pub fn etag(&self) -> &str {
        // Built from a visible-ASCII string, so always text.
        self.identity.etag.to_str().unwrap_or_default()
    }

    /// The `Content-Type` it is served with.
    pub fn content_type(&self) -> &str {
        self.content_type.to_str().unwrap_or_default()
    }
}

impl fmt::Debug for ServedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServedFile")
            .field("canonical_path", &self.canonical)
            .field("hashed_path", &self.hashed)
            .field("content_type", &self.content_type)
            .field("len", &self.identity.bytes.len())
            .field("brotli", &self.brotli.as_ref().map(|v| v.bytes.len()))
            .field("gzip", &self.gzip.as_ref().map(|v| v.bytes.len()))
            .field("deltas", &self.deltas.len())
            .finish_non_exhaustive()
    }
}

/// Which name of a file a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name {
    /// The current hashed name.
    Hashed,
    /// The canonical name.
    Canonical,
    /// The hashed name of an earlier release's file (embedded or from the release
    /// folder).
    Earlier,
    /// A hashed name with another build's hash that no release has.
    OtherBuild,
}

/// Files sorted by canonical name, with an index sorted by hashed name: lookups are
/// binary searches, for the embedded set and for dev mode's alike.
#[derive(Clone, Default)]
pub(crate) struct FileSet {
    files: Vec<ServedFile>,
    by_hashed: Vec<u32>,
    /// Earlier releases' files, sorted by hashed name; found by that name only.
    earlier: Vec<ServedFile>,
}

impl FileSet {
    /// The files of `manifest`, with their header values built once.
    pub(crate) fn from_manifest(manifest: &'static Manifest) -> Self {
        Self::new(manifest.assets().iter().map(ServedFile::embedded).collect())
    }

    /// `files`, sorted and indexed. Names are unique (the manifest's rules).
    pub(crate) fn new(mut files: Vec<ServedFile>) -> Self {
        files.sort_by(|a, b| a.canonical.cmp(&b.canonical));
        let mut by_hashed: Vec<u32> = (0..files.len())
            .filter_map(|index| u32::try_from(index).ok())
            .collect();
        by_hashed.sort_by(|&a, &b| files[a as usize].hashed.cmp(&files[b as usize].hashed));
        Self {
            files,
            by_hashed,
            earlier: Vec::new(),
        }
    }

    /// Adds earlier releases' files, served under their hashed names only. A name the
    /// current set has is left to the current file (the same bytes, by the name).
    pub(crate) fn with_earlier(mut self, earlier: &'static [Asset]) -> Self {
        let mut files: Vec<ServedFile> = earlier
            .iter()
            .filter(|asset| self.get_hashed(asset.hashed_path()).is_none())
            .map(ServedFile::embedded)
            .collect();
        files.sort_by(|a, b| a.hashed.cmp(&b.hashed));
        files.dedup_by(|a, b| a.hashed == b.hashed);
        self.earlier = files;
        self
    }

    /// How many earlier releases' files.
    #[cfg(feature = "server")] // for the start-up line
    pub(crate) fn earlier_len(&self) -> usize {
        self.earlier.len()
    }

    /// The file with this canonical name.
    pub(crate) fn get(&self, canonical: &str) -> Option<&ServedFile> {
        self.files
            .binary_search_by(|file| file.canonical.as_ref().cmp(canonical))
            .ok()
            .map(|index| &self.files[index])
    }

    /// The file with this current hashed name.
    pub(crate) fn get_hashed(&self, hashed: &str) -> Option<&ServedFile> {
        self.by_hashed
            .binary_search_by(|&index| self.files[index as usize].hashed.as_ref().cmp(hashed))
            .ok()
            .map(|found| &self.files[self.by_hashed[found] as usize])
    }

    /// The file a decoded request path names, and which of its names it used.
    pub(crate) fn find(&self, path: &str) -> Option<(&ServedFile, Name)> {
        if let Some(file) = self.get_hashed(path) {
            return Some((file, Name::Hashed));
        }
        if let Some(file) = self.get(path) {
            return Some((file, Name::Canonical));
        }
        if let Ok(found) = self
            .earlier
            .binary_search_by(|file| file.hashed.as_ref().cmp(path))
        {
            return Some((&self.earlier[found], Name::Earlier));
        }
        let (canonical, _) = hyper_assets_pipeline::split_hashed_name(path)?;
        self.get(&canonical).map(|file| (file, Name::OtherBuild))
    }

    /// How many files.
    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }
}

impl fmt::Debug for FileSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileSet")
            .field("files", &self.files.len())
            .finish()
    }
}
