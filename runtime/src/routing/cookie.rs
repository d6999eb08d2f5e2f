//! The headers of an admitted request: the backend, the served version and the sticky
//! cookie, never on a response a shared cache may keep.

use super::decision::Routing;
use super::state::{VersionRouterLayer, X_APP_SERVED_VERSION, X_BACKEND_TARGET};
use bytes::Bytes;
use http::header::{HeaderValue, SET_COOKIE};
use http::{HeaderMap, Response};

impl VersionRouterLayer {
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
}

/// The headers routing adds to the response of a request it admitted.
#[derive(Debug)]
pub(crate) struct RoutedHeaders {
    backend: HeaderValue,
    served: Option<HeaderValue>,
    cookie: Option<HeaderValue>,
}

impl RoutedHeaders {
    /// Adds the headers to a response's `headers`; the cookie only when no shared cache
    /// may keep the response.
    pub(crate) fn apply(self, headers: &mut HeaderMap) {
        // A response shared caches may keep (static assets) must not carry one client's
        // cookie: the next page sets it.
        let shared = headers
            .get(http::header::CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("public"));
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
