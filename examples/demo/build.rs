//! Rebuild when a file is added to or removed from `static/`.

fn main() {
    hyper_assets::build::watch("static");
}
