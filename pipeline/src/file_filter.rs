//! Which files of the static folder are embedded.

use crate::glob::Glob;

/// Decides which files below the static folder are embedded.
///
/// Hidden files are left out unless [`FileFilter::include_hidden`] is set: any path with a
/// component that starts with `.` (`.DS_Store`, `.gitkeep`, `.git/`, `.file.swp`) except
/// the `.well-known` folder, editor backups ending in `~`, Emacs auto-saves `#name#`, and
/// `Thumbs.db` / `desktop.ini`. A `node_modules` or `.git` folder is always left out,
/// hidden files or not: a package manager's tree or a repository is never a set of
/// assets ([`LEFT_OUT_FOLDERS`]). Then, when include globs are given, a file must match
/// one; a file that matches an exclude glob is left out.
///
/// ```
/// use hyper_assets_pipeline::{FileFilter, Glob};
///
/// let filter = FileFilter::default().exclude(Glob::new("*.map").unwrap());
/// assert!(filter.accepts("js/app.js"));
/// assert!(!filter.accepts("js/app.js.map"));
/// assert!(!filter.accepts("img/.DS_Store"));
/// assert!(filter.accepts(".well-known/security.txt"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct FileFilter {
    include: Vec<Glob>,
    exclude: Vec<Glob>,
    include_hidden: bool,
}

impl FileFilter {
    /// Adds an include glob: once any is given, only matching files are embedded.
    #[must_use]
    pub fn include(mut self, glob: Glob) -> Self {
        self.include.push(glob);
        self
    }

    /// Adds an exclude glob: matching files are left out.
    #[must_use]
    pub fn exclude(mut self, glob: Glob) -> Self {
        self.exclude.push(glob);
        self
    }

    /// Embeds hidden files too.
    #[must_use]
    pub fn include_hidden(mut self, yes: bool) -> Self {
        self.include_hidden = yes;
        self
    }

    /// Whether the file at the canonical `path` is embedded.
    pub fn accepts(&self, path: &str) -> bool {
        if path.split('/').any(is_left_out_folder) {
            return false;
        }
        if !self.include_hidden && path.split('/').any(is_hidden_name) {
            return false;
        }
        if !self.include.is_empty() && !self.include.iter().any(|glob| glob.matches(path)) {
            return false;
        }
        !self.exclude.iter().any(|glob| glob.matches(path))
    }

    /// Whether a folder at the canonical `path` can hold embedded files at all, so the
    /// walk can skip `.git/` and the like without reading them.
    pub fn enters(&self, path: &str) -> bool {
        !path.split('/').any(is_left_out_folder)
            && (self.include_hidden || !path.split('/').any(is_hidden_name))
    }
}

/// Folders never embedded, whatever the options.
pub const LEFT_OUT_FOLDERS: [&str; 2] = ["node_modules", ".git"];

fn is_left_out_folder(name: &str) -> bool {
    LEFT_OUT_FOLDERS.contains(&name)
}

fn is_hidden_name(name: &str) -> bool {
    (name.starts_with('.') && name != ".well-known")
        || name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name.eq_ignore_ascii_case("Thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_files_are_left_out_by_default() {
        let filter = FileFilter::default();
        for hidden in [
            ".DS_Store",
            "css/.gitkeep",
            ".git/config",
            "js/.app.js.swp",
            "js/app.js~",
            "css/#styles.css#",
            "img/Thumbs.db",
        ] {
            assert!(!filter.accepts(hidden), "{hidden}");
        }
        assert!(filter.accepts(".well-known/security.txt"));
        assert!(filter.accepts("css/#hash.css"));
        assert!(!filter.enters(".git"));
        assert!(filter.enters(".well-known"));
    }

    #[test]
    fn include_hidden_brings_them_back() {
        let filter = FileFilter::default().include_hidden(true);
        assert!(filter.accepts(".htaccess"));
        assert!(filter.enters(".github"));
    }

    #[test]
    fn node_modules_and_git_are_never_embedded() {
        for filter in [
            FileFilter::default(),
            FileFilter::default().include_hidden(true),
        ] {
            assert!(!filter.enters("node_modules"));
            assert!(!filter.enters("vendor/node_modules"));
            assert!(!filter.enters(".git"));
            assert!(!filter.accepts("node_modules/htmx.org/dist/htmx.js"));
            assert!(!filter.accepts("js/.git/config"));
            assert!(filter.accepts("js/node_modules.js"));
        }
    }

    #[test]
    fn include_then_exclude() {
        let filter = FileFilter::default()
            .include(Glob::new("css/**").unwrap())
            .exclude(Glob::new("*.map").unwrap());
        assert!(filter.accepts("css/a.css"));
        assert!(!filter.accepts("css/a.css.map"));
        assert!(!filter.accepts("js/a.js"));
    }
}
