//! Reading every file below the static folder, in a deterministic order.

use crate::error::PipelineError;
use crate::file_filter::FileFilter;
use std::fs;
use std::path::{Path, PathBuf};

/// One embedded file as read from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the static folder, `/`-separated: the asset's stable name.
    pub canonical: String,
    /// Where the file is on disk (below the folder, symlinks not resolved), so that a
    /// build can track the path the user edits.
    pub path: PathBuf,
    /// The exact bytes.
    pub bytes: Vec<u8>,
}

/// Reads every file below `root` that `filter` accepts, sorted by canonical path.
///
/// Symlinks are followed when they stay inside `root`. Every problem found is returned,
/// not only the first, so one build shows them all.
///
/// # Errors
/// The folder is missing, is a file, or holds nothing to embed; a file cannot be read, is
/// not a regular file, has a non-UTF-8 name, or is a symlink that leaves the folder or
/// loops.
pub fn walk(root: &Path, filter: &FileFilter) -> Result<Vec<SourceFile>, Vec<PipelineError>> {
    walk_with(root, filter, true).map(|(files, _)| files)
}

/// The [`LEFT_OUT_FOLDERS`](crate::LEFT_OUT_FOLDERS) (`node_modules`,
/// `.git`) found below `root`, as canonical paths, for a note that they were left out.
/// Does not enter them, nor other hidden folders.
pub fn left_out_folders(root: &Path) -> Vec<String> {
    fn scan(dir: &Path, prefix: &str, found: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(fs::DirEntry::file_name);
        for entry in entries {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                continue;
            }
            let canonical = join(prefix, &name);
            if crate::file_filter::LEFT_OUT_FOLDERS.contains(&name.as_str()) {
                found.push(canonical);
            } else if !name.starts_with('.') {
                scan(&entry.path(), &canonical, found);
            }
        }
    }
    let mut found = Vec::new();
    scan(root, "", &mut found);
    found
}

/// What a file looked like on disk: enough to tell that it changed without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    /// Canonical path.
    pub canonical: String,
    /// Modification time.
    pub modified: Option<std::time::SystemTime>,
    /// Length in bytes.
    pub len: u64,
}

/// The same walk as [`walk`] (same filter, same symlink rules, same errors) without
/// reading any file: a fingerprint of the folder, for caches keyed by mtime and size.
///
/// # Errors
/// As [`walk`].
pub fn stamps(root: &Path, filter: &FileFilter) -> Result<Vec<FileStamp>, Vec<PipelineError>> {
    walk_with(root, filter, false).map(|(_, stamps)| stamps)
}

fn walk_with(
    root: &Path,
    filter: &FileFilter,
    read: bool,
) -> Result<(Vec<SourceFile>, Vec<FileStamp>), Vec<PipelineError>> {
    let real_root = match fs::canonicalize(root) {
        Ok(real) => real,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(vec![PipelineError::FolderMissing])
        }
        Err(error) => {
            return Err(vec![PipelineError::Unreadable {
                path: String::new(),
                reason: error.to_string(),
            }])
        }
    };
    if !real_root.is_dir() {
        return Err(vec![PipelineError::NotAFolder]);
    }
    let mut walker = Walker {
        real_root: &real_root,
        filter,
        read,
        files: Vec::new(),
        stamps: Vec::new(),
        errors: Vec::new(),
        open_folders: vec![real_root.clone()],
    };
    walker.folder(root, "");
    let Walker {
        mut files,
        mut stamps,
        mut errors,
        ..
    } = walker;
    if errors.is_empty() && stamps.is_empty() {
        errors.push(PipelineError::FolderEmpty);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    files.sort_by(|a, b| a.canonical.cmp(&b.canonical));
    stamps.sort_by(|a, b| a.canonical.cmp(&b.canonical));
    Ok((files, stamps))
}

struct Walker<'a> {
    real_root: &'a Path,
    filter: &'a FileFilter,
    /// Read the bytes, or only stamp the files.
    read: bool,
    files: Vec<SourceFile>,
    stamps: Vec<FileStamp>,
    errors: Vec<PipelineError>,
    /// Resolved paths of the folders being walked, to catch symlink loops.
    open_folders: Vec<PathBuf>,
}

impl Walker<'_> {
    fn folder(&mut self, dir: &Path, prefix: &str) {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            // A sub-folder removed since its parent was listed is not there.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && !prefix.is_empty() => {
                return
            }
            Err(error) => return self.unreadable(prefix, &error),
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    self.unreadable(prefix, &error);
                    continue;
                }
            };
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                let lossy_path = join(prefix, &entry.file_name().to_string_lossy());
                if self.filter.enters(&lossy_path) {
                    self.errors.push(PipelineError::NonUtf8Name { lossy_path });
                }
                continue;
            };
            let canonical = join(prefix, &name);
            self.entry(&path, canonical);
        }
    }

    fn entry(&mut self, path: &Path, canonical: String) {
        let link = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(error) => return self.failed(&canonical, &error),
        };
        let mut real = None;
        if link.file_type().is_symlink() {
            match fs::canonicalize(path) {
                Ok(target) if target.starts_with(self.real_root) => real = Some(target),
                Ok(_) => {
                    // Only an error when the link would have been embedded.
                    if self.filter.enters(&canonical) {
                        self.errors
                            .push(PipelineError::SymlinkEscapes { path: canonical });
                    }
                    return;
                }
                // A link whose target is missing is the folder's problem, not a file
                // that vanished: an error, when its name would be embedded.
                Err(_) if self.ignored(&canonical) => return,
                Err(error) => return self.unreadable(&canonical, &error),
            }
        }
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(error) => return self.failed(&canonical, &error),
        };
        if meta.is_dir() {
            if !self.filter.enters(&canonical) {
                return;
            }
            let resolved = match real {
                Some(real) => real,
                None => match fs::canonicalize(path) {
                    Ok(real) => real,
                    Err(error) => return self.failed(&canonical, &error),
                },
            };
            if self.open_folders.contains(&resolved) {
                self.errors
                    .push(PipelineError::SymlinkLoop { path: canonical });
                return;
            }
            self.open_folders.push(resolved);
            self.folder(path, &canonical);
            self.open_folders.pop();
        } else if !self.filter.accepts(&canonical) {
        } else if !meta.is_file() {
            self.errors
                .push(PipelineError::NotARegularFile { path: canonical });
        } else {
            self.stamps.push(FileStamp {
                canonical: canonical.clone(),
                modified: meta.modified().ok(),
                len: meta.len(),
            });
            if !self.read {
                return;
            }
            match fs::read(path) {
                Ok(bytes) => self.files.push(SourceFile {
                    canonical,
                    path: path.to_path_buf(),
                    bytes,
                }),
                Err(error) => self.failed(&canonical, &error),
            }
        }
    }

    /// A file that could not be looked at. One that vanished since the folder was listed
    /// (an editor's save: vim's `4913` probe, a swap file, an atomic rename) is simply
    /// not there, and neither is one whose name the filter leaves out: neither is an
    /// error, so a busy editor never turns the whole folder into one.
    fn failed(&mut self, canonical: &str, error: &std::io::Error) {
        if error.kind() == std::io::ErrorKind::NotFound || self.ignored(canonical) {
            return;
        }
        self.unreadable(canonical, error);
    }

    /// A name the filter would neither embed nor walk into.
    fn ignored(&self, canonical: &str) -> bool {
        !self.filter.enters(canonical) && !self.filter.accepts(canonical)
    }

    fn unreadable(&mut self, canonical: &str, error: &std::io::Error) {
        self.errors.push(PipelineError::Unreadable {
            path: canonical.to_owned(),
            reason: error.to_string(),
        });
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glob::Glob;

    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("hyper-assets-walk-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn file(&self, rel: &str, body: &str) {
            let path = self.0.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, body).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn names(files: &[SourceFile]) -> Vec<&str> {
        files.iter().map(|file| file.canonical.as_str()).collect()
    }

    #[test]
    fn files_that_vanish_or_are_ignored_are_not_errors() {
        let filter = FileFilter::default();
        let root = PathBuf::from("/");
        let mut walker = Walker {
            real_root: &root,
            filter: &filter,
            read: true,
            files: Vec::new(),
            stamps: Vec::new(),
            errors: Vec::new(),
            open_folders: Vec::new(),
        };
        let gone = std::io::Error::from(std::io::ErrorKind::NotFound);
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        // vim's probe file and a swap file, gone between listing and stat.
        walker.failed("4913", &gone);
        walker.failed("css/.app.css.swp", &gone);
        // Names the filter leaves out are not looked at, whatever the error.
        walker.failed("css/app.css~", &denied);
        walker.failed(".git/index", &denied);
        assert!(walker.errors.is_empty(), "{:?}", walker.errors);
        // A file that would be embedded and cannot be read is still an error.
        walker.failed("css/app.css", &denied);
        assert_eq!(walker.errors.len(), 1);
    }

    #[test]
    fn sorted_recursive_and_filtered() {
        let dir = TempDir::new("sorted");
        dir.file("b.css", "b");
        dir.file("a/z.js", "z");
        dir.file("a/b/c.txt", "c");
        dir.file(".DS_Store", "x");
        dir.file(".git/HEAD", "x");
        dir.file("a/app.js.map", "m");
        let filter = FileFilter::default().exclude(Glob::new("*.map").unwrap());
        let files = walk(&dir.0, &filter).unwrap();
        assert_eq!(names(&files), ["a/b/c.txt", "a/z.js", "b.css"]);
        assert_eq!(files[2].bytes, b"b");
    }

    #[test]
    fn missing_file_and_empty() {
        let dir = TempDir::new("kinds");
        assert_eq!(
            walk(&dir.0.join("nope"), &FileFilter::default()),
            Err(vec![PipelineError::FolderMissing])
        );
        assert_eq!(
            walk(&dir.0, &FileFilter::default()),
            Err(vec![PipelineError::FolderEmpty])
        );
        dir.file(".gitkeep", "");
        assert_eq!(
            walk(&dir.0, &FileFilter::default()),
            Err(vec![PipelineError::FolderEmpty])
        );
        dir.file("f.txt", "f");
        assert_eq!(
            walk(&dir.0.join("f.txt"), &FileFilter::default()),
            Err(vec![PipelineError::NotAFolder])
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_inside_are_followed_outside_refused() {
        use std::os::unix::fs::symlink;
        let dir = TempDir::new("links");
        let outside = TempDir::new("links-outside");
        outside.file("secret.txt", "s");
        dir.file("real/a.css", "a");
        symlink(dir.0.join("real/a.css"), dir.0.join("alias.css")).unwrap();
        symlink(dir.0.join("real"), dir.0.join("linked")).unwrap();
        let files = walk(&dir.0, &FileFilter::default()).unwrap();
        assert_eq!(names(&files), ["alias.css", "linked/a.css", "real/a.css"]);
        assert_eq!(files[0].path, dir.0.join("alias.css"));

        symlink(outside.0.join("secret.txt"), dir.0.join("leak.txt")).unwrap();
        symlink(&dir.0, dir.0.join("real/loop")).unwrap();
        symlink(dir.0.join("gone"), dir.0.join("dangling.css")).unwrap();
        let errors = walk(&dir.0, &FileFilter::default()).unwrap_err();
        assert!(errors.contains(&PipelineError::SymlinkEscapes {
            path: "leak.txt".to_owned()
        }));
        assert!(errors.contains(&PipelineError::SymlinkLoop {
            path: "real/loop".to_owned()
        }));
        assert!(errors.iter().any(
            |e| matches!(e, PipelineError::Unreadable { path, .. } if path == "dangling.css")
        ));
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_are_reported() {
        use std::os::unix::ffi::OsStrExt;
        let dir = TempDir::new("utf8");
        dir.file("ok.txt", "ok");
        fs::write(dir.0.join(std::ffi::OsStr::from_bytes(b"bad\xff.txt")), "x").unwrap();
        let errors = walk(&dir.0, &FileFilter::default()).unwrap_err();
        assert_eq!(
            errors,
            [PipelineError::NonUtf8Name {
                lossy_path: "bad\u{fffd}.txt".to_owned()
            }]
        );
    }

    #[cfg(unix)]
    #[test]
    fn sockets_are_not_files() {
        let dir = TempDir::new("socket");
        let _listener = std::os::unix::net::UnixListener::bind(dir.0.join("s.sock")).unwrap();
        let errors = walk(&dir.0, &FileFilter::default()).unwrap_err();
        assert_eq!(
            errors,
            [PipelineError::NotARegularFile {
                path: "s.sock".to_owned()
            }]
        );
    }
}
