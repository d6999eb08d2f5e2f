//! What only a real `cargo build` can show: an edit, an added file and a removed file
//! each rebuild; an unchanged crate does not; the same folder in two places gives the
//! same manifest; the README's quick start compiles and serves.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_tests::cargo_project::{workspace_root, CargoProject};
use hyper_assets_tests::docs::marked_block;
use hyper_assets_tests::raw_request;
use hyper_assets_tests::scratch::copy_folder;
use std::time::{Duration, Instant};

hyper_assets::hyper_assets!("fixtures/basic");

const PRINT_MANIFEST: &str = r#"hyper_assets::hyper_assets!("static");

fn main() {
    println!("{}", assets::MANIFEST.staticfiles_json());
}
"#;

const WATCH: &str = "fn main() {\n    hyper_assets_build::watch(\"static\");\n}\n";

fn probe(name: &str) -> CargoProject {
    let project = CargoProject::new(name);
    project.manifest("hyper-assets = \"0.1\"", "hyper-assets-build = \"0.1\"");
    project.write("build.rs", WATCH);
    project.write("src/main.rs", PRINT_MANIFEST);
    project
}

fn paths(json: &str) -> serde_json::Map<String, serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["paths"].as_object().unwrap().clone()
}

#[test]
fn edits_additions_and_removals_rebuild() {
    let project = probe("rebuild-probe");
    project.write("static/app.css", "body { color: red }\n");
    let built = project.build_ok();
    assert!(
        !built.stderr.contains("no build script watches"),
        "watch(\"static\") watches it: {}",
        built.stderr
    );
    let first = paths(&project.run());
    assert_eq!(first.len(), 1);

    let fresh = project.build_ok();
    assert!(
        !fresh.compiled("rebuild-probe"),
        "nothing changed, yet it recompiled:\n{}",
        fresh.stderr
    );

    project.write("static/app.css", "body { color: blue }\n");
    let edited = project.build_ok();
    assert!(edited.compiled("rebuild-probe"), "{}", edited.stderr);
    let second = paths(&project.run());
    assert_ne!(
        first["app.css"], second["app.css"],
        "the edit changed the hash"
    );

    project.write("static/js/new.js", "export {};\n");
    project.build_ok();
    let third = paths(&project.run());
    assert!(
        third.contains_key("js/new.js"),
        "an added file is embedded: {third:?}"
    );

    project.remove("static/js/new.js");
    project.build_ok();
    let fourth = paths(&project.run());
    assert!(
        !fourth.contains_key("js/new.js"),
        "a removed file is gone: {fourth:?}"
    );
    assert_eq!(fourth, second);
}

#[test]
fn watching_a_missing_folder_warns_and_does_not_rebuild_every_time() {
    let project = probe("watch-missing");
    project.write(
        "build.rs",
        "fn main() {\n    hyper_assets_build::watch(\"static\");\n    hyper_assets_build::watch(\"statics\");\n}\n",
    );
    project.write("static/app.css", "body { color: red }\n");
    let first = project.build_ok();
    assert!(
        first.stderr.contains("`statics` does not exist"),
        "the typo is named: {}",
        first.stderr
    );
    let again = project.build_ok();
    assert!(
        !again.compiled("watch-missing"),
        "a missing watched folder made cargo rebuild:\n{}",
        again.stderr
    );
}

/// Issue 14: a file added to a `components(...)` folder was not picked up; with
/// `watch_embedded()` the build script finds every folder the macro names, so adding a
/// component (or a file to one) needs no second line in `build.rs`.
#[test]
fn watch_embedded_rebuilds_for_files_added_to_component_folders() {
    let project = CargoProject::new("watch-embedded");
    project.manifest("hyper-assets = \"0.1\"", "hyper-assets-build = \"0.1\"");
    project.write(
        "build.rs",
        "fn main() {\n    hyper_assets_build::watch_embedded();\n}\n",
    );
    project.write(
        "src/main.rs",
        r#"hyper_assets::hyper_assets!("static", components(templates = ["templates"]));

fn main() {
    let files: Vec<&str> = assets::COMPONENTS[0].files().iter().map(|(path, _)| *path).collect();
    println!("{} {}", assets::MANIFEST.len(), files.join(","));
}
"#,
    );
    project.write("static/app.css", "body { color: red }\n");
    project.write("templates/index.html", "<p>one</p>\n");
    project.build_ok();
    assert_eq!(project.run().trim(), "1 templates/index.html");

    project.write("templates/about.html", "<p>two</p>\n");
    project.build_ok();
    assert_eq!(
        project.run().trim(),
        "1 templates/about.html,templates/index.html"
    );
    project.write("static/new.js", "export {};\n");
    project.build_ok();
    assert!(project.run().starts_with("2 "));

    project.remove("templates/about.html");
    project.build_ok();
    assert_eq!(project.run().trim(), "2 templates/index.html");
    let fresh = project.build_ok();
    assert!(
        !fresh.compiled("watch-embedded"),
        "nothing changed, yet it recompiled:\n{}",
        fresh.stderr
    );
}

/// Issue 24: without a build script, a file added to the static folder never rebuilt the
/// crate, and nothing said so. The macro notes a folder no build script watches, until
/// `watch_embedded()` does.
#[test]
fn a_folder_no_build_script_watches_is_noted() {
    let project = CargoProject::new("unwatched-note");
    project.manifest("hyper-assets = \"0.1\"", "hyper-assets-build = \"0.1\"");
    project.write("src/main.rs", PRINT_MANIFEST);
    project.write("static/app.css", "body { color: red }\n");
    let note = "hyper-assets: no build script watches `static`, so files added to it or \
                removed from it do not rebuild the crate: add a `build.rs` with \
                `fn main() { hyper_assets_build::watch_embedded(); }`";
    let without = project.build_ok();
    assert!(
        without.stderr.contains(note),
        "no build script: {}",
        without.stderr
    );
    // A build script that watches nothing: the same note.
    project.write("build.rs", "fn main() {}\n");
    let other = project.build_ok();
    assert!(other.stderr.contains(note), "{}", other.stderr);
    project.write(
        "build.rs",
        "fn main() {\n    hyper_assets_build::watch_embedded();\n}\n",
    );
    let watched = project.build_ok();
    assert!(watched.compiled("unwatched-note"), "{}", watched.stderr);
    assert!(
        !watched.stderr.contains("no build script watches"),
        "watch_embedded() watches `static`: {}",
        watched.stderr
    );
}

#[test]
fn the_same_folder_in_two_places_gives_the_same_manifest() {
    let fixture = workspace_root().join("tests/fixtures/basic");
    let outputs: Vec<String> = ["determinism-a", "determinism-b"]
        .into_iter()
        .map(|name| {
            let project = probe(name);
            copy_folder(&fixture, &project.dir().join("static"));
            project.build_ok();
            project.run()
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    // And the same as this crate's own expansion of the fixture.
    assert_eq!(outputs[0].trim_end(), assets::MANIFEST.staticfiles_json());
}

/// The fenced block that follows `<!-- quickstart: NAME -->` in the README.
fn readme_block(name: &str) -> String {
    marked_block(&format!("<!-- quickstart: {name} -->"))
}

#[test]
fn readme_quick_start_compiles_and_serves() {
    let project = CargoProject::new("quickstart");
    project.manifest_from(&readme_block("Cargo.toml"));
    project.write("build.rs", readme_block("build.rs"));
    project.write("src/main.rs", readme_block("src/main.rs"));
    project.write("static/css/styles.css", "h1 { color: rebeccapurple }\n");
    project.build_ok();
    serves_the_page_and_its_stylesheet(&project);

    // The same crate grown to the whole stack: one builder, one layer.
    project.write(
        "src/main.rs",
        marked_block("<!-- fullstack: src/main.rs -->"),
    );
    project.build_ok();
    let server = Running::start(&project, &[("STATIC_DEV_MODE", "false")]);
    server.serves_the_page_and_its_stylesheet();
    let page = server.get("/");
    let html = String::from_utf8(page.body).unwrap();
    assert!(
        html.contains("data-hyper-assets=\"stale-client\""),
        "the page gets the stale-client script: {html}"
    );
    let version = server.get("/version");
    assert_eq!(version.status, 200);
    let document: serde_json::Value = serde_json::from_slice(&version.body).unwrap();
    assert_eq!(
        document["version"].as_str(),
        version.header("x-app-version"),
        "{document}"
    );
    let bust = server.get_with("POST", "/cache/bust", "Content-Length: 0\r\n");
    assert_eq!(bust.status, 403, "no SECRET_KEY: every bust is refused");
    drop(server);
    // A debug build defaults to dev mode: the stylesheet comes from disk, revalidated.
    let dev = Running::start(&project, &[]);
    let css = dev.stylesheet();
    assert_eq!(css.status, 200);
    assert_eq!(css.header("cache-control"), Some("no-cache"));
    let bad = Running::spawn(&project, &[("APP_VERSION_MISMATCH", "relaod")], true);
    let output = bad.0.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(r#"Error: APP_VERSION_MISMATCH="relaod" is not valid: expected one of reload, warn, ignore, prompt"#),
        "a bad setting prints its sentence: {stderr}"
    );
}

/// The third step of the guide (docs/src/getting-started.md): templates, a run-time component and a subscriber that
/// shows the library's log (issue 14: the promised warnings never appeared without one).
#[test]
fn guide_grown_step_compiles_renders_and_logs() {
    let project = CargoProject::new("grown");
    project.manifest_from(&marked_block("<!-- grown: Cargo.toml -->"));
    project.write("build.rs", readme_block("build.rs"));
    project.write("src/main.rs", marked_block("<!-- grown: src/main.rs -->"));
    project.write(
        "templates/page.html",
        marked_block("<!-- grown: templates/page.html -->"),
    );
    project.write("config/site.json", "{\"greeting\": \"hi\"}\n");
    project.write("static/css/styles.css", "h1 { color: rebeccapurple }\n");
    project.build_ok();
    let (child, addr) = Running::spawn(
        &project,
        &[("STATIC_DEV_MODE", "false"), ("NO_COLOR", "1")],
        true,
    );
    let server = Running {
        addr,
        _child: KillOnDrop(Some(child)),
    };
    server.wait_until_listening(&project);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body).unwrap();
    assert!(
        html.contains("/static/css/styles."),
        "hashed URL rendered: {html}"
    );
    assert!(html.contains("integrity=\"sha384-"), "{html}");
    assert!(
        html.contains("data-hyper-assets=\"stale-client\""),
        "{html}"
    );
    let version: serde_json::Value = serde_json::from_slice(&server.get("/version").body).unwrap();
    assert_eq!(version["source"], "computed", "{version}");
    assert_eq!(
        version["components"]["config"]["embedded"], false,
        "{version}"
    );
    assert_eq!(
        version["components"]["templates"]["embedded"], true,
        "{version}"
    );
    assert!(
        html.contains(version["version"].as_str().unwrap()),
        "{html}"
    );
    // tracing-subscriber's `fmt()` writes to standard output.
    let log = server.stop_and_read_stdout();
    assert!(
        log.contains("SECRET_KEY is not set"),
        "the warning reaches the log: {log}"
    );
    assert!(
        log.contains("hyper-assets: serving 1 assets on http://"),
        "{log}"
    );
    // Written to a pipe, as to a log file: no colour codes (a new user found `^[[33m`).
    assert!(
        !log.contains('\x1b'),
        "escape codes in a redirected log: {log:?}"
    );

    // Grown again: ES modules through the import map, under a strict CSP.
    for rel in [
        "static/js/main.js",
        "static/js/greet.js",
        "templates/page.html",
        "src/main.rs",
    ] {
        project.write(rel, marked_block(&format!("<!-- modules: {rel} -->")));
    }
    project.build_ok();
    let env = [
        ("STATIC_DEV_MODE", "false"),
        ("STALE_CLIENT_SCRIPT", "external"),
    ];
    let server = Running::start(&project, &env);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body.clone()).unwrap();
    let tag_start = html
        .find("<script type=\"importmap\">")
        .expect("the map's tag")
        + 25;
    let json = &html[tag_start..tag_start + html[tag_start..].find("</script>").unwrap()];
    let map: serde_json::Value = serde_json::from_str(json).unwrap();
    let main = map["imports"]["/static/js/main.js"].as_str().unwrap();
    let greet = map["imports"]["greeting"].as_str().unwrap();
    assert_eq!(map["imports"]["/static/js/greet.js"].as_str(), Some(greet));
    assert!(map["integrity"][greet]
        .as_str()
        .unwrap()
        .starts_with("sha384-"));
    for url in [main, greet] {
        assert!(
            html.contains(&format!("<link rel=\"modulepreload\" href=\"{url}\"")),
            "{html}"
        );
        let module = server.get(url);
        assert_eq!(module.status, 200, "{url}");
        assert_eq!(
            module.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
    }
    let served = String::from_utf8(server.get(main).body).unwrap();
    assert!(
        served.contains("from \"greeting\""),
        "served as written: {served}"
    );
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.starts_with("script-src 'self' 'sha256-"), "{policy}");
    assert!(
        !html.contains("<script data-hyper-assets"),
        "no inline script: {html}"
    );
    let link = page.header("link").unwrap();
    assert!(
        link.contains("rel=preload; as=style; integrity=\"sha384-"),
        "{link}"
    );
    assert!(
        !link.contains("modulepreload"),
        "modules are preloaded after the map: {link}"
    );
}

/// The guide's actix-web section (docs/src/frameworks.md) is the example's code (`examples/actix`, built with
/// the workspace), and asks for the features the example builds with.
#[test]
fn guide_actix_web_section_is_the_example() {
    let example = workspace_root().join("examples/actix");
    let main = std::fs::read_to_string(example.join("src/main.rs")).unwrap();
    let block = marked_block("<!-- actix: src/main.rs -->");
    assert!(
        main.ends_with(&block),
        "the guide's actix-web src/main.rs (docs/src/frameworks.md) is not the end of examples/actix/src/main.rs"
    );
    let manifest = marked_block("<!-- actix: Cargo.toml -->");
    let example_manifest = std::fs::read_to_string(example.join("Cargo.toml")).unwrap();
    for features in [r#"features = ["actix-web"]"#, r#"features = ["macros"]"#] {
        assert!(
            manifest.contains(features),
            "docs/src/frameworks.md: {features}"
        );
        assert!(example_manifest.contains(features), "example: {features}");
    }
    assert!(manifest.contains(r#"actix-web = { version = "4", default-features = false"#));
}

#[test]
fn readme_adopt_examples_compile_and_serve() {
    for (name, example) in [
        ("adopt-rust-embed", "rust-embed"),
        ("adopt-include-dir", "include_dir"),
    ] {
        let project = CargoProject::new(name);
        project.manifest_from(&marked_block("<!-- adopt: Cargo.toml -->"));
        project.write(
            "src/main.rs",
            marked_block(&format!("<!-- adopt: {example} -->")),
        );
        project.write("static/css/styles.css", "h1 { color: rebeccapurple }\n");
        project.write("static/.DS_Store", "left out, as the macro leaves it out");
        project.build_ok();
        serves_the_page_and_its_stylesheet(&project);
    }
}

/// Starts the project's binary on a free port, fetches `/` and the hashed stylesheet it
/// links, and checks the stylesheet is served immutable with the version header and a
/// hidden file is not served.
fn serves_the_page_and_its_stylesheet(project: &CargoProject) {
    Running::start(project, &[]).serves_the_page_and_its_stylesheet();
}

/// A project's binary serving on a free port, killed on drop.
struct Running {
    addr: std::net::SocketAddr,
    _child: KillOnDrop,
}

struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Running {
    /// Spawns the binary; its output is `piped` for a run whose output is read, else left
    /// to the terminal (an unread pipe could fill and stall the server).
    fn spawn(
        project: &CargoProject,
        envs: &[(&str, &str)],
        piped: bool,
    ) -> (std::process::Child, std::net::SocketAddr) {
        use std::process::Stdio;
        let addr = hyper_assets_tests::processes::free_addr();
        // From the crate's folder, as `cargo run` would: relative paths such as a
        // component's `config/site.json` are the user's working directory.
        let child = std::process::Command::new(project.binary())
            .current_dir(project.dir())
            .env("ADDR", addr.to_string())
            .envs(envs.iter().copied())
            .stdout(if piped {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .stderr(if piped {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .unwrap();
        (child, addr)
    }

    fn start(project: &CargoProject, envs: &[(&str, &str)]) -> Self {
        let (child, addr) = Self::spawn(project, envs, false);
        let running = Self {
            addr,
            _child: KillOnDrop(Some(child)),
        };
        running.wait_until_listening(project);
        running
    }

    fn wait_until_listening(&self, project: &CargoProject) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(self.addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "{} never listened on {}",
                project.binary().display(),
                self.addr
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the server (spawned with its output piped) and returns what it printed.
    fn stop_and_read_stdout(mut self) -> String {
        let mut child = self._child.0.take().expect("still running");
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn get_with(&self, method: &str, path: &str, extra: &str) -> hyper_assets_tests::RawResponse {
        let request =
            format!("{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{extra}\r\n");
        raw_request(self.addr, request.as_bytes())
    }

    fn get(&self, path: &str) -> hyper_assets_tests::RawResponse {
        self.get_with("GET", path, "")
    }

    /// The hashed stylesheet the page links.
    fn stylesheet(&self) -> hyper_assets_tests::RawResponse {
        let page = self.get("/");
        assert_eq!(page.status, 200);
        let html = String::from_utf8(page.body).unwrap();
        let start = html
            .find("/static/css/styles.")
            .expect("the page links the hashed stylesheet");
        let url = &html[start..start + html[start..].find('"').unwrap()];
        let css = self.get(url);
        assert_eq!(css.body, b"h1 { color: rebeccapurple }\n");
        css
    }

    fn serves_the_page_and_its_stylesheet(&self) {
        let css = self.stylesheet();
        assert_eq!(css.status, 200);
        assert_eq!(
            css.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert!(css.header("x-app-version").is_some());
        let hidden = self.get("/static/.DS_Store");
        assert_eq!(hidden.status, 404, "hidden files are not served");
    }
}
