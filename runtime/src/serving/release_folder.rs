//! Earlier (and later) releases' files read at run time from a release folder shared by
//! the instances (`STATIC_RELEASES_DIR`): what lets an old instance answer a new page's
//! hashed URL once the deploy has collected the new release into the folder.
//!
//! A file is served only if its bytes hash to its name; a corrupt or planted file is
//! refused and logged, never served. Verified files are kept in memory (their name fixes
//! their bytes), up to a budget; a miss is never remembered, since the next release's
//! files appear in the folder while the instance runs.

use super::served_file::ServedFile;
use bytes::Bytes;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file larger than this is not read (no asset of a web page is).
const MAX_FILE_BYTES: u64 = 64 << 20;
/// Verified files kept in memory, in bytes.
const KEPT_BYTES: usize = 64 << 20;
/// Refused names logged once each, up to this many.
const LOGGED_REFUSALS: usize = 1024;

#[derive(Default)]
struct Seen {
    verified: HashMap<String, ServedFile>,
    bytes: usize,
    refused: HashSet<String>,
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

    /// The file at the hashed name `hashed` (a decoded request path, so it has no `..`,
    /// backslash or NUL), when it is there and its bytes hash to its name. Reads the
    /// disk: call it off the executor.
    pub(crate) fn find(&self, hashed: &str) -> Option<ServedFile> {
        if let Some(file) = self.lock().verified.get(hashed) {
            return Some(file.clone());
        }
        let path = self.dir.join(hashed);
        let metadata = std::fs::metadata(&path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        if metadata.len() > MAX_FILE_BYTES {
            self.refuse(hashed, &path, "it is over 64 MiB");
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        let hash = match hyper_assets_pipeline::verify_hashed_file(hashed, &bytes) {
            Ok(hash) => hash,
            Err(reason) => {
                self.refuse(hashed, &path, &reason);
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
        if seen.bytes + length <= KEPT_BYTES && !seen.verified.contains_key(hashed) {
            seen.bytes += length;
            seen.verified.insert(hashed.to_owned(), file.clone());
        }
        Some(file)
    }

    fn refuse(&self, hashed: &str, path: &Path, reason: &str) {
        let mut seen = self.lock();
        if seen.refused.len() < LOGGED_REFUSALS && seen.refused.insert(hashed.to_owned()) {
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
