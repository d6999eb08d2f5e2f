//! The tower service that serves a [`Manifest`] from memory, or its folder from disk in
//! dev mode, through one response function.

use super::request_path;
use super::respond::{self, IMMUTABLE_VALUE, REVALIDATE_VALUE};
use super::served_file::{FileSet, Name};
use crate::dev::DevAssets;
use crate::manifest::Manifest;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response};
use http_body_util::Full;
use pin_project_lite::pin_project;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

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
/// In dev mode ([`StaticService::with_dev`]) the files come from disk and every name of
/// a file answers its current bytes with `Cache-Control: no-cache`; the answer is built
/// by the same function, so 304, ranges, HEAD and 405 behave as in a release build. The
/// disk is read on tokio's blocking pool, never on the executor.
///
/// ```
/// use hyper_assets::{Manifest, serving::StaticService};
///
/// fn static_files(manifest: &'static Manifest) -> StaticService {
///     // With axum: Router::new().fallback_service(manifest.service())
///     manifest.service()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct StaticService {
    manifest: &'static Manifest,
    files: Arc<FileSet>,
    nested: bool,
    dev: Option<DevAssets>,
}

impl StaticService {
    /// Serves `manifest` at its own prefix. Builds the header values of every file once.
    pub fn new(manifest: &'static Manifest) -> Self {
        Self {
            manifest,
            files: Arc::new(FileSet::from_manifest(manifest)),
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

    /// Dev mode's view of the folder, when it serves from disk.
    pub(crate) fn dev(&self) -> Option<&DevAssets> {
        self.dev.as_ref()
    }

    /// The part of `path` after the prefix, if the path is under it.
    pub(crate) fn strip<'a>(&self, path: &'a str) -> Option<&'a str> {
        if self.nested {
            path.strip_prefix('/')
        } else {
            path.strip_prefix(self.manifest.prefix())
        }
    }

    /// Answers a request given its method, URL path and headers. In dev mode this reads
    /// the disk on the calling thread; the [`Service`](tower_service::Service) does it on
    /// the blocking pool.
    pub fn respond(&self, method: &Method, path: &str, headers: &HeaderMap) -> Response<Body> {
        self.answer(method, path, headers).map(Full::new)
    }

    /// [`StaticService::respond`] with a plain body.
    pub(crate) fn answer(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Response<Bytes> {
        let Some(rest) = self.strip(path) else {
            return respond::status(http::StatusCode::NOT_FOUND);
        };
        let canonical = match request_path::decode(rest) {
            Ok(canonical) => canonical,
            Err(code) => return respond::status(code),
        };
        match &self.dev {
            None => answer_from(&self.files, false, method, &canonical, headers),
            Some(dev) => match dev.snapshot() {
                Ok(snapshot) => answer_from(snapshot.files(), true, method, &canonical, headers),
                Err(error) => respond::dev_failure(&error),
            },
        }
    }
}

/// The answer for a decoded path among `files`: embedded files are immutable under their
/// hashed name and redirect from another build's; in dev mode every name answers the
/// current bytes, revalidated.
fn answer_from(
    files: &FileSet,
    dev: bool,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Response<Bytes> {
    let Some((file, name)) = files.find(path) else {
        return respond::status(http::StatusCode::NOT_FOUND);
    };
    match (name, dev) {
        (_, true) | (Name::Canonical, false) => {
            respond::respond(method, headers, file, REVALIDATE_VALUE)
        }
        (Name::Hashed, false) => respond::respond(method, headers, file, IMMUTABLE_VALUE),
        (Name::OtherBuild, false) => respond::redirect(method, file),
    }
}

pin_project! {
    /// The response future of [`StaticService`]: ready at once from memory, or waiting
    /// for the blocking pool in dev mode.
    #[project = StaticFutureProjection]
    #[allow(missing_docs)]
    pub enum StaticFuture {
        Ready { response: Option<Response<Bytes>> },
        Blocking { task: Pin<Box<dyn Future<Output = Response<Bytes>> + Send>> },
    }
}

impl std::fmt::Debug for StaticFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticFuture")
    }
}

impl StaticFuture {
    /// Answers `request` with `service`: from memory at once, or from disk off the
    /// executor (dev mode).
    pub(crate) fn start<B>(service: &StaticService, request: &Request<B>) -> Self {
        if service.dev.is_none() {
            return Self::Ready {
                response: Some(service.answer(
                    request.method(),
                    request.uri().path(),
                    request.headers(),
                )),
            };
        }
        let service = service.clone();
        let (method, path, headers) = (
            request.method().clone(),
            request.uri().path().to_owned(),
            request.headers().clone(),
        );
        let task = crate::blocking::off_executor(move || service.answer(&method, &path, &headers));
        Self::Blocking {
            task: Box::pin(async move {
                task.await.unwrap_or_else(|| {
                    respond::dev_failure(&"the read of the folder did not finish")
                })
            }),
        }
    }
}

impl Future for StaticFuture {
    type Output = Response<Bytes>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response<Bytes>> {
        match self.project() {
            StaticFutureProjection::Ready { response } => Poll::Ready(
                response
                    .take()
                    .unwrap_or_else(|| respond::status(http::StatusCode::INTERNAL_SERVER_ERROR)),
            ),
            StaticFutureProjection::Blocking { task } => task.as_mut().poll(cx),
        }
    }
}

pin_project! {
    /// The future of [`StaticService`] as a tower service.
    #[derive(Debug)]
    pub struct StaticServiceFuture {
        #[pin]
        inner: StaticFuture,
    }
}

impl Future for StaticServiceFuture {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project()
            .inner
            .poll(cx)
            .map(|response| Ok(response.map(Full::new)))
    }
}

impl<B> tower_service::Service<Request<B>> for StaticService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = StaticServiceFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        StaticServiceFuture {
            inner: StaticFuture::start(self, &request),
        }
    }
}
