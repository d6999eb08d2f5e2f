hyper_assets::hyper_assets!("fixtures/missing-ref", missing_references = "bogus");

fn main() {}
