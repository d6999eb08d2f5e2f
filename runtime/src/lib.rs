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
//! - `EMBEDDED`: the manifest with `SOURCE` (how the folder was read, for dev mode) and
//!   `COMPONENTS` (version components hashed at build time), for [`Site`];
//! - `IMPORT_MAP` and `IMPORT_MAP_CSP_HASH`: the import map of the JavaScript modules
//!   (hashed URLs and an `integrity` section) and the CSP source of its inline tag; see
//!   [`ImportMap`].
//!
//! [`Site`] is the front door: settings from the environment ([`Settings`]), the version
//! store, the static files, dev mode, stale-client detection and version routing, as one
//! tower layer ([`SiteLayer`]) plus [`TemplateHelpers`]:
//!
//! ```
//! hyper_assets::hyper_assets!("static");
//!
//! # fn main() -> Result<(), hyper_assets::SiteError> {
//! let site = hyper_assets::Site::from_env(&assets::EMBEDDED)?.build()?;
//! // With axum: Router::new().route("/", get(page)).layer(site.layer())
//! # let _ = site.layer();
//! # Ok(()) }
//! ```
//!
//! The rooms behind it, for à-la-carte use, one concern each:
//!
//! | module | what it holds |
//! |---|---|
//! | [`serving`] | [`StaticService`](serving::StaticService), the one model of a served file, and the HTTP rules (conditional requests, ranges, negotiation, safe paths) |
//! | [`version`] | [`AppVersion`](version::AppVersion) (the one store), components, the `X-App-Version` layer, `GET /version` and `POST /cache/bust` |
//! | [`stale_client`] | the stale-client script and [`StaleClientLayer`](stale_client::StaleClientLayer) |
//! | [`routing`] | blue/green and canary: [`VersionRouterLayer`](routing::VersionRouterLayer) and the nginx generator |
//! | [`dev`] | dev mode: the folder served from disk through the macro's pipeline |
//! | [`templates`] | [`TemplateHelpers`] (URLs, integrity, the import map, preloads) and their minijinja and Tera registration |
//! | [`settings`] | [`Settings`] and its parts |
//! | [`deploy`] | `collect` for a CDN or nginx, and the nginx `location` that serves it |
//! | `adopt` | manifests from rust-embed or include_dir sets (features) |
//! | `actix` | the one stack as actix-web middleware, the static service as an actix-web service (feature `actix-web`) |
//! | [`build`] | the build-script helper (prefer the `hyper-assets-build` crate) |
//!
//! # Options
//!
//! ```text
//! hyper_assets!(
//!     "static",                       // folder, relative to Cargo.toml
//!     prefix = "/static/",            // URL prefix (default "/static/")
//!     module = assets,                // name of the generated module (default `assets`)
//!     include = ["css/**", "js/**"],  // only these files (default: all files)
//!     exclude = ["*.map"],            // never these files
//!     hidden = false,                 // embed hidden files (default false)
//!     rewrite = true,                 // rewrite CSS/JS references to hashed names
//!     missing_references = "error",   // or "keep"
//!     compress = true,                // brotli and gzip variants (cached in OUT_DIR)
//!     size_limit = "200 MiB",         // fail past this size (default: no limit, a warning past 32 MiB)
//!     url_prefix = "https://cdn.example.com/static/", // where URLs point, if elsewhere
//!     components(templates = ["templates"]), // version components
//!     previous = "releases",          // embed earlier releases' files from a release folder
//!     deltas = true,                  // and dcb/dcz deltas from them (RFC 9842; needs compress)
//!     import_map("htmx" = "vendor/htmx.esm.js"), // bare names; specifiers via the map
//!     crate = ::hyper_assets,         // path to this crate, if renamed
//! );
//! ```
//!
//! Already embedding with rust-embed or include_dir? The `adopt` module (features
//! `rust-embed` and `include_dir`) builds the same [`Manifest`] from those sets at
//! start-up, so everything above works on them too.
//!
//! See the README for the quick start, the naming rules and how `VERSION` is derived.

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(any(feature = "rust-embed", feature = "include_dir"))]
pub mod adopt;
mod blocking;
pub mod build;
pub mod deploy;
pub mod dev;
mod manifest;
pub mod routing;
#[cfg(feature = "server")]
pub mod server;
pub mod serving;
pub mod settings;
pub mod site;
pub mod stale_client;
pub mod templates;
pub mod version;

pub use manifest::{Asset, Delta, Embedded, ImportMap, Manifest};
#[cfg(feature = "server")]
pub use server::serve;
pub use settings::{Settings, SettingsError};
pub use site::{Site, SiteBuilder, SiteError, SiteLayer};
pub use templates::TemplateHelpers;

/// The `http` crate, whose types the service and layers speak.
pub use http;

/// Embeds a static folder with content-hashed names; see the [crate] docs.
pub use hyper_assets_macros::hyper_assets;

/// The crate's README, its crates.io page: its examples compile as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzz;

#[doc(hidden)]
pub mod __private {
    pub use crate::manifest::{
        Asset, Delta, DevSource, Embedded, EmbeddedComponent, Encoded, ImportMap, Manifest,
    };
    pub use hyper_assets_macros::__resolve_asset_url;
}
