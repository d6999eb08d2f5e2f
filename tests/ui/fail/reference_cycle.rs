hyper_assets::hyper_assets!("fixtures/cycle");

fn main() {}
