//! The rollout matrix, end to end: two real demo builds with different static content
//! (v1, v2) behind a real nginx, pages loaded by a real headless Chromium with SRI on
//! (`e2e/rollout.mjs`), and every page checked for coherence: all its subresources
//! loaded and passed their integrity check, and its stylesheet's and script's release is
//! the release of the page's own version.
//!
//! v2 embeds v1's files (`previous = "releases"`, the folder `v1 collect` wrote); the
//! shared release folder holds both releases, as a deploy that collects the new release
//! before starting the new instances leaves it (`STATIC_RELEASES_DIR`).
//!
//! Needs nginx, node and Chromium with the e2e packages (`npm ci --prefix e2e`), so it is
//! `#[ignore]`d in a plain `cargo test`; `scripts/test-all.sh` runs it with `--ignored`,
//! and then a missing tool fails it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use hyper_assets_tests::cargo_project::{target_dir, workspace_root, CargoProject};
use hyper_assets_tests::raw_request;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use support::{collect_with, free_addr, htmx_file, start_listening, start_nginx, Running};

/// A release of the demo: its stylesheet and script say which one they are.
fn build_release(name: &str, release: &str, previous: Option<&Path>) -> CargoProject {
    support::build_release(name, release, previous, |_| {})
}

/// `binary collect DIR`: the release written into the release folder `dir`.
fn collect(binary: &Path, dir: &Path) {
    collect_with(binary, dir);
}

/// One running instance and the app version it reports.
struct Instance {
    addr: SocketAddr,
    version: String,
    _process: Running,
}

fn start(binary: &Path, env: &[(&str, &str)]) -> Instance {
    let addr = free_addr();
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("STATIC_DEV_MODE", "false")
        .env("ADDR", addr.to_string())
        .env("HTMX_FILE", htmx_file());
    for (name, value) in env {
        command.env(name, value);
    }
    let process = start_listening(command, addr, &binary.display().to_string(), false);
    let response = raw_request(
        addr,
        b"GET /version HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n",
    );
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    Instance {
        addr,
        version: body["version"].as_str().unwrap().to_owned(),
        _process: process,
    }
}

/// nginx sending pages to `pages` and `/static/` to `assets` (round-robin inside each).
fn split_config(listen: SocketAddr, pages: &[&Instance], assets: &[&Instance]) -> String {
    let servers = |instances: &[&Instance]| -> String {
        instances
            .iter()
            .map(|i| format!("    server {};\n", i.addr))
            .collect()
    };
    format!(
        "upstream pages {{\n{}}}\nupstream assets {{\n{}}}\nserver {{\n  listen {listen};\n  \
         location / {{ proxy_pass http://pages; }}\n  \
         location /static/ {{ proxy_pass http://assets; }}\n}}\n",
        servers(pages),
        servers(assets)
    )
}

/// Runs the browser over one cell and returns its report.
fn browse(dir: &Path, name: &str, cell: &Value) -> Value {
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, cell.to_string()).unwrap();
    let output = Command::new("node")
        .arg(workspace_root().join("e2e/rollout.mjs"))
        .arg(&file)
        .current_dir(workspace_root().join("e2e"))
        .output()
        .unwrap_or_else(|e| panic!("node is not installed (Debian package nodejs): {e}"));
    assert!(
        output.status.success(),
        "{name}: the browser run failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    eprintln!(
        "rollout {name}: {} pages, {} broken, {} reloads ({} for a failed file)",
        report["pages"].as_array().unwrap().len(),
        report["broken"],
        report["reloads"],
        report["assetReloads"]
    );
    report
}

fn releases(instances: &[(&Instance, &str)]) -> Value {
    let mut map = serde_json::Map::new();
    for (instance, release) in instances {
        map.insert(instance.version.clone(), json!(release));
    }
    Value::Object(map)
}

fn pages(report: &Value) -> &Vec<Value> {
    report["pages"].as_array().unwrap()
}

#[test]
#[ignore = "needs nginx, node and Chromium; run by scripts/test-all.sh"]
fn rollout_matrix_and_a_rolling_deploy_break_no_page() {
    support::nginx_binary();
    let dir = target_dir().join("rollout-e2e");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let v1 = build_release("demo-rollout-v1", "v1", None);
    let v2 = build_release("demo-rollout-v2", "v2", Some(&v1.binary()));
    // The shared folder as the deploy recipe leaves it: v1's release, then v2's,
    // collected before v2's instances start.
    let shared = dir.join("shared");
    collect(&v1.binary(), &shared);
    collect(&v2.binary(), &shared);
    let shared_env = [("STATIC_RELEASES_DIR", shared.to_str().unwrap())];

    let old = start(&v1.binary(), &[]);
    let new = start(&v2.binary(), &[]);
    let old_shared = start(&v1.binary(), &shared_env);
    let new_shared = start(&v2.binary(), &shared_env);
    assert_ne!(old.version, new.version);
    assert_eq!(old.version, old_shared.version);
    let versions = releases(&[(&old, "v1"), (&new, "v2")]);
    let cell = |url: SocketAddr, loads: usize| json!({ "url": format!("http://{url}/"), "loads": loads, "click": true, "releases": versions });
    // nginx with `pages` answering pages and `files` answering /static/.
    let proxy = |name: &str, pages: &[&Instance], files: &[&Instance]| {
        let listen = free_addr();
        let nginx_dir = dir.join(name);
        std::fs::create_dir_all(&nginx_dir).unwrap();
        let config = split_config(listen, pages, files);
        (start_nginx(&nginx_dir, &config, listen), listen)
    };

    // An old page on a new instance: v1's HTML, every file from v2, which embeds v1's.
    let (_nginx, url) = proxy("old-page-new-instance", &[&old], &[&new]);
    let report = browse(&dir, "old-page-new-instance", &cell(url, 3));
    for page in pages(&report) {
        assert_eq!(page["release"], "v1", "{page}");
        assert_eq!(page["coherent"], true, "{page}");
        assert_eq!(page["reloads"], 0, "{page}");
    }

    // A new page on an old instance, without the shared folder: v1 has no v2 file, so
    // the hashed stylesheet and script fail (the 307 to v1's bytes fails SRI). The
    // stale-client script notices and reloads once, guarded; nginx sends the files to
    // v1 again, so the page stays broken and the script prompts instead of looping.
    let (_nginx, url) = proxy("new-page-old-instance", &[&new], &[&old]);
    let report = browse(&dir, "new-page-old-instance", &cell(url, 2));
    for page in pages(&report) {
        assert_eq!(page["loaded"], false, "{page}");
        assert_eq!(page["reloads"], 1, "one guarded reload: {page}");
        let reasons: Vec<&str> = page["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(reasons.first(), Some(&"asset:reload"), "{page}");
        assert!(reasons.contains(&"asset:prompt"), "then a prompt: {page}");
        assert!(page["integrityErrors"].as_u64().unwrap() > 0, "{page}");
    }

    // Both directions with the shared folder: every file answers everywhere.
    for (name, pages_from, files_from, release) in [
        (
            "old-page-new-instance-shared",
            &old_shared,
            &new_shared,
            "v1",
        ),
        (
            "new-page-old-instance-shared",
            &new_shared,
            &old_shared,
            "v2",
        ),
    ] {
        let (_nginx, url) = proxy(name, &[pages_from], &[files_from]);
        let report = browse(&dir, name, &cell(url, 3));
        for page in pages(&report) {
            assert_eq!(page["release"], release, "{name}: {page}");
            assert_eq!(page["coherent"], true, "{name}: {page}");
            assert_eq!(page["reloads"], 0, "{name}: {page}");
        }
    }

    // The version cookie pinned, and a canary: nginx routes by the cookie the app sets
    // (`demo nginx-config`), so a client's pages, files and htmx requests all reach its
    // version.
    let routing = |default: &str, canary: &str| {
        let env = [
            ("VERSION_MAP", "v1=backend-v1,v2=backend-v2"),
            ("DEFAULT_VERSION", default),
            ("CANARY", canary),
        ];
        let blue = start(
            &v1.binary(),
            &[env[0], env[1], env[2], ("APP_VERSION", "v1")],
        );
        let green = start(
            &v2.binary(),
            &[env[0], env[1], env[2], ("APP_VERSION", "v2")],
        );
        let listen = free_addr();
        let generated = Command::new(v1.binary())
            .env_clear()
            .envs(env)
            .env(
                "BACKEND_ADDRS",
                format!("backend-v1={},backend-v2={}", blue.addr, green.addr),
            )
            .env("NGINX_LISTEN", listen.to_string())
            .arg("nginx-config")
            .output()
            .unwrap();
        assert!(generated.status.success(), "{generated:?}");
        let name = format!("routing-{default}-{}", canary.replace(':', "-"));
        let nginx_dir = dir.join(&name);
        std::fs::create_dir_all(&nginx_dir).unwrap();
        let nginx = start_nginx(
            &nginx_dir,
            &String::from_utf8(generated.stdout).unwrap(),
            listen,
        );
        (blue, green, nginx, listen)
    };
    let pinned = json!({ "v1": "v1", "v2": "v2" });
    {
        let (_blue, _green, _nginx, url) = routing("v2", "");
        for (cookie, release) in [("app_version=v1", "v1"), ("app_version=v2", "v2")] {
            let mut cell = cell(url, 2);
            cell["releases"] = pinned.clone();
            cell["cookie"] = json!(cookie);
            let report = browse(&dir, &format!("pinned-{release}"), &cell);
            for page in pages(&report) {
                assert_eq!(page["release"], release, "{cookie}: {page}");
                assert_eq!(page["coherent"], true, "{cookie}: {page}");
                assert_eq!(page["reloads"], 0, "{cookie}: {page}");
            }
        }
    }
    {
        let (_blue, _green, _nginx, url) = routing("v1", "v2:50");
        let mut cell = cell(url, 16);
        cell["releases"] = pinned;
        cell["userAgents"] = json!(true);
        let report = browse(&dir, "canary", &cell);
        let mut seen = Vec::new();
        for page in pages(&report) {
            assert_eq!(page["coherent"], true, "{page}");
            assert_eq!(page["reloads"], 0, "{page}");
            seen.push(page["release"].as_str().unwrap().to_owned());
        }
        assert!(
            seen.iter().any(|r| r == "v1") && seen.iter().any(|r| r == "v2"),
            "16 clients split between the two: {seen:?}"
        );
    }

    // A rolling deploy: plain round-robin over an old and a new instance, 50 fresh
    // clients each loading a page and clicking an htmx button.
    // Plain round-robin, no stickiness: requests alternate between the two.
    let fleet = [&old_shared, &new_shared];
    let (_nginx, url) = proxy("rolling-shared", &fleet, &fleet);
    let shared_report = browse(&dir, "rolling-shared", &cell(url, 50));
    let fleet = [&old, &new];
    let (_nginx, url) = proxy("rolling-embedded", &fleet, &fleet);
    let embedded_report = browse(&dir, "rolling-embedded", &cell(url, 50));
    for (name, report) in [
        ("with the shared folder", &shared_report),
        ("with embedded earlier releases only", &embedded_report),
    ] {
        assert_eq!(report["broken"], 0, "{name}: {report}");
        let releases: Vec<&str> = pages(report)
            .iter()
            .map(|p| p["release"].as_str().unwrap_or("none"))
            .collect();
        assert!(
            releases.contains(&"v1") && releases.contains(&"v2"),
            "{name}: traffic reached both: {releases:?}"
        );
    }
    assert_eq!(
        shared_report["assetReloads"], 0,
        "no page reloads for a file: {shared_report}"
    );
    for page in pages(&embedded_report) {
        let asset_reloads = page["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| *r == "asset:reload")
            .count();
        assert!(asset_reloads <= 1, "{page}");
    }
}
