//! The release folder that `collect` writes and that earlier releases are served from.
//!
//! Hashed names never collide between releases (the name is the content), so one folder
//! holds every kept release side by side, as Phoenix's `priv/static` and Propshaft's
//! `public/assets` do:
//!
//! - every kept release's hashed files, with their `.br` and `.gz` siblings;
//! - the deltas of each release's files against the same files of the releases kept
//!   before it (RFC 9842, with the `compress` feature and [`Collect::deltas`]):
//!   `<hashed>.dcb/` and `<hashed>.dcz/` beside the file, one delta per dictionary, named
//!   by [`delta_file_name`](crate::delta_file_name);
//! - the newest release's canonical copies and Django's `staticfiles.json`;
//! - `releases.json`, the index that pruning reads: each release's version, when it was
//!   collected, its hashed files and its deltas, newest first.
//!
//! Collecting prunes: it keeps the newest release, the [`Retention::keep`] releases before
//! it, and any release collected less than [`Retention::age`] ago (Phoenix's
//! `phx.digest.clean` defaults: 2 and one hour). A file or delta is deleted only when no
//! kept release lists it, and files the index does not list are never touched.
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

/// A delta made before the collect (the macro embedded it with `previous = "..."`), to be
/// written with the release once it is checked: [`Collect::made_deltas`].
#[derive(Debug, Clone, Copy)]
pub struct MadeDelta<'a> {
    /// The hashed name of the file it decodes to, one of the collected files.
    pub hashed: &'a str,
    /// The earlier file's bytes it was made against.
    pub dictionary: &'a [u8],
    /// The coding.
    pub encoding: crate::DeltaEncoding,
    /// The framed delta (RFC 9842 header included).
    pub bytes: &'a [u8],
}

impl MadeDelta<'_> {
    /// Whether decoding it against its dictionary gives exactly `target`.
    #[cfg(feature = "deltas")]
    fn decodes_to(&self, target: &[u8]) -> bool {
        crate::decode_delta(self.dictionary, self.bytes, self.encoding, target.len())
            .is_ok_and(|decoded| decoded == target)
    }

    /// Without a decoder (the `deltas` feature) nothing can be checked: no made delta is
    /// written.
    #[cfg(not(feature = "deltas"))]
    fn decodes_to(&self, _target: &[u8]) -> bool {
        false
    }
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
    /// Files deleted (hashed files, their siblings and deltas).
    pub pruned_files: usize,
    /// Deltas written (each checked: it decodes against its dictionary to the file).
    pub deltas: usize,
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
    /// The deltas to its files from earlier releases' files, relative to the folder and
    /// named by [`delta_file_name`](crate::delta_file_name), sorted. An index written
    /// before deltas existed has none.
    pub deltas: Vec<String>,
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
            let mut deltas = Vec::new();
            if let Some(listed) = entry.get("deltas") {
                let listed = listed.as_array().ok_or("`deltas` is not a list")?;
                for delta in listed {
                    let name = delta.as_str().ok_or("a delta name is not a string")?;
                    if !is_release_delta_name(name) {
                        return Err(format!("`{name}` is not a delta name inside the folder"));
                    }
                    deltas.push(name.to_owned());
                }
            }
            deltas.sort();
            releases.push(Release {
                version: version.to_owned(),
                collected,
                files: names,
                deltas,
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
            .map(|r| {
                json!({
                    "version": r.version,
                    "collected": r.collected,
                    "files": r.files,
                    "deltas": r.deltas,
                })
            })
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

/// A delta's name as [`delta_file_name`](crate::delta_file_name) makes it, for a target
/// that [`is_release_file_name`] accepts. The rest is `.dcb/` or `.dcz/`, base64 and the
/// target's extension, which hold no `.`/`..` segment or backslash; base64 may hold `//`
/// (an empty segment, harmless in a path), so that one rule is checked on the target.
fn is_release_delta_name(name: &str) -> bool {
    !name.contains('\\')
        && !name.contains('\0')
        && crate::parse_delta_file_name(name)
            .is_some_and(|(hashed, _, _)| is_release_file_name(&hashed))
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
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CollectError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|source| CollectError::new(parent, source))?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = parent.join(format!(".{name}.{}.hyper-assets-tmp", std::process::id()));
    std::fs::write(&temporary, bytes).map_err(|source| CollectError::new(&temporary, source))?;
    std::fs::rename(&temporary, path).map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        CollectError::new(path, source)
    })
}

/// [`write_atomically`], counted as a file of the report.
fn write_file(path: &Path, bytes: &[u8], report: &mut CollectReport) -> Result<(), CollectError> {
    write_atomically(path, bytes)?;
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

/// Deletes the delta `name` and the folders that leaves empty, up to its own
/// `<hashed>.dcb/` or `<hashed>.dcz/`; whether the delta was there.
fn remove_delta(dir: &Path, name: &str) -> Result<bool, CollectError> {
    let path = dir.join(name);
    let removed = remove_if_there(&path)?;
    if let Some((hashed, encoding, _)) = crate::parse_delta_file_name(name) {
        let top = dir.join(format!("{hashed}.{}", encoding.token()));
        let mut folder = path.parent();
        while let Some(current) = folder.filter(|folder| folder.starts_with(&top)) {
            // A folder still holding another delta stays; one already gone is fine.
            if std::fs::remove_dir(current).is_err() && current.exists() {
                break;
            }
            folder = current.parent();
        }
    }
    Ok(removed)
}

fn sibling(name: &str, extension: &str) -> String {
    format!("{name}.{extension}")
}

fn seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// Whether the release at `position` of an index (0 is the newest) is kept: the newest,
/// `retention.keep` before it, and any collected less than `retention.age` before `now`
/// (in seconds since the Unix epoch). Pruning and the choice of the releases a collect
/// makes deltas from both ask this.
fn is_kept(position: usize, release: &Release, retention: &Retention, now: u64) -> bool {
    position <= retention.keep || now.saturating_sub(release.collected) < retention.age.as_secs()
}

/// Writes a release into `dir` (hashed files, canonical copies, their siblings,
/// `staticfiles.json`), records it in `releases.json` and prunes by `retention`; no
/// deltas (see [`Collect`]).
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
    Collect::new(dir, version, files, staticfiles_json)
        .retention(*retention)
        .run()
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
    Collect::new(dir, version, files, staticfiles_json)
        .retention(*retention)
        .at(now)
        .run()
}

/// One release written into a release folder: its hashed files, canonical copies and
/// their siblings, `staticfiles.json`, and with [`Collect::deltas`] the deltas from the
/// releases kept before it; then `releases.json` records it, and the folder is pruned.
///
/// ```
/// use hyper_assets_pipeline::{hashed_name, Collect, CollectedFile, ContentHash, Retention};
///
/// let dir = std::env::temp_dir().join(format!("collect-doc-{}", std::process::id()));
/// let hashed = hashed_name("app.css", &ContentHash::of(b"body {}"));
/// let files = [CollectedFile {
///     canonical: "app.css",
///     hashed: &hashed,
///     bytes: b"body {}",
///     brotli: None,
///     gzip: None,
/// }];
/// let report = Collect::new(&dir, "0123456789ab", &files, "{}")
///     .retention(Retention::default())
///     .run()?;
/// assert_eq!((report.releases, report.deltas), (1, 0));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Collect<'a> {
    dir: &'a Path,
    version: &'a str,
    files: &'a [CollectedFile<'a>],
    staticfiles_json: &'a str,
    retention: Retention,
    now: SystemTime,
    #[cfg(feature = "compress")]
    deltas: bool,
    made: &'a [MadeDelta<'a>],
}

impl<'a> Collect<'a> {
    /// The release `version` of `files`, with its `staticfiles.json`, into `dir`; kept by
    /// [`Retention::default`], without deltas.
    pub fn new(
        dir: &'a Path,
        version: &'a str,
        files: &'a [CollectedFile<'a>],
        staticfiles_json: &'a str,
    ) -> Self {
        Self {
            dir,
            version,
            files,
            staticfiles_json,
            retention: Retention::default(),
            now: SystemTime::now(),
            #[cfg(feature = "compress")]
            deltas: false,
            made: &[],
        }
    }

    /// Also writes deltas made before (a binary's embedded ones, `previous = "..."`),
    /// each only once decoding it against its dictionary gave exactly the bytes of the
    /// collected file it names (nginx serves it unchecked); any other is left out. They
    /// are listed in the release's [`Release::deltas`] with those [`Collect::deltas`]
    /// makes.
    #[must_use]
    pub fn made_deltas(mut self, made: &'a [MadeDelta<'a>]) -> Self {
        self.made = made;
        self
    }

    /// Which earlier releases stay, and which the deltas are made from.
    #[must_use]
    pub fn retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Also makes and writes the `dcb` and `dcz` deltas (RFC 9842) of every file with a
    /// `brotli` variant, from each file of an earlier release that this collect keeps
    /// with the same canonical path and another hash. The earlier bytes are read from
    /// the folder and used only when they hash to their name; a delta is kept only when
    /// it is smaller than the `brotli` variant, and only once decoding it against its
    /// dictionary gave exactly the file's bytes, since nginx serves it unchecked. The
    /// work runs on every core. The deltas are written at
    /// [`delta_file_name`](crate::delta_file_name) (hashed names only, never beside a
    /// canonical copy) and listed in the release's [`Release::deltas`].
    #[cfg(feature = "compress")]
    #[must_use]
    pub fn deltas(mut self, deltas: bool) -> Self {
        self.deltas = deltas;
        self
    }

    /// Collects as if at `now` (tests age releases with it).
    #[doc(hidden)]
    #[must_use]
    pub fn at(mut self, now: SystemTime) -> Self {
        self.now = now;
        self
    }

    /// Writes the release, records it and prunes.
    ///
    /// # Errors
    /// Two outputs would share a name (a committed `x.css.gz` beside `x.css`, a file
    /// named `staticfiles.json` or `releases.json`), the index is unreadable, or a file
    /// cannot be written; nothing is written in the first two cases.
    pub fn run(self) -> Result<CollectReport, CollectError> {
        let Self { dir, files, .. } = self;
        check_output_names(dir, files)?;
        let mut index = ReleaseIndex::read(dir)?;
        let mut report = CollectReport::default();
        for file in files {
            for name in [file.hashed, file.canonical] {
                write_file(&dir.join(name), file.bytes, &mut report)?;
                for (variant, extension) in [(file.brotli, "br"), (file.gzip, "gz")] {
                    let path = dir.join(sibling(name, extension));
                    match variant {
                        Some(variant) => write_file(&path, variant, &mut report)?,
                        // A canonical copy's sibling from an earlier release holds that
                        // release's bytes (nginx's gzip_static would serve them): remove
                        // it.
                        None if name == file.canonical => {
                            remove_if_there(&path)?;
                        }
                        None => {}
                    }
                }
            }
        }
        write_file(
            &dir.join(STATICFILES_JSON),
            self.staticfiles_json.as_bytes(),
            &mut report,
        )?;
        let mut hashed: Vec<String> = files.iter().map(|f| f.hashed.to_owned()).collect();
        hashed.sort();
        // A release collected again replaces its entry; what only the old entry listed
        // (deltas from releases no longer kept) is pruned with it.
        let (replaced, earlier): (Vec<Release>, Vec<Release>) = std::mem::take(&mut index.releases)
            .into_iter()
            .partition(|release| release.version == self.version);
        let mut deltas = self.write_deltas(&earlier, &mut report)?;
        deltas.extend(self.write_made_deltas(&mut report)?);
        deltas.sort();
        deltas.dedup();
        let release = Release {
            version: self.version.to_owned(),
            collected: seconds(self.now),
            files: hashed,
            deltas,
        };
        index.releases = std::iter::once(release).chain(earlier).collect();
        prune_index(
            dir,
            &mut index,
            &self.retention,
            self.now,
            &replaced,
            &mut report,
        )?;
        Ok(report)
    }
}

impl Collect<'_> {
    /// The deltas of [`Collect::made_deltas`] that decode to their file, written; their
    /// names.
    fn write_made_deltas(&self, report: &mut CollectReport) -> Result<Vec<String>, CollectError> {
        let mut names = Vec::new();
        for made in self.made {
            let target = self.files.iter().find(|file| file.hashed == made.hashed);
            if !target.is_some_and(|target| made.decodes_to(target.bytes)) {
                continue;
            }
            let name = crate::delta_file_name(
                made.hashed,
                &ContentHash::of(made.dictionary),
                made.encoding,
            );
            write_atomically(&self.dir.join(&name), made.bytes)?;
            report.deltas += 1;
            report.bytes += made.bytes.len() as u64;
            names.push(name);
        }
        Ok(names)
    }

    /// The deltas of [`Collect::deltas`] from the `earlier` releases this collect keeps,
    /// written; their names, sorted.
    #[cfg(feature = "compress")]
    fn write_deltas(
        &self,
        earlier: &[Release],
        report: &mut CollectReport,
    ) -> Result<Vec<String>, CollectError> {
        if !self.deltas {
            return Ok(Vec::new());
        }
        let now = seconds(self.now);
        // The new release is at position 0: the earlier ones from 1.
        let kept: Vec<&Release> = earlier
            .iter()
            .enumerate()
            .filter(|(at, old)| is_kept(at + 1, old, &self.retention, now))
            .map(|(_, old)| old)
            .collect();
        write_deltas(self.dir, self.files, &kept, report)
    }

    /// Without the `compress` feature, no delta is made.
    #[cfg(not(feature = "compress"))]
    #[allow(clippy::unnecessary_wraps, clippy::unused_self)] // the shape of the other
    fn write_deltas(
        &self,
        _earlier: &[Release],
        _report: &mut CollectReport,
    ) -> Result<Vec<String>, CollectError> {
        Ok(Vec::new())
    }
}

/// Fails when two outputs of `files` (or one and an index file) would share a name.
fn check_output_names(dir: &Path, files: &[CollectedFile<'_>]) -> Result<(), CollectError> {
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
    Ok(())
}

/// The bytes of an earlier release's file `name`, when they hash to its name: no delta is
/// made from a missing, unreadable, oversized or corrupt file.
#[cfg(feature = "compress")]
fn verified_file(dir: &Path, name: &str) -> Option<Vec<u8>> {
    let path = dir.join(name);
    let metadata = std::fs::metadata(&path).ok()?;
    if !metadata.is_file() || metadata.len() > crate::MAX_DELTA_TARGET as u64 {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    verify_hashed_file(name, &bytes).ok()?;
    Some(bytes)
}

/// Makes, checks and writes the deltas of [`Collect::deltas`] from the files of
/// `earlier`; their names, sorted.
#[cfg(feature = "compress")]
fn write_deltas(
    dir: &Path,
    files: &[CollectedFile<'_>],
    earlier: &[&Release],
    report: &mut CollectReport,
) -> Result<Vec<String>, CollectError> {
    use std::collections::BTreeMap;
    let mut by_canonical: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for release in earlier {
        for name in &release.files {
            if let Some((canonical, _)) = split_hashed_name(name) {
                by_canonical
                    .entry(canonical)
                    .or_default()
                    .insert(name.as_str());
            }
        }
    }
    // Each earlier file read (and verified) once; `None` when it cannot be used.
    let mut dictionaries: BTreeMap<&str, Option<Vec<u8>>> = BTreeMap::new();
    // The files with a brotli variant (their hash), and the earlier names of each.
    let mut pairs: Vec<(usize, ContentHash, Vec<&str>)> = Vec::new();
    for (at, file) in files.iter().enumerate() {
        let Some(earlier_names) = file.brotli.and_then(|_| by_canonical.get(file.canonical)) else {
            continue;
        };
        let usable: Vec<&str> = earlier_names
            .iter()
            .copied()
            .filter(|name| *name != file.hashed)
            .filter(|name| {
                dictionaries
                    .entry(name)
                    .or_insert_with(|| verified_file(dir, name))
                    .is_some()
            })
            .collect();
        if !usable.is_empty() {
            pairs.push((at, ContentHash::of(file.bytes), usable));
        }
    }
    let mut targets = Vec::new();
    let mut jobs = Vec::new();
    for (at, target_hash, names) in &pairs {
        for name in names {
            if let Some(Some(dictionary)) = dictionaries.get(name) {
                targets.push(files[*at].hashed);
                jobs.push(crate::DeltaJob {
                    dictionary,
                    target: files[*at].bytes,
                    target_hash,
                    brotli_len: files[*at].brotli.map_or(0, <[u8]>::len),
                });
            }
        }
    }
    let made = crate::make_deltas(&crate::CompressionCache::new(None), &jobs);
    let mut names = Vec::new();
    for (hashed, deltas) in targets.into_iter().zip(made) {
        for delta in deltas {
            let name = crate::delta_file_name(hashed, &delta.dictionary, delta.encoding);
            write_atomically(&dir.join(&name), &delta.bytes)?;
            report.deltas += 1;
            report.bytes += delta.bytes.len() as u64;
            names.push(name);
        }
    }
    names.sort();
    names.dedup();
    Ok(names)
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
    prune_index(dir, &mut index, retention, now, &[], &mut report)?;
    Ok(report)
}

/// Drops the releases [`is_kept`] does not keep, writes the index, then deletes what
/// only they (or `replaced`, entries a collect replaced) listed.
fn prune_index(
    dir: &Path,
    index: &mut ReleaseIndex,
    retention: &Retention,
    now: SystemTime,
    replaced: &[Release],
    report: &mut CollectReport,
) -> Result<(), CollectError> {
    let now = seconds(now);
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for (position, release) in std::mem::take(&mut index.releases).into_iter().enumerate() {
        if is_kept(position, &release, retention, now) {
            kept.push(release);
        } else {
            dropped.push(release);
        }
    }
    let listed_files: BTreeSet<&str> = kept
        .iter()
        .flat_map(|release| release.files.iter().map(String::as_str))
        .collect();
    let listed_deltas: BTreeSet<&str> = kept
        .iter()
        .flat_map(|release| release.deltas.iter().map(String::as_str))
        .collect();
    let mut gone_files: BTreeSet<String> = BTreeSet::new();
    let mut gone_deltas: BTreeSet<String> = BTreeSet::new();
    for release in dropped.iter().chain(replaced) {
        gone_files.extend(
            release
                .files
                .iter()
                .filter(|name| !listed_files.contains(name.as_str()))
                .cloned(),
        );
        gone_deltas.extend(
            release
                .deltas
                .iter()
                .filter(|name| !listed_deltas.contains(name.as_str()))
                .cloned(),
        );
    }
    report.pruned_releases = dropped.len();
    report.releases = kept.len();
    index.releases = kept;
    // The index first: if a delete fails after it, a file is left that no release lists
    // (never touched again), rather than a release listing a file that is gone.
    write_file(
        &dir.join(RELEASES_INDEX),
        index.to_json().as_bytes(),
        report,
    )?;
    for name in &gone_files {
        for path in [name.clone(), sibling(name, "br"), sibling(name, "gz")] {
            if remove_if_there(&dir.join(path))? {
                report.pruned_files += 1;
            }
        }
    }
    for name in &gone_deltas {
        if remove_delta(dir, name)? {
            report.pruned_files += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DeltaEncoding;

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
    fn an_index_without_deltas_parses_and_a_bad_delta_name_is_an_error() {
        let dir = temp("delta-names");
        std::fs::create_dir_all(&dir).unwrap();
        let hashed = "js/app.0123456789ab.js";
        std::fs::write(
            dir.join(RELEASES_INDEX),
            format!(
                r#"{{"releases": [{{"version": "v", "collected": 1, "files": ["{hashed}"]}}]}}"#
            ),
        )
        .unwrap();
        let index = ReleaseIndex::read(&dir).unwrap();
        assert!(index.releases()[0].deltas.is_empty());
        let good = crate::delta_file_name(hashed, &ContentHash::of(b"old"), DeltaEncoding::Dcz);
        let entry = |deltas: &str| {
            format!(
                r#"{{"releases": [{{"version": "v", "collected": 1, "files": ["{hashed}"], "deltas": {deltas}}}]}}"#
            )
        };
        std::fs::write(dir.join(RELEASES_INDEX), entry(&format!("[\"{good}\"]"))).unwrap();
        assert_eq!(
            ReleaseIndex::read(&dir).unwrap().releases()[0].deltas,
            std::slice::from_ref(&good)
        );
        for bad in [
            format!("[\"../{good}\"]"),
            format!("[\"/{good}\"]"),
            format!("[\"js//{}\"]", good.trim_start_matches("js/")),
            format!("[\"{}\"]", good.replace(".js.dcz/", ".js.dcx/")),
            format!("[\"{}\"]", good.replace("=.js", "=.css")),
            format!("[\"{}\"]", good.replace('/', "\\\\")),
            "[\"js/app.js.dcz/AAAA.js\"]".to_owned(),
            "[1]".to_owned(),
            "\"js/app.0123456789ab.js.dcz\"".to_owned(),
        ] {
            std::fs::write(dir.join(RELEASES_INDEX), entry(&bad)).unwrap();
            let error = ReleaseIndex::read(&dir).unwrap_err().to_string();
            assert!(error.contains("releases.json"), "{bad}: {error}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn verification_names_both_hashes() {
        let error = verify_hashed_file("a.0123456789ab.css", b"x").unwrap_err();
        assert!(error.contains("0123456789ab"), "{error}");
        assert!(verify_hashed_file("a.css", b"x").is_err());
    }

    /// A stylesheet of 600 rules, release `n` changing one of them.
    #[cfg(feature = "compress")]
    fn stylesheet(n: usize) -> Vec<u8> {
        let mut text = String::new();
        for rule in 0..600 {
            let colour = if rule == 300 { n } else { rule * 7919 };
            text.push_str(&format!(
                ".rule-{rule} {{ color: #{colour:06x}; margin: {}px; }}\n",
                rule % 13
            ));
        }
        text.into_bytes()
    }

    /// Collects release `n` of `app.css` (with a brotli variant) and `logo.png` (none).
    #[cfg(feature = "compress")]
    fn collect_stylesheet(
        dir: &Path,
        n: usize,
        at: u64,
        deltas: bool,
        keep: usize,
    ) -> CollectReport {
        let css = stylesheet(n);
        let br = crate::compress(&css, crate::Encoding::Brotli, &Default::default());
        let png = format!("png {n}").into_bytes();
        let css_name = crate::hashed_name("css/app.css", &ContentHash::of(&css));
        let png_name = crate::hashed_name("img/logo.png", &ContentHash::of(&png));
        let files = [
            CollectedFile {
                canonical: "css/app.css",
                hashed: &css_name,
                bytes: &css,
                brotli: Some(&br),
                gzip: None,
            },
            CollectedFile {
                canonical: "img/logo.png",
                hashed: &png_name,
                bytes: &png,
                brotli: None,
                gzip: None,
            },
        ];
        Collect::new(dir, &format!("v{n}"), &files, "{}")
            .retention(Retention {
                keep,
                age: Duration::from_secs(60),
            })
            .deltas(deltas)
            .at(UNIX_EPOCH + Duration::from_secs(at))
            .run()
            .unwrap()
    }

    #[cfg(feature = "compress")]
    fn css_name(n: usize) -> String {
        crate::hashed_name("css/app.css", &ContentHash::of(&stylesheet(n)))
    }

    #[cfg(feature = "compress")]
    #[test]
    fn deltas_from_kept_releases_are_written_checked_listed_and_pruned() {
        let dir = temp("deltas");
        let day = 86_400;
        assert_eq!(collect_stylesheet(&dir, 1, day, true, 1).deltas, 0);
        let report = collect_stylesheet(&dir, 2, 2 * day, true, 1);
        // One pair (the png has no brotli variant): a dcb and a dcz.
        assert_eq!(report.deltas, 2, "{report:?}");
        let index = ReleaseIndex::read(&dir).unwrap();
        let v2 = &index.releases()[0];
        let old = stylesheet(1);
        let expected: Vec<String> = [DeltaEncoding::Dcb, DeltaEncoding::Dcz]
            .map(|encoding| crate::delta_file_name(&css_name(2), &ContentHash::of(&old), encoding))
            .into();
        assert_eq!(v2.deltas, expected);
        assert!(index.releases()[1].deltas.is_empty());
        // Every delta written decodes against its dictionary to the file's bytes, and is
        // smaller than the file's brotli variant.
        let br = crate::compress(&stylesheet(2), crate::Encoding::Brotli, &Default::default());
        for name in &v2.deltas {
            let (target, encoding, dictionary) = crate::parse_delta_file_name(name).unwrap();
            assert_eq!(target, css_name(2));
            assert_eq!(dictionary, ContentHash::of(&old));
            let bytes = std::fs::read(dir.join(name)).unwrap();
            assert!(
                bytes.len() < br.len() / 10,
                "{name}: {} vs br {}",
                bytes.len(),
                br.len()
            );
            let decoded = crate::decode_delta(&old, &bytes, encoding, 1 << 20).unwrap();
            assert_eq!(decoded, stylesheet(2), "{name}");
        }
        // Deltas only beside hashed names: never beside a canonical copy.
        for encoding in ["dcb", "dcz"] {
            assert!(!dir.join(format!("css/app.css.{encoding}")).exists());
            assert!(dir.join(format!("{}.{encoding}", css_name(2))).is_dir());
        }

        // v3 keeps one release before it (v2): deltas from v2 only, v1 pruned.
        let report = collect_stylesheet(&dir, 3, 3 * day, true, 1);
        assert_eq!(
            (report.deltas, report.pruned_releases),
            (2, 1),
            "{report:?}"
        );
        let index = ReleaseIndex::read(&dir).unwrap();
        let v3 = &index.releases()[0];
        assert!(v3.deltas.iter().all(|name| {
            crate::parse_delta_file_name(name).unwrap().2 == ContentHash::of(&stylesheet(2))
        }));
        // v2's own deltas (from v1) stay with v2.
        assert_eq!(index.releases()[1].deltas, expected);
        for name in &expected {
            assert!(dir.join(name).is_file(), "{name}");
        }

        // v4 drops v2: its deltas go, with the folders they leave empty.
        let report = collect_stylesheet(&dir, 4, 4 * day, true, 1);
        assert_eq!(report.pruned_releases, 1);
        for encoding in ["dcb", "dcz"] {
            assert!(
                !dir.join(format!("{}.{encoding}", css_name(2))).exists(),
                "{encoding}"
            );
            assert!(
                dir.join(format!("{}.{encoding}", css_name(3))).is_dir(),
                "{encoding}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(feature = "compress")]
    #[test]
    fn no_delta_from_a_corrupt_missing_or_dropped_file_nor_when_turned_off() {
        let dir = temp("no-deltas");
        let day = 86_400;
        collect_stylesheet(&dir, 1, day, true, 2);
        // Off: none.
        assert_eq!(collect_stylesheet(&dir, 2, 2 * day, false, 2).deltas, 0);
        assert!(ReleaseIndex::read(&dir).unwrap().releases()[0]
            .deltas
            .is_empty());
        // v1's file corrupt, v2's missing: no delta from either.
        std::fs::write(dir.join(css_name(1)), b"planted").unwrap();
        std::fs::remove_file(dir.join(css_name(2))).unwrap();
        let report = collect_stylesheet(&dir, 3, 3 * day, true, 2);
        assert_eq!(report.deltas, 0, "{report:?}");
        // Keeping no release before the new one (and none young): no delta from v3.
        let report = collect_stylesheet(&dir, 4, 4 * day, true, 0);
        assert_eq!((report.deltas, report.releases), (0, 1), "{report:?}");
        // Collected again, a release's entry is replaced: deltas only its old entry
        // listed are pruned with it.
        let dir = temp("recollect");
        collect_stylesheet(&dir, 1, day, true, 2);
        collect_stylesheet(&dir, 2, 2 * day, true, 2);
        let v2_deltas = ReleaseIndex::read(&dir).unwrap().releases()[0]
            .deltas
            .clone();
        assert_eq!(v2_deltas.len(), 2);
        let report = collect_stylesheet(&dir, 2, 3 * day, true, 0);
        assert_eq!((report.deltas, report.releases), (0, 1), "{report:?}");
        for name in &v2_deltas {
            assert!(!dir.join(name).exists(), "{name}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
