//! The build-script helper of hyper-assets, for `[build-dependencies]`.
//!
//! Edits to embedded files rebuild a crate without it (each file is tracked through
//! `include_bytes!`); a new or deleted file is only seen by a proc macro when something
//! asks cargo to look, and on stable Rust a build script is that something. This crate has
//! no dependencies, so the build script compiles in a moment and never builds the
//! runtime for the host.
//!
//! In `build.rs`:
//!
//! ```no_run
//! hyper_assets_build::watch("static");
//! ```

use std::path::Path;

/// Tells cargo to rebuild the crate when a file is added to or removed from `folder`
/// (relative to the crate's `Cargo.toml`, as in `hyper_assets!`), or to a version
/// component folder of `components(...)`.
///
/// A folder that does not exist is a build warning naming it, and is not watched: cargo
/// would otherwise rebuild the crate on every build, since the path it was told to watch
/// is missing.
#[allow(clippy::print_stdout)] // a build script talks to cargo on stdout
pub fn watch(folder: impl AsRef<Path>) {
    let folder = folder.as_ref();
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    let resolved = match &base {
        Some(base) => base.join(folder),
        None => folder.to_path_buf(),
    };
    if resolved.exists() {
        println!("cargo:rerun-if-changed={}", folder.display());
    } else {
        println!(
            "cargo:warning=hyper-assets: `{}` does not exist (watch() names it in build.rs), so it is not watched",
            folder.display()
        );
    }
}
