hyper_assets::hyper_assets!("gen/escape");

fn main() {}
