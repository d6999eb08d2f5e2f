//! The demo binary as a person runs it: started with settings from the environment,
//! asked for its page, its assets, `/version`, and busted with the token it prints.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use hyper_assets_tests::cargo_project::target_dir;
use hyper_assets_tests::{raw_request, RawResponse};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Demo {
    child: Child,
    addr: SocketAddr,
}

impl Demo {
    fn start(env: &[(&str, &str)]) -> Self {
        Self::start_command(Command::new(env!("CARGO_BIN_EXE_demo")), env)
    }

    /// The demo with its open-file limit (`ulimit -n`) lowered to `limit`.
    fn start_limited(limit: u32, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {limit} && exec \"$0\""))
            .arg(env!("CARGO_BIN_EXE_demo"));
        Self::start_command(command, env)
    }

    fn start_command(mut command: Command, env: &[(&str, &str)]) -> Self {
        let addr: SocketAddr = hyper_assets_tests::processes::free_addr();
        let child = command
            .env_clear()
            .env("ADDR", addr.to_string())
            .env("STATIC_DEV_MODE", "false")
            .envs(env.iter().copied())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "the demo never listened on {addr}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        Self { child, addr }
    }

    fn send(&self, method: &str, path: &str, headers: &[&str]) -> RawResponse {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\nContent-Length: 0\r\n"
        );
        for header in headers {
            request.push_str(header);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        raw_request(self.addr, request.as_bytes())
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scratch_config(name: &str) -> PathBuf {
    let dir = target_dir().join("demo-tests").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("site.json");
    std::fs::write(&path, "{\"v\": 1}").unwrap();
    path
}

fn attribute<'a>(html: &'a str, prefix: &str) -> &'a str {
    let start = html
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} not in {html}"));
    let rest = &html[start..];
    &rest[..rest.find('"').unwrap()]
}

#[test]
fn page_assets_version_and_bust() {
    let config = scratch_config("full");
    let demo = Demo::start(&[
        ("SECRET_KEY", "demo-secret"),
        ("DEMO_CONFIG", config.to_str().unwrap()),
    ]);
    let page = demo.send("GET", "/", &[]);
    assert_eq!(page.status, 200);
    let version = page.header("x-app-version").unwrap().to_owned();
    let html = String::from_utf8(page.body).unwrap();
    assert!(
        html.contains(&format!(
            "<meta name=\"app-version\" content=\"{version}\">"
        )),
        "{html}"
    );
    for prefix in [
        "/static/css/styles.",
        "/static/js/app.",
        "/static/img/logo.",
    ] {
        let url = attribute(&html, prefix);
        let asset = demo.send("GET", url, &[]);
        assert_eq!(asset.status, 200, "{url}");
        assert_eq!(
            asset.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(asset.header("x-app-version"), Some(version.as_str()));
    }
    assert!(html.contains("/static/fonts/hyper-block."));

    let document: serde_json::Value =
        serde_json::from_slice(&demo.send("GET", "/version", &[]).body).unwrap();
    assert_eq!(document["version"], version.as_str());
    assert_eq!(document["source"], "computed");
    assert_eq!(document["components"]["templates"]["embedded"], true);

    let token = Command::new(env!("CARGO_BIN_EXE_demo"))
        .arg("bust-token")
        .env_clear()
        .env("SECRET_KEY", "demo-secret")
        .output()
        .unwrap();
    assert!(token.status.success());
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    assert_eq!(
        token,
        hyper_assets::version::cache_bust_token("demo-secret")
    );

    std::fs::write(&config, "{\"v\": 2}").unwrap();
    let bust = demo.send(
        "POST",
        "/cache/bust",
        &[&format!("Authorization: Bearer {token}")],
    );
    assert_eq!(bust.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&bust.body).unwrap();
    assert_eq!(body["previous"], version.as_str());
    let new_version = body["version"].as_str().unwrap();
    assert_ne!(new_version, version);
    let page = demo.send("GET", "/", &[]);
    assert_eq!(page.header("x-app-version"), Some(new_version));
    assert!(String::from_utf8(page.body).unwrap().contains(new_version));
}

#[test]
fn explicit_version_shows_in_the_page() {
    let config = scratch_config("explicit");
    let demo = Demo::start(&[
        ("APP_VERSION", "2026.11.25-rc1"),
        ("DEMO_CONFIG", config.to_str().unwrap()),
    ]);
    let page = demo.send("GET", "/", &[]);
    assert_eq!(page.header("x-app-version"), Some("2026.11.25-rc1"));
    assert!(String::from_utf8(page.body)
        .unwrap()
        .contains("2026.11.25-rc1"));
}

#[test]
fn bad_settings_are_startup_errors_naming_the_variable() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "APP_VERSION_MISMATCH",
            "explode",
            "one of reload, warn, ignore, prompt",
        ),
        ("APP_VERSION_HEADER", "maybe", "true, false"),
        ("APP_VERSION", "has space", "visible ASCII"),
        ("DEMO_CONFIG", "/no/such/site.json", "/no/such/site.json"),
        ("ADDR", "not-an-address", "ADDR"),
    ];
    for &(variable, value, expected) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_demo"))
            .env_clear()
            .env(variable, value)
            .env(
                "ADDR",
                if variable == "ADDR" {
                    value
                } else {
                    "127.0.0.1:0"
                },
            )
            .output()
            .unwrap();
        assert!(!output.status.success(), "{variable}={value} started");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(variable), "names {variable}: {stderr}");
        assert!(stderr.contains(expected), "{variable}: {stderr}");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_demo"))
        .arg("bust-token")
        .env_clear()
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("SECRET_KEY is not set"));
}

#[test]
fn tls_files_that_cannot_serve_are_startup_errors_naming_the_setting() {
    let not_pem = concat!(env!("CARGO_MANIFEST_DIR"), "/config/site.json");
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("TLS_CERT", "/no/such/cert.pem"), ("TLS_KEY", not_pem)],
            r#"TLS_CERT="/no/such/cert.pem" cannot be read"#,
        ),
        (
            &[("TLS_CERT", not_pem), ("TLS_KEY", not_pem)],
            "holds no PEM certificate",
        ),
        (&[("TLS_CERT", not_pem)], "TLS_KEY"),
    ];
    for &(env, expected) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_demo"))
            .env_clear()
            .env("ADDR", "127.0.0.1:0")
            .env("STATIC_DEV_MODE", "false")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{env:?} started: {stderr}");
        // The sentence, as the demo's last line; no panic.
        let last = stderr.lines().last().unwrap_or_default();
        assert!(last.starts_with("demo: "), "{env:?}: {stderr}");
        assert!(last.contains(expected), "{env:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{env:?}: {stderr}");
        // Nothing claimed to serve before the certificate failed to load.
        let stdout = String::from_utf8_lossy(&output.stdout);
        for log in [&stdout, &stderr] {
            assert!(!log.contains("hyper-assets: serving"), "{env:?}: {log}");
        }
    }
}

#[test]
fn dev_mode_serves_edits_without_a_rebuild() {
    let folder = target_dir().join("demo-tests").join("dev-static");
    let _ = std::fs::remove_dir_all(&folder);
    let source = hyper_assets_tests::cargo_project::workspace_root().join("examples/demo/static");
    hyper_assets_tests::scratch::copy_folder(&source, &folder);
    let config = scratch_config("dev");
    let demo = Demo::start(&[
        ("STATIC_DEV_MODE", "true"),
        ("STATIC_DEV_DIR", folder.to_str().unwrap()),
        ("DEMO_CONFIG", config.to_str().unwrap()),
    ]);
    let page = String::from_utf8(demo.send("GET", "/", &[]).body).unwrap();
    let script = attribute(&page, "/static/js/app.js?v=").to_owned();
    assert_eq!(
        demo.send("GET", &script, &[]).header("cache-control"),
        Some("no-cache")
    );

    std::fs::write(folder.join("js/app.js"), "console.log('edited');\n").unwrap();
    let page = String::from_utf8(demo.send("GET", "/", &[]).body).unwrap();
    let edited = attribute(&page, "/static/js/app.js?v=").to_owned();
    assert_ne!(edited, script, "the reload names the new bytes");
    assert_eq!(
        demo.send("GET", &edited, &[]).body,
        b"console.log('edited');\n"
    );
}

/// Issue 15's slowloris under a low open-file limit: with `axum::serve`, 150 half-sent
/// request heads under `ulimit -n 128` left 0 of 4 normal requests answered. The demo's
/// server caps connections below the limit and times the heads out, so every normal
/// request is answered once the held slots free.
/// The two connection floods take turns: each measures the demo under its own flood, and
/// on a 2-core machine the other's thousands of sockets would be part of the measurement.
static FLOOD: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_flood_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    FLOOD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn half_sent_heads_under_a_low_file_limit_do_not_lock_clients_out() {
    let _flood = one_flood_at_a_time();
    let demo = Demo::start_limited(64, &[("HTTP_HEADER_TIMEOUT", "1")]);
    let held: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut stream = TcpStream::connect(demo.addr).unwrap();
            std::io::Write::write_all(&mut stream, b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            stream
        })
        .collect();
    for _ in 0..4 {
        let page = demo.send("GET", "/version", &[]);
        assert_eq!(page.status, 200);
    }
    drop(held);
    // And it still serves afterwards.
    assert_eq!(demo.send("GET", "/", &[]).status, 200);
}

/// Issue 15, at scale: 2,000 slow connections (half-sent heads, reopened as the server
/// closes them) against the demo under `ulimit -n 256`. Every normal request is still
/// answered within a second: at the cap, a new client takes the slot of the connection
/// idle longest.
#[test]
fn two_thousand_slow_connections_leave_requests_answered_within_a_second() {
    let _flood = one_flood_at_a_time();
    let demo = Demo::start_limited(256, &[]);
    let slow = r#"
import socket, sys, time
host, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
socks, opened = [], 0
def open_one():
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    s.setblocking(False)
    return s
while opened < count:
    socks.append(open_one()); opened += 1
print("ready", flush=True)
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    alive = []
    for s in socks:
        try:
            if s.recv(1, socket.MSG_PEEK) == b"":
                s.close(); continue
        except BlockingIOError:
            pass
        except OSError:
            s.close(); continue
        alive.append(s)
    while len(alive) < count:
        try:
            alive.append(open_one()); opened += 1
        except OSError:
            break
    socks = alive
    time.sleep(0.05)
print("opened", opened, flush=True)
"#;
    let mut helper = Command::new("/bin/sh")
        .arg("-c")
        .arg("ulimit -n 8192 && exec python3 -c \"$0\" \"$@\"")
        .arg(slow)
        .args(["127.0.0.1", &demo.addr.port().to_string(), "2000", "6"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs the slow clients");
    let mut out = std::io::BufReader::new(helper.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert_eq!(line.trim(), "ready", "the 2,000 slow connections opened");
    for _ in 0..10 {
        let started = Instant::now();
        let response = demo.send("GET", "/version", &[]);
        let took = started.elapsed();
        assert_eq!(response.status, 200);
        assert!(took < Duration::from_secs(1), "answered in {took:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = helper.wait().unwrap();
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert!(rest.starts_with("opened "), "{rest}");
}
