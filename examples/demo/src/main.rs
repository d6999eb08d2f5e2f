//! The hyper-assets demo: one binary serving a page whose stylesheet, script, image and
//! font come from memory under content-hashed, immutable URLs.
//!
//! `ADDR` sets the listen address (default `127.0.0.1:3000`).

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use hyper_assets::{StaticService, VersionHeaderLayer};
use std::net::SocketAddr;
use std::sync::LazyLock;

hyper_assets::hyper_assets!("static");

/// The home page. Every asset URL is resolved at compile time, into one string constant.
const INDEX_TEMPLATE: &str = concat!(
    r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="app-version" content="{{version}}">
<title>hyper-assets demo</title>
<link rel="stylesheet" href=""#,
    assets::url!("css/styles.css"),
    r#"">
<link rel="icon" href=""#,
    assets::url!("img/logo.png"),
    r#"">
<script src=""#,
    assets::url!("js/app.js"),
    r#"" defer></script>
</head>
<body>
<header>
<img src=""#,
    assets::url!("img/logo.png"),
    r#"" alt="" width="32" height="32">
<h1>HYPER-ASSETS</h1>
</header>
<main>
<p id="script-status">app.js has not run.</p>
<p>Every file below is embedded in this binary, named by the SHA-256 of its bytes and
served with <code>Cache-Control: public, max-age=31536000, immutable</code>.</p>
<table>
<tr><th>canonical path</th><th>served as</th></tr>
<tr><td>css/styles.css</td><td>"#,
    assets::url!("css/styles.css"),
    r#"</td></tr>
<tr><td>js/app.js</td><td>"#,
    assets::url!("js/app.js"),
    r#"</td></tr>
<tr><td>img/logo.png</td><td>"#,
    assets::url!("img/logo.png"),
    r#"</td></tr>
<tr><td>fonts/hyper-block.woff</td><td>"#,
    assets::url!("fonts/hyper-block.woff"),
    r#"</td></tr>
</table>
</main>
</body>
</html>
"#
);

/// The page with the version filled in, rendered once.
static INDEX_HTML: LazyLock<String> =
    LazyLock::new(|| INDEX_TEMPLATE.replace("{{version}}", assets::VERSION));

/// The demo's routes: the page, then every asset under `/static/`, all with
/// `X-App-Version`.
fn app() -> Router {
    Router::new()
        .route("/", get(|| async { Html(INDEX_HTML.as_str()) }))
        .fallback_service(StaticService::new(&assets::MANIFEST))
        .layer(VersionHeaderLayer::for_manifest(&assets::MANIFEST))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let addr: SocketAddr = match addr.parse() {
        Ok(addr) => addr,
        Err(error) => {
            eprintln!(
                "demo: ADDR={addr:?} is not a socket address such as 127.0.0.1:3000: {error}"
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("demo: cannot listen on {addr}: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    eprintln!(
        "demo: serving {} assets (version {}) on http://{}",
        assets::MANIFEST.len(),
        assets::VERSION,
        listener.local_addr().unwrap_or(addr)
    );
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        // Small responses go out at once rather than waiting for Nagle's algorithm.
        let _ = tcp.set_nodelay(true);
    });
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(error) = axum::serve(listener, app())
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("demo: server error: {error}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
