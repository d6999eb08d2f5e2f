//! Hostile clients against `Site::serve` over HTTPS, each shown to be bounded: the server
//! ends the connection within a deadline, rather than serving it forever.
//!
//! The clients are `tests/h2/hostile.py` (Python's standard library only: ssl with ALPN
//! `h2`, HTTP/2 frames and HPACK fields written by hand), against a real site with a
//! throwaway certificate (made with `openssl`), `HTTP_HEADER_TIMEOUT` and
//! `TLS_HANDSHAKE_TIMEOUT` of 2 s:
//!
//! - the floods, each for a few seconds, a new connection whenever the server ends one:
//!   HEADERS + RST_STREAM (Rapid Reset, CVE-2023-44487), an endless CONTINUATION, empty
//!   DATA frames on an open request. Every connection must be ended by the server,
//!   sooner than the header timeout could, with GOAWAY (ENHANCE_YOUR_CALM) then a close
//!   (or a reset that overtook the GOAWAY, but at least one GOAWAY per flood); meanwhile a
//!   well-behaved client (curl over HTTP/2) keeps getting its page promptly, and the
//!   process's resident memory grows by less than a bound;
//! - an HTTP/2 connection that answers every PING and opens no stream: GOAWAY after
//!   about `HTTP_HEADER_TIMEOUT`;
//! - an HTTP/2 connection that gives no flow-control window (`SETTINGS_INITIAL_WINDOW_SIZE`
//!   0, never a WINDOW_UPDATE), asks for a page and answers every PING: its response can
//!   never be sent, so the stream stays open; GOAWAY after about `HTTP_HEADER_TIMEOUT`,
//!   and the connection dropped about one more timeout later;
//! - a client that completes the TLS handshake with ALPN `h2` and sends nothing more
//!   (not even the preface): a graceful shutdown ends it at once, not a timeout later;
//! - a TCP connection that never sends a ClientHello, half a ClientHello, and a whole
//!   ClientHello then silence: closed after about `TLS_HANDSHAKE_TIMEOUT`.
//!
//! Each timed case also has a lower bound, so that a connection closed at once for some
//! other reason (a client the server refuses outright) does not pass for the timer.
//!
//! Ignored by plain `cargo test` (needs python3, curl and openssl); `scripts/test-all.sh`
//! runs it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::response::Html;
use axum::routing::{get, post};
use axum::Router;
use hyper_assets::{Settings, Site};
use hyper_assets_tests::cargo_project::{target_dir, workspace_root};
use hyper_assets_tests::curl::{self, Alpn, CurlAnswer, Transport};
use hyper_assets_tests::pki::Pki;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

hyper_assets::hyper_assets!("fixtures/basic");

/// `HTTP_HEADER_TIMEOUT` and `TLS_HANDSHAKE_TIMEOUT` of the server under attack.
const TIMEOUT: Duration = Duration::from_secs(2);
/// How long each flood goes on, over as many connections as the server ends.
const FLOOD_SECONDS: &str = "3";
/// HTTP/2's ENHANCE_YOUR_CALM error code (RFC 9113, 7).
const ENHANCE_YOUR_CALM: u64 = 0xb;
/// The most a well-behaved request may take while a flood runs (on a shared 2-core
/// machine; an unflooded one takes some 10 ms).
const PROMPT: Duration = Duration::from_secs(3);
/// The most the process's resident memory may grow over one flood.
const MEMORY_GROWTH: u64 = 32 << 20;

const PAGE: &str = "<!doctype html><html><head></head><body>home</body></html>";

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| Pki::new(&target_dir().join("h2-hostile/pki")))
}

/// A site served over HTTPS with the short timeouts, on a runtime of its own (dropped,
/// and the server with it, at the end of the test).
struct Server {
    _runtime: tokio::runtime::Runtime,
    port: u16,
}

fn serve() -> Server {
    serve_until(std::future::pending())
}

/// [`serve`], with a graceful shutdown when `stop` completes.
fn serve_until(stop: impl std::future::Future<Output = ()> + Send + 'static) -> Server {
    let settings = Settings::builder()
        .dev_mode(false)
        .header_timeout(TIMEOUT)
        .tls_handshake_timeout(TIMEOUT)
        .tls(pki().cert(), pki().key())
        .build()
        .unwrap();
    let site = Site::builder(&assets::EMBEDDED)
        .settings(settings)
        .build()
        .unwrap();
    // `/upload` reads its whole body: the empty DATA frames go to a request that waits
    // for them.
    let app = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route(
            "/upload",
            post(|body: String| async move { body.len().to_string() }),
        );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let port = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = hyper_assets::server::Server::from_settings(site.settings())
            .with_graceful_shutdown(stop);
        tokio::spawn(async move { server.serve(listener, site.service(app)).await.unwrap() });
        port
    });
    Server {
        _runtime: runtime,
        port,
    }
}

/// How one hostile connection ended, as `hostile.py` reports it.
#[derive(Debug)]
struct Ended {
    /// `goaway`, `eof`, `reset` or `deadline` (the client gave up waiting).
    how: String,
    goaway_code: Option<u64>,
    closed_after_goaway: bool,
    seconds: f64,
    frames: u64,
}

fn hostile(case: &str, port: u16, extra: &[&str]) -> std::process::Child {
    Command::new("python3")
        .arg(workspace_root().join("tests/h2/hostile.py"))
        .args([case, "--port", &port.to_string(), "--cafile"])
        .arg(pki().ca())
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("python3 cannot run ({error}); install it"))
}

fn report(child: std::process::Child, case: &str) -> Vec<Ended> {
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "hostile.py {case} failed");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    eprintln!("{case}: {report}");
    report["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|connection| Ended {
            how: connection["ended"].as_str().unwrap().to_owned(),
            goaway_code: connection["goaway_code"].as_u64(),
            closed_after_goaway: connection["closed_after_goaway"].as_bool().unwrap(),
            seconds: connection["seconds"].as_f64().unwrap(),
            frames: connection["frames"].as_u64().unwrap(),
        })
        .collect()
}

/// A well-behaved request: `GET /` with curl over HTTP/2.
fn well_behaved(port: u16) -> CurlAnswer {
    let transport = Transport::Tls {
        ca: pki().ca(),
        alpn: Alpn::H2,
    };
    let dir = target_dir().join(format!("h2-hostile/curl-{port}"));
    curl::request(&dir, &transport, port, "GET", "/", &[])
}

/// The process's resident memory, in bytes (Linux).
fn resident_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Runs the flood `case` for [`FLOOD_SECONDS`] while a well-behaved client asks for the
/// page again and again; every flooding connection must be ended by the server with
/// GOAWAY (ENHANCE_YOUR_CALM) and closed sooner than the header timeout (2 s) could.
fn flood_is_bounded(case: &str) {
    let server = serve();
    assert_eq!(well_behaved(server.port).response.status, 200);
    let memory_before = resident_memory();
    let mut child = hostile(case, server.port, &["--duration", FLOOD_SECONDS]);
    let mut answers = Vec::new();
    while child.try_wait().unwrap().is_none() {
        answers.push(well_behaved(server.port));
    }
    let connections = report(child, case);
    let grown = resident_memory().saturating_sub(memory_before);
    assert!(!connections.is_empty());
    for ended in &connections {
        // The server ended it: GOAWAY then close, or a close that came before the client
        // read the GOAWAY (a close with the flood unread in the server's buffer is a
        // reset, which drops the GOAWAY waiting in the client's).
        match ended.how.as_str() {
            "goaway" => {
                assert_eq!(
                    ended.goaway_code,
                    Some(ENHANCE_YOUR_CALM),
                    "{case}: {ended:?}"
                );
                assert!(ended.closed_after_goaway, "{case}: {ended:?}");
            }
            "reset" | "eof" => {}
            _ => panic!("{case}: the server never ended the connection: {ended:?}"),
        }
        assert!(
            ended.seconds < TIMEOUT.as_secs_f64(),
            "{case}: the flood was not stopped before the timeouts could: {ended:?}"
        );
        assert!(ended.frames > 0, "{case}: {ended:?}");
    }
    // The flood detector is what ended them.
    assert!(
        connections
            .iter()
            .any(|ended| ended.goaway_code == Some(ENHANCE_YOUR_CALM)),
        "{case}: no GOAWAY (ENHANCE_YOUR_CALM) in {connections:?}"
    );
    // The well-behaved client was answered while the flood went on, promptly.
    assert!(answers.len() >= 3, "{case}: {} answers", answers.len());
    for answer in &answers {
        assert_eq!(answer.response.status, 200, "{case}");
        // The page, with the stale-client script the site adds.
        let body = String::from_utf8_lossy(&answer.response.body);
        assert!(body.contains("<body>home</body>"), "{case}: {body}");
        assert!(answer.elapsed < PROMPT, "{case}: {:?}", answer.elapsed);
    }
    let slowest = answers.iter().map(|answer| answer.elapsed).max().unwrap();
    eprintln!(
        "{case}: {} connections ended, {} well-behaved answers (slowest {slowest:?}), \
         resident memory +{} KiB",
        connections.len(),
        answers.len(),
        grown / 1024
    );
    assert!(
        grown < MEMORY_GROWTH,
        "{case}: resident memory grew {grown} bytes"
    );
}

/// Runs the one-connection `case` and asserts the server ended it (with `how`) after
/// about `timeout`: no sooner than three quarters of it, no later than 3 s past it.
fn closed_after(case: &str, timeout: Duration, how: &[&str]) -> Ended {
    let server = serve();
    let child = hostile(case, server.port, &["--deadline", "10"]);
    let mut connections = report(child, case);
    assert_eq!(connections.len(), 1);
    let ended = connections.pop().unwrap();
    assert!(how.contains(&ended.how.as_str()), "{case}: {ended:?}");
    let timeout = timeout.as_secs_f64();
    assert!(
        ended.seconds >= timeout * 0.75 && ended.seconds <= timeout + 3.0,
        "{case}: ended after {} s, the timeout is {timeout} s",
        ended.seconds
    );
    // The server still answers others.
    assert_eq!(well_behaved(server.port).response.status, 200);
    ended
}

#[test]
#[ignore = "needs python3, curl and openssl (scripts/test-all.sh installs them)"]
fn a_rapid_reset_flood_gets_goaway_and_others_are_still_served() {
    flood_is_bounded("rapid-reset");
}

#[test]
#[ignore = "needs python3, curl and openssl (scripts/test-all.sh installs them)"]
fn an_endless_continuation_gets_goaway_and_others_are_still_served() {
    flood_is_bounded("continuation");
}

#[test]
#[ignore = "needs python3, curl and openssl (scripts/test-all.sh installs them)"]
fn a_flood_of_empty_data_frames_gets_goaway_and_others_are_still_served() {
    flood_is_bounded("empty-data");
}

#[test]
#[ignore = "needs python3, curl and openssl (scripts/test-all.sh installs them)"]
fn an_idle_http2_connection_that_answers_pings_gets_goaway_after_the_header_timeout() {
    let ended = closed_after("idle", TIMEOUT, &["goaway"]);
    assert!(ended.closed_after_goaway, "{ended:?}");
}

#[test]
#[ignore = "needs python3, curl and openssl (scripts/test-all.sh installs them)"]
fn a_connection_that_never_sends_a_client_hello_is_closed_after_the_handshake_timeout() {
    closed_after("no-hello", TIMEOUT, &["eof", "reset"]);
}

#[test]
#[ignore = "needs python3, curl and openssl (scripts/test-all.sh installs them)"]
fn half_a_client_hello_is_closed_after_the_handshake_timeout() {
    closed_after("partial-hello", TIMEOUT, &["eof", "reset"]);
}

#[test]
#[ignore = "needs python3, curl and openssl (scripts/test-all.sh installs them)"]
fn a_handshake_that_stalls_after_the_client_hello_is_closed_after_the_handshake_timeout() {
    closed_after("stalled-handshake", TIMEOUT, &["eof", "reset"]);
}

#[test]
#[ignore = "needs python3, curl and openssl (scripts/test-all.sh installs them)"]
fn an_http2_client_that_gives_no_window_gets_goaway_then_is_dropped() {
    let server = serve();
    let child = hostile(
        "zero-window",
        server.port,
        &["--deadline", "10", "--close-wait", "5"],
    );
    let mut connections = report(child, "zero-window");
    assert_eq!(connections.len(), 1);
    let ended = connections.pop().unwrap();
    // Its stream never progresses: like an idle connection, GOAWAY after about the header
    // timeout (no sooner than three quarters of it, no later than 3 s past it) ...
    assert_eq!(ended.how, "goaway", "the server never ended it: {ended:?}");
    let timeout = TIMEOUT.as_secs_f64();
    assert!(
        ended.seconds >= timeout * 0.75 && ended.seconds <= timeout + 3.0,
        "GOAWAY after {} s, the timeout is {timeout} s",
        ended.seconds
    );
    // ... and, the stream still stalled, dropped about one timeout after the GOAWAY.
    assert!(ended.closed_after_goaway, "{ended:?}");
    assert_eq!(well_behaved(server.port).response.status, 200);
}

#[test]
#[ignore = "needs python3, curl and openssl (scripts/test-all.sh installs them)"]
fn a_graceful_shutdown_ends_an_http2_client_that_sends_nothing_at_once() {
    use std::io::BufRead;
    const SHUTDOWN_AFTER: Duration = Duration::from_millis(300);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = serve_until(async move { drop(stopped.await) });
    let mut child = Command::new("python3")
        .arg(workspace_root().join("tests/h2/hostile.py"))
        .args(["silent-h2", "--port", &server.port.to_string(), "--cafile"])
        .arg(pki().ca())
        .args(["--deadline", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("python3 cannot run ({error}); install it"));
    // The client says when its handshake is done: the server stops a moment later.
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "handshake done");
    std::thread::sleep(SHUTDOWN_AFTER);
    stop.send(()).unwrap();
    let mut connections = report(child, "silent-h2");
    let ended = connections.pop().unwrap();
    assert!(["eof", "reset"].contains(&ended.how.as_str()), "{ended:?}");
    // From the handshake: the shutdown came after 0.3 s; the header timeout (2 s), which
    // ended such a client before, must not be what ends it.
    assert!(
        ended.seconds <= SHUTDOWN_AFTER.as_secs_f64() + 0.7,
        "the shutdown left the connection open until {} s",
        ended.seconds
    );
}
