//! The release folder that `collect` writes and that earlier releases are served from.
//!
//! Hashed names never collide between releases (the name is the content), so one folder
//! holds every kept release side by side, as Phoenix's `priv/static` and Propshaft's
//! `public/assets` do:
//!
//! - every kept release's hashed files, with their `.br` and `.gz` siblings;
//! - the newest release's canonical copies and Django's `staticfiles.json`;
//! - `releases.json`, the index that pruning reads: each release's version, when it was
//!   collected and its hashed files, newest first.
//!
//! Collecting prunes: it keeps the newest release, the [`Retention::keep`] releases before
//! it, and any release collected less than [`Retention::age`] ago (Phoenix's
//! `phx.digest.clean` defaults: 2 and one hour). A file is deleted only when no kept
//! release lists it, and files the index does not list are never touched.
//!
//! Every file is written to a temporary name in its folder and renamed into place, so an
//! instance reading the folder while a deploy writes it never sees half a file.

use crate::hashed_name::split_hashed_name;
use crate::ContentHash;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The index of a release folder.
pub const RELEASES_INDEX: &str = "releases.json";

/// Django's manifest of the newest release, in a release folder.
pub const STATICFILES_JSON: &str = "staticfiles.json";

/// One file of a release, as it is served.
#[derive(Debug, Clone, Copy)]
pub struct CollectedFile<'a> {
    /// `css/styles.css`.
    pub canonical: &'a str,
    /// `css/styles.0123456789ab.css`.
    pub hashed: &'a str,
    /// The exact bytes served.
    pub bytes: &'a [u8],
    /// The brotli variant, when one is served.
    pub brotli: Option<&'a [u8]>,
    /// The gzip variant, when one is served.
    pub gzip: Option<&'a [u8]>,
}

/// Which earlier releases a collect keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// How many releases before the newest one are kept, whatever their age.
    pub keep: usize,
    /// Releases collected less than this long ago are kept too.
    pub age: Duration,
}

impl Default for Retention {
    /// Phoenix's defaults: the 2 previous releases, plus anything under an hour old.
    fn default() -> Self {
        Self {
            keep: 2,
            age: Duration::from_secs(3600),
        }
    }
}

/// What a collect or a prune did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectReport {
    /// Files written, the two JSON files included.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// Releases the folder holds now, the newest included.
    pub releases: usize,
    /// Releases dropped from the index.
    pub pruned_releases: usize,
    /// Files deleted (hashed files and their siblings).
    pub pruned_files: usize,
}

/// A file or folder that could not be read or written; `Debug` shows the same sentence
/// as `Display`.
pub struct CollectError {
    /// What was being done: "read", "write", "delete".
    action: &'static str,
    path: PathBuf,
    source: std::io::Error,
}

impl CollectError {
    fn new(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self {
            action: "write",
            path: path.into(),
            source,
        }
    }

    fn reading(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self {
            action: "read",
            ..Self::new(path, source)
        }
    }

    fn deleting(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self {
            action: "delete",
            ..Self::new(path, source)
        }
    }

    fn invalid(path: impl Into<PathBuf>, message: String) -> Self {
        Self::reading(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, message),
        )
    }

    /// The file or folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} {}: {}",
            self.action,
            self.path.display(),
            self.source
        )
    }
}

impl fmt::Debug for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for CollectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// One release in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The release's manifest version (12 hex characters).
    pub version: String,
    /// When it was collected, in seconds since the Unix epoch.
    pub collected: u64,
    /// Its hashed files, relative to the folder, sorted.
    pub files: Vec<String>,
}

/// `releases.json`: the releases a folder holds, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseIndex {
    releases: Vec<Release>,
}

impl ReleaseIndex {
    /// Reads the index of `dir`; a folder without one holds no release yet.
    ///
    /// # Errors
    /// The index cannot be read, or it is not the format collect writes; the error names
    /// the file.
    pub fn read(dir: &Path) -> Result<Self, CollectError> {
        let path = dir.join(RELEASES_INDEX);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default())
            }
            Err(error) => return Err(CollectError::reading(path, error)),
        };
        Self::parse(&text).map_err(|message| CollectError::invalid(path, message))
    }

    fn parse(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let entries = value
            .get("releases")
            .and_then(Value::as_array)
            .ok_or("no `releases` list")?;
        let mut releases = Vec::with_capacity(entries.len());
        for entry in entries {
            let version = entry.get("version").and_then(Value::as_str);
            let collected = entry.get("collected").and_then(Value::as_u64);
            let files = entry.get("files").and_then(Value::as_array);
            let (Some(version), Some(collected), Some(files)) = (version, collected, files) else {
                return Err("a release needs `version`, `collected` and `files`".to_owned());
            };
            let mut names = Vec::with_capacity(files.len());
            for file in files {
                let name = file.as_str().ok_or("a file name is not a string")?;
                if !is_release_file_name(name) {
                    return Err(format!(
                        "`{name}` is not a hashed file name inside the folder"
                    ));
                }
                names.push(name.to_owned());
            }
            names.sort();
            releases.push(Release {
                version: version.to_owned(),
                collected,
                files: names,
            });
        }
        releases.sort_by_key(|release| std::cmp::Reverse(release.collected));
        Ok(Self { releases })
    }

    /// The releases, newest first.
    pub fn releases(&self) -> &[Release] {
        &self.releases
    }

    fn to_json(&self) -> String {
        let releases: Vec<Value> = self
            .releases
            .iter()
            .map(|r| json!({"version": r.version, "collected": r.collected, "files": r.files}))
            .collect();
        let mut text =
            serde_json::to_string_pretty(&json!({ "releases": releases })).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// A relative path of hashed-name shape with no `.`/`..` or empty segment and no
/// backslash: the only names an index may list, so that joining one to the folder stays
/// inside it.
///
/// ```
/// use hyper_assets_pipeline::is_release_file_name;
///
/// assert!(is_release_file_name("css/app.0123456789ab.css"));
/// for bad in ["/etc/x.0123456789ab.css", "a//x.0123456789ab.css", "../x.0123456789ab.css", "css/app.css"] {
///     assert!(!is_release_file_name(bad), "{bad}");
/// }
/// ```
pub fn is_release_file_name(name: &str) -> bool {
    !name.contains('\\')
        && !name.contains('\0')
        && name
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
        && split_hashed_name(name).is_some()
}

/// Whether `bytes` hash to the hash in the hashed name `hashed`: what makes a file of an
/// earlier release servable, so a corrupt or planted file never is. Returns the hash on
/// success.
///
/// ```
/// use hyper_assets_pipeline::{verify_hashed_file, ContentHash};
///
/// let hash = ContentHash::of(b"body {}");
/// let name = format!("css/app.{}.css", hash.short());
/// assert_eq!(verify_hashed_file(&name, b"body {}"), Ok(hash));
/// assert!(verify_hashed_file(&name, b"planted").is_err());
/// ```
///
/// # Errors
/// The name has no hash, or the bytes hash to another one (the error says which).
pub fn verify_hashed_file(hashed: &str, bytes: &[u8]) -> Result<ContentHash, String> {
    let Some((_, short)) = split_hashed_name(hashed) else {
        return Err(format!("`{hashed}` has no content hash in its name"));
    };
    let hash = ContentHash::of(bytes);
    if hash.short() == short {
        Ok(hash)
    } else {
        Err(format!(
            "its bytes hash to {}, not to the {short} of its name",
            hash.short()
        ))
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
fn write_atomically(
    path: &Path,
    bytes: &[u8],
    report: &mut CollectReport,
) -> Result<(), CollectError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| CollectError::new(parent, source))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = parent.join(format!(".{name}.{}.hyper-assets-tmp", std::process::id()));
    std::fs::write(&temporary, bytes).map_err(|source| CollectError::new(&temporary, source))?;
    std::fs::rename(&temporary, path).map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        CollectError::new(path, source)
    })?;
    report.files += 1;
    report.bytes += bytes.len() as u64;
    Ok(())
}

/// Deletes `path`; whether it was there.
fn remove_if_there(path: &Path) -> Result<bool, CollectError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(CollectError::deleting(path, error)),
    }
}

fn sibling(name: &str, extension: &str) -> String {
    format!("{name}.{extension}")
}

/// Writes a release into `dir` (hashed files, canonical copies, their siblings,
/// `staticfiles.json`), records it in `releases.json` and prunes by `retention`.
///
/// # Errors
/// Two outputs would share a name (a committed `x.css.gz` beside `x.css`, a file named
/// `staticfiles.json` or `releases.json`), the index is unreadable, or a file cannot be
/// written; nothing is written in the first two cases.
pub fn collect_release(
    dir: &Path,
    version: &str,
    files: &[CollectedFile<'_>],
    staticfiles_json: &str,
    retention: &Retention,
) -> Result<CollectReport, CollectError> {
    collect_release_at(
        dir,
        version,
        files,
        staticfiles_json,
        retention,
        SystemTime::now(),
    )
}

/// [`collect_release`] at a given time (tests age releases with it).
#[doc(hidden)]
pub fn collect_release_at(
    dir: &Path,
    version: &str,
    files: &[CollectedFile<'_>],
    staticfiles_json: &str,
    retention: &Retention,
    now: SystemTime,
) -> Result<CollectReport, CollectError> {
    let mut names = HashSet::new();
    for name in [STATICFILES_JSON, RELEASES_INDEX] {
        names.insert(name.to_owned());
    }
    for file in files {
        for name in [file.hashed, file.canonical] {
            let mut outputs = vec![name.to_owned()];
            if file.brotli.is_some() {
                outputs.push(sibling(name, "br"));
            }
            if file.gzip.is_some() {
                outputs.push(sibling(name, "gz"));
            }
            for output in outputs {
                if !names.insert(output.clone()) {
                    return Err(CollectError::new(
                        dir.join(output),
                        std::io::Error::new(
                            std::io::ErrorKind::AlreadyExists,
                            "two collected files would have this name",
                        ),
                    ));
                }
            }
        }
    }
    let mut index = ReleaseIndex::read(dir)?;
    let mut report = CollectReport::default();
    for file in files {
        for name in [file.hashed, file.canonical] {
            write_atomically(&dir.join(name), file.bytes, &mut report)?;
            for (variant, extension) in [(file.brotli, "br"), (file.gzip, "gz")] {
                let path = dir.join(sibling(name, extension));
                match variant {
                    Some(variant) => write_atomically(&path, variant, &mut report)?,
                    // A canonical copy's sibling from an earlier release holds that
                    // release's bytes (nginx's gzip_static would serve them): remove it.
                    None if name == file.canonical => {
                        remove_if_there(&path)?;
                    }
                    None => {}
                }
            }
        }
    }
    write_atomically(
        &dir.join(STATICFILES_JSON),
        staticfiles_json.as_bytes(),
        &mut report,
    )?;
    let collected = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let mut hashed: Vec<String> = files.iter().map(|f| f.hashed.to_owned()).collect();
    hashed.sort();
    index.releases.retain(|release| release.version != version);
    index.releases.insert(
        0,
        Release {
            version: version.to_owned(),
            collected,
            files: hashed,
        },
    );
    prune_index(dir, &mut index, retention, now, &mut report)?;
    Ok(report)
}

/// Prunes the releases of `dir` by `retention` without writing a new one: the newest
/// release, `retention.keep` before it and any younger than `retention.age` stay.
///
/// # Errors
/// The index cannot be read or written, or a file cannot be deleted.
pub fn prune_releases(dir: &Path, retention: &Retention) -> Result<CollectReport, CollectError> {
    prune_releases_at(dir, retention, SystemTime::now())
}

/// [`prune_releases`] at a given time.
#[doc(hidden)]
pub fn prune_releases_at(
    dir: &Path,
    retention: &Retention,
    now: SystemTime,
) -> Result<CollectReport, CollectError> {
    if !dir.join(RELEASES_INDEX).is_file() {
        return Err(CollectError::reading(
            dir.join(RELEASES_INDEX),
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a release folder (collect writes this file)",
            ),
        ));
    }
    let mut index = ReleaseIndex::read(dir)?;
    let mut report = CollectReport::default();
    prune_index(dir, &mut index, retention, now, &mut report)?;
    Ok(report)
}

fn prune_index(
    dir: &Path,
    index: &mut ReleaseIndex,
    retention: &Retention,
    now: SystemTime,
    report: &mut CollectReport,
) -> Result<(), CollectError> {
    let now = now.duration_since(UNIX_EPOCH).map_or(0, |s| s.as_secs());
    let young = |release: &Release| now.saturating_sub(release.collected) < retention.age.as_secs();
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for (position, release) in std::mem::take(&mut index.releases).into_iter().enumerate() {
        // Position 0 is the newest release; `keep` more before it.
        if position <= retention.keep || young(&release) {
            kept.push(release);
        } else {
            dropped.push(release);
        }
    }
    let still_listed: BTreeSet<&str> = kept
        .iter()
        .flat_map(|release| release.files.iter().map(String::as_str))
        .collect();
    let mut gone: BTreeSet<&str> = BTreeSet::new();
    for release in &dropped {
        gone.extend(
            release
                .files
                .iter()
                .map(String::as_str)
                .filter(|name| !still_listed.contains(name)),
        );
    }
    report.pruned_releases = dropped.len();
    report.releases = kept.len();
    index.releases = kept;
    // The index first: if a delete fails after it, a file is left that no release lists
    // (never touched again), rather than a release listing a file that is gone.
    write_atomically(
        &dir.join(RELEASES_INDEX),
        index.to_json().as_bytes(),
        report,
    )?;
    for name in gone {
        for path in [name.to_owned(), sibling(name, "br"), sibling(name, "gz")] {
            if remove_if_there(&dir.join(path))? {
                report.pruned_files += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(canonical: &str, body: &'static str) -> (String, &'static str) {
        let hash = ContentHash::of(body.as_bytes());
        (crate::hashed_name(canonical, &hash), body)
    }

    fn release(
        dir: &Path,
        version: &str,
        bodies: &[(&str, &'static str)],
        at: u64,
    ) -> CollectReport {
        let named: Vec<(String, String, &'static str)> = bodies
            .iter()
            .map(|(canonical, body)| {
                let (hashed, body) = file_of(canonical, body);
                ((*canonical).to_owned(), hashed, body)
            })
            .collect();
        let files: Vec<CollectedFile<'_>> = named
            .iter()
            .map(|(canonical, hashed, body)| CollectedFile {
                canonical,
                hashed,
                bytes: body.as_bytes(),
                brotli: None,
                gzip: Some(b"gz"),
            })
            .collect();
        collect_release_at(
            dir,
            version,
            &files,
            "{}",
            &Retention::default(),
            UNIX_EPOCH + Duration::from_secs(at),
        )
        .unwrap()
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "hyper-assets-release-folder-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn keeps_two_previous_releases_and_young_ones_and_deletes_only_unlisted_files() {
        let dir = temp("prune");
        let day = 86_400;
        release(&dir, "v1", &[("a.css", "one"), ("shared.js", "same")], day);
        release(
            &dir,
            "v2",
            &[("a.css", "two"), ("shared.js", "same")],
            2 * day,
        );
        release(
            &dir,
            "v3",
            &[("a.css", "three"), ("shared.js", "same")],
            3 * day,
        );
        let (v1_css, _) = file_of("a.css", "one");
        assert!(dir.join(&v1_css).is_file());
        // A fourth release a day later: v1 is the third before it and a day old.
        let report = release(
            &dir,
            "v4",
            &[("a.css", "four"), ("shared.js", "same")],
            4 * day,
        );
        assert_eq!((report.releases, report.pruned_releases), (3, 1));
        assert!(!dir.join(&v1_css).exists(), "v1's own file is pruned");
        assert!(
            !dir.join(format!("{v1_css}.gz")).exists(),
            "with its sibling"
        );
        assert_eq!(report.pruned_files, 2);
        let (shared, _) = file_of("shared.js", "same");
        assert!(
            dir.join(&shared).is_file(),
            "a file a kept release lists stays"
        );
        let versions: Vec<String> = ReleaseIndex::read(&dir)
            .unwrap()
            .releases()
            .iter()
            .map(|r| r.version.clone())
            .collect();
        assert_eq!(versions, ["v4", "v3", "v2"]);
        assert_eq!(std::fs::read(dir.join("a.css")).unwrap(), b"four");

        // Releases under an hour old are kept beyond the count.
        let soon = 5 * day;
        release(&dir, "v5", &[("a.css", "five")], soon);
        release(&dir, "v6", &[("a.css", "six")], soon + 60);
        release(&dir, "v7", &[("a.css", "seven")], soon + 120);
        let report = release(&dir, "v8", &[("a.css", "eight")], soon + 180);
        assert_eq!(
            report.releases, 4,
            "v8 to v5: v5 is third before v8, but young"
        );
        let report = prune_releases_at(
            &dir,
            &Retention {
                keep: 0,
                age: Duration::from_secs(0),
            },
            UNIX_EPOCH + Duration::from_secs(soon + 200),
        )
        .unwrap();
        assert_eq!(report.releases, 1);
        let (v6, _) = file_of("a.css", "six");
        assert!(!dir.join(v6).exists());
        // A file no index lists is never deleted.
        std::fs::write(dir.join("mine.txt"), "x").unwrap();
        release(&dir, "v9", &[("a.css", "nine")], soon + 300);
        assert!(dir.join("mine.txt").is_file());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_corrupt_index_is_an_error_and_nothing_is_written() {
        let dir = temp("corrupt");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(RELEASES_INDEX),
            "{\"releases\": [{\"version\": 1}]}",
        )
        .unwrap();
        let error = ReleaseIndex::read(&dir).unwrap_err().to_string();
        assert!(error.contains("releases.json"), "{error}");
        std::fs::write(
            dir.join(RELEASES_INDEX),
            r#"{"releases": [{"version": "v", "collected": 1, "files": ["../etc/passwd.0123456789ab"]}]}"#,
        )
        .unwrap();
        let error = ReleaseIndex::read(&dir).unwrap_err().to_string();
        assert!(
            error.contains("not a hashed file name inside the folder"),
            "{error}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_canonical_copys_stale_sibling_is_removed_and_prune_needs_a_release_folder() {
        let dir = temp("siblings");
        // The first release has a gzip sibling (see `release`); the next has none.
        release(&dir, "v1", &[("a.css", "one")], 1);
        assert!(dir.join("a.css.gz").is_file());
        let hashed = crate::hashed_name("a.css", &ContentHash::of(b"two"));
        let files = [CollectedFile {
            canonical: "a.css",
            hashed: &hashed,
            bytes: b"two",
            brotli: None,
            gzip: None,
        }];
        collect_release_at(&dir, "v2", &files, "{}", &Retention::default(), UNIX_EPOCH).unwrap();
        assert_eq!(std::fs::read(dir.join("a.css")).unwrap(), b"two");
        assert!(
            !dir.join("a.css.gz").exists(),
            "nginx would serve v1's bytes"
        );
        let (v1, _) = file_of("a.css", "one");
        assert!(
            dir.join(format!("{v1}.gz")).is_file(),
            "a hashed sibling stays"
        );

        let missing = temp("not-a-release-folder");
        let error = prune_releases(&missing, &Retention::default()).unwrap_err();
        assert!(
            error.to_string().starts_with("cannot read ")
                && error.to_string().contains("not a release folder"),
            "{error}"
        );
        assert!(!missing.exists(), "nothing created");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn verification_names_both_hashes() {
        let error = verify_hashed_file("a.0123456789ab.css", b"x").unwrap_err();
        assert!(error.contains("0123456789ab"), "{error}");
        assert!(verify_hashed_file("a.css", b"x").is_err());
    }
}
