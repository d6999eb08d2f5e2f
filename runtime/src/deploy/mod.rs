//! Deploy tools: [`Manifest::collect`](crate::Manifest::collect) writes the embedded set as
//! the binary serves it (for a CDN or nginx), and [`nginx_static_location`] is the nginx
//! `location` that serves that folder with the same headers.

pub(crate) mod collect;

pub use collect::nginx_static_location;
pub use hyper_assets_pipeline::{CollectError, CollectReport, Retention};
