//! Where a request goes: the header, then the cookie, then the canary split and the
//! default; and the 409/400 answers for versions that cannot be served.

use super::state::{VersionRouterLayer, MAX_VERSION_LEN};
use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, COOKIE};
use http::{HeaderMap, Response, StatusCode};
use sha2::{Digest, Sha256};
use std::sync::atomic::Ordering;

impl VersionRouterLayer {
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
        // An explicit request header that cannot be a version is the caller's mistake:
        // 400. An empty one is no request, like an absent one.
        let from_header = match single_value(
            headers
                .get_all(&state.header_name)
                .iter()
                .map(HeaderValue::as_bytes),
        ) {
            Ok(value) => value.filter(|value| !value.is_empty()),
            Err(reason) => {
                return Routing::Malformed {
                    reason: format!("{}: {reason}", state.header_name),
                }
            }
        };
        // The cookie is the client's memory, not a request, and never locks a client out.
        // Of several (a sibling subdomain's, another path's), the first that names a
        // version of the map counts, so the client stays put even though a fresh cookie
        // could not replace the others; one that is malformed (too long, not visible
        // ASCII) or names a version that is gone (retired after a deploy) counts as absent,
        // and the client is placed again and gets a fresh cookie.
        let cookie = cookie_values(headers, &state.cookie_name)
            .filter(|value| {
                !value.is_empty()
                    && value.len() <= MAX_VERSION_LEN
                    && value.iter().all(u8::is_ascii_graphic)
            })
            .map(|value| String::from_utf8_lossy(value).into_owned())
            .find(|value| state.versions.contains_key(value));
        let (requested, source) = match (from_header, cookie.clone()) {
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

    pub(super) fn rejection(&self, routing: &Routing) -> Option<Response<Bytes>> {
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

pub(super) fn json_response(status: StatusCode, document: &serde_json::Value) -> Response<Bytes> {
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
    response.headers_mut().insert(
        http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A refusal of one client's version is not for anyone else.
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
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
