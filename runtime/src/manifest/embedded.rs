//! What `assets::EMBEDDED` holds beside the manifest: how the macro read its folder
//! ([`DevSource`], for dev mode) and the version components it hashed
//! ([`EmbeddedComponent`]). Const data like the manifest, so they sit with it, below dev
//! mode and the version store that read them.

use super::{Asset, Manifest};
use hyper_assets_pipeline::{FileFilter, Glob, MissingReferences, RewriteOptions};

/// Everything `hyper_assets!` embedded, generated as `assets::EMBEDDED`: the manifest,
/// how the folder was read (for dev mode) and the version components hashed at build
/// time. [`Site`](crate::Site) takes it whole, so none of the parts can be forgotten.
///
/// A manifest built another way (the `adopt` module) converts into one with no folder
/// and no components.
#[derive(Debug, Clone)]
pub struct Embedded {
    manifest: &'static Manifest,
    source: Option<&'static DevSource>,
    components: &'static [EmbeddedComponent],
    earlier: &'static [Asset],
}

impl Embedded {
    #[doc(hidden)]
    pub const fn __new(
        manifest: &'static Manifest,
        source: &'static DevSource,
        components: &'static [EmbeddedComponent],
        earlier: &'static [Asset],
    ) -> Self {
        Self {
            manifest,
            source: Some(source),
            components,
            earlier,
        }
    }

    /// The manifest (`assets::MANIFEST`).
    pub const fn manifest(&self) -> &'static Manifest {
        self.manifest
    }

    /// How the folder was read (`assets::SOURCE`); `None` for an adopted manifest.
    pub const fn source(&self) -> Option<&'static DevSource> {
        self.source
    }

    /// The version components hashed at build time (`assets::COMPONENTS`).
    pub const fn components(&self) -> &'static [EmbeddedComponent] {
        self.components
    }

    /// Earlier releases' files embedded with `previous = "releases"` (`assets::EARLIER`),
    /// sorted by hashed path: served under their own hashed names, never in the manifest,
    /// `url!` or the templates. Identity bytes only: their `brotli` and `gzip` are `None`.
    pub const fn earlier(&self) -> &'static [Asset] {
        self.earlier
    }
}

impl From<&'static Manifest> for Embedded {
    fn from(manifest: &'static Manifest) -> Self {
        Self {
            manifest,
            source: None,
            components: &[],
            earlier: &[],
        }
    }
}

impl From<&'static Embedded> for Embedded {
    fn from(embedded: &'static Embedded) -> Self {
        embedded.clone()
    }
}

/// How `hyper_assets!` read its folder, so dev mode can read it the same way at run
/// time. Generated as `assets::SOURCE`.
#[derive(Debug)]
pub struct DevSource {
    folder: &'static str,
    prefix: &'static str,
    url_prefix: Option<&'static str>,
    rewrite: bool,
    keep_missing: bool,
    hidden: bool,
    include: &'static [&'static str],
    exclude: &'static [&'static str],
    import_map: bool,
    bare_names: &'static [(&'static str, &'static str)],
}

impl DevSource {
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        folder: &'static str,
        prefix: &'static str,
        url_prefix: Option<&'static str>,
        rewrite: bool,
        keep_missing: bool,
        hidden: bool,
        include: &'static [&'static str],
        exclude: &'static [&'static str],
        import_map: bool,
        bare_names: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self {
            folder,
            prefix,
            url_prefix,
            rewrite,
            keep_missing,
            hidden,
            include,
            exclude,
            import_map,
            bare_names,
        }
    }

    /// The folder the macro embedded (absolute).
    pub const fn folder(&self) -> &'static str {
        self.folder
    }

    /// The files the macro read: hidden ones or not, `include` and `exclude`.
    pub(crate) fn filter(&self) -> FileFilter {
        let mut filter = FileFilter::default().include_hidden(self.hidden);
        // The macro already refused invalid globs, so these compile.
        for glob in self.include.iter().filter_map(|g| Glob::new(g).ok()) {
            filter = filter.include(glob);
        }
        for glob in self.exclude.iter().filter_map(|g| Glob::new(g).ok()) {
            filter = filter.exclude(glob);
        }
        filter
    }

    /// How the macro rewrote references: `rewrite`, the prefixes, `missing_references`,
    /// the import map and its bare names.
    pub(crate) fn rewrite_options(&self) -> RewriteOptions {
        RewriteOptions {
            enabled: self.rewrite,
            prefix: self.prefix.to_owned(),
            url_prefix: self.url_prefix.map(str::to_owned),
            missing: if self.keep_missing {
                MissingReferences::Keep
            } else {
                MissingReferences::Error
            },
            import_map: self.import_map,
            bare_names: self
                .bare_names
                .iter()
                .map(|&(name, target)| (name.to_owned(), target.to_owned()))
                .collect(),
        }
    }

    /// Where generated URLs point: `url_prefix`, else the prefix.
    pub(crate) fn urls_under(&self) -> &'static str {
        match self.url_prefix {
            Some(url_prefix) => url_prefix,
            None => self.prefix,
        }
    }
}

/// A component group embedded at build time by `hyper_assets!(..., components(...))`:
/// the file hashes were computed by the macro, and an edit to a file rebuilds.
#[derive(Debug)]
pub struct EmbeddedComponent {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
}

impl EmbeddedComponent {
    #[doc(hidden)]
    pub const fn __new(name: &'static str, files: &'static [(&'static str, &'static str)]) -> Self {
        Self { name, files }
    }

    /// The group's name (`templates`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// `(path relative to the crate, SHA-256 hex)` of every file, sorted by path.
    pub const fn files(&self) -> &'static [(&'static str, &'static str)] {
        self.files
    }
}
