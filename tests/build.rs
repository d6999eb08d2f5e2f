//! Rebuild the tests when a fixture file is added or removed.

fn main() {
    hyper_assets::build::watch("fixtures");
}
