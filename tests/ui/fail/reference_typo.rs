// A typo in a stylesheet's `url()` gets the same did-you-mean as one in `url!`, and a
// `url!` without the extension is pointed at the file it meant.
hyper_assets::hyper_assets!("fixtures/ref-typo");

const CSS: &str = assets::url!("css/app");

fn main() {
    let _ = CSS;
}
