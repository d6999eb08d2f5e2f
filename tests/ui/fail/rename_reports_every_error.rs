// `img/nope.png` was renamed away: the stylesheet that names it and the `url!` that
// names it are both reported in the same build, and the `url!` of a file that is there
// is not.
hyper_assets::hyper_assets!("fixtures/missing-ref");

const GONE: &str = assets::url!("img/nope.png");
const CSS: &str = assets::url!("css/app.css");
const TYPO: &str = assets::integrity!("css/ap.css");

fn main() {
    let _ = (GONE, CSS, TYPO);
}
