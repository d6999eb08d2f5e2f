//! Properties over generated inputs (proptest), on stable in every test run:
//! - any Range answer stays within the file;
//! - rewriting is deterministic, and every rewritten reference names a file of the set
//!   by its hashed name;
//! - the hashed name always carries the SHA-256/12 of the bytes served;
//! - the import map is JSON that no name can break out of, and maps every module;
//! - no parser of untrusted input panics on any bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets::__fuzz;
use hyper_assets_pipeline::{
    hashed_name, process, ContentHash, ImportMapJson, Manifest, MapModule, MissingReferences,
    RewriteOptions, SourceFile,
};
use proptest::prelude::*;

/// Stylesheet and module text built from the pieces references are made of.
fn asset_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("url(".to_owned()),
        Just(")".to_owned()),
        Just("@import ".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("theme.css".to_owned()),
        Just("./lib.js".to_owned()),
        Just("img/a.png".to_owned()),
        Just("../img/a.png".to_owned()),
        Just("/static/img/a.png".to_owned()),
        Just("missing.png".to_owned()),
        Just("import x from ".to_owned()),
        Just("import(".to_owned()),
        Just("export * from ".to_owned()),
        Just("/*".to_owned()),
        Just("*/".to_owned()),
        Just("//".to_owned()),
        Just("\n".to_owned()),
        Just(";".to_owned()),
        Just("?v=1#x".to_owned()),
        "[a-z {}:.]{0,8}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn source(canonical: &str, bytes: &[u8]) -> SourceFile {
    SourceFile {
        canonical: canonical.to_owned(),
        path: canonical.into(),
        bytes: bytes.to_vec(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn range_answers_stay_within_the_file(
        len in 0u16..2000,
        header in prop_oneof![
            "[bB][yY][tT][eE][sS] ?= ?[0-9]{0,25}-[0-9]{0,25}",
            "bytes=-[0-9]{0,25}",
            "bytes=[0-9]{0,6}-[0-9]{0,6}(,[0-9]{0,3}-[0-9]{0,3})?",
            ".{0,40}",
        ],
    ) {
        let mut data = len.to_le_bytes().to_vec();
        data.extend_from_slice(header.as_bytes());
        __fuzz::range(&data);
    }

    #[test]
    fn rewriting_is_deterministic_and_names_files_of_the_set(css in asset_text(), js in asset_text()) {
        let mut data = css.clone().into_bytes();
        data.extend_from_slice(js.as_bytes());
        __fuzz::references(css.as_bytes());
        __fuzz::references(js.as_bytes());
        __fuzz::references(&data);
    }

    #[test]
    fn the_hashed_name_carries_the_hash_of_the_bytes_served(css in asset_text(), js in asset_text(), import_map in any::<bool>()) {
        let files = vec![
            source("app.css", css.as_bytes()),
            source("app.js", js.as_bytes()),
            source("theme.css", b"body { color: red }"),
            source("lib.js", b"export const a = 1;"),
            source("img/a.png", b"\x89PNG"),
        ];
        let options = RewriteOptions {
            enabled: true,
            prefix: "/static/".to_owned(),
            url_prefix: None,
            missing: MissingReferences::Keep,
            import_map,
            bare_names: vec![("lib".to_owned(), "lib.js".to_owned())],
        };
        if let Ok(processed) = process(files, &options) {
            if let Ok(manifest) = Manifest::from_processed(&processed) {
                for entry in manifest.entries() {
                    let served = processed.iter().find(|f| f.canonical == entry.canonical).unwrap();
                    let hash = ContentHash::of(&served.bytes);
                    prop_assert_eq!(&entry.hashed, &hashed_name(&entry.canonical, &hash));
                    prop_assert_eq!(entry.hash.hex(), hash.hex());
                    prop_assert!(entry.hashed.contains(&hash.hex()[..12]));
                }
            }
        }
    }

    #[test]
    fn no_parser_panics_on_any_bytes(data in prop::collection::vec(any::<u8>(), 0..300)) {
        for (_, target) in __fuzz::TARGETS {
            target(&data);
        }
    }

    #[test]
    fn no_parser_panics_on_header_like_text(text in "[ -~]{0,120}") {
        for (_, target) in __fuzz::TARGETS {
            target(text.as_bytes());
        }
    }

    #[test]
    fn the_import_map_is_json_no_name_breaks_out_of(
        names in prop::collection::vec("\\PC{0,12}", 1..5),
        bare in "\\PC{1,12}",
    ) {
        let canonicals: Vec<String> = names.iter().map(|name| format!("js/{name}.js")).collect();
        let urls: Vec<String> = (0..canonicals.len()).map(|i| format!("/static/js/m.{i:012}.js")).collect();
        let modules: Vec<MapModule<'_>> = canonicals
            .iter()
            .zip(&urls)
            .map(|(canonical, url)| MapModule { canonical, url, integrity: "sha384-x" })
            .collect();
        let map = ImportMapJson::build(&modules, &[(bare.clone(), canonicals[0].clone())], "/static/", "/static/");
        prop_assert!(!map.json.contains(['<', '>', '&']), "{}", map.json);
        let parsed: serde_json::Value = serde_json::from_str(&map.json).unwrap();
        prop_assert_eq!(&parsed["imports"][&bare], &serde_json::Value::from(urls[0].as_str()));
        for url in &urls {
            prop_assert_eq!(&parsed["integrity"][url], "sha384-x");
        }
    }
}
