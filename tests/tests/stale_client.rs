//! The stale-client layer's injection rules, over a real socket.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::body::Body;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use hyper_assets::{
    settings::MismatchAction, stale_client::stale_client_script_path, stale_client::ScriptDelivery,
    stale_client::STALE_CLIENT_SCRIPT, version::AppVersion, Settings,
};
use hyper_assets_tests::{RawResponse, TestServer};

const PAGE: &str =
    "<!doctype html><html><head><title>t</title></head><body><p>hi</p></body></html>";
const MARKER: &str = "data-hyper-assets=\"stale-client\"";

fn version(explicit: &str, mode: MismatchAction) -> AppVersion {
    AppVersion::builder()
        .settings(
            Settings::builder()
                .app_version(explicit)
                .mismatch(mode)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn routes() -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route(
            "/upper",
            get(|| async { Html("<HTML><HEAD></HEAD><BODY>x</BODY></HTML>") }),
        )
        .route(
            "/no-head",
            get(|| async { Html("<body class=\"a\"><p>x</p></body>") }),
        )
        .route("/bare", get(|| async { Html("<p>bare</p>") }))
        .route(
            "/json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], "{}") }),
        )
        .route(
            "/missing",
            get(|| async { (axum::http::StatusCode::NOT_FOUND, Html(PAGE)) }),
        )
        .route(
            "/encoded",
            get(|| async { ([(header::CONTENT_ENCODING, "gzip")], Html(PAGE)) }),
        )
        .route(
            "/events",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/event-stream")],
                    "data: <head></head>\n\n",
                )
            }),
        )
        .route(
            "/stream",
            get(|| async {
                let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(PAGE)]);
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    Body::from_stream(chunks),
                )
                    .into_response()
            }),
        )
        .route(
            "/big",
            get(|| async { Html(format!("<head></head>{}", "x".repeat(10_000))) }),
        )
        .route(
            "/already",
            get(|| async { Html(format!("<head><script {MARKER}></script></head>")) }),
        )
        .route(
            "/etag",
            get(|| async { ([(header::ETAG, "\"handler\"")], Html(PAGE)).into_response() }),
        )
}

fn serve(version: &AppVersion, delivery: ScriptDelivery, max_body: usize) -> TestServer {
    TestServer::start(
        routes().layer(
            version
                .stale_client_layer()
                .delivery(delivery)
                .max_body(max_body),
        ),
    )
}

fn body(response: &RawResponse) -> String {
    String::from_utf8(response.body.clone()).unwrap()
}

fn assert_length(response: &RawResponse) {
    assert_eq!(
        response
            .header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        response.body.len()
    );
}

#[test]
fn injects_into_full_pages_where_the_rules_say() {
    let version = version("v1", MismatchAction::Reload);
    let server = serve(&version, ScriptDelivery::Inline, 4096);

    let page = server.get("/", &[]);
    let html = body(&page);
    assert_length(&page);
    let at = html.find(MARKER).unwrap();
    assert!(at < html.find("</head>").unwrap());
    assert_eq!(html.matches(MARKER).count(), 1);
    assert!(
        html.contains("window.__hyperAppVersion=\"v1\";window.__hyperAppVersionMode=\"reload\"")
    );
    // Inline, the script goes without its comment lines, blank lines and indentation,
    // and loses no code: its text without whitespace is the source's without comments
    // and whitespace. (The browser tests run it.)
    let start = html.find(MARKER).unwrap();
    let script = &html[start..];
    let script = &script[script.find('>').unwrap() + 1..script.find("</script>").unwrap()];
    let code = script.split_once('\n').map_or("", |(_, code)| code);
    for line in code.lines() {
        assert!(
            !line.is_empty() && !line.starts_with([' ', '\t']),
            "{line:?}"
        );
        assert!(!line.starts_with("//"), "a comment line was kept: {line:?}");
    }
    let squeeze = |text: &str| text.split_whitespace().collect::<String>();
    let mut source = String::new();
    for line in STALE_CLIENT_SCRIPT.split('\n') {
        if !line.trim_start().starts_with("//") {
            source.push_str(line);
        }
    }
    assert_eq!(
        squeeze(code),
        squeeze(&source),
        "the inline copy lost or changed code"
    );

    let upper = body(&server.get("/upper", &[]));
    assert!(upper.find(MARKER).unwrap() < upper.find("</HEAD>").unwrap());
    let no_head = body(&server.get("/no-head", &[]));
    assert!(
        no_head.starts_with(&format!("<body class=\"a\"><script {MARKER}>")),
        "{no_head}"
    );
    let bare = body(&server.get("/bare", &[]));
    assert!(bare.starts_with("<p>bare</p><script"), "{bare}");
}

#[test]
fn leaves_other_responses_untouched() {
    let version = version("v1", MismatchAction::Reload);
    let server = serve(&version, ScriptDelivery::Inline, 4096);
    let plain = TestServer::start(routes());
    for path in [
        "/json", "/missing", "/encoded", "/events", "/stream", "/big", "/already",
    ] {
        let response = server.get(path, &[]);
        // Byte for byte what the app sent without the layer, with the same length.
        let original = plain.get(path, &[]);
        assert_eq!(response.status, original.status, "{path}");
        assert_eq!(response.body, original.body, "{path}: the body was changed");
        assert_eq!(
            response.header("content-length"),
            original.header("content-length"),
            "{path}"
        );
        // The page that already has the tag keeps exactly one; the others get none.
        let expected = usize::from(path == "/already");
        assert_eq!(body(&response).matches(MARKER).count(), expected, "{path}");
    }
    // htmx requests, boosted or not, get no script: it would overwrite the page's version.
    for headers in [
        vec!["HX-Request: true"],
        vec!["HX-Request: true", "HX-Boosted: true"],
    ] {
        let response = server.get("/", &headers);
        assert_eq!(body(&response), PAGE);
    }
}

#[test]
fn head_length_matches_get() {
    let version = version("v1", MismatchAction::Reload);
    let server = serve(&version, ScriptDelivery::Inline, 4096);
    let get = server.get("/", &[]);
    let head = server.send("HEAD", "/", &[]);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), get.header("content-length"));
}

#[test]
fn rewritten_pages_drop_the_handlers_etag() {
    let version = version("v1", MismatchAction::Reload);
    let server = serve(&version, ScriptDelivery::Inline, 4096);
    let response = server.get("/etag", &[]);
    assert!(body(&response).contains(MARKER));
    assert!(response.header("etag").is_none());
}

#[test]
fn ignore_mode_injects_nothing() {
    let version = version("v1", MismatchAction::Ignore);
    let server = serve(&version, ScriptDelivery::Inline, 4096);
    assert_eq!(body(&server.get("/", &[])), PAGE);
}

#[test]
fn every_mode_is_passed_to_the_page() {
    for mode in [
        MismatchAction::Reload,
        MismatchAction::Warn,
        MismatchAction::Prompt,
    ] {
        let server = serve(&version("v1", mode), ScriptDelivery::Inline, 4096);
        let html = body(&server.get("/", &[]));
        assert!(html.contains(&format!(
            "window.__hyperAppVersionMode=\"{}\"",
            mode.as_str()
        )));
    }
}

#[test]
fn hostile_versions_cannot_break_out() {
    for hostile in [
        "</script><script>alert(1)</script>",
        "\"+alert(1)+\"",
        "a'b<!--c",
    ] {
        let version = version(hostile, MismatchAction::Reload);
        for delivery in [ScriptDelivery::Inline, ScriptDelivery::External] {
            let html = body(&serve(&version, delivery, 4096).get("/", &[]));
            assert!(!html.contains(hostile), "{delivery:?}: {html}");
            assert_eq!(html.matches("<script").count(), 1, "{delivery:?}: {html}");
            assert!(!html.contains("<!--"));
        }
    }
}

#[test]
fn external_delivery_references_a_hashed_immutable_script() {
    let version = version("v\"1", MismatchAction::Warn);
    let server = serve(&version, ScriptDelivery::External, 4096);
    let html = body(&server.get("/", &[]));
    let tag = format!(
        "<script src=\"{}\" defer {MARKER} data-version=\"v&quot;1\" data-mode=\"warn\"></script></head>",
        stale_client_script_path()
    );
    assert!(html.contains(&tag), "{html}");
    assert!(
        !html.contains("__hyperAppVersionInstalled"),
        "no inline code: {html}"
    );
    let script = server.get(stale_client_script_path(), &[]);
    assert_eq!(script.status, 200);
    assert_eq!(body(&script), STALE_CLIENT_SCRIPT);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        script.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        server
            .send("POST", stale_client_script_path(), &["Content-Length: 0"])
            .status,
        405
    );
}

#[test]
fn page_versions_of_htmx_requests_are_counted() {
    let version = version("v1", MismatchAction::Reload);
    let server = serve(&version, ScriptDelivery::Inline, 4096);
    server.get("/", &["HX-Request: true", "X-App-Page-Version: v1"]);
    server.get("/", &["HX-Request: true", "X-App-Page-Version: v0"]);
    server.get("/", &["HX-Request: true", "X-App-Page-Version: v0"]);
    assert_eq!(version.client_counts(), (1, 2));
}

/// Behind a compression layer in the right order, pages are injected and then compressed.
#[test]
fn works_inside_a_compression_layer() {
    let version = version("v1", MismatchAction::Reload);
    let server = TestServer::start(
        routes()
            .layer(version.stale_client_layer())
            .layer(tower_http::compression::CompressionLayer::new()),
    );
    let response = server.get("/", &["Accept-Encoding: gzip"]);
    assert_eq!(response.header("content-encoding"), Some("gzip"));
    let mut decoded = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&response.body[..]),
        &mut decoded,
    )
    .unwrap();
    assert!(decoded.contains(MARKER));
}

/// A service that answers HEAD itself (empty body, the GET's `Content-Length`): the
/// layer fixes the length without a body to rewrite.
#[test]
fn head_answered_without_body_gets_the_injected_length() {
    use std::convert::Infallible;
    let version = version("v1", MismatchAction::Reload);
    let manual = tower::service_fn(|request: axum::http::Request<Body>| async move {
        let body = if request.method() == axum::http::Method::HEAD {
            ""
        } else {
            PAGE
        };
        let response = axum::http::Response::builder()
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CONTENT_LENGTH, PAGE.len())
            .body(Body::from(body))
            .unwrap();
        Ok::<_, Infallible>(response)
    });
    let server = TestServer::start(
        Router::new()
            .route_service("/manual", manual)
            .layer(version.stale_client_layer()),
    );
    let get = server.get("/manual", &[]);
    assert!(body(&get).contains(MARKER));
    let head = server.send("HEAD", "/manual", &[]);
    assert_eq!(head.header("content-length"), get.header("content-length"));
}
