//! A plain HTTP/1.1 client (hyper's connection-level API over a tokio `TcpStream`): one
//! connection per request, no redirects followed and no bodies decoded, so the checker
//! sees exactly what a browser or a CDN in front of the deployment would be sent.

use crate::http_url::Origin;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONNECTION, HOST, USER_AGENT};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::fmt;
use std::time::Duration;
use tokio::net::TcpStream;

/// How long one request (connect, headers and body) may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

const AGENT: &str = concat!("hyper-assets-check/", env!("CARGO_PKG_VERSION"));

/// Sends `GET` requests to one origin.
#[derive(Debug, Clone)]
pub struct HttpClient {
    origin: Origin,
    timeout: Duration,
}

impl HttpClient {
    /// A client for `origin`, with [`REQUEST_TIMEOUT`] per request.
    pub fn new(origin: Origin) -> Self {
        Self {
            origin,
            timeout: REQUEST_TIMEOUT,
        }
    }

    /// The origin every request goes to.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// `GET path` (path and query, starting with `/`) with `headers` besides `Host`.
    ///
    /// # Errors
    /// The connection, the exchange or the body failed, or took longer than the timeout;
    /// the error names the URL.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Result<Response, FetchError> {
        let url = self.origin.url(path);
        match tokio::time::timeout(self.timeout, self.exchange(path, headers)).await {
            Ok(Ok((status, headers, body))) => Ok(Response {
                url,
                status,
                headers,
                body,
            }),
            Ok(Err(cause)) => Err(FetchError { url, cause }),
            Err(_) => Err(FetchError {
                url,
                cause: FetchFailure::Timeout(self.timeout),
            }),
        }
    }

    async fn exchange(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<(StatusCode, HeaderMap, Bytes), FetchFailure> {
        let mut request = Request::get(path)
            .header(HOST, self.origin.authority())
            .header(USER_AGENT, AGENT)
            .header(CONNECTION, "close");
        for (name, value) in headers {
            let name = HeaderName::try_from(*name).map_err(|_| FetchFailure::Request)?;
            let value = HeaderValue::try_from(*value).map_err(|_| FetchFailure::Request)?;
            request = request.header(name, value);
        }
        let request = request
            .body(Empty::<Bytes>::new())
            .map_err(|_| FetchFailure::Request)?;
        let stream = TcpStream::connect((self.origin.host(), self.origin.port()))
            .await
            .map_err(FetchFailure::Connect)?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(FetchFailure::Http)?;
        // The connection is driven on its own task; it ends when `sender` is dropped.
        tokio::spawn(connection);
        let response = sender
            .send_request(request)
            .await
            .map_err(FetchFailure::Http)?;
        let (parts, body) = response.into_parts();
        // A deployment answering without end must not exhaust the checker's memory.
        let body = http_body_util::Limited::new(body, MAX_BODY_BYTES)
            .collect()
            .await
            .map_err(|_| FetchFailure::Body)?
            .to_bytes();
        Ok((parts.status, parts.headers, body))
    }
}

/// What a server answered: status, headers and the body as sent (not decoded).
#[derive(Debug, Clone)]
pub struct Response {
    url: String,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    /// The URL that was requested.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// Every value of header `name`, joined by `, ` as HTTP allows for list headers, or
    /// `None` when the response has none.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<String> = self
            .headers
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// `Name: value` for a report, or `no Name header` when it is absent.
    pub fn shown(&self, name: &str) -> String {
        self.header(name).map_or_else(
            || format!("no {name} header"),
            |value| format!("{name}: {value}"),
        )
    }

    /// The `Content-Encoding`, lowercase, or `identity` when there is none.
    pub fn content_encoding(&self) -> String {
        self.header("Content-Encoding").map_or_else(
            || "identity".to_owned(),
            |value| value.trim().to_ascii_lowercase(),
        )
    }

    /// The body bytes as sent.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// A request that got no complete answer.
#[derive(Debug)]
pub struct FetchError {
    url: String,
    cause: FetchFailure,
}

impl FetchError {
    /// The URL that was requested.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Why a request got no complete answer.
#[derive(Debug)]
enum FetchFailure {
    /// A header name or value, or the path, cannot be sent.
    Request,
    Connect(std::io::Error),
    Http(hyper::Error),
    /// The body failed, or is over [`MAX_BODY_BYTES`].
    Body,
    Timeout(Duration),
}

/// The largest body read.
const MAX_BODY_BYTES: usize = 64 << 20;

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.url;
        match &self.cause {
            FetchFailure::Request => write!(f, "GET {url}: the request cannot be written"),
            FetchFailure::Connect(error) => write!(f, "GET {url}: cannot connect: {error}"),
            FetchFailure::Http(error) => write!(f, "GET {url}: {error}"),
            FetchFailure::Body => write!(
                f,
                "GET {url}: the body failed or is over {} MiB",
                MAX_BODY_BYTES >> 20
            ),
            FetchFailure::Timeout(limit) => {
                write!(
                    f,
                    "GET {url}: no complete answer within {}s",
                    limit.as_secs()
                )
            }
        }
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            FetchFailure::Connect(error) => Some(error),
            FetchFailure::Http(error) => Some(error),
            FetchFailure::Request | FetchFailure::Body | FetchFailure::Timeout(_) => None,
        }
    }
}
