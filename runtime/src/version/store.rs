//! [`AppVersion`]: the single store every freshness question is answered from.

use crate::manifest::{EmbeddedComponent, Manifest};
use crate::settings::Settings;
use crate::version::component::{ComponentError, ComponentState, DiskComponent};
use arc_swap::ArcSwap;
use http::HeaderValue;
use hyper_assets_pipeline::listing_hash;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Where the current version comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSource {
    /// The `APP_VERSION` setting.
    Explicit,
    /// The static manifest hash alone (no components registered).
    Manifest,
    /// Derived from the manifest hash and the component group hashes together.
    Computed,
    /// Nothing to derive it from.
    Unknown,
}

impl VersionSource {
    /// `explicit`, `manifest`, `computed` or `unknown`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Explicit => "explicit",
            Self::Manifest => "manifest",
            Self::Computed => "computed",
            Self::Unknown => "unknown",
        }
    }
}

/// The version snapshot a request is answered with, put in its extensions by the
/// outermost version layer so the inner ones (endpoints, stale client) use the same one.
#[derive(Debug, Clone)]
pub(crate) struct RequestVersion {
    /// Which store took it (`AppVersion::store_id`): a layer of another store ignores it.
    pub(crate) store: usize,
    pub(crate) state: Arc<VersionState>,
}

/// Marks the response of a bust: its `X-App-Version` is the version after the bust, not
/// the request's snapshot.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Busted;

/// One consistent state of the version: read it whole, it never mixes two versions.
#[derive(Debug, Clone)]
pub struct VersionState {
    version: String,
    header: HeaderValue,
    source: VersionSource,
    static_hash: Option<&'static str>,
    static_files: usize,
    components: Vec<ComponentState>,
}

impl VersionState {
    /// The app version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The version as an `X-App-Version` header value.
    pub fn header_value(&self) -> &HeaderValue {
        &self.header
    }

    /// Where it comes from.
    pub fn source(&self) -> VersionSource {
        self.source
    }

    /// The static manifest hash, if a manifest is registered.
    pub fn static_hash(&self) -> Option<&'static str> {
        self.static_hash
    }

    /// How many static files.
    pub fn static_files(&self) -> usize {
        self.static_files
    }

    /// The component groups, sorted by name.
    pub fn components(&self) -> &[ComponentState] {
        &self.components
    }

    /// The `GET /version` document.
    pub fn to_json(&self, commit: Option<&str>) -> serde_json::Value {
        let components: serde_json::Map<String, serde_json::Value> = self
            .components
            .iter()
            .map(|group| {
                (
                    group.name().to_owned(),
                    serde_json::json!({
                        "files": group.files().len(),
                        "hash": group.hash(),
                        "embedded": group.is_embedded(),
                    }),
                )
            })
            .collect();
        let mut document = serde_json::json!({
            "version": self.version,
            "source": self.source.as_str(),
            "static": { "hash": self.static_hash, "files": self.static_files },
            "components": components,
        });
        if let (Some(commit), Some(object)) = (commit, document.as_object_mut()) {
            object.insert("commit".to_owned(), commit.into());
        }
        document
    }
}

/// The app's version store: resolves the version from the settings, the static manifest
/// and the registered components; answers every read lock-free; changes atomically.
///
/// Resolution: the explicit `APP_VERSION` → the hash of the manifest hash and every
/// component group hash together → the manifest hash alone when no component is
/// registered → `"unknown"`.
///
/// Cloning is cheap; clones share the store.
///
/// ```
/// use hyper_assets::{version::AppVersion, Settings, version::VersionSource};
///
/// let version = AppVersion::builder()
///     .settings(Settings::builder().app_version("v2.0.1").build().unwrap())
///     .build()
///     .unwrap();
/// assert_eq!(version.current().version(), "v2.0.1");
/// assert_eq!(version.current().source(), VersionSource::Explicit);
/// ```
#[derive(Clone)]
pub struct AppVersion {
    inner: Arc<Inner>,
}

struct Inner {
    current: ArcSwap<VersionState>,
    settings: Settings,
    manifest: Option<&'static Manifest>,
    embedded: Vec<ComponentState>,
    disk: Vec<DiskComponent>,
    /// One refresh at a time, so two busts cannot interleave their reads.
    refreshing: Mutex<()>,
    /// htmx requests that said which version their page runs: current, and stale.
    clients_current: AtomicU64,
    clients_stale: AtomicU64,
    /// Called at the start of every refresh (dev-mode caches clear themselves here).
    refresh_hooks: Mutex<Vec<RefreshHook>>,
}

type RefreshHook = Arc<dyn Fn() + Send + Sync>;

impl fmt::Debug for AppVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.current();
        f.debug_struct("AppVersion")
            .field("version", &current.version())
            .field("source", &current.source())
            .field("components", &current.components().len())
            .finish_non_exhaustive()
    }
}

impl AppVersion {
    /// A builder with default settings and nothing registered.
    pub fn builder() -> AppVersionBuilder {
        AppVersionBuilder::default()
    }

    /// The version of `manifest` alone, with default settings.
    pub fn from_manifest(manifest: &'static Manifest) -> Self {
        let state = derive(&Settings::default(), Some(manifest), Vec::new());
        Self::with_state(
            state,
            Settings::default(),
            Some(manifest),
            Vec::new(),
            Vec::new(),
        )
    }

    fn with_state(
        state: VersionState,
        settings: Settings,
        manifest: Option<&'static Manifest>,
        embedded: Vec<ComponentState>,
        disk: Vec<DiskComponent>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                current: ArcSwap::from_pointee(state),
                settings,
                manifest,
                embedded,
                disk,
                refreshing: Mutex::new(()),
                clients_current: AtomicU64::new(0),
                clients_stale: AtomicU64::new(0),
                refresh_hooks: Mutex::new(Vec::new()),
            }),
        }
    }

    /// An identity of this store (clones share it), for a snapshot another layer took.
    pub(crate) fn store_id(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }

    /// The snapshot `request` is answered with: the one this store's outermost layer put
    /// in its extensions, else the current one.
    pub(crate) fn for_request<B>(&self, request: &http::Request<B>) -> Arc<VersionState> {
        match request.extensions().get::<RequestVersion>() {
            Some(snapshot) if snapshot.store == self.store_id() => Arc::clone(&snapshot.state),
            _ => self.current(),
        }
    }

    /// The current state, whole.
    pub fn current(&self) -> Arc<VersionState> {
        self.inner.current.load_full()
    }

    /// The current `X-App-Version` value (lock-free; the hot path of every response).
    pub fn header_value(&self) -> HeaderValue {
        self.inner.current.load().header.clone()
    }

    /// The settings it was built with.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// Re-reads the components read from disk and recomputes the version; readers see
    /// the old state or the new one, never a mix. Returns `(previous, current)`.
    ///
    /// # Errors
    /// A component file that cannot be read; the version is left as it was.
    pub fn refresh(&self) -> Result<(Arc<VersionState>, Arc<VersionState>), ComponentError> {
        let _one_at_a_time = self
            .inner
            .refreshing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Copied out, so a hook may register another without a deadlock.
        let hooks: Vec<RefreshHook> = self
            .inner
            .refresh_hooks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        for hook in hooks {
            hook();
        }
        let mut groups = self.inner.embedded.clone();
        for component in &self.inner.disk {
            groups.push(component.read()?);
        }
        let next = Arc::new(derive(&self.inner.settings, self.inner.manifest, groups));
        let previous = self.inner.current.swap(Arc::clone(&next));
        Ok((previous, next))
    }

    /// Runs `hook` at the start of every [`AppVersion::refresh`] (every
    /// `POST /cache/bust`): where caches such as dev mode's clear themselves.
    pub fn on_refresh(&self, hook: impl Fn() + Send + Sync + 'static) {
        self.inner
            .refresh_hooks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Arc::new(hook));
    }

    /// Counts an htmx request whose page runs `page_version` (the `X-App-Page-Version`
    /// header the stale-client script sends) as current or stale.
    pub fn record_page_version(&self, page_version: &[u8]) {
        let current = self.inner.current.load().version.as_bytes() == page_version;
        let counter = if current {
            &self.inner.clients_current
        } else {
            &self.inner.clients_stale
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// `(current, stale)`: how many htmx requests came from pages of the current version
    /// and from pages of another one, since start-up. Shown on `/version` as `clients`.
    pub fn client_counts(&self) -> (u64, u64) {
        (
            self.inner.clients_current.load(Ordering::Relaxed),
            self.inner.clients_stale.load(Ordering::Relaxed),
        )
    }
}

fn derive(
    settings: &Settings,
    manifest: Option<&'static Manifest>,
    mut components: Vec<ComponentState>,
) -> VersionState {
    components.sort_by(|a, b| a.name().cmp(b.name()));
    let static_hash = manifest.map(Manifest::version);
    let (version, source) = if let Some(explicit) = settings.app_version() {
        (explicit.to_owned(), VersionSource::Explicit)
    } else if !components.is_empty() {
        let mut entries: Vec<(&str, &str)> = components
            .iter()
            .map(|group| (group.name(), group.hash()))
            .collect();
        if let Some(hash) = static_hash {
            entries.push((STATIC_GROUP, hash));
        }
        (listing_hash(entries), VersionSource::Computed)
    } else if let Some(hash) = static_hash {
        (hash.to_owned(), VersionSource::Manifest)
    } else {
        ("unknown".to_owned(), VersionSource::Unknown)
    };
    // Settings allow only visible ASCII and hashes are hex: always a valid header.
    let header = HeaderValue::from_str(&version).unwrap_or(HeaderValue::from_static("unknown"));
    VersionState {
        version,
        header,
        source,
        static_hash,
        static_files: manifest.map_or(0, Manifest::len),
        components,
    }
}

/// The name the static manifest takes among the groups of a computed version; no
/// component may take it.
pub const STATIC_GROUP: &str = "static";

/// Builds an [`AppVersion`].
#[derive(Debug, Default)]
pub struct AppVersionBuilder {
    settings: Settings,
    manifest: Option<&'static Manifest>,
    embedded: Vec<&'static EmbeddedComponent>,
    disk: Vec<DiskComponent>,
}

impl AppVersionBuilder {
    /// The settings (explicit version, header, endpoints, secret key).
    #[must_use]
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// The static manifest (`assets::MANIFEST`).
    #[must_use]
    pub fn manifest(mut self, manifest: &'static Manifest) -> Self {
        self.manifest = Some(manifest);
        self
    }

    /// Component groups embedded at build time (`assets::COMPONENTS`).
    #[must_use]
    pub fn embedded_components(mut self, components: &'static [EmbeddedComponent]) -> Self {
        self.embedded.extend(components);
        self
    }

    /// A component group read from disk now and on every bust: the Rust form of
    /// `register_version_component("config", ["config/production.json"])`.
    #[must_use]
    pub fn component(
        mut self,
        name: impl Into<String>,
        paths: impl IntoIterator<Item = impl Into<std::path::PathBuf>>,
    ) -> Self {
        self.disk.push(DiskComponent::new(name, paths));
        self
    }

    /// Reads the disk components and resolves the version.
    ///
    /// # Errors
    /// A component file that cannot be read, a group name used twice, or a group named
    /// `static`.
    pub fn build(self) -> Result<AppVersion, VersionError> {
        let embedded: Vec<ComponentState> = self
            .embedded
            .iter()
            .map(|component| ComponentState::from_embedded(component))
            .collect();
        let mut names: Vec<&str> = embedded.iter().map(ComponentState::name).collect();
        names.extend(self.disk.iter().map(DiskComponent::name));
        names.sort_unstable();
        if let Some(name) = names
            .iter()
            .find(|name| **name == STATIC_GROUP || name.is_empty())
        {
            return Err(VersionError::ReservedName((*name).to_owned()));
        }
        if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(VersionError::DuplicateName(pair[0].to_owned()));
        }
        let mut groups = embedded.clone();
        for component in &self.disk {
            groups.push(component.read().map_err(VersionError::Component)?);
        }
        let state = derive(&self.settings, self.manifest, groups);
        Ok(AppVersion::with_state(
            state,
            self.settings,
            self.manifest,
            embedded,
            self.disk,
        ))
    }
}

/// Why an [`AppVersion`] could not be built.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VersionError {
    /// A registered component file cannot be read.
    Component(ComponentError),
    /// Two component groups share a name.
    DuplicateName(String),
    /// A component group is named `static` (the manifest's place) or has no name.
    ReservedName(String),
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Component(error) => error.fmt(f),
            Self::DuplicateName(name) => {
                write!(f, "version component `{name}` is registered twice")
            }
            Self::ReservedName(name) => write!(
                f,
                "version component name `{name}` is not allowed (empty, or `{STATIC_GROUP}`, which names the static manifest)"
            ),
        }
    }
}

/// The [`Display`](std::fmt::Display) sentence, so that `?` in `main` prints it readably.
impl std::fmt::Debug for VersionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for VersionError {}

#[cfg(test)]
mod tests {
    use super::*;

    static FILES: [(&str, &str); 1] = [("templates/base.html", "00ff")];
    static TEMPLATES: EmbeddedComponent = EmbeddedComponent::__new("templates", &FILES);

    #[test]
    fn unknown_without_anything() {
        let version = AppVersion::builder().build().unwrap();
        assert_eq!(version.current().version(), "unknown");
        assert_eq!(version.current().source(), VersionSource::Unknown);
    }

    #[test]
    fn computed_from_components() {
        let version = AppVersion::builder()
            .embedded_components(std::slice::from_ref(&TEMPLATES))
            .build()
            .unwrap();
        let state = version.current();
        assert_eq!(state.source(), VersionSource::Computed);
        let group = listing_hash([("templates/base.html", "00ff")]);
        assert_eq!(
            state.version(),
            listing_hash([("templates", group.as_str())])
        );
    }

    #[test]
    fn explicit_wins() {
        let version = AppVersion::builder()
            .settings(Settings::builder().app_version("v9").build().unwrap())
            .embedded_components(std::slice::from_ref(&TEMPLATES))
            .build()
            .unwrap();
        assert_eq!(version.current().version(), "v9");
        assert_eq!(version.current().components().len(), 1);
    }

    #[test]
    fn names_are_checked() {
        let error = AppVersion::builder()
            .component("static", ["x"])
            .build()
            .unwrap_err();
        assert_eq!(error, VersionError::ReservedName("static".to_owned()));
        let error = AppVersion::builder()
            .embedded_components(std::slice::from_ref(&TEMPLATES))
            .component("templates", Vec::<String>::new())
            .build()
            .unwrap_err();
        assert_eq!(error, VersionError::DuplicateName("templates".to_owned()));
    }

    #[test]
    fn missing_disk_component_is_an_error() {
        let error = AppVersion::builder()
            .component("config", ["/nonexistent/hyper-assets.json"])
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("/nonexistent/hyper-assets.json"));
    }
}
