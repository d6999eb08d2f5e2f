// `import_map(...)` names that map to no module of the folder are errors on their
// literal; with the map on, a bare name it lacks is an error naming the module's line.
mod typo {
    hyper_assets::hyper_assets!("fixtures/modules", import_map("greeting" = "js/lib/gret.js"));
}

mod not_a_module {
    hyper_assets::hyper_assets!("fixtures/modules", import_map("page" = "css/page.css"));
}

mod unmapped {
    hyper_assets::hyper_assets!("fixtures/modules", import_map());
}

mod folder_mapping {
    hyper_assets::hyper_assets!("fixtures/modules", import_map("lib/" = "js/lib/"));
}

fn main() {}
