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
//! The rooms behind it, for à-la-carte use, one concern each: the stack's from the bottom
//! up, then those beside it:
//!
//! | module | what it holds |
//! |---|---|
//! | [`settings`] | [`Settings`] and its parts |
//! | the manifest (at the root) | [`Manifest`], [`Asset`], [`ImportMap`] and [`Embedded`]: the const data `hyper_assets!` generates |
//! | [`serving`] | [`StaticService`](serving::StaticService), the one model of a served file, and the HTTP rules (conditional requests, ranges, negotiation, safe paths) |
//! | [`dev`] | dev mode: the folder served from disk through the macro's pipeline |
//! | [`version`] | [`AppVersion`](version::AppVersion) (the one store), components, the `X-App-Version` layer, `GET /version` and `POST /cache/bust` |
//! | [`stale_client`] | the stale-client script and [`StaleClientLayer`](stale_client::StaleClientLayer) |
//! | [`routing`] | blue/green and canary: [`VersionRouterLayer`](routing::VersionRouterLayer) and the nginx generator |
//! | [`templates`] | [`TemplateHelpers`] (URLs, integrity, the import map, preloads) and their minijinja and Tera registration |
//! | `server` | `serve`: a server loop with a header-read timeout and a connection cap, HTTP/1.1 in cleartext and HTTP/2 or HTTP/1.1 over TLS (features `server`, on by default, and `tls`) |
//! | [`site`] | [`Site`]: the one stack over the rooms above |
//! | `actix` | the one stack as actix-web middleware, the static service as an actix-web service (feature `actix-web`) |
//! | `adopt` | manifests from rust-embed or include_dir sets (features) |
//! | [`deploy`] | `collect` for a CDN or nginx, and the nginx `location` that serves it |
//! | [`build`] | the build-script helper (prefer the `hyper-assets-build` crate) |
//!
//! # Layers
//!
//! A room names only the rooms below it, so no two files import each other
//! (`tests/tests/layers.rs` checks that, and this order). Bottom to top:
//!
//! settings → manifest → serving → dev → version → stale_client → routing → templates → server → site → actix
//!
//! `adopt` and `deploy` build on the manifest alone, `build` on nothing. A method of a
//! lower room's type that needs a higher room is defined in the higher room's file:
//! [`Manifest::service`] in `serving`, `StaticService::with_dev` in `dev`,
//! `AppVersion::header_layer` beside its layer, `Site::actix_middleware` in `actix`.
//!
//! # Options
//!
//! Every option of the macro, in the order its errors list them, with its default:
//!
//! ```text
//! hyper_assets!(
//!     "static",                      // the folder, relative to Cargo.toml (first, required)
//!     prefix = "/static/",           // URL prefix (default "/static/")
//!     url_prefix = "https://cdn.example.com/static/", // where URLs point (default: the prefix)
//!     module = assets,               // the generated module's name (default assets)
//!     include = ["css/**", "js/**"], // only these files (default: all files)
//!     exclude = ["*.map"],           // never these files (default: none)
//!     hidden = false,                // embed hidden files (default false)
//!     rewrite = true,                // CSS/JS references to hashed names (default true)
//!     missing_references = "error",  // or "keep" (default "error")
//!     compress = true,               // brotli and gzip variants, in OUT_DIR (default true)
//!     size_limit = "200 MiB",        // the cap (default: no limit, a warning past 32 MiB)
//!     previous = "releases",         // a release folder's earlier files (default: none)
//!     deltas = true,                 // dcb/dcz deltas from them; needs compress (default true)
//!     components(templates = ["templates"]), // version components (default: none)
//!     import_map("htmx" = "vendor/htmx.esm.js"), // bare names, the map (default: none)
//!     crate = ::hyper_assets,        // this crate's path, if renamed (default ::hyper_assets)
//! );
//! ```
//!
//! An embedded set over `size_limit` fails the build (sizes in B, KB, KiB, MB, MiB, GB or
//! GiB). `previous` embeds the earlier releases' files of a release folder written by
//! `collect`, served under their own hashed names, and `deltas` the RFC 9842 deltas from
//! them. Without `import_map(...)`, module specifiers are rewritten to hashed names; with
//! it (even empty), they resolve through the import map and are served as written.
//!
//! Already embedding with rust-embed or include_dir? The `adopt` module (features
//! `rust-embed` and `include_dir`) builds the same [`Manifest`] from those sets at
//! start-up, so everything above works on them too.
//!
//! The guide (`docs/` in the repository, chapter Reference) lists every option, setting,
//! serving rule and error; its earlier chapters take the quick start, the naming rules and
//! how `VERSION` is derived one at a time.

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
