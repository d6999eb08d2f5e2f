//! Compile-pass and compile-error tests of `hyper_assets!` and `url!`, with trybuild.
//!
//! trybuild compiles each file in a crate of its own at
//! `<target>/tests/trybuild/hyper-assets-tests/`, whose `CARGO_MANIFEST_DIR` is that
//! folder. The test links `fixtures/` there and creates the fixtures git cannot hold
//! (dangling and escaping symlinks, a non-UTF-8 name, a socket) in `gen/`.
//!
//! The cases stand for crates whose build script watches their folders: the test tells
//! the compilation that `fixtures/` and `gen/` are watched, as `hyper_assets_build`'s
//! `watch` would, so the macro's note about an unwatched folder shows only for
//! `unwatched/` (`fail/unwatched_folder.rs`). Without it the cases would see whatever
//! this crate's own build script told cargo (`fixtures` only), as `cargo test` passes
//! a build script's `rustc-env` on to the tests it runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_tests::cargo_project::target_dir;
use std::fs;
use std::path::Path;

fn prepare_fixtures() {
    let project = target_dir().join("tests/trybuild/hyper-assets-tests");
    fs::create_dir_all(&project).unwrap();
    let fixtures = project.join("fixtures");
    let _ = fs::remove_file(&fixtures);
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &fixtures,
    )
    .unwrap();

    let generated = project.join("gen");
    let _ = fs::remove_dir_all(&generated);
    let folder = |name: &str| {
        let dir = generated.join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("ok.css"), "body{}").unwrap();
        dir
    };
    let dangling = folder("dangling");
    std::os::unix::fs::symlink(dangling.join("gone.css"), dangling.join("broken.css")).unwrap();

    let escape = folder("escape");
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"),
        escape.join("leak.toml"),
    )
    .unwrap();

    let non_utf8 = folder("non-utf8");
    use std::os::unix::ffi::OsStrExt;
    fs::write(
        non_utf8.join(std::ffi::OsStr::from_bytes(b"caf\xe9.css")),
        "x",
    )
    .unwrap();

    // The folder no build script watches (see the module docs).
    let unwatched = project.join("unwatched");
    fs::create_dir_all(&unwatched).unwrap();
    fs::write(unwatched.join("app.css"), "body{}").unwrap();

    let socket = folder("socket");
    drop(std::os::unix::net::UnixListener::bind(socket.join("app.sock")).unwrap());

    let backslash = folder("backslash");
    fs::write(backslash.join("a\\b.css"), "x").unwrap();

    // A package manager's tree and a repository inside the static folder: left out,
    // with a note.
    let vendored = folder("vendored");
    fs::create_dir_all(vendored.join("node_modules/htmx.org/dist")).unwrap();
    fs::write(vendored.join("node_modules/htmx.org/dist/htmx.js"), "x").unwrap();
    fs::create_dir_all(vendored.join("js/.git")).unwrap();
    fs::write(vendored.join("js/.git/HEAD"), "ref: refs/heads/main\n").unwrap();

    // Past the size warning (32 MiB): one large file and a few small ones.
    let large = folder("large");
    fs::write(large.join("video.bin"), vec![0u8; 33 << 20]).unwrap();
    fs::write(large.join("poster.png"), vec![1u8; 300 << 10]).unwrap();

    let several = folder("several");
    fs::write(several.join(std::ffi::OsStr::from_bytes(b"\xff.js")), "x").unwrap();
    std::os::unix::fs::symlink("/etc/hostname", several.join("host.txt")).unwrap();
}

#[test]
fn ui() {
    prepare_fixtures();
    let watched = std::env::join_paths(["fixtures", "gen"]).unwrap();
    // The one test of this binary: no other thread reads the environment.
    std::env::set_var(hyper_assets_build::WATCHED_VARIABLE, watched);
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
