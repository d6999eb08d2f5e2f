//! Blue/green and canary routing behind a real nginx: two demo instances with different
//! `APP_VERSION`s and different static content, and nginx configured by
//! `demo nginx-config` from the same version map.
//!
//! Needs nginx (Debian package `nginx`), so it is `#[ignore]`d in a plain `cargo test`;
//! `scripts/test-all.sh` runs it with `--ignored`, and then a missing nginx fails it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod support;

use hyper_assets_tests::cargo_project::{target_dir, CargoProject};
use hyper_assets_tests::{raw_request, RawResponse};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{collect_with, free_addr, nginx_binary, start_listening, start_nginx, Running};

const VERSION_MAP: &str = "v1.0=backend-blue,v1.1=backend-green";

/// The green build: the demo's sources with a different stylesheet, built as its own
/// crate, so its static content (and hashed names) differ from blue's.
fn build_green() -> CargoProject {
    support::build_variant("demo-green", |project| {
        let css = project.read("static/css/styles.css");
        project.write(
            "static/css/styles.css",
            format!("{css}\n/* green */\n:root {{ --accent: #16a34a; }}\n"),
        );
    })
}

struct Deployment {
    blue: SocketAddr,
    green: SocketAddr,
    proxy: SocketAddr,
    _processes: Vec<Running>,
    _dir: PathBuf,
}

/// Starts blue (v1.0) and green (v1.1) with the routing settings, and nginx in front.
fn deploy(
    name: &str,
    green_binary: &Path,
    default_version: &str,
    canary: Option<&str>,
) -> Deployment {
    let dir = target_dir().join("nginx-e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (blue, green, proxy) = (free_addr(), free_addr(), free_addr());
    let routing = |command: &mut Command| {
        command
            .env_clear()
            .env("STATIC_DEV_MODE", "false")
            .env("VERSION_MAP", VERSION_MAP)
            .env("DEFAULT_VERSION", default_version)
            .env("CANARY", canary.unwrap_or(""));
    };
    let mut processes = Vec::new();
    for (binary, version, addr) in [
        (PathBuf::from(env!("CARGO_BIN_EXE_demo")), "v1.0", blue),
        (green_binary.to_path_buf(), "v1.1", green),
    ] {
        let mut command = Command::new(binary);
        routing(&mut command);
        command
            .env("APP_VERSION", version)
            .env("ADDR", addr.to_string());
        processes.push(start_listening(command, addr, version, false));
    }

    let mut command = Command::new(env!("CARGO_BIN_EXE_demo"));
    routing(&mut command);
    let generated = command
        .arg("nginx-config")
        .env(
            "BACKEND_ADDRS",
            format!("backend-blue={blue},backend-green={green}"),
        )
        .env("NGINX_LISTEN", proxy.to_string())
        .output()
        .unwrap();
    assert!(
        generated.status.success(),
        "{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let generated = String::from_utf8(generated.stdout).unwrap();
    processes.push(start_nginx(&dir, &generated, proxy));
    Deployment {
        blue,
        green,
        proxy,
        _processes: processes,
        _dir: dir,
    }
}

fn get(addr: SocketAddr, path: &str, headers: &[&str]) -> RawResponse {
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    raw_request(addr, request.as_bytes())
}

fn served(response: &RawResponse) -> &str {
    assert_eq!(response.status, 200, "{response:?}");
    let version = response.header("x-app-version").unwrap();
    assert_eq!(response.header("x-app-served-version"), Some(version));
    version
}

fn stylesheet(html: &[u8]) -> String {
    let html = String::from_utf8_lossy(html);
    let start = html.find("/static/css/styles.").unwrap();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

#[test]
#[ignore = "needs nginx; run by scripts/test-all.sh"]
fn blue_green_and_canary_behind_nginx() {
    let nginx = nginx_binary();
    let green = build_green();

    // Blue/green: every client that names no version goes to the default, v1.1.
    let deployment = deploy("blue-green", &green.binary(), "v1.1", None);
    let proxy = deployment.proxy;
    for version in ["v1.0", "v1.1"] {
        let by_header = get(
            proxy,
            "/",
            &[&format!("X-App-Requested-Version: {version}")],
        );
        assert_eq!(served(&by_header), version);
        let backend = if version == "v1.0" {
            "backend-blue"
        } else {
            "backend-green"
        };
        assert_eq!(by_header.header("x-backend-target"), Some(backend));
        let by_cookie = get(
            proxy,
            "/",
            &[&format!("Cookie: theme=dark; app_version={version}")],
        );
        assert_eq!(served(&by_cookie), version);
        assert!(
            by_cookie.header("set-cookie").is_none(),
            "the cookie already says so"
        );
    }
    let header_wins = get(
        proxy,
        "/",
        &["X-App-Requested-Version: v1.0", "Cookie: app_version=v1.1"],
    );
    assert_eq!(served(&header_wins), "v1.0");
    let unnamed = get(proxy, "/", &[]);
    assert_eq!(served(&unnamed), "v1.1");
    let cookie = unnamed.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with("app_version=v1.1;")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("HttpOnly"),
        "{cookie}"
    );

    let unknown = get(proxy, "/", &["X-App-Requested-Version: v99"]);
    assert_eq!(unknown.status, 409);
    let body: serde_json::Value = serde_json::from_slice(&unknown.body).unwrap();
    assert_eq!(body["requested"], "v99");
    assert_eq!(body["available"], serde_json::json!(["v1.0", "v1.1"]));
    assert_eq!(
        body["detail"],
        "Unknown app version 'v99'. Available versions: v1.0, v1.1"
    );
    let hostile = get(
        proxy,
        "/",
        &["X-App-Requested-Version: <script>\"x\"</script>"],
    );
    assert_eq!(hostile.status, 409);
    assert_eq!(hostile.header("content-type"), Some("application/json"));
    let malformed = get(
        proxy,
        "/",
        &[&format!("X-App-Requested-Version: {}", "v".repeat(300))],
    );
    assert_eq!(
        malformed.status, 400,
        "an explicit malformed header is still refused"
    );
    assert_eq!(malformed.header("x-content-type-options"), Some("nosniff"));

    // Issue 15: a retired, junk, over-long or duplicated cookie is no lock-out. Through
    // nginx it is treated as absent: the client is placed again (the default, v1.1) and
    // gets a fresh cookie, for pages and assets alike.
    let long = format!("app_version={}", "v".repeat(300));
    for cookie in ["app_version=v0.9", "app_version=<junk>", long.as_str()] {
        let page = get(proxy, "/", &[&format!("Cookie: {cookie}")]);
        assert_eq!(page.status, 200, "{cookie}");
        let fresh = page.header("set-cookie").unwrap_or_default();
        assert!(
            fresh.starts_with(&format!("app_version={};", served(&page))),
            "{cookie}: a fresh cookie, got {fresh:?}"
        );
        let css = stylesheet(&page.body);
        let asset = get(proxy, &css, &[&format!("Cookie: {cookie}")]);
        assert_eq!(asset.status, 200, "{cookie}: {css}");
    }
    let junk = get(proxy, "/", &["Cookie: app_version=v0.9"]);
    assert_eq!(served(&junk), "v1.1", "a retired cookie gets the default");
    // Two cookies of one name (a sibling subdomain's): the first known version counts,
    // and keeps counting, so the client is never locked out and never moved about.
    for (cookie, first) in [
        ("app_version=v1.0; app_version=v1.1", "v1.0"),
        ("app_version=v0.9; app_version=v1.0", "v1.0"),
    ] {
        for _ in 0..3 {
            let page = get(proxy, "/", &[&format!("Cookie: {cookie}")]);
            assert_eq!(served(&page), first, "{cookie}");
            let css = stylesheet(&page.body);
            assert_eq!(
                get(proxy, &css, &[&format!("Cookie: {cookie}")]).status,
                200
            );
        }
    }

    // Each version's hashed assets come from the instance that has them.
    let blue_css = stylesheet(&get(deployment.blue, "/", &[]).body);
    let green_css = stylesheet(&get(deployment.green, "/", &[]).body);
    assert_ne!(blue_css, green_css, "different static content");
    for (css, version, marker) in [(&blue_css, "v1.0", false), (&green_css, "v1.1", true)] {
        let response = get(proxy, css, &[&format!("Cookie: app_version={version}")]);
        assert_eq!(response.status, 200, "{css} via {version}");
        assert_eq!(
            response.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(
            String::from_utf8_lossy(&response.body).contains("/* green */"),
            marker
        );
    }
    // Asked of the other version, a hashed name it does not have redirects to its own.
    let crossed = get(proxy, &blue_css, &["Cookie: app_version=v1.1"]);
    assert_eq!(crossed.status, 307);
    assert_eq!(crossed.header("location"), Some(green_css.as_str()));
    drop(deployment);

    // Canary: 10% of the clients that name no version get v1.1, and stay there.
    let deployment = deploy("canary", &green.binary(), "v1.0", Some("v1.1:10"));
    let proxy = deployment.proxy;
    let clients = 400;
    let mut canary = 0;
    for client in 0..clients {
        let agent = format!("User-Agent: e2e-client-{client}");
        let first = get(proxy, "/fragment", &[&agent]);
        let version = served(&first).to_owned();
        if version == "v1.1" {
            canary += 1;
        }
        let cookie = first.header("set-cookie").unwrap();
        assert!(
            cookie.starts_with(&format!("app_version={version};")),
            "{cookie}"
        );
        // Sticky: by the cookie it was given, even from another user agent...
        let again = get(
            proxy,
            "/fragment",
            &[
                "User-Agent: other",
                &format!("Cookie: app_version={version}"),
            ],
        );
        assert_eq!(served(&again), version);
        // ...and by the split itself, without the cookie.
        assert_eq!(served(&get(proxy, "/fragment", &[&agent])), version);
    }
    assert!(
        (20..=60).contains(&canary),
        "{canary} of {clients} got the 10% canary"
    );
    let stats: serde_json::Value =
        serde_json::from_slice(&get(deployment.blue, "/routing", &[]).body).unwrap();
    assert!(
        stats["per_version"]["v1.0"].as_u64().unwrap() > 0,
        "{stats}"
    );
    drop(nginx);
}

/// `demo collect` writes the assets as the binary serves them; nginx with the printed
/// `location` then answers every asset with the same bytes and headers as the binary.
#[test]
#[ignore = "needs nginx; run by scripts/test-all.sh"]
fn collected_folder_served_by_nginx_matches_the_binary() {
    let dir = target_dir().join("nginx-e2e").join("collect");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let collected = dir.join("static");
    let location = collect_with(Path::new(env!("CARGO_BIN_EXE_demo")), &collected);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(collected.join("staticfiles.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["version"], "1.1");

    let (app, proxy) = (free_addr(), free_addr());
    let mut demo = Command::new(env!("CARGO_BIN_EXE_demo"));
    demo.env_clear()
        .env("STATIC_DEV_MODE", "false")
        .env("ADDR", app.to_string());
    let _binary = start_listening(demo, app, "demo", false);
    let _nginx = start_nginx(
        &dir,
        &format!("server {{\n  listen {proxy};\n{location}}}\n"),
        proxy,
    );

    let compared = [
        "content-type",
        "cache-control",
        "content-encoding",
        "x-content-type-options",
        "content-length",
    ];
    let mut checked = 0;
    for (canonical, hashed) in manifest["paths"].as_object().unwrap() {
        let hashed = hashed.as_str().unwrap();
        for path in [format!("/static/{hashed}"), format!("/static/{canonical}")] {
            for accept in [None, Some("Accept-Encoding: gzip")] {
                let headers: Vec<&str> = accept.into_iter().collect();
                let ours = get(app, &path, &headers);
                let theirs = get(proxy, &path, &headers);
                assert_eq!(ours.status, 200, "{path}");
                assert_eq!(theirs.status, 200, "{path} via nginx");
                assert_eq!(ours.body, theirs.body, "{path} {accept:?}: bytes differ");
                for name in compared {
                    assert_eq!(
                        ours.header(name),
                        theirs.header(name),
                        "{path} {accept:?}: {name}"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 16, "{checked}");
    let css = manifest["paths"]["css/styles.css"].as_str().unwrap();
    let gz = get(proxy, &format!("/static/{css}"), &["Accept-Encoding: gzip"]);
    assert_eq!(
        gz.header("content-encoding"),
        Some("gzip"),
        "the precompressed sibling is served"
    );
    // Issue 16: only a file that is there is immutable. A hash-shaped name not deployed
    // (yet) is a 404 that no cache may keep, from nginx and from the binary alike, and
    // a 304 of a hashed name keeps its immutable header.
    let etag = get(proxy, &format!("/static/{css}"), &[])
        .header("etag")
        .map(str::to_owned);
    if let Some(etag) = etag {
        let revalidated = get(
            proxy,
            &format!("/static/{css}"),
            &[&format!("If-None-Match: {etag}")],
        );
        assert_eq!(revalidated.status, 304);
        assert_eq!(
            revalidated.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
    }
    for missing in [
        "/static/css/styles.0123456789ab.css",
        "/static/css/nope.css",
        "/static/nope.0123456789ab",
    ] {
        for server in [proxy, app] {
            let answer = get(server, missing, &[]);
            // The binary redirects another build's hash of a file it has (307).
            let other_build = server == app && missing.contains("styles.");
            let status = if other_build { 307 } else { 404 };
            assert_eq!(answer.status, status, "{missing} from {server}");
            assert_eq!(
                answer.header("cache-control"),
                Some("no-store"),
                "{missing} from {server}"
            );
        }
    }
}
