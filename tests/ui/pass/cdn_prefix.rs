hyper_assets::hyper_assets!("fixtures/rewrite", url_prefix = "https://cdn.example.com/static/");

fn main() {
    const CSS: &str = assets::url!("css/app.css");
    assert!(CSS.starts_with("https://cdn.example.com/static/css/app."));
    assert_eq!(assets::PREFIX, "/static/", "served where it was");
    let css = std::str::from_utf8(assets::MANIFEST.get("css/app.css").unwrap().bytes()).unwrap();
    assert!(css.contains("url('https://cdn.example.com/static/img/logo."), "{css}");
    assert!(css.contains("url(../fonts/icons."), "relative references stay relative");
}
