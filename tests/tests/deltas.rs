//! Deltas between releases (RFC 9842) over a real socket: a hashed script or stylesheet
//! offers itself as a dictionary; a returning client that holds an earlier release's
//! file gets the new one as a `dcb` or `dcz` delta against it, from deltas embedded at
//! build time (`previous = "..."`) or read from the release folder and checked first.
//! Every other request gets today's answer, and nothing a client sends makes it fail.
//! The same answers come from the one stack and the bare service, in axum and actix-web.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::Router;
use hyper_assets::serving::StaticService;
use hyper_assets::{Settings, Site};
use hyper_assets_pipeline::{
    delta_file_name, dictionary_base64, encode_delta, ContentHash, DeltaEncoding, ReleaseIndex,
};
use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use hyper_assets_tests::{RawResponse, TestServer};
use std::io::Read;
use std::path::{Path, PathBuf};

hyper_assets::hyper_assets!("fixtures/deltas", previous = "fixtures/deltas-releases");

mod without_deltas {
    hyper_assets::hyper_assets!(
        "fixtures/deltas",
        previous = "fixtures/deltas-releases",
        deltas = false
    );
}

mod current_only {
    hyper_assets::hyper_assets!("fixtures/deltas");
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const ALL: &str = "Accept-Encoding: gzip, deflate, br, zstd, dcb, dcz";
const DELTA_VARY: &str = "Accept-Encoding, Available-Dictionary";

/// The earlier release's bytes of `canonical` in `fixtures/deltas-releases`.
fn earlier(canonical: &str) -> Vec<u8> {
    let dir = workspace_root().join("tests/fixtures/deltas-releases");
    let index = ReleaseIndex::read(&dir).unwrap();
    let name = index.releases()[0]
        .files
        .iter()
        .find(|name| {
            hyper_assets_pipeline::split_hashed_name(name).is_some_and(|(c, _)| c == canonical)
        })
        .unwrap();
    std::fs::read(dir.join(name)).unwrap()
}

fn dictionary_header(bytes: &[u8]) -> String {
    format!(
        "Available-Dictionary: :{}:",
        dictionary_base64(&ContentHash::of(bytes))
    )
}

/// Decodes a delta with the reference decoders (the `brotli` and `zstd` crates'), given
/// the dictionary, after checking its RFC 9842 header.
fn reference_decode(encoding: &str, dictionary: &[u8], body: &[u8]) -> Vec<u8> {
    let hash = ContentHash::of(dictionary);
    let mut out = Vec::new();
    match encoding {
        "dcb" => {
            assert_eq!(&body[..4], &[0xFF, 0x44, 0x43, 0x42]);
            assert_eq!(&body[4..36], hash.as_bytes());
            brotli::Decompressor::new_with_custom_dict(
                &body[36..],
                4096,
                dictionary.to_vec().into(),
            )
            .read_to_end(&mut out)
            .unwrap();
        }
        "dcz" => {
            assert_eq!(
                &body[..8],
                &[0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00]
            );
            assert_eq!(&body[8..40], hash.as_bytes());
            zstd::stream::read::Decoder::with_ref_prefix(&body[40..], dictionary)
                .unwrap()
                .read_to_end(&mut out)
                .unwrap();
        }
        other => panic!("not a delta coding: {other}"),
    }
    out
}

fn site(embedded: &'static hyper_assets::Embedded, releases_dir: Option<&Path>) -> Site {
    let mut settings = Settings::builder().dev_mode(false);
    if let Some(dir) = releases_dir {
        settings = settings.releases_dir(dir);
    }
    Site::builder(embedded)
        .settings(settings.build().unwrap())
        .build()
        .unwrap()
}

fn axum_site(embedded: &'static hyper_assets::Embedded, releases_dir: Option<&Path>) -> TestServer {
    TestServer::start(Router::new().layer(site(embedded, releases_dir).layer()))
}

fn assert_delta(response: &RawResponse, dictionary: &[u8], target: &[u8], what: &str) -> String {
    assert_eq!(response.status, 200, "{what}: {response:?}");
    let encoding = response
        .header("content-encoding")
        .unwrap_or_default()
        .to_owned();
    assert!(
        encoding == "dcb" || encoding == "dcz",
        "{what}: {response:?}"
    );
    assert_eq!(
        reference_decode(&encoding, dictionary, &response.body),
        target,
        "{what}: the delta decodes to the exact bytes"
    );
    assert_eq!(response.header("cache-control"), Some(IMMUTABLE), "{what}");
    assert_eq!(response.header("vary"), Some(DELTA_VARY), "{what}");
    let etag = response.header("etag").unwrap();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "{what}: a strong ETag"
    );
    assert!(response.header("use-as-dictionary").is_some(), "{what}");
    encoding
}

#[test]
fn a_returning_client_gets_a_checked_delta_and_everyone_else_todays_answer() {
    let server = axum_site(&assets::EMBEDDED, None);
    let css = assets::MANIFEST.get("css/site.css").unwrap();
    let old_css = earlier("css/site.css");
    let held = dictionary_header(&old_css);

    // The dictionary offer: the hashed URL with its hash as `*`, for stylesheets.
    let first = server.get(css.url(), &["Accept-Encoding: gzip, br"]);
    assert_eq!(first.header("content-encoding"), Some("br"));
    assert_eq!(
        first.header("use-as-dictionary"),
        Some(r#"match="/static/css/site.*.css", match-dest=("style")"#)
    );
    assert_eq!(
        first.header("vary"),
        Some(DELTA_VARY),
        "every answer of the URL"
    );
    let js = assets::MANIFEST.get("js/app.js").unwrap();
    assert_eq!(
        server.get(js.url(), &[]).header("use-as-dictionary"),
        Some(r#"match="/static/js/app.*.js", match-dest=("script")"#)
    );
    let json = assets::MANIFEST.get("data/items.json").unwrap();
    assert_eq!(
        server.get(json.url(), &[]).header("use-as-dictionary"),
        Some(r#"match="/static/data/items.*.json""#),
        "fetch() has no destination: no match-dest"
    );
    // Canonical URLs carry no dictionary and no delta.
    let canonical = server.get("/static/css/site.css", &[ALL, &held]);
    assert_eq!(canonical.header("use-as-dictionary"), None);
    assert_eq!(canonical.header("content-encoding"), Some("br"));

    // The delta, each coding alone and both.
    let both = server.get(css.url(), &[ALL, &held]);
    assert_delta(&both, &old_css, css.bytes(), "dcb and dcz accepted");
    let dcb = server.get(css.url(), &["Accept-Encoding: br, dcb", &held]);
    assert_eq!(assert_delta(&dcb, &old_css, css.bytes(), "dcb"), "dcb");
    let dcz = server.get(css.url(), &["Accept-Encoding: dcz", &held]);
    assert_eq!(assert_delta(&dcz, &old_css, css.bytes(), "dcz"), "dcz");
    let etags: std::collections::HashSet<&str> = [&first, &dcb, &dcz]
        .iter()
        .map(|r| r.header("etag").unwrap())
        .chain([css.etag()])
        .collect();
    assert_eq!(etags.len(), 4, "each representation has its own ETag");
    assert!(
        both.body.len() * 10 < first.body.len(),
        "delta {} B against br {} B",
        both.body.len(),
        first.body.len()
    );

    // A delta's ETag revalidates with the same dictionary: 304, Vary kept.
    let revalidated = server.get(
        css.url(),
        &[
            ALL,
            &held,
            &format!("If-None-Match: {}", both.header("etag").unwrap()),
        ],
    );
    assert_eq!(revalidated.status, 304);
    assert_eq!(revalidated.header("vary"), Some(DELTA_VARY));
    assert_eq!(revalidated.header("etag"), both.header("etag"));
    // Without the dictionary the same If-None-Match does not match: the full br answer.
    let other = server.get(
        css.url(),
        &[
            ALL,
            &format!("If-None-Match: {}", both.header("etag").unwrap()),
        ],
    );
    assert_eq!(other.status, 200);
    assert_eq!(other.header("content-encoding"), Some("br"));

    // Hostile or unusable requests: today's answer, never an error.
    let unknown = dictionary_header(b"a file no release had");
    let two = format!("{held}\r\n{held}");
    let huge = format!("Available-Dictionary: :{}:", "A".repeat(10_000));
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("an unknown hash", vec![ALL, &unknown]),
        ("garbage", vec![ALL, "Available-Dictionary: garbage"]),
        ("two values", vec![ALL, &two]),
        ("a 10 KB value", vec![ALL, &huge]),
        (
            "dcb and dcz refused",
            vec!["Accept-Encoding: br, dcb;q=0, dcz;q=0", &held],
        ),
        ("no delta coding", vec!["Accept-Encoding: br", &held]),
        ("a Range request", vec![ALL, &held, "Range: bytes=0-9"]),
        (
            "cross-site",
            vec![
                ALL,
                &held,
                "Sec-Fetch-Site: cross-site",
                "Sec-Fetch-Mode: no-cors",
            ],
        ),
        (
            "same-site cors",
            vec![
                ALL,
                &held,
                "Sec-Fetch-Site: same-site",
                "Sec-Fetch-Mode: cors",
            ],
        ),
    ];
    for (what, headers) in cases {
        let response = server.get(css.url(), &headers);
        assert!(
            response.status == 200 || response.status == 206,
            "{what}: {response:?}"
        );
        let encoding = response.header("content-encoding");
        assert!(
            !matches!(encoding, Some("dcb" | "dcz")),
            "{what}: no delta, got {encoding:?}"
        );
        assert_eq!(response.header("vary"), Some(DELTA_VARY), "{what}");
    }
    // A same-origin request in the browser's words takes the delta.
    let same_origin = server.get(
        css.url(),
        &[
            ALL,
            &held,
            "Sec-Fetch-Site: same-origin",
            "Sec-Fetch-Mode: no-cors",
        ],
    );
    assert_delta(&same_origin, &old_css, css.bytes(), "same-origin");
}

#[test]
fn every_embedded_delta_decodes_to_its_file_with_the_reference_decoders() {
    let mut pairs = 0;
    for asset in assets::MANIFEST.assets() {
        for delta in asset.deltas() {
            let dictionary = earlier(asset.canonical_path());
            assert_eq!(ContentHash::of(&dictionary).as_bytes(), delta.dictionary());
            for (token, encoded) in [("dcb", delta.dcb()), ("dcz", delta.dcz())] {
                let encoded = encoded.unwrap_or_else(|| panic!("{token} of {asset:?}"));
                assert_eq!(
                    reference_decode(token, &dictionary, encoded.bytes()),
                    asset.bytes(),
                    "{token} of {}",
                    asset.canonical_path()
                );
                assert!(encoded.bytes().len() < asset.brotli().unwrap().bytes().len());
            }
            pairs += 1;
        }
    }
    // The stylesheet and the script changed; the JSON did not (no delta to itself).
    assert_eq!(pairs, 2);
    assert!(assets::MANIFEST
        .get("data/items.json")
        .unwrap()
        .deltas()
        .is_empty());
    // `deltas = false` embeds the same earlier files and no delta.
    assert!(without_deltas::assets::MANIFEST
        .assets()
        .iter()
        .all(|asset| asset.deltas().is_empty()));
    assert_eq!(without_deltas::assets::EMBEDDED.earlier().len(), 2);
}

#[test]
fn the_bare_service_and_actix_web_give_the_same_deltas() {
    let css = assets::MANIFEST.get("css/site.css").unwrap();
    let old_css = earlier("css/site.css");
    let held = dictionary_header(&old_css);
    let bare =
        TestServer::start(Router::new().fallback_service(StaticService::new(&assets::MANIFEST)));
    let one_stack = axum_site(&assets::EMBEDDED, None);
    let actix_site = site(&assets::EMBEDDED, None);
    let actix = TestServer::start_actix(move |listener| {
        let middleware = actix_site.actix_middleware();
        Ok(
            actix_web::HttpServer::new(move || actix_web::App::new().wrap(middleware.clone()))
                .workers(1)
                .disable_signals()
                .listen(listener)?
                .run(),
        )
    });
    let actix_bare = TestServer::start_actix(|listener| {
        Ok(actix_web::HttpServer::new(|| {
            actix_web::App::new().default_service(StaticService::new(&assets::MANIFEST))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run())
    });
    for (name, server) in [
        ("StaticService", &bare),
        ("Site layer", &one_stack),
        ("actix middleware", &actix),
        ("actix StaticFiles", &actix_bare),
    ] {
        let response = server.get(css.url(), &[ALL, &held]);
        assert_delta(&response, &old_css, css.bytes(), name);
        let reference = one_stack.get(css.url(), &[ALL, &held]);
        assert_eq!(response.body, reference.body, "{name}");
        assert_eq!(response.header("etag"), reference.header("etag"), "{name}");
    }
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = target_dir().join("deltas-test").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A release folder holding the earlier release's files and `delta` written for the
/// current stylesheet against the earlier one, as `collect` lays it out.
fn folder_with(name: &str, delta: impl Fn(&[u8], &[u8]) -> Vec<u8>) -> (PathBuf, String) {
    let dir = fresh_dir(name);
    let source = workspace_root().join("tests/fixtures/deltas-releases");
    hyper_assets_tests::scratch::copy_folder(&source, &dir);
    let css = current_only::assets::MANIFEST.get("css/site.css").unwrap();
    let old = earlier("css/site.css");
    let file = delta_file_name(
        css.hashed_path(),
        &ContentHash::of(&old),
        DeltaEncoding::Dcz,
    );
    let path = dir.join(&file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, delta(&old, css.bytes())).unwrap();
    (dir, file)
}

#[test]
fn deltas_of_the_release_folder_are_served_only_once_checked() {
    let css = current_only::assets::MANIFEST.get("css/site.css").unwrap();
    let old_css = earlier("css/site.css");
    let held = dictionary_header(&old_css);

    let (good, _) = folder_with("good", |old, new| {
        encode_delta(old, new, DeltaEncoding::Dcz).unwrap()
    });
    let server = axum_site(&current_only::assets::EMBEDDED, Some(&good));
    // Twice: read and checked from disk, then from memory.
    for round in ["from disk", "from memory"] {
        let response = server.get(css.url(), &[ALL, &held]);
        assert_eq!(
            assert_delta(&response, &old_css, css.bytes(), round),
            "dcz",
            "{round}"
        );
    }
    let plain = server.get(css.url(), &["Accept-Encoding: br"]);
    assert_eq!(
        plain.header("vary"),
        Some(DELTA_VARY),
        "the folder may hold a delta"
    );
    let unknown = server.get(css.url(), &[ALL, &dictionary_header(b"never released")]);
    assert_eq!(unknown.header("content-encoding"), Some("br"));

    // Planted or corrupt deltas: refused, logged, never sent; the client gets br.
    let log = hyper_assets_tests::log::captured();
    type Plant = fn(&[u8], &[u8]) -> Vec<u8>;
    let planted: [(&str, Plant); 3] = [
        ("corrupt", |old: &[u8], new: &[u8]| {
            let mut delta = encode_delta(old, new, DeltaEncoding::Dcz).unwrap();
            let at = delta.len() - 6;
            delta[at] ^= 0x5a;
            delta
        }),
        ("another-file", |old: &[u8], _new: &[u8]| {
            encode_delta(old, b"body { color: red }", DeltaEncoding::Dcz).unwrap()
        }),
        ("garbage", |_: &[u8], _: &[u8]| b"not a delta".to_vec()),
    ];
    for (name, make) in planted {
        let (dir, _) = folder_with(name, make);
        let server = axum_site(&current_only::assets::EMBEDDED, Some(&dir));
        let response = server.get(css.url(), &[ALL, &held]);
        assert_eq!(response.status, 200, "{name}");
        assert_eq!(response.header("content-encoding"), Some("br"), "{name}");
        assert_eq!(response.body, css.brotli().unwrap().bytes(), "{name}");
        let logged = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
        let line = logged
            .lines()
            .find(|line| line.contains(&dir.display().to_string()))
            .unwrap_or_else(|| panic!("{name}: no refusal logged: {logged}"));
        assert!(line.contains("refused the delta"), "{name}: {line}");
    }
}

#[test]
fn the_binarys_collect_writes_its_embedded_deltas_checked_and_listed() {
    let dir = fresh_dir("collected");
    hyper_assets_tests::scratch::copy_folder(
        &workspace_root().join("tests/fixtures/deltas-releases"),
        &dir,
    );
    let report = assets::EMBEDDED.collect(&dir).unwrap();
    assert_eq!(
        report.deltas, 4,
        "dcb and dcz of the stylesheet and the script"
    );
    let index = ReleaseIndex::read(&dir).unwrap();
    let newest = &index.releases()[0];
    assert_eq!(newest.version, assets::VERSION);
    assert_eq!(newest.deltas.len(), 4);
    for asset in assets::MANIFEST.assets() {
        for delta in asset.deltas() {
            let hash = ContentHash::from_digest(*delta.dictionary());
            for (encoding, bytes) in [
                (DeltaEncoding::Dcb, delta.dcb()),
                (DeltaEncoding::Dcz, delta.dcz()),
            ] {
                let name = delta_file_name(asset.hashed_path(), &hash, encoding);
                assert!(newest.deltas.contains(&name), "{name} listed");
                assert_eq!(
                    std::fs::read(dir.join(&name)).unwrap(),
                    bytes.unwrap().bytes()
                );
            }
        }
    }
    // The folder then serves them to a build that embeds none.
    let css = current_only::assets::MANIFEST.get("css/site.css").unwrap();
    let old_css = earlier("css/site.css");
    let server = axum_site(&current_only::assets::EMBEDDED, Some(&dir));
    let response = server.get(css.url(), &[ALL, &dictionary_header(&old_css)]);
    assert_delta(&response, &old_css, css.bytes(), "collected by the binary");

    // A made delta that does not decode to its file is never written.
    let other = fresh_dir("collected-bad");
    let files = [hyper_assets_pipeline::CollectedFile {
        canonical: css.canonical_path(),
        hashed: css.hashed_path(),
        bytes: css.bytes(),
        brotli: None,
        gzip: None,
    }];
    let wrong = encode_delta(&old_css, b"other bytes", DeltaEncoding::Dcz).unwrap();
    let made = [hyper_assets_pipeline::MadeDelta {
        hashed: css.hashed_path(),
        dictionary: &old_css,
        encoding: DeltaEncoding::Dcz,
        bytes: &wrong,
    }];
    let report = hyper_assets_pipeline::Collect::new(&other, "v", &files, "{}")
        .made_deltas(&made)
        .run()
        .unwrap();
    assert_eq!(report.deltas, 0);
    assert!(ReleaseIndex::read(&other).unwrap().releases()[0]
        .deltas
        .is_empty());
}
