hyper_assets::hyper_assets!("fixtures/empty");

fn main() {}
