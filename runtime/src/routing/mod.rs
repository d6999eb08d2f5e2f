//! Blue/green and canary routing: the version router layer (the seed's
//! `VersionRouterMiddleware`) and the nginx configuration generated from the same map.
//!
//! [`Site`](crate::Site) builds the router from `VERSION_MAP`, `DEFAULT_VERSION` and
//! `CANARY`; [`VersionRouterLayer`] is the part for à-la-carte use.

mod builder;
pub(crate) mod cookie;
mod decision;
mod error;
pub(crate) mod nginx;
pub(crate) mod router;
mod state;
mod stats;

pub use builder::VersionRouterBuilder;
pub use decision::{RequestedFrom, Routing};
pub use error::RouterError;
pub use nginx::{nginx_config, parse_backend_addrs, NginxError, NginxOptions};
pub use router::{VersionRouter, VersionRouterFuture};
pub use state::{
    Canary, VersionRouterLayer, APP_VERSION_COOKIE, X_APP_REQUESTED_VERSION, X_APP_SERVED_VERSION,
    X_BACKEND_TARGET,
};
pub use stats::RouterStats;
