//! Helpers for a crate's build script (`build.rs`).

use std::path::Path;

/// Tells cargo to rebuild the crate when a file is added to or removed from `folder`
/// (relative to the crate's `Cargo.toml`, as in `hyper_assets!`).
///
/// Edits to embedded files rebuild without it (each is tracked through
/// `include_bytes!`); a new or deleted file is only seen by a proc macro when something
/// asks cargo to look, and on stable Rust a build script is that something.
///
/// In `build.rs`:
///
/// ```no_run
/// hyper_assets::build::watch("static");
/// ```
#[allow(clippy::print_stdout)]
pub fn watch(folder: impl AsRef<Path>) {
    println!("cargo:rerun-if-changed={}", folder.as_ref().display());
}
