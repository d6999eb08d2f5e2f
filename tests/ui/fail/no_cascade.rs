hyper_assets::hyper_assets!("fixtures/missing");

// The only error is the missing folder: the fallback module keeps these compiling.
const CSS: &str = assets::url!("css/styles.css");

fn main() {
    let _ = (CSS, assets::VERSION, assets::MANIFEST.len());
}
