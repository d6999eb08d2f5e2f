//! Scratch copies of fixture folders, for tests that edit files on disk (dev mode).

use crate::cargo_project::{target_dir, workspace_root};
use std::path::{Path, PathBuf};

/// A copy of a fixture folder under `target/<group>/<name>`, removed on drop.
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl Scratch {
    /// Copies `fixture` (relative to the workspace, such as `tests/fixtures/rewrite`)
    /// into a fresh `target/<group>/<name>`.
    pub fn copy_of(fixture: &str, group: &str, name: &str) -> Self {
        let dir = target_dir().join(group).join(name);
        let _ = std::fs::remove_dir_all(&dir);
        copy_folder(&workspace_root().join(fixture), &dir);
        Self(dir)
    }

    /// The copy's folder.
    pub fn dir(&self) -> &Path {
        &self.0
    }

    /// A path inside the copy.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies the folder `from` to `to`, subfolders included.
pub fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
