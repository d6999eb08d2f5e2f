//! `X-App-Version` on every response.

use crate::version::store::{AppVersion, Busted, RequestVersion, VersionState};
use http::header::HeaderName;
use http::{Request, Response};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

/// The `X-App-Version` header name.
pub const X_APP_VERSION: HeaderName = HeaderName::from_static("x-app-version");

/// A tower layer that adds `X-App-Version: <version>` to every response of the service it
/// wraps: pages, static files, 404s, 405s and errors alike. The value is read from the
/// [`AppVersion`] when each response is ready, without a lock, so a `POST /cache/bust`
/// shows at once. With `APP_VERSION_HEADER` off it adds nothing.
///
/// Make it the outermost layer so it also covers the responses of the other layers.
///
/// ```
/// use hyper_assets::{version::AppVersion, Manifest, version::VersionHeaderLayer};
///
/// fn layer(manifest: &'static Manifest) -> VersionHeaderLayer {
///     // With axum: Router::new()...layer(version.header_layer())
///     AppVersion::from_manifest(manifest).header_layer()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct VersionHeaderLayer {
    version: Option<AppVersion>,
}

impl VersionHeaderLayer {
    /// Sends `version`'s current value, if its settings say so.
    pub fn new(version: &AppVersion) -> Self {
        Self {
            version: version.settings().version_header().then(|| version.clone()),
        }
    }
}

impl AppVersion {
    /// The layer that adds `X-App-Version` to every response (unless
    /// `APP_VERSION_HEADER` is off).
    pub fn header_layer(&self) -> VersionHeaderLayer {
        VersionHeaderLayer::new(self)
    }
}

impl<S> Layer<S> for VersionHeaderLayer {
    type Service = VersionHeader<S>;

    fn layer(&self, inner: S) -> VersionHeader<S> {
        VersionHeader {
            inner,
            version: self.version.clone(),
        }
    }
}

/// The service made by [`VersionHeaderLayer`].
#[derive(Debug, Clone)]
pub struct VersionHeader<S> {
    inner: S,
    version: Option<AppVersion>,
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

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // One snapshot per request, shared with the inner version layers, so the header
        // and the body (`/version`, the injected script) name the same version.
        let snapshot = self.version.as_ref().map(|version| {
            let snapshot = version.current();
            request.extensions_mut().insert(RequestVersion {
                store: version.store_id(),
                state: Arc::clone(&snapshot),
            });
            (version.clone(), snapshot)
        });
        VersionHeaderFuture {
            inner: self.inner.call(request),
            version: snapshot,
        }
    }
}

pin_project! {
    /// The response future of [`VersionHeader`].
    #[derive(Debug)]
    pub struct VersionHeaderFuture<F> {
        #[pin]
        inner: F,
        version: Option<(AppVersion, Arc<VersionState>)>,
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
        if let Some((version, snapshot)) = this.version.take() {
            let value = if response.extensions().get::<Busted>().is_some() {
                version.header_value()
            } else {
                snapshot.header_value().clone()
            };
            response.headers_mut().insert(X_APP_VERSION, value);
        }
        Poll::Ready(Ok(response))
    }
}
