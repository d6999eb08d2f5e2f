//! The request corpus: the requests the one stack is compared on, whatever serves it (the
//! à-la-carte layers, actix-web, the server loop, HTTPS over HTTP/1.1 and HTTP/2), with
//! the app they run against and the part of an answer that must be the same.
//!
//! The corpus reaches every kind of answer the stack gives: assets whole, compressed,
//! ranged, revalidated and refused; other builds' URLs; pages full and partial; the
//! version endpoint and the cache bust with and without its token; version routing.

use crate::RawResponse;
use axum::http::header::CONTENT_TYPE;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use hyper_assets::stale_client::stale_client_script_path;
use hyper_assets::version::cache_bust_token;
use hyper_assets::{Manifest, Settings};

/// The key the corpus's busts are signed with ([`settings`]).
pub const SECRET: &str = "site-secret";

/// The page at `/`.
pub const PAGE: &str =
    "<!doctype html><html><head><title>t</title></head><body><p>hi</p></body></html>";

/// One request: method, path (sent byte for byte) and extra header lines (`"Name: value"`).
pub type CorpusRequest = (&'static str, String, Vec<String>);

/// The app the corpus is sent to: a page at `/`, an htmx fragment at `/fragment` and
/// JSON at `/json`.
pub fn routes() -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/fragment", get(|| async { Html("<p>partial</p>") }))
        .route(
            "/json",
            get(|| async { ([(CONTENT_TYPE, "application/json")], r#"{"a":1}"#) }),
        )
}

/// The settings the corpus expects: [`SECRET`], no dev mode, and with `routing` two
/// versions (`v1.0`, the default, and `v1.1`).
pub fn settings(routing: bool) -> Settings {
    settings_builder(routing).build().unwrap()
}

/// [`settings`] before it is built, for more settings on top (a certificate, timeouts).
pub fn settings_builder(routing: bool) -> hyper_assets::settings::SettingsBuilder {
    let builder = Settings::builder().secret_key(SECRET).dev_mode(false);
    if routing {
        builder
            .version("v1.0", "backend-blue")
            .version("v1.1", "backend-green")
            .default_version("v1.0")
    } else {
        builder
    }
}

/// Status, headers (but `Date` and `Server`, sorted) and body.
pub fn comparable(response: &RawResponse) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .filter(|(name, _)| name != "date" && name != "server")
        .cloned()
        .collect();
    headers.sort();
    (response.status, headers, response.body.clone())
}

/// The corpus, against `manifest` (the `tests/fixtures/compress` assets, with `big.css`
/// and `small.css`), in order: the bust near the end changes what `/version` says.
pub fn corpus(manifest: &'static Manifest) -> Vec<CorpusRequest> {
    let big = manifest.get("big.css").unwrap();
    let small = manifest.get("small.css").unwrap();
    let other_build = big.url().replace(&big.sha256()[..12], "0123456789ab");
    let token = cache_bust_token(SECRET);
    let h = |lines: &[&str]| {
        lines
            .iter()
            .map(|line| (*line).to_owned())
            .collect::<Vec<_>>()
    };
    vec![
        ("GET", big.url().to_owned(), h(&[])),
        ("GET", "/static/big.css".to_owned(), h(&[])),
        ("GET", big.url().to_owned(), h(&["Accept-Encoding: br"])),
        ("GET", big.url().to_owned(), h(&["Accept-Encoding: gzip"])),
        (
            "GET",
            big.url().to_owned(),
            h(&["Accept-Encoding: gzip;q=1, br;q=0.5"]),
        ),
        (
            "GET",
            big.url().to_owned(),
            h(&[&format!("If-None-Match: {}", big.etag())]),
        ),
        ("GET", big.url().to_owned(), h(&["Range: bytes=0-9"])),
        ("GET", big.url().to_owned(), h(&["Range: bytes=-5"])),
        ("GET", big.url().to_owned(), h(&["Range: bytes=99999999-"])),
        ("HEAD", big.url().to_owned(), h(&["Accept-Encoding: br"])),
        ("POST", big.url().to_owned(), h(&["Content-Length: 0"])),
        (
            "GET",
            small.url().to_owned(),
            h(&["Accept-Encoding: br, gzip"]),
        ),
        ("GET", other_build, h(&[])),
        ("GET", "/static/nope.css".to_owned(), h(&[])),
        ("GET", "/static/x%2Fbig.css".to_owned(), h(&[])),
        ("GET", format!("/static/{}", "a".repeat(3000)), h(&[])),
        ("GET", "/".to_owned(), h(&[])),
        ("HEAD", "/".to_owned(), h(&[])),
        (
            "GET",
            "/".to_owned(),
            h(&["HX-Request: true", "X-App-Page-Version: old"]),
        ),
        ("GET", "/fragment".to_owned(), h(&["HX-Request: true"])),
        ("GET", "/json".to_owned(), h(&[])),
        ("GET", stale_client_script_path().to_owned(), h(&[])),
        ("GET", "/version".to_owned(), h(&[])),
        ("POST", "/version".to_owned(), h(&["Content-Length: 0"])),
        ("POST", "/cache/bust".to_owned(), h(&["Content-Length: 0"])),
        (
            "POST",
            "/cache/bust".to_owned(),
            h(&["Authorization: Bearer nope", "Content-Length: 0"]),
        ),
        ("GET", "/cache/bust".to_owned(), h(&[])),
        (
            "POST",
            "/cache/bust".to_owned(),
            h(&[
                &format!("Authorization: Bearer {token}"),
                "Content-Length: 0",
            ]),
        ),
        ("GET", "/version".to_owned(), h(&[])),
        ("GET", "/".to_owned(), h(&["X-App-Requested-Version: v1.1"])),
        ("GET", "/".to_owned(), h(&["X-App-Requested-Version: v99"])),
        ("GET", "/".to_owned(), h(&["X-App-Requested-Version: a b"])),
        ("GET", "/".to_owned(), h(&["Cookie: app_version=v1.1"])),
        (
            "GET",
            big.url().to_owned(),
            h(&["Cookie: app_version=v1.1"]),
        ),
    ]
}

/// The statuses the corpus must reach (with routing, 409 too); see [`assert_reaches_every_answer`].
pub const EXPECTED_STATUSES: [u16; 11] = [200, 206, 304, 307, 400, 401, 403, 404, 405, 414, 416];

/// Panics unless `statuses` (one per corpus request) holds every kind of answer.
pub fn assert_reaches_every_answer(statuses: &[u16], routing: bool) {
    for status in EXPECTED_STATUSES {
        assert!(statuses.contains(&status), "no {status} in {statuses:?}");
    }
    if routing {
        assert!(statuses.contains(&409), "{statuses:?}");
    }
}
