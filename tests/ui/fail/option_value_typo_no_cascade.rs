hyper_assets::hyper_assets!("fixtures/basic", module = site_assets, missing_references = "kepp");

// One error, on the value; the module keeps its name, so these still compile.
const CSS: &str = site_assets::url!("css/styles.css");

fn main() {
    let _ = (CSS, site_assets::MANIFEST.len());
}
