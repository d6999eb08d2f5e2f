//! `GET /version` and `POST /cache/bust`, mounted by one layer.

use crate::version::bust_token;
use crate::version::store::{AppVersion, Busted, VersionState};
use bytes::Bytes;
use http::header::{
    HeaderValue, ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE,
    WWW_AUTHENTICATE,
};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Either, Full, Limited};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Largest request body `POST /cache/bust` accepts (it needs none).
pub const BUST_BODY_LIMIT: usize = 1024;

/// A layer that answers `GET /version` and `POST /cache/bust` at the paths of the
/// [`Settings`](crate::Settings) and passes every other request to the service it wraps.
///
/// - `GET /version` (unless `VERSION_ENDPOINT` is off): the [`VersionState`](crate::version::VersionState)
///   as JSON, `Cache-Control: no-store`.
/// - `POST /cache/bust` with `Authorization: Bearer <token>` (see
///   [`cache_bust_token`](crate::version::cache_bust_token)): re-reads the disk components,
///   recomputes the version atomically, answers
///   `{"previous":...,"status":"ok","version":...}`. Missing or non-Bearer header: 401;
///   wrong token: 403; no `SECRET_KEY`: 403 for every request; body over 1 KiB: 413.
#[derive(Debug, Clone)]
pub struct VersionEndpointsLayer {
    version: AppVersion,
}

impl VersionEndpointsLayer {
    /// Serves `version`. Logs a warning when no secret key is set, since the bust
    /// endpoint then refuses every request.
    pub fn new(version: &AppVersion) -> Self {
        warn_without_secret(version);
        Self {
            version: version.clone(),
        }
    }
}

impl AppVersion {
    /// The layer that answers `GET /version` and `POST /cache/bust` (the seed's
    /// `mount_version()`), at the paths in the settings; every other request goes through.
    pub fn endpoints_layer(&self) -> VersionEndpointsLayer {
        VersionEndpointsLayer::new(self)
    }
}

impl<S> Layer<S> for VersionEndpointsLayer {
    type Service = VersionEndpoints<S>;

    fn layer(&self, inner: S) -> VersionEndpoints<S> {
        VersionEndpoints {
            inner,
            version: self.version.clone(),
        }
    }
}

/// The service made by [`VersionEndpointsLayer`].
#[derive(Debug, Clone)]
pub struct VersionEndpoints<S> {
    inner: S,
    version: AppVersion,
}

/// The body of the endpoints' own responses, or the wrapped service's.
pub type EndpointsBody<B> = Either<Full<Bytes>, B>;

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for VersionEndpoints<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ReqBody: http_body::Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<BoxError>,
{
    type Response = Response<EndpointsBody<ResBody>>;
    type Error = S::Error;
    type Future = EndpointsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let state = self.version.for_request(&request);
        let (method, path) = (request.method(), request.uri().path());
        match decide(&self.version, &state, method, path, request.headers()) {
            Endpoint::Ready(response) => EndpointsFuture::Ready {
                response: Some(response),
            },
            Endpoint::Bust => EndpointsFuture::Bust {
                future: bust(self.version.clone(), request.into_body()),
            },
            Endpoint::Pass => EndpointsFuture::Inner {
                future: self.inner.call(request),
            },
        }
    }
}

/// The start-up warning when busts are refused for want of a key.
pub(crate) fn warn_without_secret(version: &AppVersion) {
    if version.settings().secret_key().is_none() {
        tracing::warn!(
            path = version.settings().bust_path(),
            "POST cache bust refuses every request: SECRET_KEY is not set"
        );
    }
}

/// A bust in progress: reads the body, then refreshes off the executor.
pub(crate) type BustFuture = Pin<Box<dyn Future<Output = Response<Bytes>> + Send>>;

/// What the endpoints do with a request, decided from its method, path and headers.
pub(crate) enum Endpoint {
    /// Answered at once.
    Ready(Response<Bytes>),
    /// An authorized bust: the caller reads the body ([`bust`], or its own reader and
    /// [`bust_read`]).
    Bust,
    /// Not an endpoint's path.
    Pass,
}

/// Answers `GET /version` (from `state`, the request's snapshot) and `POST /cache/bust` at
/// the paths of `version`'s settings; passes every other request.
pub(crate) fn decide(
    version: &AppVersion,
    state: &VersionState,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Endpoint {
    let settings = version.settings();
    if settings.version_endpoint() && path == settings.version_path() {
        return Endpoint::Ready(version_response(version, state, method));
    }
    if path == settings.bust_path() {
        if method != Method::POST {
            return Endpoint::Ready(with_allow(
                error(StatusCode::METHOD_NOT_ALLOWED, "use POST"),
                "POST",
            ));
        }
        if let Err(response) = authorize(version, headers) {
            return Endpoint::Ready(response);
        }
        return Endpoint::Bust;
    }
    Endpoint::Pass
}

/// An authorized bust over an `http` body: reads at most [`BUST_BODY_LIMIT`] bytes of it,
/// then [`bust_read`].
pub(crate) fn bust<B>(version: AppVersion, body: B) -> BustFuture
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    Box::pin(async move {
        let fits = body
            .size_hint()
            .lower()
            .le(&u64::try_from(BUST_BODY_LIMIT).unwrap_or(u64::MAX))
            && Limited::new(body, BUST_BODY_LIMIT).collect().await.is_ok();
        bust_read(version, fits).await
    })
}

/// An authorized bust whose body was read: 413 unless it `fits` in [`BUST_BODY_LIMIT`]
/// (and was read without error), else the refresh, off the executor.
pub(crate) async fn bust_read(version: AppVersion, fits: bool) -> Response<Bytes> {
    let mut response = if fits {
        refresh(version).await
    } else {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the bust request needs no body (at most 1024 bytes)",
        )
    };
    response.extensions_mut().insert(Busted);
    response
}

pin_project! {
    /// The response future of [`VersionEndpoints`].
    #[project = EndpointsFutureProjection]
    #[allow(missing_docs)]
    pub enum EndpointsFuture<F> {
        /// The wrapped service's.
        Inner { #[pin] future: F },
        /// An answer known at once.
        Ready { response: Option<Response<Bytes>> },
        /// A bust: reads the body, then refreshes.
        Bust { future: BustFuture },
    }
}

impl<F> std::fmt::Debug for EndpointsFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EndpointsFuture")
    }
}

impl<F, B, E> Future for EndpointsFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<EndpointsBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            EndpointsFutureProjection::Inner { future } => {
                let response = ready!(future.poll(cx))?;
                Poll::Ready(Ok(response.map(Either::Right)))
            }
            EndpointsFutureProjection::Ready { response } => {
                let response = response
                    .take()
                    .unwrap_or_else(|| error(StatusCode::INTERNAL_SERVER_ERROR, "polled twice"));
                Poll::Ready(Ok(response.map(|body| Either::Left(Full::new(body)))))
            }
            EndpointsFutureProjection::Bust { future } => {
                let response = ready!(future.as_mut().poll(cx));
                Poll::Ready(Ok(response.map(|body| Either::Left(Full::new(body)))))
            }
        }
    }
}

fn version_response(
    version: &AppVersion,
    state: &VersionState,
    method: &Method,
) -> Response<Bytes> {
    if method != Method::GET && method != Method::HEAD {
        return with_allow(
            error(StatusCode::METHOD_NOT_ALLOWED, "use GET"),
            "GET, HEAD",
        );
    }
    let mut document = state.to_json(version.settings().commit());
    let (current, stale) = version.client_counts();
    if let Some(object) = document.as_object_mut() {
        object.insert(
            "clients".to_owned(),
            serde_json::json!({ "current": current, "stale": stale }),
        );
    }
    let mut response = json(StatusCode::OK, &document);
    if method == Method::HEAD {
        *response.body_mut() = Bytes::new();
    }
    response
}

/// Checks the bearer token; `Err` is the response to send.
#[allow(clippy::result_large_err)]
fn authorize(version: &AppVersion, headers: &HeaderMap) -> Result<(), Response<Bytes>> {
    let Some(secret) = version.settings().secret_key() else {
        return Err(error(
            StatusCode::FORBIDDEN,
            "cache bust is disabled: SECRET_KEY is not set",
        ));
    };
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(unauthorized(
            "send one header `Authorization: Bearer <token>`",
        ));
    };
    let bytes = value.as_bytes();
    let scheme_ok = bytes.len() > 7 && bytes[..7].eq_ignore_ascii_case(b"bearer ");
    if !scheme_ok {
        return Err(unauthorized(
            "use the Bearer scheme: `Authorization: Bearer <token>`",
        ));
    }
    let token = bytes[7..].trim_ascii();
    if !bust_token::verify(secret.expose(), token) {
        return Err(error(StatusCode::FORBIDDEN, "invalid cache bust token"));
    }
    Ok(())
}

async fn refresh(version: AppVersion) -> Response<Bytes> {
    // A bust re-reads component files: on the blocking pool, never on the executor.
    let Some(refreshed) = crate::blocking::off_executor(move || version.refresh()).await else {
        tracing::error!("cache bust did not finish; the version is unchanged");
        return error(StatusCode::INTERNAL_SERVER_ERROR, "the bust did not finish");
    };
    match refreshed {
        Ok((previous, current)) => {
            tracing::info!(
                previous = previous.version(),
                current = current.version(),
                "cache bust"
            );
            json(
                StatusCode::OK,
                &serde_json::json!({
                    "status": "ok",
                    "version": current.version(),
                    "previous": previous.version(),
                }),
            )
        }
        Err(failure) => {
            tracing::error!(%failure, "cache bust failed; the version is unchanged");
            error(StatusCode::INTERNAL_SERVER_ERROR, &failure.to_string())
        }
    }
}

fn json(status: StatusCode, document: &serde_json::Value) -> Response<Bytes> {
    let body = Bytes::from(document.to_string());
    let length = body.len();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    // A version check must never be answered from a cache.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn error(status: StatusCode, detail: &str) -> Response<Bytes> {
    json(
        status,
        &serde_json::json!({ "detail": detail, "status": status.as_u16() }),
    )
}

fn unauthorized(detail: &str) -> Response<Bytes> {
    let mut response = error(StatusCode::UNAUTHORIZED, detail);
    response.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"cache-bust\""),
    );
    response
}

fn with_allow(mut response: Response<Bytes>, allow: &'static str) -> Response<Bytes> {
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    response
}
