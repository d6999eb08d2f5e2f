//! Dev mode: the static folder served from disk through the same pipeline the macro
//! uses, so names, hashes and rewritten references match a release build.

// Generated as `assets::SOURCE` with the manifest, and kept there; named here too.
pub use crate::manifest::DevSource;

use crate::manifest::import_map::{module_imports, ImportMap, ModuleImports};
use crate::serving::{DiskFolder, FileSet, ServedFile, StaticService};
use bytes::Bytes;
use hyper_assets_pipeline::{
    integrity, is_module, percent_encode_path, process, stamps, walk, FileFilter, FileStamp,
    Manifest, RewriteOptions,
};
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The folder at one moment: the files as served, in the model every response path uses.
#[derive(Debug, Default)]
pub struct DevSnapshot {
    files: Arc<FileSet>,
    import_map: ImportMap,
}

impl DevSnapshot {
    /// The import map of the modules on disk now, as a build of them would generate it.
    pub fn import_map(&self) -> &ImportMap {
        &self.import_map
    }

    /// The file with this canonical path.
    pub fn get(&self, canonical: &str) -> Option<&ServedFile> {
        self.files.get(canonical)
    }

    /// The file with this hashed path (current bytes).
    pub fn get_hashed(&self, hashed: &str) -> Option<&ServedFile> {
        self.files.get_hashed(hashed)
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.len() == 0
    }
}

/// The static folder read from disk, re-read when a file's modification time or size
/// changes (or a file appears or goes), and on [`DevAssets::clear`] (`POST /cache/bust`).
/// Cloning is cheap; clones share the cache.
#[derive(Clone)]
pub struct DevAssets {
    inner: Arc<DevInner>,
}

struct DevInner {
    folder: PathBuf,
    filter: FileFilter,
    options: RewriteOptions,
    url_prefix: String,
    /// The last view and the stamps it was built from; held only to read or replace it.
    cache: Mutex<Option<(Vec<FileStamp>, Arc<DevSnapshot>)>>,
    /// Held while a view is rebuilt, so one request rebuilds and the others that need the
    /// new view wait for it, while `cached()` (the template helpers) never waits.
    rebuild: Mutex<()>,
}

impl fmt::Debug for DevAssets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevAssets")
            .field("folder", &self.inner.folder)
            .field("prefix", &self.inner.options.prefix)
            .finish_non_exhaustive()
    }
}

/// Why dev mode cannot serve the folder right now: the same problems a build would
/// report, with the files named. `Debug` shows the `Display` lines.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DevError {
    /// What a build of the folder would refuse, one problem per line.
    Folder {
        /// The folder read.
        folder: PathBuf,
        /// Every problem found.
        problems: Vec<hyper_assets_pipeline::PipelineError>,
    },
    /// A file whose name or type cannot be sent in a header.
    Unservable(String),
}

impl DevError {
    fn folder(
        folder: &std::path::Path,
        problems: Vec<hyper_assets_pipeline::PipelineError>,
    ) -> Self {
        Self::Folder {
            folder: folder.to_path_buf(),
            problems,
        }
    }
}

impl fmt::Display for DevError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Folder { folder, problems } => {
                let name = folder.display().to_string();
                for (index, problem) in problems.iter().enumerate() {
                    if index > 0 {
                        f.write_str("\n")?;
                    }
                    f.write_str(&problem.describe(&name))?;
                }
                Ok(())
            }
            Self::Unservable(canonical) => write!(
                f,
                "`{canonical}` cannot be served: its name or type is not a valid header value"
            ),
        }
    }
}

impl fmt::Debug for DevError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for DevError {}

impl DevAssets {
    /// Serves the folder `source` names, as the macro read it.
    pub fn new(source: &'static DevSource) -> Self {
        Self::with_folder(source, source.folder())
    }

    /// Serves `folder` with `source`'s settings (for tests, or a checkout moved since
    /// the build).
    pub fn with_folder(source: &'static DevSource, folder: impl Into<PathBuf>) -> Self {
        Self {
            inner: Arc::new(DevInner {
                folder: folder.into(),
                filter: source.filter(),
                url_prefix: source.urls_under().to_owned(),
                options: source.rewrite_options(),
                cache: Mutex::new(None),
                rebuild: Mutex::new(()),
            }),
        }
    }

    /// The folder served.
    pub fn folder(&self) -> &std::path::Path {
        &self.inner.folder
    }

    /// The URL path prefix.
    pub fn prefix(&self) -> &str {
        &self.inner.options.prefix
    }

    /// The prefix of generated URLs (`url_prefix`, else the prefix).
    pub fn url_prefix(&self) -> &str {
        &self.inner.url_prefix
    }

    /// Forgets the cached state: the next request reads and hashes the folder again.
    pub fn clear(&self) {
        *self.lock() = None;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Vec<FileStamp>, Arc<DevSnapshot>)>> {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The view the last [`DevAssets::snapshot`] built, without looking at the disk.
    pub(crate) fn cached(&self) -> Option<Arc<DevSnapshot>> {
        self.lock()
            .as_ref()
            .map(|(_, snapshot)| Arc::clone(snapshot))
    }

    /// [`DevAssets::snapshot`] on tokio's blocking pool, before a request reaches the app:
    /// the template helpers then read this view, so rendering never touches the disk. A
    /// folder it cannot serve is logged (the asset requests answer it with a 500).
    pub(crate) async fn refresh_off_executor(self) {
        let refreshed = crate::blocking::off_executor(move || self.snapshot()).await;
        if let Some(Err(error)) = refreshed {
            tracing::warn!(%error, "dev mode cannot serve the static folder");
        }
    }

    /// The folder now: stats every file, and reads, rewrites and hashes again only when a
    /// stamp changed.
    ///
    /// # Errors
    /// What a build would refuse: a missing folder, a symlink leaving it, a missing
    /// reference, a cycle.
    pub fn snapshot(&self) -> Result<Arc<DevSnapshot>, DevError> {
        let describe = |problems| DevError::folder(&self.inner.folder, problems);
        let now = stamps(&self.inner.folder, &self.inner.filter).map_err(describe)?;
        if let Some(snapshot) = self.cached_for(&now) {
            return Ok(snapshot);
        }
        let _rebuilding = self
            .inner
            .rebuild
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Another request may have built this view while this one waited.
        if let Some(snapshot) = self.cached_for(&now) {
            return Ok(snapshot);
        }
        let files = walk(&self.inner.folder, &self.inner.filter).map_err(describe)?;
        let mut processed = process(files, &self.inner.options).map_err(describe)?;
        // The macro's manifest rules (URL-safe names, no hashed-name collisions), naming,
        // types and ETags, so dev mode refuses and serves exactly what a build would.
        let manifest = Manifest::from_processed(&processed).map_err(describe)?;
        processed.sort_by(|a, b| a.canonical.cmp(&b.canonical));
        let graph = module_imports(&processed);
        let mut files = Vec::with_capacity(processed.len());
        for (entry, file) in manifest.entries().iter().zip(processed) {
            let url = format!(
                "{}{}",
                self.inner.url_prefix,
                percent_encode_path(&entry.hashed)
            );
            let served = ServedFile::from_disk(entry, &url, Bytes::from(file.bytes))
                .ok_or_else(|| DevError::Unservable(entry.canonical.clone()))?;
            files.push(served);
        }
        let import_map = import_map_of(
            &files,
            (&self.inner.url_prefix, &self.inner.options.prefix),
            &self.inner.options.bare_names,
            graph,
        );
        let snapshot = DevSnapshot {
            files: Arc::new(FileSet::new(files)),
            import_map,
        };
        let snapshot = Arc::new(snapshot);
        *self.lock() = Some((now, Arc::clone(&snapshot)));
        Ok(snapshot)
    }

    fn cached_for(&self, stamps: &[FileStamp]) -> Option<Arc<DevSnapshot>> {
        match self.lock().as_ref() {
            Some((seen, snapshot)) if seen == stamps => Some(Arc::clone(snapshot)),
            _ => None,
        }
    }
}

/// The import map of dev mode's files: the same JSON a build of them generates.
fn import_map_of(
    files: &[ServedFile],
    prefixes: (&str, &str),
    bare_names: &[(String, String)],
    graph: Vec<ModuleImports>,
) -> ImportMap {
    let modules = files
        .iter()
        .filter(|file| is_module(file.canonical_path()))
        .filter_map(|file| {
            let url = file.location.to_str().ok()?;
            Some((file.canonical_path(), url, integrity(file.bytes()).into()))
        });
    ImportMap::of_modules(modules, prefixes, bare_names, graph)
}

// Here rather than in `serving/`: dev mode builds on the static service, which reaches
// the folder through `DiskFolder` without naming this module.
impl StaticService {
    /// Dev mode: serves the folder from disk through `dev` instead of the embedded bytes
    /// (see the guide's "Dev mode" chapter): canonical names, the current hashed names, and
    /// hashed names of the last build all answer the current bytes, with
    /// `Cache-Control: no-cache`.
    #[must_use]
    pub fn with_dev(self, dev: DevAssets) -> Self {
        self.with_disk_folder(Arc::new(dev))
    }
}

impl DiskFolder for DevAssets {
    fn files(&self) -> Result<Arc<FileSet>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Arc::clone(&self.snapshot()?.files))
    }
}
