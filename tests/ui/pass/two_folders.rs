hyper_assets::hyper_assets!("fixtures/basic");
hyper_assets::hyper_assets!("fixtures/collision", module = other, include = ["a.css"], prefix = "/other/");

fn main() {
    assert!(assets::url!("css/styles.css").starts_with("/static/"));
    assert!(other::url!("a.css").starts_with("/other/a."));
    assert_ne!(assets::VERSION, other::VERSION);
}
