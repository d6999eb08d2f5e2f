//! The hyper-assets demo: one binary serving a page whose stylesheet, script, image and
//! font come from memory under content-hashed, immutable URLs, with the whole version
//! story: `X-App-Version`, `GET /version`, `POST /cache/bust`.
//!
//! ```text
//! demo                 serve (ADDR, default 127.0.0.1:3000)
//! demo bust-token      print the bearer token for POST /cache/bust (from SECRET_KEY)
//! ```
//!
//! Settings come from the environment (see the README's settings table); `DEMO_CONFIG`
//! names the config file registered as the `config` version component.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_assets::{AppVersion, Settings, StaticService, TemplateHelpers};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

hyper_assets::hyper_assets!("static", components(templates = ["templates"]));

const INDEX: &str = include_str!("../templates/index.html");

/// The default config file: the one next to this crate's sources.
const DEFAULT_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/site.json");

/// Shared by the handlers.
struct Demo {
    templates: minijinja::Environment<'static>,
    version: AppVersion,
}

async fn index(State(demo): State<Arc<Demo>>) -> Response {
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
            template.render(minijinja::context! { assets => assets, source => source })
        });
    match rendered {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            eprintln!("demo: render error: {error:#}");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// The demo's routes: the page, the version endpoints, every asset under `/static/`,
/// and `X-App-Version` on everything.
fn app(version: &AppVersion) -> Result<Router, minijinja::Error> {
    let mut templates = minijinja::Environment::new();
    templates.add_template("index.html", INDEX)?;
    hyper_assets::minijinja::add_helpers(
        &mut templates,
        TemplateHelpers::new(&assets::MANIFEST, version),
    );
    let demo = Arc::new(Demo {
        templates,
        version: version.clone(),
    });
    Ok(Router::new()
        .route("/", get(index))
        .with_state(demo)
        .fallback_service(StaticService::new(&assets::MANIFEST))
        .layer(version.endpoints_layer())
        .layer(version.header_layer()))
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
        Some(other) => fail(format!(
            "unknown command {other:?}; the commands are `serve` (default) and `bust-token`"
        )),
    }
}

async fn serve(settings: Settings) -> ExitCode {
    let config = std::env::var("DEMO_CONFIG").unwrap_or_else(|_| DEFAULT_CONFIG.to_owned());
    let version = AppVersion::builder()
        .settings(settings)
        .manifest(&assets::MANIFEST)
        .embedded_components(&assets::COMPONENTS)
        .component("config", [config])
        .build();
    let version = match version {
        Ok(version) => version,
        Err(error) => return fail(error),
    };
    let router = match app(&version) {
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
