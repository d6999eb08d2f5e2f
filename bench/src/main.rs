//! The servers of the serving benchmark, one process each, on one core:
//!
//! ```text
//! bench-server ours-site ADDR     hyper-assets' one stack as the README serves it:
//!                                 `hyper_assets::serve(listener, site.service(app))`
//! bench-server ours-site-axum ADDR the same layer inside the app's router
//!                                 (`app.layer(site.layer())`) under `axum::serve`
//! bench-server ours-site-actix ADDR the same stack as actix-web middleware
//!                                 (`.wrap(site.actix_middleware())`), one worker
//! bench-server ours ADDR          the same layers à la carte (version header,
//!                                 endpoints, stale-client injection)
//! bench-server ours-external ADDR the full stack with the stale-client script external
//! bench-server ours-header ADDR   the same routes with the version header only
//! bench-server ours-bare ADDR     the same routes with no layers
//! bench-server ours-site-deltas ADDR  the one stack over the same folder built with
//!                                 `previous` (feature `deltas`): an earlier release of the
//!                                 200 KB stylesheet embedded, and its dcb/dcz deltas
//! bench-server ours-site-tls ADDR CERT KEY  the one stack over HTTPS (feature `tls`):
//!                                 `Server::new().tls(CERT, KEY)`, h2 and http/1.1 by ALPN
//! bench-server hyper ADDR         a bare hyper handler returning the bytes: the ceiling
//! bench-server hyper-headers ADDR the same handler sending the headers an asset response
//!                                 of hyper-assets carries (instructions only): what the
//!                                 bytes on the wire cost, apart from deciding them
//! bench-server memory-serve ADDR  memory-serve's router over the same folder
//! bench-server rust-embed ADDR    rust-embed behind an axum handler (ETag from its SHA-256)
//! bench-server servedir ADDR DIR  tower-http ServeDir over the collected folder, with its
//!                                 precompressed .br/.gz siblings
//! bench-server collect DIR [brotli]  write the assets for nginx and ServeDir, print the
//!                                 nginx `location` (with `brotli_static` when asked)
//! bench-server urls -             print the URLs the scenarios request
//! ```

use axum::extract::Path;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use hyper::{Request, Response, StatusCode};
use hyper_assets::{serving::StaticService, version::AppVersion};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::LazyLock;

hyper_assets::hyper_assets!("assets");

// The same folder with an earlier release beside it: `bench/run.sh` collects, into
// `target/releases-for-deltas`, the folder with one rule of the 200 KB stylesheet
// different, so the build embeds that stylesheet's `dcb` and `dcz` deltas to today's.
#[cfg(feature = "deltas")]
hyper_assets::hyper_assets!(
    "assets",
    module = delta_assets,
    previous = "target/releases-for-deltas"
);

/// The same folder, embedded by rust-embed.
#[derive(rust_embed::Embed)]
#[folder = "assets"]
struct Embedded;

/// A ~27 KB HTML page, as a template would render it.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    let mut page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>bench</title>\
         <link rel=\"stylesheet\" href=\"{}\"></head><body><main>",
        assets::url!("css/styles.css")
    );
    let mut row = 0;
    while page.len() < 27_000 {
        page.push_str(&format!(
            "<article id=\"a{row}\"><h2>Item {row}</h2><p>Lorem ipsum dolor sit amet, \
             consectetur adipiscing elit, row {row}.</p></article>\n"
        ));
        row += 1;
    }
    page.push_str("</main></body></html>\n");
    page
});

async fn page() -> Html<&'static str> {
    Html(PAGE.as_str())
}

#[derive(Clone, Copy)]
enum Stack {
    Full,
    FullExternal,
    HeaderOnly,
    None,
}

fn site() -> hyper_assets::Site {
    site_of(&assets::EMBEDDED)
}

fn site_of(embedded: &'static hyper_assets::Embedded) -> hyper_assets::Site {
    match hyper_assets::Site::builder(embedded).build() {
        Ok(site) => site,
        Err(error) => {
            eprintln!("bench-server: {error}");
            std::process::exit(1);
        }
    }
}

fn app() -> Router {
    Router::new().route("/page", get(page))
}

fn ours(stack: Stack) -> Router {
    let router = Router::new()
        .route("/page", get(page))
        .fallback_service(StaticService::new(&assets::MANIFEST));
    let version = AppVersion::from_manifest(&assets::MANIFEST);
    match stack {
        Stack::None => router,
        Stack::HeaderOnly => router.layer(version.header_layer()),
        Stack::Full => router
            .layer(version.stale_client_layer())
            .layer(version.endpoints_layer())
            .layer(version.header_layer()),
        Stack::FullExternal => router
            .layer(
                version
                    .stale_client_layer()
                    .delivery(hyper_assets::stale_client::ScriptDelivery::External),
            )
            .layer(version.endpoints_layer())
            .layer(version.header_layer()),
    }
}

/// rust-embed behind axum as its users write it, with an `ETag` from the SHA-256 it
/// computed at compile time so `If-None-Match` can be answered.
async fn rust_embed_file(
    Path(path): Path<String>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    let Some(file) = <Embedded as rust_embed::RustEmbed>::get(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let hash = file.metadata.sha256_hash();
    let etag = format!("\"{}\"", hex(&hash));
    if headers
        .get(IF_NONE_MATCH)
        .is_some_and(|value| value.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(ETAG, etag)]).into_response();
    }
    (
        [
            (CONTENT_TYPE, file.metadata.mimetype().to_owned()),
            (ETAG, etag),
            (CACHE_CONTROL, "public, max-age=31536000".to_owned()),
        ],
        file.data,
    )
        .into_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn peer(kind: &str, dir: Option<&String>) -> Option<Router> {
    Some(match kind {
        "memory-serve" => memory_serve::load!()
            .index_file(None)
            .enable_brotli(true)
            .enable_gzip(true)
            .cache_control(memory_serve::CacheControl::Long)
            .into_router(),
        "rust-embed" => Router::new().route("/static/{*path}", get(rust_embed_file)),
        "servedir" => Router::new().nest_service(
            "/static",
            tower_http::services::ServeDir::new(dir?)
                .precompressed_br()
                .precompressed_gzip(),
        ),
        _ => return None,
    })
}

/// The ceiling: no routing, no decoding, the bytes from memory.
async fn bare(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let css = assets::MANIFEST.get("css/styles.css");
    let Some(asset) = css.filter(|asset| request.uri().path() == asset.url()) else {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return Ok(response);
    };
    let etag = HeaderValue::from_static(asset.etag());
    if request.headers().get(IF_NONE_MATCH) == Some(&etag) {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response.headers_mut().insert(ETAG, etag);
        return Ok(response);
    }
    let mut response = Response::new(Full::new(Bytes::from_static(asset.bytes())));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type()));
    headers.insert(ETAG, etag);
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(hyper_assets::serving::IMMUTABLE),
    );
    Ok(response)
}

/// [`bare`] with the rest of the headers a hyper-assets asset response carries, as
/// constants: the cost of the response's bytes without the work of choosing them.
async fn bare_with_headers(
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = bare(request).await?;
    if response.status() == StatusCode::OK {
        let headers = response.headers_mut();
        headers.insert(
            hyper::header::VARY,
            HeaderValue::from_static("Accept-Encoding"),
        );
        headers.insert(
            hyper::header::ACCEPT_RANGES,
            HeaderValue::from_static("bytes"),
        );
        headers.insert(
            hyper::header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    } else {
        response.headers_mut().insert(
            CACHE_CONTROL,
            HeaderValue::from_static(hyper_assets::serving::IMMUTABLE),
        );
        response.headers_mut().insert(
            hyper::header::VARY,
            HeaderValue::from_static("Accept-Encoding"),
        );
    }
    response.headers_mut().insert(
        hyper::header::HeaderName::from_static("x-app-version"),
        HeaderValue::from_static(assets::VERSION),
    );
    Ok(response)
}

async fn serve_bare(listener: tokio::net::TcpListener, all_headers: bool) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let builder = hyper::server::conn::http1::Builder::new();
            let io = TokioIo::new(stream);
            let _ = if all_headers {
                builder
                    .serve_connection(io, hyper::service::service_fn(bare_with_headers))
                    .await
            } else {
                builder
                    .serve_connection(io, hyper::service::service_fn(bare))
                    .await
            };
        });
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("bench-server: {message}");
    ExitCode::FAILURE
}

/// hyper-assets' one stack under actix-web: the same page behind
/// `site.actix_middleware()`, one worker, on actix-web's own runtime.
fn serve_actix(addr: &str) -> ExitCode {
    let site = site();
    let served = actix_web::rt::System::new().block_on(async move {
        actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .route(
                    "/page",
                    actix_web::web::get().to(|| async {
                        actix_web::HttpResponse::Ok()
                            .content_type("text/html; charset=utf-8")
                            .body(PAGE.as_str())
                    }),
                )
                .wrap(site.actix_middleware())
        })
        .workers(1)
        .disable_signals()
        .bind(addr)?
        .run()
        .await
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(format!("cannot serve on {addr}: {error}")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // actix-web brings its own runtime: started before (not inside) tokio's.
    if let (Some("ours-site-actix"), Some(addr)) = (args.first().map(String::as_str), args.get(1))
    {
        return serve_actix(addr);
    }
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(error) => fail(error),
    }
}

async fn run(args: Vec<String>) -> ExitCode {
    let (Some(kind), Some(target)) = (args.first(), args.get(1)) else {
        return fail(
            "usage: bench-server ours-site|ours-site-axum|ours-site-actix|ours|ours-external|ours-header|ours-bare|hyper|memory-serve|rust-embed ADDR \
             | servedir ADDR DIR | collect DIR | urls -",
        );
    };
    match kind.as_str() {
        "urls" => {
            let url = |path: &str| assets::MANIFEST.url(path).unwrap_or_default();
            let css = assets::MANIFEST.get("css/styles.css");
            println!("css {}", url("css/styles.css"));
            println!("etag {}", css.map(|asset| asset.etag()).unwrap_or_default());
            println!("big {}", url("css/big.css"));
            let modules: Vec<&str> = assets::MANIFEST
                .assets()
                .iter()
                .filter(|asset| asset.canonical_path().starts_with("js/"))
                .map(|asset| asset.url())
                .collect();
            println!("modules {}", modules.join(","));
            return ExitCode::SUCCESS;
        }
        "collect" => {
            let dir = std::path::Path::new(target);
            if let Err(error) = assets::MANIFEST.collect(dir) {
                return fail(error);
            }
            let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
            let brotli = args.get(2).is_some_and(|flag| flag == "brotli");
            print!(
                "{}",
                hyper_assets::deploy::nginx_static_location(
                    &assets::MANIFEST,
                    &root.to_string_lossy(),
                    brotli
                )
            );
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let listener = match tokio::net::TcpListener::bind(target.as_str()).await {
        Ok(listener) => listener,
        Err(error) => return fail(format!("cannot listen on {target}: {error}")),
    };
    match kind.as_str() {
        "hyper" => serve_bare(listener, false).await,
        "hyper-headers" => serve_bare(listener, true).await,
        "ours-site" => {
            if let Err(error) = hyper_assets::serve(listener, site().service(app())).await {
                return fail(error);
            }
        }
        #[cfg(feature = "tls")]
        "ours-site-tls" => {
            let (Some(cert), Some(key)) = (args.get(2), args.get(3)) else {
                return fail("usage: bench-server ours-site-tls ADDR CERT KEY");
            };
            let server = hyper_assets::server::Server::new().tls(cert, key);
            if let Err(error) = server.serve(listener, site().service(app())).await {
                return fail(error);
            }
        }
        #[cfg(feature = "deltas")]
        "ours-site-deltas" => {
            let site = site_of(&delta_assets::EMBEDDED);
            if let Err(error) = hyper_assets::serve(listener, site.service(app())).await {
                return fail(error);
            }
        }
        other => {
            let router = match other {
                "ours-site-axum" => app().layer(site().layer()),
                "ours" => ours(Stack::Full),
                "ours-external" => ours(Stack::FullExternal),
                "ours-header" => ours(Stack::HeaderOnly),
                "ours-bare" => ours(Stack::None),
                _ => match peer(other, args.get(2)) {
                    Some(router) => router,
                    None => return fail(format!("unknown server {other:?} (or missing DIR)")),
                },
            };
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            if let Err(error) = axum::serve(listener, router).await {
                return fail(error);
            }
        }
    }
    ExitCode::SUCCESS
}
