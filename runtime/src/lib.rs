//! Cache-proof, deploy-safe static files.
//!
//! `hyper_assets!("static")` hashes every file of a folder at compile time, gives each a
//! content-hashed name (`css/styles.a1b2c3d4e5f6.css`) and generates a module with:
//!
//! - `VERSION`: the manifest hash, derived from every file's path and SHA-256;
//! - `MANIFEST`: a [`Manifest`] of const data whose bytes come from `include_bytes!`;
//! - `url!("css/styles.css")`: the hashed URL as a string literal, checked at compile
//!   time (an unknown path is a compile error with suggestions);
//! - `integrity!("js/app.js")`: the Subresource Integrity value of the bytes served;
//! - `COMPONENTS`: version components hashed at build time; `SOURCE`: how the folder was
//!   read, for dev mode ([`DevAssets`]).
//!
//! [`StaticService`] serves the manifest from memory with `Cache-Control: immutable`
//! (precompressed variants, ranges, 304s). [`AppVersion`] is the one version store; its
//! layers add `X-App-Version` ([`VersionHeaderLayer`]), answer `GET /version` and
//! `POST /cache/bust` ([`VersionEndpointsLayer`]) and inject stale-client detection into
//! pages ([`StaleClientLayer`]). [`VersionRouterLayer`] routes blue/green and canary
//! deploys, with [`nginx_config`] for the proxy.
//!
//! # Options
//!
//! ```text
//! hyper_assets!(
//!     "static",                       // folder, relative to Cargo.toml
//!     prefix = "/static/",            // URL prefix (default "/static/")
//!     module = assets,                // name of the generated module (default `assets`)
//!     include = ["css/**", "js/**"],  // only these files (default: all)
//!     exclude = ["*.map"],            // never these files
//!     hidden = false,                 // embed hidden files (default false)
//!     rewrite = true,                 // rewrite CSS/JS references to hashed names
//!     missing_references = "error",   // or "keep"
//!     compress = true,                // brotli and gzip variants (cached in OUT_DIR)
//!     url_prefix = "https://cdn.example.com/static/", // where URLs point, if elsewhere
//!     components(templates = ["templates"]), // version components
//!     crate = ::hyper_assets,         // path to this crate, if renamed
//! );
//! ```
//!
//! Already embedding with rust-embed or include_dir? The `adopt` module (features
//! `rust-embed` and `include_dir`) builds the same [`Manifest`] from those sets at
//! start-up, so everything above works on them too.
//!
//! See the README for the quick start, the naming rules and how `VERSION` is derived.

#[cfg(any(feature = "rust-embed", feature = "include_dir"))]
pub mod adopt;
mod app_version;
mod blocking;
pub mod build;
mod bust_token;
mod collect;
mod component;
mod dev;
mod endpoints;
mod manifest;
#[cfg(feature = "minijinja")]
pub mod minijinja;
mod nginx_config;
pub mod serving;
mod settings;
mod site;
mod spliced_body;
mod stale_client;
mod template_helpers;
mod version_header;
mod version_router;

pub use app_version::{
    AppVersion, AppVersionBuilder, VersionError, VersionSource, VersionState, STATIC_GROUP,
};
pub use bust_token::{cache_bust_token, TOKEN_LEN};
pub use collect::{nginx_static_location, CollectError, CollectReport};
pub use component::{ComponentError, ComponentState, DiskComponent, EmbeddedComponent};
pub use dev::{DevAssets, DevError, DevSnapshot, DevSource};
pub use endpoints::{
    EndpointsBody, EndpointsFuture, VersionEndpoints, VersionEndpointsLayer, BUST_BODY_LIMIT,
};
pub use manifest::{Asset, Embedded, Encoded, Manifest};
pub use nginx_config::{nginx_config, parse_backend_addrs, NginxError, NginxOptions};
pub use serving::{Body, ServedFile, StaticService, IMMUTABLE, NO_STORE, REVALIDATE};
pub use settings::{
    MismatchAction, RoutingSettings, SecretKey, Settings, SettingsBuilder, SettingsError, VARIABLES,
};
pub use site::{Site, SiteBody, SiteBuilder, SiteError, SiteFuture, SiteLayer, SiteService};
pub use spliced_body::SplicedBody;
pub use stale_client::{
    stale_client_script_path, ScriptDelivery, StaleClient, StaleClientBody, StaleClientFuture,
    StaleClientLayer, DEFAULT_MAX_BODY, STALE_CLIENT_SCRIPT, X_APP_PAGE_VERSION,
};
pub use template_helpers::{TemplateHelpers, UnknownAsset};
pub use version_header::{VersionHeader, VersionHeaderFuture, VersionHeaderLayer, X_APP_VERSION};
pub use version_router::{
    Canary, RequestedFrom, RouterError, RouterStats, Routing, VersionRouter, VersionRouterBuilder,
    VersionRouterFuture, VersionRouterLayer, APP_VERSION_COOKIE, X_APP_REQUESTED_VERSION,
    X_APP_SERVED_VERSION, X_BACKEND_TARGET,
};

/// The `http` crate, whose types the service and layers speak.
pub use http;

/// Embeds a static folder with content-hashed names; see the [crate] docs.
pub use hyper_assets_macros::hyper_assets;

#[doc(hidden)]
pub mod __private {
    pub use crate::component::EmbeddedComponent;
    pub use crate::dev::DevSource;
    pub use crate::manifest::{Asset, Embedded, Encoded, Manifest};
    pub use hyper_assets_macros::__resolve_asset_url;
}
