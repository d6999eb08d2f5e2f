//! Cache-proof, deploy-safe static files.
//!
//! `hyper_assets!("static")` hashes every file of a folder at compile time, gives each a
//! content-hashed name (`css/styles.a1b2c3d4e5f6.css`) and generates a module with:
//!
//! - `VERSION`: the manifest hash, derived from every file's path and SHA-256;
//! - `MANIFEST`: a [`Manifest`] of const data whose bytes come from `include_bytes!`;
//! - `url!("css/styles.css")`: the hashed URL as a string literal, checked at compile
//!   time (an unknown path is a compile error with suggestions).
//!
//! [`StaticService`] serves the manifest from memory with `Cache-Control: immutable`,
//! and [`VersionHeaderLayer`] adds `X-App-Version` to every response.
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
//!     crate = ::hyper_assets,         // path to this crate, if renamed
//! );
//! ```
//!
//! See the README for the quick start, the naming rules and how `VERSION` is derived.

pub mod build;
mod if_none_match;
mod manifest;
mod request_path;
mod static_service;
mod version_header;

pub use manifest::{Asset, Manifest};
pub use static_service::{Body, StaticService, IMMUTABLE, NO_STORE, REVALIDATE};
pub use version_header::{VersionHeader, VersionHeaderFuture, VersionHeaderLayer, X_APP_VERSION};

/// The `http` crate, whose types the service and layers speak.
pub use http;

/// Embeds a static folder with content-hashed names; see the [crate] docs.
pub use hyper_assets_macros::hyper_assets;

#[doc(hidden)]
pub mod __private {
    pub use crate::manifest::{Asset, Manifest};
    pub use hyper_assets_macros::__resolve_asset_url;
}
