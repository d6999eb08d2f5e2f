hyper_assets::hyper_assets!("fixtures/basic", prefix = "static");

fn main() {}
