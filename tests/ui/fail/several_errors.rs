hyper_assets::hyper_assets!("gen/several");

fn main() {}
