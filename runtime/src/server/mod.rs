//! [`serve`] and [`Server`]: a server loop that holds up without a proxy in front
//! (feature `server`, on by default): HTTP/1.1 in cleartext, and with the `tls` feature
//! HTTPS with HTTP/2 or HTTP/1.1 by ALPN.
//!
//! `axum::serve` is made for development and for servers behind a proxy: it sets no
//! header-read timeout, closes no idle keep-alive connection and accepts until the
//! process runs out of file descriptors, after which it answers nobody. This loop keeps
//! the same shape (a listener and a tower service) and adds the limits a lone binary
//! serving the web needs:
//!
//! - **a header-read timeout** (default 10 s), which also closes a keep-alive connection
//!   that stays idle that long between requests (hyper's `header_read_timeout`, which
//!   runs from the end of one response to the end of the next request's head): a
//!   slowloris client, or a browser that keeps six idle connections, holds a slot for at
//!   most that long;
//! - **a connection cap** (default 1,024, and never more than the process's open-file
//!   limit allows, less a reserve for files and logs), so `accept` never fails with "Too
//!   many open files". At the cap, a new client takes the slot of the connection idle
//!   longest (a keep-alive waiting for its next request, or a client still sending its
//!   head); a connection answering a request is never closed for it. Only when every
//!   connection is busy does the new client wait, for the first to go idle;
//! - **accept errors that back off** (100 ms, logged once a second at most) rather than
//!   spinning;
//! - `TCP_NODELAY` on every connection, and an optional graceful shutdown that stops
//!   accepting and lets open requests finish.
//!
//! In cleartext it speaks HTTP/1.1 only: browsers use HTTP/2 only over TLS. With the
//! `tls` feature and a certificate (`Server::tls`, or the settings `TLS_CERT` and
//! `TLS_KEY`) it serves HTTPS: TLS 1.2 and 1.3 (rustls, `ring` provider), no 0-RTT, ALPN
//! `h2` then `http/1.1`, and HTTP/2 when the client picks `h2`, HTTP/1.1 otherwise.
//!
//! - **the handshake has a deadline** (`TLS_HANDSHAKE_TIMEOUT`, default 10 s), and the
//!   connection cap counts a connection from accept, before its handshake;
//! - **HTTP/2 limits**: at most 128 concurrent streams per connection; a header list of
//!   at most 16 KiB; at most 20 streams reset by the client and not yet accepted (Rapid
//!   Reset, CVE-2023-44487); at most 256 streams reset by the server for the client's
//!   errors over the connection's life (MadeYouReset, CVE-2025-8671); and a ping every
//!   header-read timeout that closes a connection whose client stops answering within
//!   that time. Past a limit, the connection gets GOAWAY (ENHANCE_YOUR_CALM). An endless
//!   CONTINUATION is bounded by the header list, not by a timer: h2 (0.4.21) ends a
//!   header block after 5 CONTINUATION frames (its cap for a 16 KiB list in 16 KiB
//!   frames), and one that grows past the list's size sooner; empty-DATA floods by h2
//!   itself (0.4.16 and later);
//! - **idle and stalled HTTP/2 connections close**: one with no stream open for the
//!   header-read timeout gets a GOAWAY (hyper has no such timer), even if its client
//!   answers every ping; a request head that never ends (an endless CONTINUATION) is no
//!   open stream. So does one whose every open stream is stalled that long: its response
//!   waits for hyper to send it and hyper polls no body (a client that gives no
//!   flow-control window); a body waiting for the app (server-sent events, a long poll)
//!   is not stalled. A client still there one timeout after the GOAWAY, with still no
//!   progress, is dropped. At the cap, an HTTP/2 connection with no stream open is idle
//!   like a keep-alive, and one stalled for a quarter of the timeout may be closed too;
//! - **the certificate reloads without a restart** when its files change (looked at every
//!   second), on `SIGHUP` (Unix), or through a `TlsReload` handle: new handshakes get
//!   the new one, open connections keep theirs, and a bad new file is logged (a warning
//!   naming the setting) while the certificate in use stays;
//! - optionally **`Strict-Transport-Security`** on HTTPS responses (`Server::hsts`,
//!   `TLS_HSTS`), and **a plain-HTTP listener that redirects to HTTPS**
//!   (`Server::redirect_http`, `TLS_REDIRECT_ADDR`; `Server::redirect_port`,
//!   `TLS_REDIRECT_PORT`, for the public port behind a port mapping), served by this same
//!   loop.
//!
//! With a [`Site`](crate::Site), [`Site::serve`](crate::Site::serve) serves the app inside
//! the one layer ([`Site::service`](crate::Site::service): outside the app's router, so
//! that asset requests are answered before the router sees them), with the limits of its
//! settings (`HTTP_HEADER_TIMEOUT`, `HTTP_MAX_CONNECTIONS`):
//!
//! ```no_run
//! hyper_assets::hyper_assets!("static");
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use axum::{routing::get, Router};
//!
//! let site = hyper_assets::Site::from_env(&assets::EMBEDDED)?.build()?;
//! let app = Router::new().route("/", get(|| async { "hello" }));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! site.serve(listener, app).await?; // or: hyper_assets::serve(listener, site.service(app))
//! # Ok(()) }
//! ```

use http::{Request, Response};
use http_body::Body as HttpBody;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::{Future, IntoFuture};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore, TryAcquireError};
use tower_service::Service;

#[cfg(feature = "tls")]
mod hsts;
#[cfg(feature = "tls")]
mod redirect;
#[cfg(feature = "tls")]
mod reload;
mod request_body;
mod shedding;
#[cfg(feature = "tls")]
mod tls;

#[cfg(feature = "tls")]
pub use reload::TlsReload;
pub use request_body::{BodyTimeout, RequestBody};
use shedding::{Registry, Tracked, TrackedIo};
#[cfg(feature = "tls")]
pub use tls::TlsError;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The header-read (and keep-alive idle) timeout of a [`Server`] unless set.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The connection cap of a [`Server`] unless set (lowered to fit the open-file limit).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Descriptors kept free of connections under the open-file limit: the listener,
/// standard streams, logs, and files that dev mode or a bust reads.
const RESERVED_DESCRIPTORS: usize = 32;
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// How often a client waiting at the cap looks again for a connection gone idle.
const SHED_RETRY: Duration = Duration::from_millis(20);
/// The TLS handshake deadline of a [`Server`] unless set.
pub const DEFAULT_TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// HTTP/2: streams open at once on one connection.
#[cfg(feature = "tls")]
const H2_MAX_CONCURRENT_STREAMS: u32 = 128;
/// HTTP/2: the largest header list a client may send (decoded), in bytes.
#[cfg(feature = "tls")]
const H2_MAX_HEADER_LIST: u32 = 16 * 1024;
/// HTTP/2: streams the client reset before the server accepted them (Rapid Reset).
#[cfg(feature = "tls")]
const H2_MAX_PENDING_RESETS: usize = 20;
/// HTTP/2: streams the server may reset because the client erred (a malformed request, a
/// flow-control violation) over a connection's life, before it answers GOAWAY
/// (ENHANCE_YOUR_CALM): MadeYouReset (CVE-2025-8671) makes the server reset streams that
/// the client's limit on concurrent streams then no longer counts. hyper's default is
/// 1,024; a browser makes none of these errors.
#[cfg(feature = "tls")]
const H2_MAX_LOCAL_ERROR_RESETS: usize = 256;
/// HTTP/2: how long a connection with no stream open may take to send its GOAWAY when the
/// server stops, before it is dropped.
#[cfg(feature = "tls")]
const H2_GOAWAY_FLUSH: Duration = Duration::from_millis(100);

/// Serves `service` on `listener` with the default limits of [`Server`], until an
/// unrecoverable error (never, in practice: accept errors back off and retry).
pub async fn serve<S, B>(listener: TcpListener, service: S) -> io::Result<()>
where
    S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    Server::new().serve(listener, service).await
}

/// A server loop with a header-read timeout and a connection cap: HTTP/1.1 in cleartext,
/// and HTTP/2 or HTTP/1.1 over TLS with [`Server::tls`] (feature `tls`); see the
/// [module](self) docs.
pub struct Server {
    header_read_timeout: Duration,
    max_connections: usize,
    shutdown: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    /// Logged (at `info`) once the server is ready to accept: after its certificate has
    /// loaded, so a start-up error is never preceded by "serving".
    announce: Vec<String>,
    #[cfg(feature = "tls")]
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    #[cfg(feature = "tls")]
    tls_handshake_timeout: Duration,
    #[cfg(feature = "tls")]
    tls_reload: Option<TlsReload>,
    #[cfg(feature = "tls")]
    reload_on_sighup: bool,
    #[cfg(feature = "tls")]
    hsts: Option<http::HeaderValue>,
    #[cfg(feature = "tls")]
    redirect: Option<Redirect>,
    #[cfg(feature = "tls")]
    redirect_port: Option<u16>,
}

/// The plain-HTTP listener that redirects to HTTPS (feature `tls`).
#[cfg(feature = "tls")]
enum Redirect {
    /// `TLS_REDIRECT_ADDR`, bound when the server starts.
    Addr(std::net::SocketAddr),
    /// A listener given to [`Server::redirect_http`].
    Listener(TcpListener),
}

#[cfg(feature = "tls")]
impl Redirect {
    /// The listener, bound now if only its address was given; an error names the setting.
    async fn bind(self) -> io::Result<TcpListener> {
        match self {
            Self::Listener(listener) => Ok(listener),
            Self::Addr(addr) => TcpListener::bind(addr).await.map_err(|error| {
                io::Error::new(
                    error.kind(),
                    format!(
                        "TLS_REDIRECT_ADDR={addr} cannot be listened on: {error} (the \
                         plain-HTTP listener that redirects to HTTPS)"
                    ),
                )
            }),
        }
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("graceful_shutdown", &self.shutdown.is_some())
            .field("tls", &self.tls_files())
            .finish_non_exhaustive()
    }
}

impl Default for Server {
    fn default() -> Self {
        Self::new()
    }
}

impl Server {
    /// The defaults: [`DEFAULT_HEADER_READ_TIMEOUT`], [`DEFAULT_MAX_CONNECTIONS`], no
    /// graceful shutdown.
    pub fn new() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            shutdown: None,
            announce: Vec::new(),
            #[cfg(feature = "tls")]
            tls: None,
            #[cfg(feature = "tls")]
            tls_handshake_timeout: DEFAULT_TLS_HANDSHAKE_TIMEOUT,
            #[cfg(feature = "tls")]
            tls_reload: None,
            #[cfg(feature = "tls")]
            reload_on_sighup: true,
            #[cfg(feature = "tls")]
            hsts: None,
            #[cfg(feature = "tls")]
            redirect: None,
            #[cfg(feature = "tls")]
            redirect_port: None,
        }
    }

    /// The certificate and key files this server serves HTTPS with, if any.
    fn tls_files(&self) -> Option<(&std::path::Path, &std::path::Path)> {
        #[cfg(feature = "tls")]
        return self
            .tls
            .as_ref()
            .map(|(cert, key)| (cert.as_path(), key.as_path()));
        #[cfg(not(feature = "tls"))]
        None
    }

    /// Serves HTTPS with this certificate chain and private key, both PEM files (feature
    /// `tls`). They are read when [`Server::serve`] starts, which fails with a
    /// [`TlsError`] (as the [`io::Error`]'s inner error) if they cannot serve.
    ///
    /// **`SIGHUP`** (Unix): while a TLS server serves, `SIGHUP` reloads the certificate
    /// and key, and no longer ends the process (turn this off with
    /// [`Server::reload_on_sighup`]). The server drops its `SIGHUP` listener when it
    /// stops accepting, but tokio never gives the signal back its default action: from
    /// the first TLS server's start to the end of the process, a `SIGHUP` that no
    /// listener takes is ignored rather than ending the process.
    #[cfg(feature = "tls")]
    pub fn tls(
        mut self,
        cert: impl Into<std::path::PathBuf>,
        key: impl Into<std::path::PathBuf>,
    ) -> Self {
        self.tls = Some((cert.into(), key.into()));
        self
    }

    /// How long a client has, from accept, to finish its TLS handshake (feature `tls`;
    /// default [`DEFAULT_TLS_HANDSHAKE_TIMEOUT`]). Zero is taken as one millisecond.
    #[cfg(feature = "tls")]
    pub fn tls_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.tls_handshake_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Whether `SIGHUP` reloads the certificate and key (feature `tls`, Unix; on by
    /// default, and with [`Server::from_settings`] and [`Site::serve`](crate::Site::serve)).
    /// Off, the server leaves `SIGHUP` alone: it keeps its default action (ending the
    /// process) unless something else in the process listens for it. The files are still
    /// watched, and a [`TlsReload`] handle still works.
    #[cfg(feature = "tls")]
    pub fn reload_on_sighup(mut self, on: bool) -> Self {
        self.reload_on_sighup = on;
        self
    }

    /// Reads the certificate and key again when `handle` asks (feature `tls`), besides
    /// when their files change and on `SIGHUP`; see [`TlsReload`].
    #[cfg(feature = "tls")]
    pub fn tls_reload(mut self, handle: TlsReload) -> Self {
        self.tls_reload = Some(handle);
        self
    }

    /// Sends `Strict-Transport-Security: <value>` on every HTTPS response that has none
    /// (feature `tls`; the setting `TLS_HSTS`). Never over plain HTTP, nor on the
    /// redirect listener's answers; [`Server::serve`] fails without [`Server::tls`].
    ///
    /// ```
    /// use http::HeaderValue;
    /// let server = hyper_assets::server::Server::new()
    ///     .hsts(HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    /// ```
    #[cfg(feature = "tls")]
    pub fn hsts(mut self, value: http::HeaderValue) -> Self {
        self.hsts = Some(value);
        self
    }

    /// Also serves `listener` in plain HTTP, answering every request there with
    /// `308 Permanent Redirect` to the same host and path over HTTPS on the port of the
    /// listener given to [`Server::serve`] (feature `tls`; the setting
    /// `TLS_REDIRECT_ADDR`). The request's `Host` must be a host name or an IP address,
    /// else the answer is `400 Bad Request`. This listener has the same header-read
    /// timeout and shares the connection cap: it reserves an eighth of the cap (at least
    /// one connection); HTTPS gets the rest, so the two never exceed the cap together. The
    /// graceful shutdown stops it too. [`Server::serve`] fails without [`Server::tls`],
    /// and with an effective cap below 2, which leaves no room for two listeners.
    #[cfg(feature = "tls")]
    pub fn redirect_http(mut self, listener: TcpListener) -> Self {
        self.redirect = Some(Redirect::Listener(listener));
        self
    }

    /// The HTTPS port the redirects of [`Server::redirect_http`] name, in place of the
    /// port of the listener given to [`Server::serve`] (feature `tls`; the setting
    /// `TLS_REDIRECT_PORT`): for clients that reach HTTPS on another port than the server
    /// listens on, as behind a port mapping (Docker's `-p 443:8443` takes 443). 443 leaves
    /// the port out of the `Location`; with a redirect listener, [`Server::serve`] refuses
    /// 0.
    #[cfg(feature = "tls")]
    pub fn redirect_port(mut self, port: u16) -> Self {
        self.redirect_port = Some(port);
        self
    }

    /// Logs `line` at `info` once the server is ready to accept (its certificate loaded).
    pub(crate) fn announce(mut self, line: String) -> Self {
        self.announce.push(line);
        self
    }

    /// The limits of `settings` (`HTTP_HEADER_TIMEOUT`, `HTTP_MAX_CONNECTIONS`), and with
    /// the `tls` feature its certificate (`TLS_CERT`, `TLS_KEY`,
    /// `TLS_HANDSHAKE_TIMEOUT`), `TLS_HSTS`, `TLS_REDIRECT_ADDR` (bound by
    /// [`Server::serve`], whose error names the setting if it cannot listen there) and
    /// `TLS_REDIRECT_PORT`.
    pub fn from_settings(settings: &crate::Settings) -> Self {
        let server = Self::new()
            .header_read_timeout(settings.header_timeout())
            .max_connections(settings.max_connections());
        #[cfg(feature = "tls")]
        let server = {
            let mut server = server.tls_handshake_timeout(settings.tls_handshake_timeout());
            if let Some((cert, key)) = settings.tls() {
                server = server.tls(cert, key);
            }
            // Checked when the settings were built: a valid header value.
            if let Some(value) = settings
                .tls_hsts()
                .and_then(|hsts| http::HeaderValue::from_str(hsts).ok())
            {
                server = server.hsts(value);
            }
            if let Some(addr) = settings.tls_redirect_addr() {
                server.redirect = Some(Redirect::Addr(addr));
            }
            server.redirect_port = settings.tls_redirect_port();
            server
        };
        server
    }

    /// How long a client may take to send a request's head, and how long a keep-alive
    /// connection may stay idle between requests. Zero is taken as one millisecond.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// At most this many connections open at once (at least 1; lowered at start-up, with
    /// a warning, when the open-file limit cannot hold that many).
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Stops accepting when `signal` completes, then waits for the open connections to
    /// finish their requests (idle ones close at once, HTTP/2 ones with no stream open
    /// too). An HTTP/2 connection gets a GOAWAY, and its open streams finish; one whose
    /// streams make no progress (a client that gives no window) for the header-read
    /// timeout is dropped, so the wait is bounded by clients that are still reading.
    ///
    /// ```no_run
    /// # async fn run(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
    /// hyper_assets::server::Server::new()
    ///     .with_graceful_shutdown(async { drop(tokio::signal::ctrl_c().await) })
    ///     .serve(listener, app)
    ///     .await
    /// # }
    /// ```
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl IntoFuture<Output = (), IntoFuture: Send + 'static>,
    ) -> Self {
        self.shutdown = Some(Box::pin(signal.into_future()));
        self
    }

    /// The connection cap this server runs with: [`Server::max_connections`], lowered to
    /// fit the process's open-file limit where the system reports one.
    pub fn effective_max_connections(&self) -> usize {
        // The semaphore's own bound, and the shutdown's wait for all slots (a u32).
        let cap = self
            .max_connections
            .min(Semaphore::MAX_PERMITS)
            .min(u32::MAX as usize);
        match open_file_limit() {
            Some(limit) => cap.min(limit.saturating_sub(RESERVED_DESCRIPTORS).max(1)),
            None => cap,
        }
    }

    /// Serves `service` on `listener` until the graceful shutdown signal (if any) has
    /// completed and the open connections have finished.
    ///
    /// # Errors
    /// With TLS, a certificate or key that cannot serve: an error of kind
    /// [`io::ErrorKind::InvalidInput`] whose inner error is a `TlsError` naming the
    /// setting (`TLS_CERT` or `TLS_KEY`); a redirect listener or HSTS without TLS, a
    /// redirect listener with a connection cap below 2, or one whose port is 0, of the
    /// same kind. A
    /// `TLS_REDIRECT_ADDR` that cannot be bound: an error of the bind's kind whose
    /// sentence names the setting. Otherwise only if the connection cap's bookkeeping fails, which it does not
    /// in practice.
    pub async fn serve<S, B>(self, listener: TcpListener, service: S) -> io::Result<()>
    where
        S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: HttpBody + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let cap = self.effective_max_connections();
        if cap < self.max_connections {
            tracing::warn!(
                "hyper-assets: serving at most {cap} connections at once, not {}: the \
                 open-file limit (`ulimit -n`) leaves room for no more",
                self.max_connections
            );
        }
        let header_read_timeout = self.header_read_timeout;
        #[cfg(not(feature = "tls"))]
        {
            announce(&self.announce);
            accept_loop(listener, service, cap, header_read_timeout, self.shutdown).await
        }
        #[cfg(feature = "tls")]
        {
            let mut shutdown = self.shutdown;
            let Some((cert, key)) = &self.tls else {
                if self.redirect.is_some() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "a plain-HTTP redirect listener (TLS_REDIRECT_ADDR) needs TLS: set \
                         TLS_CERT and TLS_KEY too",
                    ));
                }
                if self.hsts.is_some() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "Strict-Transport-Security (TLS_HSTS) is sent over HTTPS only: set \
                         TLS_CERT and TLS_KEY too",
                    ));
                }
                announce(&self.announce);
                return accept_loop(listener, service, cap, header_read_timeout, shutdown, None)
                    .await;
            };
            let invalid = |error| io::Error::new(io::ErrorKind::InvalidInput, error);
            if self.redirect.is_some() && cap < 2 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "a plain-HTTP redirect listener (TLS_REDIRECT_ADDR) needs a \
                         connection cap (HTTP_MAX_CONNECTIONS, and the open-file limit) of \
                         at least 2, one for each listener: it is {cap}"
                    ),
                ));
            }
            if self.redirect.is_some() && self.redirect_port == Some(0) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the HTTPS port the redirects name (TLS_REDIRECT_PORT, \
                     Server::redirect_port) is 0: give the port clients reach HTTPS on, 1 \
                     to 65535",
                ));
            }
            // Bound first: an address in use is reported before the files are read.
            let mut lines = self.announce;
            let redirect = match self.redirect {
                Some(redirect) => {
                    let redirect = redirect.bind().await?;
                    lines.push(format!(
                        "hyper-assets: redirecting http://{} to HTTPS",
                        redirect
                            .local_addr()
                            .map_or_else(|error| error.to_string(), |addr| addr.to_string()),
                    ));
                    Some(redirect)
                }
                None => None,
            };
            // File I/O stays off the executor's threads, as on reload.
            let (cert, key) = (cert.clone(), key.clone());
            let certificates =
                tokio::task::spawn_blocking(move || tls::Certificates::load(&cert, &key))
                    .await
                    .map_err(io::Error::other)?
                    .map_err(invalid)?;
            let certificates = Arc::new(certificates);
            let config = tls::Certificates::config(&certificates).map_err(invalid)?;
            announce(&lines);
            let mut h2 =
                hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new());
            h2.timer(TokioTimer::new())
                .max_concurrent_streams(H2_MAX_CONCURRENT_STREAMS)
                .max_header_list_size(H2_MAX_HEADER_LIST)
                .max_pending_accept_reset_streams(H2_MAX_PENDING_RESETS)
                .max_local_error_reset_streams(H2_MAX_LOCAL_ERROR_RESETS)
                .keep_alive_interval(header_read_timeout)
                .keep_alive_timeout(header_read_timeout);
            let https = Arc::new(Https {
                acceptor: tokio_rustls::TlsAcceptor::from(config),
                h2,
                handshake_timeout: self.tls_handshake_timeout,
                hsts: self.hsts,
            });
            // Changes when the HTTPS listener stops accepting (or is gone): the
            // certificate watcher and the redirect listener stop with it.
            let (halt, halted) = watch::channel(false);
            // Dropped with the watcher when the server stops accepting.
            let hangup = if self.reload_on_sighup {
                reload::hangup()
            } else {
                None
            };
            tokio::spawn(reload::watch(
                certificates,
                hangup,
                self.tls_reload,
                halted.clone(),
            ));
            let (cap, redirect) = match redirect {
                Some(redirect) => {
                    // The two listeners share the cap, an eighth of it for redirects
                    // (at least one; the cap is at least 2 here), the rest for HTTPS.
                    let share = (cap / 8).max(1);
                    let port = match self.redirect_port {
                        Some(port) => port,
                        None => listener.local_addr()?.port(),
                    };
                    let mut halted = halted;
                    let stop = Box::pin(async move { drop(halted.changed().await) });
                    let task = tokio::spawn(accept_loop(
                        redirect,
                        redirect::RedirectToHttps { port },
                        share,
                        header_read_timeout,
                        Some(stop),
                        None,
                    ));
                    (cap - share, Some(task))
                }
                None => (cap, None),
            };
            let stop = Box::pin(async move {
                wait(&mut shutdown).await;
                let _ = halt.send(true);
            });
            let served = accept_loop(
                listener,
                service,
                cap,
                header_read_timeout,
                Some(stop),
                Some(https),
            )
            .await;
            if let Some(task) = redirect {
                task.await.map_err(io::Error::other)??;
            }
            served
        }
    }
}

/// What a connection over TLS needs beyond the cleartext loop (feature `tls`).
#[cfg(feature = "tls")]
struct Https {
    acceptor: tokio_rustls::TlsAcceptor,
    h2: hyper::server::conn::http2::Builder<hyper_util::rt::TokioExecutor>,
    handshake_timeout: Duration,
    hsts: Option<http::HeaderValue>,
}

/// Accepts on `listener` until `shutdown` completes, then waits for the open connections
/// to finish.
async fn accept_loop<S, B>(
    listener: TcpListener,
    service: S,
    cap: usize,
    header_read_timeout: Duration,
    mut shutdown: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    #[cfg(feature = "tls")] https: Option<Arc<Https>>,
) -> io::Result<()>
where
    S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let slots = Arc::new(Semaphore::new(cap));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let builder = Arc::new(builder);
    // Closed (sender dropped or sent) when shutting down: connections finish and stop.
    let (stop, stopping) = watch::channel(false);
    let mut last_logged: Option<Instant> = None;
    let registry = Arc::new(Registry::default());
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = wait(&mut shutdown) => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                let quiet =
                    matches!(last_logged, Some(at) if at.elapsed() < Duration::from_secs(1));
                if !quiet {
                    tracing::error!("hyper-assets: accept failed ({error}); retrying");
                    last_logged = Some(Instant::now());
                }
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(TryAcquireError::Closed) => return Err(io::Error::other("slots closed")),
            Err(TryAcquireError::NoPermits) => {
                // At the cap: the connection idle longest makes room for this one
                // (its slot comes back when its task is dropped). If all are busy,
                // this client waits for a slot, looking again every few milliseconds
                // for a connection that has gone idle since.
                let mut slot = None;
                // One connection closed per waiting client: its slot is on its way.
                let mut made_room = false;
                while slot.is_none() {
                    if !made_room {
                        made_room = registry.shed_one();
                    }
                    tokio::select! {
                        acquired = Arc::clone(&slots).acquire_owned() => {
                            slot = Some(acquired.map_err(io::Error::other)?);
                        }
                        () = tokio::time::sleep(SHED_RETRY) => {}
                        () = wait(&mut shutdown) => break,
                    }
                }
                match slot {
                    Some(slot) => slot,
                    None => break,
                }
            }
        };
        // Small responses go out at once rather than waiting for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let (state, registered) = registry.connection();
        let tracked = Tracked {
            inner: service.clone(),
            state: Arc::clone(&state),
            body_timeout: header_read_timeout,
        };
        let mut stopping = stopping.clone();
        let id = registered.id();
        let builder = Arc::clone(&builder);
        #[cfg(feature = "tls")]
        let https = https.clone();
        let task = tokio::spawn(async move {
            let _slot = slot;
            // Forgets the connection when the task ends, however it ends.
            let _registered = registered;
            #[cfg(feature = "tls")]
            if let Some(https) = https {
                // The handshake holds its slot (counted from accept) and has a
                // deadline; a shutdown drops it.
                let handshake =
                    tokio::time::timeout(https.handshake_timeout, https.acceptor.accept(stream));
                let stream = tokio::select! {
                    done = handshake => match done {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(error)) => {
                            tracing::debug!("hyper-assets: TLS handshake failed: {error}");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!("hyper-assets: TLS handshake timed out");
                            return;
                        }
                    },
                    _ = stopping.changed() => return,
                };
                let is_h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
                let io = TrackedIo::new(TokioIo::new(stream), Arc::clone(&state));
                let service = TowerToHyperService::new(hsts::Hsts {
                    inner: tracked,
                    value: https.hsts.clone(),
                });
                if is_h2 {
                    // Before the first request: its bodies are watched for stalls.
                    state.set_h2();
                    let idle = shedding::IdleWatch::new(state, header_read_timeout);
                    run_h2(https.h2.serve_connection(io, service), idle, stopping).await;
                } else {
                    run_connection!(builder.serve_connection(io, service), stopping);
                }
                return;
            }
            let io = TrackedIo::new(TokioIo::new(stream), state);
            let service = TowerToHyperService::new(tracked);
            run_connection!(builder.serve_connection(io, service), stopping);
        });
        registry.started(id, task.abort_handle());
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a slot until it ends: all slots back means all done.
    let _all = slots
        .acquire_many(u32::try_from(cap).unwrap_or(u32::MAX))
        .await
        .map_err(io::Error::other)?;
    Ok(())
}

/// Drives one hyper connection until it ends, or shuts it down gracefully (HTTP/1.1: after
/// the request in flight; HTTP/2: GOAWAY, open streams finish) when `stopping` changes.
macro_rules! run_connection {
    ($connection:expr, $stopping:expr) => {{
        let mut connection = std::pin::pin!($connection);
        tokio::select! {
            _ = connection.as_mut() => {}
            _ = $stopping.changed() => {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        }
    }};
}
use run_connection;

/// Drives one HTTP/2 connection (feature `tls`).
///
/// - GOAWAY when the connection has made no progress for the header-read timeout: no
///   stream open, or every open stream stalled on a client that gives no window (see
///   [`shedding::IdleWatch`]). Streams that progress finish; a client that keeps the
///   connection with no progress for one more timeout is dropped.
/// - When the server stops: a connection with no stream open ends at once (after a
///   moment to send its GOAWAY; hyper's graceful shutdown does nothing to one whose client
///   has not sent its preface yet). Otherwise GOAWAY, and open streams finish while they
///   progress: one more timeout with no progress drops the connection.
#[cfg(feature = "tls")]
async fn run_h2<I, S, B, E>(
    connection: hyper::server::conn::http2::Connection<I, S, E>,
    mut idle: shedding::IdleWatch,
    mut stopping: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = B>,
    S::Error: Into<BoxError>,
    B: HttpBody + 'static,
    B::Error: Into<BoxError>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, B>,
{
    let mut connection = std::pin::pin!(connection);
    let mut going_away = false;
    let mut stop_seen = false;
    loop {
        tokio::select! {
            _ = connection.as_mut() => return,
            _ = stopping.changed(), if !stop_seen => {
                stop_seen = true;
                if !going_away {
                    going_away = true;
                    connection.as_mut().graceful_shutdown();
                }
                if idle.no_stream_open() {
                    let _ = tokio::time::timeout(H2_GOAWAY_FLUSH, connection.as_mut()).await;
                    return;
                }
            }
            () = idle.expired() => {
                if going_away {
                    return;
                }
                going_away = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Logs the lines a [`Site`](crate::Site) gave, once the server is ready.
fn announce(lines: &[String]) {
    for line in lines {
        tracing::info!("{line}");
    }
}

/// Waits for the shutdown signal, or forever without one.
async fn wait(signal: &mut Option<Pin<Box<dyn Future<Output = ()> + Send>>>) {
    match signal {
        Some(future) => future.as_mut().await,
        None => std::future::pending().await,
    }
}

/// Errors of one connection that was already gone when accepted: nothing to wait for.
fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// The soft open-file limit, where the system reports it (Linux: `/proc/self/limits`).
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    parse_open_file_limit(&limits)
}

fn parse_open_file_limit(limits: &str) -> Option<usize> {
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    let soft = line["Max open files".len()..].split_whitespace().next()?;
    soft.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_open_file_limit_is_read_from_proc_limits() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max cpu time              unlimited            unlimited            seconds   \n\
                      Max open files            128                  1048576              files     \n";
        assert_eq!(parse_open_file_limit(limits), Some(128));
        assert_eq!(
            parse_open_file_limit("Max open files unlimited unlimited files"),
            None
        );
        assert_eq!(parse_open_file_limit("Max processes 10 10"), None);
    }

    #[test]
    fn the_cap_never_exceeds_what_the_open_file_limit_holds() {
        let server = Server::new().max_connections(usize::MAX);
        if let Some(limit) = open_file_limit() {
            assert_eq!(
                server.effective_max_connections(),
                limit.saturating_sub(RESERVED_DESCRIPTORS).max(1)
            );
        }
        assert_eq!(Server::new().max_connections(0).max_connections, 1);
    }
}
