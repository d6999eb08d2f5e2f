//! Rebuild when a benchmark asset is added or removed.

fn main() {
    hyper_assets::build::watch("assets");
}
