//! The tower service that serves a [`Manifest`] from memory.

use crate::accept_encoding::{self, Coding};
use crate::dev::DevAssets;
use crate::if_none_match;
use crate::manifest::{Asset, Manifest};
use crate::range::{self, RangeRequest};
use crate::request_path;
use bytes::Bytes;
use http::header::{
    HeaderValue, ACCEPT_RANGES, ALLOW, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH,
    CONTENT_RANGE, CONTENT_TYPE, ETAG, LOCATION, VARY, X_CONTENT_TYPE_OPTIONS,
};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::Full;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};

/// `Cache-Control` of a hashed URL: its bytes can never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of a canonical URL: usable, but revalidated on every use.
pub const REVALIDATE: &str = "no-cache";
/// `Cache-Control` of the redirect from another build's hash: never stored, since the
/// old URL may still be answered by an old instance during a rolling deploy.
pub const NO_STORE: &str = "no-store";

/// The response body: a view of `'static` bytes, never a copy.
pub type Body = Full<Bytes>;

/// A tower [`Service`](tower_service::Service) that serves the files of a [`Manifest`]
/// from `'static` memory.
///
/// | request | answer |
/// |---|---|
/// | GET/HEAD of a hashed path | 200, `Cache-Control: public, max-age=31536000, immutable` |
/// | GET/HEAD of a canonical path | 200, `Cache-Control: no-cache`, the same `ETag` |
/// | `If-None-Match` matching the `ETag` (weak comparison, lists, `*`) | 304, no body |
/// | a hashed path with another build's hash | 307 to the current hashed URL, `Cache-Control: no-store` |
/// | another method on an asset | 405 with `Allow: GET, HEAD` |
/// | a malformed path (bad `%`, `%2F`, `\`, NUL, `..`) | 400 |
/// | a path over 2048 bytes | 414 |
/// | `Range: bytes=...` (one range; suffix and open ranges; `If-Range` with the `ETag`) | 206 with `Content-Range`, or 416 (identity only) |
/// | `Accept-Encoding` with `br` or `gzip` (q-values, `*`, `identity;q=0`) | the precompressed variant, `Content-Encoding`, its own `ETag`, `Vary: Accept-Encoding` |
/// | anything else | 404 |
///
/// By default it expects the full request path, prefix included (`/static/css/...`), as
/// with axum's `fallback_service` or `route_service("/static/{*path}", ...)`. After
/// [`StaticService::nested`] it expects the prefix already removed, as axum's
/// `nest_service("/static", ...)` does.
///
/// ```
/// use hyper_assets::{Manifest, StaticService};
///
/// fn static_files(manifest: &'static Manifest) -> StaticService {
///     // With axum: Router::new().fallback_service(manifest.service())
///     manifest.service()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct StaticService {
    manifest: &'static Manifest,
    nested: bool,
    dev: Option<DevAssets>,
}

impl StaticService {
    /// Serves `manifest` at its own prefix.
    pub fn new(manifest: &'static Manifest) -> Self {
        Self {
            manifest,
            nested: false,
            dev: None,
        }
    }

    /// Dev mode: serves the folder from disk through `dev` instead of the embedded bytes
    /// (see the README's "Development"): canonical names, the current hashed names, and
    /// hashed names of the last build all answer the current bytes, with
    /// `Cache-Control: no-cache`.
    #[must_use]
    pub fn with_dev(mut self, dev: DevAssets) -> Self {
        self.dev = Some(dev);
        self
    }

    /// Expects request paths with the prefix already removed (axum's `nest_service`).
    #[must_use]
    pub fn nested(mut self) -> Self {
        self.nested = true;
        self
    }

    /// The manifest served.
    pub fn manifest(&self) -> &'static Manifest {
        self.manifest
    }

    /// Answers a request given its method, URL path and headers.
    pub fn respond(&self, method: &Method, path: &str, headers: &HeaderMap) -> Response<Body> {
        let rest = if self.nested {
            path.strip_prefix('/')
        } else {
            path.strip_prefix(self.manifest.prefix())
        };
        let Some(rest) = rest else {
            return status(StatusCode::NOT_FOUND);
        };
        let canonical = match request_path::decode(rest) {
            Ok(canonical) => canonical,
            Err(code) => return status(code),
        };
        if let Some(dev) = &self.dev {
            return respond_dev(dev, method, &canonical, headers);
        }
        let (asset, cache_control) = if let Some(asset) = self.manifest.get_hashed(&canonical) {
            (asset, IMMUTABLE)
        } else if let Some(asset) = self.manifest.get(&canonical) {
            (asset, REVALIDATE)
        } else if let Some(asset) = self.other_build(&canonical) {
            if !is_read(method) {
                return not_allowed();
            }
            return redirect(asset);
        } else {
            return status(StatusCode::NOT_FOUND);
        };
        if !is_read(method) {
            return not_allowed();
        }
        let coding =
            accept_encoding::choose(headers, asset.brotli().is_some(), asset.gzip().is_some());
        let (bytes, etag, encoding) = match (coding, asset.brotli(), asset.gzip()) {
            (Coding::Brotli, Some(variant), _) => (variant.bytes(), variant.etag(), Some("br")),
            (Coding::Gzip, _, Some(variant)) => (variant.bytes(), variant.etag(), Some("gzip")),
            _ => (asset.bytes(), asset.etag(), None),
        };
        let varies = asset.brotli().is_some() || asset.gzip().is_some();
        if if_none_match::matches(headers, etag) {
            let mut response = not_modified(etag, cache_control);
            if varies {
                response
                    .headers_mut()
                    .insert(VARY, HeaderValue::from_static("Accept-Encoding"));
            }
            return response;
        }
        let len = bytes.len() as u64;
        // Ranges apply to the identity representation only.
        let wanted = if encoding.is_none() {
            range::requested(headers, len, etag)
        } else {
            RangeRequest::Full
        };
        let (status, slice) = match wanted {
            RangeRequest::Full => (StatusCode::OK, bytes),
            RangeRequest::Partial { start, end } => {
                // Both bounds are below `len`, which came from a usize.
                (
                    StatusCode::PARTIAL_CONTENT,
                    &bytes[start as usize..=end as usize],
                )
            }
            RangeRequest::Unsatisfiable => {
                let mut response = status(StatusCode::RANGE_NOT_SATISFIABLE);
                if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    response.headers_mut().insert(CONTENT_RANGE, value);
                }
                return response;
            }
        };
        let body = if method == Method::HEAD {
            Bytes::new()
        } else {
            Bytes::from_static(slice)
        };
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = status;
        let response_headers = response.headers_mut();
        if status == StatusCode::PARTIAL_CONTENT {
            let first = slice.as_ptr() as usize - bytes.as_ptr() as usize;
            let range = format!("bytes {first}-{}/{len}", first + slice.len() - 1);
            if let Ok(value) = HeaderValue::from_str(&range) {
                response_headers.insert(CONTENT_RANGE, value);
            }
        }
        response_headers.insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type()));
        response_headers.insert(CONTENT_LENGTH, HeaderValue::from(slice.len()));
        if let Some(encoding) = encoding {
            response_headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        if varies {
            response_headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
        }
        response_headers.insert(ETAG, HeaderValue::from_static(etag));
        response_headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
        response_headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        response_headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        response
    }

    /// A hashed name of a known file with a hash that is not the current one: a page of
    /// another build asking for its version of the file.
    fn other_build(&self, path: &str) -> Option<&'static Asset> {
        let (canonical, _) = hyper_assets_pipeline::split_hashed_name(path)?;
        self.manifest.get(&canonical)
    }
}

/// Dev mode: the current bytes from disk; every name of a file answers them, uncached.
fn respond_dev(
    dev: &DevAssets,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Response<Body> {
    let snapshot = match dev.snapshot() {
        Ok(snapshot) => snapshot,
        Err(error) => {
            let mut response = Response::new(Full::new(Bytes::from(format!(
                "hyper-assets dev mode cannot serve the static folder:\n{error}\n"
            ))));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
            return response;
        }
    };
    let file = snapshot
        .get(path)
        .or_else(|| snapshot.get_hashed(path).map(|(_, file)| file))
        .or_else(|| {
            let (canonical, _) = hyper_assets_pipeline::split_hashed_name(path)?;
            snapshot.get(&canonical)
        });
    let Some(file) = file else {
        return status(StatusCode::NOT_FOUND);
    };
    if !is_read(method) {
        return not_allowed();
    }
    let Ok(etag) = HeaderValue::from_str(&file.etag) else {
        return status(StatusCode::INTERNAL_SERVER_ERROR);
    };
    if if_none_match::matches(headers, &file.etag) {
        let mut response = status(StatusCode::NOT_MODIFIED);
        response.headers_mut().insert(ETAG, etag);
        return response;
    }
    let body = if method == Method::HEAD {
        Bytes::new()
    } else {
        file.bytes.clone()
    };
    let mut response = Response::new(Full::new(body));
    let response_headers = response.headers_mut();
    if let Ok(content_type) = HeaderValue::from_str(&file.content_type) {
        response_headers.insert(CONTENT_TYPE, content_type);
    }
    response_headers.insert(CONTENT_LENGTH, HeaderValue::from(file.bytes.len()));
    response_headers.insert(ETAG, etag);
    response_headers.insert(CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    response_headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

fn status(code: StatusCode) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = code;
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    response
}

fn not_allowed() -> Response<Body> {
    let mut response = status(StatusCode::METHOD_NOT_ALLOWED);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

fn not_modified(etag: &'static str, cache_control: &'static str) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    headers.insert(ETAG, HeaderValue::from_static(etag));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    response
}

fn redirect(asset: &Asset) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    let headers = response.headers_mut();
    headers.insert(LOCATION, HeaderValue::from_static(asset.url()));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(NO_STORE));
    response
}

impl<B> tower_service::Service<Request<B>> for StaticService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        ready(Ok(self.respond(
            request.method(),
            request.uri().path(),
            request.headers(),
        )))
    }
}
