//! `X-App-Version` on every response.

use crate::manifest::Manifest;
use http::header::{HeaderName, HeaderValue};
use http::{Request, Response};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// The `X-App-Version` header name.
pub const X_APP_VERSION: HeaderName = HeaderName::from_static("x-app-version");

/// A tower layer that adds `X-App-Version: <version>` to every response of the service it
/// wraps: pages, static files, 404s, 405s and errors alike.
///
/// ```
/// use hyper_assets::{Manifest, VersionHeaderLayer};
///
/// fn layer(manifest: &'static Manifest) -> VersionHeaderLayer {
///     // With axum: Router::new()...layer(VersionHeaderLayer::for_manifest(manifest))
///     VersionHeaderLayer::for_manifest(manifest)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct VersionHeaderLayer {
    value: HeaderValue,
}

impl VersionHeaderLayer {
    /// Sends `version` as the header value.
    ///
    /// # Errors
    /// `version` is not a valid header value (control characters, non-ASCII).
    pub fn new(version: &str) -> Result<Self, http::header::InvalidHeaderValue> {
        Ok(Self {
            value: HeaderValue::from_str(version)?,
        })
    }

    /// Sends the manifest's version (its 12 hex characters are always a valid value).
    pub fn for_manifest(manifest: &'static Manifest) -> Self {
        Self {
            value: HeaderValue::from_static(manifest.version()),
        }
    }

    /// The header value sent.
    pub fn value(&self) -> &HeaderValue {
        &self.value
    }
}

impl<S> Layer<S> for VersionHeaderLayer {
    type Service = VersionHeader<S>;

    fn layer(&self, inner: S) -> VersionHeader<S> {
        VersionHeader {
            inner,
            value: self.value.clone(),
        }
    }
}

/// The service made by [`VersionHeaderLayer`].
#[derive(Debug, Clone)]
pub struct VersionHeader<S> {
    inner: S,
    value: HeaderValue,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for VersionHeader<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = VersionHeaderFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        VersionHeaderFuture {
            inner: self.inner.call(request),
            value: Some(self.value.clone()),
        }
    }
}

pin_project! {
    /// The response future of [`VersionHeader`].
    #[derive(Debug)]
    pub struct VersionHeaderFuture<F> {
        #[pin]
        inner: F,
        value: Option<HeaderValue>,
    }
}

impl<F, ResBody, E> Future for VersionHeaderFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = Result<Response<ResBody>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if let Some(value) = this.value.take() {
            response.headers_mut().insert(X_APP_VERSION, value);
        }
        Poll::Ready(Ok(response))
    }
}
