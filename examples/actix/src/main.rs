//! hyper-assets under actix-web: the folder embedded by `hyper_assets!`, and the one
//! stack (assets from memory, `X-App-Version`, `GET /version`, `POST /cache/bust`, the
//! stale-client script in pages, version routing) as actix-web middleware.
//!
//! ```text
//! cargo run -p actix-example            # http://127.0.0.1:3000/ (ADDR to change it)
//! ```

use actix_web::{web, App, HttpResponse, HttpServer};

hyper_assets::hyper_assets!("static");

// Resolved at compile time; a typo is a compile error with a "did you mean".
const PAGE: &str = concat!(
    "<!doctype html><html><head><link rel=\"stylesheet\" href=\"",
    assets::url!("css/styles.css"),
    "\"></head><body><h1>Hello from actix-web</h1></body></html>",
);

async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(PAGE)
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A bad setting stops here with a sentence naming the variable and its valid values.
    let site = hyper_assets::Site::from_env(&assets::EMBEDDED)?.build()?;
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    HttpServer::new(move || {
        App::new()
            // actix-web routes HEAD only where asked (axum's `get` answers it too).
            .service(web::resource("/").get(page).head(page))
            .wrap(site.actix_middleware()) // outermost: assets never reach the routes
    })
    .bind(addr)?
    .run()
    .await?;
    Ok(())
}
