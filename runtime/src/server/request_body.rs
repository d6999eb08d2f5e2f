//! [`RequestBody`]: a request body that must keep arriving. The header-read timeout covers
//! the head only; without this, a client that announces a body and never sends it would
//! hold its connection (and, at the cap, everyone's slot) for as long as a handler waits.

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

pin_project! {
    /// The body of a request served by [`Server`](super::Server): hyper's, ending in an
    /// error ([`BodyTimeout`]) when no part of it arrives for the header-read timeout.
    /// Handlers see it through their framework's body type (axum boxes it).
    pub struct RequestBody {
        #[pin]
        inner: Incoming,
        timeout: Duration,
        // Started when a read has to wait; cleared whenever data comes.
        waiting: Option<Pin<Box<tokio::time::Sleep>>>,
    }
}

impl RequestBody {
    pub(super) fn new(inner: Incoming, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            waiting: None,
        }
    }
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestBody")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A request body that stopped arriving for longer than the timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTimeout(pub Duration);

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no part of the request body arrived for {:?} (HTTP_HEADER_TIMEOUT)",
            self.0
        )
    }
}

impl std::error::Error for BodyTimeout {}

impl HttpBody for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        match this.inner.poll_frame(cx) {
            Poll::Ready(frame) => {
                *this.waiting = None;
                Poll::Ready(frame.map(|frame| frame.map_err(Into::into)))
            }
            Poll::Pending => {
                let timeout = *this.timeout;
                let waiting = this
                    .waiting
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match waiting.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimeout(timeout))))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
