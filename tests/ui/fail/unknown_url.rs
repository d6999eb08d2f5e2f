hyper_assets::hyper_assets!("fixtures/basic");

const STYLES: &str = assets::url!("css/style.css");
const ROOTED: &str = assets::url!("/css/styles.css");

fn main() {
    let _ = (STYLES, ROOTED);
    let _ = concat!("<script src=\"", assets::url!("js/app.js"), "\">");
}
