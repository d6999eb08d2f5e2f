//! Shared helpers of the hyper-assets integration tests: a real server on a loopback
//! socket, a raw HTTP/1.1 client that sends paths byte for byte (no client-side
//! normalisation of `..`, `%2F` or backslashes), and throwaway crates built with cargo.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod cargo_project;
pub mod corpus;
pub mod curl;
pub mod docs;
pub mod log;
pub mod pki;
pub mod processes;
pub mod scratch;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Completes when its [`TestServer`] is dropped.
#[derive(Debug)]
pub struct StopSignal(tokio::sync::oneshot::Receiver<()>);

impl std::future::IntoFuture for StopSignal {
    type Output = ();
    type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let _ = self.0.await;
        })
    }
}

/// A server running an axum router on `127.0.0.1:<free port>` in a background thread,
/// shut down on drop.
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts serving `router` with `axum::serve`.
    pub fn start(router: axum::Router) -> Self {
        Self::start_with(move |listener, stopped| async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(std::future::IntoFuture::into_future(stopped))
                .await
                .unwrap();
        })
    }

    /// Starts serving `service` with `server` ([`hyper_assets::serve`]'s loop).
    pub fn start_server<S, B>(server: hyper_assets::server::Server, service: S) -> Self
    where
        S: tower::Service<
                axum::http::Request<hyper_assets::server::RequestBody>,
                Response = axum::http::Response<B>,
            > + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Self::start_with(move |listener, stopped| async move {
            server
                .with_graceful_shutdown(stopped)
                .serve(listener, service)
                .await
                .unwrap();
        })
    }

    /// Starts `serve(listener, stop)` on a current-thread runtime of its own; `stop`
    /// completes when the server is dropped.
    pub fn start_with<F, Fut>(serve: F) -> Self
    where
        F: FnOnce(tokio::net::TcpListener, StopSignal) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()>,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                serve(listener, StopSignal(stopped)).await;
            });
        });
        Self {
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// Starts the actix-web server `serve` builds on the listener (one worker, signals
    /// off: `HttpServer::new(...).workers(1).disable_signals().listen(listener)?.run()`)
    /// on an actix system of its own; stopped when the server is dropped.
    pub fn start_actix<F>(serve: F) -> Self
    where
        F: FnOnce(std::net::TcpListener) -> std::io::Result<actix_web::dev::Server>
            + Send
            + 'static,
    {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = serve(listener).unwrap();
                let handle = server.handle();
                actix_web::rt::spawn(async move {
                    let _ = stopped.await;
                    handle.stop(false).await;
                });
                server.await.unwrap();
            });
        });
        Self {
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends `GET path` with extra header lines (`"Name: value"`).
    pub fn get(&self, path: &str, headers: &[&str]) -> RawResponse {
        self.send("GET", path, headers)
    }

    /// Sends a request with `method`, `path` and extra header lines.
    pub fn send(&self, method: &str, path: &str, headers: &[&str]) -> RawResponse {
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
        for header in headers {
            request.push_str(header);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        raw_request(self.addr, request.as_bytes())
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A response as it came off the wire.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// Status code.
    pub status: u16,
    /// Header lines in order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Every byte after the header block, until the server closed the connection.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The only value of header `name`; panics if it appears more than once.
    pub fn header<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        let mut values = self.headers_named(name);
        let first = values.next();
        assert!(values.next().is_none(), "header {name} appears twice");
        first
    }

    /// Every value of header `name`.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Writes `request` to a new connection and reads the response until the server closes.
pub fn raw_request(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    parse_response(&bytes)
}

fn parse_response(bytes: &[u8]) -> RawResponse {
    let split = bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header block in {:?}", String::from_utf8_lossy(bytes)));
    let head = std::str::from_utf8(&bytes[..split]).unwrap();
    let (status, headers) = parse_head(head.split("\r\n"));
    let mut response = RawResponse {
        status,
        headers,
        body: bytes[split + 4..].to_vec(),
    };
    if response
        .headers_named("transfer-encoding")
        .any(|value| value.eq_ignore_ascii_case("chunked"))
    {
        response.body = dechunk(&response.body);
    }
    response
}

/// The status code and the headers (names lowercased) of a response head, given as its
/// lines: the status line first, then one header per line.
pub(crate) fn parse_head<'a>(
    mut lines: impl Iterator<Item = &'a str>,
) -> (u16, Vec<(String, String)>) {
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    (status, headers)
}

/// Decodes a `Transfer-Encoding: chunked` body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|window| window == b"\r\n")
            .expect("chunk size line");
        let size_text = std::str::from_utf8(&raw[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        raw = &raw[line_end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}
