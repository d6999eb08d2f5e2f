hyper_assets::hyper_assets!("fixtures/missing-ref");

fn main() {}
