hyper_assets::hyper_assets!("fixtures/missing-ref", missing_references = "keep");
hyper_assets::hyper_assets!("fixtures/cycle", module = plain, rewrite = false);

fn main() {
    let css = assets::MANIFEST.get("css/app.css").unwrap();
    assert!(std::str::from_utf8(css.bytes()).unwrap().contains("url(../img/nope.png)"));
    assert_eq!(plain::MANIFEST.len(), 3);
    assert!(integrity_of_css().starts_with("sha384-"));
}

const fn integrity_of_css() -> &'static str {
    assets::integrity!("css/app.css")
}
