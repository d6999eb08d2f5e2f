//! Version routing for blue/green and canary deploys: the app decides which version a
//! client gets; the proxy in front (nginx, Envoy) carries it out.

use crate::settings::RoutingSettings;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, SET_COOKIE};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{Either, Full};
use pin_project_lite::pin_project;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// The response header naming the backend that should serve the request.
pub const X_BACKEND_TARGET: HeaderName = HeaderName::from_static("x-backend-target");
/// The response header naming the version the request was routed to.
pub const X_APP_SERVED_VERSION: HeaderName = HeaderName::from_static("x-app-served-version");
/// The default request header naming the version a client wants.
pub const X_APP_REQUESTED_VERSION: &str = "x-app-requested-version";
/// The default cookie naming the version a client sticks to.
pub const APP_VERSION_COOKIE: &str = "app_version";

/// Longest requested version accepted; longer values are refused with 400.
const MAX_VERSION_LEN: usize = 256;

/// Why a version router could not be built. `Debug` shows the `Display` sentence.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouterError {
    /// No version is mapped.
    EmptyMap,
    /// A version cannot travel in a header, cookie or nginx config.
    InvalidVersion(String),
    /// A backend name is not a valid header value.
    InvalidBackend {
        /// The version it serves.
        version: String,
        /// The backend name.
        backend: String,
    },
    /// No default version was set.
    NoDefault,
    /// The default version is not in the map.
    DefaultNotMapped {
        /// The default version.
        version: String,
        /// The mapped versions.
        available: Vec<String>,
    },
    /// The canary version is not in the map.
    CanaryNotMapped {
        /// The canary version.
        version: String,
        /// The mapped versions.
        available: Vec<String>,
    },
    /// A canary weight over 100%.
    CanaryOverHundred(u8),
    /// A header name (requested version, canary key) is not a valid header name.
    InvalidHeaderName(String),
    /// The cookie name is not a cookie token.
    InvalidCookieName(String),
    /// `VERSION_MAP` is set without `DEFAULT_VERSION`.
    DefaultVersionNotSet,
    /// The settings `VERSION_MAP`, `DEFAULT_VERSION` and `CANARY` do not agree.
    Settings(Box<RouterError>),
}

impl fmt::Display for RouterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyMap => {
                f.write_str("the version map is empty: map at least one version to a backend")
            }
            Self::InvalidVersion(version) => write!(
                f,
                "version {version:?} must be 1 to 256 visible ASCII characters without quotes, \
                 commas, semicolons, backslashes, braces or `$`"
            ),
            Self::InvalidBackend { version, backend } => write!(
                f,
                "backend name {backend:?} (for version {version:?}) is not a valid header value"
            ),
            Self::NoDefault => f.write_str("no default version: set one of the mapped versions"),
            Self::DefaultNotMapped { version, available } => write!(
                f,
                "default version {version:?} is not in the version map ({})",
                available.join(", ")
            ),
            Self::CanaryNotMapped { version, available } => write!(
                f,
                "canary version {version:?} is not in the version map ({})",
                available.join(", ")
            ),
            Self::CanaryOverHundred(percent) => {
                write!(f, "canary weight {percent}% is over 100%")
            }
            Self::InvalidHeaderName(name) => write!(f, "{name:?} is not a valid header name"),
            Self::InvalidCookieName(name) => {
                write!(f, "cookie name {name:?} is not a cookie token")
            }
            Self::DefaultVersionNotSet => {
                f.write_str("DEFAULT_VERSION is not set: name one of the versions of VERSION_MAP")
            }
            Self::Settings(error) => write!(f, "VERSION_MAP/DEFAULT_VERSION/CANARY: {error}"),
        }
    }
}

impl fmt::Debug for RouterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for RouterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Settings(error) => Some(error.as_ref()),
            _ => None,
        }
    }
}

/// A canary: `percent` of the clients that name no version get `version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canary {
    version: String,
    percent: u8,
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

/// Builds a [`VersionRouterLayer`].
#[derive(Debug, Clone)]
pub struct VersionRouterBuilder {
    versions: BTreeMap<String, String>,
    default_version: Option<String>,
    canary: Option<(String, u8)>,
    header_name: String,
    cookie_name: String,
    canary_key_header: Option<String>,
    http_only: bool,
}

impl Default for VersionRouterBuilder {
    fn default() -> Self {
        Self {
            versions: BTreeMap::new(),
            default_version: None,
            canary: None,
            header_name: X_APP_REQUESTED_VERSION.to_owned(),
            cookie_name: APP_VERSION_COOKIE.to_owned(),
            canary_key_header: None,
            http_only: true,
        }
    }
}

impl VersionRouterBuilder {
    /// Maps `version` to the backend named `backend`.
    #[must_use]
    pub fn version(mut self, version: impl Into<String>, backend: impl Into<String>) -> Self {
        self.versions.insert(version.into(), backend.into());
        self
    }

    /// The version of clients that name none (must be in the map).
    #[must_use]
    pub fn default_version(mut self, version: impl Into<String>) -> Self {
        self.default_version = Some(version.into());
        self
    }

    /// Sends `percent` of the clients that name no version to `version` (in the map).
    #[must_use]
    pub fn canary(mut self, version: impl Into<String>, percent: u8) -> Self {
        self.canary = Some((version.into(), percent));
        self
    }

    /// The request header naming a version (default `X-App-Requested-Version`).
    #[must_use]
    pub fn header_name(mut self, name: impl Into<String>) -> Self {
        self.header_name = name.into();
        self
    }

    /// The cookie naming a version (default `app_version`).
    #[must_use]
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// A request header whose value places a client in the canary split (hashed), so the
    /// assignment is reproducible; without it, clients are placed by a deterministic
    /// sequence that gives exactly the weight per 100 clients.
    #[must_use]
    pub fn canary_key_header(mut self, name: impl Into<String>) -> Self {
        self.canary_key_header = Some(name.into());
        self
    }

    /// Whether the sticky cookie is `HttpOnly` (default true; turn it off when page
    /// scripts read it).
    #[must_use]
    pub fn http_only(mut self, http_only: bool) -> Self {
        self.http_only = http_only;
        self
    }

    /// Checks the configuration.
    ///
    /// # Errors
    /// An empty map, a default or canary version not in the map, a canary over 100%, a
    /// version that cannot be a cookie value, a backend or header name that is not a
    /// valid header value or name.
    pub fn build(self) -> Result<VersionRouterLayer, RouterError> {
        if self.versions.is_empty() {
            return Err(RouterError::EmptyMap);
        }
        let mut versions = BTreeMap::new();
        for (version, backend) in &self.versions {
            check_version_name(version)?;
            let value = HeaderValue::from_str(backend)
                .ok()
                .filter(|_| !backend.is_empty())
                .ok_or_else(|| RouterError::InvalidBackend {
                    version: version.clone(),
                    backend: backend.clone(),
                })?;
            versions.insert(version.clone(), value);
        }
        let available = || self.versions.keys().cloned().collect::<Vec<_>>();
        let default_version = self.default_version.ok_or(RouterError::NoDefault)?;
        if !versions.contains_key(&default_version) {
            return Err(RouterError::DefaultNotMapped {
                version: default_version,
                available: available(),
            });
        }
        let canary = match self.canary {
            Some((version, percent)) => {
                if !versions.contains_key(&version) {
                    return Err(RouterError::CanaryNotMapped {
                        version,
                        available: available(),
                    });
                }
                if percent > 100 {
                    return Err(RouterError::CanaryOverHundred(percent));
                }
                Some(Canary { version, percent })
            }
            None => None,
        };
        let header_name = header_name_of(&self.header_name)?;
        let canary_key_header = self
            .canary_key_header
            .as_deref()
            .map(header_name_of)
            .transpose()?;
        if self.cookie_name.is_empty()
            || !self
                .cookie_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(RouterError::InvalidCookieName(self.cookie_name));
        }
        let counters = versions
            .keys()
            .map(|v| (v.clone(), AtomicU64::new(0)))
            .collect();
        Ok(VersionRouterLayer {
            state: Arc::new(RouterState {
                versions,
                default_version,
                canary,
                header_name,
                cookie_name: self.cookie_name,
                canary_key_header,
                http_only: self.http_only,
                sequence: AtomicU64::new(0),
                per_version: counters,
                matched: AtomicU64::new(0),
                defaulted: AtomicU64::new(0),
                canaried: AtomicU64::new(0),
                rejected: AtomicU64::new(0),
            }),
        })
    }
}

fn header_name_of(name: &str) -> Result<HeaderName, RouterError> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| RouterError::InvalidHeaderName(name.to_owned()))
}

/// Versions travel in headers, cookies and nginx configs: visible ASCII without the
/// characters those cannot hold.
fn is_version_name(version: &str) -> bool {
    !version.is_empty()
        && version.len() <= MAX_VERSION_LEN
        && version.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(b, b'"' | b',' | b';' | b'\\' | b'\'' | b'{' | b'}' | b'$')
        })
}

fn check_version_name(version: &str) -> Result<(), RouterError> {
    if is_version_name(version) {
        Ok(())
    } else {
        Err(RouterError::InvalidVersion(version.to_owned()))
    }
}

struct RouterState {
    versions: BTreeMap<String, HeaderValue>,
    default_version: String,
    canary: Option<Canary>,
    header_name: HeaderName,
    cookie_name: String,
    canary_key_header: Option<HeaderName>,
    http_only: bool,
    sequence: AtomicU64,
    per_version: BTreeMap<String, AtomicU64>,
    matched: AtomicU64,
    defaulted: AtomicU64,
    canaried: AtomicU64,
    rejected: AtomicU64,
}

/// The layer of version routing (the seed's `VersionRouterMiddleware`).
///
/// The requested version comes from the `X-App-Requested-Version` header, then the
/// `app_version` cookie, then the canary split and the default. A known version: the
/// response carries `x-backend-target` and `x-app-served-version`, and a sticky
/// `Set-Cookie` when the client's cookie differs. An unknown version: 409 with the
/// available versions as JSON. A malformed one (over 256 bytes, control characters,
/// conflicting values): 400.
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
    state: Arc<RouterState>,
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
    /// A builder.
    pub fn builder() -> VersionRouterBuilder {
        VersionRouterBuilder::default()
    }

    /// The router of the settings `VERSION_MAP`, `DEFAULT_VERSION` and `CANARY`
    /// ([`Settings::routing`](crate::Settings::routing)); `None` when no version map is
    /// set. Errors name those settings.
    ///
    /// # Errors
    /// A map without `DEFAULT_VERSION`, or a configuration [`VersionRouterBuilder::build`]
    /// refuses.
    pub fn from_settings(settings: &RoutingSettings) -> Result<Option<Self>, RouterError> {
        if !settings.is_enabled() {
            return Ok(None);
        }
        let mut builder = Self::builder();
        for (version, backend) in settings.versions() {
            builder = builder.version(version.as_str(), backend.as_str());
        }
        let Some(default_version) = settings.default_version() else {
            return Err(RouterError::DefaultVersionNotSet);
        };
        builder = builder.default_version(default_version);
        if let Some((version, percent)) = settings.canary() {
            builder = builder.canary(version, percent);
        }
        builder
            .build()
            .map(Some)
            .map_err(|error| RouterError::Settings(Box::new(error)))
    }

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

    /// The counters since start-up.
    pub fn stats(&self) -> RouterStats {
        let state = &self.state;
        RouterStats {
            per_version: state
                .per_version
                .iter()
                .map(|(version, count)| (version.clone(), count.load(Ordering::Relaxed)))
                .collect(),
            matched: state.matched.load(Ordering::Relaxed),
            defaulted: state.defaulted.load(Ordering::Relaxed),
            canary: state.canaried.load(Ordering::Relaxed),
            rejected: state.rejected.load(Ordering::Relaxed),
        }
    }

    /// Decides where a request with these headers goes (and counts it).
    pub fn route(&self, headers: &HeaderMap) -> Routing {
        let state = &self.state;
        let decision = self.decide(headers);
        match &decision {
            Routing::Serve {
                version, source, ..
            } => {
                if let Some(count) = state.per_version.get(version) {
                    count.fetch_add(1, Ordering::Relaxed);
                }
                let counter = match source {
                    RequestedFrom::Header | RequestedFrom::Cookie => &state.matched,
                    RequestedFrom::Default => &state.defaulted,
                    RequestedFrom::Canary => &state.canaried,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
            Routing::Unknown { .. } | Routing::Malformed { .. } => {
                state.rejected.fetch_add(1, Ordering::Relaxed);
            }
        }
        decision
    }

    fn decide(&self, headers: &HeaderMap) -> Routing {
        let state = &self.state;
        let from_header = match single_value(
            headers
                .get_all(&state.header_name)
                .iter()
                .map(HeaderValue::as_bytes),
        ) {
            Ok(value) => value,
            Err(reason) => {
                return Routing::Malformed {
                    reason: format!("{}: {reason}", state.header_name),
                }
            }
        };
        let cookie = match single_value(cookie_values(headers, &state.cookie_name)) {
            Ok(value) => value,
            Err(reason) => {
                return Routing::Malformed {
                    reason: format!("cookie {}: {reason}", state.cookie_name),
                }
            }
        };
        // A cookie naming a version that is gone (retired after a deploy) or nothing is
        // not a request: the client is placed again and gets a fresh cookie.
        let cookie_version = cookie
            .clone()
            .filter(|value| state.versions.contains_key(value));
        let (requested, source) = match (from_header, cookie_version) {
            (Some(value), _) => (value, RequestedFrom::Header),
            (None, Some(value)) => (value, RequestedFrom::Cookie),
            (None, None) => (self.assign(headers), RequestedFrom::Default),
        };
        let source = match source {
            RequestedFrom::Default
                if state.canary.as_ref().is_some_and(|c| {
                    c.version == requested && requested != state.default_version
                }) =>
            {
                RequestedFrom::Canary
            }
            other => other,
        };
        match state.versions.get(&requested) {
            Some(backend) => Routing::Serve {
                set_cookie: cookie.as_deref() != Some(requested.as_str()),
                version: requested,
                backend: backend.clone(),
                source,
            },
            None => Routing::Unknown { requested },
        }
    }

    /// The version of a client that names none: the canary split, else the default.
    fn assign(&self, headers: &HeaderMap) -> String {
        let state = &self.state;
        let Some(canary) = &state.canary else {
            return state.default_version.clone();
        };
        let key = state
            .canary_key_header
            .as_ref()
            .and_then(|name| headers.get(name))
            .map(HeaderValue::as_bytes);
        let bucket = match key {
            Some(key) => {
                let digest = Sha256::digest(key);
                let mut first = [0u8; 8];
                first.copy_from_slice(&digest[..8]);
                u64::from_be_bytes(first) % 100
            }
            // 37 is coprime with 100: 100 consecutive clients hit every bucket once.
            None => {
                state
                    .sequence
                    .fetch_add(1, Ordering::Relaxed)
                    .wrapping_mul(37)
                    % 100
            }
        };
        if bucket < u64::from(canary.percent) {
            canary.version.clone()
        } else {
            state.default_version.clone()
        }
    }

    fn set_cookie(&self, version: &str) -> Option<HeaderValue> {
        let http_only = if self.state.http_only {
            "; HttpOnly"
        } else {
            ""
        };
        HeaderValue::from_str(&format!(
            "{}={version}; Path=/; Max-Age=2592000; SameSite=Lax{http_only}",
            self.state.cookie_name
        ))
        .ok()
    }

    fn rejection(&self, routing: &Routing) -> Option<Response<Bytes>> {
        match routing {
            Routing::Serve { .. } => None,
            Routing::Unknown { requested } => {
                let available: Vec<&str> = self.state.versions.keys().map(String::as_str).collect();
                let detail = format!(
                    "Unknown app version '{requested}'. Available versions: {}",
                    available.join(", ")
                );
                Some(json_response(
                    StatusCode::CONFLICT,
                    &serde_json::json!({
                        "detail": detail,
                        "status": 409,
                        "requested": requested,
                        "available": available,
                    }),
                ))
            }
            Routing::Malformed { reason } => Some(json_response(
                StatusCode::BAD_REQUEST,
                &serde_json::json!({ "detail": format!("malformed requested version: {reason}"), "status": 400 }),
            )),
        }
    }
}

/// One value from possibly repeated occurrences: equal repeats are fine, conflicting ones
/// and invalid bytes are not.
fn single_value<'a>(values: impl Iterator<Item = &'a [u8]>) -> Result<Option<String>, String> {
    let mut found: Option<&[u8]> = None;
    for value in values {
        if value.len() > MAX_VERSION_LEN {
            return Err(format!("longer than {MAX_VERSION_LEN} bytes"));
        }
        if value.iter().any(|b| !b.is_ascii_graphic()) {
            return Err("only visible ASCII characters are allowed".to_owned());
        }
        match found {
            Some(previous) if previous != value => return Err("conflicting values".to_owned()),
            _ => found = Some(value),
        }
    }
    Ok(found.map(|value| String::from_utf8_lossy(value).into_owned()))
}

fn cookie_values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    headers.get_all(COOKIE).iter().flat_map(move |header| {
        header
            .as_bytes()
            .split(|&b| b == b';')
            .filter_map(move |pair| {
                let pair = pair.trim_ascii();
                let eq = pair.iter().position(|&b| b == b'=')?;
                let (key, value) = (&pair[..eq], &pair[eq + 1..]);
                if key.trim_ascii() != name.as_bytes() {
                    return None;
                }
                let value = value.trim_ascii();
                Some(
                    value
                        .strip_prefix(b"\"")
                        .and_then(|v| v.strip_suffix(b"\""))
                        .unwrap_or(value),
                )
            })
    })
}

fn json_response(status: StatusCode, document: &serde_json::Value) -> Response<Bytes> {
    let body = Bytes::from(document.to_string());
    let length = body.len();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// Where the requested version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestedFrom {
    /// The request header.
    Header,
    /// The cookie.
    Cookie,
    /// No version named: the default.
    Default,
    /// No version named: the canary split.
    Canary,
}

/// The routing decision for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// A known version.
    Serve {
        /// The version.
        version: String,
        /// Its backend.
        backend: HeaderValue,
        /// Where it came from.
        source: RequestedFrom,
        /// Whether to send the sticky cookie.
        set_cookie: bool,
    },
    /// A version not in the map: 409.
    Unknown {
        /// What was asked for.
        requested: String,
    },
    /// A value that cannot be a version: 400.
    Malformed {
        /// Why.
        reason: String,
    },
}

/// Counters of a [`VersionRouterLayer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterStats {
    /// Requests served per version.
    pub per_version: BTreeMap<String, u64>,
    /// Requests that named a known version (header or cookie).
    pub matched: u64,
    /// Requests that named none and got the default.
    pub defaulted: u64,
    /// Requests that named none and got the canary.
    pub canary: u64,
    /// Requests refused (unknown or malformed version).
    pub rejected: u64,
}

impl RouterStats {
    /// As JSON, for a metrics endpoint.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "per_version": self.per_version,
            "matched": self.matched,
            "defaulted": self.defaulted,
            "canary": self.canary,
            "rejected": self.rejected,
        })
    }
}

impl<S> Layer<S> for VersionRouterLayer {
    type Service = VersionRouter<S>;

    fn layer(&self, inner: S) -> VersionRouter<S> {
        VersionRouter {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`VersionRouterLayer`].
#[derive(Debug, Clone)]
pub struct VersionRouter<S> {
    inner: S,
    layer: VersionRouterLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for VersionRouter<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<Either<Full<Bytes>, ResBody>>;
    type Error = S::Error;
    type Future = VersionRouterFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        match self.layer.admit(request.headers()) {
            Ok(extra) => VersionRouterFuture::Inner {
                future: self.inner.call(request),
                extra: Some(extra),
            },
            Err(response) => VersionRouterFuture::Rejected {
                response: Some(response),
            },
        }
    }
}

/// The headers routing adds to the response of a request it admitted.
#[derive(Debug)]
pub(crate) struct RoutedHeaders {
    backend: HeaderValue,
    served: Option<HeaderValue>,
    cookie: Option<HeaderValue>,
}

impl RoutedHeaders {
    /// Adds the headers to `response`; the cookie only when no shared cache may keep the
    /// response.
    pub(crate) fn apply<B>(self, response: &mut Response<B>) {
        // A response shared caches may keep (static assets) must not carry one client's
        // cookie: the next page sets it.
        let shared = response
            .headers()
            .get(http::header::CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("public"));
        let headers = response.headers_mut();
        headers.insert(X_BACKEND_TARGET, self.backend);
        if let Some(served) = self.served {
            headers.insert(X_APP_SERVED_VERSION, served);
        }
        if let Some(cookie) = self.cookie.filter(|_| !shared) {
            headers.append(SET_COOKIE, cookie);
        }
    }
}

impl VersionRouterLayer {
    /// Routes a request (and counts it): the headers to add to its response, or the
    /// 409/400 to answer instead.
    #[allow(clippy::result_large_err)] // the error is the response, sent at once
    pub(crate) fn admit(&self, headers: &HeaderMap) -> Result<RoutedHeaders, Response<Bytes>> {
        let routing = self.route(headers);
        if let Some(response) = self.rejection(&routing) {
            return Err(response);
        }
        let Routing::Serve {
            version,
            backend,
            set_cookie,
            ..
        } = routing
        else {
            unreachable!("rejection() answers every other decision");
        };
        Ok(RoutedHeaders {
            backend,
            served: HeaderValue::from_str(&version).ok(),
            cookie: set_cookie.then(|| self.set_cookie(&version)).flatten(),
        })
    }
}

pin_project! {
    /// The response future of [`VersionRouter`].
    #[project = VersionRouterProjection]
    #[allow(missing_docs)]
    pub enum VersionRouterFuture<F> {
        /// Waiting for the wrapped service.
        Inner { #[pin] future: F, extra: Option<RoutedHeaders> },
        /// A 409 or 400.
        Rejected { response: Option<Response<Bytes>> },
    }
}

impl<F> fmt::Debug for VersionRouterFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VersionRouterFuture")
    }
}

impl<F, B, E> Future for VersionRouterFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<Either<Full<Bytes>, B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            VersionRouterProjection::Inner { future, extra } => {
                let mut response = ready!(future.poll(cx))?;
                if let Some(extra) = extra.take() {
                    extra.apply(&mut response);
                }
                Poll::Ready(Ok(response.map(Either::Right)))
            }
            VersionRouterProjection::Rejected { response } => {
                let response = response.take().unwrap_or_else(|| {
                    json_response(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &serde_json::json!({"status": 500}),
                    )
                });
                Poll::Ready(Ok(response.map(|body| Either::Left(Full::new(body)))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router() -> VersionRouterLayer {
        VersionRouterLayer::builder()
            .version("v1.0", "backend-blue")
            .version("v1.1", "backend-green")
            .default_version("v1.0")
            .build()
            .unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn construction_errors() {
        let empty = VersionRouterLayer::builder()
            .default_version("v1")
            .build()
            .unwrap_err();
        assert!(empty.to_string().contains("empty"));
        let missing_default = VersionRouterLayer::builder()
            .version("v1", "b")
            .default_version("v2")
            .build()
            .unwrap_err();
        assert!(missing_default
            .to_string()
            .contains("\"v2\" is not in the version map (v1)"));
        let bad_backend = VersionRouterLayer::builder()
            .version("v1", "bad\nname")
            .default_version("v1")
            .build()
            .unwrap_err();
        assert!(bad_backend.to_string().contains("not a valid header value"));
        let bad_canary = VersionRouterLayer::builder()
            .version("v1", "b")
            .default_version("v1")
            .canary("v1", 101)
            .build()
            .unwrap_err();
        assert!(bad_canary.to_string().contains("over 100%"));
        let bad_version = VersionRouterLayer::builder()
            .version("v;1", "b")
            .default_version("v;1")
            .build()
            .unwrap_err();
        assert!(bad_version.to_string().contains("semicolons"));
    }

    #[test]
    fn header_wins_over_cookie_which_wins_over_default() {
        let router = router();
        let decide = |pairs: &[(&str, &str)]| router.route(&headers(pairs));
        assert!(
            matches!(decide(&[("x-app-requested-version", "v1.1"), ("cookie", "app_version=v1.0")]),
            Routing::Serve { ref version, source: RequestedFrom::Header, set_cookie: true, .. } if version == "v1.1")
        );
        assert!(matches!(decide(&[("cookie", "a=b; app_version=v1.1")]),
            Routing::Serve { ref version, source: RequestedFrom::Cookie, set_cookie: false, .. } if version == "v1.1"));
        assert!(matches!(decide(&[]),
            Routing::Serve { ref version, source: RequestedFrom::Default, set_cookie: true, .. } if version == "v1.0"));
        assert_eq!(
            decide(&[("x-app-requested-version", "v9")]),
            Routing::Unknown {
                requested: "v9".to_owned()
            }
        );
        assert!(matches!(
            decide(&[
                ("x-app-requested-version", "v1.0"),
                ("x-app-requested-version", "v1.1")
            ]),
            Routing::Malformed { .. }
        ));
        assert!(matches!(
            decide(&[
                ("x-app-requested-version", "v1.0"),
                ("x-app-requested-version", "v1.0")
            ]),
            Routing::Serve { .. }
        ));
        assert!(matches!(
            decide(&[
                ("cookie", "app_version=v1.0"),
                ("cookie", "app_version=v1.1")
            ]),
            Routing::Malformed { .. }
        ));
        // A retired version in the cookie: placed again, with a fresh cookie.
        assert!(matches!(
            decide(&[("cookie", "app_version=v0.9")]),
            Routing::Serve { ref version, source: RequestedFrom::Default, set_cookie: true, .. }
                if version == "v1.0"
        ));
        let long = "v".repeat(257);
        assert!(matches!(
            decide(&[("x-app-requested-version", long.as_str())]),
            Routing::Malformed { .. }
        ));
        assert!(matches!(
            decide(&[("x-app-requested-version", "v 1")]),
            Routing::Malformed { .. }
        ));
        let stats = router.stats();
        assert_eq!(stats.rejected, 5);
        assert_eq!(stats.matched, 3);
        assert_eq!(stats.defaulted, 2);
    }

    #[test]
    fn canary_weight_is_exact_per_hundred_and_reproducible_by_key() {
        let router = VersionRouterLayer::builder()
            .version("v1.0", "blue")
            .version("v1.1", "green")
            .default_version("v1.0")
            .canary("v1.1", 10)
            .canary_key_header("x-client-id")
            .build()
            .unwrap();
        let canaries = (0..100)
            .filter(|_| {
                matches!(
                    router.route(&HeaderMap::new()),
                    Routing::Serve {
                        source: RequestedFrom::Canary,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(canaries, 10);
        let keyed = |id: &str| router.route(&headers(&[("x-client-id", id)]));
        for id in ["alice", "bob", "carol"] {
            assert_eq!(keyed(id), keyed(id));
        }
        let keyed_canaries = (0..2000)
            .filter(|n| {
                matches!(
                    keyed(&format!("client-{n}")),
                    Routing::Serve {
                        source: RequestedFrom::Canary,
                        ..
                    }
                )
            })
            .count();
        assert!((150..=250).contains(&keyed_canaries), "{keyed_canaries}");
    }

    #[test]
    fn settings_strings() {
        let settings = |pairs: &[(&str, &str)]| {
            let settings = crate::Settings::from_lookup(|name| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            })
            .unwrap();
            settings.routing().clone()
        };
        let router = VersionRouterLayer::from_settings(&settings(&[
            ("VERSION_MAP", "v1.0=backend-blue, v1.1=backend-green"),
            ("DEFAULT_VERSION", "v1.1"),
            ("CANARY", "v1.0:25"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(router.default_version(), "v1.1");
        assert_eq!(router.canary().unwrap().percent(), 25);
        assert!(VersionRouterLayer::from_settings(&settings(&[]))
            .unwrap()
            .is_none());
        for (pairs, expected) in [
            (&[("VERSION_MAP", "v1.0=a")][..], "DEFAULT_VERSION"),
            (
                &[("VERSION_MAP", "v1.0=a"), ("DEFAULT_VERSION", "v2")][..],
                "not in the version map",
            ),
            (
                &[
                    ("VERSION_MAP", "v1.0=a"),
                    ("DEFAULT_VERSION", "v1.0"),
                    ("CANARY", "v3:5"),
                ][..],
                "CANARY",
            ),
        ] {
            let error = VersionRouterLayer::from_settings(&settings(pairs))
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
    }
}
