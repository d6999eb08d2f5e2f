hyper_assets::hyper_assets!("gen/non-utf8");

fn main() {}
