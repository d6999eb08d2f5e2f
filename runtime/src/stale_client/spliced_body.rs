//! A response body made of a few shared byte slices, sent in order without joining them.

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A body of up to three [`Bytes`] slices sent one after the other: a page split around
/// an injected tag goes out as head, tag and tail, each a view into its original buffer,
/// so the page is never copied.
#[derive(Debug, Clone, Default)]
pub struct SplicedBody {
    parts: [Bytes; 3],
    next: usize,
}

impl SplicedBody {
    /// A body of one slice.
    pub fn new(bytes: Bytes) -> Self {
        Self::spliced(bytes, Bytes::new(), Bytes::new())
    }

    /// A body of `first`, then `second`, then `third`.
    pub fn spliced(first: Bytes, second: Bytes, third: Bytes) -> Self {
        Self {
            parts: [first, second, third],
            next: 0,
        }
    }

    /// Bytes not sent yet.
    pub fn remaining(&self) -> usize {
        self.parts[self.next.min(3)..].iter().map(Bytes::len).sum()
    }

    /// The next slice not sent yet, skipping empty ones; `None` at the end.
    pub(crate) fn next_part(&mut self) -> Option<Bytes> {
        while let Some(part) = self.parts.get_mut(self.next) {
            self.next += 1;
            if !part.is_empty() {
                return Some(std::mem::take(part));
            }
        }
        None
    }

    /// The bytes not sent yet as one [`Bytes`], when they are one slice (or none): no
    /// copy. A spliced page comes back as it is.
    #[cfg(feature = "actix-web")]
    pub(crate) fn into_single(mut self) -> Result<Bytes, Self> {
        let unsent = self.parts.get(self.next..).unwrap_or_default();
        match unsent.iter().filter(|part| !part.is_empty()).count() {
            0 => Ok(Bytes::new()),
            1 => Ok(self.next_part().unwrap_or_default()),
            _ => Err(self),
        }
    }
}

impl From<Bytes> for SplicedBody {
    fn from(bytes: Bytes) -> Self {
        Self::new(bytes)
    }
}

impl HttpBody for SplicedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.get_mut().next_part().map(|part| Ok(Frame::data(part))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining() == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[test]
    fn sends_the_parts_in_order_and_skips_empty_ones() {
        let body = SplicedBody::spliced(
            Bytes::from_static(b"<head>"),
            Bytes::new(),
            Bytes::from_static(b"</head>"),
        );
        assert_eq!(body.size_hint().exact(), Some(13));
        let Ok(collected) = ready_now(body.collect());
        assert_eq!(&collected.to_bytes()[..], b"<head></head>");
    }

    #[test]
    fn empty_is_the_end() {
        assert!(SplicedBody::default().is_end_stream());
        assert!(!SplicedBody::new(Bytes::from_static(b"x")).is_end_stream());
    }

    /// Polls a future that never waits (every `SplicedBody` frame is ready).
    fn ready_now<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => output,
            Poll::Pending => unreachable!("SplicedBody is always ready"),
        }
    }
}
