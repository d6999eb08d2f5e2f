//! actix-web 4 speaks `http` 0.2; the rules speak `http` 1.x. Requests and responses
//! cross by parts (method, status, header names and values as bytes); bodies are the same
//! `bytes::Bytes` on both sides, so they cross without a copy.

use super::body::AnswerBody;
use crate::stale_client::SplicedBody;
use actix_web::http::header as actix_header;
use actix_web::HttpResponse;

/// The method in `http` 1.x; `None` for one `http` 1.x refuses (which actix-web's parser
/// does not let through).
pub(super) fn method(method: &actix_web::http::Method) -> Option<http::Method> {
    // The common methods without parsing.
    Some(match *method {
        actix_web::http::Method::GET => http::Method::GET,
        actix_web::http::Method::HEAD => http::Method::HEAD,
        actix_web::http::Method::POST => http::Method::POST,
        _ => return http::Method::from_bytes(method.as_str().as_bytes()).ok(),
    })
}

/// The headers in `http` 1.x, every value in its order; `None` if a name or value does
/// not convert (the two crates share their rules, so it does not happen).
pub(super) fn headers(headers: &actix_header::HeaderMap) -> Option<http::HeaderMap> {
    let mut converted = http::HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let name = http::HeaderName::from_bytes(name.as_str().as_bytes()).ok()?;
        let value = http::HeaderValue::from_bytes(value.as_bytes()).ok()?;
        converted.append(name, value);
    }
    Some(converted)
}

/// A request's method and headers in `http` 1.x, or the 400 to answer when one does
/// not convert; and whether it is a HEAD.
pub(super) fn request(
    request: &actix_web::dev::ServiceRequest,
) -> (
    Result<(http::Method, http::HeaderMap), http::Response<bytes::Bytes>>,
    bool,
) {
    let head = request.method() == actix_web::http::Method::HEAD;
    let converted = match (method(request.method()), headers(request.headers())) {
        (Some(method), Some(headers)) => Ok((method, headers)),
        _ => Err(crate::serving::status(http::StatusCode::BAD_REQUEST)),
    };
    (converted, head)
}

/// Replaces `to` with `from`, every value in its order (but `Content-Length` when
/// `length_from_body`: actix-web writes the body's own, which is the same).
pub(super) fn write_headers(
    from: &http::HeaderMap,
    to: &mut actix_header::HeaderMap,
    length_from_body: bool,
) {
    // Clearing an empty map still wipes its table.
    if !to.is_empty() {
        to.clear();
    }
    to.reserve(from.len());
    for (name, value) in from {
        if length_from_body && name == http::header::CONTENT_LENGTH {
            continue;
        }
        // The two crates share their rules: every name and value converts.
        if let (Some(name), Some(value)) = (name_to_actix(name), value_to_actix(value)) {
            to.append(name, value);
        }
    }
}

/// The names the rules send, as `http` 0.2 constants: a match costs less than parsing
/// the name again, and a custom name parsed is allocated.
fn name_to_actix(name: &http::HeaderName) -> Option<actix_header::HeaderName> {
    use actix_header::HeaderName;
    const X_APP_VERSION: HeaderName = HeaderName::from_static("x-app-version");
    const X_BACKEND_TARGET: HeaderName = HeaderName::from_static("x-backend-target");
    const X_APP_SERVED_VERSION: HeaderName = HeaderName::from_static("x-app-served-version");
    Some(match name.as_str() {
        "content-type" => actix_header::CONTENT_TYPE,
        "content-length" => actix_header::CONTENT_LENGTH,
        "etag" => actix_header::ETAG,
        "cache-control" => actix_header::CACHE_CONTROL,
        "vary" => actix_header::VARY,
        "accept-ranges" => actix_header::ACCEPT_RANGES,
        "x-content-type-options" => actix_header::X_CONTENT_TYPE_OPTIONS,
        "content-encoding" => actix_header::CONTENT_ENCODING,
        "x-app-version" => X_APP_VERSION,
        "x-backend-target" => X_BACKEND_TARGET,
        "x-app-served-version" => X_APP_SERVED_VERSION,
        other => HeaderName::from_bytes(other.as_bytes()).ok()?,
    })
}

/// The constant values the rules send, as `http` 0.2 values of the same `'static` bytes.
static STATIC_VALUES: [actix_header::HeaderValue; 9] = [
    actix_header::HeaderValue::from_static(crate::serving::IMMUTABLE),
    actix_header::HeaderValue::from_static(crate::serving::REVALIDATE),
    actix_header::HeaderValue::from_static(crate::serving::NO_STORE),
    actix_header::HeaderValue::from_static("bytes"),
    actix_header::HeaderValue::from_static("nosniff"),
    actix_header::HeaderValue::from_static("Accept-Encoding"),
    actix_header::HeaderValue::from_static("br"),
    actix_header::HeaderValue::from_static("gzip"),
    actix_header::HeaderValue::from_static("application/json"),
];

/// A value in `http` 0.2: a constant of the rules without a copy, any other copied.
fn value_to_actix(value: &http::HeaderValue) -> Option<actix_header::HeaderValue> {
    let bytes = value.as_bytes();
    match STATIC_VALUES.iter().find(|known| known.as_bytes() == bytes) {
        Some(known) => Some(known.clone()),
        None => actix_header::HeaderValue::from_bytes(bytes).ok(),
    }
}

pub(super) fn status_to_http(status: actix_web::http::StatusCode) -> http::StatusCode {
    http::StatusCode::from_u16(status.as_u16()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
}

fn status_to_actix(status: http::StatusCode) -> actix_web::http::StatusCode {
    actix_web::http::StatusCode::from_u16(status.as_u16())
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
}

/// One of the site's own answers as an actix-web response. The answer to a HEAD request
/// (`head`) keeps its `Content-Length`: actix-web writes the length of the body it is
/// given and sends no bytes for HEAD.
pub(super) fn answer(
    response: http::Response<SplicedBody>,
    head: bool,
) -> HttpResponse<AnswerBody> {
    let (parts, body) = response.into_parts();
    let head_length = if head && body.remaining() == 0 {
        parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok())
    } else {
        None
    };
    // actix-web writes the length of the body (`head_length` for HEAD) and skips the
    // header, but for the statuses without a body, where it keeps the header.
    let status = parts.status;
    let length_from_body = !(status.is_informational()
        || status == http::StatusCode::NO_CONTENT
        || status == http::StatusCode::NOT_MODIFIED);
    let mut converted =
        HttpResponse::with_body(status_to_actix(status), AnswerBody::new(body, head_length));
    write_headers(&parts.headers, converted.headers_mut(), length_from_body);
    converted
}
