//! The hyper-assets demo: one binary serving a page whose stylesheet, script, image and
//! font come from memory under content-hashed, immutable URLs, with the whole version
//! story through one [`hyper_assets::Site`].
//!
//! ```text
//! demo                 serve (ADDR, default 127.0.0.1:3000)
//! demo bust-token      print the bearer token for POST /cache/bust (from SECRET_KEY)
//! demo nginx-config    print the nginx config for VERSION_MAP (BACKEND_ADDRS, NGINX_LISTEN)
//! demo collect DIR     write the assets to DIR as served, and print the nginx `location`
//! ```
//!
//! The library's settings come from the environment (the README's settings table). The
//! demo's own: `DEMO_CONFIG` (the config file registered as the `config` component),
//! `HTMX_FILE` (serve htmx from this file at `/vendor/htmx.js`), `HTMX_URL` and
//! `HTMX_INTEGRITY` (default: a CDN copy of htmx 2.0.11 pinned by its SRI hash),
//! `DEMO_CSP` (a `Content-Security-Policy` for every response), and for `nginx-config`
//! `BACKEND_ADDRS` (`backend-blue=127.0.0.1:3001,...`) and `NGINX_LISTEN` (default 8080).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_assets::{
    routing::NginxOptions, routing::VersionRouterLayer, version::VersionError, Settings, Site,
    SiteError,
};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

hyper_assets::hyper_assets!("static", components(templates = ["templates"]));

const INDEX: &str = include_str!("../templates/index.html");
const DEFAULT_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/site.json");
const HTMX_CDN_URL: &str = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js";
const HTMX_CDN_INTEGRITY: &str =
    "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn attribute(text: &str) -> String {
    let escaped = text.replace('&', "&amp;").replace('"', "&quot;");
    escaped.replace('<', "&lt;").replace('>', "&gt;")
}

/// Shared by the handlers.
struct Demo {
    templates: minijinja::Environment<'static>,
    site: Site,
    htmx_tag: String,
    fragments: AtomicU64,
}

async fn page(State(demo): State<Arc<Demo>>, uri: axum::http::Uri) -> Response {
    let page = if uri.path() == "/about" {
        "about"
    } else {
        "home"
    };
    let assets: Vec<&str> = assets::MANIFEST
        .assets()
        .iter()
        .map(|a| a.canonical_path())
        .collect();
    let version = demo.site.version().current();
    let rendered = demo
        .templates
        .get_template("index.html")
        .and_then(|template| {
            template.render(minijinja::context! {
                assets => assets,
                source => version.source().as_str(),
                page => page,
                mismatch => demo.site.settings().mismatch().as_str(),
                htmx_tag => minijinja::Value::from_safe_string(demo.htmx_tag.clone()),
            })
        });
    match rendered {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            eprintln!("demo: render error: {error:#}");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// A partial for `hx-get`: never a full page, so it gets the version header only.
async fn fragment(State(demo): State<Arc<Demo>>) -> Html<String> {
    let count = demo.fragments.fetch_add(1, Ordering::Relaxed) + 1;
    let version = attribute(demo.site.version().current().version());
    Html(format!(
        "<p id=\"fragment-body\">Fragment #{count}, rendered by app version {version}.</p>"
    ))
}

/// The demo's routes under the site's one layer, with the demo's own extras.
fn app(site: &Site) -> Result<Router, String> {
    let mut templates = minijinja::Environment::new();
    templates
        .add_template("index.html", INDEX)
        .map_err(|e| format!("template error: {e:#}"))?;
    hyper_assets::templates::minijinja::add_helpers(&mut templates, site.template_helpers());
    let (htmx_file, htmx_tag) = match var("HTMX_FILE") {
        Some(path) => {
            let bytes = std::fs::read(&path)
                .map_err(|error| format!("HTMX_FILE={path:?} cannot be read: {error}"))?;
            (
                Some(bytes),
                "<script src=\"/vendor/htmx.js\"></script>".to_owned(),
            )
        }
        None => {
            let url = var("HTMX_URL").unwrap_or_else(|| HTMX_CDN_URL.to_owned());
            let integrity = var("HTMX_INTEGRITY")
                .or_else(|| (url == HTMX_CDN_URL).then(|| HTMX_CDN_INTEGRITY.to_owned()))
                .map(|i| format!(" integrity=\"{}\" crossorigin=\"anonymous\"", attribute(&i)));
            let tag = format!(
                "<script src=\"{}\"{}></script>",
                attribute(&url),
                integrity.unwrap_or_default()
            );
            (None, tag)
        }
    };
    let demo = Arc::new(Demo {
        templates,
        site: site.clone(),
        htmx_tag,
        fragments: AtomicU64::new(0),
    });
    let mut router = Router::new()
        .route("/", get(page))
        .route("/about", get(page))
        .route("/fragment", get(fragment));
    if let Some(htmx) = htmx_file.map(axum::body::Bytes::from) {
        let serve = move || {
            let htmx = htmx.clone();
            async move {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    htmx,
                )
            }
        };
        router = router.route("/vendor/htmx.js", get(serve));
    }
    if let Some(routing) = site.router().cloned() {
        router = router.route(
            "/routing",
            get(move || async move { axum::Json(routing.stats().to_json()) }),
        );
    }
    let mut router = router.with_state(demo).layer(site.layer());
    if let Some(policy) = var("DEMO_CSP") {
        let policy = HeaderValue::from_str(&policy)
            .map_err(|_| format!("DEMO_CSP={policy:?} is not a valid header value"))?;
        let set = move |mut response: Response| {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, policy.clone());
            async move { response }
        };
        router = router.layer(axum::middleware::map_response(set));
    }
    Ok(router)
}

#[allow(clippy::print_stdout)]
fn print(text: &str) -> ExitCode {
    print!("{text}");
    ExitCode::SUCCESS
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("demo: {message}");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve().await,
        Some("bust-token") => Settings::from_env().map_err(|e| e.to_string()).and_then(|settings| {
            let key = settings.secret_key().ok_or("SECRET_KEY is not set; the token is derived from it")?;
            Ok(format!("{}\n", hyper_assets::version::cache_bust_token(key.expose())))
        }),
        Some("nginx-config") => nginx_config(),
        Some("collect") => collect(args.get(1)),
        Some(other) => Err(format!(
            "unknown command {other:?}; the commands are `serve` (default), `bust-token`, `nginx-config` and `collect DIR`"
        )),
    };
    result.map_or_else(fail, |text| print(&text))
}

fn collect(dir: Option<&String>) -> Result<String, String> {
    let dir = dir.ok_or("collect needs a folder: demo collect DIR")?;
    let report = assets::MANIFEST
        .collect(std::path::Path::new(dir))
        .map_err(|e| e.to_string())?;
    eprintln!(
        "demo: wrote {} files ({} bytes) to {dir}",
        report.files, report.bytes
    );
    let root =
        std::fs::canonicalize(dir).map_or_else(|_| dir.clone(), |path| path.display().to_string());
    Ok(hyper_assets::deploy::nginx_static_location(
        &assets::MANIFEST,
        &root,
        false,
    ))
}

fn nginx_config() -> Result<String, String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let router =
        VersionRouterLayer::from_settings(settings.routing()).map_err(|e| e.to_string())?;
    let router = router.ok_or("VERSION_MAP is not set: nginx-config generates routing from it")?;
    let upstreams =
        hyper_assets::routing::parse_backend_addrs(&var("BACKEND_ADDRS").unwrap_or_default())
            .map_err(|e| format!("BACKEND_ADDRS: {e}"))?;
    let listen = var("NGINX_LISTEN").unwrap_or_else(|| "8080".to_owned());
    hyper_assets::routing::nginx_config(&router, &NginxOptions::new(listen, upstreams))
        .map_err(|e| format!("{e} (BACKEND_ADDRS, NGINX_LISTEN)"))
}

async fn serve() -> Result<String, String> {
    let config = var("DEMO_CONFIG").unwrap_or_else(|| DEFAULT_CONFIG.to_owned());
    let site = Site::from_env(&assets::EMBEDDED)
        .and_then(|site| site.component("config", [config]).build())
        .map_err(|error| match error {
            // The only disk component is the config file: name the setting that chose it.
            error @ SiteError::Version(VersionError::Component(_)) => {
                format!("{error} (set by DEMO_CONFIG)")
            }
            error => error.to_string(),
        })?;
    if let Some(dev) = site.dev() {
        eprintln!("demo: dev mode: serving {} from disk (STATIC_DEV_MODE=false to serve the embedded copy)", dev.folder().display());
    }
    let router = app(&site)?;
    let addr = var("ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let addr: std::net::SocketAddr = addr.parse().map_err(|error| {
        format!("ADDR={addr:?} is not a socket address such as 127.0.0.1:3000: {error}")
    })?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let current = site.version().current();
    eprintln!(
        "demo: serving {} assets on http://{} (app version {}, {})",
        assets::MANIFEST.len(),
        listener.local_addr().unwrap_or(addr),
        current.version(),
        current.source().as_str(),
    );
    // Small responses go out at once rather than waiting for Nagle's algorithm.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| drop(tcp.set_nodelay(true)));
    let shutdown = async { drop(tokio::signal::ctrl_c().await) };
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| format!("server error: {e}"))?;
    Ok(String::new())
}
