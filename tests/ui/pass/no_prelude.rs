#![no_implicit_prelude]

::hyper_assets::hyper_assets!("fixtures/basic");

const CSS: &::core::primitive::str = assets::url!("css/styles.css");

fn main() {
    ::std::assert_eq!(assets::MANIFEST.url("css/styles.css"), ::core::option::Option::Some(CSS));
}
