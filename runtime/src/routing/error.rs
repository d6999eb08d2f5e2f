//! [`RouterError`]: why a version router could not be built.

use std::fmt;

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
