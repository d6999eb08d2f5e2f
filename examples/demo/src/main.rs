//! The hyper-assets demo: one binary serving a page whose stylesheet, script, image and
//! font come from memory under content-hashed, immutable URLs, with the whole version
//! story through one [`hyper_assets::Site`].
//!
//! ```text
//! demo                 serve (ADDR, default 127.0.0.1:3000; HTTPS and HTTP/2 with TLS_CERT, TLS_KEY)
//! demo bust-token      print the bearer token for POST /cache/bust (from SECRET_KEY)
//! demo nginx-config    print the nginx config for VERSION_MAP (BACKEND_ADDRS, NGINX_LISTEN)
//! demo collect DIR     write the assets to DIR as served, and print the nginx `location`
//! ```
//!
//! Settings: the library's from the environment, and the demo's own switches, both in the
//! guide's "Working on hyper-assets" chapter (`docs/src/contributing.md`).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_assets::stale_client::ScriptDelivery;
use hyper_assets::{routing, version::VersionError, Settings, Site, SiteError, TemplateHelpers};
use minijinja::{context, Environment};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

hyper_assets::hyper_assets!(
    "static",
    components(templates = ["templates"]),
    import_map("greeting" = "js/modules/greet.js"),
);

const DEFAULT_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/site.json");
const HTMX_CDN_URL: &str = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js";
const HTMX_CDN_INTEGRITY: &str =
    "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg";
const FRAGMENT: &str =
    r#"<p id="fragment-body">Fragment #{{ count }}, rendered by app version {{ version }}.</p>"#;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Shared by the handlers.
struct Demo {
    templates: Environment<'static>,
    site: Site,
    helpers: TemplateHelpers,
    htmx: minijinja::Value,
    fragments: AtomicU64,
}

fn render(demo: &Demo, name: &str, values: minijinja::Value) -> Response {
    let template = demo.templates.get_template(name);
    match template.and_then(|t| t.render(values)) {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            eprintln!("demo: render error: {error:#}");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

async fn page(State(demo): State<Arc<Demo>>, uri: Uri) -> Response {
    let assets = assets::MANIFEST.assets().iter().map(|a| a.canonical_path());
    let values = context! {
        assets => assets.collect::<Vec<_>>(), htmx => demo.htmx,
        page => if uri.path() == "/about" { "about" } else { "home" },
        source => demo.site.version().current().source().as_str(),
        mismatch => demo.site.settings().mismatch().as_str(),
    };
    render(&demo, "index.html", values)
}

/// The import-map page: native ES modules through the inline import map, allowed by its
/// hash under a strict CSP, with the entry's graph preloaded by `<link>`s after the map
/// (not with `?preload=0`) and the stylesheet and its font in a `Link` header. The
/// modules stay out of the header: it is read before the map, and they need the map.
async fn modules(State(demo): State<Arc<Demo>>, uri: Uri) -> Response {
    let links = uri.query() != Some("preload=0");
    let hash = match demo.helpers.import_map_csp_hash() {
        Ok(hash) => hash,
        Err(error) => {
            eprintln!("demo: {error}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "static folder error").into_response();
        }
    };
    let csp = format!("script-src 'self' {hash}; object-src 'none'; base-uri 'none'");
    let inline = demo.site.settings().script_delivery() == ScriptDelivery::Inline;
    let values = context! { preload => links, csp => &csp, inline_stale_client => inline };
    let mut response = render(&demo, "modules.html", values);
    let headers = response.headers_mut();
    if let Ok(policy) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    match demo
        .helpers
        .preload_header(&["css/styles.css", "fonts/hyper-block.woff"])
    {
        Ok(link) => {
            headers.insert(header::LINK, link);
        }
        Err(error) => eprintln!("demo: {error}"),
    }
    response
}

/// A partial for `hx-get`: never a full page, so it gets the version header only.
async fn fragment(State(demo): State<Arc<Demo>>) -> Response {
    let count = demo.fragments.fetch_add(1, Ordering::Relaxed) + 1;
    let version = demo.site.version().current();
    let values = context! { count, version => version.version() };
    render(&demo, "fragment.html", values)
}

/// The demo's routes, with its own extras: htmx from a file, routing counters, a CSP.
fn app(site: &Site) -> Result<Router, String> {
    let mut templates = Environment::new();
    templates
        .add_template("index.html", include_str!("../templates/index.html"))
        .and_then(|()| {
            templates.add_template("modules.html", include_str!("../templates/modules.html"))
        })
        .and_then(|()| templates.add_template("fragment.html", FRAGMENT))
        .map_err(|e| format!("template error: {e:#}"))?;
    let helpers = site.template_helpers();
    hyper_assets::templates::minijinja::add_helpers(&mut templates, helpers.clone());
    let read = |path: String| std::fs::read(&path).map_err(|e| format!("HTMX_FILE={path:?}: {e}"));
    let htmx_file = var("HTMX_FILE").map(read).transpose()?;
    let src = var("HTMX_URL").unwrap_or_else(|| HTMX_CDN_URL.to_owned());
    let pinned = (src == HTMX_CDN_URL).then(|| HTMX_CDN_INTEGRITY.to_owned());
    let htmx = match htmx_file {
        Some(_) => context! { src => "/vendor/htmx.js" },
        None => context! { src, integrity => var("HTMX_INTEGRITY").or(pinned) },
    };
    let fragments = AtomicU64::new(0);
    let demo = Demo {
        templates,
        site: site.clone(),
        helpers,
        htmx,
        fragments,
    };
    let mut router = Router::new()
        .route("/", get(page))
        .route("/about", get(page))
        .route("/modules", get(modules))
        .route("/fragment", get(fragment));
    if let Some(htmx) = htmx_file.map(axum::body::Bytes::from) {
        let script = [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")];
        let serve_htmx = move || async move { (script, htmx) };
        router = router.route("/vendor/htmx.js", get(serve_htmx));
    }
    if let Some(routing) = site.router().cloned() {
        let stats = move || async move { axum::Json(routing.stats().to_json()) };
        router = router.route("/routing", get(stats));
    }
    let mut router = router.with_state(Arc::new(demo));
    if let Some(policy) = var("DEMO_CSP") {
        let policy = HeaderValue::from_str(&policy)
            .map_err(|_| format!("DEMO_CSP={policy:?} is not a valid header value"))?;
        let csp = SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, policy);
        router = router.layer(csp);
    }
    Ok(router)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve().await,
        Some("bust-token") => bust_token(),
        Some("nginx-config") => nginx_config(),
        Some("collect") => collect(args.get(1)),
        Some(other) => Err(format!(
            "unknown command {other:?}; the commands are `serve` (default), `bust-token`, \
             `nginx-config` and `collect DIR`"
        )),
    };
    let written = result.and_then(|text| {
        let mut stdout = std::io::stdout();
        stdout.write_all(text.as_bytes()).map_err(|e| e.to_string())
    });
    if let Err(message) = written {
        eprintln!("demo: {message}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn bust_token() -> Result<String, String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let token = settings.cache_bust_token();
    Ok(token.ok_or("SECRET_KEY is not set; the token is derived from it")? + "\n")
}

fn collect(dir: Option<&String>) -> Result<String, String> {
    let dir = dir.ok_or("collect needs a folder: demo collect DIR")?;
    // EMBEDDED, not MANIFEST: the deltas embedded from earlier releases go too.
    let report = assets::EMBEDDED
        .collect(dir.as_ref())
        .map_err(|e| e.to_string())?;
    eprintln!(
        "demo: wrote {} files and {} deltas ({} bytes) to {dir}",
        report.files, report.deltas, report.bytes
    );
    let root = std::fs::canonicalize(dir).map_or_else(|_| dir.clone(), |p| p.display().to_string());
    Ok(hyper_assets::deploy::nginx_static_location(
        &assets::MANIFEST,
        &root,
        false,
    ))
}

fn nginx_config() -> Result<String, String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    let router = routing::VersionRouterLayer::from_settings(settings.routing());
    let router = router.map_err(|e| e.to_string())?;
    let router = router.ok_or("VERSION_MAP is not set: nginx-config generates routing from it")?;
    let upstreams = routing::parse_backend_addrs(&var("BACKEND_ADDRS").unwrap_or_default())
        .map_err(|e| format!("BACKEND_ADDRS: {e}"))?;
    let listen = var("NGINX_LISTEN").unwrap_or_else(|| "8080".to_owned());
    routing::nginx_config(&router, &routing::NginxOptions::new(listen, upstreams))
        .map_err(|e| format!("{e} (BACKEND_ADDRS, NGINX_LISTEN)"))
}

async fn serve() -> Result<String, String> {
    let config = var("DEMO_CONFIG").unwrap_or_else(|| DEFAULT_CONFIG.to_owned());
    let site = Site::from_env(&assets::EMBEDDED)
        .and_then(|site| site.component("config", [config]).build())
        .map_err(|error| match error {
            // The only disk component is the config file: name the setting that chose it.
            e @ SiteError::Version(VersionError::Component(_)) => format!("{e} (DEMO_CONFIG)"),
            error => error.to_string(),
        })?;
    let app = app(&site)?;
    let addr = var("ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await;
    let listener = listener.map_err(|e| format!("cannot listen on ADDR={addr:?}: {e}"))?;
    site.serve(listener, app)
        .await
        .map_err(|e| format!("cannot serve: {e}"))?;
    Ok(String::new())
}
