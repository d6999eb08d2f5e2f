// `size_limit` turns the size warning into an error, and the module still exists.
hyper_assets::hyper_assets!("fixtures/basic", size_limit = "100 B");

const CSS: &str = assets::url!("css/styles.css");

fn main() {
    let _ = (CSS, assets::MANIFEST.len());
}
