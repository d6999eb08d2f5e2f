//! The rust-embed and include_dir adapters: the same folder gives the same manifest as
//! `hyper_assets!`, field by field, and the same answers over a real socket through the
//! one `StaticService`; what the macro refuses is an error naming the file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::Router;
use hyper_assets::adopt::{self, AdoptError};
use hyper_assets::{serving::StaticService, version::AppVersion, Manifest, TemplateHelpers};
use hyper_assets_pipeline::{ContentHash, PipelineError};
use hyper_assets_tests::{RawResponse, TestServer};
use std::borrow::Cow;
use std::path::Path;

hyper_assets::hyper_assets!("fixtures/basic", compress = false, module = basic);
hyper_assets::hyper_assets!(
    "fixtures/basic",
    compress = false,
    hidden = true,
    module = basic_hidden
);
hyper_assets::hyper_assets!("fixtures/rewrite", compress = false, module = rewritten);
hyper_assets::hyper_assets!(
    "fixtures/rewrite",
    compress = false,
    rewrite = false,
    module = as_written
);

#[derive(rust_embed::Embed)]
#[folder = "fixtures/basic"]
struct Basic;

#[derive(rust_embed::Embed)]
#[folder = "fixtures/rewrite"]
struct Rewrite;

#[derive(rust_embed::Embed)]
#[folder = "fixtures/collision"]
struct Collision;

#[derive(rust_embed::Embed)]
#[folder = "fixtures/empty"]
struct Empty;

/// Written by `build.rs`; edited by the debug-mode test.
#[derive(rust_embed::Embed)]
#[folder = "$OUT_DIR/adopt-live/"]
struct Live;

/// `ok.css` and `back\slash.css`, written by `build.rs`.
#[derive(rust_embed::Embed)]
#[folder = "$OUT_DIR/adopt-bad-name/"]
struct BadName;

static BASIC_DIR: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/fixtures/basic");
static REWRITE_DIR: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/fixtures/rewrite");
static COLLISION_DIR: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/fixtures/collision");
static EMPTY_DIR: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/fixtures/empty");

fn from_rust_embed() -> &'static Manifest {
    adopt::rust_embed::<Basic>().build().unwrap()
}

fn from_include_dir() -> &'static Manifest {
    adopt::include_dir(&BASIC_DIR).build().unwrap()
}

/// Every field of every asset, the lookups and the exports.
fn assert_same_manifest(adopted: &Manifest, expected: &Manifest) {
    assert_eq!(adopted.version(), expected.version());
    // The import map and each module's static graph, read from the bytes as embedded.
    assert_eq!(adopted.import_map().json(), expected.import_map().json());
    for asset in expected.assets() {
        let module = asset.canonical_path();
        assert_eq!(
            adopted.import_map().static_graph(module),
            expected.import_map().static_graph(module),
            "{module}"
        );
        assert_eq!(
            adopted.import_map().imports_through_map(module),
            expected.import_map().imports_through_map(module),
            "{module}"
        );
    }
    assert_eq!(adopted.prefix(), expected.prefix());
    assert_eq!(adopted.len(), expected.len());
    for (got, want) in adopted.assets().iter().zip(expected.assets()) {
        let name = want.canonical_path();
        assert_eq!(got.canonical_path(), name);
        assert_eq!(got.hashed_path(), want.hashed_path(), "{name}");
        assert_eq!(got.url(), want.url(), "{name}");
        assert_eq!(got.sha256(), want.sha256(), "{name}");
        assert_eq!(got.content_type(), want.content_type(), "{name}");
        assert_eq!(got.etag(), want.etag(), "{name}");
        assert_eq!(got.integrity(), want.integrity(), "{name}");
        assert_eq!(got.bytes(), want.bytes(), "{name}");
        assert!(want.brotli().is_none() && want.gzip().is_none(), "{name}");
        assert!(got.brotli().is_none() && got.gzip().is_none(), "{name}");
        let by_hash = adopted.get_hashed(want.hashed_path()).unwrap();
        assert_eq!(by_hash.canonical_path(), name);
        assert_eq!(adopted.url(name), Some(want.url()));
    }
    assert_eq!(adopted.staticfiles_json(), expected.staticfiles_json());
}

#[test]
fn rust_embed_gives_the_macros_manifest() {
    assert_same_manifest(from_rust_embed(), &basic::MANIFEST);
    assert_eq!(from_rust_embed().version(), basic::VERSION);
}

#[test]
fn include_dir_gives_the_macros_manifest() {
    assert_same_manifest(from_include_dir(), &basic::MANIFEST);
}

#[test]
fn hidden_files_are_left_out_unless_asked_for() {
    // The fixture has `.hidden` and `.well-known/security.txt`; only the second is served.
    assert!(from_rust_embed().get(".hidden").is_none());
    assert!(from_include_dir().get(".well-known/security.txt").is_some());
    let with_hidden = adopt::rust_embed::<Basic>().hidden(true).build().unwrap();
    assert_same_manifest(with_hidden, &basic_hidden::MANIFEST);
    let with_hidden = adopt::include_dir(&BASIC_DIR).hidden(true).build().unwrap();
    assert_same_manifest(with_hidden, &basic_hidden::MANIFEST);
}

#[test]
fn rewriting_at_start_up_gives_the_macros_bytes() {
    let rust_embed = adopt::rust_embed::<Rewrite>()
        .prefix("/static")
        .rewrite(true)
        .build()
        .unwrap();
    assert_same_manifest(rust_embed, &rewritten::MANIFEST);
    let include_dir = adopt::include_dir(&REWRITE_DIR)
        .rewrite(true)
        .build()
        .unwrap();
    assert_same_manifest(include_dir, &rewritten::MANIFEST);
    // Rewritten to hashed names, the module's imports need no import map.
    assert!(!include_dir.import_map().imports_through_map("js/app.js"));
    assert_eq!(
        include_dir.import_map().static_graph("js/app.js"),
        ["js/app.js", "js/lib/greet.js", "js/lib/side-effect.js"]
    );
    let css = String::from_utf8_lossy(include_dir.get("css/app.css").unwrap().bytes());
    let logo = include_dir.get("img/logo.svg").unwrap();
    assert!(css.contains(logo.url()), "{css}");
}

#[test]
fn rewriting_refuses_what_the_macro_refuses() {
    static MISSING: include_dir::Dir<'static> =
        include_dir::include_dir!("$CARGO_MANIFEST_DIR/fixtures/missing-ref");
    static CYCLE: include_dir::Dir<'static> =
        include_dir::include_dir!("$CARGO_MANIFEST_DIR/fixtures/cycle");
    let missing = adopt::include_dir(&MISSING)
        .rewrite(true)
        .build()
        .unwrap_err();
    let message = missing.to_string();
    assert!(message.contains("`./css/app.css:"), "{message}");
    assert!(message.contains("which is not in the set"), "{message}");
    // Without rewriting the same files are served as they are.
    assert!(adopt::include_dir(&MISSING).build().is_ok());
    let cycle = adopt::include_dir(&CYCLE)
        .rewrite(true)
        .build()
        .unwrap_err();
    let message = cycle.to_string();
    assert!(message.contains("cycle"), "{message}");
    assert!(message.contains("`./a.css`"), "{message}");
}

#[test]
fn without_rewriting_the_bytes_are_served_as_embedded() {
    let plain = adopt::rust_embed::<Rewrite>().build().unwrap();
    assert_same_manifest(plain, &as_written::MANIFEST);
    let plain = adopt::include_dir(&REWRITE_DIR).build().unwrap();
    assert_same_manifest(plain, &as_written::MANIFEST);
    assert_ne!(plain.version(), rewritten::VERSION);
    // As written, its relative imports name canonical URLs: only the map resolves them.
    assert!(plain.import_map().imports_through_map("js/app.js"));
    assert_eq!(
        plain.import_map().static_graph("js/app.js"),
        ["js/app.js", "js/lib/greet.js", "js/lib/side-effect.js"]
    );
}

#[test]
fn template_helpers_and_the_version_work_unchanged() {
    for manifest in [from_rust_embed(), from_include_dir()] {
        let version = AppVersion::from_manifest(manifest);
        assert_eq!(version.current().version(), basic::VERSION);
        let helpers = TemplateHelpers::new(manifest, &version);
        let macro_helpers = TemplateHelpers::new(&basic::MANIFEST, &version);
        for path in ["css/styles.css", "img/a b.png", "docs/ü.txt"] {
            assert_eq!(
                helpers.static_url(path).unwrap(),
                macro_helpers.static_url(path).unwrap()
            );
            assert_eq!(
                helpers.integrity(path).unwrap(),
                macro_helpers.integrity(path).unwrap()
            );
        }
        assert!(helpers.static_url("css/nope.css").is_err());
    }
}

#[test]
fn the_collision_fixture_is_an_error_naming_both_files() {
    let hashed = "a.bb4263d9ed62.css";
    let from_rust_embed = adopt::rust_embed::<Collision>().build().unwrap_err();
    let from_include_dir = adopt::include_dir(&COLLISION_DIR).build().unwrap_err();
    for error in [&from_rust_embed, &from_include_dir] {
        let AdoptError::Files { problems, .. } = error else {
            panic!("{error:?}");
        };
        assert_eq!(
            problems,
            &[PipelineError::NameCollision {
                hashed_from: "a.css".to_owned(),
                name: hashed.to_owned(),
            }]
        );
        let message = error.to_string();
        assert!(message.contains("`./a.css`"), "{message}");
        assert!(message.contains(&format!("`./{hashed}`")), "{message}");
        assert!(
            message.contains("remove the already-hashed copy"),
            "{message}"
        );
    }
    assert!(
        from_rust_embed.to_string().contains("rust-embed `"),
        "{from_rust_embed}"
    );
    // The error is a std error, for `?` in `main`.
    let _: Box<dyn std::error::Error> = Box::new(from_include_dir);
}

/// include_dir turns the backslash into `/`; the adapter must still refuse the name, not
/// serve it as `back/slash.css`.
static BAD_NAME_DIR: include_dir::Dir<'static> =
    include_dir::include_dir!("$OUT_DIR/adopt-bad-name");

#[test]
fn include_dir_does_not_turn_a_backslash_into_a_folder() {
    let message = adopt::include_dir(&BAD_NAME_DIR)
        .build()
        .unwrap_err()
        .to_string();
    assert!(message.contains("back\\slash.css"), "{message}");
    assert!(message.contains("backslash"), "{message}");
}

#[test]
fn a_name_with_a_backslash_is_an_error_naming_it() {
    let error = adopt::rust_embed::<BadName>().build().unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("`./back\\slash.css` cannot be served"),
        "{message}"
    );
    assert!(message.contains("backslash"), "{message}");
    assert!(!message.contains("ok.css"), "{message}");
}

#[test]
fn an_empty_set_is_an_error_as_an_empty_folder_is() {
    for error in [
        adopt::rust_embed::<Empty>().build().unwrap_err(),
        adopt::include_dir(&EMPTY_DIR).build().unwrap_err(),
    ] {
        assert!(matches!(error, AdoptError::Empty { .. }), "{error:?}");
        assert!(error.to_string().contains(".hidden(true)"), "{error}");
    }
    let gitkeep = adopt::include_dir(&EMPTY_DIR).hidden(true).build().unwrap();
    assert_eq!(gitkeep.assets()[0].canonical_path(), ".gitkeep");
}

#[test]
fn the_prefix_follows_the_macros_rule() {
    let manifest = adopt::include_dir(&BASIC_DIR)
        .prefix("/assets")
        .build()
        .unwrap();
    assert_eq!(manifest.prefix(), "/assets/");
    assert!(manifest
        .url("css/styles.css")
        .unwrap()
        .starts_with("/assets/css/styles."));
    for bad in ["static/", "/a b/", "//cdn/", ""] {
        let error = adopt::rust_embed::<Basic>()
            .prefix(bad)
            .build()
            .unwrap_err();
        assert!(matches!(error, AdoptError::BadPrefix { .. }), "{bad}");
        assert!(error.to_string().contains("must be a URL path"), "{error}");
    }
}

#[test]
fn a_subdirectory_of_include_dir_names_files_relative_to_it() {
    let css = BASIC_DIR.get_dir("css").unwrap();
    let manifest = adopt::include_dir(css).build().unwrap();
    let asset = manifest.get("styles.css").unwrap();
    assert_eq!(
        asset.sha256(),
        basic::MANIFEST.get("css/styles.css").unwrap().sha256()
    );
}

#[test]
fn rust_embed_debug_mode_reads_the_disk_once_at_build() {
    let file = Path::new(env!("OUT_DIR")).join("adopt-live/live.txt");
    std::fs::write(&file, "at start-up\n").unwrap();
    let embedded = Live::get("live.txt").unwrap().data;
    if cfg!(debug_assertions) {
        // Without `debug-embed`, a debug build reads the file now, as owned bytes.
        assert!(matches!(embedded, Cow::Owned(_)));
        assert_eq!(&*embedded, b"at start-up\n");
    } else {
        assert!(matches!(embedded, Cow::Borrowed(_)));
    }
    let manifest = adopt::rust_embed::<Live>().build().unwrap();
    let asset = manifest.get("live.txt").unwrap();
    assert_eq!(asset.bytes(), &*embedded);
    assert_eq!(asset.sha256(), ContentHash::of(&embedded).hex());

    std::fs::write(&file, "edited later\n").unwrap();
    let now = Live::get("live.txt").unwrap().data;
    if cfg!(debug_assertions) {
        assert_eq!(&*now, b"edited later\n", "rust-embed reads the disk again");
    }
    // The manifest is a snapshot: the same bytes, hash and URL as at build.
    let again = manifest.get("live.txt").unwrap();
    assert_eq!(again.bytes(), &*embedded);
    assert_eq!(again.sha256(), ContentHash::of(&embedded).hex());
    std::fs::write(&file, "as built\n").unwrap();
}

// Over a real socket: the adopted manifests answer exactly as the macro's.

fn server(manifest: &'static Manifest) -> TestServer {
    let version = AppVersion::from_manifest(manifest);
    TestServer::start(
        Router::new()
            .fallback_service(StaticService::new(manifest))
            .layer(version.endpoints_layer())
            .layer(version.header_layer()),
    )
}

/// Status, headers other than `date`, and body.
fn normalized(response: &RawResponse) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let headers = response
        .headers
        .iter()
        .filter(|(name, _)| name != "date")
        .cloned()
        .collect();
    (response.status, headers, response.body.clone())
}

#[test]
fn hashed_routes_304_and_the_version_header_over_http() {
    for manifest in [from_rust_embed(), from_include_dir()] {
        let server = server(manifest);
        let css = manifest.get("css/styles.css").unwrap();
        let ok = server.get(css.url(), &[]);
        assert_eq!(ok.status, 200);
        assert_eq!(
            ok.body,
            std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/basic/css/styles.css")
            )
            .unwrap()
        );
        assert_eq!(
            ok.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(ok.header("content-type"), Some("text/css; charset=utf-8"));
        assert_eq!(ok.header("etag"), Some(css.etag()));
        assert_eq!(ok.header("x-app-version"), Some(basic::VERSION));

        let not_modified = server.get(css.url(), &[&format!("If-None-Match: {}", css.etag())]);
        assert_eq!(not_modified.status, 304);
        assert!(not_modified.body.is_empty());
        assert_eq!(not_modified.header("x-app-version"), Some(basic::VERSION));

        let canonical = server.get("/static/css/styles.css", &[]);
        assert_eq!(canonical.status, 200);
        assert_eq!(canonical.header("cache-control"), Some("no-cache"));
        assert_eq!(canonical.header("etag"), Some(css.etag()));

        let version: serde_json::Value =
            serde_json::from_slice(&server.get("/version", &[]).body).unwrap();
        assert_eq!(version["version"], basic::VERSION);
        assert_eq!(version["static"]["files"], basic::MANIFEST.len());
    }
}

#[test]
fn every_answer_matches_the_macro_built_service() {
    let reference = server(&basic::MANIFEST);
    let css = basic::MANIFEST.get("css/styles.css").unwrap();
    let image = basic::MANIFEST.get("img/a b.png").unwrap();
    let old_hash = css.url().replace(&css.sha256()[..12], "000000000000");
    let etag = format!("If-None-Match: {}", css.etag());
    let requests: Vec<(&str, &str, Vec<&str>)> = vec![
        ("GET", css.url(), vec![]),
        ("HEAD", css.url(), vec![]),
        ("GET", css.url(), vec![&etag]),
        ("GET", "/static/css/styles.css", vec![]),
        ("GET", "/static/css/styles.css", vec![&etag]),
        ("GET", image.url(), vec![]),
        ("GET", "/static/docs/%C3%BC.txt", vec![]),
        ("GET", "/static/.well-known/security.txt", vec![]),
        ("GET", &old_hash, vec![]),
        ("GET", css.url(), vec!["Range: bytes=0-3"]),
        ("GET", css.url(), vec!["Accept-Encoding: br, gzip"]),
        ("POST", css.url(), vec![]),
        ("GET", "/static/.hidden", vec![]),
        ("GET", "/static/nope.css", vec![]),
        ("GET", "/static/../Cargo.toml", vec![]),
        ("GET", "/version", vec![]),
    ];
    for manifest in [from_rust_embed(), from_include_dir()] {
        let adopted = server(manifest);
        for (method, path, headers) in &requests {
            let want = reference.send(method, path, headers);
            let got = adopted.send(method, path, headers);
            assert_eq!(
                normalized(&got),
                normalized(&want),
                "{method} {path} {headers:?}"
            );
        }
    }
}
