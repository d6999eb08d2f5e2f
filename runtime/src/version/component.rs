//! Version components: named groups of files whose bytes count in the app version.

use crate::manifest::EmbeddedComponent;
use hyper_assets_pipeline::{listing_hash, ContentHash};
use std::fmt;
use std::path::{Path, PathBuf};

/// A group's state at one moment: its files' hashes and the group hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentState {
    name: String,
    files: Vec<(String, String)>,
    hash: String,
    embedded: bool,
}

impl ComponentState {
    /// The group's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `(path, SHA-256 hex)` of every file, sorted by path.
    pub fn files(&self) -> &[(String, String)] {
        &self.files
    }

    /// The group hash: the same derivation as the manifest hash, over the group's files.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// Whether the group was embedded at build time (else it is read from disk).
    pub fn is_embedded(&self) -> bool {
        self.embedded
    }

    pub(crate) fn from_embedded(component: &EmbeddedComponent) -> Self {
        let files: Vec<(String, String)> = component
            .files()
            .iter()
            .map(|(path, hash)| ((*path).to_owned(), (*hash).to_owned()))
            .collect();
        Self::new(component.name().to_owned(), files, true)
    }

    fn new(name: String, mut files: Vec<(String, String)>, embedded: bool) -> Self {
        files.sort();
        let hash = group_hash(&files);
        Self {
            name,
            files,
            hash,
            embedded,
        }
    }
}

fn group_hash(files: &[(String, String)]) -> String {
    listing_hash(
        files
            .iter()
            .map(|(path, hash)| (path.as_str(), hash.as_str())),
    )
}

/// A component group read from disk at start-up and again on every `POST /cache/bust`:
/// config files, templates loaded at run time.
#[derive(Debug, Clone)]
pub struct DiskComponent {
    name: String,
    paths: Vec<PathBuf>,
}

impl DiskComponent {
    /// A group named `name` of the files at `paths` (relative to the working directory,
    /// or absolute).
    pub fn new(
        name: impl Into<String>,
        paths: impl IntoIterator<Item = impl Into<PathBuf>>,
    ) -> Self {
        Self {
            name: name.into(),
            paths: paths.into_iter().map(Into::into).collect(),
        }
    }

    /// The group's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads and hashes every file.
    ///
    /// # Errors
    /// A file that is missing or unreadable; the error names it. (HyperDjango skips a
    /// missing file silently; a version that quietly ignores a file is worse than none.)
    pub fn read(&self) -> Result<ComponentState, ComponentError> {
        let keys = install_independent_keys(&self.paths);
        let mut files = Vec::with_capacity(self.paths.len());
        for (path, key) in self.paths.iter().zip(keys) {
            let bytes = std::fs::read(path).map_err(|error| ComponentError {
                group: self.name.clone(),
                path: path.clone(),
                reason: error.to_string(),
            })?;
            files.push((key, ContentHash::of(&bytes).hex()));
        }
        Ok(ComponentState::new(self.name.clone(), files, false))
    }
}

/// The name each file counts under in the group's hash: its path below the folder all of
/// the group's files share (a lone file: its file name), so that the same bytes installed
/// at `/a/site.json` and `/b/site.json` give the same version.
fn install_independent_keys(paths: &[PathBuf]) -> Vec<String> {
    let absolute: Vec<PathBuf> = paths
        .iter()
        .map(|path| std::path::absolute(path).unwrap_or_else(|_| path.clone()))
        .collect();
    let mut shared: Option<PathBuf> = None;
    for path in &absolute {
        let parent = path.parent().unwrap_or(Path::new(""));
        shared = Some(match shared {
            None => parent.to_path_buf(),
            Some(shared) => shared
                .components()
                .zip(parent.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    let shared = shared.unwrap_or_default();
    absolute
        .iter()
        .map(|path| {
            let key = path.strip_prefix(&shared).unwrap_or(path);
            key.to_string_lossy().replace('\\', "/")
        })
        .collect()
}

/// A registered component file that cannot be read.
#[derive(Clone, PartialEq, Eq)]
pub struct ComponentError {
    group: String,
    path: PathBuf,
    reason: String,
}

impl fmt::Display for ComponentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "version component `{}`: cannot read {}: {}",
            self.group,
            self.path.display(),
            self.reason
        )
    }
}

/// The [`Display`](std::fmt::Display) sentence, so that `?` in `main` prints it readably.
impl std::fmt::Debug for ComponentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for ComponentError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_are_errors_naming_them() {
        let error = DiskComponent::new("config", ["/nonexistent/hyper-assets/app.toml"])
            .read()
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("`config`"), "{message}");
        assert!(
            message.contains("/nonexistent/hyper-assets/app.toml"),
            "{message}"
        );
    }

    #[test]
    fn group_hash_depends_on_paths_and_bytes_not_order() {
        let a = ComponentState::new(
            "g".into(),
            vec![("a".into(), "1".into()), ("b".into(), "2".into())],
            false,
        );
        let b = ComponentState::new(
            "g".into(),
            vec![("b".into(), "2".into()), ("a".into(), "1".into())],
            false,
        );
        let c = ComponentState::new(
            "g".into(),
            vec![("a".into(), "1".into()), ("b".into(), "3".into())],
            false,
        );
        assert_eq!(a.hash(), b.hash());
        assert_ne!(a.hash(), c.hash());
        assert_eq!(a.hash().len(), 12);
    }
}
