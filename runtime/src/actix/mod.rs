//! actix-web 4 support (feature `actix-web`): the one stack of a [`Site`](crate::Site) as
//! actix-web middleware ([`SiteMiddleware`], from
//! [`Site::actix_middleware`](crate::Site::actix_middleware)), and
//! [`StaticService`](crate::serving::StaticService) as an actix-web service
//! (`App::default_service(manifest.service())`).
//!
//! There is one rule set: the middleware asks the same function as the tower
//! [`SiteLayer`](crate::SiteLayer) what a request gets (from its method, path and
//! headers) and finishes responses with the same functions (the routing headers and
//! `X-App-Version`, the stale-client tag spliced into a full HTML body). Only the
//! conversion lives here: actix-web 4 speaks `http` 0.2, so requests and responses cross
//! by parts (method, status, header names and values as bytes), and bodies, the same
//! `bytes::Bytes` on both sides, cross without a copy.
//!
//! ```
//! use actix_web::{web, App, HttpResponse};
//!
//! hyper_assets::hyper_assets!("../tests/fixtures/basic");
//!
//! # fn main() -> Result<(), hyper_assets::SiteError> {
//! let site = hyper_assets::Site::from_env(&assets::EMBEDDED)?.build()?;
//! let app = App::new()
//!     .route("/", web::get().to(|| async { HttpResponse::Ok().body("home") }))
//!     .wrap(site.actix_middleware());
//! # let _ = app;
//! // Or the files alone, as the app's fallback:
//! let files = App::new().default_service(assets::MANIFEST.service());
//! # let _ = files;
//! # Ok(()) }
//! ```

mod body;
mod convert;
mod middleware;
mod static_files;

pub use body::AnswerBody;
pub use middleware::{SiteMiddleware, SiteMiddlewareFuture, SiteMiddlewareService};
