//! A crate that depends on `hyper-assets` under the name `web_assets`: the generated code
//! must reach the runtime only through the `crate = ...` path it is given.

web_assets::hyper_assets!("static", crate = ::web_assets);

/// The stylesheet's hashed URL.
pub const SITE_CSS: &str = assets::url!("site.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_dependency_expands_and_serves() {
        assert!(SITE_CSS.starts_with("/static/site."));
        let asset: &web_assets::Asset = assets::MANIFEST.get("site.css").unwrap();
        assert_eq!(asset.url(), SITE_CSS);
        assert_eq!(asset.bytes(), b"p { color: teal; }\n");
        let service = web_assets::serving::StaticService::new(&assets::MANIFEST);
        let response = service.respond(
            &web_assets::http::Method::GET,
            SITE_CSS,
            &Default::default(),
        );
        assert_eq!(response.status(), 200);
    }
}
