hyper_assets::hyper_assets!("fixtures/collision");

fn main() {}
