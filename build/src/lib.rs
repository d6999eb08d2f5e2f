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
//! hyper_assets_build::watch_embedded();
//! ```

mod scan;

use std::path::{Path, PathBuf};

/// The crate's README, its crates.io page: its examples compile as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// Tells cargo to rebuild the crate when a file is added to or removed from any folder
/// (or a file named) in the crate's `hyper_assets!(...)` calls: the static folder and
/// every path of `components(...)`, found by reading the `.rs` files under `src/`. Run
/// again whenever a source file changes, so a new call or component is watched from the
/// next build on.
///
/// A static folder that does not exist is a build warning naming it, and is not watched
/// (see [`watch`]). Other literals of the calls (a `prefix`, globs) are watched only if
/// they name something that exists.
#[allow(clippy::print_stdout)] // a build script talks to cargo on stdout
pub fn watch_embedded() {
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    let src = base.join("src");
    if src.is_dir() {
        println!("cargo:rerun-if-changed=src");
    }
    let mut sources = Vec::new();
    rust_files(&src, &mut sources);
    sources.sort();
    let mut watched: Vec<String> = Vec::new();
    for file in sources {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for literals in scan::macro_literals(&text) {
            for (index, literal) in literals.into_iter().enumerate() {
                let literal = literal.trim_end_matches('/').to_owned();
                if literal.is_empty() || watched.contains(&literal) {
                    continue;
                }
                let exists = !Path::new(&literal).is_absolute() && base.join(&literal).exists();
                if exists {
                    println!("cargo:rerun-if-changed={literal}");
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
}

/// The `.rs` files below `dir`, recursively (hidden folders left out).
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        match entry.file_type() {
            Ok(kind) if kind.is_dir() && !hidden => rust_files(&path, found),
            Ok(kind) if kind.is_file() && path.extension().is_some_and(|e| e == "rs") => {
                found.push(path);
            }
            _ => {}
        }
    }
}

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
