//! The import map of the embedded modules: canonical specifiers and bare names mapped to
//! hashed URLs, its integrity section, the static import graph behind `modulepreload`,
//! dev mode's map from disk, the `Link` header, and the helpers in minijinja, Tera and
//! Askama.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use askama::Template;
use hyper_assets::{dev::DevAssets, version::AppVersion, Settings, TemplateHelpers};
use hyper_assets_tests::cargo_project::workspace_root;
use hyper_assets_tests::scratch::Scratch;
use serde_json::Value;

// Module specifiers through the import map, with one bare name.
hyper_assets::hyper_assets!(
    "fixtures/modules",
    module = mapped,
    import_map("greeting" = "js/lib/greet.js")
);

// The same folder with specifiers rewritten to hashed names (the default).
hyper_assets::hyper_assets!("fixtures/modules", module = rewritten);

// Served from a CDN, requested under `/static/`.
hyper_assets::hyper_assets!(
    "fixtures/modules",
    module = cdn,
    url_prefix = "https://cdn.example/assets/",
    import_map("greeting" = "js/lib/greet.js")
);

#[test]
fn from_a_cdn_both_the_files_urls_and_the_prefix_are_mapped_and_preloads_are_cors() {
    let map = parsed(cdn::IMPORT_MAP);
    let main = cdn::url!("js/main.js");
    assert!(
        main.starts_with("https://cdn.example/assets/js/main."),
        "{main}"
    );
    // A relative import inside a module on the CDN, and a root-relative one on the page.
    assert_eq!(
        map["imports"]["https://cdn.example/assets/js/main.js"],
        main
    );
    assert_eq!(map["imports"]["/static/js/main.js"], main);
    assert_eq!(map["integrity"][main], cdn::integrity!("js/main.js"));
    let link = helpers(&cdn::MANIFEST)
        .preload_header(&["js/lib/format.js"])
        .unwrap();
    assert_eq!(
        link.to_str().unwrap(),
        format!(
            "<{}>; rel=modulepreload; integrity=\"{}\"; crossorigin",
            cdn::url!("js/lib/format.js"),
            cdn::integrity!("js/lib/format.js")
        )
    );
}

const MODULES: [&str; 5] = [
    "js/lazy.js",
    "js/lib/format.js",
    "js/lib/greet.js",
    "js/lib/shout.js",
    "js/main.js",
];

fn parsed(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

fn helpers(manifest: &'static hyper_assets::Manifest) -> TemplateHelpers {
    let settings = Settings::builder().dev_mode(false).build().unwrap();
    let version = AppVersion::builder()
        .settings(settings)
        .manifest(manifest)
        .build()
        .unwrap();
    TemplateHelpers::new(manifest, &version)
}

#[test]
fn the_map_names_every_module_by_its_canonical_url_and_bare_name() {
    let map = parsed(mapped::IMPORT_MAP);
    let imports = map["imports"].as_object().unwrap();
    let integrity = map["integrity"].as_object().unwrap();
    for module in MODULES {
        let asset = mapped::MANIFEST.get(module).unwrap();
        assert_eq!(
            imports[&format!("/static/{module}")],
            asset.url(),
            "{module}"
        );
        assert_eq!(integrity[asset.url()], asset.integrity(), "{module}");
    }
    assert_eq!(imports["greeting"], mapped::url!("js/lib/greet.js"));
    // The stylesheet is no module; nothing else is listed.
    assert_eq!(imports.len(), MODULES.len() + 1);
    assert_eq!(integrity.len(), MODULES.len());
    assert_eq!(mapped::MANIFEST.import_map().json(), mapped::IMPORT_MAP);
    assert_eq!(
        mapped::MANIFEST.import_map().csp_hash(),
        mapped::IMPORT_MAP_CSP_HASH
    );
    assert!(
        mapped::IMPORT_MAP_CSP_HASH.starts_with("'sha256-")
            && mapped::IMPORT_MAP_CSP_HASH.ends_with("='")
    );
    assert_eq!(
        mapped::MANIFEST.import_map().tag(),
        format!("<script type=\"importmap\">{}</script>", mapped::IMPORT_MAP)
    );
}

#[test]
fn through_the_map_modules_are_served_as_written() {
    let root = workspace_root().join("tests/fixtures/modules");
    for module in MODULES {
        let on_disk = std::fs::read(root.join(module)).unwrap();
        assert_eq!(
            mapped::MANIFEST.get(module).unwrap().bytes(),
            on_disk,
            "{module}"
        );
    }
    // Rewritten, the entry names its import's hashed file, and keeps the bare name.
    let main = std::str::from_utf8(rewritten::MANIFEST.get("js/main.js").unwrap().bytes()).unwrap();
    let shout = rewritten::MANIFEST
        .get("js/lib/shout.js")
        .unwrap()
        .hashed_path();
    assert!(
        main.contains(&format!("\"./lib/{}\"", &shout["js/lib/".len()..])),
        "{main}"
    );
    assert!(main.contains("from \"greeting\""), "{main}");
}

#[test]
fn the_static_graph_follows_bare_names_and_leaves_dynamic_imports_out() {
    let graph = mapped::MANIFEST.import_map().static_graph("js/main.js");
    assert_eq!(
        graph,
        [
            "js/main.js",
            "js/lib/greet.js",
            "js/lib/shout.js",
            "js/lib/format.js"
        ]
    );
    assert_eq!(
        mapped::MANIFEST.import_map().imports("js/lib/greet.js"),
        ["js/lib/format.js"]
    );
    // Without the bare name in `import_map(...)`, `greeting` is not part of the graph.
    let graph = rewritten::MANIFEST.import_map().static_graph("js/main.js");
    assert_eq!(graph, ["js/main.js", "js/lib/shout.js"]);
}

fn preload_links(manifest: &'static hyper_assets::Manifest, modules: &[&str]) -> String {
    modules
        .iter()
        .map(|module| {
            let asset = manifest.get(module).unwrap();
            format!(
                "<link rel=\"modulepreload\" href=\"{}\" integrity=\"{}\">",
                asset.url(),
                asset.integrity()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const GRAPH: [&str; 4] = [
    "js/main.js",
    "js/lib/greet.js",
    "js/lib/shout.js",
    "js/lib/format.js",
];

#[test]
fn modulepreload_links_the_whole_graph_with_integrity() {
    let helpers = helpers(&mapped::MANIFEST);
    assert_eq!(
        helpers.modulepreload("js/main.js").unwrap(),
        preload_links(&mapped::MANIFEST, &GRAPH)
    );
    let not_a_module = helpers.modulepreload("css/page.css").unwrap_err();
    assert_eq!(
        not_a_module.to_string(),
        "static asset `css/page.css`: not a JavaScript module (`.js` or `.mjs`)"
    );
    let typo = helpers.modulepreload("js/mian.js").unwrap_err();
    assert_eq!(
        typo.to_string(),
        "no static asset `js/mian.js`; did you mean `js/main.js`?"
    );
}

#[test]
fn the_link_header_preloads_graphs_the_map_does_not_resolve_and_other_files_by_type() {
    // Rewritten: `greet.js` imports `format.js` by its hashed name, which needs no map.
    let rewritten_helpers = helpers(&rewritten::MANIFEST);
    let value = rewritten_helpers
        .preload_header(&["css/page.css", "js/lib/greet.js", "js/lib/format.js"])
        .unwrap();
    let link = |path, rel: &str| {
        let asset = rewritten::MANIFEST.get(path).unwrap();
        format!(
            "<{}>; {rel}; integrity=\"{}\"",
            asset.url(),
            asset.integrity()
        )
    };
    let expected = [
        link("css/page.css", "rel=preload; as=style"),
        link("js/lib/greet.js", "rel=modulepreload"),
        link("js/lib/format.js", "rel=modulepreload"),
    ];
    // `js/lib/format.js` is already listed: each URL once.
    assert_eq!(value.to_str().unwrap(), expected.join(", "));
    let error = rewritten_helpers
        .preload_header(&["css/pag.css"])
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "no static asset `css/pag.css`; did you mean `css/page.css`?"
    );
    // A bare name, or any import through the map, needs the map before the module is
    // parsed: a header, read before the page, must not preload it.
    let refused = |manifest, path, module: &str| {
        let error = helpers(manifest).preload_header(&[path]).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "static asset `{path}`: `{module}` resolves its imports through the import map, \
                 and the browser acts on a `Link` header before it reads the page's map: \
                 preload it with `modulepreload()` after the map instead"
            )
        );
    };
    refused(&rewritten::MANIFEST, "js/main.js", "js/main.js");
    refused(&mapped::MANIFEST, "js/lib/greet.js", "js/lib/greet.js");
    refused(&mapped::MANIFEST, "js/main.js", "js/main.js");
    // A module without imports resolves nothing.
    assert!(helpers(&mapped::MANIFEST)
        .preload_header(&["js/lib/format.js"])
        .is_ok());
}

#[test]
fn minijinja_and_tera_render_the_map_and_the_preloads_unescaped() {
    let expected = format!(
        "{}\n{}",
        mapped::MANIFEST.import_map().tag(),
        preload_links(&mapped::MANIFEST, &GRAPH)
    );
    let mut env = minijinja::Environment::new();
    hyper_assets::templates::minijinja::add_helpers(&mut env, helpers(&mapped::MANIFEST));
    let html = env
        .render_str("{{ import_map() }}\n{{ modulepreload('js/main.js') }}", ())
        .unwrap();
    assert_eq!(html, expected);
    let hash = env.render_str("{{ import_map_csp_hash() }}", ()).unwrap();
    assert_eq!(hash.replace("&#x27;", "'"), mapped::IMPORT_MAP_CSP_HASH);
    let error = env
        .render_str("{{ modulepreload('css/page.css') }}", ())
        .unwrap_err();
    assert!(
        format!("{error:#}").contains("not a JavaScript module"),
        "{error:#}"
    );

    let mut tera = tera::Tera::default();
    hyper_assets::templates::tera::add_helpers(&mut tera, helpers(&mapped::MANIFEST));
    let html = tera
        .render_str(
            "{{ import_map() }}\n{{ modulepreload(path=\"js/main.js\") }}",
            &tera::Context::new(),
        )
        .unwrap();
    assert_eq!(html, expected);
    let hash = tera
        .render_str("{{ import_map_csp_hash() }}", &tera::Context::new())
        .unwrap();
    assert_eq!(hash.replace("&#x27;", "'"), mapped::IMPORT_MAP_CSP_HASH);
    let error = tera
        .render_str("{{ import_map(x=1) }}", &tera::Context::new())
        .unwrap_err();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    assert!(
        message.contains("import_map() takes no arguments, not `x`"),
        "{message}"
    );
}

#[derive(Template)]
#[template(
    source = "{{ helpers.import_map()?|safe }}\n{{ helpers.modulepreload(\"js/main.js\")?|safe }}\n{{ helpers.import_map_csp_hash()? }}",
    ext = "html"
)]
struct AskamaPage {
    helpers: TemplateHelpers,
}

#[test]
fn askama_renders_the_map_and_the_preloads() {
    let page = AskamaPage {
        helpers: helpers(&mapped::MANIFEST),
    };
    let html = page.render().unwrap();
    let (markup, hash) = html.rsplit_once('\n').unwrap();
    assert_eq!(
        markup,
        format!(
            "{}\n{}",
            mapped::MANIFEST.import_map().tag(),
            preload_links(&mapped::MANIFEST, &GRAPH)
        )
    );
    // Escaped as any value; the browser reads `&#39;` back as `'`.
    let unescaped = hash.replace("&#39;", "'").replace("&#x27;", "'");
    assert_eq!(unescaped, mapped::IMPORT_MAP_CSP_HASH);
}

/// A scratch copy of the fixture, removed on drop.
fn scratch(name: &str) -> Scratch {
    Scratch::copy_of("tests/fixtures/modules", "import-map-tests", name)
}

#[test]
fn dev_mode_gives_the_same_map_from_disk() {
    for (source, json) in [
        (&mapped::SOURCE, mapped::IMPORT_MAP),
        (&rewritten::SOURCE, rewritten::IMPORT_MAP),
    ] {
        let snapshot = DevAssets::new(source).snapshot().unwrap();
        assert_eq!(snapshot.import_map().json(), json);
    }
    let dev = DevAssets::new(&mapped::SOURCE);
    let snapshot = dev.snapshot().unwrap();
    assert_eq!(
        snapshot.import_map().static_graph("js/main.js"),
        GRAPH.to_vec()
    );
    let settings = Settings::builder().dev_mode(true).build().unwrap();
    let version = AppVersion::builder()
        .settings(settings)
        .manifest(&mapped::MANIFEST)
        .build()
        .unwrap();
    let helpers = TemplateHelpers::new(&mapped::MANIFEST, &version).with_dev(dev);
    assert_eq!(
        helpers.modulepreload("js/main.js").unwrap(),
        preload_links(&mapped::MANIFEST, &GRAPH)
    );
    assert_eq!(
        helpers.import_map_csp_hash().unwrap(),
        mapped::IMPORT_MAP_CSP_HASH
    );
}

fn hashed_urls(dev: &DevAssets) -> Vec<(String, String)> {
    let snapshot = dev.snapshot().unwrap();
    let map = parsed(snapshot.import_map().json());
    MODULES
        .iter()
        .map(|module| {
            let url = map["imports"][format!("/static/{module}")]
                .as_str()
                .unwrap();
            ((*module).to_owned(), url.to_owned())
        })
        .collect()
}

#[test]
fn a_module_edit_changes_only_its_own_hash_through_the_map_and_its_importers_otherwise() {
    for (source, changed) in [
        (&mapped::SOURCE, vec!["js/lib/format.js"]),
        (
            &rewritten::SOURCE,
            // `main.js` imports `greet.js` by its bare name, which a rewrite leaves alone.
            vec!["js/lib/format.js", "js/lib/greet.js"],
        ),
    ] {
        let scratch = scratch(if changed.len() == 1 {
            "mapped"
        } else {
            "rewritten"
        });
        let dev = DevAssets::with_folder(source, scratch.dir());
        let before = hashed_urls(&dev);
        std::fs::write(
            scratch.path("js/lib/format.js"),
            "export const wrap = (text) => `<${text}>`;\n",
        )
        .unwrap();
        dev.clear();
        let after = hashed_urls(&dev);
        for ((module, old), (_, new)) in before.iter().zip(&after) {
            assert_eq!(
                old != new,
                changed.contains(&module.as_str()),
                "{module}: {old} -> {new}"
            );
        }
    }
}

#[test]
fn in_dev_mode_a_file_the_build_has_but_the_disk_lacks_is_named_as_such() {
    let scratch = scratch("removed");
    std::fs::remove_file(scratch.path("css/page.css")).unwrap();
    let dev = DevAssets::with_folder(&mapped::SOURCE, scratch.dir());
    let helpers = helpers(&mapped::MANIFEST).with_dev(dev);
    let error = helpers.static_path("css/page.css").unwrap_err().to_string();
    assert_eq!(
        error,
        format!(
            "static asset `css/page.css`: not on disk in {} (dev mode)",
            scratch.dir().display()
        )
    );
}
