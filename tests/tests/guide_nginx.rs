//! The nginx configurations the guide shows are what the code prints (issue 24): the
//! `location` of the demo's release folder (`docs/src/deploying.md`, after
//! `<!-- generated: nginx-static-location -->`) and the version routing of the example
//! settings (`docs/src/blue-green.md`, after `<!-- generated: nginx-version-routing -->`).
//! On a mismatch the test prints the block as the code gives it, to paste.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets::routing::{nginx_config, parse_backend_addrs, NginxOptions, VersionRouterLayer};
use hyper_assets::Settings;
use hyper_assets_pipeline::{content_type, nginx_static_location, FileFilter};
use hyper_assets_tests::cargo_project::workspace_root;
use hyper_assets_tests::docs::marked_block;
use std::path::Path;

/// Where the guide's demo collects to.
const DEMO_ROOT: &str = "/srv/app/static/";

fn same_as_the_code(marker: &str, generated: &str) {
    let block = marked_block(marker);
    assert!(
        block == generated,
        "the block after {marker} is not what the code prints; the code's, to paste:\n\
         ```nginx\n{generated}```"
    );
}

/// The files of a folder as `hyper_assets!` reads it with its default filter (hidden
/// files left out), as `/`-separated paths, sorted.
fn folder_files(root: &Path, dir: &Path, filter: &FileFilter, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(root.join(dir)).unwrap() {
        let entry = entry.unwrap();
        let path = dir.join(entry.file_name());
        let rel = path.to_string_lossy().replace('\\', "/");
        if entry.file_type().unwrap().is_dir() {
            if filter.enters(&rel) {
                folder_files(root, &path, filter, found);
            }
        } else if filter.accepts(&rel) {
            found.push(rel);
        }
    }
}

/// `hyper-assets nginx-config --static-root /srv/app/static/` over the demo's first
/// collected release: the types of its files (the demo's call takes every file of
/// `static/`; a first release keeps no earlier files), prefix `/static/`, no brotli.
#[test]
fn the_deploying_chapters_location_is_the_demos() {
    let folder = workspace_root().join("examples/demo/static");
    let main = std::fs::read_to_string(workspace_root().join("examples/demo/src/main.rs")).unwrap();
    for option in ["include", "exclude", "hidden", "prefix"] {
        assert!(
            !main.contains(&format!("    {option} = ")),
            "the demo's hyper_assets! call sets `{option}`: read its files as it does"
        );
    }
    let mut files = Vec::new();
    folder_files(&folder, Path::new(""), &FileFilter::default(), &mut files);
    files.sort();
    assert!(files.len() > 3, "the demo's static files: {files:?}");
    let types: Vec<(String, String)> = files
        .iter()
        .map(|file| (file.clone(), content_type(file)))
        .collect();
    let location = nginx_static_location(
        "/static/",
        types
            .iter()
            .map(|(file, kind)| (file.as_str(), kind.as_str())),
        DEMO_ROOT,
        false,
    );
    same_as_the_code("<!-- generated: nginx-static-location -->", &location);
}

/// `hyper-assets nginx-config` with the chapter's example settings: the settings read as
/// the app reads them, then the generator the command calls.
#[test]
fn the_blue_green_chapters_configuration_is_the_generators() {
    let variables = [
        ("VERSION_MAP", "v1.0=backend-blue,v1.1=backend-green"),
        ("DEFAULT_VERSION", "v1.0"),
        ("CANARY", "v1.1:10"),
    ];
    let settings = Settings::from_lookup(|name| {
        variables
            .iter()
            .find(|(variable, _)| *variable == name)
            .map(|(_, value)| (*value).to_owned())
    })
    .unwrap();
    let router = VersionRouterLayer::from_settings(settings.routing())
        .unwrap()
        .expect("VERSION_MAP is set");
    let upstreams =
        parse_backend_addrs("backend-blue=127.0.0.1:3001,backend-green=127.0.0.1:3002").unwrap();
    let config = nginx_config(&router, &NginxOptions::new("8080", upstreams)).unwrap();
    same_as_the_code("<!-- generated: nginx-version-routing -->", &config);
}
