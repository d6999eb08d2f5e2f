hyper_assets::hyper_assets!("fixtures/basic", colour = "red");

fn main() {}
