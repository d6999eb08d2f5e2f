//! Every serving rule of the static service, over a real socket.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::routing::get;
use axum::Router;
use hyper_assets::{serving::StaticService, version::AppVersion};
use hyper_assets_tests::{raw_request, RawResponse, TestServer};

hyper_assets::hyper_assets!("fixtures/basic");

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn server() -> TestServer {
    TestServer::start(
        Router::new()
            .route("/", get(|| async { "home" }))
            .fallback_service(StaticService::new(&assets::MANIFEST))
            .layer(AppVersion::from_manifest(&assets::MANIFEST).header_layer()),
    )
}

fn css() -> &'static hyper_assets::Asset {
    assets::MANIFEST.get("css/styles.css").unwrap()
}

fn fixture_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/basic")
            .join(rel),
    )
    .unwrap()
}

fn assert_version(response: &RawResponse) {
    assert_eq!(response.header("x-app-version"), Some(assets::VERSION));
}

#[test]
fn hashed_path_is_immutable_with_exact_bytes() {
    let server = server();
    let response = server.get(assets::url!("css/styles.css"), &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.body, fixture_bytes("css/styles.css"));
    assert_eq!(
        response.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        response.header("content-length"),
        Some(response.body.len().to_string().as_str())
    );
    assert_eq!(response.header("cache-control"), Some(IMMUTABLE));
    assert_eq!(response.header("etag"), Some(css().etag()));
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_version(&response);
}

#[test]
fn etag_is_the_sha256_of_the_bytes() {
    let sha = hyper_assets_pipeline::ContentHash::of(&fixture_bytes("css/styles.css"));
    assert_eq!(css().etag(), format!("\"{}\"", sha.hex()));
    assert_eq!(
        css().hashed_path(),
        format!("css/styles.{}.css", sha.short())
    );
}

#[test]
fn head_has_the_headers_and_no_body() {
    let server = server();
    let get = server.get(css().url(), &[]);
    let head = server.send("HEAD", css().url(), &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    for name in ["content-type", "content-length", "etag", "cache-control"] {
        assert_eq!(head.header(name), get.header(name), "{name}");
    }
}

#[test]
fn canonical_path_revalidates_with_the_same_etag() {
    let server = server();
    let response = server.get("/static/css/styles.css", &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    assert_eq!(response.header("etag"), Some(css().etag()));
    assert_eq!(response.body, fixture_bytes("css/styles.css"));
}

#[test]
fn if_none_match_gives_304_without_body() {
    let server = server();
    let etag = css().etag();
    let weak = format!("W/{etag}");
    let list = format!("\"nope\", {weak}");
    for value in [etag, weak.as_str(), list.as_str(), "*"] {
        for path in [css().url(), "/static/css/styles.css"] {
            let response = server.get(path, &[&format!("If-None-Match: {value}")]);
            assert_eq!(response.status, 304, "{value} {path}");
            assert!(response.body.is_empty());
            assert_eq!(response.header("etag"), Some(etag));
            assert_version(&response);
        }
    }
    let head = server.send("HEAD", css().url(), &[&format!("If-None-Match: {etag}")]);
    assert_eq!(head.status, 304);
    let miss = server.get(css().url(), &["If-None-Match: \"other\", W/\"x\""]);
    assert_eq!(miss.status, 200);
    let two_lines = server.get(
        css().url(),
        &[
            "If-None-Match: \"other\"",
            &format!("If-None-Match: {etag}"),
        ],
    );
    assert_eq!(two_lines.status, 304);
}

#[test]
fn another_builds_hash_redirects_without_caching() {
    let server = server();
    let stale = "/static/css/styles.0123456789ab.css";
    assert_ne!(stale, css().url());
    let response = server.get(stale, &[]);
    assert_eq!(response.status, 307);
    assert_eq!(response.header("location"), Some(css().url()));
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_version(&response);
    // A hash-shaped name of a file we do not have is just missing.
    assert_eq!(
        server.get("/static/css/other.0123456789ab.css", &[]).status,
        404
    );
    // Upper-case hex is not our shape.
    assert_eq!(
        server
            .get("/static/css/styles.0123456789AB.css", &[])
            .status,
        404
    );
}

#[test]
fn naming_edge_cases_are_served() {
    let server = server();
    let license = assets::MANIFEST.get("LICENSE").unwrap();
    assert!(license.hashed_path().starts_with("LICENSE."));
    assert_eq!(
        server.get(assets::url!("LICENSE"), &[]).body,
        fixture_bytes("LICENSE")
    );
    assert!(assets::url!("js/app.min.js").starts_with("/static/js/app.min."));
    assert!(assets::url!(".well-known/security.txt").starts_with("/static/.well-known/security."));
    let response = server.get(assets::url!(".well-known/security.txt"), &[]);
    assert_eq!(response.status, 200);
    // Spaces and non-ASCII names are percent-encoded in URLs and decoded once.
    let spaced = assets::url!("img/a b.png");
    assert!(spaced.contains("a%20b."), "{spaced}");
    let response = server.get(spaced, &[]);
    assert_eq!(response.body, fixture_bytes("img/a b.png"));
    assert_eq!(response.header("content-type"), Some("image/png"));
    let unicode = assets::url!("docs/ü.txt");
    assert!(unicode.starts_with("/static/docs/%C3%BC."), "{unicode}");
    assert_eq!(server.get(unicode, &[]).body, fixture_bytes("docs/ü.txt"));
    // Hidden files are not embedded.
    assert!(assets::MANIFEST.get(".hidden").is_none());
    assert_eq!(server.get("/static/.hidden", &[]).status, 404);
}

#[test]
fn other_methods_get_405_with_allow() {
    let server = server();
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        for path in [
            css().url(),
            "/static/css/styles.css",
            "/static/css/styles.0123456789ab.css",
        ] {
            let response = server.send(method, path, &["Content-Length: 0"]);
            assert_eq!(response.status, 405, "{method} {path}");
            assert_eq!(response.header("allow"), Some("GET, HEAD"));
            assert_version(&response);
        }
    }
}

#[test]
fn unknown_paths_404_with_the_version_header() {
    let server = server();
    for path in [
        "/static/nope.css",
        "/static/",
        "/static",
        "/elsewhere",
        "/static/css",
        "/static/css/",
    ] {
        let response = server.get(path, &[]);
        assert_eq!(response.status, 404, "{path}");
        assert_version(&response);
    }
    assert_version(&server.get("/", &[]));
}

#[test]
fn hostile_paths_never_escape_or_panic() {
    let server = server();
    let cases: &[(&str, u16)] = &[
        ("/static/../Cargo.toml", 400),
        ("/static/css/../../Cargo.toml", 400),
        ("/static/%2e%2e/Cargo.toml", 400),
        ("/static/css%2Fstyles.css", 400),
        ("/static/css%2fstyles.css", 400),
        ("/static/css%5Cstyles.css", 400),
        ("/static/css\\styles.css", 400),
        ("/static/css/styles.css%00", 400),
        ("/static/%", 400),
        ("/static/%zz", 400),
        ("/static/%ff", 400),
        ("/static//etc/passwd", 404),
        ("/static/./css/styles.css", 400),
        ("/static/%252e%252e/x", 404),
    ];
    for &(path, status) in cases {
        let response = server.get(path, &[]);
        assert_eq!(response.status, status, "{path}");
        assert_version(&response);
    }
    let long = format!("/static/{}", "a".repeat(5000));
    assert_eq!(server.get(&long, &[]).status, 414);
    // A raw NUL byte in the request line is refused by the HTTP parser.
    let response = raw_request(
        server.addr(),
        b"GET /static/a\0b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(response.status, 400);
    // The server is still up.
    assert_eq!(server.get(css().url(), &[]).status, 200);
}

#[test]
fn nested_service_expects_the_prefix_removed() {
    let server = TestServer::start(
        Router::new().nest_service("/static", StaticService::new(&assets::MANIFEST).nested()),
    );
    let response = server.get(css().url(), &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some(IMMUTABLE));
    let stale = server.get("/static/css/styles.0123456789ab.css", &[]);
    assert_eq!(stale.header("location"), Some(css().url()));
    assert_eq!(server.get("/static/../x", &[]).status, 400);
}

#[test]
fn manifest_lookups_and_staticfiles_json() {
    let manifest = &assets::MANIFEST;
    assert_eq!(manifest.len(), 6);
    assert_eq!(manifest.prefix(), "/static/");
    assert_eq!(manifest.version(), assets::VERSION);
    for asset in manifest.assets() {
        assert_eq!(
            manifest
                .get_hashed(asset.hashed_path())
                .unwrap()
                .canonical_path(),
            asset.canonical_path()
        );
        assert_eq!(manifest.url(asset.canonical_path()), Some(asset.url()));
    }
    let json: serde_json::Value = serde_json::from_str(&manifest.staticfiles_json()).unwrap();
    assert_eq!(json["version"], "1.1");
    assert_eq!(json["hash"], assets::VERSION);
    assert_eq!(json["paths"]["css/styles.css"], css().hashed_path());
    assert_eq!(json["paths"].as_object().unwrap().len(), 6);
}

#[test]
fn url_works_in_const_and_concat() {
    const CSS: &str = assets::url!("css/styles.css");
    const TAG: &str = concat!("<link href=\"", assets::url!("css/styles.css"), "\">");
    assert_eq!(CSS, css().url());
    assert_eq!(TAG, format!("<link href=\"{}\">", css().url()));
    // A raw string resolves through the catch-all arm.
    assert_eq!(assets::url!(r"css/styles.css"), css().url());
}

#[test]
fn version_is_the_documented_derivation() {
    use hyper_assets_pipeline::ContentHash;
    let mut listing = String::new();
    for asset in assets::MANIFEST.assets() {
        let bytes = fixture_bytes(asset.canonical_path());
        listing.push_str(&format!(
            "{}\0{}\n",
            asset.canonical_path(),
            ContentHash::of(&bytes).hex()
        ));
    }
    assert_eq!(
        assets::VERSION,
        &ContentHash::of(listing.as_bytes()).hex()[..12]
    );
}

#[test]
fn ranges_206_416_and_if_range() {
    let server = server();
    let bytes = fixture_bytes("css/styles.css");
    let len = bytes.len();
    let whole = server.get(css().url(), &[]);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));

    let first = server.get(css().url(), &["Range: bytes=0-4"]);
    assert_eq!(first.status, 206);
    assert_eq!(first.body, &bytes[..5]);
    assert_eq!(
        first.header("content-range"),
        Some(format!("bytes 0-4/{len}").as_str())
    );
    assert_eq!(first.header("content-length"), Some("5"));
    assert_eq!(first.header("etag"), Some(css().etag()));

    let suffix = server.get(css().url(), &["Range: bytes=-3"]);
    assert_eq!(suffix.status, 206);
    assert_eq!(suffix.body, &bytes[len - 3..]);
    let open = server.get("/static/css/styles.css", &["Range: bytes=10-"]);
    assert_eq!(open.status, 206);
    assert_eq!(open.body, &bytes[10..]);
    assert_eq!(open.header("cache-control"), Some("no-cache"));

    let beyond = server.get(css().url(), &[&format!("Range: bytes={len}-")]);
    assert_eq!(beyond.status, 416);
    assert_eq!(
        beyond.header("content-range"),
        Some(format!("bytes */{len}").as_str())
    );
    assert!(beyond.body.is_empty());

    let matching = server.get(
        css().url(),
        &["Range: bytes=0-0", &format!("If-Range: {}", css().etag())],
    );
    assert_eq!(matching.status, 206);
    let stale = server.get(css().url(), &["Range: bytes=0-0", "If-Range: \"old\""]);
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, bytes);
    let several = server.get(css().url(), &["Range: bytes=0-0,2-3"]);
    assert_eq!(several.status, 200);
    let head = server.send("HEAD", css().url(), &["Range: bytes=0-4"]);
    assert_eq!(head.status, 206);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), Some("5"));
}

/// Issue 15: `If-Match` was ignored (nginx answers it with 412). `If-Unmodified-Since` is
/// ignored on purpose: RFC 9110, section 13.1.4, requires it of a resource without a
/// modification date, and content-hashed files send no `Last-Modified`.
#[test]
fn if_match_gives_412_and_if_unmodified_since_is_ignored() {
    let server = server();
    let url = css().url();
    let etag = css().etag();
    for matching in [etag.to_owned(), "*".to_owned(), format!("\"x\", {etag}")] {
        let response = server.get(url, &[&format!("If-Match: {matching}")]);
        assert_eq!(response.status, 200, "{matching}");
        assert_eq!(response.body, css().bytes());
    }
    for failing in [
        "\"x\"".to_owned(),
        format!("W/{etag}"),
        "garbage".to_owned(),
    ] {
        let response = server.get(url, &[&format!("If-Match: {failing}")]);
        assert_eq!(response.status, 412, "{failing}");
        assert!(response.body.is_empty());
        assert_eq!(response.header("etag"), Some(etag));
        assert_version(&response);
    }
    // If-Match is evaluated before If-None-Match and Range.
    let both = server.get(
        url,
        &[
            "If-Match: \"x\"",
            &format!("If-None-Match: {etag}"),
            "Range: bytes=0-1",
        ],
    );
    assert_eq!(both.status, 412);
    let ius = server.get(url, &["If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT"]);
    assert_eq!(ius.status, 200);
    assert!(ius.header("last-modified").is_none());
}

/// Issue 15: the range unit is case-insensitive, and a last position too large for 64
/// bits means "to the end" (RFC 9110, section 14.1.2), over a real socket.
#[test]
fn range_unit_case_and_huge_positions() {
    let server = server();
    let url = css().url();
    let len = css().bytes().len();
    let upper = server.get(url, &["Range: Bytes=0-3"]);
    assert_eq!(upper.status, 206);
    assert_eq!(upper.body, &css().bytes()[..4]);
    let huge = server.get(url, &[&format!("Range: bytes=1-{}", "9".repeat(40))]);
    assert_eq!(huge.status, 206);
    assert_eq!(huge.body, &css().bytes()[1..]);
    assert_eq!(
        huge.header("content-range"),
        Some(format!("bytes 1-{}/{len}", len - 1).as_str())
    );
    let past = server.get(url, &[&format!("Range: bytes={}-", "9".repeat(40))]);
    assert_eq!(past.status, 416);
    let plus = server.get(url, &["Range: bytes=+1-2"]);
    assert_eq!(plus.status, 200, "a sign is not a position");
}
