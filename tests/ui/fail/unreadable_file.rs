hyper_assets::hyper_assets!("gen/dangling");

fn main() {}
