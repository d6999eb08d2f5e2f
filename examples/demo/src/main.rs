//! The hyper-assets demo: one binary serving a page whose stylesheet, script, image and
//! font come from memory under content-hashed, immutable URLs, with the whole version
//! story: `X-App-Version`, `GET /version`, `POST /cache/bust`.
//!
//! ```text
//! demo                 serve (ADDR, default 127.0.0.1:3000)
//! demo bust-token      print the bearer token for POST /cache/bust (from SECRET_KEY)
//! demo nginx-config    print the nginx config for VERSION_MAP (see below)
//! demo collect DIR     write the assets to DIR as served, for a CDN or nginx, and
//!                      print the nginx `location` that serves DIR
//! ```
//!
//! Settings come from the environment (see the README's settings table). The demo's own:
//!
//! | variable | meaning |
//! |---|---|
//! | `DEMO_CONFIG` | the config file registered as the `config` version component |
//! | `STATIC_DIR` | in dev mode (`STATIC_DEV_MODE=true`), the folder to serve instead of `static/` |
//! | `HTMX_FILE` | serve htmx from this file at `/vendor/htmx.js` (the tests use the npm copies) |
//! | `HTMX_URL`, `HTMX_INTEGRITY` | load htmx from this URL with this SRI hash (default: a CDN copy of htmx 2.0.11) |
//! | `STALE_CLIENT_SCRIPT` | `inline` (default) or `external`: how the stale-client script reaches pages |
//! | `DEMO_CSP` | a `Content-Security-Policy` sent with every response |
//! | `VERSION_MAP` | blue/green routing: `v1.0=backend-blue,v1.1=backend-green` |
//! | `DEFAULT_VERSION` | the version of clients that name none (with `VERSION_MAP`) |
//! | `CANARY` | `v1.1:10`: 10% of the clients that name no version get v1.1 |
//! | `BACKEND_ADDRS` | for `nginx-config`: `backend-blue=127.0.0.1:3001,backend-green=127.0.0.1:3002` |
//! | `NGINX_LISTEN` | for `nginx-config`: the port nginx listens on (default 8080) |

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_assets::{
    AppVersion, DevAssets, NginxOptions, ScriptDelivery, Settings, StaticService, TemplateHelpers,
    VersionRouterLayer,
};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

hyper_assets::hyper_assets!("static", components(templates = ["templates"]));

const INDEX: &str = include_str!("../templates/index.html");

/// The default config file: the one next to this crate's sources.
const DEFAULT_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/site.json");

/// htmx 2 from a CDN, pinned by its Subresource Integrity hash, so the demo runs with
/// no npm step. `HTMX_URL`/`HTMX_INTEGRITY` or `HTMX_FILE` override it.
const HTMX_CDN_URL: &str = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js";
const HTMX_CDN_INTEGRITY: &str =
    "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg";

/// The demo's own settings (the version settings are `hyper_assets::Settings`).
struct DemoSettings {
    config: String,
    htmx_file: Option<Vec<u8>>,
    htmx_tag: String,
    delivery: ScriptDelivery,
    csp: Option<HeaderValue>,
    router: Option<VersionRouterLayer>,
    dev: Option<DevAssets>,
}

/// The version router of `VERSION_MAP`, `DEFAULT_VERSION` and `CANARY`, if a map is set.
fn router_from_env() -> Result<Option<VersionRouterLayer>, String> {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let Some(map) = var("VERSION_MAP") else {
        return Ok(None);
    };
    VersionRouterLayer::from_settings(
        &map,
        var("DEFAULT_VERSION").as_deref(),
        var("CANARY").as_deref(),
    )
    .map(Some)
    .map_err(|error| error.to_string())
}

impl DemoSettings {
    fn from_env(version_settings: &Settings) -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let config = var("DEMO_CONFIG").unwrap_or_else(|| DEFAULT_CONFIG.to_owned());
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
                let integrity = match var("HTMX_INTEGRITY") {
                    Some(integrity) => integrity,
                    None if url == HTMX_CDN_URL => HTMX_CDN_INTEGRITY.to_owned(),
                    None => String::new(),
                };
                let integrity = if integrity.is_empty() {
                    String::new()
                } else {
                    format!(
                        " integrity=\"{}\" crossorigin=\"anonymous\"",
                        attribute(&integrity)
                    )
                };
                (
                    None,
                    format!("<script src=\"{}\"{integrity}></script>", attribute(&url)),
                )
            }
        };
        let delivery = match var("STALE_CLIENT_SCRIPT").as_deref() {
            None | Some("inline") => ScriptDelivery::Inline,
            Some("external") => ScriptDelivery::External,
            Some(other) => {
                return Err(format!(
                    "STALE_CLIENT_SCRIPT={other:?} is not valid: expected one of inline, external"
                ))
            }
        };
        let csp = match var("DEMO_CSP") {
            Some(policy) => Some(
                HeaderValue::from_str(&policy)
                    .map_err(|_| format!("DEMO_CSP={policy:?} is not a valid header value"))?,
            ),
            None => None,
        };
        Ok(Self {
            config,
            htmx_file,
            htmx_tag,
            delivery,
            csp,
            router: router_from_env()?,
            dev: version_settings
                .dev_mode()
                .then(|| match var("STATIC_DIR") {
                    Some(folder) => DevAssets::with_folder(&assets::SOURCE, folder),
                    None => DevAssets::new(&assets::SOURCE),
                }),
        })
    }
}

fn attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Shared by the handlers.
struct Demo {
    templates: minijinja::Environment<'static>,
    version: AppVersion,
    htmx_tag: String,
    fragments: AtomicU64,
}

async fn index(State(demo): State<Arc<Demo>>) -> Response {
    render_page(&demo, "home")
}

async fn about(State(demo): State<Arc<Demo>>) -> Response {
    render_page(&demo, "about")
}

/// A partial for `hx-get`: never a full page, so it gets the version header only.
async fn fragment(State(demo): State<Arc<Demo>>) -> Html<String> {
    let count = demo.fragments.fetch_add(1, Ordering::Relaxed) + 1;
    Html(format!(
        "<p id=\"fragment-body\">Fragment #{count}, rendered by app version {}.</p>",
        attribute(demo.version.current().version())
    ))
}

fn render_page(demo: &Demo, page: &str) -> Response {
    let assets: Vec<&str> = assets::MANIFEST
        .assets()
        .iter()
        .map(|asset| asset.canonical_path())
        .collect();
    let source = demo.version.current().source().as_str();
    let rendered = demo
        .templates
        .get_template("index.html")
        .and_then(|template| {
            template.render(minijinja::context! {
                assets => assets,
                source => source,
                page => page,
                mismatch => demo.version.settings().mismatch().as_str(),
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

/// The demo's routes: the pages, the version endpoints, every asset under `/static/`,
/// stale-client detection in pages, and `X-App-Version` on everything.
fn app(version: &AppVersion, settings: DemoSettings) -> Result<Router, minijinja::Error> {
    let mut templates = minijinja::Environment::new();
    templates.add_template("index.html", INDEX)?;
    let mut helpers = TemplateHelpers::new(&assets::MANIFEST, version);
    let mut static_files = StaticService::new(&assets::MANIFEST);
    if let Some(dev) = &settings.dev {
        helpers = helpers.with_dev(dev.clone());
        static_files = static_files.with_dev(dev.clone());
        let on_bust = dev.clone();
        version.on_refresh(move || on_bust.clear());
    }
    hyper_assets::minijinja::add_helpers(&mut templates, helpers);
    let demo = Arc::new(Demo {
        templates,
        version: version.clone(),
        htmx_tag: settings.htmx_tag,
        fragments: AtomicU64::new(0),
    });
    let mut router = Router::new()
        .route("/", get(index))
        .route("/about", get(about))
        .route("/fragment", get(fragment));
    if let Some(htmx) = settings.htmx_file {
        let htmx = axum::body::Bytes::from(htmx);
        router = router.route(
            "/vendor/htmx.js",
            get(move || {
                let htmx = htmx.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                        htmx,
                    )
                }
            }),
        );
    }
    if let Some(routing) = settings.router.clone() {
        router = router.route(
            "/routing",
            get(move || {
                let stats = routing.stats().to_json();
                async move { axum::Json(stats) }
            }),
        );
    }
    let mut router = router
        .with_state(demo)
        .fallback_service(static_files)
        .layer(version.stale_client_layer().delivery(settings.delivery))
        .layer(version.endpoints_layer());
    if let Some(routing) = settings.router {
        router = router.layer(routing);
    }
    let mut router = router.layer(version.header_layer());
    if let Some(policy) = settings.csp {
        router = router.layer(axum::middleware::map_response(
            move |mut response: Response| {
                let policy = policy.clone();
                async move {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_SECURITY_POLICY, policy);
                    response
                }
            },
        ));
    }
    Ok(router)
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("demo: {message}");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => return fail(error),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("serve") => serve(settings).await,
        Some("bust-token") => match settings.secret_key() {
            Some(key) => {
                #[allow(clippy::print_stdout)]
                {
                    println!("{}", hyper_assets::cache_bust_token(key.expose()));
                }
                ExitCode::SUCCESS
            }
            None => fail("SECRET_KEY is not set; the token is derived from it"),
        },
        Some("nginx-config") => nginx_config(),
        Some("collect") => match args.get(1) {
            Some(dir) => match assets::MANIFEST.collect(std::path::Path::new(dir)) {
                Ok(report) => {
                    eprintln!(
                        "demo: wrote {} files ({} bytes) to {dir}",
                        report.files, report.bytes
                    );
                    let root = std::fs::canonicalize(dir)
                        .map_or_else(|_| dir.clone(), |path| path.display().to_string());
                    #[allow(clippy::print_stdout)]
                    {
                        print!(
                            "{}",
                            hyper_assets::nginx_static_location(&assets::MANIFEST, &root, false)
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => fail(error),
            },
            None => fail("collect needs a folder: demo collect DIR"),
        },
        Some(other) => fail(format!(
            "unknown command {other:?}; the commands are `serve` (default), `bust-token`, `nginx-config` and `collect DIR`"
        )),
    }
}

/// Prints the nginx configuration for `VERSION_MAP`, `DEFAULT_VERSION`, `CANARY`,
/// `BACKEND_ADDRS` and `NGINX_LISTEN`.
fn nginx_config() -> ExitCode {
    let router = match router_from_env() {
        Ok(Some(router)) => router,
        Ok(None) => return fail("VERSION_MAP is not set: nginx-config generates routing from it"),
        Err(error) => return fail(error),
    };
    let addrs = std::env::var("BACKEND_ADDRS").unwrap_or_default();
    let upstreams = match hyper_assets::parse_backend_addrs(&addrs) {
        Ok(upstreams) => upstreams,
        Err(error) => return fail(error),
    };
    let listen = std::env::var("NGINX_LISTEN").unwrap_or_else(|_| "8080".to_owned());
    match hyper_assets::nginx_config(&router, &NginxOptions::new(listen, upstreams)) {
        Ok(config) => {
            #[allow(clippy::print_stdout)]
            {
                print!("{config}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => fail(error),
    }
}

async fn serve(settings: Settings) -> ExitCode {
    let demo_settings = match DemoSettings::from_env(&settings) {
        Ok(demo_settings) => demo_settings,
        Err(error) => return fail(error),
    };
    let config = demo_settings.config.clone();
    if let Some(dev) = &demo_settings.dev {
        if let Err(error) = dev.snapshot() {
            return fail(format!("dev mode: {error}"));
        }
        eprintln!(
            "demo: dev mode: serving {} from disk (STATIC_DEV_MODE=false to serve the embedded copy)",
            dev.folder().display()
        );
    }
    let version = AppVersion::builder()
        .settings(settings)
        .manifest(&assets::MANIFEST)
        .embedded_components(&assets::COMPONENTS)
        .component("config", [config])
        .build();
    let version = match version {
        Ok(version) => version,
        // The only disk component is the config file: name the setting that chose it.
        Err(error @ hyper_assets::VersionError::Component(_)) => {
            return fail(format!("{error} (set by DEMO_CONFIG)"))
        }
        Err(error) => return fail(error),
    };
    let router = match app(&version, demo_settings) {
        Ok(router) => router,
        Err(error) => return fail(format!("template error: {error:#}")),
    };
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let addr: SocketAddr = match addr.parse() {
        Ok(addr) => addr,
        Err(error) => {
            return fail(format!(
                "ADDR={addr:?} is not a socket address such as 127.0.0.1:3000: {error}"
            ))
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => return fail(format!("cannot listen on {addr}: {error}")),
    };
    let current = version.current();
    eprintln!(
        "demo: serving {} assets on http://{} (app version {}, {})",
        assets::MANIFEST.len(),
        listener.local_addr().unwrap_or(addr),
        current.version(),
        current.source().as_str(),
    );
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        // Small responses go out at once rather than waiting for Nagle's algorithm.
        let _ = tcp.set_nodelay(true);
    });
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(error) = axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
    {
        return fail(format!("server error: {error}"));
    }
    ExitCode::SUCCESS
}
