//! [`SiteMiddleware`]: the one stack of a [`Site`] as actix-web middleware, answering by
//! the rules the tower [`SiteLayer`](crate::SiteLayer) follows: both call
//! `Site::decide` for the request and `Stamp::apply` and the stale-client plan for the
//! response.

use super::body::AnswerBody;
use super::convert;
use crate::site::{Decision, Stamp};
use crate::stale_client::{self, Plan, SplicedBody};
use crate::version::endpoints::{self, BUST_BODY_LIMIT};
use crate::Site;
use actix_web::body::{BodySize, BodyStream, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// The one stack of a [`Site`] as actix-web middleware ([`Site::actix_middleware`]):
/// what [`Site`] lists, in its order, before the app's routes see the request.
///
/// ```
/// use actix_web::{web, App, HttpResponse};
///
/// hyper_assets::hyper_assets!("../tests/fixtures/basic");
///
/// # fn main() -> Result<(), hyper_assets::SiteError> {
/// let site = hyper_assets::Site::builder(&assets::EMBEDDED).build()?;
/// let app = App::new()
///     .route("/", web::get().to(|| async {
///         HttpResponse::Ok()
///             .content_type("text/html; charset=utf-8")
///             .body("<!doctype html><html><head></head><body>hi</body></html>")
///     }))
///     .wrap(site.actix_middleware());
/// # let _ = app;
/// # Ok(()) }
/// ```
///
/// The last `.wrap` is the outermost: wrap it after the app's own middleware, so asset
/// requests are answered before anything else runs, except a compression middleware,
/// which goes outside it (wrapped after it) so pages are injected before they are
/// compressed.
#[derive(Debug, Clone)]
pub struct SiteMiddleware {
    site: Site,
}

impl SiteMiddleware {
    pub(crate) fn new(site: Site) -> Self {
        Self { site }
    }
}

// Here rather than in `site/`: the adapters build on the site, which names none of them.
impl Site {
    /// The one stack as actix-web middleware (feature `actix-web`): wrap the app with it
    /// (`App::new().route(...).wrap(site.actix_middleware())`). It answers what the tower
    /// layer answers, by the same rules, before the app's routes see the request; see
    /// [`crate::actix`].
    ///
    /// ```
    /// hyper_assets::hyper_assets!("../tests/fixtures/basic");
    ///
    /// # fn main() -> Result<(), hyper_assets::SiteError> {
    /// let site = hyper_assets::Site::builder(&assets::EMBEDDED).build()?;
    /// let app = actix_web::App::new().wrap(site.actix_middleware());
    /// # let _ = app;
    /// # Ok(()) }
    /// ```
    pub fn actix_middleware(&self) -> SiteMiddleware {
        SiteMiddleware::new(self.clone())
    }
}

impl<S, B> Transform<S, ServiceRequest> for SiteMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B, AnswerBody>>;
    type Error = S::Error;
    type Transform = SiteMiddlewareService<S>;
    type InitError = ();
    type Future = Ready<Result<SiteMiddlewareService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(SiteMiddlewareService {
            service: Rc::new(service),
            site: self.site.clone(),
        }))
    }
}

/// The service made by [`SiteMiddleware`].
#[derive(Debug)]
pub struct SiteMiddlewareService<S> {
    service: Rc<S>,
    site: Site,
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// The response future of [`SiteMiddlewareService`]: ready at once for an answer from
/// memory, boxed for anything that waits.
#[allow(missing_debug_implementations)] // holds the app's future
pub struct SiteMiddlewareFuture<B, E> {
    state: FutureState<B, E>,
}

enum FutureState<B, E> {
    Ready(Option<ServiceResponse<EitherBody<B, AnswerBody>>>),
    Later(LocalFuture<Result<ServiceResponse<EitherBody<B, AnswerBody>>, E>>),
}

// Nothing in it is pinned in place: the response is moved out, the app's future is boxed.
impl<B, E> Unpin for SiteMiddlewareFuture<B, E> {}

impl<B, E> Future for SiteMiddlewareFuture<B, E> {
    type Output = Result<ServiceResponse<EitherBody<B, AnswerBody>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            FutureState::Ready(response) => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled after completion: a contract breach of the caller's, not a panic.
                None => Poll::Pending,
            },
            FutureState::Later(future) => future.as_mut().poll(cx),
        }
    }
}

impl<S, B> Service<ServiceRequest> for SiteMiddlewareService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B, AnswerBody>>;
    type Error = S::Error;
    type Future = SiteMiddlewareFuture<B, S::Error>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let (converted, head) = convert::request(&request);
        let (method, headers) = match converted {
            Ok(parts) => parts,
            Err(refused) => return answered(request, refused.map(SplicedBody::new), head),
        };
        let site = &self.site;
        let later = |future: LocalFuture<_>| SiteMiddlewareFuture {
            state: FutureState::Later(future),
        };
        match site.decide(&method, request.path(), &headers) {
            Decision::Answer(response) => answered(request, response.map(SplicedBody::new), head),
            Decision::Static { future, stamp } => {
                let site = site.clone();
                later(Box::pin(async move {
                    let mut response = future.await.map(SplicedBody::new);
                    stamp.apply(&site, response.headers_mut());
                    Ok(own(request, response, head))
                }))
            }
            Decision::Bust { stamp } => {
                let site = site.clone();
                let mut request = request;
                let payload = request.parts_mut().1.take();
                later(Box::pin(async move {
                    // The body as the tower stack reads it: at most the limit, else 413.
                    let read = actix_web::body::to_bytes_limited(
                        BodyStream::new(payload),
                        BUST_BODY_LIMIT,
                    )
                    .await;
                    let fits = matches!(read, Ok(Ok(_)));
                    let version = site.version().clone();
                    let mut response = endpoints::bust_read(version, fits)
                        .await
                        .map(SplicedBody::new);
                    stamp.apply(&site, response.headers_mut());
                    Ok(own(request, response, head))
                }))
            }
            Decision::App { plan, dev, stamp } => {
                let (site, service) = (site.clone(), Rc::clone(&self.service));
                later(Box::pin(async move {
                    if let Some(dev) = dev {
                        dev.refresh_off_executor().await;
                    }
                    let response = service.call(request).await?;
                    Ok(after_app(&site, response, plan, stamp).await)
                }))
            }
        }
    }
}

/// An answer of the site's, known now.
fn answered<B, E>(
    request: ServiceRequest,
    response: http::Response<SplicedBody>,
    head: bool,
) -> SiteMiddlewareFuture<B, E> {
    SiteMiddlewareFuture {
        state: FutureState::Ready(Some(own(request, response, head))),
    }
}

fn own<B>(
    request: ServiceRequest,
    response: http::Response<SplicedBody>,
    head: bool,
) -> ServiceResponse<EitherBody<B, AnswerBody>> {
    request
        .into_response(convert::answer(response, head))
        .map_into_right_body()
}

/// The response side of an app's response, by the tower stack's rules: the stale-client
/// plan on its head (and its full body, read, when the page is injected), then the stamp.
async fn after_app<B: MessageBody>(
    site: &Site,
    mut response: ServiceResponse<B>,
    plan: Option<Plan>,
    stamp: Stamp,
) -> ServiceResponse<EitherBody<B, AnswerBody>> {
    let Some(mut headers) = convert::headers(response.headers()) else {
        tracing::warn!("an app response's headers do not convert to `http` 1.x: left alone");
        return response.map_into_left_body();
    };
    let exact = match response.response().body().size() {
        BodySize::Sized(length) => Some(length),
        BodySize::None => Some(0),
        BodySize::Stream => None,
    };
    let status = convert::status_to_http(response.status());
    let snippet = plan.and_then(|plan| plan.before_body(status, &mut headers, exact));
    let Some(snippet) = snippet else {
        stamp.apply(site, &mut headers);
        convert::write_headers(&headers, response.headers_mut(), false);
        return response.map_into_left_body();
    };
    let head = response.request().method() == actix_web::http::Method::HEAD;
    let (request, response) = response.into_parts();
    let (mut response, body) = response.into_parts();
    let answer = match actix_web::body::to_bytes(body).await {
        Ok(page) => {
            let body = stale_client::splice(&mut headers, page, snippet);
            stamp.apply(site, &mut headers);
            convert::write_headers(&headers, response.headers_mut(), false);
            response.set_body(AnswerBody::new(body, None))
        }
        Err(_) => {
            let mut failure =
                stale_client::status_response(http::StatusCode::INTERNAL_SERVER_ERROR);
            stamp.apply(site, failure.headers_mut());
            convert::answer(failure, head)
        }
    };
    ServiceResponse::new(request, answer).map_into_right_body()
}
