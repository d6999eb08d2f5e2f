//! The one function that answers a request for a file: negotiation, conditional
//! requests, ranges, HEAD and 405, the same for embedded, adopted and dev-mode files.

use super::accept_encoding::{self, Accepted, Coding};
use super::delta::{DELTA_VARY, USE_AS_DICTIONARY};
use super::range::{self, RangeRequest};
use super::served_file::{ServedFile, Variant};
use super::{if_match, if_none_match};
use bytes::Bytes;
use http::header::{
    HeaderValue, ACCEPT_RANGES, ALLOW, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH,
    CONTENT_RANGE, CONTENT_TYPE, ETAG, LOCATION, VARY, X_CONTENT_TYPE_OPTIONS,
};
use http::{HeaderMap, Method, Response, StatusCode};
use hyper_assets_pipeline::DeltaEncoding;

/// `Cache-Control` of a hashed URL: its bytes can never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of a canonical URL: usable, but revalidated on every use.
pub const REVALIDATE: &str = "no-cache";
/// `Cache-Control` of the redirect from another build's hash: never stored, since the
/// old URL may still be answered by an old instance during a rolling deploy.
pub const NO_STORE: &str = "no-store";

// Header values as constants: built at compile time, not checked again per response.
const ACCEPT_ENCODING_VARY: HeaderValue = HeaderValue::from_static("Accept-Encoding");
const BYTES: HeaderValue = HeaderValue::from_static("bytes");
const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");
const BR: HeaderValue = HeaderValue::from_static("br");
const GZIP: HeaderValue = HeaderValue::from_static("gzip");
const DCB: HeaderValue = HeaderValue::from_static("dcb");
const DCZ: HeaderValue = HeaderValue::from_static("dcz");
pub(crate) const IMMUTABLE_VALUE: HeaderValue = HeaderValue::from_static(IMMUTABLE);
pub(crate) const REVALIDATE_VALUE: HeaderValue = HeaderValue::from_static(REVALIDATE);
const NO_STORE_VALUE: HeaderValue = HeaderValue::from_static(NO_STORE);

/// How many headers an asset response carries, with the layers' `X-App-Version` and
/// routing headers.
const RESPONSE_HEADERS: usize = 15;

/// What an answer under a hashed name adds: the file offers itself as a dictionary
/// (`Use-As-Dictionary`), and, when the URL can carry a delta, the delta chosen for the
/// request and `Vary: Accept-Encoding, Available-Dictionary` on every answer.
#[derive(Clone, Copy, Default)]
pub(crate) struct Hashed<'a> {
    /// The delta to send instead of the negotiated variant.
    pub(crate) delta: Option<(&'a Variant, DeltaEncoding)>,
    /// Whether any request for this URL could get a delta.
    pub(crate) may_delta: bool,
    /// The request's `Accept-Encoding`, when it was already read.
    pub(crate) accepted: Option<Accepted>,
}

/// Answers `method` with `headers` for `file`, sent with `cache_control`; `hashed` when
/// the request named the file's hashed name (see [`Hashed`]).
pub(crate) fn respond(
    method: &Method,
    headers: &HeaderMap,
    file: &ServedFile,
    cache_control: HeaderValue,
    hashed: Option<Hashed<'_>>,
) -> Response<Bytes> {
    if !is_read(method) {
        return not_allowed();
    }
    let (variant, encoding): (&Variant, Option<HeaderValue>) =
        match hashed.and_then(|hashed| hashed.delta) {
            Some((delta, DeltaEncoding::Dcb)) => (delta, Some(DCB)),
            Some((delta, DeltaEncoding::Dcz)) => (delta, Some(DCZ)),
            None => {
                let (brotli, gzip) = (file.brotli.is_some(), file.gzip.is_some());
                let coding = match hashed.and_then(|hashed| hashed.accepted) {
                    Some(accepted) if brotli || gzip => accepted.choose(brotli, gzip),
                    _ => accept_encoding::choose(headers, brotli, gzip),
                };
                match (coding, &file.brotli, &file.gzip) {
                    (Coding::Brotli, Some(variant), _) => (variant, Some(BR)),
                    (Coding::Gzip, _, Some(variant)) => (variant, Some(GZIP)),
                    _ => (&file.identity, None),
                }
            }
        };
    let vary = if hashed.is_some_and(|hashed| hashed.may_delta) {
        Some(DELTA_VARY)
    } else if file.brotli.is_some() || file.gzip.is_some() {
        Some(ACCEPT_ENCODING_VARY)
    } else {
        None
    };
    // RFC 9110, section 13.2.2: If-Match first, then If-None-Match, then Range.
    if if_match::fails(headers, variant.etag.as_bytes()) {
        let mut response = status(StatusCode::PRECONDITION_FAILED);
        response.headers_mut().insert(ETAG, variant.etag.clone());
        return response;
    }
    if if_none_match::matches(headers, variant.etag.as_bytes()) {
        let mut response = Response::new(Bytes::new());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        let response_headers = response.headers_mut();
        response_headers.insert(ETAG, variant.etag.clone());
        response_headers.insert(CACHE_CONTROL, cache_control);
        if let Some(vary) = vary {
            response_headers.insert(VARY, vary);
        }
        return response;
    }
    let bytes = &variant.bytes;
    let len = bytes.len() as u64;
    // Ranges apply to the identity representation only.
    let wanted = if encoding.is_none() {
        range::requested(headers, len, variant.etag.as_bytes())
    } else {
        RangeRequest::Full
    };
    let (status, body, length, content_range) = match wanted {
        RangeRequest::Full => (StatusCode::OK, bytes.clone(), variant.length.clone(), None),
        RangeRequest::Partial { start, end } => {
            // Both bounds are below `len`, which came from a usize.
            let slice = bytes.slice(start as usize..=end as usize);
            let length = HeaderValue::from(slice.len());
            let range = HeaderValue::from_str(&format!("bytes {start}-{end}/{len}")).ok();
            (StatusCode::PARTIAL_CONTENT, slice, length, range)
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
        body
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let response_headers = response.headers_mut();
    // Room for the headers below and the layers' own, sized once: no regrowth (and
    // rehashing) on every response.
    response_headers.reserve(RESPONSE_HEADERS);
    if let Some(range) = content_range {
        response_headers.insert(CONTENT_RANGE, range);
    }
    response_headers.insert(CONTENT_TYPE, file.content_type.clone());
    response_headers.insert(CONTENT_LENGTH, length);
    if let Some(encoding) = encoding {
        response_headers.insert(CONTENT_ENCODING, encoding);
    }
    if let Some(vary) = vary {
        response_headers.insert(VARY, vary);
    }
    if hashed.is_some() && status == StatusCode::OK {
        if let Some(dictionary) = &file.dictionary {
            response_headers.insert(USE_AS_DICTIONARY, dictionary.clone());
        }
    }
    response_headers.insert(ETAG, variant.etag.clone());
    response_headers.insert(CACHE_CONTROL, cache_control);
    response_headers.insert(ACCEPT_RANGES, BYTES);
    response_headers.insert(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
    response
}

/// The 307 from another build's hash to the current hashed URL.
pub(crate) fn redirect(method: &Method, file: &ServedFile) -> Response<Bytes> {
    if !is_read(method) {
        return not_allowed();
    }
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    let headers = response.headers_mut();
    headers.insert(LOCATION, file.location.clone());
    headers.insert(CACHE_CONTROL, NO_STORE_VALUE);
    response
}

fn is_read(method: &Method) -> bool {
    method == Method::GET || method == Method::HEAD
}

/// An empty answer with `code`, never stored: a 404 (or 405, 414, cacheable by default)
/// for a name that a later deploy will serve must not be kept by a CDN meanwhile.
pub(crate) fn status(code: StatusCode) -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = code;
    response.headers_mut().insert(CACHE_CONTROL, NO_STORE_VALUE);
    response
}

fn not_allowed() -> Response<Bytes> {
    let mut response = status(StatusCode::METHOD_NOT_ALLOWED);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// A 500 naming why dev mode cannot serve the folder, never cached.
pub(crate) fn dev_failure(error: &impl std::fmt::Display) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from(format!(
        "hyper-assets dev mode cannot serve the static folder:\n{error}\n"
    )));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, NO_STORE_VALUE);
    response
}
