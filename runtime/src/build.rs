//! Helpers for a crate's build script (`build.rs`).
//!
//! [`watch_embedded`] is the one line a build script needs: it finds every folder the
//! crate's `hyper_assets!` calls under `src/` name, the `components(...)` paths included,
//! and watches them, so adding or removing a file rebuilds the crate. [`watch`] watches
//! one folder by hand, for a call it cannot find (a renamed macro, a call outside
//! `src/`). Without either, the macro notes at build time that no build script watches
//! its folder.
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     hyper_assets::build::watch_embedded();
//! }
//! ```
//!
//! Prefer the `hyper-assets-build` crate in `[build-dependencies]`
//! (`hyper_assets_build::watch_embedded()`): it has no dependencies, so the build script
//! does not compile this runtime for the host. This module re-exports it for build
//! scripts that already depend on `hyper-assets`.

// The example is a build script: its `fn main` is what the reader copies.
#![allow(clippy::needless_doctest_main)]

pub use hyper_assets_build::{watch, watch_embedded};
