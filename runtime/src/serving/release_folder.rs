//! Earlier (and later) releases' files read at run time from a release folder shared by
//! the instances (`STATIC_RELEASES_DIR`): what lets an old instance answer a new page's
//! hashed URL once the deploy has collected the new release into the folder.
//!
//! A file is served only if the folder's `releases.json` lists it, it lies inside the
//! folder (no `..`, empty or absolute segment, no symlink out), and its bytes hash to
//! its name; a corrupt or planted file is refused and logged, never served. Verified
//! files are kept in memory (their name fixes their bytes), up to a budget; a miss is
//! never remembered, since the next release's files appear while the instance runs. A
//! refused file is not read again until its length or modification time changes.
//!
//! The folder also holds the deltas `collect` made from earlier releases' files to the
//! current ones (RFC 9842). One is served only once it has been checked: the dictionary
//! it names is a verified file of the folder with exactly that SHA-256, and decoding the
//! delta against it gives exactly the bytes this build serves. A planted or corrupt delta
//! is refused and logged, never sent. Checked deltas are kept in memory; a delta that is
//! not there is remembered for a few seconds only, so one collected later is found.

use super::delta::DeltaRequest;
use super::served_file::{smaller, ServedFile, Variant};
use bytes::Bytes;
use http::HeaderValue;
use hyper_assets_pipeline::{ContentHash, DeltaEncoding};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// A file larger than this is not read (no asset of a web page is).
const MAX_FILE_BYTES: u64 = 64 << 20;
/// Verified files kept in memory, in bytes.
const KEPT_BYTES: usize = 64 << 20;
/// Refused names remembered (and logged once each), up to this many.
const LOGGED_REFUSALS: usize = 1024;
/// How long a delta found missing is not looked for again.
const MISSING_DELTA_TTL: Duration = Duration::from_secs(2);
/// Missing deltas remembered, up to this many (then forgotten at once).
const MISSING_DELTAS: usize = 4096;

/// A delta of the folder, by target hashed name, dictionary and coding.
type DeltaKey = (String, [u8; 32], DeltaEncoding);

/// What memory knows of the delta a request asks for.
pub(crate) enum DeltaLookup {
    /// Checked before: send it.
    Found(Variant, DeltaEncoding),
    /// Looked for within the last seconds, and not there (or refused).
    Absent,
    /// The folder must be read (off the executor: [`ReleaseFolder::find_delta`]).
    Unknown,
}

fn stamp(metadata: &std::fs::Metadata) -> Stamp {
    (metadata.len(), metadata.modified().ok())
}

/// A file's length and modification time: what says it changed.
type Stamp = (u64, Option<SystemTime>);

#[derive(Default)]
struct Seen {
    verified: HashMap<String, ServedFile>,
    bytes: usize,
    /// Refused names, with the stamp they had (not read again while it holds).
    refused: HashMap<String, Stamp>,
    /// The names `releases.json` lists, with the index's stamp.
    listed: Option<(Stamp, HashSet<String>)>,
    /// Deltas checked, and deltas found missing or refused (with when).
    deltas: HashMap<DeltaKey, Variant>,
    missing_deltas: HashMap<DeltaKey, Instant>,
}

impl Seen {
    /// Whether the delta `key` was found missing (or refused) within the last seconds.
    fn recently_missing(&self, key: &DeltaKey) -> bool {
        self.missing_deltas
            .get(key)
            .is_some_and(|at| at.elapsed() < MISSING_DELTA_TTL)
    }
}

/// The release folder of `STATIC_RELEASES_DIR`, read on demand.
pub(crate) struct ReleaseFolder {
    dir: PathBuf,
    prefix: &'static str,
    seen: Mutex<Seen>,
}

impl std::fmt::Debug for ReleaseFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReleaseFolder")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl ReleaseFolder {
    /// The folder `dir`, whose files are served under `prefix`.
    pub(crate) fn new(dir: PathBuf, prefix: &'static str) -> Self {
        Self {
            dir,
            prefix,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// The folder.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file at the hashed name `hashed` (a decoded request path), when the index
    /// lists it, it is inside the folder and its bytes hash to its name. Reads the disk:
    /// call it off the executor.
    pub(crate) fn find(&self, hashed: &str) -> Option<ServedFile> {
        if let Some(file) = self.lock().verified.get(hashed) {
            return Some(file.clone());
        }
        // `//tmp/x.<hash>.js` decodes to an absolute path, which `join` would follow.
        if !hyper_assets_pipeline::is_release_file_name(hashed) || !self.lists(hashed) {
            return None;
        }
        let path = self.dir.join(hashed);
        let metadata = std::fs::metadata(&path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        let stamp = stamp(&metadata);
        if self.lock().refused.get(hashed) == Some(&stamp) {
            return None;
        }
        if !self.is_inside(&path) {
            self.refuse(
                hashed,
                &path,
                stamp,
                "it leads out of the folder (a symlink)",
            );
            return None;
        }
        if metadata.len() > MAX_FILE_BYTES {
            self.refuse(hashed, &path, stamp, "it is over 64 MiB");
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        let hash = match hyper_assets_pipeline::verify_hashed_file(hashed, &bytes) {
            Ok(hash) => hash,
            Err(reason) => {
                self.refuse(hashed, &path, stamp, &reason);
                return None;
            }
        };
        let url = format!(
            "{}{}",
            self.prefix,
            hyper_assets_pipeline::percent_encode_path(hashed)
        );
        let length = bytes.len();
        let file = ServedFile::verified(hashed, &hash, &url, Bytes::from(bytes))?;
        let mut seen = self.lock();
        seen.refused.remove(hashed);
        if seen.bytes + length <= KEPT_BYTES && !seen.verified.contains_key(hashed) {
            seen.bytes += length;
            seen.verified.insert(hashed.to_owned(), file.clone());
        }
        Some(file)
    }

    /// Whether `releases.json` lists `hashed`; the index is read again when it changes.
    fn lists(&self, hashed: &str) -> bool {
        let index = self.dir.join(hyper_assets_pipeline::RELEASES_INDEX);
        let Ok(metadata) = std::fs::metadata(&index) else {
            return false;
        };
        let current = stamp(&metadata);
        {
            let seen = self.lock();
            if let Some((at, names)) = &seen.listed {
                if *at == current {
                    return names.contains(hashed);
                }
            }
        }
        let names: HashSet<String> = match hyper_assets_pipeline::ReleaseIndex::read(&self.dir) {
            Ok(releases) => releases
                .releases()
                .iter()
                .flat_map(|release| release.files.iter().cloned())
                .collect(),
            Err(error) => {
                tracing::warn!("STATIC_RELEASES_DIR: {error}; no file of the folder is served");
                HashSet::new()
            }
        };
        let listed = names.contains(hashed);
        self.lock().listed = Some((current, names));
        listed
    }

    /// The delta `request` can take for the current file `hashed`, from memory alone.
    pub(crate) fn cached_delta(&self, hashed: &str, request: &DeltaRequest) -> DeltaLookup {
        let seen = self.lock();
        let mut found = [None, None];
        for (slot, encoding) in request.codings() {
            let key = (hashed.to_owned(), *request.dictionary.as_bytes(), encoding);
            match seen.deltas.get(&key) {
                Some(variant) => found[slot] = Some(variant),
                None if !seen.recently_missing(&key) => return DeltaLookup::Unknown,
                None => {}
            }
        }
        match smaller(request, found[0], found[1]) {
            Some((variant, encoding)) => DeltaLookup::Found(variant.clone(), encoding),
            None => DeltaLookup::Absent,
        }
    }

    /// The delta `request` can take for the current file `file`, read from the folder
    /// and checked (then kept). Reads the disk: call it off the executor.
    pub(crate) fn find_delta(
        &self,
        file: &ServedFile,
        request: &DeltaRequest,
    ) -> Option<(Variant, DeltaEncoding)> {
        let mut found = [None, None];
        for (slot, encoding) in request.codings() {
            found[slot] = self.checked_delta(file, &request.dictionary, encoding);
        }
        smaller(request, found[0].as_ref(), found[1].as_ref())
            .map(|(variant, encoding)| (variant.clone(), encoding))
    }

    /// One delta of the folder, checked, from memory or from disk.
    fn checked_delta(
        &self,
        file: &ServedFile,
        dictionary: &ContentHash,
        encoding: DeltaEncoding,
    ) -> Option<Variant> {
        let key = (
            file.hashed_path().to_owned(),
            *dictionary.as_bytes(),
            encoding,
        );
        {
            let seen = self.lock();
            if let Some(variant) = seen.deltas.get(&key) {
                return Some(variant.clone());
            }
            if seen.recently_missing(&key) {
                return None;
            }
        }
        let checked = self.read_delta(file, dictionary, encoding);
        let mut seen = self.lock();
        match checked {
            Some(variant) => {
                seen.missing_deltas.remove(&key);
                let length = variant.bytes.len();
                if seen.bytes + length <= KEPT_BYTES {
                    seen.bytes += length;
                    seen.deltas.insert(key, variant.clone());
                }
                Some(variant)
            }
            None => {
                if seen.missing_deltas.len() >= MISSING_DELTAS {
                    seen.missing_deltas.clear();
                }
                seen.missing_deltas.insert(key, Instant::now());
                None
            }
        }
    }

    /// Reads the delta of `file` against `dictionary` and checks it: inside the folder,
    /// against a verified dictionary of the folder with exactly that hash, decoding to
    /// exactly the file's bytes. A refusal is logged.
    fn read_delta(
        &self,
        file: &ServedFile,
        dictionary: &ContentHash,
        encoding: DeltaEncoding,
    ) -> Option<Variant> {
        let name = hyper_assets_pipeline::delta_file_name(file.hashed_path(), dictionary, encoding);
        let path = self.dir.join(&name);
        let metadata = std::fs::metadata(&path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        let stamp = stamp(&metadata);
        if self.lock().refused.get(&name) == Some(&stamp) {
            return None;
        }
        let refuse = |reason: &str| {
            self.refuse_delta(&name, &path, stamp, reason);
            None
        };
        if !self.is_inside(&path) {
            return refuse("it leads out of the folder (a symlink)");
        }
        if metadata.len() > MAX_FILE_BYTES {
            return refuse("it is over 64 MiB");
        }
        let old_name = hyper_assets_pipeline::hashed_name(file.canonical_path(), dictionary);
        let Some(old) = self
            .find(&old_name)
            .filter(|old| old.sha256() == dictionary.hex())
        else {
            return refuse(&format!(
                "its dictionary {old_name} is not a verified file of the folder"
            ));
        };
        let Ok(bytes) = std::fs::read(&path) else {
            return None;
        };
        match hyper_assets_pipeline::decode_delta(old.bytes(), &bytes, encoding, file.bytes().len())
        {
            Ok(decoded) if decoded == file.bytes().as_ref() => {}
            Ok(_) => return refuse("it decodes to other bytes than this build serves"),
            Err(reason) => return refuse(&reason),
        }
        let etag = format!(
            "\"{}-{}-{}\"",
            file.sha256(),
            encoding.token(),
            &dictionary.hex()[..16]
        );
        Some(Variant::checked(
            Bytes::from(bytes),
            HeaderValue::from_str(&etag).ok()?,
        ))
    }

    fn is_inside(&self, path: &Path) -> bool {
        std::fs::canonicalize(path)
            .ok()
            .zip(std::fs::canonicalize(&self.dir).ok())
            .is_some_and(|(file, dir)| file.starts_with(dir))
    }

    fn refuse_delta(&self, name: &str, path: &Path, stamp: Stamp, reason: &str) {
        let mut seen = self.lock();
        if seen.refused.len() < LOGGED_REFUSALS
            && seen.refused.insert(name.to_owned(), stamp).is_none()
        {
            tracing::warn!(
                file = %path.display(),
                "STATIC_RELEASES_DIR: refused the delta {name}: {reason}; a delta is served \
                 only if it decodes against its dictionary to exactly the bytes served"
            );
        }
    }

    fn refuse(&self, hashed: &str, path: &Path, stamp: Stamp, reason: &str) {
        let mut seen = self.lock();
        if seen.refused.len() < LOGGED_REFUSALS
            && seen.refused.insert(hashed.to_owned(), stamp).is_none()
        {
            tracing::warn!(
                file = %path.display(),
                "STATIC_RELEASES_DIR: refused {hashed}: {reason}; a file of the release \
                 folder is served only if its bytes hash to its name"
            );
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        // The map stays consistent even if a holder panicked: take it back.
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
