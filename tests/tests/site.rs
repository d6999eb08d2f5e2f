//! The one stack ([`Site`]) over a real socket: the same answers as the à-la-carte layers
//! composed as the guide shows (Frameworks, the parts by hand), and byte for byte the same from actix-web's middleware
//! as from axum's layer, dev mode through the same response path, the order
//! against a compression layer, and its start-up errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use hyper_assets::{
    routing::VersionRouterLayer, server::Server, serving::StaticService, version::cache_bust_token,
    version::AppVersion, Settings, Site, SiteError,
};
use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use hyper_assets_tests::corpus::{
    assert_reaches_every_answer, comparable, corpus, routes, settings, PAGE, SECRET,
};
use hyper_assets_tests::scratch::Scratch;
use hyper_assets_tests::TestServer;
use std::path::{Path, PathBuf};

hyper_assets::hyper_assets!(
    "fixtures/compress",
    components(fixtures = ["fixtures/basic/css"])
);

fn config_file() -> PathBuf {
    workspace_root().join("tests/fixtures/basic/LICENSE")
}

/// The one layer.
fn one_stack(routing: bool) -> TestServer {
    let site = Site::builder(&assets::EMBEDDED)
        .settings(settings(routing))
        .component("config", [config_file()])
        .build()
        .unwrap();
    TestServer::start(routes().layer(site.layer()))
}

/// The one layer outside the router, on the crate's own server loop.
fn one_service(routing: bool) -> TestServer {
    let site = Site::builder(&assets::EMBEDDED)
        .settings(settings(routing))
        .component("config", [config_file()])
        .build()
        .unwrap();
    TestServer::start_server(Server::new(), site.service(routes()))
}

/// The one stack as actix-web middleware, over the same routes as actix-web handlers.
/// (axum's `get` answers HEAD too; actix-web's routes take HEAD only when asked.)
fn actix_stack(routing: bool) -> TestServer {
    use actix_web::{guard, web, App, HttpResponse, HttpServer};
    let site = Site::builder(&assets::EMBEDDED)
        .settings(settings(routing))
        .component("config", [config_file()])
        .build()
        .unwrap();
    let read = || guard::Any(guard::Get()).or(guard::Head());
    let html = |body: &'static str| {
        HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body)
    };
    TestServer::start_actix(move |listener| {
        let server = HttpServer::new(move || {
            App::new()
                .route(
                    "/",
                    web::route()
                        .guard(read())
                        .to(move || async move { html(PAGE) }),
                )
                .route(
                    "/fragment",
                    web::route()
                        .guard(read())
                        .to(move || async move { html("<p>partial</p>") }),
                )
                .route(
                    "/json",
                    web::route().guard(read()).to(|| async {
                        HttpResponse::Ok()
                            .content_type("application/json")
                            .body(r#"{"a":1}"#)
                    }),
                )
                .wrap(site.actix_middleware())
        });
        Ok(server.workers(1).disable_signals().listen(listener)?.run())
    })
}

/// The à-la-carte layers, in the order the guide gives.
fn a_la_carte(routing: bool) -> TestServer {
    let settings = settings(routing);
    let router = VersionRouterLayer::from_settings(settings.routing()).unwrap();
    let version = AppVersion::builder()
        .settings(settings)
        .manifest(&assets::MANIFEST)
        .embedded_components(&assets::COMPONENTS)
        .component("config", [config_file()])
        .build()
        .unwrap();
    let mut app = routes()
        .fallback_service(StaticService::new(&assets::MANIFEST))
        .layer(version.stale_client_layer())
        .layer(version.endpoints_layer());
    if let Some(router) = router {
        app = app.layer(router);
    }
    TestServer::start(app.layer(version.header_layer()))
}

fn compare(routing: bool) {
    let (one, parts) = (one_stack(routing), a_la_carte(routing));
    let outside = one_service(routing);
    let actix = actix_stack(routing);
    let mut statuses = Vec::new();
    for (method, path, headers) in corpus(&assets::MANIFEST) {
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let a = one.send(method, &path, &headers);
        let b = parts.send(method, &path, &headers);
        assert_eq!(
            comparable(&a),
            comparable(&b),
            "{method} {path} {headers:?}: one layer (left) and à la carte (right) differ"
        );
        let c = outside.send(method, &path, &headers);
        assert_eq!(
            comparable(&a),
            comparable(&c),
            "{method} {path} {headers:?}: the layer inside the router (left) and \
             `Site::service` on `hyper_assets::serve` (right) differ"
        );
        let d = actix.send(method, &path, &headers);
        assert_eq!(
            comparable(&a),
            comparable(&d),
            "{method} {path} {headers:?}: the axum stack (left) and the actix-web stack \
             (right) differ"
        );
        assert!(a.header("x-app-version").is_some(), "{method} {path}");
        statuses.push(a.status);
    }
    // The corpus reaches every kind of answer.
    assert_reaches_every_answer(&statuses, routing);
}

/// The static service alone, as the app's fallback: axum's `fallback_service` and
/// actix-web's `default_service` answer the corpus's asset requests alike.
#[test]
fn the_static_service_answers_alike_under_axum_and_actix_web() {
    let axum =
        TestServer::start(Router::new().fallback_service(StaticService::new(&assets::MANIFEST)));
    let actix = TestServer::start_actix(|listener| {
        let server = actix_web::HttpServer::new(|| {
            actix_web::App::new().default_service(StaticService::new(&assets::MANIFEST))
        });
        Ok(server.workers(1).disable_signals().listen(listener)?.run())
    });
    let mut asked = 0;
    for (method, path, headers) in corpus(&assets::MANIFEST) {
        if !path.starts_with("/static/") {
            continue;
        }
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let (a, b) = (
            axum.send(method, &path, &headers),
            actix.send(method, &path, &headers),
        );
        assert_eq!(
            comparable(&a),
            comparable(&b),
            "{method} {path} {headers:?}: axum (left) and actix-web (right) differ"
        );
        asked += 1;
    }
    assert!(asked >= 15, "{asked}");
}

/// A bust whose body is over the limit: 413 from both stacks, and no bust.
#[test]
fn an_oversized_bust_body_is_refused_alike() {
    let token = cache_bust_token(SECRET);
    let body = "x".repeat(2000);
    let request = format!(
        "POST /cache/bust HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (axum, actix) = (one_stack(false), actix_stack(false));
    let a = hyper_assets_tests::raw_request(axum.addr(), request.as_bytes());
    let b = hyper_assets_tests::raw_request(actix.addr(), request.as_bytes());
    assert_eq!(a.status, 413);
    assert_eq!(comparable(&a), comparable(&b));
}

#[test]
fn the_one_layer_answers_as_the_a_la_carte_layers_do() {
    compare(false);
}

#[test]
fn the_one_layer_answers_as_the_a_la_carte_layers_do_with_routing() {
    compare(true);
}

#[test]
fn assets_skip_the_app_and_pages_get_the_script() {
    let server = one_stack(false);
    let big = assets::MANIFEST.get("big.css").unwrap();
    let asset = server.get(big.url(), &[]);
    assert_eq!(asset.status, 200);
    assert_eq!(asset.body, big.bytes());
    assert_eq!(
        asset.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let page = server.get("/", &[]);
    let body = String::from_utf8(page.body).unwrap();
    assert!(
        body.contains("data-hyper-assets=\"stale-client\""),
        "{body}"
    );
    let partial = server.get("/fragment", &["HX-Request: true"]);
    assert_eq!(partial.body, b"<p>partial</p>");
}

#[test]
fn switched_off_parts_are_not_answered() {
    let site = Site::builder(&assets::EMBEDDED)
        .settings(
            Settings::builder()
                .version_endpoint(false)
                .version_header(false)
                .mismatch(hyper_assets::settings::MismatchAction::Ignore)
                .dev_mode(false)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let server = TestServer::start(routes().layer(site.layer()));
    let version = server.get("/version", &[]);
    assert_eq!(version.status, 404);
    assert!(version.header("x-app-version").is_none());
    let page = server.get("/", &[]);
    assert_eq!(page.body, PAGE.as_bytes());
    // No key: every bust is refused.
    let token = cache_bust_token(SECRET);
    let bust = server.send(
        "POST",
        "/cache/bust",
        &[
            &format!("Authorization: Bearer {token}"),
            "Content-Length: 0",
        ],
    );
    assert_eq!(bust.status, 403);
}

#[test]
fn compression_goes_outside_and_leaves_assets_alone() {
    let site = Site::builder(&assets::EMBEDDED)
        .settings(settings(false))
        .build()
        .unwrap();
    let server = TestServer::start(
        routes()
            .layer(site.layer())
            .layer(tower_http::compression::CompressionLayer::new()),
    );
    let page = server.get("/", &["Accept-Encoding: gzip"]);
    assert_eq!(page.header("content-encoding"), Some("gzip"));
    let mut html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&page.body[..]), &mut html)
        .unwrap();
    assert!(
        html.contains("data-hyper-assets=\"stale-client\""),
        "{html}"
    );
    let big = assets::MANIFEST.get("big.css").unwrap();
    let asset = server.get(big.url(), &["Accept-Encoding: br"]);
    assert_eq!(asset.header("content-encoding"), Some("br"));
    assert_eq!(asset.body, big.brotli().unwrap().bytes());
}

fn dev_server(folder: &Path) -> (TestServer, Site) {
    let site = Site::builder(&assets::EMBEDDED)
        .settings(
            Settings::builder()
                .dev_mode(true)
                .dev_dir(folder)
                .secret_key(SECRET)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let helpers = site.template_helpers();
    let page = move || {
        let helpers = helpers.clone();
        async move {
            Html(format!(
                "<!doctype html><head><link href=\"{}\"></head>",
                helpers.static_url("small.css").unwrap()
            ))
        }
    };
    let server = TestServer::start(Router::new().route("/", get(page)).layer(site.layer()));
    (server, site)
}

#[test]
fn dev_mode_answers_through_the_same_rules() {
    let scratch = Scratch::copy_of("tests/fixtures/compress", "site-tests", "rules");
    let (server, _site) = dev_server(scratch.dir());
    let bytes = std::fs::read(scratch.path("small.css")).unwrap();
    let full = server.get("/static/small.css", &[]);
    assert_eq!(full.status, 200);
    assert_eq!(full.body, bytes);
    assert_eq!(full.header("cache-control"), Some("no-cache"));
    assert_eq!(full.header("accept-ranges"), Some("bytes"));
    let etag = full.header("etag").unwrap().to_owned();
    let not_modified = server.get("/static/small.css", &[&format!("If-None-Match: {etag}")]);
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());
    assert_eq!(not_modified.header("etag"), Some(etag.as_str()));
    let partial = server.get("/static/small.css", &["Range: bytes=0-3"]);
    assert_eq!(partial.status, 206);
    assert_eq!(partial.body, &bytes[..4]);
    assert_eq!(
        partial.header("content-range"),
        Some(format!("bytes 0-3/{}", bytes.len()).as_str())
    );
    let head = server.send("HEAD", "/static/small.css", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(bytes.len().to_string().as_str())
    );
    let post = server.send("POST", "/static/small.css", &["Content-Length: 0"]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    assert!(full.header("x-app-version").is_some());
}

#[test]
fn dev_mode_shows_an_edit_on_the_next_request() {
    let scratch = Scratch::copy_of("tests/fixtures/compress", "site-tests", "edit");
    let (server, _site) = dev_server(scratch.dir());
    let before = String::from_utf8(server.get("/", &[]).body).unwrap();
    assert!(before.contains("/static/small.css?v="), "{before}");
    std::fs::write(scratch.path("small.css"), "p { color: teal }\n").unwrap();
    let after = String::from_utf8(server.get("/", &[]).body).unwrap();
    assert_ne!(before, after, "the page's ?v= follows the edit");
    let url = after
        .split("href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let asset = server.get(url, &[]);
    assert_eq!(asset.body, b"p { color: teal }\n");
}

#[test]
fn start_up_errors_name_the_setting() {
    let adopted: &'static hyper_assets::Manifest = &assets::MANIFEST;
    let error = Site::builder(adopted)
        .settings(Settings::builder().dev_mode(true).build().unwrap())
        .build()
        .unwrap_err();
    assert!(matches!(error, SiteError::DevModeWithoutFolder));
    assert!(error.to_string().contains("STATIC_DEV_MODE"), "{error}");
    assert_eq!(format!("{error:?}"), error.to_string());
    // Defaulted (not asked for) dev mode on an adopted set just serves the embedded copy.
    assert!(Site::builder(adopted).build().unwrap().dev().is_none());

    let error = Site::builder(&assets::EMBEDDED)
        .settings(
            Settings::builder()
                .dev_mode(false)
                .version("v1.0", "blue")
                .default_version("v2")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap_err();
    assert!(matches!(error, SiteError::Routing(_)));
    assert!(error.to_string().contains("DEFAULT_VERSION"), "{error}");
    assert!(std::error::Error::source(&error).is_some());

    let error = Site::builder(&assets::EMBEDDED)
        .settings(settings(false))
        .component("config", ["/nonexistent/site.json"])
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/site.json"),
        "{error}"
    );

    let missing = target_dir().join("site-tests/no-such-folder");
    let error = Site::builder(&assets::EMBEDDED)
        .settings(
            Settings::builder()
                .dev_mode(true)
                .dev_dir(&missing)
                .build()
                .unwrap(),
        )
        .build()
        .unwrap_err();
    assert!(matches!(error, SiteError::DevFolder(_)), "{error}");
}
