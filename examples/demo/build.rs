//! Rebuild when a file is added to or removed from `static/` or `templates/`.

fn main() {
    hyper_assets_build::watch("static");
    hyper_assets_build::watch("templates");
}
