hyper_assets::hyper_assets!("fixtures/basic", size_limit = "12 parsecs");

fn main() {}
