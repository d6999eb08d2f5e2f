//! Rebuild when a file is added to or removed from `static/` or `templates/`.

fn main() {
    hyper_assets::build::watch("static");
    hyper_assets::build::watch("templates");
}
