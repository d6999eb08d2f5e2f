//! The version story over a real socket: `X-App-Version`, `GET /version`,
//! `POST /cache/bust` with its token rules, settings, and atomic version changes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::routing::get;
use axum::Router;
use hyper_assets::{
    serving::StaticService, version::cache_bust_token, version::AppVersion, Settings,
};
use hyper_assets_pipeline::listing_hash;
use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use hyper_assets_tests::{raw_request, RawResponse, TestServer};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

hyper_assets::hyper_assets!(
    "fixtures/basic",
    components(fixtures = ["fixtures/collision"])
);

const SECRET: &str = "correct horse battery staple";

/// A config file in a scratch folder, the `config` component of the app under test.
struct ConfigFile {
    dir: PathBuf,
}

impl ConfigFile {
    fn new(name: &str) -> Self {
        let dir = target_dir().join("version-tests").join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let config = Self { dir };
        config.write("{\"mode\": 1}");
        config
    }

    fn path(&self) -> PathBuf {
        self.dir.join("app.json")
    }

    fn write(&self, text: &str) {
        std::fs::write(self.path(), text).unwrap();
    }
}

impl Drop for ConfigFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn version_with(settings: Settings, config: &ConfigFile) -> AppVersion {
    AppVersion::builder()
        .settings(settings)
        .manifest(&assets::MANIFEST)
        .embedded_components(&assets::COMPONENTS)
        .component("config", [config.path()])
        .build()
        .unwrap()
}

fn serve(version: &AppVersion) -> TestServer {
    TestServer::start(
        Router::new()
            .route("/", get(|| async { "home" }))
            .fallback_service(StaticService::new(&assets::MANIFEST))
            .layer(version.endpoints_layer())
            .layer(version.header_layer()),
    )
}

fn with_secret() -> Settings {
    Settings::builder().secret_key(SECRET).build().unwrap()
}

fn json(response: &RawResponse) -> serde_json::Value {
    serde_json::from_slice(&response.body).unwrap()
}

fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}")
}

fn bust(server: &TestServer, headers: &[&str]) -> RawResponse {
    let mut all = vec!["Content-Length: 0"];
    all.extend_from_slice(headers);
    server.send("POST", "/cache/bust", &all)
}

#[test]
fn every_response_carries_the_version() {
    let config = ConfigFile::new("header");
    let version = version_with(with_secret(), &config);
    let server = serve(&version);
    let expected = version.current().version().to_owned();
    let static_url = assets::url!("css/styles.css");
    let responses = [
        server.get("/", &[]),
        server.get(static_url, &[]),
        server.get(
            static_url,
            &[&format!(
                "If-None-Match: {}",
                assets::MANIFEST.get("css/styles.css").unwrap().etag()
            )],
        ),
        server.get("/missing", &[]),
        server.send("DELETE", static_url, &[]),
        server.get("/version", &[]),
        server.send("POST", "/version", &["Content-Length: 0"]),
        bust(&server, &[]),
        bust(&server, &[&bearer("wrong")]),
        server.get("/static/%zz", &[]),
    ];
    for response in &responses {
        assert_eq!(
            response.header("x-app-version"),
            Some(expected.as_str()),
            "{response:?}"
        );
    }
    assert_eq!(responses[1].status, 200);
    assert_eq!(responses[2].status, 304);
    assert_eq!(responses[3].status, 404);
    assert_eq!(responses[4].status, 405);
}

#[test]
fn version_document() {
    let config = ConfigFile::new("document");
    let version = version_with(
        Settings::builder().commit("0123abc").build().unwrap(),
        &config,
    );
    let server = serve(&version);
    let response = server.get("/version", &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.header("content-type"), Some("application/json"));
    let document = json(&response);
    assert_eq!(document["source"], "computed");
    assert_eq!(document["commit"], "0123abc");
    assert_eq!(document["static"]["hash"], assets::VERSION);
    assert_eq!(document["static"]["files"], assets::MANIFEST.len());
    assert_eq!(document["components"]["config"]["files"], 1);
    assert_eq!(document["components"]["config"]["embedded"], false);
    assert_eq!(document["components"]["fixtures"]["files"], 2);
    assert_eq!(document["components"]["fixtures"]["embedded"], true);
    // The documented derivation, from the document's own parts.
    let config_hash = document["components"]["config"]["hash"].as_str().unwrap();
    let fixtures_hash = document["components"]["fixtures"]["hash"].as_str().unwrap();
    let derived = listing_hash([
        ("static", assets::VERSION),
        ("config", config_hash),
        ("fixtures", fixtures_hash),
    ]);
    assert_eq!(document["version"], derived.as_str());

    let head = server.send("HEAD", "/version", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let post = server.send("POST", "/version", &["Content-Length: 0"]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[test]
fn resolution_order() {
    let config = ConfigFile::new("resolution");
    let explicit = version_with(
        Settings::builder()
            .app_version("v1.4.0-rc.1")
            .build()
            .unwrap(),
        &config,
    );
    assert_eq!(explicit.current().version(), "v1.4.0-rc.1");
    assert_eq!(
        json(&serve(&explicit).get("/version", &[]))["source"],
        "explicit"
    );

    let manifest_only = AppVersion::builder()
        .manifest(&assets::MANIFEST)
        .build()
        .unwrap();
    assert_eq!(manifest_only.current().version(), assets::VERSION);
    assert_eq!(
        json(&serve(&manifest_only).get("/version", &[]))["source"],
        "manifest"
    );

    let nothing = AppVersion::builder().build().unwrap();
    let document = json(&serve(&nothing).get("/version", &[]));
    assert_eq!(document["source"], "unknown");
    assert_eq!(document["version"], "unknown");
}

#[test]
fn bust_token_rules() {
    let config = ConfigFile::new("token");
    let version = version_with(with_secret(), &config);
    let server = serve(&version);
    let token = cache_bust_token(SECRET);

    let missing = bust(&server, &[]);
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.header("www-authenticate"),
        Some("Bearer realm=\"cache-bust\"")
    );
    assert_eq!(
        bust(&server, &[&format!("Authorization: Basic {token}")]).status,
        401
    );
    assert_eq!(
        bust(&server, &[&format!("Authorization: {token}")]).status,
        401
    );
    assert_eq!(bust(&server, &["Authorization: Bearer"]).status, 401);
    assert_eq!(bust(&server, &["Authorization: Bearer "]).status, 401);
    assert_eq!(
        bust(&server, &[&bearer(&token), &bearer(&token)]).status,
        401,
        "two headers"
    );
    let wrong = bust(&server, &[&bearer("0123456789abcdef0123456789abcdef")]);
    assert_eq!(wrong.status, 403);
    assert_eq!(json(&wrong)["detail"], "invalid cache bust token");
    assert_eq!(bust(&server, &[&bearer(&token[..31])]).status, 403);
    assert_eq!(bust(&server, &[&bearer(&format!("{token}0"))]).status, 403);
    assert_eq!(bust(&server, &[&bearer(&token.to_uppercase())]).status, 403);
    assert_eq!(bust(&server, &[&bearer(&"a".repeat(8000))]).status, 403);
    // Bytes that reach our check: a byte outside ASCII around or inside the token is a
    // wrong token (403), a tab instead of the space after the scheme is no Bearer header
    // (401), and whitespace after the token is the header's own (OWS), so it passes.
    for (value, status) in [
        (format!("Bearer \u{e9}{token}").into_bytes(), 403),
        (
            [b"Bearer ".as_slice(), token.as_bytes(), b"\xff"].concat(),
            403,
        ),
        (format!("Bearer\t{token}").into_bytes(), 401),
        (format!("Bearer {token}\t ").into_bytes(), 200),
    ] {
        let mut request = b"POST /cache/bust HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 0\r\nAuthorization: ".to_vec();
        request.extend_from_slice(&value);
        request.extend_from_slice(b"\r\n\r\n");
        let response = raw_request(server.addr(), &request);
        assert_eq!(
            response.status,
            status,
            "{:?}",
            String::from_utf8_lossy(&value)
        );
    }
    // Scheme names are case-insensitive.
    assert_eq!(
        bust(&server, &[&format!("Authorization: bearer {token}")]).status,
        200
    );
    let ok = bust(&server, &[&bearer(&token)]);
    assert_eq!(ok.status, 200);
    assert_eq!(json(&ok)["status"], "ok");
    assert_eq!(ok.header("cache-control"), Some("no-store"));
    let get = server.get("/cache/bust", &[&bearer(&token)]);
    assert_eq!(get.status, 405);
    assert_eq!(get.header("allow"), Some("POST"));
}

#[test]
fn bust_without_secret_refuses_everything() {
    let config = ConfigFile::new("no-secret");
    let version = version_with(Settings::default(), &config);
    let server = serve(&version);
    for headers in [
        vec![],
        vec![bearer(&cache_bust_token(""))],
        vec![bearer(&cache_bust_token(SECRET))],
    ] {
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let response = bust(&server, &headers);
        assert_eq!(response.status, 403);
        assert!(json(&response)["detail"]
            .as_str()
            .unwrap()
            .contains("SECRET_KEY is not set"));
    }
}

#[test]
fn bust_body_limit() {
    let config = ConfigFile::new("body");
    let version = version_with(with_secret(), &config);
    let server = serve(&version);
    let auth = bearer(&cache_bust_token(SECRET));
    let big = "x".repeat(2000);
    let request = format!("POST /cache/bust HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{auth}\r\nContent-Length: {}\r\n\r\n{big}", big.len());
    assert_eq!(raw_request(server.addr(), request.as_bytes()).status, 413);
    let chunked = format!("POST /cache/bust HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{auth}\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n{big}\r\n0\r\n\r\n");
    assert_eq!(raw_request(server.addr(), chunked.as_bytes()).status, 413);
    let small = format!("POST /cache/bust HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{auth}\r\nContent-Length: 2\r\n\r\n{{}}");
    assert_eq!(raw_request(server.addr(), small.as_bytes()).status, 200);
}

#[test]
fn bust_rereads_components_and_changes_the_version() {
    let config = ConfigFile::new("reread");
    let version = version_with(with_secret(), &config);
    let server = serve(&version);
    let auth = bearer(&cache_bust_token(SECRET));
    let before = server
        .get("/", &[])
        .header("x-app-version")
        .unwrap()
        .to_owned();

    // Nothing changed: same version. The body is exactly the guide's shape, keys in
    // its order.
    let answer = bust(&server, &[&auth]);
    let guide = std::fs::read_to_string(workspace_root().join("docs/src/app-version.md")).unwrap();
    assert!(guide.contains(r#"`{"previous":"<old>","status":"ok","version":"<new>"}`"#));
    assert_eq!(
        String::from_utf8(answer.body.clone()).unwrap(),
        format!(r#"{{"previous":"{before}","status":"ok","version":"{before}"}}"#)
    );
    let same = json(&answer);
    assert_eq!(same["version"], before.as_str());
    assert_eq!(same["previous"], before.as_str());

    config.write("{\"mode\": 2}");
    // Not before the bust: manual busts are authoritative.
    assert_eq!(
        server.get("/", &[]).header("x-app-version"),
        Some(before.as_str())
    );
    let changed = json(&bust(&server, &[&auth]));
    assert_eq!(changed["previous"], before.as_str());
    let after = changed["version"].as_str().unwrap().to_owned();
    assert_ne!(after, before);
    assert_eq!(
        server.get("/", &[]).header("x-app-version"),
        Some(after.as_str())
    );
    assert_eq!(
        json(&server.get("/version", &[]))["version"],
        after.as_str()
    );

    // A file that disappeared fails the bust loudly and keeps the version.
    std::fs::remove_file(config.path()).unwrap();
    let failed = bust(&server, &[&auth]);
    assert_eq!(failed.status, 500);
    let detail = json(&failed)["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("app.json"), "{detail}");
    assert_eq!(
        server.get("/", &[]).header("x-app-version"),
        Some(after.as_str())
    );
}

#[test]
fn missing_component_is_a_startup_error() {
    let error = AppVersion::builder()
        .component("config", ["/definitely/not/here/app.json"])
        .build()
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("`config`") && message.contains("/definitely/not/here/app.json"),
        "{message}"
    );
    // `?` in `main` prints `Debug`: the same sentence, not a struct dump.
    assert_eq!(format!("{error:?}"), message);
    let collect = assets::MANIFEST
        .collect(std::path::Path::new("/proc/no-such-place/out"))
        .unwrap_err();
    assert_eq!(format!("{collect:?}"), collect.to_string());
}

#[test]
fn settings_switch_things_off_and_move_paths() {
    let config = ConfigFile::new("switches");
    let settings = Settings::from_lookup(|name| match name {
        "APP_VERSION_HEADER" => Some("false".to_owned()),
        "VERSION_ENDPOINT" => Some("false".to_owned()),
        "SECRET_KEY" => Some(SECRET.to_owned()),
        _ => None,
    })
    .unwrap();
    let version = version_with(settings, &config);
    let server = serve(&version);
    let page = server.get("/", &[]);
    assert_eq!(page.status, 200);
    assert!(page.header("x-app-version").is_none());
    assert_eq!(server.get("/version", &[]).status, 404, "unmounted");
    assert_eq!(
        bust(&server, &[&bearer(&cache_bust_token(SECRET))]).status,
        200
    );

    let moved = Settings::builder()
        .version_path("/ops/version")
        .bust_path("/ops/bust")
        .secret_key(SECRET)
        .build()
        .unwrap();
    let version = version_with(moved, &config);
    let server = serve(&version);
    assert_eq!(server.get("/ops/version", &[]).status, 200);
    assert_eq!(server.get("/version", &[]).status, 404);
    let response = server.send(
        "POST",
        "/ops/bust",
        &["Content-Length: 0", &bearer(&cache_bust_token(SECRET))],
    );
    assert_eq!(response.status, 200);
}

/// Requests race busts that change the version; every response carries a version that
/// existed, and every `/version` document is internally consistent (never a mix).
#[test]
fn concurrent_busts_never_tear() {
    let config = ConfigFile::new("concurrent");
    let version = version_with(with_secret(), &config);
    let server = Arc::new(serve(&version));
    let known = Arc::new(Mutex::new(HashSet::from([version
        .current()
        .version()
        .to_owned()])));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|reader| {
            let server = Arc::clone(&server);
            let done = Arc::clone(&done);
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut documents = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    if reader % 2 == 0 {
                        let response = server.get(assets::url!("css/styles.css"), &[]);
                        seen.push(response.header("x-app-version").unwrap().to_owned());
                    } else {
                        let response = server.get("/version", &[]);
                        let document = json(&response);
                        // The header and the body come from one snapshot.
                        assert_eq!(
                            response.header("x-app-version"),
                            document["version"].as_str(),
                            "a /version answer whose header and body disagree"
                        );
                        documents.push(document);
                    }
                }
                (seen, documents)
            })
        })
        .collect();
    let auth = bearer(&cache_bust_token(SECRET));
    for round in 0..25 {
        config.write(&format!("{{\"round\": {round}}}"));
        let response = bust(&server, &[&auth]);
        assert_eq!(response.status, 200);
        known
            .lock()
            .unwrap()
            .insert(json(&response)["version"].as_str().unwrap().to_owned());
    }
    done.store(true, Ordering::Relaxed);
    let known = known.lock().unwrap();
    assert_eq!(known.len(), 26, "every round made a new version");
    let mut checked = 0;
    for reader in readers {
        let (seen, documents) = reader.join().unwrap();
        for value in seen {
            assert!(known.contains(&value), "unknown version {value}");
            checked += 1;
        }
        for document in documents {
            let derived = listing_hash([
                ("static", document["static"]["hash"].as_str().unwrap()),
                (
                    "config",
                    document["components"]["config"]["hash"].as_str().unwrap(),
                ),
                (
                    "fixtures",
                    document["components"]["fixtures"]["hash"].as_str().unwrap(),
                ),
            ]);
            assert_eq!(
                document["version"],
                derived.as_str(),
                "torn document {document}"
            );
            assert!(known.contains(&derived));
            checked += 1;
        }
    }
    assert!(checked > 50, "the readers ran ({checked} responses)");
}

/// Issue 14: blue and green installed in different folders, with the same config bytes,
/// must agree on the version; only a component's name and bytes count.
#[test]
fn a_disk_component_counts_its_bytes_not_where_it_is_installed() {
    let version_of = |install: &str, files: &[(&str, &str)]| {
        let dir = target_dir().join("install-independent").join(install);
        let _ = std::fs::remove_dir_all(&dir);
        let paths: Vec<PathBuf> = files
            .iter()
            .map(|(name, bytes)| {
                let path = dir.join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, bytes).unwrap();
                path
            })
            .collect();
        let version = AppVersion::builder()
            .manifest(&assets::MANIFEST)
            .component("config", paths)
            .build()
            .unwrap();
        version.current().version().to_owned()
    };
    let one = [("site.json", "{\"v\": 1}")];
    assert_eq!(version_of("a", &one), version_of("b/deeper", &one));
    let two = [("site.json", "{\"v\": 1}"), ("extra/flags.toml", "x = 1")];
    assert_eq!(version_of("blue", &two), version_of("green/opt", &two));
    // The bytes still count, and so does a file's place within the group.
    assert_ne!(
        version_of("a", &one),
        version_of("a", &[("site.json", "{\"v\": 2}")])
    );
    let moved = [("site.json", "{\"v\": 1}"), ("other/flags.toml", "x = 1")];
    assert_ne!(version_of("blue", &two), version_of("blue2", &moved));
}

/// Issue 15: a response's `X-App-Version` could be newer than its own body. A page whose
/// handler busts (the version changes while the request is in flight) still names one
/// version, in its header and in its injected script: the one the request started with.
/// Through the one layer and à la carte alike.
#[test]
fn a_bust_during_a_request_does_not_split_its_version() {
    const PAGE: &str = "<html><head></head><body>page</body></html>";
    let script_version = |response: &RawResponse| {
        let html = String::from_utf8(response.body.clone()).unwrap();
        let start = html.find("window.__hyperAppVersion=\"").unwrap() + 26;
        html[start..start + html[start..].find('"').unwrap()].to_owned()
    };
    // A handler that changes the config and busts before it answers.
    let busting = |version: AppVersion, path: PathBuf| {
        let round = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        move || {
            let (version, path, round) = (version.clone(), path.clone(), Arc::clone(&round));
            async move {
                let n = round.fetch_add(1, Ordering::Relaxed);
                std::fs::write(&path, format!("{{\"mid-request\": {n}}}")).unwrap();
                version.refresh().unwrap();
                axum::response::Html(PAGE)
            }
        }
    };

    let config = ConfigFile::new("mid-request-a-la-carte");
    let version = version_with(with_secret(), &config);
    let a_la_carte = TestServer::start(
        Router::new()
            .route("/", get(busting(version.clone(), config.path())))
            .layer(version.stale_client_layer())
            .layer(version.endpoints_layer())
            .layer(version.header_layer()),
    );
    let site_config = ConfigFile::new("mid-request-site");
    let site = hyper_assets::Site::builder(&assets::EMBEDDED)
        .settings(Settings::builder().dev_mode(false).build().unwrap())
        .component("config", [site_config.path()])
        .build()
        .unwrap();
    let one_layer = TestServer::start(
        Router::new()
            .route(
                "/",
                get(busting(site.version().clone(), site_config.path())),
            )
            .layer(site.layer()),
    );
    for (server, version) in [(&a_la_carte, &version), (&one_layer, site.version())] {
        for _ in 0..3 {
            let before = version.current().version().to_owned();
            let response = server.get("/", &[]);
            assert_eq!(response.status, 200);
            assert_ne!(version.current().version(), before, "the handler busted");
            assert_eq!(response.header("x-app-version"), Some(before.as_str()));
            assert_eq!(script_version(&response), before);
        }
    }
}
