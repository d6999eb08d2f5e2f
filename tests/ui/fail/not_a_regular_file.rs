hyper_assets::hyper_assets!("gen/socket");

fn main() {}
