//! What can go wrong while reading a static folder.

use crate::suggest::did_you_mean;
use std::fmt;

/// An error found while walking a static folder or building its manifest.
///
/// Paths in it are canonical paths relative to the folder; [`PipelineError::describe`]
/// puts the folder's name in front, as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PipelineError {
    /// The folder does not exist.
    FolderMissing,
    /// The path names a file, not a folder.
    NotAFolder,
    /// The folder holds no file to embed once hidden and excluded files are left out.
    FolderEmpty,
    /// A file or folder could not be read.
    Unreadable {
        /// Canonical path (empty for the folder itself).
        path: String,
        /// The I/O error.
        reason: String,
    },
    /// A socket, FIFO or device: not a file with bytes to serve.
    NotARegularFile {
        /// Canonical path.
        path: String,
    },
    /// A file or folder name that is not UTF-8.
    NonUtf8Name {
        /// The path with invalid bytes replaced by U+FFFD.
        lossy_path: String,
    },
    /// A symlink whose target lies outside the folder.
    SymlinkEscapes {
        /// Canonical path of the link.
        path: String,
    },
    /// A folder symlink that leads back to one of its own parents.
    SymlinkLoop {
        /// Canonical path of the link.
        path: String,
    },
    /// A name that cannot be served as a URL path.
    BadUrlName {
        /// Canonical path.
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// A bare module name (`import "htmx"`) that `import_map(...)` does not map, with
    /// module specifiers resolved through the import map.
    UnknownBareName {
        /// The module with the import.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The name as written.
        name: String,
        /// Mapped names close to it, best first (at most three).
        suggestions: Vec<String>,
    },
    /// With module specifiers resolved through the import map, a specifier with a
    /// `?query`, a `#fragment` or a `%` escape, which no key of the map can match.
    UnmappableSpecifier {
        /// The module with the import.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The specifier as written.
        specifier: String,
    },
    /// A CSS or JS reference to a file that is not in the folder.
    MissingReference {
        /// The file with the reference.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The reference as written.
        reference: String,
        /// The canonical path it names.
        resolved: String,
        /// Files of the folder with a close name, best first (at most three).
        suggestions: Vec<String>,
    },
    /// Files that reference each other in a loop, so none can be hashed first.
    ReferenceCycle {
        /// The files of the cycle, the first repeated at the end.
        files: Vec<String>,
    },
    /// The hashed name of one file is the canonical name of another.
    NameCollision {
        /// The file whose hashed name collides.
        hashed_from: String,
        /// The hashed name, which is also a file's canonical path.
        name: String,
    },
}

impl PipelineError {
    /// The message with the folder's name (as the user wrote it) in front of every path.
    ///
    /// ```
    /// use hyper_assets_pipeline::PipelineError;
    ///
    /// let error = PipelineError::NotARegularFile { path: "css/pipe".to_owned() };
    /// assert_eq!(
    ///     error.describe("static"),
    ///     "`static/css/pipe` is not a regular file (a socket, FIFO or device cannot be embedded)"
    /// );
    /// ```
    pub fn describe(&self, folder: &str) -> String {
        let folder = folder.trim_end_matches('/');
        let at = |path: &str| {
            if path.is_empty() {
                format!("`{folder}`")
            } else {
                format!("`{folder}/{path}`")
            }
        };
        match self {
            Self::FolderMissing => format!("static folder {} does not exist", at("")),
            Self::NotAFolder => format!("{} is a file, not a folder", at("")),
            Self::FolderEmpty => format!(
                "static folder {} has no files to embed (hidden files such as `.gitkeep` are left out; \
                 add a file, or set `hidden = true`)",
                at("")
            ),
            Self::Unreadable { path, reason } => format!("cannot read {}: {reason}", at(path)),
            Self::NotARegularFile { path } => format!(
                "{} is not a regular file (a socket, FIFO or device cannot be embedded)",
                at(path)
            ),
            Self::NonUtf8Name { lossy_path } => format!(
                "{} has a name that is not UTF-8; rename it (asset names become URLs)",
                at(lossy_path)
            ),
            Self::SymlinkEscapes { path } => format!(
                "{} is a symlink that points outside the static folder; copy the file in instead",
                at(path)
            ),
            Self::SymlinkLoop { path } => {
                format!("{} is a symlink that leads back to its own parent folder", at(path))
            }
            Self::BadUrlName { path, reason } => format!("{} cannot be served: {reason}", at(path)),
            Self::MissingReference {
                path,
                line,
                column,
                reference,
                resolved,
                suggestions,
            } => {
                let hint = did_you_mean(suggestions);
                format!(
                    "`{folder}/{path}:{line}:{column}`: `{reference}` names `{resolved}`, which is \
                     not in the static folder{hint} (set `missing_references = \"keep\"` to leave \
                     such references unchanged)"
                )
            }
            Self::UnknownBareName {
                path,
                line,
                column,
                name,
                suggestions,
            } => {
                let hint = did_you_mean(suggestions);
                format!(
                    "`{folder}/{path}:{line}:{column}`: the bare module name `{name}` is not in \
                     `import_map(...)`{hint} (map it to a module of the folder: \
                     `import_map(\"{name}\" = \"path/to/module.js\")`)"
                )
            }
            Self::UnmappableSpecifier {
                path,
                line,
                column,
                specifier,
            } => format!(
                "`{folder}/{path}:{line}:{column}`: `{specifier}` resolves through the import map, \
                 whose keys are plain file URLs: write the module's path without `?`, `#` or `%` \
                 escapes"
            ),
            Self::ReferenceCycle { files } => {
                let names: Vec<String> = files.iter().map(|file| at(file)).collect();
                format!(
                    "these files reference each other in a cycle, so none can be hashed first: {}",
                    names.join(" -> ")
                )
            }
            Self::NameCollision { hashed_from, name } => format!(
                "the hashed name of {} is {}, which is also a file in the folder; \
                 remove the already-hashed copy",
                at(hashed_from),
                at(name)
            ),
        }
    }
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe("."))
    }
}

impl std::error::Error for PipelineError {}
