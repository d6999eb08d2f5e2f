//! Dev mode over a real socket: the folder served from disk through the same pipeline,
//! edits seen on the next request, `?v=` URLs, and nothing outside the folder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::Router;
use hyper_assets::{
    dev::DevAssets, serving::StaticService, version::cache_bust_token, version::AppVersion,
    Settings, TemplateHelpers,
};
use hyper_assets_tests::cargo_project::workspace_root;
use hyper_assets_tests::scratch::Scratch;
use hyper_assets_tests::TestServer;
use std::path::Path;

hyper_assets::hyper_assets!("fixtures/rewrite");

/// A scratch copy of the fixture folder, removed on drop.
fn scratch(name: &str) -> Scratch {
    Scratch::copy_of("tests/fixtures/rewrite", "dev-mode-tests", name)
}

const SECRET: &str = "dev-secret";

struct DevApp {
    server: TestServer,
    helpers: TemplateHelpers,
}

fn dev_app(folder: &Path, query: bool) -> DevApp {
    let dev = DevAssets::with_folder(&assets::SOURCE, folder);
    let version = AppVersion::builder()
        .settings(
            Settings::builder()
                .dev_mode(true)
                .dev_version_query(query)
                .secret_key(SECRET)
                .build()
                .unwrap(),
        )
        .manifest(&assets::MANIFEST)
        .build()
        .unwrap();
    let on_bust = dev.clone();
    version.on_refresh(move || on_bust.clear());
    let server = TestServer::start(
        Router::new()
            .fallback_service(StaticService::new(&assets::MANIFEST).with_dev(dev.clone()))
            .layer(version.endpoints_layer()),
    );
    DevApp {
        server,
        helpers: TemplateHelpers::new(&assets::MANIFEST, &version).with_dev(dev),
    }
}

#[test]
fn dev_mode_and_the_embedded_manifest_agree() {
    let dev = DevAssets::with_folder(
        &assets::SOURCE,
        workspace_root().join("tests/fixtures/rewrite"),
    );
    let snapshot = dev.snapshot().unwrap();
    assert_eq!(snapshot.len(), assets::MANIFEST.len());
    for asset in assets::MANIFEST.assets() {
        let file = snapshot.get(asset.canonical_path()).unwrap();
        assert_eq!(
            file.hashed_path(),
            asset.hashed_path(),
            "{}",
            asset.canonical_path()
        );
        assert_eq!(
            &file.bytes()[..],
            asset.bytes(),
            "{}",
            asset.canonical_path()
        );
        assert_eq!(file.etag(), asset.etag());
        assert_eq!(file.content_type(), asset.content_type());
    }
    // The generated SOURCE names the folder the macro read.
    assert!(Path::new(assets::SOURCE.folder()).ends_with("tests/fixtures/rewrite"));
}

#[test]
fn an_edit_shows_on_the_next_request_with_a_new_url_and_etag() {
    let scratch = scratch("edit");
    let app = dev_app(scratch.dir(), true);
    let before_url = app
        .helpers
        .static_url("css/theme/colors.css")
        .unwrap()
        .into_owned();
    assert!(
        before_url.starts_with("/static/css/theme/colors.css?v="),
        "{before_url}"
    );
    let before = app.server.get(&before_url, &[]);
    assert_eq!(before.status, 200);
    assert_eq!(before.header("cache-control"), Some("no-cache"));
    let etag = before.header("etag").unwrap().to_owned();
    assert_eq!(
        app.server
            .get(&before_url, &[&format!("If-None-Match: {etag}")])
            .status,
        304
    );

    std::fs::write(
        scratch.path("css/theme/colors.css"),
        ":root { --brand: rebeccapurple; }\n",
    )
    .unwrap();
    let after_url = app
        .helpers
        .static_url("css/theme/colors.css")
        .unwrap()
        .into_owned();
    assert_ne!(after_url, before_url, "a new ?v=");
    let after = app.server.get(&after_url, &[]);
    assert_eq!(after.body, b":root { --brand: rebeccapurple; }\n");
    assert_ne!(after.header("etag").unwrap(), etag);
    // The importer's rewritten reference follows, as in a release build.
    let app_css = app.server.get("/static/css/app.css", &[]);
    let hashed = app.helpers.static_path("css/theme/colors.css").unwrap();
    let name = hashed.rsplit('/').next().unwrap();
    assert!(
        String::from_utf8_lossy(&app_css.body).contains(name),
        "{name}"
    );
    // The hashed name from the last build still answers, with the current bytes.
    let built = app.server.get(assets::url!("css/theme/colors.css"), &[]);
    assert_eq!(built.status, 200);
    assert_eq!(built.body, after.body);
    assert_eq!(built.header("cache-control"), Some("no-cache"));
}

#[test]
fn files_appear_and_disappear() {
    let scratch = scratch("add-remove");
    let app = dev_app(scratch.dir(), false);
    assert_eq!(app.server.get("/static/new.txt", &[]).status, 404);
    std::fs::write(scratch.path("new.txt"), "new").unwrap();
    assert_eq!(app.server.get("/static/new.txt", &[]).body, b"new");
    assert_eq!(
        app.helpers.static_url("new.txt").unwrap(),
        "/static/new.txt",
        "no ?v= when off"
    );
    std::fs::remove_file(scratch.path("new.txt")).unwrap();
    assert_eq!(app.server.get("/static/new.txt", &[]).status, 404);
    assert!(app.helpers.static_url("new.txt").is_err());
}

#[test]
fn nothing_outside_the_folder_is_served() {
    let scratch = scratch("traversal");
    let app = dev_app(scratch.dir(), true);
    let outside = workspace_root().join("Cargo.toml");
    let cases: &[(&str, u16)] = &[
        ("/static/../Cargo.toml", 400),
        ("/static/%2e%2e/%2e%2e/Cargo.toml", 400),
        ("/static/css%2F..%2F..%2FCargo.toml", 400),
        ("/static//etc/passwd", 404),
        ("/static/css\\app.css", 400),
        ("/static/css/app.css%00", 400),
        ("/static/css/../../../Cargo.toml", 400),
    ];
    for &(path, status) in cases {
        let response = app.server.get(path, &[]);
        assert_eq!(response.status, status, "{path}");
        assert!(!String::from_utf8_lossy(&response.body).contains("[workspace]"));
    }
    let absolute = format!("/static/{}", outside.display());
    assert_eq!(app.server.get(&absolute, &[]).status, 404);
    // A symlink out of the folder is refused, loudly, as a build would refuse it.
    std::os::unix::fs::symlink(&outside, scratch.path("leak.toml")).unwrap();
    let refused = app.server.get("/static/leak.toml", &[]);
    assert_eq!(refused.status, 500);
    assert!(String::from_utf8_lossy(&refused.body)
        .contains("leak.toml` is a symlink that points outside"));
    std::fs::remove_file(scratch.path("leak.toml")).unwrap();
    assert_eq!(app.server.get("/static/css/app.css", &[]).status, 200);
}

#[test]
fn cache_bust_clears_the_dev_cache() {
    let scratch = scratch("bust");
    let app = dev_app(scratch.dir(), true);
    let file = scratch.path("js/lib/lazy.js");
    assert_eq!(
        app.server.get("/static/js/lib/lazy.js", &[]).body,
        b"export default 1;\n"
    );
    // Same size, same modification time: the stamp cannot see this edit...
    let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::fs::write(&file, "export default 2;\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert_eq!(
        app.server.get("/static/js/lib/lazy.js", &[]).body,
        b"export default 1;\n"
    );
    // ...but a bust is authoritative.
    let bust = app.server.send(
        "POST",
        "/cache/bust",
        &[
            "Content-Length: 0",
            &format!("Authorization: Bearer {}", cache_bust_token(SECRET)),
        ],
    );
    assert_eq!(bust.status, 200);
    assert_eq!(
        app.server.get("/static/js/lib/lazy.js", &[]).body,
        b"export default 2;\n"
    );
}

#[test]
fn a_name_a_build_refuses_is_refused_in_dev_mode_too() {
    let scratch = scratch("collision");
    let dev = DevAssets::with_folder(&assets::SOURCE, scratch.dir());
    std::fs::write(scratch.path("a.css"), "a { color: red }").unwrap();
    let snapshot = dev.snapshot().unwrap();
    let hashed = snapshot.get("a.css").unwrap().hashed_path().to_owned();
    // An already-hashed copy next to its source: the macro refuses this folder.
    std::fs::write(scratch.path(&hashed), "b { color: blue }").unwrap();
    let error = dev.snapshot().unwrap_err().to_string();
    assert!(error.contains(&hashed), "{error}");
    assert!(error.contains("a.css"), "{error}");
}

/// Issue 15: while an editor saves (vim's `4913` probe, swap files, backups, a file
/// written and removed), files vanish between the folder's listing and their stat. That
/// turned every asset into a 500; they are simply not there.
#[test]
fn files_vanishing_during_the_walk_never_fail_a_request() {
    let scratch = scratch("vanishing");
    let site = hyper_assets::Site::builder(&assets::EMBEDDED)
        .settings(
            Settings::builder()
                .dev_mode(true)
                .dev_dir(scratch.dir())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let server = TestServer::start(Router::new().layer(site.layer()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let dir = scratch.dir().to_path_buf();
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            let names = ["4913", "css/.app.css.swp", "css/app.css~", "js/new.js"];
            let mut rounds = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for name in names {
                    let _ = std::fs::write(dir.join(name), b"x");
                }
                for name in names {
                    let _ = std::fs::remove_file(dir.join(name));
                }
                rounds += 1;
            }
            rounds
        })
    };
    let mut failures = Vec::new();
    for _ in 0..400 {
        let response = server.get("/static/css/app.css", &[]);
        if response.status != 200 {
            failures.push((
                response.status,
                String::from_utf8_lossy(&response.body).into_owned(),
            ));
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let rounds = churn.join().unwrap();
    assert!(rounds > 10, "the churn ran ({rounds} rounds)");
    assert!(
        failures.is_empty(),
        "{} of 400 failed: {:?}",
        failures.len(),
        failures.first()
    );
}
