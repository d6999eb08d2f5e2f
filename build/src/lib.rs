//! The build-script helper of hyper-assets, for `[build-dependencies]`.
//!
//! Edits to embedded files rebuild a crate without it (each file is tracked through
//! `include_bytes!`); a new or deleted file is only seen by a proc macro when something
//! asks cargo to look, and on stable Rust a build script is that something. This crate has
//! no dependencies, so the build script compiles in a moment and never builds the
//! runtime for the host.
//!
//! # `watch_embedded`: the one line a `build.rs` needs
//!
//! [`watch_embedded`] reads the crate's `hyper_assets!` calls under `src/` and watches
//! every folder and file they name: the static folder and the `components(...)` paths. A
//! call added later, or a new component, is watched from the next build on, with nothing
//! to change in `build.rs`:
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     hyper_assets_build::watch_embedded();
//! }
//! ```
//!
//! With
//!
//! ```toml
//! [build-dependencies]
//! hyper-assets-build = "0.1"
//! ```
//!
//! Without a build script that watches its folder, `hyper_assets!` says so with a build
//! warning (files added to the folder would not rebuild the crate).
//!
//! # `watch`: one folder by hand
//!
//! [`watch`] watches one folder named in `build.rs`, for a call [`watch_embedded`]
//! cannot find (a macro renamed with `use ... as`, a call outside `src/`):
//!
//! ```no_run
//! // build.rs
//! fn main() {
//!     hyper_assets_build::watch("static");
//! }
//! ```
//!
//! # Reading the calls
//!
//! [`macro_calls`] gives every call's folder and options as written, for tools that must
//! build the folder as the macro does: `hyper-assets collect` takes its options from it.

// The examples are build scripts: their `fn main` is what the reader copies.
#![allow(clippy::needless_doctest_main)]

mod calls;
mod scan;
mod tokens;

pub use calls::{macro_calls, CallArguments, MacroCall, OptionValue};

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The crate's README, its crates.io page: its examples compile as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The variable [`watch_embedded`] and [`watch`] set for the crate's compilation
/// (`cargo:rustc-env`): the folders they watch, joined as `PATH` is
/// ([`std::env::join_paths`]). The `hyper_assets!` macro reads it to note a static folder
/// no build script watches; see [`is_watched`].
pub const WATCHED_VARIABLE: &str = "HYPER_ASSETS_WATCHED";

/// Every path watched so far by this build script, for [`WATCHED_VARIABLE`].
static WATCHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Adds `paths` to the watched ones and tells cargo the whole list (the last
/// `rustc-env` of a variable is the one the compilation sees).
#[allow(clippy::print_stdout)] // a build script talks to cargo on stdout
fn tell_watched(paths: impl IntoIterator<Item = PathBuf>) {
    let mut watched = WATCHED.lock().unwrap_or_else(PoisonError::into_inner);
    for path in paths {
        // A path holding the list separator cannot be told; its folder is then noted
        // as unwatched, which says no more than the truth about the list.
        if !watched.contains(&path) && std::env::join_paths([&path]).is_ok() {
            watched.push(path);
        }
    }
    if let Ok(list) = std::env::join_paths(watched.iter()) {
        println!(
            "cargo:rustc-env={WATCHED_VARIABLE}={}",
            list.to_string_lossy()
        );
    }
}

/// Whether `folder` (relative to `crate_dir`, or absolute) is one of the folders in
/// `watched` (a value of [`WATCHED_VARIABLE`]) or inside one of them. Paths are compared
/// by their components, without reading the disk.
///
/// ```
/// use hyper_assets_build::is_watched;
/// use std::path::Path;
///
/// let crate_dir = Path::new("/app");
/// let watched = std::env::join_paths(["fixtures", "static"]).unwrap();
/// assert!(is_watched(&watched, crate_dir, Path::new("static")));
/// assert!(is_watched(&watched, crate_dir, Path::new("./fixtures/basic/")));
/// assert!(is_watched(&watched, crate_dir, Path::new("/app/static")));
/// assert!(!is_watched(&watched, crate_dir, Path::new("public")));
/// assert!(!is_watched(&watched, crate_dir, Path::new("static-old")));
/// ```
pub fn is_watched(watched: &OsStr, crate_dir: &Path, folder: &Path) -> bool {
    let folder = crate_dir.join(folder);
    std::env::split_paths(watched)
        .filter(|entry| !entry.as_os_str().is_empty())
        .any(|entry| folder.starts_with(crate_dir.join(entry)))
}

/// Tells cargo to rebuild the crate when a file is added to or removed from any folder
/// (or a file named) in the crate's `hyper_assets!(...)` calls: the static folder and
/// every path of `components(...)`, found by reading the `.rs` files under `src/`
/// ([`macro_calls`]). Run again whenever a source file changes, so a new call or
/// component is watched from the next build on. This is the one line a `build.rs`
/// needs:
///
/// ```no_run
/// // build.rs
/// fn main() {
///     hyper_assets_build::watch_embedded();
/// }
/// ```
///
/// A static folder that does not exist is a build warning naming it, and is not watched
/// (see [`watch`]). Other literals of the calls (a `prefix`, globs) are watched only if
/// they name something that exists. The folders watched are told to the compilation
/// ([`WATCHED_VARIABLE`]), so the macro stays quiet about them; a call the scan cannot
/// see (through a renamed macro, in a file outside `src/`) gets the macro's note that
/// its folder is not watched.
#[allow(clippy::print_stdout)] // a build script talks to cargo on stdout
pub fn watch_embedded() {
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    let src = base.join("src");
    if src.is_dir() {
        println!("cargo:rerun-if-changed=src");
    }
    let mut watched: Vec<String> = Vec::new();
    let mut told: Vec<PathBuf> = Vec::new();
    for (file, text) in calls::crate_sources(&base) {
        for literals in calls::macro_literals(&text) {
            for (index, literal) in literals.into_iter().enumerate() {
                let literal = literal.trim_end_matches('/').to_owned();
                if literal.is_empty() || watched.contains(&literal) {
                    continue;
                }
                let exists = !Path::new(&literal).is_absolute() && base.join(&literal).exists();
                if exists {
                    println!("cargo:rerun-if-changed={literal}");
                    told.push(PathBuf::from(&literal));
                } else if index == 0 {
                    println!(
                        "cargo:warning=hyper-assets: `{literal}` (named by `hyper_assets!` in {}) does not exist, so it is not watched",
                        file.strip_prefix(&base).unwrap_or(&file).display()
                    );
                }
                watched.push(literal);
            }
        }
    }
    tell_watched(told);
}

/// Tells cargo to rebuild the crate when a file is added to or removed from `folder`
/// (relative to the crate's `Cargo.toml`, as in `hyper_assets!`), or to a version
/// component folder of `components(...)`.
///
/// Prefer [`watch_embedded`], which finds the folders itself; `watch` is for a folder
/// it cannot see.
///
/// ```no_run
/// // build.rs
/// fn main() {
///     hyper_assets_build::watch("static");
///     hyper_assets_build::watch("templates");
/// }
/// ```
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
        tell_watched([folder.to_path_buf()]);
    } else {
        println!(
            "cargo:warning=hyper-assets: `{}` does not exist (watch() names it in build.rs), so it is not watched",
            folder.display()
        );
    }
}
