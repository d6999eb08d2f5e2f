//! The plain-HTTP listener that sends every request to HTTPS (feature `tls`), as Caddy
//! does: `308 Permanent Redirect` to `https://<host>[:<port>]<path and query>`, where the
//! host is the request's own, checked to be a host name or an IP address (never bytes
//! reflected as they came: anything else is `400 Bad Request`), without its port, and the
//! port is the HTTPS listener's, or `TLS_REDIRECT_PORT` (left out when it is 443).

use super::request_body::RequestBody;
use http::header::{HOST, LOCATION};
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::Empty;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};
use tower_service::Service;

/// Answers every request with a redirect to the same path over HTTPS.
#[derive(Clone, Debug)]
pub(super) struct RedirectToHttps {
    /// The HTTPS port clients reach: the listener's, or `TLS_REDIRECT_PORT`.
    pub(super) port: u16,
}

impl Service<Request<RequestBody>> for RedirectToHttps {
    type Response = Response<Empty<bytes::Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<RequestBody>) -> Self::Future {
        let mut response = Response::new(Empty::new());
        match location(&request, self.port) {
            Some(location) => {
                *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
                response.headers_mut().insert(LOCATION, location);
            }
            None => *response.status_mut() = StatusCode::BAD_REQUEST,
        }
        ready(Ok(response))
    }
}

/// Where the request goes over HTTPS; `None` without one well-formed host.
fn location<B>(request: &Request<B>, port: u16) -> Option<HeaderValue> {
    // An absolute-form target's authority comes before the Host header (RFC 9112, 3.2.2).
    let host = match request.uri().authority() {
        Some(authority) => authority.as_str().as_bytes(),
        None => {
            let mut hosts = request.headers().get_all(HOST).iter();
            let host = hosts.next()?;
            if hosts.next().is_some() {
                return None;
            }
            host.as_bytes()
        }
    };
    let host = host_without_port(host)?;
    let path = request
        .uri()
        .path_and_query()
        .map(|path| path.as_str())
        .filter(|path| path.starts_with('/'))
        .unwrap_or("/");
    let location = if port == 443 {
        format!("https://{host}{path}")
    } else {
        format!("https://{host}:{port}{path}")
    };
    HeaderValue::from_str(&location).ok()
}

/// The host of a `Host` value (`name`, `name:port`, `[v6]`, `[v6]:port`), lowercased and
/// without its port; `None` unless it is a DNS name or an IP address.
fn host_without_port(value: &[u8]) -> Option<String> {
    let value = std::str::from_utf8(value).ok()?;
    let (host, port) = match value.strip_prefix('[') {
        Some(rest) => {
            let (inside, after) = rest.split_once(']')?;
            inside.parse::<std::net::Ipv6Addr>().ok()?;
            let port = match after {
                "" => "",
                after => after.strip_prefix(':')?,
            };
            (&value[..inside.len() + 2], port)
        }
        None => match value.rsplit_once(':') {
            Some((host, port)) => (host, port),
            None => (value, ""),
        },
    };
    if port.len() > 5 || !port.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    if !host.starts_with('[') && !is_dns_name(host) {
        return None;
    }
    Some(host.to_ascii_lowercase())
}

/// Dot-separated labels of 1 to 63 letters, digits, `-` or `_`, at most 253 characters
/// (an IPv4 address is one too); one trailing dot allowed.
fn is_dns_name(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(target: &str, hosts: &[&[u8]], port: u16) -> Option<String> {
        let mut request = Request::builder().uri(target);
        for host in hosts {
            request = request.header(HOST, HeaderValue::from_bytes(host).unwrap());
        }
        location(&request.body(()).unwrap(), port).map(|value| value.to_str().unwrap().to_owned())
    }

    #[test]
    fn the_redirect_keeps_host_path_and_query_and_takes_the_https_port() {
        assert_eq!(
            redirect("/a/b?c=d&e", &[b"Example.COM:8080"], 443).as_deref(),
            Some("https://example.com/a/b?c=d&e")
        );
        assert_eq!(
            redirect("/", &[b"example.com"], 8443).as_deref(),
            Some("https://example.com:8443/")
        );
        assert_eq!(
            redirect("/x", &[b"127.0.0.1:80"], 3443).as_deref(),
            Some("https://127.0.0.1:3443/x")
        );
        assert_eq!(
            redirect("/x", &[b"[::1]:80"], 443).as_deref(),
            Some("https://[::1]/x")
        );
        assert_eq!(
            redirect("/x", &[b"[2001:db8::1]"], 443).as_deref(),
            Some("https://[2001:db8::1]/x")
        );
        assert_eq!(
            redirect("http://other.example:81/p?q", &[b"example.com"], 443).as_deref(),
            Some("https://other.example/p?q")
        );
        assert_eq!(
            redirect("*", &[b"example.com"], 443).as_deref(),
            Some("https://example.com/")
        );
        assert_eq!(
            redirect("/", &[b"example.com."], 443).as_deref(),
            Some("https://example.com./")
        );
    }

    #[test]
    fn a_malformed_or_missing_host_gets_no_redirect() {
        for host in [
            &b""[..],
            b"evil.com/path",
            b"evil.com\\@good",
            b"user@evil.com",
            b"evil.com:80:80",
            b"evil.com:8o",
            b"evil.com:123456",
            b"[::1",
            b"[not-v6]",
            b"[::1]x",
            b"a..b",
            b".",
            b"a b",
            b"evil.com%0d%0a",
            b"\xffhost",
            b"example.com\t",
        ] {
            assert_eq!(redirect("/", &[host], 443), None, "{host:?}");
        }
        assert_eq!(redirect("/", &[], 443), None);
        assert_eq!(redirect("/", &[b"a.example", b"b.example"], 443), None);
        let long = "a".repeat(64);
        assert_eq!(redirect("/", &[long.as_bytes()], 443), None);
    }
}
