hyper_assets::hyper_assets!("fixtures/basic");

const NAME: &str = "css/styles.css";

fn main() {
    let _ = assets::url!(NAME);
    let _ = assets::url!("css/styles.css", "js/app.min.js");
}
