hyper_assets::hyper_assets!(
    "fixtures/basic",
    components(templates = ["fixtures/collision"], license = ["fixtures/basic/LICENSE"]),
);

fn main() {
    assert_eq!(assets::COMPONENTS.len(), 2);
    assert_eq!(assets::COMPONENTS[0].name(), "templates");
    assert_eq!(assets::COMPONENTS[0].files().len(), 2);
    assert_eq!(assets::COMPONENTS[1].files()[0].0, "fixtures/basic/LICENSE");
    let version = hyper_assets::version::AppVersion::builder()
        .manifest(&assets::MANIFEST)
        .embedded_components(&assets::COMPONENTS)
        .build()
        .unwrap();
    assert_eq!(version.current().source(), hyper_assets::version::VersionSource::Computed);
}
