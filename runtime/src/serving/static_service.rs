//! The tower service that serves a [`Manifest`] from memory, or its folder from disk in
//! dev mode, through one response function.

use super::delta::{self, DeltaRequest};
use super::release_folder::{DeltaLookup, ReleaseFolder};
use super::request_path;
use super::respond::{self, Hashed, IMMUTABLE_VALUE, REVALIDATE_VALUE};
use super::served_file::{FileSet, Name, ServedFile};
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

/// A folder whose files are read from disk when a request comes, answered instead of
/// the embedded ones: dev mode's ([`StaticService::with_dev`]). Dev mode builds on this
/// room, so the service reaches it through this trait, never by name.
pub(crate) trait DiskFolder: std::fmt::Debug + Send + Sync {
    /// The files now, or why they cannot be served (the body of a 500).
    fn files(&self) -> Result<Arc<FileSet>, Box<dyn std::error::Error + Send + Sync>>;
}

/// A tower [`Service`](tower_service::Service) that serves the files of a [`Manifest`]
/// from `'static` memory.
///
/// | request | answer |
/// |---|---|
/// | GET/HEAD of a hashed path | 200, `Cache-Control: public, max-age=31536000, immutable` |
/// | GET/HEAD of a canonical path | 200, `Cache-Control: no-cache`, the same `ETag` |
/// | `If-None-Match` matching the `ETag` (weak comparison, lists, `*`) | 304, no body |
/// | a hashed path of an earlier release ([`StaticService::with_earlier`], [`StaticService::with_release_folder`]) | 200, the immutable `Cache-Control`, that release's exact bytes |
/// | a hashed path with a hash no release has | 307 to the current hashed URL, `Cache-Control: no-store` |
/// | another method on an asset | 405 with `Allow: GET, HEAD` |
/// | a malformed path (bad `%`, `%2F`, `\`, NUL, `..`) | 400 |
/// | a path over 2048 bytes | 414 |
/// | `Range: bytes=...` (one range; suffix and open ranges; `If-Range` with the `ETag`) | 206 with `Content-Range`, or 416 (identity only) |
/// | `Accept-Encoding` with `br` or `gzip` (q-values, `*`, `identity;q=0`) | the precompressed variant, `Content-Encoding`, its own `ETag`, `Vary: Accept-Encoding` |
/// | a hashed path of a compressible type | also `Use-As-Dictionary` (RFC 9842): the browser keeps it as the dictionary of the file's later versions |
/// | `Available-Dictionary` naming an earlier release's file, with `dcb` or `dcz` accepted | the delta against it (embedded by `previous = "..."`, or checked from the release folder), `Content-Encoding: dcb` or `dcz`, its own `ETag`, `Vary: Accept-Encoding, Available-Dictionary` |
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
    dev: Option<Arc<dyn DiskFolder>>,
    releases: Option<Arc<ReleaseFolder>>,
}

// Here rather than in `manifest/`: the manifest sits below the services that serve it.
impl Manifest {
    /// A tower service that serves these assets under [`Manifest::prefix`].
    pub fn service(&'static self) -> StaticService {
        StaticService::new(self)
    }
}

impl StaticService {
    /// Serves `manifest` at its own prefix. Builds the header values of every file once.
    pub fn new(manifest: &'static Manifest) -> Self {
        Self {
            manifest,
            files: Arc::new(FileSet::from_manifest(manifest)),
            nested: false,
            dev: None,
            releases: None,
        }
    }

    /// Also serves earlier releases' files (`assets::EMBEDDED.earlier()`, embedded with
    /// `previous = "releases"`) under their own hashed names, immutable, so a page of an
    /// earlier release keeps its exact stylesheet and scripts during a rollout.
    #[must_use]
    pub fn with_earlier(mut self, earlier: &'static [crate::Asset]) -> Self {
        let files = (*self.files).clone().with_earlier(earlier);
        self.files = Arc::new(files);
        self
    }

    /// Also serves hashed names found in the release folder `dir` (written by
    /// `collect`, shared by the instances: `STATIC_RELEASES_DIR`), read on tokio's
    /// blocking pool when neither this build nor an embedded earlier release has the
    /// name. A file is served only if the folder's `releases.json` lists it, it lies
    /// inside the folder and its bytes hash to its name; any other is refused and logged.
    /// Identity bytes only.
    #[must_use]
    pub fn with_release_folder(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        let prefix = self.manifest.prefix();
        self.releases = Some(Arc::new(ReleaseFolder::new(dir.into(), prefix)));
        self
    }

    /// The release folder read at run time, when there is one.
    pub fn release_folder(&self) -> Option<&std::path::Path> {
        self.releases.as_deref().map(ReleaseFolder::dir)
    }

    /// How many earlier releases' files are embedded.
    #[cfg(feature = "server")] // for the start-up line
    pub(crate) fn earlier_len(&self) -> usize {
        self.files.earlier_len()
    }

    /// Serves `folder` from disk instead of the embedded bytes (dev mode's
    /// [`StaticService::with_dev`]).
    pub(crate) fn with_disk_folder(mut self, folder: Arc<dyn DiskFolder>) -> Self {
        self.dev = Some(folder);
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
        if let Some(response) = self.answer_in_memory(method, path, headers) {
            return response;
        }
        // The path decoded, as `answer_in_memory` found it.
        let Some(canonical) = self
            .strip(path)
            .and_then(|rest| request_path::decode(rest).ok())
        else {
            return respond::status(http::StatusCode::NOT_FOUND);
        };
        if let Some(dev) = &self.dev {
            return match dev.files() {
                Ok(files) => answer_from_dev(&files, method, &canonical, headers),
                Err(error) => respond::dev_failure(&error),
            };
        }
        let Some(folder) = &self.releases else {
            return no_release_has(self.files.find(&canonical), method);
        };
        if let Some((file, Name::Hashed)) = self.files.find(&canonical) {
            // A current file whose delta may be in the release folder.
            let delta =
                delta::requested(headers).and_then(|request| folder.find_delta(file, &request));
            let hashed = Hashed {
                delta: delta
                    .as_ref()
                    .map(|(variant, encoding)| (variant, *encoding)),
                may_delta: true,
                accepted: None,
            };
            return respond::respond(method, headers, file, IMMUTABLE_VALUE, Some(hashed));
        }
        match folder.find(&canonical) {
            Some(file) => respond::respond(
                method,
                headers,
                &file,
                IMMUTABLE_VALUE,
                Some(Hashed::default()),
            ),
            None => no_release_has(self.files.find(&canonical), method),
        }
    }

    /// The answer for the current hashed name of `file`: a delta when the request holds
    /// a dictionary we have one from. `None` when the release folder must be read.
    fn answer_hashed(
        &self,
        method: &Method,
        headers: &HeaderMap,
        file: &ServedFile,
    ) -> Option<Response<Bytes>> {
        let from_folder = self.releases.as_ref().filter(|_| file.brotli.is_some());
        let may_delta = file.has_deltas() || from_folder.is_some();
        let (request, accepted): (Option<DeltaRequest>, _) = if may_delta {
            delta::negotiate(headers)
        } else {
            (None, None)
        };
        let mut delta = request.as_ref().and_then(|request| file.delta(request));
        let cached;
        if let (None, Some(request), Some(folder)) = (delta, &request, from_folder) {
            match folder.cached_delta(file.hashed_path(), request) {
                DeltaLookup::Found(variant, encoding) => {
                    cached = variant;
                    delta = Some((&cached, encoding));
                }
                DeltaLookup::Absent => {}
                DeltaLookup::Unknown => return None,
            }
        }
        let hashed = Hashed {
            delta,
            may_delta,
            accepted,
        };
        Some(respond::respond(
            method,
            headers,
            file,
            IMMUTABLE_VALUE,
            Some(hashed),
        ))
    }

    /// The answer from memory, or `None` when the disk must be read: dev mode's folder,
    /// or the release folder for a hashed name no embedded release has.
    fn answer_in_memory(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Option<Response<Bytes>> {
        let Some(rest) = self.strip(path) else {
            return Some(respond::status(http::StatusCode::NOT_FOUND));
        };
        let canonical = match request_path::decode(rest) {
            Ok(canonical) => canonical,
            Err(code) => return Some(respond::status(code)),
        };
        if self.dev.is_some() {
            return None;
        }
        let found = self.files.find(&canonical);
        match found {
            Some((file, Name::Canonical)) => {
                return Some(respond::respond(
                    method,
                    headers,
                    file,
                    REVALIDATE_VALUE,
                    None,
                ))
            }
            Some((file, Name::Hashed)) => return self.answer_hashed(method, headers, file),
            Some((file, Name::Earlier)) => {
                return Some(respond::respond(
                    method,
                    headers,
                    file,
                    IMMUTABLE_VALUE,
                    Some(Hashed::default()),
                ))
            }
            Some((_, Name::OtherBuild)) | None => {}
        }
        if self.releases.is_some() && hyper_assets_pipeline::split_hashed_name(&canonical).is_some()
        {
            return None;
        }
        Some(no_release_has(found, method))
    }
}

/// A hashed name with a hash no release has: a 307 to the current bytes when the file
/// exists under its canonical name, else 404.
fn no_release_has(found: Option<(&ServedFile, Name)>, method: &Method) -> Response<Bytes> {
    match found {
        Some((file, _)) => respond::redirect(method, file),
        None => respond::status(http::StatusCode::NOT_FOUND),
    }
}

/// The answer for a decoded path among dev mode's files: every name of a file (the
/// canonical one, the current hashed one, an earlier build's) answers the current bytes,
/// revalidated.
fn answer_from_dev(
    files: &FileSet,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Response<Bytes> {
    match files.find(path) {
        Some((file, _)) => respond::respond(method, headers, file, REVALIDATE_VALUE, None),
        None => respond::status(http::StatusCode::NOT_FOUND),
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
    /// Answers a request with `service`: from memory at once, or from disk off the
    /// executor (dev mode).
    pub(crate) fn start(
        service: &StaticService,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Self {
        if let Some(response) = service.answer_in_memory(method, path, headers) {
            return Self::Ready {
                response: Some(response),
            };
        }
        let service = service.clone();
        let (method, path, headers) = (method.clone(), path.to_owned(), headers.clone());
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
            inner: StaticFuture::start(
                self,
                request.method(),
                request.uri().path(),
                request.headers(),
            ),
        }
    }
}
