//! Rebuilds the crate when a file is added to or removed from `static`.

fn main() {
    hyper_assets_build::watch_embedded();
}
