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

/// Replaces `to` with `from`, every value in its order.
pub(super) fn write_headers(from: &http::HeaderMap, to: &mut actix_header::HeaderMap) {
    to.clear();
    to.reserve(from.len());
    for (name, value) in from {
        // The two crates share their rules: every name and value converts.
        if let (Ok(name), Ok(value)) = (
            actix_header::HeaderName::from_bytes(name.as_str().as_bytes()),
            actix_header::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            to.append(name, value);
        }
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
    let mut converted = HttpResponse::with_body(
        status_to_actix(parts.status),
        AnswerBody::new(body, head_length),
    );
    write_headers(&parts.headers, converted.headers_mut());
    converted
}
