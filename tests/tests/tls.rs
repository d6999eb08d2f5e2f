//! HTTPS from `Site::serve` (the runtime's `tls` feature) over real sockets: a throwaway
//! CA and certificate made at run time with the `openssl` command line; the real `curl`
//! over HTTP/2 and HTTP/1.1 (ALPN `h2`, `http/1.1` and none) gets the same status, body
//! and headers as over cleartext; a missing certificate file and a key that is not the
//! certificate's are start-up errors that name the setting.
//!
//! Then the second step: the certificate reloads (changed files, a `TlsReload` handle,
//! `SIGHUP`; bad files logged and ignored; no request failing while it changes under a
//! curl load); `TLS_HSTS`; the `TLS_REDIRECT_ADDR` listener and its `TLS_REDIRECT_PORT`;
//! HTTP/2 connections with no stream open closed after the header timeout though their
//! client answers pings (a raw client over `openssl s_client`), and shed at the cap; a
//! request head that never ends (CONTINUATION after CONTINUATION) cut off by h2's own
//! limit with ENHANCE_YOUR_CALM.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use hyper_assets::{Settings, Site};
use hyper_assets_tests::pki::Pki;
use std::path::{Path, PathBuf};
use std::process::Command;

hyper_assets::hyper_assets!("fixtures/basic");

fn app() -> Router {
    Router::new().route(
        "/",
        get(|| async { Html("<!doctype html><html><head></head><body>home</body></html>") }),
    )
}

fn site(settings: hyper_assets::settings::SettingsBuilder) -> Site {
    Site::builder(&assets::EMBEDDED)
        .settings(settings.dev_mode(false).build().unwrap())
        .build()
        .unwrap()
}

fn run(command: &mut Command) -> std::process::Output {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A fresh folder under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A CA (`ca.pem`), a certificate for `localhost` and 127.0.0.1 that it signed
/// (`cert.pem`, key `key.pem`), and an unrelated key (`other.pem`), all P-256.
fn throwaway_pki(dir: &Path) {
    Pki::new(dir).unrelated_key("other.pem");
}

/// The error `Site::serve` starts with (it must not start).
fn start_up_error(site: &Site) -> String {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let error = site.serve(listener, app()).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        error.to_string()
    })
}

#[test]
fn a_missing_certificate_file_is_a_start_up_error_naming_the_setting() {
    let dir = scratch("tls-missing");
    let cert = dir.join("absent.pem");
    let site = site(Settings::builder().tls(&cert, dir.join("key.pem")));
    let error = start_up_error(&site);
    assert!(
        error.starts_with(&format!(
            "TLS_CERT={:?} cannot be read: ",
            cert.display().to_string()
        )),
        "{error}"
    );
}

#[test]
#[ignore = "needs the openssl command line (scripts/test-all.sh installs it)"]
fn a_key_that_is_not_the_certificates_is_a_start_up_error_naming_the_setting() {
    let dir = scratch("tls-mismatch");
    throwaway_pki(&dir);
    let other = dir.join("other.pem");
    let site = site(Settings::builder().tls(dir.join("cert.pem"), &other));
    let error = start_up_error(&site);
    assert!(
        error.starts_with(&format!(
            "TLS_KEY={:?} is not the private key of the certificate in TLS_CERT: ",
            other.display().to_string()
        )),
        "{error}"
    );
    // A file with no PEM key in it.
    let site = site_with_key(&dir, "cert.pem");
    let error = start_up_error(&site);
    assert!(error.contains("holds no PEM private key"), "{error}");
}

#[test]
#[ignore = "needs the openssl command line (scripts/test-all.sh installs it)"]
fn a_pem_block_that_is_no_certificate_is_a_start_up_error_naming_tls_cert() {
    let dir = scratch("tls-bad-certificate");
    throwaway_pki(&dir);
    // Valid PEM framing around bytes that are no X.509 certificate: the certificate's
    // fault, not the key's.
    let garbage = dir.join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let site = site(Settings::builder().tls(&garbage, dir.join("key.pem")));
    let error = start_up_error(&site);
    assert!(
        error.starts_with(&format!(
            "TLS_CERT={:?} holds a PEM certificate that is not a valid X.509 certificate: ",
            garbage.display().to_string()
        )),
        "{error}"
    );
}

fn site_with_key(dir: &Path, key: &str) -> Site {
    site(Settings::builder().tls(dir.join("cert.pem"), dir.join(key)))
}

/// What curl got: HTTP version, status, headers (lowercase, sorted, without those that
/// differ by transport or time) and body.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: String,
    headers: Vec<String>,
    body: Vec<u8>,
}

fn curl(dir: &Path, args: &[&str], url: &str) -> (String, Answer) {
    let headers = dir.join("headers");
    let output = run(Command::new("curl")
        .args(["-sS", "--max-time", "20", "-o", "-", "-D"])
        .arg(&headers)
        .args(["-w", "%{stderr}%{http_version} %{http_code}"])
        .args(args)
        .arg(url));
    let written = String::from_utf8(output.stderr).unwrap();
    let (version, status) = written.trim().rsplit_once(' ').unwrap();
    let mut lines: Vec<String> = std::fs::read_to_string(&headers)
        .unwrap()
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            format!("{}: {}", name.to_ascii_lowercase(), value.trim())
        })
        // Date ticks; the others are connection-specific, which HTTP/2 forbids. An empty
        // HTTP/2 answer ends with its HEADERS frame and has no `content-length: 0`.
        .filter(|line| {
            line != "content-length: 0"
                && !["date:", "connection:", "keep-alive:", "transfer-encoding:"]
                    .iter()
                    .any(|name| line.starts_with(name))
        })
        .collect();
    lines.sort();
    let answer = Answer {
        status: status.to_owned(),
        headers: lines,
        body: output.stdout,
    };
    (version.to_owned(), answer)
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn https_answers_as_cleartext_does_over_h2_and_http_1_1() {
    let dir = scratch("tls-curl");
    throwaway_pki(&dir);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let start = |site: Site| {
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            tokio::spawn(async move { site.serve(listener, app()).await });
            port
        })
    };
    let clear = start(site(Settings::builder()));
    let tls = start(site(
        Settings::builder().tls(dir.join("cert.pem"), dir.join("key.pem")),
    ));
    let resolve = format!("localhost:{tls}:127.0.0.1");
    let ca = dir.join("ca.pem");
    let ca = ca.to_str().unwrap();
    let css = assets::MANIFEST.get("css/styles.css").unwrap().url();
    for path in [css, "/", "/static/css/styles.css", "/no-such-page"] {
        let (_, expected) = curl(
            &dir,
            &["--http1.1"],
            &format!("http://127.0.0.1:{clear}{path}"),
        );
        let url = format!("https://localhost:{tls}{path}");
        for (args, version) in [
            (["--http2", "--cacert", ca, "--resolve", &resolve], "2"),
            (["--http1.1", "--cacert", ca, "--resolve", &resolve], "1.1"),
            // No ALPN at all: HTTP/1.1.
            (["--no-alpn", "--cacert", ca, "--resolve", &resolve], "1.1"),
        ] {
            let (got_version, answer) = curl(&dir, &args, &url);
            assert_eq!(got_version, version, "{path} with {args:?}");
            assert_eq!(answer, expected, "{path} with {args:?}");
        }
    }
    assert!(
        !curl(&dir, &["--http1.1"], &format!("http://127.0.0.1:{clear}/"))
            .1
            .body
            .is_empty()
    );
}

// ----- Certificate reload, HSTS, the redirect listener, idle HTTP/2 connections -----

/// A second certificate for `localhost` and 127.0.0.1 from the same CA, with the common
/// name `cn`: `{name}.pem` and its key `{name}.key`.
fn issue(dir: &Path, name: &str, cn: &str) {
    Pki::at(dir).issue(&format!("{name}.pem"), &format!("{name}.key"), cn);
}

/// The subject of the certificate a new handshake with `127.0.0.1:port` gets, spaces
/// removed (`CN=localhost`).
fn served_subject(port: u16) -> String {
    let output = Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find_map(|line| line.strip_prefix("subject="))
        .map(|subject| subject.replace(' ', ""))
        .unwrap_or_else(|| panic!("no certificate from port {port}: {text}"))
}

/// Waits (up to 10 s) until new handshakes get the certificate `subject`.
fn wait_for_subject(port: u16, subject: &str) -> std::time::Duration {
    let start = std::time::Instant::now();
    loop {
        if served_subject(port) == subject {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "new handshakes still get {}, not {subject}",
            served_subject(port)
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Puts `from` in place of `to` at once (a rename), as deploy tools and certbot do.
fn replace(from: &Path, to: &Path) {
    let staged = to.with_extension("staged");
    std::fs::copy(from, &staged).unwrap();
    std::fs::rename(&staged, to).unwrap();
}

/// A TLS connection open through `openssl s_client`, handshake done, that sends one
/// HTTP/1.1 request when asked.
struct OpenConnection {
    child: std::process::Child,
    stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl OpenConnection {
    fn open(port: u16, ca: &Path) -> Self {
        use std::io::BufRead;
        let mut child = Command::new("openssl")
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args(["-servername", "localhost", "-alpn", "http/1.1", "-ign_eof"])
            .arg("-CAfile")
            .arg(ca)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        // s_client prints the session after the handshake; its last lines are these.
        let mut line = String::new();
        while !line.contains("Verify return code") {
            line.clear();
            assert_ne!(stdout.read_line(&mut line).unwrap(), 0, "no handshake");
        }
        Self { child, stdout }
    }

    /// Sends `GET /` and reads the answer to the end (the request asks to close).
    fn get(mut self) -> String {
        use std::io::{Read, Write};
        let mut stdin = self.child.stdin.take().unwrap();
        stdin
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        self.stdout.read_to_string(&mut answer).unwrap();
        let _ = self.child.wait();
        drop(stdin);
        answer
    }
}

/// A runtime and the port of a server it runs: `Site::serve` of `site`, or the server
/// built by `server` around the site's service.
struct Running {
    _runtime: tokio::runtime::Runtime,
    port: u16,
}

fn start(site: Site, server: Option<Box<dyn FnOnce() -> hyper_assets::server::Server>>) -> Running {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let port = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        match server {
            Some(server) => {
                let service = site.service(app());
                tokio::spawn(server().serve(listener, service));
            }
            None => {
                tokio::spawn(async move { site.serve(listener, app()).await });
            }
        }
        port
    });
    Running {
        _runtime: runtime,
        port,
    }
}

/// A copy of the certificate and key of `dir` under `dir/live`, for the server to read
/// and the test to replace, each followed by 64 blank lines (which PEM readers skip).
fn live_files(dir: &Path) -> (PathBuf, PathBuf) {
    let live = dir.join("live");
    std::fs::create_dir_all(&live).unwrap();
    let (cert, key) = (live.join("cert.pem"), live.join("key.pem"));
    for (from, to) in [("cert.pem", &cert), ("key.pem", &key)] {
        let mut bytes = std::fs::read(dir.join(from)).unwrap();
        bytes.extend_from_slice(&[b'\n'; 64]);
        std::fs::write(to, bytes).unwrap();
    }
    (cert, key)
}

/// Everything the log has said so far.
fn logged() -> String {
    let log = hyper_assets_tests::log::captured();
    let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    text
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn a_changed_certificate_file_reaches_new_handshakes_and_a_bad_one_changes_nothing() {
    let _ = hyper_assets_tests::log::captured();
    let dir = scratch("tls-reload-files");
    throwaway_pki(&dir);
    issue(&dir, "renewed", "renewed.localhost");
    let (cert, key) = live_files(&dir);
    let server = start(
        site(
            Settings::builder()
                .tls(&cert, &key)
                .header_timeout(std::time::Duration::from_secs(60)),
        ),
        None,
    );
    let port = server.port;
    assert_eq!(served_subject(port), "CN=localhost");
    let open = OpenConnection::open(port, &dir.join("ca.pem"));

    // New files, put in place one after the other: new handshakes get them.
    replace(&dir.join("renewed.key"), &key);
    replace(&dir.join("renewed.pem"), &cert);
    wait_for_subject(port, "CN=renewed.localhost");
    let resolve = format!("localhost:{port}:127.0.0.1");
    let ca = dir.join("ca.pem");
    let url = format!("https://localhost:{port}/");
    let args = [
        "--http2",
        "--cacert",
        ca.to_str().unwrap(),
        "--resolve",
        &resolve,
    ];
    assert_eq!(curl(&dir, &args, &url).1.status, "200");
    // The connection opened with the old certificate still serves.
    let answer = open.get();
    assert!(answer.contains("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("<body>home</body></html>"), "{answer}");

    // A file that is not PEM, a certificate that is not the key's, and a missing file:
    // each is logged, naming the setting, and the certificate in use stays.
    std::fs::write(&cert, "not a certificate\n").unwrap();
    let sentence = format!(
        "TLS_CERT={:?} holds no PEM certificate",
        cert.display().to_string()
    );
    wait_for_log(&sentence);
    assert_eq!(served_subject(port), "CN=renewed.localhost");
    replace(&dir.join("cert.pem"), &cert);
    let sentence = format!(
        "TLS_KEY={:?} is not the private key of the certificate in TLS_CERT",
        key.display().to_string()
    );
    wait_for_log(&sentence);
    assert_eq!(served_subject(port), "CN=renewed.localhost");
    assert_eq!(curl(&dir, &args, &url).1.status, "200");
    // The matching key comes: the pair is whole again.
    replace(&dir.join("key.pem"), &key);
    wait_for_subject(port, "CN=localhost");
    std::fs::remove_file(&key).unwrap();
    wait_for_log(&format!(
        "TLS_KEY={:?} cannot be read",
        key.display().to_string()
    ));
    assert_eq!(served_subject(port), "CN=localhost");
    let log = logged();
    assert!(
        log.contains("WARN") && log.contains("keeping the TLS certificate in use"),
        "{log}"
    );
    drop(server);
}

/// Waits (up to 10 s) until the log holds `text`.
fn wait_for_log(text: &str) {
    let start = std::time::Instant::now();
    while !logged().contains(text) {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "never logged: {text}\n\n{}",
            logged()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Overwrites the live files with `name`'s where they are, so the file watcher sees no
/// change: the same file (device and inode: no rename, no truncation), the same length
/// (the shorter PEM file padded with blank lines) and the modification time put back.
/// (The watcher may catch the new time in the instant before it is put back, but it reads
/// files only once two looks a second apart agree on a change.)
fn replace_unseen(dir: &Path, name: &str, cert: &Path, key: &Path) {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;
    for (from, to) in [
        (dir.join(format!("{name}.pem")), cert),
        (dir.join(format!("{name}.key")), key),
    ] {
        let old = std::fs::metadata(to).unwrap();
        let mut bytes = std::fs::read(&from).unwrap();
        let old_len = usize::try_from(old.len()).unwrap();
        // The live files were padded with 64 blank lines: room for a longer signature.
        assert!(bytes.len() <= old_len, "{from:?} is longer than {to:?}");
        bytes.resize(old_len, b'\n');
        let mut file = std::fs::File::options().write(true).open(to).unwrap();
        file.write_all(&bytes).unwrap();
        file.set_modified(old.modified().unwrap()).unwrap();
        drop(file);
        let new = std::fs::metadata(to).unwrap();
        assert_eq!(
            (new.len(), new.modified().unwrap()),
            (old.len(), old.modified().unwrap())
        );
        #[cfg(unix)]
        assert_eq!((new.dev(), new.ino()), (old.dev(), old.ino()));
    }
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn a_reload_handle_and_sighup_reread_the_files_the_watcher_cannot_see_change() {
    let dir = scratch("tls-reload-asked");
    throwaway_pki(&dir);
    issue(&dir, "renewed", "renewed.localhost");
    let (cert, key) = live_files(&dir);
    // The handle, on a `Server`.
    let reload = hyper_assets::server::TlsReload::new();
    let handle = reload.clone();
    let (server_cert, server_key) = (cert.clone(), key.clone());
    let by_handle = start(
        site(Settings::builder()),
        Some(Box::new(move || {
            hyper_assets::server::Server::new()
                .tls(server_cert, server_key)
                .tls_reload(handle)
        })),
    );
    assert_eq!(served_subject(by_handle.port), "CN=localhost");
    replace_unseen(&dir, "renewed", &cert, &key);
    // Three looks of the watcher: it sees the same files.
    std::thread::sleep(std::time::Duration::from_millis(3_000));
    assert_eq!(served_subject(by_handle.port), "CN=localhost");
    reload.reload();
    wait_for_subject(by_handle.port, "CN=renewed.localhost");

    // SIGHUP, on `Site::serve` (which listens for it from before it accepts: the signal
    // no longer ends this process once the server answers).
    let (cert2, key2) = live_files(&dir);
    let by_signal = start(site(Settings::builder().tls(&cert2, &key2)), None);
    assert_eq!(served_subject(by_signal.port), "CN=localhost");
    replace_unseen(&dir, "renewed", &cert2, &key2);
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    assert_eq!(served_subject(by_signal.port), "CN=localhost");
    run(Command::new("kill").args(["-HUP", &std::process::id().to_string()]));
    wait_for_subject(by_signal.port, "CN=renewed.localhost");
    drop((by_handle, by_signal));
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn no_request_fails_while_the_certificate_is_replaced_under_load() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    let dir = scratch("tls-reload-load");
    throwaway_pki(&dir);
    issue(&dir, "renewed", "renewed.localhost");
    let (cert, key) = live_files(&dir);
    let reload = hyper_assets::server::TlsReload::new();
    let handle = reload.clone();
    let (server_cert, server_key) = (cert.clone(), key.clone());
    let server = start(
        site(Settings::builder()),
        Some(Box::new(move || {
            hyper_assets::server::Server::new()
                .tls(server_cert, server_key)
                .tls_reload(handle)
        })),
    );
    let port = server.port;
    let done = Arc::new(AtomicBool::new(false));
    let (served, subjects) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let (dir, done, served) = (dir.clone(), Arc::clone(&done), Arc::clone(&served));
            std::thread::spawn(move || {
                let ca = dir.join("ca.pem");
                let resolve = format!("localhost:{port}:127.0.0.1");
                let version = if client % 2 == 0 {
                    "--http2"
                } else {
                    "--http1.1"
                };
                let mut failures = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    // Each curl is a new connection, so a new handshake; each asks twice.
                    let output = Command::new("curl")
                        .args([
                            "-sS",
                            "--max-time",
                            "20",
                            "-o",
                            "/dev/null",
                            "-o",
                            "/dev/null",
                        ])
                        .args(["-w", "%{http_code}\\n", version, "--cacert"])
                        .arg(&ca)
                        .args(["--resolve", &resolve])
                        .arg(format!("https://localhost:{port}/"))
                        .arg(format!("https://localhost:{port}/static/css/styles.css"))
                        .output()
                        .unwrap();
                    let codes = String::from_utf8_lossy(&output.stdout).into_owned();
                    if !output.status.success() || codes != "200\n200\n" {
                        failures.push(format!(
                            "{codes:?} {}",
                            String::from_utf8_lossy(&output.stderr)
                        ));
                    }
                    served.fetch_add(2, Ordering::Relaxed);
                }
                failures
            })
        })
        .collect();
    // Six swaps, 300 ms apart, alternating between the two certificates. Four are asked
    // for through the handle; two (one to each certificate) are left to the file watcher
    // alone, which looks once a second and reads the files once two looks agree, so those
    // take one to two seconds to reach new handshakes.
    for swap in 0..6 {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let (key_file, cert_file, subject) = if swap % 2 == 0 {
            ("renewed.key", "renewed.pem", "CN=renewed.localhost")
        } else {
            ("key.pem", "cert.pem", "CN=localhost")
        };
        replace(&dir.join(key_file), &key);
        replace(&dir.join(cert_file), &cert);
        // Swaps 2 (to the renewed one) and 5 (back): by the files alone.
        if swap % 3 != 2 {
            reload.reload();
        }
        wait_for_subject(port, subject);
        subjects.fetch_add(1, Ordering::Relaxed);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    done.store(true, Ordering::Relaxed);
    let failures: Vec<String> = clients
        .into_iter()
        .flat_map(|client| client.join().unwrap())
        .collect();
    assert_eq!(subjects.load(Ordering::Relaxed), 6);
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
    assert!(
        served.load(Ordering::Relaxed) >= 16,
        "too few requests to tell"
    );
    drop(server);
}

/// What curl saw of one plain-HTTP request: status, `location` and whether a
/// `strict-transport-security` header came.
fn plain_answer(dir: &Path, url: &str, headers: &[&str]) -> (String, Option<String>, bool) {
    let mut args = vec!["--http1.1"];
    for header in headers {
        args.extend(["-H", header]);
    }
    let (_, answer) = curl(dir, &args, url);
    let location = answer
        .headers
        .iter()
        .find_map(|line| line.strip_prefix("location: "))
        .map(str::to_owned);
    let hsts = answer
        .headers
        .iter()
        .any(|line| line.starts_with("strict-transport-security:"));
    (answer.status, location, hsts)
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn hsts_goes_on_https_answers_and_the_redirect_listener_sends_plain_http_there() {
    let dir = scratch("tls-hsts-redirect");
    throwaway_pki(&dir);
    let redirect = hyper_assets_tests::processes::free_addr();
    let server = start(
        site(
            Settings::builder()
                .tls(dir.join("cert.pem"), dir.join("key.pem"))
                .tls_hsts("max-age=31536000; includeSubDomains")
                .tls_redirect_addr(redirect),
        ),
        None,
    );
    let port = server.port;
    let ca = dir.join("ca.pem");
    let resolve = format!("localhost:{port}:127.0.0.1");
    for version in ["--http2", "--http1.1"] {
        let args = [
            version,
            "--cacert",
            ca.to_str().unwrap(),
            "--resolve",
            &resolve,
        ];
        for path in ["/", "/static/css/styles.css", "/no-such-page"] {
            let (_, answer) = curl(&dir, &args, &format!("https://localhost:{port}{path}"));
            assert!(
                answer.headers.contains(
                    &"strict-transport-security: max-age=31536000; includeSubDomains".to_owned()
                ),
                "{path} over {version}: {answer:?}"
            );
        }
    }
    // The redirect listener: same host and path, the HTTPS port, no HSTS; a host that is
    // not a host name or an address gets 400, never a redirect.
    let base = format!("http://{redirect}");
    let cases: [(&str, &[&str], &str, Option<String>); 6] = [
        (
            "/a/b?c=d",
            &["Host: Example.com:8080"],
            "308",
            Some(format!("https://example.com:{port}/a/b?c=d")),
        ),
        ("/", &[], "308", Some(format!("https://127.0.0.1:{port}/"))),
        ("/", &["Host: evil.example/x"], "400", None),
        ("/", &["Host: evil.example@good.example"], "400", None),
        ("/", &["Host: a b"], "400", None),
        ("/", &["Host:"], "400", None),
    ];
    for (path, headers, status, location) in cases {
        let got = plain_answer(&dir, &format!("{base}{path}"), headers);
        assert_eq!(
            got,
            (status.to_owned(), location, false),
            "{path} {headers:?}"
        );
    }
    // A redirect with the plain-HTTP request followed: the page over HTTPS.
    let output = run(Command::new("curl")
        .args(["-sS", "--max-time", "20", "-L", "--cacert"])
        .arg(&ca)
        .args(["--resolve", &resolve])
        .arg(format!("http://localhost:{}/", redirect.port())));
    assert!(String::from_utf8_lossy(&output.stdout).ends_with("<body>home</body></html>"));
    drop(server);
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn the_redirect_names_the_public_port_when_one_is_set() {
    // Behind a port mapping (`-p 443:<port>`), the port clients reach is not the one the
    // server listens on: `TLS_REDIRECT_PORT` names it, and 443 is left out.
    let dir = scratch("tls-redirect-port");
    throwaway_pki(&dir);
    for (public, shown) in [(443, String::new()), (8443, ":8443".to_owned())] {
        let redirect = hyper_assets_tests::processes::free_addr();
        let server = start(
            site(
                Settings::builder()
                    .tls(dir.join("cert.pem"), dir.join("key.pem"))
                    .tls_redirect_addr(redirect)
                    .tls_redirect_port(public),
            ),
            None,
        );
        assert_ne!(server.port, public);
        let got = plain_answer(
            &dir,
            &format!("http://{redirect}/a/b?c=d"),
            &["Host: Example.com:80"],
        );
        assert_eq!(
            got,
            (
                "308".to_owned(),
                Some(format!("https://example.com{shown}/a/b?c=d")),
                false
            ),
            "TLS_REDIRECT_PORT={public}"
        );
        drop(server);
    }
}

#[test]
fn a_redirect_listener_that_cannot_work_is_a_start_up_error() {
    use hyper_assets::server::Server;
    // Refused before a file is read: neither of these exists.
    let dir = scratch("tls-redirect-refused");
    let tls = |server: Server| server.tls(dir.join("cert.pem"), dir.join("key.pem"));
    let cases: [(&dyn Fn(Server) -> Server, &str); 3] = [
        (
            &|server| tls(server).redirect_port(0),
            "the HTTPS port the redirects name (TLS_REDIRECT_PORT, Server::redirect_port) is 0",
        ),
        (
            &|server| server.redirect_port(443),
            "a plain-HTTP redirect listener (TLS_REDIRECT_ADDR) needs TLS",
        ),
        (
            &|server| tls(server).max_connections(1),
            "needs a connection cap (HTTP_MAX_CONNECTIONS, and the open-file limit) of at least 2",
        ),
    ];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for (configure, expected) in cases {
        let error = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let redirect = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let server = configure(Server::new().redirect_http(redirect));
            let service = site(Settings::builder()).service(app());
            server.serve(listener, service).await.unwrap_err()
        });
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{error}");
        assert!(error.to_string().contains(expected), "{error}");
    }
}

#[test]
fn a_redirect_address_that_cannot_be_listened_on_is_a_start_up_error_naming_it() {
    let dir = scratch("tls-redirect-taken");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    // The files are never read: the listener is bound first.
    let site = site(
        Settings::builder()
            .tls(dir.join("cert.pem"), dir.join("key.pem"))
            .tls_redirect_addr(addr),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let error = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        site.serve(listener, app()).await.unwrap_err()
    });
    assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
    assert!(
        error
            .to_string()
            .starts_with(&format!("TLS_REDIRECT_ADDR={addr} cannot be listened on: ")),
        "{error}"
    );
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn a_graceful_shutdown_stops_the_redirect_listener_too() {
    let dir = scratch("tls-redirect-shutdown");
    throwaway_pki(&dir);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (served, redirect) = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let redirect = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = redirect.local_addr().unwrap();
        let server = hyper_assets::server::Server::new()
            .tls(dir.join("cert.pem"), dir.join("key.pem"))
            .redirect_http(redirect)
            .with_graceful_shutdown(async move { drop(stopped.await) });
        let site = site(Settings::builder());
        (
            tokio::spawn(server.serve(listener, site.service(app()))),
            addr,
        )
    });
    let url = format!("http://{redirect}/");
    assert_eq!(plain_answer(&dir, &url, &[]).0, "308");
    stop.send(()).unwrap();
    runtime
        .block_on(async { tokio::time::timeout(std::time::Duration::from_secs(10), served).await })
        .expect("the server stops")
        .unwrap()
        .unwrap();
    assert!(
        std::net::TcpStream::connect(redirect).is_err(),
        "still listening"
    );
}

/// The error code of a GOAWAY for a flood (RFC 9113, section 7).
const ENHANCE_YOUR_CALM: u32 = 0xb;

/// What a raw HTTP/2 client saw of the server (see [`h2_client`]).
#[derive(Debug)]
struct H2Seen {
    /// From the server's first SETTINGS frame to the end of the connection.
    lasted: std::time::Duration,
    /// The error code of every GOAWAY, in the order they came.
    goaways: Vec<u32>,
    /// The server's pings that the client acknowledged before the first GOAWAY (a
    /// graceful GOAWAY is followed by a ping of its own, not counted).
    pings_before_goaway: usize,
}

/// A raw HTTP/2 client over `openssl s_client`: it sends the preface and its settings,
/// acknowledges the server's, answers every ping, opens no stream, and reads until the
/// server ends the connection. With `continuation`, it starts a request's head (HEADERS
/// without END_HEADERS) and sends an empty CONTINUATION every 100 ms, never ending it.
/// `ready` is told once the server's SETTINGS frame has come: the handshake is done and
/// the server serves the connection.
fn h2_client(
    port: u16,
    continuation: bool,
    mut ready: Option<std::sync::mpsc::Sender<()>>,
) -> H2Seen {
    use std::io::{Read, Write};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    let frame = |kind: u8, flags: u8, stream: u32, payload: &[u8]| {
        let length = u32::try_from(payload.len()).unwrap().to_be_bytes();
        let mut bytes = vec![length[1], length[2], length[3], kind, flags];
        bytes.extend_from_slice(&stream.to_be_bytes());
        bytes.extend_from_slice(payload);
        bytes
    };
    let mut child = Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(["-servername", "localhost", "-alpn", "h2", "-quiet"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let spawned = Instant::now();
    let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
    let mut stdout = child.stdout.take().unwrap();
    let send = |stdin: &Mutex<std::process::ChildStdin>, bytes: &[u8]| {
        let mut stdin = stdin.lock().unwrap();
        stdin.write_all(bytes).and_then(|()| stdin.flush()).is_ok()
    };
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend(frame(4, 0, 0, &[]));
    assert!(send(&stdin, &hello));
    // The head is started once the server's SETTINGS are acknowledged: nothing else may
    // come between a HEADERS frame and its CONTINUATION frames (a SETTINGS acknowledgement
    // there is a PROTOCOL_ERROR).
    let start_head = |stdin: Arc<Mutex<std::process::ChildStdin>>| {
        std::thread::spawn(move || {
            // `:method: GET` (indexed), END_STREAM but not END_HEADERS: a head never ended.
            let head = frame(1, 0x1, 1, &[0x82]);
            if !send(&stdin, &head) {
                return;
            }
            loop {
                std::thread::sleep(Duration::from_millis(100));
                if !send(&stdin, &frame(9, 0, 1, &[])) {
                    return;
                }
            }
        })
    };
    let mut writer = None;
    let mut settings_at: Option<Instant> = None;
    let (mut goaways, mut pings_before_goaway) = (Vec::new(), 0);
    loop {
        let mut header = [0u8; 9];
        if stdout.read_exact(&mut header).is_err() {
            break;
        }
        let length =
            usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
        let mut payload = vec![0u8; length];
        if stdout.read_exact(&mut payload).is_err() {
            break;
        }
        let (kind, flags) = (header[3], header[4]);
        match kind {
            4 if flags & 1 == 0 => {
                send(&stdin, &frame(4, 1, 0, &[]));
                if settings_at.is_none() {
                    settings_at = Some(Instant::now());
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(());
                    }
                    if continuation {
                        writer = Some(start_head(Arc::clone(&stdin)));
                    }
                }
            }
            6 if flags & 1 == 0 => {
                let acked = send(&stdin, &frame(6, 1, 0, &payload));
                if acked && goaways.is_empty() {
                    pings_before_goaway += 1;
                }
            }
            // Last stream id (4 bytes), then the error code.
            7 if payload.len() >= 8 => {
                goaways.push(u32::from_be_bytes(payload[4..8].try_into().unwrap()));
            }
            _ => {}
        }
        assert!(
            spawned.elapsed() < Duration::from_secs(30),
            "the connection is still open after 30 s"
        );
    }
    let settings_at = settings_at.expect("no SETTINGS frame from the server");
    let lasted = settings_at.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    drop(writer);
    H2Seen {
        lasted,
        goaways,
        pings_before_goaway,
    }
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn an_http2_connection_with_no_stream_open_is_closed_after_the_header_timeout_though_it_answers_pings(
) {
    let dir = scratch("tls-h2-idle");
    throwaway_pki(&dir);
    // hyper pings one timeout after the connection started (its preface read: no frame
    // without a stream counts as activity), then one timeout after each answer. The idle
    // watch starts with the connection too, looks four times a timeout, and sends GOAWAY
    // at its fifth look, 1.25 timeouts in. So the first ping comes a quarter of a timeout
    // (here 1 s, less the time the preface took) before the GOAWAY, both on timers of the
    // one task that drives the connection.
    let timeout = std::time::Duration::from_secs(4);
    let server = start(
        site(
            Settings::builder()
                .tls(dir.join("cert.pem"), dir.join("key.pem"))
                .header_timeout(timeout),
        ),
        None,
    );
    let seen = h2_client(server.port, false, None);
    assert_eq!(
        seen.goaways.first(),
        Some(&0),
        "a graceful GOAWAY: {seen:?}"
    );
    assert!(
        seen.pings_before_goaway >= 1,
        "no ping answered before the GOAWAY: {seen:?}"
    );
    // Measured from the server's SETTINGS, on a loaded machine: well past one timeout,
    // never two (with 2 s to spare for a slow scheduler).
    assert!(
        seen.lasted >= timeout && seen.lasted < timeout * 2 + std::time::Duration::from_secs(2),
        "{seen:?}"
    );
    drop(server);
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn an_endless_continuation_is_cut_off_by_h2s_frame_limit_long_before_the_idle_timeout() {
    let dir = scratch("tls-h2-continuation");
    throwaway_pki(&dir);
    // A head that never ends is no open stream, but it is not the idle timer that ends it:
    // h2 allows a head only so many CONTINUATION frames (for a 16 KiB header list in
    // 16 KiB frames, 5) and then sends GOAWAY ENHANCE_YOUR_CALM. The client sends one
    // every 100 ms, so that comes within a second, long before this 30 s timeout.
    let timeout = std::time::Duration::from_secs(30);
    let server = start(
        site(
            Settings::builder()
                .tls(dir.join("cert.pem"), dir.join("key.pem"))
                .header_timeout(timeout),
        ),
        None,
    );
    let seen = h2_client(server.port, true, None);
    assert_eq!(seen.goaways.first(), Some(&ENHANCE_YOUR_CALM), "{seen:?}");
    assert!(seen.lasted < std::time::Duration::from_secs(10), "{seen:?}");
    drop(server);
}

#[test]
#[ignore = "needs the openssl and curl command lines (scripts/test-all.sh installs them)"]
fn at_the_cap_an_http2_connection_with_no_stream_open_makes_way_like_a_keep_alive() {
    let dir = scratch("tls-h2-shed");
    throwaway_pki(&dir);
    // One connection at most, and a timeout far longer than the test.
    let server = start(
        site(
            Settings::builder()
                .tls(dir.join("cert.pem"), dir.join("key.pem"))
                .header_timeout(std::time::Duration::from_secs(60))
                .max_connections(1),
        ),
        None,
    );
    let port = server.port;
    let (ready, served) = std::sync::mpsc::channel();
    let idle = std::thread::spawn(move || h2_client(port, false, Some(ready)));
    // The idle client holds the one slot, its handshake done, before curl comes.
    served
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the idle client got the server's SETTINGS");
    assert!(!idle.is_finished(), "the idle connection closed by itself");
    let ca = dir.join("ca.pem");
    let resolve = format!("localhost:{port}:127.0.0.1");
    let args = [
        "--http2",
        "--cacert",
        ca.to_str().unwrap(),
        "--resolve",
        &resolve,
    ];
    let (version, answer) = curl(&dir, &args, &format!("https://localhost:{port}/"));
    assert_eq!((version.as_str(), answer.status.as_str()), ("2", "200"));
    let seen = idle.join().unwrap();
    assert!(seen.lasted < std::time::Duration::from_secs(10), "{seen:?}");
    drop(server);
}
