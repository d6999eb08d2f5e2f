//! [`SiteLayer`]: the one layer of a [`Site`], with the fast path first.

use super::decision::Decision;
use super::stamp::Stamp;
use super::Site;
use crate::serving::StaticFuture;
use crate::stale_client::spliced_body::SplicedBody;
use crate::stale_client::{self, Finished, Plan};
use crate::version::endpoints::{self, BustFuture};
use bytes::Bytes;
use http::{Request, Response};
use http_body::Body as HttpBody;
use http_body_util::Either;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
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
    /// An answer known now, stamped.
    fn ready<F, B, E>(&self, response: Response<Bytes>) -> SiteFuture<F, B, E> {
        SiteFuture {
            state: State::Ready {
                response: Some(response.map(SplicedBody::new)),
            },
            site: None,
            stamp: None,
        }
    }

    /// An answer that comes later: the stamp goes on once it is ready.
    fn later<F, B, E>(&self, state: State<F, B, E>, stamp: Stamp) -> SiteFuture<F, B, E> {
        SiteFuture {
            state,
            site: Some(self.site.clone()),
            stamp: Some(stamp),
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
        let (method, path) = (request.method(), request.uri().path());
        match self.site.decide(method, path, request.headers()) {
            Decision::Answer(response) => self.ready(response),
            Decision::Static { future, stamp } => self.later(State::Static { future }, stamp),
            Decision::Bust { stamp } => {
                let version = self.site.inner.version.clone();
                let future = endpoints::bust(version, request.into_body());
                self.later(State::Bust { future }, stamp)
            }
            Decision::App {
                plan,
                dev: None,
                stamp,
            } => {
                let future = self.inner.call(request);
                self.later(State::Inner { future, plan }, stamp)
            }
            Decision::App {
                plan,
                dev: Some(dev),
                stamp,
            } => {
                let ready = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, ready);
                let future: InnerFuture<ResBody, S::Error> = Box::pin(async move {
                    dev.refresh_off_executor().await;
                    inner.call(request).await
                });
                self.later(State::DevInner { future, plan }, stamp)
            }
        }
    }
}

type InnerFuture<B, E> = Pin<Box<dyn Future<Output = Result<Response<B>, E>> + Send>>;

pin_project! {
    /// The response future of [`SiteService`].
    pub struct SiteFuture<F, B, E> {
        #[pin]
        state: State<F, B, E>,
        // Set when the stamp goes on once the response is ready.
        site: Option<Site>,
        stamp: Option<Stamp>,
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
        if let (Some(site), Some(stamp)) = (this.site.take(), this.stamp.take()) {
            stamp.apply(&site, response.headers_mut());
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
