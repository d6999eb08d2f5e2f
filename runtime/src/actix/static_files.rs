//! [`StaticService`] as an actix-web service: the same answers as the tower service, for
//! `App::default_service` (axum's `fallback_service`).

use super::convert;
use crate::serving::{StaticFuture, StaticService};
use crate::stale_client::SplicedBody;
use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{Context, Poll};

/// `App::new().default_service(manifest.service())`: the files of the manifest at their
/// full paths (the prefix included), answered from memory.
impl ServiceFactory<ServiceRequest> for StaticService {
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Config = ();
    type Service = StaticService;
    type InitError = ();
    type Future = Ready<Result<StaticService, ()>>;

    fn new_service(&self, (): ()) -> Self::Future {
        ready(Ok(self.clone()))
    }
}

impl Service<ServiceRequest> for StaticService {
    type Response = ServiceResponse<BoxBody>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>>>>;

    fn poll_ready(&self, _cx: &mut Context<'_>) -> Poll<Result<(), actix_web::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let (converted, head) = convert::request(&request);
        let (method, headers) = match converted {
            Ok(parts) => parts,
            Err(refused) => return Box::pin(ready(Ok(respond(request, refused, head)))),
        };
        match StaticFuture::start(self, &method, request.path(), &headers) {
            StaticFuture::Ready {
                response: Some(response),
            } => Box::pin(ready(Ok(respond(request, response, head)))),
            future => Box::pin(async move { Ok(respond(request, future.await, head)) }),
        }
    }
}

fn respond(
    request: ServiceRequest,
    response: http::Response<bytes::Bytes>,
    head: bool,
) -> ServiceResponse<BoxBody> {
    let response = convert::answer(response.map(SplicedBody::new), head);
    // One slice (every answer but a HEAD's): `BoxBody` keeps the bytes, unboxed.
    request.into_response(response.map_into_boxed_body())
}
