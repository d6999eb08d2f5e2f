//! The response side of the one stack every answer shares: the routing headers and
//! `X-App-Version`, added by the tower layer and the actix-web middleware alike.

use super::Site;
use crate::routing::cookie::RoutedHeaders;
use crate::version::header::X_APP_VERSION;
use crate::version::store::VersionState;
use http::HeaderMap;
use std::sync::Arc;

/// What a request's response still needs: the headers of the version it was answered
/// with and of its routing.
#[derive(Debug)]
pub(crate) struct Stamp {
    /// The request's snapshot; `None` after a bust, which reads the new one.
    version: Option<Arc<VersionState>>,
    routed: Option<RoutedHeaders>,
}

impl Stamp {
    pub(super) fn new(version: Option<Arc<VersionState>>, routed: Option<RoutedHeaders>) -> Self {
        Self { version, routed }
    }

    /// Routing headers first, then `X-App-Version`, as the à-la-carte layers stack them.
    #[inline]
    pub(crate) fn apply(self, site: &Site, headers: &mut HeaderMap) {
        if let Some(routed) = self.routed {
            routed.apply(headers);
        }
        if site.settings().version_header() {
            let version = self.version.unwrap_or_else(|| site.inner.version.current());
            headers.insert(X_APP_VERSION, version.header_value().clone());
        }
    }
}
