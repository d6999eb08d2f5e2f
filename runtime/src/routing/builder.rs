//! [`VersionRouterBuilder`]: the map, the default, the canary and the names, checked once.

use super::error::RouterError;
use super::state::{
    Canary, RouterState, VersionRouterLayer, APP_VERSION_COOKIE, MAX_VERSION_LEN,
    X_APP_REQUESTED_VERSION,
};
use crate::settings::RoutingSettings;
use http::header::{HeaderName, HeaderValue};
use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

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

// Here rather than in `state.rs`, the bottom of the room, which names no file above it.
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
}
