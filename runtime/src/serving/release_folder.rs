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

use super::served_file::ServedFile;
use bytes::Bytes;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

/// A file larger than this is not read (no asset of a web page is).
const MAX_FILE_BYTES: u64 = 64 << 20;
/// Verified files kept in memory, in bytes.
const KEPT_BYTES: usize = 64 << 20;
/// Refused names remembered (and logged once each), up to this many.
const LOGGED_REFUSALS: usize = 1024;

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
        let inside = std::fs::canonicalize(&path)
            .ok()
            .zip(std::fs::canonicalize(&self.dir).ok())
            .is_some_and(|(file, dir)| file.starts_with(dir));
        if !inside {
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
