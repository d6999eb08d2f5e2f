hyper_assets::hyper_assets!("fixtures/does-not-exist");

fn main() {}
