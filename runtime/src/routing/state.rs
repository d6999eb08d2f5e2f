//! [`VersionRouterLayer`] and the state its clones share: the checked map, default,
//! canary and names, and the counters. The bottom of the routing room: `builder` makes it,
//! `decision`, `cookie` and `stats` add to it, and `router` wraps services with it.

use http::header::{HeaderName, HeaderValue};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// The response header naming the backend that should serve the request.
pub const X_BACKEND_TARGET: HeaderName = HeaderName::from_static("x-backend-target");
/// The response header naming the version the request was routed to.
pub const X_APP_SERVED_VERSION: HeaderName = HeaderName::from_static("x-app-served-version");
/// The default request header naming the version a client wants.
pub const X_APP_REQUESTED_VERSION: &str = "x-app-requested-version";
/// The default cookie naming the version a client sticks to.
pub const APP_VERSION_COOKIE: &str = "app_version";

/// The layer of version routing (the seed's `VersionRouterMiddleware`).
///
/// The requested version comes from the `X-App-Requested-Version` header, then the
/// `app_version` cookie, then the canary split and the default. A known version: the
/// response carries `x-backend-target` and `x-app-served-version`, and a sticky
/// `Set-Cookie` when the client's cookie differs. An unknown version: 409 with the
/// available versions as JSON. A malformed header (over 256 bytes, control characters,
/// conflicting values): 400; an empty one is absent. A cookie that is malformed,
/// duplicated with different values or names a version not in the map is treated as
/// absent: the client is placed again and gets a fresh cookie.
///
/// ```
/// use hyper_assets::routing::VersionRouterLayer;
///
/// let router = VersionRouterLayer::builder()
///     .version("v1.0", "backend-blue")
///     .version("v1.1", "backend-green")
///     .default_version("v1.0")
///     .canary("v1.1", 10)
///     .build()
///     .unwrap();
/// assert_eq!(router.default_version(), "v1.0");
/// ```
#[derive(Clone)]
pub struct VersionRouterLayer {
    pub(super) state: Arc<RouterState>,
}

impl fmt::Debug for VersionRouterLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VersionRouterLayer")
            .field("versions", &self.state.versions)
            .field("default_version", &self.state.default_version)
            .field("canary", &self.state.canary)
            .finish_non_exhaustive()
    }
}

impl VersionRouterLayer {
    /// The mapped versions and their backends, sorted.
    pub fn versions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.state
            .versions
            .iter()
            .map(|(version, backend)| (version.as_str(), backend.to_str().unwrap_or_default()))
    }

    /// The default version.
    pub fn default_version(&self) -> &str {
        &self.state.default_version
    }

    /// The canary, if any.
    pub fn canary(&self) -> Option<&Canary> {
        self.state.canary.as_ref()
    }

    /// The request header naming a version.
    pub fn header_name(&self) -> &HeaderName {
        &self.state.header_name
    }

    /// The cookie naming a version.
    pub fn cookie_name(&self) -> &str {
        &self.state.cookie_name
    }
}

/// Longest requested version accepted; longer values are refused with 400.
pub(super) const MAX_VERSION_LEN: usize = 256;

/// A canary: `percent` of the clients that name no version get `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canary {
    pub(super) version: String,
    pub(super) percent: u8,
}

impl Canary {
    /// The canary version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Its share of version-less clients, 0 to 100.
    pub fn percent(&self) -> u8 {
        self.percent
    }
}

/// The checked configuration and the counters, shared by every clone of the layer.
pub(super) struct RouterState {
    pub(super) versions: BTreeMap<String, HeaderValue>,
    pub(super) default_version: String,
    pub(super) canary: Option<Canary>,
    pub(super) header_name: HeaderName,
    pub(super) cookie_name: String,
    pub(super) canary_key_header: Option<HeaderName>,
    pub(super) http_only: bool,
    pub(super) sequence: AtomicU64,
    pub(super) per_version: BTreeMap<String, AtomicU64>,
    pub(super) matched: AtomicU64,
    pub(super) defaulted: AtomicU64,
    pub(super) canaried: AtomicU64,
    pub(super) rejected: AtomicU64,
}
