hyper_assets::hyper_assets!("fixtures/basic", components(templates = ["fixtures/no-templates"], config = ["fixtures/nope.toml"]));

fn main() {
    let _ = &assets::COMPONENTS;
}
