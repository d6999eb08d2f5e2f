hyper_assets::hyper_assets!("gen/backslash");

fn main() {}
