//! Reference rewriting end to end: the served stylesheets and scripts name hashed URLs
//! that the server answers, comments and unrelated strings are untouched, and the SRI
//! values match the bytes served.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::Router;
use hyper_assets::serving::StaticService;
use hyper_assets_tests::TestServer;

hyper_assets::hyper_assets!("fixtures/rewrite");

fn server() -> TestServer {
    TestServer::start(Router::new().fallback_service(StaticService::new(&assets::MANIFEST)))
}

fn text(asset: &str) -> String {
    String::from_utf8(assets::MANIFEST.get(asset).unwrap().bytes().to_vec()).unwrap()
}

/// The last component of an asset's hashed path: `greet.1a2b3c4d5e6f.js`.
fn hashed_file_name(asset: &str) -> &'static str {
    let hashed = assets::MANIFEST.get(asset).unwrap().hashed_path();
    hashed.rsplit('/').next().unwrap()
}

/// Resolves `reference` (as written in the file served at `base`) to a URL path.
fn join(base: &str, reference: &str) -> String {
    if reference.starts_with('/') {
        return reference.to_owned();
    }
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for part in reference.split('/') {
        match part {
            "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Every `url(...)`/`@import "..."`/`sourceMappingURL` target in served CSS, as written.
fn css_targets(css: &str) -> Vec<String> {
    hyper_assets_pipeline::scan_css(css.as_bytes())
        .into_iter()
        .map(|r| css[r.start..r.end].to_owned())
        .collect()
}

#[test]
fn stylesheets_name_hashed_urls_that_resolve() {
    let server = server();
    let css_url = assets::url!("css/app.css");
    let css = text("css/app.css");
    let targets = css_targets(&css);
    let mut checked = 0;
    for target in &targets {
        if target.starts_with("data:") || target.starts_with("https:") {
            continue;
        }
        let path = join(css_url, target.split(['?', '#']).next().unwrap());
        let response = server.get(&path, &[]);
        assert_eq!(response.status, 200, "{target} -> {path}");
        assert_eq!(
            response.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{target} must be a hashed URL"
        );
        checked += 1;
    }
    assert_eq!(checked, 6, "{targets:?}");
    let logo = assets::MANIFEST.get("img/logo.svg").unwrap();
    assert!(
        css.contains(&format!("url('{}')", logo.url())),
        "root-relative stays root-relative"
    );
    let eot_name = hashed_file_name("fonts/icons.eot");
    assert!(
        css.contains(&format!("url(\"../fonts/{eot_name}?#iefix\")")),
        "{css}"
    );
    assert!(css.contains("/* A commented-out reference is not rewritten: url(../img/old.png) */"));
    assert!(css.contains("content: \"url(../img/not-a-ref.png)\""));
    assert!(css.contains("url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)"));
    assert!(css.contains("url(https://example.com/x.png)"));
    // Nested: the imported sheet's own reference is rewritten too.
    let base = text("css/theme/base.css");
    assert!(
        base.contains(&format!("../../{}", logo.hashed_path())),
        "{base}"
    );
}

#[test]
fn hashes_are_of_the_rewritten_bytes() {
    use hyper_assets_pipeline::{integrity, ContentHash};
    for asset in assets::MANIFEST.assets() {
        let hash = ContentHash::of(asset.bytes());
        assert_eq!(asset.sha256(), hash.hex(), "{}", asset.canonical_path());
        assert!(asset.hashed_path().contains(&hash.short()));
        assert_eq!(asset.integrity(), integrity(asset.bytes()));
    }
    let on_disk = std::fs::read("fixtures/rewrite/css/app.css").unwrap();
    assert_ne!(
        assets::MANIFEST.get("css/app.css").unwrap().bytes(),
        &on_disk[..]
    );
    assert_eq!(
        assets::integrity!("js/app.js"),
        assets::MANIFEST.get("js/app.js").unwrap().integrity()
    );
}

#[test]
fn scripts_import_hashed_modules() {
    let server = server();
    let js = text("js/app.js");
    let greet = hashed_file_name("js/lib/greet.js");
    assert!(js.contains(&format!("from \"./lib/{greet}\"")), "{js}");
    assert!(js.contains(&format!("from './lib/{greet}'")), "{js}");
    assert!(js.contains("import(\"./lib/lazy."), "{js}");
    assert!(js.contains("import \"./lib/side-effect."), "{js}");
    assert!(js.contains("// import { nope } from \"./lib/nope.js\";"));
    assert!(js.contains("\"import x from './not-a-ref.js'\""));
    let map = hashed_file_name("js/app.js.map");
    assert!(js.contains(&format!("//# sourceMappingURL={map}")), "{js}");
    for module in [
        "js/lib/greet.js",
        "js/lib/lazy.js",
        "js/lib/side-effect.js",
        "js/app.js.map",
    ] {
        let url = assets::MANIFEST.get(module).unwrap().url();
        assert_eq!(server.get(url, &[]).status, 200, "{module}");
    }
}
