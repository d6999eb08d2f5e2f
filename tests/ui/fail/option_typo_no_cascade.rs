hyper_assets::hyper_assets!("fixtures/basic", compres = false);

// The only error is the typo: the fallback module keeps every use below compiling.
const CSS: &str = assets::url!("css/styles.css");
const SRI: &str = assets::integrity!("css/styles.css");

fn main() {
    let _ = (CSS, SRI, assets::VERSION, assets::MANIFEST.len(), &assets::EMBEDDED);
}
