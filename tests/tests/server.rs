//! `hyper_assets::serve`'s loop over real sockets: the header-read timeout closes
//! half-sent heads and idle keep-alive connections; at the connection cap a new client
//! takes the slot of the connection idle longest, never of one answering a request;
//! slots are never leaked; and a graceful shutdown lets an in-flight request finish.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use axum::routing::get;
use axum::Router;
use hyper_assets::server::Server;
use hyper_assets::{Settings, Site};
use hyper_assets_tests::TestServer;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

hyper_assets::hyper_assets!("fixtures/basic");

fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "home" }))
        .route("/big", get(|| async { vec![b'x'; 8 << 20] }))
        .route(
            "/echo",
            axum::routing::post(|body: axum::body::Bytes| async move { body }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(400)).await;
                "slow"
            }),
        )
}

fn start(server: Server) -> TestServer {
    let settings = Settings::builder().dev_mode(false).build().unwrap();
    let site = Site::builder(&assets::EMBEDDED)
        .settings(settings)
        .build()
        .unwrap();
    TestServer::start_server(server, site.service(app()))
}

/// A connection that has sent part of a request head and nothing more.
fn half_sent_head(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    stream
}

/// Reads until the server closes; `None` if nothing came and nothing closed within
/// `patience`.
fn read_until_closed(stream: &mut TcpStream, patience: Duration) -> Option<Vec<u8>> {
    stream.set_read_timeout(Some(patience)).unwrap();
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => Some(bytes),
        Err(error) if error.kind() == ErrorKind::ConnectionReset => Some(bytes),
        Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => None,
        Err(error) => panic!("read failed: {error}"),
    }
}

/// One keep-alive request on `stream`; returns the status line once the whole body
/// (by `Content-Length`) has arrived.
fn request(stream: &mut TcpStream, path: &str) -> String {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = stream.read(&mut chunk).unwrap();
        assert!(
            read > 0,
            "closed mid-response: {:?}",
            String::from_utf8_lossy(&bytes)
        );
        bytes.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .expect("a content-length");
            if bytes.len() >= end + 4 + length {
                return text.lines().next().unwrap().to_owned();
            }
        }
    }
}

#[test]
fn a_half_sent_head_is_closed_after_the_header_timeout() {
    let server = start(Server::new().header_read_timeout(Duration::from_millis(300)));
    let mut stream = half_sent_head(server.addr());
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10))
        .expect("the server closes a head that never completes");
    assert!(started.elapsed() >= Duration::from_millis(250));
    // Whatever hyper says before closing, it is not a page.
    assert!(!String::from_utf8_lossy(&answer).contains("home"));
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_same_timeout() {
    let server = start(Server::new().header_read_timeout(Duration::from_millis(300)));
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    assert_eq!(request(&mut stream, "/"), "HTTP/1.1 200 OK");
    assert_eq!(request(&mut stream, "/"), "HTTP/1.1 200 OK");
    let answer = read_until_closed(&mut stream, Duration::from_secs(10))
        .expect("an idle keep-alive connection is closed");
    assert!(answer.is_empty() || !String::from_utf8_lossy(&answer).contains("home"));
}

#[test]
fn at_the_cap_a_new_client_takes_the_slot_of_the_connection_idle_longest() {
    // A header timeout far beyond the test: without shedding, the new client would wait.
    let server = start(
        Server::new()
            .max_connections(2)
            .header_read_timeout(Duration::from_secs(60)),
    );
    let mut oldest = half_sent_head(server.addr());
    std::thread::sleep(Duration::from_millis(100));
    let mut newer = half_sent_head(server.addr());
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    let mut client = TcpStream::connect(server.addr()).unwrap();
    client
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let answer = read_until_closed(&mut client, Duration::from_secs(20)).unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.starts_with("HTTP/1.1 200 OK") && text.ends_with("home"),
        "{text}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it waited for a timeout"
    );
    // The slowloris that waited longest was closed for it; the newer one is still open.
    assert_eq!(
        read_until_closed(&mut oldest, Duration::from_secs(5)),
        Some(Vec::new())
    );
    assert_eq!(
        read_until_closed(&mut newer, Duration::from_millis(300)),
        None
    );
}

#[test]
fn a_connection_answering_a_request_is_never_closed_for_a_new_one() {
    let server = start(Server::new().max_connections(1));
    let addr = server.addr();
    let busy = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        request(&mut stream, "/slow")
    });
    std::thread::sleep(Duration::from_millis(100));
    // The only slot is busy: the new client waits for it, and both are answered.
    let mut waiting = TcpStream::connect(addr).unwrap();
    assert_eq!(request(&mut waiting, "/"), "HTTP/1.1 200 OK");
    assert_eq!(busy.join().unwrap(), "HTTP/1.1 200 OK");
}

/// All slots busy when a client arrives; then the busy connection finishes its request
/// but stays open (keep-alive). The waiting client takes its slot at once, not when the
/// idle connection times out.
#[test]
fn a_client_waiting_at_the_cap_takes_the_slot_of_a_connection_that_goes_idle() {
    let server = start(
        Server::new()
            .max_connections(1)
            .header_read_timeout(Duration::from_secs(60)),
    );
    let addr = server.addr();
    let (done, finished) = std::sync::mpsc::channel();
    let keep_alive = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        let status = request(&mut stream, "/slow");
        done.send(()).unwrap();
        // Open and idle until the server closes it.
        let closed = read_until_closed(&mut stream, Duration::from_secs(30));
        (status, closed)
    });
    std::thread::sleep(Duration::from_millis(100));
    let mut waiting = TcpStream::connect(addr).unwrap();
    let started = Instant::now();
    assert_eq!(request(&mut waiting, "/"), "HTTP/1.1 200 OK");
    finished.recv().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited {:?} for a connection that was idle",
        started.elapsed()
    );
    let (status, closed) = keep_alive.join().unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(closed, Some(Vec::new()), "the idle connection made room");
}

/// A large response to a slow client is a connection answering a request, even once
/// hyper holds the whole body: it is never cut off for a new client.
#[test]
fn a_slow_download_is_never_cut_off_at_the_cap() {
    let server = start(Server::new().max_connections(1));
    let addr = server.addr();
    let download = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .write_all(b"GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut received = 0usize;
        let mut chunk = [0u8; 64 << 10];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => received += n,
                Err(error) => panic!("download failed after {received} bytes: {error}"),
            }
            std::thread::sleep(Duration::from_millis(4));
        }
        received
    });
    std::thread::sleep(Duration::from_millis(200));
    // Arrives mid-download: waits for the slot instead of taking it.
    let mut waiting = TcpStream::connect(addr).unwrap();
    assert_eq!(request(&mut waiting, "/"), "HTTP/1.1 200 OK");
    let received = download.join().unwrap();
    assert!(
        received > 8 << 20,
        "the download was cut at {received} bytes"
    );
}

/// The header timeout covers the head only; a request body that stops arriving ends in
/// an error after the same time, so a client announcing a body it never sends cannot
/// hold a slot (and, at the cap, everyone's) for as long as a handler would wait.
#[test]
fn a_request_body_that_stops_arriving_frees_its_slot() {
    let server = start(
        Server::new()
            .max_connections(1)
            .header_read_timeout(Duration::from_millis(500)),
    );
    let mut stalled = TcpStream::connect(server.addr()).unwrap();
    stalled
        .write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nten bytes.")
        .unwrap();
    let started = Instant::now();
    let answer =
        read_until_closed(&mut stalled, Duration::from_secs(10)).expect("the stalled request ends");
    assert!(started.elapsed() < Duration::from_secs(5));
    let text = String::from_utf8_lossy(&answer);
    assert!(!text.starts_with("HTTP/1.1 200"), "{text}");
    // The slot is free again.
    let mut next = TcpStream::connect(server.addr()).unwrap();
    assert_eq!(request(&mut next, "/"), "HTTP/1.1 200 OK");
    // A body that keeps arriving, however slowly, is read whole.
    let mut slow = TcpStream::connect(server.addr()).unwrap();
    slow.write_all(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 6\r\n\r\n",
    )
    .unwrap();
    for part in [b"ab", b"cd", b"ef"] {
        std::thread::sleep(Duration::from_millis(300));
        slow.write_all(part).unwrap();
    }
    let echoed = read_until_closed(&mut slow, Duration::from_secs(10)).unwrap();
    let echoed = String::from_utf8_lossy(&echoed);
    assert!(
        echoed.starts_with("HTTP/1.1 200") && echoed.ends_with("abcdef"),
        "{echoed}"
    );
}

#[test]
fn finished_connections_give_their_slot_back() {
    let server = start(Server::new().max_connections(3));
    for _ in 0..40 {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        assert_eq!(request(&mut stream, "/"), "HTTP/1.1 200 OK");
    }
    let mut open: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(server.addr()).unwrap())
        .collect();
    for stream in &mut open {
        assert_eq!(request(stream, "/"), "HTTP/1.1 200 OK");
    }
}

#[test]
fn assets_come_through_the_server_with_the_site_headers() {
    let server = start(Server::new());
    let css = assets::MANIFEST.get("css/styles.css").unwrap();
    let response = server.get(css.url(), &[]);
    assert_eq!(response.status, 200);
    assert_eq!(response.body, css.bytes());
    assert_eq!(response.header("x-app-version"), Some(assets::VERSION));
    assert_eq!(
        response.header("cache-control"),
        Some(hyper_assets::serving::IMMUTABLE)
    );
}

#[test]
fn a_graceful_shutdown_lets_the_request_in_flight_finish() {
    let server = start(Server::new());
    let addr = server.addr();
    let mut idle = TcpStream::connect(addr).unwrap();
    assert_eq!(request(&mut idle, "/"), "HTTP/1.1 200 OK");
    let client = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        request(&mut stream, "/slow")
    });
    std::thread::sleep(Duration::from_millis(150));
    let started = Instant::now();
    drop(server); // signals the shutdown and waits for the loop to return
    assert_eq!(client.join().unwrap(), "HTTP/1.1 200 OK");
    // The idle keep-alive connection did not hold the shutdown up.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        read_until_closed(&mut idle, Duration::from_secs(5)),
        Some(Vec::new())
    );
}
