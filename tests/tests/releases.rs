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

/// A release of `files` (canonical name and bytes) collected into `dir` as `collect`
/// writes one: the files and the index that lists them. Returns their hashed names.
fn publish(dir: &Path, version: &str, files: &[(&str, &[u8])]) -> Vec<String> {
    let names: Vec<String> = files
        .iter()
        .map(|(canonical, bytes)| {
            hyper_assets_pipeline::hashed_name(canonical, &ContentHash::of(bytes))
        })
        .collect();
    let collected: Vec<hyper_assets_pipeline::CollectedFile<'_>> = files
        .iter()
        .zip(&names)
        .map(
            |((canonical, bytes), hashed)| hyper_assets_pipeline::CollectedFile {
                canonical,
                hashed,
                bytes,
                brotli: None,
                gzip: None,
            },
        )
        .collect();
    hyper_assets_pipeline::collect_release(
        dir,
        version,
        &collected,
        "{}",
        &hyper_assets_pipeline::Retention::default(),
    )
    .unwrap();
    names
}

#[test]
fn a_shared_release_folder_serves_other_releases_files_and_refuses_planted_ones() {
    let log = hyper_assets_tests::log::captured();
    let dir = fresh_dir("shared");
    // The current release collected into the folder, as a deploy does first.
    let report = current_only::assets::MANIFEST.collect(&dir).unwrap();
    assert_eq!(report.releases, 1);
    let server = site(&current_only::assets::EMBEDDED, Some(&dir));

    // The next release collected while the instance runs: served at once (a miss is
    // never remembered), with a file whose canonical name this build does not have.
    let later: &[u8] = b"/* the next release */ body { color: teal }\n";
    let gone: &[u8] = b"export const gone = 1;\n";
    let later_name = hashed("css/styles", "css", later);
    let url = format!("/static/{later_name}");
    assert_eq!(server.get(&url, &[]).status, 307, "not there yet");
    let names = publish(
        &dir,
        "next",
        &[("css/styles.css", later), ("js/gone.js", gone)],
    );
    assert_eq!(names[0], later_name);
    assert_served(&server.get(&url, &[]), later, "a later release's file");
    assert_eq!(server.get(&url, &["Range: bytes=3-7"]).body, &later[3..8]);
    let gone_url = format!("/static/{}", names[1]);
    assert_served(&server.get(&gone_url, &[]), gone, "a removed file");
    let served = server.get(&gone_url, &[]);
    assert_eq!(
        served.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let etag = served.header("etag").unwrap().to_owned();
    let revalidated = server.get(&gone_url, &[&format!("If-None-Match: {etag}")]);
    assert_eq!(revalidated.status, 304);
    assert_eq!(revalidated.header("cache-control"), Some(IMMUTABLE));
    let head = server.send("HEAD", &gone_url, &[]);
    assert_eq!((head.status, head.body.len()), (200, 0));
    let post = server.send("POST", &gone_url, &["Content-Length: 0"]);
    assert_eq!(
        post.status, 405,
        "a file of the folder is an asset: {post:?}"
    );
    assert_eq!(post.header("allow"), Some("GET, HEAD"));

    // Planted files, refused, logged, never served: one whose bytes were changed after
    // collect (the index lists its name), one the index does not list (its bytes do
    // hash to its name), one reached by an absolute path, one a symlink out.
    let planted_names = publish(
        &dir,
        "planted",
        &[("css/planted.css", b"what the name promises")],
    );
    let planted = &planted_names[0];
    std::fs::write(dir.join(planted), "body { display: none }").unwrap();
    let answer = server.get(&format!("/static/{planted}"), &[]);
    assert_eq!(answer.status, 404, "the hash no release has: {answer:?}");
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let unlisted: &[u8] = b"alert(1)";
    let unlisted_name = hashed("js/unlisted", "js", unlisted);
    std::fs::write(dir.join(&unlisted_name), unlisted).unwrap();
    let answer = server.get(&format!("/static/{unlisted_name}"), &[]);
    assert_eq!(answer.status, 404, "only what collect wrote: {answer:?}");
    let outside = fresh_dir("outside");
    let escape: &[u8] = b"console.log('outside')";
    let escape_name = hashed("evil", "js", escape);
    std::fs::write(outside.join(&escape_name), escape).unwrap();
    let absolute = format!("/static/{}", outside.join(&escape_name).display());
    assert!(absolute.starts_with("/static//"), "{absolute}");
    let answer = server.get(&absolute, &[]);
    assert!(answer.status == 404 || answer.status == 400, "{answer:?}");
    assert!(!String::from_utf8_lossy(&answer.body).contains("outside"));
    let linked = publish(&dir, "linked", &[("js/linked.js", escape)]);
    std::fs::remove_file(dir.join(&linked[0])).unwrap();
    std::os::unix::fs::symlink(outside.join(&escape_name), dir.join(&linked[0])).unwrap();
    let answer = server.get(&format!("/static/{}", linked[0]), &[]);
    assert_eq!(
        answer.status, 404,
        "a symlink out of the folder: {answer:?}"
    );
    let logged = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        logged.contains(&format!("refused {planted}: its bytes hash to")),
        "{logged}"
    );
    assert!(
        logged.contains(&format!(
            "refused {}: it leads out of the folder",
            linked[0]
        )),
        "{logged}"
    );

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
