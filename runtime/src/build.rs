//! Helpers for a crate's build script (`build.rs`).
//!
//! Prefer the `hyper-assets-build` crate in `[build-dependencies]`: it has no
//! dependencies, so the build script does not compile this runtime for the host. This
//! module re-exports it for build scripts that already depend on `hyper-assets`.

pub use hyper_assets_build::watch;
