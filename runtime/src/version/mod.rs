//! The version story: the one store ([`AppVersion`]), its components, the
//! `X-App-Version` header layer, and the `GET /version` and `POST /cache/bust` endpoints
//! with their token.
//!
//! [`Site`](crate::Site) wires all of it; these are the parts for à-la-carte use:
//!
//! ```
//! use hyper_assets::version::AppVersion;
//!
//! fn layers(manifest: &'static hyper_assets::Manifest) {
//!     let version = AppVersion::from_manifest(manifest);
//!     // With axum: router.layer(version.endpoints_layer()).layer(version.header_layer())
//!     let _ = (version.endpoints_layer(), version.header_layer());
//! }
//! ```

pub(crate) mod bust_token;
pub(crate) mod component;
pub(crate) mod endpoints;
pub(crate) mod header;
pub(crate) mod store;

pub use bust_token::{cache_bust_token, TOKEN_LEN};
pub use component::{ComponentError, ComponentState, DiskComponent};
// Generated as `assets::COMPONENTS` with the manifest, and kept there; named here too.
pub use crate::manifest::EmbeddedComponent;
pub use endpoints::{
    EndpointsBody, EndpointsFuture, VersionEndpoints, VersionEndpointsLayer, BUST_BODY_LIMIT,
};
pub use header::{VersionHeader, VersionHeaderFuture, VersionHeaderLayer, X_APP_VERSION};
pub use store::{
    AppVersion, AppVersionBuilder, VersionError, VersionSource, VersionState, STATIC_GROUP,
};
