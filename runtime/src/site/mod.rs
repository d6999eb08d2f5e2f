//! The one stack: [`Site`] owns the settings, the version store, the static files, dev
//! mode, stale-client detection and version routing, and gives back one layer.

mod decision;
pub(crate) mod layer;
mod stamp;

#[cfg(feature = "actix-web")]
pub(crate) use decision::Decision;
pub use layer::{SiteBody, SiteFuture, SiteLayer, SiteService};
#[cfg(feature = "actix-web")]
pub(crate) use stamp::Stamp;

use crate::dev::{DevAssets, DevError};
use crate::manifest::{Embedded, Manifest};
use crate::routing::{RouterError, VersionRouterLayer};
use crate::serving::StaticService;
use crate::settings::{Settings, SettingsError};
use crate::stale_client::StaleClientLayer;
use crate::templates::helpers::TemplateHelpers;
use crate::version::store::{AppVersion, VersionError};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// The whole version story of a site, built once at start-up.
///
/// ```
/// hyper_assets::hyper_assets!("static");
///
/// # fn main() -> Result<(), hyper_assets::SiteError> {
/// let site = hyper_assets::Site::builder(&assets::EMBEDDED).build()?;
/// // With axum: Router::new().route("/", get(page)).layer(site.layer())
/// let _layer = site.layer();
/// assert_eq!(site.version().current().version(), assets::VERSION);
/// # Ok(()) }
/// ```
///
/// Its [`layer`](Site::layer), outermost to innermost, in an order fixed here:
///
/// 1. version routing, when `VERSION_MAP` is set: 409/400 for unknown or malformed
///    versions, the backend and served-version headers and the sticky cookie;
/// 2. `GET /version` (unless `VERSION_ENDPOINT` is off) and `POST /cache/bust`;
/// 3. the stale-client script's own path;
/// 4. every request under the asset prefix, answered from memory (or from disk in dev
///    mode) before it reaches the app's handlers (and before its router too, with
///    [`Site::service`]);
/// 5. the app itself, whose full HTML pages get the stale-client script (unless
///    `APP_VERSION_MISMATCH=ignore`);
///
/// and `X-App-Version` on every answer (unless `APP_VERSION_HEADER` is off).
///
/// A compression layer of the app's goes outside it (added after it, with axum's
/// `.layer`), so pages are injected before they are compressed; assets already carry
/// their `Content-Encoding` and are left alone. A header layer such as a
/// `Content-Security-Policy` may sit anywhere.
///
/// Cloning is cheap; clones share the version store and the counters.
#[derive(Clone)]
pub struct Site {
    inner: Arc<Inner>,
}

struct Inner {
    version: AppVersion,
    files: StaticService,
    /// Dev mode's folder, which `files` serves from disk.
    dev: Option<DevAssets>,
    stale: StaleClientLayer,
    router: Option<VersionRouterLayer>,
}

impl fmt::Debug for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Site")
            .field("version", &self.inner.version)
            .field("manifest", self.inner.files.manifest())
            .field("dev", &self.inner.dev)
            .field("router", &self.inner.router)
            .finish_non_exhaustive()
    }
}

impl Site {
    /// A builder over what `hyper_assets!` embedded (`&assets::EMBEDDED`) or over an
    /// adopted manifest, with default settings.
    pub fn builder(assets: impl Into<Embedded>) -> SiteBuilder {
        SiteBuilder {
            assets: assets.into(),
            settings: Settings::default(),
            components: Vec::new(),
        }
    }

    /// A builder with the settings of the process environment (see [`Settings`]).
    ///
    /// # Errors
    /// A variable with a value it cannot take; the message names it and the valid
    /// values.
    pub fn from_env(assets: impl Into<Embedded>) -> Result<SiteBuilder, SiteError> {
        Ok(Self::builder(assets).settings(Settings::from_env()?))
    }

    /// The one layer: wrap the app's router with it (axum: `.layer(site.layer())`, added
    /// after the routes). Requests then pass the router's path matching before the layer
    /// sees them; [`Site::service`] puts the layer outside the router instead.
    pub fn layer(&self) -> SiteLayer {
        SiteLayer::new(self.clone())
    }

    /// The whole app inside the one layer, outside the app's router: asset requests are
    /// answered before the router sees them. Serve it with [`serve`](crate::serve) (or
    /// any server that takes a tower service of `http` requests).
    pub fn service<S>(&self, app: S) -> SiteService<S> {
        tower_layer::Layer::layer(&self.layer(), app)
    }

    /// Serves `app` inside the one layer ([`Site::service`]) on `listener`, with the
    /// header-read timeout and connection cap of the settings; see [`crate::server`].
    /// Logs (at `info`, through `tracing`) what it serves, where, and at which version.
    /// Stop it gracefully with [`Server::with_graceful_shutdown`](crate::server::Server)
    /// and [`Site::service`] instead.
    ///
    /// With `TLS_CERT` and `TLS_KEY` (feature `tls`) it serves HTTPS, HTTP/2 or HTTP/1.1
    /// by ALPN, reloads the certificate when its files change or on `SIGHUP`, sends
    /// `TLS_HSTS` if set, and with `TLS_REDIRECT_ADDR` also listens there in plain HTTP,
    /// redirecting to HTTPS (on `TLS_REDIRECT_PORT` if set); see [`crate::server`].
    ///
    /// # Errors
    /// With TLS, a certificate or key file that is missing, unreadable, not PEM, or a key
    /// that is not the certificate's: a `server::TlsError` naming the
    /// setting, inside the [`std::io::Error`]; a `TLS_REDIRECT_ADDR` that cannot be bound
    /// (an error of the same kind as the bind's, whose sentence names the setting).
    /// Otherwise only if the connection cap's bookkeeping fails, which it does not in
    /// practice: accept errors are logged and retried.
    #[cfg(feature = "server")]
    pub async fn serve<S, B>(
        &self,
        listener: tokio::net::TcpListener,
        app: S,
    ) -> std::io::Result<()>
    where
        S: tower_service::Service<
                http::Request<crate::server::RequestBody>,
                Response = http::Response<B>,
            > + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let current = self.version().current();
        let dev = self.dev().map_or(String::new(), |dev| {
            format!("; dev mode: from disk, {}", dev.folder().display())
        });
        let earlier = match (
            self.inner.files.earlier_len(),
            self.inner.files.release_folder(),
        ) {
            (0, None) => String::new(),
            (count, None) => format!("; {count} earlier releases' files"),
            (count, Some(dir)) => format!(
                "; {count} earlier releases' files, and the release folder {}",
                dir.display()
            ),
        };
        let serving = format!(
            "hyper-assets: serving {} assets on {}://{} (app version {}, {}{dev}{earlier})",
            self.manifest().len(),
            if self.settings().tls().is_some() {
                "https"
            } else {
                "http"
            },
            listener
                .local_addr()
                .map_or_else(|error| error.to_string(), |addr| addr.to_string()),
            current.version(),
            current.source().as_str(),
        );
        let server = crate::server::Server::from_settings(self.settings()).announce(serving);
        server.serve(listener, self.service(app)).await
    }

    /// The template globals (`static`, `static_url`, `integrity`, `app_version`), on dev
    /// mode's files when dev mode is on.
    pub fn template_helpers(&self) -> TemplateHelpers {
        let helpers = TemplateHelpers::new(self.inner.files.manifest(), &self.inner.version);
        match &self.inner.dev {
            Some(dev) => helpers.with_dev_refreshed_by_layer(dev.clone()),
            None => helpers,
        }
    }

    /// The version store (current version, counters, refresh).
    pub fn version(&self) -> &AppVersion {
        &self.inner.version
    }

    /// The settings the site was built with.
    pub fn settings(&self) -> &Settings {
        self.inner.version.settings()
    }

    /// The manifest served.
    pub fn manifest(&self) -> &'static Manifest {
        self.inner.files.manifest()
    }

    /// The version router, when `VERSION_MAP` is set (its `stats()` count the requests).
    pub fn router(&self) -> Option<&VersionRouterLayer> {
        self.inner.router.as_ref()
    }

    /// Dev mode's view of the folder, when dev mode is on.
    pub fn dev(&self) -> Option<&DevAssets> {
        self.inner.dev.as_ref()
    }
}

/// Builds a [`Site`]; see [`Site::builder`] and [`Site::from_env`].
#[derive(Debug)]
pub struct SiteBuilder {
    assets: Embedded,
    settings: Settings,
    components: Vec<(String, Vec<PathBuf>)>,
}

impl SiteBuilder {
    /// Replaces the settings.
    #[must_use]
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// A version component read from disk now and on every `POST /cache/bust`: the Rust
    /// form of `register_version_component("config", ["config/production.json"])`.
    /// (Components named in the macro, `components(...)`, are already included.)
    #[must_use]
    pub fn component(
        mut self,
        name: impl Into<String>,
        paths: impl IntoIterator<Item = impl Into<PathBuf>>,
    ) -> Self {
        self.components
            .push((name.into(), paths.into_iter().map(Into::into).collect()));
        self
    }

    /// Reads the components, checks the routing settings, and in dev mode reads the
    /// folder once, so a problem shows at start-up rather than on the first request.
    ///
    /// # Errors
    /// A [`SiteError`] naming the setting or file.
    pub fn build(self) -> Result<Site, SiteError> {
        let Self {
            assets,
            settings,
            components,
        } = self;
        let manifest = assets.manifest();
        let dev = if settings.dev_mode() {
            match assets.source() {
                Some(source) => Some(match settings.dev_dir() {
                    Some(folder) => DevAssets::with_folder(source, folder),
                    None => DevAssets::new(source),
                }),
                // Defaulted on by a debug build: an adopted set has no folder to read.
                None if !settings.dev_mode_is_set() => None,
                None => return Err(SiteError::DevModeWithoutFolder),
            }
        } else {
            None
        };
        if let Some(dev) = &dev {
            dev.snapshot().map_err(SiteError::DevFolder)?;
        }
        let router = VersionRouterLayer::from_settings(settings.routing())?;
        let mut version = AppVersion::builder()
            .settings(settings)
            .manifest(manifest)
            .embedded_components(assets.components());
        for (name, paths) in components {
            version = version.component(name, paths);
        }
        let version = version.build()?;
        let mut files = StaticService::new(manifest);
        if let Some(dir) = version.settings().releases_dir() {
            if !dir.is_dir() {
                return Err(SiteError::ReleasesDir(dir.to_path_buf()));
            }
            // Dev mode answers every name of a file with its current bytes: no release
            // but the folder's own is served there.
            if dev.is_none() {
                files = files.with_release_folder(dir);
            }
        }
        if dev.is_none() {
            files = files.with_earlier(assets.earlier());
        }
        if let Some(dev) = &dev {
            files = files.with_dev(dev.clone());
            let on_bust = dev.clone();
            version.on_refresh(move || on_bust.clear());
        }
        crate::version::endpoints::warn_without_secret(&version);
        Ok(Site {
            inner: Arc::new(Inner {
                stale: StaleClientLayer::new(&version),
                version,
                files,
                dev,
                router,
            }),
        })
    }
}

/// Why a [`Site`] could not be built. `Debug` shows the same sentence as `Display`, so a
/// `main` returning it with `?` prints it readably.
#[non_exhaustive]
pub enum SiteError {
    /// A setting has a value it cannot take.
    Settings(SettingsError),
    /// The version store could not be built (a component file, a component name).
    Version(VersionError),
    /// `VERSION_MAP`, `DEFAULT_VERSION` and `CANARY` do not agree.
    Routing(RouterError),
    /// `STATIC_DEV_MODE` is on, but the assets were not embedded by `hyper_assets!`, so
    /// there is no folder to serve from disk.
    DevModeWithoutFolder,
    /// Dev mode cannot serve the folder (what a build would refuse).
    DevFolder(DevError),
    /// `STATIC_RELEASES_DIR` names no folder.
    ReleasesDir(std::path::PathBuf),
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Settings(error) => error.fmt(f),
            Self::Version(error) => error.fmt(f),
            Self::Routing(error) => error.fmt(f),
            Self::DevModeWithoutFolder => f.write_str(
                "STATIC_DEV_MODE is on, but these assets were not embedded by hyper_assets! \
                 (an adopted set has no folder to read): set STATIC_DEV_MODE=false",
            ),
            Self::DevFolder(error) => {
                write!(
                    f,
                    "dev mode (STATIC_DEV_MODE) cannot serve the folder: {error}"
                )
            }
            Self::ReleasesDir(dir) => write!(
                f,
                "STATIC_RELEASES_DIR={:?} is not a folder: expected the release folder that \
                 `collect` writes (create it first), or unset",
                dir.display().to_string()
            ),
        }
    }
}

impl fmt::Debug for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for SiteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Settings(error) => Some(error),
            Self::Version(error) => Some(error),
            Self::Routing(error) => Some(error),
            Self::DevModeWithoutFolder => None,
            Self::DevFolder(error) => Some(error),
            Self::ReleasesDir(_) => None,
        }
    }
}

impl From<SettingsError> for SiteError {
    fn from(error: SettingsError) -> Self {
        Self::Settings(error)
    }
}

impl From<VersionError> for SiteError {
    fn from(error: VersionError) -> Self {
        Self::Version(error)
    }
}

impl From<RouterError> for SiteError {
    fn from(error: RouterError) -> Self {
        Self::Routing(error)
    }
}
