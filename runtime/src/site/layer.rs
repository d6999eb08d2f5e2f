//! [`SiteLayer`]: the one layer of a [`Site`], with the fast path first.

use super::Site;
use crate::routing::cookie::RoutedHeaders;
use crate::serving::StaticFuture;
use crate::stale_client::spliced_body::SplicedBody;
use crate::stale_client::{self, Finished, Plan};
use crate::version::endpoints::{self, Answer, BustFuture};
use crate::version::header::X_APP_VERSION;
use crate::version::store::VersionState;
use bytes::Bytes;
use http::{Request, Response};
use http_body::Body as HttpBody;
use http_body_util::Either;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use tower_layer::Layer;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The layer of a [`Site`] ([`Site::layer`]): see [`Site`] for what it answers and in
/// which order.
#[derive(Debug, Clone)]
pub struct SiteLayer {
    site: Site,
}

impl SiteLayer {
    pub(super) fn new(site: Site) -> Self {
        Self { site }
    }
}

impl<S> Layer<S> for SiteLayer {
    type Service = SiteService<S>;

    fn layer(&self, inner: S) -> SiteService<S> {
        SiteService {
            inner,
            site: self.site.clone(),
        }
    }
}

/// The service made by [`SiteLayer`].
#[derive(Debug, Clone)]
pub struct SiteService<S> {
    inner: S,
    site: Site,
}

/// The body of a [`SiteService`] response: the site's own answers (assets, endpoints,
/// injected pages), or the app's body untouched.
pub type SiteBody<B> = Either<SplicedBody, B>;

impl<S> SiteService<S> {
    /// An answer known now: the version header and routing headers go on at once.
    fn ready<F, B, E>(
        &self,
        response: Response<Bytes>,
        routed: Option<RoutedHeaders>,
        version: &VersionState,
    ) -> SiteFuture<F, B, E> {
        self.ready_spliced(response.map(SplicedBody::new), routed, version)
    }

    fn ready_spliced<F, B, E>(
        &self,
        mut response: Response<SplicedBody>,
        routed: Option<RoutedHeaders>,
        version: &VersionState,
    ) -> SiteFuture<F, B, E> {
        finish_headers(&self.site, &mut response, routed, version);
        SiteFuture {
            state: State::Ready {
                response: Some(response),
            },
            site: None,
            version: None,
            routed: None,
        }
    }

    /// An answer that comes later. `version` is the snapshot the request was answered
    /// with; `None` (a bust) reads the version again once the answer is ready.
    fn later<F, B, E>(
        &self,
        state: State<F, B, E>,
        routed: Option<RoutedHeaders>,
        version: Option<Arc<VersionState>>,
    ) -> SiteFuture<F, B, E> {
        SiteFuture {
            state,
            site: Some(self.site.clone()),
            version,
            routed,
        }
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SiteService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: HttpBody + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<BoxError>,
    ResBody: HttpBody<Data = Bytes> + Send + 'static,
{
    type Response = Response<SiteBody<ResBody>>;
    type Error = S::Error;
    type Future = SiteFuture<S::Future, ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let site = &self.site.inner;
        // One snapshot of the version per request: its body (`/version`, the injected
        // script) and its `X-App-Version` never disagree, even during a bust.
        let version = site.version.current();
        let routed = match &site.router {
            Some(router) => match router.admit(request.headers()) {
                Ok(routed) => Some(routed),
                Err(rejection) => return self.ready(rejection, None, &version),
            },
            None => None,
        };
        let request = match endpoints::answer(&site.version, &version, request) {
            Answer::Pass(request) => request,
            Answer::Ready(response) => return self.ready(response, routed, &version),
            Answer::Bust(future) => return self.later(State::Bust { future }, routed, None),
        };
        if let Some(response) = site.stale.own_response(&request) {
            return self.ready_spliced(response, routed, &version);
        }
        // The fast path: assets are answered here, before the app's router.
        if site.files.strip(request.uri().path()).is_some() {
            return match StaticFuture::start(&site.files, &request) {
                StaticFuture::Ready {
                    response: Some(response),
                } => self.ready(response, routed, &version),
                future => self.later(State::Static { future }, routed, Some(version)),
            };
        }
        let plan = site.stale.plan(&request, &version);
        let Some(dev) = site.files.dev() else {
            let future = self.inner.call(request);
            return self.later(State::Inner { future, plan }, routed, Some(version));
        };
        // Dev mode: the layer refreshes the folder's view here, on the blocking pool, and
        // the template helpers read that view, so rendering never touches the disk.
        let dev = dev.clone();
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let future: InnerFuture<ResBody, S::Error> = Box::pin(async move {
            let refreshed = crate::blocking::off_executor(move || dev.snapshot()).await;
            if let Some(Err(error)) = refreshed {
                tracing::warn!(%error, "dev mode cannot serve the static folder");
            }
            inner.call(request).await
        });
        self.later(State::DevInner { future, plan }, routed, Some(version))
    }
}

type InnerFuture<B, E> = Pin<Box<dyn Future<Output = Result<Response<B>, E>> + Send>>;

/// Routing headers first, then `X-App-Version`, as the à-la-carte layers stack them.
fn finish_headers<B>(
    site: &Site,
    response: &mut Response<B>,
    routed: Option<RoutedHeaders>,
    version: &VersionState,
) {
    if let Some(routed) = routed {
        routed.apply(response);
    }
    if site.settings().version_header() {
        response
            .headers_mut()
            .insert(X_APP_VERSION, version.header_value().clone());
    }
}

pin_project! {
    /// The response future of [`SiteService`].
    pub struct SiteFuture<F, B, E> {
        #[pin]
        state: State<F, B, E>,
        // Set when the headers are added once the response is ready.
        site: Option<Site>,
        // The request's version snapshot; `None` after a bust, which reads the new one.
        version: Option<Arc<VersionState>>,
        routed: Option<RoutedHeaders>,
    }
}

impl<F, B, E> std::fmt::Debug for SiteFuture<F, B, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SiteFuture")
    }
}

pin_project! {
    #[project = StateProjection]
    enum State<F, B, E> {
        Ready { response: Option<Response<SplicedBody>> },
        Static { #[pin] future: StaticFuture },
        Bust { future: BustFuture },
        Inner { #[pin] future: F, plan: Option<Plan> },
        DevInner { future: InnerFuture<B, E>, plan: Option<Plan> },
        Rewrite { future: Pin<Box<dyn Future<Output = Response<SplicedBody>> + Send>> },
    }
}

impl<F, B, E> Future for SiteFuture<F, B, E>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: HttpBody<Data = Bytes> + Send + 'static,
{
    type Output = Result<Response<SiteBody<B>>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut response = loop {
            let this = self.as_mut().project();
            let next = match this.state.project() {
                StateProjection::Ready { response } => match response.take() {
                    Some(response) => break response.map(Either::Left),
                    None => {
                        let failure =
                            crate::serving::status(http::StatusCode::INTERNAL_SERVER_ERROR);
                        break failure.map(|body| Either::Left(SplicedBody::new(body)));
                    }
                },
                StateProjection::Static { future } => {
                    break ready!(future.poll(cx)).map(|body| Either::Left(SplicedBody::new(body)))
                }
                StateProjection::Bust { future } => {
                    break ready!(future.as_mut().poll(cx))
                        .map(|body| Either::Left(SplicedBody::new(body)))
                }
                StateProjection::Inner { future, plan } => {
                    let response = ready!(future.poll(cx))?;
                    match after_page(response, plan.take()) {
                        Ok(response) => break response,
                        Err(next) => next,
                    }
                }
                StateProjection::DevInner { future, plan } => {
                    let response = ready!(future.as_mut().poll(cx))?;
                    match after_page(response, plan.take()) {
                        Ok(response) => break response,
                        Err(next) => next,
                    }
                }
                StateProjection::Rewrite { future } => {
                    break ready!(future.as_mut().poll(cx)).map(Either::Left)
                }
            };
            self.as_mut().project().state.set(next);
        };
        let this = self.project();
        if let Some(site) = this.site.take() {
            let version = this
                .version
                .take()
                .unwrap_or_else(|| site.inner.version.current());
            finish_headers(&site, &mut response, this.routed.take(), &version);
        }
        Poll::Ready(Ok(response))
    }
}

/// The app's response after the stale-client rules: done, or the state that rewrites it.
#[allow(clippy::result_large_err)] // both sides are moved into place at once
fn after_page<F, B, E>(
    response: Response<B>,
    plan: Option<Plan>,
) -> Result<Response<SiteBody<B>>, State<F, B, E>>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
{
    let Some(plan) = plan else {
        return Ok(response.map(Either::Right));
    };
    match stale_client::finish(response, &plan) {
        Finished::Done(response) => Ok(response.map(Either::Right)),
        Finished::Rewrite(future) => Err(State::Rewrite { future }),
    }
}
