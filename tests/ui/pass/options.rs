hyper_assets::hyper_assets!(
    "fixtures/basic",
    prefix = "/assets",
    module = files,
    include = ["css/**", "*.{js,txt}", ".hidden"],
    exclude = ["docs/**"],
    hidden = true,
);

fn main() {
    assert!(files::url!("css/styles.css").starts_with("/assets/css/styles."));
    assert!(files::url!("js/app.min.js").starts_with("/assets/js/app.min."));
    assert!(files::MANIFEST.get(".hidden").is_some());
    assert!(files::MANIFEST.get(".well-known/security.txt").is_some());
    assert!(files::MANIFEST.get("docs/ü.txt").is_none());
    assert!(files::MANIFEST.get("LICENSE").is_none());
    assert_eq!(files::PREFIX, "/assets/");
}
