//! [`AnswerBody`]: the site's own answers as an actix-web body, the `'static` bytes of an
//! asset sent as they are.

use crate::stale_client::SplicedBody;
use actix_web::body::{BodySize, MessageBody};
use bytes::Bytes;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The body of an answer of [`SiteMiddleware`](super::SiteMiddleware) or of
/// [`StaticService`](crate::serving::StaticService) under actix-web: an asset's bytes (a
/// view of the embedded `'static` data, never a copy), an endpoint's JSON, or a page
/// with the stale-client tag spliced in.
///
/// The answer to a HEAD request has no bytes but reports the length of the GET's, so
/// actix-web sends the same `Content-Length` as the tower stack does.
///
/// ```
/// use actix_web::body::{BodySize, MessageBody};
/// use actix_web::web::Bytes;
/// use hyper_assets::actix::AnswerBody;
///
/// let css: &'static [u8] = b"body { color: red }";
/// let body = AnswerBody::from(Bytes::from_static(css));
/// assert_eq!(body.size(), BodySize::Sized(19));
/// // One slice: handed to actix-web as it is, the same `'static` bytes.
/// let bytes = body.try_into_bytes().unwrap();
/// assert_eq!(bytes.as_ptr(), css.as_ptr());
/// ```
#[derive(Debug, Default)]
pub struct AnswerBody {
    body: SplicedBody,
    /// A HEAD answer's length: the bytes the GET would send.
    head_length: Option<u64>,
}

impl AnswerBody {
    pub(super) fn new(body: SplicedBody, head_length: Option<u64>) -> Self {
        Self { body, head_length }
    }
}

impl From<Bytes> for AnswerBody {
    fn from(bytes: Bytes) -> Self {
        Self::new(SplicedBody::new(bytes), None)
    }
}

impl MessageBody for AnswerBody {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(
            self.head_length
                .unwrap_or_else(|| self.body.remaining() as u64),
        )
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Infallible>>> {
        Poll::Ready(self.get_mut().body.next_part().map(Ok))
    }

    fn try_into_bytes(self) -> Result<Bytes, Self> {
        // A HEAD answer must keep reporting the GET's length.
        if self.head_length.is_some() {
            return Err(self);
        }
        self.body
            .into_single()
            .map_err(|body| Self::new(body, None))
    }
}
