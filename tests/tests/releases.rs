//! Earlier releases' files over a real socket: embedded from a release folder at build
//! time (`previous = "..."`) and read at run time from a shared one
//! (`STATIC_RELEASES_DIR`). Each is served under its own hashed name with its exact
//! bytes and the immutable headers; a file whose bytes do not hash to its name is
//! refused and logged; the 307 stays only for a hash no release has.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::Router;
use hyper_assets::{Settings, Site, SiteError};
use hyper_assets_pipeline::{ContentHash, ReleaseIndex};
use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use hyper_assets_tests::{RawResponse, TestServer};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

hyper_assets::hyper_assets!("fixtures/basic", previous = "fixtures/releases");

mod current_only {
    hyper_assets::hyper_assets!("fixtures/basic");
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn fixture(rel: &str) -> PathBuf {
    workspace_root().join("tests/fixtures").join(rel)
}

/// The earlier release's files in `fixtures/releases`, by hashed name.
fn earlier_names() -> Vec<String> {
    let index = ReleaseIndex::read(&fixture("releases")).unwrap();
    let mut names: Vec<String> = index.releases()[1].files.clone();
    names.sort();
    names
}

fn site(embedded: &'static hyper_assets::Embedded, releases_dir: Option<&Path>) -> TestServer {
    let mut settings = Settings::builder().dev_mode(false);
    if let Some(dir) = releases_dir {
        settings = settings.releases_dir(dir);
    }
    let site = Site::builder(embedded)
        .settings(settings.build().unwrap())
        .build()
        .unwrap();
    TestServer::start(Router::new().layer(site.layer()))
}

fn assert_served(response: &RawResponse, bytes: &[u8], what: &str) {
    assert_eq!(response.status, 200, "{what}: {response:?}");
    assert_eq!(response.body, bytes, "{what}: the exact bytes");
    assert_eq!(response.header("cache-control"), Some(IMMUTABLE), "{what}");
    let etag = format!("\"{}\"", ContentHash::of(bytes).hex());
    assert_eq!(response.header("etag"), Some(etag.as_str()), "{what}");
}

#[test]
fn embedded_earlier_releases_are_served_under_their_own_names_only() {
    let names = earlier_names();
    assert_eq!(names.len(), 2);
    let embedded: Vec<&str> = assets::EMBEDDED
        .earlier()
        .iter()
        .map(|a| a.hashed_path())
        .collect();
    assert_eq!(embedded, names, "sorted by hashed path");
    // The index also lists the current stylesheet's name: the current file serves it,
    // so it is not embedded twice.
    let current = assets::MANIFEST.get("css/styles.css").unwrap();
    assert!(!embedded.contains(&current.hashed_path()));
    // Old names never reach the manifest, so never `url!` or the templates.
    for name in &names {
        assert!(assets::MANIFEST.get_hashed(name).is_none(), "{name}");
        assert!(assets::MANIFEST
            .assets()
            .iter()
            .all(|a| a.hashed_path() != name));
    }
    assert_eq!(assets::MANIFEST.len(), current_only::assets::MANIFEST.len());
    assert_eq!(assets::VERSION, current_only::assets::VERSION);

    let server = site(&assets::EMBEDDED, None);
    for name in &names {
        let bytes = std::fs::read(fixture("releases").join(name)).unwrap();
        let url = format!("/static/{name}");
        assert_served(&server.get(&url, &[]), &bytes, &url);
        // The same rules as a current file: 304, ranges, HEAD.
        let etag = format!("\"{}\"", ContentHash::of(&bytes).hex());
        let revalidated = server.get(&url, &[&format!("If-None-Match: {etag}")]);
        assert_eq!(revalidated.status, 304);
        assert_eq!(revalidated.header("cache-control"), Some(IMMUTABLE));
        let range = server.get(&url, &["Range: bytes=0-4"]);
        assert_eq!(range.status, 206);
        assert_eq!(range.body, &bytes[..5]);
        assert_eq!(server.send("HEAD", &url, &[]).status, 200);
        assert_eq!(
            server.send("POST", &url, &["Content-Length: 0"]).status,
            405
        );
    }
    let earlier_css = names.iter().find(|n| n.starts_with("css/")).unwrap();
    assert_eq!(
        server
            .get(&format!("/static/{earlier_css}"), &[])
            .header("content-type"),
        Some("text/css; charset=utf-8")
    );

    // A hash no release has: the 307 to the current bytes, never stored.
    let unknown = current
        .url()
        .replace(&current.sha256()[..12], "0123456789ab");
    let redirect = server.get(&unknown, &[]);
    assert_eq!(redirect.status, 307);
    assert_eq!(redirect.header("location"), Some(current.url()));
    assert_eq!(redirect.header("cache-control"), Some("no-store"));

    // Without `previous`, the earlier stylesheet is only that redirect.
    let without = site(&current_only::assets::EMBEDDED, None);
    assert_eq!(
        without.get(&format!("/static/{earlier_css}"), &[]).status,
        307
    );
    let legacy = names.iter().find(|n| n.starts_with("js/legacy.")).unwrap();
    assert_eq!(without.get(&format!("/static/{legacy}"), &[]).status, 404);
}

/// Every `tracing` event of this test binary, for the refusal log.
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let writer = log.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || Writer(writer.clone()))
            .init();
        log
    })
    .clone()
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = target_dir().join("releases-test").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hashed(canonical_stem: &str, extension: &str, bytes: &[u8]) -> String {
    format!(
        "{canonical_stem}.{}.{extension}",
        ContentHash::of(bytes).short()
    )
}

#[test]
fn a_shared_release_folder_serves_other_releases_files_and_refuses_planted_ones() {
    let log = log();
    let dir = fresh_dir("shared");
    // The current release collected into the folder, as a deploy does first.
    let report = current_only::assets::MANIFEST.collect(&dir).unwrap();
    assert_eq!(report.releases, 1);
    let server = site(&current_only::assets::EMBEDDED, Some(&dir));

    // A file of another release written while the instance runs: served at once (a
    // miss is never remembered).
    let later = b"/* the next release */ body { color: teal }\n";
    let later_name = hashed("css/styles", "css", later);
    let url = format!("/static/{later_name}");
    assert_eq!(server.get(&url, &[]).status, 307, "not there yet");
    std::fs::create_dir_all(dir.join("css")).unwrap();
    std::fs::write(dir.join(&later_name), later).unwrap();
    assert_served(&server.get(&url, &[]), later, "a later release's file");
    assert_eq!(server.get(&url, &["Range: bytes=3-7"]).body, &later[3..8]);
    // A file of a release whose canonical name this build does not have.
    let gone = b"export const gone = 1;\n";
    let gone_name = hashed("js/gone", "js", gone);
    std::fs::create_dir_all(dir.join("js")).unwrap();
    std::fs::write(dir.join(&gone_name), gone).unwrap();
    assert_served(
        &server.get(&format!("/static/{gone_name}"), &[]),
        gone,
        "a removed file",
    );
    assert_eq!(
        server
            .get(&format!("/static/{gone_name}"), &[])
            .header("content-type"),
        Some("text/javascript; charset=utf-8")
    );

    // A planted file: its bytes do not hash to its name. Refused, logged, never served.
    let planted_name = hashed("css/styles", "css", b"what the name promises");
    std::fs::write(dir.join(&planted_name), "body { display: none }").unwrap();
    let planted = server.get(&format!("/static/{planted_name}"), &[]);
    assert_eq!(planted.status, 307, "the hash no release has: {planted:?}");
    assert_eq!(planted.header("cache-control"), Some("no-store"));
    let planted_js = hashed("js/planted", "js", b"the real bytes");
    std::fs::write(dir.join(&planted_js), "alert(1)").unwrap();
    let planted = server.get(&format!("/static/{planted_js}"), &[]);
    assert_eq!(planted.status, 404);
    assert_eq!(planted.header("cache-control"), Some("no-store"));
    assert!(!String::from_utf8_lossy(&planted.body).contains("alert"));
    let logged = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    for name in [&planted_name, &planted_js] {
        assert!(
            logged.contains(&format!("refused {name}: its bytes hash to")),
            "{logged}"
        );
    }

    // Once verified, a file is served from memory, even if the disk changes under it.
    std::fs::remove_file(dir.join(&later_name)).unwrap();
    assert_served(&server.get(&url, &[]), later, "kept once verified");

    // Names that are not hash-shaped never reach the disk.
    std::fs::write(dir.join("css/extra.css"), "x").unwrap();
    assert_eq!(server.get("/static/css/extra.css", &[]).status, 404);
}

#[test]
fn collecting_into_a_release_folder_keeps_earlier_releases_for_the_next_build() {
    let dir = fresh_dir("collect-twice");
    assets::MANIFEST.collect(&dir).unwrap();
    // Another release of the same canonical names (the rewrite fixture) into the folder.
    mod other {
        hyper_assets::hyper_assets!("fixtures/compress");
    }
    let report = other::assets::MANIFEST.collect(&dir).unwrap();
    assert_eq!(report.releases, 2);
    let index = ReleaseIndex::read(&dir).unwrap();
    let versions: Vec<&str> = index
        .releases()
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    assert_eq!(versions, [other::assets::VERSION, assets::VERSION]);
    for asset in assets::MANIFEST.assets() {
        assert_eq!(
            std::fs::read(dir.join(asset.hashed_path())).unwrap(),
            asset.bytes(),
            "the first release's files stay"
        );
    }
    let staticfiles: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("staticfiles.json")).unwrap()).unwrap();
    assert_eq!(
        staticfiles["hash"],
        other::assets::VERSION,
        "the newest release's"
    );
}

#[test]
fn a_release_folder_that_is_not_a_folder_is_a_start_up_error() {
    let error = Site::builder(&assets::EMBEDDED)
        .settings(
            Settings::from_lookup(|name| match name {
                "STATIC_RELEASES_DIR" => Some("/no/such/releases".to_owned()),
                "STATIC_DEV_MODE" => Some("false".to_owned()),
                _ => None,
            })
            .unwrap(),
        )
        .build()
        .unwrap_err();
    assert!(matches!(error, SiteError::ReleasesDir(_)));
    assert_eq!(
        error.to_string(),
        "STATIC_RELEASES_DIR=\"/no/such/releases\" is not a folder: expected the release \
         folder that `collect` writes (create it first), or unset"
    );
    assert_eq!(format!("{error:?}"), error.to_string());
}
