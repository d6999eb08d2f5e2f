//! `Strict-Transport-Security` on HTTPS responses (feature `tls`): the header tells a
//! browser to use HTTPS only for this host from then on, so it is sent over HTTPS only
//! (RFC 6797 has browsers ignore it over plain HTTP).

use http::header::STRICT_TRANSPORT_SECURITY;
use http::{HeaderValue, Response};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tower_service::Service;

/// The service of one HTTPS connection, adding the header to each response that lacks it
/// (an app that sets its own keeps it).
#[derive(Clone)]
pub(super) struct Hsts<S> {
    pub(super) inner: S,
    pub(super) value: Option<HeaderValue>,
}

impl<S, R, B> Service<R> for Hsts<S>
where
    S: Service<R, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = HstsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        HstsFuture {
            inner: self.inner.call(request),
            value: self.value.clone(),
        }
    }
}

pin_project! {
    /// The response future of [`Hsts`].
    pub(super) struct HstsFuture<F> {
        #[pin]
        inner: F,
        value: Option<HeaderValue>,
    }
}

impl<F, B, E> Future for HstsFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if let Some(value) = this.value.take() {
            response
                .headers_mut()
                .entry(STRICT_TRANSPORT_SECURITY)
                .or_insert(value);
        }
        Poll::Ready(Ok(response))
    }
}
