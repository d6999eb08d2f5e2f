hyper_assets::hyper_assets!("fixtures/basic/LICENSE");

fn main() {}
