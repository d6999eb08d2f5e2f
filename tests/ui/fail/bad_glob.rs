hyper_assets::hyper_assets!("fixtures/basic", include = ["css/**", "[abc"], exclude = ["a**"]);

fn main() {}
